"""Deterministic synthetic long videos with known action segments.

Each class is a motion pattern (``MOTION_CLASSES``) of an object whose shape,
size and striped colouring are drawn independently of the class, over a
drifting smooth-noise background. Actions cover 20-40% of a video; the rest
holds distractor objects that stay still, wobble slowly, flicker or shimmer,
so that clips outside the segments look busy without showing any class.
With ``class_colours=True`` each class also wears colours of its own (and
half of the distractors wear some class's colours): a cue that a network
trained from scratch on a CPU learns in minutes, unlike motion alone.
All randomness comes from ``numpy.random.default_rng`` seeded by
``(seed, video index)``: the same parameters give the same JSON and frames.
"""
import colorsys
import contextlib
import json
import logging
import math
import os
import os.path as osp
from fractions import Fraction
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.logging import print_log

from mmwsal.utils import dump_json_atomic
from .annotation import (dump_annotation, labels_from_segments,
                         validate_annotation)
from .synthetic_render import (ObjectSpec, VideoSpec, render_frames,
                               render_video)

try:
    import av
except ImportError:  # pragma: no cover - depends on the environment
    av = None

# Bump when rendering or layout changes, so that old datasets are redone.
GENERATOR_VERSION = 2
MOTION_CLASSES = ('move_right', 'move_left', 'rotate', 'oscillate_vertical',
                  'pulse', 'orbit', 'move_up', 'move_down')
DISTRACTOR_MOTIONS = ('static', 'wobble', 'flicker', 'shimmer')
SHAPES = ('ellipse', 'rectangle', 'diamond', 'triangle', 'cross')
# ((amplitude range, unit), frequency range in Hz) of periodic motions; the
# unit of a pixel amplitude is the frame height ('h') or shorter side ('s').
# Classes run at 0.45-0.65 Hz: about one cycle in a 1.6 s clip (8 frames at
# stride 2, 10 fps) and 4-5 samples per cycle at stride 4 (2.5 Hz), so they
# neither look like a translation nor alias. Distractors stay unlike them.
PERIODIC = dict(
    oscillate_vertical=((0.15, 0.2, 'h'), (0.45, 0.65)),
    pulse=((0.3, 0.45, None), (0.45, 0.65)),
    orbit=((0.12, 0.18, 's'), (0.45, 0.65)),
    wobble=((1.0, 2.5, None), (0.1, 0.3)),
    shimmer=((0.2, 0.35, None), (0.5, 1.5)))
MAX_CLASSES_PER_VIDEO = 3
MAX_INSTANCES_PER_VIDEO = 6
MIN_INSTANCE_SECONDS = 1.0
MEAN_INSTANCE_SECONDS = 4.0
MIN_GAP_SECONDS = 0.5
COVERAGE_RANGE = (0.2, 0.4)
# With ``class_colours``: the share of distractors that wear the colours of
# a random class, so that colour alone does not tell action from background.
DISTRACTOR_CLASS_COLOURS = 0.5
GOP_SECONDS = 2.0
MARKER_FILE = '.synthetic.json'
Subsets = Sequence[Tuple[str, float]]
DEFAULT_SUBSETS = (('train', 0.75), ('test', 0.25))


def _appearance(rng, height: int, width: int) -> Dict:
    """Shape and colouring, drawn independently of the motion."""
    colours = rng.uniform(0, 255, (2, 3))
    if np.abs(colours[0] - colours[1]).mean() < 60:
        colours[1] = 255 - colours[0]
    return dict(
        shape=str(rng.choice(SHAPES)),
        radius=rng.uniform(0.16, 0.24) * min(height, width),
        aspect=rng.uniform(0.6, 1.4),
        colours=colours.tolist(),
        stripe_period=rng.uniform(0.4, 0.9),
        stripe_angle=rng.uniform(0, math.pi),
        seed=int(rng.integers(2**31)))


