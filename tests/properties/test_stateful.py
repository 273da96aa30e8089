"""A stateful walk over the whole lifecycle (projects, datasets, versions, starts, stops,
copies, policies, deletes), checking after every step that the mock agrees with a model
of the documented rules: each refusal with its exact error code. The walk runs with every
phase immediate, with time-based phases (the walk moves the mock's clock) and with manual
ones (each describe moves them), so versions are met in every in-between status."""

from __future__ import annotations

import json
import os
from typing import Any, NamedTuple

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from moto.moto_api import state_manager

from rekomock import mock_rekognition_custom
from rekomock.phases import (
    VERSION_COPYING,
    VERSION_DELETING,
    VERSION_STARTING,
    VERSION_STOPPING,
    VERSION_TRAINING,
)
from rekomock.testing import manifest_asset, put_classification_dataset, strict_client

PROJECTS = ["alpha", "beta", "gamma"]
VERSIONS = ["v1", "v2", "v3"]
# The documented rules the walk checks the mock against (docs/decisions.md).
STARTABLE = {"TRAINING_COMPLETED", "STOPPED", "FAILED", "COPYING_COMPLETED"}
COPYABLE = {"TRAINING_COMPLETED", "STARTING", "RUNNING", "STOPPING", "STOPPED", "FAILED",
            "COPYING_COMPLETED"}
UNTRAINED = {"TRAINING_FAILED", "COPYING_FAILED"}
BUSY = {"TRAINING_IN_PROGRESS", "STARTING", "RUNNING", "STOPPING", "COPYING_IN_PROGRESS",
        "DELETING"}
IN_BETWEEN = {"TRAINING_IN_PROGRESS", "STARTING", "STOPPING", "COPYING_IN_PROGRESS",
              "DELETING"}
GONE = "(gone)"
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": "*", "Action": "rekognition:CopyProjectVersion",
    "Resource": "*"}]})
EXAMPLES = {"ci": 8, "medium": 60, "long": 400}.get(os.environ.get("HYPOTHESIS_PROFILE", "ci"), 8)
VERSION_PHASES = (VERSION_TRAINING, VERSION_STARTING, VERSION_STOPPING, VERSION_COPYING,
                  VERSION_DELETING)
#: "manual": a phase ends on the TIMES-th describe after it began.
TIMES = 2
#: "time": a phase lasts STEP seconds of the mock's clock, which the walk moves by ADVANCES.
#: The clock is wall time plus the advances: a phase could only end early if one example
#: took more than STEP - 900 = 100 s of real time.
STEP = 1000
ADVANCES = [300, 1200]
#: Failures one time in four: a walk mostly goes on with a usable model.
SOMETIMES = st.integers(0, 3).map(lambda n: n == 3)


class Version(NamedTuple):
    arn: str
    first: str  # the status its current phase shows until it ends
    final: str  # the status it ends in
    since: int  # describes (manual) or clock seconds (time) when the phase began


