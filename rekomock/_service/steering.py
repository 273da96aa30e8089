"""The mock's steering state: what tests asked for beyond the real service's behaviour.

Quotas, injected failures and errors, scripted answers and evaluations, the record of calls.
It lives in a moto backend (one per process), so ``mock_aws`` resets and
``POST /moto-api/reset`` clear it together with the resources. The controller (``rk``) and
the HTTP control routes write it; the backend and the request handler read it.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.models import DEFAULT_ACCOUNT_ID

from .._domain.backend_dicts import region_backend
from .._domain.billing import DEFAULT_PRICES, Prices
from .._domain.capacity import Capacity, OperationStats
from .._domain.exceptions import InvalidImageFormatException
from .._domain.faults import Calls, InjectedError
from .._domain.fingerprint import LazyFingerprint, PictureIndex
from .._domain.quotas import Quotas

if TYPE_CHECKING:
    from .._domain.evaluation import Evaluation
    from .._domain.exceptions import RekognitionError
    from .._domain.trained_model import Detection, TrainedModel

__all__ = [
    "QUEUES_LOCK",
    "EvaluationSetting",
    "Predictor",
    "Scripted",
    "StartFailure",
    "Steering",
    "TrainingFailure",
    "steering",
    "steering_backends",
]

_log = logging.getLogger(__name__)

#: Guards every steering queue (failures, evaluations, injected errors) for all accounts and
#: regions: the queues are shared, so two accounts training at once on the threaded server
#: must not take the same queued setting. Module-level, so a reset's new Steering shares it.
QUEUES_LOCK = threading.RLock()


@dataclass(frozen=True, slots=True)
class TrainingFailure:
    """``rk.fail_training``: trainings of ``project`` / ``version_name`` (None: any) fail."""

    project: str | None
    version_name: str | None
    message: str
    #: Trainings left to fail; None: every matching one until cleared.
    times: int | None = 1

    def matches(self, project_arn: str, version_name: str) -> bool:
        return (self.project in (None, project_arn)
                and self.version_name in (None, version_name))


@dataclass(frozen=True, slots=True)
class StartFailure:
    """``rk.fail_start``: starts of ``version`` (an ARN; None: any) fail."""

    version: str | None
    message: str
    times: int | None = 1
    #: Deprecated matching by version name (``fail_start("v1")``), kept for one release.
    version_name: str | None = None

    def matches(self, version_arn: str, version_name: str) -> bool:
        return (self.version in (None, version_arn)
                and self.version_name in (None, version_name))


@dataclass(frozen=True, slots=True)
class EvaluationSetting:
    """``rk.set_evaluation``: the figures trainings of ``project`` / ``version_name`` report."""

    project: str | None
    version_name: str | None
    f1_score: float
    labels: dict[str, dict[str, float]]
    times: int | None = 1

    def matches(self, project_arn: str, version_name: str) -> bool:
        return (self.project in (None, project_arn)
                and self.version_name in (None, version_name))


@dataclass(frozen=True, slots=True)
class Scripted:
    """``rk.set_detections``: a scripted answer and how many images it still answers
    (None: until cleared)."""

    detections: list[Detection]
    times: int | None = None


_Setting = TypeVar("_Setting", TrainingFailure, StartFailure, EvaluationSetting)


def _take(queue: list[_Setting], matches: Callable[[_Setting], bool]) -> _Setting | None:
    """The first matching setting of ``queue``, one use of it counted (gone when used up)."""
    with QUEUES_LOCK:
        for i, setting in enumerate(queue):
            if matches(setting):
                if setting.times is None:
                    return setting
                if setting.times <= 1:
                    del queue[i]
                else:  # replaced, not changed: a snapshot of the queue stays what it was
                    queue[i] = dataclasses.replace(setting, times=setting.times - 1)
                return setting
    return None


class Predictor(Protocol):
    """A model's raw answer for an image: its digest, S3 URI and bytes when known.

    Raises InvalidImageFormatException for bytes it has to decode and cannot."""

    def __call__(
        self, digest: str, image_uri: str | None = None, data: bytes | None = None
    ) -> list[Detection]: ...


class Steering(BaseBackend):
    """Process-wide steering state of the mock (one instance, reset with moto)."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.quotas = Quotas()
        #: Queued failures, first matching one first.
        self.training_failures: list[TrainingFailure] = []
        self.start_failures: list[StartFailure] = []
        #: (version ARN or None, image digest / s3 URI or None) -> scripted answer
        self.detections: dict[tuple[str | None, str | None], Scripted] = {}
        #: Digests of the images answers were scripted for by bytes, found by picture.
        self.scripted_pictures: PictureIndex[str] = PictureIndex()
        #: Figures for the next matching trainings, first matching one first.
        self.evaluations: list[EvaluationSetting] = []
        #: AWS errors to answer instead of running matching calls, first rule first
        self.injected_errors: list[InjectedError] = []
        self.calls = Calls()
        #: rk.set_capacity: version ARN (None: every model) -> its throughput and scaling
        self.capacities: dict[str | None, Capacity] = {}
        #: per-operation CloudWatch figures (SuccessfulRequestCount, ..., ResponseTime)
        self.operation_stats = OperationStats()
        #: what the bill charges (``rk.set_prices``)
        self.prices: Prices = DEFAULT_PRICES

    def capacity_for(self, version_arn: str) -> Capacity | None:
        """The throughput limit of that model: its own setting, else the one for all."""
        capacities = self.capacities
        return capacities.get(version_arn) or capacities.get(None)

    def take_injected_error(
        self, operation: str, params: Any, account_id: str, region: str
    ) -> RekognitionError | None:
        """The error this call answers instead of running, if a rule asks for one (one use
        of that rule)."""
        if not self.injected_errors:
            return None
        with QUEUES_LOCK:
            for i, rule in enumerate(self.injected_errors):
                if rule.matches(operation, params, account_id, region):
                    error = rule.error()
                    if rule.times == 0:
                        del self.injected_errors[i]
                    return error
        return None

    def take_training_failure(self, project_arn: str, version_name: str) -> str | None:
        """The StatusMessage of this training's injected failure, if one was asked for (one
        use of that setting)."""
        found = _take(self.training_failures, lambda f: f.matches(project_arn, version_name))
        return found.message if found else None

    def take_start_failure(self, version_arn: str, version_name: str) -> str | None:
        """The StatusMessage of this start's injected failure, if one was asked for."""
        found = _take(self.start_failures, lambda f: f.matches(version_arn, version_name))
        return found.message if found else None

    def predictor(
        self, version_arn: str, model: TrainedModel, uri: str | None = None,
        source_arn: str | None = None, every_label: bool = False,
    ) -> Predictor:
        """What a model answers for an image (SHA-256 of its bytes, its S3 URI when it came
        from S3, and its bytes when a request sent it): the most specific scripted answer,
        taken as it is, else the ground truth (with ``every_label``, every label of an
        image-level model, the others below their threshold). A copy answers what its source
        was scripted to answer too.

        For each model (the version, its source, any), the image's bytes, its S3 object, the
        same picture in other bytes, then any image, in that order. Sent bytes are decoded
        only when neither the model nor an answer scripted for those bytes or that S3 object
        knows them, and then once: bytes that do not decode are a broken image, whatever
        their header says, and answer InvalidImageFormatException."""
        arn_keys = (version_arn, source_arn, None) if source_arn else (version_arn, None)
        return _Prediction(self, arn_keys, model, uri, every_label)

    def _known(self, arn_keys: tuple[str | None, ...], model: TrainedModel, digest: str,
               uri: str | None) -> bool:
        """Whether these exact bytes or this S3 object already have an answer: the model's
        ground truth or one scripted for them (valid images, nothing to decode)."""
        if digest in model.by_digest:
            return True
        return any((arn_key, image_key) in self.detections
                   for arn_key in arn_keys for image_key in (digest, uri) if image_key)

    def _scripted(
        self, arn_keys: tuple[str | None, ...], digest: str, uri: str | None,
        picture: LazyFingerprint,
    ) -> list[Detection] | None:
        same: list[str] | None = None
        for arn_key in arn_keys:
            for image_key in (digest, uri):
                found = self._use((arn_key, image_key)) if image_key else None
                if found is not None:
                    return found
            if self.scripted_pictures:
                if same is None:
                    print_ = picture.get()
                    same = self.scripted_pictures.find(print_) if print_ is not None else []
                for other in same:
                    found = self._use((arn_key, other))
                    if found is not None:
                        return found
            found = self._use((arn_key, None))
            if found is not None:
                return found
        return None

    def _use(self, key: tuple[str | None, str | None]) -> list[Detection] | None:
        """The answer scripted under ``key``, one use of it counted."""
        scripted = self.detections.get(key)
        if scripted is None:
            return None
        if scripted.times is not None:
            with QUEUES_LOCK:
                scripted = self.detections.get(key)
                if scripted is None or scripted.times is None:  # cleared or replaced meanwhile
                    return list(scripted.detections) if scripted else None
                if scripted.times <= 1:
                    del self.detections[key]
                else:
                    self.detections[key] = dataclasses.replace(scripted,
                                                               times=scripted.times - 1)
        return list(scripted.detections)

    def clear_detections(self) -> None:
        """Forget every scripted answer."""
        self.detections.clear()
        self.scripted_pictures = PictureIndex()

    def take_evaluation(
        self, project_arn: str, version_name: str, evaluation: Evaluation
    ) -> Evaluation:
        """Apply the figures a test chose with ``rk.set_evaluation`` (one use of them)."""
        found = _take(self.evaluations, lambda e: e.matches(project_arn, version_name))
        if found is None:
            return evaluation
        return evaluation.overridden(found.f1_score, found.labels)


