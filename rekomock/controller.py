"""The test-facing controller (``rk``): look at the mock's state and steer it.

Its state (quotas, injected failures, scripted answers) lives in a moto backend, so
``mock_aws`` resets and ``POST /moto-api/reset`` clear it together with the resources.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.models import DEFAULT_ACCOUNT_ID

from .quotas import Quotas

if TYPE_CHECKING:
    from .evaluation import Evaluation
    from .model import Detection, TrainedModel


class ControlState(BaseBackend):
    """Process-wide steering state of the mock (one instance, reset with moto)."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.quotas = Quotas()
        #: (version name or None for "the next one", StatusMessage)
        self.training_failures: list[tuple[str | None, str]] = []
        self.start_failures: list[tuple[str | None, str]] = []
        #: (version ARN or None, image digest / s3 URI or None) -> scripted answer
        self.detections: dict[tuple[str | None, str | None], list[Detection]] = {}
        #: (version name or None, F1, per-label figures) for the next matching training
        self.evaluations: list[tuple[str | None, float, dict[str, dict[str, float]]]] = []

    @staticmethod
    def _take(queue: list[tuple[str | None, str]], version_name: str) -> str | None:
        for i, (name, message) in enumerate(queue):
            if name is None or name == version_name:
                del queue[i]
                return message
        return None

    def take_training_failure(self, project_name: str, version_name: str) -> str | None:
        """The injected failure of this training, if one was asked for (consumed)."""
        return self._take(self.training_failures, version_name)

    def take_start_failure(self, version_name: str) -> str | None:
        return self._take(self.start_failures, version_name)

    def predictor(
        self, version_arn: str, model: TrainedModel, uri: str | None = None,
        source_arn: str | None = None,
    ) -> Callable[[str, str | None], list[Detection]]:
        """What a model answers for an image (SHA-256 of its bytes, and its S3 URI when it
        came from S3): the most specific scripted answer, else the ground truth. A copy
        answers what its source was scripted to answer too."""
        scripted = self.detections
        arn_keys = (version_arn, source_arn, None) if source_arn else (version_arn, None)

        def predict(digest: str, image_uri: str | None = None) -> list[Detection]:
            where = image_uri or uri
            if scripted:
                for arn_key in arn_keys:
                    for image_key in (digest, where, None):
                        found = scripted.get((arn_key, image_key))
                        if found is not None:
                            return list(found)
            return model.ground_truth(digest)

        return predict

    def take_evaluation(self, version_name: str, evaluation: Evaluation) -> Evaluation:
        """Apply the figures a test chose with ``rk.set_evaluation`` (consumed)."""
        for i, (name, f1, labels) in enumerate(self.evaluations):
            if name is None or name == version_name:
                del self.evaluations[i]
                return evaluation.overridden(f1, labels)
        return evaluation


control_backends = BackendDict(ControlState, "rekognition", use_boto3_regions=False,
                               additional_regions=["aws"])


def control_state() -> ControlState:
    return control_backends[DEFAULT_ACCOUNT_ID]["aws"]


def reset_state() -> None:
    """Empty rekomock's own state (resources and steering), leaving other services alone."""
    from .backend import rekognition_custom_backends

    backend_dict: Any
    for backend_dict in (rekognition_custom_backends, control_backends):
        for account_backend in list(backend_dict.values()):
            account_backend.reset()
        backend_dict.clear()


