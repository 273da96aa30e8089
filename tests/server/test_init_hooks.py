"""`rekomock server --init PATH`: hooks that prepare the mock once it answers, before the
ready line, as LocalStack's ready.d hooks do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from server_process import ServerProcess

BUCKET_HOOK = """\
import boto3, os
assert os.environ["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
boto3.client("s3").create_bucket(Bucket="from-hook")
with open("order.txt", "a") as f:
    f.write("10 ")
print("bucket made")
"""
SHELL_HOOK = """\
echo "endpoint $AWS_ENDPOINT_URL region $AWS_DEFAULT_REGION"
printf '20 ' >> order.txt
"""
HEALTH_HOOK = """\
import json, os, urllib.error, urllib.request
try:
    urllib.request.urlopen(os.environ["AWS_ENDPOINT_URL"] + "/moto-api/rekomock/health")
    raise SystemExit("health answered 200 while hooks run")
except urllib.error.HTTPError as err:
    assert err.code == 503, err.code
    assert json.loads(err.read())["status"] == "initializing"
"""
PROJECT_HOOK = """\
import boto3
rek = boto3.client("rekognition")
s3 = boto3.client("s3")
assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["from-hook"]  # 10 ran first
rek.create_project(ProjectName="from-hook")  # a second run would fail: already exists
with open("order.txt", "a") as f:
    f.write("30 ")
"""


def _hooks(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def _standard(folder: Path) -> Path:
    return _hooks(folder, {"10-bucket.py": BUCKET_HOOK, "20-shell.sh": SHELL_HOOK,
                           "25-health.py": HEALTH_HOOK,
                             "30-project.py": PROJECT_HOOK,
                             "40-notes.txt": "not a hook: left alone"})


def _run(*args: str) -> Any:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "REKOMOCK_"))}
    return subprocess.run([sys.executable, "-m", "rekomock", "server", "--port", "0", *args],
                          capture_output=True, text=True, timeout=120, env=environ,
                          stdin=subprocess.DEVNULL)


def test_hooks_run_in_name_order_before_the_ready_line(tmp_path: Path) -> None:
    hooks = _standard(tmp_path / "init")
    proc = ServerProcess("--quiet", "--init", str(hooks))
    try:
        out = proc.output()
        assert (hooks / "order.txt").read_text() == "10 20 30 "
        done = [out.index(f"init hook {name} done") for name in
                ("10-bucket.py", "20-shell.sh", "30-project.py")]
        assert done == sorted(done) and done[-1] < out.index("ready at")
        assert "bucket made" in out and "region us-east-1" in out  # their output is shown
        assert "40-notes.txt" not in out
        (project,) = proc.client("rekognition").describe_projects()["ProjectDescriptions"]
        assert "/from-hook/" in project["ProjectArn"]
        status, _, body = proc.request("GET", "/moto-api/rekomock/health")
        assert status == 200 and b'"running"' in body  # once the hooks have run
    finally:
        assert proc.stop() == 0


def test_a_single_file_hook_from_the_environment(tmp_path: Path) -> None:
    hook = _hooks(tmp_path / "init", {"10-bucket.py": BUCKET_HOOK}) / "10-bucket.py"
    proc = ServerProcess("--quiet", env={"REKOMOCK_INIT": str(hook)})
    try:
        buckets = proc.client("s3").list_buckets()["Buckets"]
        assert [b["Name"] for b in buckets] == ["from-hook"]
    finally:
        assert proc.stop() == 0


def test_a_failing_hook_stops_the_server_with_its_output(tmp_path: Path) -> None:
    hooks = _hooks(tmp_path / "init", {
        "10-fail.sh": "echo 'cannot prepare: boom' >&2\nexit 3\n",
        "20-never.py": "open('ran.txt', 'w').close()\n"})
    done = _run("--init", str(hooks))
    assert done.returncode == 1
    assert "init hook" in done.stderr and "10-fail.sh failed (exit code 3)" in done.stderr
    assert "cannot prepare: boom" in done.stderr
    assert "ready at" not in done.stdout
    assert not (hooks / "ran.txt").exists()  # the next hooks do not run
    assert "Traceback" not in done.stderr


def test_init_warn_only_warns_and_goes_on(tmp_path: Path) -> None:
    hooks = _hooks(tmp_path / "init", {
        "10-fail.py": "raise SystemExit('half done')\n",
        "20-after.py": "open('ran.txt', 'w').close()\n"})
    proc = ServerProcess("--quiet", "--init", str(hooks), "--init-warn-only")
    try:
        out = proc.output()
        assert "warning: init hook" in out and "half done" in out
        assert (hooks / "ran.txt").exists()
    finally:
        assert proc.stop() == 0


def test_hooks_run_only_when_the_state_is_new(tmp_path: Path) -> None:
    hooks = _standard(tmp_path / "init")
    state = tmp_path / "state"
    first = ServerProcess("--quiet", "--init", str(hooks), "--state-dir", str(state))
    assert first.stop() == 0
    assert (hooks / "order.txt").read_text() == "10 20 30 "
    second = ServerProcess("--quiet", "--init", str(hooks), "--state-dir", str(state))
    try:
        assert "init hooks not run: the state was loaded from" in second.output()
        projects = second.client("rekognition").describe_projects()["ProjectDescriptions"]
        assert len(projects) == 1  # made once, by the first start's hooks
    finally:
        assert second.stop() == 0
    assert (hooks / "order.txt").read_text() == "10 20 30 "


def test_a_failed_hook_keeps_the_state_new(tmp_path: Path) -> None:
    """The state a failing hook left half made is not saved: the next start runs them all
    again on an empty state."""
    hooks = _hooks(tmp_path / "init", {"10-bucket.py": BUCKET_HOOK,
                                         "20-fail.sh": "exit 1\n"})
    state = tmp_path / "state"
    assert _run("--init", str(hooks), "--state-dir", str(state)).returncode == 1
    assert not (state / "state.rkstate").exists()


def test_a_missing_or_foreign_init_path_is_a_usage_error(tmp_path: Path) -> None:
    done = _run("--init", str(tmp_path / "nowhere"))
    assert done.returncode == 2 and "no such file or folder" in done.stderr
    (tmp_path / "hook.rb").write_text("puts 1")
    done = _run("--init", str(tmp_path / "hook.rb"))
    assert done.returncode == 2 and "a *.py or *.sh file" in done.stderr
