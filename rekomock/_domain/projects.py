"""Projects: the container of datasets, model versions and project policies
[M doc of CreateProject; CL:mp-delete-project]."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import arns, clock, lifecycle
from .lifecycle import Phase, Phased
from .paging import OrderedIndex, next_sequence

if TYPE_CHECKING:
    from .datasets import Dataset
    from .policies import ProjectPolicy
    from .versions import ProjectVersion

CUSTOM_LABELS = "CUSTOM_LABELS"
CONTENT_MODERATION = "CONTENT_MODERATION"


class Project(Phased):
    """One project; its status comes from a creating or deleting :class:`Phase`."""

    deleting_model = lifecycle.PROJECT_DELETING

    def __init__(
        self,
        account: str,
        region: str,
        name: str,
        feature: str,
        auto_update: str | None,
    ) -> None:
        self.seq = next_sequence()
        self.account = account
        self.region = region
        self.name = name
        self.feature = feature
        self.auto_update = auto_update
        self.created: datetime = clock.now()
        self.arn = arns.project_arn(account, region, name, self.created)
        self.phase = Phase(lifecycle.PROJECT_CREATING, ["CREATING", "CREATED"])
        self.versions: OrderedIndex[ProjectVersion] = OrderedIndex()
        self.versions_by_name: dict[str, ProjectVersion] = {}
        self.datasets: dict[str, Dataset] = {}  # "TRAIN" / "TEST"
        self.policies: dict[str, ProjectPolicy] = {}

    @property
    def deleting(self) -> bool:
        return self.phase.model_name == lifecycle.PROJECT_DELETING

    def start_deletion(self) -> None:
        self.phase = Phase(lifecycle.PROJECT_DELETING, ["DELETING", lifecycle.GONE])

    def describe(self) -> dict[str, Any]:
        """ProjectDescription; ``Datasets`` is always present (AWS programs index it)."""
        out: dict[str, Any] = {
            "ProjectArn": self.arn,
            "CreationTimestamp": clock.epoch(self.created),
            "Status": self.status,
            "Datasets": [ds.metadata() for ds in self.live_datasets()],
            "Feature": self.feature,
        }
        if self.auto_update is not None:
            out["AutoUpdate"] = self.auto_update
        return out

    def live_datasets(self) -> list[Dataset]:
        return [ds for ds in self.datasets.values() if not ds.gone]
