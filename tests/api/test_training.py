"""CreateProjectVersion from manifests in S3: rules, outcomes and outputs
[CL:training-model; CL:tm-debugging-summary; CL:im-summary-file]."""

from __future__ import annotations

import gc
import json
import re
from typing import Any

import pytest
from botocore.exceptions import WaiterError

from rekomock import Controller
from rekomock.testing import (
    classification_line,
    describe_version,
    detection_line,
    make_jpeg,
    make_png,
    manifest,
    manifest_asset,
)

#: The ``bucket`` fixture's bucket.
BUCKET = "rekomock-test-bucket"

VERSION_ARN = re.compile(
    r"^arn:aws:rekognition:us-east-1:123456789012:project/my-project/version/v1/(\d{13})$"
)


def read_json(s3: Any, bucket: str, key: str) -> Any:
    return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def test_trained_version_description(rekognition: Any, s3: Any, project_arn: str, train: Any,
                                     classification: dict[str, Any]) -> None:
    arn = train("v1", VersionDescription="first try", KmsKeyId="my-key")
    m = VERSION_ARN.match(arn)
    assert m, arn
    desc = describe_version(rekognition, project_arn, "v1")
    assert desc["ProjectVersionArn"] == arn
    assert int(m.group(1)) == round(desc["CreationTimestamp"].timestamp() * 1000)
    assert desc["Status"] == "TRAINING_COMPLETED"
    assert desc["StatusMessage"] == "The model is ready to run."
    assert desc["OutputConfig"] == {"S3Bucket": BUCKET, "S3KeyPrefix": "output"}
    assert desc["KmsKeyId"] == "my-key"
    assert desc["VersionDescription"] == "first try"
    assert isinstance(desc["BillableTrainingTimeInSeconds"], int)
    assert desc["TrainingEndTimestamp"] >= desc["CreationTimestamp"]
    assert "MinInferenceUnits" not in desc  # never started
    assert "SourceProjectVersionArn" not in desc
    assert "Feature" not in desc
    # Ground truth in, ground truth out: the model is perfect on its own test set.
    assert desc["EvaluationResult"]["F1Score"] == 1.0
    assert desc["TrainingDataResult"]["Input"] == classification["TrainingData"]
    assert desc["TestingDataResult"]["Input"] == {**classification["TestingData"],
                                                  "AutoCreate": False}
    assert desc["TestingDataResult"]["Output"]["AutoCreate"] is False


def test_outputs_written_to_s3_with_documented_names(rekognition: Any, s3: Any,
                                                      project_arn: str, train: Any) -> None:
    train("v1")
    desc = describe_version(rekognition, project_arn, "v1")
    bucket = BUCKET
    expected = {
        f"output/{kind}-my-project-v1.json"
        for kind in ("EvaluationResultSummary", "ManifestSummary", "TrainingGroundTruth",
                     "TestingGroundTruth", "TrainingManifestWithValidation",
                     "TestingManifestWithValidation")
    }
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="output/")["Contents"]}
    assert keys == expected
    refs = {
        desc["EvaluationResult"]["Summary"]["S3Object"]["Name"],
        desc["ManifestSummary"]["S3Object"]["Name"],
        *(r["Assets"][0]["GroundTruthManifest"]["S3Object"]["Name"]
          for part in ("TrainingDataResult", "TestingDataResult")
          for r in (desc[part]["Output"], desc[part]["Validation"])),
    }
    assert refs == expected

    summary = read_json(s3, bucket, "output/EvaluationResultSummary-my-project-v1.json")
    assert summary["Version"] == 1
    agg = summary["AggregatedEvaluationResults"]
    assert agg["F1Score"] == desc["EvaluationResult"]["F1Score"]
    assert {"ConfusionMatrix", "Precision", "Recall"} <= set(agg)
    details = summary["EvaluationDetails"]
    assert details["Labels"] == ["sunrise", "sunset"]
    assert details["NumberOfTrainingImages"] == 10
    assert details["NumberOfTestingImages"] == 5
    assert details["ProjectVersionArn"] == desc["ProjectVersionArn"]
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$", details["EvaluationEndTimestamp"])
    for result in summary["LabelEvaluationResults"]:
        assert set(result["Metrics"]) == {"F1Score", "Precision", "Recall", "Threshold"}
        assert 0 < result["Metrics"]["Threshold"] <= 1
    assert sum(r["NumberOfTestingImages"] for r in summary["LabelEvaluationResults"]) == 5

    ms = read_json(s3, bucket, "output/ManifestSummary-my-project-v1.json")
    assert ms["errors"] == []
    assert ms["statistics"]["training"]["use_case"] == "IMAGE_LEVEL_LABELS"
    assert ms["statistics"]["training"]["total_json_lines"] == 10
    assert ms["statistics"]["testing"]["valid_json_lines"] == 5

    snapshot = s3.get_object(Bucket=bucket, Key="output/TestingGroundTruth-my-project-v1.json")
    lines = [json.loads(x) for x in snapshot["Body"].read().splitlines()]
    assert len(lines) == 5
    meta = lines[0]["rekognition-custom-labels-evaluation-0-metadata"]
    assert meta["job-name"] == "rekognition-custom-labels-evaluation-job"
    assert meta["rekognition-custom-labels-evaluation-details"]["is-true-positive"] is True


