"""Simulated background clicks and their snippet indices.

BackTAL's annotator clicks one frame at random inside every run of
consecutive background frames. Datasets without human clicks get them
simulated the same way, as SF-Net and BackTAL do on ActivityNet and HACS:
frame ``k`` (time ``k / fps``) is background when its time lies in no
ground-truth segment (of any class); each maximal run of background frames
gets one click on a frame drawn uniformly from it.
"""
import copy
import zlib
from typing import Dict, List, Optional, Sequence

import numpy as np


def background_runs(segments: Sequence, duration: float,
                    fps: float) -> np.ndarray:
    """Maximal runs of background frames of one video.

    Args:
        segments (Sequence): ``(start, end)`` pairs (or dicts with ``start``
            and ``end``) in seconds; a frame whose time lies in a closed
            segment is an action frame.
        duration (float): Video length in seconds.
        fps (float): Frame rate.

    Returns:
        np.ndarray: ``(K, 2)`` int64 ``[first, end)`` frame indices.
    """
    num_frames = int(np.floor(duration * fps + 1e-9))
    times = np.arange(num_frames) / fps
    background = np.ones(num_frames, dtype=bool)
    for seg in segments:
        start, end = ((seg['start'], seg['end'])
                      if isinstance(seg, dict) else seg[:2])
        background &= ~((times >= start) & (times <= end))
    edges = np.diff(np.concatenate(([0], background.astype(np.int8), [0])))
    return np.stack([np.flatnonzero(edges == 1),
                     np.flatnonzero(edges == -1)], 1).astype(np.int64)


def simulate_clicks(segments: Sequence, duration: float, fps: float,
                    rng: np.random.Generator) -> List[float]:
    """One click (seconds) on a random frame of every background run."""
    runs = background_runs(segments, duration, fps)
    frames = rng.integers(runs[:, 0], runs[:, 1]) if len(runs) else []
    return [float(k) / fps for k in frames]


def video_rng(seed: int, video_id: str) -> np.random.Generator:
    """A generator that depends on the seed and the video only, so that a
    video's clicks do not change with the other videos of a file."""
    return np.random.default_rng([seed, zlib.crc32(video_id.encode())])


def simulate_annotation_clicks(ann: Dict,
                               seed: int = 0,
                               subsets: Optional[Sequence[str]] = None,
                               overwrite: bool = False) -> Dict:
    """A copy of a unified annotation with simulated ``background_clicks``.

    Videos without ``segments`` get none (there is nothing to simulate
    from); videos that have clicks keep them unless ``overwrite``.

    Args:
        ann (dict): A validated unified annotation.
        seed (int): Seed; each video's clicks depend on it and its id only.
            Defaults to 0.
        subsets (Sequence[str], optional): Only videos of these subsets.
            Defaults to None (all).
        overwrite (bool): Replace existing clicks. Defaults to False.

    Returns:
        dict: The new annotation.
    """
    out = copy.deepcopy(ann)
    for vid, info in out['videos'].items():
        if subsets is not None and info['subset'] not in subsets:
            continue
        if not info.get('segments'):
            continue
        if info.get('background_clicks') and not overwrite:
            continue
        info['background_clicks'] = simulate_clicks(
            info['segments'], info['duration'], info['fps'],
            video_rng(seed, vid))
    return out


def click_snippet_indices(clicks: Sequence[float], snippet_seconds: float,
                          num_snippets: int) -> np.ndarray:
    """Snippets holding the clicks: ``floor(t / snippet_seconds)`` clipped
    to the video, unique and sorted."""
    if not len(clicks):
        return np.zeros(0, dtype=np.int64)
    idx = np.floor(np.asarray(clicks, np.float64) / snippet_seconds + 1e-9)
    return np.unique(np.clip(idx, 0, num_snippets - 1).astype(np.int64))
