"""Seeded K-way n-shot episodes of novel classes in untrimmed videos.

An episode draws ``num_ways`` classes; for each, ``num_shots`` support
videos, each contributing one of its ground-truth segments of the class (a
trimmed support sample), and ``num_queries`` other videos as untrimmed
queries. Support and query videos of an episode are disjoint. Episode ``i``
of seed ``s`` depends on ``(s, i)`` only, not on how many are drawn.
"""
import dataclasses
from typing import Dict, Iterator, List, Mapping, Tuple

import numpy as np


@dataclasses.dataclass
class Episode:
    """One K-way n-shot episode.

    Attributes:
        classes (list[int]): The ``K`` classes; way ``k`` is
            ``classes[k]``.
        support (list[list[tuple[str, int]]]): Per way, ``n`` pairs
            ``(video_id, segment)``: the ``segment``-th ground-truth segment
            of the way's class in that video.
        queries (list[tuple[str, int]]): ``(video_id, way)`` pairs.
    """
    classes: List[int]
    support: List[List[Tuple[str, int]]]
    queries: List[Tuple[str, int]]


class EpisodeSampler:
    """Draw episodes from per-class pools of videos.

    Args:
        class_videos (Mapping[int, Mapping[str, int]]): Class to
            ``{video_id: number of its ground-truth segments of the class}``.
            A video may be in one class's pool only (episodes use
            single-label videos).
        num_ways (int): K. Defaults to 5.
        num_shots (int): n. Defaults to 1.
        num_queries (int): Query videos per way. Defaults to 15.
        seed (int): Seed. Defaults to 0.

    Raises:
        ValueError: Fewer than ``num_ways`` classes have ``num_shots +
            num_queries`` videos, a video sits in two pools, or a pool video
            has no segment; the message names the classes and counts.
    """

    def __init__(self,
                 class_videos: Mapping[int, Mapping[str, int]],
                 num_ways: int = 5,
                 num_shots: int = 1,
                 num_queries: int = 15,
                 seed: int = 0) -> None:
        if min(num_ways, num_shots, num_queries) < 1:
            raise ValueError(f'num_ways, num_shots and num_queries must be '
                             f'>= 1, got {num_ways}, {num_shots}, '
                             f'{num_queries}')
        owner = {}
        for cls, videos in class_videos.items():
            for vid, count in videos.items():
                if vid in owner:
                    raise ValueError(f'video {vid!r} is in the pools of '
                                     f'classes {owner[vid]} and {cls}')
                if count < 1:
                    raise ValueError(f'video {vid!r} has no segment of '
                                     f'class {cls}')
                owner[vid] = cls
        need = num_shots + num_queries
        self.pools = {
            int(c): sorted(v.items())
            for c, v in sorted(class_videos.items()) if len(v) >= need
        }
        if len(self.pools) < num_ways:
            counts = {int(c): len(v) for c, v in sorted(class_videos.items())}
            raise ValueError(
                f'{num_ways}-way {num_shots}-shot episodes with '
                f'{num_queries} queries need {num_ways} classes of at least '
                f'{need} videos; videos per class: {counts}')
        self.classes = np.array(sorted(self.pools))
        self.num_ways, self.num_shots = num_ways, num_shots
        self.num_queries, self.seed = num_queries, seed

    def episode(self, index: int) -> Episode:
        """Episode ``index`` (deterministic for the sampler's seed)."""
        rng = np.random.default_rng([self.seed, index])
        classes = rng.choice(self.classes, self.num_ways, replace=False)
        support, queries = [], []
        for way, cls in enumerate(classes.tolist()):
            pool = self.pools[cls]
            order = rng.permutation(len(pool))
            shots = [pool[i] for i in order[:self.num_shots]]
            support.append([(vid, int(rng.integers(count)))
                            for vid, count in shots])
            queries += [(pool[i][0], way)
                        for i in order[self.num_shots:self.num_shots +
                                       self.num_queries]]
        return Episode(classes.tolist(), support, queries)

    def sample(self, num_episodes: int) -> Iterator[Episode]:
        """Episodes ``0 .. num_episodes - 1``."""
        return (self.episode(i) for i in range(num_episodes))


def single_label_pools(infos: List[Dict]) -> Dict[int, Dict[str, int]]:
    """Episode pools from data infos (:func:`subset_video_infos` layout):
    each single-label video with segments of its class, in its class's
    pool, with its number of such segments."""
    pools = {}
    for info in infos:
        if len(info['labels']) != 1:
            continue
        cls = info['labels'][0]
        count = sum(1 for s in info['segments'] if s[2] == cls)
        if count:
            pools.setdefault(cls, {})[info['video_id']] = count
    return pools
