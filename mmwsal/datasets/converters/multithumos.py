"""MultiTHUMOS: dense multi-label annotations of the THUMOS14 videos.

The release has ``class_list.txt`` (lines ``1 BaseballPitch``, 1-based) and
``annotations/<ClassName>.txt`` with lines ``video_id start end`` for both
the validation and the test videos; the subset follows from the id prefix.
"""
import os
import os.path as osp
from collections import defaultdict
from typing import Dict, Optional

from .common import (SegmentStats, read_class_list, read_instances,
                     videos_from_instances)

SUBSET_PREFIXES = {'video_validation_': 'validation', 'video_test_': 'test'}


def _parse_index(token: str) -> int:
    index = int(token) - 1
    if index < 0:
        raise ValueError(token)
    return index


def _subset_of(vid: str, where: str) -> str:
    for prefix, subset in SUBSET_PREFIXES.items():
        if vid.startswith(prefix):
            return subset
    raise ValueError(f'{where}: video id {vid!r} starts with none of '
                     f'{sorted(SUBSET_PREFIXES)}, so its subset is unknown')


def convert_multithumos(ann_dir: str,
                        class_list: str,
                        meta_file: Optional[str] = None,
                        video_root: Optional[str] = None,
                        file_template: str = '{video}.mp4',
                        stats: Optional[SegmentStats] = None) -> Dict:
    """Convert the official MultiTHUMOS annotations.

    Args:
        ann_dir (str): The ``annotations`` directory with one
            ``<ClassName>.txt`` per class of ``class_list``.
        class_list (str): ``class_list.txt``; its 1-based index ``i``
            becomes class index ``i - 1``.
        meta_file (str, optional): CSV with ``video_id,duration,fps``.
            Defaults to None.
        video_root (str, optional): Directory of the videos, to probe
            durations and fps missing from ``meta_file``. Defaults to None.
        file_template (str): Video file relative to the root; ``{video}``
            is the video id. Defaults to ``'{video}.mp4'``.
        stats (SegmentStats, optional): Receives the clipped and dropped
            counts. Defaults to None.

    Returns:
        dict: The annotation in the unified format.

    Raises:
        FileNotFoundError: If the directory or a class's file is missing.
        ValueError: On a malformed line, an annotation file of a class that
            is not in ``class_list``, or a video without a duration.
    """
    stats = SegmentStats() if stats is None else stats
    classes, _ = read_class_list(class_list, _parse_index)
    if not osp.isdir(ann_dir):
        raise FileNotFoundError(
            f'MultiTHUMOS annotation directory {ann_dir} does not exist')
    unknown = sorted(
        name for name in os.listdir(ann_dir)
        if name.endswith('.txt') and name[:-len('.txt')] not in classes)
    if unknown:
        raise ValueError(f'{ann_dir}: the annotation files {unknown} name '
                         f'classes that are not in {class_list}')

    instances, subsets = defaultdict(list), {}
    for label, name in enumerate(classes):
        path = osp.join(ann_dir, f'{name}.txt')
        for vid, start, end in read_instances(path):
            subsets[vid] = _subset_of(vid, path)
            instances[vid].append((start, end, label))
    videos = videos_from_instances(instances, subsets, file_template,
                                   meta_file, video_root, stats)
    stats.warn_if_changed('MultiTHUMOS')
    return dict(classes=classes, videos=videos)
