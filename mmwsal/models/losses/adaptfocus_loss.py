"""The AdaptFocus loss (Eq. 9 of the AdaptFocus paper)."""
import numbers
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Sequence

import torch
import torch.nn.functional as F
from mmaction.models.losses import BaseWeightedLoss
from mmaction.registry import MODELS
from torch import Tensor

from .action_saliency import ActionSaliencyEstimation
from .focus_weights import (action_focus_weight, clip_focus_mask,
                            weighting_factors)


@dataclass
class ClipContext:
    """Where the clips of a batch come from, and what the loss saw.

    Args:
        video_index (list[int]): The dataset's index of each clip's video.
        clip_position (list[int]): t, each clip's position in its video.
        num_positions (list[int]): T, the number of positions of the video.
        diagnostics (dict[str, Tensor]): Filled by the loss: statistics of
            the batch's positive labels, to be logged (not summed).
    """

    video_index: List[int]
    clip_position: List[int]
    num_positions: List[int]
    diagnostics: Dict[str, Tensor] = field(default_factory=dict)

    META_KEYS = ('video_index', 'clip_position', 'num_positions')

    @classmethod
    def from_data_samples(cls, data_samples: Sequence) -> 'ClipContext':
        """Read the metainfo that ``WeakClipSampler`` records and
        ``PackActionInputs(meta_keys=...)`` packs."""
        values = {key: [] for key in cls.META_KEYS}
        for i, sample in enumerate(data_samples):
            metainfo = sample.metainfo
            for key in cls.META_KEYS:
                if key not in metainfo:
                    raise KeyError(
                        f'AdaptFocusLoss needs the metainfo key {key!r}, '
                        f'missing in data sample {i}: add '
                        f'PackActionInputs(meta_keys={cls.META_KEYS}) to the '
                        'train pipeline, after WeakClipSampler')
                value = metainfo[key]
                if not isinstance(value, numbers.Integral):
                    raise ValueError(
                        f'{key} of data sample {i} must be one int (one clip '
                        f'per video in training), got {value!r}')
                values[key].append(int(value))
        for i, (t, num) in enumerate(
                zip(values['clip_position'], values['num_positions'])):
            if not 0 <= t < num:
                raise ValueError(f'data sample {i}: clip_position {t} is '
                                 f'outside [0, num_positions={num})')
        return cls(**values)

    def __len__(self) -> int:
        return len(self.video_index)


