"""The same picture in other bytes: a trained model recognises its images re-encoded,
re-saved with other metadata, converted between PNG and JPEG, or resized, and still sees
nothing in pictures it never learnt (scenes and solid colours alike)."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image, ImageDraw, ImageEnhance, PngImagePlugin

from rekomock import Controller
from rekomock.testing import (
    classification_line,
    detection_line,
    make_jpeg,
    make_png,
    manifest,
    manifest_asset,
)

BUCKET = "rekomock-test-bucket"  # the ``bucket`` fixture's

SIZE = (160, 120)  # 75 % of it still meets the 64 px minimum


# ------------------------------------------------------------------ pictures


def scene(seed: int, size: tuple[int, int] = SIZE) -> Image.Image:
    """A synthetic photo: a two-colour gradient, a few shapes, and for some seeds noise."""
    rnd = random.Random(seed)
    width, height = size
    top, bottom = (tuple(rnd.randrange(256) for _ in range(3)) for _ in range(2))
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / (height - 1)
        draw.line([(0, y), (width, y)],
                  fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    for _ in range(rnd.randrange(2, 6)):
        x0, y0 = rnd.randrange(width), rnd.randrange(height)
        box = (x0, y0, x0 + rnd.randrange(15, width // 2), y0 + rnd.randrange(15, height // 2))
        colour = tuple(rnd.randrange(256) for _ in range(3))
        (draw.ellipse if rnd.random() < 0.5 else draw.rectangle)(box, fill=colour)
    if seed % 3 == 0:
        noise = Image.frombytes("L", size, rnd.randbytes(width * height)).convert("RGB")
        image = Image.blend(image, noise, 0.2)
    return image


def encode(image: Image.Image, fmt: str, **options: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def round_trip(data: bytes) -> bytes:
    """What AWS's own DetectCustomLabels example does before sending an image."""
    image = opened(data)
    return encode(image, str(image.format))


def optimised_png(data: bytes) -> bytes:
    return encode(opened(data), "PNG", optimize=True)


def png_with_text(data: bytes) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "exported by the photo pipeline")
    return encode(opened(data), "PNG", pnginfo=info)


def jpeg(quality: int) -> Callable[[bytes], bytes]:
    def convert(data: bytes) -> bytes:
        return encode(opened(data).convert("RGB"), "JPEG", quality=quality)

    return convert


def resized(scale: float) -> Callable[[bytes], bytes]:
    def resize(data: bytes) -> bytes:
        image = opened(data)
        size = (round(image.width * scale), round(image.height * scale))
        return encode(image.resize(size), str(image.format))

    return resize


TRANSFORMATIONS: dict[str, Callable[[bytes], bytes]] = {
    "Pillow round trip": round_trip,
    "optimised PNG": optimised_png,
    "PNG with a text chunk": png_with_text,
    "JPEG q90": jpeg(90),
    "JPEG q75": jpeg(75),
    "resized x2": resized(2.0),
    "resized to 75 %": resized(0.75),
}


def known_pictures() -> list[bytes]:
    """What the models learn: scenes as PNG and as JPEG, a solid colour, a make_jpeg (the
    PNGs not in Pillow's default compression, as if another program wrote them)."""
    pictures = [encode(scene(seed), "PNG", compress_level=1) for seed in range(6)]
    pictures += [encode(scene(seed), "JPEG", quality=90) for seed in range(6, 13)]
    return [*pictures, make_png(*SIZE, rgb=(200, 30, 30)), make_jpeg(*SIZE, seed=3)]


# -------------------------------------------------------------------- models


def put(s3: Any, key: str, data: bytes) -> str:
    s3.put_object(Bucket=BUCKET, Key=key, Body=data)
    return f"s3://{BUCKET}/{key}"


def train_and_start(rekognition: Any, s3: Any, project_arn: str, lines: list[Any]) -> str:
    s3.put_object(Bucket=BUCKET, Key="pictures.manifest", Body=manifest(lines))
    asset = manifest_asset(BUCKET, "pictures.manifest")
    arn = rekognition.create_project_version(
        ProjectArn=project_arn, VersionName="v1", OutputConfig={"S3Bucket": BUCKET},
        TrainingData=asset, TestingData=asset)["ProjectVersionArn"]
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)
    return str(arn)


@pytest.fixture
def classifier(rekognition: Any, s3: Any, bucket: str, project_arn: str) -> dict[str, Any]:
    return train_classifier(rekognition, s3, project_arn)


