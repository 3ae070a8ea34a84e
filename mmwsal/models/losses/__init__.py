from .action_saliency import ActionSaliencyEstimation
from .adaptfocus_loss import AdaptFocusLoss, ClipContext
from .focus_weights import (WEIGHTING_DEFAULTS, action_focus_weight,
                            clip_focus_mask, weighting_factors)
from .info_nce import MaskedInfoNCELoss
from .nbg_contrastive_loss import NBGContrastiveLoss
from .wstal_losses import AttentionGuideLoss, SoftTargetCrossEntropyLoss

__all__ = [
    'ActionSaliencyEstimation', 'AdaptFocusLoss', 'ClipContext',
    'WEIGHTING_DEFAULTS', 'action_focus_weight', 'clip_focus_mask',
    'weighting_factors', 'AttentionGuideLoss', 'SoftTargetCrossEntropyLoss',
    'NBGContrastiveLoss', 'MaskedInfoNCELoss'
]
