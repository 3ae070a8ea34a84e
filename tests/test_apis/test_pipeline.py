import io
import json
import os
import os.path as osp
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmengine.config import Config

from mmwsal.apis import file_sha256
from mmwsal.apis.pipeline import (RECOGNITION_KEY, PipelineSettings,
                                  gap_recovered, run_pipeline, seed_spread,
                                  summary_markdown)
from mmwsal.apis.pipeline_stages import StageStore
from mmwsal.engine.hooks import ProgressBarHook
from tools.predict import main as predict_main

RECOGNIZER = ('configs/adaptfocus/'
              'adaptfocus_r3d-18-16ch-48px_8x4_60e_synthetic.py')
LOCALIZER = 'configs/wstal/mil_x3d-feat_600-iter_synthetic.py'


def test_stage_store_skips_finished_stages_and_keeps_others(tmp_path):
    messages, calls = [], []
    stages = StageStore(str(tmp_path), log=messages.append)

    def work(stage_dir):
        calls.append(stage_dir)
        with open(osp.join(stage_dir, 'out.txt'), 'w') as f:
            f.write(str(len(calls)))
        return dict(value=len(calls))

    first = stages.run('train', dict(lr=0.1), work)
    assert first == dict(value=1) and len(calls) == 1
    assert stages.seconds['train']['ran'] is True
    ran_for = stages.seconds['train']['seconds']
    assert ran_for >= 0
    # Same settings: the recorded result, nothing run; its time is the
    # recorded one.
    again = StageStore(str(tmp_path), log=messages.append)
    assert again.run('train', dict(lr=0.1), work) == dict(value=1)
    assert len(calls) == 1 and 'skipped' in messages[-1]
    assert again.seconds['train'] == dict(seconds=ran_for, ran=False)
    # Other settings: another directory; the first one is left as it was.
    assert stages.run('train', dict(lr=0.2), work) == dict(value=2)
    assert calls[0] != calls[1]
    with open(osp.join(calls[0], 'out.txt')) as f:
        assert f.read() == '1'
    # A stage that failed leaves no record and runs again.

    def fail(stage_dir):
        raise RuntimeError('boom')

    try:
        stages.run('extract', dict(a=1), fail)
    except RuntimeError:
        pass
    assert stages.record('extract', dict(a=1)) is None
    assert stages.run('extract', dict(a=1), work) == dict(value=3)
    # A stage whose recorded output is gone runs again.

    def write(stage_dir):
        path = osp.join(stage_dir, 'model.pth')
        with open(path, 'w') as f:
            f.write('w')
        return dict(checkpoint=path)

    made = stages.run('model', dict(a=2), write)
    assert stages.record('model', dict(a=2)) is not None
    os.remove(made['checkpoint'])
    assert stages.record('model', dict(a=2)) is None
    assert stages.run('model', dict(a=2), write) == made
    assert osp.isfile(made['checkpoint'])
    # A record whose settings do not match (edited by hand) is not trusted.
    path = osp.join(stages.directory('train', dict(lr=0.1)), 'stage.json')
    with open(path) as f:
        record = json.load(f)
    record['settings'] = dict(lr=0.3)
    with open(path, 'w') as f:
        json.dump(record, f)
    assert stages.run('train', dict(lr=0.1), work) == dict(value=4)


def test_progress_bar_hook_counts_iterations():
    out = io.StringIO()
    hook = ProgressBarHook(file=out)
    runner = SimpleNamespace(max_iters=5, iter=2)
    hook.before_train(runner)
    for i in range(3):
        hook.after_train_iter(runner, i)
    hook.after_train(runner)
    text = out.getvalue()
    assert '3/3' in text and '4/3' not in text and text.endswith('\n')
    runner.test_dataloader = [0, 1]
    hook.before_test_epoch(runner)
    hook.after_test_iter(runner, 0)
    assert '1/2' in out.getvalue()


def _tiny_configs(tmp_path):
    """The demo configs at a budget of seconds, dumped to files."""
    rec = Config.fromfile(RECOGNIZER)
    rec.train_dataloader.batch_size = 2
    rec.train_cfg.max_epochs = 2
    rec.param_scheduler = [
        dict(type='ConstantLR', factor=1.0, by_epoch=True, begin=0, end=2)
    ]
    # test batches stay at one video: max_testing_views needs it
    loc = Config.fromfile(LOCALIZER)
    loc.train_dataloader.batch_size = 2
    loc.train_cfg.max_iters = 6
    loc.default_hooks.checkpoint.interval = 6
    paths = str(tmp_path / 'recognizer.py'), str(tmp_path / 'localizer.py')
    rec.dump(paths[0])
    loc.dump(paths[1])
    return paths


