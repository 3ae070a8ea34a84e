"""Snippet features with action-context confusion, for ranking WS-TAL heads.

The structure the background-modeling heads exist for (BaS-Net, Background
Modeling, BackTAL: "action-context confusion"), planted into snippet
features of known meaning:

- **scenes**: each class has a scene (context) direction; every snippet of
  a video, background and action alike, carries the scene of one of its
  classes (with probability ``scene_swap`` the scene of another class), so
  the context alone predicts the video label most of the time and a
  classifier trained on video labels is tempted to fire on the whole video;
- **actions**: an instance adds its class's pattern (with some jitter of
  direction and strength); patterns share an *actionness* component over
  all classes and a component within each pair of classes (``2j`` and
  ``2j + 1``), so similar classes exist and a class-agnostic foreground
  is learnable;
- **distractors**: unlabelled background stretches carry part of a class
  pattern (a random subset of its channels) at reduced strength, of one of
  the video's classes or of its similar class;
- variable video lengths, one or two classes per video, several instances
  per class, lengths from a few snippets to a large share of the video;
- temporally correlated noise over everything.

All directions (actionness, pair components, class components, scenes) are
orthonormal, given by :func:`context_bases`. Each video has a generator of
its own, seeded by ``(seed, subset, index)``: a video's features do not
depend on how many others are generated.
"""
import math
import os
import os.path as osp
from typing import Dict, List, NamedTuple, Tuple

import numpy as np

from mmwsal.utils import atomic_open, dump_json_atomic

SUBSETS = ('train', 'test')


class ContextBases(NamedTuple):
    """The unit directions of :func:`generate_context_features`.

    Attributes:
        actionness (np.ndarray): ``(D,)``, shared by every class pattern.
        patterns (np.ndarray): ``(C, D)``, what an action of each class adds
            (unit norm).
        scenes (np.ndarray): ``(C, D)``, each class's scene (context).
    """
    actionness: np.ndarray
    patterns: np.ndarray
    scenes: np.ndarray


def bases_needed(num_classes: int) -> int:
    """Orthonormal directions the features of ``num_classes`` classes use:
    actionness, one per pair of classes, one per class, one scene per
    class. ``dim`` must be at least this."""
    return 1 + math.ceil(num_classes / 2) + 2 * num_classes


def similar_class(cls: int, num_classes: int) -> int:
    """The class that shares a pair component with ``cls`` (``cls ^ 1``),
    or ``cls`` itself for the last class of an odd count."""
    other = cls ^ 1
    return other if other < num_classes else cls


