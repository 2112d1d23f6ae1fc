"""Local workbooks and CSV files: clear errors, atomic writes, and odd input that still works."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference

from sheetsync.app import run
from sheetsync.config import Config
from sheetsync.core.result import RunResult
from sheetsync.errors import ColumnMissing, SheetError, SheetLocked, SheetNotFound
from sheetsync.outbox import EmlFolder, MemoryOutbox
from sheetsync.sheets import CsvSheet, MemorySheet, XlsxSheet, open_sheet

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TODAY = dt.date(2026, 11, 22)
HEADER = ["Name", "Email", "Last contacted", "What", "Last in person"]
OWNED_HEADERS = ["Status", "Score", "Days since", "Next follow-up", "Drafted", "Sheetsync note"]


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def people() -> list[list[Any]]:
    """A header and three contacts: one fine, one overdue (drafted), one lapsed (drafted)."""
    return [
        list(HEADER),
        ["Ann Lee", "ann@example.com", ago(2), "Coffee", None],
        ["Bob Stone", "bob@example.com", ago(45), "Tea", None],
        ["Cara Diaz", "cara@example.com", ago(100), "Books", None],
    ]


def make_xlsx(path: Path, rows: list[list[Any]], *, title: str = "Sheet") -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = title
    for values in rows:
        ws.append(values)
    book.save(path)
    return path


def run_on(sheet: Any, outbox: Any = None) -> RunResult:
    return run(Config(), sheet=sheet, outbox=outbox or MemoryOutbox(), today=TODAY)


def column(path: Path, header: str) -> dict[Any, Any]:
    """name -> value of ``header``'s column, from an .xlsx file."""
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert header in rows[0], f"no {header!r} column in {path.name}: {rows[0]}"
    col = rows[0].index(header)
    return {r[0]: r[col] for r in rows[1:] if r[0]}


@pytest.fixture
def example(tmp_path: Path) -> Path:
    target = tmp_path / "contacts.xlsx"
    shutil.copy(EXAMPLES / "contacts.xlsx", target)
    return target


# --- files that cannot be read -----------------------------------------------------------


@pytest.mark.parametrize("name", ["nothere.xlsx", "nothere.csv"])
def test_missing_file_names_the_path(tmp_path: Path, name: str) -> None:
    path = tmp_path / "sub" / name
    with pytest.raises(SheetNotFound) as err:
        open_sheet(str(path)).read()
    assert str(path) in str(err.value)
    with pytest.raises(SheetNotFound, match=re.escape(str(path))):
        run(Config(sheet=str(path)), outbox=MemoryOutbox(), today=TODAY)


