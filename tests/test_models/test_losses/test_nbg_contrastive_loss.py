import numpy as np
import pytest
import torch
from mmaction.registry import MODELS

from mmwsal.models.losses import NBGContrastiveLoss


def reference(nbg, fg, margin=2.0, beta=1.0):
    """Eq. 7 with plain loops over pairs, NumPy float64."""
    nbg = np.asarray(nbg, np.float64)
    fg = np.asarray(fg, np.float64)
    nbg = nbg / np.linalg.norm(nbg, axis=1, keepdims=True)
    fg = fg / np.linalg.norm(fg, axis=1, keepdims=True)
    compress = 0.0
    for j in range(len(nbg)):
        for k in range(len(nbg)):
            if j != k:
                compress = max(compress, ((nbg[j] - nbg[k])**2).sum())
    closest = min(((f - n)**2).sum() for f in fg for n in nbg)
    return compress + beta * max(0.0, margin - closest)


@pytest.mark.parametrize('num_nbg, beta', [(1, 1.0), (3, 1.0), (5, 0.5)])
def test_against_numpy_loops(num_nbg, beta):
    rng = np.random.default_rng(num_nbg)
    nbg = rng.normal(size=(num_nbg, 6))
    fg = rng.normal(size=(7, 6))
    loss = NBGContrastiveLoss(beta=beta, loss_weight=0.05)(
        torch.tensor(nbg, dtype=torch.float32),
        torch.tensor(fg, dtype=torch.float32))
    assert loss.item() == pytest.approx(
        0.05 * reference(nbg, fg, beta=beta), rel=1e-5, abs=1e-6)


def test_hand_computed_cases():
    loss = MODELS.build(dict(type='NBGContrastiveLoss'))
    e0, e1 = torch.eye(2)
    # one NBG equal to a foreground feature: no compression, full margin
    assert loss(e0[None], e0[None]).item() == pytest.approx(2.0)
    # orthogonal foreground: distance 2 = margin, nothing to push
    assert loss(e0[None], e1[None]).item() == pytest.approx(0.0)
    # two opposite NBG: compression 4; the foreground e1 is at 2 from both
    nbg = torch.stack([e0, -e0])
    assert loss(nbg, e1[None]).item() == pytest.approx(4.0)


def test_no_nbg_gives_zero_with_a_graph_and_finite_gradients():
    fg = torch.randn(4, 3, requires_grad=True)
    zero = NBGContrastiveLoss()(torch.zeros(0, 3), fg)
    assert zero.item() == 0 and zero.requires_grad
    nbg = torch.ones(2, 3, requires_grad=True)  # identical pair
    NBGContrastiveLoss()(nbg, fg).backward()
    assert torch.isfinite(nbg.grad).all() and torch.isfinite(fg.grad).all()
    with pytest.raises(ValueError, match='one D'):
        NBGContrastiveLoss()(torch.zeros(2, 3), torch.zeros(2, 4))
