"""Online Action Saliency Estimation (ASE, Sec. 3.3, Eq. 3 of AdaptFocus).

For every action instance of the training set (a video v and one of its
labels k) the module keeps the spike-actionness a, the highest score of
class k seen on a clip of v, and its position lambda. That is two numbers
per instance, ``D`` instances in all, laid out video after video:

    instance = instance_offsets[v] + rank of k among v's sorted labels

where v is the dataset's ``video_index``. ``instance_classes`` keeps each
instance's class, so that a checkpoint's layout can be checked against the
dataset it resumes on.

Every state tensor is a persistent buffer, so it is in the checkpoint. Its
size comes from the dataset (:meth:`set_instance_layout`) or, when a
checkpoint is loaded first, from the checkpoint.

Identical on every rank: each step's updates are gathered from all ranks and
applied in an order-independent way (the max score per instance, the
smallest position among tied maxima, only if strictly above the stored a).
mmengine's ``SyncBuffersHook`` averages all buffers over ranks at each epoch
end; averaging identical values must give them back exactly, so a is kept in
float64 holding float32-rounded scores (``n * a`` is then exact for any
realistic number of ranks ``n``) and the integer buffers stay below 2**24 /
n (the int64 mean goes through float32).
"""
import logging
from typing import Sequence, Tuple

import torch
from mmengine.logging import print_log
from torch import Tensor, nn

from mmwsal.utils.dist import gather_rows


