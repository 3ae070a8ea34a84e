"""Detection mAP@tIoU: seconds of ours against a plain per-class Python
evaluation, on random data at THUMOS14 and ActivityNet scale.

Ours is :func:`mmwsal.evaluation.functional.detection_map`. The plain one
(below) is the obvious way to write the official ActivityNet evaluation:
per class, rank the predictions, then walk them one by one against the
ground truths of their video, once per threshold. Both run in this process
on the same data and must give the same mAPs to 1e-12. If the plain one
would take long, it runs on the first ``--ref-classes`` classes only and its
time is scaled by their share of the predictions (said in the table).

Data: THUMOS14 scale, 213 videos, 20 classes, ~15 ground truths per video
of 1-2 classes, 1000 predictions per video, thresholds 0.1:0.1:0.7;
ActivityNet scale, 4,926 videos, 200 classes, ~1.5 ground truths per video
of one class, 100 predictions per video, thresholds 0.5:0.05:0.95. Half of
the predictions jitter a ground truth, half are anywhere; scores are rounded
to 1e-3 so that ties occur.

Post-processing (:func:`mmwsal.models.postprocess`) is timed on outputs of
THUMOS14 test-set size: 212 videos of 100-2,500 snippets (mean about 340,
as 16-frame snippets of 25 fps videos give), 20 classes, thresholds
0:0.025:0.5 on the T-CAS, outer-inner-contrast scoring and class-wise NMS,
against the same steps written per class, per threshold and per proposal in
plain Python (as public WS-TAL code does); the detections must agree.

Run::

    python benchmarks/eval_speed.py [--ref-classes 40] [--seed 0]
"""
import argparse
import time

import numpy as np

from mmwsal.evaluation.functional import (TIOU_PRESETS, detection_map,
                                          interpolated_ap)
from mmwsal.models.utils import postprocess, temporal_iou

SCALES = {
    'thumos14': dict(videos=213, classes=20, gt=15, gt_classes=2,
                     preds=1000),
    'activitynet': dict(videos=4926, classes=200, gt=1.5, gt_classes=1,
                        preds=100),
}


