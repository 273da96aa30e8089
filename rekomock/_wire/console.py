"""The console: what the mock holds, as HTML pages, at ``/rekomock/``.

``rekomock server`` serves it beside moto's services (:func:`with_console`), and
``rk.console()`` serves it alone from a thread of a test process
(:mod:`rekomock._wire.console_server`). The pages are built with the standard library
(``html.escape``), with inline CSS and no script: no template engine, no asset fetched at run
time, so it works offline and without JavaScript.

The views read the state as the API's own calls do (the backend's DescribeProjects,
DescribeProjectVersions, ListDatasetEntries, ... code), and the evaluation from the files the
training wrote to S3, as AWS's console does. The actions are HTML forms posting to the same
code as the API and the control routes: StopProjectVersion's, ``rk.advance_time``,
``rk.fail_training``, ``rk.clear_errors``. Opening a project trained from manifest files does
what AWS's console does (:mod:`rekomock._service.console_datasets`).

Paths (the account and region come from the ARN, else from ``?account=&region=``):

===============================  =====  ==================================================
``/rekomock/``                   GET    projects, running models, recent calls, controls
``/rekomock/project?arn=``       GET    a project's datasets and versions
``/rekomock/version?arn=``       GET    a version, its evaluation and test images
``/rekomock/dataset?arn=``       GET    a dataset's stats, labels and entries
``/rekomock/calls``              GET    the calls answered, errors highlighted
``/rekomock/image?uri=s3://..``  GET    an image from S3, as the account reads it
``/rekomock/stop``               POST   ``arn``: StopProjectVersion
``/rekomock/advance-time``       POST   ``seconds``
``/rekomock/fail-training``      POST   ``message``?
``/rekomock/clear-errors``       POST   --
===============================  =====  ==================================================
"""

from __future__ import annotations

import functools
import html
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from moto.core.models import DEFAULT_ACCOUNT_ID

from .._domain import arns, clock
from .._domain.exceptions import RekognitionError
from .._domain.projects import CONTENT_MODERATION, CUSTOM_LABELS
from .._domain.versions import RUNNING
from .._service import s3io
from .._service.backend import RekognitionCustomBackend, rekognition_custom_backends
from .._service.console_datasets import OpenedProject, open_project
from .._service.controller import Controller

__all__ = ["PREFIX", "application", "with_console"]

PREFIX = "/rekomock/"
DEFAULT_REGION = "us-east-1"
#: Calls shown on the first page; the calls page shows every one kept.
RECENT_CALLS = 15
#: Dataset entries shown per page.
ENTRIES_PER_PAGE = 50
#: The longest image the console serves (a dataset's images are at most 15 MB in AWS).
MAX_IMAGE_BYTES = 16 * 1024 * 1024

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Response = tuple[str, list[tuple[str, str]], bytes]

_rk = Controller()
logger = logging.getLogger(__name__)

_CSS = """
:root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
 color:#1b1b1b;background:#fff;line-height:1.45}
body{margin:0}
.skip{position:absolute;left:-10000px}
.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:2}
header{background:#232f3e;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;
 gap:1rem;align-items:center}
header a{color:#fff}
header nav ul{list-style:none;display:flex;gap:1rem;margin:0;padding:0}
header form{margin-left:auto;display:flex;gap:.5rem;align-items:center}
main{padding:1rem 1.5rem;max-width:80rem}
a{color:#0a58ca}
:focus-visible{outline:3px solid #c45500;outline-offset:2px}
table{border-collapse:collapse;margin:.5rem 0 1rem}
th,td{border:1px solid #8d99a6;padding:.3rem .6rem;text-align:left;vertical-align:top}
thead th{background:#eef1f4}
td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.error td{background:#fde8e8;color:#7a1010}
.notice{border-left:.4rem solid #0a58ca;background:#eef4ff;padding:.6rem 1rem;margin:1rem 0}
.problem{border-left:.4rem solid #b00020;background:#fde8e8;padding:.6rem 1rem;margin:1rem 0}
button{font:inherit;background:#0a58ca;color:#fff;border:0;border-radius:.25rem;
 padding:.35rem .8rem;cursor:pointer}
button.danger{background:#b00020}
input,select{font:inherit;padding:.2rem .3rem}
form.inline{display:inline}
.controls{display:flex;flex-wrap:wrap;gap:1.5rem}
.controls form{border:1px solid #8d99a6;padding:.6rem;border-radius:.25rem}
figure{display:inline-block;margin:.5rem;vertical-align:top;max-width:22rem}
figure.has-errors{outline:3px solid #b00020;background:#fde8e8;color:#7a1010;padding:.3rem}
figure svg,img.thumb{max-width:20rem;max-height:16rem;border:1px solid #8d99a6}
.truth{fill:none;stroke:#007a3d;stroke-width:3}
.predicted{fill:none;stroke:#c40062;stroke-width:3;stroke-dasharray:8 4}
dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}
dt{font-weight:600}
code{overflow-wrap:anywhere}
"""


