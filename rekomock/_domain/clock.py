"""The mock's clock: wall time (or freezegun's) plus a virtual offset.

Waiters polling rekomock advance the offset instead of sleeping (see ``waiters``), so a
time-based progression of an hour completes in milliseconds while every timestamp the mock
reports still moves forward consistently.

Citation tags and coined words: docs/glossary.md.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

_lock = threading.Lock()
_offset = timedelta(0)
#: How far ahead of wall time the clock may run: a millennium keeps every timestamp a
#: datetime (they end in 9999).
MAX_OFFSET = timedelta(days=1000 * 365)


def now() -> datetime:
    """Current mock time, timezone-aware UTC."""
    return datetime.now(timezone.utc) + _offset


def advance(seconds: float) -> None:
    """Move the mock's clock forward without sleeping."""
    global _offset
    with _lock:
        moved = _offset + timedelta(seconds=seconds)
        if moved > MAX_OFFSET:
            raise ValueError(f"seconds would move the mock's clock more than {MAX_OFFSET.days} "
                             "days ahead; reset the mock to put it back")
        _offset = moved


def offset_seconds() -> float:
    return _offset.total_seconds()


def set_offset(seconds: float) -> None:
    """Put the clock's offset where a saved state had it (``rk.load``)."""
    global _offset
    with _lock:
        _offset = min(timedelta(seconds=seconds), MAX_OFFSET)


def reset() -> None:
    global _offset
    with _lock:
        _offset = timedelta(0)


def epoch(moment: datetime) -> float:
    """Epoch seconds with millisecond precision, as the service reports timestamps."""
    return round(moment.timestamp(), 3)


def epoch_millis(moment: datetime) -> int:
    """The 13-digit number AWS puts at the end of Custom Labels ARNs [EX:DescribeProjects]."""
    return round(moment.timestamp() * 1000)
