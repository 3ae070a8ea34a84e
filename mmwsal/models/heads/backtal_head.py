"""BackTAL: background-click supervision (Yang et al., TPAMI 2022)."""
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmaction.registry import MODELS

from .bas_head import BAS_TEST_CFG, BaSNetHead, CASModule
from .base_wstal_head import topk_count

# The reference test code: BaS-Net's, the T-CAS interpolated to frame
# resolution (16 frames per snippet), NMS at 0.55.
BACKTAL_TEST_CFG = {**BAS_TEST_CFG, 'upsample': 16, 'iou_threshold': 0.55}
AFF_PAIRS = ('per_row', 'global')


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
                      second: torch.Tensor, threshold: float, same: bool,
                      pairs: str = 'per_row') -> Optional[torch.Tensor]:
    """The affinity loss of one video over the pairs ``(u in first, v in
    second)``, ``u != v``, of unit embeddings ``emb`` ``(E, T)``: the hinge
    ``[threshold - A]_+`` (``same``) or ``[A - threshold]_+`` of the
    hardest pairs.

    - ``pairs='global'``: the one hardest pair (eqs. 10-12 of the paper);
    - ``pairs='per_row'``: each ``u`` with its hardest partner, the hinges
      averaged (the reference code; for a different-set term also each
      ``v`` with its hardest ``u``, the two means added).

    Returns None when there is no pair.
    """
    sim = emb[:, first].T @ emb[:, second]
    valid = first[:, None] != second[None, :]
    if not valid.any():
        return None
    hinge = ((threshold - sim) if same else (sim - threshold)).clamp(min=0)
    if pairs == 'global':
        return hinge[valid].max()
    hinge = hinge.masked_fill(~valid, float('-inf'))
    rows = hinge.amax(dim=1)
    loss = rows[rows.isfinite()].mean()
    if not same:
        cols = hinge.amax(dim=0)
        loss = loss + cols[cols.isfinite()].mean()
    return loss


class AffinityCASModule(CASModule):
    """The CAS module with frame-specific convolutions: each hidden
    convolution in ``affinity_convs`` scales the neighbours of every
    position by their affinity to it (eqs. 15-16; the reference applies it
    to both convolutions, the paper's text to the first). Hidden
    convolutions have no bias (the reference).
    """

    def __init__(self, *args, affinity_convs: Sequence[int] = (0, 1),
                 **kwargs) -> None:
        super().__init__(*args, bias=False, **kwargs)
        if not set(affinity_convs) <= {0, 1}:
            raise ValueError(f'affinity_convs must be among (0, 1), got '
                             f'{affinity_convs}')
        self.affinity_convs = tuple(affinity_convs)

    def hidden(self, x: torch.Tensor,
               affinity: Optional[torch.Tensor] = None) -> torch.Tensor:
        for i, conv in enumerate((self.conv1, self.conv2)):
            if affinity is not None and i in self.affinity_convs:
                x = masked_temporal_conv(x, conv.weight, conv.bias, affinity)
            else:
                x = conv(x)
            x = self.act(x)
        return x


def embedding_module(in_channels: int, hidden: int, channels: int,
                     kernel_size: int) -> nn.Module:
    """BackTAL's affinity embedding: two temporal convolutions with a
    LeakyReLU between (``hidden=0``: one convolution)."""
    pad = kernel_size // 2
    if hidden == 0:
        return nn.Conv1d(in_channels, channels, kernel_size, padding=pad)
    return nn.Sequential(
        nn.Conv1d(in_channels, hidden, kernel_size, padding=pad),
        nn.LeakyReLU(),
        nn.Conv1d(hidden, channels, kernel_size, padding=pad))


