from .io import atomic_open, dump_json_atomic

__all__ = ['atomic_open', 'dump_json_atomic']
