import json
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmaction.registry import METRICS
from mmaction.structures import ActionDataSample
from mmengine.structures import InstanceData

import mmwsal.evaluation  # noqa: F401
from mmwsal.evaluation.functional import detection_map
from mmwsal.evaluation.metrics.detection_metric import \
    ground_truth_from_annotation
from tools.eval_detection import main as eval_main

CLASSES = ['jump', 'run', 'throw']


def make_ann(tmp_path):
    def video(subset, segments, ambiguous=()):
        info = dict(subset=subset, file='x.mp4', duration=100.0, fps=10.0,
                    labels=sorted({s[2] for s in segments}),
                    segments=[dict(start=s, end=e, label=c)
                              for s, e, c in segments])
        if ambiguous:
            info['ambiguous'] = [dict(start=s, end=e) for s, e in ambiguous]
        return info

    ann = dict(classes=CLASSES, videos={
        'a': video('test', [(0., 10., 0), (20., 30., 0)], [(50., 60.)]),
        'b': video('test', [(5., 15., 2)]),
        'c': video('test', []),
        'd': video('train', [(0., 10., 1)]),
    })
    path = tmp_path / 'gt.json'
    path.write_text(json.dumps(ann))
    return str(path), ann


# Per video: (start, end, label, score). Class 0: TP, FP, TP -> AP 5/6 at
# tIoU <= 0.5; class 2: tIoU 1/3 -> AP 1 at 0.1-0.3, 0 above.
PREDS = {
    'a': [(0., 10., 0, 0.9), (50., 60., 0, 0.8), (20., 30., 0, 0.7)],
    'b': [(10., 20., 2, 0.6), (0., 10., 1, 0.5)],
    'z': [(0., 10., 0, 0.95)],
}


def data_samples(preds, tensors=True):
    samples = []
    for vid, rows in preds.items():
        rows = np.array(rows, np.float64).reshape(-1, 4)
        inst = InstanceData()
        conv = torch.from_numpy if tensors else np.asarray
        inst.segments = conv(rows[:, :2].copy())
        inst.labels = conv(rows[:, 2].astype(np.int64))
        inst.scores = conv(rows[:, 3].copy())
        sample = ActionDataSample(metainfo=dict(video_id=vid))
        sample.pred_instances = inst
        samples.append(sample)
    return samples


def as_arrays(preds):
    out = {}
    for vid, rows in preds.items():
        rows = np.array(rows, np.float64).reshape(-1, 4)
        out[vid] = dict(segments=rows[:, :2], labels=rows[:, 2].astype(int),
                        scores=rows[:, 3])
    return out


def test_metric_equals_functional(tmp_path):
    ann_file, ann = make_ann(tmp_path)
    metric = METRICS.build(
        dict(type='TemporalDetectionMetric', ann_file=ann_file,
             subset='test'))
    samples = data_samples(PREDS)
    # Two batches; Evaluator hands over dicts, a model may hand elements.
    metric.process({}, [s.to_dict() for s in samples[:1]])
    metric.process({}, samples[1:])
    metrics = metric.evaluate(size=len(samples))
    assert list(metrics) == [
        'mAP@0.10', 'mAP@0.20', 'mAP@0.30', 'mAP@0.40', 'mAP@0.50',
        'mAP@0.60', 'mAP@0.70', 'mAP_avg'
    ]
    gt, skipped = ground_truth_from_annotation(ann, 'test')
    assert list(gt) == ['a', 'b'] and skipped == ['c']
    expected = detection_map(gt, as_arrays(PREDS), 'thumos14').mAP
    assert [metrics[k] for k in list(metrics)[:-1]] == expected.tolist()
    assert metrics['mAP_avg'] == expected.mean()
    assert metrics['mAP@0.30'] == pytest.approx((5 / 6 + 1) / 2)
    assert metrics['mAP@0.50'] == pytest.approx(5 / 12)


def test_metric_presets_and_options(tmp_path):
    ann_file, _ = make_ann(tmp_path)
    metric = METRICS.build(
        dict(type='TemporalDetectionMetric', ann_file=ann_file,
             tiou_thresholds='activitynet', ambiguous='exclude'))
    metric.process({}, data_samples(PREDS, tensors=False))
    metrics = metric.evaluate(size=3)
    assert list(metrics)[0] == 'mAP@0.50' and len(metrics) == 11
    assert 'mAP@0.90' in metrics and 'mAP@0.95' in metrics
    # The FP on the ambiguous interval of 'a' is not counted.
    assert metrics['mAP@0.50'] == pytest.approx(0.5)
    metric = METRICS.build(
        dict(type='TemporalDetectionMetric', ann_file=ann_file,
             tiou_thresholds=[0.3, 0.5], unknown_video='raise'))
    metric.process({}, data_samples(PREDS))
    with pytest.raises(ValueError, match='no ground truth'):
        metric.evaluate(size=3)
    with pytest.raises(ValueError, match='no video of subset'):
        METRICS.build(dict(type='TemporalDetectionMetric',
                           ann_file=ann_file, subset='val'))


def write_pred(tmp_path, preds, names=CLASSES):
    results = {
        vid: [dict(segment=[s, e], label=names[int(c)], score=x)
              for s, e, c, x in rows]
        for vid, rows in preds.items()
    }
    path = tmp_path / 'pred.json'
    path.write_text(json.dumps(dict(version='VERSION 1.3',
                                    external_data={}, results=results)))
    return str(path)


def test_cli(tmp_path, capsys):
    ann_file, _ = make_ann(tmp_path)
    pred_file = write_pred(tmp_path, PREDS)
    result = eval_main([ann_file, pred_file, '--tiou', '0.3,0.5'])
    out = capsys.readouterr().out
    assert result.mAP.tolist() == pytest.approx([11 / 12, 5 / 12])
    assert '0.30     91.6667' in out and '0.50     41.6667' in out
    assert 'avg      66.6667' in out
    assert "1 videos of subset 'test' have no segments" in out
    assert '1 predictions in 1 videos without ground truth' in out


def test_cli_subprocess_and_errors(tmp_path):
    ann_file, _ = make_ann(tmp_path)
    names = ['jump', 'run', 'dance']  # 'dance' is not a GT class
    pred_file = write_pred(tmp_path, PREDS, names)
    cmd = [sys.executable, 'tools/eval_detection.py', ann_file, pred_file]
    out = subprocess.run(cmd + ['--tiou', 'activitynet'], check=True,
                         capture_output=True, text=True).stdout
    # 'dance' is unknown; 'run' has GT only in the train subset.
    assert '2 predictions of classes without ground truth ignored' in out
    assert '0.95' in out and 'avg' in out
    bad = subprocess.run(cmd + ['--unknown-label', 'raise'],
                         capture_output=True, text=True)
    assert bad.returncode != 0 and 'without ground truth' in bad.stderr
    (tmp_path / 'pred.json').write_text('{"results": {"a": [{"x": 1}]}}')
    bad = subprocess.run(cmd, capture_output=True, text=True)
    assert "video 'a': detection 0" in bad.stderr
