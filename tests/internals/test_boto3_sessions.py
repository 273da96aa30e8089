"""Each activation gives boto3 a fresh default session (credentials, region, config files and
event handlers as the test sets them), while botocore's shipped data is read once per
process; changed data paths are honoured."""

from __future__ import annotations

import functools
import inspect
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from botocore import loaders

from rekomock import mock_rekognition_custom
from rekomock._wire.sessions import FreshSession

KEYS = ("AKIAFIRSTACTIVATION0", "AKIASECONDACTIVATION", "AKIATHIRDACTIVATION0")
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")


def signed_with(client: Any) -> tuple[str, str]:
    """(access key, region) of the credential scope a DescribeProjects call is signed with."""
    seen: list[str] = []

    def capture(request: Any, **_: Any) -> None:
        auth = request.headers["Authorization"]
        seen.append(auth.decode() if isinstance(auth, bytes) else auth)

    client.meta.events.register("before-send.rekognition.DescribeProjects", capture)
    client.describe_projects()
    key, _date, region, _service, _end = seen[0].split("Credential=")[1].split(",")[0].split("/")
    return key, region


def set_in_test(key: str, region: str) -> None:
    # Set after entering, as a test body would; the mock puts the previous values back on exit.
    os.environ["AWS_ACCESS_KEY_ID"] = key
    os.environ["AWS_SECRET_ACCESS_KEY"] = f"secret-of-{key}"
    os.environ["AWS_DEFAULT_REGION"] = region


@pytest.fixture
def clean_region(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    yield


def test_each_with_block_signs_with_the_credentials_and_region_set_inside_it(
    clean_region: None,
) -> None:
    for key, region in zip(KEYS, REGIONS, strict=True):
        with mock_rekognition_custom():
            set_in_test(key, region)
            assert signed_with(boto3.client("rekognition")) == (key, region)


def test_each_decorated_test_signs_with_the_credentials_and_region_set_inside_it(
    clean_region: None,
) -> None:
    @mock_rekognition_custom
    def a_test(key: str, region: str) -> tuple[str, str]:
        set_in_test(key, region)
        return signed_with(boto3.client("rekognition"))

    for key, region in zip(KEYS, REGIONS, strict=True):
        assert a_test(key, region) == (key, region)


def test_handlers_registered_on_the_default_session_stay_in_their_activation(
    clean_region: None,
) -> None:
    calls: list[str] = []
    with mock_rekognition_custom():
        boto3.client("rekognition")
        assert boto3.DEFAULT_SESSION is not None
        boto3.DEFAULT_SESSION.events.register(
            "before-send.rekognition", lambda **_: calls.append("first"))
        boto3.client("rekognition").describe_projects()
    with mock_rekognition_custom():
        boto3.client("rekognition").describe_projects()
    assert calls == ["first"]


FIXTURE_TESTS = """
import boto3
from probe import signed_with

def use_profile(tmp_path, monkeypatch, profile, region):
    config = tmp_path / "config"
    config.write_text(f"[profile {{profile}}]\\nregion = {{region}}\\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_PROFILE", profile)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)

{key_tests}

def test_profile_one(rekomock, tmp_path, monkeypatch):
    use_profile(tmp_path, monkeypatch, "alpha", "eu-central-1")
    assert signed_with(boto3.client("rekognition")) == ("FOOBARKEY", "eu-central-1")

def test_profile_two(rekomock, tmp_path, monkeypatch):
    use_profile(tmp_path, monkeypatch, "beta", "sa-east-1")
    assert signed_with(boto3.client("rekognition")) == ("FOOBARKEY", "sa-east-1")
"""

KEY_TEST = """
def test_key_{n}(rekomock, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "{key}")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "{region}")
    assert signed_with(boto3.client("rekognition")) == ("{key}", "{region}")
"""


def test_each_fixture_test_signs_with_its_own_credentials_region_and_profile(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(probe="from typing import Any\n\n" + inspect.getsource(signed_with))
    key_tests = "".join(KEY_TEST.format(n=n, key=key, region=region)
                        for n, (key, region) in enumerate(zip(KEYS, REGIONS, strict=True)))
    pytester.makepyfile(FIXTURE_TESTS.format(key_tests=key_tests))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)


# ------------------------------------------------------------- botocore's data, read once


def rekognition_model(session: botocore.session.Session) -> Any:
    return session.get_component("data_loader").load_service_model("rekognition", "service-2")


def models_in_two_activations() -> list[Any]:
    models = []
    for _ in range(2):
        with mock_rekognition_custom():
            models.append(rekognition_model(botocore.session.get_session()))
    return models


def test_shipped_data_is_loaded_once_across_activations() -> None:
    first, second = models_in_two_activations()
    assert first is second


def test_data_paths_inside_installed_packages_are_shared_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What importing the AWS CLI does: it adds its own data directory to AWS_DATA_PATH.
    monkeypatch.setenv("AWS_DATA_PATH", loaders.Loader.BUILTIN_DATA_PATH)
    first, second = models_in_two_activations()
    assert first is second


def test_fresh_sessions_from_the_first_activation_to_the_last() -> None:
    with mock_rekognition_custom():
        with mock_rekognition_custom():
            pass
        assert type(botocore.session.get_session()) is FreshSession
    assert type(botocore.session.get_session()) is botocore.session.Session


def test_a_get_session_replaced_by_someone_else_is_left_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[botocore.session.Session] = []
    original = botocore.session.get_session

    @functools.wraps(original)
    def instrumented(env_vars: Any = None) -> botocore.session.Session:
        made.append(original(env_vars))
        return made[-1]

    monkeypatch.setattr(botocore.session, "get_session", instrumented)
    with mock_rekognition_custom():
        assert botocore.session.get_session() is made[0]
    assert botocore.session.get_session is instrumented


def write_model(root: Path, without: str | None = "DescribeProjects") -> str:
    """A data directory holding the Rekognition model, less the operation ``without``."""
    loader = loaders.Loader()
    model = json.loads(json.dumps(loader.load_service_model("rekognition", "service-2")))
    if without:
        del model["operations"][without]
    target = root / "rekognition" / loader.determine_latest_version("rekognition", "service-2")
    target.mkdir(parents=True, exist_ok=True)
    (target / "service-2.json").write_text(json.dumps(model))
    return str(root)


def has_describe_projects(make_client: Callable[[], Any]) -> bool:
    return hasattr(make_client(), "describe_projects")


def test_aws_data_path_is_read_anew_by_each_activation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_region: None
) -> None:
    monkeypatch.setenv("AWS_DATA_PATH", write_model(tmp_path))
    with mock_rekognition_custom():
        assert not has_describe_projects(lambda: boto3.client("rekognition"))
    write_model(tmp_path, without=None)
    with mock_rekognition_custom():
        assert has_describe_projects(lambda: boto3.client("rekognition"))
    monkeypatch.delenv("AWS_DATA_PATH")
    write_model(tmp_path)
    with mock_rekognition_custom():
        assert has_describe_projects(lambda: boto3.client("rekognition"))


