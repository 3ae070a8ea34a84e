"""Snippet features of one video from an MMAction2 recognizer's backbone.

Each snippet goes through what the model's test pipeline does to a clip:
the pipeline's ``Resize`` (applied once per decoded frame, not once per
window), a centre crop or three crops, optionally a horizontal flip of each,
the model's ``data_preprocessor`` (mean/std, NCTHW), then
``extract_feat(stage='backbone')``. The backbone output is averaged over
time and space to one vector per view, and the views are averaged.
"""
import contextlib
import copy
import time
from dataclasses import dataclass
from typing import Optional, Tuple, Union

import numpy as np
import torch
from mmaction.registry import MODELS
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint
from torch import nn

from mmwsal.datasets.video_reader import OpenCVClipReader
from .snippet_views import SnippetViewError, SnippetViews
from .snippet_windows import (SnippetWindows, prefetch, snippet_frame_indices,
                              snippet_starts)


def init_feature_model(config: Union[str, Config],
                       checkpoint: str,
                       device: Union[str, torch.device] = 'cpu',
                       cfg_options: Optional[dict] = None) -> nn.Module:
    """Build a recognizer from its config and load a checkpoint, in eval
    mode.

    Unlike ``mmaction.apis.init_recognizer`` this refuses a checkpoint that
    leaves any backbone weight at its random initialisation (a wrong file or
    model); a missing or different classification head is fine.

    Raises:
        ValueError: The checkpoint lacks backbone weights.

    Args:
        config (str | Config): Config file or object.
        checkpoint (str): Checkpoint file.
        device (str | torch.device): Defaults to ``'cpu'``.
        cfg_options (dict, optional): Overrides merged into the config.

    Returns:
        nn.Module: The model, with the config as ``model.cfg``.
    """
    cfg = (Config.fromfile(config)
           if isinstance(config, str) else copy.deepcopy(config))
    name = config if isinstance(config, str) else cfg.filename
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    if cfg.model.get('backbone', {}).get('pretrained'):
        cfg.model.backbone.pretrained = None  # the checkpoint has it all
    model = MODELS.build(cfg.model)
    if not hasattr(model, 'extract_feat') or not hasattr(model, 'backbone'):
        raise TypeError(f'{name}: model {type(model).__name__} has no '
                        'backbone to extract features from')
    ckpt = load_checkpoint(model, checkpoint, map_location='cpu')
    state = ckpt.get('state_dict', ckpt)
    loaded = {k[len('module.'):] if k.startswith('module.') else k
              for k in state}
    missing = [f'backbone.{k}' for k in model.backbone.state_dict()
               if f'backbone.{k}' not in loaded]
    if missing:
        raise ValueError(f'{checkpoint}: has no weights for {len(missing)} '
                         f'backbone parameters of {name}, e.g. '
                         f'{missing[:3]}; is it a checkpoint of this model?')
    model.cfg = cfg
    return model.to(device).eval()


def pool_backbone_features(feats) -> torch.Tensor:
    """Average a backbone output over time and space to ``(N, C)``.

    - a tensor ``(N, C, T, H, W)`` (I3D, X3D, C3D): averaged over T, H, W;
    - a tuple of tensors (SlowFast's slow and fast pathways): each averaged,
      then concatenated in the order given;
    - a tuple of ``[patch_token, cls_token]`` per stage (MViT with
      ``output_cls_token``): the last stage's patch tokens averaged.
    """
    if isinstance(feats, torch.Tensor):
        return feats.flatten(2).mean(-1) if feats.ndim > 2 else feats
    if isinstance(feats, (tuple, list)) and feats:
        if all(isinstance(f, (tuple, list)) for f in feats):
            return pool_backbone_features(feats[-1][0])
        return torch.cat([pool_backbone_features(f) for f in feats], dim=1)
    raise TypeError('cannot pool a backbone output of type '
                    f'{type(feats).__name__}')


@dataclass
class VideoFeatures:
    """Features of one video and where its snippets lie.

    Attributes:
        features (np.ndarray): ``(T, C)`` float32, row i = snippet i.
        num_frames (int): Frames of the video.
        fps (float): Its frame rate.
        snippet_stride (float): Frames between snippet starts.
        decode_seconds (float): Time decoding and resizing frames.
        model_seconds (float): Time in the model.
    """
    features: np.ndarray
    num_frames: int
    fps: Optional[float]
    snippet_stride: float
    decode_seconds: float = 0.
    model_seconds: float = 0.


