"""Background pseudo-labelling, self-weighting and prototype scoring of
annotation-efficient video recognition (section 3 of the paper).

Shared by the base-class head (training, base-class logits) and the
novel-class episodes (testing, K-way logits against support prototypes).
Snippet embeddings are ``(B, T, D)`` and L2-normalised, so dot products are
cosine similarities; an optional ``mask`` ``(B, T)`` marks the real snippets
of videos padded to one length.
"""
from typing import Dict, Optional

import torch
import torch.nn.functional as F


def self_weighting(similarity: torch.Tensor,
                   tau: float = 8.0,
                   center: float = 0.5) -> torch.Tensor:
    """Eq. 8: ``g(x) = 1 / (1 + exp(-tau * (1 - center - x)))``.

    Maps the cosine similarity ``x`` of a snippet to the pseudo-labelled
    background snippet onto a weight: near 0 for the background itself
    (``x = 1``), near 1 for unrelated snippets (``x <= 0``).

    Args:
        similarity (torch.Tensor): Cosine similarities, any shape.
        tau (float): Peakedness tau_s. Defaults to 8.0.
        center (float): Center c. Defaults to 0.5.

    Returns:
        torch.Tensor: Weights in (0, 1), the shape of ``similarity``.
    """
    return torch.sigmoid(tau * (1.0 - center - similarity))


def background_index(logits: torch.Tensor,
                     mask: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Eq. 4: the snippet whose maximum logit is the lowest.

    Args:
        logits (torch.Tensor): ``(B, T, K)`` snippet logits.
        mask (torch.Tensor, optional): ``(B, T)`` True on real snippets.

    Returns:
        torch.Tensor: ``(B,)`` int64 background snippet per video.
    """
    top = logits.detach().max(dim=-1).values
    if mask is not None:
        top = top.masked_fill(~mask, float('inf'))
    return top.argmin(dim=1)


def gather_snippets(embeddings: torch.Tensor,
                    index: torch.Tensor) -> torch.Tensor:
    """``embeddings[b, index[b]]``: ``(B, T, D)``, ``(B,)`` -> ``(B, D)``."""
    rows = torch.arange(len(index), device=embeddings.device)
    return embeddings[rows, index]


def self_weighted_attention(embeddings: torch.Tensor,
                            bg_index: torch.Tensor,
                            tau: float = 8.0,
                            center: float = 0.5) -> torch.Tensor:
    """Eq. 10's weights ``g(f(s_bg)^T f(s_t))`` of every snippet.

    Args:
        embeddings (torch.Tensor): ``(B, T, D)`` L2-normalised.
        bg_index (torch.Tensor): ``(B,)`` background snippets.
        tau (float): tau_s of :func:`self_weighting`. Defaults to 8.0.
        center (float): c of :func:`self_weighting`. Defaults to 0.5.

    Returns:
        torch.Tensor: ``(B, T)`` weights.
    """
    background = gather_snippets(embeddings, bg_index)
    similarity = (embeddings * background[:, None]).sum(dim=-1)
    return self_weighting(similarity, tau, center)


def attention_pool(embeddings: torch.Tensor,
                   attention: torch.Tensor,
                   mask: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Eqs. 3 and 10: ``sum_t a_t f_t / sum_t a_t``.

    Args:
        embeddings (torch.Tensor): ``(B, T, D)``.
        attention (torch.Tensor): ``(B, T)`` non-negative weights.
        mask (torch.Tensor, optional): ``(B, T)`` True on real snippets.

    Returns:
        torch.Tensor: ``(B, D)`` video features.
    """
    if mask is not None:
        attention = attention * mask
    total = attention.sum(dim=1, keepdim=True).clamp_min(1e-12)
    return torch.einsum('bt,btd->bd', attention, embeddings) / total


def class_prototypes(support: torch.Tensor, labels: torch.Tensor,
                     num_ways: int) -> torch.Tensor:
    """Prototypes ``p_k = (1/n) sum_j F(x_kj)``: the mean support feature of
    each way.

    Args:
        support (torch.Tensor): ``(S, D)`` support video features.
        labels (torch.Tensor): ``(S,)`` way of each, in ``[0, num_ways)``.
        num_ways (int): K; every way needs a support sample.

    Returns:
        torch.Tensor: ``(K, D)``.
    """
    counts = torch.bincount(labels, minlength=num_ways)
    if counts.numel() != num_ways or bool((counts == 0).any()):
        raise ValueError(f'every one of the {num_ways} ways needs a support '
                         f'sample, got counts {counts.tolist()}')
    # A one-hot product rather than index_add_, which is slow on small
    # tensors with several CPU threads.
    one_hot = F.one_hot(labels, num_ways).t().to(support.dtype)
    return one_hot @ support / counts[:, None].to(support.dtype)


def novel_class_scores(embeddings: torch.Tensor,
                       prototypes: torch.Tensor,
                       temperature: float = 10.0,
                       attention: Optional[torch.Tensor] = None,
                       mask: Optional[torch.Tensor] = None,
                       sw_tau: float = 8.0,
                       sw_center: float = 0.5) -> Dict[str, torch.Tensor]:
    """Classify untrimmed query videos against support prototypes and give
    their temporal class activation (section 3.4).

    Snippet logits are cosine similarities to the prototypes. Without a
    learned ``attention``, the background snippet is pseudo-labelled by
    these K-way logits (eq. 4) and every snippet weighted by its similarity
    to it (eq. 8). The query feature is the weighted mean (eq. 10), scored
    by ``softmax(temperature * cos(F(x), p))`` (eq. 2). The T-CAS is the
    attention times each snippet's softmax over the prototypes.

    Args:
        embeddings (torch.Tensor): ``(Q, T, D)`` L2-normalised snippets.
        prototypes (torch.Tensor): ``(K, D)``.
        temperature (float): tau of the softmax. Defaults to 10.0.
        attention (torch.Tensor, optional): ``(Q, T)`` learned attention in
            [0, 1]; None: self-weighting. Defaults to None.
        mask (torch.Tensor, optional): ``(Q, T)`` real snippets.
        sw_tau (float): tau_s of :func:`self_weighting`. Defaults to 8.0.
        sw_center (float): c of :func:`self_weighting`. Defaults to 0.5.

    Returns:
        dict: ``video_scores`` ``(Q, K)`` probabilities, ``tcas``
        ``(Q, T, K)``, ``attention`` ``(Q, T)``.
    """
    prototypes = F.normalize(prototypes, dim=-1)
    logits = embeddings @ prototypes.t()
    if attention is None:
        attention = self_weighted_attention(
            embeddings, background_index(logits, mask), sw_tau, sw_center)
    if mask is not None:
        attention = attention * mask
    video = F.normalize(attention_pool(embeddings, attention), dim=-1)
    return dict(
        video_scores=(temperature * video @ prototypes.t()).softmax(dim=-1),
        tcas=attention[..., None] * (temperature * logits).softmax(dim=-1),
        attention=attention)
