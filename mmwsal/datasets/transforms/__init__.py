from .features import LoadSnippetFeatures, PackSnippetInputs, ResampleSnippets
from .loading import LongVideoDecode, LongVideoInit, WeakClipSampler

__all__ = [
    'LongVideoDecode', 'LongVideoInit', 'WeakClipSampler',
    'LoadSnippetFeatures', 'ResampleSnippets', 'PackSnippetInputs'
]