def class_colours(label: int) -> List[List[float]]:
    """The stripe colours (bright and dark, RGB 0-255) that objects of class
    ``label`` wear when the dataset has ``class_colours=True``: one hue per
    motion class, evenly spaced."""
    hue = label / len(MOTION_CLASSES)
    return [[255 * c for c in colorsys.hsv_to_rgb(hue, 0.85, v)]
            for v in (0.95, 0.35)]


def _motion_params(rng, motion: str, height: int, width: int) -> Dict:
    """Parameters of ``motion``; speeds in pixels (or radians) per second."""
    p = dict(
        x=rng.uniform(0.25, 0.75) * width,
        y=rng.uniform(0.25, 0.75) * height,
        angle=rng.uniform(0, 2 * math.pi))
    # Slow enough that a moving or rotating object overlaps itself between
    # frames of a stride-4 clip (under 0.6 rad, about half its radius).
    sign, speed = rng.choice([-1.0, 1.0]), rng.uniform(0.12, 0.2)
    if motion.startswith('move_'):
        p['vx' if motion in ('move_right', 'move_left') else 'vy'] = dict(
            move_right=width,
            move_left=-width,
            move_down=height,
            move_up=-height)[motion] * speed
    elif motion == 'rotate':
        p['omega'] = sign * speed * 7
    elif motion in PERIODIC:
        (lo, hi, side), freq = PERIODIC[motion]
        unit = dict(h=height, s=min(height, width)).get(side, 1.0)
        p.update(
            amp=rng.uniform(lo, hi) * unit,
            freq=sign * rng.uniform(*freq),
            phase=rng.uniform(0, 2 * math.pi))
    return {k: float(v) for k, v in p.items()}


def _split(total: int, parts: int, rng, minimum: int) -> np.ndarray:
    """Random integer split of ``total`` into ``parts`` >= ``minimum``."""
    extra = total - parts * minimum
    sizes = (minimum +
             np.floor(extra * rng.dirichlet(np.full(parts, 2.0)))).astype(int)
    sizes[:extra - (sizes.sum() - parts * minimum)] += 1
    return sizes


