"""mAP at temporal IoU thresholds, equal to the official ActivityNet
detection evaluation (``eval_detection.py`` of the ActivityNet challenge),
exact in float64 and vectorised.

Semantics, per class and threshold ``t``: predictions of the class from all
videos are ranked by score, descending; among equal scores the prediction
that comes later in the input ranks first (the official code reverses an
ascending argsort; we make that argsort stable, which the official default
sort only is for arrays of up to 16 elements). In rank order, a prediction
takes, among the still unmatched ground truths of its class and video with
``tIoU >= t``, the one of highest tIoU (equal tIoU: the later ground truth,
the same reversed argsort) and is a true positive; otherwise it is a false
positive. AP is the all-point interpolated area under the precision/recall
curve (official ``interpolated_prec_rec``); mAP is the mean over the classes
that have ground truth.

Choices where the official code crashes or leaves a case undefined:

- tIoU of two zero-length segments (official: 0/0 = nan, which matches any
  such ground truth first): 1 if they are the same point, else 0.
- Duplicate ground-truth segments each count, and each can be matched once
  (as in the official code).
- A predicted label without ground truth (official: ``KeyError``): ignored
  and counted (``unknown_label='ignore'``) or ``'raise'``.
- A prediction in a video without any ground-truth segment: ignored and
  counted (``unknown_video='ignore'``), ``'raise'``, or a false positive
  (``'false_positive'``, what the official code does).
- Ambiguous intervals (THUMOS14): ``ambiguous='ignore'`` treats them as
  nothing (official); ``'exclude'`` drops, at threshold ``t``, each false
  positive whose tIoU with an ambiguous interval of its video is ``>= t``.
"""
import dataclasses
from typing import List, Mapping, Sequence, Union

import numpy as np

# THUMOS14 uses the decimal values; ActivityNet the official
# np.linspace(0.5, 0.95, 10), whose 9th value is 0.8999999999999999.
TIOU_PRESETS = {
    'thumos14': (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7),
    'activitynet': tuple(np.linspace(0.5, 0.95, 10).tolist()),
}
_POLICIES = dict(unknown_label=('ignore', 'raise'),
                 unknown_video=('ignore', 'raise', 'false_positive'),
                 ambiguous=('ignore', 'exclude'))


@dataclasses.dataclass
class DetectionMAPResult:
    """What :func:`detection_map` found.

    Attributes:
        tiou_thresholds (np.ndarray): ``(T,)`` thresholds.
        labels (np.ndarray): ``(C,)`` the classes with ground truth, sorted.
        ap (np.ndarray): ``(C, T)`` average precision per class and threshold.
        num_ground_truths (np.ndarray): ``(C,)`` segments per class.
        num_predictions (int): Predictions evaluated.
        num_unknown_label (int): Predictions ignored for their label.
        unknown_videos (list[str]): Predicted videos without ground truth.
        num_unknown_video_predictions (int): Predictions in those videos.
    """
    tiou_thresholds: np.ndarray
    labels: np.ndarray
    ap: np.ndarray
    num_ground_truths: np.ndarray
    num_predictions: int
    num_unknown_label: int
    unknown_videos: List[str]
    num_unknown_video_predictions: int

    @property
    def mAP(self) -> np.ndarray:
        """``(T,)`` mean AP over classes at each threshold."""
        return self.ap.mean(axis=0)


def resolve_tiou_thresholds(spec: Union[str, Sequence[float]]) -> np.ndarray:
    """Thresholds from a preset name (``'thumos14'``: 0.1:0.1:0.7,
    ``'activitynet'``: 0.5:0.05:0.95) or a sequence of values in (0, 1]."""
    if isinstance(spec, str):
        if spec not in TIOU_PRESETS:
            raise ValueError(f'unknown tIoU preset {spec!r}, choose from '
                             f'{sorted(TIOU_PRESETS)} or give a list')
        spec = TIOU_PRESETS[spec]
    values = np.asarray(spec, dtype=np.float64).reshape(-1)
    if values.size == 0 or not np.all((values > 0) & (values <= 1)):
        raise ValueError(f'tIoU thresholds must be in (0, 1], got {spec!r}')
    return values


