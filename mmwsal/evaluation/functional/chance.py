"""What random scores give: the level a recognizer's mAP is read against."""
from typing import Tuple

import numpy as np
from mmaction.evaluation.functional import mean_average_precision


def random_score_map(labels: np.ndarray,
                     trials: int = 2000,
                     seed: int = 0) -> Tuple[float, float]:
    """Mean and 95th percentile of the multi-label mAP (MMAction2's
    ``mean_average_precision``, as ``acc/mean_average_precision`` reports
    it) of uniformly random video scores, over seeded trials.

    Args:
        labels (np.ndarray): (N, C) multi-hot labels of the test videos.
        trials (int): Draws of random scores. Defaults to 2000.
        seed (int): Seed of the draws. Defaults to 0.

    Returns:
        tuple[float, float]: The mean and the 95th percentile.
    """
    labels = np.asarray(labels, dtype=np.float64)
    if labels.ndim != 2 or not len(labels):
        raise ValueError(f'labels must be (N, C) with N > 0, got shape '
                         f'{labels.shape}')
    rng = np.random.default_rng(seed)
    maps = [
        mean_average_precision(list(rng.random(labels.shape)), list(labels))
        for _ in range(trials)
    ]
    return float(np.mean(maps)), float(np.percentile(maps, 95))
