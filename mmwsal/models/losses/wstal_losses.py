"""Losses of the WS-TAL heads on video-level and snippet-level scores."""
import torch
import torch.nn.functional as F
from mmaction.models.losses import BaseWeightedLoss
from mmaction.registry import MODELS


@MODELS.register_module()
class SoftTargetCrossEntropyLoss(BaseWeightedLoss):
    """Softmax cross-entropy against a label distribution.

    With ``targets`` the multi-hot labels of a video, each row is normalised
    to sum to one: ``-sum_c (y_c / sum(y)) * log softmax(z)_c``, the
    multiple-instance loss of W-TALC and BaS-Net and the ``-log p[y]`` of
    Background Modeling, extended to videos with several labels. Rows whose
    targets are all zero carry no label and are left out of the mean.

    Args:
        loss_weight (float): Factor scalar multiplied on the loss.
            Defaults to 1.0.
    """

    def _forward(self, logits: torch.Tensor,
                 targets: torch.Tensor) -> torch.Tensor:
        """Forward function.

        Args:
            logits (torch.Tensor): ``(B, K)`` unnormalised class scores.
            targets (torch.Tensor): ``(B, K)`` non-negative label weights.

        Returns:
            torch.Tensor: The mean loss over the labelled rows.
        """
        if logits.shape != targets.shape:
            raise ValueError(f'logits {tuple(logits.shape)} and targets '
                             f'{tuple(targets.shape)} must have one shape')
        targets = targets.to(logits.dtype)
        mass = targets.sum(dim=-1)
        labelled = mass > 0
        if not labelled.any():
            return logits.sum() * 0.
        dist = targets[labelled] / mass[labelled, None]
        log_prob = F.log_softmax(logits[labelled], dim=-1)
        return -(dist * log_prob).sum(dim=-1).mean()


@MODELS.register_module()
class AttentionGuideLoss(BaseWeightedLoss):
    """L1 distance of an attention sequence to one or more targets.

    ``mean_b (1/T) sum_t sum_j |attention_bt - target^j_bt|``: the
    self-guided loss ``L_guide`` of Background Modeling with the top-down
    targets ``lambda_fg`` and ``lambda_bg`` as the two targets. The targets
    are taken as given (detach them to guide only the attention).

    Args:
        loss_weight (float): Factor scalar multiplied on the loss.
            Defaults to 1.0.
    """

    def _forward(self, attention: torch.Tensor,
                 *targets: torch.Tensor) -> torch.Tensor:
        """Forward function.

        Args:
            attention (torch.Tensor): ``(B, T)`` attention in [0, 1].
            *targets (torch.Tensor): ``(B, T)`` target sequences.

        Returns:
            torch.Tensor: The loss.
        """
        if not targets:
            raise ValueError('AttentionGuideLoss needs at least one target')
        loss = attention.new_zeros(())
        for target in targets:
            if target.shape != attention.shape:
                raise ValueError(f'target {tuple(target.shape)} and attention '
                                 f'{tuple(attention.shape)} must have one '
                                 'shape')
            loss = loss + (attention - target).abs().mean(dim=-1).mean()
        return loss
