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


def generate_planted_features(out_dir: str,
                              num_videos: int = 24,
                              num_classes: int = 3,
                              dim: int = 8,
                              seed: int = 0,
                              snippet_seconds: float = 0.5,
                              noise: float = 0.3,
                              strength: float = 1.5) -> Tuple[str, str]:
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
        strength (float): What an action adds to its class's channel.
            Defaults to 1.5.

    Returns:
        tuple[str, str]: The annotation file and the feature directory.
    """
    if not 0 < num_classes <= dim:
        raise ValueError(f'need 0 < num_classes <= dim, got {num_classes} '
                         f'classes and dim {dim}')
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
        x[start:end, cls] += strength
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
