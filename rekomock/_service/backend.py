"""The Custom Labels backend: one per account and region, holding plain model objects.

Business rules live here and in the per-resource modules (projects, versions, ...); the
responses layer only parses and formats. Every mutation runs under the backend's lock so a
threaded server (or a threaded test) can never lose or duplicate a resource.

Citation tags and coined words: docs/glossary.md.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast

from moto.core.base_backend import BackendDict, BaseBackend

from .._domain import arns, clock, datasets, lifecycle, policies
from .._domain.backend_dicts import region_backend
from .._domain.billing import Usage
from .._domain.datasets import Dataset
from .._domain.exceptions import (
    AccessDeniedException,
    InvalidParameterException,
    InvalidPolicyRevisionIdException,
    LimitExceededException,
    ResourceAlreadyExistsException,
    ResourceInUseException,
    ResourceNotFoundException,
    ResourceNotReadyException,
    ServiceQuotaExceededException,
)
from .._domain.lifecycle import Phased
from .._domain.outcome import TrainingOutcome
from .._domain.paging import (
    Listed,
    OrderedIndex,
    decode_token,
    encode_token,
    fingerprint,
    page,
    selection,
    slice_page,
)
from .._domain.policies import ProjectPolicy
from .._domain.projects import CONTENT_MODERATION, CUSTOM_LABELS, Project
from .._domain.tags import Tags
from .._domain.trained_model import Detection
from .._domain.versions import (
    BUSY,
    COPYABLE,
    COPYING_COMPLETED,
    COPYING_FAILED,
    COPYING_IN_PROGRESS,
    DELETING,
    FAILED,
    FAILURES,
    RUNNING,
    STARTABLE,
    STARTING,
    STOPPED,
    STOPPING,
    TRAINING_COMPLETED,
    TRAINING_FAILED,
    TRAINING_IN_PROGRESS,
    UNTRAINED,
    Meter,
    ProjectVersion,
)
from . import dataset_changes, inference, training
from .steering import Steering, steering, steering_backends

#: Messages of refusals the backend gives in more than one place.
PROJECT_DELETING = "The project is being deleted."
DATASET_NOT_CREATED = "The dataset was not created."
NO_OUTPUT_BUCKET = "OutputConfig needs an S3Bucket."
UNTRAINED_MODEL = "The model has not been trained successfully."

#: INFO: the phases versions reach, failures with their cause (docs/how-to/logging.md).
_log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])
R = TypeVar("R", bound=Listed)


def locked(method: F) -> F:
    @functools.wraps(method)
    def wrapper(self: RekognitionCustomBackend, *args: Any, **kwargs: Any) -> Any:
        with self.lock:
            return method(self, *args, **kwargs)

    return cast(F, wrapper)


def _log_phase_end(version: ProjectVersion, status: str) -> None:
    """The status a version's phase ended in; for a failure its StatusMessage and the cause
    ``rk.explain`` gives."""
    if status == lifecycle.GONE:
        _log.info("%s deleted", version.arn)
    elif status in FAILURES:
        _log.info("%s reached %s: %s -- %s", version.arn, status, version.status_message(status),
                  version.failure_cause or "no further cause known")
    else:
        _log.info("%s reached %s", version.arn, status)


class RekognitionCustomBackend(BaseBackend):
    """Projects, versions, datasets and policies of one account in one region."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.lock = threading.RLock()
        self.projects: OrderedIndex[Project] = OrderedIndex()
        self.projects_by_name: dict[str, Project] = {}
        self.projects_by_arn: dict[str, Project] = {}
        self.tags = Tags()
        #: The inference-unit meter of every version made here, deleted ones included (the
        #: controller reads it); a deleted version itself is freed.
        self.meters: dict[str, Meter] = {}
        #: BillableTrainingTimeInSeconds of the deleted Custom Labels versions, for the bill.
        self.deleted_training_seconds: dict[str, int] = {}

    # ------------------------------------------------------------------ helpers

    @property
    def steering(self) -> Steering:
        return steering()

    def _purge_project(self, project: Project) -> None:
        self.projects.remove(project.seq)
        if self.projects_by_name.get(project.name) is project:
            del self.projects_by_name[project.name]
        self.projects_by_arn.pop(project.arn, None)
        self.tags.drop(project.arn)

    def _live(self, project: Project | None) -> Project | None:
        if project is not None and project.gone:
            self._purge_project(project)
            return None
        return project

    def _check_arn(self, arn: str, kind: str) -> arns.ParsedArn:
        """Parse an ARN the model's pattern already admitted; foreign accounts are refused."""
        parsed = arns.parse(arn)
        if parsed is None or parsed.kind != kind:
            raise ResourceNotFoundException()
        if parsed.account != self.account_id:
            # docs/decisions.md, *Error codes*: another account's resource is not ours to see.
            raise AccessDeniedException()
        return parsed

    def get_project(self, arn: str) -> Project:
        self._check_arn(arn, "project")
        project = self._live(self.projects_by_arn.get(arn))
        if project is None:
            raise ResourceNotFoundException()
        return project

    def _lookup(self, parsed: arns.ParsedArn, arn: str) -> Phased | None:
        """The live project, version or dataset ``arn`` names here, else None; resources
        whose deletion has completed are purged on the way."""
        project = self._live(self.projects_by_name.get(parsed.project))
        if project is None or parsed.kind == "project":
            return project if project is not None and project.arn == arn else None
        child: ProjectVersion | Dataset | None
        if parsed.kind == "version":
            child = project.versions_by_name.get(parsed.name or "")
        else:
            child = project.datasets.get(parsed.name or "")
        if child is None or child.arn != arn:
            return None
        if isinstance(child, ProjectVersion):
            self._settle(child)
        if child.gone:
            if isinstance(child, ProjectVersion):
                self._purge_version(child)
            else:
                self._purge_dataset(child)
            return None
        return child

    def find_taggable(self, arn: str) -> object | None:
        """The live project, version or dataset an ARN names, else None
        (docs/decisions.md, *Tags*)."""
        parsed = arns.parse(arn)
        if parsed is None or parsed.account != self.account_id or parsed.region != self.region_name:
            return None
        return self._lookup(parsed, arn)

    # ----------------------------------------------------------------- projects

    @locked
    def create_project(
        self,
        name: str,
        feature: str | None,
        auto_update: str | None,
        tags: dict[str, str] | None,
    ) -> Project:
        feature = feature or CUSTOM_LABELS
        if feature == CONTENT_MODERATION and auto_update is None:
            # [M doc of AutoUpdate]: AutoUpdate is "required argument for Content Moderation".
            raise InvalidParameterException()
        if feature == CUSTOM_LABELS and auto_update is not None:
            # docs/decisions.md, *Projects*: AutoUpdate applies to adapters only.
            raise InvalidParameterException()
        if self._live(self.projects_by_name.get(name)) is not None:
            raise ResourceInUseException(f"The project {name} already exists.")
        if len(self.projects) >= self.steering.quotas.projects:
            raise LimitExceededException()
        if tags:
            self.tags.check(None, tags, self.steering.quotas.tags_per_resource,
                            LimitExceededException)
        project = Project(self.account_id, self.region_name, name, feature, auto_update)
        if tags:
            self.tags.set(project.arn, tags, self.steering.quotas.tags_per_resource)
        self.projects.add(project.seq, project)
        self.projects_by_name[name] = project
        self.projects_by_arn[project.arn] = project
        return project

    @locked
    def describe_projects(
        self,
        names: list[str] | None,
        features: list[str] | None,
        token: str | None,
        max_results: int | None,
    ) -> tuple[list[Project], str | None]:
        """Oldest first (docs/decisions.md, *Projects*); without ``features`` only
        CUSTOM_LABELS projects."""
        wanted = frozenset(features or [CUSTOM_LABELS])
        return self._describe(
            self.projects, self.projects_by_name, names,
            token=token, max_results=max_results, newest_first=False,
            fp=fingerprint("projects", sorted(names or []), sorted(wanted)),
            keep=lambda project: project.feature in wanted,
            purge=self._purge_project,
        )

    def _describe(
        self,
        index: OrderedIndex[R],
        by_name: dict[str, R],
        names: list[str] | None,
        *,
        token: str | None,
        max_results: int | None,
        newest_first: bool,
        fp: str,
        purge: Callable[[R], None],
        keep: Callable[[R], bool] = lambda _: True,
    ) -> tuple[list[R], str | None]:
        """One page of a Describe*: named items only if ``names``; each item seen is
        advanced (a describe is what moves "manual" progressions); gone ones are purged."""
        gone: list[R] = []

        def accept(item: R) -> bool:
            item.advance()
            if item.gone:
                gone.append(item)
                return False
            return keep(item)

        if names:
            index = selection(by_name.get(name) for name in set(names))
        result = page(index, token=token, max_results=max_results, default_max=100,
                      newest_first=newest_first, fp=fp, accept=accept)
        for item in gone:
            purge(item)
        return result

    @locked
    def delete_project(self, arn: str) -> str:
        project = self.get_project(arn)
        if project.deleting:
            return "DELETING"
        if self._live_versions(project):
            raise ResourceInUseException(
                "The project has model versions. Delete them before deleting the project."
            )
        if project.live_datasets():
            # docs/decisions.md, *Projects*: refuse while datasets exist, as AWS's SDK guide says.
            raise ResourceInUseException(
                "The project has datasets. Delete them before deleting the project."
            )
        project.policies.clear()  # DeleteProject removes the project's policies [M doc].
        project.start_deletion()
        return "DELETING"

    # ----------------------------------------------------------------- datasets

    def find_dataset(self, arn: str) -> Dataset:
        dataset = self._lookup(self._check_arn(arn, "dataset"), arn)
        if not isinstance(dataset, Dataset):
            raise ResourceNotFoundException()
        return dataset

    def _purge_dataset(self, dataset: Dataset) -> None:
        project = dataset.project
        if project.datasets.get(dataset.dataset_type) is dataset:
            del project.datasets[dataset.dataset_type]
        self.tags.drop(dataset.arn)

    @locked
    def create_dataset(
        self,
        project_arn: str,
        dataset_type: str,
        source: dict[str, Any] | None,
        tags: dict[str, str] | None,
    ) -> Dataset:
        project = self.get_project(project_arn)
        if project.feature != CUSTOM_LABELS:
            raise InvalidParameterException("Datasets belong to Custom Labels projects only.")
        if project.deleting:
            raise InvalidParameterException(PROJECT_DELETING)
        source = source or {}
        manifest = (source.get("GroundTruthManifest") or {}).get("S3Object")
        source_arn = source.get("DatasetArn")
        if manifest is not None and source_arn is not None:
            raise InvalidParameterException(
                "Specify either GroundTruthManifest or DatasetArn, not both."
            )
        if manifest is not None and (not manifest.get("Bucket") or not manifest.get("Name")):
            raise InvalidParameterException("The manifest S3Object needs Bucket and Name.")
        existing = project.datasets.get(dataset_type)
        if existing is not None and existing.gone:
            self._purge_dataset(existing)
        elif existing is not None:
            raise ResourceAlreadyExistsException(
                f"The project already has a {dataset_type} dataset."
            )
        source_dataset = self.find_dataset(source_arn) if source_arn is not None else None
        if source_dataset is not None and source_dataset.status not in datasets.COMPLETE:
            raise InvalidParameterException("The source dataset isn't ready to be copied.")
        if tags:
            self.tags.check(None, tags, self.steering.quotas.tags_per_resource,
                            LimitExceededException)
        dataset = Dataset(project, dataset_type)
        failure: tuple[str, str] | None = None
        success = datasets.CREATED
        if manifest is not None:
            failure = dataset_changes.import_manifest(self.account_id, self.region_name,
                                                      dataset, manifest)
            success = datasets.FROM_MANIFEST
        elif source_dataset is not None:
            dataset_changes.copy_entries(source_dataset, dataset)
        final = datasets.CREATE_FAILED if failure else datasets.CREATE_COMPLETE
        dataset.begin(lifecycle.DATASET_CREATING, [datasets.CREATE_IN_PROGRESS, final],
                      failure, success)
        if tags:
            self.tags.set(dataset.arn, tags, self.steering.quotas.tags_per_resource)
        project.datasets[dataset_type] = dataset
        return dataset

    @locked
    def describe_dataset(self, arn: str) -> Dataset:
        dataset = self.find_dataset(arn)
        dataset.advance()
        return dataset

    @locked
    def delete_dataset(self, arn: str) -> None:
        dataset = self.find_dataset(arn)
        status = dataset.status
        if status in (datasets.CREATE_IN_PROGRESS, datasets.UPDATE_IN_PROGRESS):
            raise ResourceInUseException(f"The dataset can't be deleted while it is {status}.")
        if status == datasets.DELETE_IN_PROGRESS:
            return
        dataset.begin(lifecycle.DATASET_DELETING, [datasets.DELETE_IN_PROGRESS, lifecycle.GONE])

    @staticmethod
    def _idle(dataset: Dataset, doing: str) -> str:
        """The dataset's status; ResourceInUseException while an import, an update or a
        deletion is under way (docs/decisions.md, *Datasets*)."""
        status = dataset.status
        if status in datasets.IN_PROGRESS:
            raise ResourceInUseException(
                f"The {dataset.dataset_type} dataset can't be {doing} while it is {status}."
            )
        return status

    def _readable(self, arn: str) -> Dataset:
        """A dataset whose entries may be listed (docs/decisions.md, *Datasets*)."""
        dataset = self.find_dataset(arn)
        status = self._idle(dataset, "listed")
        if status == datasets.CREATE_FAILED:
            raise ResourceNotReadyException(DATASET_NOT_CREATED)
        return dataset

    @locked
    def list_dataset_entries(
        self,
        arn: str,
        contains: list[str] | None,
        labeled: bool | None,
        source_ref_contains: str | None,
        has_errors: bool | None,
        token: str | None,
        max_results: int | None,
    ) -> tuple[list[str], str | None]:
        dataset = self._readable(arn)
        fp = fingerprint("entries", arn, sorted(contains or []), labeled,
                         source_ref_contains, bool(has_errors))
        start = decode_token(token, fp)
        found, next_seq = dataset.entries.select(
            start, max_results or 100, contains, labeled, source_ref_contains, has_errors
        )
        next_token = encode_token(next_seq, fp) if next_seq is not None else None
        return [e.line for e in found], next_token

    @locked
    def list_dataset_labels(
        self, arn: str, token: str | None, max_results: int | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        dataset = self._readable(arn)
        names, next_token = slice_page(sorted(dataset.entries.label_stats), token=token,
                                       max_results=max_results, default_max=100,
                                       fp=fingerprint("labels", arn))
        return [dataset.label_description(name) for name in names], next_token

    @locked
    def update_dataset_entries(self, arn: str, ground_truth: bytes) -> None:
        dataset = self.find_dataset(arn)
        status = self._idle(dataset, "updated")
        if status == datasets.CREATE_FAILED:
            raise InvalidParameterException(DATASET_NOT_CREATED)
        failure = dataset_changes.apply_update(dataset, ground_truth)
        final = datasets.UPDATE_FAILED if failure else datasets.UPDATE_COMPLETE
        dataset.begin(lifecycle.DATASET_UPDATING, [datasets.UPDATE_IN_PROGRESS, final], failure)

    @locked
    def distribute_dataset_entries(self, dataset_arns: list[str]) -> None:
        pair = [self.find_dataset(arn) for arn in dataset_arns]
        by_type = {d.dataset_type: d for d in pair}
        if len(by_type) != 2 or pair[0].project is not pair[1].project:
            raise InvalidParameterException(
                "Specify the TRAIN and the TEST dataset of one project."
            )
        for d in pair:
            if d.status not in datasets.COMPLETE:
                raise ResourceNotReadyException(f"The dataset is {d.status}.")
        train, test = by_type["TRAIN"], by_type["TEST"]
        if len(test.entries):
            raise InvalidParameterException("The TEST dataset must be empty.")
        failure = dataset_changes.distribute(train, test)
        final = datasets.UPDATE_FAILED if failure else datasets.UPDATE_COMPLETE
        for d in pair:
            d.begin(lifecycle.DATASET_UPDATING, [datasets.UPDATE_IN_PROGRESS, final], failure)

    # ----------------------------------------------------------------- versions

    def _purge_version(self, version: ProjectVersion) -> None:
        if version.feature == CUSTOM_LABELS:
            self.deleted_training_seconds[version.arn] = version.billable_seconds or 0
        project = version.project
        project.versions.remove(version.seq)
        if project.versions_by_name.get(version.name) is version:
            del project.versions_by_name[version.name]
        self.tags.drop(version.arn)

    def _settle(self, version: ProjectVersion) -> ProjectVersion:
        """Carry out what the version's ended phase leaves behind, once: a training's or a
        copy's results and S3 outputs, a run's inference-unit meter. The only place these
        effects happen: reading a status never writes anything."""
        ended = version.take_ended_phase()
        if ended is None:
            return version
        if ended.model_name in (lifecycle.VERSION_TRAINING, lifecycle.VERSION_COPYING):
            training.finish(version)
        elif ended.model_name == lifecycle.VERSION_STARTING and ended.final == RUNNING:
            version.meter.start(ended.settled_at, version.min_units, version.max_units)
        if _log.isEnabledFor(logging.INFO):
            _log_phase_end(version, ended.final)
        return version

    def _begin(self, version: ProjectVersion, model_name: str, statuses: list[str]) -> None:
        version.begin(model_name, statuses)
        self._settle(version)  # an immediate progression has already ended

    def _live_versions(self, project: Project) -> list[ProjectVersion]:
        live = []
        for version in project.versions:
            if self._settle(version).gone:
                self._purge_version(version)
            else:
                live.append(version)
        return live

    def find_version(self, arn: str) -> ProjectVersion:
        version = self._lookup(self._check_arn(arn, "version"), arn)
        if not isinstance(version, ProjectVersion):
            raise ResourceNotFoundException()
        return version

    @locked
    def create_project_version(
        self,
        project_arn: str,
        name: str,
        output_config: dict[str, Any],
        training_data: dict[str, Any] | None,
        testing_data: dict[str, Any] | None,
        tags: dict[str, str] | None,
        kms_key_id: str | None,
        description: str | None,
        feature_config: dict[str, Any] | None,
    ) -> ProjectVersion:
        project = self.get_project(project_arn)
        if project.deleting:
            raise ResourceInUseException(PROJECT_DELETING)
        if not output_config.get("S3Bucket"):
            raise InvalidParameterException(NO_OUTPUT_BUCKET)
        training.check_request(
            project.feature, bool(project.live_datasets()), training_data, testing_data,
            feature_config,
        )
        self._check_new_version(project, name, tags)
        from_datasets = self._training_datasets(project) if project.live_datasets() else None
        version = ProjectVersion(
            project, name, dict(output_config), description=description,
            kms_key_id=kms_key_id, feature_config=feature_config,
        )
        outcome = training.run(self.steering, self.account_id, self.region_name, version,
                               training_data, testing_data, from_datasets)
        final = TRAINING_COMPLETED if outcome.ok else TRAINING_FAILED
        self._add_version(version, outcome, tags, lifecycle.VERSION_TRAINING,
                          [TRAINING_IN_PROGRESS, final])
        return version

    def _check_new_version(
        self, project: Project, name: str, tags: dict[str, str] | None
    ) -> None:
        """What a new version (trained or copied) must pass before anything changes."""
        existing = project.versions_by_name.get(name)
        if existing is not None and not existing.gone:
            raise ResourceInUseException(f"The version name {name} is already in use.")
        if existing is not None:
            self._purge_version(existing)
        if len(project.versions) >= self.steering.quotas.versions_per_project:
            raise LimitExceededException()
        if tags:
            self.tags.check(None, tags, self.steering.quotas.tags_per_resource)

    def _add_version(
        self,
        version: ProjectVersion,
        outcome: TrainingOutcome,
        tags: dict[str, str] | None,
        model_name: str,
        statuses: list[str],
    ) -> None:
        """Register a new version with its decided outcome and start its phase."""
        version.outcome = outcome
        version.training_input = outcome.training_input
        version.testing_input = outcome.testing_input
        if tags:
            self.tags.set(version.arn, tags, self.steering.quotas.tags_per_resource)
        project = version.project
        project.versions.add(version.seq, version)
        project.versions_by_name[version.name] = version
        self.meters[version.arn] = version.meter
        self._begin(version, model_name, statuses)

    def _training_datasets(self, project: Project) -> tuple[bytes, bytes]:
        """The lines a version trains on when the project has datasets [CL:training-model]."""
        pair = []
        for dataset_type in ("TRAIN", "TEST"):
            dataset = project.datasets.get(dataset_type)
            if dataset is None or dataset.gone:
                raise InvalidParameterException(
                    f"The project has no {dataset_type} dataset to train with."
                )
            status = self._idle(dataset, "trained from")
            if status not in datasets.COMPLETE:
                raise InvalidParameterException(f"The {dataset_type} dataset is {status}.")
            pair.append(dataset.entries.manifest())
        return pair[0], pair[1]

    @locked
    def describe_project_versions(
        self,
        project_arn: str,
        names: list[str] | None,
        token: str | None,
        max_results: int | None,
    ) -> tuple[list[ProjectVersion], str | None]:
        """Newest first [M doc of DescribeProjectVersions]; unknown names are simply absent."""
        project = self.get_project(project_arn)
        return self._describe(
            project.versions, project.versions_by_name, names,
            token=token, max_results=max_results, newest_first=True,
            fp=fingerprint("versions", project.arn, sorted(names or [])),
            purge=self._purge_version, keep=self._observed,
        )

    def _observed(self, version: ProjectVersion) -> bool:
        """A listed version is observed: what its ended phase leaves behind happens now."""
        self._settle(version)
        return True

    @locked
    def start_project_version(self, arn: str, min_units: int, max_units: int | None) -> str:
        version = self.find_version(arn)
        if version.feature != CUSTOM_LABELS:
            raise InvalidParameterException("Only Custom Labels models can be started.")
        if max_units is not None and max_units < min_units:
            raise InvalidParameterException(
                "MaxInferenceUnits must be greater than or equal to MinInferenceUnits."
            )
        status = version.status
        if status in UNTRAINED:
            raise InvalidParameterException(UNTRAINED_MODEL)
        if status not in STARTABLE:
            raise ResourceInUseException(f"The model can't be started while it is {status}.")
        failure = self.steering.take_start_failure(version.arn, version.name)
        version.min_units, version.max_units = min_units, max_units
        version.failure_message = failure
        version.failure_cause = "rk.fail_start() asked for this failure" if failure else None
        self._begin(version, lifecycle.VERSION_STARTING, [STARTING, FAILED if failure else RUNNING])
        return STARTING

    @locked
    def stop_project_version(self, arn: str) -> str:
        version = self.find_version(arn)
        status = version.status
        if status != RUNNING:
            raise ResourceInUseException(f"The model can't be stopped while it is {status}.")
        version.meter.stop(clock.now())
        self._begin(version, lifecycle.VERSION_STOPPING, [STOPPING, STOPPED])
        return STOPPING

    @locked
    def delete_project_version(self, arn: str) -> str:
        version = self.find_version(arn)
        status = version.status
        if status in BUSY:
            raise ResourceInUseException(f"The model can't be deleted while it is {status}.")
        self._begin(version, lifecycle.VERSION_DELETING, [DELETING, lifecycle.GONE])
        if version.gone:  # an immediate deletion frees the version now, not on next sight
            self._purge_version(version)
        return DELETING

    @locked
    def inference_unit_hours(self, arn: str) -> float | None:
        """The meter of a version made here, deleted or not; None if there was none."""
        meter = self.meters.get(arn)
        parsed = arns.parse(arn)
        if meter is None or parsed is None:
            return None
        self._lookup(parsed, arn)  # a run that started since the last look starts the meter
        return meter.hours()

    # ------------------------------------------------------------------ copying

    def copy_project_version(
        self,
        caller_access_key: str,
        source_project_arn: str,
        source_version_arn: str,
        destination_project_arn: str,
        name: str,
        output_config: dict[str, Any],
        tags: dict[str, str] | None,
        kms_key_id: str | None,
    ) -> ProjectVersion:
        """CopyProjectVersion [CL:md-copy-model-overview], same or another account, same region.

        The source (maybe another account's backend) is read under its own lock first and
        the copy made under ours, so two opposite copies can never deadlock.
        """
        source = self._copy_source(caller_access_key, source_project_arn, source_version_arn)
        with self.lock:
            project = self.get_project(destination_project_arn)
            if project.feature != CUSTOM_LABELS or project.deleting:
                raise InvalidParameterException("The destination is not a Custom Labels project.")
            if not output_config.get("S3Bucket"):
                raise InvalidParameterException(NO_OUTPUT_BUCKET)
            self._check_new_version(project, name, tags)
            version = ProjectVersion(project, name, dict(output_config), kms_key_id=kms_key_id,
                                     description=source.description)
            version.source_arn = source.arn
            outcome = training.copy_outcome(self.account_id, self.region_name, source, version)
            final = COPYING_COMPLETED if outcome.ok else COPYING_FAILED
            self._add_version(version, outcome, tags, lifecycle.VERSION_COPYING,
                              [COPYING_IN_PROGRESS, final])
            return version

    def _copy_source(
        self, caller_access_key: str, project_arn: str, version_arn: str
    ) -> ProjectVersion:
        p = arns.parse(project_arn)
        v = arns.parse(version_arn)
        if p is None or p.kind != "project" or v is None or v.kind != "version":
            raise ResourceNotFoundException()
        if (p.account, p.region, p.project) != (v.account, v.region, v.project):
            raise InvalidParameterException("The version is not in the source project.")
        if p.region != self.region_name:
            raise InvalidParameterException("Models are copied within one region.")
        owner: RekognitionCustomBackend = region_backend(rekognition_custom_backends,
                                                         p.account, p.region)
        with owner.lock:
            project = owner._live(owner.projects_by_arn.get(project_arn))
            if project is None:
                raise ResourceNotFoundException()
            caller = policies.caller_arn(self.account_id, caller_access_key, self.region_name)
            verdict = policies.decide(list(project.policies.values()), self.account_id,
                                      caller, version_arn)
            if verdict is False or (verdict is None and p.account != self.account_id):
                raise AccessDeniedException(
                    "No project policy allows this principal to copy the model."
                )
            version = project.versions_by_name.get(v.name or "")
            if version is None or version.arn != version_arn or owner._settle(version).gone:
                raise ResourceNotFoundException()
            status = version.status
            if version.feature != CUSTOM_LABELS:
                raise InvalidParameterException("Adapters can't be copied.")
            if status in UNTRAINED:
                raise InvalidParameterException(UNTRAINED_MODEL)
            if status not in COPYABLE:
                raise ResourceInUseException(f"The model can't be copied while it is {status}.")
            return version

    # ----------------------------------------------------------------- policies

    @locked
    def put_project_policy(
        self, project_arn: str, name: str, document: str, revision_id: str | None
    ) -> str:
        project = self.get_project(project_arn)
        if project.feature != CUSTOM_LABELS:
            raise InvalidParameterException("Project policies apply to Custom Labels projects.")
        policy = project.policies.get(name)
        if policy is None:
            if revision_id is not None:
                raise InvalidPolicyRevisionIdException()
            if len(project.policies) >= self.steering.quotas.policies_per_project:
                raise ServiceQuotaExceededException(
                    "The project already has the maximum number of project policies."
                )
            policy = ProjectPolicy(name, document)
            project.policies[name] = policy
        elif revision_id is None:
            raise ResourceAlreadyExistsException(f"The project policy {name} already exists.")
        elif revision_id.lower() != policy.revision_id:
            raise InvalidPolicyRevisionIdException()
        else:
            policy.replace(document)
        return policy.revision_id

    @locked
    def list_project_policies(
        self, project_arn: str, token: str | None, max_results: int | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        project = self.get_project(project_arn)
        chosen, next_token = slice_page(list(project.policies.values()), token=token,
                                        max_results=max_results, default_max=5,
                                        fp=fingerprint("policies", project_arn))
        return [p.describe(project.arn) for p in chosen], next_token

    @locked
    def delete_project_policy(self, project_arn: str, name: str, revision_id: str | None) -> None:
        project = self.get_project(project_arn)
        policy = project.policies.get(name)
        if policy is None:
            raise ResourceNotFoundException(f"The project policy {name} does not exist.")
        if revision_id is not None and revision_id.lower() != policy.revision_id:
            raise InvalidPolicyRevisionIdException()
        del project.policies[name]

    # ---------------------------------------------------------------- inference

    @locked
    def detect_custom_labels(
        self,
        arn: str,
        image: dict[str, Any],
        min_confidence: float | None,
        max_results: int | None,
    ) -> list[Detection]:
        version = self.find_version(arn)
        return inference.detect(self.steering, self.account_id, self.region_name, version,
                                image, min_confidence, max_results)

    @locked
    def detect_moderation_labels(
        self, arn: str | None, image: dict[str, Any], min_confidence: float | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        version = self.find_version(arn) if arn is not None else None
        return inference.moderate(self.steering, self.account_id, self.region_name, version,
                                  image, min_confidence)

    # --------------------------------------------------------------------- tags

    def _taggable(self, arn: str) -> object:
        resource = self.find_taggable(arn)
        if resource is None:
            parsed = arns.parse(arn)
            if parsed is not None and parsed.account != self.account_id:
                raise AccessDeniedException()
            raise ResourceNotFoundException()
        return resource

    @locked
    def tag_resource(self, arn: str, tags: dict[str, str]) -> None:
        self._taggable(arn)
        self.tags.set(arn, tags, self.steering.quotas.tags_per_resource)

    @locked
    def untag_resource(self, arn: str, keys: list[str]) -> None:
        self._taggable(arn)
        self.tags.remove(arn, keys)

    @locked
    def list_tags_for_resource(self, arn: str) -> dict[str, str]:
        self._taggable(arn)
        return self.tags.get(arn)


    # ------------------------------------------------------------------- billing

    @locked
    def usage(self, arn: str | None = None) -> list[Usage] | None:
        """Billable training and inference-unit hours of each Custom Labels version made
        here (or of ``arn``; None if it was not made here), deleted ones included, oldest
        first."""
        wanted = list(self.meters) if arn is None else [arn] if arn in self.meters else None
        if wanted is None:
            return None
        usage = []
        for version_arn in wanted:
            parsed = arns.parse(version_arn)
            live = self._lookup(parsed, version_arn) if parsed is not None else None
            if isinstance(live, ProjectVersion):
                if live.feature != CUSTOM_LABELS:
                    continue
                seconds = live.billable_seconds or 0
            elif version_arn in self.deleted_training_seconds:
                seconds = self.deleted_training_seconds[version_arn]
            else:
                continue  # a deleted adapter: not Custom Labels
            hours = self.inference_unit_hours(version_arn)
            usage.append(Usage(version_arn, seconds, hours or 0.0))
        return usage

    @locked
    def running_versions(self) -> list[tuple[str, str, int]]:
        """(ARN, status, inference units) of each version here that is STARTING or
        RUNNING: the ones being charged by the hour."""
        out = []
        for project in list(self.projects):
            if project.gone:
                continue
            for version in self._live_versions(project):
                status = version.status
                if status in (STARTING, RUNNING):
                    self._settle(version)
                    out.append((version.arn, status, self._inference_units(version)))
        return out

    @staticmethod
    def _inference_units(version: ProjectVersion) -> int:
        """The units a version is charged for now: the meter's while it runs, else the
        MinInferenceUnits it was started with."""
        if version.meter.run is not None:
            return version.meter.in_service_units()
        return version.min_units or 0


rekognition_custom_backends = BackendDict(RekognitionCustomBackend, "rekognition")


def reset_all() -> None:
    """Empty rekomock's own state -- resources, steering and the mock's clock -- leaving other
    services alone. The one reset behind ``rk.reset()``, ``POST /moto-api/rekomock/reset``,
    moto's ``POST /moto-api/reset`` and a fresh activation."""
    backend_dict: Any
    for backend_dict in (rekognition_custom_backends, steering_backends):
        for account_backend in list(backend_dict.values()):
            account_backend.reset()
        backend_dict.clear()
    clock.reset()
