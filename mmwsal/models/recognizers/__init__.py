from .adaptfocus_recognizer import AdaptFocusRecognizer3D

__all__ = ['AdaptFocusRecognizer3D']
