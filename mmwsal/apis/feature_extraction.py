"""Weak-FEAT: snippet features of every video of a dataset, resumable and
sharded over the ranks of a torchrun launch.

:func:`extract_features` is what ``tools/extract_features.py`` runs. The
output directory is described in :mod:`mmwsal.apis.feature_store` and
``docs/features.md``.
"""
import copy
import logging
import os
import os.path as osp
import time
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.distributed as torch_dist
from mmengine.config import Config
from mmengine.dist import (all_gather_object, broadcast_object_list,
                           get_dist_info, init_dist)
from mmengine.logging import print_log

from mmwsal.datasets.annotation import load_annotation
from mmwsal.datasets.video_reader import VideoReadError
from mmwsal.utils.dist import finish_distributed, init_gloo_process_group
from .extraction_summary import ExtractionProgress, ExtractionSummary
from .feature_store import (ExtractionSettingsError, FeatureStore,
                            check_video_id, file_sha256, settings_digest)
from .snippet_features import SnippetFeatureExtractor, init_feature_model
from .snippet_views import SnippetViewError, SnippetViews

DTYPES = ('float32', 'float16')


def shard_videos(video_ids: Sequence[str], durations: Dict[str, float],
                 world_size: int) -> List[List[str]]:
    """Split videos over ranks with balanced total duration.

    Longest first, each to the rank with the least so far (ties: the lowest
    rank); every video goes to exactly one rank. Deterministic, so every
    rank computes the same split.

    Returns:
        list[list[str]]: Per rank, its videos sorted by id.
    """
    load = [0.] * world_size
    shards = [[] for _ in range(world_size)]
    for video_id in sorted(video_ids,
                           key=lambda v: (-durations.get(v, 0.), v)):
        rank = min(range(world_size), key=lambda r: (load[r], r))
        shards[rank].append(video_id)
        load[rank] += durations.get(video_id, 0.)
    return [sorted(s) for s in shards]


def _init_distributed(launcher: str) -> bool:
    """Start the process group for ``launcher``; whether this call did."""
    if launcher == 'none' or torch_dist.is_initialized():
        return False
    if launcher != 'pytorch':
        raise ValueError(f"launcher must be 'none' or 'pytorch', got "
                         f'{launcher!r}')
    if torch.cuda.is_available():
        init_dist('pytorch')
    else:
        init_gloo_process_group()
    return True


def _test_pipeline(cfg: Config) -> list:
    pipeline = cfg.get('test_pipeline')
    if pipeline is None:
        pipeline = cfg.get('test_dataloader', {}).get('dataset', {}).get(
            'pipeline', [])
    return list(pipeline)


def _sampler_setting(pipeline: list, key: str, given: Optional[int],
                     config: str) -> int:
    if given is not None:
        return int(given)
    for step in pipeline:
        if key in step:
            return int(step[key])
    raise ValueError(f'{config}: no test pipeline step sets {key}; give '
                     f'--{key.replace("_", "-")}')


def build_snippet_extractor(
        config: Union[str, Config],
        checkpoint: str,
        device: Optional[str] = None,
        clip_len: Optional[int] = None,
        frame_interval: Optional[int] = None,
        short_side: Optional[int] = None,
        crop_size: Optional[int] = None,
        crops: str = 'center',
        flip: bool = False,
        batch_size: int = 16,
        num_threads: int = 1,
        prefetch_depth: Optional[int] = None,
        cfg_options: Optional[dict] = None
) -> Tuple[Config, SnippetFeatureExtractor]:
    """The recognizer of ``config`` with ``checkpoint`` as a snippet
    feature extractor, with the snippet geometry and views of its test
    pipeline unless given (arguments as :func:`extract_features`).

    Returns:
        tuple[Config, SnippetFeatureExtractor]: The (merged) config and the
        extractor.
    """
    if device is None:
        device = (f'cuda:{os.environ.get("LOCAL_RANK", 0)}'
                  if torch.cuda.is_available() else 'cpu')
    cfg = (Config.fromfile(config)
           if isinstance(config, str) else copy.deepcopy(config))
    config_name = config if isinstance(config, str) else cfg.filename
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    pipeline = _test_pipeline(cfg)
    extractor = SnippetFeatureExtractor(
        model=init_feature_model(cfg, checkpoint, device),
        views=SnippetViews.from_pipeline(pipeline, short_side, crop_size,
                                         crops, flip),
        clip_len=_sampler_setting(pipeline, 'clip_len', clip_len,
                                  config_name),
        frame_interval=_sampler_setting(pipeline, 'frame_interval',
                                        frame_interval, config_name),
        batch_size=batch_size,
        num_threads=num_threads,
        prefetch_depth=(2 * batch_size
                        if prefetch_depth is None else prefetch_depth))
    return cfg, extractor


