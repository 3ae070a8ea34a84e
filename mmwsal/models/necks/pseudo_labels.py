"""Snippet pseudo-labels and their denoising (DCC, sec. 3.2, eqs. 3-4).

Pure, batched functions on tensors of any device: the pseudo-labels
``hat_A`` of eq. 3, a deterministic k-means over each video's snippet
embeddings, and the confidence voting ``S`` of eq. 4.
"""
from typing import Tuple

import torch
import torch.nn.functional as F


def snippet_pseudo_labels(base_cas: torch.Tensor) -> torch.Tensor:
    """Threshold the softmaxed base T-CAS at each class's temporal mean
    (eq. 3).

    Args:
        base_cas (torch.Tensor): ``(B, T, K)`` snippet logits ``A^b`` (the
            last class may be the background).

    Returns:
        torch.Tensor: ``(B, T, K)`` float pseudo-labels ``hat_A`` in
        {0, 1}: 1 where ``softmax(A^b)_{t,c} >= mean_t softmax(A^b)_{t,c}``.
    """
    # Float32 probabilities averaged in float64: the mean is exact when a
    # class's probability does not change over time, so its snippets are
    # all 1, not a rounding's pick.
    probs = base_cas.detach().float().softmax(dim=-1).double()
    theta = probs.mean(dim=1, keepdim=True)
    return (probs >= theta).float()


def squared_distances(x: torch.Tensor, centres: torch.Tensor) -> torch.Tensor:
    """``(B, T, D)`` points and ``(B, K, D)`` centres to the ``(B, T, K)``
    squared Euclidean distances."""
    dist = (x * x).sum(-1, keepdim=True) - 2 * x @ centres.transpose(1, 2) \
        + (centres * centres).sum(-1)[:, None, :]
    return dist.clamp_(min=0)


def farthest_point_init(x: torch.Tensor, num_clusters: int) -> torch.Tensor:
    """Deterministic k-means initialisation of each video: the snippet
    farthest from the video's mean, then repeatedly the snippet farthest
    from its nearest chosen centre (ties go to the earliest snippet).

    Args:
        x (torch.Tensor): ``(B, T, D)`` snippet embeddings.
        num_clusters (int): K.

    Returns:
        torch.Tensor: ``(B, K, D)`` initial centres. A video of fewer than
        K distinct snippets repeats a centre (its cluster stays empty).
    """
    rows = torch.arange(x.shape[0], device=x.device)
    spread = (x - x.mean(dim=1, keepdim=True)).pow(2).sum(-1)
    centres = [x[rows, spread.argmax(dim=1)]]
    nearest = (x - centres[0][:, None]).pow(2).sum(-1)
    for _ in range(1, num_clusters):
        centre = x[rows, nearest.argmax(dim=1)]
        centres.append(centre)
        nearest = torch.minimum(nearest, (x - centre[:, None]).pow(2).sum(-1))
    return torch.stack(centres, dim=1)


def batched_kmeans(x: torch.Tensor,
                   num_clusters: int,
                   max_iters: int = 10) -> Tuple[torch.Tensor, torch.Tensor]:
    """Lloyd's k-means on each video of a batch at once.

    Starts from :func:`farthest_point_init` (no randomness: the same
    snippets give the same clusters) and stops when no assignment changes
    or after ``max_iters`` updates. An empty cluster keeps its centre.

    Args:
        x (torch.Tensor): ``(B, T, D)`` snippet embeddings.
        num_clusters (int): K.
        max_iters (int): Most centre updates. Defaults to 10.

    Returns:
        tuple[torch.Tensor, torch.Tensor]: the cluster ``E_t`` of each
        snippet, ``(B, T)`` int64 in ``[0, K)``, and the ``(B, K, D)``
        centres.
    """
    if num_clusters < 1:
        raise ValueError(f'num_clusters must be >= 1, got {num_clusters}')
    x = x.detach().float()
    centres = farthest_point_init(x, num_clusters)
    assign = squared_distances(x, centres).argmin(dim=-1)
    for _ in range(max_iters):
        members = F.one_hot(assign, num_clusters).to(x.dtype)
        counts = members.sum(dim=1)[..., None]
        sums = members.transpose(1, 2) @ x
        centres = torch.where(counts > 0, sums / counts.clamp(min=1),
                              centres)
        updated = squared_distances(x, centres).argmin(dim=-1)
        if torch.equal(updated, assign):
            break
        assign = updated
    return assign, centres


def confidence_voting(clusters: torch.Tensor, pseudo_labels: torch.Tensor,
                      num_clusters: int) -> torch.Tensor:
    """The confidence ``S`` of each pseudo-label (eq. 4): the share of the
    snippets in its cluster whose pseudo-label of that class is the same.

    Args:
        clusters (torch.Tensor): ``(B, T)`` int64 cluster ``E_t`` of each
            snippet.
        pseudo_labels (torch.Tensor): ``(B, T, K)`` pseudo-labels in {0, 1}.
        num_clusters (int): The number of clusters.

    Returns:
        torch.Tensor: ``(B, T, K)`` confidences in (0, 1].
    """
    members = F.one_hot(clusters, num_clusters).to(pseudo_labels.dtype)
    size = members.sum(dim=1)  # (B, num_clusters)
    positives = members.transpose(1, 2) @ pseudo_labels  # (B, clusters, K)
    index = clusters[..., None].expand_as(pseudo_labels)
    size_t = size.gather(1, clusters)[..., None]
    positives_t = positives.gather(1, index)
    agree = torch.where(pseudo_labels > 0, positives_t,
                        size_t - positives_t)
    return agree / size_t


__all__ = [
    'snippet_pseudo_labels', 'squared_distances', 'farthest_point_init',
    'batched_kmeans', 'confidence_voting'
]
