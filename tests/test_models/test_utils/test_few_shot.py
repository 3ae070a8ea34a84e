import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mmwsal.models.utils import (attention_pool, background_index,
                                 class_prototypes, novel_class_scores,
                                 self_weighted_attention, self_weighting)


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def test_self_weighting_hand_computed():
    # g(x) = 1 / (1 + exp(-8 (1 - 0.5 - x)))
    x = torch.tensor([1.0, 0.5, 0.0, -1.0])
    expected = [sigmoid(-4), 0.5, sigmoid(4), sigmoid(12)]
    np.testing.assert_allclose(self_weighting(x), expected, rtol=1e-6)
    assert self_weighting(torch.tensor(0.2), tau=2.0, center=0.0).item() == \
        pytest.approx(sigmoid(2 * 0.8))


def test_background_index_respects_the_mask():
    logits = torch.tensor([[[0.9, 0.1], [0.2, 0.3], [0.0, 0.05]]])
    assert background_index(logits).tolist() == [2]
    mask = torch.tensor([[True, True, False]])  # snippet 2 is padding
    assert background_index(logits, mask).tolist() == [1]


def test_self_weighted_attention_and_pooling():
    emb = F.normalize(torch.randn(2, 5, 4), dim=-1)
    bg = torch.tensor([3, 0])
    att = self_weighted_attention(emb, bg)
    for b in range(2):
        for t in range(5):
            cos = float(emb[b, t] @ emb[b, bg[b]])
            assert att[b, t].item() == pytest.approx(
                sigmoid(8 * (0.5 - cos)), rel=1e-5)
    pooled = attention_pool(emb, att)
    ref = (att[..., None] * emb).sum(1) / att.sum(1, keepdim=True)
    torch.testing.assert_close(pooled, ref)
    mask = torch.tensor([[True] * 3 + [False] * 2, [True] * 5])
    masked = attention_pool(emb, att, mask)
    torch.testing.assert_close(masked[0], attention_pool(
        emb[:1, :3], att[:1, :3])[0])


def test_class_prototypes_average_each_way():
    support = torch.arange(12.).reshape(6, 2)
    labels = torch.tensor([1, 0, 1, 2, 0, 2])
    protos = class_prototypes(support, labels, 3)
    torch.testing.assert_close(protos, torch.tensor(
        [[5., 6.], [2., 3.], [8., 9.]]))
    with pytest.raises(ValueError, match='every one of the 4 ways'):
        class_prototypes(support, labels, 4)


def test_novel_class_scores_against_a_direct_computation():
    torch.manual_seed(0)
    emb = F.normalize(torch.randn(3, 6, 4), dim=-1)
    protos = torch.randn(2, 4)
    p = F.normalize(protos, dim=-1)
    # learned attention
    att = torch.rand(3, 6)
    out = novel_class_scores(emb, protos, temperature=10.0, attention=att)
    video = F.normalize((att[..., None] * emb).sum(1), dim=-1)
    torch.testing.assert_close(out['video_scores'],
                               (10 * video @ p.t()).softmax(-1))
    torch.testing.assert_close(
        out['tcas'], att[..., None] * (10 * emb @ p.t()).softmax(-1))
    # self-weighting: background by the K-way logits
    out = novel_class_scores(emb, protos)
    bg = (emb @ p.t()).max(-1).values.argmin(1)
    torch.testing.assert_close(out['attention'],
                               self_weighted_attention(emb, bg))


@pytest.mark.parametrize('learned', [False, True])
def test_padded_queries_score_as_unpadded(learned):
    # Two queries of 6 and 9 snippets stacked to T = 9 with a mask give the
    # scores of each query alone; padding rows that look like the best
    # background or the strongest action must not change them.
    torch.manual_seed(0)
    prototypes = torch.randn(3, 8)
    short = F.normalize(torch.randn(6, 8), dim=-1)
    long = F.normalize(torch.randn(9, 8), dim=-1)
    pad = torch.stack([-F.normalize(prototypes.sum(0), dim=0)] * 3)
    batch = torch.stack([torch.cat([short, pad]), long])
    mask = torch.tensor([[True] * 6 + [False] * 3, [True] * 9])
    attention = torch.rand(2, 9) if learned else None
    padded = novel_class_scores(batch, prototypes, attention=attention,
                                mask=mask)
    for q, (video, num) in enumerate(((short, 6), (long, 9))):
        alone = novel_class_scores(
            video[None], prototypes,
            attention=None if attention is None else attention[q:q + 1, :num])
        torch.testing.assert_close(padded['video_scores'][q],
                                   alone['video_scores'][0])
        torch.testing.assert_close(padded['tcas'][q, :num], alone['tcas'][0])
