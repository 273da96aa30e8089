"""Helpers for users' tests: real images and Ground Truth manifest lines in a few calls.

The mock validates manifests and images as the service does, so tests need real PNG
bytes and well-formed lines; these helpers write them (SPEC §4.2, §4.3 formats).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from .images import make_jpeg, make_png

__all__ = [
    "classification_line",
    "detection_line",
    "make_jpeg",
    "make_png",
    "manifest",
    "put_classification_dataset",
]

CREATED = "2024-01-01T00:00:00.000"


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
) -> tuple[str, list[tuple[str, str]]]:
    """Upload distinct PNGs for each label and a manifest naming them.

    ``labels`` maps a label to how many images it gets. Returns the manifest key and the
    (s3 uri, label) of every image.
    """
    images: list[tuple[str, str]] = []
    n = seed
    for label, count in labels.items():
        for i in range(count):
            n += 1
            key = f"{prefix}/{label}-{i}.png"
            colour = ((n * 67) % 256, (n * 131) % 256, (n * 29 + 7) % 256)
            s3.put_object(Bucket=bucket, Key=key, Body=make_png(64, 64, colour))
            images.append((f"s3://{bucket}/{key}", label))
    body = manifest(classification_line(uri, label) for uri, label in images)
    s3.put_object(Bucket=bucket, Key=manifest_key, Body=body)
    return manifest_key, images
