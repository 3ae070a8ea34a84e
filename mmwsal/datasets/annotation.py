"""The unified long-video annotation format and its validator.

Every converter writes this format and every dataset class reads it::

    {"classes": ["name0", "name1", ...],
     "videos": {"<video_id>": {
         "subset": "train", "file": "relative/path.mp4",
         "duration": 30.2, "fps": 24.0,
         "labels": [3, 17],
         "segments": [{"start": 11.9, "end": 21.2, "label": 3}],
         "background_clicks": [2.4, 40.0],
         "ambiguous": [{"start": 40.5, "end": 42.0}]}}}

``labels`` is the only supervision a weakly supervised training run reads.
``segments`` are for evaluation, the oracle "Full (Clean)" baseline and
diagnostics. ``segments``, ``background_clicks`` and ``ambiguous`` (stretches
the dataset marks as neither action nor background, e.g. THUMOS14's
``Ambiguous`` class) are optional.
"""
import json
import numbers
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np

from mmwsal.utils import dump_json_atomic

REQUIRED_VIDEO_FIELDS = ('subset', 'file', 'duration', 'fps', 'labels')
OPTIONAL_VIDEO_FIELDS = ('segments', 'background_clicks', 'ambiguous')
# Times are compared with this slack so that a segment written as the
# rounded duration of its video is not rejected.
TIME_EPS = 1e-6
# Stop collecting after this many problems: one bad converter can produce
# thousands of identical errors.
MAX_REPORTED_ERRORS = 20


class AnnotationError(ValueError):
    """An annotation file breaks the unified format.

    The message names the file, the video and the field of every problem
    found (up to ``MAX_REPORTED_ERRORS``).
    """


