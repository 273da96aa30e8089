"""Project versions (models and adapters): their state machine and description
[M enum ProjectVersionStatus; CL:training-model; CL:rm-start; CL:rm-stop].

A version moves through one :class:`~rekomock._domain.lifecycle.Phase` at a time (training,
starting, stopping, copying, deleting). Reading a status has no effect beyond the phase's
own progression; what reaching a phase's end leaves behind (training outputs in S3,
TrainingEndTimestamp, the inference-unit meter) is carried out by the backend, once, the first
time it observes the end (:meth:`ProjectVersion.take_ended_phase`).

Citation tags and coined words: docs/glossary.md.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from . import arns, capacity, clock, lifecycle
from .capacity import Run
from .lifecycle import Phase, Phased
from .paging import next_sequence
from .projects import CUSTOM_LABELS

if TYPE_CHECKING:
    from .outcome import TrainingOutcome
    from .projects import Project
    from .trained_model import TrainedModel

TRAINING_IN_PROGRESS = "TRAINING_IN_PROGRESS"
TRAINING_COMPLETED = "TRAINING_COMPLETED"
TRAINING_FAILED = "TRAINING_FAILED"
STARTING = "STARTING"
RUNNING = "RUNNING"
FAILED = "FAILED"
STOPPING = "STOPPING"
STOPPED = "STOPPED"
DELETING = "DELETING"
COPYING_IN_PROGRESS = "COPYING_IN_PROGRESS"
COPYING_COMPLETED = "COPYING_COMPLETED"
COPYING_FAILED = "COPYING_FAILED"

#: StatusMessage per status [EX:DescribeProjectVersions; docs/decisions.md, *Model versions*].
#: TRAINING_FAILED / COPYING_FAILED / FAILED
#: carry the failure's own message when there is one.
STATUS_MESSAGES = {
    TRAINING_IN_PROGRESS: "The model is being trained.",
    TRAINING_COMPLETED: "The model is ready to run.",
    TRAINING_FAILED: "Amazon Rekognition experienced a service issue",
    STARTING: "The model is being started.",
    RUNNING: "The model is running.",
    FAILED: "The model failed to start.",
    STOPPING: "The model is being stopped.",
    STOPPED: "The model is ready to run.",
    DELETING: "The model is being deleted.",
    COPYING_IN_PROGRESS: "The model is being copied.",
    COPYING_COMPLETED: "The model is ready to run.",
    COPYING_FAILED: "The model copy failed.",
}

#: States a version may be started from (docs/decisions.md, *Model versions*).
STARTABLE = frozenset({TRAINING_COMPLETED, STOPPED, COPYING_COMPLETED, FAILED})
#: States in which a version is busy: start/delete answer ResourceInUseException.
BUSY = frozenset(
    {TRAINING_IN_PROGRESS, STARTING, RUNNING, STOPPING, COPYING_IN_PROGRESS, DELETING}
)
#: States a version may be copied from (docs/decisions.md, *Model versions*).
COPYABLE = frozenset(
    {TRAINING_COMPLETED, STARTING, RUNNING, STOPPING, STOPPED, FAILED, COPYING_COMPLETED}
)
#: States of versions that never produced a model.
UNTRAINED = frozenset({TRAINING_FAILED, COPYING_FAILED})
#: States that end a failure, whose StatusMessage is the failure's own message.
FAILURES = frozenset({TRAINING_FAILED, COPYING_FAILED, FAILED})


class Meter:
    """A version's inference-unit meter: the one part of a version that outlives it, so
    ``rk.inference_unit_hours`` still answers once the version is deleted and freed. It
    integrates InServiceInferenceUnits over each run (scaled and lost units included), from
    the runs' timelines (:class:`~rekomock._domain.capacity.Run`)."""

    __slots__ = ("past", "run", "unit_seconds")

    def __init__(self) -> None:
        self.run: Run | None = None  # the current run
        self.past: list[Run] = []  # ended runs CloudWatch still keeps
        self.unit_seconds = 0.0  # inference-unit seconds of runs no longer kept

    @property
    def running_since(self) -> datetime | None:
        run = self.run
        return None if run is None else datetime.fromtimestamp(run.start, timezone.utc)

    def in_service_units(self) -> int:
        """InServiceInferenceUnits now (0 when not running)."""
        run = self.run
        if run is None:
            return 0
        run.advance(clock.now().timestamp())
        return run.units()

    def start(self, at: datetime | None, units: int | None,
              max_units: int | None = None) -> None:
        self.run = Run(at.timestamp(), units or 0, max_units) if at is not None else None

    def stop(self, at: datetime) -> None:
        run = self.run
        if run is not None:
            run.stop(at.timestamp())
            self.past.append(run)
            self.run = None
        self._forget(at.timestamp())

    def _forget(self, now: float) -> None:
        while self.past and (self.past[0].end or now) < now - capacity.KEPT_SECONDS:
            old = self.past.pop(0)
            self.unit_seconds += old.unit_seconds(now)

    def runs(self) -> list[Run]:
        return [*self.past, self.run] if self.run is not None else list(self.past)

    def hours(self) -> float:
        """InServiceInferenceUnits x running time so far, on the mock's clock."""
        now = clock.now().timestamp()
        return (self.unit_seconds + sum(run.unit_seconds(now) for run in self.runs())) / 3600.0


