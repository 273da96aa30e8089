"""SageMaker Ground Truth manifests as Custom Labels reads them: parsing and the rules
[CL:md-create-manifest-file; CL:md-create-manifest-file-validation-rules].

One pass over the JSON lines: each line is parsed once, checked in place, and the
``errors``/``warnings`` arrays are inserted into the parsed object itself where the
validation manifests put them [CL:tm-debugging-scope-json-line], so the validation manifest is a
plain dump of the parsed lines and nothing is deep-copied. The codes and messages are in
``manifest_codes``; the files written from a parsed manifest are in ``outputs``.

Decisions the docs leave open are marked INFERRED here and listed in docs/decisions.md,
*Manifests*.

Citation tags and coined words: docs/glossary.md.
"""

from __future__ import annotations

import gc
import hashlib
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from .images import MAX_ASPECT, MAX_SIDE, MIN_SIDE, ImageInfo, check_dimensions
from .manifest_codes import (
    ATTRIBUTE_FORMAT,
    BOX_TOO_SMALL,
    DUPLICATE_SOURCE_REF,
    EMPTY,
    IMAGES_FOR_AUTOSPLIT,
    INACCESSIBLE,
    INVALID_BOX,
    INVALID_IMAGE,
    INVALID_IMAGE_DIMENSION,
    INVALID_JSON_LINE,
    INVALID_SOURCE_REF,
    LABEL_NAME_LENGTH,
    LABEL_OVERLAP,
    MESSAGES,
    METADATA_FORMAT,
    MISSING_CLASS_MAP_ID,
    MISSING_CONFIDENCE,
    MISSING_SOURCE_REF,
    MULTIPLE_BUCKETS,
    NO_ANNOTATIONS,
    NO_ATTRIBUTE_ANNOTATIONS,
    NO_LABEL_ATTRIBUTES,
    NO_VALID_ANNOTATIONS,
    NO_VALID_LABEL_ATTRIBUTES,
    ROWS_EXCEED,
    SIZE_TOO_LARGE,
    TOO_FEW_LABELS,
    TOO_FEW_USABLE_LABELS,
    TOO_MANY_BOXES,
    TOO_MANY_INVALID_ROWS,
    TOO_MANY_LABELS,
    TOO_MANY_LABELS_PER_IMAGE,
    UNANNOTATED,
    UNSUPPORTED_TYPE,
    USABLE_LABEL_OVERLAP,
    ErrorDict,
    error,
)
from .trained_model import Truth

__all__ = [
    "CLASSIFICATION",
    "LOCALIZATION",
    "NOT_DETERMINED",
    "SERVICE_KEYS",
    "Box",
    "ManifestFileError",
    "ManifestLine",
    "ParsedManifest",
    "auto_split",
    "content_errors",
    "parse_manifest",
    "truth_of",
]

UseCase = Literal["IMAGE_LEVEL_LABELS", "OBJECT_LOCALIZATION", "NOT_DETERMINED"]
Kind = Literal["IMAGE_LEVEL_LABELS", "OBJECT_LOCALIZATION"]
State = Literal["valid", "invalid", "ignored"]
ImageLookup = Callable[[str, str], ImageInfo | None]

CLASSIFICATION: Kind = "IMAGE_LEVEL_LABELS"
LOCALIZATION: Kind = "OBJECT_LOCALIZATION"
NOT_DETERMINED: UseCase = "NOT_DETERMINED"
# [CL:md-create-manifest-file-classification], [CL:md-create-manifest-file-object-detection]
CLASSIFICATION_TYPE = "groundtruth/image-classification"
DETECTION_TYPE = "groundtruth/object-detection"
# A Custom Moderation adapter's label attribute [DG:using-adapters-manifest-files]:
# ``{"ModerationLabels": [{"Name": ...}, ...]}``.
MODERATION_ATTRIBUTE = "content-moderation-groundtruth"