class _Prediction:
    """:meth:`Steering.predictor`'s answer; an object rather than a closure so that a
    training's outcome, which keeps it, can be saved (``rk.save``)."""

    __slots__ = ("arn_keys", "every_label", "model", "steering", "uri")

    def __init__(self, steering: Steering, arn_keys: tuple[str | None, ...],
                 model: TrainedModel, uri: str | None, every_label: bool) -> None:
        self.steering = steering
        self.arn_keys = arn_keys
        self.model = model
        self.uri = uri
        self.every_label = every_label

    def __call__(
        self, digest: str, image_uri: str | None = None, data: bytes | None = None
    ) -> list[Detection]:
        model, state = self.model, self.steering
        # Without bytes (evaluation) a known image's picture is the one the model kept.
        picture = LazyFingerprint(data, model.pictures.fingerprint(digest))
        where = image_uri or self.uri
        if (data is not None and not state._known(self.arn_keys, model, digest, where)
                and picture.get() is None):
            raise InvalidImageFormatException()
        if state.detections:
            found = state._scripted(self.arn_keys, digest, where, picture)
            if found is not None:
                return found
        known = model.identify(digest, picture)
        if known not in model.by_digest and _log.isEnabledFor(logging.INFO):
            _log.info("%s never saw this image (%s) and has no answer scripted for it: "
                      "no label above its thresholds", self.arn_keys[0],
                      where or f"bytes with SHA-256 {digest[:16]}...")
        return model.ground_truth(known, every_label=self.every_label)


steering_backends = BackendDict(Steering, "rekognition", use_boto3_regions=False,
                                additional_regions=["aws"])


def steering() -> Steering:
    """The process's steering state."""
    steering: Steering = region_backend(steering_backends, DEFAULT_ACCOUNT_ID, "aws")
    return steering