class ActionSaliencyEstimation(nn.Module):
    """Per-instance spike-actionness and spike position (Eq. 3).

    Buffers (persistent, empty until a layout is set):

    - ``spike_actionness`` (float64, D): a, starts at 0.
    - ``spike_position`` (int64, D): lambda, starts at 0.
    - ``instance_classes`` (int64, D): the class k of each instance.
    - ``instance_offsets`` (int64, V + 1): first instance of each video.
    """

    LAYOUT_BUFFERS = ('instance_offsets', 'instance_classes')
    STATE_BUFFERS = ('spike_actionness', 'spike_position')

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer('spike_actionness',
                             torch.zeros(0, dtype=torch.float64))
        self.register_buffer('spike_position',
                             torch.zeros(0, dtype=torch.int64))
        self.register_buffer('instance_classes',
                             torch.zeros(0, dtype=torch.int64))
        self.register_buffer('instance_offsets',
                             torch.zeros(0, dtype=torch.int64))

    @property
    def has_layout(self) -> bool:
        """Whether the buffers are sized for a dataset."""
        return self.instance_offsets.numel() > 0

    @property
    def num_videos(self) -> int:
        """V, the number of videos of the layout."""
        return max(self.instance_offsets.numel() - 1, 0)

    @property
    def num_instances(self) -> int:
        """D, the number of action instances of the layout."""
        return self.spike_actionness.numel()

    @staticmethod
    def layout_from_labels(
            video_labels: Sequence[Sequence[int]]) -> Tuple[Tensor, Tensor]:
        """Offsets and classes of the instances of videos given in
        ``video_index`` order.

        Args:
            video_labels (Sequence[Sequence[int]]): The labels of video 0,
                1, ... (class indices, in any order).

        Returns:
            tuple[Tensor, Tensor]: ``instance_offsets`` (V + 1) and
            ``instance_classes`` (D), int64 on the CPU.
        """
        classes = [sorted({int(k) for k in labels}) for labels in video_labels]
        counts = torch.tensor([len(c) for c in classes], dtype=torch.int64)
        offsets = torch.zeros(len(classes) + 1, dtype=torch.int64)
        offsets[1:] = counts.cumsum(0)
        flat = torch.tensor([k for c in classes for k in c],
                            dtype=torch.int64)
        return offsets, flat

    def layout_mismatch(self, offsets: Tensor, classes: Tensor) -> str:
        """How the held layout differs from ``offsets``/``classes``; empty
        when they are the same."""
        held_offsets = self.instance_offsets.cpu()
        held_classes = self.instance_classes.cpu()
        if held_offsets.numel() != offsets.numel():
            return (f'{self.num_videos} videos in the estimates, '
                    f'{offsets.numel() - 1} in the dataset')
        if held_classes.numel() != classes.numel():
            return (f'{held_classes.numel()} action instances in the '
                    f'estimates, {classes.numel()} in the dataset')
        bad = (held_offsets != offsets).nonzero()
        if bad.numel():
            # Both start at 0: the first differing offset follows the first
            # video whose number of labels differs.
            return (f'video_index {int(bad[0]) - 1} has a different number '
                    'of labels')
        bad = (held_classes != classes).nonzero()
        if bad.numel():
            i = int(bad[0])
            v = int(torch.searchsorted(offsets, i, right=True)) - 1
            return (f'video_index {v}: label {int(held_classes[i])} in the '
                    f'estimates, {int(classes[i])} in the dataset')
        return ''

    def set_instance_layout(self,
                            video_labels: Sequence[Sequence[int]],
                            reset_on_mismatch: bool = False) -> None:
        """Size the buffers for a dataset, or check the held layout.

        Without a layout (a fresh model) the buffers are allocated with
        a = 0, lambda = 0. A layout already held (loaded from a checkpoint)
        must be the dataset's, else a ValueError names the first difference;
        with ``reset_on_mismatch`` the held estimates are discarded instead
        (fine-tuning on another dataset from an AdaptFocus checkpoint).

        Args:
            video_labels (Sequence[Sequence[int]]): The labels of each video,
                in ``video_index`` order.
            reset_on_mismatch (bool): Start new estimates, with a warning,
                when the held layout is another dataset's. Defaults to
                False.
        """
        offsets, classes = self.layout_from_labels(video_labels)
        if self.has_layout:
            mismatch = self.layout_mismatch(offsets, classes)
            if not mismatch:
                return
            if not reset_on_mismatch:
                raise ValueError(
                    'The spike-actionness estimates loaded from the '
                    'checkpoint do not belong to this training set: '
                    f'{mismatch}. Resume on the dataset the checkpoint was '
                    'trained on, or set '
                    'AdaptFocusHook(reset_on_mismatch=True) to start new '
                    'estimates from these weights.')
            print_log(
                f'Discarding the loaded spike-actionness estimates: '
                f'{mismatch}.',
                logger='current',
                level=logging.WARNING)
        device = self.spike_actionness.device
        self.instance_offsets = offsets.to(device)
        self.instance_classes = classes.to(device)
        self.spike_actionness = torch.zeros(
            classes.numel(), dtype=torch.float64, device=device)
        self.spike_position = torch.zeros(
            classes.numel(), dtype=torch.int64, device=device)

    def batch_instances(self,
                        video_index: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        """The instances of the videos of a batch.

        Args:
            video_index (Tensor): (B,) int64 video indices.

        Returns:
            tuple[Tensor, Tensor, Tensor]: ``rows`` (the batch row of each
            instance), ``classes`` and ``instances`` (indices into the
            buffers), each of shape (N,).
        """
        video_index = video_index.to(self.instance_offsets.device)
        starts = self.instance_offsets[video_index]
        counts = self.instance_offsets[video_index + 1] - starts
        rows = torch.repeat_interleave(
            torch.arange(len(video_index), device=starts.device), counts)
        group_start = torch.repeat_interleave(counts.cumsum(0) - counts,
                                              counts)
        rank = torch.arange(rows.numel(), device=starts.device) - group_start
        instances = torch.repeat_interleave(starts, counts) + rank
        return rows, self.instance_classes[instances], instances

    @torch.no_grad()
    def update(self, instances: Tensor, scores: Tensor,
               positions: Tensor) -> None:
        """Online estimation (Eq. 3) with this step's clips of all ranks.

        Args:
            instances (Tensor): (N,) instance indices.
            scores (Tensor): (N,) scores p of the instances' classes on
                their clips.
            positions (Tensor): (N,) clip positions t.
        """
        # float64 holds instance indices and positions exactly (< 2**53),
        # and scores rounded to float32, so that one gather carries all.
        local = torch.stack([
            instances.double(),
            scores.detach().float().double(),
            positions.double()
        ], 1).to(self.spike_actionness.device)
        merged = gather_rows(local)
        self.apply_updates(merged[:, 0].long(), merged[:, 1],
                           merged[:, 2].long())

    @torch.no_grad()
    def apply_updates(self, instances: Tensor, scores: Tensor,
                      positions: Tensor) -> None:
        """Apply updates whatever their order: per instance the max score,
        the smallest position among tied maxima, kept only if strictly
        above the stored spike-actionness.

        Args:
            instances (Tensor): (N,) instance indices.
            scores (Tensor): (N,) scores, float64.
            positions (Tensor): (N,) clip positions.
        """
        if instances.numel() == 0:
            return
        unique, inverse = torch.unique(instances, return_inverse=True)
        best = scores.new_zeros(unique.numel()).scatter_reduce(
            0, inverse, scores, 'amax', include_self=False)
        at_best = scores == best[inverse]
        candidate = torch.where(at_best, positions,
                                torch.full_like(positions, 2**62))
        best_position = torch.full_like(unique, 2**62).scatter_reduce(
            0, inverse, candidate, 'amin', include_self=False)
        better = best > self.spike_actionness[unique]
        self.spike_actionness[unique[better]] = best[better]
        self.spike_position[unique[better]] = best_position[better]

    def summary(self) -> dict:
        """Dataset-wide statistics of the estimates (Python floats)."""
        if self.num_instances == 0:
            return dict(estimated_ratio=0.0, spike_actionness_mean=0.0)
        estimated = self.spike_actionness > 0
        return dict(
            estimated_ratio=float(estimated.double().mean()),
            spike_actionness_mean=float(self.spike_actionness.mean()))

    def _load_from_state_dict(self, state_dict, prefix, local_metadata,
                              strict, missing_keys, unexpected_keys,
                              error_msgs):
        # The buffers take the checkpoint's size (its dataset's layout); the
        # dataset check comes when the layout is handed over for training.
        for name in self.LAYOUT_BUFFERS + self.STATE_BUFFERS:
            value = state_dict.get(prefix + name)
            held = getattr(self, name)
            if value is not None and value.shape != held.shape:
                setattr(self, name, held.new_zeros(value.shape))
        super()._load_from_state_dict(state_dict, prefix, local_metadata,
                                      strict, missing_keys, unexpected_keys,
                                      error_msgs)
        self._check_consistent(prefix)

    def _check_consistent(self, prefix: str) -> None:
        sizes = {
            'instance_offsets[-1]':
            int(self.instance_offsets[-1]) if self.has_layout else 0,
            'instance_classes': self.instance_classes.numel(),
            'spike_actionness': self.spike_actionness.numel(),
            'spike_position': self.spike_position.numel(),
        }
        if len(set(sizes.values())) > 1:
            raise ValueError(f'Inconsistent action saliency state under '
                             f'{prefix!r}: sizes {sizes} must be equal')

    def extra_repr(self) -> str:
        return f'num_videos={self.num_videos}, ' \
               f'num_instances={self.num_instances}'


__all__ = ['ActionSaliencyEstimation', 'gather_rows']
