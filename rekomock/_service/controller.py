"""The test-facing controller (``rk``): look at the mock's state and steer it.

What it sets lives in :mod:`rekomock._service.steering`, reset with moto.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from .._domain import arns, clock
from .._domain.control_args import MAX_ADVANCE_SECONDS, finite_number, mapping, text
from .._domain.exceptions import RekognitionError
from .._domain.faults import Calls, InjectedError
from .._domain.quotas import Quotas
from .._domain.shapes import check_value, service_model
from .._domain.trained_model import Detection, digest_of, fingerprint_of
from .._domain.versions import FAILURES
from .backend import rekognition_custom_backends, reset_state
from .steering import QUEUES_LOCK, steering


def _failure(version_name: Any, message: Any) -> tuple[str | None, str]:
    """A queued failure, its members checked."""
    return text("version_name", version_name, optional=True), str(text("message", message))


class Controller:
    """What ``with mock_rekognition_custom() as rk`` and the ``rekomock`` fixture give."""

    @property
    def quotas(self) -> Quotas:
        """Service quotas the docs leave unnumbered; lower one to test the quota error."""
        return steering().quotas

    def reset(self) -> None:
        """Forget every Custom Labels resource and every steering setting."""
        reset_state()

    def advance_time(self, seconds: float) -> None:
        """Move the mock's clock forward (time-based progressions, timestamps and the
        inference-unit meter follow), as a waiter does instead of sleeping. At most a
        century at a time (``MAX_ADVANCE_SECONDS``), so the clock stays a datetime."""
        clock.advance(finite_number("seconds", seconds, 0, MAX_ADVANCE_SECONDS))

    # -------------------------------------------------------------- failures

    def fail_training(
        self,
        version_name: str | None = None,
        message: str = "Amazon Rekognition experienced a service issue",
    ) -> None:
        """Make the next training (or the one of ``version_name``) end in TRAINING_FAILED
        with ``message`` as its StatusMessage, and the side effects of the failure it
        imitates: a terminal manifest file error or the unwritable-output message writes
        nothing, any other message the manifest summary and validation manifests (as a
        content error does)."""
        failure = _failure(version_name, message)
        with QUEUES_LOCK:
            steering().training_failures.append(failure)

    def fail_start(
        self, version_name: str | None = None, message: str = "The model failed to start."
    ) -> None:
        """Make the next StartProjectVersion (or the one of ``version_name``) end in FAILED."""
        failure = _failure(version_name, message)
        with QUEUES_LOCK:
            steering().start_failures.append(failure)

    def inject_error(self, operation: str, code: str, **options: Any) -> None:
        """The next ``times`` calls of ``operation`` (``"StartProjectVersion"`` or
        ``"start_project_version"``) answer the AWS error ``code`` instead of running; they
        change nothing. ``times=None``: every matching call until :meth:`clear_errors`.

        Only the errors the operation documents are accepted. ``matching`` narrows the rule
        to calls whose request has these top-level members (``{"ProjectVersionArn": arn}``);
        ``account_id`` and ``region`` narrow it too. With ``probability`` below 1 each
        matching call fails with that probability, drawn from a generator seeded with
        ``seed`` (default 0): the same calls fail on every run. ``message`` replaces the
        error's default message.

        Options: ``times=1``, ``message``, ``matching``, ``account_id``, ``region``,
        ``probability=1.0``, ``seed=0``."""
        text("operation", operation)
        text("code", code)
        mapping("matching", options.get("matching"), optional=True)
        for name in ("account_id", "region"):
            text(name, options.get(name), optional=True)
        rule = InjectedError(operation, code, **options)
        with QUEUES_LOCK:
            steering().injected_errors.append(rule)

    def clear_errors(self) -> None:
        """Forget the injected errors not used up yet."""
        with QUEUES_LOCK:
            steering().injected_errors.clear()

    @property
    def calls(self) -> Calls:
        """The Custom Labels calls answered since the mock started (or the last reset or
        ``calls.clear()``), oldest first: each has ``operation``, ``params``, ``error``,
        ``status``, ``account_id``, ``region`` and ``request_id``."""
        return steering().calls

    # ------------------------------------------------------------- inference

    def set_detections(
        self,
        labels: list[dict[str, Any]],
        project_version_arn: str | None = None,
        image: bytes | str | None = None,
    ) -> None:
        """From now on, that model (or any) answers ``labels`` for that image (its bytes,
        which also stand for the same picture in other bytes, see ``rekomock._domain.fingerprint``;
        or ``"s3://bucket/key"``; or any image). ``labels`` is DetectCustomLabels'
        ``CustomLabels`` list, checked against the botocore model here. The answer is the
        model's raw output: MinConfidence (or each label's assumed threshold) and
        MaxResults still apply, and a training evaluates with it. A ``Polygon`` is refused:
        DetectCustomLabels never returns one (API reference, DetectCustomLabels)."""

        text("project_version_arn", project_version_arn, optional=True)
        if image is not None and not isinstance(image, (bytes, bytearray, str)):
            raise TypeError("image must be bytes, an 's3://bucket/key' URI or null, not "
                            f"{type(image).__name__}")
        if not isinstance(labels, list):
            raise TypeError("labels must be a list of CustomLabels (DetectCustomLabels), not "
                            f"{type(labels).__name__}")
        shape = service_model().operation_model("DetectCustomLabels").output_shape
        for i, label in enumerate(labels):
            where = f"labels[{i}]"
            mapping(where, label)
            missing = {"Name", "Confidence"} - set(label)
            if missing:
                raise ValueError(f"{where} must have {sorted(missing)}")
            finite_number(f"{where}.Confidence", label["Confidence"], 0, 100)
            geometry = mapping(f"{where}.Geometry", label.get("Geometry"), optional=True)
            box = (geometry or {}).get("BoundingBox")
            if box is not None:
                if not isinstance(box, dict) or set(box) != {"Width", "Height", "Left", "Top"}:
                    raise ValueError(f"{where}.Geometry.BoundingBox must have Width, Height, "
                                     "Left and Top")
                for side, value in box.items():
                    finite_number(f"{where}.Geometry.BoundingBox.{side}", value, 0, 1)
        check_value(shape.members["CustomLabels"], labels, "labels")
        for label in labels:
            if "Polygon" in (label.get("Geometry") or {}):
                raise ValueError(
                    f"labels: {label['Name']} has a Polygon; DetectCustomLabels returns "
                    "only Geometry.BoundingBox"
                )
        state = steering()
        key: str | None
        if isinstance(image, (bytes, bytearray)):
            key = digest = digest_of(bytes(image))
            print_ = fingerprint_of(digest, bytes(image))
            if print_ is not None:
                state.scripted_pictures.add(print_, digest)
        elif image is None or image.startswith("s3://"):
            key = image
        else:
            raise ValueError("image must be bytes, an 's3://bucket/key' URI or None")
        state.detections[(project_version_arn, key)] = [
            Detection.from_api(label) for label in labels
        ]

    def clear_detections(self) -> None:
        """Forget every scripted answer: models answer from their ground truth again."""
        steering().clear_detections()

    def set_evaluation(
        self,
        f1_score: float,
        labels: dict[str, dict[str, float]] | None = None,
        version_name: str | None = None,
    ) -> None:
        """The next training (or ``version_name``'s) reports these figures: ``f1_score`` as
        EvaluationResult.F1Score and the summary's aggregate F1, and per label any of
        ``F1Score``, ``Precision``, ``Recall``, ``Threshold`` (0-1; a threshold is then the
        label's assumed threshold, which DetectCustomLabels applies without MinConfidence,
        even to the images the model learnt)."""
        f1 = finite_number("f1_score", f1_score, 0, 1)
        text("version_name", version_name, optional=True)
        allowed = {"F1Score", "Precision", "Recall", "Threshold"}
        checked: dict[str, dict[str, float]] = {}
        for label, figures in (mapping("labels", labels, optional=True) or {}).items():
            mapping(f"labels.{label}", figures)
            unknown = set(figures) - allowed
            if unknown:
                raise ValueError(f"labels.{label} has unknown figures {sorted(unknown)}; "
                                 f"figures are {sorted(allowed)}")
            checked[label] = {name: finite_number(f"labels.{label}.{name}", value, 0, 1)
                              for name, value in figures.items()}
        with QUEUES_LOCK:
            steering().evaluations.append((version_name, f1, checked))

    def inference_unit_hours(self, project_version_arn: str) -> float:
        """Inference-unit hours the model has run so far: units x running time on the
        mock's clock (freezegun and waiters move it). Lets a test assert that the code it
        tests stops the models it starts."""

        parsed = arns.parse(project_version_arn)
        if parsed is None or parsed.kind != "version":
            raise ValueError(f"not a project version ARN: {project_version_arn}")
        backend = rekognition_custom_backends[parsed.account][parsed.region]
        hours = backend.inference_unit_hours(project_version_arn)
        if hours is None:
            raise ValueError(f"no such project version: {project_version_arn}")
        return float(hours)

    def explain(self, arn: str) -> str:
        """Why a project version or dataset is in its state, in more words than AWS's
        StatusMessage: for a failed training the cause the service keeps to itself (output
        bucket missing, manifest bucket or key missing, the first content error, a failure
        injected with ``fail_training``); otherwise its status and StatusMessage."""

        parsed = arns.parse(arn)
        if parsed is None or parsed.kind not in ("version", "dataset"):
            raise ValueError(f"not a project version or dataset ARN: {arn}")
        if parsed.kind == "dataset":
            dataset = self._find(arn, "dataset", lambda backend, a: backend.find_dataset(a))
            status = dataset.status
            message, code = dataset.status_message(status)
            return f"{status}: {message} ({code})"
        version = self._find(arn, "project version", lambda backend, a: backend.find_version(a))
        status = version.status
        text = f"{status}: {version.status_message(status)}"
        if version.failure_cause and status in FAILURES:
            text += f" -- {version.failure_cause}"
        return text

    def _find(self, arn: str, kind: str, find: Callable[[Any, str], Any]) -> Any:
        """The live resource ``arn`` names, found with ``find(backend, arn)``."""

        parsed = arns.parse(arn)
        assert parsed is not None  # checked by the caller
        backend = rekognition_custom_backends[parsed.account][parsed.region]
        with backend.lock:
            try:
                return find(backend, arn)
            except RekognitionError:
                raise ValueError(f"no such {kind}: {arn}") from None

    # ---------------------------------------------------------------- overview

    def rows(self) -> list[dict[str, str]]:
        """One row per resource: what ``print(rk)`` and the notebook table show."""

        out: list[dict[str, str]] = []
        backend: Any
        for account, region, backend in list(rekognition_custom_backends.iter_backends()):
            with backend.lock:
                projects = list(backend.projects)
            for project in projects:
                if project.gone:
                    continue
                where = f"{account}/{region}"
                out.append({"where": where, "kind": "project", "name": project.name,
                            "status": project.status, "detail": project.feature})
                for ds in project.live_datasets():
                    out.append({"where": where, "kind": "dataset",
                                "name": f"{project.name}/{ds.dataset_type}",
                                "status": ds.status, "detail": ds.summary()})
                for version in list(project.versions):
                    if version.gone:
                        continue
                    out.append({"where": where, "kind": "version",
                                "name": f"{project.name}/{version.name}",
                                "status": version.status, "detail": version.summary()})
        return out

    def __repr__(self) -> str:
        rows = self.rows()
        if not rows:
            return "<rekomock: no Custom Labels resources>"
        cols = ("where", "kind", "name", "status", "detail")
        widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in cols}
        lines = ["  ".join(c.upper().ljust(widths[c]) for c in cols).rstrip()]
        lines += ["  ".join(r[c].ljust(widths[c]) for c in cols).rstrip() for r in rows]
        return "\n".join(lines)

    __str__ = __repr__

    def _repr_html_(self) -> str:
        rows = self.rows()
        cols = ("where", "kind", "name", "status", "detail")
        head = "".join(f"<th>{c}</th>" for c in cols)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(r[c])}</td>" for c in cols) + "</tr>"
            for r in rows
        )
        if not rows:
            body = f'<tr><td colspan="{len(cols)}">no Custom Labels resources</td></tr>'
        return (f'<table class="rekomock"><thead><tr>{head}</tr></thead>'
                f"<tbody>{body}</tbody></table>")

    # ------------------------------------------------------------------ console

    def console(self) -> str:
        """Serve the console (the pages ``rekomock server`` shows at ``/rekomock/``) for this
        mock from a local server, started on the first call; returns its URL. It stops with
        the mock. Opening a project trained from manifest files there creates its datasets, as
        AWS's console does (docs/how-to/console.md)."""
        from .console_hook import open_console

        return open_console()
