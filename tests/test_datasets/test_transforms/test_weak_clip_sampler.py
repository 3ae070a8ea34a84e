"""The clip sampling protocol of WeakClipSampler: test views spread by frame
as MMAction2's SampleFrames spreads them, jittered training starts, and the
clip position each clip is recorded at."""
import numpy as np
import pytest
from mmaction.datasets.transforms import SampleFrames

from mmwsal.datasets import WeakClipSampler

LABEL = np.array([1., 0.], np.float32)


def grid_starts(clip_len, frame_interval, total_frames):
    """Grid clip starts by the definition: t * F * tau, the last moved back
    to N - F * tau, never below 0."""
    span = clip_len * frame_interval
    num_positions = max(1, -(-total_frames // span))
    return [
        max(0, min(t * span, total_frames - span))
        for t in range(num_positions)
    ]


def nearest_position(start, starts):
    """Brute force: the position with the nearest grid start, the earlier
    one on a tie."""
    gaps = [abs(start - g) for g in starts]
    return gaps.index(min(gaps))


def sample_views(clip_len, frame_interval, num_clips, total_frames):
    sampler = WeakClipSampler(
        clip_len, frame_interval, num_clips=num_clips, test_mode=True)
    return sampler(dict(total_frames=total_frames, label=LABEL))


@pytest.mark.parametrize('total_frames', [720, 480])
def test_charades_views_are_distinct_clips(total_frames):
    # A 30 s (20 s) Charades video at 24 fps, 32x3 clips, 10 views. Snapped
    # to the 8 (5) clip positions, the views were [0,1,2,2,3,4,5,6,6,7]
    # (each of 5 positions twice).
    res = sample_views(32, 3, 10, total_frames)
    starts = res['frame_inds'].reshape(10, 32)[:, 0]
    assert len(set(starts.tolist())) == 10
    assert starts[0] == 0
    assert res['frame_inds'].max() == total_frames - 1  # the last view's end
    assert res['num_positions'] == {720: 8, 480: 5}[total_frames]
    grid = grid_starts(32, 3, total_frames)
    assert res['clip_position'] == [
        nearest_position(int(s), grid) for s in starts
    ]


@pytest.mark.parametrize('clip_len,frame_interval', [(32, 3), (16, 4), (8, 8),
                                                     (1, 1), (4, 2)])
@pytest.mark.parametrize('num_clips', [1, 2, 3, 10, 30])
@pytest.mark.parametrize(
    'total_frames', [1, 5, 31, 93, 94, 95, 96, 97, 100, 127, 480, 720, 5000])
def test_views_follow_sample_frames_test_geometry(clip_len, frame_interval,
                                                  num_clips, total_frames):
    res = sample_views(clip_len, frame_interval, num_clips, total_frames)
    inds = res['frame_inds'].reshape(num_clips, clip_len)
    # The independent reference: MMAction2's test-mode SampleFrames.
    reference = SampleFrames(
        clip_len, frame_interval, num_clips=num_clips, test_mode=True)(
            dict(total_frames=total_frames, start_index=0))
    np.testing.assert_array_equal(
        inds, reference['frame_inds'].reshape(num_clips, clip_len))

    assert inds.min() >= 0 and inds.max() < total_frames
    touched = (clip_len - 1) * frame_interval + 1
    starts = inds[:, 0].tolist()
    if clip_len == 1:
        # Single frames: segment centres, distinct when N >= num_clips.
        if total_frames >= num_clips:
            assert len(set(starts)) == num_clips, starts
    elif total_frames >= touched:
        # No looping: every view is F frames at stride tau.
        np.testing.assert_array_equal(
            inds, inds[:, :1] + np.arange(clip_len) * frame_interval)
        if total_frames - touched + 1 >= num_clips:
            assert len(set(starts)) == num_clips, starts
        assert starts == sorted(starts)
    else:
        assert starts == [0] * num_clips
    grid = grid_starts(clip_len, frame_interval, total_frames)
    assert res['clip_position'] == [nearest_position(s, grid) for s in starts]
    assert all(0 <= t < res['num_positions'] for t in res['clip_position'])
    assert res['num_clips'] == num_clips


@pytest.mark.parametrize('clip_len,frame_interval,total_frames', [(4, 3, 100),
                                                                  (4, 2, 64),
                                                                  (4, 2, 65),
                                                                  (5, 2, 37),
                                                                  (1, 3, 20),
                                                                  (2, 5, 11),
                                                                  (3, 2, 6)])
def test_training_starts_cover_every_valid_start(clip_len, frame_interval,
                                                 total_frames):
    sampler = WeakClipSampler(clip_len, frame_interval)
    span = clip_len * frame_interval
    last_start = total_frames - span
    grid = grid_starts(clip_len, frame_interval, total_frames)
    np.random.seed(0)
    starts, positions = set(), set()
    for _ in range(3000):
        res = sampler(dict(total_frames=total_frames, label=LABEL))
        inds = res['frame_inds']
        start = int(inds[0])
        np.testing.assert_array_equal(
            inds, start + np.arange(clip_len) * frame_interval)
        assert 0 <= start <= last_start
        t = res['clip_position']
        assert t == nearest_position(start, grid)
        assert 0 <= t < res['num_positions'] == len(grid)
        # The clip overlaps the F*tau frames of its grid clip by at least
        # half.
        assert span - abs(start - grid[t]) >= span / 2
        starts.add(start)
        positions.add(t)
    assert starts == set(range(last_start + 1))
    assert positions == set(range(len(grid)))


def test_training_starts_are_not_only_grid_starts():
    # Fails on the former grid-snapped sampler: a 30 s Charades video had 8
    # distinct 32x3 training clips.
    sampler = WeakClipSampler(32, 3)
    np.random.seed(0)
    starts = {
        int(sampler(dict(total_frames=720, label=LABEL))['frame_inds'][0])
        for _ in range(200)
    }
    assert len(starts) > 100
    assert not starts <= set(grid_starts(32, 3, 720))


def test_position_rule_by_hand():
    sampler = WeakClipSampler(4, 2)  # span 8; 45 frames: grid 0, 8, .. 32, 37
    assert [sampler.clip_start(t, 45)
            for t in range(6)] == [0, 8, 16, 24, 32, 37]
    assert sampler.position_of(3, 45) == 0
    assert sampler.position_of(4, 45) == 0  # a tie goes to the earlier
    assert sampler.position_of(5, 45) == 1
    assert sampler.position_of(34, 45) == 4  # 2 from 32, 3 from 37
    assert sampler.position_of(35, 45) == 5
    assert sampler.position_of(38, 45) == 5  # a test view past 37


@pytest.mark.parametrize('total_frames', [1, 5, 7, 8])
def test_training_clip_of_a_short_video_loops(total_frames):
    sampler = WeakClipSampler(4, 2)  # span 8
    np.random.seed(0)
    for _ in range(20):
        res = sampler(dict(total_frames=total_frames, label=LABEL))
        np.testing.assert_array_equal(res['frame_inds'],
                                      np.arange(0, 8, 2) % total_frames)
        assert res['clip_position'] == 0 and res['num_positions'] == 1


def test_clean_labels_are_those_of_the_frames_drawn():
    # 10 fps, span 10 frames. A segment in [2.0, 2.4] s lies in the grid
    # clip of position 2 (frames 20..29) only; jittered clips of positions
    # 1 and 3 that reach it are labelled with it, and clips of position 2
    # that miss it are not.
    sampler = WeakClipSampler(clip_len=5, frame_interval=2, label_mode='clean')
    segments = [(2.0, 2.4, 1)]
    np.random.seed(0)
    outcomes = set()
    for _ in range(400):
        res = sampler(
            dict(
                total_frames=100,
                label=LABEL,
                segments=segments,
                avg_fps=10.0,
                fps=10.0))
        inds = res['frame_inds']
        start, t = int(inds[0]), res['clip_position']
        # Seconds the clip's frames span: [start, last frame + 1) / fps.
        hit = start / 10.0 < 2.4 and (inds[-1] + 1) / 10.0 > 2.0
        np.testing.assert_array_equal(res['label'], [0, float(hit)])
        outcomes.add((t == 2, hit))
    # Hits for starts 12..23, position 2 for starts 16..25: both ways a
    # label read from the grid position would be wrong were drawn.
    assert {(False, True), (True, False), (True, True)} <= outcomes
