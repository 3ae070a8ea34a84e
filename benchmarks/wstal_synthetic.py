"""WS-TAL heads on features of the synthetic long videos: one table of
detection mAP@tIoU for MIL, BaS-Net, Background Modeling and BackTAL (with
background clicks simulated from the segments), and the DCC neck on BaS-Net
and Background Modeling (with the ablation without denoising, the paper's
Table 1), trained with the same budget and seeds.

Steps (each skipped when its output exists):

1. generate the synthetic long videos (``--num-videos``, seed 0);
2. extract snippet features with the tiny X3D of
   ``configs/weak/weak_x3d-tiny_8x4_30e_synthetic.py`` (8x4-frame snippets
   every ``--snippet-stride`` frames), from ``--checkpoint`` or, without
   one, from the backbone as initialised with seed 0 (a fixed random
   feature map: no recognizer is trained here);
3. train each head's synthetic config (``configs/wstal/*_synthetic.py``)
   for ``--iters`` iterations with each seed, and test it.

DCC trains in two stages: a ``dcc-*`` row (``configs/dcc/``) starts from the
final checkpoint of its first stage with the same seed (``basnet``, or
``bgmodel-embed``: Background Modeling behind an embedding), trained first
when missing, and trains ``--iters`` more; ``basnet-2x`` continues BaS-Net
for as long without DCC, the control for the longer training. The memory
bank is sized to the training set's (video, label) pairs.

``--features planted`` replaces steps 1-2 by snippet features in which each
action raises its class's channel over noise
(:func:`mmwsal.datasets.generate_planted_features`): the heads compared on
features that show the actions, whatever a backbone makes of the videos.

The papers' ordering is the target (Background Modeling and BaS-Net above
plain MIL). Run::

    python benchmarks/wstal_synthetic.py [--num-videos 60] [--seeds 0 1 2]
    python benchmarks/wstal_synthetic.py --features planted
"""
import argparse
import json
import logging
import os.path as osp

import numpy as np
import torch
from mmaction.utils import register_all_modules
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.runner import Runner, save_checkpoint

from mmwsal.apis import extract_features
from mmwsal.datasets import (generate_planted_features,
                             generate_synthetic_dataset)
from mmwsal.utils import use_feature_set

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
BACKBONE_CONFIG = osp.join(REPO, 'configs', 'weak',
                           'weak_x3d-tiny_8x4_30e_synthetic.py')
HEADS = {
    'mil': 'MIL (top-k)',
    'basnet': 'BaS-Net',
    'bgmodel': 'Background Modeling',
    'backtal': 'BackTAL (simulated clicks)',
    'bgmodel-embed': 'Background Modeling, embedding (DCC stage 1)',
    'basnet-2x': 'BaS-Net, stage 1 continued (no DCC)',
    'dcc-basnet': 'BaS-Net + DCC',
    'dcc-basnet-nodenoise': 'BaS-Net + DCC w/o denoising',
    'dcc-bgmodel': 'Background Modeling + DCC',
}
# second-stage rows: their first stage (same seed), config and changes
SECOND_STAGE = {
    'basnet-2x': ('basnet', 'wstal/basnet', {}),
    'dcc-basnet': ('basnet', 'dcc/dcc-basnet', {}),
    'dcc-basnet-nodenoise': ('basnet', 'dcc/dcc-basnet', {
        'model.neck.denoise': False
    }),
    'dcc-bgmodel': ('bgmodel-embed', 'dcc/dcc-bgmodel', {}),
}
TIOUS = ('0.10', '0.20', '0.30', '0.40', '0.50', '0.60', '0.70')


def random_backbone_checkpoint(path: str) -> str:
    """Save the tiny X3D recognizer as initialised with seed 0."""
    if osp.isfile(path):
        return path
    from mmaction.registry import MODELS
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(BACKBONE_CONFIG).model)
    model.init_weights()
    save_checkpoint(model.state_dict(), path)
    return path


def video_features(args) -> tuple:
    """Generate the videos and extract their features (steps 1-2)."""
    data_dir = osp.join(args.out_dir, 'data')
    generate_synthetic_dataset(data_dir, num_videos=args.num_videos, seed=0)
    checkpoint = args.checkpoint or random_backbone_checkpoint(
        osp.join(args.out_dir, 'x3d_tiny_seed0_init.pth'))
    ann_file = osp.join(data_dir, 'annotations.json')
    feature_dir = osp.join(args.out_dir, 'features')
    summary = extract_features(
        BACKBONE_CONFIG,
        checkpoint,
        ann_file,
        data_dir,
        feature_dir,
        snippet_stride=args.snippet_stride,
        progress=True)
    if summary.failed:
        raise SystemExit(f'feature extraction failed on {summary.failed}')
    with open(osp.join(feature_dir, 'manifest.json')) as f:
        in_channels = json.load(f)['feature_dim']
    return ann_file, feature_dir, in_channels


