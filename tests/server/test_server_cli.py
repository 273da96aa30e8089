"""The AWS CLI drives the whole Custom Labels journey against ``rekomock server`` (README's
server-mode example, command for command)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from server_process import ServerProcess

from rekomock.testing import classification_line, make_png, manifest

pytest.importorskip("awscli")


class Cli:
    def __init__(self, endpoint: str, home: Path) -> None:
        self.endpoint = endpoint
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(home),
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": str(home / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
        }

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "awscli", *args, "--endpoint-url", self.endpoint,
             "--output", "json"],
            capture_output=True, text=True, env=self.env, timeout=120,
            stdin=subprocess.DEVNULL,
        )
        assert done.returncode == 0, f"aws {' '.join(args)}: {done.stderr}"
        return done.stdout

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args))


def test_cli_journey(server: ServerProcess, tmp_path: Path) -> None:
    aws = Cli(server.url, tmp_path)
    upload = tmp_path / "upload"
    (upload / "images").mkdir(parents=True)
    lines = []
    for label, colour in (("cat", (200, 40, 40)), ("dog", (40, 40, 200))):
        for i in range(3):
            name = f"images/{label}_{i}.png"
            (upload / name).write_bytes(make_png(64, 64, (colour[0], colour[1] + i, colour[2])))
            lines.append(classification_line(f"s3://cli-bucket/{name}", label))
    (upload / "train.manifest").write_bytes(manifest(lines))

    assert "make_bucket: cli-bucket" in aws.run("s3", "mb", "s3://cli-bucket")
    copied = aws.run("s3", "cp", "--recursive", str(upload), "s3://cli-bucket/")
    assert copied.count("upload:") == 7

    project_arn = aws.json("rekognition", "create-project",
                           "--project-name", "cli-project")["ProjectArn"]
    assert project_arn.startswith("arn:aws:rekognition:us-east-1:123456789012:project/cli-project/")

    training = {"Assets": [{"GroundTruthManifest": {"S3Object": {
        "Bucket": "cli-bucket", "Name": "train.manifest"}}}]}
    version_arn = aws.json(
        "rekognition", "create-project-version", "--project-arn", project_arn,
        "--version-name", "v1", "--output-config", "S3Bucket=cli-bucket,S3KeyPrefix=output",
        "--training-data", json.dumps(training), "--testing-data", '{"AutoCreate": true}',
    )["ProjectVersionArn"]
    assert version_arn.startswith(f"{project_arn.rsplit('/', 1)[0]}/version/v1/")

    assert aws.run("rekognition", "wait", "project-version-training-completed",
                   "--project-arn", project_arn, "--version-names", "v1") == ""
    (desc,) = aws.json("rekognition", "describe-project-versions", "--project-arn",
                       project_arn, "--version-names", "v1")["ProjectVersionDescriptions"]
    assert desc["Status"] == "TRAINING_COMPLETED"
    assert 0 <= desc["EvaluationResult"]["F1Score"] <= 1

    started = aws.json("rekognition", "start-project-version", "--project-version-arn",
                       version_arn, "--min-inference-units", "1")
    assert started == {"Status": "STARTING"}
    assert aws.run("rekognition", "wait", "project-version-running", "--project-arn",
                   project_arn, "--version-names", "v1") == ""

    image = json.dumps({"S3Object": {"Bucket": "cli-bucket", "Name": "images/dog_1.png"}})
    found = aws.json("rekognition", "detect-custom-labels", "--project-version-arn",
                     version_arn, "--image", image)["CustomLabels"]
    assert [label["Name"] for label in found] == ["dog"]
    assert 0 <= found[0]["Confidence"] <= 100
    found = aws.json("rekognition", "detect-custom-labels", "--project-version-arn",
                     version_arn, "--image-bytes", f"fileb://{upload / 'images' / 'cat_2.png'}",
                     )["CustomLabels"]
    assert [label["Name"] for label in found] == ["cat"]

    assert aws.json("rekognition", "stop-project-version", "--project-version-arn",
                    version_arn) == {"Status": "STOPPING"}
    assert aws.json("rekognition", "delete-project-version", "--project-version-arn",
                    version_arn) == {"Status": "DELETING"}
    assert aws.json("rekognition", "delete-project", "--project-arn",
                    project_arn) == {"Status": "DELETING"}
    assert aws.json("rekognition", "describe-projects") == {"ProjectDescriptions": []}


def test_cli_sees_aws_errors(server: ServerProcess, tmp_path: Path) -> None:
    aws = Cli(server.url, tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "awscli", "rekognition", "create-project", "--project-name",
         "bad name!", "--endpoint-url", server.url],
        capture_output=True, text=True, env=aws.env, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode != 0
    assert "(ValidationException)" in done.stderr
    assert "failed to satisfy constraint" in done.stderr


def test_cli_journey_across_a_restart(tmp_path: Path) -> None:
    """Train with the AWS CLI, stop the server (SIGTERM), start it again on the same
    --state-dir, then start and use the model trained before the restart."""
    upload = tmp_path / "upload"
    (upload / "images").mkdir(parents=True)
    lines = []
    for label, colour in (("cat", (200, 40, 40)), ("dog", (40, 40, 200))):
        for i in range(3):
            name = f"images/{label}_{i}.png"
            (upload / name).write_bytes(make_png(64, 64, (colour[0], colour[1] + i, colour[2])))
            lines.append(classification_line(f"s3://cli-bucket/{name}", label))
    (upload / "train.manifest").write_bytes(manifest(lines))
    state = tmp_path / "state"

    before = ServerProcess("--quiet", "--state-dir", str(state))
    try:
        aws = Cli(before.url, tmp_path)
        aws.run("s3", "mb", "s3://cli-bucket")
        aws.run("s3", "cp", "--recursive", str(upload), "s3://cli-bucket/")
        project_arn = aws.json("rekognition", "create-project",
                               "--project-name", "cli-project")["ProjectArn"]
        training = {"Assets": [{"GroundTruthManifest": {"S3Object": {
            "Bucket": "cli-bucket", "Name": "train.manifest"}}}]}
        version_arn = aws.json(
            "rekognition", "create-project-version", "--project-arn", project_arn,
            "--version-name", "v1", "--output-config", "S3Bucket=cli-bucket",
            "--training-data", json.dumps(training), "--testing-data", '{"AutoCreate": true}',
        )["ProjectVersionArn"]
        aws.run("rekognition", "wait", "project-version-training-completed",
                "--project-arn", project_arn, "--version-names", "v1")
    finally:
        assert before.stop() == 0

    after = ServerProcess("--quiet", "--state-dir", str(state))
    try:
        aws = Cli(after.url, tmp_path)
        (desc,) = aws.json("rekognition", "describe-project-versions", "--project-arn",
                           project_arn, "--version-names", "v1")["ProjectVersionDescriptions"]
        assert desc["Status"] == "TRAINING_COMPLETED"
        aws.json("rekognition", "start-project-version", "--project-version-arn",
                 version_arn, "--min-inference-units", "1")
        aws.run("rekognition", "wait", "project-version-running", "--project-arn",
                project_arn, "--version-names", "v1")
        image = json.dumps({"S3Object": {"Bucket": "cli-bucket", "Name": "images/dog_1.png"}})
        found = aws.json("rekognition", "detect-custom-labels", "--project-version-arn",
                         version_arn, "--image", image)["CustomLabels"]
        assert [label["Name"] for label in found] == ["dog"]
    finally:
        assert after.stop() == 0
