"""Let mmengine's ``--resume`` load our checkpoints under torch >= 2.6.

torch >= 2.6 loads with ``weights_only=True`` by default, and mmengine
0.10.7 calls ``torch.load`` without the argument. A checkpoint saved by
mmengine's Runner holds, besides tensors and plain containers, the message
hub's ``HistoryBuffer`` objects and the NumPy arrays and scalars inside them.

Two things make that loadable without switching the check off:

- Those few types are allow-listed (:func:`checkpoint_safe_globals`);
  everything else still fails the check, so a file with arbitrary pickled
  objects is refused.
- ``HistoryBuffer.__getstate__`` pickles its class-wide table of statistics
  functions, which pickle protocol 2 writes as calls of the builtin
  ``getattr``. Allow-listing ``getattr`` would open the unpickler to any
  attribute of any allowed object, so instead a buffer is pickled as the call
  ``HistoryBuffer(log_history, count_history, max_length)``. Nothing is lost:
  the statistics functions are registered on the class at import time.
"""
import copyreg

import numpy as np
import torch
from mmengine.logging import HistoryBuffer


def checkpoint_safe_globals() -> list:
    """The types an mmengine checkpoint of ours holds beyond tensors."""
    numpy_core = getattr(np, '_core', None) or np.core
    dtype_classes = [
        type(np.dtype(name)) for name in ('float64', 'float32', 'float16',
                                          'int64', 'int32', 'int16', 'int8',
                                          'uint8', 'bool')
    ]
    return [
        HistoryBuffer,
        numpy_core.multiarray._reconstruct,
        numpy_core.multiarray.scalar,
        np.ndarray,
        np.dtype,
        *dtype_classes,
    ]


def _reduce_history_buffer(buffer: HistoryBuffer):
    return HistoryBuffer, (buffer._log_history, buffer._count_history,
                           buffer.max_length)


def register_checkpoint_safe_globals() -> None:
    """Allow-list :func:`checkpoint_safe_globals` for ``torch.load`` and
    pickle ``HistoryBuffer`` without ``getattr``."""
    copyreg.pickle(HistoryBuffer, _reduce_history_buffer)
    torch.serialization.add_safe_globals(checkpoint_safe_globals())
