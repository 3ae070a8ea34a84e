"""Denoised cross-video contrast (DCC, Li et al., CVPR 2022, sec. 3.2)."""
from typing import Dict, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmengine.model import BaseModule

from ..heads.base_wstal_head import video_labels
from .pseudo_labels import (batched_kmeans, confidence_voting,
                            snippet_pseudo_labels)
from .region_memory_bank import RegionMemoryBank


def region_count(num_regions: int) -> int:
    """R, the region features of a video for M parts: the whole video and
    its M parts (just the video when M = 1)."""
    return num_regions + 1 if num_regions > 1 else 1


def region_pooling(num_snippets: int, num_regions: int,
                   device: Optional[torch.device] = None) -> torch.Tensor:
    """Average pooling of the whole video and of its M equal parts.

    Args:
        num_snippets (int): T.
        num_regions (int): M. With M = 1 the one part is the whole video,
            so it is not repeated.
        device (torch.device, optional): Defaults to None.

    Returns:
        torch.Tensor: ``(R, T)`` with R = M + 1 (1 when M = 1): row 0 is
        ``1 / T`` everywhere (``R_0``, the video), row m averages snippets
        ``[floor((m-1) T / M), floor(m T / M))``; a part without snippets
        (T < M) is a row of zeros.
    """
    if num_regions < 1:
        raise ValueError(f'num_regions must be >= 1, got {num_regions}')
    rows = [torch.full((num_snippets, ), 1.0 / num_snippets)]
    if num_regions > 1:
        for m in range(num_regions):
            row = torch.zeros(num_snippets)
            start = m * num_snippets // num_regions
            end = (m + 1) * num_snippets // num_regions
            if end > start:
                row[start:end] = 1.0 / (end - start)
            rows.append(row)
    return torch.stack(rows).to(device)