@pytest.mark.parametrize(
    ("prefix", "key"),
    [("", "ManifestSummary-my-project-v1.json"),
     ("out/", "out/ManifestSummary-my-project-v1.json"),
     ("a/b", "a/b/ManifestSummary-my-project-v1.json")],
)
def test_output_prefix_joins_without_double_slash(rekognition: Any, s3: Any, project_arn: str,
                                                   train: Any, prefix: str, key: str) -> None:
    train("v1", OutputConfig={"S3Bucket": BUCKET, "S3KeyPrefix": prefix})
    desc = describe_version(rekognition, project_arn, "v1")
    assert desc["ManifestSummary"]["S3Object"]["Name"] == key
    s3.head_object(Bucket=BUCKET, Key=key)


def test_outputs_encrypted_with_the_kms_key(s3: Any, train: Any) -> None:
    train("v1", KmsKeyId="arn:aws:kms:us-east-1:123456789012:key/abc")
    head = s3.head_object(Bucket=BUCKET,
                          Key="output/EvaluationResultSummary-my-project-v1.json")
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"] == "arn:aws:kms:us-east-1:123456789012:key/abc"


def test_duplicate_version_name(rekognition: Any, project_arn: str, train: Any) -> None:
    train("v1")
    with pytest.raises(rekognition.exceptions.ResourceInUseException):
        train("v1")
    assert len(rekognition.describe_project_versions(ProjectArn=project_arn)[
        "ProjectVersionDescriptions"]) == 1


def test_unknown_project(rekognition: Any, train: Any) -> None:
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        train("v1",
              ProjectArn="arn:aws:rekognition:us-east-1:123456789012:project/no/1234567890123")


@pytest.mark.parametrize(
    "overrides",
    [
        {"TestingData": None},
        {"TrainingData": None},
        {"TrainingData": None, "TestingData": None},
        {"TestingData": {"AutoCreate": True, "Assets": [
            {"GroundTruthManifest": {"S3Object": {"Bucket": BUCKET, "Name": "x"}}}
        ]}},
        {"TestingData": {"Assets": []}},
        {"TrainingData": {"Assets": [
            {"GroundTruthManifest": {"S3Object": {"Bucket": BUCKET, "Name": "a"}}},
            {"GroundTruthManifest": {"S3Object": {"Bucket": BUCKET, "Name": "b"}}},
        ]}},
        {"TrainingData": {"Assets": [{"GroundTruthManifest": {"S3Object": {
            "Bucket": BUCKET}}}]}},
        {"FeatureConfig": {"ContentModeration": {"ConfidenceThreshold": 50}}},
    ],
)
def test_invalid_combinations_are_refused(rekognition: Any, project_arn: str, train: Any,
                                          overrides: dict[str, Any]) -> None:
    with pytest.raises(rekognition.exceptions.InvalidParameterException):
        train("v1", **overrides)
    assert rekognition.describe_project_versions(ProjectArn=project_arn)[
        "ProjectVersionDescriptions"] == []


def test_auto_create_splits_the_training_manifest(rekognition: Any, s3: Any, project_arn: str,
                                                   train: Any) -> None:
    train("v1", TestingData={"AutoCreate": True})
    desc = describe_version(rekognition, project_arn, "v1")
    assert desc["Status"] == "TRAINING_COMPLETED"
    assert desc["TestingDataResult"]["Input"] == {"AutoCreate": True}
    assert desc["TestingDataResult"]["Output"]["AutoCreate"] is True
    summary = read_json(s3, BUCKET,
                        desc["EvaluationResult"]["Summary"]["S3Object"]["Name"])
    details = summary["EvaluationDetails"]
    assert details["NumberOfTestingImages"] >= 2  # at least one image of each label
    assert details["NumberOfTrainingImages"] + details["NumberOfTestingImages"] == 10


