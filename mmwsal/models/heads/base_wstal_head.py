"""The base of the weakly supervised temporal action localization heads."""
import logging
from abc import ABCMeta, abstractmethod
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.logging import print_log
from mmengine.model import BaseModule
from mmengine.structures import InstanceData

from ..utils import (minmax_normalize, postprocess, select_classes,
                     upsample_sequence)

DEFAULT_TEST_CFG = dict(
    class_threshold=0.2,
    chance_factor=2.0,
    thresholds=dict(start=0.0, stop=0.5, step=0.025),
    source='cas',
    score='oic',
    class_score_weight=0.2,
    tcas_norm=None,
    attention_norm=None,
    upsample=1,
    nms_method='nms',
    iou_threshold=0.5,
    max_proposals=100,
    keep_sequences=False)

# One post-processing for every head, to compare heads apart from their
# papers' inference choices: classes above twice the chance level of the
# video scores, the head's T-CAS min-max normalised per class, thresholds
# over its whole range, outer-inner contrast, NMS at 0.5.
SHARED_TEST_CFG = dict(
    class_threshold='chance',
    chance_factor=2.0,
    thresholds=dict(start=0.0, stop=1.0, step=0.05),
    source='cas',
    score='oic',
    class_score_weight=0.2,
    tcas_norm='minmax',
    attention_norm=None,
    upsample=1,
    nms_method='nms',
    iou_threshold=0.5,
    max_proposals=100)

TCAS_NORMS = (None, 'softmax', 'minmax')
# test_cfg keys of the heads' own (how the sequences are made), which
# mmwsal.models.utils.postprocess does not take.
HEAD_ONLY_KEYS = ('keep_sequences', 'tcas_norm', 'attention_norm', 'upsample',
                  'chance_factor', 'branch', 'score_branch', 'cas')
