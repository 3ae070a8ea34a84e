"""Drawing the frames of a synthetic long video from its spec.

The spec (objects, motions, background) comes from
:func:`mmwsal.datasets.synthetic.make_video_specs`; everything here is a pure
function of it, so the same spec always gives the same frames.
"""
import math
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np


@dataclass
class ObjectSpec:
    """An object on screen in frames [start_frame, end_frame); ``label`` is
    its class, None for a distractor; ``look`` is from ``_appearance``."""
    motion: str
    start_frame: int
    end_frame: int
    label: Optional[int]
    look: Dict
    params: Dict[str, float]


@dataclass
class VideoSpec:
    """Everything needed to render one video and write its annotation."""
    video_id: str
    subset: str
    num_frames: int
    fps: float
    height: int
    width: int
    background: Dict
    objects: List[ObjectSpec] = field(default_factory=list)
    click_frames: List[int] = field(default_factory=list)

    @property
    def file(self) -> str:
        """The video path relative to the dataset directory."""
        return f'videos/{self.video_id}.mp4'


def _background(spec: VideoSpec) -> Tuple[np.ndarray, np.ndarray]:
    """A periodic smooth-noise texture, wrap-padded, and its per-frame
    (x, y) offsets in pixels."""
    bg, h, w = spec.background, spec.height, spec.width
    rng = np.random.default_rng(bg['seed'])
    th, tw, short = 2 * h, 2 * w, min(h, w)
    freq2 = np.fft.fftfreq(th)[:, None]**2 + np.fft.rfftfreq(tw)[None]**2
    layers = []
    # Coarse blobs and a fine grain that stays codable on tiny frames.
    for sigma in (3.0 / short, min(12.0 / short, 0.1)):
        spectrum = np.fft.rfft2(rng.standard_normal((th, tw)))
        smooth = np.fft.irfft2(
            spectrum * np.exp(-freq2 / (2 * sigma**2)), s=(th, tw))
        layers.append(0.5 + 0.5 * np.tanh(smooth / smooth.std()))
    c = np.asarray(bg['colours'])
    tex = (
        c[0] + layers[0][..., None] * (c[1] - c[0]) +
        (layers[1][..., None] - 0.5) * (c[2] - c[0]) * 0.6)
    tex = np.pad(tex, ((0, h + 1), (0, w + 1), (0, 0)), mode='wrap')
    t = np.arange(spec.num_frames)[:, None] / spec.fps
    amp, freq = bg['wobble']
    offsets = (
        np.asarray(bg['velocity']) * t + amp * np.sin(2 * math.pi * freq * t))
    return tex.astype(np.float32), offsets


def _object_state(obj: ObjectSpec, step: int, fps: float,
                  flicker: Optional[np.ndarray],
                  size: Sequence[int]) -> Tuple[float, ...]:
    """(x, y, angle, scale, gain, opacity) of ``obj`` ``step`` frames after
    it appeared."""
    p, motion, tau = obj.params, obj.motion, step / fps
    x, y, angle, scale, gain, opacity = p['x'], p['y'], p['angle'], 1., 1., 1.
    cycle = 2 * math.pi * p.get('freq', 0.) * tau + p.get('phase', 0.)
    wave = math.sin(cycle)
    if motion.startswith('move_'):
        # Wrap around so that the object keeps crossing the frame.
        m = 1.5 * obj.look['radius'] * max(obj.look['aspect'], 1.0)
        x = (x + p.get('vx', 0.) * tau + m) % (size[1] + 2 * m) - m
        y = (y + p.get('vy', 0.) * tau + m) % (size[0] + 2 * m) - m
    elif motion == 'rotate':
        angle += p['omega'] * tau
    elif motion == 'oscillate_vertical':
        y += p['amp'] * wave
    elif motion == 'pulse':
        scale += p['amp'] * wave
    elif motion == 'orbit':
        x += p['amp'] * math.cos(cycle)
        y += p['amp'] * wave
    elif motion == 'wobble':
        x += p['amp'] * wave
        y += p['amp'] * math.cos(1.7 * math.pi * p['freq'] * tau)
    elif motion == 'shimmer':
        gain += p['amp'] * wave
    elif motion == 'flicker':
        opacity = float(flicker[step])
    return x, y, angle, scale, gain, opacity


