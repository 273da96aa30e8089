"""The same picture in other bytes: what recognising it costs. An image known by its bytes
never decodes; a 1 MP image the model does not know by its bytes decodes once (Pillow) to a
16x16 fingerprint; a known image keeps only that fingerprint."""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from PIL import Image, ImageDraw

from rekomock import mock_rekognition_custom
from rekomock._domain.fingerprint import Fingerprint, PictureIndex, fingerprint
from rekomock.testing import classification_line, manifest, put_classification_dataset

from conftest import asset, fact

MEGAPIXEL = (1155, 866)


def _photo(seed: int, size: tuple[int, int] = MEGAPIXEL) -> Image.Image:
    """A photo-like picture: gradients, shapes and noise."""
    rnd = random.Random(seed)
    gradient = Image.linear_gradient("L").resize(size)
    noise = Image.frombytes("L", size, rnd.randbytes(size[0] * size[1]))
    image = Image.merge("RGB", (gradient, Image.blend(gradient, noise, 0.3),
                                gradient.transpose(Image.Transpose.FLIP_TOP_BOTTOM)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rnd.randrange(size[0]), rnd.randrange(size[1])
        draw.ellipse((x, y, x + rnd.randrange(40, 400), y + rnd.randrange(40, 300)),
                     fill=tuple(rnd.randrange(256) for _ in range(3)))
    return image


def _encode(image: Image.Image, fmt: str, **options: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def model() -> Iterator[dict[str, Any]]:
    """A running model trained on four small PNGs and a 1 MP photo (JPEG)."""
    photo = _encode(_photo(1), "JPEG", quality=92)
    with mock_rekognition_custom():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="bench")
        _, images = put_classification_dataset(s3, "bench", {"cat": 2, "dog": 2})
        s3.put_object(Bucket="bench", Key="images/photo.jpg", Body=photo)
        lines = [classification_line(uri, label) for uri, label in images]
        lines.append(classification_line("s3://bench/images/photo.jpg", "cat"))
        s3.put_object(Bucket="bench", Key="pictures.manifest", Body=manifest(lines))
        rek = boto3.client("rekognition", region_name="us-east-1")
        project = rek.create_project(ProjectName="pictures")["ProjectArn"]
        version = rek.create_project_version(
            ProjectArn=project, VersionName="v1", OutputConfig={"S3Bucket": "bench"},
            TrainingData=asset("pictures.manifest"),
            TestingData=asset("pictures.manifest"))["ProjectVersionArn"]
        rek.start_project_version(ProjectVersionArn=version, MinInferenceUnits=1)
        yield {"rek": rek, "version": version, "photo": photo}


def _detect(model: dict[str, Any], data: bytes) -> list[str]:
    answer = model["rek"].detect_custom_labels(ProjectVersionArn=model["version"],
                                               Image={"Bytes": data})
    return [label["Name"] for label in answer["CustomLabels"]]


def test_detect_known_bytes(bench: Any, model: dict[str, Any]) -> None:
    """The exact bytes it learnt (1 MP): hashed, never decoded."""
    assert bench("rk.detect.1mp.known_bytes", _detect, model, model["photo"]) == ["cat"]


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_detect_same_picture_in_other_bytes(bench: Any, model: dict[str, Any],
                                            fmt: str) -> None:
    """The photo it learnt, re-encoded at 1 MP: decoded once, found by its fingerprint."""
    copy = _encode(Image.open(io.BytesIO(model["photo"])), fmt)
    assert bench(f"rk.detect.1mp.same_picture.{fmt.lower()}", _detect, model, copy) == ["cat"]


def test_detect_unseen_picture(bench: Any, model: dict[str, Any]) -> None:
    unseen = _encode(_photo(2), "JPEG", quality=92)
    assert bench("rk.detect.1mp.unseen.jpeg", _detect, model, unseen) == []


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_fingerprint_of_a_megapixel_image(bench: Any, fmt: str) -> None:
    """Decoding alone: JPEG scales down while decoding; PNG must inflate every row."""
    data = _encode(_photo(3), fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    assert bench(f"fingerprint.1mp.{fmt.lower()}", fingerprint, data) is not None


def test_memory_per_known_picture() -> None:
    """What a model keeps per image for picture matching: fingerprint and index entry."""
    import gc
    import tracemalloc

    count = 500
    images = [_encode(_photo(seed, (96, 72)), "PNG") for seed in range(count)]
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        index: PictureIndex[str] = PictureIndex()
        for n, data in enumerate(images):
            print_ = fingerprint(data)
            assert print_ is not None
            index.add(print_, f"{n:064x}")  # a digest of the model's own
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    per_image = (after - before - count * (49 + 64)) / count  # less the digest strings
    fact("memory per known image for picture matching (16x16 fingerprint + index entry)",
         f"{per_image:.0f} B")
    assert per_image < 2048


def _gradient_prints(count: int, seed: int) -> list[Fingerprint]:
    """Fingerprints of two-colour gradients: mean colours spread as photos' do."""
    rnd = random.Random(seed)
    prints = []
    for _ in range(count):
        top, bottom = [rnd.randrange(256) for _ in range(3)], [rnd.randrange(256) for _ in range(3)]
        row_colours = [bytes(round(a + (b - a) * y / 15) for a, b in zip(top, bottom, strict=True))
                       for y in range(16)]
        thumbnail = b"".join(colour * 16 for colour in row_colours)
        sums = (sum(thumbnail[0::3]), sum(thumbnail[1::3]), sum(thumbnail[2::3]))
        prints.append(Fingerprint(thumbnail, sums, 640, 480, False))
    return prints


@pytest.mark.parametrize("known", [100, 10_000])
def test_find_among_known_pictures(bench: Any, known: int) -> None:
    """Finding candidates is a lookup by mean colour, whatever the number of known images."""
    index: PictureIndex[int] = PictureIndex()
    for n, print_ in enumerate(_gradient_prints(known, seed=1)):
        index.add(print_, n)
    queries = iter(_gradient_prints(10_000, seed=2) * 100)
    bench(f"fingerprint.find.{known}", lambda: index.find(next(queries)))
