"""The pytest plugin's polish (docs/reference/fixtures.md): typed client fixtures,
one server per session for suites in server mode, and pytest-xdist, each worker its own mock
and its own server."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import typing
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from rekomock import pytest_plugin

#: A tiny user suite: tests against the session's server, and tests with an in-process mock
#: each, all creating projects under the same names.
SUITE = '''
import json
import subprocess
import os

import boto3
import pytest

KEYS = {"region_name": "us-east-1", "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing"}
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def _names(rek):
    return sorted(p["ProjectArn"].split("/")[1]
                  for p in rek.describe_projects()["ProjectDescriptions"])


@pytest.mark.parametrize("n", range(4))
def test_against_the_server(rekomock_server, n):
    rek = boto3.client("rekognition", endpoint_url=rekomock_server.endpoint_url, **KEYS)
    rek.create_project(ProjectName=f"{WORKER}-served-{n}")
    assert all(name.startswith(f"{WORKER}-") for name in _names(rek))
    with open(os.environ["NOTES"], "a") as notes:
        notes.write(json.dumps([WORKER, os.getpid(), rekomock_server.endpoint_url,
                                id(rekomock_server)]) + "\\n")


@pytest.mark.parametrize("n", range(4))
def test_in_process(rekomock, rekognition_client, n):
    rekognition_client.create_project(ProjectName="same-name")
    assert _names(rekognition_client) == ["same-name"]
'''


def _notes(path: Path) -> dict[str, set[tuple[int, str, int]]]:
    """Per worker, the (pid, endpoint, server object) its server tests saw."""
    seen: dict[str, set[tuple[int, str, int]]] = defaultdict(set)
    for line in path.read_text().splitlines():
        worker, pid, endpoint, server = json.loads(line)
        seen[worker].add((pid, endpoint, server))
    return seen


def test_client_fixtures_are_typed_with_the_boto3_stubs() -> None:
    """The stub types where installed (the test extra installs them); ``Any`` otherwise."""
    rekognition = pytest.importorskip("mypy_boto3_rekognition")
    s3 = pytest.importorskip("mypy_boto3_s3")
    from rekomock.controller import Controller
    from rekomock.server import RekomockServer

    names = {**vars(pytest_plugin), "RekognitionClient": rekognition.RekognitionClient,
             "S3Client": s3.S3Client, "RekomockServer": RekomockServer,
             "Controller": Controller}
    hints = {name: typing.get_type_hints(getattr(pytest_plugin, name).__wrapped__, names)
             for name in ("rekognition_client", "s3_client")}
    assert hints["rekognition_client"]["return"] is rekognition.RekognitionClient
    assert hints["s3_client"]["return"] is s3.S3Client
    server = typing.get_type_hints(pytest_plugin.rekomock_server.__wrapped__, names)
    assert server["return"] == Iterator[RekomockServer]


def test_the_fixtures_work_without_the_stubs(pytester: pytest.Pytester) -> None:
    """The stubs are for type checkers only: a suite runs where they cannot be imported."""
    pytester.makepyfile(test_first="""
        def test_first(rekognition_client, s3_client):
            s3_client.create_bucket(Bucket="no-stubs")
            rekognition_client.create_project(ProjectName="no-stubs")
    """)
    result = pytester.run(sys.executable, "-c", (
        "import sys; sys.modules['mypy_boto3_rekognition'] = sys.modules['mypy_boto3_s3'] = None\n"
        "import pytest; sys.exit(pytest.main(['-p', 'no:cacheprovider', '-q']))"))
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(["*1 passed*"])


def test_one_server_for_the_session(pytester: pytest.Pytester,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    notes = pytester.path / "notes.jsonl"
    monkeypatch.setenv("NOTES", str(notes))
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:xdist", "-q")
    result.assert_outcomes(passed=8)
    (worker,) = _notes(notes).values()
    assert len(worker) == 1  # one server, the same for every test
    ((_, endpoint, _),) = worker
    assert endpoint.startswith("http://127.0.0.1:")


def test_each_xdist_worker_has_its_own_mock_and_server(pytester: pytest.Pytester,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    if importlib.util.find_spec("xdist") is None:
        pytest.skip("pytest-xdist is not installed (the test extra installs it)")
    notes = pytester.path / "notes.jsonl"
    monkeypatch.setenv("NOTES", str(notes))
    pytester.makepyfile(test_suite=SUITE)
    # --dist each: every worker runs every test, so both surely start their server.
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2",
                                           "--dist", "each", "-q")
    result.assert_outcomes(passed=16)
    seen = _notes(notes)
    assert sorted(seen) == ["gw0", "gw1"]
    assert all(len(servers) == 1 for servers in seen.values())
    (pid0, url0, _), (pid1, url1, _) = (next(iter(s)) for s in seen.values())
    assert pid0 != pid1 and url0 != url1


#: What the plugin's entry point must not import: pytest loads it in every session.
HEAVY = ("moto", "boto3", "botocore")


@pytest.mark.parametrize("statement", ["import rekomock.pytest_plugin", "import rekomock"])
def test_the_plugin_and_the_package_import_neither_moto_nor_boto3(statement: str) -> None:
    """A suite that never uses rekomock pays nothing for it being installed."""
    code = f"import sys; {statement}; print(sorted(set({HEAVY!r}) & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_a_suite_that_does_not_use_the_fixtures_never_imports_moto(
        pytester: pytest.Pytester) -> None:
    pytester.makeconftest(f"""
        import sys

        def pytest_sessionfinish(session):
            print("HEAVY", sorted(set({HEAVY!r}) & set(sys.modules)))
    """)
    pytester.makepyfile(test_plain="def test_plain():\n    assert True\n")
    for options in (["--co"], []):
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-s", *options)
        assert result.ret == 0, result.stdout.str()
        assert "rekomock-" in result.stdout.str()  # the plugin was loaded
        result.stdout.fnmatch_lines(["*HEAVY []*"])


def test_the_public_names_load_on_first_use() -> None:
    import rekomock
    from rekomock import mock_rekognition_custom

    assert rekomock.mock_rekognition_custom is mock_rekognition_custom
    assert issubclass(rekomock.RunningModelWarning, UserWarning)
    assert set(rekomock.__all__) <= set(dir(rekomock))
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        rekomock.nothing  # noqa: B018
