"""Image headers: what Custom Labels accepts (PNG or JPEG, 64-4096 px, aspect <= 20:1) and
small real images for tests.

The service judges an image by its bytes, never by its name [CL:md-prepare-images;
CL:limits], so :func:`sniff` reads the PNG signature + IHDR or walks the JPEG markers to the first
frame header. It reads headers only, so checking thousands of manifest images stays cheap.

Citation tags and coined words: docs/glossary.md.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass
from typing import Literal

__all__ = ["ImageInfo", "check_dimensions", "make_jpeg", "make_png", "sniff"]

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


# ----------------------------------------------------------------------- writers


def _png_chunk(ctype: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", zlib.crc32(ctype + body))


def make_png(width: int = 64, height: int = 64, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A valid solid-colour 8-bit RGB PNG; different colours give different bytes."""
    if width <= 0 or height <= 0:
        raise ValueError("width and height must be positive")
    row = b"\x00" + bytes(rgb) * width  # filter type 0 + pixels
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (PNG_SIGNATURE + _png_chunk(b"IHDR", ihdr)
            + _png_chunk(b"IDAT", zlib.compress(row * height, 9)) + _png_chunk(b"IEND", b""))


# Luminance DC table of ITU T.81 Annex K.3 (categories 0-11): code counts per length, symbols.
_DC_BITS = (0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0)
_DC_VALS = tuple(range(12))


def _huffman_codes(bits: tuple[int, ...], vals: tuple[int, ...]) -> dict[int, tuple[int, int]]:
    """Canonical codes (T.81 Annex C): symbol -> (code, length)."""
    codes: dict[int, tuple[int, int]] = {}
    code, k = 0, 0
    for length, count in enumerate(bits, start=1):
        for _ in range(count):
            codes[vals[k]] = (code, length)
            code += 1
            k += 1
        code <<= 1
    return codes


def _segment(marker: int, body: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(body) + 2) + body


GRID = 4  # make_jpeg's pictures: GRID x GRID areas of one grey each


def _grey(seed: int, cell: int) -> int:
    """A grey level 40-255, a stable function of (seed, cell)."""
    digest = hashlib.blake2b(f"{seed}/{cell}".encode(), digest_size=2).digest()
    return 40 + int.from_bytes(digest, "big") % 216


def make_jpeg(width: int = 64, height: int = 64, seed: int = 0) -> bytes:
    """A decodable baseline greyscale JPEG (JFIF): a 4 x 4 grid of grey levels drawn from
    ``seed``, so different seeds give different pictures, at any size.

    Every 8x8 block is a single DC value (AC all zero), so the entropy-coded data needs only
    the standard DC table and an AC table holding just EOB. A COM segment carries the seed,
    so different seeds always give different bytes.
    """
    if not 0 < width <= 0xFFFF or not 0 < height <= 0xFFFF:
        raise ValueError("width and height must be 1-65535")
    dc_codes = _huffman_codes(_DC_BITS, _DC_VALS)
    out = bytearray(b"\xff\xd8")
    out += _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    out += _segment(0xFE, f"rekomock seed={seed}".encode())
    out += _segment(0xDB, b"\x00" + b"\x01" * 64)  # table 0, 8-bit, all ones
    out += _segment(0xC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00")
    out += _segment(0xC4, b"\x00" + bytes(_DC_BITS) + bytes(_DC_VALS))  # DC table 0
    out += _segment(0xC4, b"\x10\x01" + b"\x00" * 15 + b"\x00")  # AC table 0: EOB only, code "0"
    out += _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")  # 1 component, tables 0/0, Ss=0 Se=63
    acc, nbits = 0, 0  # bit accumulator, MSB first
    scan = bytearray()
    previous = 0
    rows, cols = (height + 7) // 8, (width + 7) // 8
    greys = [_grey(seed, cell) for cell in range(GRID * GRID)]
    for by in range(rows):
        for bx in range(cols):
            level = greys[by * GRID // rows * GRID + bx * GRID // cols]
            dc = 8 * (level - 128)  # FDCT DC of a flat block, quantised by 1
            diff, previous = dc - previous, dc
            size = abs(diff).bit_length()
            code, length = dc_codes[size]
            extra = diff if diff >= 0 else diff + (1 << size) - 1
            acc = (acc << (length + size + 1)) | (code << (size + 1)) | (extra << 1)  # + EOB "0"
            nbits += length + size + 1
            while nbits >= 8:
                nbits -= 8
                byte = (acc >> nbits) & 0xFF
                scan.append(byte)
                if byte == 0xFF:
                    scan.append(0x00)  # byte stuffing (T.81 F.1.2.3)
            acc &= (1 << nbits) - 1
    if nbits:
        byte = ((acc << (8 - nbits)) | ((1 << (8 - nbits)) - 1)) & 0xFF  # pad with 1-bits
        scan += b"\xff\x00" if byte == 0xFF else bytes([byte])
    out += scan + b"\xff\xd9"
    return bytes(out)