def _failed(rekognition: Any, project_arn: str, name: str = "v1") -> dict[str, Any]:
    with pytest.raises(WaiterError) as err:
        rekognition.get_waiter("project_version_training_completed").wait(
            ProjectArn=project_arn, VersionNames=[name]
        )
    assert "TRAINING_FAILED" in str(err.value)
    desc = describe_version(rekognition, project_arn, name)
    assert desc["Status"] == "TRAINING_FAILED"
    assert "EvaluationResult" not in desc and "BillableTrainingTimeInSeconds" not in desc
    return desc


def test_missing_manifest_fails_training(rekognition: Any, project_arn: str, train: Any) -> None:
    train("v1", TrainingData=manifest_asset(BUCKET, "nope.manifest"))
    desc = _failed(rekognition, project_arn)
    assert desc["StatusMessage"] == "The manifest file extension or contents are invalid."
    assert "ManifestSummary" not in desc  # none after file errors [CL:tm-debugging]


def test_manifest_in_missing_bucket_fails_training(rekognition: Any, project_arn: str,
                                                   train: Any, rekomock: Controller) -> None:
    arn = train("v1", TestingData=manifest_asset("no-such-bucket-here", "t.manifest"))
    desc = _failed(rekognition, project_arn)
    assert desc["StatusMessage"] == "The manifest file extension or contents are invalid."
    assert rekomock.explain(arn) == (
        "TRAINING_FAILED: The manifest file extension or contents are invalid. -- TestingData "
        "manifest s3://no-such-bucket-here/t.manifest: bucket 'no-such-bucket-here' does not "
        "exist in account 123456789012")


def test_missing_manifest_key_is_told_apart_from_a_missing_bucket(
    rekognition: Any, project_arn: str, train: Any, rekomock: Controller
) -> None:
    arn = train("v1", TrainingData=manifest_asset(BUCKET, "typo.manifest"))
    desc = _failed(rekognition, project_arn)
    assert desc["StatusMessage"] == "The manifest file extension or contents are invalid."
    assert rekomock.explain(arn).endswith(
        "TrainingData manifest s3://rekomock-test-bucket/typo.manifest: no object "
        "'typo.manifest' in bucket 'rekomock-test-bucket'")
    assert "The manifest file extension or contents are invalid." in str(rekomock)


def test_explain_names_the_code_of_a_file_error(rekognition: Any, s3: Any, project_arn: str,
                                                train: Any, rekomock: Controller) -> None:
    s3.put_object(Bucket=BUCKET, Key="bin.manifest", Body=b"\xff\xfe")
    arn = train("v1", TrainingData=manifest_asset(BUCKET, "bin.manifest"))
    _failed(rekognition, project_arn)
    assert rekomock.explain(arn).endswith(
        "TrainingData manifest s3://rekomock-test-bucket/bin.manifest: "
        "ERROR_MANIFEST_INACCESSIBLE_OR_UNSUPPORTED_FORMAT (not UTF-8 text)")


def test_empty_manifest_fails_training(rekognition: Any, s3: Any, project_arn: str,
                                       train: Any) -> None:
    s3.put_object(Bucket=BUCKET, Key="empty.manifest", Body=b"")
    train("v1", TrainingData=manifest_asset(BUCKET, "empty.manifest"))
    assert _failed(rekognition, project_arn)["StatusMessage"] == "The manifest file is empty."


def test_unwritable_output_fails_training(rekognition: Any, project_arn: str, train: Any,
                                          rekomock: Controller) -> None:
    arn = train("v1", OutputConfig={"S3Bucket": "bucket-that-does-not-exist"})
    assert _failed(rekognition, project_arn)["StatusMessage"] == (
        "Unable to write to output S3 bucket."
    )
    assert rekomock.explain(arn).endswith(
        "-- OutputConfig bucket 'bucket-that-does-not-exist' does not exist in account "
        "123456789012")


