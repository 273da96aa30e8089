"""Lines with errors look like the Custom Labels guide's examples: dataset entries
(ListDatasetEntries, ``cl-errors``) as "Non-Terminal JSON Line Validation Errors" shows one,
validation manifest lines (``errors``/``warnings``) as "Understanding training and testing
validation result manifests" and the warning examples show them. The JSON below is the
guides' own, verbatim (the bold marks of the page taken out)."""

from __future__ import annotations

import json
from typing import Any

from rekomock.testing import describe_version, detection_line, make_jpeg, manifest, manifest_asset

# "Non-Terminal JSON Line Validation Errors", ERROR_UNSUPPORTED_USE_CASE_TYPE: a dataset entry.
UNSUPPORTED_USE_CASE_ENTRY = """
{
    "source-ref": "s3://bucket/test_normal_8.jpg",
    "BB": {
        "annotations": [
            {
                "left": 1768,
                "top": 1007,
                "width": 448,
                "height": 295,
                "class_id": 0
            },
            {
                "left": 1794,
                "top": 1306,
                "width": 432,
                "height": 411,
                "class_id": 1
            },
            {
                "left": 2568,
                "top": 1346,
                "width": 710,
                "height": 305,
                "class_id": 2
            },
            {
                "left": 2571,
                "top": 1020,
                "width": 644,
                "height": 312,
                "class_id": 3
            }
        ],
        "image_size": [
            {
                "width": 4000,
                "height": 2667,
                "depth": 3
            }
        ]
    },
    "BB-metadata": {
        "job-name": "labeling-job/BB",
        "class-map": {
            "0": "comparator",
            "1": "pot_resistor",
            "2": "ir_phototransistor",
            "3": "ir_led"
        },
        "human-annotated": "yes",
        "objects": [
            {
                "confidence": 1
            },
            {
                "confidence": 1
            },
            {
                "confidence": 1
            },
            {
                "confidence": 1
            }
        ],
        "creation-date": "2021-06-22T09:58:34.811Z",
        "type": "groundtruth/wrongtype",
        "cl-errors": [
            {
                "code": "ERROR_UNSUPPORTED_USE_CASE_TYPE",
 "message": "The use case type of the BB-metadata label attribute metadata is unsupported. Check the type field." }
        ]
    },
    "cl-metadata": {
        "is_labeled": true
    },
    "cl-errors": [
        {
            "code": "ERROR_NO_VALID_LABEL_ATTRIBUTES",
            "message": "No valid label attributes found."
        }
    ]
}
"""  # noqa: E501

# "Understanding training and testing validation result manifests", Example JSON line error.
BOX_TOO_SMALL_LINE = """
{
    "source-ref": "s3://bucket/Manifests/images/199940-1791.jpg",
    "bounding-box": {
        "image_size": [
            {
                "width": 3000,
                "height": 3000,
                "depth": 3
            }
        ],
        "annotations": [
            {
                "class_id": 1,
                "top": 0,
                "left": 0,
                "width": 1,
                "height": 1, 
                "errors": [
                    {
                        "code": "ERROR_BOUNDING_BOX_TOO_SMALL",
                        "message": "The height and width of the bounding box is too small."
                    }
                ]
            },
            {
                "class_id": 0,
                "top": 65,
                "left": 86,
                "width": 220,
                "height": 334
            }
        ]
    },
    "bounding-box-metadata": {
        "objects": [
            {
                "confidence": 1
            },
            {
                "confidence": 1
            }
        ],
        "class-map": {
            "0": "Echo",
            "1": "Echo Dot"
        },
        "type": "groundtruth/object-detection",
        "human-annotated": "yes",
        "creation-date": "2019-11-20T02:57:28.288286",
        "job-name": "my job"
    }
}
"""  # noqa: W291

# "Non-Terminal JSON Line Validation Errors", WARNING_NO_ANNOTATIONS.
NO_ANNOTATIONS_LINE = """
{
    "source-ref": "s3://bucket/images/IMG_1186.png",
    "bounding-box": {
        "image_size": [
            {
                "width": 640,
                "height": 480,
                "depth": 3
            }
        ],
        "annotations": [

        ],
        "warnings": [
            {
                "code": "WARNING_NO_ATTRIBUTE_ANNOTATIONS",
                "message": "No attribute annotations were found."
            }
        ]
    },
    "bounding-box-metadata": {
        "objects": [

        ],
        "class-map": {

        },
        "type": "groundtruth/object-detection",
        "human-annotated": "yes",
        "creation-date": "2013-11-18 02:53:27",
        "job-name": "my job"
    },
    "warnings": [
        {
            "code": "WARNING_NO_ANNOTATIONS",
            "message": "No annotations were found."
        }
    ]
}
"""

