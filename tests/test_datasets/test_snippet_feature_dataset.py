import json

import numpy as np
import pytest
import torch

from mmwsal.datasets import (LoadSnippetFeatures, ResampleSnippets,
                             SnippetFeatureDataset)


@pytest.fixture
def feature_set(tmp_path):
    """Two modalities of features for three videos; a manifest for RGB."""
    ann = {
        'classes': ['a', 'b', 'c'],
        'videos': {
            'v2': dict(subset='train', file='v2.mp4', duration=12.0,
                       fps=25.0, labels=[1]),
            'v1': dict(subset='train', file='v1.mp4', duration=8.0, fps=25.0,
                       labels=[0, 2],
                       segments=[dict(start=1.0, end=2.0, label=0)]),
            'v3': dict(subset='test', file='v3.mp4', duration=4.0, fps=25.0,
                       labels=[2]),
        }
    }
    ann_file = tmp_path / 'ann.json'
    ann_file.write_text(json.dumps(ann))
    rng = np.random.default_rng(0)
    lengths = dict(v1=10, v2=15, v3=5)
    for mod, dim in (('rgb', 4), ('flow', 3)):
        (tmp_path / mod).mkdir()
        for vid, t in lengths.items():
            np.save(tmp_path / mod / f'{vid}.npy',
                    rng.normal(size=(t, dim)).astype(np.float32))
    manifest = dict(
        format='mmwsal.features', version=1,
        videos=dict(v1=dict(file='v1.npy', num_snippets=10, fps=25.0,
                            snippet_stride=16.0),
                    # shorter than one snippet: stride 0, use the duration
                    v2=dict(file='v2.npy', num_snippets=15, fps=25.0,
                            snippet_stride=0.0)))
    (tmp_path / 'rgb' / 'manifest.json').write_text(json.dumps(manifest))
    return tmp_path, str(ann_file)


def build(root, ann_file, **kwargs):
    kwargs.setdefault('feature_dirs', ['rgb', 'flow'])
    kwargs.setdefault('pipeline', [])
    return SnippetFeatureDataset(
        ann_file=ann_file, data_root=str(root), **kwargs)


def test_dataset_infos(feature_set):
    root, ann_file = feature_set
    ds = build(root, ann_file, subset='train')
    assert [ds[i]['video_id'] for i in range(len(ds))] == ['v1', 'v2']
    assert [ds[i]['video_index'] for i in range(len(ds))] == [0, 1]
    info = ds.get_data_info(0)
    np.testing.assert_array_equal(info['label'], [1, 0, 1])
    assert info['feature_paths'] == [
        str(root / 'rgb' / 'v1.npy'), str(root / 'flow' / 'v1.npy')
    ]
    # manifest: 16 frames between snippets at 25 fps
    assert info['snippet_stride_seconds'] == pytest.approx(0.64)
    assert ds.get_data_info(1)['snippet_stride_seconds'] is None
    assert ds.metainfo['classes'] == ('a', 'b', 'c')


def test_dataset_missing_feature_file(feature_set):
    root, ann_file = feature_set
    (root / 'flow' / 'v2.npy').unlink()
    with pytest.raises(FileNotFoundError, match='flow/v2.npy'):
        build(root, ann_file, subset='train')
    # the test subset does not need v2
    assert len(build(root, ann_file, subset='test')) == 1


def test_load_concatenates_modalities(feature_set):
    root, ann_file = feature_set
    ds = build(root, ann_file, subset='train')
    out = LoadSnippetFeatures(feature_dim=7)(ds.get_data_info(1))
    rgb = np.load(root / 'rgb' / 'v2.npy')
    flow = np.load(root / 'flow' / 'v2.npy')
    np.testing.assert_array_equal(out['features'],
                                  np.concatenate([rgb, flow], 1))
    assert out['num_snippets'] == 15
    # no manifest entry: the duration spread over the snippets
    assert out['snippet_seconds'] == pytest.approx(12.0 / 15)
    v1 = LoadSnippetFeatures()(ds.get_data_info(0))
    assert v1['snippet_seconds'] == pytest.approx(0.64)


