"""The base-class model of annotation-efficient video recognition: a cosine
classifier with background pseudo-labelling, self-weighting and the NBG
contrastive loss (section 3 of the paper)."""
from typing import Dict, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmaction.registry import MODELS

from ..utils import (attention_pool, background_index, gather_snippets,
                     self_weighted_attention)
from .bas_head import attention_module
from .base_wstal_head import BaseWSTALHead, topk_count

OUTPUTS = ('detections', 'embeddings')


@MODELS.register_module()
class SelfWeightingHead(BaseWSTALHead):
    """Base-class training on untrimmed videos with video labels, whose
    snippet embeddings then serve novel-class episodes.

    Snippet features ``f(s_t)`` (the paper's embedding: a 1 x 1
    convolution, the spatial transforming layer, then a depthwise temporal
    convolution, both linear and without bias; L2-normalised) are scored by
    a cosine classifier ``W f`` (rows of ``W`` L2-normalised, no bias). The
    video feature ``F(x) = sum_t a_t f(s_t) / sum_t a_t`` (normalised)
    gives the logits ``tau * W F(x)`` of ``L_cls-soft`` (eqs. 1, 9). The
    switches give the stages of the paper's ablation:

    - soft-classification baseline: ``loss_bg=None``,
      ``self_weighting=False``, ``loss_contrast=None``; ``a_t`` comes from a
      learned attention network (eq. 3);
    - background pseudo-labelling (``loss_bg``): the snippet with the lowest
      maximum base-class logit is the background (eq. 4), non-informative
      (NBG) when that maximum is below ``nbg_threshold`` (eq. 5); ``W``
      gains a background class, trained on NBG by ``L_bg-cls`` (eq. 6) and
      a zero target in ``L_cls-soft`` (eq. 9);
    - self-weighting (``self_weighting=True``): ``a_t = g(f(s_bg)^T
      f(s_t))`` (eq. 8) replaces the attention network;
    - contrastive learning (``loss_contrast``): NBG snippets of the batch
      against its top ``T // fg_ratio`` snippets per video by maximum
      logit (FG + IBG), eq. 7.

    ``L = L_cls-soft + gamma_1 L_contrast + gamma_2 L_bg-cls`` (eq. 11); the
    gammas are the ``loss_weight`` of the two losses.

    Outputs for localization: the T-CAS ``a_t * softmax(tau W f(s_t))``
    over the base classes and the video scores ``softmax(tau W F(x))``.
    With ``test_cfg=dict(output='embeddings')`` prediction instead stores
    each video's ``snippet_embeddings`` ``(T, D)`` and, without
    self-weighting, its ``learned_attention`` ``(T,)``, for
    :class:`FewShotEpisodeMetric`.

    Args:
        in_channels (int): Channels of the input snippet features (use the
            localizer with ``embed_layers=0``: this head embeds them).
        num_classes (int): Number of base classes N.
        transform_channels (int, optional): Output channels of the 1 x 1
            convolution (2048 in the paper); None: no such layer.
            Defaults to None.
        temporal_kernel (int): Kernel of the depthwise temporal convolution
            (the paper's 1 x 8); 0 for none. Defaults to 8.
        temperature (float): tau of the cosine classifier. Defaults to 10.
        self_weighting (bool): Self-weighting instead of a learned
            attention. Defaults to True.
        sw_tau (float): tau_s of eq. 8. Defaults to 8.0.
        sw_center (float): c of eq. 8. Defaults to 0.5.
        nbg_threshold (float): t_n on the maximum cosine logit of the
            background snippet (the paper gives no value). Defaults to 0.3.
        fg_ratio (float): FG + IBG snippets per video are the top
            ``max(1, T // fg_ratio)``. Defaults to 4.
        attention_channels (int): Hidden width of the learned attention.
            Defaults to 512.
        loss_cls (dict): ``L_cls-soft``. Defaults to
            ``dict(type='SoftTargetCrossEntropyLoss')``.
        loss_bg (dict, optional): ``L_bg-cls``; None: no background class.
            Defaults to ``SoftTargetCrossEntropyLoss`` with weight 0.05.
        loss_contrast (dict, optional): ``L_contrast``; None: off.
            Defaults to ``NBGContrastiveLoss`` with weight 0.05.
        test_cfg (dict, optional): Post-processing of
            :class:`BaseWSTALHead`, plus ``output``: ``'detections'``
            (default) or ``'embeddings'``.
        **kwargs: ``init_cfg`` of :class:`BaseWSTALHead` (its
            ``topk_ratio`` is unused: the video feature pools by attention).
    """

    def __init__(self,
                 in_channels: int,
                 num_classes: int,
                 transform_channels: Optional[int] = None,
                 temporal_kernel: int = 8,
                 temperature: float = 10.0,
                 self_weighting: bool = True,
                 sw_tau: float = 8.0,
                 sw_center: float = 0.5,
                 nbg_threshold: float = 0.3,
                 fg_ratio: float = 4,
                 attention_channels: int = 512,
                 loss_cls: Dict = dict(type='SoftTargetCrossEntropyLoss'),
                 loss_bg: Optional[Dict] = dict(
                     type='SoftTargetCrossEntropyLoss', loss_weight=0.05),
                 loss_contrast: Optional[Dict] = dict(
                     type='NBGContrastiveLoss', loss_weight=0.05),
                 test_cfg: Optional[Dict] = None,
                 **kwargs) -> None:
        test_cfg = dict(test_cfg or {})
        self.output = test_cfg.pop('output', 'detections')
        if self.output not in OUTPUTS:
            raise ValueError(f'test_cfg.output must be one of {OUTPUTS}, '
                             f'got {self.output!r}')
        super().__init__(in_channels, num_classes, test_cfg=test_cfg,
                         **kwargs)
        # No biases: an offset shared by every snippet would pull all the
        # normalised features towards one direction.
        channels = transform_channels or in_channels
        self.transform = None if transform_channels is None else nn.Conv1d(
            in_channels, transform_channels, 1, bias=False)
        self.temporal = None
        if temporal_kernel:
            self.temporal = nn.Conv1d(
                channels, channels, temporal_kernel, padding='same',
                groups=channels, bias=False)
        self.temperature = temperature
        self.self_weighting = self_weighting
        self.sw_tau, self.sw_center = sw_tau, sw_center
        self.nbg_threshold = nbg_threshold
        self.fg_ratio = fg_ratio
        self.attention = None if self_weighting else attention_module(
            channels, attention_channels)
        self.loss_cls = MODELS.build(loss_cls)
        self.loss_bg = MODELS.build(loss_bg) if loss_bg else None
        self.loss_contrast = MODELS.build(
            loss_contrast) if loss_contrast else None
        self.classifier = nn.Linear(
            channels, num_classes + (self.loss_bg is not None), bias=False)

    def embed(self, feats: torch.Tensor) -> torch.Tensor:
        """``(B, C, T)`` to L2-normalised snippet features ``(B, T, D)``."""
        if self.transform is not None:
            feats = self.transform(feats)
        if self.temporal is not None:
            feats = self.temporal(feats)
        return F.normalize(feats.transpose(1, 2), dim=-1)

    def forward(self, feats: torch.Tensor) -> Dict[str, torch.Tensor]:
        """``(B, D, T)`` to ``embeddings`` ``(B, T, D)``, cosine
        ``snippet_logits`` ``(B, T, N [+1])``, ``video_logits`` (with tau),
        ``bg_index`` and ``nbg`` ``(B,)``, ``attention`` ``(B, T)``, ``tcas``
        and ``video_scores`` over the base classes."""
        embeddings = self.embed(feats)
        weight = F.normalize(self.classifier.weight, dim=-1)
        snippet_logits = embeddings @ weight.t()
        base_logits = snippet_logits[..., :self.num_classes]
        bg_index = background_index(base_logits)
        bg_max = gather_snippets(base_logits, bg_index).max(dim=-1).values
        if self.self_weighting:
            attention = self_weighted_attention(embeddings, bg_index,
                                                self.sw_tau, self.sw_center)
        else:
            attention = self.attention(embeddings.transpose(1, 2))[:, 0]
        video = F.normalize(attention_pool(embeddings, attention), dim=-1)
        video_logits = self.temperature * video @ weight.t()
        probs = (self.temperature * snippet_logits).softmax(dim=-1)
        return dict(
            embeddings=embeddings,
            snippet_logits=snippet_logits,
            video_logits=video_logits,
            bg_index=bg_index,
            nbg=bg_max.detach() < self.nbg_threshold,
            attention=attention,
            tcas=attention[..., None] * probs[..., :self.num_classes],
            video_scores=video_logits.softmax(dim=-1)[:, :self.num_classes])

    def loss_by_feat(self, outputs: Dict[str, torch.Tensor],
                     data_samples: Sequence) -> Dict[str, torch.Tensor]:
        embeddings, bg_index = outputs['embeddings'], outputs['bg_index']
        nbg = outputs['nbg']
        labels = self.labels(data_samples, embeddings.device)
        num_out = self.classifier.out_features
        targets = labels.new_zeros(len(labels), num_out)
        targets[:, :self.num_classes] = labels
        losses = dict(loss_cls=self.loss_cls(outputs['video_logits'],
                                             targets))
        if self.loss_bg is not None:
            bg_logits = self.temperature * gather_snippets(
                outputs['snippet_logits'], bg_index)
            bg_targets = torch.zeros_like(targets)
            bg_targets[nbg, -1] = 1.
            losses['loss_bg'] = self.loss_bg(bg_logits, bg_targets)
        if self.loss_contrast is not None:
            top = outputs['snippet_logits'][..., :self.num_classes].detach()
            k = topk_count(top.shape[1], self.fg_ratio)
            index = top.max(dim=-1).values.topk(k, dim=1).indices
            foreground = embeddings.gather(
                1, index[..., None].expand(-1, -1, embeddings.shape[-1]))
            losses['loss_contrast'] = self.loss_contrast(
                gather_snippets(embeddings, bg_index)[nbg],
                foreground.flatten(0, 1))
        return losses

    def predict_by_feat(self, outputs: Dict[str, torch.Tensor],
                        data_samples: Sequence):
        """Detections (see :class:`BaseWSTALHead`) or, with
        ``output='embeddings'``, the inputs of the novel-class episodes."""
        if self.output == 'detections':
            return super().predict_by_feat(outputs, data_samples)
        embeddings = outputs['embeddings'].detach().float().cpu()
        for i, sample in enumerate(data_samples):
            sample.snippet_embeddings = embeddings[i]
            if self.self_weighting:
                sample.set_metainfo(
                    dict(self_weighting=(self.sw_tau, self.sw_center)))
            else:
                sample.learned_attention = \
                    outputs['attention'][i].detach().float().cpu()
        return list(data_samples)
