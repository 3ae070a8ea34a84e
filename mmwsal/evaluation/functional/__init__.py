from .chance import random_score_map
from .confidence import mean_confidence_interval
from .detection_map import (TIOU_PRESETS, DetectionMAPResult, detection_map,
                            interpolated_ap, resolve_tiou_thresholds,
                            segment_tiou)

__all__ = [
    'TIOU_PRESETS', 'DetectionMAPResult', 'detection_map', 'interpolated_ap',
    'resolve_tiou_thresholds', 'segment_tiou', 'mean_confidence_interval',
    'random_score_map'
]
