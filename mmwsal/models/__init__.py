from . import heads, localizers, losses, recognizers, utils  # noqa: F401
from .utils import (connected_components, generate_proposals, nms, postprocess,
                    select_classes, soft_nms)

__all__ = [
    'heads', 'localizers', 'losses', 'recognizers', 'utils',
    'connected_components', 'generate_proposals', 'nms', 'postprocess',
    'select_classes', 'soft_nms'
]
