"""Background Modeling (Nguyen et al., ICCV 2019)."""
import math
from typing import Dict, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmaction.registry import MODELS

from .bas_head import attention_module
from .base_wstal_head import BaseWSTALHead

# The paper's inference (sec. 3.2), made safe for any class count: the class
# threshold 0.1 (THUMOS14's 20 classes: twice the chance level 1/21 of p_fg)
# becomes 1.5 x chance where chance exceeds it (C < 10). Attention
# thresholds 0:0.025:0.5 on the raw attention, as the paper;
# attention_norm='minmax' applies them to each video's attention min-max
# normalised instead.
BM_TEST_CFG = dict(
    class_threshold=0.1,
    chance_factor=1.5,
    thresholds=dict(start=0.0, stop=0.5, step=0.025),
    source='attention',
    score='mean',
    class_score_weight=0.0)
POOLINGS = ('mean', 'attention')
CAS_SOURCES = ('weighted', 'snippet')


def gaussian_smooth(sequence: torch.Tensor, sigma: float) -> torch.Tensor:
    """Smooth ``(B, T)`` along time with a normalised Gaussian of width
    ``sigma`` snippets (radius ``ceil(3 sigma)``, edges replicated)."""
    if sigma <= 0:
        return sequence
    radius = max(1, math.ceil(3 * sigma))
    offsets = torch.arange(-radius, radius + 1, device=sequence.device,
                           dtype=sequence.dtype)
    kernel = torch.exp(-0.5 * (offsets / sigma)**2)
    kernel = (kernel / kernel.sum()).view(1, 1, -1)
    padded = F.pad(sequence[:, None], (radius, radius), mode='replicate')
    return F.conv1d(padded, kernel)[:, 0]