def contrast_masks(anchor_labels: torch.Tensor, anchor_videos: torch.Tensor,
                   labels: torch.Tensor, videos: torch.Tensor,
                   is_action: torch.Tensor, valid: torch.Tensor,
                   is_self: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """Positives and negatives of each action anchor (sec. 3.2).

    Positives: action regions of the anchor's class, from its own video
    (other regions) or from other videos. Negatives: background regions of
    its own video and class, background regions of other videos, action
    regions of other videos and other classes. The other instances of the
    anchor's own video (a video with several labels) are left out: their
    background may hold the anchor's action, their action is of the same
    video.

    Args:
        anchor_labels (torch.Tensor): ``(A,)`` class of each anchor.
        anchor_videos (torch.Tensor): ``(A,)`` video key of each anchor.
        labels (torch.Tensor): ``(N,)`` class of each candidate.
        videos (torch.Tensor): ``(N,)`` video key of each candidate; -1
            (unknown) matches no anchor, whose keys are never -1.
        is_action (torch.Tensor): ``(N,)`` bool, action (else background)
            region.
        valid (torch.Tensor): ``(N,)`` bool, the region has weight.
        is_self (torch.Tensor): ``(A, N)`` bool, the anchor itself.

    Returns:
        tuple[torch.Tensor, torch.Tensor]: ``(A, N)`` bool positive and
        negative masks.
    """
    same_class = anchor_labels[:, None] == labels[None]
    same_video = anchor_videos[:, None] == videos[None]
    usable = valid[None] & ~is_self & ~(same_video & ~same_class)
    positive = usable & is_action[None] & same_class
    negative = usable & ~positive
    return positive, negative


@MODELS.register_module()
class DCCNeck(BaseModule):
    """Denoised cross-video contrast on the localizer's snippet embeddings.

    Training only (nothing changes at inference). Per video and per label c
    (an "instance"):

    1. pseudo-labels ``hat_A`` from the head's base T-CAS (eq. 3);
    2. confidences ``S`` by k-means over the video's embeddings and
       confidence voting (eq. 4), or ``S = 1`` with ``denoise=False``;
    3. a projection head (two linear layers with a ReLU) to ``X`` ``(T, d)``,
       weighted by ``hat_A S`` (action, eq. 5) and ``(1 - hat_A) S``
       (background, eq. 6), averaged over the whole video and its M parts
       and l2-normalised: the region features ``r_m`` and ``r'_m``;
    4. InfoNCE (eq. 7) with every action region as an anchor against the
       batch's regions and the region-level memory bank (positives and
       negatives in :func:`contrast_masks`); then the batch's regions of
       all ranks enter the bank.

    The loss, ``loss_dcc``, is ``beta * L_dcc``; :class:`DCCBetaHook` ramps
    beta over training. ``l_dcc``, the unweighted ``L_dcc`` (detached), is
    logged beside it (a key without "loss" is not summed into the total).

    The embeddings are the localizer's (its temporal convolutions) or, with
    ``feat_key``, a head output: BaS-Net runs its own convolutions (the CAS
    module) on the features, and its hidden features ``base_feats`` are
    what its base T-CAS is computed from. The pseudo-labels come from the
    base T-CAS of the head being trained, or of a frozen teacher whose
    outputs :meth:`loss` receives as ``pseudo_label_outputs``
    (``WeakLocalizer(pseudo_label_teacher=...)``).

    Args:
        in_channels (int): Channels D of the snippet embeddings.
        num_classes (int): Number of action classes.
        bank_size (int): Slots of the memory bank: the number of
            (video, label) pairs of the training set.
        projection_channels (int): d. Defaults to 512.
        hidden_channels (int): Hidden width of the projection head.
            Defaults to 512.
        num_clusters (int): K of the k-means. Defaults to 5.
        num_regions (int): M. Defaults to 5.
        kmeans_iters (int): Most k-means updates. Defaults to 10.
        denoise (bool): Weight by the confidences ``S`` (the PLD module);
            False is the "DCC w/o denoising" ablation. Defaults to True.
        cas_key (str): The head output holding the base T-CAS ``A^b``
            ``(B, T, C+1)`` logits: ``'base_cas'`` for ``BaSNetHead``,
            ``'snippet_logits'`` for ``BackgroundModelingHead``.
            Defaults to ``'base_cas'``.
        feat_key (str, optional): The head output holding the ``(B, D, T)``
            embeddings to contrast and cluster (``'base_feats'`` for
            ``BaSNetHead``, whose CAS module embeds the features; its width
            D is then ``in_channels``, which must be set). None: the
            localizer's embedding. Defaults to None.
        beta (float): Weight of the loss until a hook sets it.
            Defaults to 1.0.
        loss_contrast (dict): Defaults to
            ``dict(type='MaskedInfoNCELoss', temperature=0.1)``.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self,
                 in_channels: int,
                 num_classes: int,
                 bank_size: int,
                 projection_channels: int = 512,
                 hidden_channels: int = 512,
                 num_clusters: int = 5,
                 num_regions: int = 5,
                 kmeans_iters: int = 10,
                 denoise: bool = True,
                 cas_key: str = 'base_cas',
                 feat_key: Optional[str] = None,
                 beta: float = 1.0,
                 loss_contrast: Dict = dict(
                     type='MaskedInfoNCELoss', temperature=0.1),
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_classes = num_classes
        self.num_clusters = num_clusters
        self.num_regions = num_regions
        self.kmeans_iters = kmeans_iters
        self.denoise = denoise
        self.cas_key = cas_key
        self.feat_key = feat_key
        self.beta = float(beta)
        self.projection = nn.Sequential(
            nn.Linear(in_channels, hidden_channels), nn.ReLU(inplace=True),
            nn.Linear(hidden_channels, projection_channels))
        self.bank = RegionMemoryBank(bank_size, region_count(num_regions),
                                     projection_channels)
        self.loss_contrast = MODELS.build(loss_contrast)

    def set_beta(self, beta: float) -> None:
        """Set the weight beta of eq. 8."""
        self.beta = float(beta)

    def forward(self, feats: torch.Tensor) -> torch.Tensor:
        """``(B, D, T)`` embeddings to the projected ``X`` ``(B, T, d)``."""
        return self.projection(feats.transpose(1, 2))

    def confidences(self, feats: torch.Tensor,
                    pseudo_labels: torch.Tensor) -> torch.Tensor:
        """``S`` (eq. 4) from k-means over the detached embeddings, or ones
        without denoising; ``(B, T, K)``."""
        if not self.denoise:
            return torch.ones_like(pseudo_labels)
        clusters, _ = batched_kmeans(
            feats.detach().transpose(1, 2), self.num_clusters,
            self.kmeans_iters)
        return confidence_voting(clusters, pseudo_labels, self.num_clusters)

    def base_cas(self, head_outputs: Dict) -> torch.Tensor:
        """The base T-CAS ``A^b`` among the head's outputs."""
        if self.cas_key not in head_outputs:
            raise KeyError(
                f'DCCNeck reads the base T-CAS from the head output '
                f'{self.cas_key!r}, which the head does not give (it gives '
                f'{sorted(head_outputs)}); set neck.cas_key: '
                "'base_cas' for BaSNetHead, 'snippet_logits' for "
                'BackgroundModelingHead')
        return head_outputs[self.cas_key]

    def embeddings(self, feats: torch.Tensor,
                   head_outputs: Dict) -> torch.Tensor:
        """The ``(B, D, T)`` embeddings to contrast: ``feats`` (the
        localizer's) or the head output ``feat_key``."""
        if self.feat_key is None:
            return feats
        if self.feat_key not in head_outputs:
            raise KeyError(
                f'DCCNeck reads its embeddings from the head output '
                f'{self.feat_key!r}, which the head does not give (it gives '
                f'{sorted(head_outputs)}); set neck.feat_key '
                "('base_feats' for BaSNetHead) or None for the localizer's "
                'embedding')
        return head_outputs[self.feat_key]

    def region_features(self, feats: torch.Tensor, head_outputs: Dict,
                        labels: torch.Tensor) -> Dict[str, torch.Tensor]:
        """The denoised region features of every instance of the batch.

        Args:
            feats (torch.Tensor): ``(B, D, T)`` embeddings to contrast.
            head_outputs (dict): Outputs holding the base T-CAS
                (``cas_key``).
            labels (torch.Tensor): ``(B, C)`` multi-hot video labels.

        Returns:
            dict: ``rows`` and ``classes`` ``(N,)`` (the batch row and class
            of each instance), ``action`` and ``background`` ``(N, R, d)``
            l2-normalised region features (zero for a region without
            weight).
        """
        pseudo = snippet_pseudo_labels(self.base_cas(head_outputs))
        if pseudo.shape[:2] != (feats.shape[0], feats.shape[2]) or \
                pseudo.shape[2] < self.num_classes:
            raise ValueError(
                f'base T-CAS {tuple(pseudo.shape)} does not fit embeddings '
                f'{tuple(feats.shape)} and {self.num_classes} classes')
        conf = self.confidences(feats, pseudo)
        rows, classes = labels.nonzero(as_tuple=True)
        # (N, T) weights of eqs. 5 and 6 for each instance's class.
        hat_a = pseudo[rows, :, classes]
        score = conf[rows, :, classes]
        projected = self(feats)[rows]
        pool = region_pooling(feats.shape[2], self.num_regions, feats.device)
        out = dict(rows=rows, classes=classes)
        for name, weight in (('action', hat_a * score),
                             ('background', (1 - hat_a) * score)):
            pooled = (pool[None] * weight[:, None, :]) @ projected
            out[name] = F.normalize(pooled, dim=-1)
        return out

    def loss(self,
             feats: torch.Tensor,
             head_outputs: Dict,
             data_samples: Sequence,
             pseudo_label_outputs: Optional[Dict] = None
             ) -> Dict[str, torch.Tensor]:
        """``beta * L_dcc`` of a batch; in training the batch's region
        features then enter the memory bank (gathered from all ranks).

        Args:
            feats (torch.Tensor): ``(B, D, T)`` the localizer's snippet
                embeddings.
            head_outputs (dict): The head's outputs on ``feats``.
            data_samples (Sequence): With ``gt_labels``, and
                ``video_index`` in the metainfo when known.
            pseudo_label_outputs (dict, optional): Outputs whose
                ``cas_key`` is the ``A^b`` of the pseudo-labels (eq. 3): a
                frozen teacher's on the same batch. Defaults to None
                (``head_outputs``: the network being trained).

        Returns:
            dict: ``loss_dcc`` (``beta * L_dcc``) and ``l_dcc`` (``L_dcc``,
            detached, for the log).
        """
        feats = self.embeddings(feats, head_outputs)
        labels = video_labels(data_samples, self.num_classes, feats.device)
        regions = self.region_features(
            feats, head_outputs
            if pseudo_label_outputs is None else pseudo_label_outputs,
            labels)
        videos = torch.tensor(
            [int(s.metainfo.get('video_index', -1)) for s in data_samples],
            device=feats.device)[regions['rows']]
        loss = self.contrast(regions, videos)
        if self.training:
            self.bank.update(regions['action'], regions['background'],
                             regions['classes'], videos)
        return dict(loss_dcc=self.beta * loss, l_dcc=loss.detach())

    def contrast(self, regions: Dict[str, torch.Tensor],
                 videos: torch.Tensor) -> torch.Tensor:
        """``L_dcc`` (eq. 7) of the batch's action regions against the
        batch's regions and the memory bank as it is before this step."""
        action = regions['action']
        num_regions = action.shape[1]
        # A video without a known index (-1) is told apart by its batch
        # row; the bank's -1 then matches no anchor.
        keys = torch.where(videos >= 0, videos, -2 - regions['rows'])
        bank_action, bank_background, bank_labels, bank_videos = \
            self.bank.entries()
        groups = [(action, regions['classes'], keys, True),
                  (regions['background'], regions['classes'], keys, False),
                  (bank_action, bank_labels, bank_videos, True),
                  (bank_background, bank_labels, bank_videos, False)]
        candidates = torch.cat([g[0].flatten(0, 1) for g in groups])
        labels = torch.cat(
            [g[1].repeat_interleave(num_regions) for g in groups])
        cand_videos = torch.cat(
            [g[2].repeat_interleave(num_regions) for g in groups])
        is_action = torch.cat([
            torch.full((len(g[0]) * num_regions, ), g[3],
                       device=action.device) for g in groups
        ])
        # A region without any weight pools to zero: no part in the loss.
        valid = candidates.abs().sum(-1) > 0
        num_anchors = action.shape[0] * num_regions
        is_self = torch.eye(num_anchors, len(candidates), dtype=torch.bool,
                            device=action.device)
        positive, negative = contrast_masks(labels[:num_anchors],
                                            cand_videos[:num_anchors],
                                            labels, cand_videos, is_action,
                                            valid, is_self)
        positive &= valid[:num_anchors, None]
        return self.loss_contrast(candidates[:num_anchors], candidates,
                                  positive, negative)

    def extra_repr(self) -> str:
        return (f'num_clusters={self.num_clusters}, '
                f'num_regions={self.num_regions}, denoise={self.denoise}, '
                f'cas_key={self.cas_key!r}, feat_key={self.feat_key!r}')


__all__ = ['DCCNeck', 'contrast_masks', 'region_pooling']
