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
    val and test datasets, the training ``LoadSnippetFeatures`` channel
    check, the model's ``in_channels`` and the ``ann_file`` of the metrics
    that read one; with ``num_workers`` also the loaders' workers (0 turns
    persistent workers off).

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
        loader = cfg[f'{split}_dataloader']
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
