"""The control routes (``/moto-api/rekomock/*``) and ``rk`` check every member: a wrong
type, NaN or infinity, or a value out of range is refused naming the member and what it
must be -- a JSON 400 ``{"Error": ...}`` over HTTP, ValueError/TypeError in Python, in the
same words -- and changes nothing. ``HYPOTHESIS_PROFILE`` picks the fuzz's profile."""

from __future__ import annotations

import ast
import json
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st
from server_process import ServerProcess

#: The most advance_time moves the clock at once, as documented: a century.
MAX_ADVANCE_SECONDS = 100 * 365 * 24 * 3600


ARN = "arn:aws:rekognition:us-east-1:123456789012:project/p/version/v/1"
PROJECT = "arn:aws:rekognition:us-east-1:123456789012:project/p/1"
LABEL = {"Name": "cat", "Confidence": 90.0}

#: route -> a body it accepts (every member it knows, so the fuzz can spoil each).
VALID: dict[str, dict[str, Any]] = {
    "fail-training": {"message": "broken", "project": PROJECT, "version_name": "v1",
                      "times": 2},
    "clear-training-failures": {},
    "fail-start": {"message": "broken", "version": ARN, "times": None},
    "clear-start-failures": {},
    "set-detections": {"labels": [LABEL], "version": ARN, "image": "s3://bucket/key.png",
                       "times": 3},
    "clear-detections": {},
    "set-evaluation": {"f1_score": 0.5, "labels": {"cat": {"F1Score": 0.5}},
                       "project": PROJECT, "version_name": "v1", "times": 1},
    "clear-evaluations": {},
    "advance-time": {"seconds": 1},
    "inject-error": {"operation": "DescribeProjects", "code": "ThrottlingException",
                     "times": 1, "message": "slow down", "matching": {},
                     "account_id": "123456789012", "region": "us-east-1",
                     "probability": 0.5, "seed": 3},
    "clear-errors": {},
    "clear-calls": {},
    "set-quotas": {"projects": 5, "versions_per_project": 6, "tags_per_resource": 7,
                   "policies_per_project": 8},
    "clear-quotas": {},
    "set-capacity": {"tps_per_inference_unit": 5, "scale_up_seconds": 60,
                     "scale_down_seconds": 120},
    "clear-capacity": {},
    "clear-inference-unit-failures": {},
    "set-prices": {"training_hour": 2.0, "inference_hour": 5.0},
    "clear-prices": {},
    "freeze-clock": {"frozen": False},
    "reset": {},
}

#: GET route -> a query it accepts.
VALID_QUERIES: dict[str, dict[str, str]] = {
    "now": {},
    "calls": {},
    "quotas": {},
    "resources": {},
    "explain": {"arn": ARN},
    "inference-unit-hours": {"version": ARN},
    "bill": {},
    "running": {},
    "health": {},
}

#: Routes the POST fuzz leaves out: deprecated ones (GET `quotas` is fuzzed as a reader), and
#: those that need a running model or write files to succeed
#: (``tests/controller/test_capacity.py`` and ``tests/server/test_persistence.py`` cover them).
NOT_FUZZED = {"state", "quotas", "fail-inference-units", "save", "load"}

