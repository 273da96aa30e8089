"""moto's IAM enforcement, honoured by rekomock's operations.

With moto's ``set_initial_no_auth_action_count(n)`` (``INITIAL_NO_AUTH_ACTION_COUNT`` for a
server), every request after the first ``n`` is authenticated and authorised: the access
key must be known and the SigV4 signature match its secret key, and the caller's IAM
policies must allow the action on the resource. rekomock counts its requests with moto's
counter and checks them with moto's own IAM machinery, for the action
``rekognition:<Operation>`` on the ARNs the request names (the resource types of the Service
Authorization Reference page "Actions, resources, and condition keys for Amazon
Rekognition"), and answers the JSON errors of AWS's front door.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from moto import settings
from moto.core.authorization import ActionAuthenticatorMixin
from moto.iam.access_control import IAMRequest

from .._domain.exceptions import (
    AccessDeniedException,
    IncompleteSignatureException,
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
)
from .._domain.shapes import service_model

__all__ = ["Gate", "authenticate", "refuse_unsigned"]

#: Request members naming the resources an operation acts on, checked in this order.
_RESOURCE_MEMBERS = ("ProjectArn", "DestinationProjectArn", "SourceProjectVersionArn",
                     "ProjectVersionArn", "ProjectVersion", "DatasetArn", "ResourceArn")


class _IAMRequest(IAMRequest):
    """moto's IAM request check, answering as Rekognition's JSON protocol does."""

    _resource = "*"

    def check_action_permitted(self, resource: str) -> None:
        self._resource = resource
        super().check_action_permitted(resource)

    def _raise_signature_does_not_match(self) -> None:
        raise InvalidSignatureException()

    def _raise_invalid_access_key(self, _: str) -> None:
        raise UnrecognizedClientException()

    def _raise_access_denied(self) -> None:
        raise AccessDeniedException(
            f"User: {self._access_key.arn} is not authorized to perform: {self._action} "
            f"on resource: {self._resource}"
        )


def resources(params: dict[str, Any]) -> list[str]:
    """The ARNs a request names (``*`` when none: CreateProject, DescribeProjects)."""
    found = [params[m] for m in _RESOURCE_MEMBERS if isinstance(params.get(m), str)]
    found += [d["Arn"] for d in params.get("Datasets") or [] if isinstance(d, dict)
              and isinstance(d.get("Arn"), str)]
    return found or ["*"]


def actions(operation: str, params: dict[str, Any]) -> list[str]:
    """The IAM actions a request needs: its own, TagResource when it tags what it creates,
    ListDatasetEntries when it copies a dataset (the operations' API reference pages)."""
    needed = [operation]
    if params.get("Tags") and operation != "TagResource":
        needed.append("TagResource")
    if operation == "CreateDataset" and (params.get("DatasetSource") or {}).get("DatasetArn"):
        needed.append("ListDatasetEntries")
    return needed


class Gate:
    """One request's checks: authentication on creation, authorisation once the request's
    members are known (:meth:`authorize`)."""

    def __init__(self, account: str, request: Any, full_url: str, raw_body: bytes) -> None:
        self._account = account
        self._request = request
        url = urlsplit(full_url)
        self._path = (url.path or "/") + (f"?{url.query}" if url.query else "")
        self._body = raw_body
        # moto reads headers by their canonical names and signs Host as sent.
        self._headers = {"-".join(part.capitalize() for part in name.split("-")): value
                         for name, value in request.headers.items()}
        self._headers.setdefault("Host", url.netloc)
        self._check("rekognition:*", None, signature=True)

    def _check(self, action: str, resource: str | None, signature: bool = False) -> None:
        if not self._headers.get("Authorization"):
            raise MissingAuthenticationTokenException()
        try:
            check = _IAMRequest(account_id=self._account, method=self._request.method,
                                path=self._path, data={}, body=self._body, headers=self._headers,
                                action=action.partition(":")[2])
            if signature:
                check.check_signature()
        except (KeyError, IndexError, ValueError) as err:  # no credential scope or date
            raise IncompleteSignatureException() from err
        if resource is not None:
            check.check_action_permitted(resource)

    def authorize(self, operation: str, params: dict[str, Any]) -> None:
        for action in actions(operation, params):
            for resource in resources(params):
                self._check(f"rekognition:{action}", resource)


def authenticate(account: str, request: Any, full_url: str, raw_body: bytes) -> Gate | None:
    """The request's gate when moto enforces IAM now, else None (counted as moto counts)."""
    if ActionAuthenticatorMixin.request_count < settings.INITIAL_NO_AUTH_ACTION_COUNT:
        ActionAuthenticatorMixin.request_count += 1
        return None
    return Gate(account, request, full_url, raw_body)


_WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def refuse_unsigned(app: _WSGIApp) -> _WSGIApp:
    """A server's WSGI application that answers a Rekognition request without a signature
    as AWS does, whatever moto enforces: ``MissingAuthenticationTokenException``, HTTP 403
    (docs/decisions.md, *Error codes*).

    moto's server routes an unsigned request by its body and path, never by a
    ``RekognitionService.*`` target, so it would otherwise land in S3's ListBuckets.
    """
    prefix = f"{service_model().metadata['targetPrefix']}."

    def application(environ: dict[str, Any], start_response: Callable[..., Any]
                    ) -> Iterable[bytes]:
        target = str(environ.get("HTTP_X_AMZ_TARGET") or "")
        if not target.startswith(prefix) or environ.get("HTTP_AUTHORIZATION"):
            return app(environ, start_response)
        _discard_body(environ)
        status, headers, body = MissingAuthenticationTokenException().to_response()
        headers.pop("status", None)
        data = body.encode()
        start_response(f"{status} {HTTPStatus(status).phrase}",
                       [*headers.items(), ("Content-Length", str(len(data)))])
        return [data]

    return application


def _discard_body(environ: dict[str, Any]) -> None:
    """Read the unanswered body, so the client is not cut off while it still sends."""
    try:
        left = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return
    stream = environ["wsgi.input"]
    while left > 0:
        chunk = stream.read(min(left, 65536))
        if not chunk:
            return
        left -= len(chunk)
