import math

import numpy as np
import pytest
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample

from mmwsal.models.heads import gaussian_smooth, topk_mean


def samples(labels, seconds=0.5, duration=100.0):
    out = []
    for i, lab in enumerate(labels):
        s = ActionDataSample()
        s.set_gt_labels(torch.tensor(lab))
        s.set_metainfo(dict(video_id=f'v{i}', snippet_seconds=seconds,
                            duration=duration))
        out.append(s)
    return out


def soft_ce(logits, target):
    """Reference: -sum (y / sum y) log softmax, one row, NumPy."""
    logits = np.asarray(logits, np.float64)
    target = np.asarray(target, np.float64)
    logp = logits - np.log(np.exp(logits).sum())
    return -(target / target.sum() * logp).sum()


def test_topk_mean_against_sort():
    x = torch.randn(3, 17, 4)
    out = topk_mean(x, 8)  # k = 17 // 8 = 2
    ref = x.sort(dim=1, descending=True).values[:, :2].mean(dim=1)
    torch.testing.assert_close(out, ref)
    # fewer than 8 snippets: still one
    torch.testing.assert_close(topk_mean(x[:, :5], 8), x[:, :5].amax(1))


def test_mil_loss_hand_computed():
    head = MODELS.build(dict(type='MILHead', in_channels=2, num_classes=2))
    with torch.no_grad():
        head.classifier.weight.copy_(torch.eye(2)[:, :, None])
        head.classifier.bias.zero_()
    # 8 snippets -> k = 1: video logits are the per-class maxima
    feats = torch.zeros(1, 2, 8)
    feats[0, 0, 3] = 2.0
    feats[0, 1, 5] = 1.0
    out = head(feats)
    torch.testing.assert_close(out['video_logits'], torch.tensor([[2., 1.]]))
    loss = head.loss(feats, samples([[1, 1]]))['loss_cls']
    assert loss.item() == pytest.approx(soft_ce([2, 1], [1, 1]), rel=1e-6)
    assert out['attention'] is None


def gaussian_smooth_reference(x, sigma):
    radius = max(1, math.ceil(3 * sigma))
    k = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma)**2)
    k /= k.sum()
    out = np.zeros_like(x)
    for t in range(len(x)):
        for j, off in enumerate(range(-radius, radius + 1)):
            out[t] += k[j] * x[min(max(t + off, 0), len(x) - 1)]
    return out


def test_gaussian_smooth_against_loop():
    x = np.random.default_rng(0).random(20)
    for sigma in (0.5, 1.0, 2.5):
        out = gaussian_smooth(torch.tensor(x)[None], sigma)[0].numpy()
        np.testing.assert_allclose(out, gaussian_smooth_reference(x, sigma),
                                   rtol=1e-10)
    np.testing.assert_array_equal(
        gaussian_smooth(torch.tensor(x)[None], 0)[0].numpy(), x)


def build_bm(sigma=1.0):
    return MODELS.build(
        dict(type='BackgroundModelingHead', in_channels=3, num_classes=2,
             attention_channels=4, sigma=sigma))


def test_background_modeling_pooling_and_losses():
    torch.manual_seed(0)
    head = build_bm()
    feats = torch.randn(1, 3, 10)
    out = head(feats)
    lam = out['attention'][0].detach().numpy().astype(np.float64)
    x = feats[0].T.numpy().astype(np.float64)  # (T, D)
    x_fg = (lam[:, None] * x).sum(0) / 10  # eq. 1: 1/T, not 1/sum(lambda)
    x_bg = ((1 - lam)[:, None] * x).sum(0) / 10  # eq. 4
    np.testing.assert_allclose(out['x_fg'][0].detach().numpy(), x_fg,
                               rtol=1e-5)
    np.testing.assert_allclose(out['x_bg'][0].detach().numpy(), x_bg,
                               rtol=1e-5)
    w = head.classifier.weight.detach().numpy().astype(np.float64)  # (3, D)
    u = head.cluster.weight.detach().numpy().astype(np.float64)  # (2, D)
    labels = [0, 1]
    losses = head.loss(feats, samples([labels]))
    # L_fg = -log p_fg[y], L_bg = -log p_bg[background] (weight 0.1)
    assert losses['loss_fg'].item() == pytest.approx(
        soft_ce(w @ x_fg, [0, 1, 0]), rel=1e-5)
    assert losses['loss_bg'].item() == pytest.approx(
        0.1 * soft_ce(w @ x_bg, [0, 0, 1]), rel=1e-5)
    # L_cluster = -log z_fg - log z_bg (eqs. 8-10)
    ref_cluster = soft_ce(u @ x_fg, [1, 0]) + soft_ce(u @ x_bg, [0, 1])
    assert losses['loss_cluster'].item() == pytest.approx(
        0.1 * ref_cluster, rel=1e-5)
    # L_guide against targets of eqs. 6-7 computed here
    logits = x @ w.T
    probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    hat_fg = gaussian_smooth_reference(probs[:, 1], 1.0)
    hat_bg = gaussian_smooth_reference(1 - probs[:, 2], 1.0)
    ref_guide = np.abs(lam - hat_fg).mean() + np.abs(lam - hat_bg).mean()
    assert losses['loss_guide'].item() == pytest.approx(
        0.1 * ref_guide, rel=1e-5)


