"""WS-TAL heads on synthetic snippet features with action-context confusion:
detection mAP@tIoU of MIL, BaS-Net, Background Modeling, BackTAL (background
clicks simulated from the segments) and the DCC neck on its bases, each
with the inference of its own config and with one shared post-processing,
mean +- std over seeds.

Features (``--features``):

- ``context`` (default): :func:`mmwsal.datasets.generate_context_features`,
  400 training and 200 test videos of 12 classes, 64-d: each class has a
  scene, as strong as an action, that its videos' snippets carry (another
  class's in a quarter of the videos), actions of variable count and
  length, sometimes two classes per video, and background stretches with
  part of a class pattern: the action-context confusion the
  background-modeling heads exist to solve;
- ``planted``: :func:`mmwsal.datasets.generate_planted_features`
  (``--num-videos``, one action per video raising its class's channel over
  isotropic noise, 6 classes, 32-d);
- ``video``: the synthetic long videos (``--num-videos``) through the tiny
  X3D of ``configs/weak/weak_x3d-tiny_8x4_30e_synthetic.py`` from
  ``--checkpoint`` or, without one, as initialised with seed 0;
- ``--feature-dir DIR --ann-file FILE`` instead: features a recognizer of
  the project extracted (e.g. the demo's ``work_dirs/demo/features_*/``
  with ``data/synthetic_demo/annotations.json``); the channel count is
  the manifest's ``feature_dim``.

Rows: each head's synthetic config (``configs/wstal/<head>_*_synthetic.py``)
trained ``--iters`` iterations per seed. DCC rows come from every
``configs/dcc/dcc-*_synthetic.py``: its first stage is the config whose work
dir its ``model.pseudo_label_teacher.checkpoint`` (or else its
``load_from``) names, e.g. BaS-Net or Background Modeling behind an
embedding, trained ``--iters`` with the same seed; the DCC row then trains
``--iters`` with that checkpoint as its pseudo-label teacher (from scratch)
or as its start. Beside it, the first stage alone (as long as the DCC
network) and the control ``<first stage>, continued (no DCC)``: the first
stage trained ``--iters`` more from its checkpoint, as long as first and
second stage together. ``<dcc row>-nodenoise`` (on request, ``--heads``)
turns DCC's k-means denoising off. The memory bank is sized to the
training set's (video, label) pairs; head (and neck) class counts to the
annotation's.

After training, each run is tested with its config's ``test_cfg`` (its
paper's inference), then with ``SHARED_TEST_CFG`` of
:mod:`mmwsal.models.heads` set on the head, so that the tables tell
learning apart from post-processing. Torch threads and seeds are fixed:
the mAP tables are the same on every run (the times are measured). Run::

    python benchmarks/wstal_synthetic.py [--seeds 0 1 2] [--iters 600]
    python benchmarks/wstal_synthetic.py --features planted --num-videos 600
    python benchmarks/wstal_synthetic.py --feature-dir \\
        work_dirs/demo/features_adaptfocus-<digest> \\
        --ann-file data/synthetic_demo/annotations.json
"""
import argparse
import glob
import json
import logging
import os.path as osp
import time
from typing import Dict, List, NamedTuple, Optional

import numpy as np
import torch
from mmaction.utils import register_all_modules
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner, save_checkpoint

from mmwsal.apis import extract_features
from mmwsal.datasets import (generate_context_features,
                             generate_planted_features,
                             generate_synthetic_dataset)
from mmwsal.models.heads import SHARED_TEST_CFG
from mmwsal.utils import dump_json_atomic, use_feature_set

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = osp.join(REPO, 'configs')
BACKBONE_CONFIG = osp.join(CONFIGS, 'weak',
                           'weak_x3d-tiny_8x4_30e_synthetic.py')
BASE_HEADS = ('mil', 'basnet', 'bgmodel', 'backtal')
TITLES = {
    'mil': 'MIL (top-k)',
    'basnet': 'BaS-Net',
    'bgmodel': 'Background Modeling',
    'backtal': 'BackTAL (simulated clicks)',
    'bgmodel-embed': 'Background Modeling, embedding',
    'dcc-basnet': 'BaS-Net + DCC (fresh, stage-1 teacher)',
    'dcc-bgmodel': 'Background Modeling + DCC (fresh, stage-1 teacher)',
    'dcc-basnet-warmstart': 'BaS-Net + DCC (from stage 1)',
    'dcc-bgmodel-warmstart': 'Background Modeling + DCC (from stage 1)',
}
TIOUS = ('0.10', '0.20', '0.30', '0.40', '0.50', '0.60', '0.70')
METRICS = [f'mAP@{t}'
           for t in TIOUS] + ['mAP_avg', 'acc/mean_average_precision']


