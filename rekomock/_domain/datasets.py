"""Datasets: a project's TRAIN and TEST images with their labels [M doc of CreateDataset;
CL:md-add-dataset; CL:md-add-images; CL:md-distributing-datasets].

Entries are stored once, as the JSON line ListDatasetEntries returns (``cl-metadata`` and
any ``cl-errors`` included), plus a few slotted fields. Sorted arrays of entry sequence
numbers index the filters (per label, labeled/unlabeled, with errors), so a filtered page
of a 100,000-entry dataset costs O(page), not O(entries): the listing starts by bisection
in the most selective index and checks the other filters on the candidates only.

Citation tags and coined words: docs/glossary.md.
"""

from __future__ import annotations

import bisect
import heapq
import json
import sys
from array import array
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import arns, clock, lifecycle
from .lifecycle import Phase, Phased
from .manifests import ManifestLine
from .outputs import dataset_line
from .paging import next_sequence

if TYPE_CHECKING:
    from .projects import Project

CREATE_IN_PROGRESS = "CREATE_IN_PROGRESS"
CREATE_COMPLETE = "CREATE_COMPLETE"
CREATE_FAILED = "CREATE_FAILED"
UPDATE_IN_PROGRESS = "UPDATE_IN_PROGRESS"
UPDATE_COMPLETE = "UPDATE_COMPLETE"
UPDATE_FAILED = "UPDATE_FAILED"
DELETE_IN_PROGRESS = "DELETE_IN_PROGRESS"

IN_PROGRESS = frozenset({CREATE_IN_PROGRESS, UPDATE_IN_PROGRESS, DELETE_IN_PROGRESS})
COMPLETE = frozenset({CREATE_COMPLETE, UPDATE_COMPLETE})

#: StatusMessage texts [EX:DescribeProjects]; undocumented ones: docs/decisions.md, *Datasets*.
FROM_MANIFEST = "The dataset was successfully created from the manifest file."
CREATED = "The dataset was successfully created."
MESSAGES = {
    CREATE_IN_PROGRESS: "The dataset is being created.",
    CREATE_COMPLETE: CREATED,
    UPDATE_IN_PROGRESS: "The dataset is being updated.",
    UPDATE_COMPLETE: "The dataset was successfully updated.",
    DELETE_IN_PROGRESS: "The dataset is being deleted.",
}

#: Line errors that remove the line from a dataset instead of keeping it with its
#: ``cl-errors`` [CL:debugging-datasets-terminal-errors].
DROPPED = frozenset({
    "ERROR_MISSING_SOURCE_REF",
    "ERROR_INVALID_SOURCE_REF_FORMAT",
    "ERROR_INVALID_JSON_LINE",
    "ERROR_DUPLICATE_SOURCE_REF",
})


class DatasetEntry:
    """One image of a dataset: its listing line and what the filters need."""

    __slots__ = ("box_labels", "has_errors", "labeled", "labels", "line", "seq", "source_ref")

    def __init__(self, seq: int, source_ref: str, line: str, labels: tuple[str, ...],
                 box_labels: tuple[str, ...], has_errors: bool, labeled: bool) -> None:
        self.seq = seq
        self.source_ref = source_ref
        self.line = line
        self.labels = labels  # every valid label on the image, image-level or on a box
        self.box_labels = box_labels  # labels that sit on a bounding box
        self.has_errors = has_errors
        self.labeled = labeled  # cl-metadata.is_labeled


#: ``json.dumps(line, separators=(",", ":"), ensure_ascii=False)``, one encoder for every line.
_compact = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def entry_from(seq: int, parsed: ManifestLine) -> DatasetEntry | None:
    """A dataset entry of a parsed manifest line; None for lines a dataset drops."""
    if parsed.source_ref is None or parsed.line is None:
        return None
    if any(e.get("code") in DROPPED for e in parsed.errors):
        return None
    labels = tuple(dict.fromkeys(sys.intern(x) for x in (*parsed.labels,
                                                      *(b.label for b in parsed.boxes))))
    box_labels = tuple(dict.fromkeys(sys.intern(b.label) for b in parsed.boxes))
    # [CL:tm-debugging-json-line-errors]'s example entry is labeled although its only label
    # attribute is invalid: an image is labeled when its line carries labels, valid or not
    # (docs/decisions.md, *Datasets*).
    labeled = bool(labels) or (parsed.state == "invalid" and parsed.annotated)
    line = dataset_line(parsed, labeled)
    text = _compact(line)
    return DatasetEntry(seq, parsed.source_ref, text, labels, box_labels, bool(parsed.errors),
                        labeled)


