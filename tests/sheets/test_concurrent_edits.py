"""The user edits the sheet between a run's read and its write: statuses still follow people.

Each scenario runs twice: once on the unedited sheet, to learn what each person's
Status and Days since should be, and once with an edit made after the read and
before the write (``MemorySheet(before_write=...)``, or a real .xlsx file saved
by openpyxl just before :meth:`XlsxSheet.write`, as if the user pressed Save).
Then every row of the edited sheet must carry its own person's values, or
nothing when sheetsync could not be sure who the row belongs to.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sheetsync.app import run
from sheetsync.config import Config
from sheetsync.core.result import RunResult
from sheetsync.outbox import EmlFolder, MemoryOutbox
from sheetsync.sheets import MemorySheet, XlsxSheet
from sheetsync.sheets.base import Placer, WriteOutcome

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TODAY = dt.date(2026, 11, 22)
LONG_AGO = 1_600_000_000

Grid = list[list[Any]]
Values = tuple[Any, Any]  # (Status, Days since)


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


HEADER = ["Name", "Email", "Tier", "Last contacted", "What", "Last in person", "Do not contact"]


def people() -> Grid:
    """Eight contacts with eight different (status, days since) pairs."""
    return [
        list(HEADER),
        ["Ann Lee", "ann@example.com", "A", ago(3), "Coffee", ago(3), None],  # new
        ["Bob Stone", "bob@example.com", "B", ago(10), "Tea", None, None],  # ok
        ["Cara Diaz", "cara@example.com", "A", ago(13), "Books", None, None],  # due soon
        ["Dev Patel", "dev@example.com", "B", ago(45), "Bikes", None, None],  # overdue
        ["Eve Moss", "eve@example.com", "C", ago(400), "Boats", None, None],  # lapsed
        ["Finn Roe", None, "B", "sometime", "Jazz", None, None],  # check data, keyed by name
        ["Gus Hale", "gus@example.com", "B", ago(20), "Golf", None, "yes"],  # do not contact
        ["Hana Ito", "hana@example.com", "C", ago(60), "Tennis", None, None],  # ok
    ]


def owned_by_name(grid: Grid) -> dict[Any, list[Values]]:
    """Each name in the grid with the (Status, Days since) on each of its rows."""
    header = next(i for i, row in enumerate(grid) if "Status" in row)
    cols = grid[header]
    name, status, days = cols.index("Name"), cols.index("Status"), cols.index("Days since")

    def at(row: list[Any], col: int) -> Any:
        return row[col] if col < len(row) else None

    out: dict[Any, list[Values]] = {}
    for row in grid[header + 1 :]:
        who = at(row, name)
        if who in (None, ""):
            assert (at(row, status), at(row, days)) == (None, None), row
            continue
        out.setdefault(who, []).append((at(row, status), at(row, days)))
    return out


def expected_from(grid: Grid) -> dict[Any, Values]:
    found = owned_by_name(grid)
    assert all(len(v) == 1 and v[0][0] for v in found.values()), found
    return {k: v[0] for k, v in found.items()}


def assert_follows_people(
    grid: Grid, expected: dict[Any, Values], *, skipped: frozenset[str] | set[str] = frozenset()
) -> None:
    """Every row holds its own person's values; skipped and unknown people hold nothing."""
    written = 0
    for who, values in owned_by_name(grid).items():
        if who in skipped or who not in expected:
            assert set(values) == {(None, None)}, (who, values)
        else:
            assert values == [expected[who]], who
            written += 1
    assert written == len(expected) - len(skipped & set(expected))


def run_memory(grid: Grid, edit: Callable[[Grid], None] | None = None) -> tuple[RunResult, Grid]:
    sheet = MemorySheet(grid, before_write=edit)
    result = run(Config(), sheet=sheet, outbox=MemoryOutbox(), today=TODAY)
    return result, sheet.grid


