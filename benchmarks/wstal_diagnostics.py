"""Why a WS-TAL head ranks where it does on the synthetic benchmark: trains
heads as ``benchmarks/wstal_synthetic.py`` does (same features, configs,
iterations and seed) and prints, per head,

- detection mAP with its own inference, and with the video scores replaced
  by the true labels (``true classes``: localization alone, without the
  errors of class selection), each also with ``SHARED_TEST_CFG``;
- the mean of its T-CAS (as inference normalises it) inside and outside
  the ground-truth segments, for the video's first class, and the same for
  its attention where it has one;
- what its top ``2 N`` detections of each video are (N ground-truth
  segments): true positives at tIoU 0.5, detections of a right class that
  overlap a segment less (``localization``), detections overlapping only
  segments of another class (``class``), detections on background only;
  and the share of segments any of its detections reaches at tIoU 0.5.

Run::

    python benchmarks/wstal_diagnostics.py [--heads mil basnet bgmodel backtal]
        [--iters 600] [--seed 0]
"""
import argparse
import importlib.util
import logging
import os.path as osp
import types

import numpy as np
import torch
from mmaction.utils import register_all_modules
from mmengine.logging import MMLogger
from mmengine.runner import Runner

from mmwsal.models.heads import SHARED_TEST_CFG
from mmwsal.models.utils import temporal_iou

HERE = osp.dirname(osp.abspath(__file__))


