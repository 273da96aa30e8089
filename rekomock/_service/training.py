"""Training a version: read the manifests from S3, validate them as the service does, learn
the ground truth, evaluate it, and write the documented outputs
[CL:training-model; CL:tm-debugging-summary; CL:im-summary-file].

The outcome (completed or failed, and why) is decided when training starts; the state
manager only decides when it becomes visible. The S3 outputs are written when the end state
is first observed (:func:`finish`), so their timestamps agree with TrainingEndTimestamp.

Citation tags and coined words: docs/glossary.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._domain import clock
from .._domain.evaluation import evaluate
from .._domain.exceptions import InvalidParameterException
from .._domain.images import check_dimensions, sniff
from .._domain.manifest_codes import (
    FILE_ERRORS,
    IMAGES_PERMISSIONS,
    INACCESSIBLE,
    MANIFEST_PERMISSIONS,
    MESSAGES,
    error,
)
from .._domain.manifests import (
    ManifestFileError,
    ManifestLine,
    ParsedManifest,
    auto_split,
    content_errors,
    parse_manifest,
    truth_of,
)
from .._domain.outcome import TrainingOutcome
from .._domain.outputs import manifest_summary, training_files
from .._domain.projects import CONTENT_MODERATION
from .._domain.trained_model import TrainedModel, digest_of, fingerprint_of
from .._domain.versions import COPYING_FAILED, TRAINING_FAILED, ProjectVersion
from . import s3io

if TYPE_CHECKING:
    from .steering import Steering

OUTPUT_UNWRITABLE = "Unable to write to output S3 bucket."
SERVICE_ISSUE = "Amazon Rekognition experienced a service issue"
#: Failures that end a training before any output is written ("no validation results if
#: there are terminal manifest file errors"; an unusable output bucket takes nothing).
WRITES_NOTHING = frozenset({*(MESSAGES[code] for code in FILE_ERRORS), OUTPUT_UNWRITABLE})

# ------------------------------------------------------------------ requests


def _manifest_location(data: dict[str, Any] | None, member: str) -> dict[str, Any] | None:
    """The single asset's S3Object of TrainingData/TestingData (one each
    [CL:limits])."""
    if data is None:
        return None
    assets = data.get("Assets") or []
    if len(assets) > 1:
        raise InvalidParameterException(f"{member} can contain at most one asset.")
    if not assets:
        return None
    location = (assets[0].get("GroundTruthManifest") or {}).get("S3Object") or {}
    if not location.get("Bucket") or not location.get("Name"):
        raise InvalidParameterException(
            f"{member} needs a manifest S3Object with Bucket and Name."
        )
    return dict(location)


def check_request(
    project_feature: str,
    has_datasets: bool,
    training_data: dict[str, Any] | None,
    testing_data: dict[str, Any] | None,
    feature_config: dict[str, Any] | None,
) -> None:
    """The synchronous rules of CreateProjectVersion's inputs
    [M doc of CreateProjectVersion]."""
    if feature_config is not None and project_feature != CONTENT_MODERATION:
        raise InvalidParameterException(
            "FeatureConfig does not match the feature of the project."
        )
    _manifest_location(training_data, "TrainingData")
    _manifest_location(testing_data, "TestingData")
    auto = bool((testing_data or {}).get("AutoCreate"))
    if auto and (testing_data or {}).get("Assets"):
        raise InvalidParameterException("TestingData can't have Assets when AutoCreate is true.")
    if project_feature == CONTENT_MODERATION:
        if not (training_data or {}).get("Assets"):
            raise InvalidParameterException(
                "An adapter is trained from a manifest in TrainingData."
            )
        return
    if has_datasets:
        if training_data is not None or testing_data is not None:
            raise InvalidParameterException(
                "TrainingData and TestingData can't be given for a project that has datasets."
            )
        return
    if training_data is None or testing_data is None:
        raise InvalidParameterException(
            "Specify both TrainingData and TestingData, or create the project's datasets."
        )
    if not training_data.get("Assets"):
        raise InvalidParameterException("TrainingData needs a manifest.")
    if not auto and not testing_data.get("Assets"):
        raise InvalidParameterException("TestingData needs a manifest or AutoCreate.")


# ------------------------------------------------------------------ training


class _Reader:
    """Reads manifests and images for one training, remembering image digests."""

    def __init__(self, account: str, region: str, moderation: bool = False) -> None:
        self.account = account
        self.region = region
        self.moderation = moderation  # an adapter's manifests
        self.images: dict[tuple[str, str], bytes] = {}
        #: image buckets whose policy refused the caller s3:GetObject
        self.refused_buckets: set[str] = set()

    def manifest(self, location: dict[str, Any], member: str) -> ParsedManifest:
        """The parsed manifest; a ManifestFileError carrying the cause when it is unusable."""
        where = (self.account, self.region, location["Bucket"], location["Name"],
                 location.get("Version"))
        data, refusal = s3io.get(*where)
        if refusal:
            raise ManifestFileError(
                MANIFEST_PERMISSIONS,
                cause=f"{member} manifest {s3io.why_unreadable(*where)}",
            )
        if data is None:
            raise ManifestFileError(
                INACCESSIBLE, MESSAGES[INACCESSIBLE],
                cause=f"{member} manifest {s3io.why_unreadable(*where)}",
            )
        try:
            return parse_manifest(data, self.image_info, moderation=self.moderation)
        except ManifestFileError as err:
            uri = f"s3://{location['Bucket']}/{location['Name']}"
            detail = f"{err.code} ({err.cause})" if err.cause else err.code
            raise ManifestFileError(
                err.code, err.message, cause=f"{member} manifest {uri}: {detail}"
            ) from err

    def image_info(self, bucket: str, key: str) -> Any:
        data = self.images.get((bucket, key))
        if data is None:
            data, refusal = s3io.get(self.account, self.region, bucket, key)
            if refusal:
                self.refused_buckets.add(bucket)
            if data is None:
                return None
            self.images[(bucket, key)] = data
        info = sniff(data)
        if info is None or check_dimensions(info) is not None:
            return info  # the line's error comes from the header alone
        # A header over data that does not decode is an invalid image too; the picture is
        # kept for the model, which fingerprints every image it learns anyway.
        return info if fingerprint_of(digest_of(data), data) is not None else None


def _unwritable_output(account: str, region: str, output: dict[str, Any]) -> str | None:
    """Why the OutputConfig can't take the version's files, or None when it can."""
    bucket = output["S3Bucket"]
    if not s3io.bucket_exists(account, region, bucket):
        return f"OutputConfig bucket {bucket!r} does not exist in account {account}"
    # Every output file is written under the prefix: a policy must allow PutObject there.
    if s3io.refused(account, region, bucket, s3io.output_key(output.get("S3KeyPrefix"), ""),
                    s3io.PUT_OBJECT):
        return (f"OutputConfig bucket {bucket!r}: its bucket policy does not allow "
                f"{s3io.PUT_OBJECT} to account {account}")
    return None


def _bucket_key(entry: ManifestLine) -> tuple[str, str] | None:
    return s3io.parse_s3_uri(entry.source_ref or "")


def run(
    steering: Steering,
    account_id: str,
    region: str,
    version: ProjectVersion,
    training_data: dict[str, Any] | None,
    testing_data: dict[str, Any] | None,
    from_datasets: tuple[bytes, bytes] | None = None,
) -> TrainingOutcome:
    """Decide the outcome of a new version's training, from manifests in S3 or from the
    project's datasets (``from_datasets``: their TRAIN and TEST lines)."""
    outcome = TrainingOutcome(ok=False)
    if training_data is not None:
        outcome.training_input = training_data
    if testing_data is not None:
        outcome.testing_input = {"AutoCreate": False, **testing_data}
    elif version.feature == CONTENT_MODERATION:
        outcome.testing_input = {"AutoCreate": True}
    injected = steering.take_training_failure(version.project.arn, version.name)
    output = version.output_config
    unwritable = _unwritable_output(account_id, region, output)
    if unwritable is not None:
        outcome.message = OUTPUT_UNWRITABLE
        outcome.cause = unwritable
        return outcome
    reader = _Reader(account_id, region, moderation=version.feature == CONTENT_MODERATION)
    try:
        # Adapters (CONTENT_MODERATION) learn image-level moderation labels from
        # content-moderation-groundtruth manifests (docs/decisions.md, *Model versions*);
        # without TestingData their test set is split off the training manifest.
        if from_datasets is not None:
            # Dataset lines carry cl-metadata and errors; the parser ignores those fields.
            train = parse_manifest(from_datasets[0], reader.image_info)
            test: ParsedManifest | None = parse_manifest(from_datasets[1], reader.image_info)
        else:
            train_loc = _manifest_location(training_data, "TrainingData")
            test_loc = _manifest_location(testing_data, "TestingData")
            assert train_loc is not None
            train = reader.manifest(train_loc, "TrainingData")
            test = reader.manifest(test_loc, "TestingData") if test_loc is not None else None
    except ManifestFileError as err:
        outcome.message = err.message
        outcome.cause = err.cause or f"the project's datasets: {err.code}"
        return outcome
    outcome.train, outcome.test = train, test
    top, train_errors, test_errors = content_errors(train, test)
    if reader.refused_buckets:
        top = [error(IMAGES_PERMISSIONS), *top]
    train_used = train.usable()
    test_used = test.usable() if test is not None else []
    if test is None and not (top or train_errors):
        try:
            train_used, test_used = auto_split(train)
        except ManifestFileError as err:
            train_errors = [*train_errors, {"code": err.code, "message": err.message}]
    outcome.summary = manifest_summary(
        train, test, top, train_errors, test_errors,
        auto_test=test_used if test is None else None,
    )
    if test is None:  # AutoCreate: the split-off images are the testing results
        outcome.test = ParsedManifest.from_entries(test_used, train.use_case)
    failures = [*(("manifests", e) for e in top), *(("TrainingData", e) for e in train_errors),
                *(("TestingData", e) for e in test_errors)]
    if failures:
        which, first = failures[0]
        outcome.message = first["message"]
        outcome.cause = (f"{which}: {first['code']}; each line's errors are in the validation "
                         "manifests (TrainingDataResult/TestingDataResult.Validation)")
        return outcome
    if injected is not None:
        outcome.message = injected
        if injected in WRITES_NOTHING:  # imitate that failure: it happens before any output
            outcome.summary = None
        outcome.cause = "rk.fail_training() asked for this failure"
        return outcome
    outcome.train_used, outcome.test_used = train_used, test_used
    model = TrainedModel(use_case=train.use_case, labels=list(train.labels))
    for entry in [*train_used, *test_used]:
        where = _bucket_key(entry)
        data = reader.images.get(where) if where is not None else None
        if where is not None and data is None:
            data = s3io.read(account_id, region, *where)
        if where is not None and data is not None:
            model.remember(where[0], where[1], data, truth_of(entry))
    predict = steering.predictor(version.arn, model)
    test_set = []
    for entry in test_used:
        where = _bucket_key(entry)
        if where is not None and where in model.by_object:
            test_set.append((model.by_object[where], entry.source_ref, truth_of(entry)))
    evaluation = evaluate(test_set, model.labels, model.use_case, predict,
                          ceilings=model.lowest_confidences())
    evaluation = steering.take_evaluation(version.project.arn, version.name, evaluation)
    model.thresholds = {m.label: m.threshold for m in evaluation.labels}
    outcome.model = model
    outcome.predict = predict
    outcome.evaluation = evaluation
    outcome.ok = True
    return outcome


