"""The mock's steering state: what tests asked for beyond the real service's behaviour.

Quotas, injected failures and errors, scripted answers and evaluations, the record of calls.
It lives in a moto backend (one per process), so ``mock_aws`` resets and
``POST /moto-api/reset`` clear it together with the resources. The controller (``rk``) and
the HTTP control routes write it; the backend and the request handler read it.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Protocol

from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.models import DEFAULT_ACCOUNT_ID

from .._domain.exceptions import InvalidImageFormatException
from .._domain.faults import Calls, InjectedError
from .._domain.fingerprint import LazyFingerprint, PictureIndex
from .._domain.quotas import Quotas

if TYPE_CHECKING:
    from .._domain.evaluation import Evaluation
    from .._domain.exceptions import RekognitionError
    from .._domain.trained_model import Detection, TrainedModel

__all__ = ["QUEUES_LOCK", "Predictor", "Steering", "steering", "steering_backends"]

#: Guards every steering queue (failures, evaluations, injected errors) for all accounts and
#: regions: the queues are shared, so two accounts training at once on the threaded server
#: must not take the same queued setting. Module-level, so a reset's new Steering shares it.
QUEUES_LOCK = threading.RLock()


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
        #: (version name or None for "the next one", StatusMessage)
        self.training_failures: list[tuple[str | None, str]] = []
        self.start_failures: list[tuple[str | None, str]] = []
        #: (version ARN or None, image digest / s3 URI or None) -> scripted answer
        self.detections: dict[tuple[str | None, str | None], list[Detection]] = {}
        #: Digests of the images answers were scripted for by bytes, found by picture.
        self.scripted_pictures: PictureIndex[str] = PictureIndex()
        #: (version name or None, F1, per-label figures) for the next matching training
        self.evaluations: list[tuple[str | None, float, dict[str, dict[str, float]]]] = []
        #: AWS errors to answer instead of running matching calls, first rule first
        self.injected_errors: list[InjectedError] = []
        self.calls = Calls()

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

    @staticmethod
    def _take(queue: list[tuple[str | None, str]], version_name: str) -> str | None:
        with QUEUES_LOCK:
            for i, (name, message) in enumerate(queue):
                if name is None or name == version_name:
                    del queue[i]
                    return message
        return None

    def take_training_failure(self, version_name: str) -> str | None:
        """The injected failure of this training, if one was asked for (consumed)."""
        return self._take(self.training_failures, version_name)

    def take_start_failure(self, version_name: str) -> str | None:
        return self._take(self.start_failures, version_name)

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
                found = self.detections.get((arn_key, image_key)) if image_key else None
                if found is not None:
                    return list(found)
            if self.scripted_pictures:
                if same is None:
                    print_ = picture.get()
                    same = self.scripted_pictures.find(print_) if print_ is not None else []
                for other in same:
                    found = self.detections.get((arn_key, other))
                    if found is not None:
                        return list(found)
            found = self.detections.get((arn_key, None))
            if found is not None:
                return list(found)
        return None

    def clear_detections(self) -> None:
        """Forget every scripted answer."""
        self.detections.clear()
        self.scripted_pictures = PictureIndex()

    def take_evaluation(self, version_name: str, evaluation: Evaluation) -> Evaluation:
        """Apply the figures a test chose with ``rk.set_evaluation`` (consumed)."""
        with QUEUES_LOCK:
            found = next((i for i, (name, _, _) in enumerate(self.evaluations)
                          if name is None or name == version_name), None)
            if found is None:
                return evaluation
            _, f1, labels = self.evaluations.pop(found)
        return evaluation.overridden(f1, labels)


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
        return model.ground_truth(model.identify(digest, picture),
                                  every_label=self.every_label)


steering_backends = BackendDict(Steering, "rekognition", use_boto3_regions=False,
                                additional_regions=["aws"])


def steering() -> Steering:
    """The process's steering state."""
    return steering_backends[DEFAULT_ACCOUNT_ID]["aws"]