# Limits [CL:limits; CL:md-create-manifest-file-validation-rules]. Module constants so tests
# can monkeypatch them small.
MAX_MANIFEST_BYTES = 1024**3  # "1 GB" [CL:limits]; read as GiB
MAX_MANIFEST_ROWS = 250_000
MAX_LINE_CHARS = 100_000
MAX_BOXES_PER_IMAGE = 50
MAX_LABELS_PER_IMAGE = 50
MAX_LABEL_NAME_LENGTH = 256
MIN_LABELS: dict[str, int] = {CLASSIFICATION: 2, LOCALIZATION: 1, NOT_DETERMINED: 1}  # §10.4
# INFERRED: an adapter may learn from safe images only ("Images with False Positive
# predictions" [DG:preparing-datasets-adapters]), so its manifest needs no label at all.
MIN_MODERATION_LABELS = 0
MAX_LABELS = 250
MAX_INVALID_FRACTION = 0.2  # invalid lines must stay under 20%
MIN_LABEL_OVERLAP_PERCENT = 50
TRAINING_MAX_SIDE = 1280  # images are shrunk to this before the box-size rule applies
AUTO_SPLIT_FRACTION = 0.2


# S3Object.Bucket is 3-255 of [0-9A-Za-z.-_] [M]; the key is anything non-empty.
_SOURCE_REF = re.compile(r"s3://([0-9A-Za-z._\-]{3,255})/(.+)", re.DOTALL)
# Fields the service adds to a line: ``errors``/``warnings`` in validation manifests
# [CL:tm-debugging-scope-json-line], ``cl-errors`` in dataset entries
# [CL:tm-debugging-json-line-errors]; dropped when a line is read again.
SERVICE_KEYS = ("errors", "warnings", "cl-errors")


