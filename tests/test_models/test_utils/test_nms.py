import math

import numpy as np
import pytest

from mmwsal.models.utils import nms, soft_nms, temporal_iou


def test_temporal_iou():
    np.testing.assert_allclose(
        temporal_iou(
            np.array([0., 4.]),
            np.array([[1., 5.], [4., 6.], [0., 4.], [5., 5.]])),
        [0.6, 0.0, 1.0, 0.0])


def test_nms_is_class_wise():
    props = np.array([
        [0, 10, 0, 0.9],
        [1, 10, 0, 0.8],  # IoU 0.9 with the first: suppressed
        [20, 30, 0, 0.7],
        [0, 10, 1, 0.85],  # other class: survives
    ])
    kept = nms(props, 0.5)
    np.testing.assert_array_equal(kept, props[[0, 3, 2]])


def test_nms_iou_exactly_at_threshold_is_kept():
    # IoU([0, 3], [1, 4]) = 2 / 4 = 0.5 exactly
    props = np.array([[0, 3, 0, 0.9], [1, 4, 0, 0.8]])
    assert len(nms(props, 0.5)) == 2
    assert len(nms(props, 0.49)) == 1
    # touching segments have IoU 0 and survive iou_threshold=0
    touching = np.array([[0, 3, 0, 0.9], [3, 4, 0, 0.8]])
    assert len(nms(touching, 0.0)) == 2


def test_nms_empty_and_ties():
    assert nms(np.zeros((0, 4)), 0.5).shape == (0, 4)
    assert soft_nms(np.zeros((0, 4))).shape == (0, 4)
    props = np.array([[5, 6, 0, 0.5], [0, 1, 0, 0.5], [0, 1, 1, 0.5]])
    np.testing.assert_array_equal(nms(props, 0.5), props)


def nms_reference(props, iou_threshold):
    kept = []
    order = sorted(range(len(props)), key=lambda i: (-props[i][3], i))
    for i in order:
        s, e, c = props[i][:3]
        suppressed = False
        for j in kept:
            if props[j][2] != c:
                continue
            inter = max(0.0, min(e, props[j][1]) - max(s, props[j][0]))
            union = (e - s) + (props[j][1] - props[j][0]) - inter
            if union > 0 and inter / union > iou_threshold:
                suppressed = True
                break
        if not suppressed:
            kept.append(i)
    kept.sort(key=lambda i: (-props[i][3], i))
    return props[kept]


@pytest.mark.parametrize('seed', range(20))
def test_nms_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = rng.integers(1, 40)
    starts = rng.integers(0, 30, n).astype(float)
    props = np.column_stack([
        starts,
        starts + rng.integers(1, 10, n),
        rng.integers(0, 3, n),
        np.round(rng.random(n), 1)  # rounding makes ties
    ])
    thr = float(rng.choice([0.0, 0.3, 0.5, 0.7]))
    np.testing.assert_array_equal(nms(props, thr), nms_reference(props, thr))


def test_soft_nms_gaussian_decay():
    props = np.array([
        [0, 4, 0, 0.9],
        [1, 5, 0, 0.8],  # IoU 0.6 with the first
        [10, 12, 0, 0.3],  # disjoint: unchanged
        [1, 5, 1, 0.7],  # other class: unchanged
    ])
    out = soft_nms(props, sigma=0.5, score_threshold=0.001)
    decayed = 0.8 * math.exp(-0.6**2 / 0.5)  # = 0.38943...
    np.testing.assert_allclose(
        out,
        [[0, 4, 0, 0.9], [1, 5, 1, 0.7], [1, 5, 0, decayed], [10, 12, 0, 0.3]])


def test_soft_nms_linear_and_score_threshold():
    props = np.array([[0, 4, 0, 0.9], [1, 5, 0, 0.8]])
    linear = soft_nms(props, iou_threshold=0.3, method='linear')
    np.testing.assert_allclose(linear[:, 3], [0.9, 0.8 * 0.4])
    untouched = soft_nms(props, iou_threshold=0.7, method='linear')
    np.testing.assert_allclose(untouched[:, 3], [0.9, 0.8])
    # a duplicate decays to 0.8 * exp(-2) = 0.108 and is dropped below 0.2
    duplicate = np.array([[0, 4, 0, 0.9], [0, 4, 0, 0.8]])
    assert len(soft_nms(duplicate, sigma=0.5, score_threshold=0.2)) == 1
    assert len(soft_nms(duplicate, sigma=0.5, score_threshold=0.1)) == 2
    with pytest.raises(ValueError):
        soft_nms(props, method='cubic')