class Lifecycle(RuleBasedStateMachine):
    """The walk with every phase ``immediate``; subclasses pace the phases."""

    pace = "immediate"
    #: Statuses the walk has seen in DescribeProjectVersions, over every run of the class.
    observed: set[str] = set()

    def __init__(self) -> None:
        super().__init__()
        self.mock = mock_rekognition_custom()
        self.rk = self.mock.start()
        for phase in VERSION_PHASES:
            if self.pace == "manual":
                state_manager.set_transition(phase, {"progression": "manual", "times": TIMES})
            elif self.pace == "time":
                state_manager.set_transition(phase, {"progression": "time", "seconds": STEP})
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="walk-bucket")
        key, _ = put_classification_dataset(s3, "walk-bucket", {"a": 2, "b": 2})
        self.asset = manifest_asset("walk-bucket", key)
        self.client = strict_client(boto3.client(
            "rekognition", region_name="us-east-1", config=Config(parameter_validation=False)))
        self.projects: dict[str, str] = {}  # name -> ARN
        self.versions: dict[tuple[str, str], Version] = {}
        self.datasets: dict[tuple[str, str], str] = {}  # (project, TYPE) -> ARN
        self.policies: dict[str, int] = {}
        self.dead: set[str] = set()  # ARNs of deleted resources
        self.describes = 0
        self.now = 0  # seconds the walk moved the mock's clock

    def teardown(self) -> None:
        self.mock.stop()

    def _expect(self, error: str | None, call: Any) -> Any:
        """``call()`` must succeed (``error`` None) or fail with exactly ``error``."""
        try:
            result = call()
        except ClientError as err:
            code = err.response["Error"]["Code"]
            assert error is not None, f"refused with {code}: {err}"
            assert code == error, f"{code} where the rules say {error}: {err}"
            return None
        assert error is None, f"accepted a call the rules refuse with {error}"
        return result

    def _begin(self, key: tuple[str, str], arn: str, first: str, final: str) -> None:
        since = self.describes if self.pace == "manual" else self.now
        self.versions[key] = Version(arn, first, final, since)

    def _status(self, key: tuple[str, str]) -> str:
        v = self.versions[key]
        if self.pace == "manual":
            ended = self.describes - v.since >= TIMES
        elif self.pace == "time":
            ended = self.now - v.since > STEP
        else:
            ended = True
        return v.final if ended else v.first

    def _settle(self) -> None:
        """Versions whose deletion has ended are gone."""
        for key in [k for k in self.versions if self._status(k) == GONE]:
            self.dead.add(self.versions.pop(key).arn)

    def _pick_version(self, data: Any, fits: set[str]) -> tuple[tuple[str, str], str, str] | None:
        """A version: three times in four one in a status of ``fits`` (when there is one), so
        that walks go deep (a stop needs a RUNNING version); else any, to try refusals."""
        self._settle()
        keys = sorted(self.versions)
        fitting = [k for k in keys if self._status(k) in fits]
        if fitting and not data.draw(SOMETIMES):
            keys = fitting
        if not keys:
            return None
        key = data.draw(st.sampled_from(keys))
        return key, self.versions[key].arn, self._status(key)

    # ------------------------------------------------------------ rules

    @initialize()
    def first_project(self) -> None:
        self.create_project(PROJECTS[0])

    @rule(name=st.sampled_from(PROJECTS))
    def create_project(self, name: str) -> None:
        result = self._expect("ResourceInUseException" if name in self.projects else None,
                              lambda: self.client.create_project(ProjectName=name,
                                                                 Tags={"p": name}))
        if result:
            self.projects[name] = result["ProjectArn"]

    @rule(name=st.sampled_from(PROJECTS))
    def delete_project(self, name: str) -> None:
        self._settle()
        arn = self.projects.get(name)
        if arn is None:
            return
        busy = any(p == name for p, _ in self.versions) or any(
            p == name for p, _ in self.datasets)
        if self._expect("ResourceInUseException" if busy else None,
                        lambda: self.client.delete_project(ProjectArn=arn)):
            del self.projects[name]
            self.policies.pop(name, None)
            self.dead.add(arn)

    @rule(project=st.sampled_from(PROJECTS), name=st.sampled_from(VERSIONS),
          fail=SOMETIMES)
    def train(self, project: str, name: str, fail: bool) -> None:
        self._settle()
        arn = self.projects.get(project)
        if arn is None:
            return
        error = None
        if any(p == project for p, _ in self.datasets):  # datasets replace manifests
            error = "InvalidParameterException"
        elif (project, name) in self.versions:
            error = "ResourceInUseException"
        if error is None and fail:
            self.rk.fail_training(version_name=name)
        result = self._expect(error, lambda: self.client.create_project_version(
            ProjectArn=arn, VersionName=name, OutputConfig={"S3Bucket": "walk-bucket"},
            TrainingData=self.asset, TestingData=self.asset, Tags={"v": name}))
        if result:
            self._begin((project, name), result["ProjectVersionArn"], "TRAINING_IN_PROGRESS",
                        "TRAINING_FAILED" if fail else "TRAINING_COMPLETED")

    @precondition(lambda self: self.versions)
    @rule(data=st.data(), fail=SOMETIMES)
    def start(self, data: Any, fail: bool) -> None:
        picked = self._pick_version(data, STARTABLE)
        if picked is None:
            return
        key, arn, status = picked
        error = None
        if status in UNTRAINED:
            error = "InvalidParameterException"
        elif status not in STARTABLE:
            error = "ResourceInUseException"
        if error is None and fail:
            self.rk.fail_start(version=arn)
        if self._expect(error, lambda: self.client.start_project_version(
                ProjectVersionArn=arn, MinInferenceUnits=1)):
            self._begin(key, arn, "STARTING", "FAILED" if fail else "RUNNING")

    @precondition(lambda self: self.versions)
    @rule(data=st.data())
    def stop(self, data: Any) -> None:
        picked = self._pick_version(data, {"RUNNING"})
        if picked is None:
            return
        key, arn, status = picked
        if self._expect(None if status == "RUNNING" else "ResourceInUseException",
                        lambda: self.client.stop_project_version(ProjectVersionArn=arn)):
            self._begin(key, arn, "STOPPING", "STOPPED")

    @precondition(lambda self: self.versions)
    @rule(data=st.data())
    def delete_version(self, data: Any) -> None:
        # versions at a dead end first, those a start or a copy would use last
        picked = self._pick_version(data, UNTRAINED | {"FAILED", "STOPPED"})
        if picked is None:
            return
        key, arn, status = picked
        if self._expect("ResourceInUseException" if status in BUSY else None,
                        lambda: self.client.delete_project_version(ProjectVersionArn=arn)):
            self._begin(key, arn, "DELETING", GONE)

    @precondition(lambda self: self.versions)
    @rule(data=st.data(), dest=st.sampled_from(PROJECTS), name=st.sampled_from(VERSIONS))
    def copy(self, data: Any, dest: str, name: str) -> None:
        if dest not in self.projects:
            return
        picked = self._pick_version(data, COPYABLE)
        if picked is None:
            return
        key, arn, status = picked
        error = None
        if status in UNTRAINED:
            error = "InvalidParameterException"
        elif status not in COPYABLE or (dest, name) in self.versions:
            error = "ResourceInUseException"
        result = self._expect(error, lambda: self.client.copy_project_version(
            SourceProjectArn=self.projects[key[0]], SourceProjectVersionArn=arn,
            DestinationProjectArn=self.projects[dest], VersionName=name,
            OutputConfig={"S3Bucket": "walk-bucket"}, Tags={"copy": name}))
        if result:
            self._begin((dest, name), result["ProjectVersionArn"], "COPYING_IN_PROGRESS",
                        "COPYING_COMPLETED")

    @rule(seconds=st.sampled_from(ADVANCES))
    def advance_time(self, seconds: int) -> None:
        self.rk.advance_time(seconds)
        self.now += seconds

    @rule(project=st.sampled_from(PROJECTS), kind=st.sampled_from(["TRAIN", "TEST"]))
    def create_dataset(self, project: str, kind: str) -> None:
        arn = self.projects.get(project)
        if arn is None:
            return
        taken = (project, kind) in self.datasets
        result = self._expect("ResourceAlreadyExistsException" if taken else None,
                              lambda: self.client.create_dataset(ProjectArn=arn,
                                                                 DatasetType=kind))
        if result:
            self.datasets[(project, kind)] = result["DatasetArn"]

    @precondition(lambda self: self.datasets)
    @rule(data=st.data())
    def delete_dataset(self, data: Any) -> None:
        if not self.datasets:
            return
        key = data.draw(st.sampled_from(sorted(self.datasets)))
        arn = self.datasets.pop(key)
        self._expect(None, lambda: self.client.delete_dataset(DatasetArn=arn))
        self.dead.add(arn)

    @rule(project=st.sampled_from(PROJECTS))
    def put_policy(self, project: str) -> None:
        arn = self.projects.get(project)
        if arn is None:
            return
        n = self.policies.get(project, 0)
        error = None if n < 5 else "ServiceQuotaExceededException"
        if self._expect(error, lambda: self.client.put_project_policy(
                ProjectArn=arn, PolicyName=f"p{n}", PolicyDocument=POLICY)):
            self.policies[project] = n + 1

    # ------------------------------------------------------- invariants

    @invariant()
    def agrees_with_the_rules(self) -> None:
        self.describes += 1  # each version is described once below: manual phases move
        self._settle()
        listed = {d["ProjectArn"] for d in self.client.describe_projects()["ProjectDescriptions"]}
        assert listed == set(self.projects.values())
        for name, arn in self.projects.items():
            descs = self.client.describe_project_versions(ProjectArn=arn)[
                "ProjectVersionDescriptions"]
            names = [d["ProjectVersionArn"].split("/")[3] for d in descs]
            assert len(names) == len(set(names))  # names unique per project
            expected = {v: self._status((p, v)) for p, v in self.versions if p == name}
            assert {d["ProjectVersionArn"].split("/")[3]: d["Status"] for d in descs} == expected
            self.observed.update(d["Status"] for d in descs)
            datasets = {d["DatasetType"] for d in self.client.describe_projects(
                ProjectNames=[name])["ProjectDescriptions"][0]["Datasets"]}
            assert datasets == {t for p, t in self.datasets if p == name}
            policies = self.client.list_project_policies(ProjectArn=arn)["ProjectPolicies"]
            assert len(policies) == self.policies.get(name, 0)

    @invariant()
    def tags_only_on_live_resources(self) -> None:
        for arn, *_ in self.versions.values():
            assert self.client.list_tags_for_resource(ResourceArn=arn)["Tags"]
        for arn in self.dead:
            try:
                self.client.list_tags_for_resource(ResourceArn=arn)
            except ClientError as err:
                assert err.response["Error"]["Code"] == "ResourceNotFoundException"
            else:
                raise AssertionError(f"tags answered for deleted {arn}")


