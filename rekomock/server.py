"""Server mode: moto's server with every rekomock operation plugged in.

For the AWS CLI, other SDKs (JavaScript, R's paws, ...) and test suites that span
processes. ``rekomock server`` runs it in the foreground; :class:`RekomockServer` runs it
in a thread for tests, like moto's ``ThreadedMotoServer``. All of moto's services answer
beside rekomock, the controller answers at ``/moto-api/rekomock/*``
(:mod:`rekomock._wire.control_routes`) and the console's pages at ``/rekomock/``
(:mod:`rekomock._wire.console`).

A stop (Ctrl-C, SIGTERM, :meth:`RekomockServer.stop`) is graceful: no new connection is
accepted and requests already sent get a bounded time to finish. Connections that send
nothing are closed after an idle timeout, a request must have fully arrived within the
request timeout (else a JSON 408), and at most ``max_connections`` connections are served at
once: more wait, without a thread, and beyond as many waiting again they are refused with a
JSON 503. Whatever the HTTP layer refuses (408, 414, 431, 503, ...) answers a JSON error body
with a request id (:mod:`rekomock._wire.http_guard`).

Two things differ from in-process use, by design:

- Nothing is reset when the server starts or a client connects; ``POST /moto-api/reset``
  (or ``/moto-api/rekomock/reset``) empties the state, as with moto's server.
- Clients' waiters really sleep between polls (rekomock cannot reach into another
  process), so every phase defaults to ``immediate``: a waiter's first poll sees the settled
  state. Slower progressions are set per phase with moto's state manager over HTTP.
"""

from __future__ import annotations

import collections
import contextlib
import http
import io
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

from ._wire import http_guard, tls
from ._wire.tls import TLSConfigError

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "DRAIN_TIMEOUT",
    "IDLE_TIMEOUT",
    "MAX_CONNECTIONS",
    "REQUEST_TIMEOUT",
    "RekomockServer",
    "ServerExtraMissing",
    "TLSConfigError",
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
#: From its first byte, how long a whole request (line, headers, body) may take to arrive:
#: a client trickling a byte at a time cannot hold a thread longer than this.
REQUEST_TIMEOUT = 30.0
#: Connections served at once (one thread each); more wait for a free one, without a thread.
MAX_CONNECTIONS = 128


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


def _application(durable: Callable[[], None] | None = None) -> Any:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    from ._wire.authorization import refuse_unsigned
    from ._wire.console import with_console
    from ._wire.state_gate import gated

    dispatcher = DomainDispatcherApplication(create_backend_app)

    def service_of(environ: dict[str, Any]) -> str:
        return str(getattr(dispatcher.get_application(environ), "service", ""))

    return http_guard.Guard(gated(refuse_unsigned(with_console(dispatcher)), durable), service_of)