@pytest.fixture(scope="module")
def expected() -> dict[Any, Values]:
    _, grid = run_memory(people())
    got = expected_from(grid)
    # The scenario is only a test if people can be told apart by what is written.
    assert len(set(got.values())) == len(got) == 8
    assert {s for s, _ in got.values()} == {
        "new",
        "ok",
        "due soon",
        "overdue",
        "lapsed",
        "check data",
        "do not contact",
    }
    return got


# --- in memory ---------------------------------------------------------------------------


def reverse_sort(grid: Grid) -> None:
    grid[1:] = grid[1:][::-1]


def sort_by_email(grid: Grid) -> None:
    grid[1:] = sorted(grid[1:], key=lambda r: str(r[1] or "~"))


def insert_above_header(grid: Grid) -> None:
    grid[0:0] = [["My people — keep in touch"], []]


def insert_between(grid: Grid) -> None:
    grid.insert(3, [])
    grid.insert(5, ["Zed New", "zed@example.com", "B", ago(50), "Chess", None, None])


def insert_and_sort(grid: Grid) -> None:
    insert_between(grid)
    reverse_sort(grid)
    insert_above_header(grid)


@pytest.mark.parametrize(
    "edit",
    [reverse_sort, sort_by_email, insert_above_header, insert_between, insert_and_sort],
)
def test_statuses_follow_people_when_rows_move(
    edit: Callable[[Grid], None], expected: dict[Any, Values]
) -> None:
    result, grid = run_memory(people(), edit)
    assert_follows_people(grid, expected)
    assert result.cells_written > 0
    assert not [w for w in result.warnings if "no longer" in w or "appears on rows" in w]


def test_a_contact_deleted_mid_run_is_skipped_with_a_warning(
    expected: dict[Any, Values],
) -> None:
    def delete_dev(grid: Grid) -> None:
        grid[:] = [r for r in grid if r[0] != "Dev Patel"]
        reverse_sort(grid)

    result, grid = run_memory(people(), delete_dev)
    assert "Dev Patel" not in owned_by_name(grid)
    assert_follows_people(grid, expected, skipped={"Dev Patel"})
    assert any("Dev Patel" in w and "no longer in the sheet" in w for w in result.warnings)


def test_a_row_cleared_mid_run_gets_nothing(expected: dict[Any, Values]) -> None:
    def clear_bob(grid: Grid) -> None:
        row = next(r for r in grid if r[0] == "Bob Stone")
        row[:] = [None] * len(row)

    result, grid = run_memory(people(), clear_bob)
    assert_follows_people(grid, expected, skipped={"Bob Stone"})
    assert any("Bob Stone" in w for w in result.warnings)


def test_an_email_changed_mid_run_is_a_different_person(expected: dict[Any, Values]) -> None:
    def new_email(grid: Grid) -> None:
        next(r for r in grid if r[0] == "Eve Moss")[1] = "eve.moss@example.org"

    result, grid = run_memory(people(), new_email)
    assert_follows_people(grid, expected, skipped={"Eve Moss"})
    assert any("Eve Moss" in w for w in result.warnings)


def test_a_row_duplicated_mid_run_is_skipped_with_a_warning(
    expected: dict[Any, Values],
) -> None:
    def duplicate_bob(grid: Grid) -> None:
        grid.append(list(next(r for r in grid if r[0] == "Bob Stone")))
        reverse_sort(grid)

    result, grid = run_memory(people(), duplicate_bob)
    assert owned_by_name(grid)["Bob Stone"] == [(None, None), (None, None)]
    assert_follows_people(grid, expected, skipped={"Bob Stone"})
    assert any("Bob Stone" in w and "appears on rows" in w for w in result.warnings)


def test_a_name_keyed_row_duplicated_mid_run_is_skipped(expected: dict[Any, Values]) -> None:
    def duplicate_finn(grid: Grid) -> None:
        grid.insert(2, list(next(r for r in grid if r[0] == "Finn Roe")))

    result, grid = run_memory(people(), duplicate_finn)
    assert_follows_people(grid, expected, skipped={"Finn Roe"})
    assert any("Finn Roe" in w and "appears on rows" in w for w in result.warnings)


