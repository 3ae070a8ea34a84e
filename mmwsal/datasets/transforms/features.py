"""Loading, temporal resampling and packing of per-video snippet features."""
from typing import Dict, Optional

import numpy as np
import torch
from mmaction.registry import TRANSFORMS
from mmaction.structures import ActionDataSample
from mmcv.transforms import BaseTransform

from ..background_clicks import click_snippet_indices


def _read_features(path: str, video_id: str) -> np.ndarray:
    try:
        features = np.load(path, mmap_mode='r')
    except (OSError, ValueError) as e:
        raise ValueError(f'video {video_id}: cannot read features {path}: '
                         f'{e}') from e
    if features.ndim != 2 or features.shape[0] == 0:
        raise ValueError(f'video {video_id}: features {path} must have shape '
                         f'(T, C) with T >= 1, got {features.shape}')
    return features


@TRANSFORMS.register_module()
class LoadSnippetFeatures(BaseTransform):
    """Load a video's ``(T, C)`` snippet features, concatenating modalities.

    Required Keys:

        - video_id, feature_paths, duration
        - snippet_stride_seconds (None: ``duration / T``)
        - background_clicks (optional, seconds)

    Added Keys:

        - features (float32 ``(T, C)``)
        - num_snippets (T of the file)
        - snippet_seconds (seconds between snippet starts)
        - click_indices (int64, the snippets holding the background clicks;
          empty without clicks)

    Args:
        feature_dim (int, optional): Expected ``C`` after concatenation;
            a file of another width is an error naming it. Defaults to None
            (no check).

    Raises:
        ValueError: Unreadable files, a wrong shape, modalities of different
            lengths, or NaN / infinite values; the message names the video
            and the file.
    """

    def __init__(self, feature_dim: Optional[int] = None) -> None:
        self.feature_dim = feature_dim

    def transform(self, results: Dict) -> Dict:
        vid = results['video_id']
        paths = results['feature_paths']
        parts = [_read_features(p, vid) for p in paths]
        lengths = {p: f.shape[0] for p, f in zip(paths, parts)}
        if len(set(lengths.values())) > 1:
            raise ValueError(f'video {vid}: modalities have different numbers '
                             f'of snippets: {lengths}')
        features = np.concatenate(parts, axis=1).astype(np.float32)
        if not np.isfinite(features).all():
            bad = np.argwhere(~np.isfinite(features).all(axis=1))[:5, 0]
            raise ValueError(f'video {vid}: features {paths} hold NaN or '
                             f'infinite values (snippets {bad.tolist()} ...)')
        if self.feature_dim is not None and \
                features.shape[1] != self.feature_dim:
            raise ValueError(f'video {vid}: features {paths} have '
                             f'{features.shape[1]} channels, expected '
                             f'feature_dim={self.feature_dim}')
        num = features.shape[0]
        stride = results.get('snippet_stride_seconds')
        results['features'] = features
        results['num_snippets'] = num
        results['snippet_seconds'] = float(
            stride if stride else results['duration'] / num)
        results['click_indices'] = click_snippet_indices(
            results.get('background_clicks', []), results['snippet_seconds'],
            num)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(feature_dim={self.feature_dim})'


