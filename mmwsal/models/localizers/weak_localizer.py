"""The weakly supervised temporal action localizer on snippet features."""
import logging
from collections import defaultdict
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn as nn
from mmaction.registry import MODELS
from mmengine.logging import print_log
from mmengine.model import BaseModel
from mmengine.runner.checkpoint import load_checkpoint

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

    ``pseudo_label_teacher`` gives the neck a frozen teacher: a copy of this
    localizer without its neck (or the ``model`` given), which loads
    ``checkpoint`` (e.g. the first-stage baseline) when the weights are
    initialised (:meth:`init_weights`, which the Runner calls when training
    starts) and whose head outputs on each training batch replace the
    trained head's as the neck's pseudo-label source (DCC's second stage
    read as "optimize the whole network from scratch" with the first
    stage's pseudo-labels). The teacher stays in eval mode, runs under
    ``torch.no_grad()`` and its parameters do not require gradients, so it
    never changes; its weights are part of :meth:`state_dict`, so a
    checkpoint of the localizer holds the teacher it was trained with:
    resuming and testing do not need the teacher's file, and a changed file
    cannot change a resumed run.

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
            ``loss(feats, head_outputs, data_samples, pseudo_label_outputs)``;
            its ``in_channels`` and ``num_classes`` default to the head's.
            Defaults to None.
        pseudo_label_teacher (dict, optional): ``checkpoint`` (str, the
            teacher's weights, required) and ``model`` (dict, optional: the
            teacher's config; defaults to this localizer's embedding and
            head without a neck). Needs a neck. Defaults to None (the neck
            reads the head being trained).
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
                 pseudo_label_teacher: Optional[Dict] = None,
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
            if not embed_layers and getattr(self.neck, 'feat_key',
                                            None) is None:
                print_log(
                    f'{type(self.neck).__name__} with embed_layers=0 trains '
                    'its own layers only: nothing it learns reaches the '
                    'head. Give the localizer an embedding, or take the '
                    "head's embeddings (DCCNeck's feat_key).",
                    logger='current',
                    level=logging.WARNING)
        self.teacher = None
        if pseudo_label_teacher is not None:
            self.teacher = self.build_teacher(
                pseudo_label_teacher,
                dict(
                    type='WeakLocalizer',
                    head=head,
                    in_channels=in_channels,
                    embed_channels=embed_channels,
                    embed_layers=embed_layers,
                    kernel_size=kernel_size,
                    dropout=dropout))

    def build_teacher(self, teacher: Dict, default_model: Dict) -> nn.Module:
        """The frozen pseudo-label teacher of ``pseudo_label_teacher``."""
        teacher = dict(teacher)
        unknown = set(teacher) - {'checkpoint', 'model'}
        if unknown or not teacher.get('checkpoint'):
            raise ValueError(
                'pseudo_label_teacher takes checkpoint (required) and model, '
                f'got {sorted(teacher)}')
        if self.neck is None:
            raise ValueError('pseudo_label_teacher gives pseudo-labels to a '
                             'neck; the localizer has none')
        model = MODELS.build(teacher.get('model') or default_model)
        if getattr(model, 'neck', None) is not None or getattr(
                model, 'teacher', None) is not None:
            raise ValueError('the pseudo-label teacher must be a localizer '
                             'without a neck or teacher of its own')
        model.requires_grad_(False)
        model.eval()
        self.teacher_checkpoint = teacher['checkpoint']
        # 1 once the teacher holds trained weights (its checkpoint, or a
        # state dict of this localizer); in the checkpoint like them.
        self.register_buffer('teacher_loaded', torch.zeros(()))
        return model

    def init_weights(self) -> None:
        """Initialise as configured, then load the teacher's checkpoint."""
        super().init_weights()
        if self.teacher is not None:
            self.load_teacher()

    def load_teacher(self) -> None:
        """Load ``pseudo_label_teacher.checkpoint`` into the teacher, every
        weight (a missing or extra one is an error)."""
        path = self.teacher_checkpoint
        try:
            load_checkpoint(
                self.teacher, path, map_location='cpu', strict=True,
                logger='current')
        except FileNotFoundError as e:
            raise FileNotFoundError(
                f'pseudo_label_teacher.checkpoint {path}: no such file '
                '(train the first stage first, or point it to that '
                'checkpoint)') from e
        except RuntimeError as e:
            raise RuntimeError(
                f'pseudo_label_teacher.checkpoint {path} does not fit the '
                f'teacher ({e}); give pseudo_label_teacher.model the config '
                'of the model that saved it') from e
        self.teacher_loaded.fill_(1)
        print_log(f'pseudo-label teacher loaded from {path}',
                  logger='current')

    def train(self, mode: bool = True) -> 'WeakLocalizer':
        """Set the training mode; the teacher stays in eval mode."""
        super().train(mode)
        if self.teacher is not None:
            self.teacher.eval()
        return self

    @torch.no_grad()
    def teacher_outputs(self, batch: torch.Tensor) -> Dict[str, torch.Tensor]:
        """The teacher's head outputs on a ``(B, T, C)`` batch."""
        if not self.teacher_loaded:
            raise RuntimeError(
                'the pseudo-label teacher holds no trained weights: '
                'init_weights() loads them from '
                f'{self.teacher_checkpoint} (the Runner calls it when '
                'training starts), or load a state dict that has them')
        return self.teacher.head(self.teacher.extract_feat(batch))

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
            return self.loss_with_neck(batch, feats, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            batch = self._stack(inputs, data_samples, "mode='tensor'")
            return self.head(self.extract_feat(batch))
        raise ValueError(f"mode must be 'loss', 'predict' or 'tensor', got "
                         f'{mode!r}')

    def loss_with_neck(self, batch: torch.Tensor, feats: torch.Tensor,
                       data_samples: Sequence) -> Dict[str, torch.Tensor]:
        """The head's losses and the neck's, on one forward of the head
        (and of the teacher, when there is one)."""
        outputs = self.head(feats)
        losses = self.head.loss_by_feat(outputs, data_samples)
        teacher = None if self.teacher is None else self.teacher_outputs(
            batch)
        neck_losses = self.neck.loss(
            feats, outputs, data_samples, pseudo_label_outputs=teacher)
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