@pytest.mark.parametrize("column", ["Last contacted", "Name"])
def test_a_required_header_renamed_mid_run_writes_nothing(column: str) -> None:
    edited: Grid = []

    def rename(grid: Grid) -> None:
        grid[0][grid[0].index(column)] = "Zzz"
        reverse_sort(grid)
        edited[:] = [list(r) for r in grid]

    result, grid = run_memory(people(), rename)
    assert grid == edited  # not one cell written, not even a header
    assert result.cells_written == 0
    assert any("headers changed" in w and "nothing was written" in w for w in result.warnings)


def test_an_optional_header_renamed_mid_run_still_places_by_identity(
    expected: dict[Any, Values],
) -> None:
    """'What' is optional: renaming it mid-run does not stop the write, and every status
    still lands beside its own person."""

    def rename(grid: Grid) -> None:
        grid[0][grid[0].index("What")] = "Zzz"
        reverse_sort(grid)

    result, grid = run_memory(people(), rename)
    assert result.cells_written > 0
    assert_follows_people(grid, expected)


def test_an_unedited_run_has_no_skips(expected: dict[Any, Values]) -> None:
    result, grid = run_memory(people())
    assert_follows_people(grid, expected)
    assert result.warnings == []


# --- a real workbook saved by the user mid-run -------------------------------------------


class SavedMidRun(XlsxSheet):
    """An XlsxSheet whose file the user edits and saves after the read, before the write."""

    def __init__(self, path: Path, edit: Callable[[Any], None]):
        super().__init__(path)
        self.edit = edit

    def commit(self, placer: Placer) -> WriteOutcome:
        book = openpyxl.load_workbook(self.path)
        self.edit(book[self.tab or book.sheetnames[0]])
        book.save(self.path)
        return super().commit(placer)


def xlsx_owned_by_name(path: Path) -> dict[Any, list[Values]]:
    ws = openpyxl.load_workbook(path)["Network"]
    grid = [list(r) for r in ws.iter_rows(values_only=True)]
    # openpyxl reads dates as datetimes; Days since is an int either way.
    return owned_by_name(grid)


@pytest.fixture(scope="module")
def example_expected(tmp_path_factory: pytest.TempPathFactory) -> dict[Any, Values]:
    folder = tmp_path_factory.mktemp("reference")
    path = folder / "contacts.xlsx"
    shutil.copy(EXAMPLES / "contacts.xlsx", path)
    run(Config(), sheet=XlsxSheet(path), outbox=EmlFolder(folder / "drafts"), today=TODAY)
    found = xlsx_owned_by_name(path)
    assert len(found) == 30 and all(len(v) == 1 for v in found.values())
    return {k: v[0] for k, v in found.items()}


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    path = tmp_path / "contacts.xlsx"
    shutil.copy(EXAMPLES / "contacts.xlsx", path)
    os.utime(path, (LONG_AGO, LONG_AGO))  # last saved long ago, as a user's file would be
    return path


def _rows(ws: Any, first: int, last: int) -> list[list[Any]]:
    return [[ws.cell(r, c).value for c in range(1, 13)] for r in range(first, last + 1)]


def _put_rows(ws: Any, first: int, rows: list[list[Any]]) -> None:
    for r, values in enumerate(rows, start=first):
        for c, value in enumerate(values, start=1):
            ws.cell(r, c).value = value


def _row_named(ws: Any, name: str) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == name)


def x_reverse(ws: Any) -> None:
    _put_rows(ws, 4, _rows(ws, 4, 36)[::-1])


def x_insert_above_header(ws: Any) -> None:
    ws.insert_rows(3, 2)
    ws["A3"] = "Updated by hand while sheetsync ran"


