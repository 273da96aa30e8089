"""What server mode's HTTP layer needs so that no client can hold it (docs/decisions.md,
*Server mode*): a deadline for a whole request to arrive, and JSON refusals in place of the
HTML pages and dropped connections of Python's HTTP server.

- :class:`DeadlineReader` is the handler's socket reader: each read may wait at most the idle
  timeout and never past the request's deadline, so a client trickling a byte a second is cut
  off when the deadline passes, not kept forever.
- :class:`Guard` wraps the WSGI application: a request whose body was cut off by its deadline
  is answered 408, whatever the application made of the truncated read; and a gzip body that
  inflates beyond :data:`~rekomock._wire.bodies.MAX_BODY_BYTES` is refused as an oversized
  body (413) before moto's server inflates it whole for its services (S3 keeps its bodies as
  sent: a ``Content-Encoding`` there is the object's).
- :func:`refusal` is the one shape of every refusal the HTTP layer makes itself (408, 414,
  431, 503, ...): a JSON error body as the service's own errors have, and a request id.
- :func:`linger` reads what the client is still sending after a refusal, so that the client
  reads the answer instead of a connection reset.
"""

from __future__ import annotations

import contextlib
import io
import json
import selectors
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from .._domain.exceptions import REQUEST_ID_HEADER, RekognitionError, new_request_id
from .bodies import MAX_BODY_BYTES, RequestEntityTooLargeException, gunzip, read_at_most

#: The WSGI environ key under which the handler hands its :class:`Deadline` to :class:`Guard`.
DEADLINE_KEY = "rekomock.deadline"
#: After a refusal, how long the server keeps reading what the client still sends, at most.
LINGER_SECONDS = 2.0
#: ... and how much of it, at most.
LINGER_BYTES = 64 * 1024 * 1024


class RequestTimedOut(TimeoutError):
    """The request had not fully arrived by its deadline."""


class Deadline:
    """When the request being read must have arrived; ``tripped`` once a read was cut."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at: float | None = None
        self.tripped = False

    def arm(self) -> None:
        """The request's first byte is here: the clock starts."""
        self.at = time.monotonic() + self.seconds
        self.tripped = False

    def disarm(self) -> None:
        """No request is being read: reads wait as long as they like (the idle timeout)."""
        self.at = None

    def remaining(self) -> float | None:
        return None if self.at is None else self.at - time.monotonic()

    def trip(self) -> RequestTimedOut:
        self.tripped = True
        return RequestTimedOut(f"the request did not arrive within {self.seconds:g} seconds")


class DeadlineReader(io.RawIOBase):
    """Reads a connection; each read waits at most ``idle_timeout`` (silence) and never past
    the deadline (a trickle). The connection itself is left open on close."""

    def __init__(self, connection: socket.socket, deadline: Deadline,
                 idle_timeout: float) -> None:
        super().__init__()
        self._connection = connection
        self._deadline = deadline
        self._idle_timeout = idle_timeout

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining = self._deadline.remaining()
        if remaining is None:
            return self._connection.recv_into(buffer)
        # Past the deadline, what has arrived is still read; nothing more is waited for.
        self._connection.settimeout(min(self._idle_timeout, max(remaining, 0.0)))
        try:
            return self._connection.recv_into(buffer)
        except (BlockingIOError, ssl.SSLWantReadError):  # past the deadline, nothing more
            raise self._deadline.trip() from None
        except TimeoutError:
            left = self._deadline.remaining()
            if left is not None and left <= 0:
                raise self._deadline.trip() from None
            raise
        finally:
            self._connection.settimeout(self._idle_timeout)  # writes wait the idle timeout


