import json

import numpy as np
import pytest

from mmwsal.datasets import generate_planted_features, load_annotation


def test_planted_channel_is_raised_inside_the_segment(tmp_path):
    ann_file, feat_dir = generate_planted_features(
        str(tmp_path), num_videos=9, num_classes=3, dim=5, seed=1)
    ann = load_annotation(ann_file)
    assert sorted({v['subset'] for v in ann['videos'].values()}) == [
        'test', 'train'
    ]
    for vid, info in ann['videos'].items():
        x = np.load(f'{feat_dir}/{vid}.npy')
        assert x.shape[1] == 5
        assert info['duration'] == pytest.approx(len(x) * 0.5)
        [seg] = info['segments']
        inside = np.zeros(len(x), bool)
        inside[int(seg['start'] / 0.5):int(seg['end'] / 0.5)] = True
        cls = seg['label']
        assert info['labels'] == [cls]
        assert x[inside, cls].mean() - x[~inside, cls].mean() > 1.0
    again, _ = generate_planted_features(
        str(tmp_path / 'again'), num_videos=9, num_classes=3, dim=5, seed=1)
    with open(again) as a, open(ann_file) as b:
        assert json.load(a) == json.load(b)
    with pytest.raises(ValueError, match='num_classes <= dim'):
        generate_planted_features(str(tmp_path), num_classes=6, dim=4)