def _reject(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN/Infinity: Python accepts them, JSON doesn't


_DECODER = json.JSONDecoder(parse_constant=_reject)


class ManifestFileError(Exception):
    """A terminal *file* error [CL:tm-terminal-errors-reference]: no summary or validation files."""

    def __init__(self, code: str, message: str | None = None, cause: str | None = None) -> None:
        self.code = code
        self.message = message if message is not None else MESSAGES[code]
        #: what exactly was wrong, for a test's author (``rk.explain``); not sent to clients
        self.cause = cause
        super().__init__(f"{code}: {self.message}")


@dataclass(slots=True)
class Box:
    """A valid bounding box of a line, in pixels of the line's ``image_size``."""

    label: str
    left: float
    top: float
    width: float
    height: float


class ManifestLine:
    """One JSON line of a manifest, checked."""

    __slots__ = ("annotated", "boxes", "bucket", "errors", "image_size", "index", "key", "kind",
                 "labels", "line", "moderation", "source_ref", "state", "warnings")

    def __init__(self, index: int, *, source_ref: str | None = None,
                 line: dict[str, Any] | None = None, state: State = "invalid") -> None:
        self.index = index  # 1-based line number in the file
        self.source_ref = source_ref  # only when well-formed
        self.bucket: str | None = None
        self.key: str | None = None
        self.line = line  # parsed object with errors/warnings inserted
        self.labels: tuple[str, ...] = ()  # valid image-level labels
        self.boxes: tuple[Box, ...] = ()  # valid boxes
        self.image_size: tuple[int, int] | None = None  # (width, height) of the box attribute
        # The line's kind; a line with both kinds takes the manifest's use case.
        self.kind: Kind | None = None
        self.state: State = state
        #: An adapter's line: valid even with no label (an image with no unsafe content).
        self.moderation = False
        #: The line has a label attribute with its metadata, valid or not.
        self.annotated = False
        self.errors: list[ErrorDict] = []  # every error of the line, flattened
        self.warnings: list[ErrorDict] = []

    def label_names(self) -> tuple[str, ...]:
        """The labels this entry brings to its kind (box labels for localization)."""
        if self.kind == LOCALIZATION:
            return tuple(dict.fromkeys(b.label for b in self.boxes))
        return self.labels

    def __repr__(self) -> str:
        return (f"ManifestLine(index={self.index}, source_ref={self.source_ref!r}, "
                f"state={self.state!r}, kind={self.kind!r}, labels={self.labels!r}, "
                f"boxes={len(self.boxes)})")


class ParsedManifest:
    """A checked manifest: its entries and the figures of the manifest summary (§5.3)."""

    __slots__ = ("_usable", "all_labels", "entries", "error_json_line_indices",
                 "ignored_json_lines", "invalid_json_lines", "labels", "moderation",
                 "total_json_lines", "use_case", "valid_json_lines")

    def __init__(self, entries: list[ManifestLine], use_case: UseCase | None = None,
                 *, moderation: bool = False) -> None:
        self.entries = entries
        #: An adapter's manifest (``content-moderation-groundtruth`` lines).
        self.moderation = moderation
        self.total_json_lines = len(entries)
        self.valid_json_lines = self.invalid_json_lines = self.ignored_json_lines = 0
        self.error_json_line_indices: list[int] = []
        n_labels = n_boxes = 0
        every: set[str] = set()
        for e in entries:
            if e.state == "valid":
                self.valid_json_lines += 1
                n_labels += bool(e.labels) or e.moderation
                n_boxes += bool(e.boxes)
                every.update(e.labels)
                every.update(b.label for b in e.boxes)
            elif e.state == "invalid":
                self.invalid_json_lines += 1
            else:
                self.ignored_json_lines += 1
            if e.errors:
                self.error_json_line_indices.append(e.index)
        #: Labels of every valid line, of either kind.
        self.all_labels: list[str] = sorted(every)
        # [CL:md-dataset-purpose]: the kind with more valid lines wins; INFERRED: a tie goes to
        # object localization (a line with both kinds counts for both; boxes carry more).
        if use_case is None:
            use_case = NOT_DETERMINED
            if n_boxes or n_labels:
                use_case = LOCALIZATION if n_boxes >= n_labels else CLASSIFICATION
        self.use_case: UseCase = use_case
        self._usable: list[ManifestLine] = []
        self.labels: list[str] = []
        self.set_use_case(use_case)

    @classmethod
    def from_entries(
        cls, entries: Iterable[ManifestLine], use_case: UseCase | None = None
    ) -> ParsedManifest:
        """Figures for already-checked entries (e.g. one side of a split). Give the original
        ``use_case``, or it is chosen again, which may change the kind of mixed entries."""
        entries = list(entries)
        return cls(entries, use_case, moderation=any(e.moderation for e in entries))

    def set_use_case(self, use_case: UseCase) -> None:
        """Use the lines of ``use_case`` only; valid lines of the other kind stay valid but
        unused [CL:tm-debugging-summary]. A test manifest follows the training manifest's use
        case."""
        self.use_case = use_case
        usable: list[ManifestLine] = []
        names: set[str] = set()
        for e in self.entries:
            if e.state != "valid":
                continue
            if use_case == LOCALIZATION and e.boxes:
                e.kind = LOCALIZATION
            elif use_case == CLASSIFICATION and (e.labels or e.moderation):
                e.kind = CLASSIFICATION
            else:
                e.kind = CLASSIFICATION if e.labels else LOCALIZATION
                continue
            usable.append(e)
            names.update(e.label_names())
        self._usable = usable
        #: Sorted labels of the usable entries.
        self.labels = sorted(names)

    def usable(self) -> list[ManifestLine]:
        """Valid entries of the chosen use case, in file order."""
        return list(self._usable)

    def buckets(self) -> set[str]:
        """Buckets of the usable entries' images."""
        return {e.bucket for e in self._usable if e.bucket is not None}

    def statistics(self, errors: list[ErrorDict] | None = None) -> dict[str, Any]:
        """This dataset's block of the manifest summary [CL:tm-debugging-summary]; ``errors``
        are its content errors (from :func:`content_errors`)."""
        return {
            "use_case": self.use_case,
            "total_json_lines": self.total_json_lines,
            "valid_json_lines": self.valid_json_lines,
            "invalid_json_lines": self.invalid_json_lines,
            "ignored_json_lines": self.ignored_json_lines,
            "error_json_line_indices": list(self.error_json_line_indices),
            "errors": list(errors or []),
        }


# ------------------------------------------------------------------------ parsing


@contextmanager
def _no_gc() -> Iterator[None]:
    """The cyclic GC off for a bulk step. Everything made there is kept and forms no cycle,
    yet the GC would rescan the growing heap again and again: off, a big file takes half the
    time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse_manifest(data: bytes, image_lookup: ImageLookup | None = None, *,
                   moderation: bool = False) -> ParsedManifest:
    """Check a manifest's bytes; raise :class:`ManifestFileError` for a file error.

    ``image_lookup(bucket, key)`` gives the header of a line's image (None: missing or not
    an image); it is called once for each line that is otherwise valid. ``moderation``: the
    manifest of a Custom Moderation adapter, whose lines carry ``content-moderation-groundtruth``
    instead of Ground Truth label attributes.
    """
    if len(data) > MAX_MANIFEST_BYTES:
        raise ManifestFileError(SIZE_TOO_LARGE)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ManifestFileError(INACCESSIBLE, cause="not UTF-8 text") from None
    if text.startswith("\ufeff"):  # INFERRED: tolerate a UTF-8 byte order mark
        text = text[1:]
    if not text.strip():
        raise ManifestFileError(EMPTY)
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the newline that ends the last line starts no new line
    if len(lines) > MAX_MANIFEST_ROWS:
        raise ManifestFileError(ROWS_EXCEED)
    seen: set[str] = set()
    entries: list[ManifestLine] = []
    any_object = False
    with _no_gc():
        for index, raw in enumerate(lines, start=1):
            entry = _check_line(raw, index, seen, image_lookup, moderation)
            # ERROR_INVALID_JSON_LINE comes first, and only on a line that isn't an object.
            any_object = (any_object or not entry.errors
                          or entry.errors[0]["code"] != INVALID_JSON_LINE)
            entries.append(entry)
    if not any_object:  # not one JSON object: not a JSON Lines manifest at all
        raise ManifestFileError(INACCESSIBLE, cause="no line is a JSON object")
    if moderation:  # an adapter's labels are image-level, whether or not any line has one
        return ParsedManifest(entries, CLASSIFICATION, moderation=True)
    return ParsedManifest(entries)


def _unparsable(entry: ManifestLine) -> ManifestLine:
    # [CL:tm-debugging-json-line-errors]: the line is replaced by one holding only the error.
    err = error(INVALID_JSON_LINE)
    entry.line = {"errors": [err]}
    entry.errors.append(err)
    return entry


# JSON numbers; bool is a subclass of int, so types are compared exactly. NaN/Infinity are
# refused by the decoder; an overflowing literal (1e999) fails the range checks.
_NUMBER = (int, float)
_CLASS_ID = (int, str)
_YES_NO = ("yes", "no")


def _nonempty_str(x: object) -> bool:
    return type(x) is str and x != ""


def _add(container: dict[str, Any], key: str, item: ErrorDict) -> None:
    items = container.get(key)
    if items is None:
        container[key] = [item]
    else:
        items.append(item)


class _Line:
    """Errors of one line being checked: where they go and whether the line is out."""

    __slots__ = ("entry", "fatal", "obj")

    def __init__(self, entry: ManifestLine, obj: dict[str, Any]) -> None:
        self.entry, self.obj, self.fatal = entry, obj, False

    def err(self, code: str, where: Any = None, *args: object, fatal: bool = True) -> None:
        item = error(code, *args)
        _add(where if type(where) is dict else self.obj, "errors", item)
        self.entry.errors.append(item)
        self.fatal = self.fatal or fatal

    def warn(self, code: str, where: Any = None) -> None:
        item = error(code)
        _add(where if type(where) is dict else self.obj, "warnings", item)
        self.entry.warnings.append(item)


def _check_line(raw: str, index: int, seen: set[str], lookup: ImageLookup | None,
                moderation: bool = False) -> ManifestLine:
    entry = ManifestLine(index)
    if raw.endswith("\r"):
        raw = raw[:-1]
    if len(raw) > MAX_LINE_CHARS:  # INFERRED code ([CL:limits] gives only the limit)
        return _unparsable(entry)
    try:
        obj = _DECODER.decode(raw)
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        return _unparsable(entry)
    if type(obj) is not dict:
        return _unparsable(entry)
    entry.line = obj
    # Service-owned fields of a re-imported line are recomputed, not kept (INFERRED).
    for s in SERVICE_KEYS:
        obj.pop(s, None)
    obj.pop("cl-metadata", None)
    line = _Line(entry, obj)

    # source-ref [CL:md-create-manifest-file-classification]: required, s3://BUCKET/KEY.
    if "source-ref" not in obj:
        line.err(MISSING_SOURCE_REF)
    else:
        ref = obj["source-ref"]
        m = _SOURCE_REF.fullmatch(ref) if type(ref) is str else None
        if m is None:
            line.err(INVALID_SOURCE_REF)
        else:
            entry.source_ref, entry.bucket, entry.key = ref, m.group(1), m.group(2)
            # An image once per dataset [CL:debugging-datasets-terminal-errors]; INFERRED code,
            # first wins.
            if ref in seen:
                line.err(DUPLICATE_SOURCE_REF)
                entry.state = "invalid"
                return entry
            seen.add(ref)
    if moderation:
        return _check_moderation(line, lookup)

    # Label attributes: a key K with a K-metadata partner
    # [CL:md-create-manifest-file-classification; CL:md-create-manifest-file-object-detection].
    pairs: list[str] = []
    orphans: list[str] = []
    for k in obj:
        if k == "source-ref":
            continue
        if k + "-metadata" in obj:
            pairs.append(k)
        elif not (k.endswith("-metadata") and k[:-9] in obj):
            orphans.append(k)
    if not pairs:
        if orphans:  # an attribute without metadata or metadata without attribute
            line.err(NO_LABEL_ATTRIBUTES)
        else:  # INFERRED: just a source-ref, like a console image never labeled
            line.warn(UNANNOTATED)
        return _finish(line, [], [], None, lookup)
    entry.annotated = True
    for k in orphans:  # INFERRED: extra keys are tolerated, stray metadata is not
        if k.endswith("-metadata"):
            line.err(NO_LABEL_ATTRIBUTES, obj[k])

    labels: list[str] = []
    boxes: list[Box] = []
    frame: tuple[int, int] | None = None
    pair_failed = human_empty = False
    for attr in pairs:
        value, meta = obj[attr], obj[attr + "-metadata"]
        if type(value) is dict:
            for s in SERVICE_KEYS:
                value.pop(s, None)
        if type(meta) is not dict:
            line.err(METADATA_FORMAT)
            pair_failed = True
            continue
        for s in SERVICE_KEYS:
            meta.pop(s, None)
        kind = meta.get("type")
        if kind == CLASSIFICATION_TYPE:
            ok = _check_classification(line, attr, value, meta, labels)
        elif kind == DETECTION_TYPE:
            result = _check_detection(line, attr, value, meta)
            ok = result is not None
            if result is not None:
                size, found, empty = result
                if empty:
                    human_empty = human_empty or meta.get("human-annotated") == "yes"
                elif frame is None:
                    frame = size
                    boxes.extend(found)
                else:  # INFERRED: a second box attribute is rescaled to the first's frame
                    sx, sy = frame[0] / size[0], frame[1] / size[1]
                    boxes.extend(Box(b.label, b.left * sx, b.top * sy, b.width * sx,
                                     b.height * sy) for b in found)
        elif _nonempty_str(kind):
            line.err(UNSUPPORTED_TYPE, meta, attr + "-metadata")
            ok = False
        else:
            line.err(METADATA_FORMAT, meta)
            ok = False
        pair_failed = pair_failed or not ok
    if pair_failed and not labels and not boxes:
        line.err(NO_VALID_LABEL_ATTRIBUTES)  # [CL:tm-debugging-json-line-errors]: none usable
    return _finish(line, labels, boxes, frame, lookup, human_empty=human_empty, has_pairs=True)


def _check_moderation(line: _Line, lookup: ImageLookup | None) -> ManifestLine:
    """An adapter's line [DG:using-adapters-manifest-files]: each entry
    "must contain the source-ref field [...] and, for Custom Moderation, the
    content-moderation-groundtruth field", ``{"ModerationLabels": [{"Name": ...}]}``; an empty
    list is an image with no unsafe content, which the adapter learns from too. The pages show
    no ``-metadata`` for it: one is neither required nor read. Ground Truth label attributes
    are not an adapter's format (docs/decisions.md, *Model versions*)."""
    obj = line.obj
    if MODERATION_ATTRIBUTE not in obj:
        line.err(NO_LABEL_ATTRIBUTES)  # INFERRED: the code of a line with no label attribute
        return line.entry  # invalid: a line error is fatal, and nothing is left to check
    value = obj[MODERATION_ATTRIBUTE]
    found: Any = value.get("ModerationLabels") if type(value) is dict else None
    # Each label's Name; [None] stands for a field that is not a list of labels.
    names: list[Any] = ([item.get("Name") if type(item) is dict else None for item in found]
                        if type(found) is list else [None])
    if not all(_nonempty_str(n) for n in names):
        line.err(ATTRIBUTE_FORMAT, value, MODERATION_ATTRIBUTE)
        return line.entry  # invalid, as above
    for s in SERVICE_KEYS:  # value is a dict here
        value.pop(s, None)
    if any(len(n) > MAX_LABEL_NAME_LENGTH for n in names):
        line.err(LABEL_NAME_LENGTH, value)
    line.entry.moderation = True
    return _finish(line, names, [], None, lookup)


