"""Convert extracted snippet features to MMAction2's BMN/BSN feature format.

MMAction2's localizers (``ActivityNetDataset`` + ``LoadLocalizationFeature``)
read one CSV per video, a header row then one row per temporal position,
and an annotation JSON keyed by video id with ``duration_second``,
``duration_frame``, ``feature_frame`` and ``annotations`` (``segment`` in
seconds, ``label`` a class name). For ActivityNet the features are rescaled
to a fixed length (``--temporal-scale 100``, linear interpolation, as the
BSN/BMN papers do); 0 keeps the T snippets of each video.

Writes ``OUT_DIR/csv_mean_<L>/<video_id>.csv`` (``OUT_DIR/csv/`` for
``--temporal-scale 0``) and ``OUT_DIR/anet_anno_<subset>.json`` per subset.
In a BMN config set ``data_root`` to the CSV folder and the
``ann_file_train`` / ``ann_file_val`` to the JSON files.

Example::

    python tools/data/features_to_bmn.py work_dirs/features \\
        data/activitynet/annotations_v1.3.json data/activitynet/bmn \\
        --subset training validation
"""
import argparse
import json
import os
import os.path as osp
import sys

import numpy as np

from mmwsal.datasets import load_annotation
from mmwsal.utils.io import atomic_open, dump_json_atomic


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('feature_dir',
                        help='output of tools/extract_features.py')
    parser.add_argument('ann_file', help='unified annotation JSON')
    parser.add_argument('out_dir')
    parser.add_argument('--temporal-scale', type=int, default=100,
                        help='positions per video (0: keep the snippets)')
    parser.add_argument('--subset', nargs='+',
                        help='subsets to convert (default: all)')
    return parser.parse_args(argv)


def rescale_features(features: np.ndarray, length: int) -> np.ndarray:
    """Linearly interpolate ``(T, C)`` features to ``(length, C)``; the
    first and last rows stay where they are."""
    num = len(features)
    if length <= 0 or length == num:
        return np.asarray(features, np.float32)
    positions = np.linspace(0, num - 1, length)
    low = np.floor(positions).astype(np.int64)
    high = np.minimum(low + 1, num - 1)
    weight = (positions - low)[:, None].astype(np.float32)
    features = np.asarray(features, np.float32)
    return features[low] * (1 - weight) + features[high] * weight


def feature_frames(entry: dict, snippet_frames: int) -> int:
    """Frames the snippets of a manifest entry cover, from the first frame
    to the end of the last snippet."""
    last_start = int(np.floor((entry['num_snippets'] - 1) *
                              entry['snippet_stride'] + 0.5))
    return int(min(entry['num_frames'], last_start + snippet_frames))


def write_csv(path: str, features: np.ndarray) -> None:
    header = ','.join(f'f{i}' for i in range(features.shape[1]))
    with atomic_open(path, 'w') as f:
        np.savetxt(f, features, fmt='%.7g', delimiter=',', header=header,
                   comments='')


def convert(feature_dir: str, ann_file: str, out_dir: str,
            temporal_scale: int = 100, subsets=None) -> dict:
    """Write the CSVs and annotation files.

    Returns:
        dict: ``{'written': {subset: [video ids]}, 'missing': [video ids]}``
        (videos of the annotation without features).
    """
    manifest_path = osp.join(feature_dir, 'manifest.json')
    if not osp.isfile(manifest_path):
        raise FileNotFoundError(f'{manifest_path} does not exist: is '
                                f'{feature_dir} an extract_features output?')
    with open(manifest_path, encoding='utf-8') as f:
        manifest = json.load(f)
    ann = load_annotation(ann_file)
    classes = ann['classes']
    csv_dir = osp.join(out_dir, f'csv_mean_{temporal_scale}'
                       if temporal_scale > 0 else 'csv')
    os.makedirs(csv_dir, exist_ok=True)
    written, missing, by_subset = {}, [], {}
    for vid, info in sorted(ann['videos'].items()):
        if subsets and info['subset'] not in subsets:
            continue
        entry = manifest['videos'].get(vid)
        if entry is None:
            missing.append(vid)
            continue
        path = osp.join(feature_dir, entry['file'])
        features = np.load(path)
        if features.ndim != 2 or len(features) != entry['num_snippets']:
            raise ValueError(
                f'{path}: features of shape {features.shape}, the manifest '
                f'says {entry["num_snippets"]} snippets')
        write_csv(osp.join(csv_dir, f'{vid}.csv'),
                  rescale_features(features, temporal_scale))
        by_subset.setdefault(info['subset'], {})[vid] = dict(
            duration_second=float(info['duration']),
            duration_frame=int(entry['num_frames']),
            feature_frame=feature_frames(entry, manifest['snippet_frames']),
            fps=float(entry['fps']),
            rfps=float(entry['fps']),
            annotations=[
                dict(segment=[float(s['start']), float(s['end'])],
                     label=classes[s['label']])
                for s in info.get('segments', [])
            ])
    for subset, videos in by_subset.items():
        dump_json_atomic(videos, osp.join(out_dir, f'anet_anno_{subset}.json'))
        written[subset] = sorted(videos)
    return dict(written=written, missing=missing, csv_dir=csv_dir)


def main(argv=None):
    args = parse_args(argv)
    result = convert(args.feature_dir, args.ann_file, args.out_dir,
                     args.temporal_scale, args.subset)
    for subset, videos in result['written'].items():
        print(f'{subset}: {len(videos)} videos -> '
              f'{osp.join(args.out_dir, f"anet_anno_{subset}.json")}')
    print(f'features: {result["csv_dir"]}')
    if result['missing']:
        shown = ', '.join(result['missing'][:20])
        print(f'{len(result["missing"])} videos have no features in '
              f'{args.feature_dir} and were left out: {shown}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
