"""From per-snippet scores to scored temporal proposals (WS-TAL inference).

Pure NumPy. Conventions: ``cas`` is the temporal class activation sequence
(T-CAS) of one video, shape (T, C), ``attention`` its class-agnostic
actionness, shape (T,), and ``video_scores`` its video-level class scores,
shape (C,). A proposal covers snippets ``[s, e)`` and is returned in seconds
as ``[s * snippet_seconds, e * snippet_seconds)``, where ``snippet_seconds``
is ``frames_per_snippet / fps`` (e.g. 16 / 25 for I3D features at 25 fps).
"""
from typing import Optional, Sequence

import numpy as np

from .nms import nms, soft_nms

__all__ = [
    'select_classes', 'connected_components', 'outer_inner_contrast',
    'generate_proposals', 'postprocess', 'minmax_normalize',
    'upsample_sequence'
]


def minmax_normalize(sequence: np.ndarray) -> np.ndarray:
    """Min-max normalise each column of a ``(T, C)`` (or ``(T,)``) sequence
    over time, as BaS-Net and BackTAL normalise their T-CAS at inference.

    Their reference networks clip the column's maximum and minimum at 0
    before normalising, ``(x - relu(min)) / (relu(max) - relu(min))``, and
    leave a column whose range is empty as it is (divisor 1). So a column
    that is positive everywhere spans [0, 1], one with negative values keeps
    them below 0 (never above any threshold >= 0), and one that is never
    positive stays below every non-negative threshold: no proposals for a
    class that never fires.

    Args:
        sequence (np.ndarray): ``(T, C)`` or ``(T,)`` scores.

    Returns:
        np.ndarray: float64 of the same shape.
    """
    x = np.asarray(sequence, dtype=np.float64)
    if x.shape[0] == 0:
        return x.copy()
    high = np.maximum(x.max(axis=0), 0.0)
    low = np.maximum(x.min(axis=0), 0.0)
    delta = high - low
    delta = np.where(delta > 0, delta, 1.0)
    return (x - low) / delta


def upsample_sequence(sequence: np.ndarray, scale: int) -> np.ndarray:
    """Linear interpolation of a ``(T, ...)`` sequence at ``scale`` points
    per snippet: sample ``i`` sits at snippet ``i / scale``, the last
    ``scale - 1`` samples extrapolate the last step (BaS-Net's
    ``upgrade_resolution``). Proposals found on it have a resolution of
    ``1 / scale`` snippet.

    Args:
        sequence (np.ndarray): ``(T,)`` or ``(T, C)``.
        scale (int): Samples per snippet, >= 1.

    Returns:
        np.ndarray: float64 ``(T * scale, ...)``.
    """
    if int(scale) != scale or scale < 1:
        raise ValueError(f'upsample scale must be a positive integer, got '
                         f'{scale}')
    x = np.asarray(sequence, dtype=np.float64)
    scale = int(scale)
    if scale == 1 or len(x) == 0:
        return x.copy()
    if len(x) == 1:
        return np.repeat(x, scale, axis=0)
    pos = np.arange(len(x) * scale) / scale
    left = np.minimum(np.floor(pos).astype(np.int64), len(x) - 2)
    frac = (pos - left).reshape((-1, ) + (1, ) * (x.ndim - 1))
    return x[left] + frac * (x[left + 1] - x[left])


def select_classes(video_scores: np.ndarray,
                   threshold: float,
                   fallback_top: bool = True) -> np.ndarray:
    """Classes predicted present in a video.

    Args:
        video_scores (np.ndarray): (C,) video-level class scores.
        threshold (float): A class is selected when its score is >= it.
        fallback_top (bool): If no class passes, select the top-scored one
            (every test video contains at least one action). Defaults to True.

    Returns:
        np.ndarray: Sorted int64 class indices, possibly empty.
    """
    video_scores = np.asarray(video_scores, dtype=np.float64).reshape(-1)
    classes = np.flatnonzero(video_scores >= threshold)
    if classes.size == 0 and fallback_top and video_scores.size:
        classes = np.array([np.argmax(video_scores)])
    return classes.astype(np.int64)


def connected_components(mask: np.ndarray) -> np.ndarray:
    """Maximal runs of True in a 1-D boolean mask.

    Args:
        mask (np.ndarray): (T,) boolean array.

    Returns:
        np.ndarray: (K, 2) int64 ``[start, end)`` snippet indices, in order.
    """
    mask = np.asarray(mask, dtype=bool).reshape(-1)
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    return np.stack([starts, ends], axis=1).astype(np.int64)


