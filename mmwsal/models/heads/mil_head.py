"""The multiple-instance-learning baseline of WS-TAL."""
from typing import Dict, Optional, Sequence

import torch
import torch.nn as nn
from mmaction.registry import MODELS

from .base_wstal_head import BaseWSTALHead, topk_mean


@MODELS.register_module()
class MILHead(BaseWSTALHead):
    """Top-k multiple-instance learning: a snippet classifier gives the
    T-CAS, the mean of its ``k = T // 8`` highest values per class gives the
    video logits, trained with a softmax cross-entropy on the video labels
    (W-TALC's MIL loss). There is no background class and no attention:
    proposals come from the T-CAS.

    Args:
        in_channels (int): Channels of the snippet embeddings.
        num_classes (int): Number of action classes.
        loss_cls (dict): Video-level loss. Defaults to
            ``dict(type='SoftTargetCrossEntropyLoss')``.
        **kwargs: ``topk_ratio``, ``test_cfg``, ``init_cfg`` of
            :class:`BaseWSTALHead`.
    """

    def __init__(self,
                 in_channels: int,
                 num_classes: int,
                 loss_cls: Dict = dict(type='SoftTargetCrossEntropyLoss'),
                 test_cfg: Optional[Dict] = None,
                 **kwargs) -> None:
        super().__init__(
            in_channels,
            num_classes,
            test_cfg={
                'tcas_norm': 'softmax',
                **(test_cfg or {})
            },
            **kwargs)
        self.classifier = nn.Conv1d(in_channels, num_classes, 1)
        self.loss_cls = MODELS.build(loss_cls)

    def forward(self, feats: torch.Tensor) -> Dict[str, torch.Tensor]:
        """``(B, D, T)`` to ``cas_logits`` ``(B, T, C)``, ``video_logits``,
        and their softmax as ``tcas`` and ``video_scores``."""
        cas_logits = self.classifier(feats).transpose(1, 2)
        video_logits = topk_mean(cas_logits, self.topk_ratio)
        return dict(
            cas_logits=cas_logits,
            video_logits=video_logits,
            tcas=cas_logits.softmax(dim=-1),
            video_scores=video_logits.softmax(dim=-1),
            attention=None)

    def inference_cas(self, outputs: Dict[str, torch.Tensor]) -> torch.Tensor:
        return outputs['cas_logits']

    def loss_by_feat(self, outputs: Dict[str, torch.Tensor],
                     data_samples: Sequence) -> Dict[str, torch.Tensor]:
        labels = self.labels(data_samples, outputs['video_logits'].device)
        return dict(loss_cls=self.loss_cls(outputs['video_logits'], labels))