def context_bases(num_classes: int,
                  dim: int,
                  seed: int = 0,
                  actionness_share: float = 0.2,
                  pair_share: float = 0.3) -> ContextBases:
    """The directions of the features of :func:`generate_context_features`.

    Pattern ``k`` is ``sqrt(actionness_share) a + sqrt(pair_share) g_{k//2}
    + sqrt(1 - actionness_share - pair_share) u_k`` over orthonormal ``a``,
    ``g``, ``u``, so two patterns have cosine ``actionness_share``, or
    ``actionness_share + pair_share`` within a pair. Scenes are orthogonal
    to every pattern and to each other.

    Args:
        num_classes (int): Number of classes C.
        dim (int): Channels D, at least :func:`bases_needed` of C.
        seed (int): Seed. Defaults to 0.
        actionness_share (float): Share of every pattern common to all
            classes. Defaults to 0.2.
        pair_share (float): Share common to a pair of classes. Defaults to
            0.3.

    Returns:
        ContextBases: The directions.
    """
    needed = bases_needed(num_classes)
    if num_classes < 1 or dim < needed:
        raise ValueError(f'{num_classes} classes need dim >= {needed} '
                         f'orthonormal directions, got dim {dim}')
    if min(actionness_share, pair_share) < 0 or \
            actionness_share + pair_share > 1:
        raise ValueError('need actionness_share, pair_share >= 0 with a sum '
                         f'<= 1, got {actionness_share} and {pair_share}')
    rng = np.random.default_rng([seed, 0])
    q, _ = np.linalg.qr(rng.normal(size=(dim, needed)))
    q = q.T
    num_pairs = math.ceil(num_classes / 2)
    actionness = q[0]
    pairs = q[1:1 + num_pairs]
    own = q[1 + num_pairs:1 + num_pairs + num_classes]
    scenes = q[1 + num_pairs + num_classes:]
    classes = np.arange(num_classes)
    patterns = (
        math.sqrt(actionness_share) * actionness[None] +
        math.sqrt(pair_share) * pairs[classes // 2] +
        math.sqrt(1 - actionness_share - pair_share) * own)
    return ContextBases(
        actionness.astype(np.float32), patterns.astype(np.float32),
        scenes.astype(np.float32))


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def _correlated_noise(rng: np.random.Generator, num: int, dim: int, std: float,
                      smoothness: float) -> np.ndarray:
    """``(num, dim)`` stationary AR(1) noise of standard deviation ``std``
    and lag-1 correlation ``smoothness``."""
    white = rng.normal(scale=std, size=(num, dim))
    noise = np.empty_like(white)
    noise[0] = white[0]
    innovation = math.sqrt(1 - smoothness**2)
    for t in range(1, num):
        noise[t] = smoothness * noise[t - 1] + innovation * white[t]
    return noise


def _layout(rng: np.random.Generator, num: int, classes: List[int],
            knobs: Dict):
    """Non-overlapping instances ``(start, end, class)`` in time order, at
    least one background snippet apart."""
    instances = [
        c for c in classes
        for _ in range(1 + int(rng.integers(knobs['max_instances'])))
    ]
    rng.shuffle(instances)
    high = max(knobs['min_action'], knobs['max_action_share'] * num)
    # log-uniform: as many short actions as long ones
    lengths = np.exp(
        rng.uniform(
            math.log(knobs['min_action']),
            math.log(high + 1),
            size=len(instances))).astype(int)
    lengths = np.clip(lengths, knobs['min_action'], None)
    # one background snippet between instances counts against the budget
    budget = int(knobs['max_coverage'] * num) - (len(instances) - 1)
    if lengths.sum() > budget:
        lengths = np.maximum(knobs['min_action'],
                             (lengths * budget / lengths.sum()).astype(int))
    while lengths.sum() > budget:  # what the minimum length put back
        lengths[int(np.argmax(lengths))] -= 1
    free = num - int(lengths.sum()) - (len(instances) - 1)
    cuts = np.sort(rng.integers(0, free + 1, size=len(instances)))
    gaps = np.diff(np.concatenate([[0], cuts]))
    spans, t = [], 0
    for i, (cls, length) in enumerate(zip(instances, lengths)):
        t += int(gaps[i]) + (1 if i else 0)
        spans.append((t, t + int(length), int(cls)))
        t += int(length)
    return spans


def _plant_distractors(rng: np.random.Generator, x: np.ndarray,
                       foreground: np.ndarray, classes: List[int],
                       bases: ContextBases, knobs: Dict) -> None:
    """Add unlabelled partial patterns on background stretches, in place
    (marking them in ``foreground`` so that they do not overlap)."""
    num, dim = x.shape
    num_classes = len(bases.patterns)
    for _ in range(int(rng.poisson(knobs['distractors']))):
        length = int(rng.integers(2, 7))
        starts = [
            t for t in range(num - length + 1)
            if not foreground[t:t + length].any()
        ]
        if not starts:
            return
        start = starts[int(rng.integers(len(starts)))]
        cls = classes[int(rng.integers(len(classes)))]
        if rng.random() >= knobs['distractor_own']:
            cls = similar_class(cls, num_classes)
        mask = rng.random(dim) < knobs['distractor_channels']
        mask[int(rng.integers(dim))] = True
        part = _unit(bases.patterns[cls] * mask)
        x[start:start + length] += (
            knobs['distractor_strength'] * knobs['action_strength'] * part)
        foreground[start:start + length] = True


def _video(
        rng: np.random.Generator, bases: ContextBases, knobs: Dict
) -> Tuple[np.ndarray, List[int], List[Tuple[int, int, int]]]:
    """One video's features ``(T, D)``, classes and instances."""
    num_classes, dim = bases.patterns.shape
    num = int(rng.integers(knobs['min_snippets'], knobs['max_snippets'] + 1))
    classes = [int(rng.integers(num_classes))]
    if num_classes > 1 and rng.random() < knobs['second_class']:
        other = int(rng.integers(num_classes - 1))
        classes.append(other + (other >= classes[0]))
    spans = _layout(rng, num, classes, knobs)

    x = _correlated_noise(rng, num, dim, knobs['noise'],
                          knobs['noise_smoothness'])
    scene_cls = classes[int(rng.integers(len(classes)))]
    others = [c for c in range(num_classes) if c not in classes]
    if others and rng.random() < knobs['scene_swap']:
        scene_cls = others[int(rng.integers(len(others)))]
    scene = knobs['scene_strength'] * bases.scenes[scene_cls]
    foreground = np.zeros(num, bool)
    for start, end, cls in spans:
        direction = _unit(bases.patterns[cls] + knobs['pattern_jitter'] *
                          _unit(rng.normal(size=dim)))
        gain = 1 + knobs['strength_jitter'] * rng.uniform(-1, 1)
        x[start:end] += (
            knobs['action_strength'] * gain * direction +
            knobs['scene_in_actions'] * scene)
        foreground[start:end] = True
    x[~foreground] += scene
    _plant_distractors(rng, x, foreground, classes, bases, knobs)
    return x.astype(np.float32), sorted(classes), spans


def generate_context_features(out_dir: str,
                              num_train: int = 400,
                              num_test: int = 200,
                              num_classes: int = 12,
                              dim: int = 64,
                              seed: int = 0,
                              snippet_seconds: float = 0.5,
                              min_snippets: int = 48,
                              max_snippets: int = 160,
                              noise: float = 1.0,
                              noise_smoothness: float = 0.5,
                              action_strength: float = 3.0,
                              pattern_jitter: float = 0.3,
                              strength_jitter: float = 0.3,
                              actionness_share: float = 0.2,
                              pair_share: float = 0.3,
                              scene_strength: float = 3.0,
                              scene_swap: float = 0.25,
                              scene_in_actions: float = 1.0,
                              second_class: float = 0.25,
                              max_instances: int = 3,
                              min_action: int = 2,
                              max_action_share: float = 0.4,
                              max_coverage: float = 0.6,
                              distractors: float = 1.5,
                              distractor_strength: float = 0.6,
                              distractor_channels: float = 0.5,
                              distractor_own: float = 0.5) -> Tuple[str, str]:
    """Write ``out_dir/features/<video_id>.npy`` ``(T, dim)`` float32 and the
    unified annotation ``out_dir/annotations.json`` of videos whose
    background carries the context of their classes (see the module
    docstring; directions from :func:`context_bases`).

    Video ids are ``train_0000``, ... and ``test_0000``, ...; snippet ``t``
    spans ``[t, t + 1) * snippet_seconds``; ``labels`` are the classes of
    the video's segments.

    Args:
        out_dir (str): Output directory.
        num_train (int): Training videos. Defaults to 400.
        num_test (int): Test videos. Defaults to 200.
        num_classes (int): Classes C. Defaults to 12.
        dim (int): Channels D, at least ``1 + ceil(C / 2) + 2 C``.
            Defaults to 64.
        seed (int): Seed of everything. Defaults to 0.
        snippet_seconds (float): Seconds per snippet. Defaults to 0.5.
        min_snippets (int): Shortest video. Defaults to 48.
        max_snippets (int): Longest video. Defaults to 160.
        noise (float): Standard deviation of the noise on every channel.
            Defaults to 1.0.
        noise_smoothness (float): Correlation of the noise of neighbouring
            snippets, in [0, 1). Defaults to 0.5.
        action_strength (float): Norm of what an action adds. Defaults to
            3.0.
        pattern_jitter (float): Norm of a random direction added to the
            class pattern per instance (before normalising). Defaults to
            0.3.
        strength_jitter (float): Each instance's strength is
            ``action_strength`` times a uniform factor in ``1 +- this``.
            Defaults to 0.3.
        actionness_share (float): Share of every pattern common to all
            classes. Defaults to 0.2.
        pair_share (float): Share common to the two classes of a pair (the
            similar class). Defaults to 0.3.
        scene_strength (float): Norm of the scene on each snippet, as
            strong as an action by default: context dominates what a
            snippet looks like. Defaults to 3.0.
        scene_swap (float): Probability that a video's scene is that of a
            class it does not hold. Defaults to 0.25.
        scene_in_actions (float): Factor of the scene inside actions (1: the
            scene stays, 0: actions hide it). Defaults to 1.0.
        second_class (float): Probability of a second class in a video.
            Defaults to 0.25.
        max_instances (int): Each class of a video has 1 to this many
            instances. Defaults to 3.
        min_action (int): Shortest action in snippets. Defaults to 2.
        max_action_share (float): Longest action as a share of its video;
            lengths are log-uniform in between. Defaults to 0.4.
        max_coverage (float): Actions are shortened in proportion to cover
            at most this share of a video. Defaults to 0.6.
        distractors (float): Mean number (Poisson) of distractor stretches
            (2-6 unlabelled background snippets with part of a pattern) per
            video. Defaults to 1.5.
        distractor_strength (float): Norm of a distractor as a share of
            ``action_strength``. Defaults to 0.6.
        distractor_channels (float): Share of the pattern's channels a
            distractor keeps. Defaults to 0.5.
        distractor_own (float): Probability that a distractor is of one of
            the video's classes; otherwise it is of that class's similar
            class. Defaults to 0.5.

    Returns:
        tuple[str, str]: The annotation file and the feature directory.
    """
    arguments = dict(locals())
    # the per-video knobs, by name
    knobs = {
        name: value
        for name, value in arguments.items()
        if name not in ('out_dir', 'num_train', 'num_test', 'seed', 'dim',
                        'num_classes', 'actionness_share', 'pair_share')
    }
    _check_knobs(knobs, num_train, num_test)
    bases = context_bases(num_classes, dim, seed, actionness_share, pair_share)
    feat_dir = osp.join(out_dir, 'features')
    os.makedirs(feat_dir, exist_ok=True)
    videos = {}
    for code, (subset,
               count) in enumerate(zip(SUBSETS, (num_train, num_test))):
        for i in range(count):
            vid = f'{subset}_{i:04d}'
            x, classes, spans = _video(
                np.random.default_rng([seed, 1 + code, i]), bases, knobs)
            with atomic_open(osp.join(feat_dir, f'{vid}.npy'), 'wb') as f:
                np.save(f, x)
            videos[vid] = dict(
                subset=subset,
                file=f'{vid}.mp4',
                duration=len(x) * snippet_seconds,
                fps=1.0 / snippet_seconds,
                labels=classes,
                segments=[
                    dict(
                        start=start * snippet_seconds,
                        end=end * snippet_seconds,
                        label=cls) for start, end, cls in spans
                ])
    ann_file = osp.join(out_dir, 'annotations.json')
    dump_json_atomic(
        dict(classes=[f'class{c}' for c in range(num_classes)], videos=videos),
        ann_file)
    return ann_file, feat_dir


def _check_knobs(knobs: Dict, num_train: int, num_test: int) -> None:
    """Clear errors for settings the generator cannot honour."""
    if num_train < 0 or num_test < 0:
        raise ValueError(f'need num_train, num_test >= 0, got {num_train} '
                         f'and {num_test}')
    for name in ('scene_swap', 'second_class', 'max_action_share',
                 'max_coverage', 'distractor_channels', 'distractor_own'):
        if not 0 <= knobs[name] <= 1:
            raise ValueError(f'{name} must be in [0, 1], got {knobs[name]}')
    if not 0 <= knobs['noise_smoothness'] < 1:
        raise ValueError('noise_smoothness must be in [0, 1), got '
                         f'{knobs["noise_smoothness"]}')
    if not 0 <= knobs['strength_jitter'] < 1:
        raise ValueError('strength_jitter must be in [0, 1), got '
                         f'{knobs["strength_jitter"]}')
    for name in ('noise', 'action_strength', 'pattern_jitter',
                 'scene_strength', 'scene_in_actions', 'distractors',
                 'distractor_strength'):
        if knobs[name] < 0:
            raise ValueError(f'{name} must be >= 0, got {knobs[name]}')
    if knobs['min_action'] < 1 or knobs['max_instances'] < 1:
        raise ValueError('need min_action >= 1 and max_instances >= 1, got '
                         f'{knobs["min_action"]} and {knobs["max_instances"]}')
    # the most instances, each of min_action snippets, one snippet apart,
    # must fit in max_coverage of the shortest video
    most = 2 * knobs['max_instances']
    shortest, longest = knobs['min_snippets'], knobs['max_snippets']
    if most * (knobs['min_action'] + 1) > knobs['max_coverage'] * shortest \
            or shortest > longest:
        raise ValueError(
            f'videos of {shortest}-{longest} snippets '
            f'cannot hold {most} actions of {knobs["min_action"]} snippets in '
            f'{knobs["max_coverage"]} of their length: raise min_snippets or '
            'lower max_instances or min_action')


__all__ = [
    'generate_context_features', 'context_bases', 'ContextBases',
    'bases_needed', 'similar_class'
]