#: (route, body, the member the error names, what it must be)
REFUSED = [
    ("advance-time", {"seconds": 1e308}, "seconds", "must be a finite number between 0 and"),
    ("advance-time", {"seconds": float("nan")}, "seconds", "must be a finite number"),
    ("advance-time", {"seconds": float("inf")}, "seconds", "must be a finite number"),
    ("advance-time", {"seconds": -1}, "seconds", "must be a finite number"),
    ("advance-time", {"seconds": "60"}, "seconds", "must be a finite number"),
    ("advance-time", {"seconds": True}, "seconds", "must be a finite number"),
    ("advance-time", {"seconds": 10**400}, "seconds", "must be a finite number"),
    ("fail-training", {"version_name": {"a": 1}}, "version_name", "must be a string or null"),
    ("fail-training", {"message": 5}, "message", "must be a string"),
    ("fail-training", {"project": 5}, "project", "must be a string or null"),
    ("fail-training", {"project": ARN}, "project", "must be a project ARN or null"),
    ("fail-training", {"times": 0}, "times",
     "must be an integer of at least 1, or null for every use until cleared"),
    ("fail-start", {"version": [1]}, "version", "must be a string or null"),
    ("fail-start", {"version": "v1"}, "version", "must be a project version ARN or null"),
    ("fail-start", {"message": None}, "message", "must be a string"),
    ("fail-start", {"times": 1.5}, "times", "must be an integer of at least 1"),
    ("set-detections", {"labels": [LABEL], "version": 5}, "version",
     "must be a string or null"),
    ("set-detections", {"labels": [LABEL], "version": PROJECT}, "version",
     "must be a project version ARN or null"),
    ("set-detections", {"labels": [LABEL], "times": "3"}, "times",
     "must be an integer of at least 1"),
    ("set-detections", {"labels": "cat"}, "labels", "must be a list"),
    ("set-detections", {"labels": [{"Name": "cat"}]}, "labels[0]", "must have ['Confidence']"),
    ("set-detections", {"labels": [{"Name": "cat", "Confidence": float("nan")}]},
     "labels[0].Confidence", "must be a finite number between 0 and 100"),
    ("set-detections", {"labels": [{**LABEL, "Geometry": {"BoundingBox": {"Width": 0.5}}}]},
     "labels[0].Geometry.BoundingBox", "must have Width, Height, Left and Top"),
    ("set-detections", {"labels": [LABEL], "image": 7}, "image", "must be bytes"),
    ("set-detections", {"labels": [LABEL], "image_base64": 7}, "image_base64",
     "must be a base64 string"),
    ("set-evaluation", {"f1_score": float("nan")}, "f1_score",
     "must be a finite number between 0 and 1"),
    ("set-evaluation", {"f1_score": "high"}, "f1_score", "must be a finite number"),
    ("set-evaluation", {"f1_score": 2}, "f1_score", "must be a finite number between 0 and 1"),
    ("set-evaluation", {"f1_score": 0.5, "labels": {"cat": {"Recall": float("inf")}}},
     "labels.cat.Recall", "must be a finite number between 0 and 1"),
    ("set-evaluation", {"f1_score": 0.5, "labels": [1]}, "labels", "must be an object"),
    ("set-evaluation", {"f1_score": 0.5, "labels": {"cat": 1}}, "labels.cat",
     "must be an object"),
    ("set-evaluation", {"f1_score": 0.5, "version_name": 1}, "version_name",
     "must be a string or null"),
    ("set-evaluation", {"f1_score": 0.5, "project": "p"}, "project",
     "must be a project ARN or null"),
    ("set-evaluation", {"f1_score": 0.5, "times": -1}, "times",
     "must be an integer of at least 1"),
    ("inject-error", {"operation": 1, "code": "ThrottlingException"}, "operation",
     "must be a string"),
    ("inject-error", {"operation": "DescribeProjects", "code": None}, "code",
     "must be a string"),
    ("inject-error", {**VALID["inject-error"], "times": 0}, "times",
     "must be an integer of at least 1, or null for every use until cleared"),
    ("inject-error", {**VALID["inject-error"], "probability": float("nan")}, "probability",
     "must be a finite number between 0 and 1"),
    ("inject-error", {**VALID["inject-error"], "probability": 0}, "probability",
     "must be a finite number between 0 and 1, above 0"),
    ("inject-error", {**VALID["inject-error"], "matching": [1]}, "matching",
     "must be an object"),
    ("inject-error", {**VALID["inject-error"], "region": 1}, "region", "must be a string"),
    ("inject-error", {**VALID["inject-error"], "seed": "x"}, "seed", "must be an integer"),
    ("set-quotas", {"projects": -1}, "projects", "must be an integer of at least 0"),
    ("set-quotas", {"projects": 1.5}, "projects", "must be an integer of at least 0"),
    ("set-quotas", {"projects": 3, "tags_per_resource": "many"}, "tags_per_resource",
     "must be an integer of at least 0"),
    ("fail-training", {"version": "v1"}, "version", "unknown members"),
    ("advance-time", {"seconds": 1, "minutes": 1}, "minutes", "unknown members"),
]


def _post(server: ServerProcess, route: str, body: bytes) -> tuple[int, dict[str, str], Any]:
    status, headers, text = server.request("POST", f"/moto-api/rekomock/{route}", body,
                                           {"Content-Type": "application/json"})
    assert headers["Content-Type"] == "application/json", (status, text[:300])
    return status, headers, json.loads(text)


def _everything(server: ServerProcess) -> Any:
    """What the routes let a user see: resources, clock and quotas."""
    seen = [server.control(name) for name in ("resources", "quotas", "now")]
    assert all(status == 200 for status, _ in seen)
    resources, quotas, now = (answer for _, answer in seen)
    return resources, quotas, now["OffsetSeconds"]


@pytest.mark.parametrize("route, body, member, must", REFUSED,
                         ids=[f"{r}-{m}-{i}" for i, (r, _, m, _) in enumerate(REFUSED)])
def test_routes_refuse_bad_members(server: ServerProcess, route: str, body: dict[str, Any],
                                   member: str, must: str) -> None:
    before = _everything(server)
    status, _, answer = _post(server, route, json.dumps(body).encode())
    assert status == 400, answer
    assert set(answer) == {"Error"}
    assert member in answer["Error"] and must in answer["Error"], answer
    assert _everything(server) == before


@pytest.mark.parametrize("route, body, member, must", [
    r for r in REFUSED if "unknown members" not in r[3]
    and "image_base64" not in r[1]])
def test_rk_refuses_the_same_in_the_same_words(rekomock: Any, route: str,
                                               body: dict[str, Any], member: str,
                                               must: str) -> None:
    method = getattr(rekomock, route.replace("-", "_"))
    args = dict(body)
    positional = [args.pop(name) for name in ("operation", "code") if route == "inject-error"]
    with pytest.raises((ValueError, TypeError)) as refused:
        method(*positional, **args)
    assert member in str(refused.value) and must in str(refused.value)


