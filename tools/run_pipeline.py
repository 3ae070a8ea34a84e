"""The whole pipeline, from raw long videos to localized actions.

For each recognizer training mode (by default the Full (Clean) oracle,
the noisy baseline and AdaptFocus, with the same budget and seed): train
the recognizer on the long videos with video-level labels and test it;
extract Weak-FEAT snippet features of every video with it; train a WS-TAL
localizer on those features and test it. One summary table
(``summary.md``, ``summary.json``) goes into the work dir, and the seconds
of each stage are printed; ``--spread-seeds`` trains and tests each
recognizer with more seeds for the spread of its mAP. Rerunning skips
every finished stage whose settings are unchanged. Seeds, deterministic
algorithms and thread counts are fixed: the same command gives the same
table on every run.

Without ``--ann-file`` it runs on synthetic long videos, generated into
``--data-dir`` if absent (the main job of ``make demo``); the recognizers
start from one trained with clean labels on other synthetic videos
(``<data-dir>_pretrain``), as the AdaptFocus paper starts from
Kinetics checkpoints (``--no-pretrain``: from scratch)::

    python tools/run_pipeline.py --work-dir work_dirs/pipeline

On your own data, point it at your annotation, videos and configs::

    python tools/run_pipeline.py --ann-file data/charades/annotations.json \\
        --video-root data/charades \\
        --recognizer-config \\
            configs/adaptfocus/adaptfocus_i3d-r50_32x3_charades.py \\
        --localizer-config configs/wstal/mil_i3d-feat_5k-iter_thumos14.py \\
        --work-dir work_dirs/my_pipeline
"""
import argparse
import os.path as osp
import time
from typing import Dict

import cv2
import torch
from mmaction.utils import register_all_modules

from mmwsal.apis.pipeline import (PipelineSettings, pipeline_logger,
                                  run_pipeline)
from mmwsal.datasets import generate_synthetic_dataset
from mmwsal.utils import FOCUS_MODES

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
RECOGNIZER = ('configs/adaptfocus/'
              'adaptfocus_r3d-18-16ch-48px_8x4_60e_synthetic.py')
LOCALIZER = 'configs/wstal/mil_x3d-feat_600-iter_synthetic.py'
# The synthetic data: scenes shared by all videos, and snippets every 0.8 s
# (8 frames at 10 fps) for actions of 1-8 s.
SHARED_BACKGROUNDS = 4
SYNTHETIC_SNIPPET_STRIDE = 8
SYNTHETIC_SIZE = (48, 64)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Recognizer -> Weak-FEAT features -> WS-TAL localizer, '
        'for each training mode, with one summary table.')
    parser.add_argument('--work-dir', default='work_dirs/pipeline')
    parser.add_argument(
        '--ann-file',
        help='unified annotation of your data (default: synthetic videos)')
    parser.add_argument('--video-root', help='with --ann-file')
    parser.add_argument(
        '--data-dir',
        default='data/synthetic_demo',
        help='where the synthetic videos go (without --ann-file)')
    parser.add_argument(
        '--num-videos',
        type=int,
        default=160,
        help='synthetic videos (3/4 train, 1/4 test) and as many again for '
        'the pretraining')
    parser.add_argument(
        '--no-pretrain',
        action='store_true',
        help='on synthetic data: start the recognizers from scratch instead '
        'of from one trained with clean labels on other synthetic videos')
    parser.add_argument(
        '--pretrain-ann-file',
        help='with --pretrain-video-root: other videos on which a Full '
        '(Clean) recognizer is trained first, the starting point of every '
        'mode (default on your data: the config\'s load_from)')
    parser.add_argument('--pretrain-video-root')
    parser.add_argument(
        '--recognizer-config', default=osp.join(REPO, RECOGNIZER))
    parser.add_argument(
        '--localizer-config', default=osp.join(REPO, LOCALIZER))
    parser.add_argument(
        '--modes',
        nargs='+',
        default=['full', 'noisy', 'adaptfocus'],
        choices=list(FOCUS_MODES))
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--spread-seeds',
        type=int,
        nargs='*',
        default=[],
        help='more seeds to train and test every recognizer with, for the '
        'spread of the recognition mAP over seeds')
    parser.add_argument(
        '--snippet-stride',
        type=float,
        help='frames between feature snippets (default: 8 on the synthetic '
        'data, else one snippet span)')
    parser.add_argument('--workers', type=int, default=1)
    parser.add_argument(
        '--threads',
        type=int,
        default=1,
        help='torch threads (OpenCV runs single-threaded); on a small '
        'CPU one is often fastest, and a fixed number keeps results '
        'reproducible')
    parser.add_argument('--no-progress', action='store_true')
    args = parser.parse_args(argv)
    if (args.ann_file is None) != (args.video_root is None):
        parser.error('--ann-file and --video-root go together')
    if (args.pretrain_ann_file is None) != (args.pretrain_video_root is None):
        parser.error('--pretrain-ann-file and --pretrain-video-root go '
                     'together')
    return args


