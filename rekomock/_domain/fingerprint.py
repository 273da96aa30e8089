"""The same picture in other bytes: a small fingerprint of what an image shows.

Code rarely sends the bytes it uploaded: it opens the image with Pillow and saves it again,
converts PNG to JPEG, strips metadata or makes a thumbnail (AWS's own DetectCustomLabels
example program re-saves every image it sends). A model recognises the picture whatever its
encoding, so once the exact bytes are unknown the mock compares pictures.

A fingerprint is the picture shrunk by area averaging to a 16 x 16 RGB thumbnail (alpha
dropped, greyscale and palette expanded to RGB), with the image's size and whether its
encoding is lossless. Two images show the same picture when

- their aspect ratios agree to within rounding each side to whole pixels (a resize keeps
  the picture, a crop or a stretch does not);
- their thumbnails differ by at most :data:`TOLERANCE` levels (of 255) on average: re-encoding,
  JPEG at quality 75-95 and resizing move a thumbnail by 0-3, another scene by tens;
- their mean colours differ by at most :data:`COLOUR_TOLERANCE` levels in every channel
  (JPEG at quality 75 moves a flat colour by up to 3), or by less than one level when both
  are PNGs of the same size, since no lossy step came between them: two solid-colour PNGs of
  different colours are different pictures.

The mean colour, quantised to :data:`CELL` levels, is the key that finds candidates in
constant time.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from PIL import Image

__all__ = [
    "COLOUR_TOLERANCE",
    "TOLERANCE",
    "Fingerprint",
    "LazyFingerprint",
    "PictureIndex",
    "fingerprint",
]

SIDE = 16  # px of the square thumbnail: 768 bytes per image
PIXELS = SIDE * SIDE
#: Largest mean absolute difference (0-255) between thumbnails of the same picture.
TOLERANCE = 4.0
#: Largest difference of one channel's mean (0-255) between encodings of the same picture.
COLOUR_TOLERANCE = 3.5
#: The same, between PNGs of the same size: they only differ by palette rounding.
LOSSLESS_COLOUR_TOLERANCE = 0.75
#: Width of a key cell in mean colour: candidates are in the 2-3 cells per channel that
#: COLOUR_TOLERANCE reaches around the picture's own mean.
CELL = 4

T = TypeVar("T")
Key = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What an image shows, small enough to keep for every known image."""

    thumbnail: bytes  # SIDE x SIDE RGB, row by row
    sums: tuple[int, int, int]  # per channel, over the thumbnail: the mean colour x PIXELS
    width: int
    height: int
    lossless: bool  # PNG: nothing was lost in encoding these pixels

    @property
    def key(self) -> Key:
        """The mean colour, quantised to CELL: where candidates are found."""
        r, g, b = self.sums
        return r // (CELL * PIXELS), g // (CELL * PIXELS), b // (CELL * PIXELS)

    def distance(self, other: Fingerprint) -> float:
        """Mean absolute difference of the thumbnails (0-255), or inf if the two are not
        the same picture (aspect ratio or mean colour too far apart)."""
        (r, g, b), (r2, g2, b2) = self.sums, other.sums
        colour = max(abs(r - r2), abs(g - g2), abs(b - b2)) / PIXELS
        same_pixels = (self.lossless and other.lossless
                       and (self.width, self.height) == (other.width, other.height))
        if colour > (LOSSLESS_COLOUR_TOLERANCE if same_pixels else COLOUR_TOLERANCE):
            return math.inf
        slack = 2.0 / min(self.width, self.height) + 2.0 / min(other.width, other.height)
        if abs(math.log(self.width * other.height / (self.height * other.width))) > slack:
            return math.inf
        return sum(map(abs, map(int.__sub__, self.thumbnail, other.thumbnail))) / len(
            self.thumbnail)


def fingerprint(data: bytes) -> Fingerprint | None:
    """The fingerprint of a PNG or JPEG; None if Pillow cannot decode it."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data), formats=("PNG", "JPEG")) as image:
            width, height = image.size
            lossless = image.format == "PNG"
            # JPEG: the decoder scales down by up to 8 (DCT scaling, an area average too),
            # so a megapixel JPEG costs a fraction of a full decode.
            image.draft("RGB", (SIDE * 8, SIDE * 8))
            thumbnail = _as_rgb(image).resize((SIDE, SIDE), Image.Resampling.BOX).tobytes()
    except Exception:  # Pillow raises many kinds of error for broken files
        return None
    sums = (sum(thumbnail[0::3]), sum(thumbnail[1::3]), sum(thumbnail[2::3]))
    return Fingerprint(thumbnail, sums, width, height, lossless)


def _as_rgb(image: Image.Image) -> Image.Image:
    """8-bit RGB of what the image shows: alpha dropped, 16-bit grey scaled down."""
    if image.mode.startswith("I"):  # 16-bit greyscale PNG
        image = image.convert("I").point(lambda v: v * (1 / 257)).convert("L")
    return image.convert("RGB")


class PictureIndex(Generic[T]):
    """Values (what a known image answers) found by picture, in constant time."""

    __slots__ = ("_cells", "_prints")

    def __init__(self) -> None:
        self._cells: dict[Key, list[tuple[Fingerprint, T]]] = {}
        self._prints: dict[T, Fingerprint] = {}

    def __bool__(self) -> bool:
        return bool(self._prints)

    def add(self, print_: Fingerprint, value: T) -> None:
        """Index ``value`` under that picture (once: a value keeps its first picture)."""
        if value not in self._prints:
            self._prints[value] = print_
            self._cells.setdefault(print_.key, []).append((print_, value))

    def fingerprint(self, value: T) -> Fingerprint | None:
        """The picture ``value`` was indexed under."""
        return self._prints.get(value)

    def find(self, print_: Fingerprint) -> list[T]:
        """Values of the same picture, the closest first."""
        found: list[tuple[float, int, T]] = []
        for n, (known, value) in enumerate(self._candidates(print_)):
            distance = known.distance(print_)
            if distance <= TOLERANCE:
                found.append((distance, n, value))
        found.sort(key=lambda item: item[:2])
        return [value for _, _, value in found]

    def _candidates(self, print_: Fingerprint) -> Iterator[tuple[Fingerprint, T]]:
        """Whatever lies in the cells of mean colours within COLOUR_TOLERANCE."""
        reds, greens, blues = (
            range(math.floor((total / PIXELS - COLOUR_TOLERANCE) / CELL),
                  math.floor((total / PIXELS + COLOUR_TOLERANCE) / CELL) + 1)
            for total in print_.sums
        )
        for r in reds:
            for g in greens:
                for b in blues:
                    yield from self._cells.get((r, g, b), ())


class LazyFingerprint:
    """The fingerprint of one request's image, decoded at most once and only if asked
    (``known``: already at hand, nothing to decode)."""

    __slots__ = ("_data", "_done", "_print")

    def __init__(self, data: bytes | None, known: Fingerprint | None = None) -> None:
        self._data = data
        self._print = known
        self._done = data is None or known is not None

    def get(self) -> Fingerprint | None:
        if not self._done:
            assert self._data is not None
            self._print, self._done = fingerprint(self._data), True
        return self._print