def _remove_seq(arr: array[int], seq: int) -> None:
    i = bisect.bisect_left(arr, seq)
    if i < len(arr) and arr[i] == seq:
        del arr[i]


def _insert_seq(arr: array[int], seq: int) -> None:
    if not arr or seq > arr[-1]:
        arr.append(seq)
    else:
        bisect.insort(arr, seq)


def _from(arr: array[int], start: int | None) -> Iterator[int]:
    i = 0 if start is None else bisect.bisect_left(arr, start)
    n = len(arr)
    while i < n:
        yield arr[i]
        i += 1


class Entries:
    """The entries of one dataset, keyed by source-ref, in insertion order."""

    __slots__ = ("_all", "_by_ref", "_by_seq", "_errors", "_label_seqs", "_labeled",
                 "_next", "_unlabeled", "label_stats")

    def __init__(self) -> None:
        self._next = 0
        self._by_seq: dict[int, DatasetEntry] = {}
        self._by_ref: dict[str, DatasetEntry] = {}
        self._all: array[int] = array("q")
        self._labeled: array[int] = array("q")
        self._unlabeled: array[int] = array("q")
        self._errors: array[int] = array("q")
        self._label_seqs: dict[str, array[int]] = {}
        #: label -> [images with it, images with it on a box]
        self.label_stats: dict[str, list[int]] = {}

    def __len__(self) -> int:
        return len(self._by_seq)

    def __iter__(self) -> Iterator[DatasetEntry]:
        return (self._by_seq[s] for s in list(self._all))

    def new_seq(self) -> int:
        self._next += 1
        return self._next

    # -------------------------------------------------------------- changes

    def _index(self, e: DatasetEntry, add: bool) -> None:
        op = _insert_seq if add else _remove_seq
        op(self._all, e.seq)
        op(self._labeled if e.labeled else self._unlabeled, e.seq)
        if e.has_errors:
            op(self._errors, e.seq)
        step = 1 if add else -1
        for label in e.labels:
            arr = self._label_seqs.get(label)
            if arr is None:
                arr = self._label_seqs[label] = array("q")
            op(arr, e.seq)
            stats = self.label_stats.setdefault(label, [0, 0])
            stats[0] += step
            if label in e.box_labels:
                stats[1] += step
            if stats[0] <= 0:
                del self.label_stats[label]
                del self._label_seqs[label]

    def put(self, entry: DatasetEntry) -> None:
        """Add an entry, or replace the one with its source-ref (keeping its place)."""
        old = self._by_ref.get(entry.source_ref)
        if old is not None:
            entry.seq = old.seq
            self._index(old, add=False)
        self._by_seq[entry.seq] = entry
        self._by_ref[entry.source_ref] = entry
        self._index(entry, add=True)

    def remove(self, source_ref: str) -> DatasetEntry | None:
        old = self._by_ref.pop(source_ref, None)
        if old is not None:
            del self._by_seq[old.seq]
            self._index(old, add=False)
        return old

    def get(self, source_ref: str) -> DatasetEntry | None:
        return self._by_ref.get(source_ref)

    # ---------------------------------------------------------------- stats

    def stats(self) -> dict[str, int]:
        return {
            "LabeledEntries": len(self._labeled),
            "TotalEntries": len(self._by_seq),
            "TotalLabels": len(self.label_stats),
            "ErrorEntries": len(self._errors),
        }

    def manifest(self) -> bytes:
        """The entries as a Ground Truth manifest (the service fields are ignored on read)."""
        return "".join(self._by_seq[s].line + "\n" for s in self._all).encode()

    # -------------------------------------------------------------- listing

    def candidates(
        self,
        start: int | None,
        contains: list[str] | None,
        labeled: bool | None,
        has_errors: bool | None,
    ) -> Iterator[int]:
        """Sequence numbers from ``start`` on, from the most selective index."""
        if contains:
            streams = [_from(self._label_seqs[x], start) for x in set(contains)
                       if x in self._label_seqs]
            last = None
            for seq in heapq.merge(*streams):
                if seq != last:
                    last = seq
                    yield seq
            return
        if labeled is not None:
            yield from _from(self._labeled if labeled else self._unlabeled, start)
        elif has_errors:
            yield from _from(self._errors, start)
        else:
            yield from _from(self._all, start)

    def select(
        self,
        start: int | None,
        limit: int,
        contains: list[str] | None,
        labeled: bool | None,
        source_ref_contains: str | None,
        has_errors: bool | None,
    ) -> tuple[list[DatasetEntry], int | None]:
        """One page and the sequence number the next page starts at (None: last page)."""
        out: list[DatasetEntry] = []
        for seq in self.candidates(start, contains, labeled, has_errors):
            e = self._by_seq[seq]
            if labeled is not None and e.labeled != labeled:
                continue
            if has_errors and not e.has_errors:
                continue
            if source_ref_contains is not None and source_ref_contains not in e.source_ref:
                continue
            if len(out) == limit:
                return out, seq
            out.append(e)
        return out, None