class Controller:
    """What ``with mock_rekognition_custom() as rk`` and the ``rekomock`` fixture give."""

    @property
    def quotas(self) -> Quotas:
        """Service quotas the docs leave unnumbered; lower one to test the quota error."""
        return control_state().quotas

    def reset(self) -> None:
        """Forget every Custom Labels resource and every steering setting."""
        reset_state()

    def advance_time(self, seconds: float) -> None:
        """Move the mock's clock forward (time-based progressions, timestamps and the
        inference-unit meter follow), as a waiter does instead of sleeping."""
        from . import clock

        if seconds < 0:
            raise ValueError("the mock's clock only moves forward")
        clock.advance(seconds)

    # -------------------------------------------------------------- failures

    def fail_training(
        self,
        version_name: str | None = None,
        message: str = "Amazon Rekognition experienced a service issue",
    ) -> None:
        """Make the next training (or the one of ``version_name``) end in TRAINING_FAILED
        with ``message`` as its StatusMessage."""
        control_state().training_failures.append((version_name, message))

    def fail_start(
        self, version_name: str | None = None, message: str = "The model failed to start."
    ) -> None:
        """Make the next StartProjectVersion (or the one of ``version_name``) end in FAILED."""
        control_state().start_failures.append((version_name, message))

    # ------------------------------------------------------------- inference

    def set_detections(
        self,
        labels: list[dict[str, Any]],
        project_version_arn: str | None = None,
        image: bytes | str | None = None,
    ) -> None:
        """From now on, that model (or any) answers ``labels`` for that image (its bytes,
        or ``"s3://bucket/key"``; or any image). ``labels`` is DetectCustomLabels'
        ``CustomLabels`` list, checked against the botocore model here. The answer is the
        model's raw output: MinConfidence (or each label's assumed threshold) and
        MaxResults still apply, and a training evaluates with it."""
        from .model import Detection, digest_of
        from .shapes import check_value, service_model

        shape = service_model().operation_model("DetectCustomLabels").output_shape
        check_value(shape.members["CustomLabels"], labels, "labels")
        if isinstance(image, (bytes, bytearray)):
            key: str | None = digest_of(bytes(image))
        elif image is None or image.startswith("s3://"):
            key = image
        else:
            raise ValueError("image must be bytes, an 's3://bucket/key' URI or None")
        control_state().detections[(project_version_arn, key)] = [
            Detection.from_api(label) for label in labels
        ]

    def clear_detections(self) -> None:
        """Forget every scripted answer: models answer from their ground truth again."""
        control_state().detections.clear()

    def set_evaluation(
        self,
        f1_score: float,
        labels: dict[str, dict[str, float]] | None = None,
        version_name: str | None = None,
    ) -> None:
        """The next training (or ``version_name``'s) reports these figures: ``f1_score`` as
        EvaluationResult.F1Score and the summary's aggregate F1, and per label any of
        ``F1Score``, ``Precision``, ``Recall``, ``Threshold`` (0-1; a threshold also
        changes what DetectCustomLabels returns without MinConfidence)."""
        if not 0 <= f1_score <= 1:
            raise ValueError("f1_score is between 0 and 1")
        allowed = {"F1Score", "Precision", "Recall", "Threshold"}
        for label, figures in (labels or {}).items():
            if set(figures) - allowed:
                raise ValueError(f"{label}: figures are {sorted(allowed)}")
            if any(not 0 <= v <= 1 for v in figures.values()):
                raise ValueError(f"{label}: figures are between 0 and 1")
        control_state().evaluations.append((version_name, f1_score, dict(labels or {})))

    def inference_unit_hours(self, project_version_arn: str) -> float:
        """Inference-unit hours the model has run so far: units x running time on the
        mock's clock (freezegun and waiters move it). Lets a test assert that the code it
        tests stops the models it starts."""
        from . import arns
        from .backend import rekognition_custom_backends

        parsed = arns.parse(project_version_arn)
        if parsed is None or parsed.kind != "version":
            raise ValueError(f"not a project version ARN: {project_version_arn}")
        backend = rekognition_custom_backends[parsed.account][parsed.region]
        hours = backend.inference_unit_hours(project_version_arn)
        if hours is None:
            raise ValueError(f"no such project version: {project_version_arn}")
        return float(hours)

    # ---------------------------------------------------------------- overview

    def rows(self) -> list[dict[str, str]]:
        """One row per resource: what ``print(rk)`` and the notebook table show."""
        from .backend import rekognition_custom_backends

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

    def _backends(self) -> Any:
        from .backend import rekognition_custom_backends

        return rekognition_custom_backends
