"""Converters from the official annotation files of each dataset to the
unified annotation format of :mod:`mmwsal.datasets.annotation`.

Each ``convert_<dataset>`` is a pure function returning the annotation dict;
``tools/data/convert_<dataset>.py`` writes it with ``save_converted``.
"""
from .activitynet import convert_activitynet
from .breakfast import convert_breakfast
from .charades import convert_charades
from .common import (SegmentStats, probe_video, read_video_meta,
                     save_converted, summary)
from .multithumos import convert_multithumos
from .thumos14 import convert_thumos14

__all__ = [
    'SegmentStats', 'convert_activitynet', 'convert_breakfast',
    'convert_charades', 'convert_multithumos', 'convert_thumos14',
    'probe_video', 'read_video_meta', 'save_converted', 'summary'
]
