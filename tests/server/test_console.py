"""The console (``rk.console()`` in-process, ``/rekomock/`` on a server), read over plain
HTTP: what it shows, what its forms do, and that its pages meet the accessibility basics."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
from typing import Any

import boto3
import pytest
from a11y import problems
from botocore.exceptions import ClientError
from console_journey import BUCKET, get, journey, post

from rekomock import Controller, mock_rekognition_custom


@pytest.fixture
def journeyed(rekomock: Controller, rekognition: Any, s3: Any) -> dict[str, str]:
    arns = journey(rekomock, rekognition, s3)
    arns["url"] = rekomock.console()
    return arns


def _q(arn: str) -> str:
    return urllib.parse.quote(arn, safe="")


def _cells(page: str, caption: str) -> list[list[str]]:
    """The rows of the table with this caption, as text."""
    table = re.search(rf"<caption>{re.escape(caption)}</caption>(.*?)</table>", page, re.S)
    assert table is not None, caption
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(1), re.S)
    return [[re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)]
            for r in rows]


def test_overview_lists_projects_running_models_and_calls(journeyed: dict[str, str],
                                                          rekognition: Any,
                                                          rekomock: Controller) -> None:
    rekomock.inject_error("DescribeProjects", "AccessDeniedException")
    with pytest.raises(ClientError):
        rekognition.describe_projects()
    status, page = get(journeyed["url"])
    assert status == 200
    projects = _cells(page, "Projects in 123456789012, us-east-1")
    assert [row[0] for row in projects[1:]] == ["sunsets", "logos"]
    running = _cells(page, "Running models")
    assert running[1][0] == "sunsets/v1" and running[1][1] == "1"
    assert running[1][3] == "1"  # in service
    assert running[1][4] == "1"  # desired: no throughput limit, so no scaling
    assert running[1][6] == "$4.00"  # one unit at AWS's US East inference-hour price
    assert running[1][7] == f"${rekomock.bill(journeyed['classifier']).total:,.2f}"
    assert float(running[1][5]) == pytest.approx(rekomock.inference_unit_hours(
        journeyed["classifier"]), abs=1e-3)
    calls = _cells(page, "The latest calls, newest first")
    assert calls[1][0] == "DescribeProjects" and "AccessDeniedException" in calls[1][1]
    assert re.search(r'<tr class="error"><td>DescribeProjects</td>', page)


def test_evaluation_table_and_confusion_matrix_come_from_the_summary_file(
        journeyed: dict[str, str], s3: Any, rekognition: Any) -> None:
    status, page = get(journeyed["url"] + "version?arn=" + _q(journeyed["classifier"]))
    assert status == 200
    (desc,) = rekognition.describe_project_versions(
        ProjectArn=journeyed["sunsets"], VersionNames=["v1"])["ProjectVersionDescriptions"]
    ref = desc["EvaluationResult"]["Summary"]["S3Object"]
    summary = json.loads(s3.get_object(Bucket=ref["Bucket"], Key=ref["Name"])["Body"].read())
    rows = _cells(page, "Per-label performance")
    assert rows[0] == ["Label", "F1 score", "Precision", "Recall", "Assumed threshold",
                       "Test images"]
    expected = [[r["Label"], f"{r['Metrics']['F1Score']:.3f}", f"{r['Metrics']['Precision']:.3f}",
                 f"{r['Metrics']['Recall']:.3f}", f"{r['Metrics']['Threshold']:.3f}",
                 str(r["NumberOfTestingImages"])] for r in summary["LabelEvaluationResults"]]
    assert rows[1:] == expected
    matrix = _cells(page, "Confusion matrix: rows are the true labels, columns the predicted "
                          "labels")
    assert matrix[0] == ["True \\ Predicted", "sunrise", "sunset"]
    cells = {(c["GroundTruthLabel"], c["PredictedLabel"]): c["Value"]
             for c in summary["AggregatedEvaluationResults"]["ConfusionMatrix"]}
    assert cells[("sunrise", "sunset")] > 0  # the scripted wrong answer
    assert matrix[1] == ["sunrise", f"{cells.get(('sunrise', 'sunrise'), 0) * 100:.1f}%",
                         f"{cells[('sunrise', 'sunset')] * 100:.1f}%"]
    assert f"<dd>{summary['EvaluationDetails']['NumberOfTestingImages']}</dd>" in page
    assert "<li>Predicted: sunset (91.0%, false positive)</li>" in page  # the scripted one


def test_object_detection_test_images_show_true_and_predicted_boxes(
        journeyed: dict[str, str]) -> None:
    status, page = get(journeyed["url"] + "version?arn=" + _q(journeyed["detector"]))
    assert status == 200
    assert "Confusion matrix" not in page
    figures = re.findall(r"<figure>.*?</figure>", page, re.S)
    assert len(figures) == 2  # the two test images
    first = figures[0]
    assert first.count('class="truth"') == 2 and first.count('class="predicted"') == 2
    assert 'x="20.0" y="10.0" width="50.0" height="40.0"' in first
    assert "True boxes: logo at 20,10 50x40; badge at 120,50 30x30" in first
    image = re.search(r'<image href="([^"]+)"', first)
    assert image is not None
    url = journeyed["url"].split("/rekomock/")[0] + image.group(1).replace("&amp;", "&")
    with __import__("urllib.request").request.urlopen(url) as answer:
        assert answer.headers["Content-Type"] == "image/png"
        assert answer.read().startswith(b"\x89PNG")


def test_stop_button_stops_the_model_through_the_api_code(journeyed: dict[str, str],
                                                         rekognition: Any) -> None:
    status, location, _ = post(journeyed["url"] + "stop", {"arn": journeyed["classifier"]})
    assert status == 303 and "StopProjectVersion" in urllib.parse.unquote_plus(location)
    (desc,) = rekognition.describe_project_versions(
        ProjectArn=journeyed["sunsets"], VersionNames=["v1"])["ProjectVersionDescriptions"]
    assert desc["Status"] in ("STOPPING", "STOPPED")
    # A second stop is refused as StopProjectVersion refuses it, and says why.
    status, _, page = post(journeyed["url"] + "stop", {"arn": journeyed["classifier"]})
    assert status == 409 and "ResourceInUseException" in page


def test_opening_a_manifest_trained_project_creates_its_datasets(
        journeyed: dict[str, str], rekognition: Any) -> None:
    def datasets() -> list[str]:
        (project,) = rekognition.describe_projects(
            ProjectNames=["sunsets"])["ProjectDescriptions"]
        return sorted(d["DatasetType"] for d in project["Datasets"])

    assert datasets() == []
    status, page = get(journeyed["url"] + "project?arn=" + _q(journeyed["sunsets"]))
    assert status == 200
    assert datasets() == ["TEST", "TRAIN"]
    assert "Datasets created from the manifest files" in page
    assert "API_CreateProjectVersion.html" in page and "training-model.html" in page
    assert f"TRAIN from <code>s3://{BUCKET}/manifests/train.manifest</code>" in page
    rows = _cells(page, "Datasets")
    assert [r[3] for r in rows[1:]] == ["12", "6"]  # entries: all 12 to train, 6 to test
    # Then manifests are refused as for any project with datasets; the datasets train.
    with pytest.raises(ClientError) as refused:
        rekognition.create_project_version(
            ProjectArn=journeyed["sunsets"], VersionName="v2",
            OutputConfig={"S3Bucket": BUCKET},
            TrainingData={"Assets": [{"GroundTruthManifest": {"S3Object": {
                "Bucket": BUCKET, "Name": "manifests/train.manifest"}}}]},
            TestingData={"AutoCreate": True})
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
    rekognition.create_project_version(ProjectArn=journeyed["sunsets"], VersionName="v2",
                                       OutputConfig={"S3Bucket": BUCKET})
    # Once only: the next visit has nothing to create.
    _, again = get(journeyed["url"] + "project?arn=" + _q(journeyed["sunsets"]))
    assert "Datasets created from the manifest files" not in again


def test_auto_created_test_set_becomes_a_distributed_test_dataset(
        rekomock: Controller, rekognition: Any, s3: Any) -> None:
    journey(rekomock, rekognition, s3)
    arn = rekognition.create_project(ProjectName="auto")["ProjectArn"]
    rekognition.create_project_version(
        ProjectArn=arn, VersionName="v1", OutputConfig={"S3Bucket": BUCKET},
        TrainingData={"Assets": [{"GroundTruthManifest": {"S3Object": {
            "Bucket": BUCKET, "Name": "manifests/train.manifest"}}}]},
        TestingData={"AutoCreate": True})
    status, page = get(rekomock.console() + "project?arn=" + _q(arn))
    assert status == 200 and "DistributeDatasetEntries" in page
    (project,) = rekognition.describe_projects(ProjectNames=["auto"])["ProjectDescriptions"]
    sizes = {}
    for d in project["Datasets"]:
        described = rekognition.describe_dataset(DatasetArn=d["DatasetArn"])
        sizes[d["DatasetType"]] = described["DatasetDescription"]["DatasetStats"]["TotalEntries"]
    assert sizes["TRAIN"] + sizes["TEST"] == 12 and sizes["TEST"] > 0


def test_dataset_page_shows_entries_labels_and_stats(journeyed: dict[str, str],
                                                     rekognition: Any) -> None:
    get(journeyed["url"] + "project?arn=" + _q(journeyed["logos"]))
    (project,) = rekognition.describe_projects(ProjectNames=["logos"])["ProjectDescriptions"]
    train = next(d["DatasetArn"] for d in project["Datasets"] if d["DatasetType"] == "TRAIN")
    status, page = get(journeyed["url"] + "dataset?arn=" + _q(train))
    assert status == 200
    assert _cells(page, "Labels")[1:] == [["badge", "4", "4"], ["logo", "4", "4"]]
    assert page.count("<figure>") == 4 and page.count('class="truth"') == 8
    assert "<dt>TotalEntries</dt><dd>4</dd>" in page


def test_controls_advance_the_clock_fail_the_next_training_and_clear_errors(
        journeyed: dict[str, str], rekomock: Controller, rekognition: Any) -> None:
    before = rekomock.inference_unit_hours(journeyed["classifier"])
    status, location, _ = post(journeyed["url"] + "advance-time",
                               {"seconds": "7200", "back": "/rekomock/?account=123456789012"})
    assert status == 303 and location.startswith("/rekomock/?account=123456789012&done=")
    assert rekomock.inference_unit_hours(journeyed["classifier"]) == pytest.approx(before + 2,
                                                                                abs=1e-3)

    assert post(journeyed["url"] + "fail-training", {"message": "broken on purpose"})[0] == 303
    get(journeyed["url"] + "project?arn=" + _q(journeyed["logos"]))  # datasets to train on
    rekognition.create_project_version(ProjectArn=journeyed["logos"], VersionName="again",
                                       OutputConfig={"S3Bucket": BUCKET})
    rekognition.get_waiter("project_version_training_completed")  # not waited: it fails
    (desc,) = rekognition.describe_project_versions(
        ProjectArn=journeyed["logos"], VersionNames=["again"])["ProjectVersionDescriptions"]
    assert (desc["Status"], desc["StatusMessage"]) == ("TRAINING_FAILED", "broken on purpose")

    rekomock.inject_error("DescribeProjects", "ThrottlingException", times=None)
    assert post(journeyed["url"] + "clear-errors", {})[0] == 303
    rekognition.describe_projects()  # answered again


def test_bad_input_gets_a_page_not_a_traceback_and_changes_nothing(
        journeyed: dict[str, str], rekomock: Controller) -> None:
    before = rekomock.inference_unit_hours(journeyed["classifier"])
    status, _, page = post(journeyed["url"] + "advance-time", {"seconds": "soon"})
    assert status == 400 and "Traceback" not in page and 'role="alert"' in page
    status, _, _ = post(journeyed["url"] + "advance-time", {"seconds": "-5"})
    assert status == 400
    assert rekomock.inference_unit_hours(journeyed["classifier"]) == pytest.approx(before,
                                                                                abs=1e-3)
    missing = journeyed["classifier"].replace("/v1/", "/v9/")
    assert get(journeyed["url"] + "version?arn=" + _q(missing))[0] == 404
    assert get(journeyed["url"] + "version?arn=nonsense")[0] == 400
    elsewhere = journeyed["classifier"].replace("us-east-1", "xx-nowhere-9")
    assert get(journeyed["url"] + "version?arn=" + _q(elsewhere))[0] in (400, 404)
    assert get(journeyed["url"] + "nowhere")[0] == 404
    assert get(journeyed["url"] + "image?uri=" + _q(f"s3://{BUCKET}/none.png"))[0] == 404
    assert get(journeyed["url"] + "stop")[0] == 405
    assert get(journeyed["url"] + "?account=12")[0] == 400


def test_a_form_posted_from_another_site_is_refused(journeyed: dict[str, str],
                                                    rekognition: Any) -> None:
    status, _, _ = post(journeyed["url"] + "stop", {"arn": journeyed["classifier"]},
                        headers={"Origin": "http://evil.example"})
    assert status == 403
    (desc,) = rekognition.describe_project_versions(
        ProjectArn=journeyed["sunsets"], VersionNames=["v1"])["ProjectVersionDescriptions"]
    assert desc["Status"] == "RUNNING"


def test_other_accounts_and_regions_are_selectable(journeyed: dict[str, str]) -> None:
    west = boto3.client("rekognition", region_name="us-west-2")
    west.create_project(ProjectName="west-project")
    status, page = get(journeyed["url"] + "?account=123456789012&region=us-west-2")
    assert status == 200 and "west-project" in page and "sunsets" not in page
    assert '<option value="us-west-2" selected>' in page


def test_every_page_meets_the_accessibility_basics(journeyed: dict[str, str],
                                                   rekognition: Any) -> None:
    url = journeyed["url"]
    get(url + "project?arn=" + _q(journeyed["logos"]))
    (project,) = rekognition.describe_projects(ProjectNames=["logos"])["ProjectDescriptions"]
    pages = ["", "calls", "project?arn=" + _q(journeyed["sunsets"]),
             "project?arn=" + _q(journeyed["logos"]),
             "version?arn=" + _q(journeyed["classifier"]),
             "version?arn=" + _q(journeyed["detector"]),
             "dataset?arn=" + _q(project["Datasets"][0]["DatasetArn"]), "nowhere"]
    for path in pages:
        _, page = get(url + path)
        assert problems(page) == [], path


def test_the_checker_finds_what_it_checks() -> None:
    bad = ("<html><body><h1>a</h1><h3>b</h3><img src=x><input id=q><button></button>"
           "<table><tr><th>x</th></tr></table></body></html>")
    found = problems(bad)
    assert "html without lang" in found and "no title" in found
    assert any("skips" in p for p in found) and any("img without alt" in p for p in found)
    assert any("input without a label" in p for p in found)
    assert any("button without a name" in p for p in found) and "th without scope" in found


def test_the_console_stops_with_the_mock() -> None:
    with mock_rekognition_custom() as rk:
        url = rk.console()
        assert rk.console() == url  # one server per activation
        assert get(url)[0] == 200
    with pytest.raises(urllib.error.URLError):
        get(url)
    with pytest.raises(RuntimeError, match="active mock"):
        rk.console()


# ------------------------------------------------------------------- server mode


def test_the_server_serves_the_console_and_names_it_in_its_ready_line(server: Any) -> None:
    assert re.search(r"ready at \S+ \(Ctrl-C or SIGTERM stops it\); console at "
                     r"http://127\.0\.0\.1:\d+/rekomock/", server.output())
    server.client("rekognition").create_project(ProjectName="served")
    status, headers, body = server.request("GET", "/rekomock/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b"served" in body
    status, headers, body = server.request("GET", "/rekomock")  # redirected to /rekomock/
    if status == 308:  # urllib follows a 308 from Python 3.11 on
        assert headers["Location"] == "/rekomock/"
    else:
        assert status == 200 and b"rekomock console" in body


def test_a_signed_request_to_a_bucket_named_rekomock_still_reaches_s3(server: Any) -> None:
    s3 = server.client("s3")
    s3.create_bucket(Bucket="rekomock")
    s3.put_object(Bucket="rekomock", Key="k", Body=b"v")
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="rekomock")["Contents"]] == ["k"]
    assert s3.get_object(Bucket="rekomock", Key="k")["Body"].read() == b"v"
    presigned = s3.generate_presigned_url("get_object", Params={"Bucket": "rekomock",
                                                                "Key": "k"})
    status, body = get(presigned)
    assert (status, body) == (200, "v")


def test_the_server_console_forms_act_on_the_server_state(server: Any) -> None:
    _, before = server.control("state")
    status, _, _ = server.request(
        "POST", "/rekomock/advance-time", body=b"seconds=600",
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200  # after the redirect to the first page
    _, after = server.control("state")
    assert after["ClockOffsetSeconds"] == pytest.approx(before["ClockOffsetSeconds"] + 600)


def test_entries_with_errors_are_marked_with_their_errors(rekomock: Controller,
                                                          rekognition: Any, s3: Any) -> None:
    from rekomock.testing import detection_line, make_png, manifest

    s3.create_bucket(Bucket="bucket")
    lines = []
    for i in range(6):
        s3.put_object(Bucket="bucket", Key=f"ok-{i}.png", Body=make_png(200, 100, (i, 9, 9)))
        boxes = [("led", 10, 10, 90, 60)] + ([("dot", 5, 5, 1, 1)] if i == 0 else [])
        lines.append(detection_line(f"s3://bucket/ok-{i}.png", (200, 100), boxes))
    s3.put_object(Bucket="bucket", Key="train.manifest", Body=manifest(lines))
    project = rekognition.create_project(ProjectName="errors")["ProjectArn"]
    arn = rekognition.create_dataset(
        ProjectArn=project, DatasetType="TRAIN",
        DatasetSource={"GroundTruthManifest": {"S3Object": {"Bucket": "bucket",
                                                            "Name": "train.manifest"}}},
    )["DatasetArn"]
    status, page = get(rekomock.console() + "dataset?arn=" + _q(arn))
    assert status == 200 and page.count("<figure") == 6
    (marked,) = re.findall(r'<figure class="has-errors">.*?</figure>', page, re.S)
    assert "ok-0.png" in marked
    assert "<strong>Errors</strong>: ERROR_BOUNDING_BOX_TOO_SMALL" in marked
    assert "<dt>ErrorEntries</dt><dd>1</dd>" in page
    assert problems(page) == []
