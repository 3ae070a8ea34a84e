import math
import os.path as osp
import random

import pytest
import torch
import torch.nn.functional as F
from mmaction.models.losses import BCELossWithLogits
from mmaction.structures import ActionDataSample

from mmwsal.models.losses import (ActionSaliencyEstimation, AdaptFocusLoss,
                                  action_focus_weight, clip_focus_mask)
from tests.dist_utils import load_script, run_torchrun

HERE = osp.dirname(osp.abspath(__file__))
E = math.e


def samples(video_index, clip_position, num_positions):
    out = []
    for v, t, n in zip(video_index, clip_position, num_positions):
        sample = ActionDataSample()
        sample.set_metainfo(
            dict(video_index=v, clip_position=t, num_positions=n))
        out.append(sample)
    return out


def logit(p):
    return math.log(p / (1 - p))


# Weights of Eqs. 5 and S1-S3 written out with the paper's factors.
HAND_WEIGHTS = {
    'exponential': (lambda d: 5 * math.exp(d), lambda d: math.exp(3 * d)),
    'constant': (lambda d: 5.0, lambda d: 0.75),
    'linear': (lambda d: 5 * (1 + d), lambda d: 1.0 * (1 + d)),
    'logarithmic': (lambda d: 5 * math.log(E + d),
                    lambda d: 1.0 * math.log(E + d)),
}


@pytest.mark.parametrize('weighting', sorted(HAND_WEIGHTS))
def test_action_focus_weight_against_the_equations(weighting):
    above, below = HAND_WEIGHTS[weighting]
    # a = 0.5, theta = 0.75: a_hat = 0.375, exact in binary.
    a_hat = 0.75 * 0.5
    for p in (0.375, 0.9, 1.0):  # p == a_hat takes the alpha branch
        got = action_focus_weight(
            torch.tensor([p], dtype=torch.float64),
            torch.tensor([a_hat], dtype=torch.float64), weighting)
        assert got.item() == pytest.approx(above(p - a_hat), rel=1e-12)
    for p in (0.375 - 1e-6, 0.2, 0.0):  # just below and far below
        got = action_focus_weight(
            torch.tensor([p], dtype=torch.float64),
            torch.tensor([a_hat], dtype=torch.float64), weighting)
        assert got.item() == pytest.approx(below(p - a_hat), rel=1e-12)


def test_action_focus_weight_given_factors_and_errors():
    p = torch.tensor([0.2, 0.8], dtype=torch.float64)
    a_hat = torch.tensor([0.5, 0.5], dtype=torch.float64)
    got = action_focus_weight(p, a_hat, 'exponential', alpha=2.0, beta=4.0)
    assert got.tolist() == pytest.approx(
        [math.exp(-4 * 0.3), 2 * math.exp(0.3)])
    with pytest.raises(ValueError, match='weighting'):
        action_focus_weight(p, a_hat, 'quadratic')
    with pytest.raises(ValueError, match='beta'):
        action_focus_weight(p, a_hat, beta=0.0)


def test_clip_focus_mask_against_eq7():
    t = torch.tensor([3, 3, 5, 6, 9, 2, 1])
    num = torch.tensor([10, 10, 10, 10, 10, 8, 6])
    lam = torch.tensor([3, 4, 0, 0, 0, 4, 0])
    # gamma 0: only the spike position itself.
    assert clip_focus_mask(t, num, lam, 0.0).tolist() == [1, 0, 0, 0, 0, 0, 0]
    # gamma 1: within T/2 of lambda (2*5/10 = 1 kept, 2*6/10 masked).
    assert clip_focus_mask(t, num, lam, 1.0).tolist() == [1, 1, 1, 0, 0, 1, 1]
    # Boundaries at the exact fractions: 2*2/8 = 1/2, 2*1/6 = 1/3.
    assert clip_focus_mask(t[5:], num[5:], lam[5:], 0.5).tolist() == [1, 1]
    assert clip_focus_mask(t[6:], num[6:], lam[6:], 1 / 3).tolist() == [1]
    assert clip_focus_mask(t[6:], num[6:], lam[6:], 0.33).tolist() == [0]


def two_video_loss(mode='adaptfocus', **kwargs):
    """Video 0 has labels {0, 2}, video 1 has {1}, 3 classes."""
    loss = AdaptFocusLoss(mode=mode, **kwargs)
    loss.saliency.set_instance_layout([[2, 0], [1]])
    return loss