def copy_outcome(
    account_id: str, region: str, source: ProjectVersion, copy: ProjectVersion
) -> TrainingOutcome:
    """A copy carries the source's training results unchanged [CL:md-copy-model-sdk]: same model,
    same evaluation, written again to the destination's OutputConfig when it completes."""
    origin = source.outcome
    assert origin is not None and origin.ok
    unwritable = _unwritable_output(account_id, region, copy.output_config)
    if unwritable is not None:
        return TrainingOutcome(ok=False, message=OUTPUT_UNWRITABLE, cause=unwritable,
                               training_input=origin.training_input,
                               testing_input=origin.testing_input)
    return TrainingOutcome(
        ok=True, model=origin.model, evaluation=origin.evaluation, train=origin.train,
        test=origin.test, train_used=origin.train_used, test_used=origin.test_used,
        summary=origin.summary, predict=origin.predict, training_input=origin.training_input,
        testing_input=origin.testing_input,
    )


# ------------------------------------------------------------------- outputs


def finish(version: ProjectVersion) -> None:
    """Effects of a training reaching its end state: timestamps, billing, S3 outputs."""
    outcome = version.outcome
    phase = version.phase
    if outcome is None or version.training_end is not None:
        return
    end = phase.settled_at or clock.now()
    version.training_end = end
    project = version.project
    if not outcome.ok or phase.final in (TRAINING_FAILED, COPYING_FAILED):
        version.failure_message = outcome.message or SERVICE_ISSUE
        version.failure_cause = outcome.cause
    elif version.source_arn is None:  # a copy is not trained, nor billed for training
        version.billable_seconds = max(0, round((end - phase.started_at).total_seconds()))
    files = training_files(outcome, version.source_arn or version.arn, end)
    bucket = version.output_config["S3Bucket"]
    prefix = version.output_config.get("S3KeyPrefix")
    for kind, body in files.items():
        key = s3io.output_key(prefix, f"{kind}-{project.name}-{version.name}.json")
        if s3io.write(project.account, project.region, bucket, key, body, version.kms_key_id):
            outcome.refs[kind] = (bucket, key)
