"""The DCC schedule: beta ramped over training, the bank's size checked."""
import logging
import math
from typing import List

from mmaction.registry import HOOKS
from mmengine.hooks import Hook
from mmengine.logging import print_log

from mmwsal.models.necks import DCCNeck
from .adaptfocus_hook import training_videos
from .model_modules import model_modules


def ramp_value(progress: float, start: float, end: float,
               mode: str = 'exponential') -> float:
    """The ramp from ``start`` (progress 0) to ``end`` (progress 1).

    Args:
        progress (float): Share of training done, clipped to [0, 1].
        start (float): The first value.
        end (float): The last value.
        mode (str): ``'exponential'`` (equal factors in equal times:
            ``start * (end / start) ** progress``) or ``'linear'``.
            Defaults to ``'exponential'``.

    Returns:
        float: The value at ``progress``.
    """
    progress = min(max(progress, 0.0), 1.0)
    if mode == 'exponential':
        return start * math.exp(progress * math.log(end / start))
    if mode == 'linear':
        return start + progress * (end - start)
    raise ValueError(f"mode must be 'exponential' or 'linear', got {mode!r}")


@HOOKS.register_module()
class DCCBetaHook(Hook):
    """Ramp the weight beta of the DCC loss (eq. 8) over training.

    The paper increases beta "from 0.1 to 10000 during network training"
    without the curve; by default it rises exponentially with the iteration
    (one decade every fifth of training for 0.1 to 10000), from ``start`` at
    the first iteration to ``end`` at the last.

    - ``before_train``: compares each :class:`DCCNeck`'s memory bank with
      the number of (video, label) pairs of the training set and warns when
      they differ (a smaller bank forgets part of the set within an epoch,
      a larger one keeps stale copies).
    - ``before_train_iter``: pushes beta into the necks (under a model
      wrapper too).
    - ``after_train_iter``: logs ``dcc_beta`` and ``dcc_bank_filled`` (share
      of bank slots written).

    Args:
        start (float): beta at the first iteration. Defaults to 0.1.
        end (float): beta at the last iteration. Defaults to 10000.
        mode (str): ``'exponential'`` or ``'linear'``.
            Defaults to ``'exponential'``.
    """

    priority = 'NORMAL'

    def __init__(self,
                 start: float = 0.1,
                 end: float = 10000.0,
                 mode: str = 'exponential') -> None:
        if start <= 0 or end <= 0:
            raise ValueError(f'start and end must be > 0, got {start}, {end}')
        ramp_value(0.0, start, end, mode)  # checks the mode
        self.start, self.end, self.mode = start, end, mode
        self._necks: List[DCCNeck] = []

    @staticmethod
    def dcc_necks(runner) -> List[DCCNeck]:
        """The DCC necks of the runner's model."""
        return model_modules(runner, DCCNeck, 'DCCBetaHook')

    def beta(self, iteration: int, max_iters: int) -> float:
        """beta at a (0-based) iteration of ``max_iters``."""
        return ramp_value(iteration / max(1, max_iters - 1), self.start,
                          self.end, self.mode)

    def before_train(self, runner) -> None:
        self._necks = self.dcc_necks(runner)
        try:
            videos = training_videos(runner.train_dataloader.dataset)
        except (KeyError, ValueError) as e:
            print_log(f'DCCBetaHook: cannot count the training instances '
                      f'({e}); the bank size is not checked.',
                      logger='current', level=logging.WARNING)
            return
        instances = sum(len(set(info['labels'])) for info in videos)
        size = self._necks[0].bank.size
        level = logging.INFO if size == instances else logging.WARNING
        print_log(
            f'DCC: {len(videos)} training videos, {instances} (video, '
            f'label) pairs; the memory bank has {size} slots'
            + ('' if size == instances else
               f': set neck.bank_size={instances} to hold each once'),
            logger='current',
            level=level)

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch=None) -> None:
        if not self._necks:
            self._necks = self.dcc_necks(runner)
        beta = self.beta(runner.iter, runner.max_iters)
        for neck in self._necks:
            neck.set_beta(beta)

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        neck = self._necks[0]
        hub = runner.message_hub
        hub.update_scalar('train/dcc_beta', neck.beta)
        hub.update_scalar('train/dcc_bank_filled',
                          neck.bank.num_filled / neck.bank.size)


__all__ = ['DCCBetaHook', 'ramp_value']
