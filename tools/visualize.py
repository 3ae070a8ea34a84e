"""PNG figures of recognition, localization and training.

Every figure of a ``tools/run_pipeline.py`` run (one test video's
recognizer scores and localizations, and the training curves)::

    python tools/visualize.py pipeline work_dirs/pipeline [--video ID]

Single figures::

    # ground truth against each recognizer's score over time (Fig. 4 of
    # AdaptFocus), from the Weak-FEAT features each one extracted
    python tools/visualize.py scores --ann-file A --video ID --out f.png \\
        --run noisy CONFIG CHECKPOINT FEATURE_DIR \\
        --run adaptfocus CONFIG CHECKPOINT FEATURE_DIR
    # T-CAS and attention of a WS-TAL localizer with ground truth and
    # detections
    python tools/visualize.py localization CONFIG CHECKPOINT --ann-file A \\
        --video ID --out f.png
    # ratio of positives above threshold (Fig. 5) and top-1 success ratio
    # (Fig. S4) from the logs of recognizer work dirs
    python tools/visualize.py training --run noisy WORK_DIR \\
        --run adaptfocus WORK_DIR --out-dir figures/
"""
import argparse
import sys

from mmaction.utils import register_all_modules

import mmwsal  # noqa: F401
from mmwsal.visualization import (localization_figure, pipeline_figures,
                                  recognizer_scores_figure, training_figures)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = parser.add_subparsers(dest='command', required=True)
    p = sub.add_parser('pipeline', help='all figures of a pipeline run')
    p.add_argument('work_dir')
    p.add_argument('--video', help='a test video (default: one with the '
                   'most actions)')
    p.add_argument('--out-dir', help='default: WORK_DIR/figures')
    p = sub.add_parser('scores', help='recognizer scores over time')
    p.add_argument('--ann-file', required=True)
    p.add_argument('--video', required=True)
    p.add_argument('--out', required=True)
    p.add_argument(
        '--run',
        nargs=4,
        action='append',
        required=True,
        metavar=('NAME', 'CONFIG', 'CHECKPOINT', 'FEATURE_DIR'))
    p = sub.add_parser('localization', help='T-CAS, attention, detections')
    p.add_argument('config')
    p.add_argument('checkpoint')
    p.add_argument('--ann-file', required=True)
    p.add_argument('--video', required=True)
    p.add_argument('--out', required=True)
    p = sub.add_parser('training', help='curves from training logs')
    p.add_argument(
        '--run',
        nargs=2,
        action='append',
        required=True,
        metavar=('NAME', 'WORK_DIR'))
    p.add_argument('--out-dir', required=True)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    register_all_modules(init_default_scope=True)
    if args.command == 'pipeline':
        written = pipeline_figures(args.work_dir, args.out_dir, args.video)
    elif args.command == 'scores':
        written = [
            recognizer_scores_figure(
                args.out, args.ann_file, args.video,
                {name: tuple(rest)
                 for name, *rest in args.run})
        ]
    elif args.command == 'localization':
        written = [
            localization_figure(args.out, args.config, args.checkpoint,
                                args.ann_file, args.video)
        ]
    else:
        written = training_figures(args.out_dir, dict(args.run))
    if not written:
        sys.exit('nothing to draw: the logs have none of the curves')
    for path in written:
        print(path)


if __name__ == '__main__':
    main()
