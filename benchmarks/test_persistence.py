"""Saved state: what ``rk.load`` costs for a state with a trained model, against building
that state again (uploads, dataset, training), and what ``rk.save`` costs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
from server_process import ServerProcess

from rekomock import mock_rekognition_custom
from rekomock.testing import put_classification_dataset

from conftest import SHORT, asset, fact

IMAGES_PER_LABEL = 20 if SHORT else 100


def _build() -> str:
    """A bucket of PNGs, a project, and a version trained on them; its ARN."""
    s3 = boto3.client("s3", region_name="us-east-1")
    rek = boto3.client("rekognition", region_name="us-east-1")
    s3.create_bucket(Bucket="bench")
    key, _ = put_classification_dataset(
        s3, "bench", {"a": IMAGES_PER_LABEL, "b": IMAGES_PER_LABEL})
    project = rek.create_project(ProjectName="bench")["ProjectArn"]
    arn: str = rek.create_project_version(
        ProjectArn=project, VersionName="v1", OutputConfig={"S3Bucket": "bench"},
        TrainingData=asset(key), TestingData={"AutoCreate": True})["ProjectVersionArn"]
    rek.get_waiter("project_version_training_completed").wait(ProjectArn=project,
                                                              VersionNames=["v1"])
    return arn


def test_build_a_trained_state(bench_rounds: Any) -> None:
    def build() -> None:
        with mock_rekognition_custom():
            _build()

    bench_rounds("rk.state.build", build, rounds=5)


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("state") / "trained.rkstate"
    with mock_rekognition_custom() as rk:
        _build()
        rk.save(path)
    fact("rk.state.file_size", f"{path.stat().st_size / 1e6:.2f} MB for "
         f"{2 * IMAGES_PER_LABEL} images and one trained model")
    return path


def test_save_a_trained_state(bench_rounds: Any, tmp_path: Path) -> None:
    with mock_rekognition_custom() as rk:
        _build()
        bench_rounds("rk.state.save", lambda: rk.save(tmp_path / "s"), rounds=10)


def test_load_a_trained_state(bench_rounds: Any, saved: Path) -> None:
    with mock_rekognition_custom() as rk:
        bench_rounds("rk.state.load", lambda: rk.load(saved), rounds=10)
        rek = boto3.client("rekognition", region_name="us-east-1")
        assert len(rek.describe_projects()["ProjectDescriptions"]) == 1


# ------------------------------------------ rekomock server --durable: cost per request


def _tag_requests(bench: Any, key: str, state_dir: Path, *flags: str) -> None:
    """TagResource on one project (a mutating request that leaves the state's size alone)."""
    server = ServerProcess("--quiet", "--state-dir", str(state_dir), *flags)
    try:
        rek = server.client("rekognition")
        described = rek.describe_projects()["ProjectDescriptions"]
        arn = (described[0]["ProjectArn"] if described
               else rek.create_project(ProjectName="tagged")["ProjectArn"])
        bench(key, rek.tag_resource, ResourceArn=arn, Tags={"k": "v"})
    finally:
        server.stop()


def test_server_mutating_request(bench: Any, tmp_path: Path) -> None:
    _tag_requests(bench, "server.tag.plain", tmp_path)


def test_server_mutating_request_durable(bench: Any, tmp_path: Path) -> None:
    _tag_requests(bench, "server.tag.durable", tmp_path, "--durable")


def test_server_mutating_request_durable_trained_state(bench: Any, saved: Path,
                                                       tmp_path: Path) -> None:
    import shutil

    shutil.copy(saved, tmp_path / "state.rkstate")
    _tag_requests(bench, "server.tag.durable.trained", tmp_path, "--durable")
