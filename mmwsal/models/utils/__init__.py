from .nms import nms, soft_nms, temporal_iou
from .proposals import (connected_components, generate_proposals,
                        outer_inner_contrast, postprocess, select_classes)

__all__ = [
    'select_classes', 'connected_components', 'outer_inner_contrast',
    'generate_proposals', 'postprocess', 'nms', 'soft_nms', 'temporal_iou'
]
