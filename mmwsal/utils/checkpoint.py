"""Let mmengine load checkpoints under torch's ``weights_only=True``: those
mmwsal saves (``--resume``) and MMAction2 model-zoo ones (``load_from``).

torch >= 2.6 loads with ``weights_only=True`` by default, and mmengine
0.10.7 calls ``torch.load`` without the argument for local files. A
checkpoint saved by mmengine's Runner holds, besides tensors and plain
containers, the message hub's ``HistoryBuffer`` objects and the NumPy arrays
and scalars inside them. Importing mmwsal makes that loadable without
switching the check off:

- Those few types are allow-listed (:func:`checkpoint_safe_globals`);
  everything else still fails the check, so a file with arbitrary pickled
  objects is refused with a message naming the type.
- Files pickled under NumPy 1.x (the model zoo's, 2022-2023) name the array
  and scalar constructors ``numpy.core.multiarray.*``; NumPy 2 moved them to
  ``numpy._core``. Both names are allow-listed for the same two functions.
- ``HistoryBuffer.__getstate__`` pickles its class-wide table of statistics
  functions, which pickle protocol 2 writes as calls of the builtin
  ``getattr``: ``getattr(HistoryBuffer, 'mean')``. mmwsal saves a buffer as
  the call ``HistoryBuffer(log_history, count_history, max_length)`` instead
  (nothing is lost: the statistics functions are registered on the class at
  import time), so its own checkpoints hold no ``getattr``.
- Zoo checkpoints were pickled by a stock mmengine and do hold those calls.
  Allow-listing the builtin would let a file reach any attribute of any
  allowed object (``getattr(torch.Tensor, ...)``, methods of ``ndarray``...),
  and loading only ``state_dict`` and ``meta`` is not possible: ``torch.load``
  unpickles the whole file before mmengine looks at a key, so skipping the
  message hub would mean replacing mmengine's loader. Instead the *name*
  ``builtins.getattr`` is allow-listed for :func:`history_buffer_statistic`,
  which resolves ``HistoryBuffer``'s own statistics methods and refuses any
  other lookup with an ``UnpicklingError``. A file that holds the bare
  builtin (not a call) unpickles as that resolver, which can do nothing else.

``load_from`` with an ``https://`` address goes through
``torch.hub.load_state_dict_from_url``, whose ``weights_only`` defaults to
False, so mmengine loads downloaded zoo files without this check; download the
file and pass its path to have it checked.
"""
import copyreg
import inspect
import pickle

import numpy as np
import torch
from mmengine.logging import HistoryBuffer

# The statistics HistoryBuffer registers on itself in every process
# (``HistoryBuffer._set_default_statistics``).
DEFAULT_STATISTICS = ('min', 'max', 'current', 'mean')


def _describe(obj) -> str:
    if isinstance(obj, type):
        return f'{obj.__module__}.{obj.__qualname__}'
    return f'a {type(obj).__module__}.{type(obj).__qualname__} object'


def history_buffer_statistic(owner, name):
    """Resolve the ``getattr`` calls of a stock-pickled ``HistoryBuffer``.

    Stands in for the builtin ``getattr`` while ``torch.load`` unpickles with
    ``weights_only=True``: only ``getattr(HistoryBuffer, name)`` for a
    statistics method defined on the class resolves.

    Args:
        owner (object): The object the checkpoint looks the attribute up on.
        name (str): The attribute name.

    Returns:
        Callable: ``HistoryBuffer``'s statistics method ``name``.

    Raises:
        pickle.UnpicklingError: For any other lookup.
    """
    allowed = set(DEFAULT_STATISTICS) | set(HistoryBuffer._statistics_methods)
    method = None
    if owner is HistoryBuffer and isinstance(name, str) and name in allowed:
        method = vars(HistoryBuffer).get(name)
    if not inspect.isfunction(method):
        raise pickle.UnpicklingError(
            f'the checkpoint calls getattr({_describe(owner)}, {name!r}); '
            'under weights_only mmwsal resolves getattr only for the '
            'statistics methods of mmengine.logging.HistoryBuffer '
            f'({", ".join(sorted(allowed))})')
    return method


def checkpoint_safe_globals() -> list:
    """The globals an mmengine checkpoint holds beyond tensors.

    Returns:
        list: Entries for ``torch.serialization.add_safe_globals``: classes
        and functions, and ``(function, name)`` pairs that allow-list a
        function under another pickled name.
    """
    numpy_core = getattr(np, '_core', None) or np.core
    dtype_classes = [
        type(np.dtype(name))
        for name in ('float64', 'float32', 'float16', 'int64', 'int32',
                     'int16', 'int8', 'uint8', 'bool')
    ]
    constructors = [
        numpy_core.multiarray._reconstruct, numpy_core.multiarray.scalar
    ]
    numpy_names = [(fn, f'{module}.{fn.__name__}') for fn in constructors
                   for module in ('numpy.core.multiarray',
                                  'numpy._core.multiarray')]
    return [
        HistoryBuffer,
        *constructors,
        *numpy_names,
        np.ndarray,
        np.dtype,
        *dtype_classes,
        (history_buffer_statistic, 'builtins.getattr'),
    ]


def _reduce_history_buffer(buffer: HistoryBuffer):
    return HistoryBuffer, (buffer._log_history, buffer._count_history,
                           buffer.max_length)


def register_checkpoint_safe_globals() -> None:
    """Allow-list :func:`checkpoint_safe_globals` for ``torch.load`` and
    pickle ``HistoryBuffer`` without ``getattr``."""
    copyreg.pickle(HistoryBuffer, _reduce_history_buffer)
    torch.serialization.add_safe_globals(checkpoint_safe_globals())