@MODELS.register_module()
class BackTALHead(BaSNetHead):
    """BackTAL: background-click supervision (Yang et al., TPAMI 2022) on
    BaS-Net, as the paper (sec. 4.1) and its reference network build it.

    BaS-Net's filtering module, base branch (``[y, 1]``), suppression
    branch (``[y, 0]``) and attention norm, with a CAS module whose
    convolutions are frame-specific (:class:`AffinityCASModule`): an
    embedding of the input features (two convolutions to
    ``embed_channels``, L2-normalised) weights each position's neighbours
    by their cosine similarity to it, in both branches.

    Losses: BaS-Net's ``loss_base``, ``loss_supp``, ``loss_norm``, plus, on
    the videos with clicks,

    - ``loss_frame`` (eq. 3): ``-log`` of the background probability of the
      base CAS on the clicked snippets;
    - ``loss_sep`` (eqs. 5-8, x lambda): for each video class, the top-k
      mean of its base CAS (``p_act``) against its mean on the clicks
      (``p_bg``), ``-log p_act_hat - log(1 - p_bg_hat)`` (the reference
      keeps the first term only: lambda / 2 of this);
    - ``loss_aff`` (eqs. 10-13, x beta): hardest background-background,
      action-action and action-background pairs of embeddings, the actions
      being the union of the video classes' top-k snippets of the
      suppression CAS (the reference's choice), see
      :func:`hardest_pair_loss`.

    Videos without clicks add nothing to the click losses; a batch without
    any gives 0. Inference (``BACKTAL_TEST_CFG``) is BaS-Net's on the
    suppression branch, interpolated 16x (to frame resolution of 16-frame
    snippets) and NMS 0.55, as the reference test code.

    Args:
        in_channels (int): Feature channels.
        num_classes (int): Action classes (no background).
        embed_channels (int): D_emb of the affinity embedding.
            Defaults to 32.
        embed_hidden (int): Hidden width of the embedding; 0 for a single
            convolution. Defaults to 512.
        affinity_convs (Sequence[int]): Hidden convolutions made
            frame-specific. Defaults to (0, 1).
        aff_pairs (str): ``'per_row'`` (reference) or ``'global'``
            (paper). Defaults to ``'per_row'``.
        sep_weight (float): lambda. Defaults to 1.0.
        aff_weight (float): beta. Defaults to 0.8.
        tau_same (float): Defaults to 0.5.
        tau_diff (float): Defaults to 0.1.
        test_cfg (dict, optional): Over ``BACKTAL_TEST_CFG``.
        **kwargs: Those of :class:`BaSNetHead` (``cas_channels``,
            ``kernel_size``, ``dropout``, ``norm_weight``, ``loss_cls``,
            ``filter_channels``, ...).
    """

    default_test_cfg = BACKTAL_TEST_CFG

    def __init__(self,
                 in_channels: int,
                 num_classes: int,
                 embed_channels: int = 32,
                 embed_hidden: int = 512,
                 affinity_convs: Sequence[int] = (0, 1),
                 aff_pairs: str = 'per_row',
                 sep_weight: float = 1.0,
                 aff_weight: float = 0.8,
                 tau_same: float = 0.5,
                 tau_diff: float = 0.1,
                 test_cfg: Optional[Dict] = None,
                 **kwargs) -> None:
        if aff_pairs not in AFF_PAIRS:
            raise ValueError(f'aff_pairs must be one of {AFF_PAIRS}, got '
                             f'{aff_pairs!r}')
        self.affinity_convs = tuple(affinity_convs)
        super().__init__(in_channels, num_classes, test_cfg=test_cfg,
                         **kwargs)
        kernel_size = self.cas_module.conv1.kernel_size[0]
        self.embed = embedding_module(in_channels, embed_hidden,
                                      embed_channels, kernel_size)
        self.aff_pairs = aff_pairs
        self.sep_weight = sep_weight
        self.aff_weight = aff_weight
        self.tau_same = tau_same
        self.tau_diff = tau_diff

    def build_cas_module(self, in_channels: int, channels: int,
                         kernel_size: int, dropout: float) -> nn.Module:
        return AffinityCASModule(
            in_channels,
            self.num_classes + 1,
            channels,
            kernel_size,
            dropout,
            affinity_convs=self.affinity_convs)

    def forward(self, feats: torch.Tensor) -> Dict[str, torch.Tensor]:
        """BaS-Net's outputs (see :meth:`BaSNetHead.forward`) with
        frame-specific convolutions, plus the unit ``embedding``
        ``(B, E, T)``."""
        embedding = F.normalize(self.embed(feats), dim=1)
        affinity = local_affinity(embedding,
                                  self.cas_module.conv1.kernel_size[0])
        outputs = self.branches(feats, affinity=affinity)
        outputs['embedding'] = embedding
        return outputs

    @staticmethod
    def clicks_of(data_samples: Sequence, device) -> List[torch.Tensor]:
        """Each sample's ``background_click_indices`` (empty if absent)."""
        return [
            s.background_click_indices.to(device) if
            'background_click_indices' in s else torch.zeros(
                0, dtype=torch.long, device=device) for s in data_samples
        ]

    def click_losses(self, outputs: Dict[str, torch.Tensor], video: int,
                     clicks: torch.Tensor, classes: torch.Tensor,
                     k: int) -> tuple:
        """``(frame, sep, aff)`` of one video with clicks; ``aff`` may be
        None (no pair)."""
        base = outputs['base_cas'][video]
        frame = -base[clicks].log_softmax(-1)[:, -1].mean()
        p_act = base[:, classes].topk(k, dim=0).values.mean(0)
        p_bg = base[clicks][:, classes].mean(0)
        p_hat = torch.stack([p_act, p_bg], -1).softmax(-1)
        sep = (-p_hat[:, 0].log() - (1 - p_hat[:, 1]).log()).mean()
        top = outputs['supp_cas'][video][:, classes].topk(k, dim=0).indices
        actions = top.flatten().unique()
        emb = outputs['embedding'][video]
        terms = [
            hardest_pair_loss(emb, clicks, clicks, self.tau_same, True,
                              self.aff_pairs),
            hardest_pair_loss(emb, actions, actions, self.tau_same, True,
                              self.aff_pairs),
            hardest_pair_loss(emb, clicks, actions, self.tau_diff, False,
                              self.aff_pairs)
        ]
        terms = [t for t in terms if t is not None]
        return frame, sep, sum(terms) if terms else None

    def loss_by_feat(self, outputs: Dict[str, torch.Tensor],
                     data_samples: Sequence) -> Dict[str, torch.Tensor]:
        base = outputs['base_cas']
        labels = self.labels(data_samples, base.device)
        losses = self.bas_losses(outputs, labels)
        k = topk_count(base.shape[1], self.topk_ratio)
        frame, sep, aff = [], [], []
        for i, clicks in enumerate(self.clicks_of(data_samples, base.device)):
            if clicks.numel() == 0:
                continue
            f, s, a = self.click_losses(outputs, i, clicks,
                                        labels[i].nonzero()[:, 0], k)
            frame.append(f)
            sep.append(s)
            if a is not None:
                aff.append(a)
        zero = base.sum() * 0
        losses.update(
            loss_frame=torch.stack(frame).mean() if frame else zero,
            loss_sep=self.sep_weight * (torch.stack(sep).mean()
                                        if sep else zero),
            loss_aff=self.aff_weight * (torch.stack(aff).mean()
                                        if aff else zero))
        return losses
