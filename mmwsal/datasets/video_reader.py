"""Reading a few frames out of a long video.

A long video is visited for one short clip at a time, so the reader is
opened, sought once to the first frame of the clip, and then decodes
sequentially, keeping only the frames the clip needs. A seek per frame (what
MMAction2's ``OpenCVDecode`` does) restarts decoding from a key frame for
every frame; reading a whole video into memory (``DecordInit`` +
``get_batch`` on long videos) holds gigabytes. ``benchmarks/clip_sampling.py``
measures both against this path.
"""
from typing import Optional, Sequence

import cv2
import numpy as np


class VideoReadError(RuntimeError):
    """A video cannot be opened or decoded. The message names the file."""

    def __init__(self, filename: str, reason: str) -> None:
        super().__init__(f'{filename}: {reason}')
        self.filename = filename
        self.reason = reason


class OpenCVClipReader:
    """Read frames of a video by index with one seek per call.

    Args:
        filename (str): Path of the video.
        fps (float, optional): Frame rate to report when the container
            reports none. Defaults to None.
        num_threads (int): Decoder threads. One per reader by default:
            every dataloader worker has its own reader, and OpenCV would
            otherwise start one decoding thread per CPU in each of them.
            0 lets OpenCV choose. Defaults to 1.
        num_frames (int, optional): Frame count to use when the container
            reports none (some WebM/MKV files), e.g. duration x fps from the
            annotation. Defaults to None.

    Attributes:
        num_frames (int): Number of frames the container reports.
        fps (float): Frames per second.

    Raises:
        VideoReadError: If the file cannot be opened or has no frames.
    """

    def __init__(self,
                 filename: str,
                 fps: Optional[float] = None,
                 num_threads: int = 1,
                 num_frames: Optional[int] = None) -> None:
        self.filename = filename
        self._cap = cv2.VideoCapture(filename, cv2.CAP_FFMPEG,
                                     [cv2.CAP_PROP_N_THREADS, num_threads])
        if not self._cap.isOpened():
            self._cap.release()
            raise VideoReadError(filename, 'cannot be opened as a video')
        self.num_frames = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT))
        if self.num_frames <= 0 and num_frames:
            self.num_frames = int(num_frames)
        container_fps = float(self._cap.get(cv2.CAP_PROP_FPS))
        self.fps = container_fps if container_fps > 0 else fps
        if self.num_frames <= 0:
            self.close()
            raise VideoReadError(filename, 'reports no frames')
        # The frame the next grab() returns, or None after a failed seek.
        self._next = 0

    def read(self, frame_inds: Sequence[int]) -> np.ndarray:
        """Decode the frames at ``frame_inds`` (any order, repeats allowed).

        Decoding seeks once to the smallest index and then grabs frames in
        order, retrieving (colour-converting) only the wanted ones. If the
        container reported more frames than it holds, the missing tail is
        filled with the last frame that decoded.

        Args:
            frame_inds (Sequence[int]): 0-based frame indices.

        Returns:
            np.ndarray: ``(len(frame_inds), H, W, 3)`` uint8 RGB frames.
        """
        inds = np.asarray(frame_inds, dtype=np.int64)
        if inds.size == 0:
            raise ValueError(f'{self.filename}: no frame indices to read')
        if inds.min() < 0:
            raise ValueError(f'{self.filename}: negative frame index '
                             f'{inds.min()}')
        wanted = np.unique(inds)
        first, last = int(wanted[0]), int(wanted[-1])
        if self._next != first:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, first)
            self._next = first
        decoded = {}
        last_good = None
        wanted_set = set(wanted.tolist())
        for idx in range(first, last + 1):
            if not self._cap.grab():
                break
            self._next = idx + 1
            if idx in wanted_set:
                ok, frame = self._cap.retrieve()
                if not ok:
                    break
                last_good = frame
                decoded[idx] = frame
        if last_good is None:
            raise VideoReadError(
                self.filename, f'no frame could be decoded at indices '
                f'{first}..{last} (the video reports {self.num_frames} '
                'frames)')
        if len(decoded) < len(wanted):
            # A short tail: the container overstated its length. Repeat the
            # last decoded frame so that the clip keeps its length.
            for idx in wanted_set.difference(decoded):
                decoded[idx] = decoded[max(i for i in decoded if i <= idx)]
            self._next = -1
        frames = np.stack([decoded[int(i)] for i in inds])
        return frames[..., ::-1].copy()  # BGR -> RGB

    def close(self) -> None:
        """Release the decoder."""
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    def __enter__(self) -> 'OpenCVClipReader':
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()
