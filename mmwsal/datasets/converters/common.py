"""Helpers shared by the converters of official annotation files.

Each converter parses its dataset's own files and hands segments, durations
and frame rates to these helpers, which do everything that is the same for
every dataset: reading checked numbers and class lists, clipping segments to
their video and counting what was clipped or dropped, finding durations and
frame rates in a metadata CSV or by probing the videos, and building the video
entries of the unified format.
"""
import csv
import logging
import math
import os.path as osp
from collections import Counter
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

from mmengine.logging import print_log

from ..annotation import dump_annotation, labels_from_segments
from ..video_reader import OpenCVClipReader, VideoReadError

Timing = Tuple[float, float]  # (duration in seconds, fps)


def check_file(path: str, what: str = 'input file') -> str:
    """Return ``path`` if it is a file, else raise naming it."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'{what} {path} does not exist')
    return path


def iter_lines(path: str) -> Iterator[Tuple[int, str]]:
    """Yield ``(line_number, stripped_line)`` for the non-blank lines.

    Line numbers start at 1 so that error messages match an editor's.
    """
    with open(check_file(path), encoding='utf-8') as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if line:
                yield lineno, line


def parse_number(token: str, where: str, what: str = 'time') -> float:
    """Parse a finite float or raise a ValueError naming ``where``."""
    try:
        value = float(token)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ValueError(f'{where}: {what} {token!r} is not a number')
    return value


def parse_interval(start: str, end: str, where: str) -> Tuple[float, float]:
    """Parse a ``start end`` pair in seconds; ``end < start`` is an error."""
    start_s, end_s = parse_number(start, where,
                                  'start'), parse_number(end, where, 'end')
    if end_s < start_s:
        raise ValueError(f'{where}: end {end_s} is before start {start_s}')
    return start_s, end_s


def read_class_list(
        path: str,
        parse_index: Callable[[str], int]) -> Tuple[List[str], Dict[str, int]]:
    """Read a list of ``<index token> <class name>`` lines.

    Args:
        path (str): The class list file.
        parse_index (Callable[[str], int]): Maps the first token of a line
            (``c092``, ``1``, ...) to a 0-based class index; raises
            ValueError for a malformed token.

    Returns:
        tuple[list[str], dict[str, int]]: The class names ordered by index
        and the map from each line's first token to its index.
    """
    by_index, codes = {}, {}
    for lineno, line in iter_lines(path):
        where = f'{path}, line {lineno}'
        parts = line.split(maxsplit=1)
        if len(parts) != 2:
            raise ValueError(f'{where}: expected "<index> <class name>", '
                             f'got {line!r}')
        try:
            index = parse_index(parts[0])
        except ValueError:
            raise ValueError(f'{where}: {parts[0]!r} is not a class index '
                             f'of this list') from None
        if index in by_index:
            raise ValueError(f'{where}: class index {index} appears twice')
        by_index[index], codes[parts[0]] = parts[1].strip(), index
    if not by_index:
        raise ValueError(f'{path}: the class list is empty')
    if sorted(by_index) != list(range(len(by_index))):
        missing = sorted(
            set(range(max(by_index, default=-1) + 1)) - set(by_index))
        raise ValueError(f'{path}: class indices must run from 0 without '
                         f'gaps; missing {missing}')
    return [by_index[i] for i in range(len(by_index))], codes


def read_class_names(path: str) -> List[str]:
    """Read a class list with one class name per line (index = position)."""
    classes = []
    for lineno, line in iter_lines(path):
        if line in classes:
            raise ValueError(f'{path}, line {lineno}: class {line!r} '
                             'appears twice')
        classes.append(line)
    if not classes:
        raise ValueError(f'{path}: the class list is empty')
    return classes


def video_file(template: str, video_id: str) -> str:
    """Fill a file template; ``{video}`` and ``{id}`` both stand for the id."""
    return template.format(video=video_id, id=video_id)


class SegmentStats:
    """Counts of segments clipped to or dropped outside their video.

    One instance can be passed to a converter to learn, after the call, what
    was changed and why.
    """

    def __init__(self) -> None:
        self.clipped: Counter = Counter()
        self.dropped: Counter = Counter()

    def clip(self,
             start: float,
             end: float,
             duration: float,
             what: str = 'segment') -> Optional[Tuple[float, float]]:
        """Clip ``[start, end]`` to ``[0, duration]`` and count the change.

        Args:
            start (float): Start in seconds.
            end (float): End in seconds, not before ``start``.
            duration (float): Duration of the video.
            what (str): What the interval is, for the report.
                Defaults to ``'segment'``.

        Returns:
            tuple[float, float] | None: The clipped interval, or None when
            nothing of it lies inside the video.
        """
        if start >= duration:
            self.dropped[f'{what} starts at/after the video end'] += 1
            return None
        if end < 0:
            self.dropped[f'{what} ends before the video start'] += 1
            return None
        if end > duration:
            self.clipped[f'{what} ends past the video end'] += 1
            end = duration
        if start < 0:
            self.clipped[f'{what} starts before 0'] += 1
            start = 0.0
        return start, end

    @staticmethod
    def _describe(verb: str, counts: Counter) -> str:
        total = sum(counts.values())
        if not total:
            return f'{verb} 0'
        reasons = ', '.join(f'{n} {why}' for why, n in sorted(counts.items()))
        return f'{verb} {total} ({reasons})'

    def __str__(self) -> str:
        return (f'{self._describe("clipped", self.clipped)}, '
                f'{self._describe("dropped", self.dropped)}')

    def warn_if_changed(self, source: str) -> None:
        """Log a warning when any segment was clipped or dropped."""
        if self.clipped or self.dropped:
            print_log(
                f'{source}: segments outside their video: {self}',
                logger='current',
                level=logging.WARNING)


def make_segments(intervals: Sequence[Tuple[float, float, int]],
                  duration: float, stats: SegmentStats) -> List[Dict]:
    """Clip ``(start, end, label)`` triples to the video, sorted by time."""
    segments = []
    for start, end, label in intervals:
        clipped = stats.clip(start, end, duration)
        if clipped is not None:
            segments.append(
                dict(start=clipped[0], end=clipped[1], label=int(label)))
    segments.sort(key=lambda s: (s['start'], s['end'], s['label']))
    return segments


def make_video(subset: str, file: str, duration: float, fps: float,
               segments: List[Dict]) -> Dict:
    """One video entry of the unified format; its weak ``labels`` are the
    classes of ``segments``."""
    return dict(
        subset=subset,
        file=file,
        duration=float(duration),
        fps=float(fps),
        labels=labels_from_segments(segments),
        segments=segments)


def read_instances(path: str) -> List[Tuple[str, float, float]]:
    """Read ``<video_id> <start> <end>`` lines (THUMOS14, MultiTHUMOS).

    Returns:
        list[tuple[str, float, float]]: ``(video_id, start, end)`` per line.
    """
    instances = []
    for lineno, line in iter_lines(path):
        where = f'{path}, line {lineno}'
        parts = line.split()
        if len(parts) != 3:
            raise ValueError(f'{where}: expected "<video_id> <start> <end>", '
                             f'got {line!r}')
        instances.append(
            (parts[0], *parse_interval(parts[1], parts[2], where)))
    return instances


def videos_from_instances(instances: Dict[str, List[Tuple[float, float, int]]],
                          subsets: Dict[str, str], file_template: str,
                          meta_file: Optional[str], video_root: Optional[str],
                          stats: SegmentStats) -> Dict[str, Dict]:
    """Video entries for datasets whose files hold no durations.

    Args:
        instances (dict): Video id -> ``(start, end, class)`` triples.
        subsets (dict[str, str]): Video id -> subset.
        file_template (str): See :func:`video_file`.
        meta_file (str, optional): See :func:`resolve_timing`.
        video_root (str, optional): See :func:`resolve_timing`.
        stats (SegmentStats): Receives the clipped and dropped counts.

    Returns:
        dict[str, dict]: Video entries sorted by video id.
    """
    files = {vid: video_file(file_template, vid) for vid in sorted(subsets)}
    timing = resolve_timing(files, meta_file, video_root)
    return {
        vid:
        make_video(
            subsets[vid], file, *timing[vid],
            make_segments(instances.get(vid, []), timing[vid][0], stats))
        for vid, file in files.items()
    }


def probe_video(path: str) -> Timing:
    """Read ``(duration, fps)`` of a video file with OpenCV.

    Raises:
        FileNotFoundError: If the video does not exist.
        ValueError: If OpenCV cannot read its frame rate or frame count.
    """
    check_file(path, 'video')
    try:
        with OpenCVClipReader(path) as reader:
            frames, fps = reader.num_frames, reader.fps
    except VideoReadError as e:
        raise ValueError(f'cannot read fps / frame count of video {path}: '
                         f'{e.reason} (corrupt or unsupported file)') from e
    if not (fps and fps > 0 and math.isfinite(fps)):
        raise ValueError(f'cannot read the fps of video {path} (got {fps}): '
                         'corrupt or unsupported file')
    return frames / fps, fps


def read_video_meta(path: str) -> Dict[str, Timing]:
    """Read a metadata CSV with columns ``video_id,duration,fps``.

    Returns:
        dict[str, tuple[float, float]]: ``(duration, fps)`` per video id.
    """
    meta = {}
    with open(
            check_file(path, 'metadata file'), encoding='utf-8',
            newline='') as f:
        reader = csv.DictReader(f)
        missing = {'video_id', 'duration', 'fps'} - set(reader.fieldnames
                                                        or [])
        if missing:
            raise ValueError(f'{path}: the header lacks the columns '
                             f'{sorted(missing)} (need video_id,duration,fps)')
        for row in reader:
            where = f'{path}, line {reader.line_num}'
            vid = (row['video_id'] or '').strip()
            if not vid:
                raise ValueError(f'{where}: empty video_id')
            if vid in meta:
                raise ValueError(f'{where}: video {vid} appears twice')
            timing = tuple(
                parse_number((row[k] or '').strip(), where, k)
                for k in ('duration', 'fps'))
            if min(timing) <= 0:
                raise ValueError(f'{where}: video {vid}: duration and fps '
                                 f'must be positive, got {timing}')
            meta[vid] = timing
    return meta


def resolve_timing(video_files: Dict[str, str],
                   meta_file: Optional[str] = None,
                   video_root: Optional[str] = None) -> Dict[str, Timing]:
    """Find ``(duration, fps)`` of each video, from a CSV or the videos.

    The metadata CSV is used first; a video missing from it is probed under
    ``video_root`` when one is given.

    Args:
        video_files (dict[str, str]): Video id -> file relative to the root.
        meta_file (str, optional): CSV with ``video_id,duration,fps``.
            Defaults to None.
        video_root (str, optional): Directory of the videos. Defaults to None.

    Raises:
        ValueError: If neither source is given, or a video has no duration.
    """
    if meta_file is None and video_root is None:
        raise ValueError('durations and fps are not in the annotation files: '
                         'give a metadata CSV (video_id,duration,fps) or a '
                         'video root to probe')
    meta = read_video_meta(meta_file) if meta_file is not None else {}
    timing = {}
    for vid, file in video_files.items():
        if vid in meta:
            timing[vid] = meta[vid]
        elif video_root is not None:
            timing[vid] = probe_video(osp.join(video_root, file))
        else:
            raise ValueError(f'video {vid} has no duration: it is not in the '
                             f'metadata file {meta_file} and no video root '
                             'was given to probe it')
    return timing


def fps_of(file: str, default_fps: float, video_root: Optional[str]) -> float:
    """The probed fps of ``file`` under ``video_root``, else the default."""
    if video_root is None:
        return float(default_fps)
    return probe_video(osp.join(video_root, file))[1]


def save_converted(ann: Dict, out: str, name: str,
                   stats: SegmentStats) -> str:
    """Validate and write a converted annotation; return its summary line
    (what the CLI tools print)."""
    dump_annotation(ann, out)
    return summary(f'{name} -> {out}', ann, stats)


def summary(name: str, ann: Dict, stats: SegmentStats) -> str:
    """One line describing a converted annotation, for the CLI tools."""
    subsets = Counter(v['subset'] for v in ann['videos'].values())
    per_subset = ' '.join(f'{s}={n}' for s, n in sorted(subsets.items()))
    num_segments = sum(
        len(v.get('segments', [])) for v in ann['videos'].values())
    return (f'{name}: {len(ann["videos"])} videos ({per_subset}), '
            f'{len(ann["classes"])} classes, {num_segments} segments; '
            f'{stats}')