def test_rk_quotas_refuse_bad_values(rekomock: Any) -> None:
    with pytest.raises(ValueError, match="projects must be an integer of at least 0"):
        rekomock.quotas.projects = -1
    with pytest.raises(TypeError, match="projects must be an integer of at least 0"):
        rekomock.quotas.projects = "5"
    assert rekomock.quotas.projects == 10_000


def test_advance_time_is_capped_at_a_century(server: ServerProcess, rekomock: Any) -> None:
    status, _, answer = _post(server, "advance-time",
                              json.dumps({"seconds": MAX_ADVANCE_SECONDS + 1}).encode())
    assert status == 400
    assert answer["Error"].startswith(
        f"seconds must be a finite number between 0 and {MAX_ADVANCE_SECONDS:g}")
    status, _, answer = _post(server, "advance-time",
                              json.dumps({"seconds": MAX_ADVANCE_SECONDS}).encode())
    assert (status, answer["OffsetSeconds"]) == (200, MAX_ADVANCE_SECONDS)
    with pytest.raises(ValueError, match="seconds must be a finite number between 0 and"):
        rekomock.advance_time(1e308)


def test_the_clock_stops_before_datetime_ends(server: ServerProcess) -> None:
    for _ in range(10):
        status, _, _ = _post(server, "advance-time",
                             json.dumps({"seconds": MAX_ADVANCE_SECONDS}).encode())
        assert status == 200
    before = _everything(server)
    status, _, answer = _post(server, "advance-time",
                              json.dumps({"seconds": MAX_ADVANCE_SECONDS}).encode())
    assert status == 400 and "reset the mock" in answer["Error"]
    assert _everything(server) == before
    assert server.client("rekognition").describe_projects()["ProjectDescriptions"] == []


def test_get_routes_refuse_unknown_query_members(server: ServerProcess) -> None:
    for route, query in VALID_QUERIES.items():
        status, answer = server.control(route, query="?" + urlencode({**query, "verbose": 1}))
        assert status == 400 and "verbose" in answer["Error"], (route, answer)


def test_every_route_is_fuzzed(server: ServerProcess) -> None:
    answer = requests.get(f"{server.url}/moto-api/rekomock/no-such-route", timeout=10)
    routes = set(ast.literal_eval(answer.json()["Error"].split("routes: ", 1)[1]))
    assert routes - NOT_FUZZED == (set(VALID) | set(VALID_QUERIES)) - NOT_FUZZED


def test_valid_bodies_are_accepted(server: ServerProcess) -> None:
    for route, body in VALID.items():
        status, _, answer = _post(server, route, json.dumps(body).encode())
        assert status == 200, (route, answer)


# ---------------------------------------------------------------------- fuzz

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=3),
    max_leaves=8)


def _spoiled(route: str) -> st.SearchStrategy[dict[str, Any]]:
    """The route's valid body with some members replaced by any JSON value."""
    valid = VALID[route]
    if not valid:
        return st.dictionaries(st.text(max_size=8), _json, max_size=2)
    return st.fixed_dictionaries({}, optional={name: _json for name in valid}).map(
        lambda spoiled: {**valid, **spoiled})


@pytest.mark.parametrize("route", sorted(VALID))
def test_fuzz_routes(server_process: ServerProcess, route: str) -> None:
    server = server_process
    server.reset()

    @given(body=st.one_of(_spoiled(route), st.dictionaries(st.text(max_size=8), _json,
                                                            max_size=4), _json))
    def check(body: Any) -> None:
        before = _everything(server)
        status, _, answer = _post(server, route, json.dumps(body).encode())
        if status != 200:
            assert 400 <= status < 500 and set(answer) == {"Error"}, (status, answer)
            assert _everything(server) == before, f"refused {route} changed state"
        if route in ("advance-time", "reset", "set-quotas", "freeze-clock", "set-capacity",
                     "set-prices"):
            server.reset()

    check()


@pytest.mark.parametrize("route", sorted(VALID_QUERIES))
def test_fuzz_get_routes(server_process: ServerProcess, route: str) -> None:
    """Any query a GET route gets answers JSON (a 4xx naming the problem when refused) and
    changes nothing."""
    server = server_process
    server.reset()
    chars = st.characters(exclude_categories=("Cs",))
    names = (st.sampled_from([*VALID_QUERIES[route], "arn", "version", "x"])
             | st.text(chars, max_size=8))

    @given(query=st.dictionaries(names, st.text(chars, max_size=20), max_size=3))
    def check(query: dict[str, str]) -> None:
        before = _everything(server)
        status, answer = server.control(route, query="?" + urlencode(query))
        if status != 200:
            assert 400 <= status < 500 and set(answer) == {"Error"}, (status, answer)
        assert _everything(server) == before

    check()
