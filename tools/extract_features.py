"""Extract snippet features of every video with a recognizer's backbone
(Weak-FEAT).

Writes ``OUT_DIR/<video_id>.npy`` (T x C) and ``OUT_DIR/manifest.json``
(docs/features.md). Resumable: rerun the same command after an interruption.
The exit status is 1 if any video could not be read (the summary lists it).

Run::

    python tools/extract_features.py CONFIG CHECKPOINT --ann-file ANN.json \\
        --video-root VIDEOS --out-dir FEATURES [--snippet-stride 16 |
        --num-snippets 100] [--crops three_crop] [--flip] [--fp16]
    tools/dist_extract_features.sh CONFIG CHECKPOINT 4 --ann-file ...
"""
import argparse
import os
import sys

from mmengine.config import DictAction

from mmwsal.apis import extract_features
from mmwsal.utils.io import dump_json_atomic


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='recognizer config')
    parser.add_argument('checkpoint', help='its checkpoint')
    parser.add_argument('--ann-file', required=True,
                        help='unified annotation JSON')
    parser.add_argument('--video-root', required=True,
                        help='directory the annotation file fields are '
                        'relative to')
    parser.add_argument('--out-dir', required=True)
    parser.add_argument('--subset', nargs='+',
                        help='only videos of these subsets')
    parser.add_argument('--clip-len', type=int,
                        help='F, frames per snippet fed to the model '
                        '(default: the test pipeline\'s)')
    parser.add_argument('--frame-interval', type=int,
                        help='tau (default: the test pipeline\'s)')
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument('--snippet-stride', type=float,
                      help='frames between snippet starts (default: F*tau, '
                      'no overlap)')
    mode.add_argument('--num-snippets', type=int,
                      help='a fixed number of snippets per video, spread '
                      'evenly')
    parser.add_argument('--short-side', type=int,
                        help='resize the short side to this instead of the '
                        'test pipeline\'s Resize')
    parser.add_argument('--crop-size', type=int,
                        help='instead of the test pipeline\'s crop size')
    parser.add_argument('--crops', choices=['center', 'three_crop'],
                        default='center')
    parser.add_argument('--flip', action='store_true',
                        help='average with horizontally flipped views')
    dtype = parser.add_mutually_exclusive_group()
    dtype.add_argument('--dtype', choices=['float32', 'float16'],
                       default='float32', help='dtype of the saved features')
    dtype.add_argument('--fp16', dest='dtype', action='store_const',
                       const='float16', help='same as --dtype float16')
    parser.add_argument('--batch-size', type=int, default=16,
                        help='snippets per forward pass')
    parser.add_argument('--device',
                        help='default: this rank\'s GPU, else the CPU')
    parser.add_argument('--num-threads', type=int, default=1,
                        help='decoder threads per video')
    parser.add_argument('--prefetch', type=int,
                        help='snippets decoded ahead while the model runs '
                        '(default: 2 x batch size; 0: none)')
    parser.add_argument('--summary-json',
                        help='also write the summary (videos per rank, '
                        'failures) to this file')
    parser.add_argument('--no-progress', action='store_true')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings of the config, key=value')
    parser.add_argument('--launcher', choices=['none', 'pytorch'],
                        default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def main(argv=None):
    args = parse_args(argv)
    summary = extract_features(
        args.config,
        args.checkpoint,
        ann_file=args.ann_file,
        video_root=args.video_root,
        out_dir=args.out_dir,
        subset=args.subset,
        clip_len=args.clip_len,
        frame_interval=args.frame_interval,
        snippet_stride=args.snippet_stride,
        num_snippets=args.num_snippets,
        short_side=args.short_side,
        crop_size=args.crop_size,
        crops=args.crops,
        flip=args.flip,
        dtype=args.dtype,
        batch_size=args.batch_size,
        device=args.device,
        num_threads=args.num_threads,
        prefetch_depth=args.prefetch,
        launcher=args.launcher,
        cfg_options=args.cfg_options,
        progress=not args.no_progress)
    if int(os.environ.get('RANK', 0)) == 0:
        print(summary.format())
        if args.summary_json:
            dump_json_atomic(summary.to_dict(), args.summary_json)
    return 0 if summary.ok else 1


if __name__ == '__main__':
    sys.exit(main())
