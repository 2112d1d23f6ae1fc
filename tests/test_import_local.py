"""`sheetsync import` on local workbooks and CSV files, run for real through main([...]).

Existing rows must come out exactly as they went in (values, formulas, formats,
order); new people go below them; a bad file writes nothing at all.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.table import Table

from sheetsync.app import run
from sheetsync.cli.main import main
from sheetsync.config import Config, ScoringSettings
from sheetsync.outbox import MemoryOutbox
from sheetsync.sheets import XlsxSheet

FIXTURES = Path(__file__).parent / "fixtures" / "import"
TODAY = dt.date(2026, 11, 22)
AT = ["--today", TODAY.isoformat()]
EXISTING_ROWS = 36  # the example workbook's last row


def state(cell: Any) -> tuple[Any, ...]:
    return (
        cell.value,
        cell.data_type,
        cell.number_format,
        copy.copy(cell.font),
        copy.copy(cell.fill),
        copy.copy(cell.border),
        copy.copy(cell.alignment),
    )


def snapshot(path: Path, rows: int = EXISTING_ROWS, cols: int = 12) -> dict[str, Any]:
    book = openpyxl.load_workbook(path)
    out: dict[str, Any] = {}
    for ws in book.worksheets:
        for row in ws.iter_rows(min_row=1, max_row=rows, min_col=1, max_col=cols):
            for cell in row:
                out[f"{ws.title}!{cell.coordinate}"] = state(cell)
    return out


def import_(path: Path, fixture: str, *extra: str) -> int:
    return main(["import", str(FIXTURES / fixture), "--sheet", str(path), *AT, *extra])


def rows_of(path: Path, first: int = EXISTING_ROWS + 1) -> list[tuple[Any, ...]]:
    ws = openpyxl.load_workbook(path).worksheets[0]
    return [r for r in ws.iter_rows(min_row=first, values_only=True)]


# --- xlsx ---------------------------------------------------------------------------------


def test_import_keeps_every_existing_cell_and_adds_below(
    example_xlsx: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(example_xlsx)
    assert import_(example_xlsx, "linkedin_connections.csv") == 0
    out = capsys.readouterr().out
    assert "Added 3 to contacts.xlsx" in out and "Skipped 5" in out
    assert "Tomás Ferreira: already in the sheet: same email as row 5" in out
    assert "Zoë Müller: already in the sheet: same name as row 6" in out
    assert "Lan Nguyễn Thị: already in the sheet: same email as row 7" in out
    assert "line 14: Amara Okafor appears again (first on line 5, same name) with nothing" in out
    assert "Not filled in (the sheet has no column for them): first met." in out
    assert snapshot(example_xlsx) == before, "no existing cell changed"
    ws = openpyxl.load_workbook(example_xlsx).worksheets[0]
    header = [c.value for c in ws[3]]
    assert header[:12] == [before[f"Network!{c}3"][0] for c in "ABCDEFGHIJKL"]
    assert header[12:] == [
        "Status",
        "Score",
        "Days since",
        "Next follow-up",
        "Drafted",
        "Sheetsync note",
    ], "sheetsync's own columns, added as a run would"
    added = rows_of(example_xlsx)
    assert [r[0] for r in added] == ["Amara Okafor", "Henrik Lund, PhD", "Chiara Bianchi-Rossi"]
    chiara = added[2]
    assert chiara[1] == "chiara.br@example.org" and chiara[2] is None
    assert chiara[3] == "LinkedIn, connected 30 Jun 2023"
    assert all(v is None for v in chiara[4:11]), "the user's other columns stay empty"
    assert chiara[11] is None, "the user's formula column is not filled in"
    next_cell = ws.cell(EXISTING_ROWS + 3, 16)
    assert isinstance(next_cell.value, dt.datetime) and next_cell.number_format == "yyyy-mm-dd"


def test_dry_run_touches_nothing(example_xlsx: Path, capsys: pytest.CaptureFixture[str]) -> None:
    original = example_xlsx.read_bytes()
    assert import_(example_xlsx, "google_contacts.csv", "--dry-run") == 0
    out = capsys.readouterr().out
    assert "Would add 4 to contacts.xlsx" in out and "(first follow-up 2026-" in out
    assert example_xlsx.read_bytes() == original


def test_importing_twice_adds_nothing_the_second_time(
    example_xlsx: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert import_(example_xlsx, "contacts_v3.vcf") == 0
    after_first = example_xlsx.read_bytes()
    capsys.readouterr()
    assert import_(example_xlsx, "contacts_v3.vcf", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["added"] == [] and len(data["skipped"]) == 3
    assert example_xlsx.read_bytes() == after_first, "nothing to add: the file is not rewritten"


def test_json_report(example_xlsx: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert import_(example_xlsx, "google_contacts_old.csv", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["format"] == "Google Contacts CSV (older layout)" and data["read"] == 3
    assert [(a["row"], a["name"]) for a in data["added"]] == [
        (37, "Björn Eriksson"),
        (38, "Aiko Tanaka"),
    ]
    assert data["added"][0]["email"] == "bjorn.eriksson@example.org"
    (lucia,) = data["skipped"]
    assert lucia["line"] == 2 and "same name as row 34 (Lucía Fernández)" in lucia["reason"]
    assert "though with another email (lucia.fernandez@example.com)" in lucia["reason"]
    assert set(data) == {
        "file",
        "format",
        "sheet",
        "dry_run",
        "read",
        "added",
        "skipped",
        "left_out",
        "unfilled",
        "warnings",
    }


@pytest.mark.parametrize(
    "bad",
    [
        "not_contacts.csv",
        "truncated_google.csv",
        "truncated_linkedin.csv",
        "broken_line.vcf",
        "cut_off.vcf",
        "windows_1252_linkedin.csv",
    ],
)
def test_a_bad_file_writes_nothing(
    example_xlsx: Path, bad: str, capsys: pytest.CaptureFixture[str]
) -> None:
    original = example_xlsx.read_bytes()
    code = main(["import", str(FIXTURES / "bad" / bad), "--sheet", str(example_xlsx), *AT])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"sheetsync: {bad}, line ") and "Nothing was imported" in err
    assert example_xlsx.read_bytes() == original


def test_a_workbook_open_elsewhere_is_not_written(
    example_xlsx: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = example_xlsx.read_bytes()
    (example_xlsx.parent / f"~${example_xlsx.name}").write_text("lock")
    assert import_(example_xlsx, "linkedin_connections_old.csv") == 4
    assert "open in another program" in capsys.readouterr().err
    assert example_xlsx.read_bytes() == original


def test_new_rows_take_the_columns_date_format_and_extend_a_table(tmp_path: Path) -> None:
    path = tmp_path / "net.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["Name", "First name", "Email", "Connected on", "Last talked", "What", "Last met"])
    ws.append(["Old Friend", "Old", "old@example.com", dt.date(2020, 5, 1), None, None, None])
    ws["D2"].number_format = "d mmm yyyy"
    ws.add_table(Table(displayName="People", ref="A1:G2"))
    book.save(path)
    assert import_(path, "linkedin_connections_old.csv") == 0
    ws = openpyxl.load_workbook(path).active
    assert [c.value for c in ws[3]][:4] == [
        "Rafael Domínguez",
        "Rafael",
        None,
        dt.datetime(2019, 1, 3),
    ]
    assert ws["D3"].number_format == "d mmm yyyy", "like the dates above it"
    assert ws.tables["People"].ref == "A1:G5", "the table grows to hold the new rows"


def test_imported_people_come_due_on_their_planned_day(example_xlsx: Path) -> None:
    assert import_(example_xlsx, "google_contacts.csv") == 0
    planned = {r[0]: r[15] for r in rows_of(example_xlsx)}
    sofia_day = planned["Sofia Isabel Marques"].date()
    outbox = MemoryOutbox()
    before = run(Config(), sheet=XlsxSheet(example_xlsx), outbox=outbox, today=TODAY)
    rows = {r.name: r for r in before.rows}
    sofia = rows["Sofia Isabel Marques"]
    assert sofia.status in ("ok", "due soon") and sofia.days_since is None
    assert sofia.next_followup == sofia_day, "the run keeps the planned date"
    roomy = Config(scoring=ScoringSettings(daily_cap=100))
    later = run(roomy, sheet=XlsxSheet(example_xlsx), outbox=outbox, today=sofia_day)
    sofia = {r.name: r for r in later.rows}["Sofia Isabel Marques"]
    assert sofia.status == "overdue" and sofia.action == "drafted"
    assert sofia.subject == "Saying hello, and curious about Brisa Labs", "first_hello.j2"
    again = run(roomy, sheet=XlsxSheet(example_xlsx), outbox=outbox, today=sofia_day)
    sofia = {r.name: r for r in again.rows}["Sofia Isabel Marques"]
    assert sofia.action == "" and sofia.next_followup == sofia_day, "one draft, plan kept"


# --- csv ----------------------------------------------------------------------------------


def test_import_into_csv_leaves_every_other_line_alone(
    example_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = example_csv.read_text(encoding="utf-8").splitlines(keepends=True)
    assert import_(example_csv, "contacts_v4.vcf") == 0
    assert "Added 3 to contacts.csv" in capsys.readouterr().out
    after = example_csv.read_text(encoding="utf-8").splitlines(keepends=True)
    assert after[1 : len(before)] == before[1:], "only the header gains sheetsync's columns"
    assert after[0].startswith(before[0].rstrip("\r\n") + ",Status,")
    new = after[len(before) :]
    assert new[0].startswith("Søren Ødegaard,soren@example.org,Fjord Systems,")
    assert len(new[0].split(",")) == len(after[0].split(",")), "as wide as the header"
    assert "2026-11-" in new[0], "the planned date, as ISO text"


def test_csv_keeps_its_bom_and_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    text = "Name,Email,Last contacted,What,Last in person,Where met\r\nKim,kim@example.com,,,,\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert import_(path, "linkedin_connections_old.csv") == 0
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfName,") and b"\r\nRafael Dom" in raw
    assert b"\n" not in raw.replace(b"\r\n", b"")


def test_example_files_are_left_alone(tmp_path: Path) -> None:
    """The fixtures are read, never written."""
    copy_dir = tmp_path / "fx"
    shutil.copytree(FIXTURES, copy_dir)
    sheet = tmp_path / "s.csv"
    sheet.write_text("Name,Email,Last contacted,What,Last in person\n", encoding="utf-8")
    for path in sorted(copy_dir.glob("*.*")):
        before = path.read_bytes()
        main(["import", str(path), "--sheet", str(sheet), *AT])
        assert path.read_bytes() == before


def test_import_never_writes_under_a_running_job(
    example_xlsx: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`import` takes the same lock as `run`: under a scheduled run it writes nothing and
    says so, instead of racing the run and losing one side's write."""
    from sheetsync.config import load_config
    from sheetsync.unattended.locking import sheet_lock

    before = example_xlsx.read_bytes()
    lock = sheet_lock(load_config(None, overrides={"sheet": str(example_xlsx)}, env={}))
    assert lock.acquire()
    try:
        assert import_(example_xlsx, "linkedin_connections.csv") == 4
    finally:
        lock.release()
    assert "being updated by another sheetsync run" in capsys.readouterr().err
    assert example_xlsx.read_bytes() == before


def test_import_fills_a_birthday_column(tmp_path: Path) -> None:
    sheet = tmp_path / "people.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["Name", "Email", "Birthday", "Last contacted", "What", "Last in person"])
    ws.append(["Ada Lovelace", "ada@example.org", None, dt.date(2026, 11, 1), "maths", None])
    book.save(sheet)
    assert import_(sheet, "contacts_v4.vcf") == 0
    added = {r[0]: r[2] for r in rows_of(sheet, first=3)}
    assert added["Ana Lúcia Pereira"] == dt.datetime(1985, 3, 2), "BDAY:19850302"
    assert added["Søren Ødegaard"] == "--06-15", "BDAY:--0615, no year"
    assert added["王小明"] is None
