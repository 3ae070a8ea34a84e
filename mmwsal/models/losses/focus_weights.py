"""The weighting functions of AdaptFocus (Sec. 3.4, 3.5 and appendix S1.5).

Pure functions on tensors: the action focusing weight W(p, a_hat) and the
clip focusing mask M(t, T, lambda, gamma). Callers pass detached scores;
neither function is meant to carry gradient.
"""
import math
from typing import Optional, Tuple

import torch
from torch import Tensor

# (alpha, beta) of each weighting function as the paper sets them: Sec. 4.1
# for the exponential one (Eq. 5), appendix S1.5 for Eqs. S1-S3.
WEIGHTING_DEFAULTS = {
    'exponential': (5.0, 3.0),
    'constant': (5.0, 0.75),
    'linear': (5.0, 1.0),
    'logarithmic': (5.0, 1.0),
}


def weighting_factors(weighting: str,
                      alpha: Optional[float] = None,
                      beta: Optional[float] = None) -> Tuple[float, float]:
    """The (alpha, beta) of a weighting function, the paper's defaults where
    not given.

    Args:
        weighting (str): One of ``'exponential'``, ``'constant'``,
            ``'linear'``, ``'logarithmic'``.
        alpha (float, optional): Scale of the weight where the score reaches
            the threshold. Defaults to None (the paper's value).
        beta (float, optional): Scale of the weight below the threshold.
            Defaults to None (the paper's value).

    Returns:
        tuple[float, float]: ``(alpha, beta)``.
    """
    if weighting not in WEIGHTING_DEFAULTS:
        raise ValueError(f'weighting must be one of '
                         f'{sorted(WEIGHTING_DEFAULTS)}, got {weighting!r}')
    default_alpha, default_beta = WEIGHTING_DEFAULTS[weighting]
    alpha = default_alpha if alpha is None else float(alpha)
    beta = default_beta if beta is None else float(beta)
    if alpha <= 0:
        raise ValueError(f'alpha must be positive, got {alpha}')
    if beta <= 0:
        raise ValueError(f'beta must be positive, got {beta}')
    return alpha, beta


def action_focus_weight(score: Tensor,
                        threshold: Tensor,
                        weighting: str = 'exponential',
                        alpha: Optional[float] = None,
                        beta: Optional[float] = None) -> Tensor:
    """The action focusing weight W(p, a_hat) of Eq. 5 (or Eqs. S1-S3).

    With ``d = p - a_hat``, the branch ``p >= a_hat`` / ``p < a_hat`` gives:

    - exponential (Eq. 5): ``alpha * exp(d)`` / ``exp(-beta * (-d))``
    - constant (Eq. S1): ``alpha`` / ``beta``
    - linear (Eq. S2): ``alpha * (1 + d)`` / ``beta * (1 - (-d))``
    - logarithmic (Eq. S3): ``alpha * ln(e + d)`` / ``beta * ln(e - (-d))``

    Args:
        score (Tensor): The clip's sigmoid scores p of positive classes.
        threshold (Tensor): The actionness thresholds a_hat = theta * a,
            broadcastable to ``score``.
        weighting (str): The weighting function. Defaults to
            ``'exponential'``.
        alpha (float, optional): Defaults to None (the paper's value for the
            weighting: 5.0 for all four).
        beta (float, optional): Defaults to None (the paper's value: 3.0
            exponential, 0.75 constant, 1.0 linear and logarithmic).

    Returns:
        Tensor: W, in the promoted dtype of ``score`` and ``threshold``.
    """
    alpha, beta = weighting_factors(weighting, alpha, beta)
    diff = score - threshold
    reached = diff >= 0
    if weighting == 'exponential':
        above = alpha * torch.exp(diff)
        below = torch.exp(beta * diff)
    elif weighting == 'constant':
        above = torch.full_like(diff, alpha)
        below = torch.full_like(diff, beta)
    elif weighting == 'linear':
        above = alpha * (1 + diff)
        below = beta * (1 + diff)
    else:
        above = alpha * torch.log(math.e + diff)
        below = beta * torch.log(math.e + diff)
    return torch.where(reached, above, below)


def clip_focus_mask(clip_position: Tensor, num_positions: Tensor,
                    spike_position: Tensor, gamma: float) -> Tensor:
    """The clip focusing mask M(t, T, lambda, gamma) of Eq. 7.

    ``M = 1`` where ``2 * |t - lambda| / T <= gamma``, else 0. The distance is
    computed in float64, so a gamma given as ``epoch / max_epochs`` compares
    as the exact fractions do.

    Args:
        clip_position (Tensor): t, the position of the clip in its video.
        num_positions (Tensor): T, the number of clip positions of the video.
        spike_position (Tensor): lambda, the estimated position of the
            action's spike-actionness.
        gamma (float): The focus range in [0, 1].

    Returns:
        Tensor: The float32 mask.
    """
    distance = 2.0 * (clip_position - spike_position).abs().double()
    return (distance / num_positions.double() <= gamma).float()


__all__ = [
    'WEIGHTING_DEFAULTS', 'weighting_factors', 'action_focus_weight',
    'clip_focus_mask'
]