def _finish(line: _Line, labels: list[str], boxes: list[Box], frame: tuple[int, int] | None,
            lookup: ImageLookup | None, *, human_empty: bool = False,
            has_pairs: bool = False) -> ManifestLine:
    """The line's state from what its attributes gave; ``has_pairs``: it had label attributes
    (a line left with no label is then warned as unannotated or as having no annotations,
    ``human_empty``)."""
    entry = line.entry
    if len(labels) + len(boxes) > MAX_LABELS_PER_IMAGE:
        names = set(labels)
        names.update(b.label for b in boxes)
        if len(names) > MAX_LABELS_PER_IMAGE:  # <= 50 [CL:limits] (INFERRED code)
            line.err(TOO_MANY_LABELS_PER_IMAGE)
    wanted = bool(labels or boxes) or entry.moderation
    if not line.fatal and wanted and lookup is not None and entry.bucket:
        assert entry.key is not None
        info = lookup(entry.bucket, entry.key)
        if info is None:
            line.err(INVALID_IMAGE)
        elif check_dimensions(info) is not None:
            # [CL:tm-debugging-json-line-errors]: dimension errors are reported as such for box
            # images only.
            line.err(INVALID_IMAGE_DIMENSION if boxes else INVALID_IMAGE)
    if line.fatal:
        entry.state = "invalid"
        return entry
    if not labels and not boxes and not entry.moderation:
        entry.state = "ignored"
        if has_pairs:  # INFERRED: human-annotated "yes" -> no annotations; else unannotated
            line.warn(NO_ANNOTATIONS if human_empty else UNANNOTATED)
        return entry
    entry.state = "valid"
    entry.labels = tuple(dict.fromkeys(labels)) if len(labels) > 1 else tuple(labels)
    entry.boxes = tuple(boxes)
    entry.image_size = frame
    if (labels or entry.moderation) and not boxes:
        entry.kind = CLASSIFICATION
    elif boxes and not labels:
        entry.kind = LOCALIZATION
    return entry