# "Non-Terminal JSON Line Validation Errors", WARNING_UNANNOTATED_RECORD.
UNANNOTATED_LINE = """
{
    "source-ref": "s3://bucket/images/IMG_1186.png",
    "warnings": [
        {
            "code": "WARNING_UNANNOTATED_RECORD",
            "message": "Record is unannotated."
        } 
    ]
}
"""  # noqa: W291

SERVICE_FIELDS = ("errors", "warnings", "cl-errors", "cl-metadata")


def _as_input(example: str) -> dict[str, Any]:
    """The example as a user's manifest line: without what the service adds."""
    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in SERVICE_FIELDS}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value
    return dict(strip(json.loads(example)))


def _listed(rekognition: Any, arn: str, **kw: Any) -> list[dict[str, Any]]:
    pages = rekognition.get_paginator("list_dataset_entries").paginate(DatasetArn=arn, **kw)
    return [json.loads(line) for page in pages for line in page["DatasetEntries"]]


def _s3_json_lines(s3: Any, ref: dict[str, Any]) -> list[dict[str, Any]]:
    body = s3.get_object(Bucket=ref["Bucket"], Key=ref["Name"])["Body"].read().decode()
    return [json.loads(line) for line in body.splitlines()]


def _validation_ref(desc: dict[str, Any], part: str) -> dict[str, Any]:
    return dict(desc[part]["Validation"]["Assets"][0]["GroundTruthManifest"]["S3Object"])


def test_dataset_entry_with_errors_is_the_guides_example(rekognition: Any, s3: Any,
                                                         project_arn: str) -> None:
    s3.create_bucket(Bucket="bucket")
    lines = [_as_input(UNSUPPORTED_USE_CASE_ENTRY)]
    lines += [detection_line(f"s3://bucket/ok-{i}.jpg", (640, 480), [("ir_led", 10, 10, 90, 90)])
              for i in range(5)]  # enough valid lines to keep the import under 20 % invalid
    s3.put_object(Bucket="bucket", Key="train.manifest", Body=manifest(lines))
    arn = rekognition.create_dataset(
        ProjectArn=project_arn, DatasetType="TRAIN",
        DatasetSource={"GroundTruthManifest": {"S3Object": {"Bucket": "bucket",
                                                            "Name": "train.manifest"}}},
    )["DatasetArn"]
    (entry,) = _listed(rekognition, arn, HasErrors=True)
    assert entry == json.loads(UNSUPPORTED_USE_CASE_ENTRY)
    assert rekognition.describe_dataset(DatasetArn=arn)["DatasetDescription"][
        "DatasetStats"]["ErrorEntries"] == 1

    # The listed line given back to UpdateDatasetEntries comes out the same (its service
    # fields are recomputed, not kept twice).
    rekognition.update_dataset_entries(
        DatasetArn=arn, Changes={"GroundTruth": json.dumps(entry).encode()})
    (again,) = _listed(rekognition, arn, HasErrors=True)
    assert again == entry


def test_validation_manifest_lines_are_the_guides_examples(rekognition: Any, s3: Any,
                                                           project_arn: str) -> None:
    s3.create_bucket(Bucket="bucket")
    s3.put_object(Bucket="bucket", Key="Manifests/images/199940-1791.jpg",
                  Body=make_jpeg(3000, 3000, seed=3))
    s3.put_object(Bucket="bucket", Key="images/echo.jpg", Body=make_jpeg(640, 480, seed=4))
    train = [_as_input(BOX_TOO_SMALL_LINE), _as_input(NO_ANNOTATIONS_LINE)]
    test = [detection_line("s3://bucket/images/echo.jpg", (640, 480),
                           [("Echo", 86, 65, 220, 334)]),
            _as_input(UNANNOTATED_LINE)]
    s3.put_object(Bucket="bucket", Key="train.manifest", Body=manifest(train))
    s3.put_object(Bucket="bucket", Key="test.manifest", Body=manifest(test))
    rekognition.create_project_version(
        ProjectArn=project_arn, VersionName="v1", OutputConfig={"S3Bucket": "bucket"},
        TrainingData=manifest_asset("bucket", "train.manifest"),
        TestingData=manifest_asset("bucket", "test.manifest"),
    )
    desc = describe_version(rekognition, project_arn, "v1")
    assert desc["Status"] == "TRAINING_COMPLETED", desc.get("StatusMessage")

    training = _s3_json_lines(s3, _validation_ref(desc, "TrainingDataResult"))
    assert training == [json.loads(BOX_TOO_SMALL_LINE), json.loads(NO_ANNOTATIONS_LINE)]
    testing = _s3_json_lines(s3, _validation_ref(desc, "TestingDataResult"))
    assert testing[1] == json.loads(UNANNOTATED_LINE)

    summary = _s3_json_lines(s3, desc["ManifestSummary"]["S3Object"])[0]
    stats = summary["statistics"]["training"]
    assert (stats["valid_json_lines"], stats["ignored_json_lines"]) == (1, 1)
    assert stats["error_json_line_indices"] == [1]  # the key of the guide's example summary
    assert summary["statistics"]["testing"]["ignored_json_lines"] == 1


