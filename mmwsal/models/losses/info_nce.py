"""InfoNCE with explicit positive and negative sets per anchor."""
import torch
import torch.nn.functional as F
from mmaction.models.losses import BaseWeightedLoss
from mmaction.registry import MODELS


@MODELS.register_module()
class MaskedInfoNCELoss(BaseWeightedLoss):
    """InfoNCE over l2-normalised embeddings, each anchor with its own
    positive and negative candidates (eq. 7 of DCC):

    ``-log sum_{p in P} exp(a.p / tau) / sum_{k in P u N} exp(a.k / tau)``

    averaged over the anchors that have at least one positive (the others
    have no defined loss). Candidates in neither set are ignored.

    Args:
        temperature (float): tau. Defaults to 0.1.
        loss_weight (float): Factor scalar multiplied on the loss.
            Defaults to 1.0.
    """

    def __init__(self, temperature: float = 0.1,
                 loss_weight: float = 1.0) -> None:
        super().__init__(loss_weight=loss_weight)
        if temperature <= 0:
            raise ValueError(f'temperature must be > 0, got {temperature}')
        self.temperature = temperature

    def _forward(self, anchors: torch.Tensor, candidates: torch.Tensor,
                 positive: torch.Tensor,
                 negative: torch.Tensor) -> torch.Tensor:
        """Forward function.

        Args:
            anchors (torch.Tensor): ``(A, d)`` anchor embeddings.
            candidates (torch.Tensor): ``(N, d)`` candidate embeddings.
            positive (torch.Tensor): ``(A, N)`` bool, the positives of each
                anchor.
            negative (torch.Tensor): ``(A, N)`` bool, its negatives; must
                not overlap ``positive``.

        Returns:
            torch.Tensor: The mean loss over the anchors with a positive
            (zero, still attached to the inputs' graph, when there is none).
        """
        if positive.shape != (len(anchors), len(candidates)) or \
                negative.shape != positive.shape:
            raise ValueError(
                f'masks {tuple(positive.shape)} and {tuple(negative.shape)} '
                f'must be (anchors, candidates) = ({len(anchors)}, '
                f'{len(candidates)})')
        if (positive & negative).any():
            raise ValueError('a candidate is both a positive and a negative '
                             'of an anchor')
        has_positive = positive.any(dim=1)
        if not has_positive.any():
            return anchors.sum() * 0. + candidates.sum() * 0.
        logits = F.normalize(anchors, dim=-1) @ F.normalize(
            candidates, dim=-1).t() / self.temperature
        logits, positive, negative = (logits[has_positive],
                                      positive[has_positive],
                                      negative[has_positive])
        excluded = torch.finfo(logits.dtype).min
        log_positive = logits.masked_fill(~positive, excluded).logsumexp(1)
        log_all = logits.masked_fill(~(positive | negative),
                                     excluded).logsumexp(1)
        return (log_all - log_positive).mean()


__all__ = ['MaskedInfoNCELoss']