class _HttpError(Exception):
    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class _Where:
    """The account and region a page shows."""

    account: str
    region: str

    def query(self, **extra: str) -> str:
        return "?" + urlencode({"account": self.account, "region": self.region, **extra})

    @property
    def backend(self) -> RekognitionCustomBackend:
        backend: RekognitionCustomBackend = rekognition_custom_backends[self.account][self.region]
        return backend


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _link(path: str, text: str, **query: str) -> str:
    target = PREFIX + path + ("?" + urlencode(query) if query else "")
    return f'<a href="{_e(target)}">{_e(text)}</a>'


def _when(epoch: float | None) -> str:
    if epoch is None:
        return "&mdash;"
    moment = datetime.fromtimestamp(epoch, tz=timezone.utc)
    text = moment.strftime("%Y-%m-%d %H:%M:%S UTC")
    return f'<time datetime="{_e(moment.isoformat())}">{_e(text)}</time>'


def _number(value: Any, digits: int = 3) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:.{digits}f}" if isinstance(value, float) else str(value)
    return "&mdash;"


def _table(caption: str, headers: list[str], rows: list[str], empty: str) -> str:
    if not rows:
        return f"<p>{_e(empty)}</p>"
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in headers)
    return (f"<table><caption>{_e(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _cells(*values: str, numeric: Iterable[int] = ()) -> str:
    nums = set(numeric)
    return "".join(f'<td class="num">{v}</td>' if i in nums else f"<td>{v}</td>"
                   for i, v in enumerate(values))


# ------------------------------------------------------------------ the mock's places


def _places() -> list[tuple[str, str]]:
    """The accounts and regions the mock has seen, the default first."""
    seen = {(account, region) for account, region, _ in
            list(rekognition_custom_backends.iter_backends())}
    seen.add((DEFAULT_ACCOUNT_ID, DEFAULT_REGION))
    return sorted(seen, key=lambda p: (p != (DEFAULT_ACCOUNT_ID, DEFAULT_REGION), p))


def _regions() -> list[str]:
    """The regions moto knows for Rekognition (boto3's list, as moto builds it)."""
    regions: list[str] = getattr(rekognition_custom_backends, "regions", [])
    return regions


def _where(query: dict[str, str], arn: str | None = None) -> _Where:
    if arn is not None:
        parsed = arns.parse(arn)
        if parsed is None:
            raise _HttpError("400 Bad Request", f"not a Custom Labels ARN: {arn}")
        account, region = parsed.account, parsed.region
    else:
        account = query.get("account") or DEFAULT_ACCOUNT_ID
        region = query.get("region") or DEFAULT_REGION
    if not account.isdigit() or len(account) != 12:
        raise _HttpError("400 Bad Request", f"account must be 12 digits, not {account!r}")
    known = set(_regions()) | {region for _, region in _places()}
    if region not in known:
        raise _HttpError("400 Bad Request", f"unknown region {region!r}")
    return _Where(account, region)


def _all_pages(fetch: Callable[[str | None], tuple[list[Any], str | None]]) -> list[Any]:
    items: list[Any] = []
    token: str | None = None
    while True:
        page, token = fetch(token)
        items += page
        if token is None:
            return items


def _projects(where: _Where) -> list[Any]:
    backend = where.backend
    return _all_pages(lambda token: backend.describe_projects(
        None, [CUSTOM_LABELS, CONTENT_MODERATION], token, 100))


def _versions(where: _Where, project_arn: str) -> list[Any]:
    backend = where.backend
    return _all_pages(lambda token: backend.describe_project_versions(
        project_arn, None, token, 100))


def _api(call: Callable[[], Any]) -> Any:
    """A backend call answered as a page: its AWS error becomes a 4xx with its message."""
    try:
        return call()
    except RekognitionError as err:
        status = "404 Not Found" if err.code == "ResourceNotFoundException" else "409 Conflict"
        raise _HttpError(status, f"{err.code}: {err.message}") from err


# ---------------------------------------------------------------------------- page


def _page(title: str, body: str, where: _Where) -> bytes:
    options_account = "".join(
        f'<option value="{_e(a)}"{" selected" if a == where.account else ""}>{_e(a)}</option>'
        for a in sorted({a for a, _ in _places()} | {where.account}))
    regions = sorted(set(_regions()) | {where.region})
    options_region = "".join(
        f'<option value="{_e(r)}"{" selected" if r == where.region else ""}>{_e(r)}</option>'
        for r in regions)
    q = {"account": where.account, "region": where.region}
    running = _e(PREFIX + "?" + urlencode(q) + "#running")
    nav = (f"<nav aria-label=\"Main\"><ul><li>{_link('', 'Projects', **q)}</li>"
           f'<li><a href="{running}">Running models</a></li>'
           f"<li>{_link('calls', 'Calls', **q)}</li></ul></nav>")
    selector = (
        f'<form method="get" action="{PREFIX}" aria-label="Account and region">'
        f'<label for="account">Account</label>'
        f'<select id="account" name="account">{options_account}</select>'
        f'<label for="region">Region</label>'
        f'<select id="region" name="region">{options_region}</select>'
        f"<button type=\"submit\">Show</button></form>")
    document = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)} &middot; rekomock console</title><style>{_CSS}</style></head>"
        '<body><a class="skip" href="#main">Skip to main content</a>'
        f'<header><strong>rekomock console</strong>{nav}{selector}</header>'
        f'<main id="main" tabindex="-1"><h1>{_e(title)}</h1>{body}</main></body></html>')
    return document.encode()


