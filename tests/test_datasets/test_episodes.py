import pytest

from mmwsal.datasets import EpisodeSampler, single_label_pools


def pools(num_classes=8, per_class=7, first=100):
    """Classes ``first..``, each with ``per_class`` videos of 1-3
    segments."""
    return {
        first + c: {f'c{c}v{v}': 1 + (v % 3) for v in range(per_class)}
        for c in range(num_classes)
    }


def test_episodes_are_balanced_and_disjoint():
    class_videos = pools()
    sampler = EpisodeSampler(class_videos, num_ways=5, num_shots=2,
                             num_queries=4, seed=0)
    for episode in sampler.sample(50):
        assert len(set(episode.classes)) == 5
        assert set(episode.classes) <= set(class_videos)
        assert [len(s) for s in episode.support] == [2] * 5
        support = [vid for shots in episode.support for vid, _ in shots]
        queries = [vid for vid, _ in episode.queries]
        assert len(set(support)) == 10 and len(set(queries)) == 20
        assert not set(support) & set(queries)
        assert sorted(way for _, way in episode.queries) == sorted(
            list(range(5)) * 4)
        for way, cls in enumerate(episode.classes):
            for vid, segment in episode.support[way]:
                assert vid in class_videos[cls]
                assert 0 <= segment < class_videos[cls][vid]
        for vid, way in episode.queries:
            assert vid in class_videos[episode.classes[way]]


def test_episodes_are_seeded():
    def draw(seed, count=20):
        sampler = EpisodeSampler(pools(), num_ways=5, num_shots=1,
                                 num_queries=3, seed=seed)
        return list(sampler.sample(count))

    assert draw(0) == draw(0)
    assert draw(0) != draw(1)
    # episode i does not depend on how many are drawn
    assert draw(0, 5) == draw(0)[:5]
    assert len({tuple(e.classes) for e in draw(0)}) > 1


def test_too_few_videos_is_an_error_naming_the_counts():
    class_videos = pools(num_classes=5, per_class=4)
    class_videos[100] = {'x': 1, 'y': 1}
    with pytest.raises(ValueError, match=r"100: 2, 101: 4"):
        EpisodeSampler(class_videos, num_ways=5, num_shots=1, num_queries=3)
    # classes with too few videos are left out when enough remain
    sampler = EpisodeSampler(class_videos, num_ways=4, num_shots=1,
                             num_queries=3)
    assert 100 not in sampler.classes
    with pytest.raises(ValueError, match="'x' is in the pools of classes"):
        EpisodeSampler({0: {'x': 1}, 1: {'x': 1}}, num_ways=1)


def test_single_label_pools():
    infos = [
        dict(video_id='a', labels=[0], segments=[(0, 1, 0), (2, 3, 0)]),
        dict(video_id='b', labels=[0, 1], segments=[(0, 1, 1)]),
        dict(video_id='c', labels=[1], segments=[]),
        dict(video_id='d', labels=[1], segments=[(4, 5, 1)]),
    ]
    assert single_label_pools(infos) == {0: {'a': 2}, 1: {'d': 1}}