def test_loss_against_hand_computed_values():
    loss = two_video_loss()
    loss.set_schedule(gamma=0.5, warmup=False)
    # Instances: 0 = (video 0, class 0), 1 = (video 0, class 2),
    # 2 = (video 1, class 1).
    loss.saliency.spike_actionness[:] = torch.tensor([0.9, 0.5, 0.3],
                                                     dtype=torch.float64)
    loss.saliency.spike_position[:] = torch.tensor([1, 7, 2])
    p = [[0.6, 0.2, 0.1], [0.7, 0.25, 0.05]]
    x = torch.tensor([[logit(v) for v in row] for row in p])
    y = torch.tensor([[1., 0., 1.], [0., 1., 0.]])
    # Clip 0: video 0 at t=3 of T=10; clip 1: video 1 at t=5 of T=8.
    with loss.clip_context(samples([0, 1], [3, 5], [10, 8])) as clip:
        got = loss(x, y)

    # Nothing beats the estimates, so a and lambda stay; a_hat = 0.75 a.
    assert loss.saliency.spike_actionness.tolist() == [0.9, 0.5, 0.3]
    # Clip 0 (video 0, t=3, T=10): class 0 has p=0.6 < a_hat=0.675 and
    # 2*|3-1|/10 = 0.4 <= 0.5; class 2 has p=0.1 < 0.375 and 0.8 > 0.5.
    w0, m0 = math.exp(-3 * (0.675 - 0.6)), 1.0
    w1, m1 = math.exp(-3 * (0.375 - 0.1)), 0.0
    # Clip 1 (video 1, t=5, T=8): class 1 has p=0.25 >= a_hat=0.225 and
    # 2*|5-2|/8 = 0.75 > 0.5.
    w2, m2 = 5 * math.exp(0.25 - 0.225), 0.0
    terms = [
        -m0 * w0 * math.log(0.6), -math.log(1 - 0.2),
        -m1 * w1 * math.log(0.1), -math.log(1 - 0.7),
        -m2 * w2 * math.log(0.25), -math.log(1 - 0.05)
    ]
    assert got.item() == pytest.approx(sum(terms) / 6, rel=1e-5)
    assert clip.diagnostics['above_threshold_ratio'].item() == \
        pytest.approx(1 / 3)
    assert clip.diagnostics['clip_focus_ratio'].item() == pytest.approx(1 / 3)
    assert clip.diagnostics['spike_actionness'].item() == \
        pytest.approx((0.9 + 0.5 + 0.3) / 3)


def test_loss_uses_the_estimates_after_this_steps_update():
    loss = two_video_loss()
    loss.set_schedule(gamma=0.0, warmup=False)
    x = torch.tensor([[logit(0.6), logit(0.2), logit(0.4)]])
    y = torch.tensor([[1., 0., 1.]])
    with loss.clip_context(samples([0], [4], [10])):
        got = loss(x, y)
    # Both instances of video 0 now peak at this clip: lambda = t, so M = 1
    # even at gamma 0, and a_hat = 0.75 p <= p.
    assert loss.saliency.spike_position[:2].tolist() == [4, 4]
    # a holds the float32 scores exactly.
    a = loss.saliency.spike_actionness[:2]
    assert torch.equal(a, torch.sigmoid(x[0, [0, 2]]).double())
    w = [5 * math.exp(0.25 * 0.6), 5 * math.exp(0.25 * 0.4)]
    expected = (-w[0] * math.log(0.6) - math.log(0.8) -
                w[1] * math.log(0.4)) / 3
    assert got.item() == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize('mode', ['clip_only', 'action_only', 'adaptfocus'])
