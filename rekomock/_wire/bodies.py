"""Bounded reading of request bodies: what a body may weigh, as sent and once inflated, so
that no request makes rekomock read or inflate more than any call could need (docs/decisions.md,
*Server mode*). Used by the service handler (in-process and over HTTP) and by server mode's
HTTP layer, which caps what moto's server would inflate for its own services."""

from __future__ import annotations

import zlib
from typing import Any

from .._domain.exceptions import RekognitionError, SerializationException

#: The largest request body rekomock reads, declared or inflated from gzip: twice the largest
#: valid request (a 5 MiB blob in base64 is 7 MB of JSON), so every call the model admits gets
#: its own validation error, and a body no call could need is refused before it is read
#: (docs/decisions.md, *Server mode*).
MAX_BODY_BYTES = 16 * 1024 * 1024


class RequestEntityTooLargeException(RekognitionError):
    """A body beyond :data:`MAX_BODY_BYTES`, as sent or once inflated: HTTP 413, in the words
    of the AWS front end's answer to an oversized request."""

    code = "RequestEntityTooLargeException"
    message = f"Request must be smaller than {MAX_BODY_BYTES} bytes."
    status = 413


def read_at_most(stream: Any, limit: int) -> bytes:
    """Read ``stream`` to its end or until ``limit`` bytes, whichever comes first."""
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = stream.read(min(65536, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def gunzip(data: bytes, limit: int) -> bytes:
    """Inflate a gzip body (one member or several, as ``gzip.decompress``) a bounded step at a
    time: past ``limit`` inflated bytes it is refused as an oversized body, never inflated
    further."""
    out = bytearray()
    try:
        while data:
            member = zlib.decompressobj(16 + zlib.MAX_WBITS)
            while not member.eof:
                chunk = member.decompress(data, limit + 1 - len(out))
                out += chunk
                if len(out) > limit:
                    raise RequestEntityTooLargeException()
                data = member.unconsumed_tail
                if not data and not chunk:
                    break
            if not member.eof:
                raise SerializationException("Request body is not valid gzip.")
            data = member.unused_data
    except zlib.error as err:
        raise SerializationException("Request body is not valid gzip.") from err
    return bytes(out)
