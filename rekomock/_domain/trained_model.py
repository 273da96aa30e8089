"""The mock's trained model: ground truth remembered, never invented.

A trained version knows every image of its training and test manifests, by S3 object, by
the SHA-256 of its bytes and, when neither matches, by picture (``fingerprint``): a
re-encoded, re-saved or resized copy is the same image. Shown one, it answers that image's
ground-truth labels
(boxes normalised from the manifest's pixel box and ``image_size``) with a confidence that
is a stable function of label and (known) image bytes; no assumed threshold is above the
lowest of them, so every known image keeps its labels by default. An image it never saw gets
no label above threshold: a plausible made-up label would let a wrong test pass. Scripted
answers (the controller) take precedence; evaluation runs this same model over the test set,
so the figures DescribeProjectVersions reports agree with what DetectCustomLabels answers.

Citation tags and coined words: docs/glossary.md.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from .fingerprint import Fingerprint, LazyFingerprint, PictureIndex, fingerprint

LOCALIZATION = "OBJECT_LOCALIZATION"


@dataclass(frozen=True, slots=True)
class Detection:
    """One predicted label; ``box`` is (Width, Height, Left, Top) as ratios, or None.

    No polygon: "Polygons are not returned in the Geometry section of the response" of
    DetectCustomLabels (API reference, DetectCustomLabels)."""

    name: str
    confidence: float
    box: tuple[float, float, float, float] | None = None

    def to_api(self) -> dict[str, Any]:
        out: dict[str, Any] = {"Name": self.name, "Confidence": self.confidence}
        if self.box is not None:
            w, h, left, top = self.box
            out["Geometry"] = {"BoundingBox": {"Width": w, "Height": h, "Left": left, "Top": top}}
        return out

    @classmethod
    def from_api(cls, label: dict[str, Any]) -> Detection:
        bb = (label.get("Geometry") or {}).get("BoundingBox")
        box = (bb["Width"], bb["Height"], bb["Left"], bb["Top"]) if bb else None
        return cls(label["Name"], float(label["Confidence"]), box)


@dataclass(frozen=True, slots=True)
class Truth:
    """What a manifest says of one image."""

    labels: tuple[str, ...]
    boxes: tuple[tuple[str, tuple[float, float, float, float]], ...] = ()


def _stable_fraction(label: str, digest: str) -> float:
    """A deterministic number in [0, 1) for (label, image bytes)."""
    h = hashlib.blake2b(f"{label}\x00{digest}".encode(), digest_size=4).digest()
    return (int.from_bytes(h, "big") % 2000) / 2000


def stable_confidence(label: str, digest: str) -> float:
    """A deterministic confidence in [80, 99.99] for (label, image bytes)."""
    return round(80.0 + 20.0 * _stable_fraction(label, digest), 3)


def below_threshold(label: str, digest: str, threshold: float) -> float:
    """A deterministic low confidence for a label the image doesn't show: 5-50 % of the
    label's assumed threshold (0-1), so it never passes that threshold."""
    return round(threshold * 100 * (0.05 + 0.45 * _stable_fraction(label, digest)), 3)


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


#: Fingerprints by image digest, the most recent kept: trainings and scripted answers meet the
#: same images again and again (a suite trains from the same test images), and decoding is
#: what costs.
_FINGERPRINTS: dict[str, Fingerprint | None] = {}
FINGERPRINTS_KEPT = 4096


def fingerprint_of(digest: str, data: bytes) -> Fingerprint | None:
    """``fingerprint(data)`` for the image of that digest, decoded once per process."""
    if digest in _FINGERPRINTS:
        return _FINGERPRINTS[digest]
    print_ = fingerprint(data)
    if len(_FINGERPRINTS) >= FINGERPRINTS_KEPT:
        _FINGERPRINTS.pop(next(iter(_FINGERPRINTS), ""), None)
    _FINGERPRINTS[digest] = print_
    return print_


