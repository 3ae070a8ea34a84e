"""Figures from trained models, features and training logs: what
``tools/visualize.py`` and the pipeline's report draw."""
import glob
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmaction.registry import DATASETS
from mmengine.dataset import pseudo_collate

from mmwsal.apis.predict import load_localizer, localized, prediction_arrays
from mmwsal.apis.snippet_features import (init_feature_model,
                                          snippet_class_scores)
from mmwsal.datasets.annotation import load_annotation
from mmwsal.datasets.snippet_feature_dataset import (load_feature_manifest,
                                                     stride_seconds)
from .figures import (plot_action_scores, plot_curves, plot_localization,
                      read_scalars)


def _video(ann_file: str, video_id: str) -> Tuple[Dict, List[str]]:
    ann = load_annotation(ann_file)
    if video_id not in ann['videos']:
        raise KeyError(f'{ann_file}: no video {video_id!r} under "videos"')
    return ann['videos'][video_id], list(ann['classes'])


def _segments(video: Dict) -> List[Tuple[float, float, int]]:
    return [(float(s['start']), float(s['end']), int(s['label']))
            for s in video.get('segments', [])]


def snippet_centres(feature_dir: str, video_id: str, num_snippets: int,
                    duration: float) -> np.ndarray:
    """Centres in seconds of a video's snippets, from the manifest's stride
    (``duration / T`` per snippet without one)."""
    step = stride_seconds(load_feature_manifest(feature_dir).get(video_id))
    return (np.arange(num_snippets) + 0.5) * (step or
                                              duration / num_snippets)


def recognizer_scores_figure(out_file: str, ann_file: str, video_id: str,
                             runs: Dict[str, Tuple[str, str, str]]) -> str:
    """Per-action ground truth against each recognizer's score over time
    (AdaptFocus Fig. 4), from the Weak-FEAT features of each run.

    Args:
        out_file (str): PNG path.
        ann_file (str): Unified annotation.
        video_id (str): The video.
        runs (dict): Name -> (recognizer config, checkpoint, feature dir).
    """
    video, classes = _video(ann_file, video_id)
    curves, times = {}, None
    for name, (config, checkpoint, feature_dir) in runs.items():
        feats = np.load(osp.join(feature_dir, f'{video_id}.npy'))
        model = init_feature_model(config, checkpoint)
        curves[name] = snippet_class_scores(model, feats)
        times = snippet_centres(feature_dir, video_id, len(feats),
                                float(video['duration']))
    return plot_action_scores(
        out_file, times, curves, _segments(video), sorted(video['labels']),
        classes, f'{video_id}: recognizer score per snippet')


@torch.no_grad()
def localize_video(config: str, checkpoint: str,
                   video_id: str) -> Tuple[object, Dict]:
    """Run a WS-TAL localizer on one video of its test set, keeping the
    T-CAS and attention. Returns the predicted data sample and the
    dataset's info of the video."""
    model = load_localizer(config, checkpoint)
    cfg = model.cfg
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    # data_list is emptied when the dataset serializes it.
    ids = [dataset.get_data_info(i)['video_id'] for i in range(len(dataset))]
    if video_id not in ids:
        raise KeyError(f'video {video_id!r} is not in the test set of '
                       f'{cfg.filename}')
    index = ids.index(video_id)
    sample = model.test_step(pseudo_collate([dataset[index]]))[0]
    return sample, dataset.get_data_info(index)


def localization_figure(out_file: str, config: str, checkpoint: str,
                        ann_file: str, video_id: str) -> str:
    """T-CAS and attention of a localizer on one video, with ground truth
    and detections."""
    sample, _ = localize_video(config, checkpoint, video_id)
    video, classes = _video(ann_file, video_id)
    arrays = prediction_arrays(sample)
    # The video's actions, then the best-scored others (up to 4 panels), so
    # that detections of wrong classes show too.
    labels = sorted(set(video['labels']))
    labels += [
        int(k) for k in np.argsort(-arrays['video_scores'])
        if int(k) not in labels
    ][:max(0, 4 - len(labels))]
    return plot_localization(out_file, arrays['times'], arrays['tcas'],
                             _segments(video), arrays['detections'], labels,
                             classes, arrays['attention'],
                             f'{video_id}: localization', **localized(arrays))


