"""Server mode: moto's server with every rekomock operation plugged in.

For the AWS CLI, other SDKs (JavaScript, R's paws, ...) and test suites that span
processes. ``rekomock server`` runs it in the foreground; :class:`RekomockServer` runs it
in a thread for tests, like moto's ``ThreadedMotoServer``. All of moto's services answer
beside rekomock, the controller answers at ``/moto-api/rekomock/*``
(:mod:`rekomock._wire.control_routes`) and the console's pages at ``/rekomock/``
(:mod:`rekomock._wire.console`).

A stop (Ctrl-C, SIGTERM, :meth:`RekomockServer.stop`) is graceful: no new connection is
accepted and requests already sent get a bounded time to finish. Connections that send
nothing are closed after an idle timeout.

Two things differ from in-process use, by design:

- Nothing is reset when the server starts or a client connects; ``POST /moto-api/reset``
  (or ``/moto-api/rekomock/reset``) empties the state, as with moto's server.
- Clients' waiters really sleep between polls (rekomock cannot reach into another
  process), so every phase defaults to ``immediate``: a waiter's first poll sees the settled
  state. Slower progressions are set per phase with moto's state manager over HTTP.
"""

from __future__ import annotations

import ipaddress
import os
import selectors
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any, TextIO

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "DRAIN_TIMEOUT",
    "IDLE_TIMEOUT",
    "RekomockServer",
    "ServerExtraMissing",
    "endpoint_url",
    "endpoint_urls",
    "serve",
]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000
#: A connection that sends nothing for this long is closed, so idle or half-open
#: connections cannot each hold a thread forever.
IDLE_TIMEOUT = 60.0
#: On SIGTERM or Ctrl-C, how long requests already being served may take to finish.
DRAIN_TIMEOUT = 10.0


class ServerExtraMissing(RuntimeError):
    """moto's server needs Flask: ``pip install 'moto[server]'``, or rekomock's ``server``
    extra."""


def _require_server_extra() -> None:
    try:
        import flask  # noqa: F401
        import flask_cors  # noqa: F401
    except ImportError as err:
        raise ServerExtraMissing(
            "server mode needs moto's server dependencies: pip install 'moto[server]', or "
            "install rekomock with its server extra (pip install '/path/to/rekomock[server]'; "
            "README: Using rekomock in your project)"
        ) from err


def enable() -> None:
    """Turn rekomock on for this process's moto server (until :func:`disable`).

    Runs before the server builds its per-service Flask apps: they copy moto's URL tables
    when first used (``create_backend_app`` in ``moto/moto_server/werkzeug_app.py``), so the
    router and the control routes must already be there. Counted like every other activation,
    so a server thread in a test process leaves plain ``mock_aws`` to moto again once it stops.
    """
    from .mock import activate

    activate()


def disable() -> None:
    from .mock import deactivate

    deactivate()


def _application() -> Any:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    from ._wire.authorization import refuse_unsigned
    from ._wire.console import with_console

    return refuse_unsigned(with_console(DomainDispatcherApplication(create_backend_app)))


