"""Every JSON line rule of a training manifest, seen as a user sees it: the line of the
``TrainingManifestWithValidation`` file with its ``errors``/``warnings`` where the guide's
"Understanding training and testing validation result manifests" and "Non-Terminal JSON Line
Validation Errors" pages put them, with the code and message the pages give (written out
here, never read from rekomock), and the line counted valid, invalid or ignored in the
manifest summary ("Understanding the manifest summary")."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any, NamedTuple

import pytest

from rekomock.testing import (
    classification_line,
    describe_version,
    detection_line,
    make_png,
    manifest_asset,
    put_classification_dataset,
)

#: The ``bucket`` fixture's bucket.
BUCKET = "rekomock-test-bucket"
CREATED = "2024-01-01T00:00:00.000"

#: The messages of the guide's "Non-Terminal JSON Line Validation Errors" page, verbatim.
MESSAGES = {
    "ERROR_MISSING_SOURCE_REF": "The source-ref key is missing.",
    "ERROR_INVALID_SOURCE_REF_FORMAT": "The format of the source-ref value is invalid.",
    "ERROR_NO_LABEL_ATTRIBUTES": "No label attributes found.",
    "ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT":
        "The format of the label attribute metadata is invalid.",
    "ERROR_NO_VALID_LABEL_ATTRIBUTES": "No valid label attributes found.",
    "ERROR_MISSING_BOUNDING_BOX_CONFIDENCE":
        "One or more bounding boxes has a missing confidence value.",
    "ERROR_MISSING_CLASS_MAP_ID": "One of more class ids is missing from the class map.",
    "ERROR_INVALID_JSON_LINE": "The JSON Line has an invalid format.",
    "ERROR_INVALID_IMAGE": "The image is invalid. Check S3 path and/or image properties.",
    "ERROR_INVALID_IMAGE_DIMENSION":
        "The image dimension(s) do not conform to allowed dimensions.",
    "ERROR_INVALID_BOUNDING_BOX": "The bounding box has off frame values.",
    "ERROR_BOUNDING_BOX_TOO_SMALL": "The height and width of the bounding box is too small.",
    "ERROR_TOO_MANY_BOUNDING_BOXES": "There are more bounding boxes than the allowed maximum.",
    "ERROR_NO_VALID_ANNOTATIONS": "No valid annotations found.",
    "ERROR_INVALID_LABEL_NAME_LENGTH":
        "The length of a label name is too long. The maximum length is 256 characters.",
    "WARNING_UNANNOTATED_RECORD": "Record is unannotated.",
    "WARNING_NO_ANNOTATIONS": "No annotations were found.",
    "WARNING_NO_ATTRIBUTE_ANNOTATIONS": "No attribute annotations were found.",
    # Codes the pages do not name; rekomock's (docs/decisions.md, *Manifests*).
    "ERROR_DUPLICATE_SOURCE_REF": "The source-ref value is used by an earlier JSON Line.",
    "ERROR_TOO_MANY_LABELS_PER_IMAGE":
        "There are more labels for the image than the allowed maximum.",
}


def err(code: str, message: str | None = None) -> dict[str, str]:
    return {"code": code, "message": message or MESSAGES[code]}


def attribute_format(attribute: str) -> dict[str, str]:
    return err("ERROR_INVALID_LABEL_ATTRIBUTE_FORMAT",
               f"The format of the label attribute {attribute} is invalid.")


def unsupported_type(metadata_key: str) -> dict[str, str]:
    return err("ERROR_UNSUPPORTED_USE_CASE_TYPE",
               f"The use case type of the {metadata_key} label attribute metadata is "
               "unsupported. Check the type field.")


class Validated(NamedTuple):
    desc: dict[str, Any]
    training: list[dict[str, Any]]
    testing: list[dict[str, Any]]
    summary: dict[str, Any]


def jsonl(lines: list[dict[str, Any] | str]) -> bytes:
    """JSON Lines; a ``str`` is written as it is (a line that is not JSON)."""
    return "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines).encode()


def s3_lines(s3: Any, ref: dict[str, Any]) -> list[dict[str, Any]]:
    body = s3.get_object(Bucket=ref["Bucket"], Key=ref["Name"])["Body"].read()
    return [json.loads(line) for line in body.splitlines()]


def validation_ref(desc: dict[str, Any], part: str) -> dict[str, Any]:
    return dict(desc[part]["Validation"]["Assets"][0]["GroundTruthManifest"]["S3Object"])


@pytest.fixture
def good(s3: Any, bucket: str) -> list[dict[str, Any]]:
    """Ten valid image-level lines (5 cat, 5 dog) over uploaded images."""
    _, images = put_classification_dataset(s3, bucket, {"cat": 5, "dog": 5})
    return [classification_line(uri, label) for uri, label in images]


@pytest.fixture
def validate(rekognition: Any, s3: Any, project_arn: str,
             good: list[dict[str, Any]]) -> Callable[..., Validated]:
    """Train v1 on ``lines`` (and ``testing``, the good lines by default); the files it wrote."""

    def _validate(lines: list[dict[str, Any] | str],
                  testing: list[dict[str, Any] | str] | None = None) -> Validated:
        s3.put_object(Bucket=BUCKET, Key="train.manifest", Body=jsonl(lines))
        s3.put_object(Bucket=BUCKET, Key="test.manifest",
                      Body=jsonl(list(good) if testing is None else testing))
        rekognition.create_project_version(
            ProjectArn=project_arn, VersionName="v1", OutputConfig={"S3Bucket": BUCKET},
            TrainingData=manifest_asset(BUCKET, "train.manifest"),
            TestingData=manifest_asset(BUCKET, "test.manifest"),
        )
        desc = describe_version(rekognition, project_arn, "v1")
        return Validated(desc, s3_lines(s3, validation_ref(desc, "TrainingDataResult")),
                         s3_lines(s3, validation_ref(desc, "TestingDataResult")),
                         s3_lines(s3, desc["ManifestSummary"]["S3Object"])[0])

    return _validate


def put_image(s3: Any, key: str, size: tuple[int, int] = (640, 480)) -> str:
    s3.put_object(Bucket=BUCKET, Key=key, Body=make_png(*size, rgb=(len(key) % 256, 80, 20)))
    return f"s3://{BUCKET}/{key}"


def box_line(s3: Any, key: str, boxes: list[tuple[str, int, int, int, int]],
             size: tuple[int, int] = (640, 480)) -> dict[str, Any]:
    return detection_line(put_image(s3, key, size), size, boxes)


def with_errors(line: dict[str, Any], *errors: dict[str, str]) -> dict[str, Any]:
    out = copy.deepcopy(line)
    out["errors"] = list(errors)
    return out


# ------------------------------------------------------------------ one bad line


def _cases(s3: Any) -> dict[str, tuple[dict[str, Any] | str, dict[str, Any], str]]:
    """Case -> (line, its validation line, its state in the summary)."""
    made = iter(range(1000))

    def cat_line() -> dict[str, Any]:
        """A valid line of its own image."""
        return classification_line(put_image(s3, f"extra/{next(made)}.png", (64, 64)), "cat")

    cases: dict[str, tuple[dict[str, Any] | str, dict[str, Any], str]] = {}
    cat = cat_line()

    no_ref = {k: v for k, v in cat.items() if k != "source-ref"}
    cases["missing source-ref"] = (no_ref, with_errors(no_ref, err("ERROR_MISSING_SOURCE_REF")),
                                   "invalid")
    for name, ref in [("https", "https://rekomock-test-bucket/a.png"),
                      ("no key", "s3://rekomock-test-bucket/"),
                      ("bucket too short", "s3://ab/a.png"),
                      ("not a string", 7)]:
        line = {**cat_line(), "source-ref": ref}
        cases[f"source-ref {name}"] = (
            line, with_errors(line, err("ERROR_INVALID_SOURCE_REF_FORMAT")), "invalid")

    only_ref = {"source-ref": cat_line()["source-ref"]}
    cases["just a source-ref"] = (
        only_ref, {**only_ref, "warnings": [err("WARNING_UNANNOTATED_RECORD")]}, "ignored")
    attr_only = {"source-ref": cat_line()["source-ref"], "cat-label": 1}
    cases["attribute without metadata"] = (
        attr_only, with_errors(attr_only, err("ERROR_NO_LABEL_ATTRIBUTES")), "invalid")
    meta_only = {"source-ref": cat_line()["source-ref"],
                 "cat-label-metadata": cat["cat-label-metadata"]}
    cases["metadata without attribute"] = (
        meta_only, with_errors(meta_only, err("ERROR_NO_LABEL_ATTRIBUTES")), "invalid")
    stray = {**cat_line(), "dog-label-metadata": {"class-name": "dog"}}
    expected = copy.deepcopy(stray)
    expected["dog-label-metadata"]["errors"] = [err("ERROR_NO_LABEL_ATTRIBUTES")]
    cases["stray metadata beside a pair"] = (stray, expected, "invalid")
    extra = {**cat_line(), "comment": "kept"}
    cases["extra key beside a pair"] = (extra, extra, "valid")

    for value in ["1", True, 1.0, None]:
        line = {**cat_line(), "cat-label": value}
        cases[f"classification value {value!r}"] = (
            line, with_errors(line, attribute_format("cat-label"),
                              err("ERROR_NO_VALID_LABEL_ATTRIBUTES")), "invalid")
    for field, bad in [("confidence", 1.5), ("confidence", -0.1), ("confidence", "1"),
                       ("confidence", None), ("class-name", ""), ("class-name", 3),
                       ("human-annotated", "maybe"), ("creation-date", ""),
                       ("creation-date", None)]:
        line = cat_line()
        if bad is None:
            del line["cat-label-metadata"][field]
        else:
            line["cat-label-metadata"][field] = bad
        expected = copy.deepcopy(line)
        expected["cat-label-metadata"]["errors"] = [
            err("ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT")]
        expected["errors"] = [err("ERROR_NO_VALID_LABEL_ATTRIBUTES")]
        cases[f"classification metadata {field}={bad!r}"] = (line, expected, "invalid")
    line = {**cat_line(), "cat-label-metadata": "not an object"}
    cases["metadata not an object"] = (line, with_errors(
        line, err("ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT"),
        err("ERROR_NO_VALID_LABEL_ATTRIBUTES")), "invalid")
    for kind in ["groundtruth/semantic-segmentation", "", None]:
        line = cat_line()
        line["cat-label-metadata"]["type"] = kind
        expected = copy.deepcopy(line)
        expected["cat-label-metadata"]["errors"] = [
            unsupported_type("cat-label-metadata") if kind else
            err("ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT")]
        expected["errors"] = [err("ERROR_NO_VALID_LABEL_ATTRIBUTES")]
        cases[f"metadata type {kind!r}"] = (line, expected, "invalid")
    for length, state in [(256, "valid"), (257, "invalid")]:
        line = cat_line()
        line["cat-label-metadata"]["class-name"] = "c" * length
        expected = copy.deepcopy(line)
        if state == "invalid":
            expected["cat-label-metadata"]["errors"] = [err("ERROR_INVALID_LABEL_NAME_LENGTH")]
            expected["errors"] = [err("ERROR_NO_VALID_LABEL_ATTRIBUTES")]
        cases[f"label name of {length} characters"] = (line, expected, state)

    for raw in ["{not json", "[1, 2]", '"a string"', "", '{"source-ref": NaN}']:
        cases[f"line {raw!r}"] = (raw, {"errors": [err("ERROR_INVALID_JSON_LINE")]}, "invalid")
    missing = classification_line(f"s3://{BUCKET}/extra/missing.png", "cat")
    cases["image missing"] = (missing, with_errors(missing, err("ERROR_INVALID_IMAGE")),
                              "invalid")
    s3.put_object(Bucket=BUCKET, Key="extra/text.png", Body=b"not a picture")
    text = classification_line(f"s3://{BUCKET}/extra/text.png", "cat")
    cases["not an image"] = (text, with_errors(text, err("ERROR_INVALID_IMAGE")), "invalid")
    tiny = classification_line(put_image(s3, "extra/tiny.png", (32, 32)), "cat")
    cases["image too small, image-level"] = (
        tiny, with_errors(tiny, err("ERROR_INVALID_IMAGE")), "invalid")
    return cases


def test_each_line_rule_as_the_validation_manifest_shows_it(s3: Any, good: list[dict[str, Any]],
                                                            validate: Any) -> None:
    cases = _cases(s3)
    lines: list[dict[str, Any] | str] = [*good, *(line for line, _, _ in cases.values())]
    result = validate(lines)
    got = dict(zip(cases, result.training[len(good):], strict=True))
    for name, (_, expected, _) in cases.items():
        assert got[name] == expected, name
    assert result.training[:len(good)] == good
    stats = result.summary["statistics"]["training"]
    states = [state for _, _, state in cases.values()]
    assert stats["total_json_lines"] == len(lines)
    assert stats["valid_json_lines"] == len(good) + states.count("valid")
    assert stats["invalid_json_lines"] == states.count("invalid")
    assert stats["ignored_json_lines"] == states.count("ignored")
    assert stats["error_json_line_indices"] == [
        len(good) + 1 + i for i, (_, expected, _) in enumerate(cases.values())
        if json.dumps(expected).count('"errors"')]


def _box_cases(s3: Any) -> dict[str, tuple[dict[str, Any], dict[str, Any], str]]:
    """Object-localization lines: case -> (line, its validation line, its state)."""
    made = iter(range(1000))

    def boxes_line(boxes: list[tuple[str, int, int, int, int]],
                   size: tuple[int, int] = (640, 480),
                   image: tuple[int, int] | None = None) -> dict[str, Any]:
        """A line of its own image (of ``image`` size, ``size`` unless given)."""
        return detection_line(put_image(s3, f"boxes/{next(made)}.png", image or size), size,
                              boxes)

    cases: dict[str, tuple[dict[str, Any], dict[str, Any], str]] = {}
    no_valid = err("ERROR_NO_VALID_LABEL_ATTRIBUTES")

    def in_attribute(line: dict[str, Any], *errors: dict[str, str]) -> dict[str, Any]:
        out = copy.deepcopy(line)
        out["bounding-box"]["errors"] = list(errors)
        out["errors"] = [no_valid]
        return out

    def in_metadata(line: dict[str, Any], *errors: dict[str, str]) -> dict[str, Any]:
        out = copy.deepcopy(line)
        out["bounding-box-metadata"]["errors"] = list(errors)
        out["errors"] = [no_valid]
        return out

    fine = boxes_line([("cat", 10, 10, 100, 100)])
    cases["a valid box"] = (fine, fine, "valid")
    # The attribute's format [Object localization in manifest files].
    for name, change in [
        ("image_size missing", lambda v: v.pop("image_size")),
        ("image_size empty", lambda v: v.update(image_size=[])),
        ("image_size of two", lambda v: v.update(image_size=v["image_size"] * 2)),
        ("image_size not objects", lambda v: v.update(image_size=[[640, 480, 3]])),
        ("width a string", lambda v: v["image_size"][0].update(width="640")),
        ("height a float", lambda v: v["image_size"][0].update(height=480.0)),
        ("width 0", lambda v: v["image_size"][0].update(width=0)),
        ("height 0", lambda v: v["image_size"][0].update(height=0)),
        ("depth missing", lambda v: v["image_size"][0].pop("depth")),
        ("annotations an object", lambda v: v.update(annotations={})),
        ("annotation not an object", lambda v: v.update(annotations=[7])),
        ("left missing", lambda v: v["annotations"][0].pop("left")),
        ("top a string", lambda v: v["annotations"][0].update(top="1")),
        ("width missing", lambda v: v["annotations"][0].pop("width")),
        ("height true", lambda v: v["annotations"][0].update(height=True)),
        ("class_id a float", lambda v: v["annotations"][0].update(class_id=0.0)),
    ]:
        line = boxes_line([("cat", 10, 10, 100, 100)])
        change(line["bounding-box"])
        cases[f"attribute: {name}"] = (line, in_attribute(line, attribute_format("bounding-box")),
                                       "invalid")
    line = boxes_line([("cat", 10, 10, 100, 100)])
    line["bounding-box"] = [1, 2]
    cases["attribute not an object"] = (
        line, with_errors(line, attribute_format("bounding-box"), no_valid), "invalid")
    for name, change in [
        ("objects missing", lambda m: m.pop("objects")),
        ("objects an object", lambda m: m.update(objects={})),
        ("class-map a list", lambda m: m.update({"class-map": ["cat"]})),
        ("class name empty", lambda m: m.update({"class-map": {"0": ""}})),
        ("class name a number", lambda m: m.update({"class-map": {"0": 5}})),
        ("human-annotated true", lambda m: m.update({"human-annotated": True})),
        ("creation-date missing", lambda m: m.pop("creation-date")),
    ]:
        line = boxes_line([("cat", 10, 10, 100, 100)])
        change(line["bounding-box-metadata"])
        cases[f"metadata: {name}"] = (
            line, in_metadata(line, err("ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT")),
            "invalid")
    for length, state in [(256, "valid"), (257, "invalid")]:
        line = boxes_line([("c" * length, 10, 10, 100, 100)])
        cases[f"class name of {length} characters"] = (
            line, line if state == "valid" else
            in_metadata(line, err("ERROR_INVALID_LABEL_NAME_LENGTH")), state)
    # Image dimensions as the line claims them: 64-4096 px, at most 20:1.
    for size, state in [((64, 64), "valid"), ((63, 480), "invalid"), ((640, 63), "invalid"),
                        ((4096, 205), "valid"), ((4097, 300), "invalid"),
                        ((300, 4097), "invalid"), ((1300, 64), "invalid"),
                        ((64, 1300), "invalid")]:
        line = boxes_line([("cat", 0, 0, 60, 60)], size, image=(64, 64))
        cases[f"image_size {size}"] = (
            line, line if state == "valid" else
            with_errors(line, err("ERROR_INVALID_IMAGE_DIMENSION"), no_valid), state)
    # The image itself, looked up: judged as a box image.
    line = boxes_line([("cat", 10, 10, 100, 100)], image=(32, 32))
    cases["image too small, box image"] = (
        line, with_errors(line, err("ERROR_INVALID_IMAGE_DIMENSION")), "invalid")
    line = boxes_line([("cat", 10, 10, 100, 100)])
    line["source-ref"] = f"s3://{BUCKET}/boxes/none.png"
    cases["box image missing"] = (line, with_errors(line, err("ERROR_INVALID_IMAGE")), "invalid")
    # No boxes: ignored, warned.
    for human, top in [("yes", "WARNING_NO_ANNOTATIONS"), ("no", "WARNING_UNANNOTATED_RECORD")]:
        for name, change in [("empty", lambda v: v.update(annotations=[])),
                             ("absent", lambda v: v.pop("annotations"))]:
            line = boxes_line([])
            line["bounding-box-metadata"]["human-annotated"] = human
            change(line["bounding-box"])
            expected = copy.deepcopy(line)
            expected["bounding-box"]["warnings"] = [err("WARNING_NO_ATTRIBUTE_ANNOTATIONS")]
            expected["warnings"] = [err(top)]
            cases[f"annotations {name}, human-annotated {human}"] = (line, expected, "ignored")
    for count, state in [(50, "valid"), (51, "invalid")]:
        line = boxes_line([("cat", 5 + i, 5, 10, 10) for i in range(count)])
        cases[f"{count} boxes"] = (
            line, line if state == "valid" else in_attribute(
                line, err("ERROR_TOO_MANY_BOUNDING_BOXES")), state)
    for name, objects in [("one object short", [{"confidence": 1}]),
                          ("object not an object", [{"confidence": 1}, 1]),
                          ("confidence missing", [{"confidence": 1}, {}]),
                          ("confidence a string", [{"confidence": 1}, {"confidence": "1"}])]:
        line = boxes_line([("cat", 10, 10, 100, 100), ("dog", 200, 10, 100, 100)])
        line["bounding-box-metadata"]["objects"] = objects
        cases[f"confidence: {name}"] = (
            line, in_metadata(line, err("ERROR_MISSING_BOUNDING_BOX_CONFIDENCE")), "invalid")
    line = boxes_line([("cat", 10, 10, 100, 100), ("dog", 200, 10, 100, 100)])
    line["bounding-box"]["annotations"][1]["class_id"] = 9
    cases["class id not in the class map"] = (
        line, in_metadata(line, err("ERROR_MISSING_CLASS_MAP_ID")), "invalid")
    line = boxes_line([("cat", 10, 10, 100, 100)])
    line["bounding-box"]["annotations"][0]["class_id"] = "0"
    cases["class id as a string"] = (line, line, "valid")
    line = boxes_line([("cat", 10, 10, 100, 100)])
    line["bounding-box-metadata"]["objects"] = [{"confidence": 1}, {"confidence": 1}]
    line["bounding-box"]["annotations"][0]["class_id"] = 4
    cases["both confidence and class id"] = (line, in_metadata(
        line, err("ERROR_MISSING_BOUNDING_BOX_CONFIDENCE"), err("ERROR_MISSING_CLASS_MAP_ID")),
        "invalid")
    # Boxes off the frame or too small: only that box is dropped.
    for name, box in [("left < 0", (-1, 10, 50, 50)), ("top < 0", (10, -1, 50, 50)),
                      ("width < 0", (100, 10, -5, 50)), ("height < 0", (10, 100, 50, -5)),
                      ("past the right", (600, 10, 41, 50)),
                      ("past the bottom", (10, 440, 50, 41)),
                      ("too narrow", (10, 10, 1, 50)), ("too low", (10, 10, 50, 1))]:
        line = boxes_line([("cat", 10, 10, 100, 100), ("dog", *box)])
        expected = copy.deepcopy(line)
        code = "ERROR_BOUNDING_BOX_TOO_SMALL" if "too" in name else "ERROR_INVALID_BOUNDING_BOX"
        expected["bounding-box"]["annotations"][1]["errors"] = [err(code)]
        cases[f"box {name}"] = (line, expected, "valid")
    for name, box in [("on the right edge", (600, 10, 40, 50)),
                      ("on the bottom edge", (10, 430, 50, 50)),
                      ("at the origin", (0, 0, 2, 2))]:
        line = boxes_line([("cat", *box)])
        cases[f"box {name}"] = (line, line, "valid")
    # Sides must exceed 1 px once the image is shrunk to 1280 px.
    for size, side, state in [((2560, 200), 2, "invalid"), ((2560, 200), 3, "valid"),
                              ((200, 2560), 2, "invalid"), ((1280, 200), 2, "valid")]:
        line = boxes_line([("cat", 0, 0, side, side)], size, image=(64, 64))
        expected = copy.deepcopy(line)
        if state == "invalid":
            expected["bounding-box"]["annotations"][0]["errors"] = [
                err("ERROR_BOUNDING_BOX_TOO_SMALL")]
            expected["bounding-box"]["errors"] = [err("ERROR_NO_VALID_ANNOTATIONS")]
            expected["errors"] = [no_valid]
        cases[f"{side} px box in {size}"] = (line, expected, state)
    line = boxes_line([("cat", -1, 10, 50, 50), ("dog", 10, 10, 1, 1)])
    expected = copy.deepcopy(line)
    expected["bounding-box"]["annotations"][0]["errors"] = [err("ERROR_INVALID_BOUNDING_BOX")]
    expected["bounding-box"]["annotations"][1]["errors"] = [err("ERROR_BOUNDING_BOX_TOO_SMALL")]
    expected["bounding-box"]["errors"] = [err("ERROR_NO_VALID_ANNOTATIONS")]
    expected["errors"] = [no_valid]
    cases["no valid box"] = (line, expected, "invalid")
    return cases


def test_each_box_rule_as_the_validation_manifest_shows_it(s3: Any, good: list[dict[str, Any]],
                                                           validate: Any) -> None:
    cases = _box_cases(s3)
    lines: list[dict[str, Any] | str] = [*good, *(line for line, _, _ in cases.values())]
    result = validate(lines)
    got = dict(zip(cases, result.training[len(good):], strict=True))
    for name, (_, expected, _) in cases.items():
        assert got[name] == expected, name
    stats = result.summary["statistics"]["training"]
    states = [state for _, _, state in cases.values()]
    assert stats["valid_json_lines"] == len(good) + states.count("valid")
    assert stats["invalid_json_lines"] == states.count("invalid")
    assert stats["ignored_json_lines"] == states.count("ignored")


def test_labels_per_image_duplicates_and_mixed_lines(s3: Any, good: list[dict[str, Any]],
                                                     validate: Any) -> None:
    many = classification_line(put_image(s3, "more/many.png"), *(f"l{i}" for i in range(51)))
    fifty = classification_line(put_image(s3, "more/fifty.png"), *(f"l{i}" for i in range(50)))
    twice = classification_line(put_image(s3, "more/twice.png"), "cat")
    twice["again"], twice["again-metadata"] = 1, twice["cat-label-metadata"]
    # Boxes and image-level labels together: 25 + 26 names, and 50 + 1 names of which 50 differ.
    mixed = box_line(s3, "more/mixed.png", [(f"b{i}", 5 + i, 5, 10, 10) for i in range(26)])
    mixed.update(classification_line(mixed["source-ref"], *(f"c{i}" for i in range(25))))
    same = box_line(s3, "more/same.png", [(f"l{i}", 5 + i, 5, 10, 10) for i in range(50)])
    same.update(classification_line(same["source-ref"], "l0"))
    lines: list[dict[str, Any] | str] = [*good, many, fifty, twice, mixed, same, good[0], good[1]]
    result = validate(lines)
    got = result.training[len(good):]
    too_many = err("ERROR_TOO_MANY_LABELS_PER_IMAGE")
    assert got[0] == with_errors(many, too_many)
    assert got[1:3] == [fifty, twice]
    assert got[3] == with_errors(mixed, too_many)
    assert got[4] == same
    duplicate = err("ERROR_DUPLICATE_SOURCE_REF")
    assert got[5:] == [with_errors(good[0], duplicate), with_errors(good[1], duplicate)]
    assert result.training[:len(good)] == good  # the first of a source-ref wins
    stats = result.summary["statistics"]["training"]
    assert (stats["valid_json_lines"], stats["invalid_json_lines"]) == (len(good) + 3, 4)
    n = len(good)
    assert stats["error_json_line_indices"] == [n + 1, n + 4, n + 6, n + 7]


def test_line_length_limit_crlf_and_byte_order_mark(rekognition: Any, s3: Any, project_arn: str,
                                                    good: list[dict[str, Any]]) -> None:
    """A JSON line may have up to 100,000 characters [Guidelines and quotas]."""
    def padded(line: dict[str, Any], length: int) -> str:
        text = json.dumps({**line, "pad": ""})
        return json.dumps({**line, "pad": "x" * (length - len(text))})

    at_limit, over = padded(good[0], 100_000), padded(good[1], 100_001)
    assert (len(at_limit), len(over)) == (100_000, 100_001)
    body = "\ufeff" + "\r\n".join([at_limit, over, *map(json.dumps, good[2:])]) + "\r\n"
    s3.put_object(Bucket=BUCKET, Key="train.manifest", Body=body.encode())
    s3.put_object(Bucket=BUCKET, Key="test.manifest", Body=jsonl(list(good)))
    rekognition.create_project_version(
        ProjectArn=project_arn, VersionName="v1", OutputConfig={"S3Bucket": BUCKET},
        TrainingData=manifest_asset(BUCKET, "train.manifest"),
        TestingData=manifest_asset(BUCKET, "test.manifest"))
    desc = describe_version(rekognition, project_arn, "v1")
    assert desc["Status"] == "TRAINING_COMPLETED", desc.get("StatusMessage")
    training = s3_lines(s3, validation_ref(desc, "TrainingDataResult"))
    assert training[0] == json.loads(at_limit)
    assert training[1] == {"errors": [err("ERROR_INVALID_JSON_LINE")]}
    assert training[2:] == good[2:]
    summary = s3_lines(s3, desc["ManifestSummary"]["S3Object"])[0]
    assert summary["statistics"]["training"]["error_json_line_indices"] == [2]


def test_service_fields_of_a_line_are_recomputed(s3: Any, good: list[dict[str, Any]],
                                                 validate: Any) -> None:
    """A validation manifest given back as a manifest: old errors, warnings, cl-errors and
    cl-metadata are dropped wherever they are, and the line judged again."""
    stale = [{"code": "ERROR_OLD", "message": "old"}]
    service = {"errors": stale, "warnings": stale, "cl-errors": stale}
    fixed = box_line(s3, "again/fixed.png", [("cat", 10, 10, 100, 100)])
    given = copy.deepcopy(fixed)
    given.update(service, **{"cl-metadata": {"is_labeled": True}})
    given["bounding-box"].update(service)
    given["bounding-box-metadata"].update(service)
    given["bounding-box"]["annotations"][0].update(errors=stale)
    label = classification_line(put_image(s3, "again/label.png"), "cat")
    given_label = copy.deepcopy(label)
    given_label["cat-label-metadata"].update(service)
    given_label["cat-label"] = 1
    warned = classification_line(put_image(s3, "again/warned.png"), "dog")
    given_warned = copy.deepcopy(warned)
    given_warned["dog-label-metadata"]["warnings"] = stale
    result = validate([*good, given, given_label, given_warned])
    assert result.training[len(good):] == [fixed, label, warned]
