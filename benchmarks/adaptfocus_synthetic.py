"""AdaptFocus on the synthetic long videos: one table of video-level test mAP
for Full (Clean), Weak (Noisy), clip focusing only, action focusing only and
AdaptFocus, trained with the same budget, data order and seeds.

Every mode trains
``configs/adaptfocus/adaptfocus_r3d-18-16ch_8x4_90e_synthetic.py``
(``--backbone r3d``, the default) or
``configs/adaptfocus/adaptfocus_x3d-tiny_8x4_30e_synthetic.py``
(``--backbone x3d``), stretched to ``--epochs``
(``AdaptFocusRecognizer3D``; its loss in ``'noisy'`` mode is exactly the
stock BCE), so the estimates (ASE) also run for the two baselines and their
diagnostics are comparable:

- ``full``: ``mode='noisy'`` on clean clip labels (``WeakClipSampler``
  ``label_mode='clean'``, from the segments: the oracle);
- ``noisy``: ``mode='noisy'`` on the video labels;
- ``clip_only``, ``action_only``, ``adaptfocus``: the loss modes.

Test: multi-label mAP (``acc/mean_average_precision``) of the video-level
scores, the test pipeline's 10 views averaged. Also printed per mode, from
the last training epoch: the share of positive scores at or above theta * a
(Fig. 5), the share kept by the clip focusing mask, the mean action focusing
weight, the mean spike-actionness a of the instances trained on and the top-1
success ratio (share of estimated instances whose spike position lies in a
segment of their class), with what random scores / random positions give.

The data (``--num-videos``, seed 0; ``--class-colours`` and
``--shared-backgrounds K`` as in :func:`generate_synthetic_dataset`) go to
``OUT_DIR/data*`` and are reused; each run to
``OUT_DIR/runs/<settings>_<mode>_seed<seed>``, whose ``result.json`` is
reused unless ``--rerun``. ``--pretrain`` first trains the Full (Clean)
recognizer on other videos of the same kind (data seed 1) and starts every
mode from it, as the paper starts from Kinetics checkpoints. Run::

    python benchmarks/adaptfocus_synthetic.py [--num-videos 120] \
        [--epochs 120] [--seeds 0] [--backbone r3d|x3d] [--modes ...] \
        [--class-colours] [--shared-backgrounds 4] [--pretrain] \
        [--train-map]

Budget: on a shared 2-core CPU one ResNet3d run of 120 epochs (1,440
iterations) takes 4-7 minutes. On the default (motion-only) videos even the
Full (Clean) oracle is at the random-score level at that budget; with
``--class-colours`` it is far above. Read the test mAP against the
random-score line printed above the table; docs/adaptfocus.md has the
tables measured.
"""
import argparse
import json
import logging
import os.path as osp
import shlex
import sys
import time

import numpy as np
import torch
from mmaction.utils import register_all_modules
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.runner import Runner

from mmwsal.apis.pipeline import random_recognition_map
from mmwsal.datasets import generate_synthetic_dataset
from mmwsal.datasets.transforms import WeakClipSampler
from mmwsal.engine.hooks import AdaptFocusHook
from mmwsal.engine.hooks.adaptfocus_hook import clip_centre, training_videos
from mmwsal.utils import (FOCUS_MODE_NAMES, dump_json_atomic, set_focus_mode,
                          use_video_set)

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = dict(
    x3d='adaptfocus_x3d-tiny_8x4_30e_synthetic.py',
    # About 3x faster than the tiny X3D per iteration on a CPU.
    r3d='adaptfocus_r3d-18-16ch_8x4_90e_synthetic.py')
