"""Video classification from snippet features with a two-layer MLP."""
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmengine.model import BaseModel

from ..heads.base_wstal_head import video_labels


@MODELS.register_module()
class FeatureMLPRecognizer(BaseModel):
    """Complex-activity recognition on snippet features: the snippets of a
    video are averaged over time and classified by two linear layers (the
    MLP baseline the AdaptFocus paper trains on Weak-FEAT features of
    Breakfast, Table 5).

    Videos of any lengths share a batch: each is pooled on its own.

    Args:
        in_channels (int): Feature channels C.
        num_classes (int): Number of classes.
        hidden_channels (int): Width of the hidden layer. Defaults to 512.
        dropout (float): Dropout before each linear layer. Defaults to 0.5.
        multi_label (bool): Sigmoid scores and BCE against multi-hot labels;
            otherwise softmax and cross-entropy against one class index per
            video (pack it with ``PackSnippetInputs(single_label=True)``).
            Defaults to False.
        data_preprocessor (dict, optional): Defaults to None.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self,
                 in_channels: int,
                 num_classes: int,
                 hidden_channels: int = 512,
                 dropout: float = 0.5,
                 multi_label: bool = False,
                 data_preprocessor: Optional[Dict] = None,
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.in_channels = in_channels
        self.num_classes = num_classes
        self.multi_label = multi_label
        self.mlp = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(in_channels, hidden_channels),
            nn.ReLU(inplace=True), nn.Dropout(dropout),
            nn.Linear(hidden_channels, num_classes))

    def pool(self, inputs: Union[torch.Tensor, Sequence[torch.Tensor]],
             data_samples: Optional[Sequence] = None) -> torch.Tensor:
        """``(B, C)``: the temporal mean of each video's ``(T, C)``."""
        videos = list(inputs) if not isinstance(inputs, torch.Tensor) or \
            inputs.dim() == 3 else [inputs]
        for i, x in enumerate(videos):
            if x.dim() != 2 or x.shape[1] != self.in_channels:
                vid = (data_samples[i].metainfo.get('video_id')
                       if data_samples else i)
                raise ValueError(
                    f'video {vid}: features of shape {tuple(x.shape)}, '
                    f'expected (T, {self.in_channels})')
        return torch.stack([x.float().mean(dim=0) for x in videos])

    def _targets(self, data_samples: Sequence,
                 device: torch.device) -> torch.Tensor:
        if self.multi_label:
            return video_labels(data_samples, self.num_classes, device)
        items = [s.gt_labels.item for s in data_samples]
        bad = [s.metainfo.get('video_id') for s, item in zip(data_samples,
                                                             items)
               if item.numel() != 1]
        if bad:
            raise ValueError(
                f'videos {bad} do not have one class index as label: pack '
                'single-label data with PackSnippetInputs(single_label=True) '
                'or set multi_label=True')
        return torch.cat(items).to(device)

    def forward(self,
                inputs: Union[torch.Tensor, List[torch.Tensor]],
                data_samples: Optional[List] = None,
                mode: str = 'tensor'):
        """``'loss'``: ``dict(loss_cls=...)``; ``'predict'``: the samples
        with ``pred_scores``; ``'tensor'``: the logits ``(B, num_classes)``.
        """
        logits = self.mlp(self.pool(inputs, data_samples))
        if mode == 'tensor':
            return logits
        if mode == 'loss':
            target = self._targets(data_samples, logits.device)
            loss = (F.binary_cross_entropy_with_logits(logits, target)
                    if self.multi_label else F.cross_entropy(logits, target))
            return dict(loss_cls=loss)
        if mode == 'predict':
            scores = logits.sigmoid() if self.multi_label else logits.softmax(
                dim=-1)
            for sample, score in zip(data_samples, scores.detach().cpu()):
                sample.set_pred_score(score)
            return data_samples
        raise ValueError(f"mode must be 'loss', 'predict' or 'tensor', got "
                         f'{mode!r}')
