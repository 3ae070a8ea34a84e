"""THUMOS14: per-class temporal annotation files.

The official release has one file per class and subset,
``<ClassName>_val.txt`` (in ``TH14_Temporal_annotations_validation``) and
``<ClassName>_test.txt`` (in ``TH14_Temporal_Annotations_Test``), with lines
``video_validation_0000051 67.5 75.9``. ``Ambiguous_*.txt`` marks stretches
that are neither action nor background; it is not a class. Every
``CliffDiving`` instance is also listed as ``Diving``; both are kept as given.
"""
import logging
import os
import os.path as osp
import re
from collections import defaultdict
from typing import Dict, List, Optional, Sequence, Union

from mmengine.logging import print_log

from .common import SegmentStats, read_instances, videos_from_instances

SUBSETS = {'val': 'validation', 'test': 'test'}
AMBIGUOUS = 'Ambiguous'
_FILE_PATTERN = re.compile(r'(.+)_(val|test)\.txt')


def find_class_files(ann_dirs: Sequence[str]) -> Dict[str, List[str]]:
    """Find the per-class files ``<ClassName>_{val,test}.txt``.

    Returns:
        dict[str, list[str]]: Class name (``Ambiguous`` included) -> paths.
    """
    files, seen = defaultdict(list), {}
    for ann_dir in ann_dirs:
        if not osp.isdir(ann_dir):
            raise FileNotFoundError(
                f'THUMOS14 annotation directory {ann_dir} does not exist')
        for name in sorted(os.listdir(ann_dir)):
            match = _FILE_PATTERN.fullmatch(name)
            if not match:
                continue
            path = osp.join(ann_dir, name)
            if name in seen:
                # Reading it twice would double every instance.
                raise ValueError(f'{name} is in two annotation directories: '
                                 f'{seen[name]} and {path}')
            seen[name] = path
            files[match.group(1)].append(path)
    if not set(files) - {AMBIGUOUS}:
        raise FileNotFoundError(
            f'no <ClassName>_val.txt or <ClassName>_test.txt files in '
            f'{list(ann_dirs)}')
    return files


def convert_thumos14(ann_dirs: Union[str, Sequence[str]],
                     meta_file: Optional[str] = None,
                     video_root: Optional[str] = None,
                     file_template: str = '{video}.mp4',
                     stats: Optional[SegmentStats] = None) -> Dict:
    """Convert the official THUMOS14 temporal annotations.

    Classes are the class names of the files, sorted alphabetically. Subsets
    are ``validation`` (``_val`` files) and ``test`` (``_test`` files). The
    videos are those with at least one class instance; ``Ambiguous``
    intervals go into their optional ``ambiguous`` field. Durations and fps
    come from ``meta_file`` or, for videos it lacks, from probing the videos.

    Args:
        ann_dirs (str | Sequence[str]): Directories holding the per-class
            files (e.g. the validation and the test annotation folders).
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
        ValueError: On a malformed line, a video listed in both subsets, or
            a video without a duration.
    """
    stats = SegmentStats() if stats is None else stats
    ann_dirs = [ann_dirs] if isinstance(ann_dirs, str) else list(ann_dirs)
    files = find_class_files(ann_dirs)
    classes = sorted(set(files) - {AMBIGUOUS})
    instances, ambiguous = defaultdict(list), defaultdict(list)
    subsets: Dict[str, str] = {}
    for name, paths in sorted(files.items()):
        for path in paths:
            subset = SUBSETS[_FILE_PATTERN.fullmatch(
                osp.basename(path)).group(2)]
            for vid, start, end in read_instances(path):
                if name == AMBIGUOUS:
                    ambiguous[vid].append((start, end))
                    continue
                if subsets.setdefault(vid, subset) != subset:
                    raise ValueError(f'{path}: video {vid} is in subset '
                                     f'{subset} but also in {subsets[vid]}')
                instances[vid].append((start, end, classes.index(name)))

    videos = videos_from_instances(instances, subsets, file_template,
                                   meta_file, video_root, stats)
    only_ambiguous = sorted(set(ambiguous) - set(videos))
    if only_ambiguous:
        print_log(
            f'THUMOS14: {len(only_ambiguous)} videos have only '
            f'Ambiguous intervals and are left out: {only_ambiguous}',
            logger='current',
            level=logging.WARNING)
    for vid, info in videos.items():
        intervals = (stats.clip(s, e, info['duration'], 'ambiguous interval')
                     for s, e in sorted(ambiguous.get(vid, [])))
        info['ambiguous'] = [
            dict(start=c[0], end=c[1]) for c in intervals if c is not None
        ]
    stats.warn_if_changed('THUMOS14')
    return dict(classes=classes, videos=videos)