MODES = FOCUS_MODE_NAMES
DIAGNOSTICS = ('above_threshold_ratio', 'clip_focus_ratio',
               'action_focus_weight', 'spike_actionness')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out-dir', default='work_dirs/adaptfocus_synthetic')
    parser.add_argument(
        '--num-videos',
        type=int,
        default=120,
        help='synthetic videos, 3/4 train, 1/4 test')
    parser.add_argument(
        '--epochs',
        type=int,
        default=120,
        help='12 iterations each at 120 videos, batch 8')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0])
    parser.add_argument(
        '--class-colours',
        action='store_true',
        help='videos whose classes wear colours of their own (half of '
        'the distractors too): learnable from scratch on a CPU')
    parser.add_argument(
        '--pretrain',
        action='store_true',
        help='start every mode from a recognizer trained with clean labels '
        'on other videos of the same kind (data seed 1), as the paper '
        'starts from Kinetics checkpoints')
    parser.add_argument(
        '--shared-backgrounds',
        type=int,
        default=0,
        help='draw the backgrounds from this many shared scenes (0: one '
        'per video)')
    parser.add_argument(
        '--modes', nargs='+', default=list(MODES), choices=list(MODES))
    parser.add_argument(
        '--backbone',
        default='r3d',
        choices=['r3d', 'x3d'],
        help="'x3d': the config's tiny X3D; 'r3d': "
        'ResNet3d-18 with 16 base channels')
    parser.add_argument(
        '--lr',
        type=float,
        default=None,
        help="AdamW learning rate (default: the config's)")
    parser.add_argument(
        '--warmup-ratio',
        type=float,
        default=None,
        help="AdaptFocusHook's (default: the config's)")
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument(
        '--threads',
        type=int,
        default=1,
        help='torch threads of the training process: on a '
        'shared 2-core CPU one thread ran 3x faster than two')
    parser.add_argument(
        '--train-map',
        action='store_true',
        help='also score the training videos (10 views): '
        'shows memorisation')
    parser.add_argument(
        '--rerun',
        action='store_true',
        help='train again runs that have a result.json')
    parser.add_argument('--verbose', action='store_true')
    return parser.parse_args()


def run_config(args, mode: str, seed: int, data_dir: str,
               work_dir: str) -> Config:
    """The AdaptFocus config set to one mode, the data, budget and seed."""
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', 'adaptfocus', CONFIGS[args.backbone]))
    cfg.work_dir = work_dir
    cfg.randomness = dict(seed=seed)
    cfg.log_level = 'INFO' if args.verbose else 'WARNING'
    use_video_set(cfg, osp.join(data_dir, 'annotations.json'), data_dir,
                  args.workers)
    cfg.train_dataloader.batch_size = args.batch_size
    set_focus_mode(cfg, mode)
    if args.warmup_ratio is not None:
        for hook in cfg.custom_hooks:
            if hook.type == 'AdaptFocusHook':
                hook.warmup_ratio = args.warmup_ratio
    if args.lr is not None:
        cfg.optim_wrapper.optimizer.lr = args.lr
    cfg.load_from = args.load_from
    if args.load_from:
        # The pretrained checkpoint's estimates belong to other videos.
        for hook in cfg.custom_hooks:
            if hook.type == 'AdaptFocusHook':
                hook.reset_on_mismatch = True
    # Same schedule shape as the config (1 warm-up epoch, cosine), stretched
    # to the budget; no validation during training (the test comes after).
    cfg.train_cfg.max_epochs = args.epochs
    cfg.train_cfg.val_begin = args.epochs + 1
    cfg.param_scheduler[1].T_max = args.epochs - 1
    cfg.param_scheduler[1].end = args.epochs
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', interval=args.epochs, save_best=None)
    cfg.default_hooks.logger.interval = 10
    return cfg


def last_epoch_diagnostics(runner, iters: int) -> dict:
    """The loss's diagnostics averaged over the last ``iters`` iterations."""
    out = {}
    for key in DIAGNOSTICS:
        buffer = runner.message_hub.log_scalars.get(f'train/{key}')
        if buffer is not None:
            out[key] = float(buffer.mean(iters))
    return out


