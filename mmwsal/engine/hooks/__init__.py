from .adaptfocus_hook import AdaptFocusHook, clip_centre, training_videos
from .progress_bar_hook import ProgressBarHook

__all__ = [
    'AdaptFocusHook', 'clip_centre', 'training_videos', 'ProgressBarHook'
]
