"""The files a training writes, built from what it read and learned: the manifest summary
[CL:tm-debugging-summary], the validation manifests
[CL:tm-debugging-getting-validation-data], the evaluation summary [CL:im-summary-file] and
the evaluation-manifest snapshots [CL:im-evaluation-manifest-snapshot-api]; and a manifest
line as a dataset keeps it (ListDatasetEntries).

Pure code: bytes and dicts in, bytes and dicts out; the training writes them to S3.

Citation tags and coined words: docs/glossary.md.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from . import clock
from .evaluation import box_hits
from .manifest_codes import ErrorDict
from .manifests import NOT_DETERMINED, SERVICE_KEYS, ManifestLine, ParsedManifest, truth_of
from .outcome import TrainingOutcome
from .trained_model import LOCALIZATION, Detection, percent

__all__ = [
    "dataset_line",
    "manifest_summary",
    "training_files",
    "validation_manifest",
]

TRAINING_JOB = "rekognition-custom-labels-training-job"
EVALUATION_JOB = "rekognition-custom-labels-evaluation-job"
#: Where a dataset entry keeps a line's ``errors`` [CL:tm-debugging-json-line-errors].
DATASET_ERRORS = "cl-errors"


# ------------------------------------------------------------------ manifest files




def manifest_summary(
    train: ParsedManifest,
    test: ParsedManifest | None,
    top_errors: list[ErrorDict],
    train_errors: list[ErrorDict],
    test_errors: list[ErrorDict],
    *,
    auto_test: Sequence[ManifestLine] | None = None,
) -> dict[str, Any]:
    """The manifest summary file [CL:tm-debugging-summary].

    Without a testing manifest the ``testing`` block describes ``auto_test`` (the split-off
    images, all valid) or, when not given, is empty (INFERRED: the layout keeps both keys).
    """
    if test is not None:
        testing = test.statistics(test_errors)
    elif auto_test:
        testing = ParsedManifest.from_entries(auto_test, train.use_case).statistics(test_errors)
    else:
        testing = ParsedManifest([], NOT_DETERMINED).statistics(test_errors)
    return {
        "errors": list(top_errors),
        "statistics": {"training": train.statistics(train_errors), "testing": testing},
    }


def validation_manifest(parsed: ParsedManifest) -> bytes:
    """The ``*ManifestWithValidation`` file [CL:tm-debugging-getting-validation-data]: every
    input line, in order, with its ``errors``/``warnings`` arrays."""
    dumps = json.dumps
    return "".join(
        [dumps(e.line if e.line is not None else {}) + "\n" for e in parsed.entries]
    ).encode()


def _with_dataset_errors(part: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in part.items() if k not in SERVICE_KEYS}
    if "errors" in part:
        out[DATASET_ERRORS] = part["errors"]
    return out


def dataset_line(entry: ManifestLine, is_labeled: bool) -> dict[str, Any]:
    """The line as a dataset keeps it (ListDatasetEntries), as the example entry of
    [CL:tm-debugging-json-line-errors] shows: ``cl-metadata``, and each ``errors`` array
    under ``cl-errors`` where the validation manifests have it (top level, label attribute,
    its metadata, an annotation). Warnings are not kept: a dataset entry's example has none
    (INFERRED). ``entry.line`` is left untouched."""
    line = entry.line or {}
    if not entry.errors and not entry.warnings:
        out = dict(line)
        out["cl-metadata"] = {"is_labeled": is_labeled}
        return out
    out = {}
    for k, v in line.items():
        if k in SERVICE_KEYS:
            continue
        if type(v) is dict:
            v = _with_dataset_errors(v)
            annotations = v.get("annotations")
            if type(annotations) is list:
                v["annotations"] = [_with_dataset_errors(a) if type(a) is dict else a
                                    for a in annotations]
        out[k] = v
    out["cl-metadata"] = {"is_labeled": is_labeled}
    if "errors" in line:
        out[DATASET_ERRORS] = line["errors"]
    return out


# ------------------------------------------------------------------ training files


def training_files(outcome: TrainingOutcome, evaluated_arn: str, end: datetime) -> dict[str, bytes]:
    """Kind of output file -> its bytes, for a training (or copy) that ended at ``end``:
    the manifest summary and validation manifests when the manifests were read, the
    evaluation summary and snapshots when it completed. ``evaluated_arn`` is the version
    the evaluation belongs to (a copy's source)."""
    files: dict[str, bytes] = {}
    if outcome.summary is not None:
        files["ManifestSummary"] = json.dumps(outcome.summary).encode()
        if outcome.train is not None:
            files["TrainingManifestWithValidation"] = validation_manifest(outcome.train)
        if outcome.test is not None:
            files["TestingManifestWithValidation"] = validation_manifest(outcome.test)
    if outcome.ok and outcome.evaluation is not None and outcome.model is not None:
        model = outcome.model
        summary = outcome.evaluation.summary(
            evaluated_arn, len(outcome.train_used), len(outcome.test_used), end,
        )
        files["EvaluationResultSummary"] = json.dumps(summary).encode()
        files["TrainingGroundTruth"] = _jsonl([_snapshot_line(e, None) for e in outcome.train_used])
        thresholds = {m.label: m.threshold for m in outcome.evaluation.labels}
        # What the evaluation answered (a state saved before it kept them: predict again).
        evaluated: dict[tuple[str, str | None], list[list[Detection]]] = {}
        for digest, uri, answer in getattr(outcome.evaluation, "answers", ()):
            evaluated.setdefault((digest, uri), []).append(answer)
        test_lines = []
        for entry in outcome.test_used:
            where = (entry.bucket, entry.key) if entry.bucket and entry.key else None
            digest = model.by_object.get(where) if where is not None else None
            predictions: list[Detection] = []
            if digest is not None:
                answers = evaluated.get((digest, entry.source_ref))
                predictions = (answers.pop(0) if answers
                               else outcome.predict(digest, entry.source_ref))
            test_lines.append(_snapshot_line(entry, predictions, thresholds,
                                             localization=model.use_case == LOCALIZATION))
        files["TestingGroundTruth"] = _jsonl(test_lines)
    return files


def _flags(present: bool, kept: bool) -> dict[str, Any]:
    """``rekognition-custom-labels-evaluation-details``: the prediction's binary
    classification by its label's threshold (``kept``), and whether the ground truth has it."""
    return {
        "version": 1,
        "is-true-positive": present and kept,
        "is-true-negative": not present and not kept,
        "is-false-positive": not present and kept,
        "is-false-negative": present and not kept,
        "is-present-in-ground-truth": present,
        "ground-truth-labelling-jobs": [TRAINING_JOB],
    }


def _kept(det: Detection, thresholds: dict[str, float]) -> bool:
    return det.confidence >= percent(thresholds.get(det.name, 0.0))


def _snapshot_line(entry: ManifestLine, predictions: list[Detection] | None,
                   thresholds: dict[str, float] | None = None,
                   localization: bool = False) -> dict[str, Any]:
    """An evaluation-manifest line [CL:im-evaluation-manifest-snapshot-api]: ground truth,
    plus predictions for tests, flagged by how each confidence compares to its label's
    assumed threshold (``thresholds``, 0-1), as the evaluation's summary counts them.

    For a test line of an object-localization model (``localization``) the predictions are
    Ground Truth's object-detection output: their boxes in pixels of the line's own
    ``image_size`` (the frame its boxes, and so the model's, are measured in; every line such
    a model uses has boxes, so has one), one ``objects`` entry with the flags per box, matched
    to the ground truth as the scorer matches them. Class ids are shared by the line's
    attributes (docs/decisions.md, *Evaluation outputs*)."""
    created = clock.now().replace(tzinfo=None).isoformat(timespec="milliseconds")
    thresholds = thresholds or {}
    line: dict[str, Any] = {"source-ref": entry.source_ref}
    boxed = [d for d in predictions or [] if d.box is not None] if localization else []
    names = sorted({b.label for b in entry.boxes} | {d.name for d in boxed})
    ids = {name: i for i, name in enumerate(names)}
    if entry.kind == LOCALIZATION and entry.image_size:
        width, height = entry.image_size
        line["rekognition-custom-labels-training-0"] = {
            "image_size": [{"width": width, "height": height, "depth": 3}],
            "annotations": [
                {"class_id": ids[b.label], "left": b.left, "top": b.top,
                 "width": b.width, "height": b.height}
                for b in entry.boxes
            ],
        }
        line["rekognition-custom-labels-training-0-metadata"] = {
            "objects": [{"confidence": 1} for _ in entry.boxes],
            "class-map": {str(ids[name]): name for name in names
                          if any(b.label == name for b in entry.boxes)},
            "type": "groundtruth/object-detection",
            "human-annotated": "yes",
            "creation-date": created,
            "job-name": TRAINING_JOB,
        }
    else:
        for i, label in enumerate(entry.labels):
            line[f"rekognition-custom-labels-training-{i}"] = 1
            line[f"rekognition-custom-labels-training-{i}-metadata"] = {
                "confidence": 1,
                "class-name": label,
                "type": "groundtruth/image-classification",
                "human-annotated": "yes",
                "creation-date": created,
                "job-name": TRAINING_JOB,
            }
    if localization:
        frame = entry.image_size
        width, height = frame or (0, 0)
        hits = box_hits(truth_of(entry), boxed)
        annotations = []
        for det in boxed:
            assert det.box is not None
            w, h, left, top = det.box
            annotations.append({"class_id": ids[det.name], "left": round(left * width),
                                "top": round(top * height), "width": round(w * width),
                                "height": round(h * height)})
        line["rekognition-custom-labels-evaluation"] = {
            "image_size": [{"width": width, "height": height, "depth": 3}] if frame else [],
            "annotations": annotations,
        }
        line["rekognition-custom-labels-evaluation-metadata"] = {
            "confidence": max((d.confidence for d in boxed), default=0.0) / 100.0,
            "objects": [
                {"confidence": det.confidence / 100.0,
                 "rekognition-custom-labels-evaluation-details": _flags(hit,
                                                                        _kept(det, thresholds))}
                for det, hit in zip(boxed, hits, strict=True)
            ],
            "class-map": {str(ids[name]): name for name in names
                          if any(d.name == name for d in boxed)},
            "type": "groundtruth/object-detection",
            "human-annotated": "no",
            "creation-date": created,
            "job-name": EVALUATION_JOB,
        }
        return line
    truth_labels = set(entry.labels) | {b.label for b in entry.boxes}
    for i, det in enumerate(predictions or []):
        line[f"rekognition-custom-labels-evaluation-{i}"] = 1
        line[f"rekognition-custom-labels-evaluation-{i}-metadata"] = {
            "confidence": det.confidence / 100.0,
            "class-name": det.name,
            "type": "groundtruth/image-classification",
            "human-annotated": "no",
            "creation-date": created,
            "job-name": EVALUATION_JOB,
            "rekognition-custom-labels-evaluation-details": _flags(det.name in truth_labels,
                                                                   _kept(det, thresholds)),
        }
    return line


def _jsonl(lines: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(line) + "\n" for line in lines).encode()
