"""The whole pipeline: long videos -> recognizer -> Weak-FEAT features ->
WS-TAL localizer, for each recognizer training mode, with one summary.

Every step is a stage of :class:`StageStore`: a rerun skips the stages whose
settings (configs, annotation, upstream checkpoints) are unchanged, and a
recognizer whose training was interrupted resumes from its last checkpoint.
"""
import copy
import json
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.runner import Runner

from mmwsal.datasets.annotation import load_annotation, subset_video_infos
from mmwsal.evaluation.functional import random_score_map
from mmwsal.utils import (FOCUS_MODE_NAMES, FOCUS_MODES, atomic_open,
                          dump_json_atomic, set_focus_mode, use_feature_set,
                          use_video_set)
from .feature_extraction import extract_features
from .feature_store import file_sha256, settings_digest
from .pipeline_stages import StageStore

RECOGNITION_KEY = 'acc/mean_average_precision'


@dataclass
class PipelineSettings:
    """What one pipeline run does.

    Args:
        work_dir (str): Where every stage writes.
        ann_file (str): Unified annotation (``train`` and ``test`` subsets).
        video_root (str): Directory its ``file`` fields are relative to.
        recognizer_config (str): An AdaptFocus recognizer config (its loss
            mode is set per mode, see ``FOCUS_MODES``).
        localizer_config (str): A WS-TAL config on snippet features.
        modes (list[str]): Recognizer training modes, one row each.
        seed (int): Seed of every training.
        spread_seeds (list[int]): Other seeds with which the recognizer of
            every mode is trained and tested once more (features and
            localizers come from ``seed``'s), for the spread of the
            recognition mAP over seeds. Defaults to none.
        snippet_stride (float, optional): Frames between snippets of the
            features. Defaults to None (one snippet's span).
        workers (int): Dataloader workers of the recognizer.
        progress (bool): Progress bars.
        pretrain_data (Sequence[str], optional): (annotation, video root)
            of other videos: a Full (Clean) recognizer trained on them
            first is the starting point of every mode, as the AdaptFocus
            paper starts from Kinetics checkpoints. Defaults to None (the
            recognizer config's own ``load_from``).
    """
    work_dir: str
    ann_file: str
    video_root: str
    recognizer_config: str
    localizer_config: str
    modes: List[str] = field(default_factory=lambda: ['noisy', 'adaptfocus'])
    seed: int = 0
    spread_seeds: List[int] = field(default_factory=list)
    snippet_stride: Optional[float] = None
    workers: int = 2
    progress: bool = True
    pretrain_data: Optional[Sequence[str]] = None


def _quiet(cfg: Config, work_dir: str, seed: int, progress: bool) -> Config:
    """Common settings: work dir, seed and deterministic algorithms (data
    order, augmentation and initialisation follow the seed), warnings-only
    log (the scalars still go to ``vis_data/scalars.json``) and a progress
    bar."""
    cfg.work_dir = work_dir
    cfg.randomness = dict(seed=seed, deterministic=True)
    cfg.log_level = 'WARNING'
    if progress:
        cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [
            dict(type='ProgressBarHook')
        ]
    return cfg


def _train_and_test(cfg: Config, resume: bool = True) -> Dict:
    """Train with the Runner (resuming from the last checkpoint in the work
    dir, if any, else starting from ``cfg.load_from``), test, and return
    the checkpoint and the metrics."""
    last = osp.join(cfg.work_dir, 'last_checkpoint')
    cfg.resume = resume and osp.isfile(last)
    if cfg.resume:
        with open(last) as f:
            cfg.load_from = f.read().strip()
    runner = Runner.from_cfg(cfg)
    runner.train()
    metrics = runner.test()
    with open(osp.join(cfg.work_dir, 'last_checkpoint')) as f:
        checkpoint = f.read().strip()
    return dict(
        checkpoint=checkpoint,
        metrics={k: float(v)
                 for k, v in metrics.items()})


def recognizer_stage(s: PipelineSettings,
                     stages: StageStore,
                     mode: str,
                     pretrained: Optional[Dict] = None,
                     name: Optional[str] = None,
                     data: Optional[Sequence[str]] = None,
                     seed: Optional[int] = None) -> Dict:
    """Train the recognizer in ``mode`` and test it (video-level mAP of the
    test pipeline's views), from the ``pretrained`` stage's checkpoint if
    given (its AdaptFocus estimates, of other videos, start anew), on
    ``data`` (annotation, video root; default the settings'), with
    ``seed`` (default the settings')."""
    seed = s.seed if seed is None else seed
    ann_file, video_root = data or (s.ann_file, s.video_root)
    cfg = use_video_set(
        set_focus_mode(Config.fromfile(s.recognizer_config), mode), ann_file,
        video_root, s.workers)
    settings = dict(
        config=settings_digest(cfg.to_dict()),
        annotation=file_sha256(ann_file)[:16],
        seed=seed)
    if pretrained is not None:
        cfg.load_from = pretrained['checkpoint']
        for hook in cfg.get('custom_hooks', []):
            if hook.get('type') == 'AdaptFocusHook':
                hook['reset_on_mismatch'] = True
        settings['pretrained'] = file_sha256(pretrained['checkpoint'])[:16]

    def run(stage_dir):
        return _train_and_test(_quiet(cfg, stage_dir, seed, s.progress))

    return stages.run(name or f'recognizer_{mode}', settings, run)


