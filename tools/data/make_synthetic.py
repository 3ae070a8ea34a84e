"""Generate the synthetic long-video dataset (videos + unified annotation).

Example::

    python tools/data/make_synthetic.py --out-dir data/synthetic \
        --num-videos 40 --seed 0
"""
import argparse
import time

from mmwsal.datasets.synthetic import (MOTION_CLASSES,
                                       generate_synthetic_dataset)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Write synthetic long videos with known action segments '
        'in the unified annotation format.')
    parser.add_argument(
        '--out-dir', required=True, help='dataset directory (the video_root)')
    parser.add_argument('--num-videos', type=int, default=40)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--num-classes',
        type=int,
        default=6,
        help=f'at most {len(MOTION_CLASSES)}: '
        f'{", ".join(MOTION_CLASSES)}')
    parser.add_argument('--fps', type=float, default=10.0)
    parser.add_argument(
        '--size',
        type=int,
        nargs=2,
        default=[96, 128],
        metavar=('H', 'W'),
        help='frame size, both even')
    parser.add_argument(
        '--min-duration',
        type=float,
        default=30.0,
        help='shortest video in seconds')
    parser.add_argument(
        '--max-duration',
        type=float,
        default=60.0,
        help='longest video in seconds')
    parser.add_argument(
        '--test-fraction',
        type=float,
        default=0.25,
        help='fraction of videos in the test subset')
    parser.add_argument(
        '--class-colours',
        action='store_true',
        help='objects of each class wear colours of their own (half of the '
        'distractors too): learnable from scratch in minutes on a CPU')
    parser.add_argument(
        '--shared-backgrounds',
        type=int,
        default=0,
        help='draw backgrounds from this many scenes shared by all videos '
        '(0: one per video)')
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='re-encode everything, replacing what is there')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    start = time.perf_counter()
    ann_file = generate_synthetic_dataset(
        args.out_dir,
        num_videos=args.num_videos,
        seed=args.seed,
        num_classes=args.num_classes,
        fps=args.fps,
        size=tuple(args.size),
        min_duration=args.min_duration,
        max_duration=args.max_duration,
        subsets=(('train', 1 - args.test_fraction), ('test',
                                                     args.test_fraction)),
        class_colours=args.class_colours,
        shared_backgrounds=args.shared_backgrounds,
        overwrite=args.overwrite)
    print(f'annotation: {ann_file}')
    print(f'video_root: {args.out_dir} (videos under {args.out_dir}/videos)')
    print(f'took {time.perf_counter() - start:.1f} s')


if __name__ == '__main__':
    main()
