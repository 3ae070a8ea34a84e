"""THUMOS14: per-class temporal annotation files and the meta .mat files.

The official release has one file per class and subset,
``<ClassName>_val.txt`` (in ``TH14_Temporal_annotations_validation``) and
``<ClassName>_test.txt`` (in ``TH14_Temporal_Annotations_Test``), with lines
``video_validation_0000051  67.5 75.9`` (two spaces after the video id;
any whitespace, trailing spaces and CRLF line ends are read alike).
``Ambiguous_*.txt`` marks stretches that are neither action nor background;
it is not a class. Every ``CliffDiving`` instance is also listed as
``Diving``; both are kept as given.

The annotation files hold no durations. They come from metadata files,
the official ``validation_set.mat`` (in ``validation_set_meta.zip``; some
copies call it ``validation_set_meta.mat``) and ``test_set_meta.mat``, or
CSVs ``video_id,duration,fps``, or from probing the videos. The .mat files
hold MATLAB struct arrays ``validation_videos`` / ``test_videos``, of which
the fields ``video_name``, ``video_duration_seconds`` and ``frame_rate_FPS``
are read; the others (``primary_action``, ``number_of_frames``, ...) are
ignored.
"""
import logging
import numbers
import os
import os.path as osp
import re
from collections import defaultdict
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
from mmengine.logging import print_log
from scipy.io import loadmat
from scipy.io.matlab import MatReadError

from .common import (SegmentStats, Timing, check_file, parse_number,
                     read_instances, read_video_meta, videos_from_instances)

SUBSETS = {'val': 'validation', 'test': 'test'}
AMBIGUOUS = 'Ambiguous'
_FILE_PATTERN = re.compile(r'(.+)_(val|test)\.txt')
# The struct arrays of the official meta files and the fields read.
META_VARIABLES = ('validation_videos', 'test_videos')
NAME_FIELD = 'video_name'
TIMING_FIELDS = ('video_duration_seconds', 'frame_rate_FPS')


def _mat_value(value, where: str):
    """The one value in loadmat's nesting of a MATLAB char or number.

    loadmat returns a char field as a ``(1,)`` string array and a number as
    a ``(1, 1)`` array, inside object arrays for cells.
    """
    while isinstance(value, np.ndarray):
        if value.size != 1:
            raise ValueError(f'{where}: expected one value, got an array '
                             f'of shape {value.shape}')
        value = value.reshape(-1)[0]
    return value


def _mat_number(value, where: str) -> float:
    value = _mat_value(value, where)
    if isinstance(value, str):
        number = parse_number(value.strip(), where, 'value')
    elif isinstance(value,
                    numbers.Real) and not isinstance(value, (bool, np.bool_)):
        number = float(value)
    else:
        raise ValueError(f'{where}: expected a number, got {value!r}')
    if not (np.isfinite(number) and number > 0):
        raise ValueError(f'{where}: expected a positive number, got '
                         f'{number}')
    return number


def read_meta_mat(path: str) -> Dict[str, Timing]:
    """Read an official THUMOS14 meta file (``validation_set.mat``,
    ``test_set_meta.mat``).

    Args:
        path (str): A MATLAB (v5-v7.2) file with a struct array
            ``validation_videos`` or ``test_videos``, of shape ``(1, N)`` or
            ``(N, 1)``, with at least the fields ``video_name``,
            ``video_duration_seconds`` and ``frame_rate_FPS``.

    Returns:
        dict[str, tuple[float, float]]: ``(duration, fps)`` per video name.

    Raises:
        ValueError: If the file is no .mat file scipy can read, lacks both
            variables or a field, or an element holds no valid value (named
            as ``<file>, <variable>(<1-based index>), field '<field>'``).
    """
    check_file(path, 'metadata file')
    try:
        mat = loadmat(path)
    except NotImplementedError as e:  # MATLAB v7.3 files are HDF5
        raise ValueError(f'{path}: cannot read this .mat version ({e}); '
                         'save it with -v7 or give a CSV') from e
    except (MatReadError, ValueError, TypeError, IndexError, KeyError) as e:
        # What scipy raises for files that are not .mat, depending on the
        # bytes they start with.
        raise ValueError(f'{path}: not a MATLAB .mat file: {e}') from e
    variables = [v for v in META_VARIABLES if v in mat]
    if not variables:
        found = sorted(k for k in mat if not k.startswith('__'))
        raise ValueError(f'{path}: has none of the variables '
                         f'{list(META_VARIABLES)} (it has {found})')
    meta: Dict[str, Timing] = {}
    for variable in variables:
        records = mat[variable]
        fields = getattr(getattr(records, 'dtype', None), 'names', None)
        if not fields:
            raise ValueError(f'{path}: {variable} is not a struct array')
        for field in (NAME_FIELD, ) + TIMING_FIELDS:
            if field not in fields:
                raise ValueError(f'{path}: {variable} lacks the field '
                                 f'{field!r} (it has {list(fields)})')
        for i, record in enumerate(records.reshape(-1), 1):
            where = f'{path}, {variable}({i})'
            name_where = f'{where}, field {NAME_FIELD!r}'
            vid = _mat_value(record[NAME_FIELD], name_where)
            if not isinstance(vid, str) or not vid.strip():
                raise ValueError(f'{name_where}: expected a video name, got '
                                 f'{vid!r}')
            vid = vid.strip()
            if vid in meta:
                raise ValueError(f'{name_where}: video {vid} appears twice')
            meta[vid] = tuple(
                _mat_number(record[field], f'{where}, field {field!r}')
                for field in TIMING_FIELDS)
    return meta


def read_meta(path: str) -> Dict[str, Timing]:
    """Durations and fps from an official ``*.mat`` meta file
    (:func:`read_meta_mat`) or a CSV ``video_id,duration,fps``."""
    if path.lower().endswith('.mat'):
        return read_meta_mat(path)
    return read_video_meta(path)


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
                     meta_file: Union[str, Sequence[str], None] = None,
                     video_root: Optional[str] = None,
                     file_template: str = '{video}.mp4',
                     stats: Optional[SegmentStats] = None) -> Dict:
    """Convert the official THUMOS14 temporal annotations.

    Classes are the class names of the files, sorted alphabetically. Subsets
    are ``validation`` (``_val`` files) and ``test`` (``_test`` files). The
    videos are those with at least one class instance; ``Ambiguous``
    intervals go into their optional ``ambiguous`` field. Durations and fps
    come from the metadata files or, for videos they lack, from probing the
    videos.

    Args:
        ann_dirs (str | Sequence[str]): Directories holding the per-class
            files (e.g. the validation and the test annotation folders).
        meta_file (str | Sequence[str], optional): One or more metadata
            files, mixed freely: the official ``validation_set.mat`` /
            ``test_set_meta.mat`` (by the ``.mat`` ending) or CSVs with
            ``video_id,duration,fps``. A video in two files must have the
            same duration and fps in both. Defaults to None.
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
                                   meta_file, video_root, stats, read_meta)
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