@dataclass(slots=True)
class TrainedModel:
    """What a successful training leaves behind; copies share it unchanged."""

    use_case: str
    labels: list[str]
    by_object: dict[tuple[str, str], str] = field(default_factory=dict)  # (bucket,key) -> digest
    by_digest: dict[str, Truth] = field(default_factory=dict)
    #: Assumed threshold per label, 0-1 [CL:im-metrics-use], chosen for the best F1 on the test set.
    thresholds: dict[str, float] = field(default_factory=dict)
    #: Digest of each known image, found by picture: a 16x16 thumbnail, not the pixels.
    pictures: PictureIndex[str] = field(default_factory=PictureIndex)

    def remember(self, bucket: str, key: str, data: bytes, truth: Truth) -> str:
        digest = digest_of(data)
        self.by_object[(bucket, key)] = digest
        print_ = fingerprint_of(digest, data)
        if print_ is not None:
            self.pictures.add(print_, digest)
        self.by_digest[digest] = truth
        return digest

    def identify(self, digest: str, picture: LazyFingerprint) -> str:
        """The digest of the known image this one is: its own if its bytes are known, else
        the closest known image showing the same picture (decoded only then), else its own."""
        if digest in self.by_digest or not self.pictures:
            return digest
        print_ = picture.get()
        same = self.pictures.find(print_) if print_ is not None else []
        return same[0] if same else digest

    def ground_truth(self, digest: str, every_label: bool = False) -> list[Detection]:
        """The model's raw answer for an image: every ground-truth label, unfiltered.

        With ``every_label`` (a caller's MinConfidence) an image-level model also scores
        every other label it knows, below that label's assumed threshold: "If you specify a
        value of 0, DetectCustomLabels returns all labels, regardless of the assumed
        threshold" (API reference, DetectCustomLabels). An object-detection model answers
        the boxes it found, whatever MinConfidence: a label it did not locate has no box.
        """
        truth = self.by_digest.get(digest)
        if truth is None:
            return self._others(digest, ()) if every_label else []
        if self.use_case == LOCALIZATION:
            return [
                Detection(label, stable_confidence(f"{label}#{i}", digest), box)
                for i, (label, box) in enumerate(truth.boxes)
            ]
        own = [Detection(label, stable_confidence(label, digest)) for label in truth.labels]
        return own + self._others(digest, truth.labels) if every_label else own

    def _others(self, digest: str, own: tuple[str, ...]) -> list[Detection]:
        if self.use_case == LOCALIZATION:
            return []
        return [
            Detection(label, below_threshold(label, digest, self.thresholds.get(label, 0.0)))
            for label in self.labels
            if label not in own
        ]

    def lowest_confidences(self) -> dict[str, float]:
        """Per label, the lowest confidence the model gives any image it knows with that
        label: an assumed threshold at or below it keeps every known image's labels."""
        lowest: dict[str, float] = {}
        for digest in self.by_digest:
            for detection in self.ground_truth(digest):
                name, confidence = detection.name, detection.confidence
                lowest[name] = min(confidence, lowest.get(name, confidence))
        return lowest


def filter_and_sort(
    detections: list[Detection],
    thresholds: dict[str, float],
    min_confidence: float | None,
    max_results: int | None,
) -> list[Detection]:
    """DetectCustomLabels' cut [CL:detecting-custom-labels]: MinConfidence if given (>=,
    docs/decisions.md, *DetectCustomLabels*), else
    each label's assumed threshold; highest confidence first; top ``max_results``."""
    if min_confidence is None:
        kept = [d for d in detections if d.confidence >= percent(thresholds.get(d.name, 0.0))]
    else:
        kept = [d for d in detections if d.confidence >= min_confidence]
    kept.sort(key=lambda d: (-d.confidence, d.name))
    if max_results is not None:
        kept = kept[:max_results]
    return kept


def percent(threshold: float) -> float:
    """An assumed threshold (0-1) as a confidence (0-100), rounded so that a threshold taken
    from a confidence admits that very confidence again."""
    return round(threshold * 100, 9)
