"""BaS-Net: background suppression with a filtering branch."""
from typing import Dict, Optional, Sequence

import torch
import torch.nn as nn
from mmaction.registry import MODELS

from .base_wstal_head import BaseWSTALHead, topk_mean

BAS_TEST_CFG = dict(
    class_threshold=0.25,
    thresholds=dict(start=0.0, stop=0.25, step=0.025),
    source='cas',
    score='oic')


def attention_module(in_channels: int, hidden: int) -> nn.Sequential:
    """Two 1x1 temporal convolutions with a ReLU between and a sigmoid
    after: a foreground probability per snippet, ``(B, D, T) -> (B, 1, T)``.
    """
    return nn.Sequential(
        nn.Conv1d(in_channels, hidden, 1), nn.ReLU(inplace=True),
        nn.Conv1d(hidden, 1, 1), nn.Sigmoid())


@MODELS.register_module()
class BaSNetHead(BaseWSTALHead):
    """Background suppression (BaS-Net, Lee et al., AAAI 2020).

    A filtering module predicts a foreground attention; one classifier with
    an extra background class (the last index) scores the snippets twice:
    as they are (base branch, whose videos all contain background: target
    ``[y, 1]``) and multiplied by the attention (suppression branch, whose
    background should be gone: target ``[y, 0]``). Video logits pool the top
    ``T // 8`` snippets. Loss: ``L_base + L_supp + norm_weight * mean|att|``.
    Inference uses the suppression branch.

    Args:
        in_channels (int): Channels of the snippet embeddings.
        num_classes (int): Number of action classes (no background).
        attention_channels (int): Hidden width of the filtering module.
            Defaults to 512.
        norm_weight (float): Weight of the L1 norm of the attention.
            Defaults to 1e-4.
        loss_cls (dict): Video-level loss of each branch. Defaults to
            ``dict(type='SoftTargetCrossEntropyLoss')``.
        test_cfg (dict, optional): Post-processing, over BaS-Net's
            defaults (class threshold 0.25, T-CAS thresholds 0:0.025:0.25,
            outer-inner-contrast). Defaults to None.
        **kwargs: ``topk_ratio``, ``init_cfg`` of :class:`BaseWSTALHead`.
    """

    def __init__(self,
                 in_channels: int,
                 num_classes: int,
                 attention_channels: int = 512,
                 norm_weight: float = 1e-4,
                 loss_cls: Dict = dict(type='SoftTargetCrossEntropyLoss'),
                 test_cfg: Optional[Dict] = None,
                 **kwargs) -> None:
        super().__init__(
            in_channels,
            num_classes,
            test_cfg={**BAS_TEST_CFG, **(test_cfg or {})},
            **kwargs)
        self.filter = attention_module(in_channels, attention_channels)
        self.classifier = nn.Conv1d(in_channels, num_classes + 1, 1)
        self.norm_weight = norm_weight
        self.loss_cls = MODELS.build(loss_cls)

    def forward(self, feats: torch.Tensor) -> Dict[str, torch.Tensor]:
        """``(B, D, T)`` to the logits of both branches (``(B, T, C+1)``
        sequences and ``(B, C+1)`` video logits), the attention ``(B, T)``,
        and the suppression branch's softmax without the background as
        ``tcas`` and ``video_scores``."""
        attention = self.filter(feats)
        base_cas = self.classifier(feats).transpose(1, 2)
        supp_cas = self.classifier(feats * attention).transpose(1, 2)
        supp_video = topk_mean(supp_cas, self.topk_ratio)
        return dict(
            base_cas=base_cas,
            base_video_logits=topk_mean(base_cas, self.topk_ratio),
            supp_cas=supp_cas,
            supp_video_logits=supp_video,
            attention=attention.squeeze(1),
            tcas=supp_cas.softmax(dim=-1)[..., :-1],
            video_scores=supp_video.softmax(dim=-1)[:, :-1])

    def loss_by_feat(self, outputs: Dict[str, torch.Tensor],
                     data_samples: Sequence) -> Dict[str, torch.Tensor]:
        labels = self.labels(data_samples, outputs['attention'].device)
        ones = labels.new_ones(len(labels), 1)
        return dict(
            loss_base=self.loss_cls(outputs['base_video_logits'],
                                    torch.cat([labels, ones], dim=1)),
            loss_supp=self.loss_cls(outputs['supp_video_logits'],
                                    torch.cat([labels, 0 * ones], dim=1)),
            loss_norm=self.norm_weight * outputs['attention'].abs().mean())
