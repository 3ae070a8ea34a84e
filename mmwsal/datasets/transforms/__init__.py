from .loading import LongVideoDecode, LongVideoInit, WeakClipSampler

__all__ = ['LongVideoDecode', 'LongVideoInit', 'WeakClipSampler']