def feature_stage(s: PipelineSettings, stages: StageStore, mode: str,
                  recognizer: Dict) -> Dict:
    """Weak-FEAT features of every video with the ``mode`` recognizer."""
    settings = dict(
        config=settings_digest(Config.fromfile(s.recognizer_config).to_dict()),
        checkpoint=file_sha256(recognizer['checkpoint'])[:16],
        annotation=file_sha256(s.ann_file)[:16],
        snippet_stride=s.snippet_stride)

    def run(stage_dir):
        summary = extract_features(
            s.recognizer_config,
            recognizer['checkpoint'],
            s.ann_file,
            s.video_root,
            stage_dir,
            snippet_stride=s.snippet_stride,
            progress=s.progress)
        if summary.failed:
            raise RuntimeError(
                f'feature extraction into {stage_dir} failed on '
                f'{sorted(summary.failed)}; fix or remove these videos from '
                f'{s.ann_file} and run again (finished videos are kept)')
        with open(osp.join(stage_dir, 'manifest.json')) as f:
            dim = json.load(f)['feature_dim']
        return dict(feature_dir=stage_dir, feature_dim=dim)

    return stages.run(f'features_{mode}', settings, run)


def localizer_stage(s: PipelineSettings, stages: StageStore, mode: str,
                    features: Dict) -> Dict:
    """Train the WS-TAL localizer on the ``mode`` features and test it."""
    cfg = use_feature_set(
        Config.fromfile(s.localizer_config),
        s.ann_file,
        features['feature_dir'],
        features['feature_dim'],
        num_workers=0)
    settings = dict(
        config=settings_digest(cfg.to_dict()),
        annotation=file_sha256(s.ann_file)[:16],
        seed=s.seed)
    return stages.run(
        f'localizer_{mode}', settings, lambda d: _train_and_test(
            _quiet(cfg, d, s.seed, s.progress), resume=False))


def pipeline_logger() -> MMLogger:
    """The pipeline's own logger (INFO): each Runner makes itself the
    current logger, at the (quiet) level of its config."""
    name = 'mmwsal_pipeline'
    if MMLogger.check_instance_created(name):
        return MMLogger.get_instance(name)
    return MMLogger.get_instance(name, log_level='INFO')


def run_pipeline(s: PipelineSettings) -> Dict:
    """Run (or resume) every stage for every mode; write and return the
    summary (``summary.json`` and ``summary.md`` in ``s.work_dir``)."""
    unknown = [m for m in s.modes if m not in FOCUS_MODES]
    if unknown:
        raise ValueError(f'unknown modes {unknown}; choose from '
                         f'{list(FOCUS_MODES)}')
    logger = pipeline_logger()
    stages = StageStore(s.work_dir, log=logger.info)
    pretrained = None
    if s.pretrain_data is not None:
        # Clean labels on other videos, as a Kinetics checkpoint would be.
        pretrained = recognizer_stage(
            s, stages, 'full', name='pretrain', data=s.pretrain_data)
    rows = {}
    for mode in s.modes:
        recognizer = recognizer_stage(s, stages, mode, pretrained)
        features = feature_stage(s, stages, mode, recognizer)
        localizer = localizer_stage(s, stages, mode, features)
        rows[mode] = dict(
            recognizer=recognizer, features=features, localizer=localizer)
    seeds = {
        mode: {
            s.seed: rows[mode]['recognizer']['metrics'][RECOGNITION_KEY]
        }
        for mode in s.modes
    }
    for seed in s.spread_seeds:
        if seed == s.seed:
            continue
        for mode in s.modes:
            run = recognizer_stage(
                s,
                stages,
                mode,
                pretrained,
                name=f'recognizer_{mode}_seed{seed}',
                seed=seed)
            seeds[mode][seed] = run['metrics'][RECOGNITION_KEY]
    summary = dict(
        settings=copy.deepcopy(vars(s)),
        pretrained=pretrained,
        rows=rows,
        recognition_seeds=seed_spread(seeds),
        random_recognition_map=random_recognition_map(s.ann_file),
        stage_seconds=stages.seconds)
    dump_json_atomic(summary, osp.join(s.work_dir, 'summary.json'))
    with atomic_open(osp.join(s.work_dir, 'summary.md')) as f:
        f.write(summary_markdown(summary) + '\n')
    return summary


