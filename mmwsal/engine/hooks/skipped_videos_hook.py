"""Report the training videos that were skipped, once per run."""
import logging
import os.path as osp
from typing import Dict, List

from mmaction.registry import HOOKS
from mmengine.dataset import ClassBalancedDataset, ConcatDataset, RepeatDataset
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.logging import print_log

from mmwsal.datasets.skip_records import SKIP_RECORD_DIR, read_skip_records
from mmwsal.utils import dump_json_atomic

SKIPPED_FILE = 'skipped_videos.json'
CHECKPOINT_KEY = 'skipped_videos'


def leaf_datasets(dataset) -> List:
    """The datasets inside mmengine's dataset wrappers."""
    if isinstance(dataset, (RepeatDataset, ClassBalancedDataset)):
        return leaf_datasets(dataset.dataset)
    if isinstance(dataset, ConcatDataset):
        return [d for part in dataset.datasets for d in leaf_datasets(part)]
    return [dataset]


@HOOKS.register_module()
class SkippedVideosHook(Hook):
    """List the training videos left out or skipped, in the main process.

    Acts on training datasets that keep skip records (a
    :class:`LongVideoDataset`); others are left alone, so the default
    runtime carries it for every config.

    - ``before_train``: gives a dataset without a record directory
      ``<log_dir>/skipped_videos`` (datasets built by the Runner have it
      already: their dataloader workers may have started).
    - every ``interval`` iterations and after each epoch: reports the
      videos that another rank claimed (a rank other than 0 logs nowhere by
      default), so that each unreadable video is reported once in the log.
    - ``after_train``: one warning listing every unreadable video skipped in
      training (with those recorded in the checkpoint of a resumed run) and
      the count of videos left out at start-up for missing files
      (``missing_videos='skip'``); the same goes to
      ``work_dir/skipped_videos.json``. Nothing when no video was skipped.
    - ``before_save_checkpoint`` / ``after_load_checkpoint``: the list of
      unreadable videos lives in the checkpoint, so a resumed run lists the
      videos found before the resume as well.

    Args:
        interval (int): Iterations between looks at the records. Defaults
            to 50.
    """

    priority = 'LOW'

    def __init__(self, interval: int = 50) -> None:
        if interval < 1:
            raise ValueError(f'interval must be >= 1, got {interval}')
        self.interval = interval
        self._datasets: List = []
        self._reported = set()
        self._earlier: List[Dict] = []

    def before_train(self, runner) -> None:
        self._datasets = [
            d for d in leaf_datasets(runner.train_dataloader.dataset)
            if hasattr(d, 'skip_record_dir')
        ]
        for dataset in self._datasets:
            if dataset.skip_record_dir is None:
                dataset.skip_record_dir = osp.join(runner.log_dir,
                                                   SKIP_RECORD_DIR)

    def records(self) -> List[Dict]:
        """The unreadable videos recorded so far by every process of the
        run, those of the checkpoint resumed from included."""
        found = {r['file']: r for r in self._earlier}
        for directory in sorted({d.skip_record_dir for d in self._datasets}):
            for record in read_skip_records(directory):
                found.setdefault(record['file'], record)
        return [found[f] for f in sorted(found)]

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        if self.every_n_train_iters(runner, self.interval):
            self._report_other_ranks()

    def after_train_epoch(self, runner) -> None:
        self._report_other_ranks()

    def _report_other_ranks(self) -> None:
        if not self._datasets or not is_main_process():
            return
        for record in self.records():
            if record['file'] in self._reported:
                continue
            self._reported.add(record['file'])
            if record.get('rank', 0) != 0:
                print_log(
                    f'skipping unreadable video {record["video_id"]!r} '
                    f'(file {record["file"]}: {record["reason"]}), found on '
                    f'rank {record["rank"]}; it is replaced by another '
                    'sample for the rest of training.',
                    logger='current',
                    level=logging.WARNING)

    def before_save_checkpoint(self, runner, checkpoint: Dict) -> None:
        checkpoint[CHECKPOINT_KEY] = self.records()

    def after_load_checkpoint(self, runner, checkpoint: Dict) -> None:
        # As mmengine's EMAHook: only a resume continues this run.
        if getattr(runner, '_resume', False):
            self._earlier = list(checkpoint.get(CHECKPOINT_KEY, []))
            # reported in the log of the run's earlier launch
            self._reported.update(r['file'] for r in self._earlier)

    def after_train(self, runner) -> None:
        self._report_other_ranks()
        if not is_main_process():
            return
        unreadable = self.records()
        missing = [(d, m) for d in self._datasets
                   for m in getattr(d, 'missing', [])]
        if not unreadable and not missing:
            return
        lines = [
            f'{len(unreadable)} training videos were unreadable and skipped' +
            (':' if unreadable else '.')
        ]
        lines += [
            f'  {r["video_id"]}: {r["file"]} ({r["reason"]})'
            for r in unreadable
        ]
        if missing:
            lines.append(
                f'{len(missing)} training videos were left out at start-up '
                f"for missing files (missing_videos='skip'), e.g. "
                f'{missing[0][1]["files"][0]}.')
        path = osp.join(runner.work_dir, SKIPPED_FILE)
        dump_json_atomic(
            dict(
                unreadable=unreadable,
                missing=[dict(m, ann_file=d.ann_file) for d, m in missing]),
            path)
        lines.append(f'The list is in {path}.')
        print_log(
            'SkippedVideosHook: ' + '\n'.join(lines),
            logger='current',
            level=logging.WARNING)
