"""BaS-Net: background suppression with a filtering branch."""
from typing import Dict, Optional, Sequence

import torch
import torch.nn as nn
from mmaction.registry import MODELS

from .base_wstal_head import BaseWSTALHead, topk_mean

# BaS-Net's inference (its reference test code): classes whose suppression
# score passes 0.25; the suppression branch's logits min-max normalised per
# class, interpolated 24 times, thresholded at 0:0.025:0.25; outer-inner
# contrast plus 0.2 times the class score; NMS at 0.7.
BAS_TEST_CFG = dict(
    branch='supp',
    class_threshold=0.25,
    tcas_norm='minmax',
    upsample=24,
    thresholds=dict(start=0.0, stop=0.25, step=0.025),
    source='cas',
    score='oic',
    class_score_weight=0.2,
    iou_threshold=0.7)
BRANCHES = ('supp', 'base')
NORM_REDUCTIONS = ('sum', 'mean')


def attention_module(in_channels: int, hidden: int) -> nn.Sequential:
    """Two 1x1 temporal convolutions with a ReLU between and a sigmoid
    after: a foreground probability per snippet, ``(B, D, T) -> (B, 1, T)``.
    """
    return nn.Sequential(
        nn.Conv1d(in_channels, hidden, 1), nn.ReLU(inplace=True),
        nn.Conv1d(hidden, 1, 1), nn.Sigmoid())


def filter_module(in_channels: int, hidden: int) -> nn.Sequential:
    """BaS-Net's filtering module: 1x1 convolution, LeakyReLU, 1x1
    convolution, sigmoid; ``(B, D, T) -> (B, 1, T)`` foreground weights."""
    return nn.Sequential(
        nn.Conv1d(in_channels, hidden, 1), nn.LeakyReLU(),
        nn.Conv1d(hidden, 1, 1), nn.Sigmoid())


class CASModule(nn.Module):
    """BaS-Net's class activation module: two temporal convolutions
    (kernel 3) with LeakyReLU, dropout, and a bias-free 1x1 classifier over
    the classes and the background (last).

    Args:
        in_channels (int): Feature channels.
        num_outputs (int): Classes plus background.
        channels (int): Width of the two hidden layers. Defaults to 2048.
        kernel_size (int): Odd temporal kernel. Defaults to 3.
        dropout (float): Dropout before the classifier. Defaults to 0.7.
        bias (bool): Biases in the hidden convolutions (BaS-Net: yes;
            BackTAL: no). Defaults to True.
    """

    def __init__(self,
                 in_channels: int,
                 num_outputs: int,
                 channels: int = 2048,
                 kernel_size: int = 3,
                 dropout: float = 0.7,
                 bias: bool = True) -> None:
        super().__init__()
        if kernel_size % 2 == 0:
            raise ValueError(f'kernel_size must be odd, got {kernel_size}')
        pad = kernel_size // 2
        self.conv1 = nn.Conv1d(in_channels, channels, kernel_size,
                               padding=pad, bias=bias)
        self.conv2 = nn.Conv1d(channels, channels, kernel_size, padding=pad,
                               bias=bias)
        self.act = nn.LeakyReLU()
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Conv1d(channels, num_outputs, 1, bias=False)

    def hidden(self, x: torch.Tensor, **kwargs) -> torch.Tensor:
        """``(B, D, T)`` to the hidden features ``(B, channels, T)``."""
        return self.act(self.conv2(self.act(self.conv1(x))))

    def forward(self, x: torch.Tensor, **kwargs) -> tuple:
        """``(B, D, T)`` to ``(hidden (B, channels, T), logits (B, T,
        K))``."""
        hidden = self.hidden(x, **kwargs)
        logits = self.classifier(self.dropout(hidden)).transpose(1, 2)
        return hidden, logits


