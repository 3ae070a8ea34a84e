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
    """Sample one clip position of a long video and give it its labels.

    A video of N frames is cut into ``T = ceil(N / (F * tau))`` clip
    positions, one per ``F * tau`` frames (F = ``clip_len``,
    tau = ``frame_interval``). Position t covers frames
    ``t*F*tau, t*F*tau + tau, ...``; the last, partial position is moved back
    so that it ends at the last frame. A video shorter than one clip has one
    position whose frame indices loop over the video (as MMAction2's
    ``SampleFrames`` does).

    In training one position is drawn uniformly at random per visit. In test
    mode ``num_clips`` clips are spread evenly over the video (the
    ``view_t`` views of the papers) and the labels are always the video
    labels.

    Label modes:

    - ``'weak'``: the clip gets the video-level labels (the noisy weak
      labels every weakly supervised method starts from).
    - ``'clean'``: the clip gets the classes of the segments that overlap
      it (the oracle "Full (Clean)" baseline; reads ``segments``).

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
        if clip_len < 1 or frame_interval < 1 or num_clips < 1:
            raise ValueError('clip_len, frame_interval and num_clips must be '
                             f'positive, got {clip_len}, {frame_interval}, '
                             f'{num_clips}')
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

    def clip_start(self, position: int, total_frames: int) -> int:
        """First frame of the clip at ``position``."""
        return max(0, min(position * self.clip_span,
                          total_frames - self.clip_span))

    def frame_indices(self, position: int, total_frames: int) -> np.ndarray:
        """Frame indices of the clip at ``position``, all in range."""
        start = self.clip_start(position, total_frames)
        inds = start + np.arange(self.clip_len) * self.frame_interval
        return inds % total_frames

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

    def test_positions(self, num_positions: int) -> List[int]:
        """Positions of ``num_clips`` views spread evenly over the video."""
        return [
            int((i + 0.5) * num_positions / self.num_clips)
            for i in range(self.num_clips)
        ]

    def transform(self, results: Dict) -> Dict:
        total_frames = results['total_frames']
        num_positions = self.num_positions(total_frames)
        if self.test_mode:
            positions = self.test_positions(num_positions)
            inds = np.concatenate(
                [self.frame_indices(p, total_frames) for p in positions])
            results['clip_position'] = positions
            results['num_clips'] = self.num_clips
        else:
            position = int(np.random.randint(num_positions))
            inds = self.frame_indices(position, total_frames)
            results['clip_position'] = position
            results['num_clips'] = 1
            if self.label_mode == 'clean':
                label = results['label']
                results['label'] = self.clean_labels(
                    inds, results['avg_fps'] or results['fps'], len(label),
                    results['segments'])
        results['frame_inds'] = inds.astype(np.int64)
        results['clip_len'] = self.clip_len
        results['frame_interval'] = self.frame_interval
        results['num_positions'] = num_positions
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
