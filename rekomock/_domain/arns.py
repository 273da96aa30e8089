"""Custom Labels ARNs, in exactly the layout of AWS's examples
[EX:DescribeProjects; EX:DescribeProjectVersions].

AWS programs recover names by splitting ARNs on ``/`` [PY:rm-start; PY:tm-delete-model], so
the layout is part of the contract: ``project/{name}/{ms}``,
``project/{name}/version/{version}/{ms}`` and ``project/{name}/dataset/{train|test}/{ms}``.

Citation tags and coined words: docs/glossary.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from moto.utilities.utils import get_partition

from .clock import epoch_millis

_ARN = re.compile(
    r"^arn:(?P<partition>[a-z\d-]+):rekognition:(?P<region>[a-z\d-]+):(?P<account>\d{12}):"
    r"project/(?P<project>[a-zA-Z0-9_.\-]{1,255})/"
    r"(?:(?P<ts>[0-9]+)|version/(?P<version>[a-zA-Z0-9_.\-]{1,255})/(?P<vts>[0-9]+)"
    r"|dataset/(?P<dtype>train|test)/(?P<dts>[0-9]+))$"
)


@dataclass(frozen=True, slots=True)
class ParsedArn:
    partition: str
    region: str
    account: str
    project: str
    kind: str  # "project", "version" or "dataset"
    name: str | None  # version name or dataset type (TRAIN/TEST)


def parse(arn: str) -> ParsedArn | None:
    """Split a Custom Labels ARN; None when it is not one."""
    m = _ARN.match(arn)
    if m is None:
        return None
    if m["ts"] is not None:
        return ParsedArn(m["partition"], m["region"], m["account"], m["project"], "project", None)
    if m["version"] is not None:
        kind, name = "version", m["version"]
    else:
        kind, name = "dataset", m["dtype"].upper()
    return ParsedArn(m["partition"], m["region"], m["account"], m["project"], kind, name)


def _prefix(account: str, region: str) -> str:
    return f"arn:{get_partition(region)}:rekognition:{region}:{account}"


def project_arn(account: str, region: str, name: str, created: datetime) -> str:
    return f"{_prefix(account, region)}:project/{name}/{epoch_millis(created)}"


def version_arn(account: str, region: str, project: str, version: str, created: datetime) -> str:
    return f"{_prefix(account, region)}:project/{project}/version/{version}/{epoch_millis(created)}"


def dataset_arn(
    account: str, region: str, project: str, dataset_type: str, created: datetime
) -> str:
    kind = dataset_type.lower()
    return f"{_prefix(account, region)}:project/{project}/dataset/{kind}/{epoch_millis(created)}"
