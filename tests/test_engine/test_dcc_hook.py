"""DCCBetaHook: the beta ramp pushed into the neck."""
import math
from types import SimpleNamespace

import pytest
import torch.nn as nn
from mmengine.logging import MessageHub

from mmwsal.engine.hooks import DCCBetaHook, ramp_value
from mmwsal.models.necks import DCCNeck


def fake_runner(model, iteration, max_iters):
    return SimpleNamespace(
        model=model, iter=iteration, max_iters=max_iters,
        message_hub=MessageHub.get_instance('dcc_hook_test'))


def model_with_neck():
    model = nn.Module()
    model.neck = DCCNeck(in_channels=4, num_classes=2, bank_size=3,
                         projection_channels=4, hidden_channels=4)
    return model


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


def test_linear_ramp_and_the_ends():
    hook = DCCBetaHook(start=1.0, end=3.0, mode='linear')
    assert [hook.beta(i, 5) for i in range(5)] == [1.0, 1.5, 2.0, 2.5, 3.0]
    assert hook.beta(0, 1) == 1.0  # a single iteration starts the ramp
    assert ramp_value(2.0, 0.1, 10.0) == pytest.approx(10.0)  # clipped
    assert ramp_value(0.5, 0.1, 10.0) == pytest.approx(1.0)
    assert math.isclose(ramp_value(0.25, 1, 16), 2.0)


def test_bad_settings_and_a_model_without_neck():
    with pytest.raises(ValueError, match='mode'):
        DCCBetaHook(mode='cosine')
    with pytest.raises(ValueError, match='> 0'):
        DCCBetaHook(start=0.0)
    with pytest.raises(RuntimeError, match='no DCCNeck'):
        DCCBetaHook().before_train_iter(fake_runner(nn.Linear(2, 2), 0, 5),
                                        0)
