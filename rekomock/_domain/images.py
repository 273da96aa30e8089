"""Image headers: what Custom Labels accepts (PNG or JPEG, 64-4096 px, aspect <= 20:1).

The service judges an image by its bytes, never by its name [CL:md-prepare-images;
CL:limits], so :func:`sniff` reads the PNG signature + IHDR or walks the JPEG markers to the first
frame header. It reads headers only, so checking thousands of manifest images stays cheap.

Citation tags and coined words: docs/glossary.md.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "MAX_ASPECT", "MAX_SIDE", "MIN_SIDE", "PNG_SIGNATURE", "ImageInfo", "check_dimensions", "sniff",
]

MIN_SIDE = 64  # px [CL:limits]
MAX_SIDE = 4096  # px [CL:limits]
MAX_ASPECT = 20.0  # longer side / shorter side [CL:limits]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# SOFn markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but don't.
_SOF_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7,
                          0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
# Markers without a length field: TEM and RST0-7 (ITU T.81 B.1.1.3).
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})


@dataclass(frozen=True, slots=True)
class ImageInfo:
    """Format and size of an image, read from its header."""

    format: Literal["PNG", "JPEG"]
    width: int
    height: int


def sniff(data: bytes) -> ImageInfo | None:
    """The image's format and size from its real header; None if not a PNG or JPEG."""
    if data.startswith(PNG_SIGNATURE):
        return _sniff_png(data)
    if data.startswith(b"\xff\xd8\xff"):
        return _sniff_jpeg(data)
    return None


def _sniff_png(data: bytes) -> ImageInfo | None:
    # The first chunk must be a 13-byte IHDR with a correct CRC (PNG spec 5.6, 11.2.2).
    if len(data) < 33:
        return None
    length, ctype = struct.unpack_from(">I4s", data, 8)
    if length != 13 or ctype != b"IHDR":
        return None
    (crc,) = struct.unpack_from(">I", data, 29)
    if zlib.crc32(data[12:29]) != crc:
        return None
    width, height, depth, colour = struct.unpack_from(">IIBB", data, 16)
    if width == 0 or height == 0 or colour not in (0, 2, 3, 4, 6) or depth not in (1, 2, 4, 8, 16):
        return None
    return ImageInfo("PNG", width, height)


def _sniff_jpeg(data: bytes) -> ImageInfo | None:
    pos, end = 2, len(data)
    while pos < end:
        if data[pos] != 0xFF:
            return None  # a marker must start here; anything else is not a JPEG stream
        while pos < end and data[pos] == 0xFF:  # fill bytes (T.81 B.1.1.2)
            pos += 1
        if pos >= end:
            return None
        marker = data[pos]
        pos += 1
        if marker in _STANDALONE:
            continue
        if marker in (0xD9, 0xDA, 0x00):  # EOI or scan data before any frame header
            return None
        if pos + 2 > end:
            return None
        (length,) = struct.unpack_from(">H", data, pos)
        if length < 2:
            return None
        if marker in _SOF_MARKERS:
            if length < 8 or pos + 7 > end:
                return None
            height, width = struct.unpack_from(">HH", data, pos + 3)
            if width == 0 or height == 0:  # height 0 = defined later by DNL: not supported
                return None
            return ImageInfo("JPEG", width, height)
        pos += length
    return None


def check_dimensions(info: ImageInfo) -> str | None:
    """None if Custom Labels accepts the size, else "too_large", "too_small" or
    "aspect_ratio" [CL:limits: 64x64 to 4096x4096 px, aspect ratio <= 20:1].

    "too_large" wins when a side is both (DetectCustomLabels maps it to ImageTooLarge)."""
    longer, shorter = max(info.width, info.height), min(info.width, info.height)
    if longer > MAX_SIDE:
        return "too_large"
    if shorter < MIN_SIDE:
        return "too_small"
    if longer > MAX_ASPECT * shorter:
        return "aspect_ratio"
    return None
