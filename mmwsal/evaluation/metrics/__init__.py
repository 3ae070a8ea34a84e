from .detection_metric import TemporalDetectionMetric

__all__ = ['TemporalDetectionMetric']