@TRANSFORMS.register_module()
class ResampleSnippets(BaseTransform):
    """Resample the snippet sequence to a fixed length for batched training.

    Modes:

    - ``'interpolate'``: linear interpolation in time onto ``num_snippets``
      evenly spaced points (deterministic).
    - ``'uniform_sample'``: STPN / BaS-Net's sampling: the video is cut into
      ``num_snippets`` equal bins and one snippet is drawn at random in each
      (the bin's start in ``test_mode``); shorter videos repeat snippets.
    - ``'random_crop'``: a random window of ``num_snippets`` consecutive
      snippets (the first in ``test_mode``); shorter videos are interpolated
      up to the length.

    Required Keys:

        - features, snippet_seconds

    Modified Keys:

        - features (``(num_snippets, C)``)
        - snippet_seconds (seconds per resampled step)
        - click_indices (if present: the output positions whose span holds
          a clicked snippet; clicks outside a crop are dropped)

    Args:
        num_snippets (int): Output length T, e.g. 750 for THUMOS14 and 50 or
            100 for ActivityNet.
        mode (str): ``'interpolate'``, ``'uniform_sample'`` or
            ``'random_crop'``. Defaults to ``'uniform_sample'``.
        test_mode (bool): Deterministic sampling. Defaults to False.
    """
    MODES = ('interpolate', 'uniform_sample', 'random_crop')

    def __init__(self,
                 num_snippets: int,
                 mode: str = 'uniform_sample',
                 test_mode: bool = False) -> None:
        if int(num_snippets) < 1:
            raise ValueError(f'num_snippets must be >= 1, got {num_snippets}')
        if mode not in self.MODES:
            raise ValueError(f'mode must be one of {self.MODES}, got {mode!r}')
        self.num_snippets = int(num_snippets)
        self.mode = mode
        self.test_mode = test_mode

    @staticmethod
    def interpolate(features: np.ndarray, length: int) -> np.ndarray:
        """Linear interpolation of ``(T, C)`` onto ``length`` points spread
        from the first to the last snippet."""
        num = features.shape[0]
        if num == 1:
            return np.repeat(features, length, axis=0)
        pos = np.linspace(0, num - 1, length)
        low = np.floor(pos).astype(np.int64)
        high = np.minimum(low + 1, num - 1)
        frac = (pos - low)[:, None].astype(np.float32)
        return features[low] * (1 - frac) + features[high] * frac

    def _sample_indices(self, num: int) -> np.ndarray:
        edges = np.linspace(0, num, self.num_snippets + 1)
        if num < self.num_snippets:
            return np.floor(edges[:-1]).astype(np.int64)
        low = edges[:-1].astype(np.int64)
        high = np.maximum(edges[1:].astype(np.int64), low + 1)
        if self.test_mode:
            return low
        return np.random.randint(low, high)

    @staticmethod
    def rescale_indices(indices: np.ndarray, num: int,
                        length: int) -> np.ndarray:
        """Output positions of ``length`` evenly rescaled steps whose span
        holds one of the source snippets ``indices`` (of ``num``): every
        step that starts in a clicked snippet, and the step whose span
        holds a clicked snippet that starts none."""
        indices = np.asarray(indices, np.int64)
        source = np.floor(np.arange(length) * num / length).astype(np.int64)
        holding = np.minimum(length - 1, indices * length // num)
        return np.union1d(np.flatnonzero(np.isin(source, indices)),
                          holding[~np.isin(indices, source)])

    def transform(self, results: Dict) -> Dict:
        features = results['features']
        num, length = features.shape[0], self.num_snippets
        clicks = results.get('click_indices')
        if self.mode == 'random_crop' and num >= length:
            start = 0 if self.test_mode else np.random.randint(
                0, num - length + 1)
            out = features[start:start + length]
            scale = 1.0
            if clicks is not None:
                shifted = np.asarray(clicks, np.int64) - start
                clicks = shifted[(shifted >= 0) & (shifted < length)]
        elif self.mode == 'uniform_sample':
            out = features[self._sample_indices(num)]
            scale = num / length
        else:
            out = self.interpolate(features, length)
            scale = num / length
        if clicks is not None and scale != 1.0:
            clicks = self.rescale_indices(clicks, num, length)
        if clicks is not None:
            results['click_indices'] = clicks
        results['features'] = np.ascontiguousarray(out, dtype=np.float32)
        results['snippet_seconds'] = results['snippet_seconds'] * scale
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_snippets={self.num_snippets}, '
                f'mode={self.mode!r}, test_mode={self.test_mode})')


@TRANSFORMS.register_module()
class PackSnippetInputs(BaseTransform):
    """Pack features as ``inputs`` ``(T, C)`` and an ``ActionDataSample``
    with the multi-hot video label and the metadata that post-processing
    needs.

    Required Keys:

        - features, label, video_id, snippet_seconds

    Added Keys:

        - inputs (float32 tensor ``(T, C)``)
        - data_samples (``gt_labels.item``: multi-hot, or the class index
          with ``single_label=True``; ``background_click_indices`` (int64
          tensor) when the results hold ``click_indices``; metainfo: the
          ``meta_keys`` present in the results)

    Args:
        meta_keys (Sequence[str]): Keys copied into the sample's metainfo.
            Defaults to ``('video_id', 'video_index', 'duration', 'fps',
            'num_snippets', 'snippet_seconds')``.
        single_label (bool): Pack the one class index of a single-label
            dataset (e.g. Breakfast's complex activities), as MMAction2's
            accuracy metrics expect; a video with another number of labels
            is an error naming it. Defaults to False.
    """

    def __init__(self,
                 meta_keys=('video_id', 'video_index', 'duration', 'fps',
                            'num_snippets', 'snippet_seconds'),
                 single_label: bool = False) -> None:
        self.meta_keys = tuple(meta_keys)
        self.single_label = single_label

    def transform(self, results: Dict) -> Dict:
        sample = ActionDataSample()
        label = np.asarray(results['label'])
        if self.single_label:
            classes = np.flatnonzero(label)
            if len(classes) != 1:
                raise ValueError(
                    f'video {results.get("video_id")}: single_label=True '
                    f'needs exactly one label, got classes {classes.tolist()}')
            label = classes
        sample.set_gt_labels(label)
        if 'click_indices' in results:
            sample.set_field(
                torch.as_tensor(results['click_indices'], dtype=torch.int64),
                'background_click_indices')
        sample.set_metainfo(
            {k: results[k]
             for k in self.meta_keys if k in results})
        return dict(
            inputs=torch.from_numpy(np.ascontiguousarray(
                results['features'])),
            data_samples=sample)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(meta_keys={self.meta_keys}, '
                f'single_label={self.single_label})')