@MODELS.register_module()
class BaSNetHead(BaseWSTALHead):
    """Background suppression (BaS-Net, Lee et al., AAAI 2020), as its paper
    and reference network define it.

    The filtering module gives foreground weights ``att`` from the input
    features ``x``; one CAS module (:class:`CASModule`: two k=3
    convolutions with LeakyReLU, a bias-free classifier with a background
    class, the last index) scores both ``x`` (base branch, whose videos all
    contain background: target ``[y, 1]``) and ``att * x`` (suppression
    branch, whose background should be gone: target ``[y, 0]``). Video
    logits pool the top ``T // 8`` snippets. Loss:
    ``L_base + L_supp + norm_weight * L_norm`` with ``L_norm`` the L1 norm
    of the attention summed over time (mean over the batch).

    The head works on the features themselves: configs set the localizer's
    ``embed_layers=0``.

    Inference (``BAS_TEST_CFG``): the suppression branch's video softmax
    selects classes (0.25); its T-CAS logits are min-max normalised per
    class (:func:`mmwsal.models.utils.minmax_normalize`), interpolated 24x,
    thresholded at 0:0.025:0.25, scored by outer-inner contrast (+0.2 class
    score), NMS 0.7. ``test_cfg.branch='base'`` takes the T-CAS from the
    base branch instead, ``score_branch`` the video scores (DCC: base T-CAS,
    suppression scores). Deviations from the reference test code: a video
    whose classes all fall below the threshold keeps its top class (the
    reference emits nothing), proposals are scored on the unthresholded
    T-CAS and with the class's score (the reference: zeroed below the
    threshold, and the binarised score).

    Args:
        in_channels (int): Feature channels.
        num_classes (int): Number of action classes (no background).
        filter_channels (int): Hidden width of the filtering module.
            Defaults to 512.
        cas_channels (int): Width of the CAS module. Defaults to 2048.
        kernel_size (int): Temporal kernel of the CAS module. Defaults to 3.
        dropout (float): Dropout of the CAS module. Defaults to 0.7.
        norm_weight (float): alpha, weight of ``L_norm``. Defaults to 1e-4.
        norm_reduction (str): ``'sum'`` over time (the paper and reference)
            or ``'mean'`` (T times weaker). Defaults to ``'sum'``.
        loss_cls (dict): Video-level loss of each branch. Defaults to the
            paper's cross-entropy, ``dict(type='SoftTargetCrossEntropyLoss')``
            (the reference code applies a BCE to the softmax scores).
        test_cfg (dict, optional): Post-processing, over ``BAS_TEST_CFG``
            (keys of :meth:`BaseWSTALHead.set_test_cfg` and ``branch``).
            Defaults to None.
        **kwargs: ``topk_ratio``, ``init_cfg`` of :class:`BaseWSTALHead`.
    """

    has_background = True
    default_test_cfg = BAS_TEST_CFG

    def __init__(self,
                 in_channels: int,
                 num_classes: int,
                 filter_channels: int = 512,
                 cas_channels: int = 2048,
                 kernel_size: int = 3,
                 dropout: float = 0.7,
                 norm_weight: float = 1e-4,
                 norm_reduction: str = 'sum',
                 loss_cls: Dict = dict(type='SoftTargetCrossEntropyLoss'),
                 test_cfg: Optional[Dict] = None,
                 **kwargs) -> None:
        super().__init__(
            in_channels,
            num_classes,
            test_cfg={**self.default_test_cfg, **(test_cfg or {})},
            **kwargs)
        if norm_reduction not in NORM_REDUCTIONS:
            raise ValueError(f'norm_reduction must be one of '
                             f'{NORM_REDUCTIONS}, got {norm_reduction!r}')
        self.filter = filter_module(in_channels, filter_channels)
        self.cas_module = self.build_cas_module(in_channels, cas_channels,
                                                kernel_size, dropout)
        self.norm_weight = norm_weight
        self.norm_reduction = norm_reduction
        self.loss_cls = MODELS.build(loss_cls)

    def build_cas_module(self, in_channels: int, channels: int,
                         kernel_size: int, dropout: float) -> nn.Module:
        """The CAS module both branches share."""
        return CASModule(in_channels, self.num_classes + 1, channels,
                         kernel_size, dropout)

    def set_test_cfg(self, test_cfg: Optional[Dict]) -> None:
        """See :meth:`BaseWSTALHead.set_test_cfg`; ``branch`` (``'supp'``
        or ``'base'``) picks the branch whose T-CAS proposals come from,
        ``score_branch`` (None: the same) the branch whose video scores
        select the classes (DCC: the base T-CAS, the suppression scores).
        """
        test_cfg = dict(test_cfg or {})
        test_cfg.setdefault('branch', 'supp')
        if test_cfg.get('score_branch') is None:
            test_cfg['score_branch'] = test_cfg['branch']
        for key in ('branch', 'score_branch'):
            if test_cfg[key] not in BRANCHES:
                raise ValueError(f'test_cfg.{key} must be one of '
                                 f'{BRANCHES}, got {test_cfg[key]!r}')
        super().set_test_cfg(test_cfg)

    def branches(self, feats: torch.Tensor, **kwargs) -> Dict:
        """Both branches on ``(B, D, T)`` features."""
        attention = self.filter(feats)
        base_feats, base_cas = self.cas_module(feats, **kwargs)
        supp_feats, supp_cas = self.cas_module(feats * attention, **kwargs)
        supp_video = topk_mean(supp_cas, self.topk_ratio)
        return dict(
            base_feats=base_feats,
            base_cas=base_cas,
            base_video_logits=topk_mean(base_cas, self.topk_ratio),
            supp_feats=supp_feats,
            supp_cas=supp_cas,
            supp_video_logits=supp_video,
            attention=attention.squeeze(1),
            tcas=supp_cas.softmax(dim=-1)[..., :-1],
            video_scores=supp_video.softmax(dim=-1)[:, :-1])

    def forward(self, feats: torch.Tensor) -> Dict[str, torch.Tensor]:
        """``(B, D, T)`` to each branch's hidden features (``base_feats``,
        ``supp_feats``), logits (``(B, T, C+1)`` ``base_cas``, ``supp_cas``
        and ``(B, C+1)`` video logits), the attention ``(B, T)``, and the
        suppression branch's softmax without the background as ``tcas`` and
        ``video_scores``."""
        return self.branches(feats)

    def inference_cas(self, outputs: Dict[str, torch.Tensor]) -> torch.Tensor:
        return outputs[f'{self.test_cfg["branch"]}_cas']

    def inference_video_scores(
            self, outputs: Dict[str, torch.Tensor]) -> torch.Tensor:
        logits = outputs[f'{self.test_cfg["score_branch"]}_video_logits']
        return logits.softmax(dim=-1)[:, :-1]

    def attention_norm(self, attention: torch.Tensor) -> torch.Tensor:
        """``L_norm``: the L1 norm of each video's attention, summed (or
        averaged) over time, averaged over the batch."""
        per_video = attention.abs()
        per_video = (per_video.sum(dim=1) if self.norm_reduction == 'sum'
                     else per_video.mean(dim=1))
        return per_video.mean()

    def bas_losses(self, outputs: Dict[str, torch.Tensor],
                   labels: torch.Tensor) -> Dict[str, torch.Tensor]:
        """``loss_base``, ``loss_supp`` and ``loss_norm`` (weighted)."""
        ones = labels.new_ones(len(labels), 1)
        return dict(
            loss_base=self.loss_cls(outputs['base_video_logits'],
                                    torch.cat([labels, ones], dim=1)),
            loss_supp=self.loss_cls(outputs['supp_video_logits'],
                                    torch.cat([labels, 0 * ones], dim=1)),
            loss_norm=self.norm_weight *
            self.attention_norm(outputs['attention']))

    def loss_by_feat(self, outputs: Dict[str, torch.Tensor],
                     data_samples: Sequence) -> Dict[str, torch.Tensor]:
        labels = self.labels(data_samples, outputs['attention'].device)
        return self.bas_losses(outputs, labels)
