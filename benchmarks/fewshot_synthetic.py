"""Annotation-efficient recognition on planted features: the ablation of the
paper's Table 3 (soft-classification baseline, + background
pseudo-labelling, + self-weighting, + contrastive learning), trained with
the same budget and seeds, tested on 5-way 1-shot and 5-shot episodes of the
novel classes.

Data (:func:`mmwsal.datasets.generate_planted_features`): ``--num-classes``
classes, each a random direction of 32 channels (classes share channels, so
what the base classes teach can carry over), one action of 5-10 snippets per
video of 40-60 snippets over Gaussian noise, and in half of the videos an
unlabelled stretch that looks like another class (informative background,
from base and novel classes alike); a third of the classes are novel (seed
0). Every stage trains ``configs/fewshot/
selfweight_planted-feat_600-iter_synthetic.py`` with its switches for
``--iters`` iterations per seed, then draws ``--episodes`` episodes (seed 0:
the same episodes for every stage) of ``--queries`` queries per way.

Run::

    python benchmarks/fewshot_synthetic.py [--seeds 0 1 2] [--detection]
"""
import argparse
import json
import logging
import os.path as osp

import numpy as np
from mmaction.utils import register_all_modules
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.runner import Runner

from mmwsal.datasets import (dump_class_split, generate_planted_features,
                             load_annotation, make_class_split)
from mmwsal.utils import use_feature_set

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(REPO, 'configs', 'fewshot',
                  'selfweight_planted-feat_600-iter_synthetic.py')
# Table 3's cumulative rows: (Soft, BG, SW, CL) and the head's switches.
STAGES = dict(
    soft=((1, 0, 0, 0),
          dict(loss_bg=None, self_weighting=False, loss_contrast=None)),
    bg=((1, 1, 0, 0), dict(self_weighting=False, loss_contrast=None)),
    sw=((1, 1, 1, 0), dict(loss_contrast=None)),
    cl=((1, 1, 1, 1), dict()))
DIM = 32


def planted_set(args) -> tuple:
    """The features, their annotation and a seed-0 class split."""
    data_dir = osp.join(args.out_dir, 'data')
    ann_file, feature_dir = generate_planted_features(
        data_dir, num_videos=args.num_videos, num_classes=args.num_classes,
        dim=DIM, noise=args.noise, strength=args.strength,
        background_actions=0.5, patterns='random')
    classes = load_annotation(ann_file)['classes']
    split_file = osp.join(data_dir, 'class_split_seed0.json')
    split = make_class_split(classes, args.num_classes // 3, seed=0)
    dump_class_split(split, split_file, classes)
    return ann_file, feature_dir, split_file, len(split['base'])


def stage_config(stage: str, data: tuple, args, seed: int) -> Config:
    ann_file, feature_dir, split_file, num_base = data
    cfg = Config.fromfile(CONFIG)
    use_feature_set(cfg, ann_file, feature_dir, DIM, num_workers=0)
    cfg.model.head.update(num_classes=num_base, **STAGES[stage][1])
    for loader in (cfg.train_dataloader, cfg.test_dataloader):
        loader.dataset.class_split = split_file
    cfg.test_evaluator.update(
        class_split=split_file, num_episodes=args.episodes,
        num_queries=args.queries, shots=(1, 5), detection=args.detection)
    cfg.train_cfg.max_iters = args.iters
    cfg.default_hooks.checkpoint.interval = args.iters
    cfg.default_hooks.logger.interval = max(1, args.iters // 4)
    cfg.work_dir = osp.join(args.out_dir, 'runs', f'{stage}_seed{seed}')
    cfg.randomness = dict(seed=seed)
    cfg.log_level = 'WARNING'
    return cfg


def cell(runs, key: str) -> str:
    """Mean over seeds +- mean 95% CI over episodes (std over seeds)."""
    values = 100 * np.array([r[key] for r in runs])
    ci = 100 * np.array([r[f'{key}_ci95'] for r in runs])
    return f'{values.mean():.2f} +- {ci.mean():.2f} (sd {values.std():.2f})'


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out-dir', default='work_dirs/fewshot_synthetic')
    parser.add_argument('--num-videos', type=int, default=630)
    parser.add_argument('--num-classes', type=int, default=21)
    parser.add_argument('--noise', type=float, default=0.5)
    parser.add_argument('--strength', type=float, default=1.0)
    parser.add_argument('--iters', type=int, default=600)
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--episodes', type=int, default=2000)
    parser.add_argument('--queries', type=int, default=5)
    parser.add_argument('--detection', action='store_true',
                        help='also detection mAP (slower)')
    parser.add_argument('--stages', nargs='+', default=list(STAGES),
                        choices=list(STAGES))
    args = parser.parse_args()
    register_all_modules(init_default_scope=True)
    data = planted_set(args)
    MMLogger.get_current_instance().setLevel(logging.WARNING)

    results = {}
    for stage in args.stages:
        for seed in args.seeds:
            runner = Runner.from_cfg(stage_config(stage, data, args, seed))
            runner.train()
            metrics = runner.test()
            results.setdefault(stage, []).append(metrics)
            print(f'{stage} seed {seed}: ' + ', '.join(
                f'{k} {100 * v:.2f}' for k, v in metrics.items()
                if not k.endswith('_ci95')), flush=True)

    keys = ['acc_5way_1shot', 'acc_5way_5shot']
    if args.detection:
        keys += [f'{m}_5way_{n}shot' for m in ('mAP@0.50', 'mAP_avg')
                 for n in (1, 5)]
    print(f'\n{args.num_videos} planted videos, {args.num_classes} classes '
          f'({data[3]} base), {args.iters} iterations, seeds {args.seeds}; '
          f'{args.episodes} episodes of {args.queries} queries per way; '
          '% as mean over seeds +- mean 95% CI (sd over seeds)\n')
    print('| Soft | BG | SW | CL | ' + ' | '.join(
        '5-way {}-shot {}'.format(k[-5], k.split('_5way')[0])
        for k in keys) + ' |')
    print('|---' * (4 + len(keys)) + '|')
    for stage, runs in results.items():
        marks = ' | '.join('x' if on else '' for on in STAGES[stage][0])
        print(f'| {marks} | ' + ' | '.join(cell(runs, k) for k in keys) +
              ' |')
    with open(osp.join(args.out_dir, 'results.json'), 'w') as f:
        json.dump(results, f, indent=1)


if __name__ == '__main__':
    main()
