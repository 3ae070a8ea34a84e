from .functional import detection_map
from .metrics import TemporalDetectionMetric

__all__ = ['detection_map', 'TemporalDetectionMetric']