@MODELS.register_module()
class BackgroundModelingHead(BaseWSTALHead):
    """Weakly supervised localization with background modeling.

    Attention ``lambda = Omega(x_t)`` (two 1x1 convolutions, ReLU, sigmoid)
    pools the snippets into ``x_fg = (1/T) sum lambda_t x_t`` and
    ``x_bg = (1/T) sum (1 - lambda_t) x_t`` (eqs. 1, 4). One classifier
    ``w`` without bias over C actions plus background (the last index)
    classifies both (eqs. 2, 5). Losses (eq. 11):

    - ``L_fg = -log p_fg[y]`` (several labels: their normalised
      distribution);
    - ``L_bg = -log p_bg[background]``;
    - ``L_guide = (1/T) sum |lambda_t - hat_fg_t| + |lambda_t - hat_bg_t|``
      with top-down targets from the snippet softmax of ``w x_t``,
      Gaussian-smoothed: ``hat_fg`` the max over the video's classes (eq. 6
      and footnote 1), ``hat_bg`` one minus the background probability
      (eq. 7). The targets are detached: they guide the attention;
    - ``L_cluster = -log z_fg - log z_bg`` with ``u_fg, u_bg`` scoring the
      pooled features (eqs. 8-10).

    Inference (sec. 3.2, ``BM_TEST_CFG``): classes whose ``p_fg`` passes
    0.1, or 1.5 times chance where chance is above 0.1 (fewer than 10
    classes; else the top class), proposals from thresholds 0:0.025:0.5 on
    the attention, each scored by the mean of the weighted T-CAM
    ``lambda_t * w_c . x_t``; NMS 0.5.

    ``pooling='attention'`` divides by ``sum lambda_t`` instead of T
    (STPN-style re-implementations): the pooled feature then keeps the
    scale of the snippets whatever share of the video is attended, where
    the paper's ``1/T`` shrinks it with that share, so that the bias-free
    classifier needs larger weights (a longer schedule) to fit ``L_fg``.

    Args:
        in_channels (int): Channels of the snippet embeddings.
        num_classes (int): Number of action classes (no background).
        attention_channels (int): Hidden width of ``Omega``.
            Defaults to 512.
        sigma (float): Width in snippets of the Gaussian that smooths the
            guide targets; the paper does not state it. Defaults to 1.0.
        pooling (str): ``'mean'`` (eqs. 1, 4: ``1/T``) or ``'attention'``
            (``1 / sum lambda`` and ``1 / sum (1 - lambda)``).
            Defaults to ``'mean'``.
        loss_fg (dict): Defaults to
            ``dict(type='SoftTargetCrossEntropyLoss')``.
        loss_bg (dict): Defaults to the same with ``loss_weight=0.1``
            (alpha).
        loss_guide (dict): Defaults to
            ``dict(type='AttentionGuideLoss', loss_weight=0.1)`` (beta).
        loss_cluster (dict): Defaults to the cross-entropy with
            ``loss_weight=0.1`` (gamma).
        test_cfg (dict, optional): Post-processing, over the paper's
            defaults. Defaults to None.
        **kwargs: ``topk_ratio``, ``init_cfg`` of :class:`BaseWSTALHead`.
    """

    has_background = True

    def __init__(self,
                 in_channels: int,
                 num_classes: int,
                 attention_channels: int = 512,
                 sigma: float = 1.0,
                 pooling: str = 'mean',
                 loss_fg: Dict = dict(type='SoftTargetCrossEntropyLoss'),
                 loss_bg: Dict = dict(
                     type='SoftTargetCrossEntropyLoss', loss_weight=0.1),
                 loss_guide: Dict = dict(
                     type='AttentionGuideLoss', loss_weight=0.1),
                 loss_cluster: Dict = dict(
                     type='SoftTargetCrossEntropyLoss', loss_weight=0.1),
                 test_cfg: Optional[Dict] = None,
                 **kwargs) -> None:
        super().__init__(
            in_channels,
            num_classes,
            test_cfg={**BM_TEST_CFG, **(test_cfg or {})},
            **kwargs)
        if pooling not in POOLINGS:
            raise ValueError(f'pooling must be one of {POOLINGS}, got '
                             f'{pooling!r}')
        self.pooling = pooling
        self.attention = attention_module(in_channels, attention_channels)
        self.classifier = nn.Linear(in_channels, num_classes + 1, bias=False)
        self.cluster = nn.Linear(in_channels, 2, bias=False)
        self.sigma = sigma
        self.loss_fg = MODELS.build(loss_fg)
        self.loss_bg = MODELS.build(loss_bg)
        self.loss_guide = MODELS.build(loss_guide)
        self.loss_cluster = MODELS.build(loss_cluster)

    def forward(self, feats: torch.Tensor) -> Dict[str, torch.Tensor]:
        """``(B, D, T)`` to the attention ``(B, T)``, pooled features
        ``x_fg``, ``x_bg`` ``(B, D)``, their class logits ``(B, C+1)``,
        snippet logits ``(B, T, C+1)``, ``video_scores`` (``p_fg`` without
        the background) and ``tcas`` (the weighted T-CAM)."""
        attention = self.attention(feats).squeeze(1)
        snippets = feats.transpose(1, 2)
        x_fg = self.pool(attention, snippets)
        x_bg = self.pool(1 - attention, snippets)
        fg_logits = self.classifier(x_fg)
        snippet_logits = self.classifier(snippets)
        return dict(
            attention=attention,
            x_fg=x_fg,
            x_bg=x_bg,
            fg_logits=fg_logits,
            bg_logits=self.classifier(x_bg),
            snippet_logits=snippet_logits,
            video_scores=fg_logits.softmax(dim=-1)[:, :-1],
            tcas=attention[..., None] * snippet_logits[..., :-1])

    def pool(self, weights: torch.Tensor,
             snippets: torch.Tensor) -> torch.Tensor:
        """``(B, T)`` weights and ``(B, T, D)`` snippets to ``(B, D)``."""
        pooled = (weights[..., None] * snippets).sum(dim=1)
        if self.pooling == 'mean':
            return pooled / snippets.shape[1]
        return pooled / weights.sum(dim=1, keepdim=True).clamp(min=1e-6)

    def set_test_cfg(self, test_cfg: Optional[Dict]) -> None:
        """See :meth:`BaseWSTALHead.set_test_cfg`; ``cas`` picks the T-CAS:
        ``'weighted'`` (the paper's weighted T-CAM) or ``'snippet'`` (the
        snippet logits ``w . x_t`` over the classes and the background,
        e.g. DCC's ``A^b`` with ``tcas_norm='softmax'``)."""
        test_cfg = dict(test_cfg or {})
        test_cfg.setdefault('cas', 'weighted')
        if test_cfg['cas'] not in CAS_SOURCES:
            raise ValueError(f'test_cfg.cas must be one of {CAS_SOURCES}, '
                             f'got {test_cfg["cas"]!r}')
        super().set_test_cfg(test_cfg)

    def inference_cas(self, outputs: Dict[str, torch.Tensor]) -> torch.Tensor:
        """The weighted T-CAM ``lambda_t * w . x_t`` (or, with
        ``test_cfg.cas='snippet'``, ``w . x_t``) over the classes and the
        background."""
        if self.test_cfg['cas'] == 'snippet':
            return outputs['snippet_logits']
        return outputs['attention'][..., None] * outputs['snippet_logits']

    def guide_targets(self, snippet_logits: torch.Tensor,
                      labels: torch.Tensor) -> tuple:
        """The smoothed, detached top-down targets ``(hat_fg, hat_bg)``,
        each ``(B, T)``, of eqs. 6 and 7."""
        probs = snippet_logits.detach().softmax(dim=-1)
        present = labels[:, None, :] > 0
        fg = probs[..., :-1].masked_fill(~present, 0).amax(dim=-1)
        bg = 1 - probs[..., -1]
        return gaussian_smooth(fg, self.sigma), gaussian_smooth(bg, self.sigma)

    def loss_by_feat(self, outputs: Dict[str, torch.Tensor],
                     data_samples: Sequence) -> Dict[str, torch.Tensor]:
        attention = outputs['attention']
        labels = self.labels(data_samples, attention.device)
        batch = len(labels)
        zeros = labels.new_zeros(batch, 1)
        background = torch.cat([0 * labels, zeros + 1], dim=1)
        hat_fg, hat_bg = self.guide_targets(outputs['snippet_logits'], labels)
        fg_target = labels.new_tensor([1., 0.]).expand(batch, 2)
        return dict(
            loss_fg=self.loss_fg(outputs['fg_logits'],
                                 torch.cat([labels, zeros], dim=1)),
            loss_bg=self.loss_bg(outputs['bg_logits'], background),
            loss_guide=self.loss_guide(attention, hat_fg, hat_bg),
            loss_cluster=self.loss_cluster(
                self.cluster(outputs['x_fg']), fg_target) +
            self.loss_cluster(self.cluster(outputs['x_bg']), 1 - fg_target))