def x_insert_between(ws: Any) -> None:
    ws.insert_rows(10, 2)
    ws["A11"], ws["B11"], ws["F11"] = "Zed New", "zed@example.com", dt.datetime(2026, 9, 1)
    ws["G11"], ws["H11"] = "Chess", None


def x_insert_and_sort(ws: Any) -> None:
    x_reverse(ws)
    x_insert_between(ws)
    x_insert_above_header(ws)


@pytest.mark.parametrize(
    "edit", [x_reverse, x_insert_above_header, x_insert_between, x_insert_and_sort]
)
def test_xlsx_statuses_follow_people_when_rows_move(
    edit: Callable[[Any], None],
    workbook: Path,
    tmp_path: Path,
    example_expected: dict[Any, Values],
) -> None:
    result = run(
        Config(),
        sheet=SavedMidRun(workbook, edit),
        outbox=EmlFolder(tmp_path / "drafts"),
        today=TODAY,
    )
    found = xlsx_owned_by_name(workbook)
    written = 0
    for who, values in found.items():
        if who in example_expected:
            assert values == [example_expected[who]], who
            written += 1
        else:
            assert set(values) == {(None, None)}, who
    assert written == 30 and result.cells_written > 0
    # The user's edit itself survived the write.
    ws = openpyxl.load_workbook(workbook)["Network"]
    if edit in (x_insert_above_header, x_insert_and_sort):
        assert ws["A3"].value == "Updated by hand while sheetsync ran"
    if edit in (x_insert_between, x_insert_and_sort):
        assert "Zed New" in found
    if edit is x_reverse:
        assert ws["A36"].value == "Priya 🚀 Raman" and ws["A4"].value == "Grace Kim"


def test_xlsx_contact_deleted_mid_run(
    workbook: Path, tmp_path: Path, example_expected: dict[Any, Values]
) -> None:
    def delete(ws: Any) -> None:
        ws.delete_rows(_row_named(ws, "Emily Chen"))
        x_reverse(ws)

    result = run(
        Config(),
        sheet=SavedMidRun(workbook, delete),
        outbox=EmlFolder(tmp_path / "drafts"),
        today=TODAY,
    )
    found = xlsx_owned_by_name(workbook)
    assert "Emily Chen" not in found
    assert found == {k: [v] for k, v in example_expected.items() if k != "Emily Chen"}
    assert any("Emily Chen" in w and "no longer in the sheet" in w for w in result.warnings)


def test_xlsx_row_duplicated_mid_run(
    workbook: Path, tmp_path: Path, example_expected: dict[Any, Values]
) -> None:
    def duplicate(ws: Any) -> None:
        values = _rows(ws, _row_named(ws, "Aisha Bello"), _row_named(ws, "Aisha Bello"))
        _put_rows(ws, 37, values)

    result = run(
        Config(),
        sheet=SavedMidRun(workbook, duplicate),
        outbox=EmlFolder(tmp_path / "drafts"),
        today=TODAY,
    )
    found = xlsx_owned_by_name(workbook)
    assert found.pop("Aisha Bello") == [(None, None), (None, None)]
    assert found == {k: [v] for k, v in example_expected.items() if k != "Aisha Bello"}
    assert any("Aisha Bello" in w and "appears on rows" in w for w in result.warnings)


def test_xlsx_header_renamed_mid_run_writes_nothing(workbook: Path, tmp_path: Path) -> None:
    def rename(ws: Any) -> None:
        ws["F3"] = "Spoke on"

    sheet = SavedMidRun(workbook, rename)
    result = run(Config(), sheet=sheet, outbox=EmlFolder(tmp_path / "drafts"), today=TODAY)
    ws = openpyxl.load_workbook(workbook)["Network"]
    assert ws["F3"].value == "Spoke on"  # the user's rename is kept
    assert ws.max_column == 12  # and no owned column was added
    assert all(ws.cell(r, 13).value is None for r in range(1, ws.max_row + 1))
    assert result.cells_written == 0
    assert any("headers changed" in w for w in result.warnings)


