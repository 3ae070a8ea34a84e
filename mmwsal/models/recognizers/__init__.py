from .adaptfocus_recognizer import AdaptFocusRecognizer3D
from .feature_mlp import FeatureMLPRecognizer

__all__ = ['AdaptFocusRecognizer3D', 'FeatureMLPRecognizer']