def extract_features(config: Union[str, Config],
                     checkpoint: str,
                     ann_file: str,
                     video_root: str,
                     out_dir: str,
                     subset: Optional[Union[str, Sequence[str]]] = None,
                     clip_len: Optional[int] = None,
                     frame_interval: Optional[int] = None,
                     snippet_stride: Optional[float] = None,
                     num_snippets: Optional[int] = None,
                     short_side: Optional[int] = None,
                     crop_size: Optional[int] = None,
                     crops: str = 'center',
                     flip: bool = False,
                     dtype: str = 'float32',
                     batch_size: int = 16,
                     device: Optional[str] = None,
                     num_threads: int = 1,
                     prefetch_depth: Optional[int] = None,
                     launcher: str = 'none',
                     cfg_options: Optional[dict] = None,
                     progress: bool = True) -> ExtractionSummary:
    """Extract snippet features of every video of an annotation file.

    Each rank of a torchrun launch (``launcher='pytorch'``; gloo without a
    GPU) extracts its share of the videos that are not finished yet. A
    video that cannot be read is reported and skipped; the summary lists
    it. Any other error stops the run; what was written stays valid and a
    rerun continues from there.

    Args:
        config (str | Config): The recognizer's config.
        checkpoint (str): Its checkpoint.
        ann_file (str): A unified annotation file.
        video_root (str): Directory the annotation's ``file`` fields are
            relative to.
        out_dir (str): Output directory.
        subset (str | Sequence[str], optional): Only videos of these
            subsets. Defaults to None (all).
        clip_len (int, optional): F; defaults to the test pipeline's.
        frame_interval (int, optional): tau; defaults to the test
            pipeline's.
        snippet_stride (float, optional): Frames between snippet starts.
            Defaults to F x tau (no overlap) unless ``num_snippets`` is set.
        num_snippets (int, optional): Snippets per video instead.
        short_side (int, optional): Resize the short side to this instead of
            the test pipeline's ``Resize``.
        crop_size (int, optional): Instead of the test pipeline's crop.
        crops (str): ``'center'`` or ``'three_crop'``.
        flip (bool): Average with horizontally flipped views.
        dtype (str): ``'float32'`` or ``'float16'`` (the model runs in
            float32 either way).
        batch_size (int): Snippets per forward pass. Defaults to 16.
        device (str, optional): Defaults to this rank's GPU, else the CPU.
        num_threads (int): Decoder threads per video. Defaults to 1.
        prefetch_depth (int, optional): Snippets decoded ahead in a
            background thread; defaults to ``2 * batch_size``; 0 decodes
            between forward passes.
        launcher (str): ``'none'`` or ``'pytorch'``.
        cfg_options (dict, optional): Overrides for the config.
        progress (bool): Show a progress line on rank 0.

    Returns:
        ExtractionSummary: The same on every rank.

    Raises:
        ExtractionSettingsError: ``out_dir`` holds features made with other
            settings.
    """
    if dtype not in DTYPES:
        raise ValueError(f'dtype must be one of {DTYPES}, got {dtype!r}')
    if snippet_stride is not None and num_snippets is not None:
        raise ValueError('give snippet_stride or num_snippets, not both')
    tic = time.perf_counter()
    videos = _select_videos(ann_file, subset)
    created_group = _init_distributed(launcher)
    rank, world_size = get_dist_info()
    cfg, extractor = build_snippet_extractor(
        config, checkpoint, device, clip_len, frame_interval, short_side,
        crop_size, crops, flip, batch_size, num_threads, prefetch_depth,
        cfg_options)
    config_name = config if isinstance(config, str) else cfg.filename
    if snippet_stride is None and num_snippets is None:
        snippet_stride = extractor.snippet_frames
    settings = dict(
        checkpoint_sha256=file_sha256(checkpoint)[:16],
        model_digest=settings_digest(
            dict(backbone=cfg.model.get('backbone'),
                 data_preprocessor=cfg.model.get('data_preprocessor'))),
        dtype=dtype,
        clip_len=extractor.clip_len,
        frame_interval=extractor.frame_interval,
        snippet_frames=extractor.snippet_frames,
        snippet_stride=(None if snippet_stride is None else
                        float(snippet_stride)),
        num_snippets=num_snippets,
        **extractor.views.settings())
    store = FeatureStore(out_dir, settings,
                         dict(config=config_name, checkpoint=checkpoint))

    try:
        skipped = _plan(store, sorted(videos), rank)
    except ExtractionSettingsError:
        if created_group:
            finish_distributed()
        raise
    pending = sorted(set(videos) - set(skipped))
    durations = {v: float(videos[v]['duration']) for v in pending}
    mine = shard_videos(pending, durations, world_size)[rank]
    bar = ExtractionProgress(len(mine), progress and rank == 0)
    part = _extract_videos(extractor, store, {v: videos[v] for v in mine},
                           video_root, snippet_stride, num_snippets, bar)
    summary = ExtractionSummary(out_dir=out_dir, skipped=skipped)
    for r, done in enumerate(all_gather_object(part)):
        summary.extracted[r] = done['extracted']
        summary.failed.update(done['failed'])
        summary.num_snippets += done['num_snippets']
        summary.decode_seconds += done['decode_seconds']
        summary.model_seconds += done['model_seconds']
    if rank == 0:
        store.write_manifest()
    if created_group:
        finish_distributed()
    summary.seconds = time.perf_counter() - tic
    return summary


