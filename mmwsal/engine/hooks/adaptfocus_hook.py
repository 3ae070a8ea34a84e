"""The AdaptFocus schedule: layout of the estimates, warm-up, gamma, logs."""
import logging
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmaction.registry import HOOKS
from mmengine.dataset import ClassBalancedDataset, RepeatDataset
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.runner import IterBasedTrainLoop

from mmwsal.datasets.transforms import WeakClipSampler
from mmwsal.models.losses import ActionSaliencyEstimation, AdaptFocusLoss
from .model_modules import model_modules


@HOOKS.register_module()
class AdaptFocusHook(Hook):
    """Drive the :class:`AdaptFocusLoss` of the model through training.

    - ``before_train``: hands the training set's label layout (the labels of
      each ``video_index``) to the estimates, which are sized for it; after
      a resume (the Runner loads the checkpoint before this point) the
      checkpoint's layout must be the dataset's, else an error names the
      difference.
    - ``before_train_iter``: warm-up (noisy loss, estimates still updating)
      for the first ``warmup_ratio`` of the iterations, and the clip focus
      range gamma = epoch / max_epochs (iter / max_iters for an
      iteration-based loop), pushed into the loss.
    - ``after_train_iter``: logs ``ase/estimated_ratio`` (share of instances
      with an estimate), ``ase/spike_actionness_mean``, ``focus_gamma`` and
      ``focus_warmup``.
    - ``after_train_epoch``: checks that the layout survived
      ``SyncBuffersHook``'s averaging of buffers over ranks.
    - ``after_val_epoch``: when the training set has ``segments``, logs
      ``ase/top1_success_ratio``: the share of estimated instances whose
      spike position lambda falls in a segment of their class (the clip's
      centre inside the segment), the top-1 curve of Fig. S4. Top-2 and
      top-3 need the scores of every clip of every training video, which
      neither the estimates (one position per instance) nor the validation
      loop provide, so they are not logged.

    Args:
        warmup_ratio (float): Share of the iterations trained with the noisy
            loss. Defaults to 0.2.
        reset_on_mismatch (bool): When a loaded checkpoint holds estimates
            of another training set, start new ones (with a warning)
            instead of raising. Defaults to False.
    """

    priority = 'NORMAL'

    def __init__(self,
                 warmup_ratio: float = 0.2,
                 reset_on_mismatch: bool = False) -> None:
        if not 0 <= warmup_ratio <= 1:
            raise ValueError(
                f'warmup_ratio must be in [0, 1], got {warmup_ratio}')
        self.warmup_ratio = warmup_ratio
        self.reset_on_mismatch = reset_on_mismatch
        self._losses: List[AdaptFocusLoss] = []
        self._layout: Optional[Tuple[torch.Tensor, torch.Tensor]] = None
        self._sampler: Optional[WeakClipSampler] = None
        # (instance, total_frames, fps, segments of the instance's class)
        self._segment_checks: List[Tuple[int, int, float, List]] = []

    @staticmethod
    def focus_losses(runner) -> List[AdaptFocusLoss]:
        """The AdaptFocus losses of the runner's model."""
        return model_modules(runner, AdaptFocusLoss, 'AdaptFocusHook')

    def schedule(self, runner) -> Tuple[float, bool]:
        """gamma and warm-up for the iteration about to run."""
        warmup = runner.iter < self.warmup_ratio * runner.max_iters
        if isinstance(runner.train_loop, IterBasedTrainLoop):
            return runner.iter / runner.max_iters, warmup
        return runner.epoch / runner.max_epochs, warmup

    def before_train(self, runner) -> None:
        dataset = runner.train_dataloader.dataset
        videos = training_videos(dataset)
        labels = [info['labels'] for info in videos]
        self._layout = ActionSaliencyEstimation.layout_from_labels(labels)
        self._losses = self.focus_losses(runner)
        for loss in self._losses:
            loss.saliency.set_instance_layout(labels, self.reset_on_mismatch)
        self._segment_checks = self._prepare_segment_checks(dataset, videos)
        num_instances = self._layout[1].numel()
        print_log(
            f'AdaptFocus: {len(videos)} training videos, {num_instances} '
            f'action instances; warm-up for {self.warmup_ratio:.0%} of the '
            'iterations.',
            logger='current')

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch=None) -> None:
        gamma, warmup = self.schedule(runner)
        for loss in self._losses:
            loss.set_schedule(gamma, warmup)

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        loss = self._losses[0]
        hub = runner.message_hub
        for key, value in loss.saliency.summary().items():
            hub.update_scalar(f'train/ase/{key}', value)
        hub.update_scalar('train/focus_gamma', loss.gamma)
        hub.update_scalar('train/focus_warmup', float(loss.warmup))

    def after_train_epoch(self, runner) -> None:
        for loss in self._losses:
            mismatch = loss.saliency.layout_mismatch(*self._layout)
            if mismatch:
                raise RuntimeError(
                    'The AdaptFocus layout changed during training '
                    f'({mismatch}); averaging buffers over ranks '
                    '(SyncBuffersHook) is exact only below 2**24 / '
                    'world_size instances')

    def after_val_epoch(self,
                        runner,
                        metrics: Optional[Dict[str, float]] = None) -> None:
        if not self._segment_checks:
            return
        ratio = self.top1_success_ratio(self._losses[0].saliency)
        if ratio is not None:
            runner.message_hub.update_scalar('val/ase/top1_success_ratio',
                                             ratio)

    def top1_success_ratio(self,
                           saliency: ActionSaliencyEstimation
                           ) -> Optional[float]:
        """Share of estimated instances (a > 0) with segments whose lambda
        lies in a segment of their class; None if there is none."""
        actionness = saliency.spike_actionness.cpu()
        position = saliency.spike_position.cpu()
        hits = total = 0
        for instance, total_frames, fps, segments in self._segment_checks:
            if actionness[instance] <= 0:
                continue
            centre = clip_centre(self._sampler, int(position[instance]),
                                 total_frames, fps)
            total += 1
            hits += any(start <= centre <= end for start, end in segments)
        return hits / total if total else None

    def _prepare_segment_checks(self, dataset,
                                videos: Sequence[dict]) -> List:
        """What the success ratio needs of every instance whose video has
        segments of its class."""
        if not any(info.get('segments') for info in videos):
            return []
        self._sampler = _weak_clip_sampler(_unwrap(dataset))
        if self._sampler is None:
            print_log(
                'AdaptFocusHook: no WeakClipSampler in the train pipeline, '
                'so clip positions cannot be put in seconds; the top-1 '
                'success ratio is not logged.',
                logger='current',
                level=logging.WARNING)
            return []
        checks = []
        offsets, _ = ActionSaliencyEstimation.layout_from_labels(
            [info['labels'] for info in videos])
        for v, info in enumerate(videos):
            classes = sorted(set(info['labels']))
            for rank, k in enumerate(classes):
                segments = [(float(s), float(e))
                            for s, e, label in info.get('segments', [])
                            if label == k]
                if segments:
                    checks.append((int(offsets[v]) + rank,
                                   int(info['total_frames']),
                                   float(info['fps']), segments))
        return checks


