"""The user's sheet is sacred: a run changes only the cells of the columns sheetsync owns.

Every test here works on a copy of the example workbook (or CSV export) in
``tmp_path`` and compares the file after a run with the file before it, cell
by cell and property by property, with openpyxl (``data_only=False``).
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import os
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sheetsync.app import run
from sheetsync.config import Config
from sheetsync.core.columns import OWNED_DEFAULTS
from sheetsync.core.result import RunResult
from sheetsync.outbox import EmlFolder, MemoryOutbox
from sheetsync.sheets import CsvSheet, XlsxSheet

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TODAY = dt.date(2026, 11, 22)
OWNED_HEADERS = ["Status", "Score", "Days since", "Next follow-up", "Drafted", "Sheetsync note"]
#: 1-based columns M..R, right of the user's formula column L.
OWNED_COLS = range(13, 19)
STATUS, SCORE, DAYS, NEXT, DRAFTED, NOTE = OWNED_COLS
HEADER_ROW = 3
FIRST_DATA_ROW = 4
BLANK_ROWS = (14, 25, 26)
FORMULA_TRIGGERS = ("=", "+", "-", "@")
LONG_AGO = 1_600_000_000  # a fixed mtime (2020-09-13), so a rewrite always shows


@pytest.fixture
def workbook(example_xlsx: Path) -> Path:
    return example_xlsx


@pytest.fixture
def csv_file(example_csv: Path) -> Path:
    return example_csv


def run_xlsx(path: Path, drafts: Path, config: Config | None = None) -> RunResult:
    return run(config or Config(), sheet=XlsxSheet(path), outbox=EmlFolder(drafts), today=TODAY)


def run_csv(path: Path, drafts: Path, config: Config | None = None) -> RunResult:
    return run(config or Config(), sheet=CsvSheet(path), outbox=EmlFolder(drafts), today=TODAY)


# --- snapshots of a workbook -------------------------------------------------------------


def cell_state(cell: Any) -> tuple[Any, ...]:
    """Everything a user sees in a cell: value, kind, number format and style."""
    return (
        cell.value,
        cell.data_type,
        cell.number_format,
        copy.copy(cell.font),
        copy.copy(cell.fill),
        copy.copy(cell.border),
        copy.copy(cell.alignment),
        copy.copy(cell.protection),
    )


def cells_outside(ws: Any, skip_cols: range | tuple[int, ...], rows: int, cols: int) -> dict:
    out = {}
    for row in ws.iter_rows(min_row=1, max_row=rows, min_col=1, max_col=cols):
        for cell in row:
            if cell.column not in skip_cols:
                out[cell.coordinate] = cell_state(cell)
    return out


def sheet_state(ws: Any, skip_letters: set[str]) -> dict[str, Any]:
    return {
        "merged": sorted(str(r) for r in ws.merged_cells.ranges),
        "freeze": ws.freeze_panes,
        "validations": [
            (dv.type, dv.formula1, str(dv.sqref), dv.allow_blank, dv.error)
            for dv in ws.data_validations.dataValidation
        ],
        "conditional": [
            (str(cf.sqref), [(r.type, r.formula) for r in cf.rules])
            for cf in ws.conditional_formatting
        ],
        "columns": {
            k: (d.width, d.hidden, d.outlineLevel)
            for k, d in ws.column_dimensions.items()
            if k not in skip_letters
        },
        "rows": {k: (d.height, d.hidden) for k, d in ws.row_dimensions.items()},
        "auto_filter": ws.auto_filter.ref,
        "state": ws.sheet_state,
    }


def formula_cells(book: Any) -> dict[str, Any]:
    return {
        f"{ws.title}!{c.coordinate}": c.value
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    }


def row_of(ws: Any, name: str) -> int:
    rows = [r for r in range(1, ws.max_row + 1) if str(ws.cell(r, 1).value or "").strip() == name]
    assert len(rows) == 1, f"{name!r} on rows {rows}"
    return rows[0]


# --- the example workbook ----------------------------------------------------------------


def test_run_changes_nothing_outside_the_owned_columns(workbook: Path, tmp_path: Path) -> None:
    before = openpyxl.load_workbook(workbook, data_only=False)
    result = run_xlsx(workbook, tmp_path / "drafts")
    after = openpyxl.load_workbook(workbook, data_only=False)

    assert result.cells_written > 0 and result.drafts_created > 0  # the run did do something
    assert after.sheetnames == before.sheetnames == ["Network", "Notes"]
    for ws_before in before.worksheets:
        ws_after = after[ws_before.title]
        owned = OWNED_COLS if ws_before.title == "Network" else ()
        rows = max(ws_before.max_row, ws_after.max_row)
        cols = max(ws_before.max_column, ws_after.max_column)
        assert cells_outside(ws_after, owned, rows, cols) == cells_outside(
            ws_before, owned, rows, cols
        ), ws_before.title
        letters = {openpyxl.utils.get_column_letter(c) for c in owned}
        assert sheet_state(ws_after, letters) == sheet_state(ws_before, letters), ws_before.title
    assert formula_cells(after) == formula_cells(before)
    assert len(formula_cells(before)) == 30  # the user's own "Days since (mine)" column
    assert after.defined_names.keys() == before.defined_names.keys()
    assert after.properties.creator == before.properties.creator


def test_text_that_looks_like_a_formula_stays_text(workbook: Path, tmp_path: Path) -> None:
    run_xlsx(workbook, tmp_path / "drafts")
    ws = openpyxl.load_workbook(workbook)["Network"]
    g17 = ws["G17"]
    assert g17.value.startswith("=SUM of our ideas")
    assert g17.data_type == "s"


def test_row_order_is_kept(workbook: Path, tmp_path: Path) -> None:
    def names(path: Path) -> list[Any]:
        ws = openpyxl.load_workbook(path)["Network"]
        return [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]

    before = names(workbook)
    run_xlsx(workbook, tmp_path / "drafts")
    assert names(workbook) == before
    assert before[HEADER_ROW - 1] == "Name" and before[FIRST_DATA_ROW - 1] == "Priya 🚀 Raman"


def test_owned_columns_are_added_right_of_the_users_last_column(
    workbook: Path, tmp_path: Path
) -> None:
    run_xlsx(workbook, tmp_path / "drafts")
    ws = openpyxl.load_workbook(workbook)["Network"]
    assert ws.cell(HEADER_ROW, 12).value == "Days since (mine)"
    assert [ws.cell(HEADER_ROW, c).value for c in OWNED_COLS] == OWNED_HEADERS
    assert all(ws.cell(HEADER_ROW, c).data_type == "s" for c in OWNED_COLS)
    assert ws.max_column == 18
    # Nothing above the header, in the blank rows or below the list.
    for r in (1, 2, *BLANK_ROWS, ws.max_row + 1):
        assert [ws.cell(r, c).value for c in OWNED_COLS] == [None] * 6, f"row {r}"


def test_statuses_land_beside_the_right_names(workbook: Path, tmp_path: Path) -> None:
    result = run_xlsx(workbook, tmp_path / "drafts")
    ws = openpyxl.load_workbook(workbook)["Network"]

    assert ws.cell(row_of(ws, "Ahmed Hassan"), STATUS).value == "check data"
    assert "sometime in spring" in ws.cell(row_of(ws, "Ahmed Hassan"), NOTE).value
    assert ws.cell(row_of(ws, "Ana Kovačević"), STATUS).value == "check data"
    assert "future" in ws.cell(row_of(ws, "Ana Kovačević"), NOTE).value
    assert ws.cell(row_of(ws, "Oliver Smith"), STATUS).value == "do not contact"
    assert ws.cell(row_of(ws, "Chloé Dubois"), STATUS).value == "snoozed"
    assert ws.cell(row_of(ws, "Chloé Dubois"), NEXT).value.date() == dt.date(2026, 12, 15)
    assert ws.cell(row_of(ws, "Carlos Mendoza"), STATUS).value == "lapsed"
    assert ws.cell(row_of(ws, "Marcus Johnson"), DAYS).value == 10
    assert ws.cell(row_of(ws, "Grace Kim"), DAYS).value == 12

    # Every contact has a status, and it is the one the run reported for that name.
    assert result.contacts == 30
    for outcome in result.rows:
        assert str(ws.cell(outcome.row, 1).value).strip() == outcome.name
        assert ws.cell(outcome.row, STATUS).value == outcome.status
        assert ws.cell(outcome.row, DAYS).value == outcome.days_since


def test_written_cells_have_honest_types(workbook: Path, tmp_path: Path) -> None:
    result = run_xlsx(workbook, tmp_path / "drafts")
    ws = openpyxl.load_workbook(workbook)["Network"]
    written = 0
    for r in range(HEADER_ROW, ws.max_row + 1):
        for c in OWNED_COLS:
            cell = ws.cell(r, c)
            if cell.value is None:
                continue
            written += 1
            if isinstance(cell.value, str):
                assert cell.data_type == "s", cell.coordinate
            if c in (NEXT, DRAFTED) and r > HEADER_ROW:
                assert cell.is_date, cell.coordinate
                assert isinstance(cell.value, dt.datetime) and cell.value.time() == dt.time()
            if c in (SCORE, DAYS) and r > HEADER_ROW:
                assert cell.data_type == "n" and not isinstance(cell.value, bool), cell.coordinate
    assert written == result.cells_written + len(OWNED_HEADERS)
    for outcome in result.rows:
        got = ws.cell(outcome.row, NEXT).value
        assert (got.date() if got else None) == outcome.next_followup, outcome.name
        drafted = ws.cell(outcome.row, DRAFTED).value
        if outcome.action == "drafted":
            assert drafted == dt.datetime(2026, 11, 22)
        else:
            assert drafted is None, outcome.name


def test_second_run_same_day_writes_nothing_and_leaves_the_file_alone(
    workbook: Path, tmp_path: Path
) -> None:
    first = run_xlsx(workbook, tmp_path / "drafts")
    assert first.drafts_created > 0
    os.utime(workbook, (LONG_AGO, LONG_AGO))
    data, mtime = workbook.read_bytes(), workbook.stat().st_mtime_ns

    second = run_xlsx(workbook, tmp_path / "drafts")

    changed = [(c.cell, c.name, c.old, c.new) for c in second.changes]
    assert second.cells_written == 0, changed
    assert second.drafts_created == 0
    assert workbook.stat().st_mtime_ns == mtime
    assert workbook.read_bytes() == data


def _small_workbook(path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "People"
    ws.append(["Name", "Email", "Last contacted", "What", "Last in person"])
    ws.append(["Ann Lee", "ann@example.com", dt.date(2026, 11, 20), "Coffee", None])
    ws.append(["Bob Stone", "bob@example.com", dt.date(2026, 11, 15), "Tea", None])
    book.save(path)


def test_a_run_that_changes_nothing_never_rewrites_the_file(tmp_path: Path) -> None:
    # Nobody here is due, so the second run has nothing to write whatever the drafting does.
    path = tmp_path / "people.xlsx"
    _small_workbook(path)
    assert run_xlsx(path, tmp_path / "drafts").cells_written == 8
    os.utime(path, (LONG_AGO, LONG_AGO))
    data, mtime = path.read_bytes(), path.stat().st_mtime_ns

    again = run_xlsx(path, tmp_path / "drafts")

    assert again.cells_written == 0 and again.drafts_created == 0
    assert path.stat().st_mtime_ns == mtime
    assert path.read_bytes() == data
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# --- the CSV export ----------------------------------------------------------------------


def test_csv_user_fields_are_kept_byte_for_byte(csv_file: Path, tmp_path: Path) -> None:
    raw_before = csv_file.read_bytes()
    result = run_csv(csv_file, tmp_path / "drafts")
    raw_after = csv_file.read_bytes()
    assert result.cells_written > 0

    # Same encoding (UTF-8, no BOM), same delimiter, same line endings.
    assert not raw_after.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" not in raw_after
    text_before, text_after = raw_before.decode("utf-8"), raw_after.decode("utf-8")

    # Each physical line of the original is still there, with owned fields appended.
    lines_before, lines_after = text_before.split("\n"), text_after.split("\n")
    assert len(lines_after) == len(lines_before)
    for old, new in zip(lines_before, lines_after, strict=True):
        assert new == old or new.startswith(old + ","), (old, new)

    # And field by field, as a CSV reader sees them.
    before = list(csv.reader(io.StringIO(text_before, newline="")))
    after = list(csv.reader(io.StringIO(text_after, newline="")))
    assert len(after) == len(before)
    width = len(before[0])
    assert after[0] == before[0] + OWNED_HEADERS
    for old, new in zip(before, after, strict=True):
        assert new[:width] == old
        assert width <= len(new) <= width + len(OWNED_HEADERS)  # trailing empties may be cut


def test_csv_statuses_land_beside_the_right_names(csv_file: Path, tmp_path: Path) -> None:
    result = run_csv(csv_file, tmp_path / "drafts")
    rows = list(csv.reader(io.StringIO(csv_file.read_text("utf-8"), newline="")))
    status = {r[0].strip(): r[11] for r in rows[1:] if r and r[0].strip()}
    assert status["Ahmed Hassan"] == "check data"
    assert status["Oliver Smith"] == "do not contact"
    assert status["Chloé Dubois"] == "snoozed"
    assert status == {o.name: o.status for o in result.rows}
    days = {r[0].strip(): r[13] for r in rows[1:] if r and r[0].strip()}
    assert days["Marcus Johnson"] == "10"


def test_csv_second_run_same_day_writes_nothing(csv_file: Path, tmp_path: Path) -> None:
    run_csv(csv_file, tmp_path / "drafts")
    os.utime(csv_file, (LONG_AGO, LONG_AGO))
    data, mtime = csv_file.read_bytes(), csv_file.stat().st_mtime_ns

    second = run_csv(csv_file, tmp_path / "drafts")

    assert second.cells_written == 0, [(c.cell, c.old, c.new) for c in second.changes]
    assert second.drafts_created == 0
    assert csv_file.stat().st_mtime_ns == mtime
    assert csv_file.read_bytes() == data


# --- text that looks like a formula ------------------------------------------------------

#: A header that still reads as "Last contacted" but starts with "=": every note that
#: names the column then starts with "=" too.
SHIFTY_HEADER = ["Name", "Email", "=Last contacted", "What", "Last in person"]
SHIFTY_ROWS = [
    ['=HYPERLINK("http://x")', "hyper@example.com", "=DATE(2026,1,1)", "@mention", None],
    ["+Plus Person", "plus@example.com", "sometime", "-minus", None],
    ["Bob Stone", "bob@example.com", "2026-11-15", "Tea", None],
]
#: Owned headers a user renamed to text that starts like a formula.
SHIFTY_OWNED = {**OWNED_DEFAULTS, "status": "=Status", "note": "@Note"}


def _shifty_xlsx(path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    for values in [SHIFTY_HEADER, *SHIFTY_ROWS]:
        ws.append(values)
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # what the user typed as text stays text
    book.save(path)


def _shifty_csv(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(
            [SHIFTY_HEADER, *[["" if v is None else v for v in r] for r in SHIFTY_ROWS]]
        )


def test_formula_like_text_never_becomes_a_formula_in_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "shifty.xlsx"
    _shifty_xlsx(path)
    before = openpyxl.load_workbook(path)
    assert formula_cells(before) == {}

    result = run(
        Config(status_columns=SHIFTY_OWNED),
        sheet=XlsxSheet(path),
        outbox=MemoryOutbox(),
        today=TODAY,
    )

    after = openpyxl.load_workbook(path)
    assert formula_cells(after) == {}
    ws = after.active
    assert ws["F1"].value == "=Status" and ws["K1"].value == "@Note"
    notes = [ws.cell(r, 11).value for r in (2, 3)]
    assert all(n.startswith("=Last contacted") for n in notes), notes
    assert "'=DATE(2026,1,1)'" in notes[0]
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                assert cell.data_type == "s", cell.coordinate
    assert [o.status for o in sorted(result.rows, key=lambda o: o.row)] == [
        "check data",
        "check data",
        "ok",
    ]
    # The user's own cells are exactly as they were.
    old = before.active
    for r in range(1, 5):
        for c in range(1, 6):
            assert cell_state(ws.cell(r, c)) == cell_state(old.cell(r, c))


def test_formula_like_text_is_neutralised_in_csv(tmp_path: Path) -> None:
    path = tmp_path / "shifty.csv"
    _shifty_csv(path)
    before = list(csv.reader(io.StringIO(path.read_text("utf-8"), newline="")))

    run(
        Config(status_columns=SHIFTY_OWNED),
        sheet=CsvSheet(path),
        outbox=MemoryOutbox(),
        today=TODAY,
    )

    after = list(csv.reader(io.StringIO(path.read_text("utf-8"), newline="")))
    width = len(SHIFTY_HEADER)
    for old, new in zip(before, after, strict=True):
        assert new[:width] == old  # the user's own text is theirs, untouched
        for field in new[width:]:
            assert not field.startswith(FORMULA_TRIGGERS), field
    assert after[0][width] == "'=Status" and after[0][-1] == "'@Note"
    assert after[1][-1].startswith("'=Last contacted") and after[2][-1].startswith("'=Last")


def test_neutralised_csv_survives_a_second_run(tmp_path: Path) -> None:
    path = tmp_path / "shifty.csv"
    _shifty_csv(path)
    config = Config(status_columns=SHIFTY_OWNED)
    run(config, sheet=CsvSheet(path), outbox=MemoryOutbox(), today=TODAY)
    data = path.read_bytes()

    again = run(config, sheet=CsvSheet(path), outbox=MemoryOutbox(), today=TODAY)

    assert again.cells_written == 0, [(c.cell, c.old, c.new) for c in again.changes]
    assert [o.name for o in sorted(again.rows, key=lambda o: o.row)] == [
        '=HYPERLINK("http://x")',
        "+Plus Person",
        "Bob Stone",
    ]
    assert path.read_bytes() == data
