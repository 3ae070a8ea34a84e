"""Charades: ``Charades_v1_{train,test}.csv`` and ``Charades_v1_classes.txt``.

Each CSV row is one video; ``length`` is its duration in seconds and
``actions`` lists ``<code> <start> <end>`` separated by ``;`` (e.g.
``c092 11.90 21.20;c147 0.00 12.60``), possibly empty. Class ``cNNN`` has
index NNN.
"""
import csv
import re
from typing import Dict, List, Optional, Tuple

from .common import (SegmentStats, check_file, fps_of, make_segments,
                     make_video, parse_interval, parse_number, read_class_list,
                     video_file)

# Charades videos were recorded on phones at roughly 24-30 fps; 24 is the
# rate most of them have. Pass a video root to read the real rate.
DEFAULT_FPS = 24.0
REQUIRED_COLUMNS = ('id', 'actions', 'length')


def _parse_code(token: str) -> int:
    if not re.fullmatch(r'c\d+', token):
        raise ValueError(token)
    return int(token[1:])


def _parse_actions(actions: str, codes: Dict[str, int],
                   where: str) -> List[Tuple[float, float, int]]:
    """Parse the ``actions`` field into ``(start, end, class)`` triples."""
    intervals = []
    for item in filter(None, (a.strip() for a in actions.split(';'))):
        parts = item.split()
        if len(parts) != 3:
            raise ValueError(f'{where}: action {item!r} is not '
                             '"<code> <start> <end>"')
        if parts[0] not in codes:
            raise ValueError(f'{where}: action code {parts[0]!r} is not in '
                             'the class list')
        start, end = parse_interval(parts[1], parts[2], where)
        intervals.append((start, end, codes[parts[0]]))
    return intervals


def _read_split(csv_file: str, subset: str, codes: Dict[str, int], fps: float,
                video_root: Optional[str], file_template: str,
                stats: SegmentStats, videos: Dict[str, Dict]) -> None:
    with open(
            check_file(csv_file, 'Charades CSV'), encoding='utf-8',
            newline='') as f:
        reader = csv.DictReader(f)
        missing = set(REQUIRED_COLUMNS) - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f'{csv_file}: the header lacks the columns '
                             f'{sorted(missing)}')
        for row in reader:
            vid = (row['id'] or '').strip()
            where = f'{csv_file}, line {reader.line_num}, video {vid!r}'
            if not vid:
                raise ValueError(f'{where}: empty video id')
            if vid in videos:
                raise ValueError(f'{where}: video {vid} appears twice')
            duration = parse_number((row['length'] or '').strip(), where,
                                    'length')
            if duration <= 0:
                raise ValueError(f'{where}: length must be positive, got '
                                 f'{duration}')
            intervals = _parse_actions(row['actions'] or '', codes, where)
            file = video_file(file_template, vid)
            videos[vid] = make_video(subset, file, duration,
                                     fps_of(file, fps, video_root),
                                     make_segments(intervals, duration, stats))


def convert_charades(train_csv: str,
                     test_csv: str,
                     classes_file: str,
                     fps: float = DEFAULT_FPS,
                     video_root: Optional[str] = None,
                     file_template: str = '{video}.mp4',
                     stats: Optional[SegmentStats] = None) -> Dict:
    """Convert the official Charades annotations to the unified format.

    Segments ending after ``length`` are clipped to it; segments starting at
    or after it are dropped. Both are counted in ``stats``.

    Args:
        train_csv (str): ``Charades_v1_train.csv`` (subset ``train``).
        test_csv (str): ``Charades_v1_test.csv`` (subset ``test``).
        classes_file (str): ``Charades_v1_classes.txt``.
        fps (float): Frame rate written for every video when no video root
            is given. Defaults to 24.0.
        video_root (str, optional): If given, the fps of each video is
            probed from its file. Defaults to None.
        file_template (str): Video file relative to the root; ``{video}``
            is the video id. Defaults to ``'{video}.mp4'``.
        stats (SegmentStats, optional): Receives the clipped and dropped
            counts. Defaults to None.

    Returns:
        dict: The annotation in the unified format.
    """
    stats = SegmentStats() if stats is None else stats
    for path in (train_csv, test_csv):
        check_file(path, 'Charades CSV')
    classes, codes = read_class_list(classes_file, _parse_code)
    videos: Dict[str, Dict] = {}
    for csv_file, subset in ((train_csv, 'train'), (test_csv, 'test')):
        _read_split(csv_file, subset, codes, fps, video_root, file_template,
                    stats, videos)
    stats.warn_if_changed('Charades')
    return dict(classes=classes, videos=dict(sorted(videos.items())))
