from .adaptfocus_hook import AdaptFocusHook, clip_centre, training_videos

__all__ = ['AdaptFocusHook', 'clip_centre', 'training_videos']
