"""The DCC schedule: beta ramped over training, the bank's size checked."""
import logging
import math
from typing import Dict, List, Optional, Sequence

import torch
from mmaction.registry import HOOKS
from mmengine.dist import all_reduce
from mmengine.hooks import Hook
from mmengine.logging import print_log

from mmwsal.models.necks import DCCNeck
from .adaptfocus_hook import training_videos
from .model_modules import model_modules

BALANCES = (None, 'loss')


def ramp_value(progress: float, start: float, end: float,
               mode: str = 'exponential') -> float:
    """The ramp from ``start`` (progress 0) to ``end`` (progress 1).

    Args:
        progress (float): Share of the ramp done, clipped to [0, 1].
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


def ramp_progress(iteration: int, max_iters: int,
                  ramp: Sequence[float] = (0.0, 1.0)) -> float:
    """How far a (0-based) iteration of ``max_iters`` is through a ramp
    that spans the fractions ``ramp = (first, last)`` of the schedule.

    Args:
        iteration (int): The iteration.
        max_iters (int): Iterations of the schedule; the last one is at
            fraction 1.
        ramp (Sequence[float]): Where the ramp starts and ends, as
            fractions of the schedule. Defaults to ``(0.0, 1.0)``.

    Returns:
        float: 0 up to ``first``, 1 from ``last`` on, linear between.
    """
    first, last = ramp
    position = iteration / max(1, max_iters - 1)
    return min(max((position - first) / (last - first), 0.0), 1.0)


@HOOKS.register_module()
class DCCBetaHook(Hook):
    """Ramp the weight beta of the DCC loss (eq. 8) over training.

    The paper increases beta "from 0.1 to 10000 during network training",
    to "focus more on the MIL loss at the early training stage and
    regularize the feature space learning at later stage", without the
    curve. Here a value rises from ``start`` to ``end`` (exponentially by
    default: equal factors in equal times) over the fractions ``ramp`` of
    the schedule, so that the ramp stretches with the schedule's length;
    it is ``start`` before and ``end`` after.

    What the value is (``balance``):

    - ``None`` (the paper; the defaults are its 0.1 to 10000 over the whole
      schedule): beta itself. How much the contrast then weighs depends on
      the size of ``L_dcc``, which depends on the data far more than on
      the schedule: on features where the pseudo-labelled regions are easy
      to tell apart it falls to ~1e-4 within a few hundred iterations and
      stays negligible until beta passes ~500; on harder ones it stays
      ~0.5 and beta above ~10 makes it swamp the MIL loss, on 600
      iterations as on 5000 (``docs/dcc.md`` has the measurements).
    - ``'loss'``: the contrastive term's share of the other losses, ``beta
      L_dcc / L_base``: ``beta = value * L_base / L_dcc`` from running means
      (``momentum``) of the head's losses (every logged loss but
      ``loss_dcc``) and of ``l_dcc`` (the neck's unweighted ``L_dcc``),
      averaged over ranks, so that every rank uses the same beta. The
      first iteration measures them with beta 0. The share, not beta,
      then follows the schedule: MIL first, the contrast later, never
      negligible or swamping whatever the data. The running means are in
      the checkpoint and come back on resume. ``configs/dcc/`` ramp the
      share from 0.01 to 0.3.

    - ``before_train``: compares each :class:`DCCNeck`'s memory bank with
      the number of (video, label) pairs of the training set and warns when
      they differ (a smaller bank forgets part of the set within an epoch,
      a larger one keeps stale copies).
    - ``before_train_iter``: pushes beta into the necks (under a model
      wrapper too).
    - ``after_train_iter``: logs ``dcc_beta``, ``dcc_loss_ratio`` (``beta
      L_dcc / L_base`` of the iteration) and ``dcc_bank_filled`` (share of
      bank slots written).

    Args:
        start (float): The value where the ramp starts. Defaults to 0.1.
        end (float): The value where it ends. Defaults to 10000.
        mode (str): ``'exponential'`` or ``'linear'``.
            Defaults to ``'exponential'``.
        ramp (Sequence[float]): ``(first, last)``, the fractions of the
            schedule over which the value rises; iteration ``i`` of ``N``
            is at fraction ``i / (N - 1)``. Defaults to ``(0.0, 1.0)``
            (the whole schedule, as the paper).
        balance (str, optional): None (the value is beta) or ``'loss'``
            (the value is the share ``beta L_dcc / L_base``).
            Defaults to None.
        momentum (float): Weight of the past in the running means of
            ``balance='loss'``. Defaults to 0.9.
    """

    priority = 'NORMAL'

    def __init__(self,
                 start: float = 0.1,
                 end: float = 10000.0,
                 mode: str = 'exponential',
                 ramp: Sequence[float] = (0.0, 1.0),
                 balance: Optional[str] = None,
                 momentum: float = 0.9) -> None:
        if start <= 0 or end <= 0:
            raise ValueError(f'start and end must be > 0, got {start}, {end}')
        ramp_value(0.0, start, end, mode)  # checks the mode
        if len(ramp) != 2 or not 0 <= ramp[0] < ramp[1] <= 1:
            raise ValueError('ramp must be (first, last) with 0 <= first < '
                             f'last <= 1, got {ramp}')
        if balance not in BALANCES:
            raise ValueError(f'balance must be one of {BALANCES}, got '
                             f'{balance!r}')
        if not 0 <= momentum < 1:
            raise ValueError(f'momentum must be in [0, 1), got {momentum}')
        self.start, self.end, self.mode = start, end, mode
        self.ramp = tuple(float(r) for r in ramp)
        self.balance = balance
        self.momentum = momentum
        # running means (L_base, L_dcc) of balance='loss'
        self.running: Optional[List[float]] = None
        self._necks: List[DCCNeck] = []

    @staticmethod
    def dcc_necks(runner) -> List[DCCNeck]:
        """The DCC necks of the runner's model."""
        return model_modules(runner, DCCNeck, 'DCCBetaHook')

    def value(self, iteration: int, max_iters: int) -> float:
        """The ramped value (beta, or the share with ``balance='loss'``)
        at a (0-based) iteration of ``max_iters``."""
        return ramp_value(
            ramp_progress(iteration, max_iters, self.ramp), self.start,
            self.end, self.mode)

    def beta(self, iteration: int, max_iters: int) -> float:
        """beta at a (0-based) iteration of ``max_iters``, given the
        running means so far."""
        value = self.value(iteration, max_iters)
        if self.balance is None:
            return value
        if self.running is None:
            return 0.0  # nothing measured yet
        base, contrast = self.running
        return value * base / max(contrast, 1e-12)

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

    @staticmethod
    def losses_of(outputs: Dict) -> List[float]:
        """``(L_base, L_dcc, beta L_dcc)`` of an iteration's logged
        losses."""
        if not outputs or 'l_dcc' not in outputs:
            raise KeyError(
                'DCCBetaHook reads the losses the model logs, which hold no '
                f'l_dcc (got {sorted(outputs or {})}): the model needs a '
                'DCCNeck')
        def scalar(value) -> float:
            return float(torch.as_tensor(value).detach())

        base = sum(
            scalar(v) for k, v in outputs.items()
            if 'loss' in k and k not in ('loss', 'loss_dcc'))
        return [base, scalar(outputs['l_dcc']), scalar(outputs['loss_dcc'])]

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
        if self.balance is None and 'l_dcc' not in (outputs or {}):
            return  # the plain ramp needs no losses
        base, contrast, weighted = self.losses_of(outputs)
        hub.update_scalar('train/dcc_loss_ratio',
                          weighted / max(base, 1e-12))
        if self.balance is not None:
            self.update_running(base, contrast)

    def update_running(self, base: float, contrast: float) -> None:
        """Fold an iteration's ``L_base`` and ``L_dcc`` (averaged over
        ranks) into the running means."""
        measured = torch.tensor([base, contrast], dtype=torch.float64)
        all_reduce(measured, op='mean')
        measured = measured.tolist()
        if self.running is None:
            self.running = measured
        else:
            self.running = [
                self.momentum * r + (1 - self.momentum) * m
                for r, m in zip(self.running, measured)
            ]

    def before_save_checkpoint(self, runner, checkpoint: Dict) -> None:
        if self.running is not None:
            checkpoint['dcc_beta_hook'] = dict(running=list(self.running))

    def after_load_checkpoint(self, runner, checkpoint: Dict) -> None:
        state = checkpoint.get('dcc_beta_hook')
        if state is not None:
            self.running = list(state['running'])


__all__ = ['DCCBetaHook', 'ramp_progress', 'ramp_value']
