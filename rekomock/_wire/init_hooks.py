"""``rekomock server --init PATH``: scripts that prepare the mock once it answers, as
LocalStack's ``ready.d`` hooks do.

PATH is a ``*.py`` or ``*.sh`` file, or a folder whose ``*.py`` and ``*.sh`` files run in
name order (other files are left alone). ``*.py`` runs with the server's own Python (boto3
and rekomock at hand), ``*.sh`` with bash (sh where there is none). Each runs with
``AWS_ENDPOINT_URL`` pointing at the server, test credentials, and ``AWS_DEFAULT_REGION``
(``us-east-1`` unless set), in its own folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

__all__ = ["HookFailed", "Hooks", "find_hooks"]

SUFFIXES = (".py", ".sh")


class HookFailed(RuntimeError):
    """A hook ended with a non-zero exit code (or could not run); the message has its
    output."""


def find_hooks(path: str | os.PathLike[str]) -> list[Path]:
    """The hooks PATH names, in the order they run; ValueError for a PATH that names none
    it could run (missing, or a file of another kind)."""
    where = Path(path)
    if where.is_dir():
        return sorted((p for p in where.iterdir() if p.is_file() and p.suffix in SUFFIXES),
                      key=lambda p: p.name)
    if not where.exists():
        raise ValueError(f"{where}: no such file or folder")
    if where.suffix not in SUFFIXES:
        raise ValueError(f"{where}: an init hook is a *.py or *.sh file, or a folder of them")
    return [where]


def _command(hook: Path) -> list[str]:
    if hook.suffix == ".py":
        return [sys.executable, str(hook)]
    return [shutil.which("bash") or "sh", str(hook)]


class Hooks:
    """Runs the hooks one after the other; :meth:`stop` ends the one running."""

    def __init__(self, hooks: list[Path], endpoint_url: str,
                 report: Callable[[str], None]) -> None:
        self.hooks = hooks
        self.endpoint_url = endpoint_url
        self.report = report
        self._lock = threading.Lock()
        self._running: subprocess.Popen[str] | None = None
        self._stopped = False

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({"AWS_ENDPOINT_URL": self.endpoint_url, "AWS_ACCESS_KEY_ID": "testing",
                    "AWS_SECRET_ACCESS_KEY": "testing"})
        env.pop("AWS_SESSION_TOKEN", None)
        env.pop("AWS_PROFILE", None)
        env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
        return env

    def run(self, warn_only: bool = False) -> list[str]:
        """Run every hook; the failures' messages when ``warn_only``, else HookFailed at
        the first failure."""
        failures = []
        env = self.environment()
        for hook in self.hooks:
            started = time.monotonic()
            try:
                output, code = self._run_one(hook, env)
            except OSError as err:
                output, code = f"cannot run it: {err}", 127
            if self._stopped:
                break
            took = time.monotonic() - started
            if code == 0:
                self.report(f"init hook {hook.name} done ({took:.1f} s)"
                            + (f":\n{output.rstrip()}" if output.strip() else ""))
                continue
            message = (f"init hook {hook} failed (exit code {code}) after {took:.1f} s"
                       + (f":\n{output.rstrip()}" if output.strip() else ", no output"))
            if not warn_only:
                raise HookFailed(message)
            failures.append(message)
            self.report(f"warning: {message}")
        return failures

    def _run_one(self, hook: Path, env: dict[str, str]) -> tuple[str, int]:
        with self._lock:
            if self._stopped:
                return "", 0
            process = subprocess.Popen(
                _command(hook), cwd=hook.parent, env=env, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            self._running = process
        output, _ = process.communicate()
        with self._lock:
            self._running = None
        return output, process.returncode

    def stop(self) -> None:
        """The server is stopping: end the hook running, run no more."""
        with self._lock:
            self._stopped = True
            if self._running is not None:
                self._running.terminate()
