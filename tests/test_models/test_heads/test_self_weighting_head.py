import math

import pytest
import torch
import torch.nn.functional as F
from mmaction.registry import MODELS

from mmwsal.models.losses import NBGContrastiveLoss
from .test_wstal_heads import samples, soft_ce


def build(**kwargs):
    cfg = dict(type='SelfWeightingHead', in_channels=2, num_classes=2,
               temporal_kernel=0)
    cfg.update(kwargs)
    return MODELS.build(cfg)


def hand_head(**kwargs):
    """Class weights e0, e1 (and a background class (-1, -1)), so that the
    cosine logits of a unit snippet are its coordinates."""
    head = build(**kwargs)
    weight = torch.tensor([[1., 0.], [0., 1.], [-1., -1.]])
    with torch.no_grad():
        head.classifier.weight.copy_(
            weight[:head.classifier.out_features] * 3.0)  # norm is ignored
    return head


# Two videos of 4 snippets (B, D, T). Video 0: max logits 1, 0.8, 0.707, 0
# -> background snippet 3 with max logit 0 (NBG below t_n = 0.3).
# Video 1: max logits 1, 0.8, 0.707, 0.8 -> background 2, max 0.707 > t_n.
SNIPPETS = torch.tensor([
    [[1., 0.], [0.6, 0.8], [1., 1.], [-1., 0.]],
    [[2., 0.], [0.6, 0.8], [1., 1.], [0.8, 0.6]],
]).transpose(1, 2)


def test_cosine_classifier_logits():
    torch.manual_seed(0)
    head = build(in_channels=5, num_classes=3, temporal_kernel=3)
    assert head.classifier.bias is None
    feats = torch.randn(2, 5, 7)
    out = head(feats)
    emb = F.normalize(head.temporal(feats).transpose(1, 2), dim=-1)
    weight = F.normalize(head.classifier.weight, dim=-1)
    torch.testing.assert_close(out['embeddings'], emb)
    torch.testing.assert_close(out['snippet_logits'], emb @ weight.t())
    assert out['snippet_logits'].shape == (2, 7, 4)  # + background class
    video = F.normalize((out['attention'][..., None] * emb).sum(1), dim=-1)
    torch.testing.assert_close(out['video_logits'], 10 * video @ weight.t())
    # scale-free: features and weights are normalised
    with torch.no_grad():
        head.classifier.weight.mul_(5)
    torch.testing.assert_close(head(feats)['video_logits'],
                               out['video_logits'])


def test_background_pseudo_labelling_and_nbg_threshold():
    head = hand_head()
    out = head(SNIPPETS)
    assert out['bg_index'].tolist() == [3, 2]
    assert out['nbg'].tolist() == [True, False]
    assert hand_head(nbg_threshold=0.9)(SNIPPETS)['nbg'].tolist() == [
        True, True
    ]
    assert hand_head(nbg_threshold=-0.1)(SNIPPETS)['nbg'].tolist() == [
        False, False
    ]
    # self-weighting of video 0 by the background (-1, 0)
    cos = [-1.0, -0.6, -1 / math.sqrt(2), 1.0]
    expected = [1 / (1 + math.exp(-8 * (0.5 - c))) for c in cos]
    torch.testing.assert_close(out['attention'][0], torch.tensor(expected))


def test_losses_hand_computed():
    head = hand_head(loss_contrast=None)
    out = head(SNIPPETS)
    losses = head.loss(SNIPPETS, samples([[1, 0], [0, 1]]))
    # L_bg-cls: video 0 only, its snippet (-1, 0) -> logits 10 * (-1, 0,
    # 1/sqrt 2) against the background class; weight 0.05
    logits = [-10.0, 0.0, 10 / math.sqrt(2)]
    assert losses['loss_bg'].item() == pytest.approx(
        0.05 * soft_ce(logits, [0, 0, 1]), rel=1e-5)
    # L_cls-soft: target [y, 0] over the video logits
    ref = (soft_ce(out['video_logits'][0].detach(), [1, 0, 0]) +
           soft_ce(out['video_logits'][1].detach(), [0, 1, 0])) / 2
    assert losses['loss_cls'].item() == pytest.approx(ref, rel=1e-5)
    assert 'loss_contrast' not in losses


def test_contrastive_loss_takes_nbg_and_top_snippets():
    head = hand_head(fg_ratio=4)  # T = 4: the top snippet of each video
    losses = head.loss(SNIPPETS, samples([[1, 0], [0, 1]]))
    emb = head(SNIPPETS)['embeddings']
    expected = NBGContrastiveLoss(loss_weight=0.05)(emb[0, 3:], emb[:, 0])
    assert losses['loss_contrast'].item() == pytest.approx(
        expected.item(), rel=1e-6)


def test_soft_baseline_switches():
    head = build(loss_bg=None, self_weighting=False, loss_contrast=None,
                 attention_channels=4)
    assert head.classifier.out_features == 2 and head.attention is not None
    with torch.no_grad():  # learned attention exactly 0.5
        head.attention[2].weight.zero_()
        head.attention[2].bias.zero_()
    out = head(SNIPPETS)
    torch.testing.assert_close(out['attention'], torch.full((2, 4), 0.5))
    losses = head.loss(SNIPPETS, samples([[1, 0], [0, 1]]))
    assert set(losses) == {'loss_cls'}
    losses['loss_cls'].backward()
    assert head.attention[0].weight.grad is not None


def test_predict_outputs():
    feats = torch.randn(1, 2, 6)
    head = build(test_cfg=dict(output='embeddings'))
    [sample] = head.predict(feats, samples([[1, 0]]))
    torch.testing.assert_close(sample.snippet_embeddings,
                               head(feats)['embeddings'][0])
    assert sample.metainfo['self_weighting'] == (8.0, 0.5)
    assert 'learned_attention' not in sample
    learned = build(self_weighting=False, test_cfg=dict(output='embeddings'))
    [sample] = learned.predict(feats, samples([[1, 0]]))
    assert sample.learned_attention.shape == (6, )
    [sample] = build().predict(feats, samples([[1, 0]]))
    assert 'pred_instances' in sample and 'pred_scores' in sample
    with pytest.raises(ValueError, match='test_cfg.output'):
        build(test_cfg=dict(output='features'))
