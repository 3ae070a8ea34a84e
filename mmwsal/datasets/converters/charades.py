"""Charades: ``Charades_v1_{train,test}.csv`` and ``Charades_v1_classes.txt``.

Each CSV row is one video, under the header
``id,subject,scene,quality,relevance,verified,script,objects,descriptions,
actions,length``. ``script``, ``objects`` (``;``-separated) and
``descriptions`` are double-quoted free text with commas; ``length`` is the
duration in seconds and ``actions`` lists ``<code> <start> <end>`` separated
by ``;`` (e.g. ``c092 11.90 21.20;c147 0.00 12.60``), possibly empty. Class
``cNNN`` (lines ``c000 Holding some clothes``) has index NNN.

Quirks of the official files, each reported in the summary:

- a few actions end before they start (7 of the 66,500 of v1): option
  ``reversed_intervals``, by default their ends are swapped;
- actions end after ``length``: clipped to it, or dropped when they start
  at or after it;
- with a video root, videos that are not there: option ``missing_videos``,
  by default kept with the default fps.
"""
import csv
import re
from typing import Dict, List, Optional, Tuple

from .common import (MISSING_VIDEO_POLICIES, REVERSED_POLICIES, SegmentStats,
                     check_choice, check_file, fps_of_videos, make_segments,
                     make_video, parse_interval, parse_number, read_class_list,
                     video_file)

# Charades videos were recorded on phones at roughly 24-30 fps; 24 is the
# rate most of them have. Pass a video root to read the real rate.
DEFAULT_FPS = 24.0
REQUIRED_COLUMNS = ('id', 'actions', 'length')

# video id -> (subset, duration, (start, end, class) triples)
Rows = Dict[str, Tuple[str, float, List[Tuple[float, float, int]]]]


def _parse_code(token: str) -> int:
    if not re.fullmatch(r'c\d+', token):
        raise ValueError(token)
    return int(token[1:])


def _parse_actions(actions: str, codes: Dict[str, int], where: str,
                   reversed_intervals: str,
                   stats: SegmentStats) -> List[Tuple[float, float, int]]:
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
        interval = parse_interval(parts[1], parts[2],
                                  f'{where}, action {item!r}',
                                  reversed_intervals, stats)
        if interval is not None:
            intervals.append((*interval, codes[parts[0]]))
    return intervals


def _read_split(csv_file: str, subset: str, codes: Dict[str, int],
                reversed_intervals: str, stats: SegmentStats,
                rows: Rows) -> None:
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
            if vid in rows:
                raise ValueError(f'{where}: video {vid} appears twice')
            duration = parse_number((row['length'] or '').strip(), where,
                                    'length')
            if duration <= 0:
                raise ValueError(f'{where}: length must be positive, got '
                                 f'{duration}')
            rows[vid] = (subset, duration,
                         _parse_actions(row['actions'] or '', codes, where,
                                        reversed_intervals, stats))


def convert_charades(train_csv: str,
                     test_csv: str,
                     classes_file: str,
                     fps: float = DEFAULT_FPS,
                     video_root: Optional[str] = None,
                     file_template: str = '{video}.mp4',
                     reversed_intervals: str = 'swap',
                     missing_videos: str = 'keep',
                     stats: Optional[SegmentStats] = None) -> Dict:
    """Convert the official Charades annotations to the unified format.

    Segments ending after ``length`` are clipped to it; segments starting at
    or after it are dropped. Both are counted in ``stats``.

    Args:
        train_csv (str): ``Charades_v1_train.csv`` (subset ``train``).
        test_csv (str): ``Charades_v1_test.csv`` (subset ``test``).
        classes_file (str): ``Charades_v1_classes.txt``.
        fps (float): Frame rate written for every video when no video root
            is given, and for missing videos that are kept.
            Defaults to 24.0.
        video_root (str, optional): If given, the fps of each video is
            probed from its file. Defaults to None.
        file_template (str): Video file relative to the root; ``{video}``
            is the video id. Defaults to ``'{video}.mp4'``.
        reversed_intervals (str): An action whose end is before its start:
            ``'swap'`` its ends (the likely intent), ``'drop'`` it, or
            ``'error'``. Each is reported in ``stats`` with its file, line,
            video and interval. Defaults to ``'swap'``.
        missing_videos (str): A video that is not under ``video_root``:
            ``'keep'`` it with ``fps``, ``'drop'`` it from the annotation,
            or ``'error'``. Missing videos are listed in ``stats``.
            Defaults to ``'keep'``.
        stats (SegmentStats, optional): Receives the clipped, dropped and
            swapped counts, the reports and the missing videos.
            Defaults to None.

    Returns:
        dict: The annotation in the unified format.

    Raises:
        FileNotFoundError: If an input file is missing, no video is under
            ``video_root``, or one is missing with ``missing_videos='error'``.
        ValueError: On a malformed row, naming its file, line and video.
    """
    check_choice('reversed_intervals', reversed_intervals, REVERSED_POLICIES)
    check_choice('missing_videos', missing_videos, MISSING_VIDEO_POLICIES)
    stats = SegmentStats() if stats is None else stats
    for path in (train_csv, test_csv):
        check_file(path, 'Charades CSV')
    classes, codes = read_class_list(classes_file, _parse_code)
    rows: Rows = {}
    for csv_file, subset in ((train_csv, 'train'), (test_csv, 'test')):
        _read_split(csv_file, subset, codes, reversed_intervals, stats, rows)
    files = {vid: video_file(file_template, vid) for vid in sorted(rows)}
    video_fps = fps_of_videos(files, fps, video_root, missing_videos, stats)
    videos = {}
    for vid, file in files.items():
        if vid in video_fps:
            subset, duration, intervals = rows[vid]
            videos[vid] = make_video(subset, file, duration, video_fps[vid],
                                     make_segments(intervals, duration, stats))
    stats.warn_if_changed('Charades')
    return dict(classes=classes, videos=videos)