def _make_video_spec(p: Dict, index: int, subset: str,
                     class_set: Sequence[int]) -> VideoSpec:
    """Lay out action instances, distractors and background of one video
    from the generator parameters ``p`` (see :func:`_check_params`).

    ``class_colours`` and ``shared_backgrounds`` change only colours and
    background textures: the layout, shapes and motions are those of the
    same seed without them.
    """
    seed, fps, size = p['seed'], p['fps'], p['size']
    min_duration, max_duration = p['min_duration'], p['max_duration']
    coloured = p.get('class_colours', False)
    rng = np.random.default_rng(
        np.random.SeedSequence(seed, spawn_key=(index, )))
    height, width = size
    num_frames = int(round(rng.uniform(min_duration, max_duration) * fps))
    min_len = max(2, int(round(MIN_INSTANCE_SECONDS * fps)))
    min_gap = max(1, int(round(MIN_GAP_SECONDS * fps)))
    k = len(class_set)
    action = int(round(rng.uniform(*COVERAGE_RANGE) * num_frames))
    n = int(
        np.clip(
            math.ceil(action / (MEAN_INSTANCE_SECONDS * fps)), max(2, k),
            MAX_INSTANCES_PER_VIDEO))
    n = max(k, min(n, action // min_len))
    action = max(action, n * min_len)
    lengths = _split(action, n, rng, min_len)
    gaps = _split(num_frames - action - (n - 1) * min_gap, n + 1, rng, 0)
    gaps[1:-1] += min_gap
    labels = list(class_set) + list(rng.choice(class_set, n - k))
    rng.shuffle(labels)
    # Camera drift in pixels per second, a tenth of the move_* speeds; a
    # low-contrast texture, so that object motion dominates the clip.
    drift, heading = rng.uniform(0.005, 0.02) * width, rng.uniform(0, 7)
    spec = VideoSpec(
        video_id=f'synthetic_{index:05d}',
        subset=subset,
        num_frames=num_frames,
        fps=float(fps),
        height=height,
        width=width,
        background=dict(
            seed=int(rng.integers(2**31)),
            colours=(rng.uniform(70, 185, 3) +
                     rng.uniform(-35, 35, (3, 3))).tolist(),
            velocity=[drift * math.cos(heading), drift * math.sin(heading)],
            wobble=[rng.uniform(0, 3),
                    rng.uniform(0.05, 0.2)]))
    if p.get('shared_backgrounds'):
        # One of a few scenes shared by all videos (streams of their own).
        scene = np.random.default_rng([seed, index, 2]).integers(
            p['shared_backgrounds'])
        shared = np.random.default_rng([seed, 3, int(scene)])
        spec.background.update(
            seed=int(shared.integers(2**31)),
            colours=(shared.uniform(70, 185, 3) +
                     shared.uniform(-35, 35, (3, 3))).tolist())
    actions, stretches, t = [], [], 0
    for i in range(n + 1):
        stretches.append((t, t + int(gaps[i])))
        t += int(gaps[i])
        if i < n:
            actions.append((t, t + int(lengths[i]), int(labels[i])))
            t += int(lengths[i])
    assert t == num_frames and action < 0.5 * num_frames

    def add(motion, start, end, label):
        look = _appearance(rng, height, width)
        if coloured:
            # A stream of its own, so the main one is drawn as without.
            own = np.random.default_rng([look['seed'], 1])
            if label is not None:
                look['colours'] = class_colours(label)
            elif own.random() < DISTRACTOR_CLASS_COLOURS:
                look['colours'] = class_colours(
                    own.integers(p['num_classes']))
        spec.objects.append(
            ObjectSpec(motion, int(start), int(end), label, look,
                       _motion_params(rng, motion, height, width)))

    # A persistent distractor half of the time, so that an object on
    # screen does not tell action from background.
    if rng.random() < 0.5:
        add(str(rng.choice(DISTRACTOR_MOTIONS)), 0, num_frames, None)
    for start, end in stretches:
        if end - start >= min_len and rng.random() < 0.8:
            length = int(rng.integers((end - start + 1) // 2, end - start + 1))
            begin = int(rng.integers(start, end - length + 1))
            add(
                str(rng.choice(DISTRACTOR_MOTIONS)), begin, begin + length,
                None)
        if end > start:
            spec.click_frames.append(int(rng.integers(start, end)))
    for start, end, label in actions:
        add(MOTION_CLASSES[label], start, end, label)
    return spec


def _plan_classes(subset_of: List[str], num_classes: int,
                  rng) -> List[List[int]]:
    """Class sets per video such that every subset contains every class.

    Slots are filled from a stream of class permutations, so the first
    ``num_classes`` slots of a subset hold every class once.
    """
    class_sets = [[] for _ in subset_of]
    k_max = min(MAX_CLASSES_PER_VIDEO, num_classes)
    for name in dict.fromkeys(subset_of):
        videos = [i for i, s in enumerate(subset_of) if s == name]
        stream, taken = [], 0
        for j, i in enumerate(videos):
            need = math.ceil(max(num_classes - taken, 0) / (len(videos) - j))
            if need > k_max:
                raise ValueError(
                    f'subset {name!r} gets {len(videos)} videos, too few to '
                    f'contain all {num_classes} classes with at most {k_max} '
                    'per video: use more videos or fewer classes')
            chosen = class_sets[i]
            for _ in range(max(need, int(rng.integers(1, k_max + 1)))):
                avail = [c for c in stream if c not in chosen]
                if not avail:
                    stream += rng.permutation(num_classes).tolist()
                    avail = [c for c in stream if c not in chosen]
                stream.remove(avail[0])
                chosen.append(int(avail[0]))
            taken += len(chosen)
            chosen.sort()
    return class_sets


def _check_params(num_videos,
                  seed,
                  num_classes,
                  fps,
                  size,
                  min_duration,
                  max_duration,
                  subsets,
                  coloured=False,
                  shared_backgrounds=0) -> Dict:
    """Validate the generator parameters; return them JSON-ready."""
    if int(num_videos) != num_videos or num_videos < 1 or int(
            seed) != seed or seed < 0:
        raise ValueError('need an int num_videos >= 1 and an int seed >= 0, '
                         f'got {num_videos}, {seed}')
    if not 1 <= num_classes <= len(MOTION_CLASSES):
        raise ValueError(f'num_classes must be in [1, {len(MOTION_CLASSES)}] '
                         f'(one per motion pattern), got {num_classes}')
    height, width = (int(s) for s in size)
    if height < 16 or width < 16 or height % 2 or width % 2:
        raise ValueError('size (H, W) must be even and at least 16 for '
                         f'H.264 yuv420p, got {tuple(size)}')
    if not fps > 0 or not 0 < min_duration <= max_duration:
        raise ValueError(f'need fps > 0 and 0 < min_duration <= max_duration,'
                         f' got {fps}, {min_duration}, {max_duration}')
    k_max = min(MAX_CLASSES_PER_VIDEO, num_classes)
    need = (
        k_max * max(2, round(MIN_INSTANCE_SECONDS * fps)) / COVERAGE_RANGE[1])
    if round(min_duration * fps) < need:
        raise ValueError(
            f'min_duration {min_duration} s at {fps} fps is too short to hold '
            f'{k_max} action instances in under {COVERAGE_RANGE[1]:.0%} of '
            f'the video: use at least {math.ceil(need / fps)} s')
    names = [str(n) for n, _ in subsets]
    fractions_ok = all(f > 0 for _, f in subsets)
    if not names or len(set(names)) != len(names) or not fractions_ok:
        raise ValueError('subsets must be (name, fraction) pairs with '
                         f'distinct names and positive fractions: {subsets}')
    params = dict(
        version=GENERATOR_VERSION,
        num_videos=int(num_videos),
        seed=int(seed),
        num_classes=int(num_classes),
        fps=float(fps),
        size=[height, width],
        min_duration=float(min_duration),
        max_duration=float(max_duration),
        subsets=[[n, float(f)] for n, f in subsets])
    # Recorded only when set, so that datasets written before the option
    # existed still count as up to date.
    if coloured:
        params['class_colours'] = True
    if int(shared_backgrounds) != shared_backgrounds or shared_backgrounds < 0:
        raise ValueError('shared_backgrounds must be an int >= 0, got '
                         f'{shared_backgrounds}')
    if shared_backgrounds:
        params['shared_backgrounds'] = int(shared_backgrounds)
    return params


def make_video_specs(num_videos: int = 40,
                     seed: int = 0,
                     num_classes: int = 6,
                     fps: float = 10.0,
                     size: Tuple[int, int] = (96, 128),
                     min_duration: float = 30.0,
                     max_duration: float = 60.0,
                     subsets: Subsets = DEFAULT_SUBSETS,
                     class_colours: bool = False,
                     shared_backgrounds: int = 0) -> List[VideoSpec]:
    """Draw the specs of all videos (cheap: nothing is rendered).

    Args: as :func:`generate_synthetic_dataset`.

    Returns:
        list[VideoSpec]: One spec per video, in video index order.
    """
    p = _check_params(num_videos, seed, num_classes, fps, size, min_duration,
                      max_duration, subsets, class_colours, shared_backgrounds)
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    names = [n for n, _ in p['subsets']]
    raw = np.array([f for _, f in p['subsets']])
    raw = raw / raw.sum() * num_videos
    counts = np.floor(raw).astype(int)
    counts[np.argsort(counts - raw,
                      kind='stable')[:num_videos - counts.sum()]] += 1
    if not counts.all():
        raise ValueError(f'{num_videos} videos leave a subset of {names} '
                         'empty: use more videos')
    subset_of = rng.permutation(np.repeat(names, counts)).tolist()
    class_sets = _plan_classes(subset_of, num_classes, rng)
    return [
        _make_video_spec(p, i, subset_of[i], class_sets[i])
        for i in range(num_videos)
    ]


def video_annotation(spec: VideoSpec) -> Dict:
    """The unified-format entry of one video."""
    # Action objects come last in ``spec.objects``, in time order.
    segments = [
        dict(
            start=o.start_frame / spec.fps,
            end=o.end_frame / spec.fps,
            label=o.label) for o in spec.objects if o.label is not None
    ]
    return dict(
        subset=spec.subset,
        file=spec.file,
        duration=spec.num_frames / spec.fps,
        fps=spec.fps,
        labels=labels_from_segments(segments),
        segments=segments,
        background_clicks=[(f + 0.5) / spec.fps for f in spec.click_frames])


def encode_video(frames: Iterable[np.ndarray], path: str, fps: float) -> None:
    """Encode RGB frames to ``path`` atomically (a temporary file, then
    ``os.replace``): H.264 with PyAV, or mp4v with OpenCV if PyAV is
    missing."""
    directory = osp.dirname(osp.abspath(path))
    os.makedirs(directory, exist_ok=True)
    # Not mkstemp: its 0600 mode would make shared datasets unreadable.
    tmp = osp.join(directory, f'.{osp.basename(path)}.{os.getpid()}.tmp.mp4')
    try:
        if av is not None:
            _encode_pyav(frames, tmp, fps)
        else:
            _encode_opencv(frames, tmp, fps)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise


def _encode_pyav(frames: Iterable[np.ndarray], path: str, fps: float) -> None:
    gop = max(1, int(round(GOP_SECONDS * fps)))
    with av.open(path, mode='w', format='mp4') as container:
        stream = container.add_stream(
            'libx264', rate=Fraction(fps).limit_denominator(1001))
        stream.pix_fmt = 'yuv420p'
        # A keyframe every ``gop`` frames for cheap seeking. One thread and
        # no macroblock tree: with mbtree, x264 gave different bytes from
        # run to run here, even single-threaded.
        stream.codec_context.gop_size = gop
        stream.codec_context.thread_count = 1
        params = f'keyint={gop}:min-keyint={gop}:scenecut=0:mbtree=0:threads=1'
        stream.codec_context.options = {
            'crf': '18',
            'preset': 'veryfast',
            'x264-params': params
        }
        for i, img in enumerate(frames):
            if i == 0:
                stream.height, stream.width = img.shape[:2]
            frame = av.VideoFrame.from_ndarray(img, format='rgb24')
            frame.pts = i
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


def _encode_opencv(frames: Iterable[np.ndarray], path: str,
                   fps: float) -> None:
    import cv2
    writer = None
    try:
        for img in frames:
            if writer is None:
                writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'),
                                         fps, (img.shape[1], img.shape[0]))
                if not writer.isOpened():
                    raise RuntimeError(f'OpenCV cannot write video {path}')
            writer.write(np.ascontiguousarray(img[..., ::-1]))
    finally:
        if writer is not None:
            writer.release()


def _recorded_params(out_dir: str) -> Optional[Dict]:
    """Parameters of the run that last wrote ``out_dir``, if any."""
    for name, key in ((MARKER_FILE, None), ('annotations.json', 'synthetic')):
        path = osp.join(out_dir, name)
        if osp.isfile(path):
            with open(path, encoding='utf-8') as f:
                data = json.load(f)
            return data if key is None else data.get(key)
    return None


def generate_synthetic_dataset(out_dir: str,
                               num_videos: int = 40,
                               seed: int = 0,
                               num_classes: int = 6,
                               fps: float = 10.0,
                               size: Tuple[int, int] = (96, 128),
                               min_duration: float = 30.0,
                               max_duration: float = 60.0,
                               subsets: Subsets = DEFAULT_SUBSETS,
                               class_colours: bool = False,
                               shared_backgrounds: int = 0,
                               overwrite: bool = False) -> str:
    """Write a synthetic long-video dataset in the unified format.

    Videos go to ``out_dir/videos/<video_id>.mp4``, the annotation (with the
    parameters under the top-level key ``"synthetic"``) to
    ``out_dir/annotations.json``, last. Resumable: videos written by an
    earlier run with the same parameters are kept.

    Args:
        out_dir (str): Dataset directory (the ``video_root``).
        num_videos (int): Number of videos. Defaults to 40.
        seed (int): Seed of everything. Defaults to 0.
        num_classes (int): Number of motion classes, the first ones of
            ``MOTION_CLASSES``. Defaults to 6.
        fps (float): Frame rate. Defaults to 10.0.
        size (tuple[int, int]): Frame size (H, W), both even.
            Defaults to (96, 128).
        min_duration (float): Shortest video in seconds. Defaults to 30.0.
        max_duration (float): Longest video in seconds. Defaults to 60.0.
        subsets (Sequence[tuple[str, float]]): Subset names and fractions of
            the videos; every subset contains every class.
            Defaults to (('train', 0.75), ('test', 0.25)).
        class_colours (bool): Objects of class k wear colours of their own
            (:func:`class_colours`) and half of the distractors wear those
            of a random class: a cue a small network trained from scratch
            picks up in minutes, where motion alone takes far longer, while
            colour alone still does not tell an action from a distractor.
            Layout and motions are those of the same seed without it.
            Defaults to False.
        shared_backgrounds (int): Draw each video's background texture
            and colours from this many scenes shared by all videos (its
            drift stays its own), as rooms and venues recur in real
            datasets; then a network cannot tell videos, and so their
            labels, apart by the background alone. 0: a scene per video.
            Defaults to 0.
        overwrite (bool): Delete the annotation and the videos of this
            parameter set in ``out_dir`` and encode them all again.
            Defaults to False.

    Returns:
        str: The path of the annotation file.

    Raises:
        ValueError: Bad parameters.
        FileExistsError: ``out_dir`` holds data from other parameters (or
            of unknown origin) and ``overwrite`` is False.
    """
    params = _check_params(num_videos, seed, num_classes, fps, size,
                           min_duration, max_duration, subsets, class_colours,
                           shared_backgrounds)
    ann_path = osp.join(out_dir, 'annotations.json')
    video_dir = osp.join(out_dir, 'videos')
    specs = make_video_specs(num_videos, seed, num_classes, fps, size,
                             min_duration, max_duration, subsets,
                             class_colours, shared_backgrounds)
    paths = [osp.join(out_dir, s.file) for s in specs]
    if not overwrite:
        recorded = _recorded_params(out_dir)
        if recorded == params and osp.isfile(ann_path) and all(
                map(osp.isfile, paths)):
            print_log(f'{ann_path} is up to date', logger='current')
            return ann_path
        if recorded is not None and recorded != params:
            raise FileExistsError(
                f'{out_dir} holds a synthetic dataset with other parameters '
                f'({recorded}); pass overwrite=True or use another directory')
        if recorded is None and osp.isdir(video_dir) and any(
                n.endswith('.mp4') for n in os.listdir(video_dir)):
            raise FileExistsError(
                f'{video_dir} holds videos of unknown origin; pass '
                'overwrite=True or use another directory')
    os.makedirs(video_dir, exist_ok=True)
    # Old files go before the new parameters are recorded, so that resuming
    # an interrupted overwrite never keeps a video of the old parameters.
    for path in [ann_path] + (paths if overwrite else []):
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)
    dump_json_atomic(params, osp.join(out_dir, MARKER_FILE))
    if av is None:
        print_log(
            'PyAV is not installed: writing mp4v with OpenCV instead '
            'of H.264',
            logger='current',
            level=logging.WARNING)
    written = 0
    for spec, path in zip(specs, paths):
        if not osp.isfile(path):
            encode_video(render_frames(spec), path, spec.fps)
            written += 1
    ann = dict(
        classes=list(MOTION_CLASSES[:num_classes]),
        videos={s.video_id: video_annotation(s)
                for s in specs},
        synthetic=params)
    validate_annotation(ann, source=ann_path, video_root=out_dir)
    dump_annotation(ann, ann_path)
    print_log(
        f'synthetic dataset: encoded {written} videos, kept '
        f'{len(specs) - written}; annotation {ann_path}',
        logger='current')
    return ann_path


__all__ = [
    'MOTION_CLASSES', 'ObjectSpec', 'VideoSpec', 'class_colours',
    'encode_video',
    'generate_synthetic_dataset', 'make_video_specs', 'render_frames',
    'render_video', 'video_annotation'
]
