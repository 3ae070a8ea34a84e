"""BackTAL: background-click supervision (Yang et al., TPAMI 2022)."""
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmaction.registry import MODELS

from .bas_head import BAS_TEST_CFG
from .base_wstal_head import BaseWSTALHead, topk_count, topk_mean


def masked_temporal_conv(x: torch.Tensor, weight: torch.Tensor,
                         bias: Optional[torch.Tensor],
                         affinity: torch.Tensor) -> torch.Tensor:
    """Frame-specific temporal convolution (eqs. 15-16): the ``h``
    neighbours of position t are scaled by ``affinity[:, i, t]`` before the
    shared kernel is applied; zero padding at the ends.

    Args:
        x (torch.Tensor): ``(B, D_in, T)``.
        weight (torch.Tensor): ``(D_out, D_in, h)``, h odd.
        bias (torch.Tensor, optional): ``(D_out,)``.
        affinity (torch.Tensor): ``(B, h, T)``.

    Returns:
        torch.Tensor: ``(B, D_out, T)``.
    """
    h = weight.shape[-1]
    windows = F.pad(x, (h // 2, h // 2)).unfold(2, h, 1)  # (B, D, T, h)
    windows = windows * affinity.transpose(1, 2)[:, None]
    out = torch.einsum('bdti,odi->bot', windows, weight)
    return out if bias is None else out + bias[None, :, None]


def local_affinity(embedding: torch.Tensor, h: int) -> torch.Tensor:
    """Cosine similarity (eq. 9) of each position with its ``h``
    neighbours: ``(B, E, T) -> (B, h, T)``; neighbours beyond the ends
    get 0 (their features are zero padding anyway)."""
    unit = F.normalize(embedding, dim=1)
    windows = F.pad(unit, (h // 2, h // 2)).unfold(2, h, 1)  # (B, E, T, h)
    return torch.einsum('bet,beti->bit', unit, windows)


def hardest_pair_loss(emb: torch.Tensor, first: torch.Tensor,
                      second: torch.Tensor, threshold: float,
                      same: bool) -> Optional[torch.Tensor]:
    """Eqs. 10-12 on one video: over the pairs ``(u in first, v in
    second)``, ``u != v``, the largest ``[threshold - A]_+`` (``same``) or
    ``[A - threshold]_+``; None when there is no pair."""
    sim = emb[:, first].T @ emb[:, second]
    valid = first[:, None] != second[None, :]
    if not valid.any():
        return None
    hinge = (threshold - sim) if same else (sim - threshold)
    return hinge[valid].clamp(min=0).max()


@MODELS.register_module()
class BackTALHead(BaseWSTALHead):
    """BackTAL: three temporal convolutions give a ``(C+1)``-class T-CAS
    (background last); top-k aggregation (k = T // 8) gives the video score.
    The first convolution is frame-specific: an affinity module (a temporal
    convolution to ``embed_channels``, L2-normalised) weights each
    position's neighbours by their cosine similarity to it.

    Losses (eq. 4): ``loss_cls`` (softmax cross-entropy of the video score
    against the video labels plus background, which every clicked video
    holds), ``loss_frame`` (eq. 3: background class on the clicked
    snippets), ``loss_sep`` (eqs. 5-8, x lambda: for each video class, the
    mean score of its top-k snippets against the mean on the clicks),
    ``loss_aff`` (eqs. 10-13, x beta: hardest background-background,
    action-action and action-background pairs of embeddings, the actions
    being the union of the video classes' top-k snippets). Videos without
    clicks add nothing to the click losses; a batch without any gives 0.

    Inference (sec. 3.5) is BaS-Net's: softmax video scores above 0.25,
    thresholds 0:0.025:0.25 on the softmax T-CAS, outer-inner contrast.

    Args:
        in_channels (int): Feature channels.
        num_classes (int): Action classes (no background).
        hidden_channels (int): Width of the two hidden layers.
            Defaults to 2048.
        kernel_size (int): Temporal kernel of the first two layers.
            Defaults to 3.
        embed_channels (int): D_emb of the affinity module. Defaults to 32.
        dropout (float): Dropout after the hidden layers. Defaults to 0.7.
        sep_weight (float): lambda. Defaults to 1.0.
        aff_weight (float): beta. Defaults to 0.8.
        tau_same (float): Defaults to 0.5.
        tau_diff (float): Defaults to 0.1.
        loss_cls (dict): Video-level loss. Defaults to
            ``dict(type='SoftTargetCrossEntropyLoss')``.
        test_cfg (dict, optional): Over BaS-Net's inference defaults.
        **kwargs: ``topk_ratio``, ``init_cfg``.
    """

    def __init__(self,
                 in_channels: int,
                 num_classes: int,
                 hidden_channels: int = 2048,
                 kernel_size: int = 3,
                 embed_channels: int = 32,
                 dropout: float = 0.7,
                 sep_weight: float = 1.0,
                 aff_weight: float = 0.8,
                 tau_same: float = 0.5,
                 tau_diff: float = 0.1,
                 loss_cls: Dict = dict(type='SoftTargetCrossEntropyLoss'),
                 test_cfg: Optional[Dict] = None,
                 **kwargs) -> None:
        super().__init__(
            in_channels,
            num_classes,
            test_cfg={**BAS_TEST_CFG, **(test_cfg or {})},
            **kwargs)
        if kernel_size % 2 == 0:
            raise ValueError(f'kernel_size must be odd, got {kernel_size}')
        pad = kernel_size // 2
        self.embed = nn.Conv1d(in_channels, embed_channels, kernel_size,
                               padding=pad)
        self.conv1 = nn.Conv1d(in_channels, hidden_channels, kernel_size)
        self.conv2 = nn.Conv1d(hidden_channels, hidden_channels, kernel_size,
                               padding=pad)
        self.classifier = nn.Conv1d(hidden_channels, num_classes + 1, 1)
        self.dropout = nn.Dropout(dropout)
        self.sep_weight = sep_weight
        self.aff_weight = aff_weight
        self.tau_same = tau_same
        self.tau_diff = tau_diff
        self.loss_cls = MODELS.build(loss_cls)

    def forward(self, feats: torch.Tensor) -> Dict[str, torch.Tensor]:
        """``(B, D, T)`` to ``cas`` ``(B, T, C+1)`` logits, ``video_logits``
        ``(B, C+1)``, the embedding ``(B, E, T)``, and softmax ``tcas`` /
        ``video_scores`` without the background."""
        embedding = self.embed(feats)
        affinity = local_affinity(embedding, self.conv1.kernel_size[0])
        x = masked_temporal_conv(feats, self.conv1.weight, self.conv1.bias,
                                 affinity)
        x = self.dropout(F.relu(x))
        x = self.dropout(F.relu(self.conv2(x)))
        cas = self.classifier(x).transpose(1, 2)
        video_logits = topk_mean(cas, self.topk_ratio)
        return dict(
            cas=cas,
            video_logits=video_logits,
            embedding=embedding,
            attention=None,
            tcas=cas.softmax(dim=-1)[..., :-1],
            video_scores=video_logits.softmax(dim=-1)[:, :-1])

    @staticmethod
    def clicks_of(data_samples: Sequence, device) -> List[torch.Tensor]:
        """Each sample's ``background_click_indices`` (empty if absent)."""
        return [
            s.background_click_indices.to(device) if
            'background_click_indices' in s else torch.zeros(
                0, dtype=torch.long, device=device) for s in data_samples
        ]

    def loss_by_feat(self, outputs: Dict[str, torch.Tensor],
                     data_samples: Sequence) -> Dict[str, torch.Tensor]:
        cas, video_logits = outputs['cas'], outputs['video_logits']
        labels = self.labels(data_samples, cas.device)
        loss_cls = self.loss_cls(
            video_logits,
            torch.cat([labels, labels.new_ones(len(labels), 1)], dim=1))
        k = topk_count(cas.shape[1], self.topk_ratio)
        frame, sep, aff = [], [], []
        for i, clicks in enumerate(self.clicks_of(data_samples, cas.device)):
            if clicks.numel() == 0:
                continue
            frame.append(-cas[i, clicks].log_softmax(-1)[:, -1].mean())
            classes = labels[i].nonzero()[:, 0]
            best = cas[i, :, classes].topk(k, dim=0)  # (k, n)
            top, p_act = best.indices, best.values.mean(0)
            p_bg = cas[i, clicks][:, classes].mean(0)
            p_hat = torch.stack([p_act, p_bg], -1).softmax(-1)
            sep.append((-p_hat[:, 0].log() - (1 - p_hat[:, 1]).log()).mean())
            actions = top.flatten().unique()
            emb = F.normalize(outputs['embedding'][i], dim=0)
            terms = [
                hardest_pair_loss(emb, clicks, clicks, self.tau_same, True),
                hardest_pair_loss(emb, actions, actions, self.tau_same,
                                  True),
                hardest_pair_loss(emb, clicks, actions, self.tau_diff, False)
            ]
            terms = [t for t in terms if t is not None]
            if terms:
                aff.append(sum(terms))
        zero = cas.sum() * 0
        return dict(
            loss_cls=loss_cls,
            loss_frame=torch.stack(frame).mean() if frame else zero,
            loss_sep=self.sep_weight * (torch.stack(sep).mean()
                                        if sep else zero),
            loss_aff=self.aff_weight * (torch.stack(aff).mean()
                                        if aff else zero))
