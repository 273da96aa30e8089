"""rekomock's patches of moto and botocore live exactly as long as an activation."""

from __future__ import annotations

from typing import Any

import botocore.endpoint
import botocore.session
import botocore.waiter
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber
from moto.moto_api._internal import urls as moto_api_urls
from moto.rekognition import urls as rekognition_urls

from rekomock import mock_rekognition_custom
from rekomock.server import RekomockServer


def patched_places() -> dict[str, Any]:
    return {
        "router": rekognition_urls.url_paths["{0}/$"],
        "stubber": BotocoreStubber.__call__,
        "control routes": sorted(k for k in moto_api_urls.url_paths if "rekomock" in k),
        "reset": moto_api_urls.url_paths["{0}/moto-api/reset"],
        "waiter": botocore.waiter.Waiter.wait,
        "retry": botocore.endpoint.Endpoint._needs_retry,
        "retry sleep": botocore.endpoint.time,
        "sessions": botocore.session.get_session,
    }


def test_patches_are_installed_by_the_first_activation_and_removed_by_the_last() -> None:
    shipped = patched_places()
    assert shipped["control routes"] == []
    with mock_rekognition_custom():
        active = patched_places()
        assert all(active[name] != shipped[name] for name in shipped), active
        with mock_rekognition_custom():  # nested: still the same patches
            assert patched_places() == active
        assert patched_places() == active
    assert patched_places() == shipped


def test_a_server_activation_patches_too_and_plain_moto_is_left_as_shipped() -> None:
    shipped = patched_places()
    with RekomockServer(port=0):
        assert patched_places()["control routes"] != []
    assert patched_places() == shipped
    with mock_aws():  # moto alone never sees rekomock's patches
        assert patched_places() == shipped


def test_a_patch_that_fails_to_install_leaves_everything_as_shipped(monkeypatch: Any) -> None:
    from moto.core.models import botocore_stubber

    from rekomock._wire import patches, sessions

    shipped = patched_places()

    def broken_install() -> None:
        raise RuntimeError("cannot patch")

    # The sessions patch comes after the router, the fast path, the routes and the sleeps.
    monkeypatch.setattr(patches, "_PATCHES", tuple(
        patch._replace(install=broken_install) if patch.install == sessions.install else patch
        for patch in patches._PATCHES
    ))
    try:
        mock_rekognition_custom().start()
    except RuntimeError as error:
        assert str(error) == "cannot patch"
    else:
        raise AssertionError("the activation should have failed")
    # The patches installed before it are out again, moto's mock too, and nothing counts it.
    assert patched_places() == shipped
    assert not botocore_stubber.enabled
    monkeypatch.undo()
    with mock_rekognition_custom():
        assert patched_places()["sessions"] != shipped["sessions"]
    assert patched_places() == shipped


FREEZE_SCRIPT = """
import gc
import boto3
from moto import mock_aws
from rekomock import mock_rekognition_custom

freezes = []
real_freeze = gc.freeze
gc.freeze = lambda: (freezes.append(gc.get_count()), real_freeze())

with mock_aws():
    with mock_rekognition_custom():
        boto3.client("rekognition", region_name="us-east-1").create_project(ProjectName="p")
    held = len(freezes)  # the user's mock_aws still holds state: nothing frozen
with mock_rekognition_custom():
    pass
after_first = len(freezes)
for _ in range(3):
    with mock_rekognition_custom():
        boto3.client("rekognition", region_name="us-east-1").describe_projects()
print(held, after_first, len(freezes), gc.get_freeze_count() > 0)
"""


def test_what_outlives_the_first_mock_is_frozen_once_for_the_collector() -> None:
    """A full garbage collection then skips moto's, boto3's and botocore's long-lived objects
    (rekomock._wire.garbage); done once, when no state of a mock is left to freeze."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", FREEZE_SCRIPT], capture_output=True,
                         text=True, check=True).stdout
    assert out.split() == ["0", "1", "1", "True"]


def _registered() -> list[Any]:
    from moto.core.models import responses_mock

    return list(responses_mock.registered())


def test_moto_http_registrations_are_reused_and_start_with_no_calls() -> None:
    """HTTP through ``requests`` (what ``responses`` answers) is mocked as under plain
    ``mock_aws``: the same registrations, each mock's recorded calls its own."""
    import requests
    from moto.core import models

    shipped = models.CallbackResponse
    with mock_aws():
        plain = [(r.method, r.url, type(r)) for r in _registered()]
    seen = []
    for _ in range(2):
        with mock_rekognition_custom():
            registered = _registered()
            assert [(r.method, r.url, type(r)) for r in registered] == plain
            assert all(len(r.calls) == 0 for r in registered)
            assert requests.put("https://reused.s3.amazonaws.com/").status_code == 200
            assert requests.get("https://reused.s3.amazonaws.com/").status_code == 200
            assert sum(len(r.calls) for r in registered) == 2
            seen.append(registered)  # held, so that no id is reused
        assert models.CallbackResponse is shipped  # moto as shipped between mocks
    assert all(first is second for first, second in zip(*seen, strict=True))
    with mock_aws():  # a user's own mock_aws builds its own
        assert not {id(r) for r in _registered()} & {id(r) for r in seen[0]}