def train_classifier(rekognition: Any, s3: Any, project_arn: str) -> dict[str, Any]:
    """A running classification model and its pictures with their labels."""
    pictures = known_pictures()
    labels = [("indoor", "outdoor")[i % 2] for i in range(len(pictures))]
    lines = [classification_line(put(s3, f"class/{i}", data), label)
             for i, (data, label) in enumerate(zip(pictures, labels, strict=True))]
    arn = train_and_start(rekognition, s3, project_arn, lines)
    return {"arn": arn, "pictures": list(zip(pictures, labels, strict=True))}


@pytest.fixture
def detector(rekognition: Any, s3: Any, bucket: str, project_arn: str) -> dict[str, Any]:
    """A running object-localization model: each picture has one or two boxes."""
    pictures = known_pictures()
    lines = []
    for i, data in enumerate(pictures):
        boxes = [("logo", 10 + 5 * i, 8, 40, 30)]
        if i % 2:
            boxes.append(("price", 90, 60 - 3 * i, 50, 24))
        lines.append(detection_line(put(s3, f"boxes/{i}", data), SIZE, boxes))
    arn = train_and_start(rekognition, s3, project_arn, lines)
    return {"arn": arn, "pictures": pictures}


def detect(rekognition: Any, arn: str, data: bytes, **kwargs: Any) -> list[dict[str, Any]]:
    return list(rekognition.detect_custom_labels(
        ProjectVersionArn=arn, Image={"Bytes": data}, **kwargs)["CustomLabels"])


# ----------------------------------------------------------- same picture


@pytest.mark.parametrize("transformation", TRANSFORMATIONS)
def test_classifier_recognises_its_pictures_in_other_bytes(
    rekognition: Any, classifier: dict[str, Any], transformation: str
) -> None:
    change = TRANSFORMATIONS[transformation]
    for original, label in classifier["pictures"]:
        copy = change(original)
        assert copy != original
        expected = detect(rekognition, classifier["arn"], original)
        assert [x["Name"] for x in expected] == [label]
        assert detect(rekognition, classifier["arn"], copy) == expected  # same confidences
        everything = detect(rekognition, classifier["arn"], copy, MinConfidence=0)
        assert label in {x["Name"] for x in everything}


@pytest.mark.parametrize("transformation", TRANSFORMATIONS)
def test_detector_finds_its_boxes_in_other_bytes(
    rekognition: Any, detector: dict[str, Any], transformation: str
) -> None:
    change = TRANSFORMATIONS[transformation]
    for original in detector["pictures"]:
        expected = detect(rekognition, detector["arn"], original)
        assert expected and all("BoundingBox" in x["Geometry"] for x in expected)
        # Boxes are ratios of the image, so they fit a resized copy as they are.
        assert detect(rekognition, detector["arn"], change(original)) == expected
        everything = detect(rekognition, detector["arn"], change(original), MinConfidence=0)
        found = [(x["Name"], x.get("Geometry")) for x in everything]
        for box in expected:
            assert (box["Name"], box["Geometry"]) in found


@pytest.mark.parametrize(
    ("what", "change"),
    [
        ("RGBA PNG", lambda d: encode(opened(d).convert("RGBA"), "PNG")),
        ("palette PNG", lambda d: encode(opened(d).convert("RGB").convert(
            "P", palette=Image.Palette.ADAPTIVE), "PNG")),
        ("PNG from JPEG, JPEG from PNG", lambda d: encode(
            opened(d).convert("RGB"), "JPEG" if d.startswith(b"\x89PNG") else "PNG")),
        ("thumbnail", lambda d: encode(_thumbnail(opened(d).convert("RGB"), 0.6), "JPEG")),
        ("progressive JPEG", lambda d: encode(opened(d).convert("RGB"), "JPEG", quality=90,
                                              progressive=True)),
        ("CMYK JPEG", lambda d: encode(opened(d).convert("CMYK"), "JPEG", quality=90)),
        ("resized x2, JPEG q75", lambda d: encode(
            opened(d).convert("RGB").resize((SIZE[0] * 2, SIZE[1] * 2)), "JPEG", quality=75)),
    ],
)
def test_other_modes_and_formats_of_the_same_picture(
    rekognition: Any, classifier: dict[str, Any], what: str, change: Callable[[bytes], bytes]
) -> None:
    for original, label in classifier["pictures"]:
        assert [x["Name"] for x in detect(rekognition, classifier["arn"], change(original))] == [
            label], what


