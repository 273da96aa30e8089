"""The thin responses layer: parse the JSON 1.1 request, call the backend, format the answer.

No business rules here. The body is parsed once and checked against the botocore model
(``validation``); results are plain dicts shaped as the operation's output and dumped once.

Citation tags and coined words: docs/glossary.md.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Callable
from time import perf_counter
from types import SimpleNamespace
from typing import Any

from moto import settings
from moto.core.common_types import TYPE_RESPONSE
from moto.core.responses import BaseResponse
from moto.core.utils import camelcase_to_underscores

from .._domain import clock
from .._domain.backend_dicts import account_backends
from .._domain.capacity import outcome_of
from .._domain.exceptions import (
    REQUEST_ID_HEADER,
    RegionNotServed,
    RekognitionError,
    SerializationException,
    new_request_id,
)
from .._domain.faults import Call
from .._domain.operations import OPERATIONS
from .._service import inference
from .._service.backend import RekognitionCustomBackend, rekognition_custom_backends
from .._service.steering import steering
from . import authorization
from .bodies import MAX_BODY_BYTES, RequestEntityTooLargeException, gunzip, read_at_most
from .validation import validate_request

#: One DEBUG record per answered call (docs/how-to/logging.md); never the request body.
_log = logging.getLogger(__name__)
#: ``json.dumps(..., separators=(",", ":"))`` without building an encoder on every call.
_compact = json.JSONEncoder(separators=(",", ":")).encode
_HEADERS = {"Content-Type": "application/x-amz-json-1.1", "server": "amazon.com"}


def _listing(key: str, items: list[Any], token: str | None) -> dict[str, Any]:
    """A page of a list operation: NextToken only when there is a next page
    [PY:md-listing-dataset-entries-sdk]."""
    out: dict[str, Any] = {key: items}
    if token:
        out["NextToken"] = token
    return out


#: The key part of moto's access-key pattern (what follows its ``AWS.*``).
_KEY_LIKE = re.compile(BaseResponse.access_key_regex.pattern.split(".*", 1)[1])
#: What moto answers for a request that names no access key.
_NO_KEY = BaseResponse.get_access_key(
    SimpleNamespace(headers={}, querystring={}))  # type: ignore[arg-type]


@functools.lru_cache(maxsize=256)
def _access_key_in(scope: str) -> str | None:
    """moto's access-key pattern applied to an Authorization header's credential scope (what
    precedes its first comma): the same key as over the whole header, whose signature and
    signed headers are lower case, at a fraction of the cost, and remembered (a client signs
    every call of a day in one region with one scope)."""
    match = BaseResponse.access_key_regex.search(scope)
    return match.group(1) if match else None


def _log_call(operation: str, account_id: str, region: str, status: int, error: str | None,
              request_id: str, duration_ms: float) -> None:
    """The DEBUG record of one answered call: what was asked and answered, never the body
    (images, credentials); the same fields as attributes of the record, for filters."""
    _log.debug(
        "%s account=%s region=%s status=%d%s request_id=%s %.2f ms",
        operation, account_id, region, status, f" error={error}" if error else "", request_id,
        duration_ms,
        extra={"operation": operation, "account_id": account_id, "region": region,
               "status": status, "error": error, "request_id": request_id,
               "duration_ms": duration_ms},
    )


class RekognitionCustomResponse(BaseResponse):
    """Handler of the Custom Labels operations (routed here by ``routing``)."""

    def __init__(self) -> None:
        super().__init__(service_name="rekognition")
        self.querystring: dict[str, Any] = {}

    # -------------------------------------------------------------- plumbing

    @classmethod
    def handle(cls, action: str, request: Any, full_url: str, headers: Any) -> TYPE_RESPONSE:
        """Answer one call: an injected error, or the operation's result or error. Every
        answer carries a request id, is added to the record of calls and to the operation's
        CloudWatch figures and, at DEBUG, logged."""
        began = perf_counter()
        self = cls()
        self.headers = request.headers
        self.region = self.get_region_from_url(request, full_url)
        self.current_account = self.get_current_account()
        state = steering()
        params: Any = {}
        try:
            raw = self._raw_body(request)
            gate = authorization.authenticate(self.current_account, request, full_url, raw)
            params = self._parse(self._inflate(raw, headers))
            injected = state.take_injected_error(action, params, self.current_account,
                                                 self.region)
            if injected is not None:
                raise injected
            request_params = validate_request(action, params)
            if gate is not None:
                gate.authorize(action, request_params)
            result = _ACTIONS[action](self, request_params)
        except RekognitionError as err:
            answer = err.to_response()
            error: str | None = err.code
        else:
            answer = 200, {**_HEADERS, REQUEST_ID_HEADER: new_request_id()}, _compact(result)
            error = None
        request_id = answer[1][REQUEST_ID_HEADER]
        state.calls.append(Call(action, params if isinstance(params, dict) else {}, error,
                                answer[0], self.current_account, self.region, request_id))
        elapsed_ms = (perf_counter() - began) * 1000.0
        state.operation_stats.record((self.current_account, self.region, action),
                                     clock.now().timestamp(), outcome_of(error, answer[0]),
                                     elapsed_ms)
        if _log.isEnabledFor(logging.DEBUG):
            _log_call(action, self.current_account, self.region, answer[0], error, request_id,
                      elapsed_ms)
        return answer

    def get_region_from_url(self, request: Any, full_url: str) -> str:
        """moto's answer: the endpoint's region wins; the User-Agent and credential scope it
        would also read are looked at only when the URL names none."""
        match = self.region_regex.search(full_url)
        if match:
            return match.group(1)
        return super().get_region_from_url(request, full_url)

    def get_access_key(self) -> str:
        """moto's answer, its pattern applied to the credential scope alone where the rest of
        the header holds nothing it could match (see :func:`_access_key_in`)."""
        authorization = self.headers.get("Authorization")
        if authorization is not None:
            scope, _, rest = authorization.partition(",")
            if not _KEY_LIKE.search(rest):
                key = _access_key_in(scope)
                if key is not None:
                    return key
                # moto's fallbacks, without scanning the header again.
                if self.querystring.get("AWSAccessKeyId"):
                    return str(self.querystring["AWSAccessKeyId"][0])
                return _NO_KEY
        return super().get_access_key()

    @classmethod
    def _read_body(cls, request: Any, headers: Any) -> bytes | str:
        return cls._inflate(cls._raw_body(request), headers)

    @staticmethod
    def _raw_body(request: Any) -> bytes:
        """The body as it came (what the client signed), refused beyond
        :data:`MAX_BODY_BYTES` before it is read when its length is declared."""
        body = getattr(request, "body", None)
        if body is None:
            length = getattr(request, "content_length", None)
            if length is not None and length > MAX_BODY_BYTES:
                raise RequestEntityTooLargeException()
            stream = getattr(request, "stream", None) if length is None else None
            if stream is not None:  # no length declared (chunked): read at most the cap
                body = read_at_most(stream, MAX_BODY_BYTES + 1)
            else:
                getter = getattr(request, "get_data", None)
                body = getter() if getter is not None else getattr(request, "data", b"")
        reader = getattr(body, "read", None)
        if reader is not None:
            body = read_at_most(body, MAX_BODY_BYTES + 1)
        if isinstance(body, str):
            body = body.encode()
        if body and len(body) > MAX_BODY_BYTES:
            raise RequestEntityTooLargeException()
        return body or b""

    @staticmethod
    def _inflate(body: bytes, headers: Any) -> bytes:
        # Some moto releases hand the body over already inflated, header unchanged.
        if body[:2] == b"\x1f\x8b" and headers.get("Content-Encoding", "") == "gzip":
            return gunzip(body, MAX_BODY_BYTES)
        return body

    @staticmethod
    def _parse(body: bytes | str) -> Any:
        if not body:
            return {}
        try:
            return json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError) as err:
            # RecursionError: nested deeper than Python's parser goes (about 1,000 levels).
            raise SerializationException("Request body is not valid JSON.") from err

    @property
    def backend(self) -> RekognitionCustomBackend:
        account = account_backends(rekognition_custom_backends, self.current_account)
        found: RekognitionCustomBackend | None = dict.get(account, self.region)
        if found is not None:
            return found
        if self.region not in account and not settings.allow_unknown_region():
            raise RegionNotServed(
                f"Amazon Rekognition Custom Labels is not available in region '{self.region}'."
            )
        made: RekognitionCustomBackend = account[self.region]
        return made

    # -------------------------------------------------------------- projects

    def create_project(self, p: dict[str, Any]) -> dict[str, Any]:
        project = self.backend.create_project(
            name=p["ProjectName"],
            feature=p.get("Feature"),
            auto_update=p.get("AutoUpdate"),
            tags=p.get("Tags"),
        )
        return {"ProjectArn": project.arn}

    def describe_projects(self, p: dict[str, Any]) -> dict[str, Any]:
        projects, token = self.backend.describe_projects(
            names=p.get("ProjectNames"),
            features=p.get("Features"),
            token=p.get("NextToken"),
            max_results=p.get("MaxResults"),
        )
        return _listing("ProjectDescriptions", [pr.describe() for pr in projects], token)

    def delete_project(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"Status": self.backend.delete_project(arn=p["ProjectArn"])}

    # -------------------------------------------------------------- datasets

    def create_dataset(self, p: dict[str, Any]) -> dict[str, Any]:
        dataset = self.backend.create_dataset(
            project_arn=p["ProjectArn"],
            dataset_type=p["DatasetType"],
            source=p.get("DatasetSource"),
            tags=p.get("Tags"),
        )
        return {"DatasetArn": dataset.arn}

    def describe_dataset(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"DatasetDescription": self.backend.describe_dataset(arn=p["DatasetArn"]).describe()}

    def delete_dataset(self, p: dict[str, Any]) -> dict[str, Any]:
        self.backend.delete_dataset(arn=p["DatasetArn"])
        return {}

    def list_dataset_entries(self, p: dict[str, Any]) -> dict[str, Any]:
        lines, token = self.backend.list_dataset_entries(
            arn=p["DatasetArn"],
            contains=p.get("ContainsLabels"),
            labeled=p.get("Labeled"),
            source_ref_contains=p.get("SourceRefContains"),
            has_errors=p.get("HasErrors"),
            token=p.get("NextToken"),
            max_results=p.get("MaxResults"),
        )
        return _listing("DatasetEntries", lines, token)

    def list_dataset_labels(self, p: dict[str, Any]) -> dict[str, Any]:
        labels, token = self.backend.list_dataset_labels(
            arn=p["DatasetArn"],
            token=p.get("NextToken"),
            max_results=p.get("MaxResults"),
        )
        return _listing("DatasetLabelDescriptions", labels, token)

    def update_dataset_entries(self, p: dict[str, Any]) -> dict[str, Any]:
        self.backend.update_dataset_entries(
            arn=p["DatasetArn"],
            ground_truth=p["Changes"]["GroundTruth"],
        )
        return {}

    def distribute_dataset_entries(self, p: dict[str, Any]) -> dict[str, Any]:
        self.backend.distribute_dataset_entries(
            dataset_arns=[d["Arn"] for d in p["Datasets"]],
        )
        return {}

    # -------------------------------------------------------------- versions

    def create_project_version(self, p: dict[str, Any]) -> dict[str, Any]:
        version = self.backend.create_project_version(
            project_arn=p["ProjectArn"],
            name=p["VersionName"],
            output_config=p["OutputConfig"],
            training_data=p.get("TrainingData"),
            testing_data=p.get("TestingData"),
            tags=p.get("Tags"),
            kms_key_id=p.get("KmsKeyId"),
            description=p.get("VersionDescription"),
            feature_config=p.get("FeatureConfig"),
        )
        return {"ProjectVersionArn": version.arn}

    def describe_project_versions(self, p: dict[str, Any]) -> dict[str, Any]:
        versions, token = self.backend.describe_project_versions(
            project_arn=p["ProjectArn"],
            names=p.get("VersionNames"),
            token=p.get("NextToken"),
            max_results=p.get("MaxResults"),
        )
        return _listing("ProjectVersionDescriptions", [v.describe() for v in versions], token)

    def copy_project_version(self, p: dict[str, Any]) -> dict[str, Any]:
        version = self.backend.copy_project_version(
            caller_access_key=self.get_access_key(),
            source_project_arn=p["SourceProjectArn"],
            source_version_arn=p["SourceProjectVersionArn"],
            destination_project_arn=p["DestinationProjectArn"],
            name=p["VersionName"],
            output_config=p["OutputConfig"],
            tags=p.get("Tags"),
            kms_key_id=p.get("KmsKeyId"),
        )
        return {"ProjectVersionArn": version.arn}

    # -------------------------------------------------------------- policies

    def put_project_policy(self, p: dict[str, Any]) -> dict[str, Any]:
        revision = self.backend.put_project_policy(
            project_arn=p["ProjectArn"],
            name=p["PolicyName"],
            document=p["PolicyDocument"],
            revision_id=p.get("PolicyRevisionId"),
        )
        return {"PolicyRevisionId": revision}

    def list_project_policies(self, p: dict[str, Any]) -> dict[str, Any]:
        found, token = self.backend.list_project_policies(
            project_arn=p["ProjectArn"],
            token=p.get("NextToken"),
            max_results=p.get("MaxResults"),
        )
        return _listing("ProjectPolicies", found, token)

    def delete_project_policy(self, p: dict[str, Any]) -> dict[str, Any]:
        self.backend.delete_project_policy(
            project_arn=p["ProjectArn"],
            name=p["PolicyName"],
            revision_id=p.get("PolicyRevisionId"),
        )
        return {}

    def start_project_version(self, p: dict[str, Any]) -> dict[str, Any]:
        status = self.backend.start_project_version(
            arn=p["ProjectVersionArn"],
            min_units=p["MinInferenceUnits"],
            max_units=p.get("MaxInferenceUnits"),
        )
        return {"Status": status}

    def stop_project_version(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"Status": self.backend.stop_project_version(arn=p["ProjectVersionArn"])}

    def delete_project_version(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"Status": self.backend.delete_project_version(arn=p["ProjectVersionArn"])}

    # ------------------------------------------------------------- inference

    def detect_custom_labels(self, p: dict[str, Any]) -> dict[str, Any]:
        labels = self.backend.detect_custom_labels(
            arn=p["ProjectVersionArn"],
            image=p["Image"],
            min_confidence=p.get("MinConfidence"),
            max_results=p.get("MaxResults"),
        )
        return {"CustomLabels": [label.to_api() for label in labels]}

    def detect_moderation_labels(self, p: dict[str, Any]) -> dict[str, Any]:
        labels, adapter = self.backend.detect_moderation_labels(
            arn=p.get("ProjectVersion"),
            image=p["Image"],
            min_confidence=p.get("MinConfidence"),
        )
        out: dict[str, Any] = {
            "ModerationLabels": labels,
            "ModerationModelVersion": inference.MODERATION_MODEL_VERSION,
        }
        if adapter is not None:
            out["ProjectVersion"] = adapter
        return out

    # ------------------------------------------------------------------ tags

    def tag_resource(self, p: dict[str, Any]) -> dict[str, Any]:
        self.backend.tag_resource(arn=p["ResourceArn"], tags=p["Tags"])
        return {}

    def untag_resource(self, p: dict[str, Any]) -> dict[str, Any]:
        self.backend.untag_resource(arn=p["ResourceArn"], keys=p["TagKeys"])
        return {}

    def list_tags_for_resource(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"Tags": self.backend.list_tags_for_resource(arn=p["ResourceArn"])}


#: Each operation's handler: the method named after it (CreateProject -> create_project).
_ACTIONS: dict[str, Callable[[RekognitionCustomResponse, dict[str, Any]], dict[str, Any]]] = {
    operation: getattr(RekognitionCustomResponse, camelcase_to_underscores(operation))
    for operation in OPERATIONS
}
