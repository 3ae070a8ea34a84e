from .background_modeling_head import (BM_TEST_CFG, BackgroundModelingHead,
                                       gaussian_smooth)
from .backtal_head import (BACKTAL_TEST_CFG, AffinityCASModule, BackTALHead,
                           hardest_pair_loss, local_affinity,
                           masked_temporal_conv)
from .bas_head import BAS_TEST_CFG, BaSNetHead, CASModule
from .base_wstal_head import (DEFAULT_TEST_CFG, SHARED_TEST_CFG,
                              BaseWSTALHead, topk_mean)
from .mil_head import MILHead
from .self_weighting_head import SelfWeightingHead

__all__ = [
    'BaseWSTALHead', 'MILHead', 'BaSNetHead', 'BackgroundModelingHead',
    'topk_mean', 'gaussian_smooth', 'BackTALHead', 'local_affinity',
    'masked_temporal_conv', 'hardest_pair_loss', 'CASModule',
    'AffinityCASModule', 'SelfWeightingHead', 'DEFAULT_TEST_CFG',
    'SHARED_TEST_CFG', 'BAS_TEST_CFG', 'BACKTAL_TEST_CFG', 'BM_TEST_CFG'
]