def _make_server(host: str, port: int, idle_timeout: float = IDLE_TIMEOUT,
                 request_timeout: float = REQUEST_TIMEOUT,
                 max_connections: int = MAX_CONNECTIONS,
                 durable: Callable[[], None] | None = None,
                 ssl_context: Any = None) -> Any:
    """The server; with ``ssl_context`` (:func:`rekomock._wire.tls.server_context`) it
    speaks HTTPS."""
    from moto.moto_server import werkzeug_app
    from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

    if max_connections < 1:
        raise ValueError("max_connections must be at least 1")
    if request_timeout <= 0 or idle_timeout <= 0:
        raise ValueError("timeouts must be positive")
    # moto >= 5.2.5 keeps headers with underscores (S3 metadata) through its own handler;
    # older 5.2.x serve with werkzeug's.
    base: type[WSGIRequestHandler] = getattr(werkzeug_app, "MotoRequestHandler",
                                             WSGIRequestHandler)

    class Handler(base):  # type: ignore[valid-type,misc]
        timeout = idle_timeout  # on every read: an idle connection ends in socket.timeout
        rfile: Any

        def setup(self) -> None:
            super().setup()
            # Every read of the request goes through the deadline (werkzeug hands this
            # reader to the application as wsgi.input).
            self.rfile.close()
            self.deadline = http_guard.Deadline(request_timeout)
            self.rfile = io.BufferedReader(
                http_guard.DeadlineReader(self.connection, self.deadline, idle_timeout))
            self.answered = False
            self.secured = False  # TLS: handshake done

        def handle_one_request(self) -> None:
            if ssl_context is None:
                # Wait for the client's first byte, leaving it queued on the socket: until it
                # is marked in flight, a stop sees it there (Server.busy).
                self.connection.recv(1, socket.MSG_PEEK)
            else:  # TLS cannot peek: the first byte waits in the reader's buffer instead
                if not self.secured:
                    tls.handshake(self.connection, min(idle_timeout, request_timeout),
                                  idle_timeout)
                    self.secured = True
                self.deadline.disarm()  # the wait for a request is the idle timeout's
                self.rfile.peek(1)
            self.server.in_flight(self.connection)
            self.deadline.arm()
            # What a refusal logs and answers with when the request line never arrived.
            self.requestline, self.command, self.request_version = "", "", "HTTP/1.1"
            super().handle_one_request()
            if self.deadline.tripped and not self.answered:  # in the request line or headers
                self.refuse(408, str(self.deadline.trip()))
            elif self.deadline.tripped:
                http_guard.linger(self.connection)

        def make_environ(self) -> dict[str, Any]:
            environ: dict[str, Any] = super().make_environ()
            environ[http_guard.DEADLINE_KEY] = self.deadline
            return environ

        def send_response_only(self, code: int, message: str | None = None) -> None:
            self.answered = True
            super().send_response_only(code, message)

        def send_error(self, code: int, message: str | None = None,
                       explain: str | None = None) -> None:
            """Python's HTTP layer refusing a request (request line too long: 414, a header
            line too long or too many headers: 431, a malformed request: 400, ...): the same
            status, as a JSON error."""
            self.refuse(code, message or explain or "")

        def refuse(self, code: int, message: str) -> None:
            message = message or self.responses.get(code, ("", ""))[0]
            self.log_error("code %d, message %s", code, message)
            self.close_connection = True
            # A request line Python could not parse leaves HTTP/0.9, which has no status line
            # nor headers: the answer is HTTP/1.1 whatever the client sent.
            self.request_version = "HTTP/1.1"
            headers, body = http_guard.refusal(code, message)
            try:
                self.send_response(code)
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)
                self.wfile.flush()
            except OSError:
                return
            http_guard.linger(self.connection)

    class Server(ThreadedWSGIServer):
        """werkzeug's threaded server, knowing which connections carry a request so a stop
        can let them finish (werkzeug closes every connection after one response), and
        serving at most ``max_connections`` at once."""

        def __init__(self) -> None:
            super().__init__(host, port, _application(durable), handler=Handler)
            self.ssl_context = ssl_context  # werkzeug: https in wsgi.url_scheme
            self._lock = threading.Lock()
            self._connections: dict[socket.socket, bool] = {}  # -> carries a request
            self._served = 0  # connections with a thread
            self._waiting: collections.deque[tuple[socket.socket, Any]] = collections.deque()
            self._closer = http_guard.Closer()

        def process_request(self, request: Any, client_address: Any) -> None:
            """Serve the connection if a thread is free, else queue it (without a thread), else
            refuse it with a JSON 503 (over TLS, closed: an answer needs a handshake, which
            the accepting thread must not wait for)."""
            if ssl_context is not None:
                try:
                    request = tls.wrap(ssl_context, request)
                except OSError:
                    request.close()
                    return
            with self._lock:
                refused = False
                if self._served < max_connections:
                    self._served += 1
                    self._connections[request] = False
                elif len(self._waiting) < max_connections:
                    self._waiting.append((request, client_address))
                    self._connections[request] = False
                    return
                else:
                    refused = True
            if refused and ssl_context is not None:
                request.close()
                return
            if refused:
                _refuse_now(request, 503, "the server is serving as many connections as it "
                                          "may; try again")
                self._closer.close_later(request)
                return
            super().process_request(request, client_address)

        def shutdown_request(self, request: Any) -> None:
            with self._lock:
                carried = self._connections.pop(request, None) is not None
                following = None
                if carried and self._waiting:
                    following = self._waiting.popleft()
                elif carried:
                    self._served -= 1
            super().shutdown_request(request)
            if following is not None:  # its slot: the one this connection leaves
                ThreadedWSGIServer.process_request(self, *following)

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

        def close_waiting(self) -> None:
            """Close the connections still waiting for a thread (the server has stopped)."""
            with self._lock:
                waiting = list(self._waiting)
                self._waiting.clear()
                for request, _ in waiting:
                    self._connections.pop(request, None)
            for request, _ in waiting:
                request.close()

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


