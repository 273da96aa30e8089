"""Ground Truth manifests: file errors, line errors and warnings, use case, content errors,
split, and the training outputs built from them (rekomock._domain.manifests and outputs;
[CL:md-create-manifest-file; CL:tm-debugging-summary])."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pytest

from rekomock._domain import manifests as m
from rekomock._domain.images import ImageInfo
from rekomock._domain.manifest_codes import MESSAGES
from rekomock._domain.manifests import (
    Box,
    ManifestFileError,
    ParsedManifest,
    auto_split,
    content_errors,
    parse_manifest,
)
from rekomock._domain.outputs import manifest_summary, validation_manifest

BUCKET = "my-bucket"
CREATED = "2020-03-06T17:46:39.176"


def cls_line(ref: str, *labels: str) -> dict[str, Any]:
    """An image-level line, one attribute/metadata pair per label
    [CL:md-create-manifest-file-classification]."""
    line: dict[str, Any] = {"source-ref": ref}
    for label in labels:
        line[f"{label}-attr"] = 1
        line[f"{label}-attr-metadata"] = {
            "confidence": 1, "job-name": f"labeling-job/{label}", "class-name": label,
            "human-annotated": "yes", "creation-date": CREATED,
            "type": "groundtruth/image-classification",
        }
    return line


def det_line(ref: str, boxes: Iterable[tuple[str, float, float, float, float]],
             size: tuple[int, int] = (640, 480), human: str = "yes") -> dict[str, Any]:
    """An object-localization line; boxes are (label, left, top, width, height)
    [CL:md-create-manifest-file-object-detection]."""
    boxes = list(boxes)
    ids = {name: i for i, name in enumerate(sorted({b[0] for b in boxes}))}
    return {
        "source-ref": ref,
        "bounding-box": {
            "image_size": [{"width": size[0], "height": size[1], "depth": 3}],
            "annotations": [{"class_id": ids[n], "top": t, "left": left, "width": w, "height": h}
                            for n, left, t, w, h in boxes],
        },
        "bounding-box-metadata": {
            "objects": [{"confidence": 1} for _ in boxes],
            "class-map": {str(i): n for n, i in ids.items()},
            "type": "groundtruth/object-detection", "human-annotated": human,
            "creation-date": CREATED, "job-name": "my job",
        },
    }


def ref(name: str, bucket: str = BUCKET) -> str:
    return f"s3://{bucket}/images/{name}.png"


def dump(lines: Iterable[dict[str, Any] | str]) -> bytes:
    return "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines).encode()


def parse(lines: Iterable[dict[str, Any] | str], **kwargs: Any) -> ParsedManifest:
    return parse_manifest(dump(lines), **kwargs)


def one(line: dict[str, Any] | str, **kwargs: Any) -> m.ManifestLine:
    """The checked entry of a single line (plus a valid filler line so the file is JSON)."""
    return parse([line, cls_line(ref("filler"), "filler")], **kwargs).entries[0]


def codes(entry: m.ManifestLine) -> list[str]:
    return [e["code"] for e in entry.errors]


def warning_codes(entry: m.ManifestLine) -> list[str]:
    return [e["code"] for e in entry.warnings]


def good_manifest(labels: dict[str, int], prefix: str = "img") -> list[dict[str, Any]]:
    return [cls_line(ref(f"{prefix}-{label}-{i}"), label)
            for label, n in labels.items() for i in range(n)]


# ---------------------------------------------------------------- file errors (§4.6)


def _file_error(data: bytes) -> ManifestFileError:
    with pytest.raises(ManifestFileError) as err:
        parse_manifest(data)
    return err.value


def test_file_error_not_utf8() -> None:
    err = _file_error(b'{"source-ref": "\xff\xfe"}\n')
    assert (err.code, err.message) == (
        "ERROR_MANIFEST_INACCESSIBLE_OR_UNSUPPORTED_FORMAT",
        "The manifest file extension or contents are invalid.",
    )


@pytest.mark.parametrize("data", [b"a,b,c\n1,2,3\n", b"[1, 2]\n\"x\"\n", b"\x89PNG\r\n\x1a\n"])
def test_file_error_no_json_object_at_all(data: bytes) -> None:
    assert _file_error(data).code == "ERROR_MANIFEST_INACCESSIBLE_OR_UNSUPPORTED_FORMAT"


@pytest.mark.parametrize("data", [b"", b"\n\n", b"  \r\n\t\n"])
def test_file_error_empty(data: bytes) -> None:
    err = _file_error(data)
    assert (err.code, err.message) == ("ERROR_EMPTY_MANIFEST", "The manifest file is empty.")


def test_file_error_size(monkeypatch: pytest.MonkeyPatch) -> None:
    data = dump(good_manifest({"a": 2, "b": 2}))
    monkeypatch.setattr(m, "MAX_MANIFEST_BYTES", len(data))
    parse_manifest(data)  # at the limit: fine
    monkeypatch.setattr(m, "MAX_MANIFEST_BYTES", len(data) - 1)
    err = _file_error(data)
    assert (err.code, err.message) == (
        "ERROR_MANIFEST_SIZE_TOO_LARGE",
        "The manifest file size exceeds the maximum supported size.",
    )


def test_file_error_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(m, "MAX_MANIFEST_ROWS", 4)
    assert parse(good_manifest({"a": 2, "b": 2})).total_json_lines == 4
    err = _file_error(dump(good_manifest({"a": 3, "b": 2})))
    assert (err.code, err.message) == (
        "ERROR_MANIFEST_ROWS_EXCEEDS_MAXIMUM", "The manifest file has too many rows."
    )


def test_manifest_file_error_attributes() -> None:
    err = ManifestFileError("ERROR_EMPTY_MANIFEST")
    assert err.message == "The manifest file is empty." and "ERROR_EMPTY_MANIFEST" in str(err)
    assert ManifestFileError("X", "custom").message == "custom"


# --------------------------------------------------------- line parsing (§4.2, §4.3)


def test_classification_single_label() -> None:
    p = parse([cls_line(ref("a"), "sunrise"), cls_line(ref("b"), "sunset")])
    e = p.entries[0]
    assert (e.index, e.state, e.kind, e.labels, e.boxes) == (
        1, "valid", "IMAGE_LEVEL_LABELS", ("sunrise",), ())
    assert (e.source_ref, e.bucket, e.key) == (ref("a"), BUCKET, "images/a.png")
    assert e.errors == [] and e.warnings == []
    assert p.use_case == "IMAGE_LEVEL_LABELS" and p.labels == ["sunrise", "sunset"]
    assert p.usable() == p.entries


def test_classification_multi_label() -> None:
    e = one(cls_line(ref("a"), "football", "ball"))
    assert e.state == "valid" and e.labels == ("football", "ball")


def test_classification_same_label_twice_counts_once() -> None:
    line = cls_line(ref("a"), "ball")
    line["other"] = 1
    line["other-metadata"] = dict(line["ball-attr-metadata"])
    assert one(line).labels == ("ball",)


def test_object_localization_boxes() -> None:
    p = parse([det_line(ref("a"), [("Echo Dot", 399, 251, 155, 101), ("Echo", 86, 65, 220, 334)])])
    e = p.entries[0]
    assert (e.state, e.kind, e.labels, e.image_size) == (
        "valid", "OBJECT_LOCALIZATION", (), (640, 480))
    assert e.boxes == (Box("Echo Dot", 399, 251, 155, 101), Box("Echo", 86, 65, 220, 334))
    assert e.label_names() == ("Echo Dot", "Echo")
    assert p.use_case == "OBJECT_LOCALIZATION" and p.labels == ["Echo", "Echo Dot"]


def test_second_box_attribute_is_rescaled_to_the_first_frame() -> None:
    line = det_line(ref("a"), [("cat", 40, 30, 100, 60)], size=(640, 480))
    second = det_line(ref("a"), [("dog", 200, 400, 300, 200)], size=(1280, 1920))
    line["more-boxes"] = second["bounding-box"]
    line["more-boxes-metadata"] = second["bounding-box-metadata"]
    e = one(line)
    assert (e.state, e.image_size) == ("valid", (640, 480))
    # x scaled by 640/1280, y by 480/1920
    assert e.boxes == (Box("cat", 40, 30, 100, 60), Box("dog", 100, 100, 150, 50))


def test_aws_documented_example_lines_are_valid() -> None:
    classification = {
        "source-ref": "s3://bucket/images/sunrise.png",
        "testdataset-classification_Sunrise": 1,
        "testdataset-classification_Sunrise-metadata": {
            "confidence": 1, "job-name": "labeling-job/testdataset-classification_Sunrise",
            "class-name": "Sunrise", "human-annotated": "yes",
            "creation-date": "2020-03-06T17:46:39.176", "type": "groundtruth/image-classification"}}
    detection = {
        "source-ref": "s3://custom-labels-bucket/images/IMG_1186.png",
        "bounding-box": {"image_size": [{"width": 640, "height": 480, "depth": 3}],
                         "annotations": [{"class_id": 1, "top": 251, "left": 399, "width": 155,
                                          "height": 101},
                                         {"class_id": 0, "top": 65, "left": 86, "width": 220,
                                          "height": 334}]},
        "bounding-box-metadata": {"objects": [{"confidence": 1}, {"confidence": 1}],
                                  "class-map": {"0": "Echo", "1": "Echo Dot"},
                                  "type": "groundtruth/object-detection", "human-annotated": "yes",
                                  "creation-date": "2013-11-18T02:53:27", "job-name": "my job"}}
    p = parse([classification, detection])
    assert [e.state for e in p.entries] == ["valid", "valid"]
    assert p.all_labels == ["Echo", "Echo Dot", "Sunrise"]


def test_crlf_and_bom_are_accepted() -> None:
    data = b"\xef\xbb\xbf" + dump(good_manifest({"a": 1, "b": 1})).replace(b"\n", b"\r\n")
    p = parse_manifest(data)
    assert [e.state for e in p.entries] == ["valid", "valid"]


# ------------------------------------------------------------- line errors (§4.7)


def test_missing_source_ref() -> None:
    line = cls_line(ref("a"), "x")
    del line["source-ref"]
    e = one(line)
    assert e.state == "invalid" and e.source_ref is None
    assert e.errors == [{"code": "ERROR_MISSING_SOURCE_REF",
                         "message": "The source-ref key is missing."}]
    assert e.line is not None and e.line["errors"] == e.errors  # top level


@pytest.mark.parametrize("value", ["https://my-bucket/a.png", "s3://my-bucket", "s3://my-bucket/",
                                   "my-bucket/a.png", "S3://my-bucket/a.png", "s3://b/a.png", 7,
                                   None])
def test_invalid_source_ref_format(value: Any) -> None:
    e = one({**cls_line(ref("a"), "x"), "source-ref": value})
    assert e.state == "invalid"
    assert e.errors == [{"code": "ERROR_INVALID_SOURCE_REF_FORMAT",
                         "message": "The format of the source-ref value is invalid."}]


@pytest.mark.parametrize("text", ["{not json", "", "   ", "[1, 2]", '"just a string"',
                                  '{"source-ref": NaN}', '{"a": 1} trailing'])
def test_invalid_json_line_is_replaced_by_its_error(text: str) -> None:
    p = parse([cls_line(ref("a"), "x"), text, cls_line(ref("b"), "y")])
    e = p.entries[1]
    assert e.state == "invalid" and e.index == 2
    assert e.line == {"errors": [{"code": "ERROR_INVALID_JSON_LINE",
                                  "message": "The JSON Line has an invalid format."}]}
    assert p.total_json_lines == 3 and p.invalid_json_lines == 1  # blank lines count too


def test_line_too_long(monkeypatch: pytest.MonkeyPatch) -> None:
    line = cls_line(ref("a"), "a-label-longer-than-the-filler")
    monkeypatch.setattr(m, "MAX_LINE_CHARS", len(json.dumps(line)))
    assert one(line).state == "valid"
    monkeypatch.setattr(m, "MAX_LINE_CHARS", len(json.dumps(line)) - 1)
    assert codes(one(line)) == ["ERROR_INVALID_JSON_LINE"]


def test_no_label_attributes_attribute_without_metadata() -> None:
    line = cls_line(ref("a"), "x")
    del line["x-attr-metadata"]
    e = one(line)
    assert e.state == "invalid"
    assert e.errors == [{"code": "ERROR_NO_LABEL_ATTRIBUTES",
                         "message": "No label attributes found."}]


def test_no_label_attributes_metadata_without_attribute() -> None:
    line = cls_line(ref("a"), "x")
    del line["x-attr"]
    assert codes(one(line)) == ["ERROR_NO_LABEL_ATTRIBUTES"]


def test_stray_metadata_next_to_a_valid_pair_invalidates_the_line() -> None:
    line = cls_line(ref("a"), "x")
    line["lost-metadata"] = dict(line["x-attr-metadata"])
    e = one(line)
    assert e.state == "invalid" and codes(e) == ["ERROR_NO_LABEL_ATTRIBUTES"]
    assert e.line is not None and "errors" in e.line["lost-metadata"]


def test_extra_keys_next_to_a_valid_pair_are_tolerated() -> None:
    assert one({**cls_line(ref("a"), "x"), "comment": "hi"}).state == "valid"


def test_invalid_label_attribute_format_classification() -> None:
    e = one({**cls_line(ref("a"), "x"), "x-attr": "one"})
    assert e.state == "invalid"
    assert e.errors[0] == {"code": "ERROR_INVALID_LABEL_ATTRIBUTE_FORMAT",
                           "message": "The format of the label attribute x-attr is invalid."}
    assert e.line is not None and e.errors[0] in e.line["errors"]  # a number holds no array


@pytest.mark.parametrize("mutate", [
    lambda a: a.pop("image_size"),
    lambda a: a.update(image_size=[]),
    lambda a: a.update(image_size=[{"width": 640, "height": 480}]),  # depth required
    lambda a: a["annotations"][0].pop("left"),
    lambda a: a["annotations"][0].update(top="10"),
    lambda a: a.update(annotations={"0": {}}),
])
def test_invalid_label_attribute_format_detection(mutate: Any) -> None:
    line = det_line(ref("a"), [("cat", 10, 10, 100, 100)])
    mutate(line["bounding-box"])
    e = one(line)
    assert e.state == "invalid"
    assert codes(e)[0] == "ERROR_INVALID_LABEL_ATTRIBUTE_FORMAT"
    assert e.line is not None and e.errors[0] in e.line["bounding-box"]["errors"]


@pytest.mark.parametrize("field", ["confidence", "class-name", "human-annotated",
                                   "creation-date", "type"])
def test_invalid_metadata_format_classification(field: str) -> None:
    line = cls_line(ref("a"), "x")
    del line["x-attr-metadata"][field]
    e = one(line)
    assert e.state == "invalid"
    assert codes(e) == ["ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT",
                        "ERROR_NO_VALID_LABEL_ATTRIBUTES"]
    assert e.line is not None
    assert e.line["x-attr-metadata"]["errors"] == [e.errors[0]]  # inside the metadata
    assert e.line["errors"] == [e.errors[1]]


@pytest.mark.parametrize("field", ["objects", "class-map", "creation-date", "human-annotated"])
def test_invalid_metadata_format_detection(field: str) -> None:
    line = det_line(ref("a"), [("cat", 10, 10, 100, 100)])
    del line["bounding-box-metadata"][field]
    e = one(line)
    assert codes(e)[0] == "ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT"
    assert e.line is not None and "errors" in e.line["bounding-box-metadata"]


@pytest.mark.parametrize("change", [{"confidence": 2}, {"confidence": "1"},
                                    {"human-annotated": "maybe"}, {"class-name": ""}])
def test_invalid_metadata_values(change: dict[str, Any]) -> None:
    line = cls_line(ref("a"), "x")
    line["x-attr-metadata"].update(change)
    assert codes(one(line))[0] == "ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT"


def test_metadata_not_an_object() -> None:
    e = one({**cls_line(ref("a"), "x"), "x-attr-metadata": "meta"})
    assert codes(e)[0] == "ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT"
    assert e.line is not None and e.errors[0] in e.line["errors"]


def test_unsupported_use_case_type() -> None:
    line = cls_line(ref("a"), "x")
    line["x-attr-metadata"]["type"] = "groundtruth/semantic-segmentation"
    e = one(line)
    assert e.state == "invalid"
    assert codes(e) == ["ERROR_UNSUPPORTED_USE_CASE_TYPE", "ERROR_NO_VALID_LABEL_ATTRIBUTES"]
    assert e.line is not None and e.line["x-attr-metadata"]["errors"][0]["message"]


def test_missing_class_map_id() -> None:
    line = det_line(ref("a"), [("cat", 10, 10, 100, 100)])
    line["bounding-box"]["annotations"][0]["class_id"] = 5
    e = one(line)
    assert e.state == "invalid"
    assert e.errors[0] == {"code": "ERROR_MISSING_CLASS_MAP_ID",
                           "message": "One of more class ids is missing from the class map."}
    assert e.line is not None and e.line["bounding-box-metadata"]["errors"] == [e.errors[0]]


@pytest.mark.parametrize("objects", [[], [{"confidence": 1}, {"confidence": 1}], [{}],
                                     [{"confidence": None}]])
def test_missing_bounding_box_confidence(objects: list[Any]) -> None:
    line = det_line(ref("a"), [("cat", 10, 10, 100, 100)])
    line["bounding-box-metadata"]["objects"] = objects
    e = one(line)
    assert e.state == "invalid"
    assert e.errors[0] == {"code": "ERROR_MISSING_BOUNDING_BOX_CONFIDENCE",
                           "message": "One or more bounding boxes has a missing confidence value."}
    assert e.line is not None and e.line["bounding-box-metadata"]["errors"] == [e.errors[0]]


@pytest.mark.parametrize("box", [(-1, 10, 50, 50), (10, -1, 50, 50), (600, 10, 50, 50),
                                 (10, 440, 50, 50), (10, 10, -5, 50)])
def test_invalid_bounding_box_drops_only_that_box(box: tuple[int, int, int, int]) -> None:
    e = one(det_line(ref("a"), [("cat", 10, 10, 100, 100), ("dog", *box)]))
    assert e.state == "valid" and e.boxes == (Box("cat", 10, 10, 100, 100),)
    assert e.errors == [{"code": "ERROR_INVALID_BOUNDING_BOX",
                         "message": "The bounding box has off frame values."}]
    assert e.line is not None
    assert e.line["bounding-box"]["annotations"][1]["errors"] == e.errors  # annotation level
    assert "errors" not in e.line and "errors" not in e.line["bounding-box"]


def test_box_touching_the_frame_edge_is_valid() -> None:
    assert one(det_line(ref("a"), [("cat", 540, 380, 100, 100)])).state == "valid"


@pytest.mark.parametrize(("size", "box"), [
    ((640, 480), (0, 0, 1, 1)),
    ((640, 480), (0, 0, 1, 100)),
    ((640, 480), (0, 0, 0, 50)),
    ((2560, 2560), (0, 0, 2, 100)),  # 2 px at 2560 -> 1 px at 1280: not more than 1x1
])
def test_bounding_box_too_small(size: tuple[int, int], box: tuple[int, int, int, int]) -> None:
    e = one(det_line(ref("a"), [("cat", 10, 10, 100, 100), ("dog", *box)], size=size))
    assert e.state == "valid" and len(e.boxes) == 1
    assert e.errors == [{"code": "ERROR_BOUNDING_BOX_TOO_SMALL",
                         "message": "The height and width of the bounding box is too small."}]
    assert e.line is not None and e.line["bounding-box"]["annotations"][1]["errors"] == e.errors


def test_small_box_in_a_small_image_is_fine() -> None:
    assert one(det_line(ref("a"), [("cat", 0, 0, 2, 2)], size=(640, 480))).state == "valid"


def test_too_many_bounding_boxes(monkeypatch: pytest.MonkeyPatch) -> None:
    boxes = [("cat", i, i, 10, 10) for i in range(51)]
    e = one(det_line(ref("a"), boxes))
    assert e.state == "invalid"
    assert e.errors[0] == {"code": "ERROR_TOO_MANY_BOUNDING_BOXES",
                           "message": "There are more bounding boxes than the allowed maximum."}
    assert e.line is not None and e.line["bounding-box"]["errors"] == [e.errors[0]]
    assert one(det_line(ref("a"), boxes[:50])).state == "valid"


def test_no_valid_annotations() -> None:
    e = one(det_line(ref("a"), [("cat", -1, 0, 10, 10), ("dog", 0, 0, 1, 1)]))
    assert e.state == "invalid" and e.boxes == ()
    assert codes(e) == ["ERROR_INVALID_BOUNDING_BOX", "ERROR_BOUNDING_BOX_TOO_SMALL",
                        "ERROR_NO_VALID_ANNOTATIONS", "ERROR_NO_VALID_LABEL_ATTRIBUTES"]
    assert e.line is not None
    assert e.line["bounding-box"]["errors"] == [{"code": "ERROR_NO_VALID_ANNOTATIONS",
                                                 "message": "No valid annotations found."}]


def test_label_name_length() -> None:
    assert one(cls_line(ref("a"), "x" * 256)).state == "valid"
    e = one(cls_line(ref("a"), "x" * 257))
    assert codes(e)[0] == "ERROR_INVALID_LABEL_NAME_LENGTH"
    assert e.errors[0]["message"]  # INFERRED message, but never empty
    e = one(det_line(ref("b"), [("y" * 257, 10, 10, 100, 100)]))
    assert codes(e)[0] == "ERROR_INVALID_LABEL_NAME_LENGTH"


def test_too_many_labels_per_image() -> None:
    assert one(cls_line(ref("a"), *[f"l{i}" for i in range(50)])).state == "valid"
    e = one(cls_line(ref("a"), *[f"l{i}" for i in range(51)]))
    assert e.state == "invalid" and codes(e) == ["ERROR_TOO_MANY_LABELS_PER_IMAGE"]


def test_duplicate_source_ref_later_line_is_removed() -> None:
    p = parse([cls_line(ref("a"), "x"), cls_line(ref("b"), "y"), cls_line(ref("a"), "y")])
    first, _, dup = p.entries
    assert first.state == "valid" and first.labels == ("x",)
    assert dup.state == "invalid" and codes(dup) == ["ERROR_DUPLICATE_SOURCE_REF"]
    assert p.invalid_json_lines == 1 and p.error_json_line_indices == [3]
    assert [e.source_ref for e in p.usable()] == [ref("a"), ref("b")]


# ----------------------------------------------------------------- warnings (§4.7)


def test_warning_unannotated_record() -> None:
    p = parse([{"source-ref": ref("a")}, cls_line(ref("b"), "x")])
    e = p.entries[0]
    assert e.state == "ignored" and e.errors == []
    assert e.warnings == [{"code": "WARNING_UNANNOTATED_RECORD",
                           "message": "Record is unannotated."}]
    assert e.line == {"source-ref": ref("a"), "warnings": e.warnings}
    assert (p.ignored_json_lines, p.invalid_json_lines, p.error_json_line_indices) == (1, 0, [])


def test_warning_no_annotations_human_annotated() -> None:
    e = one(det_line(ref("a"), []))
    assert e.state == "ignored" and e.errors == []
    assert warning_codes(e) == ["WARNING_NO_ATTRIBUTE_ANNOTATIONS", "WARNING_NO_ANNOTATIONS"]
    assert e.line is not None
    assert e.line["bounding-box"]["warnings"] == [
        {"code": "WARNING_NO_ATTRIBUTE_ANNOTATIONS",
         "message": "No attribute annotations were found."}]  # as the guide's example line
    assert e.line["warnings"] == [{"code": "WARNING_NO_ANNOTATIONS",
                                   "message": "No annotations were found."}]


def test_warning_annotations_absent_and_not_human_annotated() -> None:
    line = det_line(ref("a"), [], human="no")
    del line["bounding-box"]["annotations"]
    e = one(line)
    assert e.state == "ignored"
    assert warning_codes(e) == ["WARNING_NO_ATTRIBUTE_ANNOTATIONS", "WARNING_UNANNOTATED_RECORD"]


def test_warned_attribute_next_to_a_valid_one() -> None:
    line = det_line(ref("a"), [("cat", 10, 10, 100, 100)])
    line["empty"] = {"image_size": [{"width": 640, "height": 480, "depth": 3}],
                     "annotations": []}
    line["empty-metadata"] = {**line["bounding-box-metadata"], "objects": [], "class-map": {}}
    e = one(line)
    assert e.state == "valid" and len(e.boxes) == 1
    assert warning_codes(e) == ["WARNING_NO_ATTRIBUTE_ANNOTATIONS"]


# ------------------------------------------------------------------ images (§4.5)


def _lookup(images: dict[str, ImageInfo | None]) -> Any:
    calls: list[tuple[str, str]] = []

    def lookup(bucket: str, key: str) -> ImageInfo | None:
        calls.append((bucket, key))
        return images.get(key, ImageInfo("PNG", 640, 480))

    lookup.calls = calls  # type: ignore[attr-defined]
    return lookup


def test_image_missing_or_not_an_image() -> None:
    e = one(cls_line(ref("a"), "x"), image_lookup=_lookup({"images/a.png": None}))
    assert e.state == "invalid"
    assert e.errors == [{"code": "ERROR_INVALID_IMAGE",
                         "message": "The image is invalid. Check S3 path and/or image properties."}]
    assert e.line is not None and e.line["errors"] == e.errors


@pytest.mark.parametrize("size", [(32, 32), (5000, 100), (64, 1300)])
def test_image_bad_dimensions(size: tuple[int, int]) -> None:
    lookup = _lookup({"images/a.png": ImageInfo("JPEG", *size)})
    assert codes(one(cls_line(ref("a"), "x"), image_lookup=lookup)) == ["ERROR_INVALID_IMAGE"]
    e = one(det_line(ref("a"), [("cat", 1, 1, 20, 20)]), image_lookup=lookup)
    assert e.errors == [{"code": "ERROR_INVALID_IMAGE_DIMENSION", "message":
                         "The image dimension(s) do not conform to allowed dimensions."}]


def test_image_size_claim_is_checked_without_lookup() -> None:
    e = one(det_line(ref("a"), [("cat", 1, 1, 20, 20)], size=(40, 40)))
    assert codes(e)[0] == "ERROR_INVALID_IMAGE_DIMENSION"


def test_image_lookup_only_for_otherwise_valid_lines() -> None:
    lookup = _lookup({})
    bad = cls_line(ref("b"), "x")
    del bad["x-attr-metadata"]["confidence"]
    p = parse([cls_line(ref("a"), "x"), bad, {"source-ref": ref("c")},
               det_line(ref("d"), [("cat", 10, 10, 100, 100)])], image_lookup=lookup)
    assert lookup.calls == [(BUCKET, "images/a.png"), (BUCKET, "images/d.png")]
    assert [e.state for e in p.entries] == ["valid", "invalid", "ignored", "valid"]


# ---------------------------------------------------- re-import and error placement


def test_service_fields_of_a_listed_line_are_recomputed() -> None:
    line = det_line(ref("a"), [("cat", 10, 10, 100, 100)])
    line["cl-metadata"] = {"is_labeled": True}
    line["errors"] = [{"code": "OLD", "message": "old"}]
    line["bounding-box"]["annotations"][0]["errors"] = [{"code": "OLD", "message": "old"}]
    line["bounding-box-metadata"]["warnings"] = [{"code": "OLD", "message": "old"}]
    e = one(line)
    assert e.state == "valid" and e.errors == []
    assert e.line == det_line(ref("a"), [("cat", 10, 10, 100, 100)])


def test_validation_manifest_places_every_array() -> None:
    bad_box = det_line(ref("c"), [("cat", 10, 10, 100, 100), ("dog", -5, 0, 10, 10)])
    bad_meta = cls_line(ref("d"), "x")
    del bad_meta["x-attr-metadata"]["confidence"]
    p = parse([cls_line(ref("a"), "x"), "oops", bad_box, bad_meta, {"source-ref": ref("e")},
               {"no-source": 1, "x": 1, "x-metadata": cls_line("", "x")["x-attr-metadata"]}])
    out = validation_manifest(p)
    assert out.endswith(b"\n")
    lines = [json.loads(x) for x in out.decode().splitlines()]
    assert len(lines) == 6
    assert lines[0] == cls_line(ref("a"), "x")  # clean lines are unchanged
    assert lines[1] == {"errors": [{"code": "ERROR_INVALID_JSON_LINE",
                                    "message": "The JSON Line has an invalid format."}]}
    assert [e["code"] for e in lines[2]["bounding-box"]["annotations"][1]["errors"]] == [
        "ERROR_INVALID_BOUNDING_BOX"]
    assert "errors" not in lines[2]["bounding-box"]["annotations"][0]
    assert [e["code"] for e in lines[3]["x-attr-metadata"]["errors"]] == [
        "ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT"]
    assert [e["code"] for e in lines[3]["errors"]] == ["ERROR_NO_VALID_LABEL_ATTRIBUTES"]
    assert [w["code"] for w in lines[4]["warnings"]] == ["WARNING_UNANNOTATED_RECORD"]
    assert [e["code"] for e in lines[5]["errors"]] == ["ERROR_MISSING_SOURCE_REF"]


# ---------------------------------------------------------------- use case (§4.4)


def test_use_case_is_the_kind_with_more_valid_lines() -> None:
    p = parse([*good_manifest({"a": 2, "b": 1}),
               det_line(ref("d1"), [("cat", 10, 10, 100, 100)])])
    assert p.use_case == "IMAGE_LEVEL_LABELS"
    assert p.valid_json_lines == 4 and len(p.usable()) == 3
    assert p.labels == ["a", "b"] and p.all_labels == ["a", "b", "cat"]
    assert p.entries[3].kind == "OBJECT_LOCALIZATION"  # valid, just unused


def test_use_case_tie_goes_to_object_localization() -> None:
    p = parse([cls_line(ref("a"), "a"), det_line(ref("d"), [("cat", 10, 10, 100, 100)])])
    assert p.use_case == "OBJECT_LOCALIZATION" and p.labels == ["cat"]


def test_line_with_both_kinds_serves_either_use_case() -> None:
    mixed = {**det_line(ref("m"), [("cat", 10, 10, 100, 100)]), **cls_line(ref("m"), "indoor")}
    p = parse([mixed, cls_line(ref("a"), "outdoor"), cls_line(ref("b"), "indoor")])
    assert p.use_case == "IMAGE_LEVEL_LABELS"
    assert p.entries[0].kind == "IMAGE_LEVEL_LABELS" and p.entries[0].labels == ("indoor",)
    p.set_use_case("OBJECT_LOCALIZATION")
    assert [e.source_ref for e in p.usable()] == [ref("m")] and p.labels == ["cat"]


def test_use_case_not_determined_without_valid_lines() -> None:
    p = parse(["oops", {"source-ref": ref("a")}])
    assert p.use_case == "NOT_DETERMINED" and p.usable() == [] and p.labels == []


# ------------------------------------------------------- content errors (§4.5, §4.6)


def _err(code: str) -> dict[str, str]:
    return {"code": code, "message": MESSAGES[code]}


def test_no_content_errors_for_a_good_pair() -> None:
    train = parse(good_manifest({"a": 4, "b": 4}))
    test = parse(good_manifest({"a": 1, "b": 1}, prefix="t"))
    assert content_errors(train, test) == ([], [], [])
    assert content_errors(train, None) == ([], [], [])


def test_too_many_invalid_rows() -> None:
    ok = good_manifest({"a": 4, "b": 4})
    assert content_errors(parse([*ok, "x"]), None)[1] == []  # 1 of 9: 11%
    train_errors = content_errors(parse([*ok, "x", "y"]), None)[1]  # 2 of 10: 20%
    assert train_errors == [{"code": "ERROR_TOO_MANY_INVALID_ROWS_IN_MANIFEST",
                             "message": "The manifest file contains too many invalid rows."}]
    _, _, test_errors = content_errors(parse(ok), parse([ok[0], ok[4], "x"]))
    assert test_errors == [_err("ERROR_TOO_MANY_INVALID_ROWS_IN_MANIFEST")]


def test_ignored_lines_are_not_invalid_rows() -> None:
    lines = [*good_manifest({"a": 2, "b": 2}), *({"source-ref": ref(f"u{i}")} for i in range(10))]
    assert content_errors(parse(lines), None) == ([], [], [])


def test_images_in_multiple_buckets() -> None:
    lines = [*good_manifest({"a": 2, "b": 2}), cls_line(ref("z", bucket="other-bucket"), "a")]
    assert content_errors(parse(lines), None)[1] == [
        {"code": "ERROR_IMAGES_IN_MULTIPLE_S3_BUCKETS",
         "message": "The manifest file contains images from multiple S3 buckets."}]


def test_too_few_labels() -> None:
    assert content_errors(parse(good_manifest({"a": 3})), None)[1] == [
        {"code": "ERROR_MANIFEST_TOO_FEW_LABELS",
         "message": "The manifest file has too few labels."}]
    boxes = parse([det_line(ref("d"), [("cat", 10, 10, 100, 100)])])
    assert content_errors(boxes, None)[1] == []  # one label is enough for boxes [CL:limits]
    assert content_errors(parse(["oops", *good_manifest({"a": 9})]), None)[1] == [
        _err("ERROR_MANIFEST_TOO_FEW_LABELS")]


def test_too_few_usable_labels() -> None:
    lines = [*good_manifest({"a": 3}),
             det_line(ref("d1"), [("b", 10, 10, 100, 100)]),
             det_line(ref("d2"), [("b", 10, 10, 100, 100)])]
    p = parse(lines)
    assert p.use_case == "IMAGE_LEVEL_LABELS" and p.all_labels == ["a", "b"]
    assert content_errors(p, None)[1] == [
        {"code": "ERROR_MANIFEST_TOO_FEW_USABLE_LABELS",
         "message": "The manifest file has too few usable labels."}]


def test_too_many_labels(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(m, "MAX_LABELS", 3)
    assert content_errors(parse(good_manifest({"a": 1, "b": 1, "c": 1})), None)[1] == []
    assert content_errors(parse(good_manifest({"a": 1, "b": 1, "c": 1, "d": 1})), None)[1] == [
        {"code": "ERROR_MANIFEST_TOO_MANY_LABELS",
         "message": "The manifest file has too many labels."}]


def test_insufficient_label_overlap() -> None:
    train = parse(good_manifest({"a": 2, "b": 2, "c": 2, "d": 2}))
    # Overlap = common labels / training labels [CL:md-create-manifest-file-validation-rules].
    ok = parse(good_manifest({"a": 1, "b": 1}, prefix="t"))
    assert content_errors(train, ok)[0] == []
    half = parse(good_manifest({"a": 1, "b": 1, "z": 1}, prefix="t"))
    top, _, _ = content_errors(train, parse(good_manifest({"a": 1, "e": 1, "f": 1}, prefix="t")))
    assert top == [{"code": "ERROR_INSUFFICIENT_LABEL_OVERLAP", "message":
                    "Less than 50% label overlap between the training and testing manifest files."}]
    assert content_errors(train, half)[0] == []  # 2 of 4 training labels: exactly 50%


def test_insufficient_usable_label_overlap_and_test_follows_train_use_case() -> None:
    train = parse(good_manifest({"a": 3, "b": 3}))
    test = parse([det_line(ref("t1"), [("a", 10, 10, 100, 100)]),
                  det_line(ref("t2"), [("b", 10, 10, 100, 100)]),
                  cls_line(ref("t3"), "c"), cls_line(ref("t4"), "d")])
    assert test.use_case == "OBJECT_LOCALIZATION"
    top, _, test_errors = content_errors(train, test)
    assert (test.use_case, test.labels) == ("IMAGE_LEVEL_LABELS", ["c", "d"])
    assert top == [{"code": "ERROR_INSUFFICIENT_USABLE_LABEL_OVERLAP", "message": "Less than 50% "
                    "usable label overlap between the training and testing manifest files."}]
    assert test_errors == []


# --------------------------------------------------------------------- split (§10.13)


def test_auto_split_per_label_and_deterministic() -> None:
    lines = good_manifest({"a": 10, "b": 5, "c": 2})
    train, test = auto_split(parse(lines))
    count = {lab: sum(lab in e.labels for e in test) for lab in "abc"}
    assert count == {"a": 2, "b": 1, "c": 1}
    assert len(train) + len(test) == 17
    assert {e.source_ref for e in train}.isdisjoint(e.source_ref for e in test)
    again = auto_split(parse(lines))
    assert [e.source_ref for e in again[1]] == [e.source_ref for e in test]
    shuffled = auto_split(parse(list(reversed(lines))))  # membership doesn't depend on order
    assert {e.source_ref for e in shuffled[1]} == {e.source_ref for e in test}
    assert [e.index for e in train] == sorted(e.index for e in train)  # file order kept


def test_auto_split_keeps_every_label_on_both_sides_multi_label() -> None:
    lines = [cls_line(ref(f"m{i}"), "ball", *(["football"] if i % 2 else [])) for i in range(6)]
    train, test = auto_split(parse(lines))
    for side in (train, test):
        assert {"ball", "football"} <= {lab for e in side for lab in e.labels}


def test_auto_split_object_localization() -> None:
    lines = [det_line(ref(f"d{i}"), [("cat", 10, 10, 100, 100)]) for i in range(5)]
    train, test = auto_split(parse(lines))
    assert (len(train), len(test)) == (4, 1)


def test_auto_split_insufficient_images_per_label() -> None:
    with pytest.raises(ManifestFileError) as err:
        auto_split(parse(good_manifest({"a": 5, "b": 1})))
    assert (err.value.code, err.value.message) == (
        "ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_AUTOSPLIT",
        "The manifest file contains insufficient labeled images per label to perform auto-split.",
    )
    with pytest.raises(ManifestFileError) as err:
        auto_split(parse(["oops", {"source-ref": ref("u")}]),
                   code="ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_DISTRIBUTE")
    assert err.value.message == (
        "The manifest file doesn't have enough labeled images to distribute the dataset.")


# ------------------------------------------------------------------ outputs (§5.2, §5.3)


def test_manifest_summary_layout() -> None:
    train = parse([*good_manifest({"a": 5, "b": 5}), "oops"])
    test = parse(good_manifest({"a": 1, "b": 1}, prefix="t"))
    top, train_errors, test_errors = content_errors(train, test)
    summary = manifest_summary(train, test, top, train_errors, test_errors)
    assert list(summary) == ["errors", "statistics"]
    assert list(summary["statistics"]) == ["training", "testing"]
    assert summary["statistics"]["training"] == {
        "use_case": "IMAGE_LEVEL_LABELS", "total_json_lines": 11, "valid_json_lines": 10,
        "invalid_json_lines": 1, "ignored_json_lines": 0, "error_json_line_indices": [11],
        "errors": []}
    assert summary["statistics"]["testing"]["total_json_lines"] == 2
    json.dumps(summary)  # plain JSON


def test_manifest_summary_carries_errors_where_they_belong() -> None:
    train = parse(good_manifest({"a": 4, "b": 4, "c": 4, "d": 4}))
    test = parse(["x", *good_manifest({"z": 1})])
    summary = manifest_summary(train, test, *content_errors(train, test))
    assert [e["code"] for e in summary["errors"]] == ["ERROR_INSUFFICIENT_LABEL_OVERLAP"]
    assert [e["code"] for e in summary["statistics"]["testing"]["errors"]] == [
        "ERROR_TOO_MANY_INVALID_ROWS_IN_MANIFEST", "ERROR_MANIFEST_TOO_FEW_LABELS"]


def test_manifest_summary_without_testing_manifest() -> None:
    train = parse(good_manifest({"a": 5, "b": 5}))
    summary = manifest_summary(train, None, [], [], [])
    assert summary["statistics"]["testing"] == {
        "use_case": "NOT_DETERMINED", "total_json_lines": 0, "valid_json_lines": 0,
        "invalid_json_lines": 0, "ignored_json_lines": 0, "error_json_line_indices": [],
        "errors": []}
    _, split_test = auto_split(train)
    testing = manifest_summary(train, None, [], [], [], auto_test=split_test)["statistics"][
        "testing"]
    assert testing["use_case"] == "IMAGE_LEVEL_LABELS"
    assert testing["total_json_lines"] == testing["valid_json_lines"] == 2


def test_validation_manifest_keeps_every_line_in_order() -> None:
    lines: list[dict[str, Any] | str] = [*good_manifest({"a": 2}), "oops",
                                         cls_line(ref("img-a-0"), "a")]
    out = validation_manifest(parse(lines)).decode().splitlines()
    assert len(out) == 4
    assert json.loads(out[0]) == lines[0]
    assert [e["code"] for e in json.loads(out[3])["errors"]] == ["ERROR_DUPLICATE_SOURCE_REF"]