def _message(query: dict[str, str]) -> str:
    done = query.get("done")
    return f'<p class="notice" role="status">{_e(done)}</p>' if done else ""


# ------------------------------------------------------------------------- views


def _overview(query: dict[str, str]) -> tuple[str, str, _Where]:
    where = _where(query)
    rows = []
    running = []
    for project in _projects(where):
        versions = _versions(where, project.arn)
        datasets = ", ".join(ds.dataset_type for ds in project.live_datasets()) or "none"
        rows.append("<tr>" + _cells(
            _link("project", project.name, arn=project.arn), _e(project.feature),
            _e(project.status), _when(clock.epoch(project.created)), _e(datasets),
            str(len(versions)), numeric=[5]) + "</tr>")
        running += [v for v in versions if v.status == RUNNING]
    body = _message(query)
    body += (f"<p>The mock's clock: {_when(clock.epoch(clock.now()))}.</p>"
             "<section aria-labelledby=\"projects\"><h2 id=\"projects\">Projects</h2>")
    body += _table(f"Projects in {where.account}, {where.region}",
                   ["Project", "Feature", "Status", "Created", "Datasets", "Versions"], rows,
                   "No projects in this account and region.")
    body += "</section><section aria-labelledby=\"running\"><h2 id=\"running\">Running models</h2>"
    body += _running_table(running)
    body += "</section>" + _controls(where) + _calls_section(where, RECENT_CALLS)
    return f"Custom Labels in {where.account}, {where.region}", body, where


def _running_table(versions: list[Any]) -> str:
    rows = []
    serving = {model.version: model for model in _rk.running()}
    for v in versions:
        hours = _rk.inference_unit_hours(v.arn)
        model = serving.get(v.arn)
        in_service = model.inference_units if model is not None else 0
        run = v.meter.run
        desired = run.wanted if run is not None else 0  # after running(), which advanced it
        per_hour = model.cost_per_hour if model is not None else 0.0
        so_far = _rk.bill(v.arn).total
        rows.append("<tr>" + _cells(
            _link("version", f"{v.project.name}/{v.name}", arn=v.arn),
            _e(v.min_units), _e(v.max_units) if v.max_units is not None else "&mdash;",
            _e(in_service), _e(desired), f"{hours:.4f}", f"${per_hour:,.2f}",
            f"${so_far:,.2f}", _stop_form(v), numeric=[1, 2, 3, 4, 5, 6, 7]) + "</tr>")
    return _table("Running models", ["Model", "Inference units", "Max units",
                                     "In service (InServiceInferenceUnits)",
                                     "Desired (DesiredInferenceUnits)",
                                     "Inference-unit hours so far", "Cost per hour (USD)",
                                     "Cost so far (USD, training included)", "Action"], rows,
                  "No model is running.")


def _stop_form(version: Any) -> str:
    return (f'<form class="inline" method="post" action="{PREFIX}stop">'
            f'<input type="hidden" name="arn" value="{_e(version.arn)}">'
            f'<button type="submit" class="danger" aria-label="Stop model '
            f'{_e(version.project.name)}/{_e(version.name)}">Stop model</button></form>')


def _controls(where: _Where) -> str:
    back = _e(PREFIX + where.query())
    return (
        '<section aria-labelledby="controls"><h2 id="controls">Mock controls</h2>'
        '<div class="controls">'
        f'<form method="post" action="{PREFIX}advance-time">'
        f'<input type="hidden" name="back" value="{back}">'
        '<label for="seconds">Advance the clock by (seconds)</label> '
        '<input id="seconds" name="seconds" type="number" min="0" step="any" value="3600" '
        'required> <button type="submit">Advance clock</button></form>'
        f'<form method="post" action="{PREFIX}fail-training">'
        f'<input type="hidden" name="back" value="{back}">'
        '<label for="message">Fail the next training with message</label> '
        '<input id="message" name="message" type="text" size="40" '
        'placeholder="Amazon Rekognition experienced a service issue"> '
        '<button type="submit">Fail next training</button></form>'
        f'<form method="post" action="{PREFIX}clear-errors">'
        f'<input type="hidden" name="back" value="{back}">'
        '<button type="submit">Clear injected errors</button></form>'
        "</div></section>")


def _calls_rows(where: _Where, limit: int | None) -> list[str]:
    calls = [c for c in _rk.calls if c.account_id == where.account and c.region == where.region]
    calls.reverse()
    if limit is not None:
        calls = calls[:limit]
    rows = []
    for call in calls:
        params = json.dumps(call.params, default=str)
        if len(params) > 300:
            params = params[:300] + "..."
        error = f"<strong>Error</strong>: {_e(call.error)}" if call.error else "OK"
        cls = ' class="error"' if call.error else ""
        rows.append(f"<tr{cls}>" + _cells(
            _e(call.operation), error, str(call.status), f"<code>{_e(params)}</code>",
            f"<code>{_e(call.request_id)}</code>", numeric=[2]) + "</tr>")
    return rows


def _calls_section(where: _Where, limit: int) -> str:
    rows = _calls_rows(where, limit)
    return ('<section aria-labelledby="calls"><h2 id="calls">Recent calls</h2>'
            + _table("The latest calls, newest first", ["Operation", "Result", "HTTP status",
                                                         "Request", "Request ID"], rows,
                     "No Custom Labels call answered yet in this account and region.")
            + f"<p>{_link('calls', 'Every call kept', account=where.account, region=where.region)}"
            "</p></section>")