def _unwrap(dataset):
    while isinstance(dataset, (RepeatDataset, ClassBalancedDataset)):
        dataset = dataset.dataset
    return dataset


def training_videos(dataset) -> List[dict]:
    """The data info of each training video, in ``video_index`` order.

    Args:
        dataset: A ``LongVideoDataset``, possibly inside ``RepeatDataset``
            or ``ClassBalancedDataset``.

    Returns:
        list[dict]: ``labels``, ``segments``, ``total_frames`` and ``fps``
        of video 0, 1, ...
    """
    dataset = _unwrap(dataset)
    if hasattr(dataset, 'full_init'):
        dataset.full_init()
    videos = {}
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        for key in ('video_index', 'labels'):
            if key not in info:
                raise KeyError(
                    f'{type(dataset).__name__} item {i} has no {key!r}; '
                    'per-video training state (AdaptFocus estimates, the DCC '
                    'memory bank) needs a dataset that gives each video its '
                    'video_index and labels (LongVideoDataset, '
                    'SnippetFeatureDataset)')
        v = int(info['video_index'])
        if v in videos and sorted(videos[v]['labels']) != sorted(
                info['labels']):
            raise ValueError(f'Items of video_index {v} have different '
                             'labels')
        videos[v] = info
    if sorted(videos) != list(range(len(videos))):
        raise ValueError('The training videos\' video_index values must be '
                         f'0..{len(videos) - 1}, got others')
    return [videos[v] for v in range(len(videos))]


def _weak_clip_sampler(dataset) -> Optional[WeakClipSampler]:
    pipeline = getattr(dataset, 'pipeline', None)
    for transform in getattr(pipeline, 'transforms', []):
        if isinstance(transform, WeakClipSampler):
            return transform
    return None


def clip_centre(sampler: WeakClipSampler, position: int, total_frames: int,
                fps: float) -> float:
    """Centre, in seconds, of the frames the grid clip of ``position``
    spans.

    The training clips recorded at a position start within half a clip
    span of its grid clip (the sampler records the position whose grid
    start is nearest), so the grid clip stands for all of them.

    Args:
        sampler (WeakClipSampler): The train pipeline's sampler.
        position (int): The clip position.
        total_frames (int): The video's frames (as annotated).
        fps (float): The video's frame rate (as annotated).

    Returns:
        float: The time of the clip's centre.
    """
    start = sampler.clip_start(position, total_frames)
    end = min(start + sampler.clip_span, total_frames)
    return (start + end) / 2 / fps


__all__ = ['AdaptFocusHook', 'clip_centre', 'training_videos']