def _refuse_now(connection: socket.socket, status: int, message: str) -> None:
    """Answer a connection the server will not serve, from the accepting thread: never
    blocking it (what the client has sent so far is read first, so that the close does not
    reset the connection before the answer is read)."""
    headers, body = http_guard.refusal(status, message)
    head = f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in headers) + "\r\n"
    try:
        connection.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            while connection.recv(65536):
                pass
        connection.send(head.encode("latin-1") + body)
        connection.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def endpoint_url(host: str, port: int, scheme: str = "http") -> str:
    """The URL clients use: a wildcard bind address is reached through loopback."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "[::1]"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{scheme}://{host}:{port}"


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


def endpoint_urls(host: str, port: int, scheme: str = "http") -> list[str]:
    """URLs that reach a server bound to ``host``: loopback first, then, for a wildcard
    address, this machine's address as other machines reach it."""
    urls = [endpoint_url(host, port, scheme)]
    if host in ("", "0.0.0.0", "::"):
        address = _network_address(socket.AF_INET6 if host == "::" else socket.AF_INET)
        if address is not None:
            urls.append(endpoint_url(address, port, scheme))
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

    The keyword arguments are the limits of ``rekomock server``'s flags of the same names
    (seconds, and connections served at once); small ones make tests of slow clients quick.

    ``freeze_clock=True`` freezes the mock's clock while it runs, also after every reset
    (``rekomock server --freeze-clock``).

    ``ssl=True`` serves HTTPS with a self-signed certificate made at start (clients pass
    ``verify=False``); ``ssl_cert`` and ``ssl_key`` (file paths, both or neither) serve with
    that certificate instead. Unusable ones raise :class:`TLSConfigError` from :meth:`start`.
    """

    def __init__(self, host: str = DEFAULT_HOST, port: int = 0, *,
                 idle_timeout: float = IDLE_TIMEOUT, drain_timeout: float = DRAIN_TIMEOUT,
                 request_timeout: float = REQUEST_TIMEOUT,
                 max_connections: int = MAX_CONNECTIONS, freeze_clock: bool = False,
                 ssl: bool = False, ssl_cert: str | None = None,
                 ssl_key: str | None = None) -> None:
        self._tls = (ssl, ssl_cert, ssl_key)
        self._scheme = "http"
        self._freeze_clock = freeze_clock
        self._frozen_before = False
        self._host = host
        self._port = port
        self._idle_timeout = idle_timeout
        self._drain_timeout = drain_timeout
        self._request_timeout = request_timeout
        self._max_connections = max_connections
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        """Start serving; returns the endpoint URL."""
        if self._server is not None:
            raise RuntimeError("this RekomockServer is already running")
        _require_server_extra()
        context = tls.server_context(*self._tls)
        self._scheme = "http" if context is None else "https"
        enable()
        try:
            self._server = _make_server(self._host, self._port, self._idle_timeout,
                                        self._request_timeout, self._max_connections,
                                        ssl_context=context)
        except BaseException:
            disable()
            raise
        if self._freeze_clock:
            self._frozen_before = _freeze_clock()
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
        self._server.close_waiting()
        assert self._thread is not None
        self._thread.join()
        self._server = None
        self._thread = None
        if self._freeze_clock:
            _freeze_clock(self._frozen_before)
        disable()

    def get_host_and_port(self) -> tuple[str, int]:
        """As moto's ``ThreadedMotoServer.get_host_and_port``."""
        if self._server is None:
            raise RuntimeError("call start() first")
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    @property
    def endpoint_url(self) -> str:
        return endpoint_url(*self.get_host_and_port(), self._scheme)

    def __enter__(self) -> RekomockServer:
        self.start()
        return self

    def __exit__(self, *args: object) -> None:
        self.stop()


