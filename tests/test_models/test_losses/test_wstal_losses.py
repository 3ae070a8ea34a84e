import math

import pytest
import torch

from mmwsal.models.losses import AttentionGuideLoss, SoftTargetCrossEntropyLoss


def test_soft_target_ce_hand_computed():
    # softmax([0, ln 3]) = [1/4, 3/4]; two labels -> weights [1/2, 1/2]
    logits = torch.tensor([[0.0, math.log(3.0)], [2.0, 0.0]])
    targets = torch.tensor([[1.0, 1.0], [1.0, 0.0]])
    row0 = -0.5 * (math.log(0.25) + math.log(0.75))
    row1 = -math.log(math.exp(2) / (math.exp(2) + 1))
    loss = SoftTargetCrossEntropyLoss()(logits, targets)
    assert loss.item() == pytest.approx((row0 + row1) / 2, rel=1e-6)
    weighted = SoftTargetCrossEntropyLoss(loss_weight=0.1)(logits, targets)
    assert weighted.item() == pytest.approx(0.1 * loss.item(), rel=1e-6)


def test_soft_target_ce_skips_unlabelled_rows():
    logits = torch.tensor([[0.0, math.log(3.0)], [5.0, -5.0]],
                          requires_grad=True)
    targets = torch.tensor([[0.0, 1.0], [0.0, 0.0]])
    loss = SoftTargetCrossEntropyLoss()(logits, targets)
    assert loss.item() == pytest.approx(-math.log(0.75), rel=1e-6)
    loss.backward()
    assert torch.all(logits.grad[1] == 0)
    empty = SoftTargetCrossEntropyLoss()(logits, torch.zeros(2, 2))
    assert empty.item() == 0


def test_soft_target_ce_shape_error():
    with pytest.raises(ValueError, match='one shape'):
        SoftTargetCrossEntropyLoss()(torch.zeros(2, 3), torch.zeros(2, 4))


def test_attention_guide_loss_hand_computed():
    att = torch.tensor([[0.0, 0.5, 1.0, 1.0]])
    t1 = torch.tensor([[0.0, 0.0, 1.0, 0.0]])  # |d| = 0, .5, 0, 1 -> .375
    t2 = torch.tensor([[1.0, 0.5, 1.0, 1.0]])  # |d| = 1, 0, 0, 0 -> .25
    loss = AttentionGuideLoss(loss_weight=0.1)(att, t1, t2)
    assert loss.item() == pytest.approx(0.1 * (0.375 + 0.25))
    with pytest.raises(ValueError, match='at least one target'):
        AttentionGuideLoss()(att)