def test_a_loader_given_another_search_path_keeps_its_data_to_itself(
    tmp_path: Path, clean_region: None
) -> None:
    data_path = write_model(tmp_path)
    with mock_rekognition_custom():
        changed = botocore.session.get_session()
        changed.get_component("data_loader").search_paths.insert(0, data_path)
        assert not has_describe_projects(lambda: changed.create_client("rekognition"))
        plain = botocore.session.get_session()
        assert has_describe_projects(lambda: plain.create_client("rekognition"))


def test_a_customer_models_directory_is_honoured_and_not_shared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_region: None
) -> None:
    models = write_model(tmp_path / "models")
    monkeypatch.setattr(loaders.Loader, "CUSTOMER_DATA_PATH", models)
    with mock_rekognition_custom():
        assert not has_describe_projects(lambda: boto3.client("rekognition"))
        first = rekognition_model(botocore.session.get_session())
        assert rekognition_model(botocore.session.get_session()) is not first


# ------------------------------------------------------------------ botocore canaries


def handler_trie(session: botocore.session.Session) -> list[tuple[Any, ...]]:
    """Every node of the session's event emitter: its path and its handlers in order."""
    found: list[tuple[Any, ...]] = []

    def walk(node: dict[str, Any], path: tuple[str, ...]) -> None:
        values = node.get("values")
        if values:
            found.append((path, list(values.first), list(values.middle), list(values.last)))
        for part, child in node["children"].items():
            walk(child, (*path, part))

    walk(session._original_handler._handlers._root, ())
    return sorted(found, key=lambda entry: entry[0])


def test_fresh_sessions_have_botocores_builtin_handlers_and_the_shared_loader() -> None:
    FreshSession()
    copied = FreshSession()
    assert handler_trie(copied) == handler_trie(botocore.session.Session())
    assert rekognition_model(copied) is rekognition_model(FreshSession())
    copied.register("before-send.rekognition", lambda **_: None)
    assert handler_trie(FreshSession()) == handler_trie(botocore.session.Session())


def test_the_off_switch_gives_botocores_own_sessions(monkeypatch: pytest.MonkeyPatch) -> None:
    from rekomock._wire import sessions

    with mock_rekognition_custom():
        assert type(boto3.Session()._session) is FreshSession
        monkeypatch.setattr(sessions, "enabled", False)
        assert type(boto3.Session()._session) is botocore.session.Session
        client = boto3.client("rekognition", region_name="us-east-1")
        assert client.describe_projects()["ProjectDescriptions"] == []
