"""The base of the weakly supervised temporal action localization heads."""
from abc import ABCMeta, abstractmethod
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.model import BaseModule
from mmengine.structures import InstanceData

from ..utils import postprocess

DEFAULT_TEST_CFG = dict(
    class_threshold=0.2,
    thresholds=dict(start=0.0, stop=0.5, step=0.025),
    source='cas',
    score='oic',
    class_score_weight=0.2,
    nms_method='nms',
    iou_threshold=0.5,
    max_proposals=100,
    keep_sequences=False)


def threshold_list(thresholds) -> List[float]:
    """``dict(start, stop, step)`` (``np.arange``) or a sequence, as a list
    of floats."""
    if isinstance(thresholds, dict):
        unknown = set(thresholds) - {'start', 'stop', 'step'}
        if unknown:
            raise ValueError(f'thresholds: unknown keys {sorted(unknown)}; '
                             'use dict(start=..., stop=..., step=...)')
        return [
            float(t) for t in np.arange(
                thresholds.get('start', 0.0), thresholds['stop'],
                thresholds['step'])
        ]
    return [float(t) for t in thresholds]


def video_labels(data_samples: Sequence, num_classes: int,
                 device: torch.device) -> torch.Tensor:
    """``(B, num_classes)`` float multi-hot labels of the samples."""
    labels = []
    for sample in data_samples:
        item = sample.gt_labels.item
        if item.numel() != num_classes:
            raise ValueError(
                f'video {sample.metainfo.get("video_id")}: the label has '
                f'{item.numel()} entries, the head has num_classes='
                f'{num_classes}')
        labels.append(item)
    return torch.stack(labels).to(device=device, dtype=torch.float32)


def topk_count(length: int, ratio: float) -> int:
    """``k = max(1, T // ratio)``: how many snippets a top-k pooling of a
    length-``T`` sequence takes."""
    return max(1, int(length // ratio))


def topk_mean(sequence: torch.Tensor, ratio: float) -> torch.Tensor:
    """Mean of the ``k = max(1, T // ratio)`` largest values over time.

    Args:
        sequence (torch.Tensor): ``(B, T, K)``.
        ratio (float): ``T / k``, e.g. 8.

    Returns:
        torch.Tensor: ``(B, K)``.
    """
    k = topk_count(sequence.shape[1], ratio)
    return sequence.topk(k, dim=1).values.mean(dim=1)


class BaseWSTALHead(BaseModule, metaclass=ABCMeta):
    """Base of the WS-TAL heads: snippet embeddings in, video-level scores,
    a T-CAS and an attention out, with the ``loss -> loss_by_feat`` and
    ``predict -> predict_by_feat`` split of MMAction2's heads.

    A subclass implements :meth:`forward`, returning a dict with at least

    - ``video_scores``: ``(B, C)`` class scores in [0, 1], which select the
      classes to localize;
    - ``tcas``: ``(B, T, C)`` per-class sequence that proposals are scored
      on (and thresholded on when ``source='cas'``);
    - ``attention``: ``(B, T)`` class-agnostic foreground, or None;

    plus whatever its :meth:`loss_by_feat` needs.

    Args:
        in_channels (int): Channels of the snippet embeddings.
        num_classes (int): Number of action classes (no background).
        topk_ratio (float): Video scores pool the top ``T // topk_ratio``
            snippets. Defaults to 8.
        test_cfg (dict, optional): Post-processing options, merged over
            ``DEFAULT_TEST_CFG`` (see :func:`mmwsal.models.utils.postprocess`;
            ``thresholds`` may be ``dict(start, stop, step)``;
            ``keep_sequences=True`` stores ``video_scores``, ``tcas`` and
            ``attention`` in each predicted sample for visualisation).
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self,
                 in_channels: int,
                 num_classes: int,
                 topk_ratio: float = 8,
                 test_cfg: Optional[Dict] = None,
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_classes < 1:
            raise ValueError(f'num_classes must be >= 1, got {num_classes}')
        self.in_channels = in_channels
        self.num_classes = num_classes
        self.topk_ratio = topk_ratio
        self.test_cfg = {**DEFAULT_TEST_CFG, **(test_cfg or {})}
        self.thresholds = threshold_list(self.test_cfg['thresholds'])

    @abstractmethod
    def forward(self, feats: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Snippet embeddings ``(B, in_channels, T)`` to the outputs."""

    @abstractmethod
    def loss_by_feat(self, outputs: Dict[str, torch.Tensor],
                     data_samples: Sequence) -> Dict[str, torch.Tensor]:
        """Losses from the outputs of :meth:`forward`."""

    def loss(self, feats: torch.Tensor,
             data_samples: Sequence) -> Dict[str, torch.Tensor]:
        """Losses of a batch of snippet embeddings ``(B, D, T)``."""
        return self.loss_by_feat(self(feats), data_samples)

    def predict(self, feats: torch.Tensor, data_samples: Sequence) -> List:
        """Detections of a batch of snippet embeddings ``(B, D, T)``."""
        return self.predict_by_feat(self(feats), data_samples)

    def labels(self, data_samples: Sequence,
               device: torch.device) -> torch.Tensor:
        """``(B, C)`` multi-hot video labels."""
        return video_labels(data_samples, self.num_classes, device)

    def predict_by_feat(self, outputs: Dict[str, torch.Tensor],
                        data_samples: Sequence) -> List:
        """Post-process each video into ``pred_instances`` (``segments`` in
        seconds, ``labels``, ``scores``) and ``pred_scores`` (the video
        scores, for recognition metrics)."""
        cfg = {
            k: v
            for k, v in self.test_cfg.items()
            if k not in ('thresholds', 'keep_sequences')
        }
        video_scores = outputs['video_scores'].detach().float().cpu()
        tcas = outputs['tcas'].detach().float().cpu()
        attention = outputs.get('attention')
        if attention is not None:
            attention = attention.detach().float().cpu()
        for i, sample in enumerate(data_samples):
            meta = sample.metainfo
            att = None if attention is None else attention[i].numpy()
            dets = postprocess(
                video_scores[i].numpy(),
                tcas[i].numpy(),
                att,
                snippet_seconds=float(meta['snippet_seconds']),
                thresholds=self.thresholds,
                **cfg)
            segments = dets[:, :2]
            if 'duration' in meta:
                segments = np.clip(segments, 0.0, float(meta['duration']))
            sample.pred_instances = InstanceData(
                segments=torch.from_numpy(segments),
                labels=torch.from_numpy(dets[:, 2].astype(np.int64)),
                scores=torch.from_numpy(dets[:, 3]))
            sample.set_pred_score(video_scores[i])
            if self.test_cfg['keep_sequences']:
                sample.tcas = tcas[i]
                if attention is not None:
                    sample.attention = attention[i]
        return list(data_samples)
