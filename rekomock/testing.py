"""Helpers for users' tests (and rekomock's own): real images, Ground Truth manifest lines,
uploaded datasets, a trained or running model version in one call, and a client that checks
every answer against the botocore model.

The mock validates manifests and images as the service does, so tests need real image
bytes and well-formed lines; these helpers write them in the formats of the AWS
documentation page "Creating a manifest file" (classification and object localization), and
Custom Moderation adapter lines as "Manifest file formats" (Rekognition Developer Guide) shows.
Everything here talks to the mock through ordinary boto3 clients, so it works in-process and
against ``rekomock server`` alike.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
import zlib
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from ._domain.images import PNG_SIGNATURE
from ._domain.operations import OPERATIONS as _OPERATIONS
from ._domain.shapes import ShapeError, check_body

__all__ = [
    "OPERATIONS",
    "LabelledImage",
    "ShapeError",
    "TrainedVersion",
    "check_answer",
    "classification_line",
    "dataset_source",
    "describe_version",
    "detection_line",
    "held_out",
    "make_jpeg",
    "make_png",
    "manifest",
    "manifest_asset",
    "moderation_line",
    "put_classification_dataset",
    "put_detection_dataset",
    "strict_client",
    "trained_version",
]

#: The Rekognition operations the mock answers (the Custom Labels ones, and
#: DetectModerationLabels with a custom adapter), by their API names.
OPERATIONS: frozenset[str] = frozenset(_OPERATIONS)

CREATED = "2024-01-01T00:00:00.000"

#: A box of a detection line: (label, left, top, width, height) in pixels.
BoxSpec = tuple[str, int, int, int, int]


# ----------------------------------------------------------------------- images


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


GRID = 4  # make_jpeg's pictures: GRID x GRID areas of one grey each


def _grey(seed: int, cell: int) -> int:
    """A grey level 40-255, a stable function of (seed, cell)."""
    digest = hashlib.blake2b(f"{seed}/{cell}".encode(), digest_size=2).digest()
    return 40 + int.from_bytes(digest, "big") % 216


def make_jpeg(width: int = 64, height: int = 64, seed: int = 0) -> bytes:
    """A baseline greyscale JPEG (JFIF, written by Pillow): a 4 x 4 grid of grey levels drawn
    from ``seed``, so different seeds give different pictures, at any size. A comment segment
    carries the seed, so different seeds always give different bytes."""
    from PIL import Image

    if not 0 < width <= 65500 or not 0 < height <= 65500:  # libjpeg's limit
        raise ValueError("width and height must be 1-65500")
    grid = Image.new("L", (GRID, GRID))
    grid.putdata([_grey(seed, cell) for cell in range(GRID * GRID)])
    picture = grid.resize((width, height), Image.Resampling.NEAREST)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=100, comment=f"rekomock seed={seed}".encode())
    return out.getvalue()


# ----------------------------------------------------------------------- datasets


class LabelledImage(tuple[str, str]):
    """An uploaded image: unpacks as ``uri, label``; ``.data`` holds its bytes, so a test can
    send them to DetectCustomLabels without downloading them again; ``.boxes`` its boxes
    (label, left, top, width, height) in pixels when it is an object-localization image."""

    data: bytes
    boxes: tuple[BoxSpec, ...]

    def __new__(cls, uri: str, label: str, data: bytes,
                boxes: Sequence[BoxSpec] = ()) -> LabelledImage:
        image = super().__new__(cls, (uri, label))
        image.data = data
        image.boxes = tuple(boxes)
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
    boxes: Sequence[BoxSpec],
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


def put_detection_dataset(
    s3: Any,
    bucket: str,
    labels: dict[str, int],
    *,
    prefix: str = "images",
    manifest_key: str = "manifests/train.manifest",
    size: tuple[int, int] = (128, 128),
    seed: int = 0,
) -> tuple[str, list[LabelledImage]]:
    """Upload distinct PNGs of ``size`` for each label, each with one box of its label, and an
    object-localization manifest naming them.

    ``labels`` maps a label to how many images it gets. Returns the manifest key and every
    image as a :class:`LabelledImage` (``uri, label = image``; ``image.boxes`` its box in
    pixels, ``image.data`` its bytes).
    """
    width, height = size
    if width < 64 or height < 64:
        raise ValueError("Custom Labels needs images of at least 64 x 64 px")
    images: list[LabelledImage] = []
    n = seed
    for label, count in labels.items():
        for i in range(count):
            n += 1
            key = f"{prefix}/{label}-{i}.png"
            # Other colours than put_classification_dataset's, so a model trained on both
            # never sees one picture twice.
            colour = ((n * 53 + 101) % 256, (n * 97 + 13) % 256, (n * 41) % 256)
            data = make_png(width, height, colour)
            s3.put_object(Bucket=bucket, Key=key, Body=data)
            # A box of half the image's sides, moved a little from image to image.
            left, top = width // 8 + n % 4 * (width // 32), height // 8 + n % 3 * (height // 32)
            box = (label, left, top, width // 2, height // 2)
            images.append(LabelledImage(f"s3://{bucket}/{key}", label, data, [box]))
    body = manifest(detection_line(image.uri, size, image.boxes) for image in images)
    s3.put_object(Bucket=bucket, Key=manifest_key, Body=body)
    return manifest_key, images


def held_out(images: Iterable[LabelledImage]) -> list[LabelledImage]:
    """The images :func:`trained_version` tests on: every other image of each label, its
    first included (all images stay in the training manifest)."""
    seen: dict[str, int] = {}
    chosen = []
    for image in images:
        seen[image.label] = seen.get(image.label, -1) + 1
        if seen[image.label] % 2 == 0:
            chosen.append(image)
    return chosen


def manifest_asset(bucket: str, key: str) -> dict[str, Any]:
    """CreateProjectVersion's ``TrainingData``/``TestingData`` for one manifest in S3."""
    return {"Assets": [{"GroundTruthManifest": {"S3Object": {"Bucket": bucket, "Name": key}}}]}


