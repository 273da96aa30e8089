"""Canaries: each moto internal rekomock relies on has a test here, so a moto release that
moves one fails loudly here first."""

from __future__ import annotations

import inspect
from datetime import timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core.base_backend import BackendDict
from moto.core.models import MockAWS
from moto.core.responses import BaseResponse
from moto.moto_api import state_manager
from moto.moto_api._internal.managed_state_model import ManagedState

from rekomock._service.backend import rekognition_custom_backends
from rekomock._wire import routing


def test_rekognition_url_table_has_one_root_route_holding_our_router() -> None:
    from moto.rekognition import urls

    assert list(urls.url_paths) == ["{0}/$"]
    routing.install()
    handler = urls.url_paths["{0}/$"]
    assert handler.__func__ is routing.RekognitionRouter.dispatch.__func__
    assert handler.__name__ == "dispatch"
    assert urls.url_bases == [r"https?://rekognition\.(.+)\.amazonaws\.com"]


def test_base_response_contract() -> None:
    params = list(inspect.signature(BaseResponse._dispatch).parameters)
    assert params == ["self", "request", "full_url", "headers"]
    for name in ("get_region_from_url", "get_current_account", "get_access_key"):
        assert callable(getattr(BaseResponse, name))


def test_iam_access_control_contract() -> None:
    """What rekomock's IAM checks use: moto's request counter, the setting it is compared
    with, and the IAM request check whose error hooks rekomock overrides."""
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin
    from moto.iam.access_control import IAMRequest

    assert isinstance(ActionAuthenticatorMixin.request_count, int)
    assert isinstance(settings.INITIAL_NO_AUTH_ACTION_COUNT, (int, float))
    params = list(inspect.signature(IAMRequest.__init__).parameters)
    assert params == ["self", "account_id", "method", "path", "data", "body", "headers",
                      "action"]
    for name in ("check_signature", "check_action_permitted", "_raise_signature_does_not_match",
                 "_raise_invalid_access_key", "_raise_access_denied"):
        assert callable(getattr(IAMRequest, name))


def test_mock_aws_class_decorator_contract() -> None:
    params = list(inspect.signature(MockAWS._decorate_class).parameters)
    assert params == ["self", "klass"]
    assert "self(" in inspect.getsource(MockAWS._decorate_class)


def test_backend_dict_is_cleared_by_moto_reset() -> None:
    with mock_aws():
        rekognition_custom_backends["123456789012"]["us-east-1"].projects_by_name["x"] = None
        assert "123456789012" in rekognition_custom_backends
        BackendDict.reset()
        assert "123456789012" not in rekognition_custom_backends


def test_managed_state_progressions() -> None:
    name = "rekomock::canary"
    state_manager.register_default_transition(name, {"progression": "immediate"})
    assert ManagedState(name, [("A", "B"), ("B", "C")]).status == "C"
    state_manager.set_transition(name, {"progression": "manual", "times": 2})
    try:
        m = ManagedState(name, [("A", "B")])
        m.advance()
        assert m.status == "A"
        m.advance()
        assert m.status == "B"
        state_manager.set_transition(name, {"progression": "time", "seconds": 5})
        t = ManagedState(name, [("A", "B")])
        t._time_progressed -= timedelta(seconds=6)
        assert t.status == "B"
    finally:
        state_manager.unset_transition(name)


def test_s3_backend_round_trip() -> None:
    from moto.s3.models import s3_backends

    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="canary-bucket")
        backend = s3_backends["123456789012"]["aws"]
        backend.put_object("canary-bucket", "k", b"v")
        assert backend.get_object("canary-bucket", "k").value == b"v"
        assert backend.get_object("canary-bucket", "missing") is None


def test_service_exception_module_and_waiter_hooks() -> None:
    import botocore.waiter
    from moto.core.exceptions import ServiceException

    # RekognitionError passes its message as the single argument, which sets .message
    assert ServiceException("Not enough capacity.").message == "Not enough capacity."
    assert "time.sleep" in inspect.getsource(botocore.waiter.Waiter.wait)
    assert "Waiter.wait(self" in inspect.getsource(botocore.waiter.create_waiter_with_client)


def test_retry_back_off_hook() -> None:
    """rekomock._wire.sleeps (RETRIES) wraps ``Endpoint._needs_retry(self, attempts,
    operation_model, ...)``, where botocore sleeps with the ``time`` module it imported."""
    import time

    import botocore.endpoint

    needs_retry = botocore.endpoint.Endpoint._needs_retry
    assert list(inspect.signature(needs_retry).parameters)[:3] == ["self", "attempts",
                                                                  "operation_model"]
    assert "time.sleep" in inspect.getsource(needs_retry)
    assert botocore.endpoint.time is time


def test_stubber_is_a_before_send_handler(rekomock: Any) -> None:
    import botocore.handlers

    names = [type(entry[1]).__name__ for entry in botocore.handlers.BUILTIN_HANDLERS
             if entry[0] == "before-send"]
    assert "BotocoreStubber" in names


