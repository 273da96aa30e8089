"""Unhappy paths: AWS errors injected on demand, and the record of the calls the mock answered.

An injected error answers exactly as the service sends that error: its code and the HTTP
status the botocore model gives it (``fault`` shapes are server errors, 500; the others 400;
an explicit ``error.httpStatusCode`` wins), so botocore's retry handlers classify it as on AWS.
Only the errors an operation documents in the model can be injected.
"""

from __future__ import annotations

import random
import re
from collections import deque
from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any, NamedTuple, overload

from .control_args import finite_number, integer, text, use_count
from .exceptions import RekognitionError
from .operations import OPERATIONS

__all__ = ["Call", "Calls", "InjectedError", "documented_errors", "operation_name"]

#: How many calls the record keeps (the latest): bounds the memory of a long-running server
#: or a long loop (a record holds the request, image bytes included).
CALLS_KEPT = 1_000


class Call(NamedTuple):
    """One Custom Labels call the mock answered."""

    operation: str
    #: The request body as the service received it (JSON; blobs as base64 text).
    params: dict[str, Any]
    #: The AWS error code answered, or None for a success.
    error: str | None
    status: int
    account_id: str
    region: str
    request_id: str

    def to_json(self) -> dict[str, Any]:
        return self._asdict()


class Calls(Sequence[Call]):
    """The calls the mock answered, oldest first (the latest ``CALLS_KEPT``); appending is
    all a call pays."""

    def __init__(self) -> None:
        self._calls: deque[Call] = deque(maxlen=CALLS_KEPT)
        self.append = self._calls.append

    @overload
    def __getitem__(self, index: int) -> Call: ...

    @overload
    def __getitem__(self, index: slice) -> list[Call]: ...

    def __getitem__(self, index: int | slice) -> Call | list[Call]:
        if isinstance(index, slice):
            return list(self._calls)[index]
        return self._calls[index]

    def __len__(self) -> int:
        return len(self._calls)

    def __iter__(self) -> Iterator[Call]:
        # A snapshot: a server thread may append while the caller iterates.
        return iter(list(self._calls))

    def clear(self) -> None:
        """Forget the calls recorded so far."""
        self._calls.clear()

    def __repr__(self) -> str:
        return f"Calls({list(self._calls)!r})"


@cache
def _operations() -> dict[str, str]:
    """Operation names the mock answers, by API name and by boto3 method name."""
    from botocore import xform_name

    names = {name: name for name in OPERATIONS}
    names.update({xform_name(name): name for name in OPERATIONS})
    return names


def operation_name(operation: str) -> str:
    """``"DetectCustomLabels"`` for that name or ``"detect_custom_labels"``; ValueError for
    an operation the mock does not answer."""
    try:
        return _operations()[operation]
    except KeyError:
        raise ValueError(f"{operation!r} is not a Custom Labels operation; use one of "
                         f"{sorted(set(_operations().values()))}") from None


@cache
def documented_errors(operation: str) -> dict[str, int]:
    """The error codes the model documents for ``operation``, each with its HTTP status."""
    from .shapes import service_model

    out: dict[str, int] = {}
    for shape in service_model().operation_model(operation).error_shapes:
        explicit = shape.metadata.get("error", {}).get("httpStatusCode")
        # botocore keeps the ``fault`` trait (a server error) only in the raw shape.
        fault = shape._shape_model.get("fault", False)
        out[shape.name] = int(explicit or (500 if fault else 400))
    return out


def _error_class(code: str) -> type[RekognitionError]:
    """rekomock's class for ``code`` (its message), else a plain one."""
    pending: list[type[RekognitionError]] = [RekognitionError]
    while pending:
        cls = pending.pop()
        if cls.code == code:
            return cls
        pending.extend(cls.__subclasses__())
    from .shapes import service_model

    doc = service_model().shape_for(code).documentation or ""
    message = re.sub(r"<[^>]+>", "", doc).strip()
    made: type[RekognitionError] = type(code, (RekognitionError,), {"code": code,
                                                                     "message": message})
    return made


class InjectedError:
    """A rule: matching calls of ``operation`` answer ``code`` instead of running."""

    def __init__(
        self,
        operation: str,
        code: str,
        *,
        times: int | None = 1,
        message: str | None = None,
        matching: dict[str, Any] | None = None,
        account_id: str | None = None,
        region: str | None = None,
        probability: float = 1.0,
        seed: int = 0,
    ) -> None:
        self.operation = operation_name(operation)
        errors = documented_errors(self.operation)
        if code not in errors:
            raise ValueError(f"{self.operation} does not document {code!r}; its errors are "
                             f"{sorted(errors)}")
        use_count("times", times)
        if not 0 < finite_number("probability", probability, 0, 1):
            raise ValueError("probability must be a finite number between 0 and 1, above 0")
        text("message", message, optional=True)
        integer("seed", seed)
        self.matching = dict(matching or {})
        from .shapes import service_model

        members = service_model().operation_model(self.operation).input_shape.members
        unknown = set(self.matching) - set(members)
        if unknown:
            raise ValueError(f"{self.operation} has no request members {sorted(unknown)}; "
                             f"its members are {sorted(members)}")
        self.code = code
        self.status = errors[code]
        self.error_class = _error_class(code)
        self.message = message
        self.times = times
        self.account_id = account_id
        self.region = region
        self.probability = float(probability)
        self._random = random.Random(seed)

    def matches(self, operation: str, params: Any, account_id: str, region: str) -> bool:
        if operation != self.operation:
            return False
        if self.account_id is not None and account_id != self.account_id:
            return False
        if self.region is not None and region != self.region:
            return False
        if self.matching and not (isinstance(params, dict) and all(
                params.get(k) == v for k, v in self.matching.items())):
            return False
        return self.probability >= 1 or self._random.random() < self.probability

    def error(self) -> RekognitionError:
        """The error to answer (counts one use)."""
        if self.times is not None:
            self.times -= 1
        err = self.error_class(self.message)
        err.status = self.status
        return err