def _is_number(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _is_int(x) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def _interval_problem(start, end, duration: Optional[float]):
    """Why ``[start, end]`` is not an interval of the video, or None."""
    if not _is_number(start) or not _is_number(end):
        return f'start and end must be numbers, got {start!r}, {end!r}'
    if start > end:
        return f'start {start} is after end {end}'
    if duration is not None and (start < -TIME_EPS
                                 or end > duration + TIME_EPS):
        return f'[{start}, {end}] is outside the video [0, {duration}]'
    return None


def _check_video(vid: str, info, num_classes: int,
                 video_root: Optional[str]) -> List[str]:
    """Return the problems of one video entry, each naming its field."""
    errors = []

    def err(field, problem):
        errors.append(f"video '{vid}': field '{field}': {problem}")

    if not isinstance(info, dict):
        err('<entry>', f'must be an object, got {type(info).__name__}')
        return errors
    for field in REQUIRED_VIDEO_FIELDS:
        if field not in info:
            err(field, 'is missing')
    unknown = set(info) - set(REQUIRED_VIDEO_FIELDS) - set(
        OPTIONAL_VIDEO_FIELDS)
    for field in sorted(unknown):
        err(field, 'is not a field of the unified format')
    if errors:
        return errors

    if not isinstance(info['subset'], str) or not info['subset']:
        err('subset', f'must be a non-empty string, got {info["subset"]!r}')
    if not isinstance(info['file'], str) or not info['file']:
        err('file', f'must be a non-empty string, got {info["file"]!r}')
    elif video_root is not None:
        path = osp.join(video_root, info['file'])
        if not osp.isfile(path):
            err('file', f'video file {path} does not exist')
    for field in ('duration', 'fps'):
        value = info[field]
        if not _is_number(value) or not value > 0:
            err(field, f'must be a positive number, got {value!r}')
    duration = info['duration'] if _is_number(info['duration']) else None

    labels = info['labels']
    if not isinstance(labels, list):
        err('labels', f'must be a list of class indices, got {labels!r}')
        labels = []
    for i, label in enumerate(labels):
        if not _is_int(label) or not 0 <= label < num_classes:
            err(f'labels[{i}]',
                f'{label!r} is not a class index in [0, {num_classes}): '
                'the label has no class in "classes"')
    if len(set(map(repr, labels))) != len(labels):
        err('labels', f'has repeated classes: {labels}')

    segments = info.get('segments', [])
    if not isinstance(segments, list):
        err('segments', f'must be a list, got {type(segments).__name__}')
        segments = []
    for i, seg in enumerate(segments):
        name = f'segments[{i}]'
        if not isinstance(seg, dict) or set(seg) != {'start', 'end', 'label'}:
            err(name, f'must be {{"start", "end", "label"}}, got {seg!r}')
            continue
        problem = _interval_problem(seg['start'], seg['end'], duration)
        if problem:
            err(name, problem)
        label = seg['label']
        if not _is_int(label) or not 0 <= label < num_classes:
            err(f'{name}.label',
                f'{label!r} is not a class index in [0, {num_classes})')
        elif label not in labels:
            err(f'{name}.label',
                f'class {label} is not among the video labels {labels}')

    ambiguous = info.get('ambiguous', [])
    if not isinstance(ambiguous, list):
        err('ambiguous', f'must be a list, got {type(ambiguous).__name__}')
        ambiguous = []
    for i, seg in enumerate(ambiguous):
        name = f'ambiguous[{i}]'
        if not isinstance(seg, dict) or set(seg) != {'start', 'end'}:
            err(name, f'must be {{"start": s, "end": e}}, got {seg!r}')
            continue
        problem = _interval_problem(seg['start'], seg['end'], duration)
        if problem:
            err(name, problem)

    clicks = info.get('background_clicks', [])
    if not isinstance(clicks, list):
        err('background_clicks', 'must be a list of times in seconds')
        clicks = []
    for i, t in enumerate(clicks):
        if not _is_number(t) or (duration is not None and
                                 not -TIME_EPS <= t <= duration + TIME_EPS):
            err(f'background_clicks[{i}]',
                f'{t!r} is not a time inside the video [0, {duration}]')
    return errors


def validate_annotation(ann: Dict,
                        source: str = '<annotation>',
                        video_root: Optional[str] = None) -> None:
    """Check that ``ann`` follows the unified format.

    Args:
        ann (dict): The loaded annotation.
        source (str): Where it came from, used in error messages.
            Defaults to ``'<annotation>'``.
        video_root (str, optional): If given, every video file must exist
            under it. Defaults to None.

    Raises:
        AnnotationError: Naming the source, video and field of each problem.
    """
    errors = []
    if not isinstance(ann, dict):
        raise AnnotationError(
            f'{source}: must be a JSON object with "classes" and "videos"')
    for key in ('classes', 'videos'):
        if key not in ann:
            errors.append(f"field '{key}' is missing")
    if not errors:
        classes, videos = ann['classes'], ann['videos']
        if not isinstance(classes, list) or not all(
                isinstance(c, str) and c for c in classes):
            errors.append("field 'classes': must be a list of non-empty "
                          'class names')
        elif len(set(classes)) != len(classes):
            dup = sorted({c for c in classes if classes.count(c) > 1})
            errors.append(f"field 'classes': repeated names {dup}")
        if not isinstance(videos, dict):
            errors.append("field 'videos': must be an object keyed by "
                          'video id')
        if not errors:
            for vid, info in videos.items():
                errors.extend(
                    _check_video(vid, info, len(classes), video_root))
                if len(errors) > MAX_REPORTED_ERRORS:
                    break
    if errors:
        shown = errors[:MAX_REPORTED_ERRORS]
        more = ('' if len(errors) <= MAX_REPORTED_ERRORS else
                f'\n  ... and more (stopped after {MAX_REPORTED_ERRORS})')
        raise AnnotationError(f'{source}: invalid annotation:\n  ' +
                              '\n  '.join(shown) + more)


def load_annotation(ann_file: str,
                    video_root: Optional[str] = None) -> Dict:
    """Load and validate a unified annotation file.

    Args:
        ann_file (str): Path of the JSON file.
        video_root (str, optional): If given, check that every video file
            exists under it. Defaults to None.

    Returns:
        dict: The annotation.
    """
    if not osp.isfile(ann_file):
        raise FileNotFoundError(f'annotation file {ann_file} does not exist')
    with open(ann_file, encoding='utf-8') as f:
        try:
            ann = json.load(f)
        except json.JSONDecodeError as e:
            raise AnnotationError(f'{ann_file}: not valid JSON: {e}') from e
    validate_annotation(ann, source=ann_file, video_root=video_root)
    return ann


def dump_annotation(ann: Dict, path: str) -> None:
    """Validate ``ann`` and write it atomically to ``path``."""
    validate_annotation(ann, source=path)
    dump_json_atomic(ann, path)


def subset_video_infos(ann: Dict,
                       subset: Optional[Sequence[str]] = None,
                       source: str = '<annotation>') -> List[Dict]:
    """Per-video data infos of the selected subsets, in sorted id order.

    Each info holds ``video_id``, ``video_index`` (position among the sorted
    ids of the selection; the datasets number again the videos they keep
    after their held-out part and missing files, see
    :mod:`mmwsal.datasets.video_selection`), ``subset``,
    ``label`` (multi-hot float32), ``labels``, ``duration``, ``fps``,
    ``segments`` as ``(start, end, label)`` tuples, ``background_clicks``
    and ``ann_info`` (the video's raw annotation entry).

    Args:
        ann (dict): A validated unified annotation.
        subset (Sequence[str], optional): Subsets to keep; None keeps all.
            Defaults to None.
        source (str): Name of the annotation in error messages.

    Returns:
        list[dict]: One info per video.
    """
    videos = ann['videos']
    ids = sorted(vid for vid, info in videos.items()
                 if subset is None or info['subset'] in subset)
    if not ids:
        present = sorted({v['subset'] for v in videos.values()})
        raise ValueError(f'{source}: no video of subset {subset}; subsets '
                         f'present: {present}')
    infos = []
    for index, vid in enumerate(ids):
        info = videos[vid]
        label = np.zeros(len(ann['classes']), dtype=np.float32)
        label[info['labels']] = 1.
        infos.append(
            dict(
                video_id=vid,
                video_index=index,
                subset=info['subset'],
                label=label,
                labels=list(info['labels']),
                duration=float(info['duration']),
                fps=float(info['fps']),
                segments=[(s['start'], s['end'], s['label'])
                          for s in info.get('segments', [])],
                background_clicks=list(info.get('background_clicks', [])),
                ann_info=info))
    return infos


def labels_from_segments(segments: List[Dict]) -> List[int]:
    """The sorted set of classes that occur in ``segments``."""
    return sorted({int(s['label']) for s in segments})