def test_gradient_does_not_flow_through_w_and_m(mode):
    torch.manual_seed(0)
    loss = two_video_loss(mode=mode)
    loss.set_schedule(gamma=0.3, warmup=False)
    loss.saliency.spike_actionness[:] = torch.tensor([0.7, 0.2, 0.9],
                                                     dtype=torch.float64)
    loss.saliency.spike_position[:] = torch.tensor([0, 5, 3])
    x = (torch.randn(4, 3) * 0.5).requires_grad_()
    y = torch.tensor([[1., 0., 1.], [0., 1., 0.], [1., 0., 1.], [0., 1., 0.]])
    meta = samples([0, 1, 0, 1], [1, 3, 9, 4], [10, 6, 10, 6])
    loss.eval()  # fixed estimates: the analytic gradient reads them
    with loss.clip_context(meta):
        loss(x, y).backward()

    p = torch.sigmoid(x.detach()).double()
    a = loss.saliency.spike_actionness
    lam = loss.saliency.spike_position
    instance = {(0, 0): 0, (0, 2): 1, (1, 1): 2}
    expected = p.clone()  # negatives: d/dx -log(1 - p) = p
    for b, (v, t, n) in enumerate([(0, 1, 10), (1, 3, 6), (0, 9, 10),
                                   (1, 4, 6)]):
        for k in range(3):
            if y[b, k] == 1:
                i = instance[(v, k)]
                d = p[b, k].item() - 0.75 * a[i].item()
                w = 5 * math.exp(d) if d >= 0 else math.exp(3 * d)
                m = float(2 * abs(t - lam[i].item()) / n <= 0.3)
                w = {'clip_only': m, 'action_only': w,
                     'adaptfocus': m * w}[mode]
                expected[b, k] = -w * (1 - p[b, k])
    assert torch.allclose(x.grad.double(), expected / x.numel(), atol=1e-7)
    assert mode == 'action_only' or (expected[y == 1] == 0).any()


def test_noisy_mode_is_plain_bce():
    torch.manual_seed(0)
    x = torch.randn(4, 3) * 3
    y = torch.tensor([[1., 0., 1.], [0., 1., 0.], [1., 0., 1.], [0., 1., 0.]])
    bce = F.binary_cross_entropy_with_logits(x, y)
    assert torch.equal(BCELossWithLogits()(x, y), bce)
    # Without clip context: a drop-in BCE loss.
    assert torch.equal(AdaptFocusLoss(mode='noisy')(x, y), bce)
    # With it: the same value, and the estimates update.
    loss = two_video_loss(mode='noisy')
    with loss.clip_context(samples([0, 1, 0, 1], [1, 3, 9, 4], [10] * 4)):
        assert torch.equal(loss(x, y), bce)
    assert (loss.saliency.spike_actionness > 0).all()
    # Warm-up of any mode: BCE too.
    loss = two_video_loss(mode='adaptfocus')
    loss.set_schedule(0.5, warmup=True)
    with loss.clip_context(samples([0, 1, 0, 1], [1, 3, 9, 4], [10] * 4)):
        assert torch.equal(loss(x, y), bce)
    assert (loss.saliency.spike_actionness > 0).all()


def test_missing_metadata_and_layout_errors():
    x, y = torch.zeros(1, 3), torch.tensor([[1., 0., 1.]])
    loss = two_video_loss()
    with pytest.raises(RuntimeError, match='AdaptFocusRecognizer3D'):
        loss(x, y)
    sample = ActionDataSample()
    sample.set_metainfo(dict(video_index=0, num_positions=4))
    with pytest.raises(KeyError, match="'clip_position'.*meta_keys"):
        with loss.clip_context([sample]):
            pass
    with pytest.raises(ValueError, match='clip_position 4'):
        with loss.clip_context(samples([0], [4], [4])):
            pass
    with pytest.raises(ValueError, match='video_index 2'):
        with loss.clip_context(samples([2], [0], [4])):
            loss(x, y)
    with pytest.raises(ValueError, match='Class 1 .* video_index 0'):
        with loss.clip_context(samples([0], [0], [4])):
            loss(x, torch.tensor([[1., 1., 1.]]))
    unsized = AdaptFocusLoss()
    with pytest.raises(RuntimeError, match='AdaptFocusHook'):
        with unsized.clip_context(samples([0], [0], [4])):
            unsized(x, y)
    with pytest.raises(ValueError, match='mode'):
        AdaptFocusLoss(mode='clean')


def brute_force(layout, steps):
    """Eq. 3 clip by clip, each step's clips taken by increasing position,
    so that tied maxima keep the smallest position."""
    estimates = {}
    for video, classes in enumerate(layout):
        for k in classes:
            estimates[(video, k)] = [0.0, 0]
    for step in steps:
        for video, t, scores in sorted(step, key=lambda c: c[1]):
            for k in layout[video]:
                state = estimates[(video, k)]
                if scores[k] > state[0]:
                    state[0], state[1] = scores[k], t
    return estimates


