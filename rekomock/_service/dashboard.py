"""rekomock's resources as moto's ``/moto-api/data.json`` lists models.

moto's data.json (``moto_api/_internal/responses.py``, ``model_data``) is
``{service: {model class name: [one object per instance, its JSON-able public attributes]}}``,
filled from every instance of a ``BaseModel`` subclass moto has tracked since the last reset
(``moto/core/model_instances.py``). rekomock's resources are not ``BaseModel``\\ s on purpose:
that tracker holds every instance ever made until a reset (a long-running server would grow
with every retraining), and it is reset by assigning a new list to each class. Instead the
route's answer gains these entries, read from the live backends when asked: what exists now,
deleted resources left out, in the same shape, under the ``rekognition`` service.

Each object has ``account_id`` and ``region_name`` (as moto's models do), the resource's
``name``, its ``tags``, and the members its Describe/List operation answers.
Reading it changes nothing: no ``manual`` progression is advanced.
"""

from __future__ import annotations

from typing import Any

from .backend import rekognition_custom_backends

__all__ = ["MODELS", "SERVICE", "model_data"]

SERVICE = "rekognition"
#: The model names, as moto names models after their class.
MODELS = ("CustomLabelsProject", "CustomLabelsDataset", "CustomLabelsProjectVersion",
          "CustomLabelsProjectPolicy")


def model_data() -> dict[str, list[dict[str, Any]]]:
    """``{model name: [resource, ...]}`` for every live resource of every account and
    region, oldest project first."""
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in MODELS}
    projects, datasets, versions, policies = (out[name] for name in MODELS)
    backend: Any
    for account, region, backend in list(rekognition_custom_backends.iter_backends()):
        where = {"account_id": account, "region_name": region}
        with backend.lock:
            for project in list(backend.projects):
                if project.gone:
                    continue
                projects.append({**where, "name": project.name,
                                 "tags": backend.tags.get(project.arn), **project.describe()})
                for dataset in project.live_datasets():
                    datasets.append({**where, "name": f"{project.name}/{dataset.dataset_type}",
                                     "project_arn": project.arn,
                                     "tags": backend.tags.get(dataset.arn),
                                     **dataset.metadata(), **dataset.describe()})
                for version in list(project.versions):
                    if version.gone:
                        continue
                    versions.append({**where, "name": version.name, "project_arn": project.arn,
                                     "tags": backend.tags.get(version.arn),
                                     **version.describe()})
                for policy in project.policies.values():
                    policies.append({**where, "name": policy.name,
                                     **policy.describe(project.arn)})
    return out