class Row(NamedTuple):
    """One row of the tables.

    Attributes:
        key (str): Its name on the command line.
        config (str): Config file.
        title (str): Its name in the tables.
        first_stage (str, optional): The row whose checkpoint (same seed)
            it starts from or takes as its pseudo-label teacher.
        options (dict, optional): Changes to the config.
    """
    key: str
    config: str
    title: str
    first_stage: Optional[str] = None
    options: Optional[Dict] = None


def method_of(config: str) -> str:
    """``basnet`` of ``.../basnet_x3d-feat_600-iter_synthetic.py``."""
    return osp.basename(config).split('_')[0]


def synthetic_config(subdir: str, method: str) -> str:
    """The one synthetic config of ``method`` in ``configs/<subdir>``."""
    found = sorted(
        glob.glob(osp.join(CONFIGS, subdir, f'{method}_*_synthetic.py')))
    if len(found) != 1:
        raise SystemExit(f'expected one configs/{subdir}/{method}_*_'
                         f'synthetic.py, found {found}')
    return found[0]


def first_stage_checkpoint(cfg: Config) -> Optional[str]:
    """What a second-stage config reads of its first stage: the
    checkpoint of its pseudo-label teacher, else its ``load_from``."""
    teacher = cfg.model.get('pseudo_label_teacher')
    return teacher.checkpoint if teacher else cfg.get('load_from')


def set_first_stage_checkpoint(cfg: Config, checkpoint: str) -> None:
    """Point ``cfg`` at its first stage's ``checkpoint``: as the
    pseudo-label teacher if it has one (the run trains from scratch), else
    as ``load_from`` (the run continues from it)."""
    teacher = cfg.model.get('pseudo_label_teacher')
    if teacher:
        teacher.checkpoint = checkpoint
    else:
        cfg.load_from = checkpoint


def available_rows() -> Dict[str, Row]:
    """The base heads, then per DCC config its first stage, the control
    (first stage continued without DCC) and the DCC row; a first stage
    comes before the rows that start from it."""
    rows = {
        key: Row(key, synthetic_config('wstal', key), TITLES[key])
        for key in BASE_HEADS
    }
    for config in sorted(
            glob.glob(osp.join(CONFIGS, 'dcc', 'dcc-*_synthetic.py'))):
        checkpoint = first_stage_checkpoint(Config.fromfile(config))
        if not checkpoint:
            raise SystemExit(
                f'{config}: neither model.pseudo_label_teacher.checkpoint '
                'nor load_from names its first stage '
                '(work_dirs/<config name>/...)')
        name = osp.basename(osp.dirname(checkpoint))
        found = glob.glob(osp.join(CONFIGS, '*', f'{name}.py'))
        if len(found) != 1:
            raise SystemExit(f'{config}: {checkpoint} names no single '
                             f'config {name}.py in configs/*/')
        first = method_of(found[0])
        rows.setdefault(first, Row(first, found[0], TITLES.get(first, first)))
        key = method_of(config)
        rows[f'{first}-2x'] = Row(f'{first}-2x', found[0],
                                  f'{rows[first].title}, continued (no DCC)',
                                  first)
        rows[key] = Row(key, config, TITLES.get(key, key), first)
        rows[f'{key}-nodenoise'] = Row(f'{key}-nodenoise', config,
                                       f'{rows[key].title} w/o denoising',
                                       first, {'model.neck.denoise': False})
    return rows


def default_rows(rows: Dict[str, Row]) -> List[str]:
    """Every row but the denoising ablations."""
    return [key for key in rows if not key.endswith('-nodenoise')]


class FeatureSet(NamedTuple):
    """Features and the annotation the heads train and test on."""
    ann_file: str
    feature_dir: str
    in_channels: int
    description: str


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


def read_manifest(feature_dir: str) -> Dict:
    """The directory's ``manifest.json`` (``tools/extract_features.py``),
    or ``{}``."""
    path = osp.join(feature_dir, 'manifest.json')
    if not osp.isfile(path):
        return {}
    with open(path) as f:
        return json.load(f)


def video_features(args) -> FeatureSet:
    """Generate the synthetic long videos and extract their features."""
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
    dim = read_manifest(feature_dir)['feature_dim']
    return FeatureSet(
        ann_file, feature_dir, dim,
        f'{args.num_videos} synthetic long videos, tiny X3D features '
        f'{dim}-d every {args.snippet_stride:g} frames from ' +
        ('the given checkpoint' if args.checkpoint else 'the seed-0 init'))


