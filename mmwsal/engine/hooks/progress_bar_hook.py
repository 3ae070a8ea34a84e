"""A progress bar over the iterations of training and testing."""
import sys
from typing import Optional

from mmaction.registry import HOOKS
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.utils import ProgressBar


@HOOKS.register_module()
class ProgressBarHook(Hook):
    """Draw a progress bar (done / total, rate, elapsed, ETA) on the main
    process while training (over ``max_iters``) and testing (over the test
    batches), for jobs that keep the logger quiet.

    Args:
        file (file-like, optional): Where the bar goes. Defaults to
            ``sys.stdout`` at the time the bar starts.
    """

    priority = 'VERY_LOW'

    def __init__(self, file=None) -> None:
        self.file = file
        self._bar: Optional[ProgressBar] = None

    def _start(self, total: int) -> None:
        self._bar = None
        if is_main_process() and total > 0:
            self._bar = ProgressBar(total, file=self.file or sys.stdout)

    def _step(self) -> None:
        if self._bar is not None:
            self._bar.update()

    def _end(self) -> None:
        if self._bar is not None:
            self._bar.file.write('\n')
            self._bar.file.flush()
            self._bar = None

    def before_train(self, runner) -> None:
        self._start(runner.max_iters - runner.iter)

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        self._step()

    def after_train(self, runner) -> None:
        self._end()

    def before_test_epoch(self, runner) -> None:
        self._start(len(runner.test_dataloader))

    def after_test_iter(self, runner, batch_idx, data_batch=None,
                        outputs=None) -> None:
        self._step()

    def after_test_epoch(self, runner, metrics=None) -> None:
        self._end()
