"""Server mode: moto's server with every rekomock operation plugged in.

For the AWS CLI, other SDKs (JavaScript, R's paws, ...) and test suites that span
processes. ``rekomock server`` runs it in the foreground; :class:`RekomockServer` runs it
in a thread for tests, like moto's ``ThreadedMotoServer``. All of moto's services answer
beside rekomock, and the controller answers at ``/moto-api/rekomock/*``
(:mod:`rekomock.control_routes`).

Two things differ from in-process use, by design:

- Nothing is reset when the server starts or a client connects; ``POST /moto-api/reset``
  (or ``/moto-api/rekomock/reset``) empties the state, as with moto's server.
- Clients' waiters really sleep between polls (rekomock cannot reach into another
  process), so every phase defaults to ``immediate``: a waiter's first poll sees the settled
  state. Slower progressions are set per phase with moto's state manager over HTTP.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType
from typing import Any, TextIO

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000


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
    when first used, so the router and the control routes must already be there
    (DESIGN-NOTES pitfall 2). Counted like every other activation, so a server thread in a
    test process leaves plain ``mock_aws`` to moto again once it stops.
    """
    from .core import activate

    activate()


def disable() -> None:
    from .core import deactivate

    deactivate()


def _application() -> Any:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    return DomainDispatcherApplication(create_backend_app)


def _make_server(host: str, port: int) -> Any:
    from moto.moto_server import werkzeug_app
    from werkzeug.serving import make_server

    # moto >= 5.2.5 keeps headers with underscores (S3 metadata) through its own handler;
    # older 5.2.x serve with werkzeug's.
    handler = getattr(werkzeug_app, "MotoRequestHandler", None)
    return make_server(host, port, _application(), threaded=True, request_handler=handler)


def endpoint_url(host: str, port: int) -> str:
    """The URL clients use: a wildcard bind address is reached through loopback."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "[::1]"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


class RekomockServer:
    """A rekomock server in a background thread, for tests.

    ``port=0`` (the default) picks a free port; :attr:`endpoint_url` tells which. Use it as a
    context manager or with :meth:`start` / :meth:`stop`. It serves this process's moto state:
    an in-process ``mock_rekognition_custom`` started meanwhile resets and shares it.
    """

    def __init__(self, host: str = DEFAULT_HOST, port: int = 0) -> None:
        self._host = host
        self._port = port
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        """Start serving; returns the endpoint URL."""
        if self._server is not None:
            raise RuntimeError("this RekomockServer is already running")
        _require_server_extra()
        enable()
        try:
            self._server = _make_server(self._host, self._port)
        except BaseException:
            disable()
            raise
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="rekomock-server", daemon=True
        )
        self._thread.start()
        return self.endpoint_url

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
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


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    # Once is enough: a second SIGTERM while shutting down must not interrupt the shutdown.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, quiet: bool = False,
          out: TextIO = sys.stdout) -> int:
    """Serve in the foreground until Ctrl-C or SIGTERM; the ``rekomock server`` command."""
    try:
        _require_server_extra()
    except ServerExtraMissing as err:
        print(f"rekomock: {err}", file=sys.stderr)
        return 2
    enable()  # for the life of the process
    try:
        server = _make_server(host, port)
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
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    url = endpoint_url(host, bound_port)
    print(f"rekomock server ready at {url} (Ctrl-C or SIGTERM stops it)", file=out, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        server.server_close()
    print("rekomock server stopped", file=out, flush=True)
    return 0