def _check_classification(line: _Line, attr: str, value: Any, meta: dict[str, Any],
                          labels: list[str]) -> bool:
    """[CL:md-create-manifest-file-classification]: the attribute holds an integer; the
    metadata names the label."""
    ok = True
    if type(value) is not int:  # INFERRED: the value must be an integer (bool is not)
        line.err(ATTRIBUTE_FORMAT, value, attr)
        ok = False
    confidence: Any = meta.get("confidence")
    name: Any = meta.get("class-name")
    if not (type(confidence) in _NUMBER and 0 <= confidence <= 1 and _nonempty_str(name)
            and meta.get("human-annotated") in _YES_NO
            and _nonempty_str(meta.get("creation-date"))):
        line.err(METADATA_FORMAT, meta)
        return False
    if len(name) > MAX_LABEL_NAME_LENGTH:
        line.err(LABEL_NAME_LENGTH, meta)
        return False
    if ok:
        labels.append(name)
    return ok


def _check_detection(
    line: _Line, attr: str, value: Any, meta: dict[str, Any]
) -> tuple[tuple[int, int], list[Box], bool] | None:
    """[CL:md-create-manifest-file-object-detection]. Returns (image size, valid boxes,
    annotations-empty) or None on error."""
    size: tuple[int, int] | None = None
    annotations: Any = None
    if type(value) is dict:
        annotations = value.get("annotations")
        image_size = value.get("image_size")
        if type(image_size) is list and len(image_size) == 1 and type(image_size[0]) is dict:
            frame = image_size[0]
            width, height = frame.get("width"), frame.get("height")
            if (type(width) is int and type(height) is int and width > 0 and height > 0
                    and type(frame.get("depth")) is int):
                size = (width, height)
    ok = size is not None
    if annotations is not None:  # absent is a warning below, not a format error
        if type(annotations) is not list:
            ok = False
        else:
            for a in annotations:
                if not (type(a) is dict and type(a.get("left")) in _NUMBER
                        and type(a.get("top")) in _NUMBER and type(a.get("width")) in _NUMBER
                        and type(a.get("height")) in _NUMBER
                        and type(a.get("class_id")) in _CLASS_ID):
                    ok = False
                    break
    if not ok:
        line.err(ATTRIBUTE_FORMAT, value, attr)
    objects: Any = meta.get("objects")
    class_map: Any = meta.get("class-map")
    meta_ok = (type(objects) is list and type(class_map) is dict
               and meta.get("human-annotated") in _YES_NO
               and _nonempty_str(meta.get("creation-date")))
    too_long = False
    if meta_ok:
        for v in class_map.values():
            if type(v) is not str or not v:
                meta_ok = False
                break
            too_long = too_long or len(v) > MAX_LABEL_NAME_LENGTH
    if not meta_ok:
        line.err(METADATA_FORMAT, meta)
        return None
    if too_long:
        line.err(LABEL_NAME_LENGTH, meta)
        return None
    if size is None or not ok:
        return None
    # [CL:tm-debugging-json-line-errors]: dimensions are judged for box images; image_size is
    # the manifest's claim (the real image, when looked up, is judged too).
    width, height = size
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE
            and max(width, height) <= MAX_ASPECT * min(width, height)):
        line.err(INVALID_IMAGE_DIMENSION)
        return None
    if not annotations:  # absent or empty -> ignored [CL:tm-debugging-json-line-errors]
        line.warn(NO_ATTRIBUTE_ANNOTATIONS, value)
        return size, [], True
    if len(annotations) > MAX_BOXES_PER_IMAGE:
        line.err(TOO_MANY_BOXES, value)
        return None
    # Boxes must exceed 1x1 px after the image is shrunk to 1280 px [CL:tm-debugging-json-line-
    # errors, ERROR_BOUNDING_BOX_TOO_SMALL]. One loop; box errors wait until the whole
    # attribute is known to be usable.
    scale = min(1.0, TRAINING_MAX_SIDE / max(width, height))
    missing_confidence = len(objects) != len(annotations)
    missing_id = False
    boxes: list[Box] = []
    rejected: list[tuple[dict[str, Any], str]] = []
    for i, a in enumerate(annotations):
        if "errors" in a or "warnings" in a:
            for s in SERVICE_KEYS:
                a.pop(s, None)
        if not missing_confidence:
            o = objects[i]
            missing_confidence = type(o) is not dict or type(o.get("confidence")) not in _NUMBER
        label = class_map.get(str(a["class_id"]))
        if label is None:
            missing_id = True
            continue
        left, top, w, h = a["left"], a["top"], a["width"], a["height"]
        if left < 0 or top < 0 or w < 0 or h < 0 or left + w > width or top + h > height:
            rejected.append((a, INVALID_BOX))
        elif w * scale <= 1 or h * scale <= 1:
            rejected.append((a, BOX_TOO_SMALL))
        else:
            boxes.append(Box(label, left, top, w, h))
    if missing_confidence:
        line.err(MISSING_CONFIDENCE, meta)
    if missing_id:
        line.err(MISSING_CLASS_MAP_ID, meta)
    if missing_confidence or missing_id:
        return None
    for a, code in rejected:
        line.err(code, a, fatal=False)  # only this box is dropped
    if not boxes:
        line.err(NO_VALID_ANNOTATIONS, value)
        return None
    return size, boxes, False


