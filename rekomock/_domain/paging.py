"""O(page) pagination over resources kept in creation order.

moto's ``utilities.paginator`` materialises the whole result list and scans it for the
token's item on every page, which is O(everything). Custom Labels lists (10,000 versions,
100,000 dataset entries) need O(page): items live in an :class:`OrderedIndex` keyed by a
monotonic sequence number, and a token names the sequence number where the next page starts,
found by bisection. Tokens are opaque to callers (botocore's token encoder) and carry a
fingerprint of the request's filters, so a token replayed with other filters is refused with
InvalidPaginationTokenException, as the service refuses foreign tokens.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Generic, Protocol, TypeVar

from botocore.paginate import TokenDecoder, TokenEncoder

from .exceptions import InvalidPaginationTokenException

T = TypeVar("T")


class Listed(Protocol):
    """What Describe* pages hold: resources with a creation sequence and a lifecycle."""

    seq: int

    @property
    def gone(self) -> bool: ...

    def advance(self) -> None: ...

_sequence = itertools.count(1)


def next_sequence() -> int:
    """A process-wide increasing number: creation order across every resource."""
    return next(_sequence)


def resume_sequence(at_least: int) -> None:
    """Number resources made from now on after ``at_least`` (a loaded state's last one),
    so they list after the loaded ones."""
    global _sequence
    _sequence = itertools.count(max(next(_sequence), at_least + 1))


class OrderedIndex(Generic[T]):
    """Items by sequence number, iterable from any position in either direction."""

    __slots__ = ("_items", "_keys")

    def __init__(self) -> None:
        self._keys: list[int] = []
        self._items: dict[int, T] = {}

    def add(self, seq: int, item: T) -> None:
        if not self._keys or seq > self._keys[-1]:
            self._keys.append(seq)
        else:
            bisect.insort(self._keys, seq)
        self._items[seq] = item

    def remove(self, seq: int) -> None:
        if self._items.pop(seq, None) is not None:
            i = bisect.bisect_left(self._keys, seq)
            del self._keys[i]

    def __len__(self) -> int:
        return len(self._items)


    def __iter__(self) -> Iterator[T]:
        return iter(list(self._items.values()))

    def iterate(self, start: int | None, newest_first: bool) -> Iterator[tuple[int, T]]:
        """Yield (seq, item) from ``start`` (inclusive) onwards; a snapshot-safe walk."""
        keys = self._keys
        if newest_first:
            i = len(keys) - 1 if start is None else bisect.bisect_right(keys, start) - 1
            while i >= 0:
                if i < len(keys):
                    seq = keys[i]
                    item = self._items.get(seq)
                    if item is not None:
                        yield seq, item
                i -= 1
        else:
            i = 0 if start is None else bisect.bisect_left(keys, start)
            while i < len(keys):
                seq = keys[i]
                item = self._items.get(seq)
                if item is not None:
                    yield seq, item
                i += 1


L = TypeVar("L", bound=Listed)


def selection(items: Iterable[L | None]) -> OrderedIndex[L]:
    """A small index of the given items (None skipped), in creation order."""
    chosen: OrderedIndex[L] = OrderedIndex()
    for item in items:
        if item is not None:
            chosen.add(item.seq, item)
    return chosen


def fingerprint(*parts: Any) -> str:
    return hashlib.blake2s(repr(parts).encode(), digest_size=6).hexdigest()


def decode_token(token: str | None, expected_fingerprint: str) -> int | None:
    """The sequence number a token points at; None for no token or the empty string."""
    if not token:
        return None
    try:
        data = TokenDecoder().decode(token)
        seq = data["s"]
        fp = data["f"]
    except Exception as err:  # any malformed token is the caller's error
        raise InvalidPaginationTokenException() from err
    if not isinstance(seq, int) or fp != expected_fingerprint:
        raise InvalidPaginationTokenException()
    return seq


def encode_token(seq: int, fp: str) -> str:
    return str(TokenEncoder().encode({"s": seq, "f": fp}))


def page(
    index: OrderedIndex[T],
    *,
    token: str | None,
    max_results: int | None,
    default_max: int,
    newest_first: bool,
    fp: str,
    accept: Callable[[T], bool] | None = None,
) -> tuple[list[T], str | None]:
    """One page of ``index`` and the token of the next, or None on the last page."""
    start = decode_token(token, fp)
    limit = max_results or default_max
    out: list[T] = []
    for seq, item in index.iterate(start, newest_first):
        if accept is not None and not accept(item):
            continue
        if len(out) == limit:
            return out, encode_token(seq, fp)
        out.append(item)
    return out, None


def slice_page(
    items: Sequence[T], *, token: str | None, max_results: int | None, default_max: int, fp: str
) -> tuple[list[T], str | None]:
    """A page of a short list that is cheap to build whole (labels, policies)."""
    start = decode_token(token, fp) or 0
    end = start + (max_results or default_max)
    return list(items[start:end]), encode_token(end, fp) if end < len(items) else None