def error_code(status: int) -> str:
    """The error code of an HTTP-layer refusal: its status phrase in one word, as AWS names
    its front end's errors (``RequestTimeout``, ``RequestHeaderFieldsTooLarge``, ...)."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return "".join(part[:1].upper() + part[1:] for part in
                   phrase.replace("-", " ").split() if part.isalnum())


def refusal(status: int, message: str) -> tuple[list[tuple[str, str]], bytes]:
    """Headers and body of a refusal by the HTTP layer: the JSON 1.1 error shape the service
    answers with, a request id, and ``Connection: close``."""
    code = error_code(status)
    body = json.dumps({"__type": code, "Message": message}).encode()
    headers = [
        ("Content-Type", "application/x-amz-json-1.1"),
        ("X-Amzn-Errortype", f"{code}:"),
        (REQUEST_ID_HEADER, new_request_id()),
        ("Content-Length", str(len(body))),
        ("Connection", "close"),
    ]
    return headers, body


def linger(connection: socket.socket, seconds: float = LINGER_SECONDS,
           limit: int = LINGER_BYTES) -> None:
    """End the answer (FIN) and read what the client is still sending until it closes, at
    most ``seconds`` and ``limit`` bytes: closing with unread bytes would reset the connection,
    and the client could lose the answer."""
    try:
        connection.shutdown(socket.SHUT_WR)
    except OSError:
        return
    end = time.monotonic() + seconds
    read = 0
    try:
        while read < limit:
            left = end - time.monotonic()
            if left <= 0:
                return
            connection.settimeout(left)
            chunk = connection.recv(65536)
            if not chunk:
                return
            read += len(chunk)
    except OSError:  # timed out, reset, closed
        return


class Closer:
    """Closes connections the server answered without serving them (a 503 from the
    accepting thread), after reading what their clients still send: at most
    :data:`LINGER_SECONDS` each, from one thread for all of them."""

    #: Connections lingering at once; beyond, one is closed at once (its client may then see
    #: a reset instead of the answer).
    LIMIT = 1024

    def __init__(self) -> None:
        self._selector = selectors.DefaultSelector()
        self._lock = threading.Lock()
        self._until: dict[socket.socket, float] = {}
        self._thread: threading.Thread | None = None

    def close_later(self, connection: socket.socket) -> None:
        """Take ``connection`` (its answer sent, its writing side shut): close it once its
        client has closed or :data:`LINGER_SECONDS` have passed."""
        with self._lock:
            if len(self._until) >= self.LIMIT:
                connection.close()
                return
            try:
                connection.setblocking(False)
                self._selector.register(connection, selectors.EVENT_READ)
            except (OSError, ValueError):
                connection.close()
                return
            self._until[connection] = time.monotonic() + LINGER_SECONDS
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="rekomock-closer",
                                                daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._until:
                    self._thread = None
                    return
            for key, _ in self._selector.select(0.1):
                connection: socket.socket = key.fileobj  # type: ignore[assignment]
                try:
                    if connection.recv(65536):
                        continue
                except BlockingIOError:
                    continue
                except OSError:
                    pass
                self._close(connection)
            now = time.monotonic()
            with self._lock:
                expired = [c for c, until in self._until.items() if until <= now]
            for connection in expired:
                self._close(connection)

    def _close(self, connection: socket.socket) -> None:
        with self._lock:
            if self._until.pop(connection, None) is None:
                return
            with contextlib.suppress(KeyError, ValueError):
                self._selector.unregister(connection)
        connection.close()


StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _too_large(environ: dict[str, Any]) -> bool:
    """Whether the gzip body of this request weighs more than :data:`MAX_BODY_BYTES`, as sent
    or inflated. Reads the body at most to the cap and puts it back as it came."""
    length = environ.get("CONTENT_LENGTH") or ""
    if length.isdigit() and int(length) > MAX_BODY_BYTES:
        return True
    stream = environ["wsgi.input"]
    if length.isdigit():
        raw = read_at_most(stream, int(length))
    elif environ.get("wsgi.input_terminated"):  # chunked: werkzeug ends the stream
        raw = read_at_most(stream, MAX_BODY_BYTES + 1)
    else:
        raw = b""
    environ["wsgi.input"] = io.BytesIO(raw)
    if len(raw) > MAX_BODY_BYTES:
        return True
    try:
        gunzip(raw, MAX_BODY_BYTES)
    except RequestEntityTooLargeException:
        return True
    except RekognitionError:  # not gzip: the service answers that as it does
        pass
    return False


class Guard:
    """WSGI middleware: a request cut off by its deadline while the application read its
    body answers a JSON 408, in place of whatever the application made of the short read; a
    gzip body beyond the cap, inflated, answers 413 as an oversized body does.

    ``service_of`` names the moto service a request goes to (``"s3"`` is never inflated)."""

    def __init__(self, app: WSGIApp, service_of: Callable[[dict[str, Any]], str]) -> None:
        self.app = app
        self.service_of = service_of

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Any:
        deadline: Deadline | None = environ.get(DEADLINE_KEY)
        try:
            if (environ.get("HTTP_CONTENT_ENCODING", "").strip().lower() == "gzip"
                    and self.service_of(environ) != "s3" and _too_large(environ)):
                return self._too_large(start_response)
            result = self.app(environ, start_response)
        except RequestTimedOut as err:
            return self._timed_out(start_response, err)
        if deadline is None or not deadline.tripped:
            return result
        close = getattr(result, "close", None)
        if close is not None:
            close()
        return self._timed_out(start_response, deadline.trip())

    @staticmethod
    def _too_large(start_response: StartResponse) -> list[bytes]:
        """The very answer the service gives a body beyond the cap as sent."""
        status, fields, text = RequestEntityTooLargeException().to_response()
        body = text.encode()
        headers = [(name, value) for name, value in fields.items() if name != "status"]
        headers.append(("Content-Length", str(len(body))))  # werkzeug adds Connection: close
        start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        return [body]

    @staticmethod
    def _timed_out(start_response: StartResponse, err: RequestTimedOut) -> list[bytes]:
        headers, body = refusal(408, str(err))
        headers = [(name, value) for name, value in headers if name != "Connection"]
        # exc_info: replaces a status the application may already have set (PEP 3333).
        start_response("408 Request Timeout", headers, (type(err), err, None))
        return [body]
