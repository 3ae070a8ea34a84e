"""A 3D recognizer that trains its stock head with the AdaptFocus loss."""
from mmaction.models.recognizers import Recognizer3D
from mmaction.registry import MODELS
from mmaction.utils import SampleList
from torch import Tensor

from ..losses import AdaptFocusLoss


@MODELS.register_module()
class AdaptFocusRecognizer3D(Recognizer3D):
    """MMAction2's ``Recognizer3D`` whose training loss is AdaptFocus.

    The head stays a stock one (``I3DHead``, ``SlowFastHead``, ``X3DHead``,
    ``MViTHead``... with ``multi_class=True``): their ``loss_by_feat`` hands
    the logits and multi-hot labels straight to ``loss_cls``, which must be
    an :class:`AdaptFocusLoss`. :meth:`loss` opens the loss's clip context
    with the batch's ``video_index``, ``clip_position`` and
    ``num_positions`` (metainfo packed by ``PackActionInputs``), runs the
    stock loss, and adds the loss's diagnostics to the returned dict. Their
    keys hold no ``'loss'``, so mmengine logs them without summing them:

    - ``above_threshold_ratio``: share of positive labels whose score
      reaches the actionness threshold theta * a (Fig. 5 of the paper);
    - ``clip_focus_ratio``: share of positive labels kept by the clip
      focusing mask M;
    - ``action_focus_weight``: mean action focusing weight W;
    - ``spike_actionness``: mean a of the batch's instances.

    Prediction is the stock one. Arguments are those of ``Recognizer3D``.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        loss_cls = getattr(self.cls_head, 'loss_cls', None)
        if not isinstance(loss_cls, AdaptFocusLoss):
            raise TypeError(
                'AdaptFocusRecognizer3D needs cls_head.loss_cls of type '
                f'AdaptFocusLoss, got {type(loss_cls).__name__}')

    @property
    def adaptfocus_loss(self) -> AdaptFocusLoss:
        """The head's AdaptFocus loss, which holds the estimates."""
        return self.cls_head.loss_cls

    def loss(self, inputs: Tensor, data_samples: SampleList,
             **kwargs) -> dict:
        """Calculate the losses of a batch, plus the AdaptFocus diagnostics.

        Args:
            inputs (torch.Tensor): Raw inputs of the recognizer.
            data_samples (list[ActionDataSample]): The batch data samples,
                with the clip metadata in their metainfo.

        Returns:
            dict: Loss components and diagnostics.
        """
        with self.adaptfocus_loss.clip_context(data_samples) as clip:
            losses = super().loss(inputs, data_samples, **kwargs)
        losses.update(clip.diagnostics)
        return losses