def _select_videos(ann_file: str,
                   subset: Optional[Union[str, Sequence[str]]]) -> Dict:
    ann = load_annotation(ann_file)
    subsets = [subset] if isinstance(subset, str) else subset
    videos = {
        vid: info
        for vid, info in ann['videos'].items()
        if subsets is None or info['subset'] in subsets
    }
    for vid in videos:
        check_video_id(vid)
    return videos


def _plan(store: FeatureStore, video_ids: List[str], rank: int) -> List[str]:
    """Rank 0 checks the settings, clears leftovers of an interrupted run,
    finds the finished videos and writes settings and manifest; every rank
    gets its answer, or its error, so that none waits for a rank that gave
    up.

    Returns:
        list[str]: The videos finished before.
    """
    plan = [None]
    if rank == 0:
        try:
            store.check_settings()
            store.remove_temporary_files()
            store.write_settings()
            # The manifest holds exactly the videos with a valid record.
            done = store.write_manifest()['videos']
            plan = [dict(finished=[v for v in video_ids if v in done])]
        except ExtractionSettingsError as e:
            plan = [dict(error=str(e))]
    broadcast_object_list(plan)
    if 'error' in plan[0]:
        raise ExtractionSettingsError(plan[0]['error'])
    return plan[0]['finished']


def _extract_videos(extractor: SnippetFeatureExtractor, store: FeatureStore,
                    videos: Dict[str, Dict], video_root: str,
                    snippet_stride: Optional[float],
                    num_snippets: Optional[int],
                    bar: ExtractionProgress) -> Dict:
    """Extract and save ``videos``; report and skip the unreadable ones."""
    done = dict(extracted=[], failed={}, num_snippets=0, decode_seconds=0.,
                model_seconds=0.)
    for vid, info in videos.items():
        try:
            result = extractor.extract(
                osp.join(video_root, info['file']),
                snippet_stride=snippet_stride,
                num_snippets=num_snippets,
                fps=info['fps'],
                num_frames=int(round(info['duration'] * info['fps'])))
        except (VideoReadError, SnippetViewError) as e:
            done['failed'][vid] = str(e)
            print_log(f'video {vid!r} skipped: {e}', logger='current',
                      level=logging.WARNING)
            bar.update(0)
            continue
        store.save(
            vid, result.features,
            dict(fps=float(result.fps or info['fps']),
                 num_frames=int(result.num_frames),
                 snippet_stride=float(result.snippet_stride)))
        done['extracted'].append(vid)
        done['num_snippets'] += len(result.features)
        done['decode_seconds'] += result.decode_seconds
        done['model_seconds'] += result.model_seconds
        bar.update(len(result.features))
    return done
