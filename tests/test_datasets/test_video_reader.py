import decord
import numpy as np
import pytest

from mmwsal.datasets import OpenCVClipReader, VideoReadError
from tests.conftest import decoded_indices, write_counter_video


def test_reader_returns_requested_frames_in_order(tmp_path):
    path = write_counter_video(tmp_path / 'v.mp4', 60, fps=10)
    rng = np.random.default_rng(0)
    with OpenCVClipReader(path) as reader:
        assert reader.num_frames == 60
        assert reader.fps == pytest.approx(10)
        for _ in range(10):
            start = int(rng.integers(0, 50))
            inds = [start + 2 * k for k in range(5)]
            frames = reader.read(inds)
            assert frames.shape == (5, 48, 64, 3)
            assert decoded_indices(frames) == [i % 30 for i in inds]
        # Repeats and any order, as looped short clips need.
        frames = reader.read([5, 3, 5, 0])
        assert decoded_indices(frames) == [5, 3, 5, 0]


def test_reader_matches_decord(tmp_path):
    path = write_counter_video(tmp_path / 'v.mp4', 40, fps=10)
    inds = [31, 33, 35, 37]
    with OpenCVClipReader(path) as reader:
        ours = reader.read(inds).astype(np.int16)
    vr = decord.VideoReader(path, num_threads=1)
    theirs = vr.get_batch(inds).asnumpy().astype(np.int16)
    del vr
    assert np.abs(ours - theirs).mean() < 2


def test_reader_pads_a_short_tail(tmp_path):
    path = write_counter_video(tmp_path / 'v.mp4', 20, fps=10)
    with OpenCVClipReader(path) as reader:
        frames = reader.read([16, 18, 25, 27])  # 25, 27 do not exist
    assert decoded_indices(frames) == [16, 18, 18, 18]


def test_reader_errors_name_the_file(tmp_path):
    bad = tmp_path / 'corrupt.mp4'
    bad.write_bytes(b'\x00not a video' * 100)
    with pytest.raises(VideoReadError, match='corrupt.mp4'):
        OpenCVClipReader(str(bad))
    with pytest.raises(VideoReadError, match='missing.mp4'):
        OpenCVClipReader(str(tmp_path / 'missing.mp4'))
    path = write_counter_video(tmp_path / 'v.mp4', 10)
    with OpenCVClipReader(path) as reader:
        with pytest.raises(ValueError, match='negative'):
            reader.read([-1, 2])


def test_reader_uses_the_requested_decoder_threads(tmp_path):
    import cv2
    path = write_counter_video(tmp_path / 'v.mp4', 10)
    with OpenCVClipReader(path) as reader:
        assert reader._cap.get(cv2.CAP_PROP_N_THREADS) == 1
    with OpenCVClipReader(path, num_threads=2) as reader:
        assert reader._cap.get(cv2.CAP_PROP_N_THREADS) == 2


def test_reader_falls_back_to_the_given_frame_count(tmp_path, monkeypatch):
    import cv2

    import mmwsal.datasets.video_reader as module
    path = write_counter_video(tmp_path / 'v.mp4', 12, fps=10)

    real_capture = cv2.VideoCapture

    class NoCount:
        """A container that reports neither frame count nor rate."""

        def __init__(self, *args):
            self._cap = real_capture(*args)

        def get(self, prop):
            if prop in (cv2.CAP_PROP_FRAME_COUNT, cv2.CAP_PROP_FPS):
                return 0.0
            return self._cap.get(prop)

        def __getattr__(self, name):
            return getattr(self._cap, name)

    monkeypatch.setattr(module.cv2, 'VideoCapture', NoCount)
    with pytest.raises(VideoReadError, match='reports no frames'):
        OpenCVClipReader(path)
    with OpenCVClipReader(path, fps=12.5, num_frames=12) as reader:
        assert (reader.num_frames, reader.fps) == (12, 12.5)
        assert decoded_indices(reader.read([3, 4])) == [3, 4]
