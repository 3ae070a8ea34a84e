"""Helpers shared by the converters of official annotation files.

Each converter parses its dataset's own files and hands segments, durations
and frame rates to these helpers, which do everything that is the same for
every dataset: reading checked numbers and class lists, clipping segments to
their video and counting what was clipped or dropped, applying the policies
for intervals that end before they start (``reversed_intervals``) and for
videos missing under the video root (``missing_videos``), finding durations
and frame rates in metadata files or by probing the videos, and building the
video entries of the unified format.
"""
import csv
import logging
import math
import os.path as osp
from collections import Counter
from typing import (Callable, Dict, Iterator, List, Optional, Sequence, Tuple,
                    Union)

from mmengine.logging import print_log

from mmwsal.utils import name_some

from ..annotation import dump_annotation, labels_from_segments
from ..video_reader import OpenCVClipReader, VideoReadError

Timing = Tuple[float, float]  # (duration in seconds, fps)
MetaReader = Callable[[str], Dict[str, Timing]]

# What to do with an interval whose end is before its start: swap its ends,
# drop it, or stop the conversion.
REVERSED_POLICIES = ('swap', 'drop', 'error')
# What to do with a video whose file is not under the video root: keep it
# with the default fps, leave it out, or stop the conversion.
MISSING_VIDEO_POLICIES = ('keep', 'drop', 'error')
# How many ids of missing videos a report names.
NUM_MISSING_SHOWN = 5


