from .weak_localizer import WeakLocalizer, temporal_embedding

__all__ = ['WeakLocalizer', 'temporal_embedding']
