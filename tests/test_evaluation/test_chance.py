import numpy as np
import pytest

from mmwsal.evaluation.functional import random_score_map


def test_random_score_map_matches_the_expected_ap_of_a_random_ranking():
    # One positive among four videos: AP = 1 / its rank, uniform over
    # 1..4, so E[AP] = (1 + 1/2 + 1/3 + 1/4) / 4 for each of the 2 classes.
    labels = np.array([[1, 0], [0, 1], [0, 0], [0, 0]])
    mean, p95 = random_score_map(labels, trials=4000)
    assert mean == pytest.approx((1 + 1 / 2 + 1 / 3 + 1 / 4) / 4, abs=0.015)
    assert mean < p95 <= 1.0
    # Every video positive: every ranking is perfect.
    assert random_score_map(np.ones((3, 2)), trials=10) == (1.0, 1.0)
    # Seeded: the same draws again.
    assert random_score_map(labels, trials=50) == random_score_map(
        labels, trials=50)
    with pytest.raises(ValueError, match='N, C'):
        random_score_map(np.zeros((0, 3)))