def segment_tiou(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """Elementwise tIoU of ``(..., 2)`` arrays of ``[start, end]``
    (broadcast), computed as the official ``segment_iou`` does; two
    zero-length segments have tIoU 1 if they are the same point, else 0."""
    pred, gt = np.asarray(pred, np.float64), np.asarray(gt, np.float64)
    inter = (np.minimum(pred[..., 1], gt[..., 1]) -
             np.maximum(pred[..., 0], gt[..., 0])).clip(0)
    union = (gt[..., 1] - gt[..., 0]) + (pred[..., 1] - pred[..., 0]) - inter
    with np.errstate(invalid='ignore', divide='ignore'):
        tiou = np.asarray(inter / union)
    both_points = union == 0
    tiou[both_points] = (pred[..., 0] == gt[..., 0])[both_points]
    return tiou


def interpolated_ap(precision: np.ndarray, recall: np.ndarray) -> float:
    """All-point interpolated AP, the official ``interpolated_prec_rec``."""
    mprec = np.concatenate([[0.], precision, [0.]])
    mrec = np.concatenate([[0.], recall, [1.]])
    mprec = np.maximum.accumulate(mprec[::-1])[::-1]
    idx = np.flatnonzero(mrec[1:] != mrec[:-1]) + 1
    return float(np.sum((mrec[idx] - mrec[idx - 1]) * mprec[idx]))


def _pairs_by_key(pred_key, gt_key_sorted):
    """All (prediction, ground truth) index pairs with equal keys; ground
    truths are indexed in ``gt_key_sorted`` order."""
    lo = np.searchsorted(gt_key_sorted, pred_key, 'left')
    count = np.searchsorted(gt_key_sorted, pred_key, 'right') - lo
    pi = np.repeat(np.arange(len(pred_key)), count)
    starts = np.cumsum(count) - count
    gj = np.arange(len(pi)) - np.repeat(starts - lo, count)
    return pi, gj


def _greedy_match(pi, gj, tiou, thresholds, num_preds, num_gts):
    """``(T, num_preds)`` true-positive flags of predictions indexed by rank.

    The sequential greedy walks candidate entries (prediction, ground truth,
    threshold with tIoU >= t) in the order (rank, -tIoU, -gt index). An entry
    is accepted iff no earlier entry of its prediction or its ground truth
    was. So every entry that is the first remaining one of both its
    prediction and its ground truth is accepted, all at once; the entries
    those decide are dropped; repeat. Each round locks at least one ground
    truth per (class, video, t) still open, and gives the sequential result.
    """
    num_t = len(thresholds)
    order = np.lexsort((-gj, -tiou, pi))
    pi, gj, tiou = pi[order], gj[order], tiou[order]
    pk, gk = [], []
    for t, thr in enumerate(thresholds):  # t-major: pred keys come sorted
        sel = tiou >= thr
        pk.append(pi[sel] + t * num_preds)
        gk.append(gj[sel] + t * num_gts)
    pk, gk = np.concatenate(pk), np.concatenate(gk)
    matched = np.zeros(num_t * num_preds, bool)
    locked = np.zeros(num_t * num_gts, bool)
    # Entries are only ever removed, so an entry that heads its ground
    # truth keeps heading it in later rounds: the flags need no reset.
    first_of_gt = np.zeros(len(pk), bool)
    ids = np.arange(len(pk))
    gids = np.argsort(gk, kind='stable')
    while ids.size:
        keys = gk[gids]
        head = gids[np.r_[True, keys[1:] != keys[:-1]]]
        first_of_gt[head] = True
        keys = pk[ids]
        acc = ids[np.r_[True, keys[1:] != keys[:-1]] & first_of_gt[ids]]
        matched[pk[acc]] = True
        locked[gk[acc]] = True
        ids = ids[~(matched[pk[ids]] | locked[gk[ids]])]
        gids = gids[~(matched[pk[gids]] | locked[gk[gids]])]
    return matched.reshape(num_t, num_preds)


def _as_segments(value, n_what: str) -> np.ndarray:
    seg = np.asarray(value, dtype=np.float64).reshape(-1, 2)
    if not np.all(np.isfinite(seg)) or np.any(seg[:, 0] > seg[:, 1]):
        raise ValueError(f'{n_what}: segments must be finite [start, end] '
                         'with start <= end')
    return seg


def detection_map(ground_truth: Mapping[str, Mapping],
                  predictions: Mapping[str, Mapping],
                  tiou_thresholds: Union[str, Sequence[float]] = 'thumos14',
                  unknown_label: str = 'ignore',
                  unknown_video: str = 'ignore',
                  ambiguous: str = 'ignore') -> DetectionMAPResult:
    """mAP at each tIoU threshold, as the official ActivityNet evaluation.

    Args:
        ground_truth (Mapping[str, Mapping]): Video id to a dict with
            ``segments`` ``(M, 2)`` start/end in seconds, ``labels`` ``(M,)``
            integer classes and optionally ``ambiguous`` ``(K, 2)``.
        predictions (Mapping[str, Mapping]): Video id to a dict with
            ``segments`` ``(N, 2)``, ``labels`` ``(N,)`` and ``scores``
            ``(N,)``. Their order (videos, then rows) breaks score ties.
        tiou_thresholds (str | Sequence[float]): A preset name of
            :data:`TIOU_PRESETS` or values in (0, 1]. Defaults to
            ``'thumos14'``.
        unknown_label (str): ``'ignore'`` or ``'raise'`` for predictions of
            a class without ground truth. Defaults to ``'ignore'``.
        unknown_video (str): ``'ignore'``, ``'raise'`` or
            ``'false_positive'`` for predictions in a video without
            ground-truth segments. Defaults to ``'ignore'``.
        ambiguous (str): ``'ignore'`` or ``'exclude'`` (see the module
            docstring). Defaults to ``'ignore'``.

    Returns:
        DetectionMAPResult: Per-class AP, mAP and what was left out.
    """
    for name, value in (('unknown_label', unknown_label),
                        ('unknown_video', unknown_video),
                        ('ambiguous', ambiguous)):
        if value not in _POLICIES[name]:
            raise ValueError(f'{name} must be one of {_POLICIES[name]}, '
                             f'got {value!r}')
    thresholds = resolve_tiou_thresholds(tiou_thresholds)
    # Ground truth, flattened; a video index per row.
    vids, g_seg, g_lab, g_vid, a_seg, a_vid = {}, [], [], [], [], []
    for vid, gt in ground_truth.items():
        seg = _as_segments(gt['segments'], f'ground truth of video {vid!r}')
        if len(seg) == 0:
            continue
        vids[vid] = len(vids)
        g_seg.append(seg)
        g_lab.append(np.asarray(gt['labels'], np.int64).reshape(-1))
        g_vid.append(np.full(len(seg), vids[vid]))
        amb = _as_segments(gt.get('ambiguous', np.zeros((0, 2))),
                           f'ambiguous intervals of video {vid!r}')
        a_seg.append(amb)
        a_vid.append(np.full(len(amb), vids[vid]))
    if not vids:
        raise ValueError('the ground truth has no segments')
    g_seg, g_lab, g_vid = map(np.concatenate, (g_seg, g_lab, g_vid))
    a_seg, a_vid = np.concatenate(a_seg), np.concatenate(a_vid)
    classes, num_gts = np.unique(g_lab, return_counts=True)

    # Predictions, flattened in input order; unknown videos get fresh
    # indices so that they pair with no ground truth.
    p_seg, p_lab, p_score, p_vid = ([np.zeros((0, 2))], [np.zeros(0, int)],
                                    [np.zeros(0)], [np.zeros(0, int)])
    unknown_videos, n_unknown_vid = [], 0
    for vid, pred in predictions.items():
        seg = _as_segments(pred['segments'], f'predictions of video {vid!r}')
        lab = np.asarray(pred['labels'], np.int64).reshape(-1)
        score = np.asarray(pred['scores'], np.float64).reshape(-1)
        if not len(seg) == len(lab) == len(score):
            raise ValueError(f'predictions of video {vid!r}: segments, '
                             'labels and scores differ in length')
        if not np.all(np.isfinite(score)):
            raise ValueError(f'predictions of video {vid!r}: scores must '
                             'be finite')
        index = vids.get(vid, -1)
        if index < 0 and len(seg):
            unknown_videos.append(vid)
            n_unknown_vid += len(seg)
            if unknown_video != 'false_positive':
                continue
            index = len(vids) + len(unknown_videos)
        p_seg.append(seg)
        p_lab.append(lab)
        p_score.append(score)
        p_vid.append(np.full(len(seg), index))
    if unknown_videos and unknown_video == 'raise':
        raise ValueError(f'{len(unknown_videos)} predicted videos have no '
                         f'ground truth, e.g. {unknown_videos[:5]}')
    p_seg, p_lab, p_score, p_vid = map(np.concatenate,
                                       (p_seg, p_lab, p_score, p_vid))
    known = np.isin(p_lab, classes)
    if not np.all(known) and unknown_label == 'raise':
        raise ValueError(f'predicted labels without ground truth: '
                         f'{sorted(set(p_lab[~known].tolist()))}')
    # Stable ascending argsort reversed: the later of equal scores first.
    order = np.flatnonzero(known)[np.argsort(p_score[known],
                                             kind='stable')[::-1]]
    p_seg, p_lab, p_vid = p_seg[order], p_lab[order], p_vid[order]
    num_preds, num_gt_total = len(order), len(g_lab)

    num_vids = len(vids) + len(unknown_videos) + 1
    g_key = g_lab * num_vids + g_vid
    g_order = np.argsort(g_key, kind='stable')  # keeps input order per block
    pi, gj = _pairs_by_key(p_lab * num_vids + p_vid, g_key[g_order])
    tiou = segment_tiou(p_seg[pi], g_seg[g_order][gj])
    keep = tiou >= thresholds.min()
    tp = _greedy_match(pi[keep], gj[keep], tiou[keep], thresholds, num_preds,
                       num_gt_total)
    counted = np.ones_like(tp)
    if ambiguous == 'exclude' and len(a_seg):
        a_order = np.argsort(a_vid, kind='stable')
        pi, aj = _pairs_by_key(p_vid, a_vid[a_order])
        amb_tiou = np.zeros(num_preds)
        np.maximum.at(amb_tiou, pi, segment_tiou(p_seg[pi],
                                                 a_seg[a_order][aj]))
        counted = tp | (amb_tiou[None] < thresholds[:, None])

    ap = np.zeros((len(classes), len(thresholds)))
    by_class = np.argsort(p_lab, kind='stable')  # rank order within a class
    bounds = np.searchsorted(p_lab[by_class], classes, 'left'), \
        np.searchsorted(p_lab[by_class], classes, 'right')
    for c, (lo, hi) in enumerate(zip(*bounds)):
        rows = by_class[lo:hi]
        for t in range(len(thresholds)):
            tp_c = tp[t, rows][counted[t, rows]].astype(np.float64)
            if tp_c.size == 0:
                continue
            tp_cum, fp_cum = np.cumsum(tp_c), np.cumsum(1. - tp_c)
            ap[c, t] = interpolated_ap(tp_cum / (tp_cum + fp_cum),
                                       tp_cum / num_gts[c])
    return DetectionMAPResult(
        tiou_thresholds=thresholds, labels=classes, ap=ap,
        num_ground_truths=num_gts, num_predictions=num_preds,
        num_unknown_label=int((~known).sum()), unknown_videos=unknown_videos,
        num_unknown_video_predictions=n_unknown_vid)
