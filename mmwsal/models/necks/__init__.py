from .dcc_neck import DCCNeck, contrast_masks, region_count, region_pooling
from .pseudo_labels import (batched_kmeans, confidence_voting,
                            farthest_point_init, snippet_pseudo_labels,
                            squared_distances)
from .region_memory_bank import RegionMemoryBank

__all__ = [
    'DCCNeck', 'RegionMemoryBank', 'batched_kmeans', 'confidence_voting',
    'contrast_masks', 'farthest_point_init', 'region_count', 'region_pooling',
    'snippet_pseudo_labels', 'squared_distances'
]