WALK = settings(max_examples=EXAMPLES, stateful_step_count=25, deadline=None,
                suppress_health_check=list(HealthCheck))


class ManualLifecycle(Lifecycle):
    """Manual phases, and only the version rules (plain methods here are not rules), so that
    runs go deep into the version lifecycle: datasets and policies are walked above."""

    pace = "manual"
    observed: set[str] = set()

    def create_dataset(self, project: str, kind: str) -> None: ...

    def delete_dataset(self, data: Any) -> None: ...

    def put_policy(self, project: str) -> None: ...

    def advance_time(self, seconds: int) -> None: ...


class TimedLifecycle(Lifecycle):
    pace = "time"
    observed: set[str] = set()


Lifecycle.TestCase.settings = WALK
TestLifecycle = Lifecycle.TestCase
TimedLifecycle.TestCase.settings = WALK
TestTimedLifecycle = TimedLifecycle.TestCase


def test_manual_walk_reaches_every_in_between_state() -> None:
    """The walk with "manual" phases; derandomized, so that what it covers is fixed: every
    in-between status is seen and checked against the rules."""
    walk = settings(WALK, derandomize=True, max_examples=max(EXAMPLES, 20))
    run_state_machine_as_test(ManualLifecycle, settings=walk)
    assert IN_BETWEEN <= ManualLifecycle.observed, IN_BETWEEN - ManualLifecycle.observed
