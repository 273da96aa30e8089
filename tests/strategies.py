"""Hypothesis strategies derived from the botocore input shapes.

``request(operation)`` draws a body for an operation: mostly values that fit the model,
sometimes values that break one constraint (a missing required member, a string too long
or too short, a pattern or enum violation, a number out of range, a list too long), always
of the right JSON type so boto3 (with ``parameter_validation=False``) can send it.
``raw_json()`` draws arbitrary JSON for the wire-level checks.
"""

from __future__ import annotations

import re
from typing import Any

import botocore.session
from hypothesis import strategies as st

MODEL = botocore.session.get_session().get_service_model("rekognition")

_PY_UNFRIENDLY = re.compile(r"\\p\{")


def _string(shape: Any, known: list[str]) -> st.SearchStrategy[str]:
    meta = shape.metadata
    low, high = meta.get("min", 0), min(meta.get("max", 40), 300)
    if shape.enum:
        valid: st.SearchStrategy[str] = st.sampled_from(shape.enum)
    elif "pattern" in meta and not _PY_UNFRIENDLY.search(meta["pattern"]):
        pattern = meta["pattern"]
        valid = st.from_regex(pattern, fullmatch=True).filter(lambda s: low <= len(s) <= high)
    else:
        valid = st.text(alphabet=st.characters(categories=["L", "N"]), min_size=max(low, 1),
                        max_size=max(min(high, 30), max(low, 1)))
    candidates = [valid]
    if known:
        candidates.append(st.sampled_from(known))
    broken = [st.text(min_size=0, max_size=3), st.just("x" * (meta.get("max", 40) + 1)),
              st.text(alphabet=" #%^&*", min_size=1, max_size=5)]
    return st.one_of(*candidates, st.one_of(*broken))


def _number(shape: Any, integral: bool) -> st.SearchStrategy[Any]:
    meta = shape.metadata
    low, high = meta.get("min"), meta.get("max")
    if integral:
        valid: st.SearchStrategy[Any] = st.integers(
            min_value=low if low is not None else -5, max_value=high if high is not None else 50)
        broken: st.SearchStrategy[Any] = st.integers(min_value=-10**6, max_value=10**6)
    else:
        valid = st.floats(min_value=low if low is not None else 0.0,
                          max_value=high if high is not None else 100.0, allow_nan=False)
        broken = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
    return st.one_of(valid, valid, broken)


def from_shape(shape: Any, known: dict[str, list[str]], depth: int = 0) -> st.SearchStrategy[Any]:
    t = shape.type_name
    if t == "structure":
        required = list(shape.required_members)
        members = {name: from_shape(sub, known, depth + 1) for name, sub in shape.members.items()
                   if name not in ("HumanLoopConfig",)}

        @st.composite
        def build(draw: Any) -> dict[str, Any]:
            out: dict[str, Any] = {}
            drop_required = draw(st.integers(0, 9)) == 0  # now and then, a missing member
            for name, strategy in members.items():
                if name in required and not drop_required:
                    out[name] = draw(strategy)
                elif draw(st.booleans()):
                    out[name] = draw(strategy)
            return out

        return build()
    if t == "list":
        meta = shape.metadata
        low, high = meta.get("min", 0), meta.get("max", 3)
        return st.lists(from_shape(shape.member, known, depth + 1), min_size=0,
                        max_size=min(high + 1, 4 if depth else high + 1)).filter(
            lambda xs: len(xs) >= low or len(xs) == 0)
    if t == "map":
        return st.dictionaries(_string(shape.key, []), _string(shape.value, []), max_size=3)
    if t == "string":
        return _string(shape, known.get(shape.name, []))
    if t in ("integer", "long"):
        return _number(shape, integral=True)
    if t in ("float", "double"):
        return _number(shape, integral=False)
    if t == "boolean":
        return st.booleans()
    if t == "blob":
        return st.binary(min_size=0, max_size=64)
    raise AssertionError(f"unexpected shape type {t}")


def request(operation: str, known: dict[str, list[str]]) -> st.SearchStrategy[dict[str, Any]]:
    """Bodies for ``operation``; ``known`` maps shape names (ProjectArn, ...) to live values."""
    shape = MODEL.operation_model(operation).input_shape
    return from_shape(shape, known)  # type: ignore[no-any-return]


def raw_json() -> st.SearchStrategy[Any]:
    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                        st.text(max_size=20))
    return st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=15), inner, max_size=4)),
        max_leaves=12)


def deeply_nested() -> st.SearchStrategy[bytes]:
    """JSON nested around Python's recursion limit and far beyond (closed or not, bare or as
    a member's value): the parser must refuse it as a bad body, never crash."""
    openers = st.sampled_from([(b"[", b"]"), (b'{"a":', b"}"), (b'[{"b":', b"}]")])
    depths = st.one_of(st.integers(400, 3_000), st.sampled_from([1_000, 100_000]))

    @st.composite
    def build(draw: Any) -> bytes:
        (opener, closer), depth = draw(openers), draw(depths)
        body = opener * depth + (closer * depth if draw(st.booleans()) else b"")
        if draw(st.booleans()):
            body = b'{"ProjectName": "p", "MaxResults": ' + body + b"}"
        return body

    return build()


def allowed_errors(operation: str) -> set[str]:
    """The codes an operation may answer: its model errors plus the protocol's own."""
    op = MODEL.operation_model(operation)
    return {e.name for e in op.error_shapes} | {"ValidationException", "SerializationException"}


FUZZ_BUCKET = "fuzz-bucket"


def populate(s3: Any, client: Any) -> dict[str, list[str]]:
    """Put a little of everything in the mock (a running version, a dataset, ...) and
    return the live names the request strategies draw from."""
    from rekomock.testing import dataset_source, manifest_asset, put_classification_dataset

    s3.create_bucket(Bucket=FUZZ_BUCKET)
    key, images = put_classification_dataset(s3, FUZZ_BUCKET, {"a": 3, "b": 3})
    project = client.create_project(ProjectName="world")["ProjectArn"]
    asset = manifest_asset(FUZZ_BUCKET, key)
    version = client.create_project_version(
        ProjectArn=project, VersionName="v1", OutputConfig={"S3Bucket": FUZZ_BUCKET},
        TrainingData=asset, TestingData=asset)["ProjectVersionArn"]
    client.start_project_version(ProjectVersionArn=version, MinInferenceUnits=1)
    other = client.create_project(ProjectName="with-data")["ProjectArn"]
    dataset = client.create_dataset(ProjectArn=other, DatasetType="TRAIN",
                                    DatasetSource=dataset_source(FUZZ_BUCKET, key))["DatasetArn"]
    return {
        "ProjectArn": [project, other],
        "ProjectVersionArn": [version],
        "ProjectVersionId": [version],
        "DatasetArn": [dataset],
        "ResourceArn": [project, version, dataset],
        "ProjectName": ["world", "with-data", "fresh"],
        "VersionName": ["v1", "v2"],
        "PolicyName": ["share"],
        "S3Bucket": [FUZZ_BUCKET],
        "S3ObjectName": [key, images[0][0].split("/", 3)[3]],
    }
