"""Breakfast Actions: per-frame or per-segment label files, one per video.

Two layouts are read:

- ``frames``: one label name per line, one line per frame (the
  ``groundTruth/<video>.txt`` files with a ``mapping.txt`` of ``0 SIL``
  lines, as used by most action segmentation code);
- ``segments``: lines ``1-30 SIL``, 1-based inclusive frame ranges (the
  dataset's own coarse segmentation files).

Video ids are file stems such as ``P03_cam01_P03_cereals``: person ``P03``,
camera ``cam01``, complex activity ``cereals``. Frames are at 15 fps.
"""
import glob
import os.path as osp
import re
from typing import Dict, List, Optional, Tuple

from .common import (SegmentStats, check_file, make_segments, make_video,
                     read_class_list, video_file)

FPS = 15.0
# The four standard splits hold out 13 persons each: split s tests on
# P03-P15, P16-P28, P29-P41 or P42-P54 and trains on the others.
FIRST_TEST_PERSON, PERSONS_PER_SPLIT, NUM_SPLITS = 3, 13, 4
LABEL_FORMATS = ('frames', 'segments')
LEVELS = ('action', 'activity')
_NAME_PATTERN = re.compile(r'P(\d+)_[A-Za-z0-9]+_P\d+_([A-Za-z]+)(?:_\w+)?')
_RANGE_PATTERN = re.compile(r'(\d+)-(\d+)\s+(\S+)')

Run = Tuple[str, int, int, int]  # label, first frame, end frame, line


def _read_frame_runs(path: str) -> List[Run]:
    """Maximal runs of one label in a per-frame file (frames 0-based)."""
    with open(check_file(path, 'label file'), encoding='utf-8') as f:
        lines = [line.strip() for line in f]
    while lines and not lines[-1]:
        lines.pop()
    runs: List[Run] = []
    for frame, label in enumerate(lines):
        if not label or len(label.split()) != 1:
            raise ValueError(f'{path}, line {frame + 1}: expected one label '
                             f'name per frame, got {label!r}')
        if runs and runs[-1][0] == label:
            runs[-1] = (label, runs[-1][1], frame + 1, runs[-1][3])
        else:
            runs.append((label, frame, frame + 1, frame + 1))
    if not runs:
        raise ValueError(f'{path}: has no labelled frames')
    return runs


def _read_segment_runs(path: str) -> List[Run]:
    """Runs of a ``<first>-<last> <label>`` file, merged where they touch."""
    runs: List[Run] = []
    with open(check_file(path, 'label file'), encoding='utf-8') as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            where = f'{path}, line {lineno}'
            match = _RANGE_PATTERN.fullmatch(line.strip())
            if not match:
                raise ValueError(f'{where}: expected "<first>-<last> '
                                 f'<label>" (1-based frames), got '
                                 f'{line.strip()!r}')
            first, last, label = int(match[1]), int(match[2]), match[3]
            if first < 1:
                raise ValueError(f'{where}: frames start at 1, got {first}')
            if last < first:
                raise ValueError(f'{where}: end frame {last} is before start '
                                 f'frame {first}')
            if runs and first <= runs[-1][2]:
                raise ValueError(f'{where}: frames {first}-{last} overlap '
                                 'the previous line')
            if runs and runs[-1][0] == label and runs[-1][2] == first - 1:
                runs[-1] = (label, runs[-1][1], last, runs[-1][3])
            else:
                runs.append((label, first - 1, last, lineno))
    if not runs:
        raise ValueError(f'{path}: has no labelled frames')
    return runs


def _subset(person: int, split: int) -> str:
    first = FIRST_TEST_PERSON + PERSONS_PER_SPLIT * (split - 1)
    return 'test' if first <= person < first + PERSONS_PER_SPLIT else 'train'


