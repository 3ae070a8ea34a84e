"""Wording shared by error messages and reports."""
from typing import Sequence


def name_some(items: Sequence, limit: int) -> str:
    """The first ``limit`` items joined by commas, then how many more:
    ``'a, b, c and 7 more'``; for messages about many files or videos."""
    shown = ', '.join(str(item) for item in items[:limit])
    more = len(items) - limit
    return f'{shown} and {more} more' if more > 0 else shown


__all__ = ['name_some']
