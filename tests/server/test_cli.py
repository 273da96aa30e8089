"""The ``rekomock`` command line: version, help, and behaviour in pipes."""

from __future__ import annotations

import subprocess
import sys

import rekomock


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rekomock", *args], capture_output=True,
                          text=True, timeout=120, check=False)


def test_version() -> None:
    result = _run("--version")
    assert (result.returncode, result.stdout.strip()) == (0, f"rekomock {rekomock.__version__}")


def test_bare_command_lists_the_commands() -> None:
    result = _run()
    assert result.returncode == 2  # a usage error, as argparse answers a missing argument
    assert "required" not in result.stderr
    for command in ("demo", "server"):
        assert command in result.stderr


def test_help_is_plain_text() -> None:
    result = _run("--help")
    assert result.returncode == 0
    assert "demo" in result.stdout and "server" in result.stdout and "--version" in result.stdout
    assert "``" not in result.stdout and ":func:" not in result.stdout


def test_closed_pipe_ends_quietly() -> None:
    """``rekomock demo | head -3``: the reader leaves early; no BrokenPipeError traceback."""
    with subprocess.Popen([sys.executable, "-m", "rekomock", "demo"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as demo:
        assert demo.stdout is not None and demo.stderr is not None
        first = demo.stdout.readline()
        demo.stdout.close()  # as `head -1` exits
        errors = demo.stderr.read().decode()
        code = demo.wait(timeout=120)
    assert first.startswith(b"[ 1]")
    assert (code, errors) == (0, "")
