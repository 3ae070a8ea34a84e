"""K-way n-shot classification and detection of novel classes in untrimmed
videos, over seeded episodes (annotation-efficient video recognition)."""
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import torch
from mmaction.registry import METRICS
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from mmwsal.datasets import (EpisodeSampler, load_annotation, load_class_split,
                             single_label_pools, split_video_infos)
from mmwsal.datasets.annotation import subset_video_infos
from mmwsal.models.heads.base_wstal_head import (DEFAULT_TEST_CFG,
                                                 HEAD_ONLY_KEYS,
                                                 threshold_list)
from mmwsal.models.utils import (class_prototypes, novel_class_scores,
                                 postprocess)
from ..functional import (detection_map, mean_confidence_interval,
                          resolve_tiou_thresholds)
from .detection_metric import _to_numpy, threshold_name


def segment_snippets(start: float, end: float, snippet_seconds: float,
                     num_snippets: int) -> slice:
    """The snippets ``[s, e)`` a segment in seconds covers, at least one."""
    first = min(int(np.floor(start / snippet_seconds)), num_snippets - 1)
    last = int(np.ceil(end / snippet_seconds))
    return slice(max(first, 0), min(max(last, first + 1), num_snippets))


@METRICS.register_module()
class FewShotEpisodeMetric(BaseMetric):
    """Mean accuracy and detection mAP of novel classes over K-way n-shot
    episodes, each with a 95% confidence interval.

    The model predicts, for every novel-class video, its L2-normalised
    ``snippet_embeddings`` ``(T, D)`` and either a ``learned_attention``
    ``(T,)`` or the self-weighting parameters (metainfo ``self_weighting``),
    as :class:`SelfWeightingHead` does with ``test_cfg.output='embeddings'``.
    Episodes (:class:`EpisodeSampler`) are drawn from the single-label
    novel-class videos with ground-truth segments. A support sample is the
    mean embedding of the snippets inside one ground-truth segment (a
    trimmed video); prototypes average a way's support samples; a query
    video is pooled and classified by :func:`novel_class_scores`. Accuracy:
    the top-scored way is the query's. Detection: classes whose probability
    reaches ``action_threshold`` (the top one if none) are localized on the
    T-CAS by the shared post-processing, and the episode's queries scored by
    :func:`detection_map`.

    Metrics, for each ``n`` in ``shots`` (``K`` = ``num_ways``):
    ``acc_Kway_nshot``, ``mAP@0.50_Kway_nshot`` (the first tIoU threshold)
    and ``mAP_avg_Kway_nshot``, each with a ``..._ci95`` half-width.

    Args:
        ann_file (str): The unified annotation.
        class_split (str): The base / novel split file.
        subset (str | Sequence[str], optional): Subsets of the episode
            videos; None: all. Defaults to None.
        num_ways (int): K. Defaults to 5.
        shots (Sequence[int]): The n of each evaluation. Defaults to (1, 5).
        num_queries (int): Query videos per way. Defaults to 15.
        num_episodes (int): Episodes per evaluation. Defaults to 2000.
        seed (int): Seed of the episodes. Defaults to 0.
        temperature (float): tau of the prototype softmax. Defaults to 10.
        action_threshold (float): t_a of eq. 2, on the way probabilities.
            Defaults to 0.2.
        detection (bool): Also evaluate detection. Defaults to True.
        tiou_thresholds (str | Sequence[float]): Defaults to
            ``'activitynet'`` (0.5:0.05:0.95).
        postprocess_cfg (dict, optional): Over ``DEFAULT_TEST_CFG`` of the
            WS-TAL heads (without ``class_threshold``: that is
            ``action_threshold``). Defaults to None.
        collect_device (str): Defaults to ``'cpu'``.
        prefix (str, optional): Defaults to None.
    """
    default_prefix: Optional[str] = None

    def __init__(self,
                 ann_file: str,
                 class_split: str,
                 subset: Optional[Union[str, Sequence[str]]] = None,
                 num_ways: int = 5,
                 shots: Sequence[int] = (1, 5),
                 num_queries: int = 15,
                 num_episodes: int = 2000,
                 seed: int = 0,
                 temperature: float = 10.0,
                 action_threshold: float = 0.2,
                 detection: bool = True,
                 tiou_thresholds: Union[str, Sequence[float]] = 'activitynet',
                 postprocess_cfg: Optional[Dict] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        ann = load_annotation(ann_file)
        split = load_class_split(class_split, ann['classes'], ann_file)
        subset = [subset] if isinstance(subset, str) else subset
        infos, _ = split_video_infos(
            subset_video_infos(ann, subset, ann_file), ann['classes'], split,
            'novel')
        self.infos = {info['video_id']: info for info in infos}
        self._segments_cache: Dict = {}
        self.episode_options = dict(num_ways=num_ways,
                                    num_queries=num_queries, seed=seed)
        self.shots = tuple(shots)
        self.num_episodes = num_episodes
        self.temperature = temperature
        self.detection = detection
        self.tiou_thresholds = resolve_tiou_thresholds(tiou_thresholds)
        if postprocess_cfg and 'class_threshold' in postprocess_cfg:
            raise ValueError('set the class threshold of the episodes as '
                             'action_threshold, not in postprocess_cfg')
        cfg = {
            k: v
            for k, v in {
                **DEFAULT_TEST_CFG,
                **(postprocess_cfg or {})
            }.items() if k not in HEAD_ONLY_KEYS
        }
        cfg['thresholds'] = threshold_list(cfg['thresholds'])
        cfg['class_threshold'] = action_threshold
        self.postprocess_cfg = cfg

    def process(self, data_batch, data_samples: Sequence) -> None:
        """Keep each video's embeddings (float16, to halve the memory of
        thousands of videos) and attention or self-weighting."""
        for sample in data_samples:
            if hasattr(sample, 'to_dict'):
                sample = sample.to_dict()
            if 'snippet_embeddings' not in sample:
                raise KeyError(
                    f'video {sample.get("video_id")}: no snippet_embeddings '
                    'in the prediction; use a head with test_cfg='
                    "dict(output='embeddings')")
            attention = sample.get('learned_attention')
            self.results.append(
                dict(video_id=sample['video_id'],
                     embeddings=_to_numpy(
                         sample['snippet_embeddings']).astype(np.float16),
                     attention=None if attention is None else
                     _to_numpy(attention).astype(np.float32),
                     self_weighting=sample.get('self_weighting'),
                     snippet_seconds=float(sample['snippet_seconds']),
                     duration=float(sample.get('duration', np.inf))))

    def _stack(self, results: List[Dict]) -> Dict:
        """Videos padded to one length: ``embeddings`` ``(V, T, D)``,
        ``mask``, ``attention`` (or None), ``index`` of each video id."""
        videos = {}
        for r in results:  # a distributed sampler may repeat videos
            videos.setdefault(r['video_id'], r)
        videos = list(videos.values())
        learned = {r['attention'] is not None for r in videos}
        weighting = {tuple(r['self_weighting'] or ()) for r in videos}
        if len(learned) > 1 or len(weighting) > 1:
            raise ValueError('the predictions mix learned attention and '
                             'self-weighting settings')
        length = max(len(r['embeddings']) for r in videos)
        dim = videos[0]['embeddings'].shape[1]
        embeddings = np.zeros((len(videos), length, dim), np.float16)
        mask = np.zeros((len(videos), length), bool)
        attention = np.zeros((len(videos), length), np.float32)
        for i, r in enumerate(videos):
            num = len(r['embeddings'])
            embeddings[i, :num], mask[i, :num] = r['embeddings'], True
            if r['attention'] is not None:
                attention[i, :num] = r['attention']
        sw = weighting.pop()
        return dict(
            videos=videos,
            index={r['video_id']: i for i, r in enumerate(videos)},
            embeddings=torch.from_numpy(embeddings),
            mask=torch.from_numpy(mask),
            attention=torch.from_numpy(attention) if learned.pop() else None,
            sw=dict(sw_tau=sw[0], sw_center=sw[1]) if sw else {})

    def _support(self, data: Dict, episode) -> torch.Tensor:
        """``(K * n, D)`` mean embeddings of the support segments, each
        computed once over all episodes."""
        cache = data.setdefault('support_cache', {})
        features = []
        for way, shots in enumerate(episode.support):
            cls = episode.classes[way]
            for vid, number in shots:
                key = (vid, cls, number)
                if key not in cache:
                    start, end = self._class_segments(vid, cls)[number]
                    i = data['index'][vid]
                    video = data['videos'][i]
                    span = segment_snippets(start, end,
                                            video['snippet_seconds'],
                                            len(video['embeddings']))
                    cache[key] = data['embeddings'][i, span].float().mean(0)
                features.append(cache[key])
        return torch.stack(features)

    def _class_segments(self, vid: str, cls: int) -> np.ndarray:
        """``(N, 2)`` ground-truth (start, end) of class ``cls`` in a
        video, built once."""
        key = (vid, cls)
        if key not in self._segments_cache:
            self._segments_cache[key] = np.array(
                [s[:2] for s in self.infos[vid]['segments'] if s[2] == cls],
                np.float64).reshape(-1, 2)
        return self._segments_cache[key]

    def _episode_map(self, data: Dict, episode, scores: Dict) -> np.ndarray:
        """mAP at each tIoU of one episode's queries."""
        ground_truth, predictions = {}, {}
        for q, (vid, way) in enumerate(episode.queries):
            video = data['videos'][data['index'][vid]]
            num = len(video['embeddings'])
            cls = episode.classes[way]
            gt = self._class_segments(vid, cls)
            ground_truth[vid] = dict(segments=gt,
                                     labels=np.full(len(gt), way))
            dets = postprocess(
                scores['video_scores'][q].numpy(),
                scores['tcas'][q, :num].numpy(),
                scores['attention'][q, :num].numpy(),
                snippet_seconds=video['snippet_seconds'],
                **self.postprocess_cfg)
            predictions[vid] = dict(
                segments=np.clip(dets[:, :2], 0.0, video['duration']),
                labels=dets[:, 2].astype(np.int64),
                scores=dets[:, 3])
        return detection_map(ground_truth, predictions,
                             self.tiou_thresholds).mAP

    def evaluate_shots(self, data: Dict, pools: Dict, shots: int) -> Dict:
        """Accuracy and mAP of every episode of one n-shot setting."""
        sampler = EpisodeSampler(pools, num_shots=shots,
                                 **self.episode_options)
        values = dict(acc=[], map=[])
        for episode in sampler.sample(self.num_episodes):
            ways = torch.arange(len(episode.classes)).repeat_interleave(shots)
            prototypes = class_prototypes(self._support(data, episode), ways,
                                          len(episode.classes))
            rows = torch.tensor([data['index'][v] for v, _ in
                                 episode.queries])
            truth = torch.tensor([way for _, way in episode.queries])
            scores = novel_class_scores(
                data['embeddings'][rows].float(), prototypes,
                self.temperature,
                attention=None if data['attention'] is None else
                data['attention'][rows],
                mask=data['mask'][rows], **data['sw'])
            values['acc'].append(float(
                (scores['video_scores'].argmax(1) == truth).float().mean()))
            if self.detection:
                values['map'].append(self._episode_map(data, episode,
                                                       scores))
        return values

    def compute_metrics(self, results: List[Dict]) -> Dict[str, float]:
        """Sample the episodes and average over them."""
        data = self._stack(results)
        infos = [self.infos[r['video_id']] for r in data['videos']
                 if r['video_id'] in self.infos]
        unknown = len(data['videos']) - len(infos)
        if unknown:
            print_log(f'{self.__class__.__name__}: {unknown} predicted '
                      'videos are not novel-class videos of the annotation '
                      'and are not used', logger='current')
        pools = single_label_pools(infos)
        ways = self.episode_options['num_ways']
        first = threshold_name(self.tiou_thresholds[0])
        metrics, lines = {}, []
        # Episodes are thousands of tiny tensor operations, for which CPU
        # threads cost more than they give (several times on a busy CPU).
        num_threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            values_by_shots = {
                shots: self.evaluate_shots(data, pools, shots)
                for shots in self.shots
            }
        finally:
            torch.set_num_threads(num_threads)
        for shots, values in values_by_shots.items():
            tag = f'{ways}way_{shots}shot'
            found = dict(acc=mean_confidence_interval(values['acc']))
            if self.detection:
                maps = np.array(values['map'])
                found[f'mAP@{first}'] = mean_confidence_interval(maps[:, 0])
                found['mAP_avg'] = mean_confidence_interval(maps.mean(1))
            for name, (mean, ci) in found.items():
                metrics[f'{name}_{tag}'] = mean
                metrics[f'{name}_{tag}_ci95'] = ci
            lines.append(f'{tag}: ' + ', '.join(
                f'{name} {100 * m:.2f} +- {100 * c:.2f}'
                for name, (m, c) in found.items()))
        print_log(f'{self.num_episodes} episodes per setting, '
                  f'{len(infos)} novel-class videos:\n' + '\n'.join(lines),
                  logger='current')
        return metrics
