"""Convert the official ActivityNet 1.2 / 1.3 JSON to the unified JSON.

Example::

    python tools/data/convert_activitynet.py activity_net.v1-3.min.json \
        data/activitynet/annotations.json --video-root data/activitynet/videos
"""
import argparse

from mmwsal.datasets.converters import (SegmentStats, convert_activitynet,
                                        save_converted)
from mmwsal.datasets.converters.activitynet import DEFAULT_FPS
from mmwsal.datasets.converters.common import MISSING_VIDEO_POLICIES


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('json_file', help='activity_net.v1-{2,3}.min.json')
    parser.add_argument('out', help='output annotation JSON')
    parser.add_argument(
        '--classes',
        help='class names, one per line, in index order (default: the '
        'sorted labels of the annotations)')
    parser.add_argument(
        '--fps',
        type=float,
        default=DEFAULT_FPS,
        help='fps written for every video when --video-root is not given')
    parser.add_argument(
        '--video-root', help='probe the fps of each video under this folder')
    parser.add_argument(
        '--file-template',
        default='v_{id}.mp4',
        help='video file relative to the video root; {id} is the id')
    parser.add_argument(
        '--missing-videos',
        choices=MISSING_VIDEO_POLICIES,
        default='keep',
        help='a video not under --video-root (many listed videos are no '
        'longer online): keep it with --fps (default), drop it from the '
        'annotation, or stop with an error')
    return parser.parse_args()


def main():
    args = parse_args()
    stats = SegmentStats()
    ann = convert_activitynet(
        args.json_file,
        classes_file=args.classes,
        fps=args.fps,
        video_root=args.video_root,
        file_template=args.file_template,
        missing_videos=args.missing_videos,
        stats=stats)
    print(save_converted(ann, args.out, 'ActivityNet', stats))


if __name__ == '__main__':
    main()
