"""Keep the base / novel class split with the experiment."""
import json
import os.path as osp

from mmaction.registry import HOOKS
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.logging import print_log

from mmwsal.utils import dump_json_atomic

SPLIT_FILE = 'class_split.json'


@HOOKS.register_module()
class RecordClassSplitHook(Hook):
    """Copy the class split of the training (and test) dataset into
    ``work_dir/class_split.json``, and refuse to go on when the work dir
    already holds another split: a model trained on one split's base classes
    must not be tested on episodes of another split's novel classes.

    Acts on datasets with a ``class_split`` (a
    :class:`ClassSplitSnippetDataset`); others are left alone.
    """
    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        self._record(runner, runner.train_loop.dataloader.dataset)

    def before_test(self, runner) -> None:
        self._record(runner, runner.test_loop.dataloader.dataset)

    @staticmethod
    def _record(runner, dataset) -> None:
        split = getattr(dataset, 'class_split', None)
        if split is None:
            return
        path = osp.join(runner.work_dir, SPLIT_FILE)
        parts = {k: split[k] for k in ('base', 'novel')}
        if osp.isfile(path):
            with open(path, encoding='utf-8') as f:
                recorded = json.load(f)
            if {k: recorded.get(k) for k in parts} != parts:
                raise ValueError(
                    f'{path} holds another class split than '
                    f'{dataset.class_split_file}, the split of this run; '
                    'use the split the model was trained with, or another '
                    'work dir')
            return
        if is_main_process():
            dump_json_atomic(split, path)
            print_log(f'class split of {dataset.class_split_file} saved to '
                      f'{path}', logger='current')
