"""Where the snippets of a long video lie, and reading them with every frame
decoded once.

A snippet covers ``snippet_frames = clip_len * frame_interval`` frames
(F x tau) and feeds every tau-th of them, F frames, to the model. Snippet i
starts at ``round(i * snippet_stride)`` (rounded half up). Overlapping
snippets share frames, and snippets of a long video are thousands, so
opening or seeking the video once per snippet decodes every frame several
times over, and decoding the whole video into memory first holds gigabytes.
:class:`SnippetWindows` decodes the video sequentially once and keeps only
the frames that snippets still to come need.
"""
import math
import queue
import threading
import time
from typing import Callable, Iterable, Iterator, Optional, Tuple

import numpy as np


def snippet_starts(num_frames: int,
                   snippet_frames: int,
                   snippet_stride: Optional[float] = None,
                   num_snippets: Optional[int] = None
                   ) -> Tuple[np.ndarray, float]:
    """First frames of the snippets of a video, in one of two modes.

    - ``snippet_stride=S``: a snippet every S frames (a float is allowed),
      as many as start at or before ``num_frames - snippet_frames``, at
      least one (THUMOS14-style features: non-overlapping 16-frame
      snippets).
    - ``num_snippets=T``: T snippets spread evenly from the first frame to
      the last full snippet, ``S = (num_frames - snippet_frames) / (T - 1)``
      (ActivityNet-style features: a fixed number per video).

    A video shorter than one snippet has all its snippets at frame 0 (their
    frames then loop over the video, see :func:`snippet_frame_indices`),
    and a stride of 0 in ``num_snippets`` mode.

    Args:
        num_frames (int): Frames of the video.
        snippet_frames (int): Frames one snippet covers (F x tau).
        snippet_stride (float, optional): Frames between snippet starts.
        num_snippets (int, optional): Snippets per video.

    Returns:
        tuple[np.ndarray, float]: ``(T,)`` int64 start frames, and the
        stride in frames between them.

    Raises:
        ValueError: Not exactly one mode given, or a non-positive value.
    """
    if (snippet_stride is None) == (num_snippets is None):
        raise ValueError('give exactly one of snippet_stride and '
                         f'num_snippets, got {snippet_stride!r} and '
                         f'{num_snippets!r}')
    if num_frames < 1 or snippet_frames < 1:
        raise ValueError('num_frames and snippet_frames must be positive, '
                         f'got {num_frames} and {snippet_frames}')
    last_start = max(0, num_frames - snippet_frames)
    if snippet_stride is not None:
        if not snippet_stride > 0:
            raise ValueError(
                f'snippet_stride must be positive, got {snippet_stride}')
        stride = float(snippet_stride)
        # Candidates up to one past the last start; the rounding decides.
        count = int(math.floor((last_start + 0.5) / stride)) + 2
        starts = _round_half_up(np.arange(count) * stride)
        starts = starts[starts <= last_start]
    else:
        if num_snippets < 1:
            raise ValueError(
                f'num_snippets must be positive, got {num_snippets}')
        stride = last_start / (num_snippets - 1) if num_snippets > 1 else 0.
        starts = np.minimum(
            _round_half_up(np.arange(num_snippets) * stride), last_start)
    return starts, stride


def _round_half_up(x: np.ndarray) -> np.ndarray:
    return np.floor(x + 0.5).astype(np.int64)


def snippet_frame_indices(starts: np.ndarray, clip_len: int,
                          frame_interval: int,
                          num_frames: int) -> np.ndarray:
    """The frames fed to the model for each snippet.

    Snippet i gets ``start_i, start_i + tau, ..., start_i + (F - 1) tau``.
    In a video shorter than one snippet the indices loop over the video (as
    :class:`WeakClipSampler` does in training), so the model sees F frames
    of the video in the order it learnt them.

    Args:
        starts (np.ndarray): ``(T,)`` start frames.
        clip_len (int): Frames per snippet fed to the model (F).
        frame_interval (int): Frames between them (tau).
        num_frames (int): Frames of the video.

    Returns:
        np.ndarray: ``(T, F)`` int64 frame indices.
    """
    offsets = np.arange(clip_len, dtype=np.int64) * frame_interval
    return (np.asarray(starts, np.int64)[:, None] + offsets) % num_frames