def _make_server(host: str, port: int, idle_timeout: float = IDLE_TIMEOUT) -> Any:
    from moto.moto_server import werkzeug_app
    from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

    # moto >= 5.2.5 keeps headers with underscores (S3 metadata) through its own handler;
    # older 5.2.x serve with werkzeug's.
    base: type[WSGIRequestHandler] = getattr(werkzeug_app, "MotoRequestHandler",
                                             WSGIRequestHandler)

    class Handler(base):  # type: ignore[valid-type,misc]
        timeout = idle_timeout  # on every read: an idle connection ends in socket.timeout

        def handle_one_request(self) -> None:
            # Wait for the client's first byte, leaving it queued on the socket: until it is
            # marked in flight, a stop sees it there (Server.busy).
            self.connection.recv(1, socket.MSG_PEEK)
            self.server.in_flight(self.connection)
            super().handle_one_request()

    class Server(ThreadedWSGIServer):
        """werkzeug's threaded server, knowing which connections carry a request so a stop
        can let them finish (werkzeug closes every connection after one response)."""

        def __init__(self) -> None:
            super().__init__(host, port, _application(), handler=Handler)
            self._lock = threading.Lock()
            self._connections: dict[socket.socket, bool] = {}  # -> carries a request

        def process_request(self, request: Any, client_address: Any) -> None:
            with self._lock:
                self._connections[request] = False
            super().process_request(request, client_address)

        def shutdown_request(self, request: Any) -> None:
            with self._lock:
                self._connections.pop(request, None)
            super().shutdown_request(request)

        def server_close(self) -> None:
            """Stop accepting (werkzeug's ``serve_forever`` ends with this), first taking
            the connections the system has already queued: their clients are sending a
            request."""
            try:
                self.socket.setblocking(False)
                while True:
                    request, client_address = self.socket.accept()
                    request.settimeout(None)
                    self.process_request(request, client_address)
            except OSError:  # nothing more queued (BlockingIOError), or closed already
                pass
            super().server_close()

        def in_flight(self, connection: socket.socket) -> None:
            with self._lock:
                if connection in self._connections:
                    self._connections[connection] = True

        def busy(self) -> int:
            """Connections carrying a request, or with one arrived and not yet read."""
            with self._lock:
                busy = sum(self._connections.values())
                idle = [c for c, carrying in self._connections.items() if not carrying]
            with selectors.DefaultSelector() as selector:
                for connection in idle:
                    try:
                        selector.register(connection, selectors.EVENT_READ)
                    except (ValueError, OSError):  # closed meanwhile
                        continue
                return busy + len(selector.select(0))

        def drain(self, timeout: float) -> int:
            """Wait until no request is in flight (seen twice, 50 ms apart), at most
            ``timeout`` seconds; the number still in flight then."""
            deadline = time.monotonic() + timeout
            quiet = 0
            while True:
                busy = self.busy()
                quiet = quiet + 1 if busy == 0 else 0
                if quiet == 2 or time.monotonic() >= deadline:
                    return busy
                time.sleep(0.05)

    return Server()


def endpoint_url(host: str, port: int) -> str:
    """The URL clients use: a wildcard bind address is reached through loopback."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "[::1]"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _network_address(family: socket.AddressFamily) -> str | None:
    """This machine's address on its default route; a UDP connect sends no packet."""
    probe = "2001:db8::1" if family == socket.AF_INET6 else "192.0.2.1"  # documentation nets
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as udp:
            udp.connect((probe, 9))
            address = str(udp.getsockname()[0])
    except OSError:
        return None
    parsed = ipaddress.ip_address(address.split("%")[0])
    return None if parsed.is_loopback or parsed.is_unspecified else address


def endpoint_urls(host: str, port: int) -> list[str]:
    """URLs that reach a server bound to ``host``: loopback first, then, for a wildcard
    address, this machine's address as other machines reach it."""
    urls = [endpoint_url(host, port)]
    if host in ("", "0.0.0.0", "::"):
        address = _network_address(socket.AF_INET6 if host == "::" else socket.AF_INET)
        if address is not None:
            urls.append(endpoint_url(address, port))
    return urls


def reachable_from_network(host: str) -> bool:
    """Whether binding ``host`` lets other machines in (anything but loopback)."""
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return True  # a host name: whatever it resolves to


