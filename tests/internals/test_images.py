"""Image headers (rekomock._domain.images; [CL:limits]) and the test-image writers of
rekomock.testing."""

from __future__ import annotations

import io
import struct
import zlib

import pytest

from rekomock._domain.images import ImageInfo, check_dimensions, sniff
from rekomock.testing import make_jpeg, make_png

# ---------------------------------------------------------------------------- sniff


@pytest.mark.parametrize("size", [(64, 64), (100, 37), (4096, 4096), (1, 1), (65, 129)])
def test_sniff_reads_png_and_jpeg_sizes(size: tuple[int, int]) -> None:
    assert sniff(make_png(*size)) == ImageInfo("PNG", *size)
    assert sniff(make_jpeg(*size)) == ImageInfo("JPEG", *size)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"GIF89a" + b"\x00" * 100,
        b"BM" + b"\x00" * 100,  # BMP
        b"RIFF\x00\x00\x00\x00WEBPVP8 ",
        b"hello, world" * 10,
        make_png()[:20],  # truncated inside IHDR
        make_jpeg()[:30],  # truncated before the frame header
        b"\xff\xd8\xff\xd9",  # SOI EOI: no frame
    ],
)
def test_sniff_refuses_other_formats_and_truncated_headers(data: bytes) -> None:
    assert sniff(data) is None


def test_sniff_png_checks_ihdr_crc() -> None:
    data = bytearray(make_png(80, 80))
    data[18] ^= 0x01  # width changed, CRC not
    assert sniff(bytes(data)) is None


def test_sniff_jpeg_skips_app_segments_and_fill_bytes() -> None:
    base = make_jpeg(321, 123)
    # An APP1 whose payload contains marker-like bytes, a fill byte before the next marker.
    app1 = b"\xff\xe1" + struct.pack(">H", 2 + 12) + b"\xff\xc0\x00\x11\x08\x00\x01\x00\x01xx\x00"
    data = base[:2] + app1 + b"\xff" + base[2:]
    assert sniff(data) == ImageInfo("JPEG", 321, 123)


def test_sniff_jpeg_progressive_frame_and_dht_is_not_a_frame() -> None:
    base = make_jpeg(200, 100)
    # Move a DHT (C4, not a frame header) before the SOF and turn SOF0 into SOF2.
    sof = base.index(b"\xff\xc0")
    dht = b"\xff\xc4" + struct.pack(">H", 2 + 17 + 1) + b"\x00" + b"\x01" + b"\x00" * 15 + b"\x00"
    data = base[:2] + dht + base[2:sof] + b"\xff\xc2" + base[sof + 2:]
    assert sniff(data) == ImageInfo("JPEG", 200, 100)


SOI = b"\xff\xd8"


def _sof(width: int, height: int, length: int = 11) -> bytes:
    """A baseline frame header (SOF0); ``length`` as declared, the body cut to fit it."""
    body = struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xc0" + struct.pack(">H", length) + body[:max(length - 2, 0)]


@pytest.mark.parametrize(("data", "expected"), [
    (SOI + _sof(640, 480), (640, 480)),
    (SOI + _sof(40000, 33000), (40000, 33000)),  # 16-bit sizes are unsigned
    (SOI + _sof(640, 480, length=8), (640, 480)),  # the shortest header that has both sizes
    (SOI + _sof(640, 480)[:9], (640, 480)),  # the stream ends right after the width
    (SOI + _sof(640, 480, length=7), None),
    (SOI + _sof(640, 480)[:8], None),  # cut inside the width
    (SOI + _sof(0, 480), None),
    (SOI + _sof(640, 0), None),  # height defined later by a DNL segment: not supported
    (SOI + b"\xff\xe0\x00\x02" + _sof(64, 65), (64, 65)),  # an empty APP0 segment
    (SOI + b"\xff\xe0\x00\x01" + _sof(64, 65), None),  # a length below its own 2 bytes
    (SOI + b"\xff\xe0" + struct.pack(">H", 40000) + b"\x00" * 39998 + _sof(64, 65),
     (64, 65)),  # a segment longer than 32 KiB
    (SOI + b"\xff\x01" + b"\xff\xd0" + _sof(64, 65), (64, 65)),  # TEM, RST0: no length
    (SOI + b"\xff\xd9\x00\x02" + _sof(64, 65), None),  # EOI before any frame
    (SOI + b"\xff\x00\x00\x02" + _sof(64, 65), None),  # scan data before any frame
    (SOI + b"\xff\xda\x00\x02" + _sof(64, 65), None),  # SOS before any frame
    (SOI + b"\xff\xff", None),  # fill bytes, then nothing
    (SOI + b"\xff\xe0", None),  # a marker without its length
    (SOI + b"\xff\xe0\x00", None),
    (SOI + b"\xff\xe0\x00\x02", None),  # segments up to the end, no frame
    (SOI + b"\xff\xe0\x00\x02\x00\xff\xc0", None),  # not a marker where one must start
])
def test_sniff_jpeg_segments(data: bytes, expected: tuple[int, int] | None) -> None:
    info = sniff(data)
    assert (None if info is None else (info.width, info.height)) == expected