def convert_breakfast(label_dir: str,
                      label_format: str = 'frames',
                      mapping_file: Optional[str] = None,
                      level: str = 'action',
                      split: int = 1,
                      background: str = 'SIL',
                      fps: float = FPS,
                      file_template: str = '{video}.mp4',
                      suffix: str = '.txt',
                      stats: Optional[SegmentStats] = None) -> Dict:
    """Convert Breakfast label files.

    Args:
        label_dir (str): Directory searched recursively for label files.
        label_format (str): ``'frames'`` or ``'segments'``.
            Defaults to ``'frames'``.
        mapping_file (str, optional): ``mapping.txt`` (``<index> <label>``
            lines); its order, less ``background``, is the class order at
            action level, and a label missing from it is an error. Defaults
            to None: the sorted set of labels found.
        level (str): ``'action'``: one segment per maximal run of a
            non-background label; ``'activity'``: the complex activity of
            the file name, one segment over the whole video.
            Defaults to ``'action'``.
        split (int): Standard split 1-4; its 13 persons are ``test``, the
            others ``train``. Defaults to 1.
        background (str): Label that is no class and gives no segment.
            Defaults to ``'SIL'``.
        fps (float): Frame rate of the label files. Defaults to 15.0.
        file_template (str): Video file relative to the root; ``{video}``
            is the file stem. Defaults to ``'{video}.mp4'``.
        suffix (str): Ending of the label file names. Defaults to ``'.txt'``.
        stats (SegmentStats, optional): Receives the clipped and dropped
            counts. Defaults to None.

    Returns:
        dict: The annotation in the unified format.
    """
    if label_format not in LABEL_FORMATS or level not in LEVELS:
        raise ValueError(f'label_format must be one of {LABEL_FORMATS} and '
                         f'level one of {LEVELS}, got {label_format!r}, '
                         f'{level!r}')
    if not 1 <= split <= NUM_SPLITS:
        raise ValueError(f'split must be in 1..{NUM_SPLITS}, got {split}')
    if not osp.isdir(label_dir):
        raise FileNotFoundError(
            f'Breakfast label directory {label_dir} does not exist')
    stats = SegmentStats() if stats is None else stats
    mapping = (
        read_class_list(mapping_file, int)[0]
        if mapping_file is not None else None)
    read_runs = (
        _read_frame_runs if label_format == 'frames' else _read_segment_runs)

    parsed = {}
    for path in sorted(
            glob.glob(osp.join(label_dir, '**', '*' + suffix),
                      recursive=True)):
        vid = osp.basename(path)[:-len(suffix)]
        match = _NAME_PATTERN.fullmatch(vid)
        if match is None:
            raise ValueError(f'{path}: the name is not '
                             '<person>_<camera>_<person>_<activity>')
        if vid in parsed:
            raise ValueError(f'{path}: video {vid} also has the label file '
                             f'{parsed[vid][0]}')
        runs = read_runs(path)
        for label, _, _, line in runs:
            if mapping is not None and label not in mapping:
                raise ValueError(f'{path}, line {line}: label {label!r} is '
                                 f'not in {mapping_file}')
        parsed[vid] = (path, int(match[1]), match[2], runs)
    if not parsed:
        raise FileNotFoundError(f'no *{suffix} label files in {label_dir}')

    if level == 'activity':
        classes = sorted({activity for _, _, activity, _ in parsed.values()})
    elif mapping is not None:
        classes = [name for name in mapping if name != background]
    else:
        classes = sorted({
            run[0]
            for *_, runs in parsed.values()
            for run in runs if run[0] != background
        })
    index = {name: i for i, name in enumerate(classes)}

    videos = {}
    for vid, (_, person, activity, runs) in parsed.items():
        num_frames = runs[-1][2]
        if level == 'activity':
            intervals = [(0.0, num_frames / fps, index[activity])]
        else:
            intervals = [(first / fps, end / fps, index[label])
                         for label, first, end, _ in runs
                         if label != background]
        videos[vid] = make_video(
            _subset(person, split), video_file(file_template, vid),
            num_frames / fps, fps,
            make_segments(intervals, num_frames / fps, stats))
    return dict(classes=classes, videos=videos)
