from .extraction_summary import ExtractionProgress, ExtractionSummary
from .feature_extraction import (build_snippet_extractor, extract_features,
                                 shard_videos)
from .feature_store import ExtractionSettingsError, FeatureStore, file_sha256
from .snippet_features import (SnippetFeatureExtractor, VideoFeatures,
                               init_feature_model, pool_backbone_features,
                               snippet_class_scores)
from .snippet_views import SnippetViewError, SnippetViews
from .snippet_windows import (SnippetWindows, prefetch, snippet_frame_indices,
                              snippet_starts)

__all__ = [
    'extract_features', 'build_snippet_extractor', 'ExtractionSummary',
    'ExtractionProgress',
    'shard_videos', 'ExtractionSettingsError', 'FeatureStore', 'file_sha256',
    'SnippetFeatureExtractor', 'SnippetViews', 'SnippetViewError',
    'VideoFeatures', 'init_feature_model', 'pool_backbone_features',
    'snippet_class_scores',
    'SnippetWindows', 'prefetch', 'snippet_frame_indices', 'snippet_starts'
]