def feature_set(args) -> FeatureSet:
    """Make or find the features of ``args``."""
    if args.feature_dir:
        manifest = read_manifest(args.feature_dir)
        dim = manifest.get('feature_dim')
        if dim is None:
            some = sorted(glob.glob(osp.join(args.feature_dir, '*.npy')))
            if not some:
                raise SystemExit(f'{args.feature_dir}: no manifest.json and '
                                 'no <video_id>.npy')
            dim = int(np.load(some[0], mmap_mode='r').shape[1])
        source = ''.join(f', {key} {osp.basename(manifest[key])}'
                         for key in ('config', 'checkpoint')
                         if manifest.get(key))
        return FeatureSet(args.ann_file, args.feature_dir, dim,
                          f'features of {args.feature_dir} ({dim}-d{source})')
    if args.features == 'planted':
        ann_file, feature_dir = generate_planted_features(
            args.out_dir,
            num_videos=args.num_videos,
            num_classes=6,
            dim=32,
            noise=0.5,
            strength=1.0)
        return FeatureSet(
            ann_file, feature_dir, 32,
            f'{args.num_videos} videos of planted features, 32-d, one '
            'action per video over isotropic noise')
    if args.features == 'video':
        return video_features(args)
    ann_file, feature_dir = generate_context_features(
        args.out_dir,
        num_train=args.num_train,
        num_test=args.num_test,
        num_classes=args.num_classes,
        dim=args.dim,
        seed=args.data_seed)
    return FeatureSet(
        ann_file, feature_dir, args.dim,
        f'context features (generate_context_features, seed '
        f'{args.data_seed}), {args.dim}-d')


def data_summary(ann_file: str) -> Dict:
    """Classes, videos per subset and (video, label) training pairs."""
    with open(ann_file) as f:
        ann = json.load(f)
    videos = ann['videos'].values()
    # training first
    subsets = sorted({v['subset']
                      for v in videos},
                     key=lambda s: (s != 'train', s))
    return dict(
        num_classes=len(ann['classes']),
        videos={s: sum(v['subset'] == s for v in videos)
                for s in subsets},
        segments={
            s: sum(
                len(v.get('segments', [])) for v in videos if v['subset'] == s)
            for s in subsets
        },
        train_instances=sum(
            len(set(v['labels'])) for v in videos if v['subset'] == 'train'))


