from .detection_metric import TemporalDetectionMetric
from .fewshot_metric import FewShotEpisodeMetric

__all__ = ['TemporalDetectionMetric', 'FewShotEpisodeMetric']