def random_recognition_map(ann_file: str) -> Dict:
    """The recognition mAP random scores give on the test videos: ``mean``,
    95th percentile ``p95`` and the number of ``videos``."""
    labels = [
        v['label']
        for v in subset_video_infos(load_annotation(ann_file), ['test'])
    ]
    mean, p95 = random_score_map(np.stack(labels))
    return dict(mean=mean, p95=p95, videos=len(labels))


def seed_spread(values: Dict[str, Dict[int, float]]) -> Dict[str, Dict]:
    """Per mode, the recognition mAP of each seed (``values``, keys as
    strings) and their ``mean``, sample ``std`` (0 with one seed), ``min``
    and ``max``."""
    spread = {}
    for mode, by_seed in values.items():
        v = np.array(list(by_seed.values()), dtype=np.float64)
        spread[mode] = dict(
            values={str(k): float(x)
                    for k, x in by_seed.items()},
            mean=float(v.mean()),
            std=float(v.std(ddof=1)) if len(v) > 1 else 0.0,
            min=float(v.min()),
            max=float(v.max()))
    return spread


def gap_recovered(value: float, noisy: float, full: float) -> Optional[float]:
    """The share of the clean-noisy gap ``full - noisy`` that ``value``
    closes (1: as good as clean labels, 0: no better than noisy ones);
    None where there is no gap."""
    if full <= noisy:
        return None
    return (value - noisy) / (full - noisy)


def _table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> List[str]:
    return ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)
            ] + ['| ' + ' | '.join(r) + ' |' for r in rows]


def summary_markdown(summary: Dict,
                     tious: Sequence[str] = ('0.10', '0.20', '0.30', '0.40',
                                             '0.50', '0.60',
                                             '0.70')) -> str:
    """A row per recognizer mode with its recognition mAP, the
    localization mAP@tIoU of the localizer on its features (%) and, with
    the Full (Clean) and Weak (Noisy) rows there, the share of their
    recognition gap each other mode recovers; the recognition mAP of
    random scores; with more than one seed, a second table of the
    recognition mAP of each seed and each mode's difference to Weak (Noisy)
    per seed."""
    rows = summary['rows']

    def recognition(mode):
        return rows[mode]['recognizer']['metrics'][RECOGNITION_KEY]

    bounds = {'full', 'noisy'} <= set(rows)
    head = (['recognizer training', 'recognition mAP'] +
            [f'loc. mAP@{float(t):g}' for t in tious] + ['loc. mAP avg'])
    if bounds:
        head.append('recognition gap recovered')
    lines = []
    for mode, row in rows.items():
        loc = row['localizer']['metrics']
        cells = [
            FOCUS_MODE_NAMES.get(mode, mode), f'{100 * recognition(mode):.1f}'
        ]
        cells += [f'{100 * loc[f"mAP@{t}"]:.1f}' for t in tious]
        cells.append(f'{100 * loc["mAP_avg"]:.1f}')
        if bounds:
            share = gap_recovered(
                recognition(mode), recognition('noisy'), recognition('full'))
            cells.append('' if mode in ('full', 'noisy') else
                         '-' if share is None else f'{100 * share:.0f}%')
        lines.append(cells)
    text = _table(head, lines)
    chance = summary.get('random_recognition_map')
    if chance:
        text += [
            '', f'Random scores: recognition mAP {100 * chance["mean"]:.1f} '
            f'(95th percentile {100 * chance["p95"]:.1f}) on these '
            f'{chance["videos"]} test videos.'
        ]
    spread = summary.get('recognition_seeds', {})
    if any(len(v['values']) > 1 for v in spread.values()):
        seeds = list(next(iter(spread.values()))['values'])
        text += ['', 'recognition mAP over seeds:', '']
        text += _table(['recognizer training'] +
                       [f'seed {k}' for k in seeds] + ['mean', 'std'], [
                           [FOCUS_MODE_NAMES.get(mode, mode)] +
                           [f'{100 * v["values"][k]:.1f}' for k in seeds] +
                           [f'{100 * v["mean"]:.1f}', f'{100 * v["std"]:.1f}']
                           for mode, v in spread.items()
                       ])
        if 'noisy' in spread:
            text.append('')
            base = spread['noisy']['values']
            for mode, v in spread.items():
                if mode == 'noisy':
                    continue
                diffs = [100 * (v['values'][k] - base[k]) for k in seeds]
                text.append(
                    f'{FOCUS_MODE_NAMES.get(mode, mode)} - Weak (Noisy), '
                    'per seed: ' + ', '.join(f'{d:+.1f}' for d in diffs) +
                    f' (mean {np.mean(diffs):+.1f})')
    return '\n'.join(text)
