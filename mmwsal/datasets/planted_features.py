"""Snippet features with planted actions, for checking WS-TAL set-ups.

Each video's features are Gaussian noise; inside its action segment the
channel of the action's class is raised, so a localizer that learns from
video labels can find the segment. A stand-in for real features when the
question is whether training and evaluation work, not how good features are.
"""
import os
import os.path as osp
from typing import Tuple

import numpy as np

from mmwsal.utils import dump_json_atomic

PATTERNS = ('channel', 'random')


def _class_patterns(kind: str, num_classes: int, dim: int,
                    seed: int) -> np.ndarray:
    """``(num_classes, dim)`` unit directions the actions add."""
    if kind == 'channel':
        return np.eye(num_classes, dim, dtype=np.float32)
    # A generator of its own keeps the videos' draws those of 'channel'.
    directions = np.random.default_rng([seed, 1]).normal(
        size=(num_classes, dim))
    return (directions /
            np.linalg.norm(directions, axis=1, keepdims=True)).astype(
                np.float32)


def _plant_background_action(x: np.ndarray, rng: np.random.Generator,
                             cls: int, patterns: np.ndarray, start: int,
                             end: int, strength: float) -> None:
    """Add another class's pattern on 5-10 snippets of the longer stretch
    of background beside the action ``[start, end)``, in place."""
    num_classes = len(patterns)
    other = (cls + 1 + int(rng.integers(num_classes - 1))) % num_classes
    num = len(x)
    low, high = (0, start) if start >= num - end else (end, num)
    length = min(int(rng.integers(5, 11)), high - low)
    first = low + int(rng.integers(0, high - low - length + 1))
    x[first:first + length] += strength * patterns[other]


def generate_planted_features(out_dir: str,
                              num_videos: int = 24,
                              num_classes: int = 3,
                              dim: int = 8,
                              seed: int = 0,
                              snippet_seconds: float = 0.5,
                              noise: float = 0.3,
                              strength: float = 1.5,
                              background_actions: float = 0.0,
                              patterns: str = 'channel') -> Tuple[str, str]:
    """Write ``out_dir/features/<video_id>.npy`` and a unified annotation.

    Every video has 40-60 snippets and one action of 5-10 snippets, of a
    class drawn at random; two thirds of the videos train, the rest test.

    Args:
        out_dir (str): Output directory.
        num_videos (int): Number of videos. Defaults to 24.
        num_classes (int): Number of classes, at most ``dim``. Defaults to 3.
        dim (int): Feature channels. Defaults to 8.
        seed (int): Seed of everything. Defaults to 0.
        snippet_seconds (float): Seconds per snippet. Defaults to 0.5.
        noise (float): Standard deviation of the noise. Defaults to 0.3.
        strength (float): What an action adds to its class's pattern.
            Defaults to 1.5.
        background_actions (float): Probability that a video also holds an
            unlabelled stretch of 5-10 snippets, outside its action, that
            adds the pattern of another class: background that looks like
            an action (informative background). Defaults to 0 (none; the
            features are then those of earlier versions, seed for seed).
        patterns (str): What an action adds: ``'channel'``, its class's
            channel (classes share nothing); ``'random'``, a random unit
            direction per class (seeded), so that classes share channels and
            what a model learns on some classes carries over to others, as
            few-shot learning needs. Defaults to ``'channel'``.

    Returns:
        tuple[str, str]: The annotation file and the feature directory.
    """
    if not 0 < num_classes <= dim:
        raise ValueError(f'need 0 < num_classes <= dim, got {num_classes} '
                         f'classes and dim {dim}')
    if not 0 <= background_actions <= 1:
        raise ValueError(f'background_actions is a probability, got '
                         f'{background_actions}')
    if patterns not in PATTERNS:
        raise ValueError(f'patterns must be one of {PATTERNS}, got '
                         f'{patterns!r}')
    directions = _class_patterns(patterns, num_classes, dim, seed)
    rng = np.random.default_rng(seed)
    feat_dir = osp.join(out_dir, 'features')
    os.makedirs(feat_dir, exist_ok=True)
    videos = {}
    for i in range(num_videos):
        vid = f'vid{i:03d}'
        num = int(rng.integers(40, 61))
        x = rng.normal(scale=noise, size=(num, dim)).astype(np.float32)
        cls = int(rng.integers(num_classes))
        start = int(rng.integers(2, num - 12))
        end = start + int(rng.integers(5, 11))
        x[start:end] += strength * directions[cls]
        # Drawn only when asked for, so that the default features stay
        # those of earlier versions for the same seed.
        if num_classes > 1 and background_actions > 0 \
                and rng.random() < background_actions:
            _plant_background_action(x, rng, cls, directions, start, end,
                                     strength)
        np.save(osp.join(feat_dir, f'{vid}.npy'), x)
        videos[vid] = dict(
            subset='train' if i % 3 else 'test',
            file=f'{vid}.mp4',
            duration=num * snippet_seconds,
            fps=1.0 / snippet_seconds,
            labels=[cls],
            segments=[
                dict(start=start * snippet_seconds,
                     end=end * snippet_seconds,
                     label=cls)
            ])
    ann_file = osp.join(out_dir, 'annotations.json')
    dump_json_atomic(
        dict(classes=[f'class{k}' for k in range(num_classes)],
             videos=videos), ann_file)
    return ann_file, feat_dir


__all__ = ['generate_planted_features']
