"""Pointing a snippet-feature config at another feature set."""
from typing import Optional, Sequence, Union

from mmengine.config import Config


def use_feature_set(cfg: Config,
                    ann_file: str,
                    feature_dirs: Union[str, Sequence[str]],
                    in_channels: int,
                    data_root: str = '',
                    num_workers: Optional[int] = None) -> Config:
    """Make a WS-TAL (or other snippet-feature) config read the features
    in ``feature_dirs`` with the labels of ``ann_file``, in place.

    Sets the ``ann_file``, ``data_root`` and ``feature_dirs`` of the train,
    val and test datasets (those the config has), the training
    ``LoadSnippetFeatures`` channel check, the model's ``in_channels`` and
    the ``ann_file`` of the metrics that read one; with ``num_workers`` also
    the loaders' workers (0 turns persistent workers off).

    Args:
        cfg (Config): The config.
        ann_file (str): Unified annotation.
        feature_dirs (str | Sequence[str]): Feature directories.
        in_channels (int): Feature channels C.
        data_root (str): Prefix of ``feature_dirs``. Defaults to ''.
        num_workers (int, optional): Dataloader workers. Defaults to None
            (unchanged).

    Returns:
        Config: ``cfg``.
    """
    if isinstance(feature_dirs, str):
        feature_dirs = [feature_dirs]
    cfg.model.in_channels = in_channels
    for split in ('train', 'val', 'test'):
        loader = cfg.get(f'{split}_dataloader')
        if loader is None:  # e.g. no validation
            continue
        loader.dataset.update(
            ann_file=ann_file, data_root=data_root,
            feature_dirs=list(feature_dirs))
        if num_workers is not None:
            loader.num_workers = num_workers
            loader.persistent_workers = num_workers > 0
    for step in cfg.train_dataloader.dataset.pipeline:
        if step['type'] == 'LoadSnippetFeatures':
            step['feature_dim'] = in_channels
    for key in ('val_evaluator', 'test_evaluator'):
        metrics = cfg.get(key)
        for metric in (metrics if isinstance(metrics, list) else [metrics]):
            if metric is not None and 'ann_file' in metric:
                metric.ann_file = ann_file
    return cfg


# Training modes of an AdaptFocus recognizer config: (label_mode of the
# WeakClipSampler, mode of the AdaptFocusLoss).
FOCUS_MODES = dict(
    full=('clean', 'noisy'),
    noisy=('weak', 'noisy'),
    clip_only=('weak', 'clip_only'),
    action_only=('weak', 'action_only'),
    adaptfocus=('weak', 'adaptfocus'))
# How tables name them (the AdaptFocus paper's Table 3 and ablations).
FOCUS_MODE_NAMES = dict(
    full='Full (Clean)',
    noisy='Weak (Noisy)',
    clip_only='w/ Clip Focusing',
    action_only='w/ Action Focusing',
    adaptfocus='Weak (AdaptFocus)')


def use_video_set(cfg: Config,
                  ann_file: str,
                  video_root: str,
                  num_workers: Optional[int] = None) -> Config:
    """Make a long-video recognizer config read the videos of ``ann_file``
    under ``video_root``, in place (the train, val and test datasets it
    has; with ``num_workers`` also the loaders' workers).

    Args:
        cfg (Config): The config.
        ann_file (str): Unified annotation.
        video_root (str): Directory its ``file`` fields are relative to.
        num_workers (int, optional): Dataloader workers. Defaults to None
            (unchanged).

    Returns:
        Config: ``cfg``.
    """
    for split in ('train', 'val', 'test'):
        loader = cfg.get(f'{split}_dataloader')
        if loader is None:
            continue
        loader.dataset.update(
            ann_file=ann_file, data_prefix=dict(video=video_root))
        if num_workers is not None:
            loader.num_workers = num_workers
            loader.persistent_workers = num_workers > 0
    return cfg


def set_focus_mode(cfg: Config, mode: str) -> Config:
    """Set an AdaptFocus recognizer config to one of ``FOCUS_MODES``, in
    place: ``'full'`` trains on clean clip labels from the segments (the
    oracle), ``'noisy'`` on the video labels with plain BCE, the others
    with that AdaptFocus loss mode.

    Raises:
        ValueError: An unknown mode, or a config without a
            ``WeakClipSampler`` in its train pipeline or without an
            ``AdaptFocusLoss``.
    """
    if mode not in FOCUS_MODES:
        raise ValueError(f'mode must be one of {list(FOCUS_MODES)}, '
                         f'got {mode!r}')
    label_mode, loss_mode = FOCUS_MODES[mode]
    samplers = [
        t for t in cfg.train_dataloader.dataset.pipeline
        if t.get('type') == 'WeakClipSampler'
    ]
    loss = cfg.model.get('cls_head', {}).get('loss_cls', {})
    if not samplers or loss.get('type') != 'AdaptFocusLoss':
        raise ValueError(
            f'{cfg.filename}: set_focus_mode needs a WeakClipSampler in '
            'train_dataloader.dataset.pipeline and '
            "model.cls_head.loss_cls.type='AdaptFocusLoss'")
    samplers[0].label_mode = label_mode
    loss.mode = loss_mode
    return cfg
