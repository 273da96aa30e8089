"""Checks of the controller's arguments, shared by ``rk`` and the HTTP control routes.

The controller raises TypeError (wrong type) or ValueError (out of range) with these
messages; the routes answer them as a 400 ``{"Error": ...}``, so both name the member and
what it must be in the same words.
"""

from __future__ import annotations

import math
from typing import Any

from . import arns

#: The most one ``advance_time`` moves the clock: a century, far beyond any progression
#: and well inside what :class:`datetime.datetime` can hold.
MAX_ADVANCE_SECONDS = 100 * 365 * 24 * 3600


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def finite_number(name: str, value: Any, low: float, high: float) -> float:
    """``value`` as a float when it is a finite number in [low, high]."""
    must = f"{name} must be a finite number between {low:g} and {high:g}"
    if not _is_number(value):
        raise TypeError(f"{must}, not {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{must}, not {value}")
    if not low <= value <= high:  # int comparison first: no float overflow
        raise ValueError(f"{must}, not {value:g}" if isinstance(value, float)
                         else f"{must}, not {value if abs(value) < 10**30 else 'that'}")
    return float(value)


def integer(name: str, value: Any, low: int | None = None, *,
            none_means: str | None = None) -> int | None:
    """``value`` when it is an integer of at least ``low`` (or None, if ``none_means``)."""
    must = f"{name} must be an integer" + (f" of at least {low}" if low is not None else "")
    if none_means is not None:
        must += f", or null for {none_means}"
    if value is None and none_means is not None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{must}, not {type(value).__name__}")
    if low is not None and value < low:
        raise ValueError(f"{must}, not {value}")
    return value


#: What ``times=None`` means for every setting of the controller.
UNTIL_CLEARED = "every use until cleared"


def use_count(name: str, value: Any) -> int | None:
    """How many uses a setting lasts (``times``): at least 1, or None for until cleared."""
    return integer(name, value, 1, none_means=UNTIL_CLEARED)


def arn_of(name: str, value: Any, kind: str, *, optional: bool = False) -> str | None:
    """``value`` when it is a Custom Labels ARN of ``kind`` (``"project"``, ``"version"``),
    or None when ``optional``."""
    checked = text(name, value, optional=optional)
    if checked is None:
        return None
    parsed = arns.parse(checked)
    if parsed is None or parsed.kind != kind:
        what = "a project ARN" if kind == "project" else "a project version ARN"
        shown = checked if len(checked) <= 100 else checked[:100] + "..."
        raise ValueError(f"{name} must be {what}" + (" or null" if optional else "")
                         + f", not {shown!r}")
    return checked


def text(name: str, value: Any, *, optional: bool = False) -> str | None:
    """``value`` when it is a string (or None when ``optional``)."""
    if value is None and optional:
        return None
    if not isinstance(value, str):
        must = f"{name} must be a string" + (" or null" if optional else "")
        raise TypeError(f"{must}, not {type(value).__name__}")
    return value


def mapping(name: str, value: Any, *, optional: bool = False) -> dict[str, Any] | None:
    """``value`` when it is an object with string keys (or None when ``optional``)."""
    if value is None and optional:
        return None
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        must = f"{name} must be an object" + (" or null" if optional else "")
        raise TypeError(f"{must}, not {type(value).__name__}")
    return value


def boolean(name: str, value: Any) -> bool:
    """``value`` when it is true or false (not 0, 1 or a string)."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be true or false, not {type(value).__name__}")
    return value
