'''mmwsal: weakly supervised learning on long untrimmed videos for
MMAction2.

Importing the package checks the versions it was tested with and registers
every component into MMAction2's registries.
'''
import mmaction
import mmengine
from mmengine.utils import digit_version

from .version import __version__

MMACTION_MIN, MMACTION_MAX = '1.1.0', '1.2.0'
MMENGINE_MIN, MMENGINE_MAX = '0.10.0', '1.0.0'


def _check_version(name: str, version: str, low: str, high: str) -> None:
    if not digit_version(low) <= digit_version(version) < digit_version(high):
        raise ImportError(f'mmwsal {__version__} needs {low} <= {name} < '
                          f'{high}, found {version}. Install the pinned '
                          'stack with `pip install -r requirements.txt`.')


_check_version('mmaction2', mmaction.__version__, MMACTION_MIN, MMACTION_MAX)
_check_version('mmengine', mmengine.__version__, MMENGINE_MIN, MMENGINE_MAX)

from . import (apis, datasets, engine, evaluation, models,  # noqa: E402,F401
               utils)
from .utils.checkpoint import register_checkpoint_safe_globals  # noqa: E402

register_checkpoint_safe_globals()

__all__ = [
    '__version__', 'apis', 'datasets', 'engine', 'evaluation', 'models',
    'utils'
]
