"""BaS-Net as its paper and reference network define it, and the inference
options every head shares."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmaction.registry import MODELS

from mmwsal.models.heads import SHARED_TEST_CFG
from .test_wstal_heads import samples as wstal_samples


def samples(labels):
    """Data samples of 1-second snippets in long videos."""
    return wstal_samples(labels, seconds=1.0, duration=1000.0)


def build(**kwargs):
    cfg = dict(type='BaSNetHead', in_channels=5, num_classes=3,
               filter_channels=4, cas_channels=6, dropout=0.0)
    cfg.update(kwargs)
    return MODELS.build(cfg)


def leaky(x):
    return np.where(x > 0, x, 0.01 * x)


def conv1d_loop(x, w, b):
    """``(D, T)`` through a 'same'-padded temporal convolution, by loops."""
    d_out, _, h = w.shape
    out = np.zeros((d_out, x.shape[1]))
    for t in range(x.shape[1]):
        for i in range(h):
            src = t - h // 2 + i
            if 0 <= src < x.shape[1]:
                out[:, t] += w[:, :, i] @ x[:, src]
        if b is not None:
            out[:, t] += b
    return out


def reference_branches(head, x):
    """BaS-Net's forward on one video ``(D, T)`` in NumPy float64: the
    filter on the input features, the CAS module on x and on att * x."""
    p = {k: v.detach().double().numpy() for k, v in head.state_dict().items()}
    hid = leaky(p['filter.0.weight'][:, :, 0] @ x + p['filter.0.bias'][:, None])
    att = 1 / (1 + np.exp(-(p['filter.2.weight'][:, :, 0] @ hid +
                            p['filter.2.bias'][:, None])))[0]

    def cas(inp):
        h1 = leaky(conv1d_loop(inp, p['cas_module.conv1.weight'],
                               p['cas_module.conv1.bias']))
        h2 = leaky(conv1d_loop(h1, p['cas_module.conv2.weight'],
                               p['cas_module.conv2.bias']))
        return (p['cas_module.classifier.weight'][:, :, 0] @ h2).T  # (T, K)

    return att, cas(x), cas(att[None] * x)


def test_suppression_branch_filters_the_raw_features():
    torch.manual_seed(0)
    head = build().eval()
    x = torch.randn(2, 5, 11)
    out = head(x)
    for i in range(2):
        att, base, supp = reference_branches(head, x[i].double().numpy())
        np.testing.assert_allclose(out['attention'][i].detach(), att,
                                   rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(out['base_cas'][i].detach(), base,
                                   rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(out['supp_cas'][i].detach(), supp,
                                   rtol=1e-4, atol=1e-5)
    # the classifier has no bias: a zero hidden state gives zero logits
    assert head.cas_module.classifier.bias is None
    # top-k (k = 11 // 8 = 1) video logits of both branches
    torch.testing.assert_close(out['supp_video_logits'],
                               out['supp_cas'].amax(dim=1))


def test_losses_against_hand_computation():
    torch.manual_seed(1)
    head = build(norm_weight=0.5)
    x = torch.randn(2, 5, 16)
    labels = [[1, 0, 0], [1, 1, 0]]
    out = head(x)
    losses = head.loss_by_feat(out, samples(labels))

    def soft_ce(logits, target):
        target = np.asarray(target, float) / np.sum(target)
        logp = F.log_softmax(logits.detach().double(), -1).numpy()
        return -(target * logp).sum()

    base = np.mean([soft_ce(out['base_video_logits'][i], labels[i] + [1])
                    for i in range(2)])
    supp = np.mean([soft_ce(out['supp_video_logits'][i], labels[i] + [0])
                    for i in range(2)])
    assert losses['loss_base'].item() == pytest.approx(base, rel=1e-5)
    assert losses['loss_supp'].item() == pytest.approx(supp, rel=1e-5)
    # L1 norm summed over the 16 snippets, averaged over the two videos
    att = out['attention'].detach().double().numpy()
    norm = np.mean([np.abs(att[i]).sum() for i in range(2)])
    assert losses['loss_norm'].item() == pytest.approx(0.5 * norm, rel=1e-5)
    mean_head = build(norm_weight=0.5, norm_reduction='mean')
    mean_head.load_state_dict(head.state_dict())
    mean_losses = mean_head.loss_by_feat(out, samples(labels))
    assert mean_losses['loss_norm'].item() == pytest.approx(
        0.5 * norm / 16, rel=1e-5)


def test_inference_thresholds_the_minmax_suppression_cas():
    """A suppression T-CAS whose class-0 logits rise from -1 to 3 inside
    snippets 4-7: min-max normalised with the reference's clipping of the
    minimum at 0, interpolated 24x, thresholded at 0:0.025:0.25."""
    head = build(test_cfg=dict(nms_method=None, max_proposals=None))
    assert head.test_cfg['upsample'] == 24
    assert head.test_cfg['iou_threshold'] == 0.7
    supp = torch.full((1, 12, 4), -1.0)
    supp[0, 4:8, 0] = 3.0
    video = torch.tensor([[4.0, 0.0, 0.0, 0.0]])
    outputs = dict(supp_cas=supp, supp_video_logits=video,
                   base_cas=supp * 0, base_video_logits=video * 0,
                   attention=torch.ones(1, 12))
    tcas = head.inference_tcas(outputs)
    # min -1 clipped to 0, max 3: (x - 0) / 3
    np.testing.assert_allclose(tcas[0, :, 0],
                               np.where(np.arange(12) // 4 == 1, 1, -1 / 3))
    [sample] = head.predict_by_feat(outputs, samples([[1, 0, 0]]))
    pred = sample.pred_instances
    assert set(pred.labels.tolist()) == {0}
    # the upsampled sequence crosses 0 between snippets 3 and 4 and 7 and
    # 8; at threshold t it is above t after 3 + (1/3 + t) / (4/3): the
    # proposal starts at the first 1/24-snippet sample past that
    for t in np.arange(0, 0.25, 0.025):
        start = 3 + (1 / 3 + t) / (4 / 3)
        first = (np.floor(start * 24 + 1e-9) + 1) / 24
        assert np.any(np.isclose(pred.segments[:, 0].numpy(), first)), t
    # scores: OIC + 0.2 x softmax class score
    assert pred.scores.max().item() > 1.0
    # inference from the base branch when asked; the video scores follow
    # it unless score_branch says otherwise (DCC: the suppression branch)
    head.set_test_cfg(dict(head.test_cfg, branch='base', score_branch=None))
    torch.testing.assert_close(
        head.inference_video_scores(outputs),
        torch.full((1, 3), 0.25))
    np.testing.assert_allclose(head.inference_tcas(outputs), 0.0)
    head.set_test_cfg(dict(head.test_cfg, score_branch='supp'))
    torch.testing.assert_close(
        head.inference_video_scores(outputs),
        video.softmax(-1)[:, :3])


def test_class_threshold_never_below_chance():
    # 3 classes + background: chance 0.25
    assert build(test_cfg=dict(class_threshold=0.25)).class_threshold == 0.25
    low = build(test_cfg=dict(class_threshold=0.2, chance_factor=1.5))
    assert low.class_threshold == pytest.approx(1.5 * 0.25)
    # BaS-Net's 0.25 (set for 20 classes) on 2 classes: chance is 1/3
    assert build(num_classes=2).class_threshold == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match='class_threshold'):
        build(test_cfg=dict(class_threshold='half'))
    head = build(test_cfg=dict(class_threshold='chance', chance_factor=2.0))
    assert head.class_threshold == pytest.approx(0.5)
    mil = MODELS.build(dict(type='MILHead', in_channels=2, num_classes=4,
                            test_cfg=dict(class_threshold='chance')))
    assert mil.class_threshold == pytest.approx(2.0 / 4)


@pytest.mark.parametrize('head_type', ['MILHead', 'BaSNetHead',
                                       'BackgroundModelingHead',
                                       'BackTALHead'])
def test_shared_post_processing_normalises_every_head(head_type):
    kwargs = {} if head_type in ('MILHead', 'BackgroundModelingHead') else \
        dict(cas_channels=6, filter_channels=4)
    torch.manual_seed(0)
    head = MODELS.build(dict(type=head_type, in_channels=5, num_classes=3,
                             **kwargs)).eval()
    head.set_test_cfg(SHARED_TEST_CFG)
    assert head.test_cfg['tcas_norm'] == 'minmax'
    outputs = head(torch.randn(1, 5, 20).abs())
    tcas = head.inference_tcas(outputs)
    assert tcas.shape == (1, 20, 3)
    raw = head.inference_cas(outputs)[0, :, :3].detach().double().numpy()
    positive = raw.max(0) > 0
    np.testing.assert_allclose(tcas[0].max(0)[positive], 1.0)
    # whatever the head, the threshold is twice its chance level
    assert head.class_threshold == pytest.approx(2 * head.chance_level)
