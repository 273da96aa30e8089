"""What changes a dataset's entries: import, copy, update, distribute
[CL:md-add-dataset; CL:md-add-images; CL:md-distributing-datasets].

Each function decides the outcome when the call is made and returns the failure
(StatusMessage, StatusMessageCode) or None; a failed import or update leaves the entries as
they were. Images are checked when a version trains from the dataset, not at import: the
dataset keeps the lines, the training reads the images (INFERRED; keeps 100,000-entry
datasets cheap to build).

Citation tags and coined words: docs/glossary.md.
"""

from __future__ import annotations

from typing import Any

from .._domain.datasets import Dataset, entry_from, fill
from .._domain.manifest_codes import (
    IMAGES_FOR_DISTRIBUTE,
    INACCESSIBLE,
    MANIFEST_PERMISSIONS,
    MESSAGES,
    MULTIPLE_BUCKETS,
    TOO_MANY_LABELS,
)
from .._domain.manifests import (
    MAX_INVALID_FRACTION,
    MAX_LABELS,
    ManifestFileError,
    ParsedManifest,
    auto_split,
    parse_manifest,
)
from . import s3io

CLIENT_ERROR = "CLIENT_ERROR"
TOO_MANY_RECORDS_IN_ERROR = "The manifest file has too many terminal errors."


def _terminal(parsed: ParsedManifest, dataset: Dataset) -> tuple[str, str] | None:
    """The terminal content errors of lines going into ``dataset``
    [CL:debugging-datasets-terminal-errors]."""
    total = parsed.total_json_lines
    if total and parsed.invalid_json_lines >= MAX_INVALID_FRACTION * total:
        return TOO_MANY_RECORDS_IN_ERROR, CLIENT_ERROR
    names = {where[0] for where in (s3io.parse_s3_uri(e.source_ref or "")
                                    for e in parsed.entries) if where is not None}
    for entry in dataset.entries:
        where = s3io.parse_s3_uri(entry.source_ref)
        if where is not None:
            names.add(where[0])
            break  # a dataset already holds images of one bucket only
    if len(names) > 1:
        return MESSAGES[MULTIPLE_BUCKETS], CLIENT_ERROR
    labels = set(dataset.entries.label_stats) | set(parsed.all_labels)
    if len(labels) > MAX_LABELS:
        return MESSAGES[TOO_MANY_LABELS], CLIENT_ERROR
    return None


def _parse(data: bytes) -> ParsedManifest | tuple[str, str]:
    try:
        return parse_manifest(data)
    except ManifestFileError as err:
        return err.message, CLIENT_ERROR


def import_manifest(
    account_id: str, region: str, dataset: Dataset, location: dict[str, Any]
) -> tuple[str, str] | None:
    """CreateDataset from a Ground Truth manifest in S3."""
    data, refusal = s3io.get(account_id, region, location["Bucket"], location["Name"],
                             location.get("Version"))
    if refusal:
        return MESSAGES[MANIFEST_PERMISSIONS], CLIENT_ERROR
    if data is None:
        return MESSAGES[INACCESSIBLE], CLIENT_ERROR
    return apply_update(dataset, data)


def copy_entries(source: Dataset, target: Dataset) -> None:
    """CreateDataset from another dataset: its entries, as they are."""
    for entry in source.entries:
        copied = type(entry)(target.entries.new_seq(), entry.source_ref, entry.line,
                             entry.labels, entry.box_labels, entry.has_errors, entry.labeled)
        target.entries.put(copied)


def apply_update(dataset: Dataset, ground_truth: bytes) -> tuple[str, str] | None:
    """Lines keyed by source-ref replace or add ([M doc of UpdateDatasetEntries]; an import
    is an update of an empty dataset); nothing changes on a terminal error."""
    parsed = _parse(ground_truth)
    if isinstance(parsed, tuple):
        return parsed
    failure = _terminal(parsed, dataset)
    if failure is None:
        fill(dataset, parsed.entries)
    return failure


def distribute(train: Dataset, test: Dataset) -> tuple[str, str] | None:
    """DistributeDatasetEntries: move about 20 % of the training images to the test set."""
    parsed = parse_manifest(train.entries.manifest())
    try:
        _, moved = auto_split(parsed, code=IMAGES_FOR_DISTRIBUTE)
    except ManifestFileError as err:
        return err.message, CLIENT_ERROR
    for item in moved:
        if item.source_ref is None:
            continue
        old = train.entries.remove(item.source_ref)
        entry = entry_from(test.entries.new_seq(), item)
        if old is not None and entry is not None:
            test.entries.put(entry)
    return None
