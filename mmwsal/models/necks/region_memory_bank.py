"""The region-level memory bank of DCC (sec. 3.2).

A first-in first-out ring of ``size`` slots. A slot holds what one action
instance of a training video (a video and one of its labels) gave at one
visit: its ``R`` action and ``R`` background region features, its class
and its video. Sized to the number of instances of the training set, the
ring holds the latest features of (about) every instance: the "global"
contrast across the entire dataset.

Every tensor is a persistent buffer, so the bank is in the checkpoint and
comes back on resume. Updates run under ``torch.no_grad()`` and are
gathered from all ranks, in rank order, before they are written, so every
rank holds the same bank (mmengine's DDP does not broadcast buffers).
mmengine's ``SyncBuffersHook`` averages all buffers over ranks; averaging
identical values must give them back exactly, so the features are stored
rounded to float16 in float32 tensors (``n * x`` is then exact for any
realistic number of ranks ``n``) and the integers stay far below 2**24 / n
(the int64 mean goes through float32).
"""
from typing import Tuple

import torch
from torch import Tensor, nn

from mmwsal.utils.dist import gather_rows


class RegionMemoryBank(nn.Module):
    """FIFO bank of denoised region features with their labels.

    Buffers (persistent):

    - ``action`` (float32, ``size x R x d``): l2-normalised action region
      features ``r_m``; an all-zero row is a region without any (pseudo)
      action snippet, which takes no part in the contrast.
    - ``background`` (float32, ``size x R x d``): the background region
      features ``r'_m``, likewise.
    - ``labels`` (int64, ``size``): the class of each slot, -1 while empty.
    - ``videos`` (int64, ``size``): the ``video_index`` of each slot, -1
      when unknown (then it counts as another video).
    - ``pointer`` (int64, scalar): the next slot to write.

    Args:
        size (int): Number of slots (instances).
        num_regions (int): R, regions per instance (the whole video and its
            M parts).
        channels (int): d, the width of a region feature.
    """

    def __init__(self, size: int, num_regions: int, channels: int) -> None:
        super().__init__()
        if size < 1 or num_regions < 1 or channels < 1:
            raise ValueError(
                'RegionMemoryBank needs size, num_regions and channels >= 1, '
                f'got {size}, {num_regions}, {channels}')
        self.register_buffer('action', torch.zeros(size, num_regions,
                                                   channels))
        self.register_buffer('background',
                             torch.zeros(size, num_regions, channels))
        self.register_buffer('labels', torch.full((size, ), -1))
        self.register_buffer('videos', torch.full((size, ), -1))
        self.register_buffer('pointer', torch.zeros((), dtype=torch.long))

    @property
    def size(self) -> int:
        """The number of slots."""
        return self.labels.numel()

    @property
    def num_filled(self) -> int:
        """The number of slots written so far (at most ``size``)."""
        return int((self.labels >= 0).sum())

    def entries(self) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
        """The filled slots: ``action`` and ``background`` ``(n, R, d)``,
        ``labels`` and ``videos`` ``(n,)``."""
        filled = self.labels >= 0
        return (self.action[filled], self.background[filled],
                self.labels[filled], self.videos[filled])

    @torch.no_grad()
    def update(self, action: Tensor, background: Tensor, labels: Tensor,
               videos: Tensor) -> None:
        """Enqueue this step's instances of every rank (rank 0's first).

        Args:
            action (Tensor): ``(n, R, d)`` action region features.
            background (Tensor): ``(n, R, d)`` background region features.
            labels (Tensor): ``(n,)`` classes.
            videos (Tensor): ``(n,)`` video indices (-1: unknown).
        """
        n, regions, channels = action.shape
        width = regions * channels
        # One gather carries all: float16-rounded features, and integers
        # far below 2**24, are exact in float32.
        local = torch.cat([
            action.detach().reshape(n, width).half().float(),
            background.detach().reshape(n, width).half().float(),
            labels.float()[:, None],
            videos.float()[:, None]
        ], dim=1).to(self.action.device)
        rows = gather_rows(local)
        self.enqueue(rows[:, :width].view(-1, regions, channels),
                     rows[:, width:2 * width].view(-1, regions, channels),
                     rows[:, -2].long(), rows[:, -1].long())

    @torch.no_grad()
    def enqueue(self, action: Tensor, background: Tensor, labels: Tensor,
                videos: Tensor) -> None:
        """Write instances into the ring from ``pointer`` on, in order, as
        if one at a time: past the end it wraps around, and when there are
        more than ``size`` only the last ``size`` remain.

        Args:
            action (Tensor): ``(n, R, d)``.
            background (Tensor): ``(n, R, d)``.
            labels (Tensor): ``(n,)``.
            videos (Tensor): ``(n,)``.
        """
        n = labels.numel()
        if n == 0:
            return
        first = max(0, n - self.size)
        slots = (self.pointer + torch.arange(
            first, n, device=self.labels.device)) % self.size
        self.action[slots] = action[first:].to(self.action).half().float()
        self.background[slots] = background[first:].to(
            self.background).half().float()
        self.labels[slots] = labels[first:].to(self.labels)
        self.videos[slots] = videos[first:].to(self.videos)
        self.pointer.copy_((self.pointer + n) % self.size)

    def extra_repr(self) -> str:
        size, regions, channels = self.action.shape
        return f'size={size}, num_regions={regions}, channels={channels}'


__all__ = ['RegionMemoryBank']
