"""The ``rekomock`` command: an end-to-end demo and the HTTP server."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any


def _step(n: int, text: str) -> None:
    print(f"[{n:2d}] {text}", flush=True)


def demo() -> int:
    """Train, wait, start, stop and delete a Custom Labels model, all in memory."""
    import boto3
    from moto.moto_api import state_manager

    from rekomock import mock_rekognition_custom
    from rekomock.phases import VERSION_TRAINING
    from rekomock.testing import (
        classification_line,
        make_png,
        manifest,
        put_classification_dataset,
    )

    t0 = time.perf_counter()
    with mock_rekognition_custom() as rk:
        region = "us-east-1"
        s3 = boto3.client("s3", region_name=region)
        rek = boto3.client("rekognition", region_name=region)
        n = 0

        def step(text: str) -> None:
            nonlocal n
            n += 1
            _step(n, text)

        step("create bucket 'demo-bucket' in moto's S3")
        s3.create_bucket(Bucket="demo-bucket")
        key, images = put_classification_dataset(
            s3, "demo-bucket", {"sunrise": 5, "sunset": 5}, manifest_key="manifests/train.manifest"
        )
        step(f"upload {len(images)} PNG images and the training manifest s3://demo-bucket/{key}")
        test_lines = [classification_line(uri, label) for uri, label in images[::2]]
        s3.put_object(Bucket="demo-bucket", Key="manifests/test.manifest",
                      Body=manifest(test_lines))
        step(f"upload a testing manifest of {len(test_lines)} images")

        project_arn = rek.create_project(ProjectName="demo-project")["ProjectArn"]
        step(f"CreateProject -> {project_arn}")

        # Ask for a realistic one-hour training: the waiter jumps the mock's clock.
        state_manager.set_transition(VERSION_TRAINING, {"progression": "time", "seconds": 3600})
        step("state manager: training takes 3600 s of (virtual) time")
        version_arn = rek.create_project_version(
            ProjectArn=project_arn,
            VersionName="v1",
            OutputConfig={"S3Bucket": "demo-bucket", "S3KeyPrefix": "output"},
            TrainingData={"Assets": [{"GroundTruthManifest": {"S3Object": {
                "Bucket": "demo-bucket", "Name": "manifests/train.manifest"}}}]},
            TestingData={"Assets": [{"GroundTruthManifest": {"S3Object": {
                "Bucket": "demo-bucket", "Name": "manifests/test.manifest"}}}]},
        )["ProjectVersionArn"]
        step(f"CreateProjectVersion -> {version_arn}")

        rek.get_waiter("project_version_training_completed").wait(
            ProjectArn=project_arn, VersionNames=["v1"]
        )
        desc = rek.describe_project_versions(ProjectArn=project_arn, VersionNames=["v1"])[
            "ProjectVersionDescriptions"
        ][0]
        step(f"waiter project_version_training_completed -> {desc['Status']} "
             f"(billable {desc['BillableTrainingTimeInSeconds']} s, "
             f"F1 {desc['EvaluationResult']['F1Score']:.3f})")
        written = sorted(o["Key"] for o in s3.list_objects_v2(
            Bucket="demo-bucket", Prefix="output/")["Contents"])
        step("training outputs in S3: " + ", ".join(written))
        summary = json.loads(s3.get_object(
            Bucket="demo-bucket", Key=desc["EvaluationResult"]["Summary"]["S3Object"]["Name"]
        )["Body"].read())
        labels = ", ".join(
            f"{r['Label']} F1={r['Metrics']['F1Score']:.2f}"
            for r in summary["LabelEvaluationResults"]
        )
        step(f"evaluation summary: {labels}")

        status = rek.start_project_version(ProjectVersionArn=version_arn, MinInferenceUnits=1)
        step(f"StartProjectVersion -> {status['Status']}")
        rek.get_waiter("project_version_running").wait(ProjectArn=project_arn, VersionNames=["v1"])
        step("waiter project_version_running -> RUNNING")
        uri, label = images[1]
        bucket, image_key = uri[5:].split("/", 1)
        found = rek.detect_custom_labels(
            ProjectVersionArn=version_arn, Image={"S3Object": {"Bucket": bucket, "Name": image_key}}
        )["CustomLabels"]
        answer = ", ".join(f"{x['Name']} ({x['Confidence']:.1f}%)" for x in found)
        step(f"DetectCustomLabels on {uri} (labelled {label}) -> {answer}")
        unseen = rek.detect_custom_labels(
            ProjectVersionArn=version_arn, Image={"Bytes": make_png(128, 128, (1, 2, 3))}
        )["CustomLabels"]
        step(f"DetectCustomLabels on an image the model never saw -> {unseen}")
        rk.advance_time(1800)
        step("the model serves for 30 minutes of (virtual) time")

        stop = rek.stop_project_version(ProjectVersionArn=version_arn)
        step(f"StopProjectVersion -> {stop['Status']}; "
             f"inference-unit hours used: {rk.inference_unit_hours(version_arn):.4f}")
        deleted = rek.delete_project_version(ProjectVersionArn=version_arn)
        step(f"DeleteProjectVersion -> {deleted['Status']}")
        step(f"DeleteProject -> {rek.delete_project(ProjectArn=project_arn)['Status']}")
        left = rek.describe_projects()["ProjectDescriptions"]
        step(f"DescribeProjects -> {len(left)} projects left")
    print(f"done in {time.perf_counter() - t0:.2f} s of real time, no network used")
    return 0


DESCRIPTION = "Amazon Rekognition Custom Labels, mocked in-process on top of moto."
EPILOG = """\
In tests, use @mock_rekognition_custom, `with mock_rekognition_custom() as rk:` or the
pytest fixture `rekomock`; README.md tells the rest."""


#: Every ``rekomock server`` flag and the environment variable that sets it when the flag
#: is not given (flags win). One line per flag; a variable whose flag this build lacks is
#: ignored, so the table may run ahead of the parser. ``--port`` falls back on ``MOTO_PORT``
#: after its own variable, as under ``moto_server``.
SERVER_ENVIRONMENT: dict[str, str] = {
    "--host": "REKOMOCK_HOST",
    "--port": "REKOMOCK_PORT",
    "--quiet": "REKOMOCK_QUIET",
    "--idle-timeout": "REKOMOCK_IDLE_TIMEOUT",
    "--drain-timeout": "REKOMOCK_DRAIN_TIMEOUT",
    "--state-dir": "REKOMOCK_STATE_DIR",
    "--durable": "REKOMOCK_DURABLE",
    "--init": "REKOMOCK_INIT",
    "--init-warn-only": "REKOMOCK_INIT_WARN_ONLY",
    "--request-timeout": "REKOMOCK_REQUEST_TIMEOUT",
    "--max-connections": "REKOMOCK_MAX_CONNECTIONS",
    "--freeze-clock": "REKOMOCK_FREEZE_CLOCK",
    "--ssl": "REKOMOCK_SSL",
    "--ssl-cert": "REKOMOCK_SSL_CERT",
    "--ssl-key": "REKOMOCK_SSL_KEY",
}
#: Read for ``--port`` when neither the flag nor ``REKOMOCK_PORT`` is set.
FALLBACK_VARIABLES: dict[str, tuple[str, ...]] = {"--port": ("MOTO_PORT",)}

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535, not {port}")
    return port


def _seconds(minimum: float, strict: bool) -> Callable[[str], float]:
    """A duration in seconds, above ``minimum`` (or at least it, unless ``strict``)."""

    def parse(value: str) -> float:
        try:
            seconds = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
        if not math.isfinite(seconds) or seconds < minimum or (strict and seconds == minimum):
            bound = "more than" if strict else "at least"
            raise argparse.ArgumentTypeError(f"must be {bound} {minimum:g} seconds, not {value}")
        return seconds

    parse.__name__ = "seconds"
    return parse


class _BadVariable:
    """The default of a flag whose variable is unusable: an error only if the flag is not
    given (flags win), and only for the command that reads it."""

    def __init__(self, message: str) -> None:
        self.message = message


def _from_environment(parser: argparse.ArgumentParser, environ: Mapping[str, str]) -> None:
    """Make each variable of :data:`SERVER_ENVIRONMENT` the default of its flag, checked
    as the flag is (a bad value is a usage error naming the variable, see
    :func:`_check_environment`), and say so in ``--help``."""
    actions = {option: action for action in parser._actions for option in action.option_strings}
    for flag, variable in SERVER_ENVIRONMENT.items():
        action = actions.get(flag)
        if action is None:
            continue
        names = (variable, *FALLBACK_VARIABLES.get(flag, ()))
        action.help = f"{action.help or ''} [env: {' or '.join(names)}]".strip()
        found = next(((name, environ[name]) for name in names if name in environ), None)
        if found is None:
            continue
        name, raw = found
        if action.nargs == 0:  # a switch: store_true
            if raw.strip().lower() not in _TRUE + _FALSE:
                action.default = _BadVariable(
                    f"{name}={raw!r}: use one of {', '.join(_TRUE + _FALSE[:-1])}")
            else:
                action.default = raw.strip().lower() in _TRUE
            continue
        convert: Callable[[str], Any] = action.type if callable(action.type) else str
        try:
            action.default = convert(raw)
        except (argparse.ArgumentTypeError, ValueError) as err:
            action.default = _BadVariable(f"{name}={raw!r}: {err}")


def _check_environment(parser: argparse.ArgumentParser, args: Any) -> None:
    """A usage error (exit 2) for the first unusable variable no flag overrode."""
    for value in vars(args).values():
        if isinstance(value, _BadVariable):
            parser.error(value.message)


def _parser(environ: Mapping[str, str] | None = None) -> argparse.ArgumentParser:
    from . import __version__
    from .server import (
        DEFAULT_HOST,
        DEFAULT_PORT,
        DRAIN_TIMEOUT,
        IDLE_TIMEOUT,
        MAX_CONNECTIONS,
        REQUEST_TIMEOUT,
    )

    parser = argparse.ArgumentParser(
        prog="rekomock", description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"rekomock {__version__}")
    sub = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND")
    sub.add_parser("demo", help="run an end-to-end journey against the mock and print it")
    server = sub.add_parser(
        "server", help="serve the mock (and all of moto) over HTTP until Ctrl-C or SIGTERM",
        description="Serve the mock (and all of moto) over HTTP until Ctrl-C or SIGTERM. "
                    "Each flag can be set by the environment variable named in its help; "
                    "a flag given on the command line wins over its variable.",
    )
    server.add_argument("-H", "--host", default=DEFAULT_HOST,
                        help=f"address to bind (default {DEFAULT_HOST})")
    server.add_argument("-p", "--port", type=_port, default=DEFAULT_PORT,
                        help=f"port (default {DEFAULT_PORT}; 0 picks a free one)")
    server.add_argument("-q", "--quiet", action="store_true", help="do not log each request")
    server.add_argument("--idle-timeout", type=_seconds(0, strict=True), default=IDLE_TIMEOUT,
                        metavar="SECONDS", help="close a connection that sends nothing for "
                                                f"this long (default {IDLE_TIMEOUT:g})")
    server.add_argument("--drain-timeout", type=_seconds(0, strict=False),
                        default=DRAIN_TIMEOUT, metavar="SECONDS",
                        help="on Ctrl-C or SIGTERM, time left to requests in flight "
                             f"(default {DRAIN_TIMEOUT:g})")
    server.add_argument("--request-timeout", type=float, default=REQUEST_TIMEOUT,
                        metavar="SECONDS", help="from its first byte, the time a whole request "
                                                "may take to arrive; later, a JSON 408 "
                                                "(default %(default)g)")
    server.add_argument("--max-connections", type=int, default=MAX_CONNECTIONS, metavar="N",
                        help="connections served at once; as many more wait, beyond that a "
                             "JSON 503 (default %(default)d)")
    server.add_argument("--freeze-clock", action="store_true",
                        help="freeze the mock's clock, also after each reset: only "
                             "advance-time and its kin move it")
    server.add_argument("--state-dir", metavar="DIR", default=None,
                        help="load the state saved in DIR at start and save it there at a "
                             "graceful stop (created if missing)")
    server.add_argument("--durable", action="store_true",
                        help="with --state-dir, also save after every request that may "
                             "change the state, before answering it: a kill -9 loses "
                             "nothing answered (each such request costs a save)")
    server.add_argument("--init", metavar="PATH", default=None,
                        help="once the server answers, run this *.py or *.sh file, or those "
                             "of this folder in name order, with AWS_ENDPOINT_URL and test "
                             "credentials set; the ready line follows them (with --state-dir, "
                             "only when no state was loaded)")
    server.add_argument("--init-warn-only", action="store_true",
                        help="a failing init hook is a warning instead of stopping the server")
    server.add_argument("-s", "--ssl", action="store_true",
                        help="serve HTTPS with a self-signed certificate made at start "
                             "(clients skip verifying it: boto3's verify=False)")
    server.add_argument("-c", "--ssl-cert", metavar="FILE", default=None,
                        help="serve HTTPS with this PEM certificate (chain); needs --ssl-key")
    server.add_argument("-k", "--ssl-key", metavar="FILE", default=None,
                        help="the PEM private key of --ssl-cert")
    _from_environment(server, os.environ if environ is None else environ)
    parser.set_defaults(server_parser=server)
    return parser


def _quiet_broken_pipe() -> None:
    """The reader of our output went away (``rekomock demo | head -3``): end quietly, as
    command-line tools do, instead of a BrokenPipeError traceback at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # the interpreter's final flush must not fail too


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args: Any = parser.parse_args(argv)
    if args.command is None:  # bare `rekomock`: say what it can do, as a usage error
        parser.print_help(sys.stderr)
        return 2
    if args.command == "demo":
        try:
            return demo()
        except BrokenPipeError:
            _quiet_broken_pipe()
            return 0
    if args.command == "server":
        from .server import serve

        _check_environment(args.server_parser, args)
        return serve(args.host, args.port, quiet=args.quiet, idle_timeout=args.idle_timeout,
                     drain_timeout=args.drain_timeout, state_dir=args.state_dir,
                     durable=args.durable, init=args.init,
                     init_warn_only=args.init_warn_only, request_timeout=args.request_timeout,
                     max_connections=args.max_connections, freeze_clock=args.freeze_clock,
                     ssl=args.ssl, ssl_cert=args.ssl_cert, ssl_key=args.ssl_key)
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())
