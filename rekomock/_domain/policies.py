"""Resource policies: who may copy a project's model versions
[CL:md-create-project-policy-document; CL:md-attach-project-policy], and who may read or
write another account's S3 objects (bucket policies, docs/decisions.md *S3 access*).

Documents are checked as the service does (MalformedPolicyDocumentException) and evaluated
as IAM evaluates these simple resource policies: an explicit Deny wins, then an Allow that
matches principal, action and resource, else the implicit deny.

Citation tags and coined words: docs/glossary.md.
"""

from __future__ import annotations

import fnmatch
import json
import re
import uuid
from datetime import datetime
from typing import Any

from . import clock
from .exceptions import MalformedPolicyDocumentException

COPY_ACTION = "rekognition:CopyProjectVersion"
_FORBIDDEN = ("NotAction", "NotResource", "NotPrincipal")
_ACCOUNT_ARN = re.compile(r"^arn:[a-z\d-]+:iam::(\d{12}):root$")
_IAM_ARN = re.compile(r"^arn:[a-z\d-]+:iam::(\d{12}):(role|user)/(?:.*/)?([^/]+)$")
_ASSUMED = re.compile(r"^arn:[a-z\d-]+:sts::(\d{12}):assumed-role/([^/]+)/.+$")


class ProjectPolicy:
    __slots__ = ("created", "document", "name", "revision_id", "statements", "updated")

    def __init__(self, name: str, document: str) -> None:
        self.name = name
        self.created: datetime = clock.now()
        self.updated = self.created
        self.document = document
        self.statements = parse_document(document)
        self.revision_id = uuid.uuid4().hex

    def replace(self, document: str) -> None:
        self.statements = parse_document(document)
        self.document = document
        self.updated = clock.now()
        self.revision_id = uuid.uuid4().hex  # each change makes a new revision

    def describe(self, project_arn: str) -> dict[str, Any]:
        return {
            "ProjectArn": project_arn,
            "PolicyName": self.name,
            "PolicyRevisionId": self.revision_id,
            "PolicyDocument": self.document,
            "CreationTimestamp": clock.epoch(self.created),
            "LastUpdatedTimestamp": clock.epoch(self.updated),
        }


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def parse_document(document: str) -> list[dict[str, Any]]:
    """The statements of a valid document; MalformedPolicyDocumentException otherwise."""
    try:
        data = json.loads(document)
    except ValueError as err:
        raise MalformedPolicyDocumentException("The policy document is not valid JSON.") from err
    if not isinstance(data, dict) or "Statement" not in data:
        raise MalformedPolicyDocumentException("The policy document needs a Statement.")
    statements = _as_list(data["Statement"])
    if not statements:
        raise MalformedPolicyDocumentException("The policy document has no statement.")
    for st in statements:
        if not isinstance(st, dict):
            raise MalformedPolicyDocumentException("A statement must be an object.")
        for key in _FORBIDDEN:
            if key in st:
                raise MalformedPolicyDocumentException(f"{key} is not supported.")
        for key in ("Effect", "Principal", "Action", "Resource"):
            if key not in st:
                raise MalformedPolicyDocumentException(f"A statement needs {key}.")
        if st["Effect"] not in ("Allow", "Deny"):
            raise MalformedPolicyDocumentException("Effect must be Allow or Deny.")
        actions = _as_list(st["Action"])
        if not actions or not all(isinstance(a, str) and _matches(a, COPY_ACTION, True)
                                  for a in actions):
            raise MalformedPolicyDocumentException(
                f"The only supported action is {COPY_ACTION}."
            )
        if not all(isinstance(r, str) for r in _as_list(st["Resource"])):
            raise MalformedPolicyDocumentException("Resource must be a string or a list.")
        principal = st["Principal"]
        if principal != "*" and not (isinstance(principal, dict) and "AWS" in principal
                                     and all(isinstance(p, str)
                                             for p in _as_list(principal["AWS"]))):
            raise MalformedPolicyDocumentException('Principal must be "*" or {"AWS": ...}.')
    return statements


def _matches(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """IAM wildcard match: ``*`` any run of characters, ``?`` one character."""
    if ignore_case:
        pattern, value = pattern.lower(), value.lower()
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]"))


def _principal_matches(spec: Any, account: str, caller_arn: str | None) -> bool:
    if spec == "*":
        return True
    if not isinstance(spec, dict):
        return False
    for p in _as_list(spec.get("AWS", [])):  # Service/Federated principals never name a caller
        if not isinstance(p, str):
            continue
        if p == "*" or p == account:
            return True
        m = _ACCOUNT_ARN.match(p)
        if m and m.group(1) == account:
            return True
        m = _IAM_ARN.match(p)
        if m and m.group(1) == account and caller_arn:
            kind, name = m.group(2), m.group(3)
            assumed = _ASSUMED.match(caller_arn)
            if kind == "role" and assumed and assumed.group(1) == account \
                    and assumed.group(2) == name:
                return True
            if caller_arn == p:
                return True
    return False


def decide(
    policies: list[ProjectPolicy], account: str, caller_arn: str | None, resource: str
) -> bool | None:
    """True (allowed), False (explicitly denied) or None (no statement applies) for a copy."""
    statements = [st for policy in policies for st in policy.statements]
    return evaluate(statements, COPY_ACTION, account, caller_arn, resource)


def evaluate(
    statements: list[Any], action: str, account: str, caller_arn: str | None, resource: str
) -> bool | None:
    """True (allowed), False (explicitly denied) or None (no statement applies).

    Conditions are not evaluated: an Allow with a Condition grants nothing, a Deny with one
    still denies, so the mock never grants what the service might refuse (docs/decisions.md,
    *S3 access*). Statements using NotAction/NotResource/NotPrincipal are skipped.
    """
    allowed = False
    for st in statements:
        if not isinstance(st, dict) or any(key in st for key in _FORBIDDEN):
            continue
        if st.get("Effect") not in ("Allow", "Deny") or "Principal" not in st:
            continue
        if not _principal_matches(st["Principal"], account, caller_arn):
            continue
        if not any(isinstance(a, str) and _matches(a, action, True)
                   for a in _as_list(st.get("Action", []))):
            continue
        if not any(isinstance(r, str) and _matches(r, resource)
                   for r in _as_list(st.get("Resource", []))):
            continue
        if st["Effect"] == "Deny":
            return False
        if "Condition" not in st:
            allowed = True
    return True if allowed else None


def bucket_statements(document: bytes | str | None) -> list[Any]:
    """The statements of a bucket policy as S3 stored it (none when absent or unreadable)."""
    if not document:
        return []
    try:
        data = json.loads(document)
    except ValueError:
        return []
    return _as_list(data.get("Statement", [])) if isinstance(data, dict) else []


def caller_arn(account: str, access_key: str, region: str) -> str | None:
    """The IAM identity behind an access key, as moto's STS knows it."""
    try:
        from moto.sts.models import sts_backends
        from moto.utilities.utils import get_partition

        _, arn, _ = sts_backends[account][get_partition(region)].get_caller_identity(
            access_key, region
        )
    except Exception:  # unknown keys: the account is all we know
        return None
    return str(arn)