def test_content_error_fails_with_summary(rekognition: Any, s3: Any, project_arn: str,
                                          train: Any, classification: dict[str, Any],
                                          rekomock: Controller) -> None:
    one_label = [classification_line(uri, "sunrise") for uri, _ in classification["images"]]
    s3.put_object(Bucket=BUCKET, Key="one.manifest", Body=manifest(one_label))
    arn = train("v1", TrainingData=manifest_asset(BUCKET, "one.manifest"),
                TestingData=manifest_asset(BUCKET, "one.manifest"))
    desc = _failed(rekognition, project_arn)
    assert desc["StatusMessage"] == "The manifest file has too few labels."
    assert "-- TrainingData: ERROR_MANIFEST_TOO_FEW_LABELS; each line's errors are in the " \
        "validation manifests" in rekomock.explain(arn)
    summary = read_json(s3, BUCKET, desc["ManifestSummary"]["S3Object"]["Name"])
    codes = [e["code"] for e in summary["statistics"]["training"]["errors"]] + [
        e["code"] for e in summary["errors"]]
    assert "ERROR_MANIFEST_TOO_FEW_LABELS" in codes


def test_bad_lines_are_reported_but_do_not_fail(rekognition: Any, s3: Any, project_arn: str,
                                               train: Any, classification: dict[str, Any]) -> None:
    lines = [classification_line(uri, label) for uri, label in classification["images"]]
    lines.append(classification_line("s3://rekomock-test-bucket/images/missing.png", "sunset"))
    s3.put_object(Bucket=BUCKET, Key="mixed.manifest", Body=manifest(lines))
    train("v1", TrainingData=manifest_asset(BUCKET, "mixed.manifest"))
    desc = describe_version(rekognition, project_arn, "v1")
    assert desc["Status"] == "TRAINING_COMPLETED"
    key = desc["TrainingDataResult"]["Validation"]["Assets"][0]["GroundTruthManifest"][
        "S3Object"]["Name"]
    validated = [json.loads(x) for x in s3.get_object(
        Bucket=BUCKET, Key=key)["Body"].read().splitlines()]
    assert len(validated) == 11
    assert [e["code"] for e in validated[-1]["errors"]] == ["ERROR_INVALID_IMAGE"]
    ms = read_json(s3, BUCKET, desc["ManifestSummary"]["S3Object"]["Name"])
    assert ms["statistics"]["training"]["invalid_json_lines"] == 1
    assert ms["statistics"]["training"]["error_json_line_indices"] == [11]