def test_pipeline_end_to_end_tiny(tiny_synthetic, tmp_path):
    ann_file, root = tiny_synthetic
    recognizer, localizer = _tiny_configs(tmp_path)
    settings = PipelineSettings(
        work_dir=str(tmp_path / 'run'),
        ann_file=ann_file,
        video_root=root,
        recognizer_config=recognizer,
        localizer_config=localizer,
        modes=['noisy', 'adaptfocus'],
        workers=0,
        progress=False,
        pretrain_data=(ann_file, root))
    summary = run_pipeline(settings)
    with open(ann_file) as f:
        videos = json.load(f)['videos']
    assert list(summary['rows']) == ['noisy', 'adaptfocus']
    for mode, row in summary['rows'].items():
        assert osp.isfile(row['recognizer']['checkpoint'])
        metrics = row['recognizer']['metrics']
        assert 0 <= metrics['acc/mean_average_precision'] <= 1
        feature_dir = row['features']['feature_dir']
        for video_id in videos:
            feats = np.load(osp.join(feature_dir, f'{video_id}.npy'))
            assert feats.shape[1] == row['features']['feature_dim'] == 128
        loc = row['localizer']['metrics']
        assert {'mAP@0.10', 'mAP@0.50', 'mAP_avg'} <= set(loc)
    # The two recognizers differ only in their loss: other checkpoints.
    rows = summary['rows']
    assert rows['noisy']['recognizer']['checkpoint'] != rows['adaptfocus'][
        'recognizer']['checkpoint']
    with open(osp.join(settings.work_dir, 'summary.md')) as f:
        table = f.read().splitlines()
    # Two rows, no gap column without the clean row, the random level.
    assert len(table) == 6 and 'gap recovered' not in table[0]
    assert table[2].startswith('| Weak (Noisy) |')
    assert table[3].startswith('| Weak (AdaptFocus) |')
    assert table[5].startswith('Random scores: recognition mAP ')
    chance = summary['random_recognition_map']
    assert chance['videos'] == sum(v['subset'] == 'test'
                                   for v in videos.values())
    assert 0 < chance['mean'] < chance['p95'] < 1
    with open(osp.join(settings.work_dir, 'summary.json')) as f:
        assert json.load(f)['rows'] == summary['rows']

    # A rerun finds every stage finished and runs nothing.
    records = sorted(
        osp.join(d, 'stage.json') for d in (
            osp.join(settings.work_dir, n)
            for n in os.listdir(settings.work_dir))
        if osp.isdir(d))
    assert len(records) == 7
    # Both recognizers started from the pretraining stage's checkpoint.
    pretrained = summary['pretrained']['checkpoint']
    assert osp.isfile(pretrained)
    for record in records:
        with open(record) as f:
            record = json.load(f)
        if record['name'].startswith('recognizer_'):
            assert record['settings']['pretrained'] == file_sha256(
                pretrained)[:16]
    stamps = [os.stat(r).st_mtime_ns for r in records]
    assert run_pipeline(settings)['rows'] == summary['rows']
    assert [os.stat(r).st_mtime_ns for r in records] == stamps

    # Figures of the run, and a raw video through tools/predict.py with
    # the run's models gives the run's own features and localization.
    from mmwsal.visualization import localize_video, pipeline_figures
    figures = pipeline_figures(settings.work_dir)
    assert len(figures) == 5 and all(osp.getsize(f) > 1000 for f in figures)
    test_video = sorted(v for v in videos if videos[v]['subset'] == 'test')[0]
    out_dir = tmp_path / 'predictions'
    predict_main([
        '--pipeline', settings.work_dir, '--mode', 'adaptfocus',
        '--out-dir', str(out_dir),
        osp.join(root, videos[test_video]['file'])
    ])
    row = summary['rows']['adaptfocus']
    np.testing.assert_allclose(
        np.load(out_dir / f'{test_video}.npy'),
        np.load(osp.join(row['features']['feature_dir'],
                         f'{test_video}.npy')), rtol=1e-5, atol=1e-6)
    with open(out_dir / f'{test_video}.json') as f:
        predicted = json.load(f)
    assert (out_dir / f'{test_video}.png').is_file()
    sample, _ = localize_video(
        osp.join(osp.dirname(row['localizer']['checkpoint']), 'localizer.py'),
        row['localizer']['checkpoint'], test_video)
    expected = sorted(
        zip(sample.pred_instances.scores.tolist(),
            sample.pred_instances.labels.tolist()), reverse=True)
    got = [(d['score'], d['label']) for d in predicted['detections']]
    np.testing.assert_allclose([s for s, _ in got], [s for s, _ in expected],
                               rtol=1e-5)
    assert [k for _, k in got] == [k for _, k in expected]


def _summary(rec, loc, seeds=None):
    """A summary of modes with recognition mAP ``rec[mode]`` and
    localization mAP ``loc[mode]`` at every tIoU."""
    rows = {}
    for mode in rec:
        metrics = {f'mAP@{t / 10:.2f}': loc[mode] for t in range(1, 8)}
        metrics['mAP_avg'] = loc[mode]
        rows[mode] = dict(
            recognizer=dict(metrics={RECOGNITION_KEY: rec[mode]}),
            localizer=dict(metrics=metrics))
    return dict(
        rows=rows,
        recognition_seeds=seed_spread(seeds or {m: {0: rec[m]}
                                                for m in rec}))