class Dataset(Phased):
    """A TRAIN or TEST dataset of a project."""

    deleting_model = lifecycle.DATASET_DELETING

    def __init__(self, project: Project, dataset_type: str) -> None:
        self.seq = next_sequence()
        self.project = project
        self.dataset_type = dataset_type
        self.created: datetime = clock.now()
        self.updated: datetime = self.created
        self.arn = arns.dataset_arn(project.account, project.region, project.name,
                                    dataset_type, self.created)
        self.entries = Entries()
        self.phase = Phase(lifecycle.DATASET_CREATING, [CREATE_IN_PROGRESS, CREATE_COMPLETE])
        self.success_message = CREATED
        self.failure: tuple[str, str] | None = None  # (StatusMessage, StatusMessageCode)

    # ---------------------------------------------------------------- status

    def begin(self, model_name: str, statuses: list[str],
              failure: tuple[str, str] | None = None, success: str | None = None) -> None:
        self.phase = Phase(model_name, statuses)
        self.failure = failure
        if success is not None:
            self.success_message = success
        self.updated = clock.now()

    def status_message(self, status: str) -> tuple[str, str]:
        if status in (CREATE_FAILED, UPDATE_FAILED) and self.failure is not None:
            return self.failure
        if status == CREATE_COMPLETE:
            return self.success_message, "SUCCESS"
        return MESSAGES.get(status, ""), "SUCCESS"

    # ----------------------------------------------------------- description

    def metadata(self) -> dict[str, Any]:
        """DatasetMetadata, as DescribeProjects lists it."""
        status = self.status
        message, code = self.status_message(status)
        return {
            "CreationTimestamp": clock.epoch(self.created),
            "DatasetType": self.dataset_type,
            "DatasetArn": self.arn,
            "Status": status,
            "StatusMessage": message,
            "StatusMessageCode": code,
        }

    def describe(self) -> dict[str, Any]:
        status = self.status
        message, code = self.status_message(status)
        return {
            "CreationTimestamp": clock.epoch(self.created),
            "LastUpdatedTimestamp": clock.epoch(self.updated),
            "Status": status,
            "StatusMessage": message,
            "StatusMessageCode": code,
            "DatasetStats": self.entries.stats(),
        }

    def summary(self) -> str:
        """A few words for the controller's table: the StatusMessage of a failed change."""
        status = self.status
        if status in (CREATE_FAILED, UPDATE_FAILED):
            message, code = self.status_message(status)
            return f"{code}: {message}"
        stats = self.entries.stats()
        return f"{stats['TotalEntries']} entries, {stats['TotalLabels']} labels"

    def label_description(self, name: str) -> dict[str, Any]:
        """DatasetLabelDescription; BoundingBoxCount only for labels on boxes
        [EX:ListDatasetLabels]."""
        images, boxes = self.entries.label_stats[name]
        stats: dict[str, int] = {"EntryCount": images}
        if boxes:
            stats["BoundingBoxCount"] = boxes
        return {"LabelName": name, "LabelStats": stats}


def fill(dataset: Dataset, parsed: Iterable[ManifestLine]) -> None:
    """Put parsed manifest lines into a dataset (replacing by source-ref)."""
    entries = dataset.entries
    for p in parsed:
        e = entry_from(entries.new_seq(), p)
        if e is not None:
            entries.put(e)
