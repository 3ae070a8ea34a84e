"""Convert Breakfast per-frame or segment label files to the unified JSON.

Example (action segmentation layout, split 1)::

    python tools/data/convert_breakfast.py breakfast/groundTruth \
        data/breakfast/annotations.json --mapping breakfast/mapping.txt
"""
import argparse

from mmwsal.datasets.converters import (SegmentStats, convert_breakfast,
                                        save_converted)
from mmwsal.datasets.converters.breakfast import (FPS, LABEL_FORMATS, LEVELS,
                                                  NUM_SPLITS)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('label_dir', help='folder of label files (recursive)')
    parser.add_argument('out', help='output annotation JSON')
    parser.add_argument(
        '--format',
        choices=LABEL_FORMATS,
        default='frames',
        help='"frames": one label per line per frame; "segments": lines '
        '"1-30 SIL" (1-based inclusive frames)')
    parser.add_argument(
        '--mapping', help='mapping.txt ("0 SIL" lines): the class order')
    parser.add_argument(
        '--level',
        choices=LEVELS,
        default='action',
        help='classes are the actions, or the complex activities')
    parser.add_argument(
        '--split',
        type=int,
        choices=range(1, NUM_SPLITS + 1),
        default=1,
        help='standard split; its 13 persons form the test subset')
    parser.add_argument(
        '--background', default='SIL', help='label that is not a class')
    parser.add_argument(
        '--fps', type=float, default=FPS, help='frame rate of the labels')
    parser.add_argument(
        '--file-template',
        default='{video}.mp4',
        help='video file relative to the video root; {video} is the stem')
    parser.add_argument(
        '--suffix', default='.txt', help='ending of the label file names')
    return parser.parse_args()


def main():
    args = parse_args()
    stats = SegmentStats()
    ann = convert_breakfast(
        args.label_dir,
        label_format=args.format,
        mapping_file=args.mapping,
        level=args.level,
        split=args.split,
        background=args.background,
        fps=args.fps,
        file_template=args.file_template,
        suffix=args.suffix,
        stats=stats)
    print(save_converted(ann, args.out, 'Breakfast', stats))


if __name__ == '__main__':
    main()
