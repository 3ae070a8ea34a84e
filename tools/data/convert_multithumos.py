"""Convert the official MultiTHUMOS annotations to the unified JSON.

Example::

    python tools/data/convert_multithumos.py multithumos/annotations \
        multithumos/class_list.txt data/multithumos/annotations.json \
        --meta data/thumos14/meta.csv
"""
import argparse

from mmwsal.datasets.converters import (SegmentStats, convert_multithumos,
                                        save_converted)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('ann_dir', help='folder of <ClassName>.txt files')
    parser.add_argument('class_list', help='class_list.txt ("1 Name" lines)')
    parser.add_argument('out', help='output annotation JSON')
    parser.add_argument(
        '--meta', help='CSV with columns video_id,duration,fps')
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
    ann = convert_multithumos(
        args.ann_dir,
        args.class_list,
        meta_file=args.meta,
        video_root=args.video_root,
        file_template=args.file_template,
        stats=stats)
    print(save_converted(ann, args.out, 'MultiTHUMOS', stats))


if __name__ == '__main__':
    main()
