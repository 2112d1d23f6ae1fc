"""Workbooks sheetsync writes, opened by real clients: LibreOffice headless and openpyxl.

The fixtures (tests/fixtures/workbooks/, built by make_workbooks.py) are shaped as
Excel saves them: shared strings, rich text, a shared formula with stored results,
merged cells, a table, a chart and an image, and an .xlsm with VBA.  After each
kind of write every zip part except the patched ones is compared byte for byte, and
LibreOffice converts the result to CSV so its cell values (formula results
included) are compared with what sheetsync meant to write.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sheetsync.app import run
from sheetsync.config import Config
from sheetsync.core.writeback import AppendPlan, NewRow
from sheetsync.outbox import MemoryOutbox
from sheetsync.outbox.sheet_tab import XlsxDraftsTab
from sheetsync.sheets import XlsxSheet
from sheetsync.sheets.base import append

from ..outbox.test_tab import a_draft  # a real Draft, as the run makes them

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "workbooks"
TODAY = dt.date(2026, 11, 22)
NOW = dt.datetime(2026, 11, 22, 9, 0)


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    assert found, "LibreOffice is not installed: run tests/setup.sh (libreoffice-calc-nogui)"
    return found


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def libreoffice_csv(path: Path, tmp: Path, sheet: int = 1) -> list[list[str]]:
    """The tab's cells as LibreOffice computes and shows them."""
    out = tmp / "lo"
    out.mkdir(exist_ok=True)
    profile = (tmp / "lo-profile").as_uri()
    subprocess.run(
        [soffice(), f"-env:UserInstallation={profile}", "--headless", "--convert-to",
         f"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,{sheet}",
         "--outdir", str(out), str(path)],
        check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": str(tmp)},
    )  # fmt: skip
    produced = sorted(out.glob(f"{path.stem}*.csv"))
    assert produced, f"LibreOffice wrote nothing for {path.name}"
    with produced[-1].open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    for p in produced:
        p.unlink()
    return rows


def changed_parts(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    assert set(before) <= set(after)
    return {n for n in after if before.get(n) != after[n]}


@pytest.mark.parametrize("name", ["contacts.xlsx", "contacts.xlsm"])
def test_a_run_changes_only_the_worksheet_and_libreoffice_reads_it(
    tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    shutil.copy(FIXTURES / name, path)
    before = parts(path)
    lo_before = libreoffice_csv(path, tmp_path)

    run(Config(), sheet=XlsxSheet(path), outbox=MemoryOutbox(), today=TODAY)

    after = parts(path)
    assert changed_parts(before, after) <= {"xl/worksheets/sheet1.xml", "xl/styles.xml"}
    lo = libreoffice_csv(path, tmp_path)
    header = lo[0]
    assert "Status" in header and "Next follow-up" in header
    status = {row[0]: row[header.index("Status")] for row in lo[1:] if row and row[0]}
    assert status == {"Ann Lee": "ok", "Bob Stone": "overdue", "Cara Diaz": "lapsed",
                      "Dev Patel": "ok"}  # fmt: skip
    # every user cell, formula results included, reads as before
    for old, new in zip(lo_before, lo, strict=False):
        assert new[: len(old)][:6] == old[:6]
    follow = lo[1][header.index("Next follow-up")]
    assert follow == "2026-12-20", follow  # a date LibreOffice shows as a date
    book = openpyxl.load_workbook(path, keep_vba=name.endswith(".xlsm"))
    ws: Any = book["Network"]
    assert ws["F3"].value == "=C3-C3"  # openpyxl translates the shared formula
    assert ws.tables["People"].ref == "A1:F5"


def test_import_extends_the_table_and_keeps_everything_else(tmp_path: Path) -> None:
    path = tmp_path / "contacts.xlsx"
    shutil.copy(FIXTURES / "contacts.xlsx", path)
    before = parts(path)
    plan = AppendPlan(
        rows=[NewRow("Eve Moss", {"name": "Eve Moss", "email": "eve@example.com",
                                  "last_interaction": TODAY - dt.timedelta(days=3)})],
        columns={}, owned_names={},
    )  # fmt: skip
    append(XlsxSheet(path), plan)
    changed = changed_parts(before, parts(path))
    assert changed <= {"xl/worksheets/sheet1.xml", "xl/styles.xml", "xl/tables/table1.xml"}
    lo = libreoffice_csv(path, tmp_path)
    assert lo[5][:2] == ["Eve Moss", "eve@example.com"]
    assert lo[5][2].startswith("2026-11-19"), lo[5][2]  # in the column's own date format
    book = openpyxl.load_workbook(path)
    assert book["Network"].tables["People"].ref == "A1:F6"


def test_the_drafts_tab_is_a_new_part_and_libreoffice_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "contacts.xlsx"
    shutil.copy(FIXTURES / "contacts.xlsx", path)
    before = parts(path)
    outbox = XlsxDraftsTab(XlsxSheet(path, tab="Network"))
    outbox.save(a_draft(), now=NOW)
    outbox.flush()
    after = parts(path)
    allowed = {
        "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml",
        "xl/styles.xml", "xl/worksheets/sheet3.xml", "xl/worksheets/_rels/sheet3.xml.rels",
    }  # fmt: skip
    assert changed_parts(before, after) <= allowed
    lo = libreoffice_csv(path, tmp_path, sheet=3)
    assert lo[0][:3] == ["Date", "Status", "To"] and lo[1][1] == "draft"
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Network", "Stats", "Drafts"]
    assert book["Drafts"]["F2"].hyperlink.target.startswith("https://mail.google.com/")
