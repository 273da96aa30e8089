"""`rekomock server` configured from the environment, as containers and compose files do:
every flag has a variable, flags win, bad values are usage errors naming the variable."""

from __future__ import annotations

import socket
import subprocess
import sys
from typing import Any

import pytest
from server_process import ServerProcess

import rekomock.server
from rekomock.__main__ import SERVER_ENVIRONMENT, main

VARIABLES = ("MOTO_PORT", *SERVER_ENVIRONMENT.values())


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What `rekomock server` would serve with, instead of serving."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    seen: dict[str, Any] = {}

    def serve(host: str, port: int, **options: Any) -> int:
        seen.update(host=host, port=port, **options)
        return 0

    monkeypatch.setattr(rekomock.server, "serve", serve)
    return seen


def _help() -> str:
    done = subprocess.run([sys.executable, "-m", "rekomock", "server", "--help"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    return " ".join(done.stdout.split())  # argparse wraps lines


def test_help_lists_every_flag_with_its_variable() -> None:
    text = _help()
    flags = [word.rstrip(",") for word in text.split() if word.startswith("--")]
    server_flags = {flag for flag in flags if flag != "--help"}
    assert server_flags >= {"--host", "--port", "--quiet", "--idle-timeout", "--drain-timeout",
                            "--state-dir"}
    for flag in server_flags:
        assert flag in SERVER_ENVIRONMENT, f"{flag} has no environment variable"
        assert f"[env: {SERVER_ENVIRONMENT[flag]}" in text
    assert "[env: REKOMOCK_PORT or MOTO_PORT]" in text
    assert "wins over its variable" in text


def test_variables_configure_the_server(served: dict[str, Any],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REKOMOCK_HOST", "0.0.0.0")
    monkeypatch.setenv("REKOMOCK_PORT", "6123")
    monkeypatch.setenv("REKOMOCK_QUIET", "true")
    monkeypatch.setenv("REKOMOCK_IDLE_TIMEOUT", "2.5")
    monkeypatch.setenv("REKOMOCK_DRAIN_TIMEOUT", "0")
    monkeypatch.setenv("REKOMOCK_STATE_DIR", "/var/lib/rekomock")
    assert main(["server"]) == 0
    assert served.items() >= {"host": "0.0.0.0", "port": 6123, "quiet": True,
                              "idle_timeout": 2.5, "drain_timeout": 0.0,
                              "state_dir": "/var/lib/rekomock"}.items()


def test_defaults_without_variables(served: dict[str, Any]) -> None:
    assert main(["server"]) == 0
    assert served.items() >= {"host": "127.0.0.1", "port": 5000, "quiet": False,
                              "idle_timeout": 60.0, "drain_timeout": 10.0,
                              "state_dir": None}.items()


def test_flags_win_over_variables(served: dict[str, Any],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REKOMOCK_HOST", "0.0.0.0")
    monkeypatch.setenv("REKOMOCK_PORT", "6123")
    monkeypatch.setenv("REKOMOCK_QUIET", "not-a-switch")  # unusable, but overridden
    monkeypatch.setenv("REKOMOCK_IDLE_TIMEOUT", "2.5")
    monkeypatch.setenv("REKOMOCK_STATE_DIR", "/from/env")
    assert main(["server", "-H", "::1", "-p", "7001", "-q", "--idle-timeout", "9",
                 "--state-dir", "/from/flag"]) == 0
    assert (served["host"], served["port"], served["quiet"], served["idle_timeout"],
            served["state_dir"]) == ("::1", 7001, True, 9.0, "/from/flag")


def test_quiet_variable_false(served: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REKOMOCK_QUIET", "0")
    assert main(["server"]) == 0
    assert served["quiet"] is False


def test_moto_port_still_works_and_rekomock_port_wins(
        served: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTO_PORT", "5111")
    assert main(["server"]) == 0
    assert served["port"] == 5111
    monkeypatch.setenv("REKOMOCK_PORT", "5222")
    assert main(["server"]) == 0
    assert served["port"] == 5222


@pytest.mark.parametrize(("variable", "value", "words"), [
    ("REKOMOCK_PORT", "http", "REKOMOCK_PORT='http': not a port number"),
    ("MOTO_PORT", "70000", "MOTO_PORT='70000': a port is 0 to 65535"),
    ("REKOMOCK_IDLE_TIMEOUT", "0", "REKOMOCK_IDLE_TIMEOUT='0': must be more than 0 seconds"),
    ("REKOMOCK_IDLE_TIMEOUT", "nan", "must be more than 0 seconds"),
    ("REKOMOCK_DRAIN_TIMEOUT", "-1", "must be at least 0 seconds"),
    ("REKOMOCK_DRAIN_TIMEOUT", "soon", "not a number of seconds: 'soon'"),
    ("REKOMOCK_QUIET", "maybe", "REKOMOCK_QUIET='maybe': use one of 1, true"),
])
def test_bad_variable_is_a_usage_error_naming_it(
        served: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], variable: str, value: str, words: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SystemExit) as exited:
        main(["server"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert words in err
    assert "Traceback" not in err
    assert served == {}  # nothing was served


@pytest.mark.parametrize("args", [["-p", "65536"], ["--idle-timeout", "-3"],
                                  ["--drain-timeout", "inf"]])
def test_bad_flag_values_are_usage_errors(served: dict[str, Any], args: list[str],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["server", *args])
    assert exited.value.code == 2
    assert "error: argument" in capsys.readouterr().err


def test_a_bad_server_variable_does_not_break_other_commands(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("REKOMOCK_PORT", "http")
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert "rekomock" in capsys.readouterr().out


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_server_process_listens_where_the_variables_say() -> None:
    port = _free_port()
    proc = ServerProcess(env={"REKOMOCK_PORT": str(port), "REKOMOCK_HOST": "127.0.0.1",
                              "REKOMOCK_QUIET": "yes"}, port=None)
    try:
        assert proc.url == f"http://127.0.0.1:{port}"
        assert proc.client("rekognition").describe_projects()["ProjectDescriptions"] == []
    finally:
        assert proc.stop() == 0
    assert "POST / HTTP/1.1" not in proc.output()  # REKOMOCK_QUIET took effect