# ----------------------------------------------------------------- content errors


def _overlap_percent(train: Sequence[str], test: Sequence[str]) -> float:
    # [CL:md-create-manifest-file-validation-rules]: overlap = common labels / train labels.
    return 100.0 * len(set(train) & set(test)) / len(train) if train else 100.0


def _dataset_errors(parsed: ParsedManifest) -> list[ErrorDict]:
    errors: list[ErrorDict] = []
    total = parsed.total_json_lines
    # [CL:tm-debugging-scope-json-line]: invalid lines must stay under 20%; ignored lines are
    # not invalid.
    if total and parsed.invalid_json_lines >= MAX_INVALID_FRACTION * total:
        errors.append(error(TOO_MANY_INVALID_ROWS))
    if len(parsed.buckets()) > 1:  # one bucket per manifest [CL:md-create-manifest-file]
        errors.append(error(MULTIPLE_BUCKETS))
    minimum = MIN_MODERATION_LABELS if parsed.moderation else MIN_LABELS[parsed.use_case]
    if len(parsed.all_labels) < minimum:  # [CL:limits] (docs/decisions.md, *Model versions*)
        errors.append(error(TOO_FEW_LABELS))
    elif len(parsed.labels) < minimum:  # enough labels, but not in the chosen use case
        errors.append(error(TOO_FEW_USABLE_LABELS))
    if len(parsed.labels) > MAX_LABELS:
        errors.append(error(TOO_MANY_LABELS))
    return errors