def test_validation_manifest_keeps_errors_not_cl_errors(rekognition: Any, s3: Any,
                                                        project_arn: str) -> None:
    """The same line in a training manifest: its errors under ``errors``, no cl-metadata."""
    s3.create_bucket(Bucket="bucket")
    lines = [_as_input(UNSUPPORTED_USE_CASE_ENTRY)]
    for i in range(6):
        key = f"ok-{i}.jpg"
        s3.put_object(Bucket="bucket", Key=key, Body=make_jpeg(640, 480, seed=10 + i))
        lines.append(detection_line(f"s3://bucket/{key}", (640, 480),
                                    [("ir_led", 10, 10, 90, 90)]))
    s3.put_object(Bucket="bucket", Key="train.manifest", Body=manifest(lines))
    rekognition.create_project_version(
        ProjectArn=project_arn, VersionName="v1", OutputConfig={"S3Bucket": "bucket"},
        TrainingData=manifest_asset("bucket", "train.manifest"),
        TestingData={"AutoCreate": True},
    )
    desc = describe_version(rekognition, project_arn, "v1")
    first = _s3_json_lines(s3, _validation_ref(desc, "TrainingDataResult"))[0]
    expected = json.loads(UNSUPPORTED_USE_CASE_ENTRY)
    del expected["cl-metadata"]
    expected["errors"] = expected.pop("cl-errors")
    expected["BB-metadata"]["errors"] = expected["BB-metadata"].pop("cl-errors")
    assert first == expected


def test_dataset_entries_keep_errors_at_every_level_and_no_warnings(
    rekognition: Any, s3: Any, project_arn: str
) -> None:
    """An error is kept as ``cl-errors`` where the validation manifest has ``errors``: on the
    line, the label attribute, its metadata or one annotation; warnings are not kept."""
    s3.create_bucket(Bucket="bucket")
    box = detection_line("s3://bucket/box.jpg", (640, 480),
                         [("cat", 10, 10, 90, 90), ("dog", 600, 10, 90, 90)])
    frame = detection_line("s3://bucket/frame.jpg", (640, 480), [("cat", 10, 10, 90, 90)])
    frame["bounding-box"]["annotations"].append(7)
    meta = detection_line("s3://bucket/meta.jpg", (640, 480), [("cat", 10, 10, 90, 90)])
    meta["bounding-box-metadata"]["human-annotated"] = "perhaps"
    empty = detection_line("s3://bucket/empty.jpg", (640, 480), [])
    bare = {"source-ref": "s3://bucket/bare.jpg"}
    fine = [detection_line(f"s3://bucket/ok-{i}.jpg", (640, 480), [("cat", 10, 10, 90, 90)])
            for i in range(12)]
    s3.put_object(Bucket="bucket", Key="train.manifest",
                  Body=manifest([box, frame, meta, empty, bare, *fine]))
    arn = rekognition.create_dataset(
        ProjectArn=project_arn, DatasetType="TRAIN",
        DatasetSource={"GroundTruthManifest": {"S3Object": {"Bucket": "bucket",
                                                            "Name": "train.manifest"}}},
    )["DatasetArn"]
    listed = {e["source-ref"].rsplit("/", 1)[1]: e for e in _listed(rekognition, arn)}
    no_valid = [{"code": "ERROR_NO_VALID_LABEL_ATTRIBUTES",
                 "message": "No valid label attributes found."}]

    expected = json.loads(json.dumps(box))
    expected["bounding-box"]["annotations"][1]["cl-errors"] = [
        {"code": "ERROR_INVALID_BOUNDING_BOX", "message": "The bounding box has off frame values."}]
    expected["cl-metadata"] = {"is_labeled": True}
    assert listed["box.jpg"] == expected

    for name, line, attribute, code, message in (
            ("frame.jpg", frame, "bounding-box", "ERROR_INVALID_LABEL_ATTRIBUTE_FORMAT",
             "The format of the label attribute bounding-box is invalid."),
            ("meta.jpg", meta, "bounding-box-metadata",
             "ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT",
             "The format of the label attribute metadata is invalid.")):
        expected = json.loads(json.dumps(line))
        expected[attribute]["cl-errors"] = [{"code": code, "message": message}]
        expected["cl-metadata"] = {"is_labeled": True}
        expected["cl-errors"] = no_valid
        assert listed[name] == expected, name

    assert listed["empty.jpg"] == {**empty, "cl-metadata": {"is_labeled": False}}
    assert listed["bare.jpg"] == {**bare, "cl-metadata": {"is_labeled": False}}
    assert listed["ok-0.jpg"] == {**fine[0], "cl-metadata": {"is_labeled": True}}
    with_errors = {e["source-ref"].rsplit("/", 1)[1]
                   for e in _listed(rekognition, arn, HasErrors=True)}
    assert with_errors == {"box.jpg", "frame.jpg", "meta.jpg"}
