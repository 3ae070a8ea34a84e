"""Opening long videos, sampling one clip position, decoding the clip."""
from typing import Dict, List

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from ..video_reader import OpenCVClipReader, VideoReadError


@TRANSFORMS.register_module()
class LongVideoInit(BaseTransform):
    """Open a long video for clip reading.

    The frame count and frame rate come from the video itself, not from the
    annotation: converters may only know an approximate fps, and clip
    positions must refer to frames that exist.

    Required Keys:

        - filename
        - fps, total_frames (optional; used only when the container does
          not report them)

    Added Keys:

        - video_reader
        - avg_fps

    Modified Keys:

        - total_frames

    Args:
        num_threads (int): Decoder threads per reader (see
            :class:`OpenCVClipReader`). Defaults to 1.

    Raises:
        VideoReadError: If the video cannot be opened. The dataset turns
            this into a skipped sample in training and an error in testing.
    """

    def __init__(self, num_threads: int = 1) -> None:
        self.num_threads = num_threads

    def transform(self, results: Dict) -> Dict:
        reader = OpenCVClipReader(
            results['filename'],
            fps=results.get('fps'),
            num_threads=self.num_threads,
            num_frames=results.get('total_frames'))
        results['video_reader'] = reader
        results['total_frames'] = reader.num_frames
        results['avg_fps'] = reader.fps
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(num_threads={self.num_threads})'


@TRANSFORMS.register_module()
class LongVideoDecode(BaseTransform):
    """Decode ``frame_inds`` with one seek and sequential reading, then
    release the reader.

    Required Keys:

        - video_reader
        - frame_inds

    Added Keys:

        - imgs
        - original_shape
        - img_shape

    Modified Keys:

        - video_reader (released and set to None)
    """

    def transform(self, results: Dict) -> Dict:
        reader = results['video_reader']
        try:
            if results.get('num_clips', 1) > 1:
                # Test views are far apart: one seek per view.
                clips = np.asarray(results['frame_inds']).reshape(
                    results['num_clips'], -1)
                frames = np.concatenate([reader.read(c) for c in clips])
            else:
                frames = reader.read(results['frame_inds'])
        finally:
            reader.close()
            results['video_reader'] = None
        results['imgs'] = list(frames)
        results['original_shape'] = frames.shape[1:3]
        results['img_shape'] = frames.shape[1:3]
        return results


