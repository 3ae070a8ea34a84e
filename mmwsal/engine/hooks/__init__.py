from .adaptfocus_hook import AdaptFocusHook, clip_centre, training_videos
from .class_split_hook import RecordClassSplitHook
from .dcc_hook import DCCBetaHook, ramp_value
from .heldout_split_hook import RecordHeldOutSplitHook
from .progress_bar_hook import ProgressBarHook
from .skipped_videos_hook import SkippedVideosHook

__all__ = [
    'AdaptFocusHook', 'clip_centre', 'training_videos', 'DCCBetaHook',
    'ramp_value', 'RecordClassSplitHook', 'ProgressBarHook',
    'RecordHeldOutSplitHook', 'SkippedVideosHook'
]