def scalars_file(work_dir: str) -> str:
    """The newest ``vis_data/scalars.json`` of an mmengine work dir."""
    found = sorted(
        glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')),
        key=os.path.getmtime)
    if not found:
        raise FileNotFoundError(f'no */vis_data/scalars.json in {work_dir}')
    return found[-1]


def training_figures(out_dir: str, runs: Dict[str, str],
                     chance: Optional[float] = None) -> List[str]:
    """From the logs of AdaptFocus recognizer runs (name -> work dir): the
    ratio of positive scores above their threshold over iterations (Fig. 5)
    and the top-1 success ratio of the spike positions at each validation
    (Fig. S4). A curve a run did not log is left out."""
    os.makedirs(out_dir, exist_ok=True)
    ratio, success = {}, {}
    for name, work_dir in runs.items():
        path = scalars_file(work_dir)
        # Per-iteration values are noisy: one point per epoch, the mean.
        x, y = read_scalars(path, 'above_threshold_ratio', 'epoch')
        if x:
            epochs = np.unique(x)
            ratio[name] = (epochs, [
                float(np.mean([v for e, v in zip(x, y) if e == epoch]))
                for epoch in epochs
            ])
        x, y = read_scalars(path, 'ase/top1_success_ratio', 'step')
        if x:
            success[name] = (x, y)
    out = []
    if ratio:
        out.append(
            plot_curves(
                osp.join(out_dir, 'ratio_above_threshold.png'), ratio,
                'epoch', 'share of positives >= theta * a',
                'Positive scores above their threshold (cf. Fig. 5)'))
    if success:
        out.append(
            plot_curves(
                osp.join(out_dir, 'top1_success_ratio.png'), success,
                'epoch', 'top-1 success ratio',
                'Spike position inside a true segment (cf. Fig. S4)',
                marker='o',
                hline=None if chance is None else (chance, 'random position')))
    return out


def pipeline_figures(work_dir: str,
                     out_dir: Optional[str] = None,
                     video_id: Optional[str] = None) -> List[str]:
    """Every figure of a ``tools/run_pipeline.py`` run: recognizer scores
    and localization of one test video (the first with most actions, or
    ``video_id``), and the training curves."""
    with open(osp.join(work_dir, 'summary.json'), encoding='utf-8') as f:
        summary = json.load(f)
    s, rows = summary['settings'], summary['rows']
    out_dir = out_dir or osp.join(work_dir, 'figures')
    os.makedirs(out_dir, exist_ok=True)
    if video_id is None:
        videos = load_annotation(s['ann_file'])['videos']
        test = sorted((v for v in videos if videos[v]['subset'] == 'test'),
                      key=lambda v: (-len(set(videos[v]['labels'])), v))
        video_id = test[0]
    names = {m: m.replace('_', ' ') for m in rows}
    out = [
        recognizer_scores_figure(
            osp.join(out_dir, f'scores_{video_id}.png'), s['ann_file'],
            video_id, {
                names[m]: (s['recognizer_config'],
                           r['recognizer']['checkpoint'],
                           r['features']['feature_dir'])
                for m, r in rows.items()
            })
    ]
    for mode, row in rows.items():
        config = osp.join(osp.dirname(row['localizer']['checkpoint']),
                          osp.basename(s['localizer_config']))
        out.append(
            localization_figure(
                osp.join(out_dir, f'localization_{mode}_{video_id}.png'),
                config, row['localizer']['checkpoint'], s['ann_file'],
                video_id))
    out += training_figures(
        out_dir, {
            names[m]: osp.dirname(r['recognizer']['checkpoint'])
            for m, r in rows.items()
        })
    return out


__all__: Sequence[str] = [
    'recognizer_scores_figure', 'localize_video', 'localization_figure',
    'training_figures', 'pipeline_figures', 'scalars_file',
    'snippet_centres'
]
