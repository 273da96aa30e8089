"""Helpers for users' tests: real images and Ground Truth manifest lines in a few calls.

The mock validates manifests and images as the service does, so tests need real PNG
bytes and well-formed lines; these helpers write them in the formats of the AWS
documentation page "Creating a manifest file" (classification and object localization), and
Custom Moderation adapter lines as "Manifest file formats" (Rekognition Developer Guide) shows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from ._domain.images import make_jpeg, make_png

__all__ = [
    "LabelledImage",
    "classification_line",
    "detection_line",
    "make_jpeg",
    "make_png",
    "manifest",
    "moderation_line",
    "put_classification_dataset",
]

CREATED = "2024-01-01T00:00:00.000"


class LabelledImage(tuple[str, str]):
    """An uploaded image: unpacks as ``uri, label``; ``.data`` holds its bytes, so a test can
    send them to DetectCustomLabels without downloading them again."""

    data: bytes

    def __new__(cls, uri: str, label: str, data: bytes) -> LabelledImage:
        image = super().__new__(cls, (uri, label))
        image.data = data
        return image

    @property
    def uri(self) -> str:
        return self[0]

    @property
    def label(self) -> str:
        return self[1]

    @property
    def s3_object(self) -> dict[str, str]:
        """``{"Bucket": ..., "Name": ...}``: the image as DetectCustomLabels' ``S3Object``."""
        bucket, _, key = self.uri[len("s3://"):].partition("/")
        return {"Bucket": bucket, "Name": key}


def classification_line(source_ref: str, *labels: str) -> dict[str, Any]:
    """An image-level line; several labels make a multi-label line."""
    line: dict[str, Any] = {"source-ref": source_ref}
    for label in labels:
        attr = f"{label}-label"  # AWS tooling names the attribute after the label
        line[attr] = 1
        line[f"{attr}-metadata"] = {
            "confidence": 1,
            "job-name": f"labeling-job/{label}",
            "class-name": label,
            "human-annotated": "yes",
            "creation-date": CREATED,
            "type": "groundtruth/image-classification",
        }
    return line


def detection_line(
    source_ref: str,
    size: tuple[int, int],
    boxes: Sequence[tuple[str, int, int, int, int]],
) -> dict[str, Any]:
    """An object-localization line; ``boxes`` are (label, left, top, width, height) px."""
    names = sorted({b[0] for b in boxes})
    ids = {name: i for i, name in enumerate(names)}
    width, height = size
    return {
        "source-ref": source_ref,
        "bounding-box": {
            "image_size": [{"width": width, "height": height, "depth": 3}],
            "annotations": [
                {"class_id": ids[label], "left": left, "top": top, "width": w, "height": h}
                for label, left, top, w, h in boxes
            ],
        },
        "bounding-box-metadata": {
            "objects": [{"confidence": 1} for _ in boxes],
            "class-map": {str(i): name for name, i in ids.items()},
            "type": "groundtruth/object-detection",
            "human-annotated": "yes",
            "creation-date": CREATED,
            "job-name": "labeling-job/bounding-box",
        },
    }


def moderation_line(source_ref: str, *labels: str) -> dict[str, Any]:
    """A Custom Moderation adapter's line; no label is an image with no unsafe content."""
    return {
        "source-ref": source_ref,
        "content-moderation-groundtruth": {"ModerationLabels": [{"Name": n} for n in labels]},
    }


def manifest(lines: Iterable[dict[str, Any]]) -> bytes:
    """JSON Lines bytes of a manifest."""
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


def put_classification_dataset(
    s3: Any,
    bucket: str,
    labels: dict[str, int],
    *,
    prefix: str = "images",
    manifest_key: str = "manifests/train.manifest",
    seed: int = 0,
) -> tuple[str, list[LabelledImage]]:
    """Upload distinct 64x64 PNGs for each label and a manifest naming them.

    ``labels`` maps a label to how many images it gets. Returns the manifest key and every
    image as a :class:`LabelledImage` (``uri, label = image``; ``image.data`` its bytes).
    """
    images: list[LabelledImage] = []
    n = seed
    for label, count in labels.items():
        for i in range(count):
            n += 1
            key = f"{prefix}/{label}-{i}.png"
            colour = ((n * 67) % 256, (n * 131) % 256, (n * 29 + 7) % 256)
            data = make_png(64, 64, colour)
            s3.put_object(Bucket=bucket, Key=key, Body=data)
            images.append(LabelledImage(f"s3://{bucket}/{key}", label, data))
    body = manifest(classification_line(uri, label) for uri, label in images)
    s3.put_object(Bucket=bucket, Key=manifest_key, Body=body)
    return manifest_key, images