def dataset_source(bucket: str, key: str) -> dict[str, Any]:
    """CreateDataset's ``DatasetSource`` for one manifest in S3."""
    return {"GroundTruthManifest": {"S3Object": {"Bucket": bucket, "Name": key}}}


# ----------------------------------------------------------------------- versions


def describe_version(client: Any, project_arn: str, version_name: str) -> dict[str, Any]:
    """The one ``ProjectVersionDescriptions`` entry of a version, by name."""
    (desc,) = client.describe_project_versions(
        ProjectArn=project_arn, VersionNames=[version_name])["ProjectVersionDescriptions"]
    return dict(desc)


class TrainedVersion(NamedTuple):
    """What :func:`trained_version` made: unpacks as ``project_arn, version_arn, images``."""

    project_arn: str
    version_arn: str
    #: every uploaded image, training and testing (see :class:`LabelledImage`)
    images: list[LabelledImage]


def _ensure_bucket(s3: Any, bucket: str) -> None:
    from botocore.exceptions import ClientError

    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError:
        region = s3.meta.region_name
        config = {} if region in (None, "us-east-1") else {
            "CreateBucketConfiguration": {"LocationConstraint": region}}
        s3.create_bucket(Bucket=bucket, **config)


def _project_arn(client: Any, name: str) -> str:
    found = client.describe_projects(ProjectNames=[name])["ProjectDescriptions"]
    if found:
        return str(found[0]["ProjectArn"])
    return str(client.create_project(ProjectName=name)["ProjectArn"])