def content_errors(
    train: ParsedManifest, test: ParsedManifest | None
) -> tuple[list[ErrorDict], list[ErrorDict], list[ErrorDict]]:
    """Terminal content errors [CL:tm-debugging-aggregate-errors]: (top-level, training, testing).

    The training manifest decides the use case; a test manifest is switched to it (its lines
    of the other kind become unused), as [CL:tm-debugging-aggregate-errors] describes.
    """
    top: list[ErrorDict] = []
    if test is not None and train.use_case != NOT_DETERMINED:
        test.set_use_case(train.use_case)
    train_errors = _dataset_errors(train)
    test_errors = _dataset_errors(test) if test is not None else []
    if test is not None and train.all_labels:
        if _overlap_percent(train.all_labels, test.all_labels) < MIN_LABEL_OVERLAP_PERCENT:
            top.append(error(LABEL_OVERLAP, MIN_LABEL_OVERLAP_PERCENT))
        elif (train.labels
              and _overlap_percent(train.labels, test.labels) < MIN_LABEL_OVERLAP_PERCENT):
            top.append(error(USABLE_LABEL_OVERLAP, MIN_LABEL_OVERLAP_PERCENT))
    return top, train_errors, test_errors


# ------------------------------------------------------------------------- split


def _stable_rank(entry: ManifestLine) -> bytes:
    ref = entry.source_ref or f"#{entry.index}"
    return hashlib.blake2b(ref.encode(), digest_size=8).digest()


