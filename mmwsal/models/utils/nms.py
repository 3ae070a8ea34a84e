"""Class-wise temporal non-maximum suppression on 1-D proposals.

A proposal array has shape (N, 4) and columns ``start, end, class, score``
(seconds, seconds, class index stored as float, confidence). Every function
here is pure NumPy and returns a new array sorted by score, descending; ties
are broken deterministically (stable sorts and first maxima, in input order
within a class), so equal inputs always give equal outputs.
"""
import numpy as np

__all__ = ['temporal_iou', 'nms', 'soft_nms']


def temporal_iou(segment: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """Temporal IoU of one segment with each of several segments.

    Args:
        segment (np.ndarray): ``[start, end]``.
        segments (np.ndarray): (N, 2) array of ``[start, end]``.

    Returns:
        np.ndarray: (N,) IoU in [0, 1]; 0 where the union is empty.
    """
    segments = np.asarray(segments, dtype=np.float64).reshape(-1, 2)
    inter = np.clip(
        np.minimum(segment[1], segments[:, 1]) -
        np.maximum(segment[0], segments[:, 0]), 0, None)
    union = (segment[1] - segment[0]) + (segments[:, 1] - segments[:, 0]) \
        - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def _as_proposals(proposals: np.ndarray) -> np.ndarray:
    proposals = np.asarray(proposals, dtype=np.float64)
    if proposals.size == 0:
        return np.zeros((0, 4), dtype=np.float64)
    if proposals.ndim != 2 or proposals.shape[1] != 4:
        raise ValueError('proposals must have shape (N, 4) '
                         f'[start, end, class, score], got {proposals.shape}')
    return proposals


def _sorted_by_score(proposals: np.ndarray) -> np.ndarray:
    return proposals[np.argsort(-proposals[:, 3], kind='stable')]


def _nms_single_class(proposals: np.ndarray,
                      iou_threshold: float) -> np.ndarray:
    """Indices (into ``proposals``) kept by hard NMS of one class."""
    order = np.argsort(-proposals[:, 3], kind='stable')
    keep = []
    while order.size:
        best = order[0]
        keep.append(best)
        rest = order[1:]
        ious = temporal_iou(proposals[best, :2], proposals[rest, :2])
        order = rest[ious <= iou_threshold]
    return np.asarray(keep, dtype=np.int64)


def nms(proposals: np.ndarray, iou_threshold: float) -> np.ndarray:
    """Class-wise hard NMS.

    Within each class, proposals are visited by decreasing score; a proposal
    is dropped when its IoU with an already kept one is strictly greater than
    ``iou_threshold``. An IoU exactly equal to the threshold is kept, so
    ``iou_threshold=0`` still keeps touching but non-overlapping proposals.
    Proposals of different classes never suppress each other.

    Args:
        proposals (np.ndarray): (N, 4) ``[start, end, class, score]``.
        iou_threshold (float): IoU above which a lower-scored proposal of
            the same class is suppressed.

    Returns:
        np.ndarray: (M, 4) kept proposals, sorted by score descending.
    """
    proposals = _as_proposals(proposals)
    keep = []
    for cls in np.unique(proposals[:, 2]):
        idx = np.flatnonzero(proposals[:, 2] == cls)
        keep.append(idx[_nms_single_class(proposals[idx], iou_threshold)])
    if not keep:
        return proposals
    # sorting the kept indices first makes ties follow the input order
    return _sorted_by_score(proposals[np.sort(np.concatenate(keep))])


def _soft_nms_single_class(proposals: np.ndarray, sigma: float,
                           iou_threshold: float, score_threshold: float,
                           method: str) -> np.ndarray:
    remaining = proposals.copy()
    kept = []
    while len(remaining):
        best = int(np.argmax(remaining[:, 3]))  # first maximum: stable tie
        top = remaining[best]
        kept.append(top)
        remaining = np.delete(remaining, best, axis=0)
        ious = temporal_iou(top[:2], remaining[:, :2])
        if method == 'gaussian':
            decay = np.exp(-ious**2 / sigma)
        else:
            decay = np.where(ious > iou_threshold, 1.0 - ious, 1.0)
        remaining[:, 3] *= decay
        remaining = remaining[remaining[:, 3] >= score_threshold]
    return np.asarray(kept, dtype=np.float64).reshape(-1, 4)


def soft_nms(proposals: np.ndarray,
             sigma: float = 0.5,
             iou_threshold: float = 0.3,
             score_threshold: float = 0.001,
             method: str = 'gaussian') -> np.ndarray:
    """Class-wise soft-NMS (Bodla et al., 2017) on temporal proposals.

    Repeatedly takes the highest-scored remaining proposal of a class and
    decays the scores of the others by their IoU ``o`` with it:

    - ``'gaussian'``: ``score *= exp(-o ** 2 / sigma)``;
    - ``'linear'``: ``score *= 1 - o`` where ``o > iou_threshold``.

    Proposals whose decayed score falls below ``score_threshold`` are dropped.

    Args:
        proposals (np.ndarray): (N, 4) ``[start, end, class, score]``.
        sigma (float): Width of the Gaussian decay. Defaults to 0.5.
        iou_threshold (float): IoU above which the linear decay applies;
            unused by the Gaussian method. Defaults to 0.3.
        score_threshold (float): Decayed scores below it are dropped.
            Defaults to 0.001.
        method (str): ``'gaussian'`` or ``'linear'``. Defaults to
            ``'gaussian'``.

    Returns:
        np.ndarray: (M, 4) proposals with decayed scores, sorted by score
        descending.
    """
    if method not in ('gaussian', 'linear'):
        raise ValueError(f"method must be 'gaussian' or 'linear', got "
                         f'{method!r}')
    if method == 'gaussian' and sigma <= 0:
        raise ValueError(f'sigma must be positive, got {sigma}')
    proposals = _as_proposals(proposals)
    per_class = [
        _soft_nms_single_class(proposals[proposals[:, 2] == cls], sigma,
                               iou_threshold, score_threshold, method)
        for cls in np.unique(proposals[:, 2])
    ]
    if not per_class:
        return proposals
    return _sorted_by_score(np.concatenate(per_class))