def _broken_images() -> dict[str, bytes]:
    """Headers that read right over data that does not decode."""
    jpeg = make_jpeg(100, 100, seed=5)
    return {"images/cut.jpg": jpeg[: len(jpeg) * 2 // 3],
            "images/noise.png": make_png(100, 100, (1, 2, 3))[:33] + bytes(range(256)) * 4}


def test_images_that_do_not_decode_are_invalid_image_lines(
    rekognition: Any, s3: Any, project_arn: str, train: Any, classification: dict[str, Any]
) -> None:
    """"The image is invalid" (ERROR_INVALID_IMAGE, the guide's "JSON line errors" page):
    a header is not enough, the image must be readable; the training goes on without it."""
    lines = [classification_line(uri, label) for uri, label in classification["images"]]
    for key, data in _broken_images().items():
        s3.put_object(Bucket=BUCKET, Key=key, Body=data)
        lines.append(classification_line(f"s3://rekomock-test-bucket/{key}", "sunset"))
    s3.put_object(Bucket=BUCKET, Key="broken.manifest", Body=manifest(lines))
    train("v1", TrainingData=manifest_asset(BUCKET, "broken.manifest"))
    desc = describe_version(rekognition, project_arn, "v1")
    assert desc["Status"] == "TRAINING_COMPLETED"
    key = desc["TrainingDataResult"]["Validation"]["Assets"][0]["GroundTruthManifest"][
        "S3Object"]["Name"]
    validated = [json.loads(x) for x in s3.get_object(
        Bucket=BUCKET, Key=key)["Body"].read().splitlines()]
    assert len(validated) == 12
    for line in validated[-2:]:
        assert line["errors"] == [{"code": "ERROR_INVALID_IMAGE",
                                   "message": "The image is invalid. Check S3 path and/or "
                                              "image properties."}]
    assert all(not line.get("errors") for line in validated[:-2])
    summary = read_json(s3, BUCKET, desc["ManifestSummary"]["S3Object"]["Name"])
    assert summary["statistics"]["training"]["invalid_json_lines"] == 2


def test_dataset_images_that_do_not_decode_are_invalid_at_training(
    rekognition: Any, s3: Any, project_arn: str
) -> None:
    """Datasets keep their lines; the training that reads the images finds them broken."""
    s3.create_bucket(Bucket="broken-set")
    lines = []
    for i, label in enumerate(["cat", "dog"] * 5):  # 2 broken of 12: under 20 % invalid
        s3.put_object(Bucket="broken-set", Key=f"{i}.png", Body=make_png(64, 64, (i, 90, 9)))
        lines.append(classification_line(f"s3://broken-set/{i}.png", label))
    broken = []
    for key, data in _broken_images().items():
        s3.put_object(Bucket="broken-set", Key=key, Body=data)
        broken.append(classification_line(f"s3://broken-set/{key}", "cat"))
    for dataset_type in ("TRAIN", "TEST"):
        arn = rekognition.create_dataset(ProjectArn=project_arn,
                                         DatasetType=dataset_type)["DatasetArn"]
        rekognition.update_dataset_entries(DatasetArn=arn,
                                           Changes={"GroundTruth": manifest(lines + broken)})
        assert rekognition.describe_dataset(DatasetArn=arn)["DatasetDescription"][
            "DatasetStats"]["TotalEntries"] == 12
    rekognition.create_project_version(ProjectArn=project_arn, VersionName="v1",
                                       OutputConfig={"S3Bucket": "broken-set"})
    desc = describe_version(rekognition, project_arn, "v1")
    assert desc["Status"] == "TRAINING_COMPLETED"
    location = desc["TrainingDataResult"]["Validation"]["Assets"][0]["GroundTruthManifest"][
        "S3Object"]
    validated = {line["source-ref"]: line for line in map(json.loads, s3.get_object(
        Bucket=location["Bucket"], Key=location["Name"])["Body"].read().splitlines())}
    for name in _broken_images():
        assert [e["code"] for e in validated[f"s3://broken-set/{name}"]["errors"]] == [
            "ERROR_INVALID_IMAGE"]


def test_object_localization(rekognition: Any, s3: Any, project_arn: str, train: Any) -> None:
    lines = []
    for i in range(6):
        key = f"boxes/img-{i}.png"
        s3.put_object(Bucket=BUCKET, Key=key,
                      Body=make_png(200, 100, (i * 40, 10, 10)))
        lines.append(detection_line(f"s3://rekomock-test-bucket/{key}", (200, 100),
                                    [("logo", 10, 10, 50, 40), ("badge", 100, 20, 30, 30)]))
    s3.put_object(Bucket=BUCKET, Key="boxes.manifest", Body=manifest(lines))
    asset = manifest_asset(BUCKET, "boxes.manifest")
    train("v1", TrainingData=asset, TestingData=asset)
    desc = describe_version(rekognition, project_arn, "v1")
    assert desc["Status"] == "TRAINING_COMPLETED", desc["StatusMessage"]
    summary = read_json(s3, BUCKET,
                        desc["EvaluationResult"]["Summary"]["S3Object"]["Name"])
    agg = summary["AggregatedEvaluationResults"]
    assert {"AverageRecall", "AveragePrecision", "F1Score"} <= set(agg)
    assert "ConfusionMatrix" not in agg
    assert summary["EvaluationDetails"]["Labels"] == ["badge", "logo"]
    assert agg["F1Score"] == 1.0


def test_multi_label_classification(rekognition: Any, s3: Any, project_arn: str,
                                    train: Any) -> None:
    lines = []
    for i in range(4):
        key = f"multi/img-{i}.png"
        s3.put_object(Bucket=BUCKET, Key=key, Body=make_png(64, 64, (i, 90, 9)))
        labels = ("football", "ball") if i % 2 else ("ball",)
        lines.append(classification_line(f"s3://rekomock-test-bucket/{key}", *labels))
    s3.put_object(Bucket=BUCKET, Key="multi.manifest", Body=manifest(lines))
    asset = manifest_asset(BUCKET, "multi.manifest")
    train("v1", TrainingData=asset, TestingData=asset)
    desc = describe_version(rekognition, project_arn, "v1")
    assert desc["Status"] == "TRAINING_COMPLETED", desc["StatusMessage"]
    summary = read_json(s3, BUCKET,
                        desc["EvaluationResult"]["Summary"]["S3Object"]["Name"])
    counts = {r["Label"]: r["NumberOfTestingImages"] for r in summary["LabelEvaluationResults"]}
    assert counts == {"ball": 4, "football": 2}


def test_fail_training_next_and_by_name(rekognition: Any, project_arn: str, train: Any,
                                       rekomock: Controller) -> None:
    rekomock.fail_training(message="Custom failure for the test.")
    arn = train("v1")
    assert _failed(rekognition, project_arn, "v1")["StatusMessage"] == (
        "Custom failure for the test."
    )
    assert rekomock.explain(arn) == ("TRAINING_FAILED: Custom failure for the test. -- "
                                     "rk.fail_training() asked for this failure")
    row = next(r for r in rekomock.resources() if r.name == "my-project/v1")
    assert (row.status, row.detail) == ("TRAINING_FAILED", "Custom failure for the test.")
    rekomock.fail_training(version_name="v3")
    train("v2")
    assert describe_version(rekognition, project_arn, "v2")["Status"] == "TRAINING_COMPLETED"
    train("v3")
    assert _failed(rekognition, project_arn, "v3")["StatusMessage"] == (
        "Amazon Rekognition experienced a service issue"
    )


def test_explain_refuses_what_it_cannot_explain(project_arn: str, rekomock: Controller) -> None:
    with pytest.raises(ValueError, match="not a project version or dataset ARN"):
        rekomock.explain(project_arn)
    with pytest.raises(ValueError, match="no such project version"):
        rekomock.explain(f"{project_arn.rsplit('/', 1)[0]}/version/nope/1700000000000")
    with pytest.raises(ValueError, match="no such dataset"):
        rekomock.explain(f"{project_arn.rsplit('/', 1)[0]}/dataset/train/1700000000000")


def test_delete_project_refused_while_versions_exist(rekognition: Any, project_arn: str,
                                                     train: Any) -> None:
    arn = train("v1")
    with pytest.raises(rekognition.exceptions.ResourceInUseException):
        rekognition.delete_project(ProjectArn=project_arn)
    rekognition.delete_project_version(ProjectVersionArn=arn)
    assert rekognition.delete_project(ProjectArn=project_arn)["Status"] == "DELETING"


def test_version_tags(rekognition: Any, train: Any) -> None:
    arn = train("v1", Tags={"stage": "dev"})
    assert rekognition.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"stage": "dev"}
    rekognition.tag_resource(ResourceArn=arn, Tags={"owner": "me"})
    rekognition.untag_resource(ResourceArn=arn, TagKeys=["stage"])
    assert rekognition.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"owner": "me"}
    rekognition.delete_project_version(ProjectVersionArn=arn)
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.list_tags_for_resource(ResourceArn=arn)