def _thumbnail(image: Image.Image, scale: float) -> Image.Image:
    image.thumbnail((round(image.width * scale), round(image.height * scale)))
    return image


def test_greyscale_picture_saved_in_rgb_and_back(rekognition: Any, classifier: dict[str, Any]
                                                 ) -> None:
    grey, label = classifier["pictures"][-1]  # make_jpeg: a greyscale JPEG
    as_rgb = encode(opened(grey).convert("RGB"), "PNG")
    as_grey_again = encode(opened(as_rgb).convert("L"), "JPEG", quality=85)
    sixteen_bits = encode(opened(grey).convert("I").point(lambda v: v * 257).convert("I;16"),
                          "PNG")
    for copy in (as_rgb, as_grey_again, sixteen_bits):
        assert [x["Name"] for x in detect(rekognition, classifier["arn"], copy)] == [label]


def test_copied_model_recognises_the_same_pictures(
    rekognition: Any, project_arn: str, classifier: dict[str, Any]
) -> None:
    copy = rekognition.copy_project_version(
        SourceProjectArn=project_arn, SourceProjectVersionArn=classifier["arn"],
        DestinationProjectArn=project_arn, VersionName="copy",
        OutputConfig={"S3Bucket": BUCKET})["ProjectVersionArn"]
    rekognition.start_project_version(ProjectVersionArn=copy, MinInferenceUnits=1)
    original, label = classifier["pictures"][0]
    assert [x["Name"] for x in detect(rekognition, copy, jpeg(80)(original))] == [label]


# ------------------------------------------------------- distinct pictures


def unseen_pictures(known: list[bytes]) -> dict[str, bytes]:
    """Pictures none of the known ones is: other scenes, other colours, other seeds, and
    known scenes changed beyond re-encoding (tinted, brighter, cropped, greyscale)."""
    pictures = {f"scene {seed}": encode(scene(seed), "PNG" if seed % 2 else "JPEG")
                for seed in range(100, 124)}
    solid = (200, 30, 30)  # the known solid colour
    for rgb in [(201, 30, 30), (200, 30, 31), (196, 30, 30), (200, 36, 30), (0, 0, 0),
                (255, 255, 255), (128, 128, 128), (30, 30, 200), (200, 30, 60)]:
        pictures[f"solid {rgb}"] = make_png(*SIZE, rgb=rgb)
    pictures["solid (192, 30, 30) as JPEG"] = encode(Image.new("RGB", SIZE, (192, 30, 30)),
                                                     "JPEG", quality=90)
    pictures["known colour, other shape"] = make_png(160, 80, rgb=solid)
    for seed in (0, 1, 2, 4, 96, 9):
        pictures[f"make_jpeg seed {seed}"] = make_jpeg(*SIZE, seed=seed)
    image = opened(known[0]).convert("RGB")
    pictures["known scene 10 % brighter"] = encode(ImageEnhance.Brightness(image).enhance(1.1),
                                                   "PNG")
    red, green, blue = image.split()
    pictures["known scene, bluer"] = encode(
        Image.merge("RGB", (red, green, blue.point(lambda v: min(255, v + 15)))), "PNG")
    pictures["known scene cropped"] = encode(image.crop((12, 0, 160, 120)), "PNG")
    pictures["known scene in grey"] = encode(image.convert("L"), "PNG")
    pictures["known scene mirrored"] = encode(
        image.transpose(Image.Transpose.FLIP_LEFT_RIGHT), "PNG")
    pictures["known scene stretched"] = encode(image.resize((200, 120)), "PNG")
    return pictures


def test_distinct_pictures_get_no_label(rekognition: Any, classifier: dict[str, Any]) -> None:
    known = [data for data, _ in classifier["pictures"]]
    unseen = unseen_pictures(known)
    assert len(unseen) >= 40
    seen = {what: [x["Name"] for x in detect(rekognition, classifier["arn"], data)]
            for what, data in unseen.items()}
    assert seen == {what: [] for what in unseen}


def test_distinct_pictures_get_no_box(rekognition: Any, detector: dict[str, Any]) -> None:
    for what, data in unseen_pictures(detector["pictures"]).items():
        assert detect(rekognition, detector["arn"], data) == [], what


