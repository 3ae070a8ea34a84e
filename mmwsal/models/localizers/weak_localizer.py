"""The weakly supervised temporal action localizer on snippet features."""
import logging
from collections import defaultdict
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn as nn
from mmaction.registry import MODELS
from mmengine.logging import print_log
from mmengine.model import BaseModel

Inputs = Union[torch.Tensor, Sequence[torch.Tensor]]


def temporal_embedding(in_channels: int, channels: int, num_layers: int,
                       kernel_size: int, dropout: float) -> nn.Module:
    """``num_layers`` temporal convolutions with ReLU and dropout, or the
    identity when ``num_layers`` is 0: ``(B, in, T) -> (B, channels, T)``."""
    if num_layers == 0:
        return nn.Identity()
    if kernel_size % 2 == 0:
        raise ValueError(f'kernel_size must be odd to keep T, got '
                         f'{kernel_size}')
    layers = []
    for i in range(num_layers):
        layers += [
            nn.Conv1d(in_channels if i == 0 else channels, channels,
                      kernel_size, padding=kernel_size // 2),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout)
        ]
    return nn.Sequential(*layers)


@MODELS.register_module()
class WeakLocalizer(BaseModel):
    """Snippet features ``(T, C)`` per video to video scores, a T-CAS, an
    attention and detections, trained from video-level labels.

    A temporal-convolution embedding is shared by every head; the head (a
    :class:`mmwsal.models.heads.BaseWSTALHead`) defines the outputs, losses
    and post-processing. Training batches must hold videos of one length
    (resample them with ``ResampleSnippets``); prediction takes videos of
    any lengths and runs each group of equal length as one batch.

    An optional neck (e.g. :class:`mmwsal.models.necks.DCCNeck`) adds a
    training loss computed from the embeddings and the head's outputs; it
    plays no part in prediction.

    Args:
        head (dict): The WS-TAL head. Its ``in_channels`` defaults to the
            embedding's output width.
        in_channels (int): Feature channels C of the input (e.g. 2048 for
            RGB + flow I3D features).
        embed_channels (int): Width of the embedding. Defaults to 2048.
        embed_layers (int): Number of temporal convolutions; 0 feeds the
            features to the head as they are. Defaults to 1.
        kernel_size (int): Temporal kernel size. Defaults to 3.
        dropout (float): Dropout after each convolution. Defaults to 0.7.
        neck (dict, optional): A training-only module with
            ``loss(feats, head_outputs, data_samples)``; its ``in_channels``
            and ``num_classes`` default to the head's. Defaults to None.
        data_preprocessor (dict, optional): Defaults to None (mmengine's
            ``BaseDataPreprocessor``: moves data to the device).
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self,
                 head: Dict,
                 in_channels: int,
                 embed_channels: int = 2048,
                 embed_layers: int = 1,
                 kernel_size: int = 3,
                 dropout: float = 0.7,
                 neck: Optional[Dict] = None,
                 data_preprocessor: Optional[Dict] = None,
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.in_channels = in_channels
        self.embed = temporal_embedding(in_channels, embed_channels,
                                        embed_layers, kernel_size, dropout)
        head = dict(head)
        head.setdefault('in_channels',
                        embed_channels if embed_layers else in_channels)
        self.head = MODELS.build(head)
        self.neck = None
        if neck is not None:
            neck = dict(neck)
            neck.setdefault('in_channels', self.head.in_channels)
            neck.setdefault('num_classes', self.head.num_classes)
            self.neck = MODELS.build(neck)
            if not embed_layers:
                print_log(
                    f'{type(self.neck).__name__} with embed_layers=0 trains '
                    'its own layers only: nothing it learns reaches the '
                    'head. Give the localizer an embedding.',
                    logger='current',
                    level=logging.WARNING)

    def _stack(self, inputs: Inputs, data_samples: Optional[Sequence],
               purpose: str) -> torch.Tensor:
        """A ``(B, T, C)`` batch from a tensor or a list of ``(T, C)``."""
        if isinstance(inputs, torch.Tensor):
            batch = inputs if inputs.dim() == 3 else inputs[None]
        else:
            lengths = {tuple(x.shape) for x in inputs}
            if len(lengths) > 1:
                raise ValueError(
                    f'{purpose} needs videos of one length in a batch, got '
                    f'shapes {sorted(lengths)}: resample them to a fixed T '
                    "with dict(type='ResampleSnippets', num_snippets=...) "
                    'in the pipeline, or use batch_size=1')
            batch = torch.stack(list(inputs))
        if batch.dim() != 3 or batch.shape[-1] != self.in_channels:
            ids = [s.metainfo.get('video_id') for s in data_samples or []]
            raise ValueError(
                f'features of videos {ids} have shape {tuple(batch.shape)}; '
                f'expected (B, T, {self.in_channels}) (in_channels of the '
                'localizer)')
        return batch

    def extract_feat(self, batch: torch.Tensor) -> torch.Tensor:
        """``(B, T, C)`` features to ``(B, D, T)`` snippet embeddings."""
        return self.embed(batch.transpose(1, 2).float())

    def forward(self,
                inputs: Inputs,
                data_samples: Optional[List] = None,
                mode: str = 'tensor'):
        """``mode='loss'``: a dict of losses; ``'predict'``: the data
        samples with ``pred_instances`` and ``pred_scores``; ``'tensor'``:
        the head's raw outputs."""
        if mode == 'loss':
            batch = self._stack(inputs, data_samples, 'training')
            feats = self.extract_feat(batch)
            if self.neck is None:
                return self.head.loss(feats, data_samples)
            return self.loss_with_neck(feats, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            batch = self._stack(inputs, data_samples, "mode='tensor'")
            return self.head(self.extract_feat(batch))
        raise ValueError(f"mode must be 'loss', 'predict' or 'tensor', got "
                         f'{mode!r}')

    def loss_with_neck(self, feats: torch.Tensor,
                       data_samples: Sequence) -> Dict[str, torch.Tensor]:
        """The head's losses and the neck's, on one forward of the
        head."""
        outputs = self.head(feats)
        losses = self.head.loss_by_feat(outputs, data_samples)
        neck_losses = self.neck.loss(feats, outputs, data_samples)
        clash = set(losses) & set(neck_losses)
        if clash:
            raise ValueError(f'the head and the neck both give the losses '
                             f'{sorted(clash)}')
        losses.update(neck_losses)
        return losses

    def predict(self, inputs: Inputs, data_samples: List) -> List:
        """Detections of each video; videos of equal length share a
        forward pass."""
        if isinstance(inputs, torch.Tensor):
            inputs = list(inputs if inputs.dim() == 3 else inputs[None])
        groups = defaultdict(list)
        for i, x in enumerate(inputs):
            groups[x.shape[0]].append(i)
        for indices in groups.values():
            samples = [data_samples[i] for i in indices]
            batch = self._stack([inputs[i] for i in indices], samples,
                                'prediction')
            self.head.predict(self.extract_feat(batch), samples)
        return data_samples
