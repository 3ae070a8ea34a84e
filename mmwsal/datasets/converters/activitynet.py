"""ActivityNet 1.2 / 1.3: the official ``activity_net.v1-{2,3}.min.json``.

The file is ``{"version": "VERSION 1.3", "taxonomy": [...], "database":
{...}}``; ``database`` maps each video id (without the ``v_`` of the
downloaded file names) to its ``subset`` (``training``, ``validation``,
``testing``), ``duration`` in seconds, ``resolution``, ``url`` and
``annotations`` (``{"segment": [s, e], "label": name}``; empty for
``testing``).

Many of the listed YouTube videos are no longer online, so most copies of
the videos are a subset. With a video root (to probe the fps), a video that
is not there is reported (count and the first ids) and handled by the
option ``missing_videos``: by default it is kept with the default fps.
"""
import json
import math
import numbers
from typing import Dict, List, Optional

from .common import (MISSING_VIDEO_POLICIES, SegmentStats, check_choice,
                     check_file, fps_of_videos, make_segments, make_video,
                     read_class_names, video_file)

# Most ActivityNet videos are YouTube uploads at 29.97-30 fps. Pass a video
# root to read the real rate.
DEFAULT_FPS = 30.0


def _is_number(x) -> bool:
    return (isinstance(x, numbers.Real) and not isinstance(x, bool)
            and math.isfinite(x))


def _load_database(json_file: str) -> Dict:
    with open(
            check_file(json_file, 'ActivityNet JSON'), encoding='utf-8') as f:
        try:
            data = json.load(f)
        except json.JSONDecodeError as e:
            raise ValueError(f'{json_file}: not valid JSON: {e}') from e
    if not isinstance(data, dict) or not isinstance(
            data.get('database'), dict):
        raise ValueError(f'{json_file}: has no "database" object mapping '
                         'video ids to their annotations')
    return data['database']


def _check_entry(info, where: str) -> List[Dict]:
    """Check one ``database`` entry and return its annotations."""
    if not isinstance(info, dict):
        raise ValueError(f'{where}: must be an object')
    if not isinstance(info.get('subset'), str) or not info['subset']:
        raise ValueError(f'{where}: "subset" is missing or not a string')
    duration = info.get('duration')
    if not _is_number(duration) or not duration > 0:
        raise ValueError(f'{where}: "duration" must be a positive number, '
                         f'got {duration!r}')
    annotations = info.get('annotations', [])
    if not isinstance(annotations, list):
        raise ValueError(f'{where}: "annotations" must be a list')
    for i, item in enumerate(annotations):
        seg = item.get('segment') if isinstance(item, dict) else None
        if (not isinstance(seg, list) or len(seg) != 2
                or not all(map(_is_number, seg))
                or not isinstance(item.get('label'), str)):
            raise ValueError(f'{where}: annotations[{i}] must be '
                             f'{{"segment": [start, end], "label": name}}, '
                             f'got {item!r}')
        if seg[1] < seg[0]:
            raise ValueError(f'{where}: annotations[{i}]: end {seg[1]} is '
                             f'before start {seg[0]}')
    return annotations


def convert_activitynet(json_file: str,
                        classes_file: Optional[str] = None,
                        fps: float = DEFAULT_FPS,
                        video_root: Optional[str] = None,
                        file_template: str = 'v_{id}.mp4',
                        missing_videos: str = 'keep',
                        stats: Optional[SegmentStats] = None) -> Dict:
    """Convert the official ActivityNet 1.2 / 1.3 JSON.

    Subsets are kept as given. Segments are clipped to ``[0, duration]``,
    and dropped when nothing of them is inside; both are counted in
    ``stats``.

    Args:
        json_file (str): The official ``database`` JSON.
        classes_file (str, optional): One class name per line, in index
            order. Defaults to None: the sorted set of the labels that occur
            in the annotations (100 for v1.2, 200 for v1.3).
        fps (float): Frame rate written for every video when no video root
            is given, and for missing videos that are kept.
            Defaults to 30.0.
        video_root (str, optional): If given, the fps of each video is
            probed from its file. Defaults to None.
        file_template (str): Video file relative to the root; ``{id}`` (or
            ``{video}``) is the video id. Defaults to ``'v_{id}.mp4'``.
        missing_videos (str): A video that is not under ``video_root``:
            ``'keep'`` it with ``fps`` (training then finds its file
            missing), ``'drop'`` it from the annotation, or ``'error'``.
            Missing videos are listed in ``stats``. Defaults to ``'keep'``.
        stats (SegmentStats, optional): Receives the clipped and dropped
            counts and the missing videos. Defaults to None.

    Returns:
        dict: The annotation in the unified format.

    Raises:
        FileNotFoundError: If no video is under ``video_root``, or one is
            missing with ``missing_videos='error'``.
        ValueError: On a malformed entry, or a label that is not in
            ``classes_file``.
    """
    check_choice('missing_videos', missing_videos, MISSING_VIDEO_POLICIES)
    stats = SegmentStats() if stats is None else stats
    database = _load_database(json_file)
    entries = {
        vid: _check_entry(info, f'{json_file}, video {vid}')
        for vid, info in sorted(database.items())
    }
    if classes_file is not None:
        classes = read_class_names(classes_file)
    else:
        classes = sorted(
            {a['label']
             for anns in entries.values()
             for a in anns})
    index = {name: i for i, name in enumerate(classes)}

    for vid, annotations in entries.items():
        for a in annotations:
            if a['label'] not in index:
                raise ValueError(f'{json_file}, video {vid}: label '
                                 f'{a["label"]!r} is not in the class list '
                                 f'{classes_file}')
    files = {vid: video_file(file_template, vid) for vid in entries}
    video_fps = fps_of_videos(files, fps, video_root, missing_videos, stats)
    videos = {}
    for vid, annotations in entries.items():
        if vid not in video_fps:
            continue
        duration = float(database[vid]['duration'])
        intervals = [(float(a['segment'][0]), float(a['segment'][1]),
                      index[a['label']]) for a in annotations]
        videos[vid] = make_video(database[vid]['subset'], files[vid], duration,
                                 video_fps[vid],
                                 make_segments(intervals, duration, stats))
    stats.warn_if_changed('ActivityNet')
    return dict(classes=classes, videos=videos)
