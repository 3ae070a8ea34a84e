import numpy as np
import pytest

from mmwsal.evaluation.functional import (TIOU_PRESETS, detection_map,
                                          interpolated_ap,
                                          resolve_tiou_thresholds,
                                          segment_tiou)


def brute_force_map(gt, preds, thresholds):
    """The official semantics written plainly: per class, per threshold,
    every prediction in score order against every ground truth."""
    classes = sorted({int(c) for g in gt.values() for c in g['labels']})
    flat = [(vid, tuple(s), int(l), float(sc))
            for vid, p in preds.items()
            for s, l, sc in zip(p['segments'], p['labels'], p['scores'])]
    maps = []
    for thr in thresholds:
        aps = []
        for c in classes:
            gts = [(vid, tuple(s)) for vid, g in gt.items()
                   for s, l in zip(g['segments'], g['labels']) if l == c]
            mine = [p for p in flat if p[2] == c]
            # Python's sort is stable: reversing the ascending order puts the
            # later of two equal scores first, like argsort()[::-1].
            ranked = sorted(range(len(mine)), key=lambda i: mine[i][3])[::-1]
            used, tps = set(), []
            for i in ranked:
                vid, (ps, pe) = mine[i][0], mine[i][1]
                cands = []
                for j, (gvid, (gs, ge)) in enumerate(gts):
                    if gvid != vid:
                        continue
                    inter = max(0.0, min(pe, ge) - max(ps, gs))
                    union = (ge - gs) + (pe - ps) - inter
                    iou = inter / union if union > 0 else float(ps == gs)
                    cands.append((iou, j))
                hit = 0
                for iou, j in sorted(cands, reverse=True):
                    if iou < thr:
                        break
                    if j not in used:
                        used.add(j)
                        hit = 1
                        break
                tps.append(hit)
            tp_cum = np.cumsum(np.array(tps, float))
            fp_cum = np.cumsum(1 - np.array(tps, float))
            if not tps:
                aps.append(0.0)
                continue
            prec = list(tp_cum / (tp_cum + fp_cum))
            rec = list(tp_cum / len(gts))
            mprec, mrec = [0.0] + prec + [0.0], [0.0] + rec + [1.0]
            for i in range(len(mprec) - 2, -1, -1):
                mprec[i] = max(mprec[i], mprec[i + 1])
            aps.append(sum((mrec[i] - mrec[i - 1]) * mprec[i]
                           for i in range(1, len(mrec))
                           if mrec[i] != mrec[i - 1]))
        maps.append(float(np.mean(aps)))
    return np.array(maps)


def random_case(seed, num_videos=4, num_classes=3):
    rng = np.random.default_rng(seed)
    gt, preds = {}, {}
    for v in range(num_videos):
        m = rng.integers(0, 6)
        start = rng.integers(0, 20, m).astype(float)
        gt[f'v{v}'] = dict(
            segments=np.stack([start, start + rng.integers(1, 6, m)], 1),
            labels=rng.integers(0, num_classes, m))
        n = rng.integers(0, 12)
        start = rng.integers(0, 20, n).astype(float)
        # Integer times and coarse scores make exact ties of tIoU and score.
        preds[f'v{v}'] = dict(
            segments=np.stack([start, start + rng.integers(1, 6, n)], 1),
            labels=rng.integers(0, num_classes, n),
            scores=rng.integers(0, 4, n) / 4)
    return gt, preds


def one(segments, labels, scores=None):
    d = dict(segments=np.asarray(segments, float).reshape(-1, 2),
             labels=np.asarray(labels, int))
    if scores is not None:
        d['scores'] = np.asarray(scores, float)
    return d


@pytest.mark.parametrize('seed', range(30))
def test_equals_brute_force(seed):
    gt, preds = random_case(seed)
    thresholds = [0.1, 0.25, 0.5, 2 / 3, 0.75, 1.0]
    # The official code: a prediction in a video without GT is an FP.
    result = detection_map(gt, preds, thresholds,
                           unknown_video='false_positive')
    np.testing.assert_allclose(
        result.mAP, brute_force_map(gt, preds, thresholds), rtol=0,
        atol=1e-12)
    # The default leaves those predictions out.
    annotated = {v: p for v, p in preds.items() if len(gt[v]['labels'])}
    np.testing.assert_allclose(
        detection_map(gt, preds, thresholds).mAP,
        brute_force_map(gt, annotated, thresholds), rtol=0, atol=1e-12)


def test_hand_computed_ap():
    # Two GT; predictions by score: TP, FP, TP.
    # precision 1, 1/2, 2/3 at recall 1/2, 1/2, 1 -> AP = .5 + .5 * 2/3.
    gt = {'a': one([[0, 10], [20, 30]], [0, 0])}
    preds = {'a': one([[0, 10], [40, 50], [20, 30]], [0, 0, 0],
                      [0.9, 0.8, 0.7])}
    result = detection_map(gt, preds, [0.5])
    assert result.ap[0, 0] == pytest.approx(0.5 + 0.5 * 2 / 3, abs=1e-15)
    assert interpolated_ap(np.array([1, .5, 2 / 3]),
                           np.array([.5, .5, 1.])) == result.ap[0, 0]


def test_tiou_equal_to_threshold_matches():
    gt = {'a': one([[0, 4]], [0])}
    preds = {'a': one([[0, 1]], [0], [1.0])}  # tIoU exactly 0.25
    assert segment_tiou(np.array([0., 1.]), np.array([0., 4.])) == 0.25
    assert detection_map(gt, preds, [0.25]).ap[0, 0] == 1.0
    assert detection_map(gt, preds, [0.26]).ap[0, 0] == 0.0


