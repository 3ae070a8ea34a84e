"""Choose disjoint base and novel classes of a unified annotation by a seed.

Examples (the paper's splits of ActivityNet: 80/20 of 1.2, 160/40 of 1.3)::

    python tools/data/make_class_split.py \
        data/activitynet/annotations_v1.2.json --num-novel 20 --seed 0 \
        --out data/activitynet/class_split_v1.2_seed0.json
    python tools/data/make_class_split.py \
        data/activitynet/annotations_v1.3.json --num-novel 40 --seed 0 \
        --out data/activitynet/class_split_v1.3_seed0.json
"""
import argparse
import os.path as osp

from mmwsal.datasets import (dump_class_split, load_annotation,
                             make_class_split, split_video_infos)
from mmwsal.datasets.annotation import subset_video_infos


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Write a seeded base / novel class split of a unified '
        'annotation as JSON.')
    parser.add_argument('ann_file', help='unified annotation JSON')
    group = parser.add_mutually_exclusive_group()
    group.add_argument('--num-novel', type=int, help='number of novel classes')
    group.add_argument(
        '--novel-fraction',
        type=float,
        default=0.2,
        help='fraction of novel classes, rounded (default 0.2: 20 of 100, 40 '
        'of 200)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', required=True, help='split JSON to write')
    parser.add_argument(
        '--overwrite', action='store_true', help='replace an existing file')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    ann = load_annotation(args.ann_file)
    classes = ann['classes']
    num_novel = args.num_novel if args.num_novel is not None else round(
        args.novel_fraction * len(classes))
    if osp.exists(args.out) and not args.overwrite:
        raise SystemExit(f'{args.out} exists; pass --overwrite to replace it '
                         '(a trained model belongs to its split)')
    split = make_class_split(classes, num_novel, args.seed)
    dump_class_split(split, args.out, classes)
    infos = subset_video_infos(ann)
    for part in ('base', 'novel'):
        kept, dropped = split_video_infos(infos, classes, split, part)
        print(f'{part}: {len(split[part])} classes, {len(kept)} videos '
              f'({dropped["mixed"]} videos with labels of both parts and '
              f'{dropped["unlabelled"]} unlabelled are in neither)')
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
