import importlib.util
import json
import os
import os.path as osp
import shutil
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmaction.registry import DATASETS, MODELS
from mmengine.config import Config

from mmwsal.apis import FeatureStore, extract_features
from tests.conftest import DEMO_CONFIG
from tests.test_tools.test_train import REPO, free_port


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory):
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(DEMO_CONFIG).model)
    path = str(tmp_path_factory.mktemp('ckpt') / 'random.pth')
    torch.save({'state_dict': model.state_dict()}, path)
    return path


def add_video(ann_file, root, video_id, source=None, content=None):
    """Add a copy of ``source`` (or a file of ``content``) to the set."""
    path = osp.join(root, f'{video_id}.mp4')
    if source is not None:
        shutil.copy(osp.join(root, source), path)
    else:
        with open(path, 'wb') as f:
            f.write(content)
    with open(ann_file) as f:
        ann = json.load(f)
    ann['videos'][video_id] = dict(subset='test', file=f'{video_id}.mp4',
                                   duration=4.0, fps=10.0, labels=[1])
    with open(ann_file, 'w') as f:
        json.dump(ann, f)


def run_tool(args, **env):
    env = dict(os.environ, PYTHON=sys.executable, PORT=str(free_port()),
               OMP_NUM_THREADS='1', **env)
    proc = subprocess.run(args, cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


def tool_args(ann_file, root, out_dir, summary):
    return ['--ann-file', ann_file, '--video-root', root, '--out-dir',
            str(out_dir), '--summary-json', str(summary)]


def test_tool_skips_and_reports_a_corrupt_video_and_fails(
        checkpoint, long_video_set, tmp_path):
    ann_file, root, _ = long_video_set
    add_video(ann_file, root, 'd', content=b'\x00\x00\x00\x18ftypmp42' * 40)
    out, summary_file = tmp_path / 'out', tmp_path / 'summary.json'
    rc, stdout, stderr = run_tool(
        [sys.executable, 'tools/extract_features.py', DEMO_CONFIG, checkpoint,
         '--fp16'] + tool_args(ann_file, root, out, summary_file))
    assert rc == 1, stdout + stderr[-3000:]
    assert 'FAILED d: ' in stdout and 'd.mp4' in stdout
    assert "video 'd' skipped" in stdout + stderr
    assert 'snippets/s' in stderr
    with open(summary_file) as f:
        summary = json.load(f)
    assert list(summary['failed']) == ['d']
    assert summary['extracted'] == {'0': ['a', 'b', 'c']}
    assert sorted(f for f in os.listdir(out) if f.endswith('.npy')) == \
        ['a.npy', 'b.npy', 'c.npy']
    with open(out / 'manifest.json') as f:
        manifest = json.load(f)
    assert sorted(manifest['videos']) == ['a', 'b', 'c']
    assert manifest['dtype'] == 'float16'
    assert manifest['config'] == DEMO_CONFIG
    features = np.load(out / 'a.npy')
    assert features.dtype == np.float16 and features.shape == (3, 432)

    # Once the video is fixed, a rerun extracts it alone and succeeds.
    shutil.copy(osp.join(root, 'c.mp4'), osp.join(root, 'd.mp4'))
    rc, stdout, stderr = run_tool(
        [sys.executable, 'tools/extract_features.py', DEMO_CONFIG, checkpoint,
         '--fp16'] + tool_args(ann_file, root, out, summary_file))
    assert rc == 0, stdout + stderr[-3000:]
    with open(summary_file) as f:
        summary = json.load(f)
    assert summary['extracted'] == {'0': ['d']}
    assert summary['skipped'] == ['a', 'b', 'c'] and summary['failed'] == {}


def test_two_processes_write_each_video_exactly_once(checkpoint,
                                                     long_video_set,
                                                     tmp_path):
    ann_file, root, _ = long_video_set
    add_video(ann_file, root, 'e', source='a.mp4')
    out, summary_file = tmp_path / 'dist', tmp_path / 'summary.json'
    rc, stdout, stderr = run_tool(
        ['bash', 'tools/dist_extract_features.sh', DEMO_CONFIG, checkpoint,
         '2', '--snippet-stride', '16'] +
        tool_args(ann_file, root, out, summary_file))
    log = stdout + stderr
    assert rc == 0, log[-3000:]
    assert 'rank 0 of 2' in log and 'rank 1 of 2' in log
    # Only rank 0 shows progress and the summary.
    assert log.count('videos/s') == 1
    assert log.count('extracted 4 videos') == 1
    with open(summary_file) as f:
        summary = json.load(f)
    per_rank = summary['extracted']
    assert sorted(per_rank) == ['0', '1']
    assert per_rank['0'] and per_rank['1']
    assert not set(per_rank['0']) & set(per_rank['1'])
    assert sorted(per_rank['0'] + per_rank['1']) == ['a', 'b', 'c', 'e']
    with open(out / 'manifest.json') as f:
        manifest = json.load(f)
    assert sorted(manifest['videos']) == ['a', 'b', 'c', 'e']

    # The same features as one process.
    single = tmp_path / 'single'
    extract_features(DEMO_CONFIG, checkpoint, ann_file, root, str(single),
                     snippet_stride=16, progress=False)
    for vid in ('a', 'b', 'c', 'e'):
        np.testing.assert_allclose(
            np.load(out / f'{vid}.npy'), np.load(single / f'{vid}.npy'),
            atol=1e-5, rtol=0)
    with open(single / 'manifest.json') as f:
        assert json.load(f)['videos'] == manifest['videos']


def load_features_to_bmn():
    spec = importlib.util.spec_from_file_location(
        'features_to_bmn', osp.join(REPO, 'tools/data/features_to_bmn.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bmn_export_reads_with_mmaction_localization_loader(
        long_video_set, tmp_path):
    ann_file, _, _ = long_video_set
    features_dir = tmp_path / 'features'
    settings = dict(checkpoint_sha256='0' * 16, dtype='float32', clip_len=8,
                    frame_interval=4, snippet_frames=32, crops='center',
                    flip=False)
    store = FeatureStore(str(features_dir), settings,
                         dict(config='c.py', checkpoint='c.pth'))
    rng = np.random.default_rng(0)
    feats = {'a': rng.random((3, 8)), 'b': rng.random((1, 8))}
    store.save('a', feats['a'],
               dict(fps=10., num_frames=100, snippet_stride=32.))
    store.save('b', feats['b'],
               dict(fps=10., num_frames=7, snippet_stride=32.))
    store.write_manifest()

    bmn = load_features_to_bmn()
    out = tmp_path / 'bmn'
    result = bmn.convert(str(features_dir), ann_file, str(out), 100)
    assert result['written'] == {'train': ['a', 'b']}
    assert result['missing'] == ['c']  # in the annotation, not extracted
    dataset = DATASETS.build(
        dict(type='ActivityNetDataset',
             ann_file=str(out / 'anet_anno_train.json'),
             data_prefix=dict(video=result['csv_dir']),
             pipeline=[dict(type='LoadLocalizationFeature'),
                       dict(type='GenerateLocalizationLabels')]))
    by_name = {dataset[i]['video_name']: dataset[i] for i in range(2)}
    a = by_name['a']
    assert a['raw_feature'].shape == (8, 100)
    np.testing.assert_allclose(a['raw_feature'][:, 0], feats['a'][0],
                               rtol=1e-6)
    np.testing.assert_allclose(a['raw_feature'][:, -1], feats['a'][-1],
                               rtol=1e-6)
    np.testing.assert_allclose(a['raw_feature'][:, 99 // 2],
                               (feats['a'][0] * 1 / 99 + feats['a'][1] *
                                98 / 99), rtol=1e-5)
    # Snippets at 0, 32, 64 cover 96 of 100 frames: 9.6 of 10 s.
    np.testing.assert_allclose(a['gt_bbox'],
                               [[2 / 9.6, 4 / 9.6], [8 / 9.6, 1.]])
    b = by_name['b']
    assert b['raw_feature'].shape == (8, 100)
    np.testing.assert_allclose(b['raw_feature'],
                               np.repeat(feats['b'].T, 100, 1), rtol=1e-6)

    kept = bmn.convert(str(features_dir), ann_file, str(tmp_path / 'raw'), 0)
    raw = np.loadtxt(osp.join(kept['csv_dir'], 'a.csv'), delimiter=',',
                     skiprows=1)
    np.testing.assert_allclose(raw, feats['a'], rtol=1e-6)