def outer_inner_contrast(sequence: np.ndarray,
                         segments: np.ndarray,
                         outer_ratio: float = 0.25) -> np.ndarray:
    """Outer-inner contrast (OIC) of snippet segments on a score sequence.

    The OIC of ``[s, e)`` is the mean of ``sequence`` inside it minus the
    mean over its outer regions ``[s - o, s)`` and ``[e, e + o)``, clipped to
    the video, with ``o = max(1, floor(outer_ratio * (e - s)))``. A segment
    covering the whole video has no outer region; its outer mean is 0.

    Args:
        sequence (np.ndarray): (T,) scores, e.g. one class's T-CAS column.
        segments (np.ndarray): (K, 2) ``[start, end)`` snippet indices.
        outer_ratio (float): Outer length as a fraction of the segment's.
            Defaults to 0.25.

    Returns:
        np.ndarray: (K,) float64 OIC scores.
    """
    sequence = np.asarray(sequence, dtype=np.float64).reshape(-1)
    segments = np.asarray(segments, dtype=np.int64).reshape(-1, 2)
    num_snippets = len(sequence)
    # prefix sums make every region mean O(1), so no loop over segments
    csum = np.concatenate(([0.0], np.cumsum(sequence)))
    starts, ends = segments[:, 0], segments[:, 1]
    inner = (csum[ends] - csum[starts]) / (ends - starts)
    outer_len = np.maximum(
        1,
        np.floor(outer_ratio * (ends - starts)).astype(np.int64))
    left = np.maximum(0, starts - outer_len)
    right = np.minimum(num_snippets, ends + outer_len)
    outer_sum = (csum[starts] - csum[left]) + (csum[right] - csum[ends])
    outer_count = (starts - left) + (right - ends)
    outer = np.divide(
        outer_sum,
        outer_count,
        out=np.zeros_like(outer_sum),
        where=outer_count > 0)
    return inner - outer


def generate_proposals(cas: np.ndarray,
                       video_scores: np.ndarray,
                       classes: Sequence[int],
                       thresholds: Sequence[float],
                       snippet_seconds: float,
                       attention: Optional[np.ndarray] = None,
                       source: str = 'cas',
                       score: str = 'oic',
                       min_length: int = 1,
                       outer_ratio: float = 0.25,
                       class_score_weight: float = 0.2) -> np.ndarray:
    """Multi-threshold proposals for the selected classes of one video.

    For each class ``c`` in ``classes`` and each ``t`` in ``thresholds``, the
    source sequence (``attention`` or ``cas[:, c]``) is thresholded with
    ``> t``; each run of at least ``min_length`` snippets is a proposal. Its
    score is, on the class's T-CAS ``cas[:, c]``:

    - ``'oic'``: ``outer_inner_contrast + class_score_weight *
      video_scores[c]``;
    - ``'mean'``: ``mean inside + class_score_weight * video_scores[c]``.

    The same run found at several thresholds is repeated; NMS removes the
    copies.

    Args:
        cas (np.ndarray): (T, C) T-CAS.
        video_scores (np.ndarray): (C,) video-level class scores.
        classes (Sequence[int]): Class indices to localize.
        thresholds (Sequence[float]): Thresholds on the source sequence,
            e.g. ``np.arange(0, 0.5, 0.025)``.
        snippet_seconds (float): Seconds per snippet, i.e.
            ``frames_per_snippet / fps``.
        attention (np.ndarray, optional): (T,) actionness. Required when
            ``source='attention'``. Defaults to None.
        source (str): ``'cas'`` or ``'attention'``. Defaults to ``'cas'``.
        score (str): ``'oic'`` or ``'mean'``. Defaults to ``'oic'``.
        min_length (int): Shorter runs (in snippets) are discarded.
            Defaults to 1.
        outer_ratio (float): See :func:`outer_inner_contrast`.
            Defaults to 0.25.
        class_score_weight (float): Weight of the video-level class score
            added to every proposal of that class. Defaults to 0.2.

    Returns:
        np.ndarray: (N, 4) float64 ``[start_s, end_s, class, score]``.
    """
    if source not in ('cas', 'attention'):
        raise ValueError(f"source must be 'cas' or 'attention', got "
                         f'{source!r}')
    if score not in ('oic', 'mean'):
        raise ValueError(f"score must be 'oic' or 'mean', got {score!r}")
    cas = np.asarray(cas, dtype=np.float64)
    if cas.ndim != 2:
        raise ValueError(f'cas must have shape (T, C), got {cas.shape}')
    video_scores = np.asarray(video_scores, dtype=np.float64).reshape(-1)
    if source == 'attention':
        if attention is None:
            raise ValueError("source='attention' needs an attention array")
        attention = np.asarray(attention, dtype=np.float64).reshape(-1)
        if len(attention) != len(cas):
            raise ValueError(f'attention has {len(attention)} snippets, '
                             f'cas has {len(cas)}')
    proposals = []
    for cls in np.asarray(classes, dtype=np.int64).reshape(-1):
        sequence = attention if source == 'attention' else cas[:, cls]
        segments = [connected_components(sequence > t) for t in thresholds]
        segments = np.concatenate(segments or [np.zeros((0, 2), np.int64)])
        segments = segments[segments[:, 1] - segments[:, 0] >= min_length]
        if len(segments) == 0:
            continue
        if score == 'oic':
            scores = outer_inner_contrast(cas[:, cls], segments, outer_ratio)
        else:
            csum = np.concatenate(([0.0], np.cumsum(cas[:, cls])))
            scores = (csum[segments[:, 1]] - csum[segments[:, 0]]) / (
                segments[:, 1] - segments[:, 0])
        scores = scores + class_score_weight * video_scores[cls]
        proposals.append(
            np.column_stack([
                segments * float(snippet_seconds),
                np.full(len(segments), cls, dtype=np.float64), scores
            ]))
    if not proposals:
        return np.zeros((0, 4), dtype=np.float64)
    return np.concatenate(proposals).astype(np.float64)


