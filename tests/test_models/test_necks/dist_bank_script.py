"""Run DCC steps on a fixed global batch split over torchrun ranks.

Run as ``torchrun --nproc_per_node 2 dist_bank_script.py OUT_DIR``: rank r
trains the neck on the r-th half of every step's videos (gloo on CPU),
checks that averaging or broadcasting the buffers over ranks (what
``SyncBuffersHook`` and DDP do) changes nothing, and saves its memory bank
to ``OUT_DIR/rank{r}.pth``. ``run_steps(0, 1)`` is the single-process
reference that sees both halves.
"""
import sys

import torch
import torch.distributed as dist
from mmaction.structures import ActionDataSample
from mmengine.dist import all_reduce_params, broadcast

from mmwsal.models.necks import DCCNeck
from mmwsal.utils import finish_distributed

NUM_CLASSES, DIM, T, BATCH, STEPS, BANK = 3, 6, 12, 4, 3, 7


def make_step(gen):
    feats = torch.randn(BATCH, DIM, T, generator=gen)
    cas = torch.randn(BATCH, T, NUM_CLASSES + 1, generator=gen)
    samples = []
    for _ in range(BATCH):
        label = (torch.rand(NUM_CLASSES, generator=gen) > 0.6).long()
        label[torch.randint(0, NUM_CLASSES, (1, ), generator=gen)] = 1
        sample = ActionDataSample()
        sample.set_gt_labels(label)
        sample.set_metainfo(
            dict(video_index=int(torch.randint(0, 9, (1, ),
                                               generator=gen))))
        samples.append(sample)
    return feats, cas, samples


def check_unchanged_by_rank_sync(neck):
    before = {k: v.clone() for k, v in neck.bank.state_dict().items()}
    all_reduce_params(neck.buffers(), op='mean')
    for buffer in neck.buffers():
        broadcast(buffer, src=0)
    for name, value in neck.bank.state_dict().items():
        if not torch.equal(value, before[name]):
            raise RuntimeError(f'{name} changed when synced over ranks')


def run_steps(rank, world_size):
    torch.manual_seed(0)
    neck = DCCNeck(DIM, NUM_CLASSES, bank_size=BANK, projection_channels=8,
                   hidden_channels=8, num_clusters=3, num_regions=2).train()
    gen = torch.Generator().manual_seed(0)
    for _ in range(STEPS):
        feats, cas, samples = make_step(gen)
        if world_size > 1:
            share = BATCH // world_size
            part = slice(rank * share, (rank + 1) * share)
            feats, cas, samples = feats[part], cas[part], samples[part]
        neck.loss(feats, dict(base_cas=cas), samples)
        if world_size > 1:
            check_unchanged_by_rank_sync(neck)
    return neck.bank.state_dict()


def main():
    dist.init_process_group(backend='gloo')
    rank, world_size = dist.get_rank(), dist.get_world_size()
    torch.save(run_steps(rank, world_size), f'{sys.argv[1]}/rank{rank}.pth')
    finish_distributed()


if __name__ == '__main__':
    main()
