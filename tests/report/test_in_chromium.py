"""The report page in a real headless Chromium: it renders, offline, on a phone, in the dark.

Screenshots are kept in tests/artifacts/ (ignored by git) for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sheetsync.report import ReportData, render_html

from .chromium import Browser, Page, chromium
from .known import REPO, example_report, small_report

ARTIFACTS = REPO / "tests" / "artifacts"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# For each chart: its SVG's size on screen and how many elements it drew.
CHARTS_JS = """
[...document.querySelectorAll('figure.chart')].map(f => {
  const svg = f.querySelector('svg');
  const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  return {id: f.id, width: box.width, height: box.height,
          elements: svg ? svg.querySelectorAll('*').length : 0};
})
"""
MARKS_JS = """({
  bars: document.querySelectorAll('#status g[id^="bar-"]').length,
  dots: document.querySelectorAll('#staleness g[id^="dots-"] use').length,
  weeks: document.querySelectorAll('#interactions g[id^="week-"]').length,
  drafted: document.querySelectorAll('#followups g[id^="month-drafted-"]').length,
  followed: document.querySelectorAll('#followups g[id^="month-followed-"]').length,
})"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as running:
        yield running


def _open(browser: Browser, data: ReportData, tmp_path: Path, *, width: int = 1000) -> Page:
    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(data), encoding="utf-8")
    page = browser.new_page()
    page.send(
        "Emulation.setDeviceMetricsOverride",
        width=width,
        height=900,
        deviceScaleFactor=1,
        mobile=width < 600,
    )
    page.navigate(page_file.as_uri())
    return page


def _assert_rendered(page: Page, url_prefix: str) -> None:
    assert page.problems == []
    # Works offline: the page asked for nothing but itself.
    assert page.requests == [url_prefix]
    charts = page.evaluate(CHARTS_JS)
    assert [c["id"] for c in charts] == ["status", "staleness", "interactions", "followups"]
    for chart in charts:
        assert chart["width"] > 200 and chart["height"] > 50, chart
        assert chart["elements"] >= 10, chart


def test_example_workbook_report(browser: Browser, tmp_path: Path) -> None:
    page = _open(browser, example_report(), tmp_path)
    _assert_rendered(page, (tmp_path / "report.html").as_uri())
    marks = page.evaluate(MARKS_JS)
    # Non-empty status segments of 4 tiers; 28 people with a date; 23 (kind, week)
    # pairs among the sheet's last-contact dates of the last year; nothing drafted yet.
    assert marks == {"bars": 14, "dots": 28, "weeks": 23, "drafted": 0, "followed": 0}
    shot = page.screenshot(ARTIFACTS / "report-example.png")
    assert shot.startswith(PNG_SIGNATURE)


def test_small_sheet_marks(browser: Browser, tmp_path: Path) -> None:
    page = _open(browser, small_report(), tmp_path)
    _assert_rendered(page, (tmp_path / "report.html").as_uri())
    assert page.evaluate(MARKS_JS) == {
        "bars": 6,
        "dots": 6,
        "weeks": 6,
        "drafted": 2,
        "followed": 1,
    }
    upcoming = page.evaluate("document.querySelector('#upcoming').innerText")
    assert "Ada Ok: birthday on Tue 2026-11-24 (in 2 days)" in upcoming
    page.screenshot(ARTIFACTS / "report-small.png")


def test_readable_on_a_phone(browser: Browser, tmp_path: Path) -> None:
    page = _open(browser, example_report(), tmp_path, width=390)
    _assert_rendered(page, (tmp_path / "report.html").as_uri())
    # Nothing wider than the screen: no sideways scrolling of the page itself.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    font = page.evaluate("getComputedStyle(document.body).fontSize")
    assert font == "16px"
    page.screenshot(ARTIFACTS / "report-phone.png")


def _colours(page: Page) -> tuple[str, str, str]:
    return page.evaluate(
        "[getComputedStyle(document.body).backgroundColor,"
        " getComputedStyle(document.querySelector('#staleness svg text')).fill,"
        " getComputedStyle(document.querySelector('#staleness g[id^=\"dots-\"] use')).fill]"
    )


def test_follows_dark_mode_and_prints_light(browser: Browser, tmp_path: Path) -> None:
    page = _open(browser, example_report(), tmp_path)
    light = _colours(page)
    assert light[0] == "rgb(255, 255, 255)"
    assert light[1] == "rgb(31, 35, 40)"
    page.send(
        "Emulation.setEmulatedMedia",
        features=[{"name": "prefers-color-scheme", "value": "dark"}],
    )
    dark = _colours(page)
    assert dark[0] == "rgb(13, 17, 23)"
    assert dark[1] == "rgb(230, 237, 243)"
    assert dark[2] != light[2]
    page.screenshot(ARTIFACTS / "report-dark.png")
    page.send(
        "Emulation.setEmulatedMedia",
        media="print",
        features=[{"name": "prefers-color-scheme", "value": "dark"}],
    )
    assert _colours(page) == light
    pdf = page.send("Page.printToPDF")["data"]
    assert len(pdf) > 1000
    assert page.problems == []