def postprocess(video_scores: np.ndarray,
                cas: np.ndarray,
                attention: Optional[np.ndarray] = None,
                snippet_seconds: float = 1.0,
                class_threshold: float = 0.2,
                thresholds: Sequence[float] = tuple(np.arange(0, 0.5, 0.025)),
                nms_method: Optional[str] = 'nms',
                iou_threshold: float = 0.5,
                sigma: float = 0.5,
                max_proposals: Optional[int] = 100,
                **proposal_kwargs) -> np.ndarray:
    """Video scores and T-CAS to final detections of one video.

    Chains :func:`select_classes`, :func:`generate_proposals` and class-wise
    NMS, then keeps the ``max_proposals`` highest-scored detections.

    Args:
        video_scores (np.ndarray): (C,) video-level class scores.
        cas (np.ndarray): (T, C) T-CAS.
        attention (np.ndarray, optional): (T,) actionness. Defaults to None.
        snippet_seconds (float): ``frames_per_snippet / fps``.
            Defaults to 1.0.
        class_threshold (float): See :func:`select_classes`. Defaults to 0.2.
        thresholds (Sequence[float]): See :func:`generate_proposals`.
            Defaults to ``np.arange(0, 0.5, 0.025)``.
        nms_method (str, optional): ``'nms'``, ``'soft_nms'`` (Gaussian) or
            None to skip suppression. Defaults to ``'nms'``.
        iou_threshold (float): Hard-NMS IoU threshold. Defaults to 0.5.
        sigma (float): Soft-NMS Gaussian width. Defaults to 0.5.
        max_proposals (int, optional): Cap on returned detections; None
            keeps all. Defaults to 100.
        **proposal_kwargs: Passed to :func:`generate_proposals` (``source``,
            ``score``, ``min_length``, ``outer_ratio``,
            ``class_score_weight``).

    Returns:
        np.ndarray: (N, 4) ``[start_s, end_s, class, score]``, sorted by
        score descending.
    """
    if nms_method not in ('nms', 'soft_nms', None):
        raise ValueError(f"nms_method must be 'nms', 'soft_nms' or None, "
                         f'got {nms_method!r}')
    classes = select_classes(video_scores, class_threshold)
    proposals = generate_proposals(
        cas,
        video_scores,
        classes,
        thresholds,
        snippet_seconds,
        attention=attention,
        **proposal_kwargs)
    if nms_method == 'nms':
        proposals = nms(proposals, iou_threshold)
    elif nms_method == 'soft_nms':
        proposals = soft_nms(proposals, sigma=sigma)
    else:
        proposals = proposals[np.argsort(-proposals[:, 3], kind='stable')]
    if max_proposals is not None:
        proposals = proposals[:max_proposals]
    return proposals
