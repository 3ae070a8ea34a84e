from . import (heads, localizers, losses, necks, recognizers,  # noqa: F401
               utils)
from .utils import (connected_components, generate_proposals, nms, postprocess,
                    select_classes, soft_nms)

__all__ = [
    'heads', 'localizers', 'losses', 'necks', 'recognizers', 'utils',
    'connected_components', 'generate_proposals', 'nms', 'postprocess',
    'select_classes', 'soft_nms'
]
