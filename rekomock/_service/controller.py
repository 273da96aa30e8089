"""The test-facing controller (``rk``): look at the mock's state and steer it.

What it sets lives in :mod:`rekomock._service.steering`, reset with moto. Its words (``version``,
``project`` + ``version_name``, ``arn``, ``times``, a ``clear_*`` for every setting) are the
HTTP control routes' too (docs/glossary.md, *controller*).
"""

from __future__ import annotations

import dataclasses
import html
import os
import warnings
from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple, cast

from .._domain import arns, clock
from .._domain.backend_dicts import region_backend
from .._domain.billing import DEFAULT_PRICES, Bill, RunningModel, Usage, make_bill
from .._domain.capacity import (
    DEFAULT_SCALE_DOWN_SECONDS,
    DEFAULT_SCALE_UP_SECONDS,
    MAX_FAILURE_SECONDS,
    Capacity,
)
from .._domain.control_args import (
    MAX_ADVANCE_SECONDS,
    arn_of,
    boolean,
    finite_number,
    integer,
    mapping,
    text,
    use_count,
)
from .._domain.exceptions import RekognitionError
from .._domain.faults import Calls, InjectedError
from .._domain.quotas import Quotas
from .._domain.shapes import check_value, service_model
from .._domain.trained_model import Detection, digest_of, fingerprint_of
from .._domain.versions import FAILURES, RUNNING
from . import persistence
from .backend import RekognitionCustomBackend, rekognition_custom_backends, reset_all
from .steering import (
    QUEUES_LOCK,
    EvaluationSetting,
    Scripted,
    StartFailure,
    TrainingFailure,
    steering,
)

__all__ = ["Controller", "Resource", "deprecated"]

#: StatusMessage of a failure injected without a message.
TRAINING_FAILURE = "Amazon Rekognition experienced a service issue"
START_FAILURE = "The model failed to start."

#: How long a lost inference unit takes to be replaced: inferred (docs/decisions.md,
#: *Capacity*), AWS says only that it is replaced.
DEFAULT_FAILURE_SECONDS = 10 * 60.0


class Resource(NamedTuple):
    """One Custom Labels resource the mock holds (``rk.resources()``, ``print(rk)``)."""

    arn: str
    #: ``"project"``, ``"dataset"`` or ``"version"``.
    kind: str
    #: ``project``, ``project/TRAIN`` or ``project/version``.
    name: str
    status: str
    #: One line about it: the project's feature, a dataset's entries, a version's figures.
    detail: str
    account_id: str
    region: str

    def to_json(self) -> dict[str, str]:
        return self._asdict()


def deprecated(old: str, new: str, stacklevel: int = 3) -> None:
    """Warn that ``old`` goes away next release and ``new`` replaces it."""
    warnings.warn(f"{old} is deprecated and goes away in the next release; use {new}",
                  DeprecationWarning, stacklevel=stacklevel)


def _positional(method: str, name: str, value: Any, keyword: Any) -> Any:
    """A deprecated positional argument of ``method`` that is now the keyword ``name``."""
    if value is None:
        return keyword
    deprecated(f"{method}() with {name} as a positional argument",
               f"{method}({name}=...)", stacklevel=4)
    if keyword is not None:
        raise TypeError(f"{method}() got {name} both positionally and as a keyword")
    return value


def _renamed(method: str, old: str, new: str, value: Any, current: Any) -> Any:
    """The deprecated keyword ``old`` of ``method``, now ``new``."""
    if value is None:
        return current
    deprecated(f"{method}({old}=...)", f"{method}({new}=...)", stacklevel=4)
    if current is not None:
        raise TypeError(f"{method}() got {old} and {new}; give {new} only")
    return value


#: The columns of ``print(rk)`` and the notebook table.
_COLUMNS = ("where", "kind", "name", "status", "detail")


def _table_row(resource: Resource) -> dict[str, str]:
    """A resource as a row of ``print(rk)`` (``where``: ``account/region``)."""
    return {"where": f"{resource.account_id}/{resource.region}", "kind": resource.kind,
            "name": resource.name, "status": resource.status, "detail": resource.detail}


def _path(path: Any) -> str:
    """A file path given as a string or path object."""
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    return str(text("path", path))