def training_instances(ann_file: str) -> int:
    """The (video, label) pairs of the training subset."""
    with open(ann_file) as f:
        videos = json.load(f)['videos'].values()
    return sum(
        len(set(v['labels'])) for v in videos if v['subset'] == 'train')


def config_name(head: str) -> str:
    """``configs/<dir>/<method>`` of a row, without the suffix."""
    if head in SECOND_STAGE:
        return SECOND_STAGE[head][1]
    return ('dcc/' if head == 'bgmodel-embed' else 'wstal/') + head


def localizer_config(head: str, ann_file: str, feature_dir: str,
                     in_channels: int, iters: int, seed: int,
                     work_dir: str) -> Config:
    cfg = Config.fromfile(
        osp.join(REPO, 'configs',
                 f'{config_name(head)}_x3d-feat_600-iter_synthetic.py'))
    if head in SECOND_STAGE:
        cfg.merge_from_dict(SECOND_STAGE[head][2])
    if cfg.model.get('neck'):
        cfg.model.neck.bank_size = training_instances(ann_file)
    cfg.work_dir = work_dir
    cfg.randomness = dict(seed=seed)
    cfg.log_level = 'WARNING'
    use_feature_set(cfg, ann_file, feature_dir, in_channels, num_workers=0)
    cfg.train_cfg.max_iters = iters
    cfg.train_cfg.val_interval = iters
    cfg.default_hooks.checkpoint.interval = iters
    cfg.default_hooks.logger.interval = max(1, iters // 4)
    return cfg


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out-dir', default='work_dirs/wstal_synthetic')
    parser.add_argument('--features', choices=('video', 'planted'),
                        default='video')
    parser.add_argument('--num-videos', type=int, default=60)
    parser.add_argument('--snippet-stride', type=float, default=8)
    parser.add_argument('--checkpoint', help='recognizer checkpoint for the '
                        'features (default: the seed-0 initialisation)')
    parser.add_argument('--iters', type=int, default=600)
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--heads', nargs='+', default=list(HEADS),
                        choices=list(HEADS))
    args = parser.parse_args()
    register_all_modules(init_default_scope=True)

    if args.features == 'planted':
        args.out_dir = osp.join(args.out_dir, 'planted')
        ann_file, feature_dir = generate_planted_features(
            args.out_dir, num_videos=args.num_videos, num_classes=6, dim=32,
            noise=0.5, strength=1.0)
        in_channels = 32
        source = 'planted features, 32-d, one action per video'
    else:
        ann_file, feature_dir, in_channels = video_features(args)
        source = (f'features {in_channels}-d every {args.snippet_stride:g} '
                  'frames, ' + ('given checkpoint' if args.checkpoint else
                                'seed-0 init'))
    MMLogger.get_current_instance().setLevel(logging.WARNING)

    def run_dir(head, seed):
        return osp.join(args.out_dir, 'runs', f'{head}_seed{seed}')

    def build(head, seed):
        cfg = localizer_config(head, ann_file, feature_dir, in_channels,
                               args.iters, seed, run_dir(head, seed))
        if head in SECOND_STAGE:
            first = SECOND_STAGE[head][0]
            cfg.load_from = osp.join(run_dir(first, seed),
                                     f'iter_{args.iters}.pth')
            if not osp.isfile(cfg.load_from):
                print(f'{first} seed {seed}: first stage of {head}',
                      flush=True)
                build(first, seed).train()
        return Runner.from_cfg(cfg)

    results = {}
    # first stages before the rows that start from them
    for head in [h for h in HEADS if h in args.heads]:
        for seed in args.seeds:
            runner = build(head, seed)
            runner.train()
            metrics = runner.test()
            results.setdefault(head, []).append(metrics)
            print(f'{head} seed {seed}: mAP_avg {metrics["mAP_avg"]:.4f}',
                  flush=True)

    print(f'\n{args.num_videos} synthetic videos ({source}), {args.iters} '
          f'iterations, seeds {args.seeds}; test mAP (%), mean +- std over '
          'seeds')
    if any(head in SECOND_STAGE for head in results):
        print('(second-stage rows: --iters more from the first stage of '
              'the same seed)')
    print()
    header = '| head | ' + ' | '.join(f'@{t}' for t in TIOUS) + \
        ' | avg | video mAP |'
    print(header)
    print('|---' * (len(TIOUS) + 3) + '|')
    for head, runs in results.items():
        cells = []
        for key in [f'mAP@{t}' for t in TIOUS] + [
                'mAP_avg', 'acc/mean_average_precision']:
            values = 100 * np.array([float(r[key]) for r in runs])
            cells.append(f'{values.mean():.1f} +- {values.std():.1f}')
        print(f'| {HEADS[head]} | ' + ' | '.join(cells) + ' |')
    with open(osp.join(args.out_dir, 'results.json'), 'w') as f:
        json.dump({h: [{k: float(v) for k, v in r.items()} for r in runs]
                   for h, runs in results.items()}, f, indent=1)


if __name__ == '__main__':
    main()