@pytest.mark.parametrize("name", ["folder.xlsx", "folder.csv"])
def test_a_folder_is_not_a_workbook(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.mkdir()
    with pytest.raises(SheetNotFound, match="is a folder"):
        open_sheet(str(path)).read()


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"\x00\x01garbage bytes, not a workbook\xff" * 20, id="garbage"),
        pytest.param(b"", id="empty-file"),
        pytest.param(b"Name,Email\nAnn,ann@example.com\n", id="csv-renamed-xlsx"),
        pytest.param(None, id="zip-but-not-xlsx"),
    ],
)
def test_unreadable_xlsx_says_to_resave(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "broken.xlsx"
    if content is None:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("hello.txt", "not a workbook")
    else:
        path.write_bytes(content)
    original = path.read_bytes()
    with pytest.raises(SheetError) as err:
        run_on(XlsxSheet(path))
    assert not isinstance(err.value, SheetNotFound | SheetLocked | ColumnMissing)
    message = str(err.value)
    assert str(path) in message and "save it as .xlsx" in message
    assert path.read_bytes() == original


def test_csv_with_nul_bytes_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "binary.csv"
    path.write_bytes(b"Name,Email\x00\x00\x01\x02")
    with pytest.raises(SheetError, match="NUL bytes"):
        CsvSheet(path).read()


@pytest.mark.parametrize(
    "rows_before",
    [pytest.param(2, id="near-the-top"), pytest.param(400, id="beyond-the-first-4-KiB")],
)
def test_one_nul_byte_in_a_csv_is_refused_naming_its_line(tmp_path: Path, rows_before: int) -> None:
    path = tmp_path / "people.csv"
    body = "".join(f"Person {i},2026-01-01,x,\n" for i in range(rows_before))
    path.write_bytes(f"Name,Last interaction,What,Last in person\n{body}".encode() + b"Ada\x00 L,")
    line = rows_before + 2
    with pytest.raises(SheetError) as err:
        CsvSheet(path).read()
    message = str(err.value)
    assert message.startswith(f"{path}, line {line}, column 4: "), "where: just after 'Ada'"
    assert "a NUL byte (an invisible character that is not text)" in message, "what"


def test_missing_tab_lists_the_tabs(example: Path) -> None:
    with pytest.raises(SheetNotFound) as err:
        XlsxSheet(example, tab="Contacts").read()
    message = str(err.value)
    assert "'Contacts'" in message and "'Network', 'Notes'" in message
    assert "--tab" in message


def test_the_tab_named_is_the_tab_read(example: Path) -> None:
    sheet = XlsxSheet(example, tab="Network")
    assert sheet.read()[2][:2] == ["Name", "Email"]
    assert sheet.describe() == "contacts.xlsx › Network"
    # Notes has no contact columns at all: a clear ColumnMissing, not a crash.
    with pytest.raises(ColumnMissing, match="Notes"):
        run_on(XlsxSheet(example, tab="Notes"))


@pytest.mark.parametrize(
    ("location", "words"),
    [
        ("contacts.ods", "known file endings"),
        ("contacts", "Google Sheets URL"),
    ],
)
def test_unknown_locations_are_explained(location: str, words: str) -> None:
    with pytest.raises(SheetError, match=words):
        open_sheet(location)


def test_a_csv_has_no_tabs(tmp_path: Path) -> None:
    with pytest.raises(SheetError, match="no tabs"):
        open_sheet(str(tmp_path / "contacts.csv"), tab="Network")


# --- files open in another program ---------------------------------------------------------


@pytest.mark.parametrize("lock", ["~${name}", ".~lock.{name}#"])
@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_a_locked_file_is_not_written(tmp_path: Path, lock: str, kind: str) -> None:
    path = tmp_path / f"contacts.{kind}"
    if kind == "xlsx":
        make_xlsx(path, people())
    else:
        path.write_text(
            "Name,Email,Last contacted,What,Last in person\n"
            "Bob Stone,bob@example.com,2026-10-08,Tea,\n",
            encoding="utf-8",
        )
    (tmp_path / lock.format(name=path.name)).write_text("someone", encoding="utf-8")
    original = path.read_bytes()
    with pytest.raises(SheetLocked) as err:
        run_on(open_sheet(str(path)))
    message = str(err.value)
    assert path.name in message and "Close it" in message
    assert path.read_bytes() == original


def test_a_locked_output_copy_is_not_written(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "contacts.xlsx", people())
    out = tmp_path / "copy.xlsx"
    (tmp_path / "~$copy.xlsx").write_text("someone", encoding="utf-8")
    with pytest.raises(SheetLocked, match=r"copy\.xlsx"):
        run_on(XlsxSheet(path, output=out))
    assert not out.exists()


# --- a write that fails midway -----------------------------------------------------------


class DiskFullOnSave(XlsxSheet):
    """An XlsxSheet whose workbook fails to save: part of the file is written, then ENOSPC.

    The failure is injected on the one workbook object this backend loads for
    writing (its ``save`` attribute is replaced on that instance only), so the
    real write path runs unchanged up to the save: placing the plan, assigning
    the cells, creating the temporary file beside the target.  No library code
    and no file-system permission is patched, which would be unreliable as root.
    """

    def __init__(self, *args: Any, fail_times: int = 1, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fail_times = fail_times

    def fresh(self) -> Any:
        book: Any = super().fresh()
        real_save = book.save

        def save(out: Any) -> None:
            if self.fail_times > 0:
                self.fail_times -= 1
                out.write(b"PK\x03\x04 half a workbook")
                raise OSError(28, "No space left on device")
            real_save(out)

        book.save = save
        return book


def test_a_failed_save_leaves_the_original_byte_identical(example: Path) -> None:
    original = example.read_bytes()
    mtime = example.stat().st_mtime_ns
    with pytest.raises(SheetError, match=r"No space left.*Nothing was changed"):
        run_on(DiskFullOnSave(example))
    assert example.read_bytes() == original
    assert example.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in example.parent.iterdir()) == ["contacts.xlsx"]


def test_a_retry_after_a_failed_save_writes_the_statuses(tmp_path: Path) -> None:
    # A long-lived process (the scheduler) keeps its backend object between runs.
    path = make_xlsx(tmp_path / "people.xlsx", people())
    sheet = DiskFullOnSave(path)
    with pytest.raises(SheetError):
        run_on(sheet)
    result = run_on(sheet)
    assert column(path, "Status") == {
        "Ann Lee": "ok",
        "Bob Stone": "overdue",
        "Cara Diaz": "lapsed",
    }, result.warnings


def test_a_failed_output_save_leaves_no_copy(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "copy.xlsx"
    with pytest.raises(SheetError):
        run_on(DiskFullOnSave(example, output=out))
    assert not out.exists()
    assert [p.name for p in out.parent.iterdir()] == []


# --- workbooks openpyxl cannot round-trip ------------------------------------------------


def chart_workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    for values in people():
        ws.append(values)
    stats = book.create_sheet("Stats")
    stats.append(["Month", "Coffees"])
    for month, n in (("Sep", 3), ("Oct", 5), ("Nov", 2)):
        stats.append([month, n])
    chart = BarChart()
    chart.add_data(Reference(stats, min_col=2, min_row=1, max_row=4), titles_from_data=True)
    stats.add_chart(chart, "D2")
    book.save(path)
    with zipfile.ZipFile(path) as zf:
        assert any(n.startswith("xl/charts/") for n in zf.namelist())
    return path


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_a_workbook_with_charts_is_written_in_place_keeping_them(tmp_path: Path) -> None:
    path = chart_workbook(tmp_path / "charts.xlsx")
    before = parts(path)
    run_on(XlsxSheet(path))
    after = parts(path)
    assert column(path, "Status") == {
        "Ann Lee": "ok",
        "Bob Stone": "overdue",
        "Cara Diaz": "lapsed",
    }
    changed = {n for n in before if after.get(n) != before[n]}
    assert changed <= {"xl/worksheets/sheet1.xml", "xl/styles.xml"}, changed
    assert set(after) == set(before)


def test_a_workbook_with_charts_can_be_written_to_a_copy(tmp_path: Path) -> None:
    path = chart_workbook(tmp_path / "charts.xlsx")
    original = path.read_bytes()
    out = tmp_path / "with-status.xlsx"
    result = run_on(XlsxSheet(path, output=out))
    assert path.read_bytes() == original
    assert result.written_to == str(out)
    assert not result.warnings
    assert column(out, "Status") == {"Ann Lee": "ok", "Bob Stone": "overdue", "Cara Diaz": "lapsed"}
    assert {n for n, data in parts(out).items() if parts(path)[n] != data} <= {
        "xl/worksheets/sheet1.xml",
        "xl/styles.xml",
    }


# --- CSV dialects and encodings ----------------------------------------------------------

CSV_ROWS = [
    HEADER,
    ["Chloé Dubois", "chloe@example.com", "2026-11-20", "Café, then a walk", ""],
    ["Bob Stone", "bob@example.com", "2026-10-08", 'The "big" move', ""],
]


@pytest.mark.parametrize(
    ("delimiter", "newline", "encoding", "bom"),
    [
        pytest.param(",", "\n", "utf-8", False, id="plain"),
        pytest.param(",", "\n", "utf-8", True, id="bom"),
        pytest.param(";", "\n", "utf-8", False, id="semicolon"),
        pytest.param(",", "\r\n", "utf-8", False, id="crlf"),
        pytest.param(";", "\r\n", "cp1252", False, id="cp1252-excel"),
        pytest.param("\t", "\n", "utf-8", False, id="tab"),
    ],
)
def test_csv_dialect_and_encoding_are_kept(
    tmp_path: Path, delimiter: str, newline: str, encoding: str, bom: bool
) -> None:
    path = tmp_path / "contacts.csv"
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, lineterminator=newline).writerows(CSV_ROWS)
    original = (b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode(encoding)
    path.write_bytes(original)

    result = run_on(CsvSheet(path))
    raw = path.read_bytes()

    assert result.contacts == 2
    assert {o.name: o.status for o in result.rows} == {"Chloé Dubois": "ok", "Bob Stone": "overdue"}
    assert raw.startswith(b"\xef\xbb\xbf") == bom
    body = raw[3:] if bom else raw
    text = body.decode(encoding)  # still the same encoding
    lines = text.split(newline)
    assert len(lines) == 4 and lines[-1] == ""
    if newline == "\n":
        assert "\r" not in text
    # The user's part of every line is byte-identical; sheetsync's part follows a delimiter.
    for old, new in zip(original.split(newline.encode()), raw.split(newline.encode()), strict=True):
        assert new == old or new.startswith(old + delimiter.encode()), (old, new)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    assert rows[0] == HEADER + OWNED_HEADERS
    assert rows[1][:5] == CSV_ROWS[1] and rows[2][:5] == CSV_ROWS[2]

    # A second run reads the file it wrote, the same way, and has nothing to change.
    again = run_on(CsvSheet(path))
    assert again.cells_written == 0
    assert path.read_bytes() == raw


@pytest.mark.parametrize(
    "delimiter", [",", ";", "\t", "|"], ids=["comma", "semicolon", "tab", "pipe"]
)
def test_csv_delimiter_is_found_again_on_the_next_run(tmp_path: Path, delimiter: str) -> None:
    # Plain fields, no quotes: the delimiter must be recognised from the file sheetsync wrote,
    # whose rows are ragged (a contact with nothing to note has fewer fields).
    path = tmp_path / "contacts.csv"
    rows = [
        HEADER,
        ["Ann Lee", "ann@example.com", "2026-11-20", "Coffee", ""],
        ["Bob Stone", "bob@example.com", "2026-10-08", "Tea", ""],
    ]
    path.write_text("".join(delimiter.join(r) + "\n" for r in rows), encoding="utf-8")
    first = run_on(CsvSheet(path))
    assert first.cells_written > 0
    written = path.read_bytes()
    assert written.splitlines()[0].decode() == delimiter.join(HEADER + OWNED_HEADERS)

    again = run_on(CsvSheet(path))

    assert {o.name: o.status for o in again.rows} == {"Ann Lee": "ok", "Bob Stone": "overdue"}
    assert again.cells_written == 0
    assert path.read_bytes() == written


def test_csv_user_cells_with_apostrophes_are_kept(tmp_path: Path) -> None:
    # Spreadsheet users type a leading apostrophe to keep "+44 ..." from becoming a formula.
    path = tmp_path / "phones.csv"
    original = (
        "Name,Phone,Last contacted,What,Last in person\n"
        "Ann Lee,'+44 20 7946 0958',2026-11-20,Coffee,\n"
        "Bob Stone,'+1 555 0100',2026-11-15,Tea,\n"
    )
    path.write_text(original, encoding="utf-8")
    run_on(CsvSheet(path))
    for old, new in zip(original.split("\n"), path.read_text("utf-8").split("\n"), strict=True):
        assert new == old or new.startswith(old + ","), (old, new)


def test_csv_quoted_fields_with_delimiters_are_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "quoted.csv"
    path.write_text(
        "Name,Phone,Last contacted,What,Last in person\n"
        "Ann Lee,'+44 20 7946 0958',2026-11-20,\"Coffee, then lunch\",\n",
        encoding="utf-8",
    )
    grid = CsvSheet(path).read()
    assert grid[1][:4] == ["Ann Lee", "'+44 20 7946 0958'", "2026-11-20", "Coffee, then lunch"]


def test_csv_write_failure_midway_leaves_the_original(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(
        "Name,Email,Last contacted,What,Last in person\n"
        "Ann Lee,ann@example.com,2026-11-20,Coffee,\n"
        'Bob Stone,bob@example.com,2026-10-08,"Tea, biscuits",\n',
        encoding="utf-8",
    )
    original = path.read_bytes()

    class NoQuoting(CsvSheet):
        """Writes without quoting, so the writer fails at Bob's row, after Ann's is out."""

        def _rows(self) -> list[list[str]]:
            rows = super()._rows()
            self.dialect = type("NoQuotes", (csv.excel,), {"quoting": csv.QUOTE_NONE})
            return rows

    with pytest.raises(csv.Error):
        run_on(NoQuoting(path))
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contacts.csv"]


# --- empty and odd sheets ----------------------------------------------------------------


def test_an_empty_sheet_says_it_is_empty(tmp_path: Path) -> None:
    for sheet in (
        MemorySheet([]),
        MemorySheet([[None, "  "], [], [None]]),
        XlsxSheet(make_xlsx(tmp_path / "empty.xlsx", [])),
        CsvSheet(tmp_path / "empty.csv"),
    ):
        if isinstance(sheet, CsvSheet):
            sheet.path.write_bytes(b"")
        with pytest.raises(ColumnMissing) as err:
            run_on(sheet)
        assert "is empty" in str(err.value) and "header row" in str(err.value)


def test_a_sheet_without_the_needed_columns_names_what_it_saw(tmp_path: Path) -> None:
    sheet = MemorySheet([["Name", "Email", "Phone"], ["Ann", "ann@example.com", "123"]])
    with pytest.raises(ColumnMissing) as err:
        run_on(sheet)
    message = str(err.value)
    assert "'last interaction'" in message and "'Name', 'Email', 'Phone'" in message
    assert sheet.grid == [["Name", "Email", "Phone"], ["Ann", "ann@example.com", "123"]]


@pytest.mark.parametrize("kind", ["memory", "xlsx", "csv"])
def test_header_only_runs_with_no_contacts(tmp_path: Path, kind: str) -> None:
    if kind == "memory":
        sheet: Any = MemorySheet([list(HEADER)])
    elif kind == "xlsx":
        sheet = XlsxSheet(make_xlsx(tmp_path / "h.xlsx", [list(HEADER)]))
    else:
        path = tmp_path / "h.csv"
        path.write_text(",".join(HEADER) + "\n", encoding="utf-8")
        sheet = CsvSheet(path)
    box = MemoryOutbox()
    result = run_on(sheet, box)
    assert result.contacts == 0 and result.rows == []
    assert result.cells_written == 0 and box.messages == {}
    grid = sheet.read()
    assert grid[0][:5] == HEADER
    assert all(not any(v not in (None, "") for v in row) for row in grid[1:])


def test_blank_rows_are_skipped_and_duplicates_flagged(tmp_path: Path) -> None:
    rows = [
        ["My people", None, None, None, None],
        [None] * 5,
        list(HEADER),
        ["Ann Lee", "ann@example.com", ago(2), "Coffee", None],
        [None, "  ", None, "", None],
        ["Bob Stone", "bob@example.com", ago(45), "Tea", None],
        [],
        ["Robert Stone", "BOB@example.com", ago(60), "Tea again", None],
        ["Dev Patel", "dev@example.com", ago(50), "Bikes", None],
    ]
    path = make_xlsx(tmp_path / "dupes.xlsx", rows)
    box = MemoryOutbox()
    result = run_on(XlsxSheet(path), box)

    assert result.contacts == 4
    ws = openpyxl.load_workbook(path).active
    status = {ws.cell(r, 1).value: ws.cell(r, 6).value for r in range(4, ws.max_row + 1)}
    note = {ws.cell(r, 1).value: ws.cell(r, 11).value for r in range(4, ws.max_row + 1)}
    assert status == {
        "Ann Lee": "ok",
        None: None,
        "Bob Stone": "check data",
        "Robert Stone": "check data",
        "Dev Patel": "overdue",
    }
    for who in ("Bob Stone", "Robert Stone"):
        assert "bob@example.com" in note[who] and "2 rows" in note[who]
    recipients = sorted(str(m["To"]) for m in box.messages.values())
    assert recipients == ["Dev Patel <dev@example.com>"]
    assert [ws.cell(r, 1).value for r in range(1, 4)] == ["My people", None, "Name"]


def test_merged_and_odd_cells(tmp_path: Path) -> None:
    path = tmp_path / "odd.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["Contacts 2026"])
    ws.merge_cells("A1:E1")
    ws.append(list(HEADER))
    ws.append(["Ann Lee", "ann@example.com", ago(2), "Coffee at the same event", None])
    ws.append(["Bob Stone", "bob@example.com", ago(45), None, None])
    ws.merge_cells("D3:D4")  # one "What" for two people
    ws.append([12345, "num@example.com", ago(10), "A number for a name", None])
    ws.append(["Cara Diaz", "cara@example.com", "#N/A", "Books", True])
    ws.append(["Dev Patel", "dev@example.com", dt.datetime(2026, 11, 1, 15, 30), "Bikes", None])
    book.save(path)
    before = openpyxl.load_workbook(path).active
    merged = sorted(str(r) for r in before.merged_cells.ranges)

    result = run_on(XlsxSheet(path))

    after = openpyxl.load_workbook(path).active
    assert sorted(str(r) for r in after.merged_cells.ranges) == merged
    status = {after.cell(r, 1).value: after.cell(r, 6).value for r in range(3, 8)}
    assert status == {
        "Ann Lee": "ok",
        "Bob Stone": "overdue",
        12345: "ok",
        "Cara Diaz": "check data",
        "Dev Patel": "ok",
    }
    assert "#N/A" in after.cell(6, 11).value
    assert {o.name for o in result.rows} == {
        "Ann Lee",
        "Bob Stone",
        "12345",
        "Cara Diaz",
        "Dev Patel",
    }
    for r in range(1, 8):
        for c in range(1, 6):
            assert after.cell(r, c).value == before.cell(r, c).value


# --- formulas in user columns ------------------------------------------------------------


def with_cached_values(path: Path, values: dict[str, str]) -> None:
    """Store the results of formula cells in the file, as Excel or LibreOffice does on save.

    openpyxl never writes a formula's result; this puts ``<v>`` elements in the sheet XML.
    """
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    name = "xl/worksheets/sheet1.xml"
    xml = parts[name].decode("utf-8")
    for ref, value in values.items():
        xml, n = re.subn(
            rf'<c r="{ref}"([^>]*)><f>(.*?)</f>(?:<v\s*/>|<v></v>)',
            rf'<c r="{ref}"\1 t="str"><f>\2</f><v>{value}</v>',
            xml,
        )
        assert n == 1, ref
    parts[name] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for part, data in parts.items():
            zf.writestr(part, data)


def formula_names(path: Path) -> Path:
    make_xlsx(
        path,
        [
            ["First", "Surname", "Name", "Last contacted", "What", "Last in person"],
            ["Ann", "Lee", '=A2&" "&B2', ago(2), "Coffee", None],
            ["Bob", "Stone", '=A3&" "&B3', ago(82), "Tea", None],
        ],
    )
    with_cached_values(path, {"C2": "Ann Lee", "C3": "Bob Stone"})
    return path


def test_formulas_in_the_name_column_use_their_cached_values(tmp_path: Path) -> None:
    path = formula_names(tmp_path / "formulas.xlsx")
    grid = XlsxSheet(path).read()
    assert grid[1][2] == '=A2&" "&B2' and grid[1][2].cached == "Ann Lee"

    result = run_on(XlsxSheet(path))

    assert {o.name: o.status for o in result.rows} == {"Ann Lee": "ok", "Bob Stone": "lapsed"}
    ws = openpyxl.load_workbook(path).active
    assert [ws["C2"].value, ws["C3"].value] == ['=A2&" "&B2', '=A3&" "&B3']
    assert ws["C2"].data_type == ws["C3"].data_type == "f"
    assert [ws["G2"].value, ws["G3"].value] == ["ok", "lapsed"]


def test_formula_names_without_stored_results_stop_the_run_clearly(tmp_path: Path) -> None:
    # A workbook last saved by a program that does not calculate (openpyxl) has formulas
    # but no results: the names are unknown until a spreadsheet program recalculates.
    # Reading them as empty would mark everyone "check data": the run must stop and say
    # what to do, writing nothing.
    path = make_xlsx(
        tmp_path / "formulas.xlsx",
        [
            ["First", "Surname", "Name", "Last contacted", "What", "Last in person"],
            ["Ann", "Lee", '=A2&" "&B2', ago(2), "Coffee", None],
        ],
    )
    saved = path.read_bytes()
    with pytest.raises(SheetError, match=r"column 'Name' holds formulas.*open it in Excel"):
        run_on(XlsxSheet(path))
    assert path.read_bytes() == saved


def test_formula_results_survive_a_write(tmp_path: Path) -> None:
    # openpyxl dropped every stored result on save, so the second run stopped; the
    # patcher leaves the formula cells as they were.
    path = formula_names(tmp_path / "formulas.xlsx")
    run_on(XlsxSheet(path))
    result = run_on(XlsxSheet(path))
    assert {o.name: o.status for o in result.rows} == {"Ann Lee": "ok", "Bob Stone": "lapsed"}
    grid = XlsxSheet(path).read()
    assert grid[1][2] == '=A2&" "&B2' and grid[1][2].cached == "Ann Lee"


def test_a_status_column_holding_a_formula_is_the_users(tmp_path: Path) -> None:
    """sheetsync never writes a formula, so a 'Status' column holding one is the user's:
    it is left whole, and sheetsync writes its own 'Status (sheetsync)' beside it."""
    path = make_xlsx(
        tmp_path / "owned.xlsx",
        [
            [*HEADER, "Status"],
            ["Ann Lee", "ann@example.com", ago(2), "Coffee", None, '=IF(C2="","?","mine")'],
            ["Bob Stone", "bob@example.com", ago(45), "Tea", None, None],
        ],
    )
    run_on(XlsxSheet(path))
    ws = openpyxl.load_workbook(path).active
    assert ws["F2"].value == '=IF(C2="","?","mine")' and ws["F2"].data_type == "f"
    assert ws["F3"].value is None, "the user's column is not written"
    header = [c.value for c in ws[1]]
    mine = header.index("Status (sheetsync)") + 1
    assert [ws.cell(2, mine).value, ws.cell(3, mine).value] == ["ok", "overdue"]


# --- emoji and line breaks in names ------------------------------------------------------


def test_emoji_and_newlines_in_names(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path / "names.xlsx",
        [
            list(HEADER),
            ["Zoë 🚀\nMüller", "zoe@example.com", ago(45), "Her move\nto Lisbon", None],
            ["🦄", "uni@example.com", ago(100), "Unicorns", None],
            ["Ann Lee", "ann@example.com", ago(2), "Coffee", None],
        ],
    )
    drafts = tmp_path / "drafts"
    result = run(Config(), sheet=XlsxSheet(path), outbox=EmlFolder(drafts), today=TODAY)

    assert {o.name: o.status for o in result.rows} == {
        "Zoë 🚀 Müller": "overdue",
        "🦄": "lapsed",
        "Ann Lee": "ok",
    }
    ws = openpyxl.load_workbook(path).active
    assert ws["A2"].value == "Zoë 🚀\nMüller"  # the user's cell, line break and all
    assert [ws["F2"].value, ws["F3"].value, ws["F4"].value] == ["overdue", "lapsed", "ok"]
    files = sorted(p.name for p in drafts.iterdir())
    assert len(files) == 2 and result.drafts_created == 2
    assert all("\n" not in f and "/" not in f and f.endswith(".eml") for f in files)
    for f in files:
        text = (drafts / f).read_text("utf-8")
        assert "\nTo: " in "\n" + text


def test_newlines_in_csv_names_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows(
        [
            HEADER,
            ["Zoë 🚀\nMüller", "zoe@example.com", "2026-10-08", "Her move", ""],
            ["Ann Lee", "ann@example.com", "2026-11-20", "Coffee", ""],
        ]
    )
    path.write_text(buf.getvalue(), encoding="utf-8")
    result = run_on(CsvSheet(path))
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8"), newline="")))
    assert rows[1][0] == "Zoë 🚀\nMüller" and rows[1][5] == "overdue"
    assert rows[2][0] == "Ann Lee" and rows[2][5] == "ok"
    assert result.contacts == 2


def test_environment_is_clean() -> None:
    # The shared autouse fixture clears SHEETSYNC_* so a developer's settings cannot leak in.
    assert not [k for k in os.environ if k.startswith("SHEETSYNC_")]


def test_a_locked_workbook_stops_the_run_before_any_draft(example: Path, tmp_path: Path) -> None:
    (example.parent / f".~lock.{example.name}#").write_text("someone,host")
    drafts = tmp_path / "drafts"
    with pytest.raises(SheetLocked):
        run(Config(), sheet=XlsxSheet(example), outbox=EmlFolder(drafts), today=TODAY)
    assert not drafts.exists() or not list(drafts.iterdir()), (
        "no draft for a run that cannot finish"
    )