def synthetic_videos(data_dir: str, num_videos: int, seed: int, logger,
                     seconds: Dict[str, Dict]) -> str:
    """Generate (or reuse) the demo's kind of synthetic videos; its time
    goes into ``seconds`` (under ``data <dir name>``)."""
    logger.info(f'[data] synthetic long videos in {data_dir}')
    existed = osp.isfile(osp.join(data_dir, 'annotations.json'))
    tic = time.perf_counter()
    ann_file = generate_synthetic_dataset(
        data_dir,
        num_videos=num_videos,
        seed=seed,
        class_colours=True,
        shared_backgrounds=SHARED_BACKGROUNDS,
        size=SYNTHETIC_SIZE)
    seconds[f'data {osp.basename(data_dir.rstrip("/"))}'] = dict(
        seconds=time.perf_counter() - tic, ran=not existed)
    return ann_file


def timing_table(stage_seconds: Dict[str, Dict], total: float) -> str:
    """Seconds of each stage (``run_pipeline``'s ``stage_seconds``, plus
    data generation) and the total wall time of this run."""
    lines = ['stage                          seconds']
    for name, t in stage_seconds.items():
        seconds = '-' if t['seconds'] is None else f'{t["seconds"]:.0f}'
        note = '' if t['ran'] else '  (done before, not rerun)'
        lines.append(f'{name:<30} {seconds:>7}{note}')
    lines.append(f'{"total wall time of this run":<30} {total:>7.0f} '
                 f'({total / 60:.1f} min)')
    return '\n'.join(lines)


def main(argv=None):
    args = parse_args(argv)
    register_all_modules(init_default_scope=True)
    torch.set_num_threads(args.threads)
    cv2.setNumThreads(1)
    logger = pipeline_logger()
    tic = time.perf_counter()
    ann_file, video_root = args.ann_file, args.video_root
    pretrain = None
    data_seconds = {}
    if args.pretrain_ann_file:
        pretrain = (args.pretrain_ann_file, args.pretrain_video_root)
    if ann_file is None:
        ann_file = synthetic_videos(args.data_dir, args.num_videos, 0, logger,
                                    data_seconds)
        video_root = args.data_dir
        if not args.no_pretrain and pretrain is None:
            # Other videos of the same kind (data seed 1).
            root = args.data_dir.rstrip('/') + '_pretrain'
            pretrain = (synthetic_videos(root, args.num_videos, 1, logger,
                                         data_seconds), root)
        if args.snippet_stride is None:
            args.snippet_stride = SYNTHETIC_SNIPPET_STRIDE
    summary = run_pipeline(
        PipelineSettings(
            work_dir=args.work_dir,
            ann_file=ann_file,
            video_root=video_root,
            recognizer_config=args.recognizer_config,
            localizer_config=args.localizer_config,
            modes=args.modes,
            seed=args.seed,
            spread_seeds=args.spread_seeds,
            snippet_stride=args.snippet_stride,
            workers=args.workers,
            progress=not args.no_progress,
            pretrain_data=pretrain))
    with open(osp.join(args.work_dir, 'summary.md')) as f:
        table = f.read()
    total = time.perf_counter() - tic
    print(f'\n{table}\nall {len(summary["rows"])} rows in '
          f'{osp.join(args.work_dir, "summary.json")}\n\n' +
          timing_table({
              **data_seconds,
              **summary['stage_seconds']
          }, total))


if __name__ == '__main__':
    main()