def _calls(query: dict[str, str]) -> tuple[str, str, _Where]:
    where = _where(query)
    rows = _calls_rows(where, None)
    body = _table("Calls answered, newest first",
                  ["Operation", "Result", "HTTP status", "Request", "Request ID"], rows,
                  "No Custom Labels call answered yet in this account and region.")
    return "Calls", body, where


def _opened_notice(opened: OpenedProject) -> str:
    made = "".join(
        f"<li>{_e(t)} from <code>{_e(uri)}</code></li>" if uri
        else f"<li>{_e(t)}: empty, then 20% of the training images moved into it "
             "(DistributeDatasetEntries), as the version's TestingData asked for AutoCreate</li>"
        for t, uri in opened.created.items())
    problems = "".join(f"<li>{_e(p)}</li>" for p in opened.problems)
    text = (
        '<div class="notice" role="status"><h2>Datasets created from the manifest files</h2>'
        "<p>This project had no datasets: its models were trained from manifest files. "
        "Opening it did what AWS's console does: &ldquo;If you open the console after training "
        "a model with manifest files, Amazon Rekognition Custom Labels creates the datasets for "
        "you using the most recent manifest files. You can no longer train a model version for "
        "the project by specifying manifest files.&rdquo; (Amazon Rekognition API Reference, "
        '<a href="https://docs.aws.amazon.com/rekognition/latest/APIReference/'
        'API_CreateProjectVersion.html">CreateProjectVersion</a>; Custom Labels Developer Guide, '
        '<a href="https://docs.aws.amazon.com/rekognition/latest/customlabels-dg/'
        'training-model.html">Training an Amazon Rekognition Custom Labels model</a>).</p>'
        f"<p>From the manifests of version {_e(opened.version_name)}:</p><ul>{made}</ul>"
        "<p>CreateProjectVersion now refuses TrainingData and TestingData for this project; "
        "it trains on these datasets.</p>")
    if problems:
        text += f'<p>Not done:</p><ul class="problem">{problems}</ul>'
    return text + "</div>"


def _project(query: dict[str, str]) -> tuple[str, str, _Where]:
    arn = _required(query, "arn")
    where = _where(query, arn)
    backend = where.backend
    project = _api(lambda: backend.get_project(arn))
    opened = open_project(backend, project)
    body = _message(query) + (_opened_notice(opened) if opened is not None else "")
    body += (f"<dl><dt>ARN</dt><dd><code>{_e(project.arn)}</code></dd>"
             f"<dt>Feature</dt><dd>{_e(project.feature)}</dd>"
             f"<dt>Status</dt><dd>{_e(project.status)}</dd>"
             f"<dt>Created</dt><dd>{_when(clock.epoch(project.created))}</dd></dl>")
    rows = []
    for known in list(project.live_datasets()):
        dataset = _api(functools.partial(backend.describe_dataset, known.arn))
        meta, stats = dataset.metadata(), dataset.describe()["DatasetStats"]
        rows.append("<tr>" + _cells(
            _link("dataset", meta["DatasetType"], arn=meta["DatasetArn"]), _e(meta["Status"]),
            _e(meta["StatusMessage"]), str(stats["TotalEntries"]), str(stats["LabeledEntries"]),
            str(stats["TotalLabels"]), str(stats["ErrorEntries"]), numeric=[3, 4, 5, 6]) + "</tr>")
    body += '<section aria-labelledby="datasets"><h2 id="datasets">Datasets</h2>'
    body += _table("Datasets", ["Dataset", "Status", "Status message", "Entries", "Labeled",
                                "Labels", "Entries with errors"], rows,
                   "This project has no datasets.")
    rows = []
    for v in _versions(where, project.arn):
        d = v.describe()
        f1 = (d.get("EvaluationResult") or {}).get("F1Score")
        rows.append("<tr>" + _cells(
            _link("version", v.name, arn=v.arn), _e(d["Status"]), _e(d["StatusMessage"]),
            _when(d["CreationTimestamp"]), _when(d.get("TrainingEndTimestamp")),
            _number(f1), _e(d.get("MinInferenceUnits", "")), numeric=[5, 6]) + "</tr>")
    body += ('</section><section aria-labelledby="versions"><h2 id="versions">Models</h2>'
             + _table("Model versions, newest first",
                      ["Version", "Status", "Status message", "Created", "Training ended",
                       "F1 score", "Inference units"], rows, "No model version yet.")
             + "</section>")
    return f"Project {project.name}", body, where


def _s3_json(where: _Where, s3_object: dict[str, Any] | None) -> Any:
    if not s3_object:
        return None
    data = s3io.read(where.account, where.region, s3_object["Bucket"], s3_object["Name"])
    if data is None:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return None


