"""Localize the actions of a raw video with a trained recognizer (its
Weak-FEAT features, decoded window by window) and a WS-TAL localizer.

With the models of a ``tools/run_pipeline.py`` run::

    python tools/predict.py --pipeline work_dirs/demo [--mode adaptfocus] \\
        my_video.mp4

With any recognizer and localizer (configs and checkpoints)::

    python tools/predict.py REC_CONFIG REC_CHECKPOINT LOC_CONFIG \\
        LOC_CHECKPOINT my_video.mp4 --out-dir predictions/

Writes ``<out-dir>/<video name>.json`` (detections: start, end in
seconds, label, name, score; video-level scores), ``.png`` (T-CAS of the
best-scored classes with the detections) and ``.npy`` (the features).
"""
import argparse
import json
import os.path as osp

from mmaction.utils import register_all_modules

import mmwsal  # noqa: F401
from mmwsal.apis.predict import predict_video


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Raw video in, localized actions out.')
    parser.add_argument(
        'inputs',
        nargs='+',
        help='REC_CONFIG REC_CHECKPOINT LOC_CONFIG LOC_CHECKPOINT VIDEO, '
        'or only VIDEO with --pipeline')
    parser.add_argument(
        '--pipeline', help='work dir of tools/run_pipeline.py')
    parser.add_argument(
        '--mode',
        default='adaptfocus',
        help='which recognizer of the pipeline run (a row of its summary)')
    parser.add_argument('--out-dir', default='predictions')
    parser.add_argument(
        '--snippet-stride',
        type=float,
        help='frames between snippets (default: the pipeline run\'s, '
        'else one snippet span)')
    parser.add_argument('--device', help='default: a GPU if any, else CPU')
    parser.add_argument('--top-classes', type=int, default=3)
    args = parser.parse_args(argv)
    expected = 1 if args.pipeline else 5
    if len(args.inputs) != expected:
        parser.error(f'expected {expected} positional argument(s), got '
                     f'{len(args.inputs)}: {args.inputs}')
    return args


def models_of_pipeline(work_dir: str, mode: str) -> tuple:
    """(recognizer config, checkpoint, localizer config, checkpoint,
    snippet stride) of one row of a pipeline run."""
    path = osp.join(work_dir, 'summary.json')
    with open(path, encoding='utf-8') as f:
        summary = json.load(f)
    rows, settings = summary['rows'], summary['settings']
    if mode not in rows:
        raise SystemExit(f'{path} has no row {mode!r}; rows: {list(rows)}')
    row = rows[mode]
    loc_checkpoint = row['localizer']['checkpoint']
    loc_config = osp.join(
        osp.dirname(loc_checkpoint),
        osp.basename(settings['localizer_config']))
    return (settings['recognizer_config'], row['recognizer']['checkpoint'],
            loc_config, loc_checkpoint, settings.get('snippet_stride'))


def main(argv=None):
    args = parse_args(argv)
    register_all_modules(init_default_scope=True)
    stride = args.snippet_stride
    if args.pipeline:
        *models, pipeline_stride = models_of_pipeline(args.pipeline,
                                                      args.mode)
        stride = stride if stride is not None else pipeline_stride
    else:
        models = args.inputs[:4]
    video = args.inputs[-1]
    if not osp.isfile(video):
        raise SystemExit(f'no video file {video}')
    out = predict_video(
        video, *models, out_dir=args.out_dir, snippet_stride=stride,
        device=args.device, max_classes=args.top_classes)
    name = osp.splitext(osp.basename(video))[0]
    print(f'{video}: {out["duration"]:.1f} s, {out["num_snippets"]} '
          f'snippets, {len(out["detections"])} detections; best:')
    for d in out['detections'][:10]:
        print(f'  {d["start"]:8.2f} {d["end"]:8.2f}  {d["name"]:<24} '
              f'{d["score"]:.3f}')
    print(f'written: {osp.join(args.out_dir, name)}.{{json,png,npy}}')


if __name__ == '__main__':
    main()