def test_versions_quota(rekognition: Any, single_attempt_rekognition: Any, project_arn: str,
                        train: Any, classification: dict[str, Any],
                        rekomock: Controller) -> None:
    rekomock.set_quotas(versions_per_project=1)
    train("v1")
    with pytest.raises(rekognition.exceptions.LimitExceededException):
        single_attempt_rekognition.create_project_version(
            ProjectArn=project_arn, VersionName="v2", OutputConfig=classification["OutputConfig"],
            TrainingData=classification["TrainingData"], TestingData=classification["TestingData"])
    assert len(rekognition.describe_project_versions(ProjectArn=project_arn)[
        "ProjectVersionDescriptions"]) == 1


def test_auto_create_writes_the_testing_validation_manifest(
    rekognition: Any, s3: Any, project_arn: str, train: Any,
) -> None:
    train("v1", TestingData={"AutoCreate": True})
    desc = describe_version(rekognition, project_arn, "v1")
    (asset,) = desc["TestingDataResult"]["Validation"]["Assets"]
    where = asset["GroundTruthManifest"]["S3Object"]
    assert where["Name"] == "output/TestingManifestWithValidation-my-project-v1.json"
    lines = s3.get_object(Bucket=where["Bucket"], Key=where["Name"])["Body"].read().splitlines()
    summary = read_json(s3, BUCKET,
                        desc["EvaluationResult"]["Summary"]["S3Object"]["Name"])
    assert len(lines) == summary["EvaluationDetails"]["NumberOfTestingImages"]
    tested = {json.loads(line)["source-ref"] for line in lines}
    trained = {json.loads(line)["source-ref"] for line in s3.get_object(
        Bucket=where["Bucket"], Key="output/TrainingGroundTruth-my-project-v1.json"
    )["Body"].read().splitlines()}
    assert tested and not tested & trained  # the split-off images, and only them