def localizer_config(row: Row, features: FeatureSet, data: Dict, iters: int,
                     seed: int, work_dir: str) -> Config:
    """``row``'s config on ``features`` for ``iters`` iterations, without
    validation (the run is tested after training)."""
    cfg = Config.fromfile(row.config)
    cfg.merge_from_dict(row.options or {})
    use_feature_set(
        cfg,
        features.ann_file,
        features.feature_dir,
        features.in_channels,
        num_workers=0)
    cfg.model.head.num_classes = data['num_classes']
    neck = cfg.model.get('neck')
    if neck:
        neck.num_classes = data['num_classes']
        if 'bank_size' in neck:
            neck.bank_size = data['train_instances']
    cfg.work_dir = work_dir
    cfg.randomness = dict(seed=seed)
    cfg.log_level = 'WARNING'
    cfg.load_from = None
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=iters)
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.default_hooks.checkpoint.update(interval=iters, save_best=None)
    cfg.default_hooks.logger.interval = max(1, iters // 4)
    return cfg


def floats(metrics: Dict) -> Dict[str, float]:
    """Metrics as plain floats, for JSON."""
    return {key: float(value) for key, value in metrics.items()}


def train_and_test(cfg: Config) -> Dict:
    """Train, test with the config's ``test_cfg``, then with
    ``SHARED_TEST_CFG``: the metrics as floats and the seconds that
    training and the two tests took."""
    start = time.perf_counter()
    runner = Runner.from_cfg(cfg)
    runner.train()
    trained = time.perf_counter()
    own = runner.test()
    model = runner.model.module if is_model_wrapper(
        runner.model) else runner.model
    model.head.set_test_cfg(SHARED_TEST_CFG)
    shared = runner.test()
    return dict(
        own=floats(own),
        shared=floats(shared),
        train_seconds=trained - start,
        test_seconds=time.perf_counter() - trained)


def table(rows: Dict[str, Row], results: Dict, which: str) -> List[str]:
    """Markdown lines: mean +- std over seeds of ``results[key]``'s runs'
    ``which`` metrics (%)."""
    lines = [
        '| head | ' + ' | '.join(f'@{t}'
                                 for t in TIOUS) + ' | avg | video mAP |',
        '|---' * (len(TIOUS) + 3) + '|'
    ]
    for key, runs in results.items():
        cells = []
        for metric in METRICS:
            values = 100 * np.array([run[which][metric] for run in runs])
            cells.append(f'{values.mean():.1f} +- {values.std():.1f}')
        lines.append(f'| {rows[key].title} | ' + ' | '.join(cells) + ' |')
    return lines


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out-dir', default='work_dirs/wstal_synthetic')
    parser.add_argument(
        '--features',
        choices=('context', 'planted', 'video'),
        default='context')
    parser.add_argument(
        '--num-train',
        type=int,
        default=400,
        help='context features: training videos')
    parser.add_argument(
        '--num-test',
        type=int,
        default=200,
        help='context features: test videos')
    parser.add_argument(
        '--num-classes',
        type=int,
        default=12,
        help='context features: classes')
    parser.add_argument(
        '--dim', type=int, default=64, help='context features: channels')
    parser.add_argument(
        '--data-seed',
        type=int,
        default=0,
        help='context features: seed of the data (--seeds seed training)')
    parser.add_argument(
        '--num-videos',
        type=int,
        default=60,
        help='planted and video features: videos')
    parser.add_argument('--snippet-stride', type=float, default=8)
    parser.add_argument(
        '--checkpoint',
        help='video features: recognizer '
        'checkpoint (default: the seed-0 initialisation)')
    parser.add_argument(
        '--feature-dir',
        help='extracted features to run '
        'the heads on instead (with --ann-file)')
    parser.add_argument('--ann-file', help='the annotation of --feature-dir')
    parser.add_argument('--iters', type=int, default=600)
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument(
        '--threads',
        type=int,
        default=1,
        help='torch threads (fixed, for the same figures)')
    parser.add_argument(
        '--heads',
        nargs='+',
        help='rows (default: all but the '
        '-nodenoise ablations); first stages are added')
    args = parser.parse_args(argv)
    if bool(args.feature_dir) != bool(args.ann_file):
        parser.error('--feature-dir and --ann-file go together')
    return args


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    register_all_modules(init_default_scope=True)
    rows = available_rows()
    wanted = args.heads or default_rows(rows)
    unknown = sorted(set(wanted) - set(rows))
    if unknown:
        raise SystemExit(f'unknown --heads {unknown}; choose from '
                         f'{list(rows)}')
    needed = set(wanted) | ({rows[k].first_stage for k in wanted} - {None})
    order = [key for key in rows if key in needed]

    args.out_dir = osp.join(args.out_dir,
                            'extracted' if args.feature_dir else args.features)
    features = feature_set(args)
    data = data_summary(features.ann_file)
    MMLogger.get_current_instance().setLevel(logging.WARNING)

    def run_dir(key, seed):
        return osp.join(args.out_dir, 'runs', f'{key}_seed{seed}')

    results = {}
    for key in order:
        row = rows[key]
        for seed in args.seeds:
            cfg = localizer_config(row, features, data, args.iters, seed,
                                   run_dir(key, seed))
            if row.first_stage:
                set_first_stage_checkpoint(
                    cfg,
                    osp.join(
                        run_dir(row.first_stage, seed),
                        f'iter_{args.iters}.pth'))
            run = train_and_test(cfg)
            results.setdefault(key, []).append(dict(seed=seed, **run))
            print(
                f'{key} seed {seed}: mAP_avg {run["own"]["mAP_avg"]:.4f} '
                f'(shared post-processing {run["shared"]["mAP_avg"]:.4f}); '
                f'{run["train_seconds"]:.0f} s training, '
                f'{run["test_seconds"]:.0f} s testing',
                flush=True)

    videos = ', '.join(f'{n} {s}' for s, n in data['videos'].items())
    segments = ', '.join(f'{n} {s}' for s, n in data['segments'].items())
    print(f'\n{features.description}: {videos} videos ({segments} '
          f'segments), {data["num_classes"]} classes; {args.iters} '
          'iterations per run (a second-stage row: after its first stage '
          f'of {args.iters}); seeds {args.seeds}; test mAP (%), mean +- std '
          'over seeds')
    for which, title in (('own', "each config's own test_cfg (its paper's "
                          'inference)'),
                         ('shared', 'one shared post-processing, '
                          f'SHARED_TEST_CFG = {dict(SHARED_TEST_CFG)}')):
        print(f'\nWith {title}:\n')
        print('\n'.join(table(rows, results, which)))
    print(f'\nSeconds per run, mean over seeds ({args.threads} torch '
          'thread(s); measured, so not the same on every run):\n')
    print('| head | training | both tests |\n|---|---|---|')
    for key, runs in results.items():
        print(f'| {rows[key].title} | ' +
              ' | '.join(f'{np.mean([r[part] for r in runs]):.1f}'
                         for part in ('train_seconds', 'test_seconds')) + ' |')
    dump_json_atomic(
        dict(
            features=features._asdict(),
            data=data,
            iters=args.iters,
            seeds=args.seeds,
            threads=args.threads,
            shared_test_cfg=dict(SHARED_TEST_CFG),
            rows={
                key:
                dict(
                    title=rows[key].title,
                    config=osp.relpath(rows[key].config, REPO),
                    first_stage=rows[key].first_stage,
                    runs=runs)
                for key, runs in results.items()
            }), osp.join(args.out_dir, 'results.json'))


if __name__ == '__main__':
    main()
