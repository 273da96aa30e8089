"""TLS for server mode (``rekomock server --ssl`` or ``--ssl-cert``/``--ssl-key``), for
clients that only speak HTTPS. The flags are moto_server's; the contexts are werkzeug's.

Connections are wrapped one by one as they are accepted, without a handshake: the handshake
happens in the connection's own thread, bounded in time (:func:`handshake`), so a client that
connects and says nothing cannot hold the accepting thread, as it would if the listening
socket itself were wrapped (werkzeug's way, ``ssl_context=`` of its servers).
"""

from __future__ import annotations

import socket
import ssl


class TLSConfigError(ValueError):
    """The TLS options cannot be served with; the message says why, naming the flag."""


def server_context(self_signed: bool = False, cert_file: str | None = None,
                   key_file: str | None = None) -> ssl.SSLContext | None:
    """The context to serve with: the given certificate and key, else with ``self_signed``
    one made now (werkzeug's ``adhoc``), else None (plain HTTP)."""
    from werkzeug.serving import generate_adhoc_ssl_context, load_ssl_context

    if (cert_file is None) != (key_file is None):
        given, missing = (("--ssl-cert", "--ssl-key") if key_file is None
                          else ("--ssl-key", "--ssl-cert"))
        raise TLSConfigError(f"{given} needs {missing} (the certificate and its private key)")
    if cert_file is not None and key_file is not None:
        try:
            return load_ssl_context(cert_file, key_file)
        except (OSError, ValueError) as err:  # ssl.SSLError is an OSError
            reason = getattr(err, "strerror", None) or getattr(err, "reason", None) or err
            raise TLSConfigError(f"cannot load the certificate {cert_file} with the key "
                                 f"{key_file}: {reason}") from err
    if not self_signed:
        return None
    try:
        return generate_adhoc_ssl_context()
    except (ImportError, TypeError) as err:  # werkzeug: TypeError without cryptography
        raise TLSConfigError(f"--ssl makes its certificate with the cryptography package: "
                             f"pip install cryptography ({err})") from err


def wrap(context: ssl.SSLContext, connection: socket.socket) -> ssl.SSLSocket:
    """The accepted ``connection`` as a TLS one, its handshake left to :func:`handshake`."""
    return context.wrap_socket(connection, server_side=True, do_handshake_on_connect=False)


def handshake(connection: ssl.SSLSocket, seconds: float, then: float) -> None:
    """Negotiate TLS within ``seconds`` in all (a trickled handshake is cut off too), then
    leave reads and writes at ``then`` seconds each."""
    connection.settimeout(seconds)  # CPython: the whole handshake's duration
    try:
        connection.do_handshake()
    finally:
        connection.settimeout(then)