class SnippetFeatureExtractor:
    """Batched snippet features of whole videos, each frame decoded once.

    Args:
        model (nn.Module): A recognizer from :func:`init_feature_model`.
        views (SnippetViews): Test-time views of a snippet.
        clip_len (int): Frames per snippet fed to the model (F).
        frame_interval (int): Frames between them (tau); a snippet covers
            ``clip_len * frame_interval`` frames.
        batch_size (int): Snippets per forward pass. Defaults to 16.
        num_threads (int): Decoder threads per video. Defaults to 1.
        prefetch_depth (int): Snippets decoded ahead in a background thread
            while the model runs; 0 decodes between forward passes.
            Defaults to 0.
    """

    def __init__(self,
                 model: nn.Module,
                 views: SnippetViews,
                 clip_len: int,
                 frame_interval: int,
                 batch_size: int = 16,
                 num_threads: int = 1,
                 prefetch_depth: int = 0) -> None:
        if clip_len < 1 or frame_interval < 1 or batch_size < 1:
            raise ValueError('clip_len, frame_interval and batch_size must '
                             f'be positive, got {clip_len}, '
                             f'{frame_interval}, {batch_size}')
        self.model = model
        self.views = views
        self.clip_len = clip_len
        self.frame_interval = frame_interval
        self.batch_size = batch_size
        self.num_threads = num_threads
        self.prefetch_depth = prefetch_depth

    @property
    def snippet_frames(self) -> int:
        """Frames one snippet covers (F x tau)."""
        return self.clip_len * self.frame_interval

    @torch.no_grad()
    def forward(self, views: np.ndarray) -> np.ndarray:
        """``(N, V, F, h, w, 3)`` uint8 views -> ``(N, C)`` float32
        features, averaged over the V views."""
        num, num_views = views.shape[:2]
        # (N, V, F, h, w, 3) -> (N, V, 3, F, h, w), what FormatShape('NCTHW')
        # and PackActionInputs give the data preprocessor.
        inputs = torch.from_numpy(views).permute(0, 1, 5, 2, 3, 4)
        data = self.model.data_preprocessor(
            dict(inputs=list(inputs), data_samples=None), training=False)
        feats, _ = self.model.extract_feat(data['inputs'], stage='backbone')
        pooled = pool_backbone_features(feats).float()
        return pooled.view(num, num_views, -1).mean(1).cpu().numpy()

    def extract(self,
                filename: str,
                snippet_stride: Optional[float] = None,
                num_snippets: Optional[int] = None,
                fps: Optional[float] = None,
                num_frames: Optional[int] = None) -> VideoFeatures:
        """Features of every snippet of one video.

        Args:
            filename (str): The video.
            snippet_stride (float, optional): Frames between snippet starts;
                defaults to ``snippet_frames`` (no overlap) when
                ``num_snippets`` is not given either.
            num_snippets (int, optional): A fixed number of snippets spread
                over the video instead.
            fps (float, optional): Frame rate if the container has none.
            num_frames (int, optional): Frame count if the container has
                none.

        Returns:
            VideoFeatures: The features and the snippet geometry.

        Raises:
            VideoReadError: The video cannot be opened or decoded.
            SnippetViewError: Its frames are smaller than the crop.
        """
        if snippet_stride is None and num_snippets is None:
            snippet_stride = self.snippet_frames
        with OpenCVClipReader(filename, fps=fps, num_threads=self.num_threads,
                              num_frames=num_frames) as reader:
            starts, stride = snippet_starts(reader.num_frames,
                                            self.snippet_frames,
                                            snippet_stride, num_snippets)
            windows = SnippetWindows(
                reader,
                snippet_frame_indices(starts, self.clip_len,
                                      self.frame_interval, reader.num_frames),
                frame_transform=self.views.resize_frame)
            try:
                features, model_seconds = self._run(windows)
            except SnippetViewError as e:
                raise SnippetViewError(f'{filename}: {e}') from None
            return VideoFeatures(
                features=features,
                num_frames=reader.num_frames,
                fps=reader.fps,
                snippet_stride=stride,
                decode_seconds=windows.decode_seconds,
                model_seconds=model_seconds)

    def _run(self, windows: SnippetWindows) -> Tuple[np.ndarray, float]:
        views = (self.views(frames) for _, frames in windows)
        outputs, batch, model_seconds = [], [], 0.

        def flush() -> float:
            tic = time.perf_counter()
            outputs.append(self.forward(np.stack(batch)))
            batch.clear()
            return time.perf_counter() - tic

        # Closed explicitly: on an error the traceback would keep the
        # generator, and its decoding thread, alive past the reader.
        with contextlib.closing(prefetch(views,
                                         self.prefetch_depth)) as stream:
            for snippet_views in stream:
                batch.append(snippet_views)
                if len(batch) == self.batch_size:
                    model_seconds += flush()
        if batch:
            model_seconds += flush()
        return np.concatenate(outputs).astype(np.float32), model_seconds


# Heads whose forward pools (N, C, T, H, W) by an average and then is a
# function of that mean only: on a (N, C, 1, 1, 1) feature it gives what it
# gives on the clip the feature was averaged from.
POOLED_FEATURE_HEADS = ('I3DHead', 'X3DHead')


@torch.no_grad()
def snippet_class_scores(model: nn.Module, features: np.ndarray,
                         batch_size: int = 256) -> np.ndarray:
    """Class scores of a recognizer for every snippet, from its own
    pooled (center-crop) Weak-FEAT features, without decoding the video.

    Args:
        model (nn.Module): The recognizer the features were extracted with
            (e.g. from :func:`init_feature_model`).
        features (np.ndarray): (T, C) features.
        batch_size (int): Snippets per forward pass. Defaults to 256.

    Returns:
        np.ndarray: (T, K) sigmoid scores for a multi-label head, softmax
        otherwise.

    Raises:
        NotImplementedError: A head that needs more than the pooled feature
            (SlowFast's two pathways, MViT's tokens).
    """
    head = model.cls_head
    if type(head).__name__ not in POOLED_FEATURE_HEADS:
        raise NotImplementedError(
            f'{type(head).__name__} needs more than the pooled snippet '
            'feature (supported: ' + ', '.join(POOLED_FEATURE_HEADS) + ')')
    param = next(head.parameters())
    x = torch.as_tensor(
        np.asarray(features, dtype=np.float32), device=param.device)
    out = []
    for i in range(0, len(x), batch_size):
        logits = head(x[i:i + batch_size, :, None, None, None])
        out.append(
            logits.sigmoid() if getattr(head, 'multi_class', False) else
            logits.softmax(-1))
    return torch.cat(out).float().cpu().numpy()