def trained_version(
    client: Any,
    s3: Any,
    bucket: str,
    labels: dict[str, int] | None = None,
    *,
    project_name: str = "my-project",
    version_name: str = "v1",
    detection: bool = False,
    start: bool = False,
    min_inference_units: int = 1,
) -> TrainedVersion:
    """A model version trained, and with ``start=True`` running, in one call.

    Creates ``bucket`` and the project when they do not exist yet (a second call with another
    ``version_name`` adds a version to the same project), uploads a dataset
    (:func:`put_classification_dataset`, or :func:`put_detection_dataset` with
    ``detection=True``; ``labels`` maps a label to its number of images, 5 sunrise and 5
    sunset by default) with a testing manifest of every other image of each label, trains
    with ``OutputConfig`` ``s3://bucket/output`` and waits for ``TRAINING_COMPLETED`` (and
    ``RUNNING``) with boto3's waiters, which move the mock's clock instead of sleeping.
    Raises ``RuntimeError`` with the version's ``StatusMessage`` when it does not get there.
    """
    from botocore.exceptions import WaiterError

    labels = {"sunrise": 5, "sunset": 5} if labels is None else labels
    _ensure_bucket(s3, bucket)
    project_arn = _project_arn(client, project_name)
    put = put_detection_dataset if detection else put_classification_dataset
    prefix = f"{project_name}/{version_name}"
    train_key, images = put(s3, bucket, labels, prefix=f"{prefix}/images",
                            manifest_key=f"{prefix}/train.manifest")
    test_images = held_out(images)
    test_key = f"{prefix}/test.manifest"
    test_lines = (detection_line(image.uri, _frame(image.data), image.boxes) if detection
                  else classification_line(image.uri, image.label) for image in test_images)
    s3.put_object(Bucket=bucket, Key=test_key, Body=manifest(test_lines))
    version_arn = str(client.create_project_version(
        ProjectArn=project_arn, VersionName=version_name,
        OutputConfig={"S3Bucket": bucket, "S3KeyPrefix": "output"},
        TrainingData=manifest_asset(bucket, train_key),
        TestingData=manifest_asset(bucket, test_key),
    )["ProjectVersionArn"])
    waiting = {"ProjectArn": project_arn, "VersionNames": [version_name]}
    try:
        client.get_waiter("project_version_training_completed").wait(**waiting)
        if start:
            client.start_project_version(ProjectVersionArn=version_arn,
                                         MinInferenceUnits=min_inference_units)
            client.get_waiter("project_version_running").wait(**waiting)
    except WaiterError as err:
        desc = describe_version(client, project_arn, version_name)
        raise RuntimeError(f"{version_name} is {desc['Status']}: "
                           f"{desc.get('StatusMessage', '')}") from err
    return TrainedVersion(project_arn, version_arn, images)


def _frame(png: bytes) -> tuple[int, int]:
    """(width, height) of a PNG from its IHDR."""
    width, height = struct.unpack_from(">II", png, 16)
    return int(width), int(height)


# ----------------------------------------------------------------------- clients


def check_answer(operation: str, status: int, body: bytes) -> None:
    """Raise :class:`ShapeError` unless ``body``, answered with HTTP ``status``, is what the
    service may answer ``operation`` (``"DetectCustomLabels"``): for a success, the
    operation's output shape in the botocore model; for an error, a code the operation
    documents with only ``Message``, ``Code`` and ``Logref``. For raw HTTP answers (a server,
    a stub of your own); :func:`strict_client` checks a boto3 client's."""
    check_body(operation, status, body)


def strict_client(client: Any) -> Any:
    """Make a Rekognition client assert that each answer fits the botocore model, and return
    it: only modelled members, JSON types, enums, lengths, ranges, patterns and base64 blobs
    of the operation's output shape, or an error the operation documents (with only
    ``Message``, ``Code`` and ``Logref``). Checks the raw JSON before botocore parses it,
    since botocore's parser silently drops members it does not know. Works on any client,
    against the mock or a stub of your own; an answer that does not fit raises
    ``ValueError`` (``ShapeError``) naming the first place that differs."""

    def handler(operation_model: Any, response_dict: dict[str, Any], **_: Any) -> None:
        check_body(operation_model.name, response_dict["status_code"], response_dict["body"])

    client.meta.events.register("before-parse.rekognition", handler)
    return client
