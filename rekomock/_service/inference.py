"""DetectCustomLabels: the image rules of [CL:limits] and
[M doc of Image.Bytes], and the answer of the trained model.

Images are judged by their bytes (PNG/JPEG header), never by name: raw bytes up to 4 MB,
S3 objects up to 15 MB, 64-4096 px per side, aspect ratio up to 20:1. Bytes no answer knows
yet are decoded as well: a header over broken data is an invalid format too.

Citation tags and coined words: docs/glossary.md.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from .._domain import clock
from .._domain.exceptions import (
    ImageTooLargeException,
    InvalidImageFormatException,
    InvalidParameterException,
    InvalidS3ObjectException,
    ProvisionedThroughputExceededException,
    ResourceNotReadyException,
)
from .._domain.fingerprint import fingerprint
from .._domain.images import check_dimensions, sniff
from .._domain.projects import CONTENT_MODERATION, CUSTOM_LABELS
from .._domain.trained_model import Detection, digest_of, filter_and_sort
from .._domain.versions import RUNNING, TRAINING_COMPLETED
from . import s3io

if TYPE_CHECKING:
    from .._domain.versions import ProjectVersion
    from .steering import Steering

MAX_BYTES = 4 * 1024 * 1024  # raw bytes for DetectCustomLabels [M doc of Image.Bytes]
MAX_MODERATION_BYTES = 5 * 1024 * 1024  # raw bytes for DetectModerationLabels (the blob max)
MODERATION_MODEL_VERSION = "7.0"
DEFAULT_MODERATION_CONFIDENCE = 50.0  # [M doc of DetectModerationLabels.MinConfidence]
MAX_S3_BYTES = 15 * 1024 * 1024  # images in S3 [CL:limits]

log = logging.getLogger(__name__)


def load_image(
    account_id: str, region: str, image: dict[str, Any], max_bytes: int = MAX_BYTES
) -> tuple[bytes, str | None]:
    """The image's bytes and, for an S3 image, its ``s3://`` URI."""
    data: bytes | None = image.get("Bytes")
    location = image.get("S3Object")
    if (data is None) == (location is None):
        raise InvalidParameterException()  # exactly one of Bytes and S3Object
    uri: str | None = None
    if location is not None:
        bucket, name = location.get("Bucket"), location.get("Name")
        if not bucket or not name:
            raise InvalidParameterException()
        data = s3io.read(account_id, region, bucket, name, location.get("Version"))
        if data is None:
            raise InvalidS3ObjectException()
        if len(data) > MAX_S3_BYTES:
            raise ImageTooLargeException()
        uri = f"s3://{bucket}/{name}"
    elif data is not None and len(data) > max_bytes:
        raise ImageTooLargeException()
    if data is None:
        raise InvalidParameterException()
    info = sniff(data)
    if info is None:
        raise InvalidImageFormatException()
    problem = check_dimensions(info)
    if problem == "too_large":
        raise ImageTooLargeException()
    if problem is not None:  # too small or too thin: undocumented, as users report it
        raise InvalidParameterException()
    return data, uri


def detect(
    steering: Steering,
    account_id: str,
    region: str,
    version: ProjectVersion,
    image: dict[str, Any],
    min_confidence: float | None,
    max_results: int | None,
) -> list[Detection]:
    if version.feature != CUSTOM_LABELS:
        raise InvalidParameterException("The project version is not a Custom Labels model.")
    if version.status != RUNNING:
        raise ResourceNotReadyException("The model is not running.")
    run = version.meter.run
    if run is not None and (steering.capacities or run.lost):  # no limit: this check only
        admit(steering, version)
    data, uri = load_image(account_id, region, image)
    model = version.model
    assert model is not None  # a RUNNING version has trained (or been copied)
    predict = steering.predictor(version.arn, model, uri, version.source_arn,
                                 every_label=min_confidence is not None)
    detections = predict(digest_of(data), data=data)
    return filter_and_sort(detections, model.thresholds, min_confidence, max_results)


def admit(steering: Steering, version: ProjectVersion) -> None:
    """Count the call against the model's capacity; ProvisionedThroughputExceededException
    when its in-service units already answered their share of this second
    ("Running a trained Amazon Rekognition Custom Labels model")."""
    run = version.meter.run
    assert run is not None
    capacity = steering.capacity_for(version.arn)
    if not run.admit(clock.now().timestamp(), capacity):
        log.info("DetectCustomLabels on %s refused: ProvisionedThroughputExceededException "
                 "(%d in-service units, %s calls per unit per second)", version.arn,
                 run.units(), capacity.tps_per_inference_unit if capacity else "no")
        raise ProvisionedThroughputExceededException()


def moderate(
    steering: Steering,
    account_id: str,
    region: str,
    version: ProjectVersion | None,
    image: dict[str, Any],
    min_confidence: float | None,
) -> tuple[list[dict[str, Any]], str | None]:
    """DetectModerationLabels: the adapter's answer [DG:managing-adapters], or the base model's.

    Without an adapter the base model gives a plain, stable answer: no moderation label
    (docs/decisions.md, *DetectCustomLabels*). Adapters never expire in the mock.
    """
    data, uri = load_image(account_id, region, image, MAX_MODERATION_BYTES)
    if version is None:
        if fingerprint(data) is None:  # the base model reads every image it is sent
            raise InvalidImageFormatException()
        return [], None
    if version.feature != CONTENT_MODERATION:
        raise InvalidParameterException("The project version is not a moderation adapter.")
    if version.status != TRAINING_COMPLETED:
        raise ResourceNotReadyException("The adapter is not trained.")
    model = version.model
    assert model is not None
    predict = steering.predictor(version.arn, model, uri)
    threshold = DEFAULT_MODERATION_CONFIDENCE if min_confidence is None else min_confidence
    found = filter_and_sort(predict(digest_of(data), data=data), {}, threshold, None)
    labels = [
        {"Confidence": d.confidence, "Name": d.name, "ParentName": "", "TaxonomyLevel": 1}
        for d in found
    ]
    return labels, version.arn
