"""AdaptFocus loss + online estimation per training step against the stock
head's BCE loss, and the estimates' memory against a dense table, at
Charades scale.

Data: 7,811 training videos, 157 classes, 1-11 labels per video (about 6 on
average, as Charades), batch 8, random logits and clip positions, videos
drawn at random (so repeats within a batch occur). Each step runs forward
and backward of the loss on (8, 157) logits; the AdaptFocus rows include
reading the clip metadata from the data samples (what
``AdaptFocusRecognizer3D`` does every step), the update of the estimates
and the weights. One process, so no gather across ranks is timed.

Memory: the bytes of the estimation buffers (a in float64, lambda, the
instance classes and the per-video offsets in int64) against a dense
videos x classes table holding the same two numbers per cell.

Run::

    python benchmarks/adaptfocus_overhead.py [--steps 2000] [--device cpu]
"""
import argparse
import statistics
import time

import torch
from mmaction.models.losses import BCELossWithLogits
from mmaction.structures import ActionDataSample

from mmwsal.models.losses import AdaptFocusLoss

VIDEOS, CLASSES, BATCH, POSITIONS = 7811, 157, 8, 60


def make_layout(gen):
    counts = torch.randint(1, 12, (VIDEOS, ), generator=gen)
    return [
        torch.randperm(CLASSES, generator=gen)[:int(n)].tolist()
        for n in counts
    ]


def make_steps(layout, steps, gen, device):
    out = []
    for _ in range(steps):
        videos = torch.randint(0, VIDEOS, (BATCH, ), generator=gen)
        positions = torch.randint(0, POSITIONS, (BATCH, ), generator=gen)
        labels = torch.zeros(BATCH, CLASSES)
        samples = []
        for b, (v, t) in enumerate(zip(videos.tolist(), positions.tolist())):
            labels[b, layout[v]] = 1
            sample = ActionDataSample()
            sample.set_metainfo(
                dict(video_index=v, clip_position=t,
                     num_positions=POSITIONS))
            samples.append(sample)
        logits = torch.randn(BATCH, CLASSES, generator=gen) * 2
        out.append((logits.to(device), labels.to(device), samples))
    return out


def sync(device):
    if device.type == 'cuda':
        torch.cuda.synchronize()


def time_steps(step_fn, steps, device, warmup=50):
    for data in steps[:warmup]:
        step_fn(*data)
    times = []
    for data in steps[warmup:]:
        sync(device)
        start = time.perf_counter()
        step_fn(*data)
        sync(device)
        times.append(time.perf_counter() - start)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--steps', type=int, default=2000)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    args = parser.parse_args()
    device = torch.device(args.device)
    gen = torch.Generator().manual_seed(args.seed)
    layout = make_layout(gen)
    steps = make_steps(layout, args.steps, gen, device)

    bce = BCELossWithLogits()

    def bce_step(logits, labels, samples):
        x = logits.requires_grad_()
        bce(x, labels).backward()

    def focus_step(loss):

        def step(logits, labels, samples):
            x = logits.requires_grad_()
            with loss.clip_context(samples):
                loss(x, labels).backward()

        return step

    rows = [('BCELossWithLogits (stock head)', bce_step)]
    losses = {}
    for mode in ('noisy', 'adaptfocus'):
        loss = AdaptFocusLoss(mode=mode).to(device)
        loss.saliency.set_instance_layout(layout)
        loss.set_schedule(gamma=0.5, warmup=False)
        losses[mode] = loss
        rows.append((f'AdaptFocusLoss {mode!r} + estimation',
                     focus_step(loss)))

    print(f'Charades scale: {VIDEOS} videos, {CLASSES} classes, '
          f'{losses["adaptfocus"].saliency.num_instances} action instances '
          f'({losses["adaptfocus"].saliency.num_instances / VIDEOS:.2f} '
          f'per video), batch {BATCH}, {args.steps - 50} timed steps on '
          f'{device} ({torch.get_num_threads()} threads)\n')
    print('| loss per step (forward + backward) | median us | mean us | '
          'x BCE |')
    print('|---|---:|---:|---:|')
    base = None
    for name, fn in rows:
        if device.type == 'cuda':
            torch.cuda.reset_peak_memory_stats()
        times = time_steps(fn, steps, device)
        median = statistics.median(times) * 1e6
        base = base or median
        print(f'| {name} | {median:.0f} | '
              f'{statistics.mean(times) * 1e6:.0f} | {median / base:.1f} |')
        if device.type == 'cuda':
            print(f'|   peak CUDA memory | '
                  f'{torch.cuda.max_memory_allocated() / 2**20:.1f} MiB |||')

    saliency = losses['adaptfocus'].saliency
    held = sum(b.numel() * b.element_size() for b in saliency.buffers())
    state = sum(
        getattr(saliency, name).numel() * getattr(saliency,
                                                  name).element_size()
        for name in saliency.STATE_BUFFERS)
    dense = VIDEOS * CLASSES * (8 + 8)
    print('\n| estimates | bytes | MiB |')
    print('|---|---:|---:|')
    print(f'| ours: a and lambda ({saliency.num_instances} instances) | '
          f'{state:,} | {state / 2**20:.2f} |')
    print(f'| ours: all buffers (+ instance classes, video offsets) | '
          f'{held:,} | {held / 2**20:.2f} |')
    print(f'| dense videos x classes table of a and lambda | {dense:,} | '
          f'{dense / 2**20:.2f} |')


if __name__ == '__main__':
    main()