def load_benchmark():
    """``benchmarks/wstal_synthetic.py`` as a module (its features, rows
    and configs)."""
    spec = importlib.util.spec_from_file_location(
        'wstal_synthetic', osp.join(HERE, 'wstal_synthetic.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def true_class_test(runner, test_cfg):
    """mAP with the head's video scores replaced by the true labels."""
    head = runner.model.head
    head.set_test_cfg(test_cfg)
    predict = type(head).predict_by_feat

    def with_true_classes(self, outputs, data_samples):
        labels = torch.stack(
            [s.gt_labels.item.float() for s in data_samples])
        # 0.95 / 0.05: above and below every class threshold
        self.inference_video_scores = lambda _: labels * 0.9 + 0.05
        try:
            return predict(self, outputs, data_samples)
        finally:
            del self.inference_video_scores

    head.predict_by_feat = types.MethodType(with_true_classes, head)
    try:
        return runner.test()
    finally:
        del head.predict_by_feat


def segment_mask(segments, num_snippets, seconds, cls=None):
    """Snippets inside the segments (of class ``cls``, or any)."""
    mask = np.zeros(num_snippets, dtype=bool)
    for start, end, label in segments:
        if cls is None or label == cls:
            mask[int(start / seconds):int(np.ceil(end / seconds))] = True
    return mask


def error_types(detections, segments):
    """Counts of the detection types of the module docstring and the
    segments reached at tIoU 0.5, for one video."""
    segs, labels, scores = detections
    gts = np.array([[s, e] for s, e, _ in segments], dtype=np.float64)
    gt_labels = np.array([c for _, _, c in segments])
    counts = dict(true_positive=0, localization=0, **{'class': 0},
                  background=0)
    top = np.argsort(-scores, kind='stable')[:2 * len(segments)]
    for j in top:
        ious = temporal_iou(segs[j], gts)
        same = ious[gt_labels == labels[j]]
        if same.size and same.max() >= 0.5:
            counts['true_positive'] += 1
        elif same.size and same.max() > 0:
            counts['localization'] += 1
        elif ious.max() > 0:
            counts['class'] += 1
        else:
            counts['background'] += 1
    reached = 0
    for gt, label in zip(gts, gt_labels):
        own = segs[labels == label]
        reached += bool(len(own)) and temporal_iou(gt, own).max() >= 0.5
    return counts, reached


def sequence_diagnostics(runner):
    """T-CAS and attention inside and outside the segments, detection types
    and segments reached, over the test videos."""
    model, dataset = runner.model.eval(), runner.test_dataloader.dataset
    model.head.test_cfg['keep_sequences'] = True
    inside, outside, att_in, att_out = [], [], [], []
    counts, reached, total = {}, 0, 0
    for i in range(len(dataset)):
        item = dataset[i]
        with torch.no_grad():
            [out] = model.test_step(
                dict(inputs=[item['inputs']],
                     data_samples=[item['data_samples']]))
        segments = dataset.get_data_info(i)['segments']
        seconds = float(out.metainfo['snippet_seconds'])
        tcas = np.asarray(out.tcas)
        first = segments[0][2]
        mask = segment_mask(segments, len(tcas), seconds, first)
        inside.append(tcas[mask, first].mean())
        if (~mask).any():
            outside.append(tcas[~mask, first].mean())
        attention = getattr(out, 'attention', None)
        if attention is not None:
            attention = np.asarray(attention).reshape(-1)
            any_mask = segment_mask(segments, len(tcas), seconds)
            att_in.append(attention[any_mask].mean())
            if (~any_mask).any():
                att_out.append(attention[~any_mask].mean())
        pred = out.pred_instances
        video_counts, video_reached = error_types(
            (pred.segments.numpy(), pred.labels.numpy(),
             pred.scores.numpy()), segments)
        for key, value in video_counts.items():
            counts[key] = counts.get(key, 0) + value
        reached += video_reached
        total += len(segments)
    model.head.test_cfg['keep_sequences'] = False
    return dict(
        tcas=(np.mean(inside), np.mean(outside)),
        attention=(np.mean(att_in), np.mean(att_out)) if att_in else None,
        detections={k: v / sum(counts.values())
                    for k, v in counts.items()},
        reached=reached / total)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out-dir', default='work_dirs/wstal_diagnostics')
    parser.add_argument('--heads', nargs='+',
                        default=['mil', 'basnet', 'bgmodel', 'backtal'])
    parser.add_argument('--iters', type=int, default=600)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--threads', type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    register_all_modules(init_default_scope=True)
    bench = load_benchmark()
    rows = bench.available_rows()
    unknown = set(args.heads) - set(bench.BASE_HEADS)
    if unknown:
        raise SystemExit(f'--heads takes {bench.BASE_HEADS}, got '
                         f'{sorted(unknown)}')
    # the benchmark's default features, the same data as its tables
    defaults = bench.parse_args([])
    defaults.out_dir = osp.join(args.out_dir, defaults.features)
    features = bench.feature_set(defaults)
    data = bench.data_summary(features.ann_file)
    MMLogger.get_current_instance().setLevel(logging.WARNING)
    print(f'{features.description}; {args.iters} iterations, seed '
          f'{args.seed}; mAP (%) averaged over tIoU 0.1:0.1:0.7')
    for key in args.heads:
        cfg = bench.localizer_config(
            rows[key], features, data, args.iters, args.seed,
            osp.join(args.out_dir, 'runs', f'{key}_seed{args.seed}'))
        runner = Runner.from_cfg(cfg)
        runner.train()
        own_cfg = dict(runner.model.head.test_cfg)
        own = runner.test()['mAP_avg']
        diag = sequence_diagnostics(runner)
        true_own = true_class_test(runner, own_cfg)['mAP_avg']
        true_shared = true_class_test(runner, SHARED_TEST_CFG)['mAP_avg']
        runner.model.head.set_test_cfg(SHARED_TEST_CFG)
        shared = runner.test()['mAP_avg']
        print(f'\n{rows[key].title}')
        print(f'  mAP: own inference {100 * own:.1f}, shared '
              f'{100 * shared:.1f}; true classes: own {100 * true_own:.1f},'
              f' shared {100 * true_shared:.1f}')
        print('  T-CAS of the first class: inside its segments '
              f'{diag["tcas"][0]:.3f}, outside {diag["tcas"][1]:.3f}')
        if diag['attention'] is not None:
            print('  attention: inside the segments '
                  f'{diag["attention"][0]:.3f}, outside '
                  f'{diag["attention"][1]:.3f}')
        print('  top 2N detections: ' + ', '.join(
            f'{k.replace("_", " ")} {100 * v:.0f}%'
            for k, v in diag['detections'].items()) +
              f'; segments reached at tIoU 0.5: {100 * diag["reached"]:.0f}%')


if __name__ == '__main__':
    main()