def test_background_modeling_guide_targets_max_over_labels_and_detached():
    head = build_bm(sigma=0)
    logits = torch.tensor([[[2.0, 0.0, 0.0, 1.0], [0.0, 3.0, 0.0, 0.0]]],
                          requires_grad=True)  # (B=1, T=2, C+1=4)
    labels = torch.tensor([[1.0, 1.0, 0.0]])
    hat_fg, hat_bg = head.guide_targets(logits, labels)
    p = logits.detach().softmax(-1)
    torch.testing.assert_close(hat_fg[0], p[0, :, :2].amax(-1))
    torch.testing.assert_close(hat_bg[0], 1 - p[0, :, 3])
    assert not hat_fg.requires_grad and not hat_bg.requires_grad


def test_background_modeling_guide_loss_trains_only_attention():
    torch.manual_seed(1)
    head = build_bm()
    feats = torch.randn(2, 3, 12)
    losses = head.loss(feats, samples([[1, 0], [0, 1]]))
    losses['loss_guide'].backward()
    assert head.classifier.weight.grad is None or torch.all(
        head.classifier.weight.grad == 0)
    assert head.attention[0].weight.grad.abs().sum() > 0


def test_predict_localizes_a_planted_action():
    """A T-CAS with class 0 high on snippets 10-19 of 40 gives a detection
    of class 0 at 5-10 s; class 0 being index 0 must not be dropped."""
    head = MODELS.build(
        dict(type='MILHead', in_channels=2, num_classes=2,
             test_cfg=dict(class_threshold=0.5, tcas_norm=None)))
    tcas = torch.full((1, 40, 2), 0.02)
    tcas[0, 10:20, 0] = 0.9
    outputs = dict(
        video_scores=torch.tensor([[0.8, 0.1]]), cas_logits=tcas,
        attention=None)
    [sample] = head.predict_by_feat(outputs, samples([[1, 0]], seconds=0.5))
    pred = sample.pred_instances
    assert pred.labels[0].item() == 0
    np.testing.assert_allclose(pred.segments[0].numpy(), [5.0, 10.0])
    assert set(pred.labels.tolist()) == {0}
    torch.testing.assert_close(sample.pred_scores.item,
                               torch.tensor([0.8, 0.1]))


def test_predict_clips_segments_to_the_duration():
    head = MODELS.build(dict(type='MILHead', in_channels=2, num_classes=1))
    tcas = torch.full((1, 10, 1), 0.9)
    outputs = dict(video_scores=torch.tensor([[0.9]]), cas_logits=tcas,
                   attention=None)
    [sample] = head.predict_by_feat(
        outputs, samples([[1]], seconds=1.0, duration=9.5))
    assert sample.pred_instances.segments.max().item() == 9.5


def test_label_width_mismatch_names_the_video():
    head = MODELS.build(dict(type='MILHead', in_channels=2, num_classes=3))
    with pytest.raises(ValueError, match='video v0.*num_classes=3'):
        head.loss(torch.randn(1, 2, 8), samples([[1, 0]]))


def test_thresholds_from_a_range_dict():
    head = MODELS.build(
        dict(type='BaSNetHead', in_channels=2, num_classes=2,
             test_cfg=dict(thresholds=dict(start=0.1, stop=0.3, step=0.1))))
    np.testing.assert_allclose(head.thresholds, [0.1, 0.2])
    with pytest.raises(ValueError, match='unknown keys'):
        MODELS.build(
            dict(type='MILHead', in_channels=2, num_classes=2,
                 test_cfg=dict(thresholds=dict(begin=0, stop=1, step=.1))))