# ... and those predict_by_feat passes to postprocess in resolved form.
_OWN_KEYS = HEAD_ONLY_KEYS + ('thresholds', 'class_threshold')


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
    - ``tcas``: ``(B, T, C)`` the head's default T-CAS;
    - ``attention``: ``(B, T)`` class-agnostic foreground, or None;

    plus whatever its :meth:`loss_by_feat` needs. Inference reads the T-CAS
    through :meth:`inference_cas` (the head's class activations before any
    normalisation, background column last where the head has one), which
    ``test_cfg['tcas_norm']`` then turns into the sequence proposals come
    from.

    Args:
        in_channels (int): Channels of the snippet embeddings.
        num_classes (int): Number of action classes (no background).
        topk_ratio (float): Video scores pool the top ``T // topk_ratio``
            snippets. Defaults to 8.
        test_cfg (dict, optional): Post-processing options, merged over
            ``DEFAULT_TEST_CFG``; see :meth:`set_test_cfg`.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    #: Whether the video scores and the T-CAS have a background entry
    #: (last), which sets the chance level of the video scores.
    has_background = False

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
        self.set_test_cfg(test_cfg)

    def set_test_cfg(self, test_cfg: Optional[Dict]) -> None:
        """Set the post-processing, merged over ``DEFAULT_TEST_CFG``.

        Keys (besides those of :func:`mmwsal.models.utils.postprocess`):

        - ``class_threshold``: a float, or ``'chance'`` for
          ``chance_factor`` times the chance level of the video scores,
          ``1 / (C + 1)`` with a background class and ``1 / C`` without.
          A float below chance (every class would pass) is replaced by
          that, with a warning.
        - ``thresholds``: a sequence or ``dict(start, stop, step)``.
        - ``tcas_norm``: what the proposals threshold and score.
          None: the head's T-CAS as :meth:`inference_cas` gives it;
          ``'softmax'``: its softmax over the classes (and background);
          ``'minmax'``: each class column min-max normalised over the video
          (:func:`mmwsal.models.utils.minmax_normalize`).
        - ``attention_norm``: None or ``'minmax'`` (the attention spans
          [0, 1] in every video, so attention thresholds are fractions of
          its range).
        - ``upsample``: interpolate the sequences at this many points per
          snippet before thresholding (BaS-Net: 24).
        - ``keep_sequences``: store ``tcas`` and ``attention`` (at snippet
          resolution, normalised), the ``class_threshold`` and the
          ``localized_classes`` (those it selected) in each predicted
          sample.

        Args:
            test_cfg (dict, optional): The options; None keeps the
                defaults.
        """
        cfg = {**DEFAULT_TEST_CFG, **(test_cfg or {})}
        if cfg['tcas_norm'] not in TCAS_NORMS:
            raise ValueError(f'test_cfg.tcas_norm must be one of '
                             f'{TCAS_NORMS}, got {cfg["tcas_norm"]!r}')
        if cfg['attention_norm'] not in (None, 'minmax'):
            raise ValueError("test_cfg.attention_norm must be None or "
                             f"'minmax', got {cfg['attention_norm']!r}")
        self.test_cfg = cfg
        self.thresholds = threshold_list(cfg['thresholds'])
        self.class_threshold = self.resolve_class_threshold(
            cfg['class_threshold'], cfg['chance_factor'])

    @property
    def chance_level(self) -> float:
        """The video score of a class when the head knows nothing."""
        return 1.0 / (self.num_classes + int(self.has_background))

    def resolve_class_threshold(self, threshold, chance_factor: float):
        """``test_cfg.class_threshold`` as a number (see
        :meth:`set_test_cfg`)."""
        if threshold == 'chance':
            return chance_factor * self.chance_level
        if not isinstance(threshold, (int, float)):
            raise ValueError("test_cfg.class_threshold must be a number or "
                             f"'chance', got {threshold!r}")
        if threshold < self.chance_level:
            # e.g. a default set for 20 classes on a dataset of 2
            raised = chance_factor * self.chance_level
            print_log(
                f'{type(self).__name__}: test_cfg.class_threshold '
                f'{threshold} is below the chance level '
                f'{self.chance_level:.4f} of its video scores with '
                f'{self.num_classes} classes (every class would pass); '
                f'using chance_factor x chance = {raised:.4f}.',
                logger='current',
                level=logging.WARNING)
            return raised
        return float(threshold)

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

    def inference_cas(self, outputs: Dict[str, torch.Tensor]) -> torch.Tensor:
        """``(B, T, C)`` (``C + 1`` with the background last) class
        activations that inference normalises into the T-CAS. The default
        is the head's ``tcas``."""
        return outputs['tcas']

    def inference_video_scores(
            self, outputs: Dict[str, torch.Tensor]) -> torch.Tensor:
        """``(B, C)`` video scores that select the classes to localize."""
        return outputs['video_scores']

    def inference_tcas(self, outputs: Dict[str, torch.Tensor]) -> np.ndarray:
        """The ``(B, T, C)`` T-CAS proposals are found on, after
        ``test_cfg.tcas_norm``."""
        cas = self.inference_cas(outputs).detach().float()
        if self.test_cfg['tcas_norm'] == 'softmax':
            cas = cas.softmax(dim=-1)
        cas = cas[..., :self.num_classes].cpu().numpy().astype(np.float64)
        if self.test_cfg['tcas_norm'] == 'minmax':
            cas = np.stack([minmax_normalize(c) for c in cas])
        return cas

    def predict_by_feat(self, outputs: Dict[str, torch.Tensor],
                        data_samples: Sequence) -> List:
        """Post-process each video into ``pred_instances`` (``segments`` in
        seconds, ``labels``, ``scores``) and ``pred_scores`` (the video
        scores, for recognition metrics)."""
        cfg = {
            k: v
            for k, v in self.test_cfg.items() if k not in _OWN_KEYS
        }
        scale = int(self.test_cfg['upsample'])
        video_scores = self.inference_video_scores(
            outputs).detach().float().cpu()
        tcas = self.inference_tcas(outputs)
        attention = outputs.get('attention')
        if attention is not None:
            attention = attention.detach().float().cpu().numpy().astype(
                np.float64)
            if self.test_cfg['attention_norm'] == 'minmax':
                attention = np.stack([minmax_normalize(a) for a in attention])
        for i, sample in enumerate(data_samples):
            meta = sample.metainfo
            att = None if attention is None else attention[i]
            dets = postprocess(
                video_scores[i].numpy(),
                upsample_sequence(tcas[i], scale),
                None if att is None else upsample_sequence(att, scale),
                snippet_seconds=float(meta['snippet_seconds']) / scale,
                class_threshold=self.class_threshold,
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
                # What a figure needs to tell a class that was not
                # localized (video score under the class threshold) from
                # one that was but found nothing.
                sample.class_threshold = float(self.class_threshold)
                sample.localized_classes = torch.from_numpy(
                    select_classes(video_scores[i].numpy(),
                                   self.class_threshold))
                sample.tcas = torch.from_numpy(tcas[i]).float()
                if att is not None:
                    sample.attention = torch.from_numpy(att).float()
        return list(data_samples)
