"""Convert the official THUMOS14 temporal annotations to the unified JSON.

Example::

    python tools/data/convert_thumos14.py \
        TH14_Temporal_annotations_validation/annotation \
        TH14_Temporal_Annotations_Test/annotations/annotation \
        data/thumos14/annotations.json \
        --meta validation_set_meta/validation_set.mat test_set_meta.mat
"""
import argparse

from mmwsal.datasets.converters import (SegmentStats, convert_thumos14,
                                        save_converted)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        'ann_dirs',
        nargs='+',
        help='folders with <ClassName>_val.txt / <ClassName>_test.txt')
    parser.add_argument('out', help='output annotation JSON')
    parser.add_argument(
        '--meta',
        nargs='+',
        action='extend',
        help='durations and fps: the official validation_set.mat / '
        'test_set_meta.mat and/or CSVs with columns video_id,duration,fps')
    parser.add_argument(
        '--video-root',
        help='probe duration and fps of videos missing from --meta here')
    parser.add_argument(
        '--file-template',
        default='{video}.mp4',
        help='video file relative to the video root; {video} is the id')
    return parser.parse_args()


def main():
    args = parse_args()
    stats = SegmentStats()
    ann = convert_thumos14(
        args.ann_dirs,
        meta_file=args.meta,
        video_root=args.video_root,
        file_template=args.file_template,
        stats=stats)
    print(save_converted(ann, args.out, 'THUMOS14', stats))


if __name__ == '__main__':
    main()