class Controller:
    """What ``with mock_rekognition_custom() as rk`` and the ``rekomock`` fixture give."""

    @property
    def quotas(self) -> Quotas:
        """Service quotas the docs leave unnumbered (read them here, change them with
        :meth:`set_quotas`)."""
        return steering().quotas

    def set_quotas(
        self,
        *,
        projects: int | None = None,
        versions_per_project: int | None = None,
        tags_per_resource: int | None = None,
        policies_per_project: int | None = None,
    ) -> Quotas:
        """Change the quotas given (None: unchanged), all or none, to test a quota error;
        each is a non-negative integer (0 refuses every creation). Answers the quotas."""
        given = {"projects": projects, "versions_per_project": versions_per_project,
                 "tags_per_resource": tags_per_resource,
                 "policies_per_project": policies_per_project}
        changes = {name: value for name, value in given.items() if value is not None}
        quotas = steering().quotas
        checked = dataclasses.replace(quotas, **changes)  # checks every value first
        for name in changes:
            setattr(quotas, name, getattr(checked, name))
        return quotas

    def clear_quotas(self) -> None:
        """Put every quota back to its default."""
        quotas = steering().quotas
        for field in dataclasses.fields(Quotas):
            setattr(quotas, field.name, field.default)

    def reset(self) -> None:
        """Forget every Custom Labels resource and every steering setting, and put the
        mock's clock back: what a fresh mock starts with."""
        reset_all()

    def advance_time(self, seconds: float) -> None:
        """Move the mock's clock forward (time-based progressions, timestamps and the
        inference-unit meter follow), as a waiter does instead of sleeping. At most a
        century at a time (``MAX_ADVANCE_SECONDS``), so the clock stays a datetime."""
        clock.advance(finite_number("seconds", seconds, 0, MAX_ADVANCE_SECONDS))

    def now(self) -> datetime:
        """The mock's clock (UTC): what it stamps on resources, :meth:`advance_time` and
        waiters included."""
        return clock.now()

    # -------------------------------------------------------------- failures

    def fail_training(
        self,
        _version_name: str | None = None,
        _message: str | None = None,
        /,
        *,
        message: str = TRAINING_FAILURE,
        project: str | None = None,
        version_name: str | None = None,
        times: int | None = 1,
    ) -> None:
        """Make the next ``times`` trainings of ``project`` (a ProjectArn) named
        ``version_name`` (None: any) end in TRAINING_FAILED with ``message`` as their
        StatusMessage (``times=None``: every one until :meth:`clear_training_failures`),
        with the side effects of the failure it imitates: a terminal manifest file error or
        the unwritable-output message writes nothing, any other message the manifest
        summary and validation manifests (as a content error does).

        A positional version name (``fail_training("v1")``) is deprecated: use
        ``version_name="v1"``."""
        version_name = _positional("fail_training", "version_name", _version_name,
                                   version_name)
        if _message is not None:
            deprecated("fail_training() with message as a positional argument",
                       "fail_training(message=...)")
            message = _message
        failure = TrainingFailure(arn_of("project", project, "project", optional=True),
                                  text("version_name", version_name, optional=True),
                                  str(text("message", message)), use_count("times", times))
        with QUEUES_LOCK:
            steering().training_failures.append(failure)

    def clear_training_failures(self) -> None:
        """Forget the training failures not used up yet."""
        with QUEUES_LOCK:
            steering().training_failures.clear()

    def fail_start(
        self,
        _version_name: str | None = None,
        _message: str | None = None,
        /,
        *,
        message: str = START_FAILURE,
        version: str | None = None,
        times: int | None = 1,
        version_name: str | None = None,
    ) -> None:
        """Make the next ``times`` StartProjectVersion of ``version`` (a ProjectVersionArn;
        None: any) end in FAILED with ``message`` as StatusMessage (``times=None``: every
        one until :meth:`clear_start_failures`).

        Deprecated: a version name, positional (``fail_start("v1")``) or ``version_name=``;
        use ``version=`` with the version's ARN."""
        if _version_name is not None:
            deprecated("fail_start() with a version name as a positional argument",
                       "fail_start(version=<ProjectVersionArn>)")
            if version_name is not None:
                raise TypeError("fail_start() got version_name both positionally and as a "
                                "keyword")
            version_name = _version_name
        elif version_name is not None:
            deprecated("fail_start(version_name=...)", "fail_start(version=<ProjectVersionArn>)")
        if _message is not None:
            deprecated("fail_start() with message as a positional argument",
                       "fail_start(message=...)")
            message = _message
        failure = StartFailure(arn_of("version", version, "version", optional=True),
                               str(text("message", message)), use_count("times", times),
                               text("version_name", version_name, optional=True))
        with QUEUES_LOCK:
            steering().start_failures.append(failure)

    def clear_start_failures(self) -> None:
        """Forget the start failures not used up yet."""
        with QUEUES_LOCK:
            steering().start_failures.clear()

    def inject_error(
        self,
        operation: str,
        code: str,
        *,
        times: int | None = 1,
        message: str | None = None,
        matching: dict[str, Any] | None = None,
        account_id: str | None = None,
        region: str | None = None,
        probability: float = 1.0,
        seed: int = 0,
    ) -> None:
        """The next ``times`` calls of ``operation`` (``"StartProjectVersion"`` or
        ``"start_project_version"``) answer the AWS error ``code`` instead of running; they
        change nothing. ``times=None``: every matching call until :meth:`clear_errors`.

        Only the errors the operation documents are accepted. ``matching`` narrows the rule
        to calls whose request has these top-level members (``{"ProjectVersionArn": arn}``);
        ``account_id`` and ``region`` narrow it too. With ``probability`` below 1 each
        matching call fails with that probability, drawn from a generator seeded with
        ``seed``: the same calls fail on every run. ``message`` replaces the error's default
        message."""
        text("operation", operation)
        text("code", code)
        mapping("matching", matching, optional=True)
        text("account_id", account_id, optional=True)
        text("region", region, optional=True)
        rule = InjectedError(operation, code, times=times, message=message, matching=matching,
                             account_id=account_id, region=region, probability=probability,
                             seed=seed)
        with QUEUES_LOCK:
            steering().injected_errors.append(rule)

    def clear_errors(self) -> None:
        """Forget the injected errors not used up yet."""
        with QUEUES_LOCK:
            steering().injected_errors.clear()

    @property
    def calls(self) -> Calls:
        """The Custom Labels calls answered since the mock started (or the last reset or
        :meth:`clear_calls`), oldest first: each has ``operation``, ``params``, ``error``,
        ``status``, ``account_id``, ``region`` and ``request_id``."""
        return steering().calls

    def clear_calls(self) -> None:
        """Forget the calls recorded so far."""
        steering().calls.clear()

    # ------------------------------------------------------------- inference

    def set_detections(
        self,
        labels: list[dict[str, Any]],
        version: str | None = None,
        image: bytes | str | None = None,
        *,
        times: int | None = None,
        project_version_arn: str | None = None,
    ) -> None:
        """From now on, model ``version`` (a ProjectVersionArn; None: any) answers ``labels``
        for that image (its bytes, which also stand for the same picture in other bytes, see
        ``rekomock._domain.fingerprint``; or ``"s3://bucket/key"``; or any image), for
        ``times`` images (None: until :meth:`clear_detections`; each image a
        DetectCustomLabels call or a training's evaluation answers is one use). ``labels``
        is DetectCustomLabels' ``CustomLabels`` list, checked against the botocore model
        here. The answer is the model's raw output: MinConfidence (or each label's assumed
        threshold) and MaxResults still apply, and a training evaluates with it. A
        ``Polygon`` is refused: DetectCustomLabels never returns one (API reference,
        DetectCustomLabels).

        ``project_version_arn=`` is deprecated: use ``version=``."""

        version = _renamed("set_detections", "project_version_arn", "version",
                           project_version_arn, version)
        arn_of("version", version, "version", optional=True)
        uses = use_count("times", times)
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
        state.detections[(version, key)] = Scripted(
            [Detection.from_api(label) for label in labels], uses)

    def clear_detections(self) -> None:
        """Forget every scripted answer: models answer from their ground truth again."""
        steering().clear_detections()

    def set_evaluation(
        self,
        f1_score: float,
        labels: dict[str, dict[str, float]] | None = None,
        _version_name: str | None = None,
        *,
        project: str | None = None,
        version_name: str | None = None,
        times: int | None = 1,
    ) -> None:
        """The next ``times`` trainings of ``project`` (a ProjectArn) named ``version_name``
        (None: any) report these figures (``times=None``: every one until
        :meth:`clear_evaluations`): ``f1_score`` as EvaluationResult.F1Score and the
        summary's aggregate F1, and per label any of ``F1Score``, ``Precision``, ``Recall``,
        ``Threshold`` (0-1; a threshold is then the label's assumed threshold, which
        DetectCustomLabels applies without MinConfidence, even to the images the model
        learnt).

        A positional version name (third argument) is deprecated: use ``version_name=``."""
        version_name = _positional("set_evaluation", "version_name", _version_name,
                                   version_name)
        f1 = finite_number("f1_score", f1_score, 0, 1)
        arn_of("project", project, "project", optional=True)
        text("version_name", version_name, optional=True)
        uses = use_count("times", times)
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
        setting = EvaluationSetting(project, version_name, f1, checked, uses)
        with QUEUES_LOCK:
            steering().evaluations.append(setting)

    def clear_evaluations(self) -> None:
        """Forget the figures set for trainings not used up yet: trainings measure again."""
        with QUEUES_LOCK:
            steering().evaluations.clear()

    def inference_unit_hours(
        self, version: str | None = None, *, project_version_arn: str | None = None
    ) -> float:
        """Inference-unit hours model ``version`` (a ProjectVersionArn) has run so far: units
        x running time on the mock's clock (freezegun and waiters move it). Lets a test
        assert that the code it tests stops the models it starts.

        ``project_version_arn=`` is deprecated: use ``version=``."""

        version = _renamed("inference_unit_hours", "project_version_arn", "version",
                           project_version_arn, version)
        if version is None:
            raise TypeError("inference_unit_hours() needs version, a ProjectVersionArn")
        text("version", version)
        parsed = arns.parse(version)
        if parsed is None or parsed.kind != "version":
            raise ValueError(f"not a project version ARN: {version}")
        backend = _backend(parsed)
        hours = backend.inference_unit_hours(version)
        if hours is None:
            raise ValueError(f"no such project version: {version}")
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
            _, dataset = self._find(arn, "dataset", lambda backend, a: backend.find_dataset(a))
            status = dataset.status
            message, code = dataset.status_message(status)
            return f"{status}: {message} ({code})"
        _, version = self._find(arn, "project version",
                                lambda backend, a: backend.find_version(a))
        status = version.status
        text = f"{status}: {version.status_message(status)}"
        if version.failure_cause and status in FAILURES:
            text += f" -- {version.failure_cause}"
        return text

    def _find(self, arn: str, kind: str, find: Callable[[Any, str], Any]) -> tuple[Any, Any]:
        """The backend holding ``arn`` and the live resource it names, found with
        ``find(backend, arn)``."""

        parsed = arns.parse(arn)
        assert parsed is not None  # checked by the caller
        backend = _backend(parsed)
        with backend.lock:
            try:
                return backend, find(backend, arn)
            except RekognitionError:
                raise ValueError(f"no such {kind}: {arn}") from None

    # ---------------------------------------------------------------- overview

    def resources(self) -> list[Resource]:
        """Every Custom Labels resource the mock holds, in every account and region: each
        project, then its datasets and versions (what ``print(rk)`` and the notebook table
        show)."""

        out: list[Resource] = []
        backend: Any
        for account, region, backend in list(rekognition_custom_backends.iter_backends()):
            with backend.lock:
                projects = list(backend.projects)
            for project in projects:
                if project.gone:
                    continue
                out.append(Resource(project.arn, "project", project.name, project.status,
                                    project.feature, account, region))
                for ds in project.live_datasets():
                    out.append(Resource(ds.arn, "dataset", f"{project.name}/{ds.dataset_type}",
                                        ds.status, ds.summary(), account, region))
                for version in list(project.versions):
                    if version.gone:
                        continue
                    out.append(Resource(version.arn, "version",
                                        f"{project.name}/{version.name}", version.status,
                                        version.summary(), account, region))
        return out

    def rows(self) -> list[dict[str, str]]:
        """Deprecated: use :meth:`resources`. One dict per resource (``where`` is
        ``account/region``)."""
        deprecated("rk.rows()", "rk.resources()")
        return [_table_row(r) for r in self.resources()]

    def __repr__(self) -> str:
        rows = [_table_row(r) for r in self.resources()]
        if not rows:
            return "<rekomock: no Custom Labels resources>"
        widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in _COLUMNS}
        lines = ["  ".join(c.upper().ljust(widths[c]) for c in _COLUMNS).rstrip()]
        lines += ["  ".join(r[c].ljust(widths[c]) for c in _COLUMNS).rstrip() for r in rows]
        return "\n".join(lines)

    __str__ = __repr__

    def _repr_html_(self) -> str:
        rows = [_table_row(r) for r in self.resources()]
        head = "".join(f"<th>{c}</th>" for c in _COLUMNS)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(r[c])}</td>" for c in _COLUMNS) + "</tr>"
            for r in rows
        )
        if not rows:
            body = f'<tr><td colspan="{len(_COLUMNS)}">no Custom Labels resources</td></tr>'
        return (f'<table class="rekomock"><thead><tr>{head}</tr></thead>'
                f"<tbody>{body}</tbody></table>")

    # ---------------------------------------------------------------- capacity

    def set_capacity(
        self,
        tps_per_inference_unit: float,
        version: str | None = None,
        *,
        scale_up_seconds: float = DEFAULT_SCALE_UP_SECONDS,
        scale_down_seconds: float = DEFAULT_SCALE_DOWN_SECONDS,
    ) -> None:
        """Limit DetectCustomLabels to ``tps_per_inference_unit`` calls per second per
        in-service unit, on that model (its own setting wins) or every model (``None``): the
        calls beyond it in one second of the mock's clock answer
        ProvisionedThroughputExceededException. A model started with MaxInferenceUnits above
        MinInferenceUnits then scales to the units its peak calls per second of the last
        minute need, ``scale_up_seconds`` after demand rose and ``scale_down_seconds`` after
        it stayed lower (defaults inferred, docs/decisions.md, *Capacity*)."""
        setting = Capacity.checked(tps_per_inference_unit, scale_up_seconds, scale_down_seconds)
        if version is not None:
            self._running_or_not(version)
        with QUEUES_LOCK:
            steering().capacities[version] = setting
        self._retune()

    def clear_capacity(self, version: str | None = None) -> None:
        """No throughput limit again: for that model's own setting, or (``None``) every one."""
        text("version", version, optional=True)
        with QUEUES_LOCK:
            if version is None:
                steering().capacities.clear()
            else:
                steering().capacities.pop(version, None)
        self._retune()

    def fail_inference_units(
        self, version: str, count: int = 1, *, seconds: float = DEFAULT_FAILURE_SECONDS
    ) -> None:
        """Lose ``count`` of the running model's in-service units (a failed unit, an
        Availability Zone outage) for ``seconds`` of the mock's clock; then they are replaced
        ("Running a trained Amazon Rekognition Custom Labels model"). Capacity and
        InServiceInferenceUnits follow; with no unit left every DetectCustomLabels call
        answers ProvisionedThroughputExceededException (inferred, docs/decisions.md,
        *Capacity*)."""
        integer("count", count, 1)
        lasting = finite_number("seconds", seconds, 0, MAX_FAILURE_SECONDS)
        if lasting <= 0:
            raise ValueError(f"seconds must be a finite number between 0 and "
                             f"{MAX_FAILURE_SECONDS:g}, above 0, not {seconds}")
        backend, found = self._running_or_not(version)
        with backend.lock:
            run = found.meter.run
            status = found.status
            if run is None or status != RUNNING:
                raise ValueError(f"version {version} is {status}, not RUNNING: only a running "
                                 "model has inference units")
            run.fail(clock.now().timestamp(), count, lasting)

    def clear_inference_unit_failures(self) -> None:
        """Every lost inference unit is replaced now."""
        now = clock.now().timestamp()
        for backend in _backends():
            with backend.lock:
                for meter in backend.meters.values():
                    if meter.run is not None:
                        meter.run.replace_lost(now)

    def _running_or_not(self, version: Any) -> tuple[Any, Any]:
        """The backend and the live version ``version`` names (ValueError if none)."""
        text("version", version)
        parsed = arns.parse(version)
        if parsed is None or parsed.kind != "version":
            raise ValueError(f"version must be a project version ARN, not {version!r}")
        return self._find(version, "project version", lambda b, a: b.find_version(a))

    def _retune(self) -> None:
        """Running models follow the capacity settings from now on."""
        now = clock.now().timestamp()
        state = steering()
        for backend in _backends():
            with backend.lock:
                for arn, meter in backend.meters.items():
                    if meter.run is not None:
                        meter.run.retune(now, state.capacity_for(arn))

    # ----------------------------------------- capacity and cost: bill, running, clock

    def bill(self, version: str | None = None) -> Bill:
        """An itemized statement, on the mock's clock, of what the Custom Labels versions
        made so far (or ``version``, a ProjectVersionArn) would cost on AWS: per version its
        billable training hours (``BillableTrainingTimeInSeconds``) and its inference-unit
        hours (the same as :meth:`inference_unit_hours`), each at the current price
        (:meth:`set_prices`), and the total, in USD. Deleted versions stay on it until a
        reset."""
        text("version", version, optional=True)
        usage: list[Usage] = []
        if version is None:
            for backend in _backends():
                usage += backend.usage() or []
        else:
            made_by = self._backend_of(version)
            found = made_by.usage(version) if made_by is not None else None
            if found is None:
                raise ValueError(f"version: no such project version: {version}")
            usage = found
        return make_bill(usage, steering().prices)

    def set_prices(self, *, training_hour: float | None = None,
                   inference_hour: float | None = None) -> None:
        """Charge these prices (USD per training hour, per inference-unit hour) from now on,
        on every bill, past hours included; None keeps a price. The defaults are AWS's
        for US East (N. Virginia) (docs/sources.md, *Prices*)."""
        if training_hour is None and inference_hour is None:
            raise ValueError("give training_hour or inference_hour (or both)")
        state = steering()
        state.prices = state.prices.replace(training_hour=training_hour,
                                            inference_hour=inference_hour)

    def clear_prices(self) -> None:
        """Back to the default prices."""
        steering().prices = DEFAULT_PRICES

    def running(self) -> list[RunningModel]:
        """The versions STARTING or RUNNING, with their inference units and what they cost
        per hour: what a test should have stopped before it ends."""
        price = steering().prices.inference_hour
        out = []
        for backend in _backends():
            for arn, status, units in backend.running_versions():
                out.append(RunningModel(arn, status, units, units * price))
        return out

    def freeze_clock(self, frozen: bool = True) -> None:
        """Freeze the mock's clock (``frozen=False``: let it follow wall time again, from
        where it stands). Frozen, only :meth:`advance_time`, waiters and retry back-offs
        move it, so hours, meters and timestamps come out exact. A reset unfreezes it
        (unless the server runs with ``--freeze-clock`` or the pytest option
        ``rekomock_freeze_clock`` is on: then it freezes again)."""
        clock.freeze(boolean("frozen", frozen))

    @staticmethod
    def _backend_of(version: str) -> RekognitionCustomBackend | None:
        """The backend that made ``version`` (a version ARN), if there is one yet."""
        parsed = arns.parse(version)
        if parsed is None or parsed.kind != "version":
            raise ValueError(f"version must be a project version ARN, not {version!r}")
        for backend in _backends():
            if (backend.account_id, backend.region_name) == (parsed.account, parsed.region):
                return backend
        return None

    # ----------------------------------------------------- the whole state, saved

    def save(self, path: str | os.PathLike[str]) -> dict[str, Any]:
        """Write the whole mock's state to ``path`` (a file, replaced atomically): every
        Custom Labels resource, the steering settings, the clock, the transitions set in
        moto's state manager, and moto's state (S3 buckets and objects, IAM, ...). Answers
        the file's header (format, versions, size). A suite prepares an expensive state
        (trained models) once and loads it per test (docs/decisions.md, *Saved state*)."""
        return persistence.save(_path(path))

    def load(self, path: str | os.PathLike[str]) -> dict[str, Any]:
        """Replace the whole state with the one :meth:`save` wrote to ``path``. A file that
        is not a state file, damaged, truncated, or written by a newer format or another
        moto minor version raises ValueError naming the file, and changes nothing. Load
        only files you trust: the state is pickled."""
        return persistence.load(_path(path))


    # ------------------------------------------------------------------ console

    def console(self) -> str:
        """Serve the console (the pages ``rekomock server`` shows at ``/rekomock/``) for this
        mock from a local server, started on the first call; returns its URL. It stops with
        the mock. Opening a project trained from manifest files there creates its datasets, as
        AWS's console does (docs/how-to/console.md)."""
        from .console_hook import open_console

        return open_console()


def _backend(parsed: arns.ParsedArn) -> RekognitionCustomBackend:
    """The backend of the account and region an ARN names (made if new)."""
    backend: RekognitionCustomBackend = region_backend(rekognition_custom_backends,
                                                       parsed.account, parsed.region)
    return backend


def _backends() -> list[RekognitionCustomBackend]:
    """Every backend made so far (without making any)."""
    return [cast(RekognitionCustomBackend, backend)
            for _account, _region, backend in list(rekognition_custom_backends.iter_backends())]
