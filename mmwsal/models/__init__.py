from . import utils  # noqa: F401
from .utils import (connected_components, generate_proposals, nms, postprocess,
                    select_classes, soft_nms)

__all__ = [
    'utils', 'connected_components', 'generate_proposals', 'nms',
    'postprocess', 'select_classes', 'soft_nms'
]