def test_buffer_updates_match_a_brute_force_loop():
    rng = random.Random(0)
    num_classes = 5
    layout = [rng.sample(range(num_classes), rng.randint(1, 3))
              for _ in range(7)]
    saliency = ActionSaliencyEstimation()
    saliency.set_instance_layout(layout)
    steps = []
    for _ in range(12):
        # Repeated videos in a step; scores from a few float32-exact values,
        # so that equal maxima (ties) are common.
        step = [(rng.randrange(7), rng.randrange(6),
                 [rng.choice([0.25, 0.5, 0.75, 1.0]) * rng.choice([0.5, 1])
                  for _ in range(num_classes)]) for _ in range(9)]
        steps.append(step)
        order = list(range(len(step)))
        rng.shuffle(order)  # the batch order must not matter
        videos = torch.tensor([step[i][0] for i in order])
        rows, classes, instances = saliency.batch_instances(videos)
        scores = torch.tensor([step[i][2] for i in order])
        positions = torch.tensor([step[i][1] for i in order])
        saliency.update(instances, scores[rows, classes], positions[rows])

    expected = brute_force(layout, steps)
    offsets = saliency.instance_offsets
    for (video, k), (a, lam) in expected.items():
        i = int(offsets[video]) + sorted(layout[video]).index(k)
        assert saliency.instance_classes[i] == k
        assert saliency.spike_actionness[i].item() == a
        assert saliency.spike_position[i].item() == lam


def test_layout_checkpoint_round_trip_and_mismatch(tmp_path):
    saliency = ActionSaliencyEstimation()
    saliency.set_instance_layout([[3, 1], [0], [2, 0, 4]])
    assert saliency.instance_offsets.tolist() == [0, 2, 3, 6]
    assert saliency.instance_classes.tolist() == [1, 3, 0, 0, 2, 4]
    saliency.spike_actionness[:] = torch.rand(6, dtype=torch.float64)
    saliency.spike_position[:] = torch.arange(6) * 3
    torch.save(saliency.state_dict(), tmp_path / 'state.pth')

    restored = ActionSaliencyEstimation()  # unsized, as a fresh model
    restored.load_state_dict(torch.load(tmp_path / 'state.pth'))
    for name, value in saliency.state_dict().items():
        assert torch.equal(restored.state_dict()[name], value)
    restored.set_instance_layout([[1, 3], [0], [0, 2, 4]])  # same: kept
    assert torch.equal(restored.spike_actionness, saliency.spike_actionness)
    with pytest.raises(ValueError, match='video_index 2: label 4 .* 3'):
        restored.set_instance_layout([[1, 3], [0], [0, 2, 3]])
    with pytest.raises(ValueError, match='video_index 1 has a different'):
        restored.set_instance_layout([[1, 3], [0, 1], [0, 2]])
    with pytest.raises(ValueError, match='3 videos in the estimates, 4 in'):
        restored.set_instance_layout([[1, 3], [0], [0, 2, 4], [1]])
    restored.set_instance_layout([[1], [2]], reset_on_mismatch=True)
    assert restored.num_instances == 2
    assert restored.spike_actionness.tolist() == [0, 0]

    state = saliency.state_dict()
    state['spike_position'] = state['spike_position'][:4]
    with pytest.raises(ValueError, match='Inconsistent'):
        ActionSaliencyEstimation().load_state_dict(state)


def test_rank_mean_of_identical_estimates_is_exact():
    """SyncBuffersHook sums the buffers of n ranks and divides by n: exact
    for float32 values held in float64, not in float32."""
    scores = torch.rand(100000)
    held = scores.double()
    for n in range(2, 17):
        total = held.clone()
        for _ in range(n - 1):
            total = total + held
        assert torch.equal(torch.true_divide(total, n), held)
    total32 = scores + scores + scores
    assert not torch.equal(torch.true_divide(total32, 3), scores)


def test_two_ranks_end_with_the_single_process_estimates(tmp_path):
    script = osp.join(HERE, 'dist_buffer_script.py')
    run_torchrun(script, str(tmp_path))
    run_steps = load_script(script).run_steps
    single = run_steps(rank=0, world_size=1)
    ranks = [torch.load(tmp_path / f'rank{r}.pth') for r in range(2)]
    for name, value in single['state'].items():
        for result in ranks:
            assert torch.equal(result['state'][name], value), name
    assert single['state']['spike_actionness'].gt(0).all()
    # Each rank's loss equals the single-process loss of its clips.
    for r, result in enumerate(ranks):
        assert torch.allclose(
            result['losses'], single['shard_losses'][r], rtol=1e-6)
