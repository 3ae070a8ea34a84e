"""Keep the held-out validation split with the experiment."""
import json
import os.path as osp
from typing import Dict, List, Tuple

from mmaction.registry import HOOKS
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.logging import print_log

from mmwsal.utils import dump_json_atomic, name_some
from .skipped_videos_hook import leaf_datasets

HELDOUT_FILE = 'heldout_split.json'


def _describe(videos: List[str]) -> str:
    return f'{len(videos)} videos ({name_some(videos, 5)})'


@HOOKS.register_module()
class RecordHeldOutSplitHook(Hook):
    """Copy the held-out split of the training and validation datasets into
    ``work_dir/heldout_split.json``, and refuse to go on when they disagree
    or when the work dir already holds another split: a checkpoint chosen on
    held-out videos must not have trained on them, which a resume (or a
    second training in the same work dir) with another ratio, seed or
    annotation would do.

    Acts on datasets with a ``heldout_split`` (a :class:`LongVideoDataset`
    or :class:`SnippetFeatureDataset` built with ``heldout=...``); others
    are left alone, so the default runtime carries it for every config. The
    file records ``ann_file``, ``subset``, ``ratio``, ``seed`` and
    ``videos``, the held-out ids (before any missing file is left out); two
    splits are the same when their ``videos`` are.
    """
    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        found = self._splits(runner.train_dataloader.dataset, 'train')
        val_loop = runner.val_loop
        if val_loop is not None:
            found += self._splits(val_loop.dataloader.dataset, 'val')
        self._record(runner, found)

    def before_test(self, runner) -> None:
        self._record(runner,
                     self._splits(runner.test_dataloader.dataset, 'test'))

    @staticmethod
    def _splits(dataset, loader: str) -> List[Tuple[str, Dict]]:
        return [(f'{loader} dataset ({d.ann_file})', d.heldout_split)
                for d in leaf_datasets(dataset)
                if getattr(d, 'heldout_split', None) is not None]

    @staticmethod
    def _record(runner, found: List[Tuple[str, Dict]]) -> None:
        if not found:
            return
        first_name, split = found[0]
        for name, other in found[1:]:
            if other['videos'] != split['videos']:
                raise ValueError(
                    f'The {first_name} holds out {_describe(split["videos"])}'
                    f' but the {name} {_describe(other["videos"])}: give '
                    'both the same heldout ratio and seed over the same '
                    'subset, so that validation reads exactly the videos '
                    'training leaves out')
        path = osp.join(runner.work_dir, HELDOUT_FILE)
        if osp.isfile(path):
            with open(path, encoding='utf-8') as f:
                recorded = json.load(f)
            if recorded.get('videos') != split['videos']:
                raise ValueError(
                    f'{path} holds out '
                    f'{_describe(recorded.get("videos") or [])} (ratio '
                    f'{recorded.get("ratio")}, seed {recorded.get("seed")}), '
                    f'but the {first_name} of this run holds out '
                    f'{_describe(split["videos"])} (ratio {split["ratio"]}, '
                    f'seed {split["seed"]}); use the split the run started '
                    'with, or another work dir')
            return
        if is_main_process():
            dump_json_atomic(split, path)
            print_log(
                f'held-out split of {split["ann_file"]} '
                f'({len(split["videos"])} videos of subset '
                f'{split["subset"]}) saved to {path}',
                logger='current')
