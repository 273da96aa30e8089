"""``rk.console()``: the console served from a thread of this process, for notebooks and
tests using the in-process mock.

A standard-library WSGI server on 127.0.0.1 (a free port), started on the first
``rk.console()`` and stopped when rekomock turns off (the last mock stops): one of
:mod:`rekomock._wire.patches`. Nothing here is imported or started until asked for, so the
mock's calls pay nothing for it.
"""

from __future__ import annotations

import threading
from typing import Any

from .._service import console_hook

__all__ = ["install", "open_console", "uninstall"]

_lock = threading.Lock()
_server: Any = None
_thread: threading.Thread | None = None


def open_console() -> str:
    """Start the console's server if it is not running; its URL."""
    global _server, _thread
    with _lock:
        if _server is None:
            from socketserver import ThreadingMixIn
            from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

            from .console import PREFIX, application

            class Server(ThreadingMixIn, WSGIServer):
                daemon_threads = True

            class QuietHandler(WSGIRequestHandler):
                def log_message(self, format: str, *args: Any) -> None:
                    """No line on stderr per request (a test's output stays its own)."""

            _server = make_server("127.0.0.1", 0, application, server_class=Server,
                                  handler_class=QuietHandler)
            _server.prefix = PREFIX
            _thread = threading.Thread(target=_server.serve_forever, name="rekomock-console",
                                       daemon=True)
            _thread.start()
        host, port = _server.server_address[:2]
        return f"http://{host}:{port}{_server.prefix}"


def close() -> None:
    """Stop the console's server, if it runs."""
    global _server, _thread
    with _lock:
        server, thread = _server, _thread
        _server = _thread = None
    if server is not None:
        server.shutdown()
        server.server_close()
    if thread is not None:
        thread.join()


def install() -> None:
    console_hook.provide(open_console)


def uninstall() -> None:
    console_hook.withdraw()
    close()
