"""Mean and 95% confidence interval over few-shot episodes."""
from typing import Sequence, Tuple

import numpy as np


def mean_confidence_interval(values: Sequence[float],
                             z: float = 1.96) -> Tuple[float, float]:
    """Mean of per-episode values and the half-width of its normal
    confidence interval, ``z * std / sqrt(n)``, as the few-shot literature
    reports ``mean +- half-width`` over episodes (population ``std``, as the
    evaluation code of Baseline++ computes it).

    Args:
        values (Sequence[float]): One value per episode.
        z (float): Normal quantile; 1.96 for 95%. Defaults to 1.96.

    Returns:
        tuple[float, float]: The mean and the half-width.
    """
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    if values.size == 0:
        raise ValueError('no episode values to average')
    return float(values.mean()), float(z * values.std() /
                                       np.sqrt(values.size))