def test_score_tie_later_prediction_ranks_first():
    gt = {'a': one([[0, 10]], [0])}
    # Equal scores: the official reversed argsort puts the FP (later) first.
    preds = {'a': one([[0, 10], [50, 60]], [0, 0], [0.5, 0.5])}
    assert detection_map(gt, preds, [0.5]).ap[0, 0] == 0.5
    swapped = {'a': one([[50, 60], [0, 10]], [0, 0], [0.5, 0.5])}
    assert detection_map(gt, swapped, [0.5]).ap[0, 0] == 1.0
    # Also across videos: input order of the videos breaks the tie.
    gt2 = {'a': one([[0, 10]], [0]), 'b': one([[0, 10]], [1])}
    preds2 = {'a': one([[0, 10]], [0], [0.5]),
              'b': one([[50, 60]], [0], [0.5])}
    assert detection_map(gt2, preds2, [0.5]).ap[0, 0] == 0.5


def test_gt_choice_by_tiou_then_later_gt():
    # The first prediction overlaps both GT with tIoU 0.5 and takes the
    # later one; the second then finds the earlier free.
    gt = {'a': one([[0, 2], [2, 4]], [0, 0])}
    preds = {'a': one([[1, 3], [2, 4]], [0, 0], [0.9, 0.8])}
    # pred [1,3]: tIoU 1/3 with both; at 1/3 it takes GT [2,4] (the later),
    # so [2,4] has nothing left: AP = 1/2.
    assert detection_map(gt, preds, [1 / 3]).ap[0, 0] == 0.5
    gt_rev = {'a': one([[2, 4], [0, 2]], [0, 0])}
    assert detection_map(gt_rev, preds, [1 / 3]).ap[0, 0] == 1.0


def test_no_predictions_and_class_without_gt():
    gt = {'a': one([[0, 10]], [0]), 'b': one([[0, 10]], [2])}
    preds = {'a': one([[0, 10]], [0], [1.0]),
             'b': one(np.zeros((0, 2)), [], [])}
    result = detection_map(gt, preds, [0.5])
    assert result.labels.tolist() == [0, 2]  # class 1 has no GT
    assert result.ap[:, 0].tolist() == [1.0, 0.0]
    assert result.mAP[0] == 0.5
    assert detection_map(gt, {}, [0.5]).mAP[0] == 0.0


def test_zero_length_segments():
    assert segment_tiou(np.array([3., 3.]), np.array([3., 3.])) == 1.0
    assert segment_tiou(np.array([3., 3.]), np.array([4., 4.])) == 0.0
    assert segment_tiou(np.array([3., 3.]), np.array([2., 4.])) == 0.0
    gt = {'a': one([[3, 3]], [0])}
    preds = {'a': one([[4, 4], [3, 3]], [0, 0], [0.9, 0.8])}
    assert detection_map(gt, preds, [1.0]).ap[0, 0] == 0.5


def test_duplicate_gt_each_counts():
    gt = {'a': one([[0, 10], [0, 10]], [0, 0])}
    one_pred = {'a': one([[0, 10]], [0], [1.0])}
    two_preds = {'a': one([[0, 10], [0, 10]], [0, 0], [1.0, 0.9])}
    assert detection_map(gt, one_pred, [0.5]).ap[0, 0] == 0.5
    assert detection_map(gt, two_preds, [0.5]).ap[0, 0] == 1.0


def test_unknown_label_and_video():
    gt = {'a': one([[0, 10]], [0])}
    preds = {'a': one([[0, 10], [0, 10]], [0, 5], [0.5, 0.9]),
             'x': one([[0, 10]], [0], [0.95])}
    result = detection_map(gt, preds, [0.5])
    assert result.ap[0, 0] == 1.0
    assert result.num_unknown_label == 1
    assert result.unknown_videos == ['x']
    assert result.num_unknown_video_predictions == 1
    with pytest.raises(ValueError, match='labels without ground truth'):
        detection_map(gt, preds, [0.5], unknown_label='raise')
    with pytest.raises(ValueError, match='no ground truth'):
        detection_map(gt, preds, [0.5], unknown_video='raise')
    # The official code counts a prediction in an unknown video as FP.
    fp = detection_map(gt, preds, [0.5], unknown_video='false_positive')
    assert fp.ap[0, 0] == 0.5


def test_ambiguous_exclude():
    gt = {'a': dict(segments=np.array([[0., 10.]]), labels=np.array([0]),
                    ambiguous=np.array([[20., 30.]]))}
    preds = {'a': one([[21, 30], [0, 10]], [0, 0], [0.9, 0.8])}
    assert detection_map(gt, preds, [0.5]).ap[0, 0] == 0.5
    excl = detection_map(gt, preds, [0.5, 0.95], ambiguous='exclude')
    # tIoU 0.9 with the ambiguous interval: not an FP at 0.5, one at 0.95.
    assert excl.ap[0].tolist() == [1.0, 0.5]


def test_thresholds_and_bad_input():
    assert resolve_tiou_thresholds('thumos14').tolist() == [
        0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
    anet = resolve_tiou_thresholds('activitynet')
    assert len(anet) == 10 and anet[0] == 0.5 and anet[-1] == 0.95
    assert tuple(anet) == TIOU_PRESETS['activitynet']
    for bad in ('coco', [], [0.0], [1.5]):
        with pytest.raises(ValueError):
            resolve_tiou_thresholds(bad)
    gt = {'a': one([[0, 10]], [0])}
    with pytest.raises(ValueError, match="video 'a'"):
        detection_map(gt, {'a': one([[5, 1]], [0], [1.])})
    with pytest.raises(ValueError, match='ambiguous'):
        detection_map(gt, {}, ambiguous='drop')