def make_data(videos, classes, gt, gt_classes, preds, seed):
    rng = np.random.default_rng(seed)
    ground_truth, predictions = {}, {}
    for v in range(videos):
        duration = rng.uniform(60, 300)
        m = max(1, rng.poisson(gt))
        own = rng.choice(classes, rng.integers(1, gt_classes + 1),
                         replace=False)
        start = rng.uniform(0, duration * 0.9, m)
        seg = np.stack([start, start + rng.uniform(1, duration * 0.1, m)], 1)
        lab = rng.choice(own, m)
        ground_truth[f'video_{v:05d}'] = dict(segments=seg, labels=lab)
        near = rng.integers(0, m, preds // 2)
        length = seg[near, 1] - seg[near, 0]
        s = seg[near, 0] + rng.normal(0, 0.3, len(near)) * length
        e = seg[near, 1] + rng.normal(0, 0.3, len(near)) * length
        s_far = rng.uniform(0, duration, preds - len(near))
        e_far = s_far + rng.uniform(0.5, duration * 0.1, len(s_far))
        p_seg = np.stack([np.r_[np.minimum(s, e), s_far],
                          np.r_[np.maximum(s, e), e_far]], 1)
        p_lab = np.r_[lab[near], rng.integers(0, classes, len(s_far))]
        predictions[f'video_{v:05d}'] = dict(
            segments=p_seg, labels=p_lab,
            scores=np.round(rng.random(preds), 3))
    return ground_truth, predictions


def plain_map(ground_truth, predictions, thresholds, classes=None):
    """Per class, per prediction in score order, per threshold: Python."""
    gt_by_class = {}
    for vid, g in ground_truth.items():
        for (s, e), c in zip(g['segments'].tolist(), g['labels'].tolist()):
            gt_by_class.setdefault(c, {}).setdefault(vid, []).append((s, e))
    pred_by_class = {}
    for vid, p in predictions.items():
        for (s, e), c, x in zip(p['segments'].tolist(), p['labels'].tolist(),
                                p['scores'].tolist()):
            pred_by_class.setdefault(c, []).append((x, vid, s, e))
    classes = sorted(gt_by_class) if classes is None else classes
    ap = np.zeros((len(classes), len(thresholds)))
    for ci, c in enumerate(classes):
        gts = gt_by_class[c]
        npos = sum(len(v) for v in gts.values())
        preds = pred_by_class.get(c, [])
        # Stable ascending sort reversed: the later of equal scores first.
        order = sorted(range(len(preds)), key=lambda i: preds[i][0])[::-1]
        for t, thr in enumerate(thresholds):
            used, tp = set(), np.zeros(len(preds))
            for k, i in enumerate(order):
                _, vid, ps, pe = preds[i]
                cands = []
                for j, (gs, ge) in enumerate(gts.get(vid, [])):
                    inter = max(0.0, min(pe, ge) - max(ps, gs))
                    union = (ge - gs) + (pe - ps) - inter
                    cands.append((inter / union, j))
                for iou, j in sorted(cands, reverse=True):
                    if iou < thr:
                        break
                    if (vid, j) not in used:
                        used.add((vid, j))
                        tp[k] = 1
                        break
            if len(preds):
                tp_cum, fp_cum = np.cumsum(tp), np.cumsum(1 - tp)
                ap[ci, t] = interpolated_ap(tp_cum / (tp_cum + fp_cum),
                                            tp_cum / npos)
    return ap


def run(scale, ref_classes, seed):
    cfg = SCALES[scale]
    gt, preds = make_data(**cfg, seed=seed)
    thresholds = np.array(TIOU_PRESETS[scale])
    num_preds = sum(len(p['scores']) for p in preds.values())
    t0 = time.perf_counter()
    ours = detection_map(gt, preds, thresholds)
    t_ours = time.perf_counter() - t0
    classes = ours.labels.tolist()
    subset = classes[:ref_classes] if ref_classes else classes
    all_labels = np.concatenate([p['labels'] for p in preds.values()])
    share = np.isin(all_labels, subset).mean()
    # Only the chosen classes go in, so that all the plain work scales.
    gt_sub, preds_sub = ({
        vid: {k: v[np.isin(d['labels'], subset)] for k, v in d.items()}
        for vid, d in data.items()} for data in (gt, preds))
    t0 = time.perf_counter()
    ref = plain_map(gt_sub, preds_sub, thresholds, subset)
    t_ref = (time.perf_counter() - t0) / share
    diff = np.abs(ours.ap[:len(subset)] - ref).max()
    if len(subset) == len(classes):
        diff = max(diff, np.abs(ours.mAP - ref.mean(0)).max())
    note = '' if len(subset) == len(classes) else (
        f'plain on {len(subset)}/{len(classes)} classes '
        f'({100 * share:.0f}% of predictions), time extrapolated')
    return dict(scale=scale, videos=cfg['videos'], preds=num_preds,
                thresholds=len(thresholds), ours=t_ours, plain=t_ref,
                diff=diff, note=note, mAP=ours.mAP.mean())


def make_outputs(seed, videos=212, classes=20):
    """Video scores and smooth T-CAS with a few bumps per video."""
    rng = np.random.default_rng(seed)
    outputs = []
    for _ in range(videos):
        num = int(np.clip(rng.lognormal(np.log(300), 0.6), 100, 2500))
        cas = rng.random((num, classes)) * 0.1
        for _ in range(rng.integers(3, 15)):
            c, start = rng.integers(classes), rng.integers(num)
            length = rng.integers(3, 60)
            cas[start:start + length, c] += rng.uniform(0.2, 0.6)
        kernel = np.ones(5) / 5
        cas = np.stack([np.convolve(cas[:, c], kernel, 'same')
                        for c in range(classes)], 1)
        outputs.append((rng.random(classes) * 0.4, cas))
    return outputs


def plain_postprocess(video_scores, cas, thresholds, seconds,
                      class_threshold=0.2, iou_threshold=0.5,
                      outer_ratio=0.25, class_score_weight=0.2):
    """Class selection, per-threshold runs, OIC and NMS, one by one."""
    classes = [c for c in range(len(video_scores))
               if video_scores[c] >= class_threshold]
    if not classes:
        classes = [int(np.argmax(video_scores))]
    num = len(cas)
    detections = []
    for c in classes:
        proposals = []
        for thr in thresholds:
            t = 0
            while t < num:
                if cas[t, c] > thr:
                    s = t
                    while t < num and cas[t, c] > thr:
                        t += 1
                    inner = np.mean(cas[s:t, c])
                    o = max(1, int(outer_ratio * (t - s)))
                    outer = list(cas[max(0, s - o):s, c]) + list(
                        cas[t:min(num, t + o), c])
                    score = inner - (np.mean(outer) if outer else 0.0)
                    proposals.append([s * seconds, t * seconds, c,
                                      score + class_score_weight *
                                      video_scores[c]])
                else:
                    t += 1
        proposals.sort(key=lambda p: -p[3])
        kept = []
        for p in proposals:
            if all(temporal_iou(np.array(p[:2]), np.array([k[:2]]))[0] <=
                   iou_threshold for k in kept):
                kept.append(p)
        detections += kept
    detections.sort(key=lambda p: -p[3])
    return np.array(detections).reshape(-1, 4)


def _canonical(detections):
    """An order of detections that does not depend on how ties fell."""
    return np.lexsort((detections[:, 0], detections[:, 2],
                       -np.round(detections[:, 3], 9)))


def run_postprocess(seed):
    outputs = make_outputs(seed)
    thresholds = np.arange(0, 0.5, 0.025)
    t0 = time.perf_counter()
    ours = [postprocess(v, cas, snippet_seconds=0.64, class_threshold=0.2,
                        thresholds=thresholds, max_proposals=None)
            for v, cas in outputs]
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    plain = [plain_postprocess(v, cas, thresholds, 0.64)
             for v, cas in outputs]
    t_plain = time.perf_counter() - t0
    diff = 0.0
    for a, b in zip(ours, plain):
        if a.shape != b.shape:
            raise SystemExit(f'post-processing: {len(a)} detections against '
                             f'{len(b)} from the plain code')
        diff = max(diff,
                   np.abs(a[_canonical(a)] - b[_canonical(b)]).max(initial=0))
    return dict(videos=len(outputs),
                snippets=sum(len(cas) for _, cas in outputs),
                detections=sum(len(a) for a in ours), ours=t_ours,
                plain=t_plain, diff=diff)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--ref-classes', type=int, default=0,
                        help='run the plain evaluation on this many classes '
                        'only (0: all)')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    rows = [run(s, args.ref_classes, args.seed) for s in SCALES]
    print(f'{"scale":<12} {"videos":>6} {"preds":>7} {"tIoUs":>5} '
          f'{"ours s":>7} {"plain s":>8} {"speedup":>7} {"max|dAP|":>9} '
          f'{"mAP_avg":>8}')
    for r in rows:
        print(f'{r["scale"]:<12} {r["videos"]:>6} {r["preds"]:>7} '
              f'{r["thresholds"]:>5} {r["ours"]:>7.2f} {r["plain"]:>8.2f} '
              f'{r["plain"] / r["ours"]:>6.1f}x {r["diff"]:>9.1e} '
              f'{r["mAP"]:>8.4f}')
        if r['note']:
            print(f'  {r["scale"]}: {r["note"]}')
    bad = [r['scale'] for r in rows if not r['diff'] <= 1e-12]
    p = run_postprocess(args.seed)
    print(f'\npost-processing, THUMOS14 test size: {p["videos"]} videos, '
          f'{p["snippets"]} snippets, 20 thresholds, {p["detections"]} '
          f'detections\n{"ours s":>7} {"plain s":>8} {"speedup":>7} '
          f'{"max|d|":>8}\n{p["ours"]:>7.2f} {p["plain"]:>8.2f} '
          f'{p["plain"] / p["ours"]:>6.1f}x {p["diff"]:>8.1e}')
    if not p['diff'] <= 1e-9:
        bad.append('post-processing')
    if bad:
        raise SystemExit(f'ours and plain differ on {bad}')


if __name__ == '__main__':
    main()
