"""Evaluate temporal action detections: mAP at each tIoU and their mean.

The numbers equal the official ActivityNet detection evaluation.

GT is a unified annotation JSON (see ``mmwsal.datasets.annotation``); PRED is
the ActivityNet submission format::

    {"version": "...", "external_data": {...},
     "results": {"<video_id>": [{"segment": [s, e], "label": "<class name>",
                                 "score": x}, ...]}}

Run::

    python tools/eval_detection.py GT.json PRED.json --subset test \\
        --tiou thumos14
"""
import argparse
import json
import numbers
import sys
from collections import OrderedDict

import numpy as np

from mmwsal.datasets import load_annotation
from mmwsal.evaluation.functional import detection_map
from mmwsal.evaluation.metrics.detection_metric import (
    format_map_table, ground_truth_from_annotation)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('gt', help='unified annotation JSON')
    parser.add_argument('pred', help='predictions, ActivityNet format')
    parser.add_argument('--subset', default='test')
    parser.add_argument(
        '--tiou', default='thumos14',
        help='thumos14 (0.1:0.1:0.7), activitynet (0.5:0.05:0.95) or a '
        'comma-separated list such as 0.3,0.5,0.7')
    parser.add_argument('--ambiguous', choices=['ignore', 'exclude'],
                        default='ignore')
    parser.add_argument('--unknown-label', choices=['ignore', 'raise'],
                        default='ignore')
    parser.add_argument('--unknown-video',
                        choices=['ignore', 'raise', 'false_positive'],
                        default='ignore')
    return parser.parse_args(argv)


def load_predictions(path, classes):
    """Video id to ``segments``/``labels``/``scores`` arrays, in file order;
    a label name outside ``classes`` becomes -1 (a class without GT)."""
    with open(path, encoding='utf-8') as f:
        try:
            data = json.load(f)
        except json.JSONDecodeError as e:
            raise ValueError(f'{path}: not valid JSON: {e}') from e
    if not isinstance(data, dict) or not isinstance(data.get('results'),
                                                    dict):
        raise ValueError(f'{path}: must be an object with "results" mapping '
                         'video ids to lists of detections')
    index = {name: i for i, name in enumerate(classes)}
    predictions = OrderedDict()
    for vid, dets in data['results'].items():
        if not isinstance(dets, list):
            raise ValueError(f'{path}: video {vid!r}: must be a list')
        segments, labels, scores = [], [], []
        for i, d in enumerate(dets):
            seg = d.get('segment') if isinstance(d, dict) else None
            if (not isinstance(seg, list) or len(seg) != 2 or not all(
                    isinstance(x, numbers.Real) for x in seg)
                    or not isinstance(d.get('label'), str)
                    or not isinstance(d.get('score'), numbers.Real)):
                raise ValueError(
                    f'{path}: video {vid!r}: detection {i} must be '
                    '{"segment": [s, e], "label": name, "score": x}, '
                    f'got {d!r}')
            segments.append(seg)
            labels.append(index.get(d['label'], -1))
            scores.append(d['score'])
        predictions[vid] = dict(
            segments=np.array(segments, np.float64).reshape(-1, 2),
            labels=np.array(labels, np.int64),
            scores=np.array(scores, np.float64))
    return predictions


def main(argv=None):
    args = parse_args(argv)
    ann = load_annotation(args.gt)
    tiou = args.tiou
    if tiou not in ('thumos14', 'activitynet'):
        try:
            tiou = [float(x) for x in tiou.split(',')]
        except ValueError:
            raise ValueError(f'--tiou: {args.tiou!r} is neither a preset nor '
                             'a comma-separated list of numbers')
    gt, skipped = ground_truth_from_annotation(ann, args.subset)
    if skipped:
        print(f'note: {len(skipped)} videos of subset {args.subset!r} have '
              'no segments and are skipped')
    if not gt:
        raise ValueError(f'{args.gt}: no video of subset {args.subset!r} '
                         'has ground-truth segments')
    predictions = load_predictions(args.pred, ann['classes'])
    result = detection_map(gt, predictions, tiou, ambiguous=args.ambiguous,
                           unknown_label=args.unknown_label,
                           unknown_video=args.unknown_video)
    if result.unknown_videos:
        print(f'note: {result.num_unknown_video_predictions} predictions in '
              f'{len(result.unknown_videos)} videos without ground truth: '
              f'{args.unknown_video}')
    if result.num_unknown_label:
        print(f'note: {result.num_unknown_label} predictions of classes '
              'without ground truth ignored')
    print(f'{len(gt)} videos, {len(result.labels)} classes, '
          f'{result.num_predictions} predictions evaluated')
    print(format_map_table(result))
    return result


if __name__ == '__main__':
    try:
        main()
    except (ValueError, FileNotFoundError) as e:
        sys.exit(f'error: {e}')
