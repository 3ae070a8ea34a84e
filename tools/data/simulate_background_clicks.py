"""Add simulated background clicks to a unified annotation.

One click on a frame drawn uniformly from every stretch of background
frames between the ground-truth segments, as BackTAL and SF-Net simulate
clicks for datasets without human ones; seeded, and each video's clicks
depend on the seed and its id only.

Example::

    python tools/data/simulate_background_clicks.py \
        data/thumos14/annotations.json data/thumos14/annotations_clicks.json \
        --subset validation --seed 0
"""
import argparse

from mmwsal.datasets import dump_annotation, load_annotation
from mmwsal.datasets.background_clicks import simulate_annotation_clicks


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('ann_file', help='unified annotation to read')
    parser.add_argument('out', help='annotation to write (may be ann_file)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--subset', nargs='+', help='only videos of these subsets')
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='replace clicks a video already has (default: keep them)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    ann = simulate_annotation_clicks(
        load_annotation(args.ann_file), args.seed, args.subset,
        args.overwrite)
    dump_annotation(ann, args.out)
    clicked = [v for v in ann['videos'].values() if v.get('background_clicks')]
    print(f'{args.out}: {sum(len(v["background_clicks"]) for v in clicked)} '
          f'background clicks in {len(clicked)} of {len(ann["videos"])} '
          'videos')


if __name__ == '__main__':
    main()
