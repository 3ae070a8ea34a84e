import json
import subprocess
import sys

import numpy as np
import pytest

from mmwsal.datasets import (LoadSnippetFeatures, PackSnippetInputs,
                             ResampleSnippets, SnippetFeatureDataset,
                             load_annotation)
from mmwsal.datasets.background_clicks import (background_runs,
                                               click_snippet_indices,
                                               simulate_annotation_clicks,
                                               simulate_clicks)


def test_background_runs_hand_made():
    # 10 s at 2 fps: frames at 0, 0.5, ..., 9.5; segments [1, 2] and
    # [1.5, 3] overlap (frames 2-6), [8.5, 10] covers frames 17-19.
    runs = background_runs([(1.0, 2.0), (1.5, 3.0), (8.5, 10.0)], 10.0, 2.0)
    np.testing.assert_array_equal(runs, [[0, 2], [7, 17]])
    assert background_runs([(0.0, 10.0)], 10.0, 2.0).shape == (0, 2)


def test_clicks_one_per_stretch_never_inside_a_segment():
    rng = np.random.default_rng(0)
    for trial in range(200):
        duration, fps = rng.uniform(5, 60), rng.choice([7.5, 10.0, 25.0])
        starts = np.sort(rng.uniform(0, duration, rng.integers(0, 6)))
        segs = [(s, min(duration, s + rng.uniform(0.1, 8))) for s in starts]
        clicks = simulate_clicks(segs, duration, fps,
                                 np.random.default_rng(trial))
        runs = background_runs(segs, duration, fps)
        assert len(clicks) == len(runs)
        frames = np.round(np.array(clicks) * fps).astype(int)
        for (first, end), frame, t in zip(runs, frames, clicks):
            assert first <= frame < end  # one in each stretch, in order
            assert not any(s <= t <= e for s, e in segs)


def test_simulated_clicks_are_seeded_per_video(long_video_set):
    _, _, ann = long_video_set
    a = simulate_annotation_clicks(ann, seed=3)
    b = simulate_annotation_clicks(ann, seed=3)
    assert a == b
    # video c has no segments: nothing to simulate from
    assert 'background_clicks' not in a['videos']['c']
    # one video alone gets the same clicks as in the whole file
    alone = dict(classes=ann['classes'], videos={'a': ann['videos']['a']})
    assert simulate_annotation_clicks(alone, seed=3)['videos']['a'][
        'background_clicks'] == a['videos']['a']['background_clicks']
    assert simulate_annotation_clicks(ann, seed=4) != a
    kept = dict(ann)
    kept['videos'] = dict(ann['videos'])
    kept['videos']['a'] = dict(ann['videos']['a'], background_clicks=[0.1])
    assert simulate_annotation_clicks(kept)['videos']['a'][
        'background_clicks'] == [0.1]
    assert simulate_annotation_clicks(kept, overwrite=True)['videos']['a'][
        'background_clicks'] != [0.1]


def test_click_tool_writes_a_valid_annotation(long_video_set, tmp_path):
    ann_file, _, _ = long_video_set
    out = tmp_path / 'clicks.json'
    proc = subprocess.run(
        [sys.executable, 'tools/data/simulate_background_clicks.py',
         ann_file, str(out), '--subset', 'train'],
        capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    ann = load_annotation(str(out))
    # a: 10 s, segments [2, 4] and [8, 10]: two background stretches
    assert len(ann['videos']['a']['background_clicks']) == 2
    assert 'clicks in 1 of 3 videos' in proc.stdout  # b is all action


def test_click_snippet_indices():
    np.testing.assert_array_equal(
        click_snippet_indices([0.0, 0.49, 0.5, 3.2, 99.0], 0.5, 7),
        [0, 1, 6])
    assert click_snippet_indices([], 0.5, 7).shape == (0, )


def test_dataset_option_and_index_mapping(tmp_path):
    ann = dict(classes=['a'], videos=dict(v=dict(
        subset='train', file='v.mp4', duration=20.0, fps=10.0, labels=[0],
        segments=[dict(start=5.0, end=12.0, label=0)])))
    (tmp_path / 'ann.json').write_text(json.dumps(ann))
    (tmp_path / 'f').mkdir()
    np.save(tmp_path / 'f' / 'v.npy', np.zeros((40, 2), np.float32))
    ds = SnippetFeatureDataset(
        str(tmp_path / 'ann.json'), [], feature_dirs=[str(tmp_path / 'f')],
        simulate_clicks=True, click_seed=1)
    clicks = ds.get_data_info(0)['background_clicks']
    assert len(clicks) == 2
    assert clicks[0] < 5.0 and clicks[1] > 12.0
    out = LoadSnippetFeatures()(ds.get_data_info(0))
    np.testing.assert_array_equal(out['click_indices'],
                                  [int(clicks[0] / 0.5), int(clicks[1] / 0.5)])
    out['features'] = np.arange(40, dtype=np.float32)[:, None]
    # halving the length puts each click into the bin that holds it
    down = ResampleSnippets(20, mode='interpolate')(dict(out))
    np.testing.assert_array_equal(down['click_indices'],
                                  np.array(out['click_indices']) // 2)
    # doubling marks both positions that repeat the clicked snippet
    up = ResampleSnippets(80, mode='uniform_sample')(dict(out))
    expected = np.sort(np.concatenate([2 * out['click_indices'],
                                       2 * out['click_indices'] + 1]))
    np.testing.assert_array_equal(up['click_indices'], expected)
    assert set(up['features'][up['click_indices'], 0]) == set(
        out['click_indices'].astype(np.float32))
    packed = PackSnippetInputs()(dict(up, label=np.ones(1, np.float32),
                                      video_id='v'))
    assert packed['data_samples'].background_click_indices.tolist() == \
        expected.tolist()


@pytest.mark.parametrize('seed', range(5))
def test_random_crop_keeps_clicks_inside_the_window(seed):
    np.random.seed(seed)
    x = np.arange(50, dtype=np.float32)[:, None]
    out = ResampleSnippets(20, mode='random_crop')(
        dict(features=x, snippet_seconds=1.0,
             click_indices=np.array([3, 25, 47])))
    kept = out['click_indices']
    start = int(out['features'][0, 0])
    assert set((kept + start).tolist()) == {
        c for c in (3, 25, 47) if start <= c < start + 20}