def _draw(img: np.ndarray, obj: ObjectSpec, state: Tuple[float, ...]) -> None:
    """Alpha-blend ``obj`` into ``img`` (float32 H x W x 3) in place,
    computing only its bounding box."""
    x, y, angle, scale, gain, opacity = state
    look = obj.look
    r = look['radius'] * scale
    reach = r * max(look['aspect'], 1.0) * 1.5 + 1
    y0, y1 = max(0, int(y - reach)), min(img.shape[0], int(y + reach) + 2)
    x0, x1 = max(0, int(x - reach)), min(img.shape[1], int(x + reach) + 2)
    if opacity <= 0 or y0 >= y1 or x0 >= x1:
        return
    dx = (np.arange(x0, x1, dtype=np.float32) - x)[None] / r
    dy = (np.arange(y0, y1, dtype=np.float32) - y)[:, None] / r
    cos, sin = math.cos(angle), math.sin(angle)
    u, v = (cos * dx + sin * dy) / look['aspect'], -sin * dx + cos * dy
    au, av_, shape = np.abs(u), np.abs(v), look['shape']
    # g: roughly the distance to the outline in radii, negative inside.
    if shape == 'ellipse':
        g = np.sqrt(u * u + v * v) - 1
    elif shape == 'rectangle':
        g = np.maximum(au, av_) - 1
    elif shape == 'diamond':
        g = au + av_ - 1
    elif shape == 'triangle':
        g = 2 * np.maximum(-v, 0.866 * au + 0.5 * v) - 1
    else:  # cross
        g = np.minimum(np.maximum(au, av_ / .4), np.maximum(au / .4, av_)) - 1
    alpha = np.clip(0.5 - g * r, 0, 1) * opacity
    # Stripes in object coordinates make rotation and scaling visible.
    across = u * math.cos(look['stripe_angle']) + v * math.sin(
        look['stripe_angle'])
    stripe = 0.5 + 0.5 * np.tanh(
        2.5 * np.sin(across * (2 * math.pi / look['stripe_period'])))
    c = np.asarray(look['colours'], dtype=np.float32) * gain
    patch = img[y0:y1, x0:x1]
    patch += alpha[..., None] * (
        c[1] + stripe[..., None] * (c[0] - c[1]) - patch)


def render_frames(spec: VideoSpec) -> Iterator[np.ndarray]:
    """Render the frames of one video.

    Args:
        spec (VideoSpec): A spec from :func:`make_video_specs`.

    Yields:
        np.ndarray: uint8 RGB frames of shape (H, W, 3), in order.
    """
    h, w = spec.height, spec.width
    tex, offsets = _background(spec)
    flicker = {}
    for i, obj in enumerate(spec.objects):
        if obj.motion == 'flicker':
            rng = np.random.default_rng(obj.look['seed'])
            on = rng.random(obj.end_frame - obj.start_frame) < 0.6
            flicker[i] = np.repeat(on, rng.integers(2, 5))[:len(on)]
    for t in range(spec.num_frames):
        ix, iy = (math.floor(o) for o in offsets[t])
        fx, fy = (np.float32(o - i) for o, i in zip(offsets[t], (ix, iy)))
        ix, iy = ix % (2 * w), iy % (2 * h)
        # Bilinear sub-pixel scrolling of the texture.
        p = tex[iy:iy + h + 1, ix:ix + w + 1]
        rows = p[:-1] + fy * (p[1:] - p[:-1])
        img = rows[:, :-1] + fx * (rows[:, 1:] - rows[:, :-1])
        for i, obj in enumerate(spec.objects):
            if obj.start_frame <= t < obj.end_frame:
                _draw(
                    img, obj,
                    _object_state(obj, t - obj.start_frame, spec.fps,
                                  flicker.get(i), (h, w)))
        yield np.clip(img + 0.5, 0, 255).astype(np.uint8)


def render_video(spec: VideoSpec) -> np.ndarray:
    """All frames of one video as a uint8 RGB array (T, H, W, 3)."""
    return np.stack(list(render_frames(spec)))