def test_sniff_ignores_trailing_bytes() -> None:
    assert sniff(make_png(70, 70) + b"\x00" * 1000) == ImageInfo("PNG", 70, 70)


# ---------------------------------------------------------------------- writers


def test_make_png_is_a_real_solid_png() -> None:
    data = make_png(3, 2, (1, 2, 3))
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    pos, chunks = 8, {}
    while pos < len(data):
        (length,) = struct.unpack_from(">I", data, pos)
        ctype, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack_from(">I", data, pos + 8 + length)
        assert zlib.crc32(ctype + body) == crc
        chunks[ctype] = body
        pos += 12 + length
    assert list(chunks) == [b"IHDR", b"IDAT", b"IEND"]
    assert zlib.decompress(chunks[b"IDAT"]) == (b"\x00" + b"\x01\x02\x03" * 3) * 2


def test_make_png_colours_give_different_bytes() -> None:
    assert make_png(64, 64, (1, 2, 3)) != make_png(64, 64, (1, 2, 4))
    assert make_png() == make_png()


@pytest.mark.parametrize("size", [(1, 1), (64, 64), (13, 9), (100, 37), (640, 480)])
def test_make_jpeg_is_a_baseline_greyscale_jfif(size: tuple[int, int]) -> None:
    from PIL import Image

    data = make_jpeg(*size, seed=7)
    assert data.startswith(b"\xff\xd8\xff\xe0") and data.endswith(b"\xff\xd9")
    assert b"\xff\xc0" in data and b"\xff\xc2" not in data  # SOF0: baseline, not progressive
    image = Image.open(io.BytesIO(data))
    assert (image.format, image.mode, image.size) == ("JPEG", "L", size)
    assert image.info["comment"] == b"rekomock seed=7"


def test_make_jpeg_seeds_give_different_bytes() -> None:
    assert make_jpeg(seed=0) != make_jpeg(seed=1)
    assert make_jpeg(seed=5) == make_jpeg(seed=5)


def test_make_jpeg_is_a_grid_of_greys_that_pillow_decodes() -> None:
    from PIL import Image

    def greys(seed: int) -> list[int]:
        image = Image.open(io.BytesIO(make_jpeg(128, 96, seed=seed)))
        assert (image.format, image.mode, image.size) == ("JPEG", "L", (128, 96))
        # One grey per area of the 4 x 4 grid (areas of 32 x 24 px, flat 8 x 8 blocks).
        return [image.getpixel((32 * x + 16, 24 * y + 12)) for y in range(4) for x in range(4)]

    pictures = [greys(seed) for seed in range(100)]
    assert all(40 <= level <= 255 for levels in pictures for level in levels)
    # Different seeds, different pictures: no two share even half their areas' greys.
    for i, a in enumerate(pictures):
        for b in pictures[i + 1:]:
            assert sum(x == y for x, y in zip(a, b, strict=True)) < 8


# ------------------------------------------------------------------- dimensions


@pytest.mark.parametrize(
    ("width", "height", "expected"),
    [
        (64, 64, None),
        (4096, 4096, None),
        (64, 1280, None),  # exactly 20:1
        (63, 100, "too_small"),
        (100, 63, "too_small"),
        (4097, 100, "too_large"),
        (100, 4097, "too_large"),
        (10, 5000, "too_large"),  # both: too large wins
        (64, 1281, "aspect_ratio"),
        (2000, 99, "aspect_ratio"),
    ],
)
def test_check_dimensions(width: int, height: int, expected: str | None) -> None:
    assert check_dimensions(ImageInfo("PNG", width, height)) == expected