def _pad_zip(path: Path, size: int) -> None:
    """Give the zip archive a comment so the file is exactly ``size`` bytes."""
    with zipfile.ZipFile(path, "a") as zf:
        zf.comment = b""
    bare = path.stat().st_size
    assert bare <= size, (bare, size)
    with zipfile.ZipFile(path, "a") as zf:
        zf.comment = b" " * (size - bare)
    assert path.stat().st_size == size


def test_xlsx_edit_with_same_size_and_mtime_is_not_overwritten(tmp_path: Path) -> None:
    """A save the file's (size, mtime) cannot tell apart must still be seen.

    File systems with coarse timestamps (FAT/exFAT: 2 s, HFS+ and many network
    shares: 1 s) give a save made within the same tick the same mtime; here the
    size is padded to match too (with a zip comment) and the mtime is put back,
    which is what such a file system shows.  sheetsync must not write its stale
    copy of the workbook over the user's edit.
    """
    path = tmp_path / "people.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    for values in people():
        ws.append(values)
    book.save(path)
    _pad_zip(path, path.stat().st_size + 2000)

    def swap_first_two(ws: Any) -> None:
        a, b = [c.value for c in ws[2]], [c.value for c in ws[3]]
        for col, (x, y) in enumerate(zip(a, b, strict=True), start=1):
            ws.cell(2, col).value, ws.cell(3, col).value = y, x

    class SameTick(XlsxSheet):
        def commit(self, placer: Placer) -> WriteOutcome:
            st = self.path.stat()
            book = openpyxl.load_workbook(self.path)
            swap_first_two(book.active)
            book.save(self.path)
            _pad_zip(self.path, st.st_size)
            os.utime(self.path, ns=(st.st_atime_ns, st.st_mtime_ns))
            return super().commit(placer)

    run(Config(), sheet=SameTick(path), outbox=MemoryOutbox(), today=TODAY)
    ws = openpyxl.load_workbook(path).active
    assert [ws["A2"].value, ws["A3"].value] == ["Bob Stone", "Ann Lee"], "the user's edit was lost"
    _, reference = run_memory(people())
    grid = [list(r) for r in ws.iter_rows(values_only=True)]
    assert_follows_people(grid, expected_from(reference))


# --- the same contact on two rows --------------------------------------------------------


def test_duplicate_rows_each_get_their_own_values() -> None:
    # Same email on two rows with different data: both are "check data", and each row's
    # Days since is its own, written once (a regression: each item went to both rows).
    grid = [
        ["Name", "Email", "Last contacted", "What", "Last in person"],
        ["Ann", "a@x.org", dt.date(2025, 10, 2), "x", None],
        ["Ann B", "A@x.org", dt.date(2026, 6, 1), "y", None],
    ]
    sheet = MemorySheet(grid)
    result = run(Config(), sheet=sheet, outbox=MemoryOutbox(), today=dt.date(2026, 11, 22))
    cells = [c.cell for c in result.changes]
    assert len(cells) == len(set(cells)), "no cell is written twice"
    days = sheet.grid[0].index("Days since")
    assert sheet.grid[1][days] == 416 and sheet.grid[2][days] == 174
    status = sheet.grid[0].index("Status")
    assert sheet.grid[1][status] == sheet.grid[2][status] == "check data"


def test_identical_duplicate_rows_both_get_the_note() -> None:
    row = ["Ann", "a@x.org", dt.date(2025, 10, 2), "x", None]
    grid = [["Name", "Email", "Last contacted", "What", "Last in person"], row, list(row)]
    sheet = MemorySheet(grid)
    result = run(Config(), sheet=sheet, outbox=MemoryOutbox(), today=dt.date(2026, 11, 22))
    note = sheet.grid[0].index("Sheetsync note")
    assert "merge them" in sheet.grid[1][note] and sheet.grid[1][note] == sheet.grid[2][note]
    assert not result.warnings
