"""The controller's vocabulary: the same names in ``rk`` and its HTTP routes (``version`` for a
ProjectVersionArn, ``project`` + ``version_name`` before a version exists, ``arn`` for
``explain``), ``times`` on every setting with a ``clear_*`` beside it, ``rk.now()``,
``rk.resources()``, one reset for resources, steering and clock, and the old names still
working for one release with a DeprecationWarning naming the new one."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import warnings
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
import requests

import rekomock.controller
import rekomock.phases
from rekomock import Controller, mock_rekognition_custom
from rekomock.controller import Quotas, Resource
from rekomock.testing import describe_version


def _status(rekognition: Any, project_arn: str, name: str) -> str:
    return str(describe_version(rekognition, project_arn, name)["Status"])


def _start(rekognition: Any, arn: str) -> None:
    rekognition.start_project_version(ProjectVersionArn=arn, MinInferenceUnits=1)


def _detect(rekognition: Any, arn: str, bucket: str, key: str) -> list[str]:
    answer = rekognition.detect_custom_labels(
        ProjectVersionArn=arn, Image={"S3Object": {"Bucket": bucket, "Name": key}},
        MinConfidence=0)
    return [label["Name"] for label in answer["CustomLabels"]]


# ----------------------------------------------------------- public names


def test_the_public_names() -> None:
    assert set(rekomock.controller.__all__) == {"Controller", "Quotas", "Call", "Calls",
                                                "Resource", "Bill", "BillItem", "RunningModel"}
    assert rekomock.phases.VERSION_TRAINING == "rekognition::projectversion-training"
    constants = {getattr(rekomock.phases, name) for name in rekomock.phases.__all__
                 if name != "MODEL_NAMES"}
    assert constants == set(rekomock.phases.MODEL_NAMES)


def test_every_setting_has_its_clear_and_explicit_typed_options() -> None:
    for name, method in inspect.getmembers(Controller, inspect.isfunction):
        if name.startswith(("set_", "fail_", "inject_")):
            kind = {"fail_training": "clear_training_failures",
                    "fail_start": "clear_start_failures", "inject_error": "clear_errors",
                    "set_evaluation": "clear_evaluations",
                    "fail_inference_units": "clear_inference_unit_failures"}.get(
                        name, "clear_" + name[4:])
            assert hasattr(Controller, kind), (name, kind)
        params = inspect.signature(method).parameters.values()
        assert all(p.kind is not p.VAR_KEYWORD for p in params), name
    times = {name: inspect.signature(getattr(Controller, name)).parameters["times"].default
             for name in ("fail_training", "fail_start", "set_evaluation", "inject_error",
                          "set_detections")}
    assert times == {"fail_training": 1, "fail_start": 1, "set_evaluation": 1,
                     "inject_error": 1, "set_detections": None}
    quota_options = [p.name for p in inspect.signature(Controller.set_quotas).parameters.values()
                     if p.kind is p.KEYWORD_ONLY]
    assert quota_options == [f.name for f in dataclasses.fields(Quotas)]


# ----------------------------------------------------------------- reset


def test_reset_forgets_resources_steering_and_the_clock(
        rekognition: Any, project_arn: str, rekomock: Controller) -> None:
    rekomock.fail_training()
    rekomock.fail_start()
    rekomock.set_evaluation(0.1)
    rekomock.set_detections([{"Name": "x", "Confidence": 90.0}])
    rekomock.inject_error("DescribeProjects", "ThrottlingException", times=None)
    rekomock.set_quotas(projects=1)
    rekomock.advance_time(3600)
    rekomock.reset()
    assert rekomock.now() - datetime.now(timezone.utc) < timedelta(minutes=1)
    assert rekomock.resources() == [] and len(rekomock.calls) == 0
    assert rekomock.quotas == Quotas()
    assert rekognition.describe_projects()["ProjectDescriptions"] == []


def test_moto_reset_is_the_same_reset(rekognition: Any, project_arn: str,
                                      rekomock: Controller) -> None:
    rekomock.fail_training()
    rekomock.advance_time(3600)
    requests.post("http://motoapi.amazonaws.com/moto-api/reset", timeout=30)
    assert rekomock.now() - datetime.now(timezone.utc) < timedelta(minutes=1)
    assert rekomock.resources() == []
    state = requests.get("http://motoapi.amazonaws.com/moto-api/rekomock/now",
                         timeout=30).json()
    assert state["OffsetSeconds"] == 0


def test_a_fresh_activation_starts_from_nothing() -> None:
    with mock_rekognition_custom() as rk:
        rk.fail_training(times=None)
        rk.advance_time(600)
    with mock_rekognition_custom() as rk:
        assert rk.now() - datetime.now(timezone.utc) < timedelta(minutes=1)
        rek = boto3.client("rekognition", region_name="us-east-1")
        rek.create_project(ProjectName="p")
        assert [r.kind for r in rk.resources()] == ["project"]


# ------------------------------------------------------------ now, resources


def test_now_is_the_mock_clock(rekognition: Any, rekomock: Controller) -> None:
    before = rekomock.now()
    rekomock.advance_time(7200)
    arn = rekognition.create_project(ProjectName="later")["ProjectArn"]
    created = rekognition.describe_projects()["ProjectDescriptions"][0]["CreationTimestamp"]
    assert rekomock.now().tzinfo is not None
    assert rekomock.now() - before >= timedelta(hours=2)
    assert abs(created - rekomock.now()) < timedelta(minutes=1)
    assert arn


def test_resources_are_structured_rows(rekognition: Any, project_arn: str, train: Any,
                                       rekomock: Controller) -> None:
    version = train("v1")
    project, trained = rekomock.resources()
    assert isinstance(project, Resource)
    assert project == Resource(project_arn, "project", "my-project", "CREATED",
                               "CUSTOM_LABELS", "123456789012", "us-east-1")
    assert (trained.arn, trained.kind, trained.name, trained.status) == (
        version, "version", "my-project/v1", "TRAINING_COMPLETED")
    assert trained.detail in str(rekomock)
    assert "my-project/v1" in rekomock._repr_html_()
    assert "123456789012/us-east-1" in str(rekomock)


# -------------------------------------------------------- times and clear_*


def test_fail_training_by_project_and_name_for_a_number_of_trainings(
        rekognition: Any, project_arn: str, train: Any, rekomock: Controller) -> None:
    other = rekognition.create_project(ProjectName="other")["ProjectArn"]
    rekomock.fail_training(project=other)
    rekomock.fail_training(project=project_arn, version_name="bad",
                           message="The manifest file has too few labels.")
    rekomock.fail_training(project=project_arn, version_name="worse", times=2)
    for name in ("good", "bad", "worse", "bad-again", "worse-again"):
        train(name)
    assert [_status(rekognition, project_arn, n) for n in ("good", "bad", "worse")] == [
        "TRAINING_COMPLETED", "TRAINING_FAILED", "TRAINING_FAILED"]
    rekomock.fail_training(project=project_arn, times=2)
    for name in ("a", "b", "c"):  # two uses only
        train(name)
    assert [_status(rekognition, project_arn, n) for n in ("a", "b", "c")] == [
        "TRAINING_FAILED", "TRAINING_FAILED", "TRAINING_COMPLETED"]
    rekomock.clear_training_failures()  # the one left for "worse" and the other project's
    rekomock.fail_training(times=None)
    for name in ("d", "e"):
        train(name)
        assert _status(rekognition, project_arn, name) == "TRAINING_FAILED"
    rekomock.clear_training_failures()
    train("f")
    assert _status(rekognition, project_arn, "f") == "TRAINING_COMPLETED"


def test_fail_start_by_version_arn_and_its_clear(rekognition: Any, project_arn: str,
                                                  train: Any, rekomock: Controller) -> None:
    one, two = train("v1"), train("v2")
    rekomock.fail_start(version=two, times=None, message="No capacity.")
    _start(rekognition, one)
    assert _status(rekognition, project_arn, "v1") == "RUNNING"
    for _ in range(2):
        _start(rekognition, two)
        desc = describe_version(rekognition, project_arn, "v2")
        assert (desc["Status"], desc["StatusMessage"]) == ("FAILED", "No capacity.")
    rekomock.clear_start_failures()
    _start(rekognition, two)
    assert _status(rekognition, project_arn, "v2") == "RUNNING"


def test_set_evaluation_by_project_times_and_clear(rekognition: Any, project_arn: str,
                                                   train: Any, rekomock: Controller) -> None:
    def f1(name: str) -> float:
        train(name)
        return float(describe_version(rekognition, project_arn, name)
                     ["EvaluationResult"]["F1Score"])

    measured = f1("measured")
    other = rekognition.create_project(ProjectName="other")["ProjectArn"]
    rekomock.set_evaluation(0.25, project=other, times=None)
    rekomock.set_evaluation(0.5, project=project_arn, version_name="v2", times=None)
    assert [f1("v1"), f1("v2")] == [measured, 0.5]
    rekomock.clear_evaluations()
    assert f1("v3") == measured
    rekomock.set_evaluation(0.75, times=2)
    assert [f1(n) for n in ("a", "b", "c")] == [0.75, 0.75, measured]


def test_set_detections_for_a_number_of_images(rekognition: Any, project_arn: str,
                                               train: Any, classification: dict[str, Any],
                                               rekomock: Controller) -> None:
    arn = train("v1")
    _start(rekognition, arn)
    bucket = classification["bucket"]
    uri, label = classification["images"][0]
    key = uri.split("/", 3)[3]
    truth = _detect(rekognition, arn, bucket, key)
    assert label in truth
    rekomock.set_detections([{"Name": "scripted", "Confidence": 99.0}], version=arn, times=2)
    assert [_detect(rekognition, arn, bucket, key) for _ in range(3)] == [
        ["scripted"], ["scripted"], truth]
    rekomock.set_detections([{"Name": "lasting", "Confidence": 99.0}], arn)
    assert [_detect(rekognition, arn, bucket, key) for _ in range(3)] == [["lasting"]] * 3
    rekomock.clear_detections()
    assert _detect(rekognition, arn, bucket, key) == truth


def test_inject_error_times_and_clear_calls(rekognition: Any, rekomock: Controller) -> None:
    rekomock.inject_error("DescribeProjects", "AccessDeniedException", times=2)
    for _ in range(2):
        with pytest.raises(rekognition.exceptions.AccessDeniedException):
            rekognition.describe_projects()
    rekognition.describe_projects()
    assert [c.error for c in rekomock.calls] == ["AccessDeniedException"] * 2 + [None]
    rekomock.clear_calls()
    assert list(rekomock.calls) == []


def test_set_quotas_all_or_nothing_and_clear(rekognition: Any, rekomock: Controller) -> None:
    assert rekomock.set_quotas(projects=1).projects == 1
    with pytest.raises(ValueError, match="tags_per_resource must be an integer of at least 0"):
        rekomock.set_quotas(projects=5, tags_per_resource=-1)
    assert rekomock.quotas.projects == 1
    rekognition.create_project(ProjectName="one")
    with pytest.raises(rekognition.exceptions.LimitExceededException):
        rekognition.create_project(ProjectName="two")
    rekomock.clear_quotas()
    assert rekomock.quotas == Quotas()
    rekognition.create_project(ProjectName="two")


# ------------------------------------------------------------ deprecations


def _deprecated(call: Any, new: str) -> Any:
    with pytest.warns(DeprecationWarning, match=new) as caught:
        answer = call()
    assert all(w.filename == __file__ for w in caught)  # it points at the caller
    return answer


def test_fail_training_positional_version_name(rekognition: Any, project_arn: str,
                                               train: Any, rekomock: Controller) -> None:
    _deprecated(lambda: rekomock.fail_training("v2"), r"fail_training\(version_name=")
    _deprecated(lambda: rekomock.fail_training("v3", "Broken."),
                r"use fail_training\((version_name|message)=")
    train("v1")
    train("v2")
    train("v3")
    assert [_status(rekognition, project_arn, n) for n in ("v1", "v2", "v3")] == [
        "TRAINING_COMPLETED", "TRAINING_FAILED", "TRAINING_FAILED"]
    assert describe_version(rekognition, project_arn, "v3")["StatusMessage"] == "Broken."
    with pytest.raises(TypeError, match="both"), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        rekomock.fail_training("v1", version_name="v1")


def test_fail_start_by_version_name(rekognition: Any, project_arn: str, train: Any,
                                    rekomock: Controller) -> None:
    one, two, three = train("v1"), train("v2"), train("v3")
    _deprecated(lambda: rekomock.fail_start("v2"), r"fail_start\(version=<ProjectVersionArn>")
    _deprecated(lambda: rekomock.fail_start(version_name="v3"), r"fail_start\(version=")
    for arn in (one, two, three):
        _start(rekognition, arn)
    assert [_status(rekognition, project_arn, n) for n in ("v1", "v2", "v3")] == [
        "RUNNING", "FAILED", "FAILED"]


def test_set_detections_project_version_arn(rekognition: Any, project_arn: str, train: Any,
                                            classification: dict[str, Any],
                                            rekomock: Controller) -> None:
    arn = train("v1")
    _start(rekognition, arn)
    _deprecated(lambda: rekomock.set_detections([{"Name": "old", "Confidence": 99.0}],
                                                project_version_arn=arn),
                r"set_detections\(version=")
    uri, _ = classification["images"][0]
    assert _detect(rekognition, arn, classification["bucket"], uri.split("/", 3)[3]) == ["old"]


def test_set_evaluation_positional_version_name(rekognition: Any, project_arn: str,
                                                train: Any, rekomock: Controller) -> None:
    _deprecated(lambda: rekomock.set_evaluation(0.5, None, "v2"),
                r"set_evaluation\(version_name=")
    train("v1")
    train("v2")
    f1 = [describe_version(rekognition, project_arn, n)["EvaluationResult"]["F1Score"]
          for n in ("v1", "v2")]
    assert f1[0] != 0.5 and f1[1] == 0.5


def test_inference_unit_hours_project_version_arn(rekognition: Any, train: Any,
                                                  rekomock: Controller) -> None:
    arn = train("v1")
    _start(rekognition, arn)
    rekomock.advance_time(3600)
    hours = _deprecated(lambda: rekomock.inference_unit_hours(project_version_arn=arn),
                        r"inference_unit_hours\(version=")
    assert hours == pytest.approx(rekomock.inference_unit_hours(arn), abs=0.01)


def test_rows(project_arn: str, rekomock: Controller) -> None:
    rows = _deprecated(rekomock.rows, r"rk.resources\(\)")
    assert rows == [{"where": "123456789012/us-east-1", "kind": "project",
                     "name": "my-project", "status": "CREATED", "detail": "CUSTOM_LABELS"}]


# ------------------------------------------------------------- the routes


def _route(server: Any, method: str, route: str, body: Any = None,
           query: str = "") -> tuple[int, dict[str, str], Any]:
    status, headers, text = server.request(
        method, f"/moto-api/rekomock/{route}{query}",
        None if body is None else json.dumps(body).encode(),
        {"Content-Type": "application/json"})
    return status, headers, json.loads(text)


def test_new_routes_answer_like_the_methods(server: Any) -> None:
    rek, s3 = server.client("rekognition"), server.client("s3")
    from rekomock.testing import put_classification_dataset

    s3.create_bucket(Bucket="route-bucket")
    key, _ = put_classification_dataset(s3, "route-bucket", {"a": 2, "b": 2})
    project = rek.create_project(ProjectName="routes")["ProjectArn"]
    asset = {"Assets": [{"GroundTruthManifest": {"S3Object": {"Bucket": "route-bucket",
                                                              "Name": key}}}]}

    def train(name: str) -> str:
        return str(rek.create_project_version(
            ProjectArn=project, VersionName=name, OutputConfig={"S3Bucket": "route-bucket"},
            TrainingData=asset, TestingData=asset)["ProjectVersionArn"])

    assert _route(server, "POST", "fail-training",
                  {"project": project, "version_name": "v1", "times": None})[0] == 200
    assert _route(server, "POST", "clear-training-failures", {})[0] == 200
    assert _route(server, "POST", "set-evaluation",
                  {"f1_score": 0.5, "project": project, "times": 1})[0] == 200
    version = train("v1")
    assert describe_version(rek, project, "v1")["EvaluationResult"]["F1Score"] == 0.5
    assert _route(server, "POST", "clear-evaluations", {})[0] == 200

    status, _, explained = _route(server, "GET", "explain", query=f"?arn={version}")
    assert (status, explained) == (200, {"Arn": version,
                                         "Explanation": explained["Explanation"]})
    assert explained["Explanation"].startswith("TRAINING_COMPLETED")
    status, _, resources = _route(server, "GET", "resources")
    assert status == 200 and [r["kind"] for r in resources] == ["project", "version"]
    assert resources[1] == {"arn": version, "kind": "version", "name": "routes/v1",
                            "status": "TRAINING_COMPLETED", "detail": resources[1]["detail"],
                            "account_id": "123456789012", "region": "us-east-1"}
    assert _route(server, "POST", "advance-time", {"seconds": 60})[0] == 200
    status, _, now = _route(server, "GET", "now")
    assert status == 200 and now["OffsetSeconds"] == 60
    assert datetime.fromisoformat(now["Now"]).tzinfo is not None

    assert _route(server, "POST", "fail-start", {"version": version})[0] == 200
    assert _route(server, "POST", "clear-start-failures", {})[0] == 200
    rek.start_project_version(ProjectVersionArn=version, MinInferenceUnits=1)
    assert describe_version(rek, project, "v1")["Status"] == "RUNNING"
    status, _, hours = _route(server, "GET", "inference-unit-hours", query=f"?version={version}")
    assert status == 200 and hours["ProjectVersionArn"] == version

    status, _, quotas = _route(server, "POST", "set-quotas", {"projects": 1})
    assert (status, quotas["projects"]) == (200, 1)
    assert _route(server, "POST", "clear-quotas", {})[0] == 200
    assert _route(server, "GET", "quotas")[2]["projects"] == Quotas().projects
    assert _route(server, "POST", "reset", {})[0] == 200
    assert _route(server, "GET", "now")[2]["OffsetSeconds"] == 0


@pytest.mark.parametrize(("method", "route", "body", "query", "new"), [
    ("GET", "state", None, "", "resources"),
    ("POST", "quotas", {"projects": 3}, "", "set-quotas"),
    ("POST", "set-detections", {"labels": [], "project_version_arn": "arn:aws:rekognition:"
                                "us-east-1:123456789012:project/p/version/v/1"}, "", "version"),
    ("POST", "fail-start", {"version_name": "v1"}, "", "version"),
    ("GET", "inference-unit-hours", None, "?project_version_arn=x", "version"),
])
def test_deprecated_routes_and_members_still_answer_with_a_warning(
        server: Any, method: str, route: str, body: Any, query: str, new: str) -> None:
    status, headers, answer = _route(server, method, route, body, query)
    if route == "inference-unit-hours":  # renamed before it is checked
        assert status == 400 and answer == {"Error": "not a project version ARN: x"}
        return
    assert status == 200, answer
    assert headers["Warning"].startswith('299 rekomock "') and new in headers["Warning"]
    if route == "state":
        assert answer == {"Resources": [], "ClockOffsetSeconds": 0.0}
    if route == "quotas":
        assert answer["projects"] == 3
        assert _route(server, "GET", "quotas")[2]["projects"] == 3


def test_the_old_and_new_member_together_are_refused(server: Any) -> None:
    arn = "arn:aws:rekognition:us-east-1:123456789012:project/p/version/v/1"
    status, _, answer = _route(server, "POST", "set-detections",
                               {"labels": [], "version": arn, "project_version_arn": arn})
    assert status == 400 and "give version only" in answer["Error"]


def _routes() -> list[str]:
    """The routes the mock serves, as its answer to an unknown one lists them."""
    answer = requests.get("http://motoapi.amazonaws.com/moto-api/rekomock/no-such-route",
                          timeout=5)
    assert answer.status_code == 404
    return list(ast.literal_eval(answer.json()["Error"].split("routes: ", 1)[1]))


def test_the_docs_name_every_route_and_method(rekomock: Any) -> None:
    from pathlib import Path

    docs = Path(__file__).resolve().parents[2] / "docs" / "reference"
    routes_page = (docs / "control-routes.md").read_text()
    readme = (docs / "controller.md").read_text()
    routes = _routes()
    for route in routes:
        if route == "state":  # deprecated: named in the paragraph after the table
            assert "`GET state`" in routes_page
            continue
        assert f"| `{route}` |" in routes_page, route
    public = [name for name, _ in inspect.getmembers(Controller)
              if not name.startswith("_") and name != "rows"]
    for name in public:
        assert f"`rk.{name}" in readme, name
        # readers with their own route names; a server serves its console at /rekomock/
        if name not in ("calls", "quotas", "console"):
            assert name.replace("_", "-") in routes, name
