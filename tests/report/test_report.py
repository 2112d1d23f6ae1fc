"""The report's data, page and pictures, without a browser (see test_in_chromium.py)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from sheetsync.report import ReportData, digest_picture, render_html, render_png
from sheetsync.report.charts import chart_svgs

from .known import REPO, TODAY, example_report, small_report

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_example_workbook_counts() -> None:
    data = example_report()
    counts = data.counts()
    assert list(counts) == ["A", "B", "C", "no tier"]
    assert counts["A"] == Counter({"ok": 1, "due soon": 3, "overdue": 3, "other": 3})
    assert data.totals() == Counter({"ok": 4, "due soon": 3, "overdue": 9, "lapsed": 6, "other": 8})
    # Two rows have no readable last-contact date: they cannot be dots.
    assert len(data.people) == 30
    assert len(data.plotted()) == 28
    assert data.history_source == "the sheet's last-contact dates"
    assert data.newly_lapsed == ()


def test_small_sheet_with_history_and_moments() -> None:
    data = small_report()
    assert data.history_source == "the History tab"
    assert [(n.name, n.lapsed_on) for n in data.newly_lapsed] == [
        ("Di Lapsed", dt.date(2026, 11, 12))
    ]
    followed = {d.contact: d.followed_on for d in data.drafts}
    assert followed == {
        "email:cy@example.com": None,
        "email:di@example.com": None,
        "email:flo@example.com": dt.date(2026, 11, 12),
    }
    assert [(u.name, u.label, u.days_until) for u in data.upcoming] == [
        ("Ada Ok", "birthday", 2),
        ("Ben Due", "Work anniversary", 18),
    ]


def _marks(svg: str, prefix: str) -> int:
    if prefix == "dots-":
        groups = re.findall(r'<g id="dots-[^"]*">(.*?)</g>\s*</g>', svg, flags=re.S)
        return sum(group.count("<use ") for group in groups)
    return len(re.findall(rf'<g id="{prefix}[^"]*"', svg))


def test_every_chart_draws_its_marks() -> None:
    svgs = {chart.id: svg for chart, svg in chart_svgs(small_report())}
    assert list(svgs) == ["status", "staleness", "interactions", "followups"]
    assert _marks(svgs["status"], "bar-") == 6  # A: ok, due; B: overdue, lapsed; C: ok, lapsed
    assert _marks(svgs["staleness"], "dots-") == 6
    # Six interactions in the last year, in six different weeks, of three kinds.
    assert _marks(svgs["interactions"], "week-") == 6
    # October: one drafted, one followed; November: two drafted.
    assert _marks(svgs["followups"], "month-drafted-") == 2
    assert _marks(svgs["followups"], "month-followed-") == 1


def test_the_page_is_self_contained_and_themed() -> None:
    page = render_html(example_report())
    assert page.startswith("<!doctype html>")
    assert "<script" not in page
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", page)
    assert "@import" not in page and "url(http" not in page
    assert "prefers-color-scheme: dark" in page and "@media print" in page
    # No placeholder colour survives: text follows the page, data the CSS variables.
    assert not re.search(r"#0000[0-9a-f]{2}\b", page)
    assert "var(--c-ok)" in page and "currentColor" in page
    assert page.count("<svg") == 4


def test_the_page_escapes_what_the_sheet_says() -> None:
    data = small_report()
    hostile = ReportData(sheet="<b>x</b>", today=TODAY, people=data.people)
    page = render_html(hostile)
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page


def test_png_and_digest_picture() -> None:
    data = small_report()
    target = REPO / "tests" / "artifacts" / "report-small.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    png = render_png(data, target)
    assert png.startswith(PNG_SIGNATURE) and target.read_bytes() == png
    small, alt = digest_picture(data)
    assert small.startswith(PNG_SIGNATURE) and len(small) < len(png)
    assert alt == (
        "6 contacts: 2 ok, 1 due soon, 1 overdue, 2 lapsed. Lapsed this month: Di Lapsed. "
        "Coming up: Ada Ok, birthday in 2 days."
    )


def test_an_empty_sheet_still_renders() -> None:
    data = ReportData(sheet="empty", today=TODAY)
    page = render_html(data)
    assert page.count("<svg") == 4
    assert "No contacts yet." in page
    assert digest_picture(data)[1] == "0 contacts: none."


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )


def test_matplotlib_stays_out_of_start_up() -> None:
    proc = _python(
        "import sys, sheetsync.report, sheetsync.cli; print('matplotlib' in sys.modules)"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


def test_help_loads_no_heavy_library() -> None:
    """`sheetsync --help` start-up: what it imports is checked here; its time is measured in
    bench/bench_local.py (timed unit tests fail on a busy machine)."""
    code = (
        "import runpy, sys\nsys.argv = ['sheetsync', '--help']\n"
        "try:\n    runpy.run_module('sheetsync', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "heavy = ('matplotlib', 'pandas', 'numpy', 'openpyxl', 'jinja2', 'gspread')\n"
        "print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr)"
    )
    proc = _python(code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == "[]"


def test_the_documented_command_writes_the_readme_picture(tmp_path: Path) -> None:
    """`python examples/make_report.py` is how docs/report.png is made; it must keep working."""
    out = tmp_path / "report.png"
    proc = subprocess.run(
        [
            sys.executable,
            "examples/make_report.py",
            "--png",
            str(out),
            "--html",
            str(tmp_path / "r.html"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes().startswith(PNG_SIGNATURE)
    assert (REPO / "docs" / "report.png").read_bytes().startswith(PNG_SIGNATURE)
    assert "Your network on 2026-11-22" in (tmp_path / "r.html").read_text(encoding="utf-8")