def test_summary_table_has_the_gap_each_mode_recovers():
    assert gap_recovered(0.6, noisy=0.5, full=0.9) == pytest.approx(0.25)
    assert gap_recovered(0.4, noisy=0.5, full=0.9) == pytest.approx(-0.25)
    assert gap_recovered(0.6, noisy=0.5, full=0.5) is None
    table = summary_markdown(
        _summary(
            dict(full=0.9, noisy=0.5, adaptfocus=0.8),
            dict(full=0.30, noisy=0.10, adaptfocus=0.15))).splitlines()
    assert len(table) == 5
    head = [c.strip() for c in table[0].strip('|').split('|')]
    assert head[2:9] == [f'loc. mAP@{t / 10:g}' for t in range(1, 8)]
    assert head[-1] == 'recognition gap recovered'
    cells = [c.strip() for c in table[4].strip('|').split('|')]
    # (0.8 - 0.5) / (0.9 - 0.5)
    assert cells[0] == 'Weak (AdaptFocus)' and cells[1] == '80.0'
    assert cells[-2:] == ['15.0', '75%']
    assert table[2].split('|')[-2].strip() == ''  # the clean row
    # Without the clean row there is no gap to share.
    table = summary_markdown(
        _summary(dict(noisy=0.5, adaptfocus=0.8), dict(noisy=0.1,
                                                       adaptfocus=0.2)))
    assert 'gap recovered' not in table


def test_summary_table_shows_the_spread_over_seeds():
    seeds = dict(noisy={0: 0.50, 1: 0.56, 2: 0.53},
                 adaptfocus={0: 0.70, 1: 0.64, 2: 0.67})
    spread = seed_spread(seeds)
    for mode, values in seeds.items():
        v = np.array(list(values.values()))
        assert spread[mode]['mean'] == pytest.approx(v.mean())
        # the sample standard deviation: 0.03 for both
        assert spread[mode]['std'] == pytest.approx(0.03)
        assert spread[mode]['values'] == {str(k): x for k, x in values.items()}
    assert seed_spread(dict(noisy={0: 0.5}))['noisy']['std'] == 0.0
    summary = _summary(dict(noisy=0.5, adaptfocus=0.7),
                       dict(noisy=0.1, adaptfocus=0.2), seeds)
    summary['random_recognition_map'] = dict(mean=0.396, p95=0.452,
                                             videos=40)
    text = summary_markdown(summary).splitlines()
    assert ('Random scores: recognition mAP 39.6 (95th percentile 45.2) on '
            'these 40 test videos.') in text
    assert 'recognition mAP over seeds:' in text
    rows = text[text.index('recognition mAP over seeds:') + 2:]
    assert rows[0].startswith('| recognizer training | seed 0 | seed 1 |')
    assert rows[2] == '| Weak (Noisy) | 50.0 | 56.0 | 53.0 | 53.0 | 3.0 |'
    assert text[-1] == ('Weak (AdaptFocus) - Weak (Noisy), per seed: +20.0, '
                        '+8.0, +14.0 (mean +14.0)')


def test_pipeline_gives_the_same_numbers_twice(tiny_synthetic, tmp_path):
    """Same settings in two work dirs: identical metrics, features and
    recognition mAP of every seed (with a dataloader worker); another seed
    trains other weights."""
    ann_file, root = tiny_synthetic
    recognizer, localizer = _tiny_configs(tmp_path)
    runs = []
    for name in ('a', 'b'):
        runs.append(
            run_pipeline(
                PipelineSettings(
                    work_dir=str(tmp_path / name),
                    ann_file=ann_file,
                    video_root=root,
                    recognizer_config=recognizer,
                    localizer_config=localizer,
                    modes=['noisy'],
                    spread_seeds=[1],
                    workers=1,
                    progress=False)))
    a, b = runs
    for key in ('recognizer', 'localizer'):
        assert a['rows']['noisy'][key]['metrics'] == b['rows']['noisy'][key][
            'metrics']
    assert a['recognition_seeds'] == b['recognition_seeds']
    assert list(a['recognition_seeds']['noisy']['values']) == ['0', '1']
    with open(ann_file) as f:
        video_id = sorted(json.load(f)['videos'])[0]
    feats = [
        np.load(osp.join(r['rows']['noisy']['features']['feature_dir'],
                         f'{video_id}.npy')) for r in runs
    ]
    assert np.array_equal(*feats)
    # The seed-1 recognizer: a stage of its own, with other weights.
    seed1 = [
        d for d in os.listdir(tmp_path / 'a')
        if d.startswith('recognizer_noisy_seed1-')
    ]
    assert len(seed1) == 1
    with open(tmp_path / 'a' / seed1[0] / 'stage.json') as f:
        record = json.load(f)
    assert record['settings']['seed'] == 1
    weights = [
        torch.load(c, map_location='cpu', weights_only=False)['state_dict']
        for c in (a['rows']['noisy']['recognizer']['checkpoint'],
                  record['result']['checkpoint'])
    ]
    assert any(not torch.equal(weights[0][k], weights[1][k])
               for k in weights[0])
    assert set(a['stage_seconds']) == {
        'recognizer_noisy', 'features_noisy', 'localizer_noisy',
        'recognizer_noisy_seed1'
    }
