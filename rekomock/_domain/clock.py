"""The mock's clock: wall time (or freezegun's) plus a virtual offset.

Waiters polling rekomock advance the offset instead of sleeping (see ``waiters``), so a
time-based progression of an hour completes in milliseconds while every timestamp the mock
reports still moves forward consistently.

Frozen (:func:`freeze`), the clock stands at the wall time it was frozen at plus the offset:
only ``advance`` (``rk.advance_time``, waiters, retry back-offs) moves it, so meters and
timestamps come out exact. Unfrozen again, it carries on from where it stood, never back.

Citation tags and coined words: docs/glossary.md.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

_lock = threading.Lock()
_offset = timedelta(0)
#: The wall time the clock was frozen at, or None while it runs with wall time.
_frozen_at: datetime | None = None
#: Whether a reset leaves the clock frozen (``rekomock server --freeze-clock``).
_frozen_by_default = False
#: How far ahead of wall time the clock may run: a millennium keeps every timestamp a
#: datetime (they end in 9999).
MAX_OFFSET = timedelta(days=1000 * 365)


def now() -> datetime:
    """Current mock time, timezone-aware UTC."""
    frozen_at = _frozen_at
    return (datetime.now(timezone.utc) if frozen_at is None else frozen_at) + _offset


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


def freeze(frozen: bool = True) -> None:
    """Stop the clock following wall time (or let it follow again, from where it stands)."""
    global _frozen_at, _offset
    with _lock:
        wall = datetime.now(timezone.utc)
        if frozen and _frozen_at is None:
            _frozen_at = wall
        elif not frozen and _frozen_at is not None:
            _offset = _frozen_at + _offset - wall  # carry on from the frozen moment
            _frozen_at = None


def frozen() -> bool:
    return _frozen_at is not None


def freeze_by_default(frozen: bool) -> None:
    """Whether a reset leaves the clock frozen; the choice takes effect at once too."""
    global _frozen_by_default
    _frozen_by_default = frozen
    freeze(frozen)


def frozen_by_default() -> bool:
    return _frozen_by_default


def set_offset(seconds: float) -> None:
    """Put the clock's offset where a saved state had it (``rk.load``)."""
    global _offset
    with _lock:
        _offset = min(timedelta(seconds=seconds), MAX_OFFSET)


def reset() -> None:
    """Back to wall time, frozen there if frozen by default."""
    global _offset, _frozen_at
    with _lock:
        _offset = timedelta(0)
        _frozen_at = datetime.now(timezone.utc) if _frozen_by_default else None


def epoch(moment: datetime) -> float:
    """Epoch seconds with millisecond precision, as the service reports timestamps."""
    return round(moment.timestamp(), 3)


def epoch_millis(moment: datetime) -> int:
    """The 13-digit number AWS puts at the end of Custom Labels ARNs [EX:DescribeProjects]."""
    return round(moment.timestamp() * 1000)
