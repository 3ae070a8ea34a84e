"""Convert the official Charades CSVs to the unified annotation JSON.

Example::

    python tools/data/convert_charades.py Charades/Charades_v1_train.csv \
        Charades/Charades_v1_test.csv Charades/Charades_v1_classes.txt \
        data/charades/annotations.json --video-root data/charades/videos
"""
import argparse

from mmwsal.datasets.converters import (SegmentStats, convert_charades,
                                        save_converted)
from mmwsal.datasets.converters.charades import DEFAULT_FPS
from mmwsal.datasets.converters.common import (MISSING_VIDEO_POLICIES,
                                               REVERSED_POLICIES)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('train_csv', help='Charades_v1_train.csv')
    parser.add_argument('test_csv', help='Charades_v1_test.csv')
    parser.add_argument('classes', help='Charades_v1_classes.txt')
    parser.add_argument('out', help='output annotation JSON')
    parser.add_argument(
        '--fps',
        type=float,
        default=DEFAULT_FPS,
        help='fps written for every video when --video-root is not given '
        '(Charades videos are mostly 24-30 fps)')
    parser.add_argument(
        '--video-root', help='probe the fps of each video under this folder')
    parser.add_argument(
        '--file-template',
        default='{video}.mp4',
        help='video file relative to the video root; {video} is the id')
    parser.add_argument(
        '--reversed-intervals',
        choices=REVERSED_POLICIES,
        default='swap',
        help='an action that ends before it starts (7 in the v1 CSVs): '
        'swap its ends (default), drop it, or stop with an error; each is '
        'reported with its file, line and video')
    parser.add_argument(
        '--missing-videos',
        choices=MISSING_VIDEO_POLICIES,
        default='keep',
        help='a video not under --video-root: keep it with --fps '
        '(default), drop it from the annotation, or stop with an error')
    return parser.parse_args()


def main():
    args = parse_args()
    stats = SegmentStats()
    ann = convert_charades(
        args.train_csv,
        args.test_csv,
        args.classes,
        fps=args.fps,
        video_root=args.video_root,
        file_template=args.file_template,
        reversed_intervals=args.reversed_intervals,
        missing_videos=args.missing_videos,
        stats=stats)
    print(save_converted(ann, args.out, 'Charades', stats))


if __name__ == '__main__':
    main()
