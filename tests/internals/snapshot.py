"""A comparable picture of all of rekomock's state, to prove a failed call changed nothing.

Records what a caller could observe: the status of every live project, version and
dataset (resources whose deletion has completed are left out, however lazily they are
purged), their tags, policies and entries, and the steering settings, in every account and
region. Reading a status only settles what the progression already allows.
"""

from __future__ import annotations

from typing import Any

from rekomock._service.backend import rekognition_custom_backends
from rekomock._service.steering import steering


def _phase(resource: Any) -> tuple[Any, ...]:
    return (resource.phase.model_name, resource.status, resource.phase._tick)


def state() -> Any:
    out: list[Any] = []
    for account, region, backend in sorted(rekognition_custom_backends.iter_backends(),
                                           key=lambda t: (t[0], t[1])):
        projects = []
        live: set[str] = set()
        for project in list(backend.projects):
            if project.gone:
                continue
            versions = [(v.name, v.arn, _phase(v), v.min_units, v.max_units,
                         v.failure_message, v.source_arn)
                        for v in list(project.versions) if not v.gone]
            datasets = [(d.dataset_type, d.arn, _phase(d), d.failure,
                         [e.line for e in d.entries])
                        for d in list(project.datasets.values()) if not d.gone]
            policies = [(p.name, p.revision_id, p.document) for p in project.policies.values()]
            projects.append((project.name, project.arn, _phase(project), versions,
                             datasets, policies))
            live |= {project.arn, *(v[1] for v in versions), *(d[1] for d in datasets)}
        tags = {arn: dict(t) for arn, t in backend.tags._service.tags.items() if arn in live}
        out.append((account, region, projects, tags))
    control = steering()
    out.append((list(control.training_failures), list(control.start_failures),
                sorted(map(repr, control.detections)), list(control.evaluations)))
    return out
