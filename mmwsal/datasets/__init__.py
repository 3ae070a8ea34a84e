from .annotation import (AnnotationError, dump_annotation, load_annotation,
                         validate_annotation)
from .class_split import (ClassSplitError, dump_class_split, load_class_split,
                          make_class_split, split_video_infos,
                          validate_class_split)
from .class_split_dataset import ClassSplitSnippetDataset
from .context_features import context_bases, generate_context_features
from .episodes import Episode, EpisodeSampler, single_label_pools
from .long_video_dataset import LongVideoDataset
from .planted_features import generate_planted_features
from .skip_records import claim_skip_record, read_skip_records
from .snippet_feature_dataset import (SnippetFeatureDataset,
                                      load_feature_manifest)
from .synthetic import generate_synthetic_dataset
from .transforms import (LoadSnippetFeatures, LongVideoDecode, LongVideoInit,
                         PackSnippetInputs, ResampleSnippets, WeakClipSampler)
from .video_reader import OpenCVClipReader, VideoReadError
from .video_selection import heldout_ids

__all__ = [
    'AnnotationError', 'dump_annotation', 'load_annotation',
    'validate_annotation', 'LongVideoDataset', 'LongVideoDecode',
    'LongVideoInit', 'WeakClipSampler', 'OpenCVClipReader', 'VideoReadError',
    'generate_synthetic_dataset', 'SnippetFeatureDataset',
    'load_feature_manifest', 'LoadSnippetFeatures', 'ResampleSnippets',
    'PackSnippetInputs', 'generate_planted_features', 'ClassSplitError',
    'dump_class_split', 'load_class_split', 'make_class_split',
    'split_video_infos', 'validate_class_split', 'ClassSplitSnippetDataset',
    'Episode', 'EpisodeSampler', 'single_label_pools',
    'generate_context_features', 'context_bases', 'heldout_ids',
    'claim_skip_record', 'read_skip_records'
]
