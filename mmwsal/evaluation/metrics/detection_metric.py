"""mAP@tIoU of temporal action detections against the unified annotation."""
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from mmaction.registry import METRICS
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from mmwsal.datasets import load_annotation
from ..functional import DetectionMAPResult, detection_map


def ground_truth_from_annotation(ann: Dict,
                                 subset: str) -> Tuple[Dict, List[str]]:
    """The ground truth of one subset of a unified annotation.

    Args:
        ann (dict): A loaded unified annotation.
        subset (str): The ``subset`` value of the videos to evaluate.

    Returns:
        tuple[dict, list[str]]: Video id to ``segments`` ``(M, 2)``,
        ``labels`` ``(M,)`` and ``ambiguous`` ``(K, 2)`` arrays, in the
        annotation's order; and the ids of the subset's videos without
        segments (e.g. ActivityNet ``testing``), which are left out.
    """
    gt, skipped = OrderedDict(), []
    for vid, info in ann['videos'].items():
        if info['subset'] != subset:
            continue
        segments = info.get('segments', [])
        if not segments:
            skipped.append(vid)
            continue
        gt[vid] = dict(
            segments=np.array([[s['start'], s['end']] for s in segments],
                              np.float64),
            labels=np.array([s['label'] for s in segments], np.int64),
            ambiguous=np.array(
                [[a['start'], a['end']] for a in info.get('ambiguous', [])],
                np.float64).reshape(-1, 2))
    return gt, skipped


def threshold_name(thr: float) -> str:
    """``'0.50'``: two decimals, more where they would not tell it apart."""
    name = f'{thr:.2f}'
    return name if abs(float(name) - thr) < 1e-9 else f'{thr:g}'


def format_map_table(result: DetectionMAPResult) -> str:
    """A text table of mAP per tIoU threshold and their mean."""
    lines = ['tIoU    mAP (%)']
    for thr, value in zip(result.tiou_thresholds, result.mAP):
        lines.append(f'{threshold_name(thr):<7} {100 * value:8.4f}')
    lines.append(f'{"avg":<7} {100 * result.mAP.mean():8.4f}')
    return '\n'.join(lines)


def _to_numpy(value) -> np.ndarray:
    if hasattr(value, 'detach'):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


@METRICS.register_module()
class TemporalDetectionMetric(BaseMetric):
    """mAP at temporal IoU thresholds, equal to the official ActivityNet
    detection evaluation (see :mod:`mmwsal.evaluation.functional`).

    Each data sample must hold:

    - ``video_id`` (str): the id of the video in ``ann_file``;
    - ``pred_instances`` with ``segments`` ``(N, 2)`` start/end in
      seconds, ``labels`` ``(N,)`` class indices and ``scores`` ``(N,)``
      (tensors or arrays).

    Samples of the same video are concatenated in the order they arrive;
    that order, and the order of the proposals, break score ties as in the
    official code.

    Args:
        ann_file (str): The unified annotation JSON with the ground truth.
        subset (str): Which videos to evaluate. Defaults to ``'test'``.
        tiou_thresholds (str | Sequence[float]): ``'thumos14'``
            (0.1:0.1:0.7), ``'activitynet'`` (0.5:0.05:0.95) or values.
            Defaults to ``'thumos14'``.
        ambiguous (str): ``'ignore'`` or ``'exclude'`` (false positives on
            an ambiguous interval are not counted). Defaults to ``'ignore'``.
        unknown_label (str): ``'ignore'`` or ``'raise'`` for predicted
            classes without ground truth. Defaults to ``'ignore'``.
        unknown_video (str): ``'ignore'``, ``'raise'`` or
            ``'false_positive'`` for predictions in videos without ground
            truth. Defaults to ``'ignore'``.
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names. Defaults to None.
    """
    default_prefix: Optional[str] = None

    def __init__(self,
                 ann_file: str,
                 subset: str = 'test',
                 tiou_thresholds: Union[str, Sequence[float]] = 'thumos14',
                 ambiguous: str = 'ignore',
                 unknown_label: str = 'ignore',
                 unknown_video: str = 'ignore',
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.ann_file = ann_file
        self.subset = subset
        self.tiou_thresholds = tiou_thresholds
        self.options = dict(ambiguous=ambiguous, unknown_label=unknown_label,
                            unknown_video=unknown_video)
        self.ground_truth, self.skipped = ground_truth_from_annotation(
            load_annotation(ann_file), subset)
        if not self.ground_truth:
            raise ValueError(f'{ann_file}: no video of subset {subset!r} has '
                             'ground-truth segments')

    def process(self, data_batch, data_samples: Sequence) -> None:
        """Keep the CPU predictions of each sample."""
        for sample in data_samples:
            if hasattr(sample, 'to_dict'):
                sample = sample.to_dict()
            pred = sample['pred_instances']
            if hasattr(pred, 'to_dict'):
                pred = pred.to_dict()
            self.results.append(
                dict(video_id=sample['video_id'],
                     segments=_to_numpy(pred['segments']).astype(
                         np.float64).reshape(-1, 2),
                     labels=_to_numpy(pred['labels']).astype(
                         np.int64).reshape(-1),
                     scores=_to_numpy(pred['scores']).astype(
                         np.float64).reshape(-1)))

    def compute_metrics(self, results: List[Dict]) -> Dict[str, float]:
        """``{'mAP@0.10': ..., 'mAP_avg': ...}`` over the gathered results."""
        grouped = OrderedDict()
        for r in results:
            grouped.setdefault(r['video_id'], []).append(r)
        predictions = OrderedDict(
            (vid, {k: np.concatenate([r[k] for r in rs])
                   for k in ('segments', 'labels', 'scores')})
            for vid, rs in grouped.items())
        result = detection_map(self.ground_truth, predictions,
                               self.tiou_thresholds, **self.options)
        notes = []
        if self.skipped:
            notes.append(f'{len(self.skipped)} videos of subset '
                         f'{self.subset!r} have no segments and are skipped')
        if result.unknown_videos:
            notes.append(f'{result.num_unknown_video_predictions} '
                         f'predictions in {len(result.unknown_videos)} videos '
                         'without ground truth: '
                         f'{self.options["unknown_video"]}')
        if result.num_unknown_label:
            notes.append(f'{result.num_unknown_label} predictions of classes '
                         'without ground truth ignored')
        missing = len(set(self.ground_truth) - set(predictions))
        if missing:
            notes.append(f'{missing} ground-truth videos have no '
                         'predictions')
        for note in notes:
            print_log(f'{self.__class__.__name__}: {note}', logger='current')
        print_log('\n' + format_map_table(result), logger='current')
        metrics = {
            f'mAP@{threshold_name(thr)}': float(value)
            for thr, value in zip(result.tiou_thresholds, result.mAP)
        }
        metrics['mAP_avg'] = float(result.mAP.mean())
        return metrics
