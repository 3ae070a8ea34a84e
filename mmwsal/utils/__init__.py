from .checkpoint import (checkpoint_safe_globals,
                         register_checkpoint_safe_globals)
from .config import (FOCUS_MODE_NAMES, FOCUS_MODES, set_focus_mode,
                     use_feature_set, use_video_set)
from .dist import finish_distributed, gather_rows, prepare_cpu_distributed
from .io import atomic_open, dump_json_atomic
from .text import name_some

__all__ = [
    'atomic_open', 'dump_json_atomic', 'checkpoint_safe_globals',
    'register_checkpoint_safe_globals', 'prepare_cpu_distributed',
    'finish_distributed', 'gather_rows', 'use_feature_set', 'use_video_set',
    'set_focus_mode', 'FOCUS_MODES', 'FOCUS_MODE_NAMES', 'name_some'
]
