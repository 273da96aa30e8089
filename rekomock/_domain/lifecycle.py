"""Asynchronous phases driven by moto's state manager.

Each phase (creating a project, training a version, starting it, ...) is one
:class:`Phase` with its own model name, so users pick the progression per phase exactly as
for other moto services: ``state_manager.set_transition(TRAINING, {"progression": "manual",
"times": 3})``. The default is ``immediate``: the first read after an action sees the settled
state. Time-based progressions read the mock's clock (freezegun- and waiter-aware).
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from moto.moto_api import state_manager
from moto.moto_api._internal.managed_state_model import ManagedState

from . import clock

PROJECT_CREATING = "rekognition::project-creating"
PROJECT_DELETING = "rekognition::project-deleting"
VERSION_TRAINING = "rekognition::projectversion-training"
VERSION_STARTING = "rekognition::projectversion-starting"
VERSION_STOPPING = "rekognition::projectversion-stopping"
VERSION_DELETING = "rekognition::projectversion-deleting"
VERSION_COPYING = "rekognition::projectversion-copying"
DATASET_CREATING = "rekognition::dataset-creating"
DATASET_UPDATING = "rekognition::dataset-updating"
DATASET_DELETING = "rekognition::dataset-deleting"

MODEL_NAMES = (
    PROJECT_CREATING,
    PROJECT_DELETING,
    VERSION_TRAINING,
    VERSION_STARTING,
    VERSION_STOPPING,
    VERSION_DELETING,
    VERSION_COPYING,
    DATASET_CREATING,
    DATASET_UPDATING,
    DATASET_DELETING,
)

#: Sentinel final state of a deletion phase: the resource is gone once it is reached.
GONE = "__GONE__"


def register_defaults() -> None:
    """Register every phase as ``immediate`` unless the user chose otherwise."""
    for name in MODEL_NAMES:
        state_manager.register_default_transition(name, {"progression": "immediate"})


def unset_user_transitions() -> None:
    """Drop transitions set by a test: the state manager outlives every reset (moto pitfall)."""
    for name in MODEL_NAMES:
        state_manager.unset_transition(name)


class Phase(ManagedState):
    """A linear chain of statuses, e.g. TRAINING_IN_PROGRESS -> TRAINING_COMPLETED.

    The outcome is chosen when the phase starts (success or failure), the state manager only
    decides *when* it is reached. ``manual`` progressions advance on each describe, which the
    backend signals through :meth:`advance`.
    """

    def __init__(self, model_name: str, statuses: list[str]) -> None:
        transitions: list[tuple[str | None, str]] = list(itertools.pairwise(statuses))
        if not transitions:
            transitions = [(statuses[0], statuses[0])]
        super().__init__(model_name, transitions)
        self._time_progressed = clock.now()
        self.final = statuses[-1]
        self.started_at = self._time_progressed
        #: When the final status was first observed (mock clock); None until then.
        self.settled_at: datetime | None = None if len(statuses) > 1 else self._time_progressed

    @property
    def status(self) -> str | None:
        if self._status != self.final:
            config = state_manager.get_transition(self.model_name)
            progression = config["progression"]
            if progression == "immediate":
                self._status = self.final
            elif progression == "manual":
                if self._tick >= int(config["times"]):
                    self._status = self._get_next_status(previous=self._status)
                    self._tick = 0
            elif progression == "time":
                step = timedelta(seconds=float(config["seconds"]))
                now = clock.now()
                # Several steps may have elapsed since the last read (waiters jump the clock).
                while self._status != self.final and now > self._time_progressed + step:
                    self._status = self._get_next_status(previous=self._status)
                    self._time_progressed = self._time_progressed + step
            if self._status == self.final and self.settled_at is None:
                self.settled_at = self._settle_time(config)
        return self._status

    @status.setter
    def status(self, value: str) -> None:
        self._status = value

    def _settle_time(self, config: dict[str, object]) -> datetime:
        if config["progression"] == "time":
            return self._time_progressed
        return clock.now()

    @property
    def settled(self) -> bool:
        return self.status == self.final


class Phased:
    """A resource whose status is that of its current phase, and which is gone once its
    deletion phase has reached its end."""

    phase: Phase
    #: The model name of this resource's deletion phase.
    deleting_model = ""

    @property
    def status(self) -> str:
        return str(self.phase.status)

    def advance(self) -> None:
        """A describe is what moves "manual" progressions."""
        self.phase.advance()

    @property
    def gone(self) -> bool:
        return self.phase.model_name == self.deleting_model and self.status == GONE
