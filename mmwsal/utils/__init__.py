from .checkpoint import (checkpoint_safe_globals,
                         register_checkpoint_safe_globals)
from .config import use_feature_set
from .dist import finish_distributed, prepare_cpu_distributed
from .io import atomic_open, dump_json_atomic

__all__ = [
    'atomic_open', 'dump_json_atomic', 'checkpoint_safe_globals',
    'register_checkpoint_safe_globals', 'prepare_cpu_distributed',
    'finish_distributed', 'use_feature_set'
]
