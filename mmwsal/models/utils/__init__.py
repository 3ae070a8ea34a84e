from .few_shot import (attention_pool, background_index, class_prototypes,
                       gather_snippets, novel_class_scores,
                       self_weighted_attention, self_weighting)
from .nms import nms, soft_nms, temporal_iou
from .proposals import (connected_components, generate_proposals,
                        minmax_normalize, outer_inner_contrast, postprocess,
                        select_classes, upsample_sequence)

__all__ = [
    'select_classes', 'connected_components', 'outer_inner_contrast',
    'generate_proposals', 'postprocess', 'minmax_normalize',
    'upsample_sequence', 'nms', 'soft_nms', 'temporal_iou',
    'attention_pool', 'background_index', 'class_prototypes',
    'gather_snippets', 'novel_class_scores', 'self_weighted_attention',
    'self_weighting'
]
