import numpy as np
import pytest

from mmwsal.models.utils import (connected_components, generate_proposals,
                                 outer_inner_contrast, postprocess,
                                 select_classes)


def runs_by_loop(mask):
    runs, start = [], None
    for i, value in enumerate(mask):
        if value and start is None:
            start = i
        elif not value and start is not None:
            runs.append([start, i])
            start = None
    if start is not None:
        runs.append([start, len(mask)])
    return np.array(runs, dtype=np.int64).reshape(-1, 2)


@pytest.mark.parametrize('mask, expected', [
    ([False] * 5, []),
    ([True] * 5, [[0, 5]]),
    ([True, True, False, False, True], [[0, 2], [4, 5]]),
    ([True, False, True, False, True], [[0, 1], [2, 3], [4, 5]]),
    ([False, True, False], [[1, 2]]),
    ([], []),
])
def test_connected_components_hand_made(mask, expected):
    runs = connected_components(np.array(mask, dtype=bool))
    assert runs.shape == (len(expected), 2)
    np.testing.assert_array_equal(runs, np.array(expected).reshape(-1, 2))


@pytest.mark.parametrize('seed', range(50))
def test_connected_components_matches_loop(seed):
    rng = np.random.default_rng(seed)
    mask = rng.random(rng.integers(1, 60)) < rng.random()
    np.testing.assert_array_equal(
        connected_components(mask), runs_by_loop(mask))


def test_select_classes():
    # only class 0 passes: index 0 must not be treated as "no class"
    np.testing.assert_array_equal(
        select_classes(np.array([0.9, 0.1, 0.2]), 0.5), [0])
    np.testing.assert_array_equal(
        select_classes(np.array([0.9, 0.1, 0.2]), 0.5, fallback_top=False),
        [0])
    # none passes: fall back to the top class, which is again class 0
    np.testing.assert_array_equal(
        select_classes(np.array([0.4, 0.1, 0.2]), 0.5), [0])
    np.testing.assert_array_equal(
        select_classes(np.array([0.1, 0.3, 0.2]), 0.5), [1])
    assert select_classes(
        np.array([0.1, 0.3]), 0.5, fallback_top=False).size == 0
    # several pass; the threshold itself passes (>=)
    np.testing.assert_array_equal(
        select_classes(np.array([0.6, 0.1, 0.5, 0.9]), 0.5), [0, 2, 3])


def test_two_bumps_give_expected_seconds():
    cas = np.array([0, .8, .9, 0, 0, 0, .6, .7, .7, 0])[:, None]
    props = generate_proposals(
        cas,
        np.array([1.0]), [0], [0.5],
        snippet_seconds=0.64,
        score='mean',
        class_score_weight=0.0)
    assert props.dtype == np.float64 and props.shape == (2, 4)
    np.testing.assert_allclose(props[:, :2], [[0.64, 1.92], [3.84, 5.76]])
    np.testing.assert_array_equal(props[:, 2], [0, 0])
    np.testing.assert_allclose(props[:, 3], [0.85, 2.0 / 3.0])


def test_outer_inner_contrast_hand_computed():
    seq = np.array([0.1, 0.9, 0.8, 0.7, 0.9, 0.2, 0.0, 0.3])
    # [1, 5): inner (0.9+0.8+0.7+0.9)/4 = 0.825; o = max(1, floor(1)) = 1;
    # outer = (0.1 + 0.2) / 2 = 0.15 -> 0.675
    # [0, 2): inner 0.5; left clipped; o = 1; outer = 0.8 -> -0.3
    np.testing.assert_allclose(
        outer_inner_contrast(seq, np.array([[1, 5], [0, 2]]), 0.25),
        [0.675, -0.3])
    # o = floor(0.5 * 4) = 2: left [0, 1) clipped = 0.1, right 0.2, 0.0
    # outer = 0.3 / 3 = 0.1 -> 0.725
    np.testing.assert_allclose(
        outer_inner_contrast(seq, np.array([[1, 5]]), 0.5), [0.725])
    # whole video: no outer region, outer mean 0
    np.testing.assert_allclose(
        outer_inner_contrast(seq, np.array([[0, 8]]), 0.25), [seq.mean()])

    props = generate_proposals(
        seq[:, None],
        np.array([0.5]), [0], [0.5],
        snippet_seconds=1.0,
        score='oic',
        class_score_weight=0.2)
    # 0.675 + 0.2 * 0.5
    np.testing.assert_allclose(props, [[1.0, 5.0, 0.0, 0.775]])


@pytest.mark.parametrize('score', ['oic', 'mean'])
def test_class_score_term_varies_with_video_score(score):
    column = np.array([0, 0.2, 0.9, 0.8, 0.1, 0])
    cas = np.stack([column, column], axis=1)
    props = generate_proposals(
        cas,
        np.array([0.3, 0.9]), [0, 1], [0.5],
        snippet_seconds=1.0,
        score=score,
        class_score_weight=0.2)
    assert props.shape == (2, 4)
    np.testing.assert_array_equal(props[0, :2], props[1, :2])
    np.testing.assert_allclose(props[1, 3] - props[0, 3], 0.2 * 0.6)