def estimate_checks(runner) -> dict:
    """Top-1 success ratio of the estimates, the share of instances with an
    estimate, and the ratio a random position would give."""
    hook = [h for h in runner.hooks if isinstance(h, AdaptFocusHook)][0]
    saliency = AdaptFocusHook.focus_losses(runner)[0].saliency
    dataset = runner.train_dataloader.dataset
    sampler = [
        t for t in dataset.pipeline.transforms
        if isinstance(t, WeakClipSampler)
    ][0]
    # Random lambda: for each instance with segments, the share of its
    # video's positions whose clip centre lies in a segment of its class.
    chance = []
    for info in training_videos(dataset):
        total, fps = int(info['total_frames']), float(info['fps'])
        centres = [
            clip_centre(sampler, t, total, fps)
            for t in range(sampler.num_positions(total))
        ]
        for k in sorted(set(info['labels'])):
            segs = [(s, e) for s, e, c in info['segments'] if c == k]
            if segs:
                chance.append(
                    np.mean(
                        [any(s <= c <= e for s, e in segs) for c in centres]))
    return dict(
        top1_success_ratio=hook.top1_success_ratio(saliency),
        top1_chance=float(np.mean(chance)),
        estimated_ratio=saliency.summary()['estimated_ratio'])


def run_name(args, mode: str, seed: int) -> str:
    """A run's directory name: every setting that changes its result."""
    name = f'{args.backbone}_{args.num_videos}v_{args.epochs}e'
    if args.class_colours:
        name += '_col'
    if args.shared_backgrounds:
        name += f'_bg{args.shared_backgrounds}'
    if args.load_from:
        name += '_pre'
    if args.lr is not None:
        name += f'_lr{args.lr:g}'
    if args.warmup_ratio is not None:
        name += f'_wu{args.warmup_ratio:g}'
    if args.batch_size != 8:
        name += f'_b{args.batch_size}'
    return f'{name}_{mode}_seed{seed}'


def synthetic_data(args, seed: int) -> str:
    """Generate (or reuse) the synthetic videos of ``args`` with a data
    seed; return their directory."""
    data_dir = osp.join(
        args.out_dir, 'data' + ('_coloured' if args.class_colours else '') +
        (f'_bg{args.shared_backgrounds}' if args.shared_backgrounds else '') +
        (f'_seed{seed}' if seed else ''))
    generate_synthetic_dataset(
        data_dir,
        num_videos=args.num_videos,
        seed=seed,
        class_colours=args.class_colours,
        shared_backgrounds=args.shared_backgrounds)
    return data_dir


def train_and_test(args, mode, seed, data_dir, prefix='') -> dict:
    work_dir = osp.join(args.out_dir, 'runs',
                        prefix + run_name(args, mode, seed))
    done = osp.join(work_dir, 'result.json')
    if osp.isfile(done) and not args.rerun:
        with open(done) as f:
            result = json.load(f)
        if 'train_map' in result or not args.train_map:
            return result
    cfg = run_config(args, mode, seed, data_dir, work_dir)
    start = time.time()
    runner = Runner.from_cfg(cfg)
    runner.train()
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        result = dict(
            train_s=time.time() - start, checkpoint=f.read().strip())
    iters_per_epoch = len(runner.train_dataloader)
    result.update(last_epoch_diagnostics(runner, iters_per_epoch))
    result.update(estimate_checks(runner))
    result['test_map'] = float(runner.test()['acc/mean_average_precision'])
    if args.train_map:
        # The test pipeline on the training videos.
        cfg.test_dataloader.dataset.subset = 'train'
        loader = Runner.build_dataloader(cfg.test_dataloader)
        runner.test_loop.dataloader = loader
        result['train_map'] = float(
            runner.test()['acc/mean_average_precision'])
    result['total_s'] = time.time() - start
    dump_json_atomic(result, done, indent=1)
    return result