def auto_split(
    parsed: ParsedManifest, fraction: float = AUTO_SPLIT_FRACTION, *,
    code: str = IMAGES_FOR_AUTOSPLIT,
) -> tuple[list[ManifestLine], list[ManifestLine]]:
    """(train, test): about ``fraction`` of each label's images moved to test, at least one
    image of every label on each side (docs/decisions.md, *Model versions*). Deterministic:
    images are taken in the order of a hash of their source-ref. Pass
    ``code=IMAGES_FOR_DISTRIBUTE`` for DistributeDatasetEntries; a label with fewer than 2
    images raises that error."""
    with _no_gc():
        return _split(parsed.usable(), fraction, code)


def _split(
    usable: list[ManifestLine], fraction: float, code: str
) -> tuple[list[ManifestLine], list[ManifestLine]]:
    # An adapter's safe images (no label) are split like one more label, when there are two
    # or more of them (INFERRED); "" is no label's name.
    safe = sum(1 for e in usable if e.moderation and not e.labels)
    names_of = [e.label_names() or (("",) if e.moderation and safe > 1 else ())
                for e in usable]
    per_label: dict[str, int] = {}
    for names in names_of:
        for name in names:
            per_label[name] = per_label.get(name, 0) + 1
    if not per_label or min(per_label.values()) < 2:
        raise ManifestFileError(code)
    target = {name: min(n - 1, max(1, math.floor(n * fraction + 0.5)))
              for name, n in per_label.items()}
    in_train = dict(per_label)
    in_test = dict.fromkeys(per_label, 0)
    chosen: set[int] = set()
    for i in sorted(range(len(usable)), key=lambda i: (_stable_rank(usable[i]), i)):
        names = names_of[i]
        if (any(in_test[n] < target[n] for n in names)
                and all(in_train[n] > 1 for n in names)):
            chosen.add(i)
            for n in names:
                in_test[n] += 1
                in_train[n] -= 1
    if min(in_test.values()) == 0:  # co-occurring labels left no way to give one a test image
        raise ManifestFileError(code)
    train = [e for i, e in enumerate(usable) if i not in chosen]
    test = [e for i, e in enumerate(usable) if i in chosen]
    return train, test


# ------------------------------------------------------------------------ outputs


# --------------------------------------------------------------------- ground truth


def truth_of(entry: ManifestLine) -> Truth:
    """What a valid entry teaches a model: its labels, and its boxes as ratios of its
    ``image_size`` (width, height, left, top), as DetectCustomLabels reports them."""
    boxes: list[tuple[str, tuple[float, float, float, float]]] = []
    if entry.boxes and entry.image_size:
        width, height = entry.image_size
        for b in entry.boxes:
            boxes.append((b.label, (b.width / width, b.height / height,
                                    b.left / width, b.top / height)))
    return Truth(labels=tuple(entry.labels), boxes=tuple(boxes))
