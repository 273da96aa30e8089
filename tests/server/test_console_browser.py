"""The console in a real browser: Playwright (PyPI) driving Debian's Chromium.

``.ci/run`` installs both when missing and sets ``REKOMOCK_REQUIRE_BROWSER`` (a missing one
fails the run); elsewhere these tests are skipped unless ``/usr/bin/chromium`` and the
``playwright`` package are there. Screenshots of the main views
go to ``artifacts/console/`` (gitignored: CI keeps it as an artifact); with
``REKOMOCK_DOCS_SCREENSHOT=1`` a model's evaluation page is also written to ``docs/console.png``.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from console_journey import journey

from rekomock import Controller

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "console"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

if os.environ.get("REKOMOCK_REQUIRE_BROWSER"):  # .ci/run: a missing browser is a failure
    from playwright import sync_api

    assert os.path.exists(CHROMIUM), f"no Chromium at {CHROMIUM}"
else:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)",
                    allow_module_level=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 800})
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def console(rekomock: Controller, rekognition: Any, s3: Any) -> dict[str, str]:
    arns = journey(rekomock, rekognition, s3)
    arns["url"] = rekomock.console()
    return arns


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _table(page: Any, caption: str) -> list[list[str]]:
    table = page.locator("table", has=page.locator("caption", has_text=caption))
    return [[cell.inner_text().strip() for cell in row.locator("th, td").all()]
            for row in table.locator("tr").all()]


def _version(rekognition: Any, project: str, name: str) -> dict[str, Any]:
    (desc,) = rekognition.describe_project_versions(
        ProjectArn=project, VersionNames=[name])["ProjectVersionDescriptions"]
    return dict(desc)


def test_evaluation_table_and_confusion_matrix(page: Any, console: dict[str, str]) -> None:
    page.goto(console["url"])
    _shot(page, "overview")
    page.get_by_role("link", name="sunsets/v1").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Model sunsets/v1"
    rows = _table(page, "Per-label performance")
    assert rows[0] == ["Label", "F1 score", "Precision", "Recall", "Assumed threshold",
                       "Test images"]
    assert sorted(r[0] for r in rows[1:]) == ["sunrise", "sunset"]
    matrix = _table(page, "Confusion matrix")
    assert matrix[0] == ["True \\ Predicted", "sunrise", "sunset"]
    assert matrix[1][0] == "sunrise" and matrix[1][2] != "0.0%"  # the scripted mistake
    _shot(page, "evaluation-classification")
    if os.environ.get("REKOMOCK_DOCS_SCREENSHOT"):
        page.screenshot(path=str(ROOT / "docs" / "console.png"), full_page=True)
    page.goto(console["url"] + "version?arn=" + urllib.parse.quote(console["detector"]))
    figure = page.locator("figure").first
    assert figure.locator("rect.truth").count() == 2
    assert figure.locator("rect.predicted").count() == 2
    # The image under the boxes really loaded from S3 through the console.
    assert page.evaluate("""() => new Promise(done => {
        const img = new Image(); img.onload = () => done(img.naturalWidth);
        img.onerror = () => done(0);
        img.src = document.querySelector('svg image').getAttribute('href'); })""") == 200
    _shot(page, "evaluation-detection")


def test_stop_a_model_with_the_button(page: Any, console: dict[str, str],
                                      rekognition: Any) -> None:
    page.goto(console["url"] + "version?arn=" + urllib.parse.quote(console["classifier"]))
    page.get_by_role("button", name="Stop model sunsets/v1").click()
    assert "StopProjectVersion: STOPPING" in page.get_by_role("status").inner_text()
    assert _version(rekognition, console["sunsets"], "v1")["Status"] in ("STOPPING", "STOPPED")
    page.reload()
    assert page.get_by_role("button", name="Stop model sunsets/v1").count() == 0


def test_open_a_manifest_trained_project(page: Any, console: dict[str, str],
                                         rekognition: Any) -> None:
    def datasets() -> list[str]:
        (project,) = rekognition.describe_projects(
            ProjectNames=["logos"])["ProjectDescriptions"]
        return sorted(d["DatasetType"] for d in project["Datasets"])

    assert datasets() == []
    page.goto(console["url"])
    page.get_by_role("link", name="logos", exact=True).click()
    assert "Datasets created from the manifest files" in page.content()
    assert datasets() == ["TEST", "TRAIN"]
    _shot(page, "project")
    page.get_by_role("link", name="TRAIN", exact=True).click()
    assert page.locator("figure").count() == 4
    _shot(page, "dataset")


def test_keyboard_only_navigation(page: Any, console: dict[str, str],
                                  rekognition: Any) -> None:
    page.goto(console["url"])

    def tab_to(name: str, limit: int = 60) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            focused = page.evaluate(
                "() => (document.activeElement.getAttribute('aria-label')"
                " || document.activeElement.innerText || '').trim()")
            if focused == name:
                style = page.evaluate(
                    "() => getComputedStyle(document.activeElement).outlineStyle")
                assert style != "none", f"{name} shows no focus"
                return
        raise AssertionError(f"Tab never reached {name!r}")

    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.innerText") == "Skip to main content"
    page.keyboard.press("Enter")
    tab_to("sunsets")
    page.keyboard.press("Enter")
    page.wait_for_url("**/project?**")
    assert page.get_by_role("heading", level=1).inner_text() == "Project sunsets"
    tab_to("v1")
    page.keyboard.press("Enter")
    page.wait_for_url("**/version?**")
    tab_to("Stop model sunsets/v1")
    page.keyboard.press("Enter")
    page.wait_for_url("**done=**")
    assert _version(rekognition, console["sunsets"], "v1")["Status"] in ("STOPPING", "STOPPED")
    # The account and region selector works from the keyboard too.
    page.goto(console["url"])
    page.focus("#region")
    page.keyboard.press("End")  # the last region in the list
    chosen = page.evaluate("() => document.querySelector('#region').value")
    tab_to("Show")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**region={chosen}**")


#: WCAG 2 contrast of every element's text against the background it is drawn on.
_CONTRAST = r"""() => {
  const rgb = s => (s.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = el => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const low = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) low.push(el.tagName + ' ' + el.textContent.trim().slice(0, 30) + ' '
                              + ratio.toFixed(2));
  }
  return low;
}"""


def test_text_contrast_is_at_least_4_5_to_1(page: Any, console: dict[str, str]) -> None:
    url = console["url"]
    for path in ("", "version?arn=" + urllib.parse.quote(console["classifier"]),
                 "version?arn=" + urllib.parse.quote(console["detector"]),
                 "project?arn=" + urllib.parse.quote(console["logos"]), "calls", "nowhere"):
        page.goto(url + path)
        assert page.evaluate(_CONTRAST) == [], path
    # The check sees low contrast when there is some.
    page.evaluate("() => { const p = document.createElement('p'); p.style.color = '#aaa';"
                  " p.textContent = 'faint'; document.body.append(p); }")
    (faint,) = page.evaluate(_CONTRAST)
    assert faint.startswith("P faint 2.3")
