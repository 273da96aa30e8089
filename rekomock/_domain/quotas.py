"""Service quotas the documentation leaves unnumbered (docs/decisions.md, *Quotas*).

Defaults are generous so ordinary tests never meet them; a test that wants to exercise a
quota error lowers one through the controller (``rk.set_quotas(projects=2)``).

Citation tags and coined words: docs/glossary.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .control_args import integer


@dataclass(slots=True)
class Quotas:
    #: Projects per account and region (CreateProject -> LimitExceededException).
    projects: int = 10_000
    #: Versions per project (CreateProjectVersion -> LimitExceededException).
    versions_per_project: int = 10_000
    #: Tags on one resource (TagResource -> ServiceQuotaExceededException). AWS's usual 50.
    tags_per_resource: int = 50
    #: Project policies per project (5, raisable [CL:md-attach-project-policy]).
    policies_per_project: int = 5

    def __setattr__(self, name: str, value: Any) -> None:
        """A quota is a non-negative integer (0 refuses every creation)."""
        object.__setattr__(self, name, integer(name, value, 0))