class SnippetWindows:
    """The frames of each snippet of one video, with every frame decoded
    once.

    The reader is asked for consecutive runs of frames, so it never seeks
    after the first frame: each call starts at the first frame not decoded
    yet and ends at the last frame of the next snippet. Frames that no
    snippet uses are grabbed but not retrieved (colour-converted), except
    the first one of a run; frames that several snippets use are kept in a
    buffer until the last of those snippets has been yielded. The buffer
    holds at most the frames of the snippets that overlap the current one,
    never the whole video.

    Args:
        reader: An object with ``read(frame_inds) -> (N, H, W, 3)`` that
            decodes sequentially without seeking when a call starts where
            the previous one ended (:class:`OpenCVClipReader`).
        frame_inds (np.ndarray): ``(T, F)`` frame indices of the snippets,
            their starts non-decreasing (:func:`snippet_frame_indices`).
        frame_transform (callable, optional): Applied once to each frame
            that a snippet uses, e.g. the resize of the test pipeline.
            Defaults to None.

    Attributes:
        decode_seconds (float): Time spent reading and transforming frames.
        frames_decoded (int): Frames the reader has decoded so far.
        max_buffered (int): Most frames held at once.
    """

    def __init__(self,
                 reader,
                 frame_inds: np.ndarray,
                 frame_transform: Optional[Callable] = None) -> None:
        self.reader = reader
        self.frame_inds = np.asarray(frame_inds, dtype=np.int64)
        if self.frame_inds.ndim != 2 or len(self.frame_inds) == 0:
            raise ValueError('frame_inds must be a non-empty (T, F) array, '
                             f'got shape {self.frame_inds.shape}')
        if np.any(np.diff(self.frame_inds[:, 0]) < 0):
            raise ValueError('snippet starts must be non-decreasing')
        self.frame_transform = frame_transform
        self.decode_seconds = 0.
        self.frames_decoded = 0
        self.max_buffered = 0

    def __len__(self) -> int:
        return len(self.frame_inds)

    def __iter__(self) -> Iterator[Tuple[int, np.ndarray]]:
        """Yield ``(snippet index, (F, H', W', 3) frames)`` in order."""
        needed = set(self.frame_inds.ravel().tolist())
        buffer = {}
        next_frame = 0  # the first frame not decoded yet
        for i, inds in enumerate(self.frame_inds):
            last = int(inds.max())
            if last >= next_frame:
                tic = time.perf_counter()
                run = [f for f in range(next_frame, last + 1) if f in needed]
                if not run or run[0] != next_frame:
                    # Ask for the first frame of the run too: a call that
                    # started later would seek.
                    run.insert(0, next_frame)
                for f, frame in zip(run, self.reader.read(run)):
                    if f in needed:
                        buffer[f] = (self.frame_transform(frame)
                                     if self.frame_transform else frame)
                self.frames_decoded += last + 1 - next_frame
                next_frame = last + 1
                self.decode_seconds += time.perf_counter() - tic
                self.max_buffered = max(self.max_buffered, len(buffer))
            window = np.stack([buffer[f] for f in inds.tolist()])
            if i + 1 < len(self.frame_inds):
                keep_from = int(self.frame_inds[i + 1].min())
                for f in [f for f in buffer if f < keep_from]:
                    del buffer[f]
            yield i, window


def prefetch(items: Iterable, depth: int) -> Iterator:
    """Produce ``items`` in a background thread, up to ``depth`` ahead.

    Decoding (OpenCV) and the model (PyTorch) both release the GIL, so the
    next snippets decode while the model runs on the current batch. Memory
    stays bounded by ``depth`` items. An exception in the producer is raised
    here; closing the returned generator stops the producer.

    Args:
        items (Iterable): What to produce, e.g. a :class:`SnippetWindows`.
        depth (int): Items produced ahead; 0 produces them in this thread.

    Yields:
        The items, in order.
    """
    if depth <= 0:
        yield from items
        return
    slots = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                slots.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((None, item)):
                    return
        except BaseException as e:  # handed to the consumer, not swallowed
            put((e, None))
            return
        put((None, done))

    worker = threading.Thread(target=produce, daemon=True)
    worker.start()
    try:
        while True:
            error, item = slots.get()
            if error is not None:
                raise error
            if item is done:
                return
            yield item
    finally:
        stop.set()
        worker.join()