def test_stubber_contract_the_fast_path_wraps() -> None:
    """rekomock._wire.fastpath wraps ``BotocoreStubber.__call__(self, event_name, request,
    **kwargs)`` and reads ``enabled``, moto's config switches and the recorder flag."""
    from moto.core import config
    from moto.core.botocore_stubber import BotocoreStubber, MockRawResponse
    from moto.core.models import botocore_stubber
    from moto.moto_api import recorder

    original = BotocoreStubber.__call__  # moto's own while rekomock is inactive
    assert not hasattr(original, "_rekomock_fastpath")
    assert list(inspect.signature(original).parameters)[:3] == ["self", "event_name",
                                                                "request"]
    assert isinstance(botocore_stubber.enabled, bool)
    assert isinstance(recorder._user_enabled, bool)
    assert callable(config.passthrough_url) and callable(config.service_whitelisted)
    assert list(MockRawResponse(b"x").stream()) == [b"x"]


def test_moto_server_pieces_server_mode_uses() -> None:
    from moto.moto_api._internal import urls
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    assert callable(create_backend_app) and callable(DomainDispatcherApplication)
    assert "{0}/moto-api/reset" in urls.url_paths
    assert "{0}/moto-api/state-manager/set-transition" in urls.url_paths


@pytest.mark.parametrize("op", ["CreateProject", "DescribeProjectVersions"])
def test_model_has_our_operations(op: str) -> None:
    import botocore.session

    model = botocore.session.get_session().get_service_model("rekognition")
    assert op in model.operation_names


# ------------------------------------------- botocore privates rekomock._wire.sessions touches


def test_loader_caches_in_a_dictionary_named_cache() -> None:
    """``share_loaded_data`` replaces ``Loader._cache``, the store ``instance_cache`` reads
    with ``in``, ``[key]`` and ``[key] = value``."""
    from botocore import loaders

    loader = loaders.create_loader()
    assert isinstance(loader._cache, dict)
    assert "self._cache" in inspect.getsource(loaders.instance_cache)


def test_session_registers_builtin_handlers_into_its_original_handler() -> None:
    """``FreshSession._register_builtin_handlers(events)`` replaces botocore's, which fills
    ``_original_handler`` (a HierarchicalEmitter) wrapped as ``_events`` in an EventAliaser
    built from ``botocore.utils.EVENT_ALIASES``."""
    import botocore.session
    import botocore.utils
    from botocore import hooks

    session = botocore.session.Session()
    assert list(inspect.signature(session._register_builtin_handlers).parameters) == ["events"]
    assert isinstance(session._original_handler, hooks.HierarchicalEmitter)
    assert isinstance(session._events, hooks.EventAliaser)
    assert list(inspect.signature(hooks.EventAliaser).parameters)[:1] == ["event_emitter"]
    assert isinstance(botocore.utils.EVENT_ALIASES, dict)
    assert "EVENT_ALIASES" in inspect.getsource(hooks.EventAliaser)
    source = inspect.getsource(botocore.session.Session.__init__)
    assert "self._register_builtin_handlers(self._events)" in source
    assert "_original_handler" in source


def test_session_registers_its_data_loader_lazily() -> None:
    """``FreshSession._register_data_loader`` registers its own ``_create_data_loader`` as
    the lazy ``data_loader`` component, where botocore's registers
    ``create_loader(get_config_variable('data_path'))``."""
    import botocore.session

    from rekomock._wire.sessions import FreshSession

    source = inspect.getsource(botocore.session.Session._register_data_loader)
    assert "lazy_register_component" in source and "'data_loader'" in source
    assert "create_loader(self.get_config_variable('data_path'))" in source
    assert "self._register_data_loader()" in inspect.getsource(botocore.session.Session)
    session = FreshSession()
    assert callable(session._components.lazy_register_component)
    assert isinstance(session.get_component("data_loader"), botocore.loaders.Loader)
    assert not hasattr(botocore.session.Session, "_create_data_loader")  # ours, not overriding


def test_get_session_is_botocores_function_in_botocore_session() -> None:
    """``sessions.install`` replaces ``botocore.session.get_session`` only while it is
    botocore's own, told by its ``__module__``; boto3 calls it through the module."""
    import boto3.session
    import botocore.session

    from rekomock._wire import patches

    if patches.lifetime.is_active():  # pragma: no cover - canaries run outside a mock
        pytest.skip("rekomock is active")
    assert botocore.session.get_session.__module__ == "botocore.session"
    assert not hasattr(botocore.session.get_session, "__wrapped__")
    assert "botocore.session.get_session(" in inspect.getsource(boto3.session.Session.__init__)


def test_mock_aws_builds_its_responses_registrations_by_the_name_rekomock_swaps() -> None:
    """rekomock._wire.registrations reuses them through ``moto.core.models.CallbackResponse``."""
    from moto.core import custom_responses_mock, models

    assert models.CallbackResponse is custom_responses_mock.CallbackResponse
    source = inspect.getsource(MockAWS._enable_patching)
    assert source.count("CallbackResponse(") == 2
    assert source.count("method=method") == 2 and "callback=" in source
