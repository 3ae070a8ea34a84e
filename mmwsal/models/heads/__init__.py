from .background_modeling_head import BackgroundModelingHead, gaussian_smooth
from .backtal_head import BackTALHead, local_affinity, masked_temporal_conv
from .bas_head import BaSNetHead
from .base_wstal_head import BaseWSTALHead, topk_mean
from .mil_head import MILHead
from .self_weighting_head import SelfWeightingHead

__all__ = [
    'BaseWSTALHead', 'MILHead', 'BaSNetHead', 'BackgroundModelingHead',
    'topk_mean', 'gaussian_smooth', 'BackTALHead', 'local_affinity',
    'masked_temporal_conv', 'SelfWeightingHead'
]