def test_solid_colours_are_told_apart_and_recognised(
    rekognition: Any, s3: Any, bucket: str, project_arn: str
) -> None:
    """The images tests usually make: one solid-colour PNG per label, colours 1 apart."""
    colours = {"a": (100, 100, 100), "b": (101, 100, 100), "c": (100, 100, 102)}
    lines = [classification_line(put(s3, f"solid/{label}.png", make_png(96, 96, rgb)), label)
             for label, rgb in colours.items()]
    arn = train_and_start(rekognition, s3, project_arn, lines)
    for label, rgb in colours.items():
        original = make_png(96, 96, rgb)
        assert [x["Name"] for x in detect(rekognition, arn, original)] == [label]
        assert [x["Name"] for x in detect(rekognition, arn, round_trip(original))] == [label]
        assert [x["Name"] for x in detect(rekognition, arn, resized(2.0)(original))] == [label]
        # JPEG moves a flat colour by a level or two: then it is one of these three.
        assert len(detect(rekognition, arn, jpeg(90)(original))) == 1
    assert detect(rekognition, arn, make_png(96, 96, (102, 100, 100))) == []
    assert detect(rekognition, arn, make_png(96, 96, (100, 108, 100))) == []


def test_undecodable_image_with_a_valid_header_is_an_invalid_format(
    rekognition: Any, classifier: dict[str, Any]
) -> None:
    """Not an unknown picture but a broken image: the service cannot read it."""
    png = make_png(*SIZE, rgb=(200, 30, 30))
    broken = png[:-30] + b"\x00" * 30  # header intact, pixel data cut
    with pytest.raises(rekognition.exceptions.InvalidImageFormatException):
        detect(rekognition, classifier["arn"], broken)


# --------------------------------------------------------- scripted answers


def test_scripted_answers_match_the_same_picture(
    rekognition: Any, classifier: dict[str, Any], rekomock: Controller
) -> None:
    arn = classifier["arn"]
    photo = encode(scene(500), "JPEG", quality=92)
    rekomock.set_detections([{"Name": "scripted", "Confidence": 77.0}], image=photo)
    for copy in (round_trip(photo), jpeg(75)(photo), resized(0.75)(photo),
                 encode(opened(photo), "PNG")):
        assert detect(rekognition, arn, copy) == [{"Name": "scripted", "Confidence": 77.0}]
    assert detect(rekognition, arn, encode(scene(501), "JPEG")) == []
    # A scripted answer for a known picture wins over its ground truth in other bytes too.
    known, _ = classifier["pictures"][0]
    rekomock.set_detections([{"Name": "override", "Confidence": 88.0}], version=arn,
                            image=known)
    assert [x["Name"] for x in detect(rekognition, arn, jpeg(90)(known))] == ["override"]
    rekomock.clear_detections()
    assert detect(rekognition, arn, jpeg(75)(photo)) == []
    assert [x["Name"] for x in detect(rekognition, arn, jpeg(90)(known))] == [
        classifier["pictures"][0][1]]


def test_scripted_answer_for_an_image_beats_one_for_any_image_of_a_model(
    rekognition: Any, classifier: dict[str, Any], rekomock: Controller
) -> None:
    arn = classifier["arn"]
    photo = encode(scene(600), "PNG")
    rekomock.set_detections([{"Name": "this", "Confidence": 95.0}], version=arn,
                            image=photo)
    rekomock.set_detections([{"Name": "anything", "Confidence": 95.0}], version=arn)
    assert [x["Name"] for x in detect(rekognition, arn, jpeg(85)(photo))] == ["this"]
    assert [x["Name"] for x in detect(rekognition, arn, encode(scene(601), "PNG"))] == [
        "anything"]


def test_training_evaluates_with_answers_scripted_for_the_same_picture(
    rekognition: Any, s3: Any, bucket: str, project_arn: str, rekomock: Controller
) -> None:
    indoor = known_pictures()[0]
    rekomock.set_detections([{"Name": "outdoor", "Confidence": 90.0}], image=jpeg(90)(indoor))
    model = train_classifier(rekognition, s3, project_arn)
    (desc,) = rekognition.describe_project_versions(ProjectArn=project_arn)[
        "ProjectVersionDescriptions"]
    assert desc["EvaluationResult"]["F1Score"] < 1.0  # the test set saw it as outdoor
    assert [x["Name"] for x in detect(rekognition, model["arn"], indoor)] == ["outdoor"]
