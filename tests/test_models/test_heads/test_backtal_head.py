import math

import numpy as np
import pytest
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample

from mmwsal.models.heads import local_affinity, masked_temporal_conv


def test_masked_conv_equals_a_loop_over_positions():
    torch.manual_seed(0)
    x, w, b = torch.randn(2, 3, 7), torch.randn(4, 3, 3), torch.randn(4)
    a = torch.rand(2, 3, 7)
    out = masked_temporal_conv(x, w, b, a)
    ref = torch.zeros(2, 4, 7)
    for n in range(2):
        for t in range(7):
            for i in range(3):
                src = t - 1 + i
                if 0 <= src < 7:
                    ref[n, :, t] += w[:, :, i] @ x[n, :, src] * a[n, i, t]
            ref[n, :, t] += b
    torch.testing.assert_close(out, ref)
    # an all-ones mask is the plain convolution
    torch.testing.assert_close(
        masked_temporal_conv(x, w, b, torch.ones(2, 3, 7)),
        torch.nn.functional.conv1d(x, w, b, padding=1))


def test_local_affinity_is_neighbour_cosine():
    emb = torch.tensor([[[1.0, 1.0, 0.0, -1.0]], [[0.0, 0.0, 2.0, 0.0]]])
    emb = emb.transpose(0, 1)  # (B=1, E=2, T=4)
    a = local_affinity(emb, 3)[0]  # (3, 4): left, self, right
    torch.testing.assert_close(a[1], torch.ones(4))
    assert a[0, 0] == 0 and a[2, 3] == 0  # beyond the ends
    # e_1 = (1, 0), e_2 = (0, 1): orthogonal; e_0 = e_1; e_3 = (-1, 0)
    torch.testing.assert_close(a[2, :3], torch.tensor([1.0, 0.0, 0.0]))
    torch.testing.assert_close(a[0, 1:], torch.tensor([1.0, 0.0, 0.0]))


def build(**kwargs):
    cfg = dict(type='BackTALHead', in_channels=4, num_classes=2,
               cas_channels=8, embed_channels=3, embed_hidden=5,
               filter_channels=4, dropout=0.0)
    cfg.update(kwargs)
    return MODELS.build(cfg)


def samples(labels, clicks):
    out = []
    for i, (label, click) in enumerate(zip(labels, clicks)):
        s = ActionDataSample()
        s.set_gt_labels(torch.tensor(label))
        s.set_metainfo(dict(video_id=f'v{i}', snippet_seconds=1.0))
        if click is not None:
            s.background_click_indices = torch.tensor(click)
        out.append(s)
    return out


def hand_outputs():
    # T = 8 -> k = 1; class 0 of the video, background last
    cas = torch.zeros(1, 8, 3)
    cas[0, 2, 0] = 3.0  # the top-1 action snippet
    cas[0, 5, 0] = 1.0  # clicked background with some class-0 response
    cas[0, 6, 2] = 2.0  # clicked background, background class high
    emb = torch.zeros(1, 3, 8)
    emb[0, :, 5] = torch.tensor([1.0, 0.0, 0.0])
    emb[0, :, 6] = torch.tensor([0.6, 0.8, 0.0])  # cos 0.6 with snippet 5
    emb[0, :, 2] = torch.tensor([0.0, 0.6, 0.8])  # cos 0 / 0.48 with 5 / 6
    return dict(base_cas=cas, base_video_logits=cas.amax(1),
                supp_cas=cas, supp_video_logits=cas.amax(1),
                attention=torch.full((1, 8), 0.5), embedding=emb)


@pytest.mark.parametrize('pairs, aff', [('global', 0.38),
                                        ('per_row', (0 + 0.38) / 2 + 0.38)])
def test_click_losses_hand_computed(pairs, aff):
    head = build(aff_pairs=pairs)
    outputs = hand_outputs()
    losses = head.loss_by_feat(outputs, samples([[1, 0]], [[5, 6]]))
    # eq. 3 on the base CAS: -log softmax(background) on snippets 5 and 6
    f5 = -math.log(1 / (math.exp(1) + 2))
    f6 = -math.log(math.exp(2) / (math.exp(2) + 2))
    assert losses['loss_frame'].item() == pytest.approx((f5 + f6) / 2)
    # eqs. 5-8 on the base CAS: p_act = 3, p_bg = (1 + 0) / 2
    p_act = math.exp(3) / (math.exp(3) + math.exp(0.5))
    assert losses['loss_sep'].item() == pytest.approx(-2 * math.log(p_act))
    # eqs. 10-13: bg-bg 0.5 - 0.6 -> 0; one action frame: no act-act pair;
    # diff: hinges 0 (snippet 5) and 0.48 - 0.1 = 0.38 (snippet 6); the
    # global hardest pair 0.38, per row: clicks' mean 0.19 + actions' 0.38
    assert losses['loss_aff'].item() == pytest.approx(0.8 * aff)
    # BaS-Net's video losses: [y, 1] on the base, [y, 0] on the suppression
    logp = outputs['base_video_logits'].log_softmax(-1)[0]
    assert losses['loss_base'].item() == pytest.approx(
        -(logp[0] + logp[2]).item() / 2)
    assert losses['loss_supp'].item() == pytest.approx(-logp[0].item())
    assert losses['loss_norm'].item() == pytest.approx(1e-4 * 0.5 * 8)


def test_affinity_reaches_both_convolutions():
    """With every affinity 0 but the centre, the frame-specific CAS module
    is a 1x1 network; asking for the first convolution only keeps the
    second one's neighbours."""
    torch.manual_seed(0)
    x = torch.randn(1, 4, 9)
    centre = torch.zeros(1, 3, 9)
    centre[:, 1] = 1
    both = build().cas_module
    first = build(affinity_convs=(0, )).cas_module
    first.load_state_dict(both.state_dict())
    w1, w2 = both.conv1.weight, both.conv2.weight
    act = torch.nn.functional.leaky_relu
    ref = act(torch.einsum('oi,bit->bot', w2[:, :, 1],
                           act(torch.einsum('oi,bit->bot', w1[:, :, 1], x))))
    torch.testing.assert_close(both.hidden(x, affinity=centre), ref)
    assert not torch.allclose(first.hidden(x, affinity=centre), ref)
    assert both.conv1.bias is None and both.conv2.bias is None


def test_batch_without_clicks_trains_the_video_loss_only():
    torch.manual_seed(0)
    head = build()
    feats = torch.randn(2, 4, 16)
    losses = head.loss(feats, samples([[1, 0], [0, 1]], [None, []]))
    for name in ('loss_frame', 'loss_sep', 'loss_aff'):
        assert losses[name].item() == 0
    sum(losses.values()).backward()
    assert head.cas_module.classifier.weight.grad.abs().sum() > 0
    assert head.filter[0].weight.grad.abs().sum() > 0
    # the affinity embedding learns through the frame-specific convolutions
    assert head.embed[0].weight.grad.abs().sum() > 0


def test_backtal_predicts_with_basnet_inference():
    head = build().eval()
    [sample] = head.predict(torch.randn(1, 4, 16), samples([[1, 0]], [None]))
    assert head.test_cfg['class_threshold'] == 0.25
    assert head.test_cfg['tcas_norm'] == 'minmax'
    assert head.test_cfg['branch'] == 'supp'
    assert head.test_cfg['upsample'] == 16
    assert head.test_cfg['iou_threshold'] == 0.55
    assert sample.pred_scores.item.shape == (2, )
    assert np.all(sample.pred_instances.segments.numpy() >= 0)