@MODELS.register_module()
class AdaptFocusLoss(BaseWeightedLoss):
    """AdaptFocus loss on clip logits with video-level labels.

    For a clip at position t of a video with T positions and video labels y,
    with sigmoid scores p:

    ``L = -sum_{k: y^k=1} M * W * log p^k - sum_{k: y^k=0} log(1 - p^k)``

    where W = W(p^k, theta * a^k) is the action focusing weight (Eq. 5, or
    Eqs. S1-S3) and M = M(t, T, lambda^k, gamma) the clip focusing mask
    (Eq. 7); both are computed from detached scores and carry no gradient.
    a^k and lambda^k are the spike-actionness and position of the instance
    (the video, class k), estimated online (Eq. 3) by
    :class:`ActionSaliencyEstimation`. The estimates are updated with the
    step's clips (of all ranks) before W and M are computed: a clip that
    sets a new spike is weighted as the new most salient clip, as the
    naive estimation over all clips (Eq. 2) would have it.

    Normalisation: the mean over batch and classes, as
    ``BCELossWithLogits``; the loss is BCE with the per-element weight M * W
    on positives and 1 on negatives, so ``'noisy'`` mode (and warm-up) is
    exactly the stock head's BCE loss.

    Modes: ``'noisy'`` (W = M = 1, Eq. 1), ``'clip_only'`` (Eq. 6, W = 1),
    ``'action_only'`` (Eq. 4, M = 1), ``'adaptfocus'`` (Eq. 8). In every
    mode the estimates update at each training step, and during warm-up
    (set by ``AdaptFocusHook``) the loss is the noisy one.

    The loss reads where each clip comes from inside :meth:`clip_context`
    (``AdaptFocusRecognizer3D`` opens it). Outside it only ``'noisy'`` mode
    works, as a plain BCE loss without estimation.

    Args:
        mode (str): ``'noisy'``, ``'clip_only'``, ``'action_only'`` or
            ``'adaptfocus'``. Defaults to ``'adaptfocus'``.
        weighting (str): The action focusing weight: ``'exponential'``
            (Eq. 5), ``'constant'``, ``'linear'`` or ``'logarithmic'``
            (Eqs. S1-S3). Defaults to ``'exponential'``.
        theta (float): The actionness threshold is theta * a. Defaults to
            0.75.
        alpha (float, optional): W's scale at and above the threshold.
            Defaults to None: 5.0, the paper's value for every weighting.
        beta (float, optional): W's factor below the threshold. Defaults to
            None: the paper's value for the weighting (3.0 exponential, 0.75
            constant, 1.0 linear and logarithmic).
        loss_weight (float): Factor scalar multiplied on the loss.
            Defaults to 1.0.
    """

    MODES = ('noisy', 'clip_only', 'action_only', 'adaptfocus')

    def __init__(self,
                 mode: str = 'adaptfocus',
                 weighting: str = 'exponential',
                 theta: float = 0.75,
                 alpha: Optional[float] = None,
                 beta: Optional[float] = None,
                 loss_weight: float = 1.0) -> None:
        super().__init__(loss_weight=loss_weight)
        if mode not in self.MODES:
            raise ValueError(f'mode must be one of {self.MODES}, got '
                             f'{mode!r}')
        if not 0 <= theta <= 1:
            raise ValueError(f'theta must be in [0, 1], got {theta}')
        self.mode = mode
        self.weighting = weighting
        self.theta = float(theta)
        self.alpha, self.beta = weighting_factors(weighting, alpha, beta)
        self.saliency = ActionSaliencyEstimation()
        # The schedule, pushed by AdaptFocusHook before every iteration.
        self.gamma = 0.0
        self.warmup = False
        self._clip: Optional[ClipContext] = None

    def set_schedule(self, gamma: float, warmup: bool) -> None:
        """Set the clip focusing range gamma and whether this is warm-up.

        Args:
            gamma (float): In [0, 1]: current epoch / total epochs.
            warmup (bool): Train with the noisy loss (estimates still
                update).
        """
        if not 0 <= gamma <= 1:
            raise ValueError(f'gamma must be in [0, 1], got {gamma}')
        self.gamma = float(gamma)
        self.warmup = bool(warmup)

    @contextmanager
    def clip_context(self, data_samples: Sequence) -> Iterator[ClipContext]:
        """Give the loss the clip metadata of the batch being trained.

        Args:
            data_samples (Sequence[ActionDataSample]): The batch's samples,
                with ``video_index``, ``clip_position`` and
                ``num_positions`` in their metainfo.

        Yields:
            ClipContext: Holds the diagnostics once the loss has run.
        """
        if self._clip is not None:
            raise RuntimeError('AdaptFocusLoss.clip_context is already open')
        self._clip = ClipContext.from_data_samples(data_samples)
        try:
            yield self._clip
        finally:
            self._clip = None

    def _forward(self, cls_score: Tensor, label: Tensor) -> Tensor:
        """Forward function.

        Args:
            cls_score (torch.Tensor): (B, K) class logits of the clips.
            label (torch.Tensor): (B, K) multi-hot video labels.

        Returns:
            torch.Tensor: The AdaptFocus loss.
        """
        if self._clip is None:
            if self.mode == 'noisy':
                return F.binary_cross_entropy_with_logits(cls_score, label)
            raise RuntimeError(
                f'AdaptFocusLoss(mode={self.mode!r}) needs the clips\' '
                'video_index, clip_position and num_positions: train with '
                'AdaptFocusRecognizer3D, which hands them over')
        focus = self._focus_weights(cls_score, label, self._clip)
        if self.mode == 'noisy' or self.warmup:
            return F.binary_cross_entropy_with_logits(cls_score, label)
        weight = torch.ones_like(cls_score)
        weight[label > 0.5] = focus.to(weight.dtype)
        return F.binary_cross_entropy_with_logits(
            cls_score, label, weight=weight)

    @torch.no_grad()
    def _focus_weights(self, cls_score: Tensor, label: Tensor,
                       clip: ClipContext) -> Tensor:
        """Update the estimates with the batch, then return the focus weight
        of each positive label (in ``label > 0.5`` order) for the mode."""
        self._check_inputs(cls_score, label, clip)
        device = cls_score.device
        video_index = torch.tensor(clip.video_index, device=device)
        clip_position = torch.tensor(clip.clip_position, device=device)
        num_positions = torch.tensor(clip.num_positions, device=device)
        scores = cls_score.detach().float().sigmoid()

        saliency = self.saliency
        rows, classes, instances = saliency.batch_instances(video_index)
        rows, classes = rows.to(device), classes.to(device)
        instance_of = torch.full(
            label.shape, -1, dtype=torch.int64, device=device)
        instance_of[rows, classes] = instances.to(device)
        positive = label > 0.5
        unknown = positive & (instance_of < 0)
        if unknown.any():
            b, k = (int(i) for i in unknown.nonzero()[0])
            raise ValueError(
                f'Class {k} is a label of the clip of video_index '
                f'{clip.video_index[b]} but not of that video in the '
                'layout of the estimates: the layout comes from another '
                'dataset')
        if self.training:
            saliency.update(instances, scores[rows, classes],
                            clip_position[rows])

        pos_rows, pos_classes = positive.nonzero(as_tuple=True)
        inst = instance_of[pos_rows, pos_classes].to(
            saliency.spike_actionness.device)
        score = scores[pos_rows, pos_classes].double()
        spike_actionness = saliency.spike_actionness[inst].to(device)
        threshold = self.theta * spike_actionness
        weight = action_focus_weight(score, threshold, self.weighting,
                                     self.alpha, self.beta).float()
        mask = clip_focus_mask(clip_position[pos_rows],
                               num_positions[pos_rows],
                               saliency.spike_position[inst].to(device),
                               self.gamma)
        clip.diagnostics = dict(
            above_threshold_ratio=_mean(score >= threshold, device),
            clip_focus_ratio=_mean(mask, device),
            action_focus_weight=_mean(weight, device),
            spike_actionness=_mean(spike_actionness, device))
        if self.mode == 'clip_only':
            return mask
        if self.mode == 'action_only':
            return weight
        return mask * weight

    def _check_inputs(self, cls_score: Tensor, label: Tensor,
                      clip: ClipContext) -> None:
        if cls_score.dim() != 2 or label.shape != cls_score.shape:
            raise ValueError(
                'AdaptFocusLoss needs (B, K) logits and multi-hot labels of '
                f'the same shape (a head with multi_class=True), got '
                f'{tuple(cls_score.shape)} and {tuple(label.shape)}')
        if cls_score.shape[0] != len(clip):
            raise ValueError(
                f'{cls_score.shape[0]} clip scores for {len(clip)} data '
                'samples: AdaptFocus trains on one clip per video')
        if self.mode != 'noisy' and not ((label == 0) | (label == 1)).all():
            raise ValueError(
                f'AdaptFocusLoss(mode={self.mode!r}) needs 0/1 labels; '
                'label smoothing (label_smooth_eps) is not supported')
        if not self.saliency.has_layout:
            raise RuntimeError(
                'The AdaptFocus estimates have no instance layout: add '
                "dict(type='AdaptFocusHook') to custom_hooks, which hands "
                'the training set over before training')
        bad = [v for v in clip.video_index
               if not 0 <= v < self.saliency.num_videos]
        if bad:
            raise ValueError(
                f'video_index {bad[0]} is outside the layout of '
                f'{self.saliency.num_videos} training videos')

    def extra_repr(self) -> str:
        return (f'mode={self.mode!r}, weighting={self.weighting!r}, '
                f'theta={self.theta}, alpha={self.alpha}, beta={self.beta}')


def _mean(values: Tensor, device: torch.device) -> Tensor:
    """Mean as a float32 tensor; 0 for no values."""
    if values.numel() == 0:
        return torch.zeros((), device=device)
    return values.float().mean().to(device)


__all__ = ['AdaptFocusLoss', 'ClipContext']
