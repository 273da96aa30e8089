"""What AWS's console does when it opens a project trained from manifest files.

"If you open the console after training a model with manifest files, Amazon Rekognition
Custom Labels creates the datasets for you using the most recent manifest files. You can no
longer train a model version for the project by specifying manifest files." (Amazon
Rekognition API Reference, CreateProjectVersion; Custom Labels Developer Guide, *Training a
model*). rekomock's console (:mod:`rekomock._wire.console`) calls :func:`open_project` when it
shows a project; the datasets are made by the backend's CreateDataset, the API's own code, so
CreateProjectVersion then refuses ``TrainingData``/``TestingData`` as it does for any project
with datasets.

Citation tags and coined words: docs/glossary.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .._domain.exceptions import RekognitionError
from .._domain.projects import CUSTOM_LABELS, Project
from .backend import RekognitionCustomBackend

__all__ = ["OpenedProject", "open_project"]


@dataclass
class OpenedProject:
    """What opening the project did: the datasets made, from which manifests, and why not
    when something stopped it."""

    version_name: str | None = None
    #: dataset type -> the s3:// URI of the manifest it was made from ("" for an empty one)
    created: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _manifest(data: dict[str, Any]) -> dict[str, Any] | None:
    assets = data.get("Assets") or []
    if not assets or not isinstance(assets[0], dict):
        return None
    found = (assets[0].get("GroundTruthManifest") or {}).get("S3Object")
    return found if isinstance(found, dict) and found.get("Bucket") else None


def _uri(s3_object: dict[str, Any]) -> str:
    return f"s3://{s3_object['Bucket']}/{s3_object.get('Name', '')}"


def open_project(backend: RekognitionCustomBackend, project: Project) -> OpenedProject | None:
    """Make a manifest-trained project's TRAIN and TEST datasets from the manifests of its
    newest version trained with them; None when there is nothing to do (the project has
    datasets, is not a Custom Labels project, or no version was trained from manifests).

    A version trained with ``TestingData.AutoCreate`` has no test manifest: its TEST dataset
    is made empty and filled by DistributeDatasetEntries, the API's 80/20 split (INFERRED:
    the guide does not say what the console does then)."""
    with backend.lock:
        if project.feature != CUSTOM_LABELS or project.deleting or project.live_datasets():
            return None
        trained = [v for v in project.versions if not v.gone and _manifest(v.training_input)]
        if not trained:
            return None
        newest = max(trained, key=lambda v: v.seq)
        opened = OpenedProject(version_name=newest.name)
        train = _manifest(newest.training_input)
        test = _manifest(newest.testing_input)
        assert train is not None
        made = {}
        for dataset_type, source in (("TRAIN", train), ("TEST", test)):
            spec = {"GroundTruthManifest": {"S3Object": source}} if source else None
            try:
                made[dataset_type] = backend.create_dataset(project.arn, dataset_type, spec,
                                                            None)
            except RekognitionError as err:
                opened.problems.append(f"{dataset_type}: {err.code}: {err.message}")
                continue
            opened.created[dataset_type] = _uri(source) if source else ""
        if test is None and len(made) == 2:
            try:
                backend.distribute_dataset_entries([made["TRAIN"].arn, made["TEST"].arn])
            except RekognitionError as err:
                opened.problems.append(f"DistributeDatasetEntries: {err.code}: {err.message}")
        return opened
