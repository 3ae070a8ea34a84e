from .annotation import (AnnotationError, dump_annotation, load_annotation,
                         validate_annotation)

__all__ = [
    'AnnotationError', 'dump_annotation', 'load_annotation',
    'validate_annotation'
]