class RekomockServer:
    """A rekomock server in a background thread, for tests.

    ``port=0`` (the default) picks a free port; :attr:`endpoint_url` tells which. Use it as a
    context manager or with :meth:`start` / :meth:`stop`. It serves this process's moto state:
    an in-process ``mock_rekognition_custom`` started meanwhile resets and shares it.
    """

    def __init__(self, host: str = DEFAULT_HOST, port: int = 0, *,
                 idle_timeout: float = IDLE_TIMEOUT, drain_timeout: float = DRAIN_TIMEOUT) -> None:
        self._host = host
        self._port = port
        self._idle_timeout = idle_timeout
        self._drain_timeout = drain_timeout
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        """Start serving; returns the endpoint URL."""
        if self._server is not None:
            raise RuntimeError("this RekomockServer is already running")
        _require_server_extra()
        enable()
        try:
            self._server = _make_server(self._host, self._port, self._idle_timeout)
        except BaseException:
            disable()
            raise
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="rekomock-server", daemon=True
        )
        self._thread.start()
        return self.endpoint_url

    def stop(self) -> None:
        """Stop accepting, let requests in flight finish (bounded), then stop."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._server.drain(self._drain_timeout)
        assert self._thread is not None
        self._thread.join()
        self._server = None
        self._thread = None
        disable()

    def get_host_and_port(self) -> tuple[str, int]:
        """As moto's ``ThreadedMotoServer.get_host_and_port``."""
        if self._server is None:
            raise RuntimeError("call start() first")
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    @property
    def endpoint_url(self) -> str:
        return endpoint_url(*self.get_host_and_port())

    def __enter__(self) -> RekomockServer:
        self.start()
        return self

    def __exit__(self, *args: object) -> None:
        self.stop()


def _stop_on_signal(server: Any) -> Callable[[int, FrameType | None], None]:
    def stop(signum: int, frame: FrameType | None) -> None:
        # Once is enough: a second SIGTERM must not interrupt the drain; a second Ctrl-C
        # cuts it short.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        threading.Thread(target=server.shutdown, name="rekomock-shutdown", daemon=True).start()

    return stop


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, quiet: bool = False,
          out: TextIO = sys.stdout, *, idle_timeout: float = IDLE_TIMEOUT,
          drain_timeout: float = DRAIN_TIMEOUT) -> int:
    """Serve in the foreground until Ctrl-C or SIGTERM; the ``rekomock server`` command.

    A stop is graceful: no new connection is accepted, requests in flight get up to
    ``drain_timeout`` seconds to finish, then the command exits 0.
    """
    try:
        _require_server_extra()
    except ServerExtraMissing as err:
        print(f"rekomock: {err}", file=sys.stderr)
        return 2
    enable()  # for the life of the process
    try:
        server = _make_server(host, port, idle_timeout)
    except OSError as err:
        print(f"rekomock: cannot listen on {host}:{port}: {err.strerror or err}",
              file=sys.stderr)
        return 1
    if quiet:
        import logging

        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    bound_port = int(server.server_address[1])
    # moto builds some URLs (e.g. SQS queue URLs) from MOTO_PORT, as under moto_server.
    os.environ.setdefault("MOTO_PORT", str(bound_port))
    stop = _stop_on_signal(server)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if reachable_from_network(host):
        print(f"rekomock: warning: listening on {host}, the mock is reachable from the "
              "network: anyone who can reach this machine can call it, and read, change or "
              "reset its state through /moto-api/ and /moto-api/rekomock/, which ask for no "
              "authentication. Leave --host at 127.0.0.1 unless that is what you want.",
              file=sys.stderr, flush=True)
    urls = " and ".join(endpoint_urls(host, bound_port))
    console = endpoint_url(host, bound_port) + "/rekomock/"
    print(f"rekomock server ready at {urls} (Ctrl-C or SIGTERM stops it); console at {console}",
          file=out, flush=True)
    cut = 0
    try:
        server.serve_forever()  # returns once no longer accepting
        cut = server.drain(drain_timeout)
    except KeyboardInterrupt:  # a second Ctrl-C: stop now
        cut = server.busy()
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        server.server_close()
    if cut:
        print(f"rekomock: {cut} request(s) still in flight were cut", file=sys.stderr,
              flush=True)
    print("rekomock server stopped", file=out, flush=True)
    return 0