@pytest.mark.parametrize("message", ["The manifest file is empty.",
                                     "The manifest file extension or contents are invalid.",
                                     "Unable to write to output S3 bucket."])
def test_injected_terminal_file_error_writes_nothing(rekognition: Any, s3: Any,
                                                     project_arn: str, train: Any,
                                                     rekomock: Controller, message: str) -> None:
    rekomock.fail_training(message=message)
    train("v1")
    desc = _failed(rekognition, project_arn)
    assert desc["StatusMessage"] == message
    assert "ManifestSummary" not in desc
    assert "Validation" not in desc["TrainingDataResult"]
    assert "Validation" not in desc["TestingDataResult"]
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix="output/")["KeyCount"] == 0


def test_injected_content_error_writes_the_summary(rekognition: Any, project_arn: str,
                                                   train: Any, rekomock: Controller) -> None:
    rekomock.fail_training(message="The manifest file has too few labels.")
    train("v1")
    desc = _failed(rekognition, project_arn)
    assert "ManifestSummary" in desc
    assert "Validation" in desc["TrainingDataResult"]


def test_manifest_in_another_region_fails_like_a_missing_one(
    rekognition: Any, s3: Any, project_arn: str, train: Any, west_bucket: str,
    classification: dict[str, Any],
) -> None:
    body = s3.get_object(Bucket=BUCKET, Key="manifests/train.manifest")["Body"]
    s3.put_object(Bucket=west_bucket, Key="train.manifest", Body=body.read())
    train("v1", TrainingData=manifest_asset(west_bucket, "train.manifest"))
    desc = _failed(rekognition, project_arn)
    assert desc["StatusMessage"] == "The manifest file extension or contents are invalid."
    assert "ManifestSummary" not in desc


def test_output_bucket_in_another_region_fails_like_a_missing_one(
    rekognition: Any, s3: Any, project_arn: str, train: Any, west_bucket: str,
) -> None:
    train("v1", OutputConfig={"S3Bucket": west_bucket, "S3KeyPrefix": "output"})
    assert _failed(rekognition, project_arn)["StatusMessage"] == (
        "Unable to write to output S3 bucket."
    )
    assert s3.list_objects_v2(Bucket=west_bucket)["KeyCount"] == 0


def test_output_config_is_echoed_as_given(rekognition: Any, project_arn: str,
                                          train: Any) -> None:
    train("v1", OutputConfig={"S3Bucket": BUCKET})
    desc = describe_version(rekognition, project_arn, "v1")
    assert desc["OutputConfig"] == {"S3Bucket": BUCKET}


def test_outputs_appear_when_the_service_observes_the_end_not_when_a_status_is_read(
    rekognition: Any, s3: Any, project_arn: str, train: Any, rekomock: Controller
) -> None:
    from moto.moto_api import state_manager

    state_manager.set_transition("rekognition::projectversion-training",
                                 {"progression": "time", "seconds": 3600})
    train("v1")
    rekomock.advance_time(7200)  # the training has ended, but nobody has looked yet

    def outputs() -> list[str]:
        listed = s3.list_objects_v2(Bucket=BUCKET, Prefix="output/")
        return [o["Key"] for o in listed.get("Contents", [])]

    assert "my-project/v1" in repr(rekomock)  # the controller's table reads every status...
    assert outputs() == []  # ...and writes nothing
    assert describe_version(rekognition, project_arn, "v1")["Status"] == "TRAINING_COMPLETED"
    assert len(outputs()) == 6



@pytest.mark.parametrize("enabled", [True, False])
def test_training_leaves_the_garbage_collector_as_it_was(
    rekognition: Any, project_arn: str, train: Any, enabled: bool
) -> None:
    """The mock pauses Python's cyclic garbage collector while it reads a big manifest; the
    test process gets it back as it was, on or off."""
    was = gc.isenabled()
    try:
        if not enabled:
            gc.disable()
        train("v1", TestingData={"AutoCreate": True})
        assert describe_version(rekognition, project_arn, "v1")["Status"] == "TRAINING_COMPLETED"
        assert gc.isenabled() is enabled
    finally:
        if was:
            gc.enable()
