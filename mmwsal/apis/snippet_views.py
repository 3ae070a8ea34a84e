"""Test-time views of a snippet, as a model's test pipeline makes them:
resize each frame, then a centre crop or three crops, optionally flipped."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from mmaction.registry import TRANSFORMS
from mmengine.logging import print_log

CROP_MODES = ('center', 'three_crop')
CROP_TRANSFORMS = ('CenterCrop', 'ThreeCrop', 'TenCrop')
# Steps of a test pipeline that load, sample or pack frames; the extractor
# does their work itself.
NON_SPATIAL_SUFFIXES = ('Init', 'Decode', 'Sample', 'SampleFrames', 'Sampler',
                        'FormatShape', 'PackActionInputs')


class SnippetViewError(ValueError):
    """A video's frames do not fit the requested views (e.g. smaller than
    the crop). The extraction run reports and skips the video."""


def _size_pair(size: Union[int, Sequence[int]]) -> Tuple[int, int]:
    if isinstance(size, int):
        return size, size
    width, height = size
    return int(width), int(height)


class SnippetViews:
    """Test-time views of a snippet, as the model's test pipeline makes
    them.

    Args:
        resize (Sequence[dict]): MMAction2 ``Resize`` arguments applied in
            order to every frame, e.g. ``[dict(scale=(-1, 256))]`` for a
            short side of 256. Defaults to ``()`` (no resize).
        crop_size (int | tuple[int, int], optional): Crop size (w, h).
            None takes the whole frame for ``'center'`` and squares of the
            short side for ``'three_crop'``. Defaults to None.
        crops (str): ``'center'`` (one view, MMAction2's ``CenterCrop``) or
            ``'three_crop'`` (three views along the long side, its
            ``ThreeCrop``; a crop smaller than both sides is centred on the
            short one). Defaults to ``'center'``.
        flip (bool): Add the horizontal flip of every crop. Defaults to
            False.
    """

    def __init__(self,
                 resize: Sequence[dict] = (),
                 crop_size: Optional[Union[int, Sequence[int]]] = None,
                 crops: str = 'center',
                 flip: bool = False) -> None:
        if crops not in CROP_MODES:
            raise ValueError(
                f'crops must be one of {CROP_MODES}, got {crops!r}')
        self.resize_cfgs = [_resize_cfg(r) for r in resize]
        self._resizes = [TRANSFORMS.build(r) for r in self.resize_cfgs]
        self.crop_size = None if crop_size is None else _size_pair(crop_size)
        self.crops = crops
        self.flip = bool(flip)

    @classmethod
    def from_pipeline(cls,
                      pipeline: Sequence[dict],
                      short_side: Optional[int] = None,
                      crop_size: Optional[Union[int, Sequence[int]]] = None,
                      crops: str = 'center',
                      flip: bool = False) -> 'SnippetViews':
        """Views that follow a test pipeline config, with overrides.

        Args:
            pipeline (Sequence[dict]): The model's test pipeline.
            short_side (int, optional): Resize the short side to this
                instead of the pipeline's ``Resize`` steps.
            crop_size (int | tuple[int, int], optional): Instead of the
                pipeline's ``CenterCrop``/``ThreeCrop``/``TenCrop`` size.
            crops (str): ``'center'`` or ``'three_crop'``.
            flip (bool): Add flipped views.
        """
        resize, pipeline_crop = [], None
        for step in pipeline:
            kind = step.get('type', '')
            if kind == 'Resize':
                resize.append(step)
            elif kind in CROP_TRANSFORMS:
                pipeline_crop = step.get('crop_size')
            elif not kind.endswith(NON_SPATIAL_SUFFIXES):
                print_log(f'feature extraction does not apply the test '
                          f'pipeline step {kind}', logger='current')
        if short_side is not None:
            resize = [dict(scale=(-1, int(short_side)))]
        return cls(resize, crop_size if crop_size is not None else
                   pipeline_crop, crops, flip)

    @property
    def num_views(self) -> int:
        """Views per snippet."""
        return (3 if self.crops == 'three_crop' else 1) * (2 if self.flip
                                                           else 1)

    def settings(self) -> Dict:
        """What makes features of these views differ from other views."""
        return dict(
            resize=[{k: list(v) if isinstance(v, tuple) else v
                     for k, v in r.items()} for r in self.resize_cfgs],
            crop_size=list(self.crop_size) if self.crop_size else None,
            crops=self.crops,
            flip=self.flip)

    def resize_frame(self, frame: np.ndarray) -> np.ndarray:
        """The frame after the ``Resize`` steps (run once per frame)."""
        for resize in self._resizes:
            results = dict(imgs=[frame], img_shape=frame.shape[:2],
                           modality='RGB')
            frame = resize(results)['imgs'][0]
        return frame

    def crop_boxes(self, height: int,
                   width: int) -> List[Tuple[int, int, int, int]]:
        """``(x, y, w, h)`` of each crop of a ``height x width`` frame.

        Raises:
            SnippetViewError: If the crop is larger than the frame.
        """
        if self.crop_size is None:
            side = min(height, width)
            crop_w, crop_h = ((width, height) if self.crops == 'center' else
                              (side, side))
        else:
            crop_w, crop_h = self.crop_size
        if crop_w > width or crop_h > height:
            raise SnippetViewError(
                f'crop {crop_w}x{crop_h} (w x h) is larger than the resized '
                f'frame {width}x{height}')
        x_mid, y_mid = (width - crop_w) // 2, (height - crop_h) // 2
        if self.crops == 'center':
            return [(x_mid, y_mid, crop_w, crop_h)]
        if crop_h == height or (crop_w != width and width >= height):
            # MMAction2's order: left, right, middle.
            return [(x, y_mid, crop_w, crop_h) for x in (0, 2 * x_mid, x_mid)]
        return [(x_mid, y, crop_w, crop_h) for y in (0, 2 * y_mid, y_mid)]

    def __call__(self, frames: np.ndarray) -> np.ndarray:
        """``(F, H, W, 3)`` resized frames -> ``(V, F, h, w, 3)`` views."""
        views = [
            frames[:, y:y + h, x:x + w]
            for x, y, w, h in self.crop_boxes(*frames.shape[1:3])
        ]
        if self.flip:
            views += [v[:, :, ::-1] for v in views]
        return np.stack(views)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(resize={self.resize_cfgs}, '
                f'crop_size={self.crop_size}, crops={self.crops!r}, '
                f'flip={self.flip})')


def _resize_cfg(cfg: dict) -> dict:
    cfg = {k: tuple(v) if isinstance(v, list) else v for k, v in cfg.items()}
    cfg['type'] = 'Resize'
    return cfg