def test_min_length_filters_short_runs():
    cas = np.array([[.9, .9], [0, .9], [.9, .9], [0, 0], [.9, 0]])
    props = generate_proposals(
        cas,
        np.array([.5, .5]), [0, 1], [0.5],
        snippet_seconds=1.0,
        min_length=2)
    # class 0 has only one-snippet runs: no proposal, no crash
    np.testing.assert_array_equal(props[:, 2], [1])
    np.testing.assert_array_equal(props[:, :2], [[0, 3]])
    only_short = generate_proposals(
        cas, np.array([.5, .5]), [0], [0.5], snippet_seconds=1.0, min_length=2)
    assert only_short.shape == (0, 4)


def test_attention_versus_cas_source():
    cas = np.zeros((10, 2))
    cas[5:8, 1] = 0.9
    attention = np.zeros(10)
    attention[2:4] = 0.9
    by_attention = generate_proposals(
        cas,
        np.ones(2), [1], [0.5],
        1.0,
        attention=attention,
        source='attention')
    by_cas = generate_proposals(
        cas, np.ones(2), [1], [0.5], 1.0, attention=attention, source='cas')
    np.testing.assert_array_equal(by_attention[:, :2], [[2, 4]])
    np.testing.assert_array_equal(by_cas[:, :2], [[5, 8]])
    with pytest.raises(ValueError):
        generate_proposals(
            cas, np.ones(2), [1], [0.5], 1.0, source='attention')


def test_empty_inputs():
    assert generate_proposals(
        np.zeros((0, 3)), np.ones(3), [0, 1], [0.1, 0.2], 1.0).shape == (0, 4)
    assert generate_proposals(np.ones((5, 3)), np.ones(3), [], [0.1],
                              1.0).shape == (0, 4)
    assert generate_proposals(np.ones((5, 3)), np.ones(3), [0], [],
                              1.0).shape == (0, 4)


def test_postprocess_chain():
    cas = np.zeros((20, 3))
    cas[4:8, 0] = 0.9
    cas[12:15, 0] = 0.6
    video_scores = np.array([0.8, 0.1, 0.05])
    dets = postprocess(
        video_scores,
        cas,
        snippet_seconds=0.5,
        class_threshold=0.5,
        thresholds=np.arange(0, 0.5, 0.1),
        iou_threshold=0.5)
    # every threshold finds the same two runs; NMS keeps one copy of each
    np.testing.assert_allclose(dets[:, :3], [[2, 4, 0], [6, 7.5, 0]])
    assert np.all(np.diff(dets[:, 3]) <= 0)
    capped = postprocess(
        video_scores,
        cas,
        snippet_seconds=0.5,
        thresholds=[0.1],
        nms_method='soft_nms',
        max_proposals=1)
    assert capped.shape == (1, 4)


def test_minmax_normalize_as_the_reference_networks():
    from mmwsal.models.utils import minmax_normalize
    x = np.array([[1.0, -2.0, -3.0, 5.0], [3.0, -1.0, -1.0, 5.0],
                  [2.0, 2.0, -2.0, 5.0]])
    out = minmax_normalize(x)
    # column 0: min 1, max 3 -> (x - 1) / 2
    np.testing.assert_allclose(out[:, 0], [0.0, 1.0, 0.5])
    # column 1: the negative minimum is clipped at 0 -> x / 2
    np.testing.assert_allclose(out[:, 1], [-1.0, -0.5, 1.0])
    # column 2: never positive: max and min clip to 0, divisor 1
    np.testing.assert_allclose(out[:, 2], x[:, 2])
    # column 3: constant 5: empty range, divisor 1 -> x - 5
    np.testing.assert_allclose(out[:, 3], 0.0)
    np.testing.assert_allclose(minmax_normalize(x[:, 0]), out[:, 0])


def test_upsample_sequence_against_interpolation_with_extrapolation():
    from mmwsal.models.utils import upsample_sequence
    rng = np.random.default_rng(0)
    x = rng.random((7, 3))
    for scale in (1, 2, 5, 24):
        out = upsample_sequence(x, scale)
        assert out.shape == (7 * scale, 3)
        pos = np.arange(7 * scale) / scale
        for c in range(3):
            ref = np.interp(pos, np.arange(7), x[:, c])
            beyond = pos > 6  # extrapolate the last step linearly
            ref[beyond] = x[6, c] + (pos[beyond] - 6) * (x[6, c] - x[5, c])
            np.testing.assert_allclose(out[:, c], ref, rtol=1e-12)
    np.testing.assert_allclose(upsample_sequence(np.array([2.0]), 3), 2.0)
    with pytest.raises(ValueError, match='positive integer'):
        upsample_sequence(x, 1.5)
