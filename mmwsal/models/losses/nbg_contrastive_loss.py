"""The contrastive loss of non-informative background (eq. 7 of
annotation-efficient video recognition)."""
import torch
import torch.nn.functional as F
from mmaction.models.losses import BaseWeightedLoss
from mmaction.registry import MODELS


def squared_distances(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``(M, N)`` squared Euclidean distances of L2-normalised rows,
    ``|a_i - b_j|^2 = 2 - 2 a_i . b_j`` (no square root, whose gradient is
    undefined at 0)."""
    return (2.0 - 2.0 * a @ b.t()).clamp_min(0.0)


@MODELS.register_module()
class NBGContrastiveLoss(BaseWeightedLoss):
    """Compress the non-informative background (NBG) and push it away from
    the top-confidence foreground + informative background (FG + IBG):

    ``max_{j != k} d(nb_j, nb_k) + beta * max(0, margin - min_{j, k}
    d(fg_j, nb_k))``

    with ``d`` the squared Euclidean distance of L2-normalised features
    (in [0, 4]): the hardest positive pair among the batch's NBG snippets
    and the hardest negative pair between FG + IBG and NBG.

    Args:
        margin (float): Margin of the negative pairs. Defaults to 2.0
            (orthogonal features).
        beta (float): Weight of the negative term (the paper names it
            without a value). Defaults to 1.0.
        loss_weight (float): Factor scalar multiplied on the loss
            (gamma_1 of eq. 11). Defaults to 1.0.
    """

    def __init__(self,
                 margin: float = 2.0,
                 beta: float = 1.0,
                 loss_weight: float = 1.0) -> None:
        super().__init__(loss_weight=loss_weight)
        self.margin = margin
        self.beta = beta

    def _forward(self, nbg: torch.Tensor,
                 foreground: torch.Tensor) -> torch.Tensor:
        """Forward function.

        Args:
            nbg (torch.Tensor): ``(B_n, D)`` features of the pseudo-labelled
                NBG snippets of a batch (normalised here).
            foreground (torch.Tensor): ``(B_f, D)`` features of its FG + IBG
                snippets (normalised here).

        Returns:
            torch.Tensor: The loss; 0 (keeping the graph) without NBG.
        """
        if nbg.dim() != 2 or foreground.dim() != 2 or \
                nbg.shape[1] != foreground.shape[1]:
            raise ValueError(f'nbg {tuple(nbg.shape)} and foreground '
                             f'{tuple(foreground.shape)} must be (N, D) '
                             'with one D')
        if len(nbg) == 0 or len(foreground) == 0:
            return nbg.sum() * 0. + foreground.sum() * 0.
        nbg = F.normalize(nbg, dim=-1)
        foreground = F.normalize(foreground, dim=-1)
        loss = nbg.new_zeros(())
        if len(nbg) > 1:
            within = squared_distances(nbg, nbg)
            off_diagonal = ~torch.eye(len(nbg), dtype=torch.bool,
                                      device=nbg.device)
            loss = loss + within[off_diagonal].max()
        closest = squared_distances(foreground, nbg).min()
        return loss + self.beta * F.relu(self.margin - closest)