def cell(values, fmt='{:.3f}') -> str:
    values = [v for v in values if v is not None]
    if not values:
        return '-'
    if len(values) == 1:
        return fmt.format(values[0])
    return (fmt + ' +- ' + fmt).format(np.mean(values), np.std(values))


def print_table(args, results: dict, chance: dict, data_dir: str) -> None:
    ann = osp.join(data_dir, 'annotations.json')
    print('\n$ ' +
          ' '.join(shlex.quote(a) for a in [sys.executable] + sys.argv))
    print(f'{args.num_videos} synthetic videos (data seed 0; '
          f'{chance["videos"]} test), backbone {args.backbone}, '
          f'{args.epochs} epochs of batch {args.batch_size}, lr '
          f'{args.lr or "config"}, warm-up ratio '
          f'{args.warmup_ratio if args.warmup_ratio is not None else "config"}'
          f', seeds {args.seeds}; test mAP with 10 views, mean +- std over '
          'seeds. Diagnostics: last training epoch (above: share of '
          'positive scores >= theta*a; kept: share of positives with M=1; '
          'W: mean action focusing weight; a: mean spike-actionness of the '
          "batches' instances); top-1: share of estimated instances whose "
          'lambda lies in a segment of their class.')
    print(f'Random scores on this test set: mAP {chance["mean"]:.3f} (95th '
          f'pct {chance["p95"]:.3f}); annotation {ann}\n')
    columns = ['test mAP'] + (['train mAP'] if args.train_map else []) + [
        'above', 'kept', 'W', 'a', 'top-1 (random)', 'min/run'
    ]
    print('| mode | ' + ' | '.join(columns) + ' |')
    print('|---' * (len(columns) + 1) + '|')
    for mode in (m for m in MODES if m in results):
        runs = results[mode]
        get = lambda key: [r.get(key) for r in runs]  # noqa: E731
        cells = [cell(get('test_map'))]
        if args.train_map:
            cells.append(cell(get('train_map')))
        cells += [
            cell(get('above_threshold_ratio'), '{:.2f}'),
            cell(get('clip_focus_ratio'), '{:.2f}'),
            cell(get('action_focus_weight'), '{:.2f}'),
            cell(get('spike_actionness'),
                 '{:.2f}'), f"{cell(get('top1_success_ratio'), '{:.2f}')} "
            f"({runs[0]['top1_chance']:.2f})",
            f"{np.mean(get('total_s')) / 60:.1f}"
        ]
        print(f'| {MODES[mode]} | ' + ' | '.join(cells) + ' |')


def main():
    args = parse_args()
    register_all_modules(init_default_scope=True)
    torch.set_num_threads(args.threads)
    data_dir = synthetic_data(args, seed=0)
    if not args.verbose:
        MMLogger.get_current_instance().setLevel(logging.WARNING)
    args.load_from = None
    if args.pretrain:
        # Clean labels on other videos of the same kind (data seed 1).
        pretrain_dir = synthetic_data(args, seed=1)
        result = train_and_test(args, 'full', 0, pretrain_dir, 'pretrain_')
        print(f'pretraining (full, data seed 1): test mAP '
              f'{result["test_map"]:.4f} on its own test videos')
        args.load_from = result['checkpoint']
    chance = random_recognition_map(osp.join(data_dir, 'annotations.json'))
    results = {}
    for mode in args.modes:
        for seed in args.seeds:
            result = train_and_test(args, mode, seed, data_dir)
            results.setdefault(mode, []).append(result)
            print(
                f'{mode} seed {seed}: test mAP {result["test_map"]:.4f} '
                f'({result["total_s"] / 60:.1f} min)',
                flush=True)
    print_table(args, results, chance, data_dir)
    with open(osp.join(args.out_dir, f'results_{args.backbone}.json'),
              'w') as f:
        json.dump(dict(argv=sys.argv, results=results), f, indent=1)


if __name__ == '__main__':
    main()