def check_choice(name: str, value: str, choices: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise naming it."""
    if value not in choices:
        raise ValueError(f'{name} must be one of {tuple(choices)}, got '
                         f'{value!r}')
    return value


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


def parse_interval(
        start: str,
        end: str,
        where: str,
        reversed_intervals: str = 'error',
        stats: Optional['SegmentStats'] = None
) -> Optional[Tuple[float, float]]:
    """Parse a ``start end`` pair in seconds.

    Args:
        start (str): The start token.
        end (str): The end token.
        where (str): File, line (and video) for the messages.
        reversed_intervals (str): What to do when ``end < start``, see
            :meth:`SegmentStats.reverse`. Defaults to ``'error'``.
        stats (SegmentStats, optional): Records a swapped or dropped
            interval; without it ``end < start`` is an error whatever the
            policy. Defaults to None.

    Returns:
        tuple[float, float] | None: ``(start, end)``, or None when a
        reversed interval is dropped.
    """
    start_s, end_s = parse_number(start, where,
                                  'start'), parse_number(end, where, 'end')
    if end_s >= start_s:
        return start_s, end_s
    if stats is None:
        raise ValueError(f'{where}: end {end_s} is before start {start_s}')
    return stats.reverse(start_s, end_s, where, reversed_intervals)


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
    """What a conversion changed in the official annotations, and why.

    Counts segments clipped to or dropped outside their video and intervals
    whose ends were swapped; lists, one line each, the intervals that ended
    before they started (file, line, video, interval), and the videos
    missing under the video root. One instance can be passed to a converter
    to learn, after the call, what was changed.
    """

    def __init__(self) -> None:
        self.clipped: Counter = Counter()
        self.dropped: Counter = Counter()
        self.swapped: Counter = Counter()
        self.reports: List[str] = []
        self.missing_videos: List[str] = []
        self.missing_policy: Optional[str] = None

    def reverse(self, start: float, end: float, where: str,
                policy: str) -> Optional[Tuple[float, float]]:
        """Apply a ``reversed_intervals`` policy to an interval with
        ``end < start`` and report it.

        Args:
            start (float): Start in seconds.
            end (float): End in seconds, before ``start``.
            where (str): File, line (and video) of the interval.
            policy (str): ``'swap'`` (the ends were likely written in the
                wrong order), ``'drop'`` or ``'error'``.

        Returns:
            tuple[float, float] | None: ``(end, start)`` for ``'swap'``,
            None for ``'drop'``.

        Raises:
            ValueError: For ``'error'``, naming ``where``.
        """
        check_choice('reversed_intervals', policy, REVERSED_POLICIES)
        problem = f'{where}: end {end} is before start {start}'
        if policy == 'error':
            raise ValueError(problem)
        why = 'segment ends before it starts'
        if policy == 'swap':
            self.swapped[why] += 1
            self.reports.append(f'{problem}: ends swapped')
            return end, start
        self.dropped[why] += 1
        self.reports.append(f'{problem}: dropped')
        return None

    def missing_video(self, video_id: str, policy: str) -> None:
        """Record a video whose file is not under the video root."""
        self.missing_videos.append(video_id)
        self.missing_policy = policy

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

    def _describe_missing(self) -> str:
        handled = ('kept with the default fps'
                   if self.missing_policy == 'keep' else 'left out')
        return (f'videos missing under the video root: '
                f'{len(self.missing_videos)}, {handled} '
                f'({name_some(self.missing_videos, NUM_MISSING_SHOWN)})')

    @property
    def changed(self) -> bool:
        """Whether the conversion changed or left out anything."""
        return bool(self.clipped or self.dropped or self.swapped
                    or self.missing_videos)

    def __str__(self) -> str:
        parts = [
            self._describe('clipped', self.clipped),
            self._describe('dropped', self.dropped)
        ]
        if self.swapped:
            parts.append(self._describe('swapped', self.swapped))
        if self.missing_videos:
            parts.append(self._describe_missing())
        return ', '.join(parts)

    def warn_if_changed(self, source: str) -> None:
        """Log a warning, with one line per report, when anything changed."""
        if self.changed:
            print_log(
                '\n'.join([f'{source}: changed annotations: {self}'] +
                          [f'  {report}' for report in self.reports]),
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


def videos_from_instances(
        instances: Dict[str, List[Tuple[float, float, int]]],
        subsets: Dict[str, str],
        file_template: str,
        meta_file: Union[str, Sequence[str], None],
        video_root: Optional[str],
        stats: SegmentStats,
        read_meta: Optional[MetaReader] = None) -> Dict[str, Dict]:
    """Video entries for datasets whose files hold no durations.

    Args:
        instances (dict): Video id -> ``(start, end, class)`` triples.
        subsets (dict[str, str]): Video id -> subset.
        file_template (str): See :func:`video_file`.
        meta_file (str | Sequence[str], optional): See
            :func:`resolve_timing`.
        video_root (str, optional): See :func:`resolve_timing`.
        stats (SegmentStats): Receives the clipped and dropped counts.
        read_meta (Callable[[str], dict], optional): Reads one metadata
            file. Defaults to None: :func:`read_video_meta`.

    Returns:
        dict[str, dict]: Video entries sorted by video id.
    """
    files = {vid: video_file(file_template, vid) for vid in sorted(subsets)}
    timing = resolve_timing(files, meta_file, video_root, read_meta
                            or read_video_meta)
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


def read_meta_files(
        paths: Sequence[str],
        read_meta: MetaReader = read_video_meta) -> Dict[str, Timing]:
    """Merge the ``(duration, fps)`` of several metadata files.

    Args:
        paths (Sequence[str]): The metadata files.
        read_meta (Callable[[str], dict]): Reads one file. Defaults to
            :func:`read_video_meta` (CSV ``video_id,duration,fps``).

    Raises:
        ValueError: If two files give a video different durations or fps.
    """
    meta: Dict[str, Timing] = {}
    source: Dict[str, str] = {}
    for path in paths:
        for vid, timing in read_meta(path).items():
            if vid in meta and meta[vid] != timing:
                raise ValueError(f'{path}: video {vid} has (duration, fps) '
                                 f'{timing}, but {source[vid]} gives '
                                 f'{meta[vid]}')
            meta.setdefault(vid, timing)
            source.setdefault(vid, path)
    return meta


def resolve_timing(
        video_files: Dict[str, str],
        meta_file: Union[str, Sequence[str], None] = None,
        video_root: Optional[str] = None,
        read_meta: MetaReader = read_video_meta) -> Dict[str, Timing]:
    """Find ``(duration, fps)`` of each video, from metadata or the videos.

    The metadata files are used first; a video missing from them is probed
    under ``video_root`` when one is given.

    Args:
        video_files (dict[str, str]): Video id -> file relative to the root.
        meta_file (str | Sequence[str], optional): One or more metadata
            files, each read with ``read_meta``. Defaults to None.
        video_root (str, optional): Directory of the videos. Defaults to None.
        read_meta (Callable[[str], dict]): Reads one metadata file.
            Defaults to :func:`read_video_meta` (CSV
            ``video_id,duration,fps``).

    Raises:
        ValueError: If neither source is given, or a video has no duration.
    """
    meta_files = ([meta_file]
                  if isinstance(meta_file, str) else list(meta_file or []))
    if not meta_files and video_root is None:
        raise ValueError('durations and fps are not in the annotation files: '
                         'give metadata files (--meta) or a video root to '
                         'probe')
    meta = read_meta_files(meta_files, read_meta)
    timing = {}
    for vid, file in video_files.items():
        if vid in meta:
            timing[vid] = meta[vid]
        elif video_root is not None:
            timing[vid] = probe_video(osp.join(video_root, file))
        else:
            raise ValueError(f'video {vid} has no duration: it is not in the '
                             f'metadata files {meta_files} and no video root '
                             'was given to probe it')
    return timing


def fps_of_videos(video_files: Dict[str, str], default_fps: float,
                  video_root: Optional[str], missing_videos: str,
                  stats: 'SegmentStats') -> Dict[str, float]:
    """The fps of each video: probed under ``video_root``, else the default.

    Args:
        video_files (dict[str, str]): Video id -> file relative to the root.
        default_fps (float): The fps without a video root, and of the
            missing videos that are kept.
        video_root (str, optional): Directory of the videos to probe.
        missing_videos (str): What to do with a video whose file is not
            under the root: ``'keep'`` it with ``default_fps``, ``'drop'``
            it (it is not in the result), or ``'error'``. Each is recorded
            in ``stats``.
        stats (SegmentStats): Receives the missing videos.

    Returns:
        dict[str, float]: The fps per video id that is kept.

    Raises:
        FileNotFoundError: For ``'error'`` and a missing video, or when no
            video at all is under the root (a wrong root or file template
            is far likelier than a dataset of which nothing was
            downloaded).
    """
    check_choice('missing_videos', missing_videos, MISSING_VIDEO_POLICIES)
    if video_root is None:
        return {vid: float(default_fps) for vid in video_files}
    paths = {vid: osp.join(video_root, f) for vid, f in video_files.items()}
    missing = [vid for vid, path in paths.items() if not osp.isfile(path)]
    if missing and len(missing) == len(paths):
        raise FileNotFoundError(
            f'none of the {len(paths)} videos is under the video root '
            f'{video_root} (the first would be {paths[missing[0]]}): check '
            'the video root and the file template')
    if missing and missing_videos == 'error':
        named = name_some([paths[vid] for vid in missing], NUM_MISSING_SHOWN)
        raise FileNotFoundError(f'videos missing under the video root '
                                f'{video_root}: {len(missing)} ({named})')
    absent = set(missing)
    fps = {}
    for vid, path in paths.items():
        if vid not in absent:
            fps[vid] = probe_video(path)[1]
            continue
        stats.missing_video(vid, missing_videos)
        if missing_videos == 'keep':
            fps[vid] = float(default_fps)
    return fps


def save_converted(ann: Dict, out: str, name: str, stats: SegmentStats) -> str:
    """Validate and write a converted annotation; return its summary line
    (what the CLI tools print)."""
    dump_annotation(ann, out)
    return summary(f'{name} -> {out}', ann, stats)


def summary(name: str, ann: Dict, stats: SegmentStats) -> str:
    """A line describing a converted annotation, for the CLI tools, then one
    indented line per report of ``stats`` (e.g. each swapped interval)."""
    subsets = Counter(v['subset'] for v in ann['videos'].values())
    per_subset = ' '.join(f'{s}={n}' for s, n in sorted(subsets.items()))
    num_segments = sum(
        len(v.get('segments', [])) for v in ann['videos'].values())
    line = (f'{name}: {len(ann["videos"])} videos ({per_subset}), '
            f'{len(ann["classes"])} classes, {num_segments} segments; '
            f'{stats}')
    return '\n'.join([line] + [f'  {report}' for report in stats.reports])