@TRANSFORMS.register_module()
class WeakClipSampler(BaseTransform):
    """Sample one clip of a long video, give it its labels and its clip
    position.

    **Clip positions.** A video of N frames has
    ``T = ceil(N / (F * tau))`` clip positions (F = ``clip_len``,
    tau = ``frame_interval``), the t of the AdaptFocus estimates. The grid
    clip of position t starts at frame ``t*F*tau`` (:meth:`clip_start`);
    the last, partial position is moved back to start at ``N - F*tau`` so
    that it ends at the last frame. A clip starting at frame s belongs to
    the position whose grid start is nearest to s, the earlier one on a tie
    (:meth:`position_of`). Consecutive grid starts are at most ``F*tau``
    apart, so a training clip overlaps the ``F*tau`` frames of its
    position's grid clip by at least half.

    **Training.** The start frame is drawn uniformly from all valid starts
    ``0 .. N - F*tau`` (the temporal jitter of MMAction2's ``SampleFrames``,
    whose training clips also span ``F*tau`` frames), and ``clip_position``
    is its position. The first and the last position own only the half of
    a window of starts that lies inside the video, so they are drawn about
    half as often as the others.

    **Test mode.** ``num_clips`` views are spread by frame over the video
    (the view_t of the papers) as ``SampleFrames(test_mode=True)`` spreads
    them, giving the same frame indices: with ``L = (F - 1) * tau + 1``
    frames touched per view and ``room = max(N - L, 0)``, view i starts at
    ``round(i * room / (num_clips - 1))`` (NumPy rounding, half to even)
    and a single view at ``room // 2``; single-frame clips (F = 1, 2D
    models) take the centre frames of ``num_clips`` equal segments. The
    starts are distinct whenever the video has ``num_clips`` starts of
    room (``room + 1 >= num_clips``; ``N >= num_clips`` for F = 1).
    ``clip_position`` lists each view's position by the rule above, for
    diagnostics only; the labels are always the video labels.

    A video shorter than one clip has one position; its clips start at
    frame 0 and their frame indices loop over the video (as
    ``SampleFrames`` does).

    Label modes:

    - ``'weak'``: the clip gets the video-level labels (the noisy weak
      labels every weakly supervised method starts from).
    - ``'clean'``: the clip gets the classes of the segments that overlap
      the frames drawn (the oracle "Full (Clean)" baseline; reads
      ``segments``).

    Required Keys:

        - total_frames
        - label (multi-hot)
        - avg_fps (``'clean'`` mode)
        - segments (``'clean'`` mode)

    Added Keys:

        - frame_inds
        - clip_len
        - frame_interval
        - num_clips
        - clip_position (int in training, list of int in test mode)
        - num_positions

    Modified Keys:

        - label (``'clean'`` mode in training)

    Args:
        clip_len (int): Frames per clip (F).
        frame_interval (int): Temporal stride between sampled frames (tau).
            Defaults to 1.
        num_clips (int): Clips per video in test mode. Defaults to 1.
        label_mode (str): ``'weak'`` or ``'clean'``. Defaults to ``'weak'``.
        test_mode (bool): Evenly spread clips instead of a random one.
            Defaults to False.
    """

    LABEL_MODES = ('weak', 'clean')

    def __init__(self,
                 clip_len: int,
                 frame_interval: int = 1,
                 num_clips: int = 1,
                 label_mode: str = 'weak',
                 test_mode: bool = False) -> None:
        sizes = dict(
            clip_len=clip_len,
            frame_interval=frame_interval,
            num_clips=num_clips)
        for name, value in sizes.items():
            if value < 1:
                raise ValueError(f'{name} must be positive, got {value}')
        if label_mode not in self.LABEL_MODES:
            raise ValueError(f'label_mode must be one of {self.LABEL_MODES}, '
                             f'got {label_mode!r}')
        self.clip_len = clip_len
        self.frame_interval = frame_interval
        self.num_clips = num_clips
        self.label_mode = label_mode
        self.test_mode = test_mode

    @property
    def clip_span(self) -> int:
        """Frames between the first frame of one position and the next."""
        return self.clip_len * self.frame_interval

    def num_positions(self, total_frames: int) -> int:
        """T, the number of clip positions of a video of ``total_frames``."""
        return max(1, -(-total_frames // self.clip_span))

    def last_start(self, total_frames: int) -> int:
        """The last valid training start, ``N - F*tau`` (0 if shorter)."""
        return max(0, total_frames - self.clip_span)

    def clip_start(self, position: int, total_frames: int) -> int:
        """First frame of the grid clip of ``position``."""
        return min(position * self.clip_span, self.last_start(total_frames))

    def position_of(self, start: int, total_frames: int) -> int:
        """The position a clip starting at frame ``start`` belongs to.

        The position whose grid start (:meth:`clip_start`) is nearest to
        ``start``, the earlier one on a tie; always in ``[0, T)``.
        """
        num_positions = self.num_positions(total_frames)
        # Grid starts below the last one are t * span apart, so the
        # nearest is one of the two around start / span (a test view may
        # start a few frames past the last grid start: then it is the last).
        before = min(start // self.clip_span, num_positions - 1)
        after = min(before + 1, num_positions - 1)
        gap_before = abs(start - self.clip_start(before, total_frames))
        gap_after = abs(self.clip_start(after, total_frames) - start)
        return after if gap_after < gap_before else before

    def frame_indices_from(self, start: int, total_frames: int) -> np.ndarray:
        """Frame indices of the clip starting at ``start``, looped into
        range for a video shorter than the clip."""
        inds = start + np.arange(self.clip_len) * self.frame_interval
        return inds % total_frames

    def frame_indices(self, position: int, total_frames: int) -> np.ndarray:
        """Frame indices of the grid clip of ``position``, all in range."""
        return self.frame_indices_from(
            self.clip_start(position, total_frames), total_frames)

    def train_start(self, total_frames: int) -> int:
        """A training start drawn uniformly from ``0 .. N - F*tau``."""
        return int(np.random.randint(self.last_start(total_frames) + 1))

    def test_starts(self, total_frames: int) -> np.ndarray:
        """Start frames of the ``num_clips`` test views, spread by frame."""
        # The float arithmetic is SampleFrames' own, operation for
        # operation, so that the views are the very frames MMAction2 tests
        # on (a single-frame centre that falls on a whole frame can come
        # out one frame early there, so it does here).
        if self.clip_len == 1:
            # Single frames (2D models): the centres of num_clips equal
            # segments.
            segment = total_frames / self.num_clips
            return (np.arange(self.num_clips) * segment + segment / 2).astype(
                np.int64)
        touched = (self.clip_len - 1) * self.frame_interval + 1
        room = max(total_frames - touched, 0)
        if self.num_clips == 1:
            return np.array([room // 2], dtype=np.int64)
        step = room / (self.num_clips - 1)
        return np.rint(np.arange(self.num_clips) * step).astype(np.int64)

    def clean_labels(self, inds: np.ndarray, fps: float, num_classes: int,
                     segments: List) -> np.ndarray:
        """Multi-hot labels of the segments that overlap the clip."""
        clip_begin = inds.min() / fps
        clip_end = (inds.max() + 1) / fps
        label = np.zeros(num_classes, dtype=np.float32)
        for start, end, cls in segments:
            if start < clip_end and end > clip_begin:
                label[cls] = 1.
        return label

    def transform(self, results: Dict) -> Dict:
        total_frames = results['total_frames']
        if self.test_mode:
            starts = self.test_starts(total_frames)
            inds = np.concatenate([
                self.frame_indices_from(int(s), total_frames) for s in starts
            ])
            results['clip_position'] = [
                self.position_of(int(s), total_frames) for s in starts
            ]
            results['num_clips'] = self.num_clips
        else:
            start = self.train_start(total_frames)
            inds = self.frame_indices_from(start, total_frames)
            results['clip_position'] = self.position_of(start, total_frames)
            results['num_clips'] = 1
            if self.label_mode == 'clean':
                label = results['label']
                results['label'] = self.clean_labels(
                    inds, results['avg_fps'] or results['fps'], len(label),
                    results['segments'])
        results['frame_inds'] = inds.astype(np.int64)
        results['clip_len'] = self.clip_len
        results['frame_interval'] = self.frame_interval
        results['num_positions'] = self.num_positions(total_frames)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(clip_len={self.clip_len}, '
                f'frame_interval={self.frame_interval}, '
                f'num_clips={self.num_clips}, '
                f'label_mode={self.label_mode!r}, '
                f'test_mode={self.test_mode})')


__all__ = [
    'LongVideoInit', 'LongVideoDecode', 'WeakClipSampler', 'VideoReadError'
]
