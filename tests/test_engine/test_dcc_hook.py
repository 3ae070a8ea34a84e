"""DCCBetaHook: the beta ramp over the schedule, the loss-balanced share,
and their push into the neck."""
import math
from types import SimpleNamespace

import pytest
import torch
import torch.nn as nn
from mmengine.logging import MessageHub

from mmwsal.engine.hooks import DCCBetaHook, ramp_value
from mmwsal.engine.hooks.dcc_hook import ramp_progress
from mmwsal.models.necks import DCCNeck


def fake_runner(model, iteration, max_iters, name='dcc_hook_test'):
    return SimpleNamespace(
        model=model, iter=iteration, max_iters=max_iters,
        message_hub=MessageHub.get_instance(name))


def model_with_neck():
    model = nn.Module()
    model.neck = DCCNeck(in_channels=4, num_classes=2, bank_size=3,
                         projection_channels=4, hidden_channels=4)
    return model


def logged(base_losses, l_dcc, beta):
    """What the model logs for an iteration (mmengine's log_vars): the
    total, the head's losses, ``loss_dcc = beta * l_dcc`` and ``l_dcc``."""
    out = {f'loss_{i}': torch.tensor(v) for i, v in enumerate(base_losses)}
    out['loss_dcc'] = torch.tensor(beta * l_dcc)
    out['l_dcc'] = torch.tensor(l_dcc)
    out['loss'] = torch.tensor(sum(base_losses) + beta * l_dcc)
    return out


@pytest.mark.parametrize('iteration,beta', [(0, 0.1), (20, 1.0), (40, 10.0),
                                            (50, 0.1 * 10**2.5),
                                            (80, 1000.0), (100, 10000.0)])
def test_exponential_ramp_reaches_each_decade_every_fifth(iteration, beta):
    model = model_with_neck()
    hook = DCCBetaHook()
    runner = fake_runner(model, iteration, 101)
    hook.before_train_iter(runner, iteration)
    assert model.neck.beta == pytest.approx(beta, rel=1e-12)
    hook.after_train_iter(runner, iteration)
    assert runner.message_hub.get_scalar('train/dcc_beta').current() == \
        pytest.approx(beta, rel=1e-12)
    assert runner.message_hub.get_scalar(
        'train/dcc_bank_filled').current() == 0


@pytest.mark.parametrize('max_iters', [600, 5000])
def test_the_ramp_stretches_with_the_schedule(max_iters):
    """The same fractions of a 600- and a 5000-iteration schedule get the
    same beta: held at 0.1 for the first fifth, a decade every
    (0.8 - 0.2) / 5 = 12% of the schedule, 10000 from 80% on."""
    hook = DCCBetaHook(ramp=(0.2, 0.8))
    last = max_iters - 1
    for fraction, beta in [(0.0, 0.1), (0.1, 0.1), (0.2, 0.1), (0.32, 1.0),
                           (0.5, 0.1 * 10**2.5), (0.68, 1000.0),
                           (0.8, 10000.0), (1.0, 10000.0)]:
        iteration = fraction * last
        assert hook.beta(iteration, max_iters) == pytest.approx(
            beta, rel=1e-9), fraction
    # at integer iterations: 600 iterations reach 1.0 at 0.32 * 599
    assert hook.beta(191, 600) == pytest.approx(
        0.1 * 10**(5 * (191 / 599 - 0.2) / 0.6), rel=1e-12)


def test_ramp_progress_and_values():
    assert ramp_progress(0, 11, (0.2, 0.7)) == 0.0
    assert ramp_progress(2, 11, (0.2, 0.7)) == 0.0
    assert ramp_progress(3, 11, (0.2, 0.7)) == pytest.approx(0.2)
    assert ramp_progress(7, 11, (0.2, 0.7)) == 1.0
    assert ramp_progress(10, 11) == 1.0
    assert ramp_progress(0, 1) == 0.0  # a single iteration starts the ramp
    hook = DCCBetaHook(start=1.0, end=3.0, mode='linear')
    assert [hook.beta(i, 5) for i in range(5)] == [1.0, 1.5, 2.0, 2.5, 3.0]
    assert ramp_value(2.0, 0.1, 10.0) == pytest.approx(10.0)  # clipped
    assert ramp_value(0.5, 0.1, 10.0) == pytest.approx(1.0)
    assert math.isclose(ramp_value(0.25, 1, 16), 2.0)


def test_loss_balance_sets_the_share_of_the_contrast():
    """balance='loss': beta = share * L_base / L_dcc from running means;
    the first iteration only measures (beta 0)."""
    model = model_with_neck()
    hook = DCCBetaHook(start=0.01, end=1.0, balance='loss', momentum=0.5)
    name = 'dcc_hook_balance'
    runner = fake_runner(model, 0, 3, name)
    hook.before_train_iter(runner, 0)
    assert model.neck.beta == 0.0
    hook.after_train_iter(runner, 0, outputs=logged([1.5, 0.5], 4.0, 0.0))
    assert hook.running == [2.0, 4.0]
    assert runner.message_hub.get_scalar(
        'train/dcc_loss_ratio').current() == 0.0

    runner.iter = 1  # share 0.01 * 100 ** 0.5 = 0.1
    hook.before_train_iter(runner, 1)
    assert model.neck.beta == pytest.approx(0.1 * 2.0 / 4.0)
    hook.after_train_iter(runner, 1, outputs=logged([3.0], 2.0, 0.05))
    # means 0.5 * 2 + 0.5 * 3 = 2.5 and 0.5 * 4 + 0.5 * 2 = 3
    assert hook.running == pytest.approx([2.5, 3.0])
    assert runner.message_hub.get_scalar(
        'train/dcc_loss_ratio').current() == pytest.approx(0.05 * 2 / 3)

    runner.iter = 2  # share 1
    hook.before_train_iter(runner, 2)
    assert model.neck.beta == pytest.approx(2.5 / 3.0)

    # the running means travel in the checkpoint
    checkpoint = {}
    hook.before_save_checkpoint(runner, checkpoint)
    resumed = DCCBetaHook(start=0.01, end=1.0, balance='loss')
    resumed.after_load_checkpoint(runner, checkpoint)
    assert resumed.beta(2, 3) == pytest.approx(2.5 / 3.0)
    # a checkpoint without them (the first stage's) changes nothing
    fresh = DCCBetaHook(balance='loss')
    fresh.after_load_checkpoint(runner, {'meta': {}})
    assert fresh.running is None


def test_bad_settings_and_a_model_without_neck():
    with pytest.raises(ValueError, match='mode'):
        DCCBetaHook(mode='cosine')
    with pytest.raises(ValueError, match='> 0'):
        DCCBetaHook(start=0.0)
    with pytest.raises(ValueError, match='ramp'):
        DCCBetaHook(ramp=(0.5, 0.5))
    with pytest.raises(ValueError, match='balance'):
        DCCBetaHook(balance='grad')
    with pytest.raises(RuntimeError, match='no DCCNeck'):
        DCCBetaHook().before_train_iter(fake_runner(nn.Linear(2, 2), 0, 5),
                                        0)
    hook = DCCBetaHook(balance='loss')
    runner = fake_runner(model_with_neck(), 0, 5)
    hook.before_train_iter(runner, 0)
    with pytest.raises(KeyError, match='l_dcc'):
        hook.after_train_iter(runner, 0, outputs={'loss': torch.tensor(1.)})
