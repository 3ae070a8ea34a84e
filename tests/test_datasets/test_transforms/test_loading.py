import numpy as np
import pytest

from mmwsal.datasets import LongVideoDecode, LongVideoInit, WeakClipSampler
from tests.conftest import decoded_indices


def run_pipeline(filename, sampler, label, segments=(), fps=None):
    results = dict(filename=filename, label=label, segments=list(segments),
                   fps=fps)
    for t in (LongVideoInit(), sampler, LongVideoDecode()):
        results = t(results)
    return results


def test_positions_and_indices():
    sampler = WeakClipSampler(clip_len=4, frame_interval=2)  # span 8
    assert sampler.num_positions(100) == 13  # ceil(100 / 8)
    assert sampler.num_positions(96) == 12
    assert sampler.num_positions(3) == 1
    np.testing.assert_array_equal(sampler.frame_indices(0, 100), [0, 2, 4, 6])
    np.testing.assert_array_equal(
        sampler.frame_indices(5, 100), [40, 42, 44, 46])
    # The last, partial position ends at the last frame instead of running
    # past it.
    np.testing.assert_array_equal(
        sampler.frame_indices(12, 100), [92, 94, 96, 98])
    # Shorter than one clip: the indices loop over the video.
    np.testing.assert_array_equal(sampler.frame_indices(0, 5), [0, 2, 4, 1])


@pytest.mark.parametrize('total', [1, 7, 8, 9, 63, 64, 65, 1001])
def test_every_position_in_range_and_every_frame_covered(total):
    sampler = WeakClipSampler(clip_len=4, frame_interval=2)
    covered = set()
    for t in range(sampler.num_positions(total)):
        inds = sampler.frame_indices(t, total)
        assert len(inds) == 4
        assert inds.min() >= 0 and inds.max() < total
        start = sampler.clip_start(t, total)
        covered.update(range(start, min(total, start + sampler.clip_span)))
    assert covered == set(range(total))


def test_training_sample_records_position(long_video_set):
    _, root, _ = long_video_set
    sampler = WeakClipSampler(clip_len=4, frame_interval=3)  # span 12
    np.random.seed(0)
    seen = set()
    for _ in range(40):
        res = run_pipeline(f'{root}/a.mp4', sampler,
                           np.array([1., 0., 1.], np.float32))
        assert res['num_positions'] == 9  # ceil(100 / 12)
        start = int(res['frame_inds'][0])
        assert 0 <= start <= 88  # 100 - 12
        np.testing.assert_array_equal(res['frame_inds'],
                                      start + np.arange(4) * 3)
        assert res['clip_position'] == sampler.position_of(start, 100)
        # The decoder returns the frames drawn.
        assert decoded_indices(res['imgs']) == [
            i % 30 for i in res['frame_inds']
        ]
        assert res['video_reader'] is None
        np.testing.assert_array_equal(res['label'], [1, 0, 1])
        seen.add(start)
    assert len(seen) > 9  # jittered starts, not only the 9 grid starts


def test_clean_labels_follow_segments(long_video_set):
    _, root, _ = long_video_set
    segments = [(2.0, 4.0, 0), (8.0, 10.0, 2)]
    sampler = WeakClipSampler(clip_len=5, frame_interval=2, label_mode='clean')
    # 10 fps, span 10 frames = 1 s per position: position t covers [t, t+1) s.
    expected = {0: [0, 0, 0], 1: [0, 0, 0], 2: [1, 0, 0], 3: [1, 0, 0],
                4: [0, 0, 0], 7: [0, 0, 0], 8: [0, 0, 1], 9: [0, 0, 1]}
    label = np.array([1., 0., 1.], np.float32)
    for t, want in expected.items():
        inds = sampler.frame_indices(t, 100)
        got = sampler.clean_labels(inds, 10.0, 3, segments)
        np.testing.assert_array_equal(got, want, err_msg=f'position {t}')
    # Through the transform: the label is that of the frames drawn (see
    # test_weak_clip_sampler.py for clips that straddle two positions).
    np.random.seed(1)
    for _ in range(10):
        res = sampler(dict(total_frames=100, label=label, segments=segments,
                           avg_fps=10.0, fps=10.0))
        np.testing.assert_array_equal(
            res['label'],
            sampler.clean_labels(res['frame_inds'], 10.0, 3, segments))


def test_clean_labels_at_an_odd_frame_rate():
    # 7.5 fps, span 6 frames = 0.8 s; a segment in [1.7, 2.3] s overlaps
    # position 2 ([1.6, 2.4) s) only.
    sampler = WeakClipSampler(clip_len=3, frame_interval=2, label_mode='clean')
    hits = [
        t for t in range(sampler.num_positions(45))
        if sampler.clean_labels(sampler.frame_indices(t, 45), 7.5, 2,
                                [(1.7, 2.3, 1)])[1] == 1
    ]
    assert hits == [2]


def test_short_video_and_test_views(long_video_set):
    _, root, _ = long_video_set
    label = np.array([0., 1., 0.], np.float32)
    res = run_pipeline(f'{root}/b.mp4', WeakClipSampler(4, 3), label)
    assert res['num_positions'] == 1 and res['clip_position'] == 0
    assert decoded_indices(res['imgs']) == [0, 3, 6, 2]  # looped

    sampler = WeakClipSampler(4, 2, num_clips=3, test_mode=True)
    res = run_pipeline(f'{root}/c.mp4', sampler, label)
    # 45 frames, a view touches 7: starts 0, 19, 38 (the last view ends at
    # the last frame). 6 positions with grid starts 0, 8, 16, 24, 32, 37:
    # the views belong to positions 0, 2 and 5.
    assert res['clip_position'] == [0, 2, 5]
    assert res['num_clips'] == 3
    assert len(res['imgs']) == 12
    expected = [0, 2, 4, 6, 19, 21, 23, 25, 38, 40, 42, 44]
    np.testing.assert_array_equal(res['frame_inds'], expected)
    assert decoded_indices(res['imgs']) == [i % 30 for i in expected]
    # test mode is deterministic
    again = run_pipeline(f'{root}/c.mp4', sampler, label)
    np.testing.assert_array_equal(again['frame_inds'], res['frame_inds'])


def test_sampler_rejects_bad_arguments():
    with pytest.raises(ValueError, match='label_mode'):
        WeakClipSampler(4, label_mode='strong')
    with pytest.raises(ValueError, match='clip_len must be positive'):
        WeakClipSampler(0)
    with pytest.raises(ValueError, match='frame_interval must be positive'):
        WeakClipSampler(4, frame_interval=0)
    with pytest.raises(ValueError, match='num_clips must be positive'):
        WeakClipSampler(4, num_clips=0)
    assert 'clip_len=4' in repr(WeakClipSampler(4))
