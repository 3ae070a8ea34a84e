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


@pytest.mark.parametrize('patterns', ['channel', 'random'])
def test_background_actions_and_class_patterns(tmp_path, patterns):
    # without noise a snippet is exactly the patterns planted on it
    ann_file, feat_dir = generate_planted_features(
        str(tmp_path), num_videos=20, num_classes=4, dim=6, seed=2,
        noise=0.0, strength=1.0, background_actions=1.0,
        patterns=patterns)
    seen = {}
    for vid, info in load_annotation(ann_file)['videos'].items():
        x = np.load(f'{feat_dir}/{vid}.npy')
        [seg] = info['segments']
        start, end = int(seg['start'] / 0.5), int(seg['end'] / 0.5)
        action = x[start:end]
        np.testing.assert_allclose(action, action[:1].repeat(len(action), 0))
        np.testing.assert_allclose(np.linalg.norm(action[0]), 1.0, rtol=1e-6)
        seen.setdefault(seg['label'], action[0])
        np.testing.assert_allclose(seen[seg['label']], action[0])
        # one unlabelled stretch of 5-10 snippets outside the action
        planted = np.flatnonzero(np.abs(x).sum(1) > 0)
        stretch = np.setdiff1d(planted, np.arange(start, end))
        assert 5 <= len(stretch) <= 10
        assert np.all(np.diff(stretch) == 1)
        assert not np.allclose(x[stretch[0]], action[0])
        if patterns == 'channel':
            assert np.flatnonzero(action[0]).tolist() == [seg['label']]
    assert len(seen) == 4
    with pytest.raises(ValueError, match='patterns'):
        generate_planted_features(str(tmp_path), patterns='onehot')
