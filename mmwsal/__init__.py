'''mmwsal: weakly supervised learning on long untrimmed videos for
MMAction2.

Importing the package checks the versions it was tested with and registers
every component into MMAction2's registries.
'''
import warnings

import mmaction
import mmengine
from mmengine.utils import digit_version

from .version import __version__

MMACTION_MIN, MMACTION_MAX = '1.1.0', '1.2.0'
MMENGINE_MIN, MMENGINE_MAX = '0.10.0', '1.0.0'

# mmcv-lite has no compiled ops, so mmcv.cnn.bricks.transformer (imported
# with mmaction's models) warns at import that MultiScaleDeformableAttention
# is missing. No MMAction2 recognizer or mmwsal model uses it; only that one
# warning is ignored, and only while the subpackages are imported. (Not with
# warnings.catch_warnings(): leaving it restores the filter list, which would
# also drop the filters that libraries imported here for the first time add,
# such as scipy's and sympy's.)
_MMCV_LITE_WARNING = 'Fail to import ``MultiScaleDeformableAttention``'


def _check_version(name: str, version: str, low: str, high: str) -> None:
    if not digit_version(low) <= digit_version(version) < digit_version(high):
        raise ImportError(f'mmwsal {__version__} needs {low} <= {name} < '
                          f'{high}, found {version}. Install the pinned '
                          'stack with `pip install -r requirements.txt`.')


_check_version('mmaction2', mmaction.__version__, MMACTION_MIN, MMACTION_MAX)
_check_version('mmengine', mmengine.__version__, MMENGINE_MIN, MMENGINE_MAX)

_filters_before = list(warnings.filters)
warnings.filterwarnings(
    'ignore',
    message=_MMCV_LITE_WARNING,
    category=UserWarning,
    module='mmcv.cnn.bricks.transformer')
_mmcv_lite_filter = warnings.filters[0]
try:
    from . import (apis, datasets, engine, evaluation,  # noqa: E402,F401
                   models, utils)
finally:
    if _mmcv_lite_filter not in _filters_before:  # the user's own stays
        warnings.filters.remove(_mmcv_lite_filter)
    del _filters_before, _mmcv_lite_filter
from .utils.checkpoint import register_checkpoint_safe_globals  # noqa: E402

register_checkpoint_safe_globals()

__all__ = [
    '__version__', 'apis', 'datasets', 'engine', 'evaluation', 'models',
    'utils'
]
