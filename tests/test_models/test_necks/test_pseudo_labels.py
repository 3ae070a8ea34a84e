"""Pseudo-labels, k-means and confidence voting of DCC (eqs. 3-4)."""
import numpy as np
import pytest
import torch

from mmwsal.models.necks import (batched_kmeans, confidence_voting,
                                 snippet_pseudo_labels)


def test_pseudo_labels_threshold_softmax_at_the_temporal_mean():
    cas = torch.randn(2, 9, 4)
    got = snippet_pseudo_labels(cas).numpy()
    x = cas.double().numpy()
    probs = np.exp(x) / np.exp(x).sum(-1, keepdims=True)
    want = probs >= probs.mean(axis=1, keepdims=True)
    np.testing.assert_array_equal(got, want.astype(np.float32))
    # every class has a snippet at or above its mean
    assert got.max(axis=1).min() == 1


def partition(assign):
    groups = {}
    for t, k in enumerate(assign.tolist()):
        groups.setdefault(k, []).append(t)
    return sorted(groups.values())


def test_kmeans_hand_case():
    # 1-D: the init takes 11 (farthest from the mean 5), then 0; 6 is
    # nearer 11 than 0, and stays with {10, 11} once the centres move.
    x = torch.tensor([0., 1., 2., 6., 10., 11.]).view(1, 6, 1)
    assign, centres = batched_kmeans(x, 2)
    assert partition(assign[0]) == [[0, 1, 2], [3, 4, 5]]
    assert sorted(centres.flatten().tolist()) == [1.0, 9.0]
    # 2-D, three groups interleaved in time, and a second video in the
    # same batch (clustered on its own).
    a, b, c = [0., 0.], [5., 5.], [10., 0.]
    pts = [a, b, c, b, a, c, [0.2, 0.], [5., 5.2], [10., 0.2]]
    video = torch.tensor(pts)
    batch = torch.stack([video, video.flip(0) * 2])
    assign, centres = batched_kmeans(batch, 3)
    assert partition(assign[0]) == [[0, 4, 6], [1, 3, 7], [2, 5, 8]]
    assert partition(assign[1]) == [[0, 3, 6], [1, 5, 7], [2, 4, 8]]
    torch.testing.assert_close(
        sorted(centres[0].tolist()),
        [[0.2 / 3, 0.], [5., 15.2 / 3], [10., 0.2 / 3]])


def numpy_kmeans(x, k, iters):
    """Plain Lloyd iterations from the documented farthest-point start."""
    centres = [x[np.argmax(((x - x.mean(0))**2).sum(1))]]
    for _ in range(1, k):
        d = np.min([((x - c)**2).sum(1) for c in centres], axis=0)
        centres.append(x[np.argmax(d)])
    centres = np.array(centres)
    assign = np.argmin(((x[:, None] - centres[None])**2).sum(-1), 1)
    for _ in range(iters):
        for j in range(k):
            if (assign == j).any():
                centres[j] = x[assign == j].mean(0)
        new = np.argmin(((x[:, None] - centres[None])**2).sum(-1), 1)
        if (new == assign).all():
            break
        assign = new
    return assign


def test_kmeans_matches_a_plain_loop_and_ignores_the_batch():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(5, 40, 6, generator=gen, dtype=torch.float64)
    x[:, 10:20] += 3  # structure, so that clusters are well defined
    assign, _ = batched_kmeans(x, 4, max_iters=50)
    for b in range(5):
        np.testing.assert_array_equal(
            assign[b].numpy(), numpy_kmeans(x[b].numpy(), 4, 50))
        alone, _ = batched_kmeans(x[b:b + 1], 4, max_iters=50)
        assert torch.equal(alone[0], assign[b])


def test_kmeans_with_fewer_snippets_than_clusters():
    x = torch.tensor([[[1., 2.], [3., 4.]]])
    assign, centres = batched_kmeans(x, 5)
    assert partition(assign[0]) == [[0], [1]]
    assert torch.isfinite(centres).all()
    with pytest.raises(ValueError, match='num_clusters'):
        batched_kmeans(x, 0)


def test_confidence_voting_matches_a_brute_force_loop():
    gen = torch.Generator().manual_seed(1)
    batch, snippets, classes, k = 3, 17, 5, 4
    clusters = torch.randint(0, k, (batch, snippets), generator=gen)
    pseudo = (torch.rand(batch, snippets, classes, generator=gen) > 0.6)
    got = confidence_voting(clusters, pseudo.float(), k)
    want = torch.zeros(batch, snippets, classes)
    for b in range(batch):
        for t in range(snippets):
            for c in range(classes):
                same = agree = 0
                for j in range(snippets):
                    if clusters[b, j] == clusters[b, t]:
                        same += 1
                        agree += int(pseudo[b, j, c] == pseudo[b, t, c])
                want[b, t, c] = agree / same
    assert torch.equal(got, want)


def test_confidence_voting_hand_case():
    # cluster 0 = snippets {0, 1, 2}, pseudo-labels 1, 1, 0; cluster 1 =
    # {3}, label 0.
    clusters = torch.tensor([[0, 0, 0, 1]])
    pseudo = torch.tensor([[[1.], [1.], [0.], [0.]]])
    got = confidence_voting(clusters, pseudo, 2)
    torch.testing.assert_close(got.flatten(),
                               torch.tensor([2 / 3, 2 / 3, 1 / 3, 1.]))