@pytest.mark.parametrize('case, match', [
    ('length', 'different numbers of snippets'),
    ('nan', 'NaN'),
    ('ndim', r'shape \(T, C\)'),
    ('dim', 'feature_dim=7'),
    ('corrupt', 'cannot read features'),
])
def test_load_errors_name_the_video(feature_set, case, match):
    root, ann_file = feature_set
    ds = build(root, ann_file, subset='train')
    path = root / 'flow' / 'v1.npy'
    feature_dim = 7
    if case == 'length':
        np.save(path, np.zeros((11, 3), np.float32))
    elif case == 'nan':
        x = np.zeros((10, 3), np.float32)
        x[4, 1] = np.nan
        np.save(path, x)
    elif case == 'ndim':
        np.save(path, np.zeros(10, np.float32))
    elif case == 'dim':
        np.save(path, np.zeros((10, 5), np.float32))
    else:
        path.write_bytes(b'not an npy file')
    with pytest.raises(ValueError, match=match) as info:
        LoadSnippetFeatures(feature_dim=feature_dim)(ds.get_data_info(0))
    assert 'v1' in str(info.value)


def test_resample_interpolate_matches_np_interp():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(13, 3)).astype(np.float32)
    out = ResampleSnippets(5, mode='interpolate')(
        dict(features=x, snippet_seconds=1.0))
    grid = np.linspace(0, 12, 5)
    ref = np.stack([np.interp(grid, np.arange(13), x[:, c])
                    for c in range(3)], 1)
    np.testing.assert_allclose(out['features'], ref, rtol=1e-5, atol=1e-6)
    assert out['snippet_seconds'] == pytest.approx(13 / 5)


def test_resample_uniform_sample_draws_one_per_bin():
    x = np.arange(100, dtype=np.float32)[:, None]
    np.random.seed(0)
    for _ in range(20):
        out = ResampleSnippets(8)(dict(features=x, snippet_seconds=1.0))
        idx = out['features'][:, 0].astype(int)
        edges = np.linspace(0, 100, 9)
        assert np.all(idx >= np.floor(edges[:-1]))
        assert np.all(idx < np.ceil(edges[1:]))
    test = ResampleSnippets(8, test_mode=True)
    a = test(dict(features=x, snippet_seconds=1.0))['features']
    b = test(dict(features=x, snippet_seconds=1.0))['features']
    np.testing.assert_array_equal(a, b)
    # a short video repeats its snippets in order
    short = ResampleSnippets(6)(dict(features=x[:3], snippet_seconds=1.0))
    np.testing.assert_array_equal(short['features'][:, 0], [0, 0, 1, 1, 2, 2])


def test_resample_random_crop_is_a_window():
    x = np.arange(50, dtype=np.float32)[:, None]
    np.random.seed(0)
    starts = set()
    for _ in range(10):
        out = ResampleSnippets(
            20, mode='random_crop')(dict(features=x, snippet_seconds=0.5))
        f = out['features'][:, 0]
        np.testing.assert_array_equal(np.diff(f), 1)
        starts.add(int(f[0]))
        assert out['snippet_seconds'] == 0.5
    assert len(starts) > 1
    # shorter than the window: stretched to the length
    out = ResampleSnippets(
        20, mode='random_crop')(dict(features=x[:5], snippet_seconds=0.5))
    assert out['features'].shape == (20, 1)


def test_resample_rejects_bad_arguments():
    with pytest.raises(ValueError, match='mode'):
        ResampleSnippets(10, mode='nearest')
    with pytest.raises(ValueError, match='num_snippets'):
        ResampleSnippets(0)


def test_pack_snippet_inputs(feature_set):
    root, ann_file = feature_set
    ds = build(
        root,
        ann_file,
        subset='train',
        pipeline=[dict(type='LoadSnippetFeatures'),
                  dict(type='PackSnippetInputs')])
    out = ds[0]
    assert out['inputs'].shape == (10, 7)
    assert out['inputs'].dtype == torch.float32
    sample = out['data_samples']
    assert sample.gt_labels.item.tolist() == [1, 0, 1]
    assert sample.video_id == 'v1'
    assert sample.snippet_seconds == pytest.approx(0.64)
    assert sample.num_snippets == 10