class ProjectVersion(Phased):
    """One model (or adapter) version of a project."""

    deleting_model = lifecycle.VERSION_DELETING

    def __init__(
        self,
        project: Project,
        name: str,
        output_config: dict[str, Any],
        *,
        description: str | None = None,
        kms_key_id: str | None = None,
        feature_config: dict[str, Any] | None = None,
    ) -> None:
        self.seq = next_sequence()
        self.project = project
        self.name = name
        self.created: datetime = clock.now()
        self.arn = arns.version_arn(
            project.account, project.region, project.name, name, self.created
        )
        self.output_config = output_config
        self.description = description
        self.kms_key_id = kms_key_id
        self.feature = project.feature
        self.feature_config = feature_config
        self.source_arn: str | None = None
        self.training_input: dict[str, Any] = {}
        self.testing_input: dict[str, Any] = {"AutoCreate": False}
        self.outcome: TrainingOutcome | None = None
        # Replaced by the real training phase (outcome chosen) before anyone reads it.
        self.phase = Phase(lifecycle.VERSION_TRAINING, [TRAINING_IN_PROGRESS, TRAINING_COMPLETED])
        self.failure_message: str | None = None
        #: why it failed, in more words than the StatusMessage (``rk.explain``)
        self.failure_cause: str | None = None
        self.training_end: datetime | None = None
        self.billable_seconds: int | None = None
        self.min_units: int | None = None
        self.max_units: int | None = None
        self.meter = Meter()
        self._handled_phase: Phase | None = None

    # ---------------------------------------------------------------- status

    def take_ended_phase(self) -> Phase | None:
        """The current phase if it has reached its end since the last call, else None: each
        phase is handed out once, so the backend carries out its effects once."""
        if self._handled_phase is self.phase or not self.phase.settled:
            return None
        self._handled_phase = self.phase
        return self.phase

    def begin(self, model_name: str, statuses: list[str]) -> None:
        self.phase = Phase(model_name, statuses)

    # ----------------------------------------------------------- description

    @property
    def model(self) -> TrainedModel | None:
        return self.outcome.model if self.outcome is not None else None

    @property
    def trained(self) -> bool:
        return self.outcome is not None and self.outcome.ok and self.training_end is not None

    def status_message(self, status: str) -> str:
        if status in FAILURES and self.failure_message:
            return self.failure_message
        return STATUS_MESSAGES.get(status, "")

    def summary(self) -> str:
        """A few words for the controller's table: the StatusMessage of a failed version."""
        status = self.status
        if status in FAILURES:
            return self.status_message(status)
        bits = []
        if self.trained and self.outcome is not None and self.outcome.f1 is not None:
            bits.append(f"F1={self.outcome.f1:.3f}")
        if self.meter.run is not None:
            bits.append(f"units={self.meter.in_service_units()}")
        return " ".join(bits)

    def describe(self) -> dict[str, Any]:
        status = self.status
        out: dict[str, Any] = {
            "ProjectVersionArn": self.arn,
            "CreationTimestamp": clock.epoch(self.created),
            "Status": status,
            "StatusMessage": self.status_message(status),
            "OutputConfig": self.output_config,
        }
        if self.min_units is not None:
            out["MinInferenceUnits"] = self.min_units
        if self.max_units is not None:
            out["MaxInferenceUnits"] = self.max_units
        if self.billable_seconds is not None:
            out["BillableTrainingTimeInSeconds"] = self.billable_seconds
        if self.training_end is not None:
            out["TrainingEndTimestamp"] = clock.epoch(self.training_end)
        if self.kms_key_id is not None:
            out["KmsKeyId"] = self.kms_key_id
        if self.description is not None:
            out["VersionDescription"] = self.description
        if self.source_arn is not None:
            out["SourceProjectVersionArn"] = self.source_arn
        if self.feature != CUSTOM_LABELS:
            out["Feature"] = self.feature
            out["BaseModelVersion"] = "1.0"
            if self.feature_config is not None:
                out["FeatureConfig"] = self.feature_config
        if self.outcome is not None and self.training_end is not None:
            out.update(self.outcome.describe_members())
        else:
            out["TrainingDataResult"] = {"Input": self.training_input}
            out["TestingDataResult"] = {"Input": self.testing_input}
        return out
