"""One raw video in, localized actions out: Weak-FEAT features from the
trained recognizer (decoded window by window, never whole in memory), then
the WS-TAL localizer on them."""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import torch
from mmaction.registry import MODELS
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint

from mmwsal.datasets.annotation import load_annotation
from mmwsal.utils import atomic_open, dump_json_atomic
from .feature_extraction import build_snippet_extractor


def load_localizer(config: Union[str, Config],
                   checkpoint: str,
                   device: str = 'cpu') -> torch.nn.Module:
    """A WS-TAL localizer from its config and checkpoint, in eval mode,
    keeping its T-CAS (``keep_sequences``) in predictions; the config is
    ``model.cfg``."""
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    cfg.model.head.setdefault('test_cfg', {})
    cfg.model.head.test_cfg['keep_sequences'] = True
    model = MODELS.build(cfg.model)
    load_checkpoint(model, checkpoint, map_location='cpu', logger='silent')
    model.cfg = cfg
    return model.to(device).eval()


def prediction_arrays(sample) -> Dict:
    """A localizer's predicted sample (with ``keep_sequences``) as arrays:
    ``times`` (snippet centres in seconds), ``tcas`` (T, C), ``attention``
    (T, ) or None, ``detections`` ((start, end, label, score), best first),
    ``video_scores`` (C, ), ``localized_classes`` (the classes whose video
    score passed the class threshold, the only ones with proposals) and
    ``class_threshold``."""
    tcas = np.asarray(sample.tcas)
    pred = sample.pred_instances
    attention = getattr(sample, 'attention', None)
    return dict(
        times=(np.arange(len(tcas)) + 0.5) *
        float(sample.metainfo['snippet_seconds']),
        tcas=tcas,
        attention=(None if attention is None else
                   np.asarray(attention).reshape(-1)),
        detections=sorted(
            ((float(s[0]), float(s[1]), int(k), float(p))
             for s, k, p in zip(pred.segments, pred.labels, pred.scores)),
            key=lambda d: -d[3]),
        video_scores=np.asarray(sample.pred_scores.item, dtype=float),
        localized_classes=[int(k) for k in sample.localized_classes],
        class_threshold=float(sample.class_threshold))


def localized(arrays: Dict) -> Dict:
    """The keyword arguments of ``plot_localization`` that mark the
    classes not localized, from :func:`prediction_arrays`."""
    return {
        k: arrays[k]
        for k in ('video_scores', 'localized_classes', 'class_threshold')
    }


def class_names(cfg: Config, num_classes: int) -> List[str]:
    """Class names from the annotation of the config's test set, else
    ``class_<k>``."""
    ann_file = cfg.get('test_dataloader', {}).get('dataset',
                                                  {}).get('ann_file')
    if ann_file and osp.isfile(ann_file):
        names = list(load_annotation(ann_file)['classes'])
        if len(names) == num_classes:
            return names
    return [f'class_{k}' for k in range(num_classes)]


@torch.no_grad()
def localize_features(model: torch.nn.Module, feature_path: str,
                      video_id: str, duration: float, fps: float,
                      snippet_stride_seconds: Optional[float]):
    """Run the localizer's test pipeline and model on one feature file;
    return the predicted data sample."""
    num_classes = model.head.num_classes
    results = dict(
        video_id=video_id,
        video_index=0,
        feature_paths=[feature_path],
        duration=float(duration),
        fps=float(fps),
        snippet_stride_seconds=snippet_stride_seconds,
        labels=[],
        label=np.zeros(num_classes, dtype=np.float32),
        segments=[])
    pipeline = Compose(model.cfg.test_dataloader.dataset.pipeline)
    return model.test_step(pseudo_collate([pipeline(results)]))[0]


def predict_video(video: str,
                  recognizer_config: str,
                  recognizer_checkpoint: str,
                  localizer_config: str,
                  localizer_checkpoint: str,
                  out_dir: str,
                  snippet_stride: Optional[float] = None,
                  device: Optional[str] = None,
                  figure: bool = True,
                  max_classes: int = 3) -> Dict:
    """Localize the actions of one raw video.

    Writes ``out_dir/<name>.npy`` (its features), ``<name>.json``
    (``detections``: start and end in seconds, label, class name and score,
    best first; ``video_scores``) and ``<name>.png`` (T-CAS of the
    ``max_classes`` best-scored classes with their detections).

    Returns:
        dict: What ``<name>.json`` holds.
    """
    name = osp.splitext(osp.basename(video))[0]
    os.makedirs(out_dir, exist_ok=True)
    _, extractor = build_snippet_extractor(recognizer_config,
                                           recognizer_checkpoint, device)
    result = extractor.extract(video, snippet_stride=snippet_stride)
    feature_path = osp.join(out_dir, f'{name}.npy')
    with atomic_open(feature_path, 'wb') as f:
        np.save(f, result.features)
    fps = float(result.fps)
    duration = result.num_frames / fps
    localizer = load_localizer(localizer_config, localizer_checkpoint,
                               device or 'cpu')
    sample = localize_features(localizer, feature_path, name, duration, fps,
                               result.snippet_stride / fps or None)
    names = class_names(localizer.cfg, localizer.head.num_classes)
    arrays = prediction_arrays(sample)
    video_scores = arrays['video_scores']
    out = dict(
        video=video,
        duration=duration,
        fps=fps,
        num_snippets=int(len(result.features)),
        detections=[
            dict(start=s, end=e, label=k, name=names[k], score=p)
            for s, e, k, p in arrays['detections']
        ],
        video_scores={n: float(v)
                      for n, v in zip(names, video_scores)})
    dump_json_atomic(out, osp.join(out_dir, f'{name}.json'))
    if figure:
        from mmwsal.visualization import plot_localization
        top = [int(k) for k in np.argsort(-video_scores)[:max_classes]]
        plot_localization(
            osp.join(out_dir, f'{name}.png'), arrays['times'],
            arrays['tcas'], [], arrays['detections'], top, names,
            arrays['attention'], f'{name}: predicted actions',
            **localized(arrays))
    return out


__all__: Sequence[str] = [
    'predict_video', 'load_localizer', 'localize_features', 'class_names',
    'prediction_arrays', 'localized'
]
