"""Reading and writing moto's S3 on behalf of the caller's account and region.

S3 backends are keyed by partition, not region, so the bucket's own region is checked here:
Rekognition only uses buckets of the region it is called in ("The region for the S3 bucket
containing the S3 object must match the region you use for Amazon Rekognition operations",
API reference, S3Object), and a bucket elsewhere is treated as a missing one. moto's S3
errors never reach the caller: a missing bucket, key or version becomes ``None`` (or
``False`` on write) and the calling rule answers with the documented Rekognition error or
status.

Another account's bucket is used as its bucket policy allows: "For Amazon Rekognition to
process an S3 object, the user must have permission to access the S3 object" (API reference,
S3Object), and an OutputConfig bucket "can be in any AWS account as long as the caller has
s3:PutObject permissions" (API reference, OutputConfig). The bucket's own account is always
allowed; see docs/decisions.md, *S3 access*.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from moto.utilities.utils import get_partition

from .._domain import policies
from .._domain.backend_dicts import region_backend

GET_OBJECT = "s3:GetObject"
PUT_OBJECT = "s3:PutObject"


#: moto's partition of a region (a pure function, looked up on every S3 access).
_partition = functools.lru_cache(maxsize=64)(get_partition)


def _backend(account: str, region: str) -> Any:
    from moto.s3.models import s3_backends

    return region_backend(s3_backends, account, _partition(region))


def _bucket(account: str, region: str, bucket: str) -> Any:
    """moto's bucket when it exists in ``region``; raises otherwise."""
    found = _backend(account, region).get_bucket(bucket)
    if found.region_name != region:
        raise LookupError(f"bucket {bucket} is in {found.region_name}, not {region}")
    return found


def _found(account: str, region: str, bucket: str) -> Any | None:
    try:
        return _bucket(account, region, bucket)
    except Exception:
        return None


def _refuses(found: Any | None, account: str, region: str, bucket: str, key: str,
             action: str) -> bool:
    if found is None or found.account_id == account:
        return False
    resource = f"arn:{_partition(region)}:s3:::{bucket}/{key}"
    statements = policies.bucket_statements(found.policy)
    return policies.evaluate(statements, action, account, None, resource) is not True


def refused(account: str, region: str, bucket: str, key: str, action: str) -> bool:
    """Whether ``account`` may not do ``action`` on the object: the bucket belongs to another
    account whose bucket policy does not allow it (a missing bucket is not a refusal)."""
    return _refuses(_found(account, region, bucket), account, region, bucket, key, action)


def get(
    account: str, region: str, bucket: str, key: str, version: str | None = None
) -> tuple[bytes | None, bool]:
    """What :func:`read` answers, and whether a bucket policy refused it (one lookup of the
    bucket for both)."""
    found = _found(account, region, bucket)
    if found is None:
        return None, False
    if _refuses(found, account, region, bucket, key, GET_OBJECT):
        return None, True
    try:
        obj = _backend(account, region).get_object(bucket, key, version_id=version)
    except Exception:  # AccessDenied, invalid version id ...
        return None, False
    if obj is None or not hasattr(obj, "value"):
        return None, False
    value: bytes = obj.value
    return value, False


def read(
    account: str, region: str, bucket: str, key: str, version: str | None = None
) -> bytes | None:
    """The object's bytes, or None when the bucket (in that region), key or version is not
    there, or the caller may not read it."""
    return get(account, region, bucket, key, version)[0]


def why_unreadable(
    account: str, region: str, bucket: str, key: str, version: str | None = None
) -> str:
    """Why :func:`read` found nothing there, in words for a test's author (the service
    itself answers one message for all of these)."""
    where = f"s3://{bucket}/{key}"
    if not bucket_exists(account, region, bucket):
        return f"{where}: bucket {bucket!r} does not exist in account {account}"
    if refused(account, region, bucket, key, GET_OBJECT):
        return (f"{where}: the bucket's policy does not allow {GET_OBJECT} "
                f"to account {account}")
    if version is not None and read(account, region, bucket, key) is not None:
        return f"{where}: the object has no version {version!r}"
    return f"{where}: no object {key!r} in bucket {bucket!r}"


def bucket_exists(account: str, region: str, bucket: str) -> bool:
    try:
        _bucket(account, region, bucket)
    except Exception:
        return False
    return True


def write(
    account: str, region: str, bucket: str, key: str, body: bytes, kms_key_id: str | None = None
) -> bool:
    """Put an object (S3 event notifications fire as for any PUT); False if it can't or the
    caller may not. What the put replaces (the object, or in a bucket whose versioning is not
    enabled every version moto drops with it) is released."""
    found = _found(account, region, bucket)
    if found is None or _refuses(found, account, region, bucket, key, PUT_OBJECT):
        return False
    backend = _backend(account, region)
    try:
        before = list(found.keys.getlist(key, []))
        if kms_key_id:
            backend.put_object(bucket, key, body, encryption="aws:kms", kms_key_id=kms_key_id)
        else:
            backend.put_object(bucket, key, body)
    except Exception:
        return False
    kept = found.keys.getlist(key, [])
    release([old for old in before if not any(old is k for k in kept)])
    return True


def release(objects: Iterable[Any]) -> None:
    """Free moto S3 objects no bucket holds any more, as moto's reset frees all of them:
    close each key's buffer and drop the key, its ACL and that ACL's grants and grantees
    from moto's instance tracker (grantees moto shares between objects stay)."""
    from moto.core.common_models import BaseModel

    shared = _shared()
    for obj in objects:
        dispose = getattr(obj, "dispose", None)
        if dispose is not None:
            dispose()
        acl = getattr(obj, "acl", None)
        grants = list(getattr(acl, "grants", None) or [])
        owned = [obj, acl, *grants, *(g for grant in grants for g in grant.grantees)]
        for model in owned:
            if isinstance(model, BaseModel) and id(model) not in shared:
                _untrack(model)


@functools.cache
def _shared() -> frozenset[int]:
    """The models moto's S3 module holds for every object (its shared grantees)."""
    from moto.core.common_models import BaseModel
    from moto.s3 import models

    return frozenset(id(v) for v in vars(models).values() if isinstance(v, BaseModel))


def _untrack(model: Any) -> None:
    """Take one object out of its class's tracker, by identity (``FakeGrantee`` defines
    ``==``); searched from the newest end, where the objects of the latest writes are."""
    tracked: list[Any] = type(model).instances_tracked
    for i in range(len(tracked) - 1, -1, -1):
        if tracked[i] is model:
            del tracked[i]
            return


def parse_s3_uri(uri: str) -> tuple[str, str] | None:
    """``s3://bucket/key`` -> (bucket, key)."""
    if not uri.startswith("s3://"):
        return None
    bucket, _, key = uri[5:].partition("/")
    if not bucket or not key:
        return None
    return bucket, key


def output_key(prefix: str | None, name: str) -> str:
    """Join an OutputConfig prefix and a file name: no double or leading slash
    (docs/decisions.md, *Model versions*)."""
    prefix = (prefix or "").strip("/")
    return f"{prefix}/{name}" if prefix else name
