"""A stateful walk over the whole lifecycle (projects, datasets, versions, starts, stops,
copies, policies, deletes), checking after every step that the mock agrees with a model
of the documented rules."""

from __future__ import annotations

import json
import os
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from rekomock import mock_rekognition_custom
from rekomock._domain.shapes import check_client
from rekomock.testing import put_classification_dataset

PROJECTS = ["alpha", "beta", "gamma"]
VERSIONS = ["v1", "v2", "v3"]
STARTABLE = {"TRAINING_COMPLETED", "STOPPED", "FAILED", "COPYING_COMPLETED"}
COPYABLE = {"TRAINING_COMPLETED", "RUNNING", "STOPPED", "FAILED", "COPYING_COMPLETED"}
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": "*", "Action": "rekognition:CopyProjectVersion",
    "Resource": "*"}]})
EXAMPLES = {"ci": 8, "medium": 60, "long": 400}.get(os.environ.get("HYPOTHESIS_PROFILE", "ci"), 8)


class Lifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.mock = mock_rekognition_custom()
        self.rk = self.mock.start()
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="walk-bucket")
        key, _ = put_classification_dataset(s3, "walk-bucket", {"a": 2, "b": 2})
        self.asset = {"Assets": [{"GroundTruthManifest": {"S3Object": {
            "Bucket": "walk-bucket", "Name": key}}}]}
        self.client = check_client(boto3.client(
            "rekognition", region_name="us-east-1", config=Config(parameter_validation=False)))
        self.projects: dict[str, str] = {}  # name -> ARN
        self.versions: dict[tuple[str, str], tuple[str, str]] = {}  # -> (ARN, status)
        self.datasets: dict[tuple[str, str], str] = {}  # (project, TYPE) -> ARN
        self.policies: dict[str, int] = {}
        self.dead: set[str] = set()  # ARNs of deleted resources

    def teardown(self) -> None:
        self.mock.stop()

    def _expect(self, ok: bool, call: Any, codes: tuple[str, ...] = ()) -> Any:
        try:
            result = call()
        except ClientError as err:
            code = err.response["Error"]["Code"]
            assert not ok, f"refused with {code}: {err}"
            assert not codes or code in codes, code
            return None
        assert ok, "accepted a call the rules refuse"
        return result

    # ------------------------------------------------------------ rules

    @rule(name=st.sampled_from(PROJECTS))
    def create_project(self, name: str) -> None:
        result = self._expect(name not in self.projects,
                              lambda: self.client.create_project(ProjectName=name,
                                                                 Tags={"p": name}),
                              ("ResourceInUseException",))
        if result:
            self.projects[name] = result["ProjectArn"]

    @rule(name=st.sampled_from(PROJECTS))
    def delete_project(self, name: str) -> None:
        arn = self.projects.get(name)
        if arn is None:
            return
        busy = any(p == name for p, _ in self.versions) or any(
            p == name for p, _ in self.datasets)
        if self._expect(not busy, lambda: self.client.delete_project(ProjectArn=arn),
                        ("ResourceInUseException",)):
            del self.projects[name]
            self.policies.pop(name, None)
            self.dead.add(arn)

    @rule(project=st.sampled_from(PROJECTS), name=st.sampled_from(VERSIONS),
          fail=st.booleans())
    def train(self, project: str, name: str, fail: bool) -> None:
        arn = self.projects.get(project)
        if arn is None:
            return
        ok = (project, name) not in self.versions and not any(
            p == project for p, _ in self.datasets)
        if ok and fail:
            self.rk.fail_training(version_name=name)
        result = self._expect(ok, lambda: self.client.create_project_version(
            ProjectArn=arn, VersionName=name, OutputConfig={"S3Bucket": "walk-bucket"},
            TrainingData=self.asset, TestingData=self.asset, Tags={"v": name}))
        if result:
            status = "TRAINING_FAILED" if fail else "TRAINING_COMPLETED"
            self.versions[(project, name)] = (result["ProjectVersionArn"], status)

    @rule(data=st.data(), fail=st.booleans())
    def start(self, data: Any, fail: bool) -> None:
        if not self.versions:
            return
        key = data.draw(st.sampled_from(sorted(self.versions)))
        arn, status = self.versions[key]
        ok = status in STARTABLE
        if ok and fail:
            self.rk.fail_start(version_name=key[1])
        if self._expect(ok, lambda: self.client.start_project_version(
                ProjectVersionArn=arn, MinInferenceUnits=1)):
            self.versions[key] = (arn, "FAILED" if fail else "RUNNING")

    @rule(data=st.data())
    def stop(self, data: Any) -> None:
        if not self.versions:
            return
        key = data.draw(st.sampled_from(sorted(self.versions)))
        arn, status = self.versions[key]
        if self._expect(status == "RUNNING",
                        lambda: self.client.stop_project_version(ProjectVersionArn=arn),
                        ("ResourceInUseException",)):
            self.versions[key] = (arn, "STOPPED")

    @rule(data=st.data())
    def delete_version(self, data: Any) -> None:
        if not self.versions:
            return
        key = data.draw(st.sampled_from(sorted(self.versions)))
        arn, status = self.versions[key]
        if self._expect(status != "RUNNING",
                        lambda: self.client.delete_project_version(ProjectVersionArn=arn),
                        ("ResourceInUseException",)):
            del self.versions[key]
            self.dead.add(arn)

    @rule(data=st.data(), dest=st.sampled_from(PROJECTS), name=st.sampled_from(VERSIONS))
    def copy(self, data: Any, dest: str, name: str) -> None:
        if not self.versions or dest not in self.projects:
            return
        key = data.draw(st.sampled_from(sorted(self.versions)))
        arn, status = self.versions[key]
        ok = status in COPYABLE and (dest, name) not in self.versions
        result = self._expect(ok, lambda: self.client.copy_project_version(
            SourceProjectArn=self.projects[key[0]], SourceProjectVersionArn=arn,
            DestinationProjectArn=self.projects[dest], VersionName=name,
            OutputConfig={"S3Bucket": "walk-bucket"}, Tags={"copy": name}))
        if result:
            self.versions[(dest, name)] = (result["ProjectVersionArn"], "COPYING_COMPLETED")

    @rule(project=st.sampled_from(PROJECTS), kind=st.sampled_from(["TRAIN", "TEST"]))
    def create_dataset(self, project: str, kind: str) -> None:
        arn = self.projects.get(project)
        if arn is None:
            return
        result = self._expect((project, kind) not in self.datasets,
                              lambda: self.client.create_dataset(ProjectArn=arn,
                                                                 DatasetType=kind),
                              ("ResourceAlreadyExistsException",))
        if result:
            self.datasets[(project, kind)] = result["DatasetArn"]

    @rule(data=st.data())
    def delete_dataset(self, data: Any) -> None:
        if not self.datasets:
            return
        key = data.draw(st.sampled_from(sorted(self.datasets)))
        arn = self.datasets.pop(key)
        self._expect(True, lambda: self.client.delete_dataset(DatasetArn=arn))
        self.dead.add(arn)

    @rule(project=st.sampled_from(PROJECTS))
    def put_policy(self, project: str) -> None:
        arn = self.projects.get(project)
        if arn is None:
            return
        n = self.policies.get(project, 0)
        if self._expect(n < 5, lambda: self.client.put_project_policy(
                ProjectArn=arn, PolicyName=f"p{n}", PolicyDocument=POLICY)):
            self.policies[project] = n + 1

    # ------------------------------------------------------- invariants

    @invariant()
    def agrees_with_the_rules(self) -> None:
        listed = {d["ProjectArn"] for d in self.client.describe_projects()["ProjectDescriptions"]}
        assert listed == set(self.projects.values())
        for name, arn in self.projects.items():
            descs = self.client.describe_project_versions(ProjectArn=arn)[
                "ProjectVersionDescriptions"]
            names = [d["ProjectVersionArn"].split("/")[3] for d in descs]
            assert len(names) == len(set(names))  # names unique per project
            expected = {v: s for (p, v), (_, s) in self.versions.items() if p == name}
            assert {d["ProjectVersionArn"].split("/")[3]: d["Status"] for d in descs} == expected
            datasets = {d["DatasetType"] for d in self.client.describe_projects(
                ProjectNames=[name])["ProjectDescriptions"][0]["Datasets"]}
            assert datasets == {t for p, t in self.datasets if p == name}
            policies = self.client.list_project_policies(ProjectArn=arn)["ProjectPolicies"]
            assert len(policies) == self.policies.get(name, 0)

    @invariant()
    def tags_only_on_live_resources(self) -> None:
        for arn, _ in self.versions.values():
            assert self.client.list_tags_for_resource(ResourceArn=arn)["Tags"]
        for arn in self.dead:
            try:
                self.client.list_tags_for_resource(ResourceArn=arn)
            except ClientError as err:
                assert err.response["Error"]["Code"] == "ResourceNotFoundException"
            else:
                raise AssertionError(f"tags answered for deleted {arn}")


Lifecycle.TestCase.settings = settings(max_examples=EXAMPLES, stateful_step_count=25,
                                       deadline=None, suppress_health_check=list(HealthCheck))
TestLifecycle = Lifecycle.TestCase