def _s3_lines(where: _Where, s3_object: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not s3_object:
        return []
    data = s3io.read(where.account, where.region, s3_object["Bucket"], s3_object["Name"])
    lines = []
    for raw in (data or b"").splitlines():
        try:
            line = json.loads(raw)
        except ValueError:
            continue
        if isinstance(line, dict):
            lines.append(line)
    return lines


def _version(query: dict[str, str]) -> tuple[str, str, _Where]:
    arn = _required(query, "arn")
    where = _where(query, arn)
    backend = where.backend
    found = _api(lambda: backend.find_version(arn))
    # Seen as DescribeProjectVersions sees it: what an ended phase leaves behind happens now.
    versions, _ = _api(lambda: backend.describe_project_versions(
        found.project.arn, [found.name], None, None))
    if not versions:
        raise _HttpError("404 Not Found", f"no such project version: {arn}")
    version = versions[0]
    d = version.describe()
    body = _message(query)
    body += (f"<p>{_link('project', 'Project ' + version.project.name, arn=version.project.arn)}"
             "</p>")
    body += (f"<dl><dt>ARN</dt><dd><code>{_e(version.arn)}</code></dd>"
             f"<dt>Status</dt><dd>{_e(d['Status'])}</dd>"
             f"<dt>Status message</dt><dd>{_e(d['StatusMessage'])}</dd>"
             f"<dt>Created</dt><dd>{_when(d['CreationTimestamp'])}</dd>"
             f"<dt>Training ended</dt><dd>{_when(d.get('TrainingEndTimestamp'))}</dd>"
             f"<dt>Billable training time</dt>"
             f"<dd>{_e(d.get('BillableTrainingTimeInSeconds', '-'))} s</dd>"
             f"<dt>Inference units</dt><dd>{_e(d.get('MinInferenceUnits', '-'))}</dd>"
             f"<dt>Inference-unit hours so far</dt>"
             f"<dd>{_rk.inference_unit_hours(version.arn):.4f}</dd>"
             f"<dt>Cost so far (USD, training included)</dt>"
             f"<dd>${_rk.bill(version.arn).total:,.2f}</dd>"
             "</dl>")
    if d["Status"] == RUNNING:
        body += f"<p>{_stop_form(version)}</p>"
    body += _evaluation(where, d)
    return f"Model {version.project.name}/{version.name}", body, where


def _evaluation(where: _Where, d: dict[str, Any]) -> str:
    summary_ref = ((d.get("EvaluationResult") or {}).get("Summary") or {}).get("S3Object")
    summary = _s3_json(where, summary_ref)
    out = '<section aria-labelledby="evaluation"><h2 id="evaluation">Evaluation</h2>'
    if not isinstance(summary, dict) or summary_ref is None:
        return out + "<p>No evaluation: the model has not finished training successfully, " \
                     "or its summary file is no longer in S3.</p></section>"
    aggregate = summary.get("AggregatedEvaluationResults") or {}
    details = summary.get("EvaluationDetails") or {}
    out += (f"<p>From <code>s3://{_e(summary_ref['Bucket'])}/{_e(summary_ref['Name'])}"
            "</code>.</p><dl>"
            f"<dt>F1 score</dt><dd>{_number(aggregate.get('F1Score'))}</dd>"
            f"<dt>Average precision</dt><dd>{_number(aggregate.get('Precision'))}</dd>"
            f"<dt>Overall recall</dt><dd>{_number(aggregate.get('Recall'))}</dd>"
            f"<dt>Training images</dt><dd>{_e(details.get('NumberOfTrainingImages', ''))}</dd>"
            f"<dt>Test images</dt><dd>{_e(details.get('NumberOfTestingImages', ''))}</dd></dl>")
    rows = []
    for result in summary.get("LabelEvaluationResults") or []:
        m = result.get("Metrics") or {}
        rows.append("<tr>" + _cells(
            _e(result.get("Label")), _number(m.get("F1Score")), _number(m.get("Precision")),
            _number(m.get("Recall")), _number(m.get("Threshold")),
            _e(result.get("NumberOfTestingImages", "")), numeric=[1, 2, 3, 4, 5]) + "</tr>")
    out += _table("Per-label performance", ["Label", "F1 score", "Precision", "Recall",
                                            "Assumed threshold", "Test images"], rows,
                  "No label results.")
    matrix = aggregate.get("ConfusionMatrix")
    if isinstance(matrix, list):
        out += _confusion(details.get("Labels") or [], matrix)
    test_ref = (((d.get("TestingDataResult") or {}).get("Output") or {}).get("Assets")
                or [{}])[0].get("GroundTruthManifest", {}).get("S3Object")
    out += _test_images(where, _s3_lines(where, test_ref))
    return out + "</section>"


def _confusion(labels: list[str], cells: list[dict[str, Any]]) -> str:
    values: dict[tuple[Any, Any], float] = {
        (c.get("GroundTruthLabel"), c.get("PredictedLabel")): float(c["Value"])
        for c in cells if isinstance(c, dict) and isinstance(c.get("Value"), (int, float))}
    head = "".join(f'<th scope="col">{_e(p)}</th>' for p in labels)
    rows = "".join(
        f'<tr><th scope="row">{_e(g)}</th>' + "".join(
            f'<td class="num">{values.get((g, p), 0.0) * 100:.1f}%</td>'
            for p in labels) + "</tr>"
        for g in labels)
    return ('<h3 id="confusion">Confusion matrix</h3>'
            '<table aria-describedby="confusion-note"><caption>Confusion matrix: rows are the '
            "true labels, columns the predicted labels</caption>"
            f'<thead><tr><th scope="col">True \\ Predicted</th>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table>"
            '<p id="confusion-note">Each cell: the share of the test images with the row\'s '
            "label that the model labelled with the column's label at its assumed threshold."
            "</p>")


# ------------------------------------------------------------ Ground Truth lines


@dataclass
class _Box:
    label: str
    left: float
    top: float
    width: float
    height: float
    confidence: float | None = None


@dataclass
class _Line:
    source_ref: str
    labels: list[str]
    boxes: list[_Box]
    size: tuple[int, int] | None
    errors: list[str]


def _errors_in(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in ("errors", "cl-errors") and isinstance(inner, list):
                for error in inner:
                    if isinstance(error, dict):
                        yield f"{error.get('code', '')}: {error.get('message', '')}".strip(": ")
                    else:
                        yield str(error)
            else:
                yield from _errors_in(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _errors_in(inner)


def _boxes(value: dict[str, Any], metadata: dict[str, Any]) -> list[_Box]:
    class_map = metadata.get("class-map") or {}
    objects = metadata.get("objects") or []
    boxes = []
    for i, a in enumerate(value.get("annotations") or []):
        if not isinstance(a, dict):
            continue
        try:
            numbers = [float(a[k]) for k in ("left", "top", "width", "height")]
        except (KeyError, TypeError, ValueError):
            continue
        confidence = None
        if i < len(objects) and isinstance(objects[i], dict) and metadata.get(
                "human-annotated") == "no":
            confidence = objects[i].get("confidence")
        left, top, width, height = numbers
        boxes.append(_Box(str(class_map.get(str(a.get("class_id")), a.get("class_id"))),
                          left, top, width, height, confidence))
    return boxes


def _parse_line(line: dict[str, Any], attribute: str) -> _Line:
    """The labels and boxes of the line's attributes whose name starts with ``attribute``
    (``rekognition-custom-labels-evaluation`` for predictions; any other for ground truth)."""
    labels: list[str] = []
    boxes: list[_Box] = []
    size: tuple[int, int] | None = None
    for key, value in line.items():
        metadata = line.get(f"{key}-metadata")
        if key.endswith("-metadata") or not isinstance(metadata, dict):
            continue
        predicted = key.startswith("rekognition-custom-labels-evaluation")
        if predicted != (attribute == "rekognition-custom-labels-evaluation"):
            continue
        if isinstance(value, dict) and "annotations" in value:
            boxes += _boxes(value, metadata)
            sizes = value.get("image_size") or []
            if sizes and isinstance(sizes[0], dict):
                try:
                    size = (int(sizes[0]["width"]), int(sizes[0]["height"]))
                except (KeyError, TypeError, ValueError):
                    pass
        elif "class-name" in metadata:
            name = str(metadata["class-name"])
            confidence = metadata.get("confidence")
            if predicted and isinstance(confidence, (int, float)):
                details = metadata.get("rekognition-custom-labels-evaluation-details") or {}
                verdict = (", false positive" if details.get("is-false-positive") else
                           ", below its threshold" if details.get("is-false-negative") else "")
                name += f" ({confidence * 100:.1f}%{verdict})"
            labels.append(name)
    return _Line(str(line.get("source-ref", "")), labels, boxes, size,
                 list(_errors_in(line)))


def _image_url(where: _Where, uri: str) -> str:
    return PREFIX + "image" + where.query(uri=uri)


def _figure(where: _Where, truth: _Line, predicted: _Line | None) -> str:
    """An image with its true (solid) and predicted (dashed) boxes, described in words."""
    name = truth.source_ref.rsplit("/", 1)[-1]
    words = [f"True: {', '.join(truth.labels) or 'no label'}"] if truth.labels else []
    if truth.boxes:
        words.append("True boxes: " + "; ".join(
            f"{b.label} at {b.left:.0f},{b.top:.0f} {b.width:.0f}x{b.height:.0f}"
            for b in truth.boxes))
    if predicted is not None:
        if predicted.labels:
            words.append("Predicted: " + ", ".join(predicted.labels))
        if predicted.boxes or not predicted.labels:
            words.append("Predicted boxes: " + ("; ".join(
                f"{b.label}" + (f" {float(b.confidence) * 100:.1f}%" if b.confidence is not None
                                else "")
                + f" at {b.left:.0f},{b.top:.0f} {b.width:.0f}x{b.height:.0f}"
                for b in predicted.boxes) or "none"))
    caption = "".join(f"<li>{_e(w)}</li>" for w in words)
    if truth.errors:
        caption += f"<li><strong>Errors</strong>: {_e('; '.join(truth.errors))}</li>"
    src = _e(_image_url(where, truth.source_ref))
    size = truth.size
    boxes = truth.boxes + (predicted.boxes if predicted else [])
    if size is not None and boxes:
        width, height = size
        rects = "".join(
            f'<rect class="truth" x="{b.left}" y="{b.top}" width="{b.width}" '
            f'height="{b.height}"><title>true: {_e(b.label)}</title></rect>'
            for b in truth.boxes)
        rects += "".join(
            f'<rect class="predicted" x="{b.left}" y="{b.top}" width="{b.width}" '
            f'height="{b.height}"><title>predicted: {_e(b.label)}</title></rect>'
            for b in (predicted.boxes if predicted else []))
        picture = (f'<svg role="img" aria-label="{_e(name)} with its boxes" '
                   f'viewBox="0 0 {width} {height}" width="{min(width, 320)}" '
                   f'xmlns="http://www.w3.org/2000/svg">'
                   f'<image href="{src}" width="{width}" height="{height}"/>{rects}</svg>')
    else:
        picture = f'<img class="thumb" src="{src}" alt="{_e(name)}" loading="lazy">'
    marked = ' class="has-errors"' if truth.errors else ""
    return (f"<figure{marked}>{picture}<figcaption><code>{_e(truth.source_ref)}</code>"
            f"<ul>{caption}</ul></figcaption></figure>")


def _test_images(where: _Where, lines: list[dict[str, Any]]) -> str:
    if not lines:
        return ""
    figures = "".join(
        _figure(where, _parse_line(line, "truth"),
                _parse_line(line, "rekognition-custom-labels-evaluation"))
        for line in lines[:ENTRIES_PER_PAGE])
    more = (f"<p>The first {ENTRIES_PER_PAGE} of {len(lines)} test images.</p>"
            if len(lines) > ENTRIES_PER_PAGE else "")
    legend = ("<p>True boxes are drawn solid green, predicted boxes dashed pink; each image's "
              "caption lists them.</p>" if "<svg" in figures else
              "<p>Each image's caption gives its true labels and the model's answers.</p>")
    return f'<h3 id="test-images">Test images</h3>{legend}{more}<div>{figures}</div>'



def _dataset(query: dict[str, str]) -> tuple[str, str, _Where]:
    arn = _required(query, "arn")
    where = _where(query, arn)
    backend = where.backend
    dataset = _api(lambda: backend.describe_dataset(arn))
    d = dataset.describe()
    stats = d["DatasetStats"]
    body = (f"<p>{_link('project', 'Project ' + dataset.project.name, arn=dataset.project.arn)}"
            "</p><dl>"
            f"<dt>ARN</dt><dd><code>{_e(arn)}</code></dd>"
            f"<dt>Status</dt><dd>{_e(d['Status'])}</dd>"
            f"<dt>Status message</dt><dd>{_e(d['StatusMessage'])} "
            f"({_e(d['StatusMessageCode'])})</dd>"
            f"<dt>Last updated</dt><dd>{_when(d['LastUpdatedTimestamp'])}</dd>"
            + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in stats.items())
            + "</dl>")
    try:
        labels = _all_pages(lambda token: backend.list_dataset_labels(arn, token, 100))
        token = query.get("token") or None
        entries, next_token = backend.list_dataset_entries(
            arn, None, None, None, None, token, ENTRIES_PER_PAGE)
    except RekognitionError as err:
        return (f"Dataset {dataset.project.name}/{dataset.dataset_type}",
                body + f'<p class="problem">{_e(err.code)}: {_e(err.message)}</p>', where)
    rows = ["<tr>" + _cells(_e(label["LabelName"]), str(label["LabelStats"]["EntryCount"]),
                            str(label["LabelStats"].get("BoundingBoxCount", "")),
                            numeric=[1, 2]) + "</tr>" for label in labels]
    body += ('<section aria-labelledby="labels"><h2 id="labels">Labels</h2>'
             + _table("Labels", ["Label", "Images", "Bounding boxes"], rows, "No labels.")
             + '</section><section aria-labelledby="entries"><h2 id="entries">Entries</h2>')
    figures = "".join(_figure(where, _parse_line(json.loads(entry), "truth"), None)
                      for entry in entries)
    body += f"<div>{figures}</div>" if figures else "<p>No entries.</p>"
    if next_token:
        body += f"<p>{_link('dataset', 'Next entries', arn=arn, token=next_token)}</p>"
    body += "</section>"
    return f"Dataset {dataset.project.name}/{dataset.dataset_type}", body, where


def _image(query: dict[str, str]) -> Response:
    where = _where(query)
    uri = _required(query, "uri")
    where_in_s3 = s3io.parse_s3_uri(uri)
    if where_in_s3 is None:
        raise _HttpError("400 Bad Request", f"not an s3:// URI: {uri}")
    data = s3io.read(where.account, where.region, *where_in_s3)
    if data is None:
        raise _HttpError("404 Not Found", f"{uri} is not readable by account {where.account}")
    if len(data) > MAX_IMAGE_BYTES:
        raise _HttpError("413 Content Too Large", f"{uri} is larger than an image AWS takes")
    kind = ("image/png" if data.startswith(b"\x89PNG") else
            "image/jpeg" if data.startswith(b"\xff\xd8") else "application/octet-stream")
    return "200 OK", [("Content-Type", kind), ("Cache-Control", "no-store")], data


# ------------------------------------------------------------------------ actions


def _stop(form: dict[str, str]) -> str:
    arn = _required(form, "arn")
    where = _where({}, arn)
    status = _api(lambda: where.backend.stop_project_version(arn))
    return PREFIX + "version?" + urlencode({"arn": arn, "done": f"StopProjectVersion: {status}"})


def _advance_time(form: dict[str, str]) -> str:
    try:
        seconds = float(_required(form, "seconds"))
        _rk.advance_time(seconds)
    except (TypeError, ValueError) as err:
        raise _HttpError("400 Bad Request", str(err)) from err
    return _back(form, f"The clock moved {seconds:g} seconds on.")


def _fail_training(form: dict[str, str]) -> str:
    message = form.get("message") or None
    try:
        if message is None:
            _rk.fail_training()
        else:
            _rk.fail_training(message=message)
    except (TypeError, ValueError) as err:
        raise _HttpError("400 Bad Request", str(err)) from err
    return _back(form, "The next training will fail.")


def _clear_errors(form: dict[str, str]) -> str:
    _rk.clear_errors()
    return _back(form, "Injected errors cleared.")


def _back(form: dict[str, str], done: str) -> str:
    back = form.get("back") or PREFIX
    parts = urlsplit(back)
    if parts.scheme or parts.netloc or not parts.path.startswith(PREFIX):
        back = PREFIX  # only a page of the console
    joiner = "&" if "?" in back else "?"
    return back + joiner + urlencode({"done": done})


def _required(args: dict[str, str], name: str) -> str:
    value = args.get(name)
    if not value:
        raise _HttpError("400 Bad Request", f"missing {name}")
    return value


_VIEWS: dict[str, Callable[[dict[str, str]], tuple[str, str, _Where]]] = {
    "": _overview,
    "project": _project,
    "version": _version,
    "dataset": _dataset,
    "calls": _calls,
}
_ACTIONS: dict[str, Callable[[dict[str, str]], str]] = {
    "stop": _stop,
    "advance-time": _advance_time,
    "fail-training": _fail_training,
    "clear-errors": _clear_errors,
}


def _form(environ: dict[str, Any]) -> dict[str, str]:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    raw = environ["wsgi.input"].read(min(length, 65536)) if length > 0 else b""
    return {k: v[-1] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}


def _same_origin(environ: dict[str, Any]) -> bool:
    """A form posted by another site's page is refused (a browser sends its Origin)."""
    origin = environ.get("HTTP_ORIGIN")
    if not origin or origin == "null":
        return origin is None
    return bool(urlsplit(origin).netloc == environ.get("HTTP_HOST"))


def _respond(environ: dict[str, Any]) -> Response:
    path = environ.get("PATH_INFO", "")
    name = path[len(PREFIX):] if path.startswith(PREFIX) else None
    if name is None:
        if path == PREFIX.rstrip("/"):
            return "308 Permanent Redirect", [("Location", PREFIX)], b""
        raise _HttpError("404 Not Found", f"no console page {path}")
    query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    method = environ.get("REQUEST_METHOD", "GET")
    if name in _ACTIONS:
        if method != "POST":
            raise _HttpError("405 Method Not Allowed", f"{name} is done with POST")
        if not _same_origin(environ):
            raise _HttpError("403 Forbidden", "a console form posted from another site")
        location = _ACTIONS[name](_form(environ))
        return "303 See Other", [("Location", location)], b""
    if method not in ("GET", "HEAD"):
        raise _HttpError("405 Method Not Allowed", f"{name or 'this page'} is read with GET")
    if name == "image":
        return _image(query)
    view = _VIEWS.get(name)
    if view is None:
        raise _HttpError("404 Not Found", f"no console page {path}")
    title, body, where = view(query)
    return "200 OK", [("Content-Type", "text/html; charset=utf-8")], _page(title, body, where)


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The console's WSGI application (paths under :data:`PREFIX`)."""
    try:
        status, headers, body = _respond(environ)
    except Exception as err:  # a page, never a traceback; the log keeps the details
        if isinstance(err, _HttpError):
            failure = err
        else:
            logger.exception("console page %s failed", environ.get("PATH_INFO"))
            failure = _HttpError("500 Internal Server Error",
                                 f"the console could not show this page: {err!r}")
        where = _Where(DEFAULT_ACCOUNT_ID, DEFAULT_REGION)
        status, headers = failure.status, [("Content-Type", "text/html; charset=utf-8")]
        body = _page("Not done", f'<p class="problem" role="alert">{_e(failure.message)}</p>'
                     f"<p>{_link('', 'Back to the projects')}</p>", where)
    headers = [*headers, ("Content-Length", str(len(body))),
               ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY")]
    start_response(status, headers)
    return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else body]


def _is_aws_request(environ: dict[str, Any]) -> bool:
    """Signed (header or presigned URL): an SDK's request, e.g. to an S3 bucket named
    ``rekomock``, which the console must not shadow."""
    if environ.get("HTTP_AUTHORIZATION") or environ.get("HTTP_X_AMZ_TARGET"):
        return True
    query = environ.get("QUERY_STRING", "")
    return any(f"{name}=" in query for name in ("X-Amz-Signature", "Signature",
                                                  "AWSAccessKeyId", "X-Amz-Credential"))


def with_console(app: WSGIApp) -> WSGIApp:
    """A server's WSGI application that answers the console's paths itself and passes
    everything else, and every signed request, to ``app``."""
    bare = PREFIX.rstrip("/")

    def dispatch(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if (path == bare or path.startswith(PREFIX)) and not _is_aws_request(environ):
            return application(environ, start_response)
        return app(environ, start_response)

    return dispatch


def console_url(endpoint: str) -> str:
    """The console's address on a server reached at ``endpoint``."""
    return endpoint.rstrip("/") + PREFIX
