"""Run AdaptFocus steps on a fixed global batch split over torchrun ranks.

Run as ``torchrun --nproc_per_node 2 dist_buffer_script.py OUT_DIR``: each
rank trains the loss on its share of every step's clips (gloo on CPU),
checks that averaging or broadcasting the buffers over ranks (what
``SyncBuffersHook`` and DDP do) changes nothing, and saves its estimates and
losses to ``OUT_DIR/rank{r}.pth``. ``run_steps(0, 1)`` is the single-process
reference on all clips, with the loss of each rank's share as well.
"""
import sys

import torch
import torch.distributed as dist
from mmaction.structures import ActionDataSample
from mmengine.dist import all_reduce_params, broadcast

from mmwsal.models.losses import AdaptFocusLoss
from mmwsal.utils import finish_distributed

LAYOUT = [[0, 3], [1], [2, 3, 4], [0], [4, 1]]
NUM_CLASSES, NUM_POSITIONS, BATCH, STEPS, SHARDS = 5, 6, 8, 4, 2


def data_samples(videos, positions):
    out = []
    for v, t in zip(videos.tolist(), positions.tolist()):
        sample = ActionDataSample()
        sample.set_metainfo(
            dict(video_index=v, clip_position=t,
                 num_positions=NUM_POSITIONS))
        out.append(sample)
    return out


def make_step(gen, step):
    # Few videos and a few score levels: repeated videos within and across
    # ranks, and tied maxima.
    videos = torch.randint(0, len(LAYOUT), (BATCH, ), generator=gen)
    positions = torch.randint(0, NUM_POSITIONS, (BATCH, ), generator=gen)
    levels = torch.tensor([0.2, 0.4, 0.6, 0.8]) * (0.9 + 0.03 * step)
    scores = levels[torch.randint(0, 4, (BATCH, NUM_CLASSES), generator=gen)]
    labels = torch.zeros(BATCH, NUM_CLASSES)
    for b, v in enumerate(videos.tolist()):
        labels[b, LAYOUT[v]] = 1
    return videos, positions, torch.logit(scores), labels


def check_unchanged_by_rank_sync(loss):
    before = {k: v.clone() for k, v in loss.saliency.state_dict().items()}
    all_reduce_params(loss.buffers(), op='mean')
    for buffer in loss.buffers():
        broadcast(buffer, src=0)
    for name, value in loss.saliency.state_dict().items():
        if not torch.equal(value, before[name]):
            raise RuntimeError(f'{name} changed when synced over ranks')


def run_steps(rank, world_size):
    loss = AdaptFocusLoss(mode='adaptfocus')
    loss.saliency.set_instance_layout(LAYOUT)
    loss.set_schedule(gamma=0.5, warmup=False)
    gen = torch.Generator().manual_seed(0)
    losses, shard_losses = [], [[] for _ in range(SHARDS)]
    for step in range(STEPS):
        videos, positions, logits, labels = make_step(gen, step)
        if world_size == 1:
            with loss.clip_context(data_samples(videos, positions)):
                loss(logits, labels)
            loss.eval()  # the same estimates, no further update
            for r in range(SHARDS):
                idx = slice(r, None, SHARDS)
                with loss.clip_context(
                        data_samples(videos[idx], positions[idx])):
                    shard_losses[r].append(loss(logits[idx], labels[idx]))
            loss.train()
        else:
            idx = slice(rank, None, world_size)
            with loss.clip_context(data_samples(videos[idx],
                                                positions[idx])):
                losses.append(loss(logits[idx], labels[idx]))
            check_unchanged_by_rank_sync(loss)
    return dict(
        state=loss.saliency.state_dict(),
        losses=torch.stack(losses) if losses else None,
        shard_losses=[torch.stack(s) if s else None for s in shard_losses])


def main():
    dist.init_process_group(backend='gloo')
    rank, world_size = dist.get_rank(), dist.get_world_size()
    result = run_steps(rank, world_size)
    torch.save(result, f'{sys.argv[1]}/rank{rank}.pth')
    finish_distributed()


if __name__ == '__main__':
    main()