def _freeze_clock(frozen: bool = True) -> bool:
    """Freeze the mock's clock, also after every reset (``--freeze-clock``), or stop doing
    so; whether it was frozen that way before."""
    from ._domain import clock

    before = clock.frozen_by_default()
    clock.freeze_by_default(frozen)
    return before


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
          drain_timeout: float = DRAIN_TIMEOUT, request_timeout: float = REQUEST_TIMEOUT,
          max_connections: int = MAX_CONNECTIONS, freeze_clock: bool = False,
          state_dir: str | None = None, durable: bool = False, init: str | None = None,
          init_warn_only: bool = False, ssl: bool = False, ssl_cert: str | None = None,
          ssl_key: str | None = None) -> int:
    """Serve in the foreground until Ctrl-C or SIGTERM; the ``rekomock server`` command.

    A stop is graceful: no new connection is accepted, requests in flight get up to
    ``drain_timeout`` seconds to finish, then the command exits 0. With ``state_dir`` the
    state saved there is loaded first (a directory that cannot be used: exit 1, naming the
    file) and saved again at a graceful stop (docs/decisions.md, *Saved state*); with
    ``durable`` also after every request that may change it, before it is answered.
    ``init`` names hook scripts run once the server answers, before the ready line
    (:mod:`rekomock._wire.init_hooks`); a failing one stops the server (exit 1) unless
    ``init_warn_only``. With a state loaded from ``state_dir`` they do not run.
    ``ssl``, ``ssl_cert`` and ``ssl_key`` serve HTTPS (:class:`RekomockServer`); unusable
    ones exit 2.
    """
    try:
        _require_server_extra()
    except ServerExtraMissing as err:
        print(f"rekomock: {err}", file=sys.stderr)
        return 2
    try:
        context = tls.server_context(ssl, ssl_cert, ssl_key)
    except TLSConfigError as err:
        print(f"rekomock: {err}", file=sys.stderr)
        return 2
    scheme = "http" if context is None else "https"
    enable()  # for the life of the process
    if durable and state_dir is None:
        print("rekomock: --durable needs --state-dir (where to save)", file=sys.stderr)
        return 2
    from ._wire.init_hooks import find_hooks

    try:
        hooks = find_hooks(init) if init is not None else []
    except ValueError as err:
        print(f"rekomock: --init: {err}", file=sys.stderr)
        return 2
    state = _open_state(state_dir)
    if state is False:
        return 1
    try:
        server = _make_server(host, port, idle_timeout, request_timeout, max_connections,
                              state.save_held if durable else None, ssl_context=context)
    except OSError as err:
        print(f"rekomock: cannot listen on {host}:{port}: {err.strerror or err}",
              file=sys.stderr)
        if state is not None:
            state.close()
        return 1
    except ValueError as err:  # a limit out of range
        print(f"rekomock: {err}", file=sys.stderr)
        if state is not None:
            state.close()
        return 2
    if freeze_clock:
        _freeze_clock()
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
    urls = " and ".join(endpoint_urls(host, bound_port, scheme))
    console = endpoint_url(host, bound_port, scheme) + "/rekomock/"
    ready = f"rekomock server ready at {urls} (Ctrl-C or SIGTERM stops it); console at {console}"
    if hooks and state is not None and not state.new:
        print(f"rekomock: init hooks not run: the state was loaded from {state.file}",
              file=sys.stderr, flush=True)
        hooks = []
    runner, failed = _start_hooks(hooks, server, endpoint_url(host, bound_port, scheme), ready,
                                  out,
                                  init_warn_only)
    cut = 0
    try:
        server.serve_forever()  # returns once no longer accepting
        cut = server.drain(drain_timeout)
    except KeyboardInterrupt:  # a second Ctrl-C: stop now
        cut = server.busy()
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if runner is not None:
            runner.stop()
        server.server_close()
        server.close_waiting()
    if cut:
        print(f"rekomock: {cut} request(s) still in flight were cut", file=sys.stderr,
              flush=True)
    if failed:  # the state the hooks were making is not kept: they run again next time
        if state is not None:
            state.close()
        print("rekomock server stopped", file=out, flush=True)
        return 1
    code = 0 if state is None else _save_state(state)
    print("rekomock server stopped", file=out, flush=True)
    return code


def _start_hooks(hooks: list[Any], server: Any, url: str, ready: str, out: TextIO,
                 warn_only: bool) -> tuple[Any, list[str]]:
    """Print the ready line, at once without hooks, else once they have run (in a thread:
    they call the server). A failing hook stops the server; the list returned then holds
    its message."""
    failed: list[str] = []
    if not hooks:
        print(ready, file=out, flush=True)
        return None, failed
    from ._wire.control_routes import READY
    from ._wire.init_hooks import HookFailed, Hooks

    READY.clear()  # health answers 503 "initializing" until the hooks have run

    def report(message: str) -> None:
        print(f"rekomock: {message}", file=sys.stderr, flush=True)

    runner = Hooks(hooks, url, report)

    def run() -> None:
        try:
            runner.run(warn_only)
        except HookFailed as err:
            failed.append(str(err))
            report(f"{err}\nrekomock: stopping: an init hook failed (--init-warn-only "
                   "only warns)")
            server.shutdown()
            return
        READY.set()
        print(ready, file=out, flush=True)

    threading.Thread(target=run, name="rekomock-init", daemon=True).start()
    return runner, failed


def _open_state(state_dir: str | None) -> Any:
    """The opened ``--state-dir`` (None without one), or False when it cannot be used
    (said on stderr)."""
    if state_dir is None:
        return None
    from ._service.persistence import StateDir, StateFileError

    state = StateDir(state_dir)
    try:
        print(f"rekomock: {state.open()}", file=sys.stderr, flush=True)
    except StateFileError as err:
        print(f"rekomock: cannot start: {err}", file=sys.stderr, flush=True)
        return False
    return state


def _save_state(state: Any) -> int:
    """Save the state at a stop; 1 (said on stderr) when it could not be saved."""
    from ._service.persistence import StateFileError

    try:
        header = state.save(wait=5.0)
    except (StateFileError, OSError, TimeoutError) as err:
        print(f"rekomock: the state was NOT saved to {state.file}: {err}; it keeps the "
              "previous save", file=sys.stderr, flush=True)
        return 1
    finally:
        state.close()
    print(f"rekomock: state saved to {state.file} ({header['size']} bytes)", file=sys.stderr,
          flush=True)
    return 0
