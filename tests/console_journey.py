"""A user's journey for the console's tests: two projects trained from manifest files.

``sunsets``: image classification, its model running, one wrong answer scripted so the
confusion matrix is not the identity. ``logos``: object localization, boxes on every image.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from rekomock.testing import (
    classification_line,
    detection_line,
    make_png,
    manifest,
    put_classification_dataset,
)

BUCKET = "console-bucket"


def _asset(key: str) -> dict[str, Any]:
    return {"Assets": [{"GroundTruthManifest": {"S3Object": {"Bucket": BUCKET, "Name": key}}}]}


def journey(rk: Any, rekognition: Any, s3: Any) -> dict[str, str]:
    s3.create_bucket(Bucket=BUCKET)
    key, images = put_classification_dataset(s3, BUCKET, {"sunrise": 6, "sunset": 6})
    test = images[::2]
    s3.put_object(Bucket=BUCKET, Key="manifests/test.manifest",
                  Body=manifest(classification_line(uri, label) for uri, label in test))
    wrong = next(uri for uri, label in test if label == "sunrise")
    rk.set_detections([{"Name": "sunset", "Confidence": 91.0}], image=wrong)
    sunsets = rekognition.create_project(ProjectName="sunsets")["ProjectArn"]
    classifier = rekognition.create_project_version(
        ProjectArn=sunsets, VersionName="v1",
        OutputConfig={"S3Bucket": BUCKET, "S3KeyPrefix": "output"},
        TrainingData=_asset(key), TestingData=_asset("manifests/test.manifest"),
    )["ProjectVersionArn"]
    rekognition.get_waiter("project_version_training_completed").wait(
        ProjectArn=sunsets, VersionNames=["v1"])
    rekognition.start_project_version(ProjectVersionArn=classifier, MinInferenceUnits=1)
    rekognition.get_waiter("project_version_running").wait(
        ProjectArn=sunsets, VersionNames=["v1"])

    lines = []
    for i in range(6):
        image_key = f"logos/{i}.png"
        s3.put_object(Bucket=BUCKET, Key=image_key, Body=make_png(200, 100, (i * 40, 20, 90)))
        lines.append(detection_line(f"s3://{BUCKET}/{image_key}", (200, 100),
                                    [("logo", 20, 10, 50, 40), ("badge", 120, 50, 30, 30)]))
    s3.put_object(Bucket=BUCKET, Key="logos/train.manifest", Body=manifest(lines[2:]))
    s3.put_object(Bucket=BUCKET, Key="logos/test.manifest", Body=manifest(lines[:2]))
    logos = rekognition.create_project(ProjectName="logos")["ProjectArn"]
    detector = rekognition.create_project_version(
        ProjectArn=logos, VersionName="boxes",
        OutputConfig={"S3Bucket": BUCKET, "S3KeyPrefix": "logos-output"},
        TrainingData=_asset("logos/train.manifest"), TestingData=_asset("logos/test.manifest"),
    )["ProjectVersionArn"]
    rekognition.get_waiter("project_version_training_completed").wait(
        ProjectArn=logos, VersionNames=["boxes"])
    return {"sunsets": sunsets, "classifier": classifier, "logos": logos, "detector": detector}


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def post(url: str, form: dict[str, str], headers: dict[str, str] | None = None
         ) -> tuple[int, str, str]:
    """POST a form without following the redirect: (status, Location, body)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode(),
                                     method="POST", headers=headers or {})
    try:
        with opener.open(request, timeout=30) as answer:
            return answer.status, answer.headers.get("Location", ""), answer.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Location", ""), err.read().decode()
