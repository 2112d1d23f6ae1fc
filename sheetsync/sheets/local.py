"""Local workbooks: .xlsx/.xlsm through openpyxl, and .csv files.

Writes are atomic: the new file is saved beside the old one under a temporary
name and then renamed over it, so a run that fails midway leaves the file as
it was.  Only owned cells are assigned; every other cell, formula, format and
tab is carried over by openpyxl as it was read.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import datetime as dt
import hashlib
import io
import logging
import os
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.grid import NOT_CALCULATED, Cell, CellWrite, Formula, Grid, neutralise
from ..core.writeback import Placement
from ..errors import SheetError, SheetLocked, SheetNotFound
from .base import Placer, SheetBackend, SheetInfo, WriteOutcome

if TYPE_CHECKING:
    from ..outbox.base import Outbox

log = logging.getLogger(__name__)

#: Parts of an .xlsx that openpyxl does not carry over when it saves a workbook.
UNSAFE_PARTS = {
    "xl/drawings/": "drawings or images",
    "xl/charts/": "charts",
    "xl/media/": "images",
    "xl/pivotTables/": "pivot tables",
    "xl/slicers/": "slicers",
    "xl/timelines/": "timelines",
    "xl/embeddings/": "embedded objects",
    "xl/threadedComments/": "threaded comments",
}


def lock_file_of(path: Path) -> Path | None:
    """The lock file Excel or LibreOffice keeps beside a file they have open."""
    for name in (f"~${path.name}", f".~lock.{path.name}#"):
        candidate = path.with_name(name)
        if candidate.exists():
            return candidate
    return None


def _check_not_locked(path: Path) -> None:
    lock = lock_file_of(path)
    if lock is not None:
        raise SheetLocked(
            f"{path.name} is open in another program (lock file {lock.name}). Close it there "
            "and run sheetsync again, so neither overwrites the other's changes."
        )


def _check_readable(path: Path) -> None:
    if not path.exists():
        raise SheetNotFound(f"No file at {path}. Check the path given with --sheet or 'sheet ='.")
    if path.is_dir():
        raise SheetNotFound(f"{path} is a folder; give the workbook file itself.")


@contextlib.contextmanager
def atomic_target(target: Path, *, like: Path | None = None) -> Iterator[Path]:
    """A temporary path beside ``target`` that replaces it when the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        source = like if like is not None and like.exists() else target
        if source.exists():
            os.chmod(tmp, source.stat().st_mode & 0o777)
        os.replace(tmp, target)
    except PermissionError as exc:
        raise SheetLocked(
            f"Cannot write {target}: permission denied. If it is open in another program, "
            "close it and run sheetsync again."
        ) from exc
    except OSError as exc:
        raise SheetError(
            f"Cannot write {target}: {exc.strerror or exc}. Nothing was changed; free some "
            "space or fix the folder, then run again."
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)


class XlsxSheet(SheetBackend):
    """A tab of an .xlsx or .xlsm workbook."""

    def __init__(
        self, path: str | Path, *, tab: str | None = None, output: str | Path | None = None
    ):
        self.path = Path(path).expanduser()
        self.tab = tab
        self.output = Path(output).expanduser() if output else None
        self._book: Any = None
        self._stamp: str | None = None

    def describe(self) -> str:
        return f"{self.path.name} › {self.tab}" if self.tab else self.path.name

    def _stamp_now(self) -> str:
        # A content hash, not mtime and size: a save within one timestamp tick at the
        # same size (coarse file systems) must not be mistaken for no change.
        return hashlib.sha256(self.path.read_bytes()).hexdigest()

    def _load(self, *, data_only: bool = False) -> Any:
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        _check_readable(self.path)
        try:
            return openpyxl.load_workbook(
                self.path, data_only=data_only, keep_vba=self.path.suffix.lower() == ".xlsm"
            )
        except PermissionError as exc:
            raise SheetError(f"Cannot read {self.path}: permission denied.") from exc
        except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise SheetError(
                f"{self.path} is not a workbook sheetsync can read ({type(exc).__name__}: {exc}). "
                "Open it in your spreadsheet program and save it as .xlsx."
            ) from exc

    def _worksheet(self, book: Any) -> Any:
        if self.tab is None:
            ws = book.worksheets[0]
            self.tab = ws.title
            return ws
        if self.tab not in book.sheetnames:
            raise SheetNotFound(
                f"{self.path.name} has no tab '{self.tab}'. Its tabs are: "
                + ", ".join(f"'{n}'" for n in book.sheetnames)
                + ". Set the tab with --tab or 'tab =' in sheetsync.toml."
            )
        return book[self.tab]

    def _grid(self, ws: Any, cached: Any = None) -> Grid:
        grid: Grid = []
        formulas: list[Formula] = []
        for row in ws.iter_rows():
            line: list[Cell] = []
            for cell in row:
                value = cell.value
                if cell.data_type == "f":
                    text = getattr(value, "text", value)
                    formula = Formula(text if str(text).startswith("=") else f"={text}")
                    formula.cached = (
                        cached.cell(cell.row, cell.column).value if cached is not None else None
                    )
                    value = formula
                    formulas.append(formula)
                line.append(value)
            grid.append(line)
        if formulas and all(f.cached is None for f in formulas):
            for f in formulas:
                f.cached = NOT_CALCULATED
        return grid

    def _fresh(self) -> tuple[Any, Any, Grid]:
        _check_readable(self.path)
        stamp = self._stamp_now()
        if self._book is None or self._stamp != stamp:
            self._book, self._stamp = self._load(), stamp
        ws = self._worksheet(self._book)
        has_formulas = any(c.data_type == "f" for row in ws.iter_rows() for c in row)
        cached = self._worksheet(self._load(data_only=True)) if has_formulas else None
        return self._book, ws, self._grid(ws, cached)

    def read(self) -> Grid:
        return self._fresh()[2]

    def unsafe_parts(self) -> list[str]:
        with zipfile.ZipFile(self.path) as zf:
            names = zf.namelist()
        found = {
            label
            for prefix, label in UNSAFE_PARTS.items()
            if any(n.startswith(prefix) for n in names)
        }
        return sorted(found)

    def check_writable(self) -> None:
        """Refuse now, before any draft is made, when the file is open elsewhere."""
        _check_not_locked(self.path)
        if self.output is not None:
            _check_not_locked(self.output)

    def info(self) -> SheetInfo:
        return SheetInfo(
            self.describe(), today=dt.date.today(), tab=self.tab, drafts_tab=self.output is None
        )

    def drafts_tab(self, tab: str) -> Outbox:
        from ..outbox.sheet_tab import xlsx_drafts_tab

        return xlsx_drafts_tab(self, tab)

    def commit(self, placer: Placer) -> WriteOutcome:
        """Place on a fresh read, apply to the workbook, and replace the file atomically.

        Rows appended below everything grow the Excel tables that end just above them.
        """
        target = self.output or self.path
        _check_not_locked(self.path)
        if target != self.path:
            _check_not_locked(target)
        book, ws, grid = self._fresh()
        placement = placer(grid)
        warnings = list(placement.warnings)
        risky = self.unsafe_parts()
        if risky and self.output is None and placement.all_writes:
            raise SheetError(
                f"{self.path.name} contains {', '.join(risky)}, which the .xlsx library "
                "sheetsync uses would drop when saving. Nothing was written. Use --output FILE "
                "to write the statuses into a copy, or keep your contacts in a workbook "
                "without them."
            )
        if risky:
            warnings.append(
                f"The copy {target.name} does not keep the original's {', '.join(risky)}."
            )
        if not placement.all_writes and target == self.path:
            return WriteOutcome(0, str(target), placement, warnings)
        try:
            (_apply_xlsx_rows if placement.user_columns else _apply_xlsx)(ws, placement)
            # openpyxl keeps formulas but not their last results: ask the spreadsheet
            # program to recalculate everything when it next opens the file.
            book.calculation.fullCalcOnLoad = True
            with atomic_target(target, like=self.path) as tmp:
                book.save(tmp)
        finally:
            # the loaded workbook now holds our cells, saved or not: never reuse it
            self._book, self._stamp = None, None
        log.info("wrote %d cells to %s", len(placement.all_writes), target)
        return WriteOutcome(len(placement.writes), str(target), placement, warnings)


def _apply_xlsx(ws: Any, placement: Placement) -> None:
    colmap = placement.colmap
    style_from = None
    if colmap is not None and placement.header_writes:
        last_user = max((i for i, h in enumerate(colmap.headers) if h), default=None)
        if last_user is not None:
            style_from = ws.cell(colmap.header_row + 1, last_user + 1)
    for w in placement.header_writes:
        cell = ws.cell(w.row + 1, w.col + 1)
        _set(cell, w.value)
        if style_from is not None and style_from.has_style:
            cell._style = copy.copy(style_from._style)
    for w in placement.writes:
        _set(ws.cell(w.row + 1, w.col + 1), w.value)


def _apply_xlsx_rows(ws: Any, placement: Placement) -> None:
    """Apply an append or a cell update: dates take the format their column already uses."""
    for w in placement.header_writes:
        _set(ws.cell(w.row + 1, w.col + 1), w.value)
    for w in placement.writes:
        cell = ws.cell(w.row + 1, w.col + 1)
        own = cell.number_format if _is_date_cell(cell) else None
        _set(cell, w.value)
        if isinstance(w.value, dt.date) and not isinstance(w.value, dt.datetime):
            cell.number_format = own or _date_format_above(ws, w.row + 1, w.col + 1)
    if placement.appended:
        _grow_tables(ws, placement.appended[0] + 1, placement.appended[-1] + 1)


def _is_date_cell(cell: Any) -> bool:
    from openpyxl.styles.numbers import is_date_format

    return bool(is_date_format(cell.number_format))


def _date_format_above(ws: Any, row: int, col: int, *, scan: int = 200) -> str:
    """The date format of the nearest date cell above in the column, else ISO."""
    for r in range(row - 1, max(0, row - 1 - scan), -1):
        above = ws.cell(r, col)
        if isinstance(above.value, dt.date) and _is_date_cell(above):
            return str(above.number_format)
    return "yyyy-mm-dd"


def _grow_tables(ws: Any, first: int, last: int) -> None:
    """Extend Excel tables (and the sheet's filter) that end just above the new rows."""
    from openpyxl.utils.cell import get_column_letter, range_boundaries

    def grown(ref: str) -> str | None:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        if max_row != first - 1:
            return None
        return f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{last}"

    for table in ws.tables.values():
        new = grown(table.ref)
        if new:
            table.ref = new
            if table.autoFilter is not None:
                table.autoFilter.ref = new
    if ws.auto_filter.ref:
        new = grown(ws.auto_filter.ref)
        if new:
            ws.auto_filter.ref = new


def _set(cell: Any, value: Cell) -> None:
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # never a formula, whatever the text starts with
    elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, float):
        cell.value = value
        cell.number_format = "0.00"
    else:
        cell.value = value


class CsvSheet(SheetBackend):
    """A .csv file: its encoding, delimiter and line endings are kept."""

    def __init__(self, path: str | Path, *, output: str | Path | None = None):
        self.path = Path(path).expanduser()
        self.output = Path(output).expanduser() if output else None
        self.encoding = "utf-8"
        self.dialect: Any = csv.excel
        self.newline = "\r\n"

    def describe(self) -> str:
        return self.path.name

    def _rows(self) -> list[list[str]]:
        _check_readable(self.path)
        try:
            raw = self.path.read_bytes()
        except PermissionError as exc:
            raise SheetError(f"Cannot read {self.path}: permission denied.") from exc
        text = self._decode(raw)
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.dialect = _dialect_for(text)
        try:
            return list(csv.reader(io.StringIO(text, newline=""), self.dialect))
        except csv.Error as exc:
            raise SheetError(f"{self.path} is not a CSV file sheetsync can read: {exc}.") from exc

    def _decode(self, raw: bytes) -> str:
        nul = raw.find(b"\x00")
        if nul >= 0:
            start = raw.rfind(b"\n", 0, nul) + 1
            line = raw.count(b"\n", 0, nul) + 1
            column = len(raw[start:nul].decode("utf-8", errors="replace")) + 1
            where = f"line {line}, column {column}"
            if raw.count(b"\x00") > 1:
                raise SheetError(
                    f"{self.path}, {where}: the file has NUL bytes, so it does not look like a "
                    "text CSV file. Export it from your spreadsheet program as CSV (UTF-8)."
                )
            raise SheetError(
                f"{self.path}, {where}: a NUL byte (an invisible character that is not text) "
                "is in the file. Delete it in a text editor, or export the sheet again as CSV."
            )
        for encoding in ("utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8", "cp1252"):
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError:
                continue
            self.encoding = encoding
            return text
        self.encoding = "latin-1"
        return raw.decode("latin-1")

    def read(self) -> Grid:
        return [[v if v.strip() else None for v in row] for row in self._rows()]

    def check_writable(self) -> None:
        """Refuse now, before any draft is made, when the file is open elsewhere."""
        _check_not_locked(self.path)
        if self.output is not None:
            _check_not_locked(self.output)

    def info(self) -> SheetInfo:
        return SheetInfo(self.describe(), today=dt.date.today(), drafts_tab=True)

    def drafts_tab(self, tab: str) -> Outbox:
        from ..outbox.sheet_tab import CsvDraftsFile

        return CsvDraftsFile(self.output or self.path)

    def commit(self, placer: Placer) -> WriteOutcome:
        """Place on a fresh read and replace the file atomically; appended rows are
        padded to the header's width."""
        target = self.output or self.path
        _check_not_locked(self.path)
        rows = self._rows()
        grid: Grid = [[v if v.strip() else None for v in row] for row in rows]
        placement = placer(grid)
        if not placement.all_writes and target == self.path:
            return WriteOutcome(0, str(target), placement, placement.warnings)
        for w in placement.all_writes:
            _set_csv(rows, w)
        if placement.appended and placement.colmap is not None:
            width = len(rows[placement.colmap.header_row])
            for r in placement.appended:
                rows[r].extend([""] * (width - len(rows[r])))
        with (
            atomic_target(target, like=self.path) as tmp,
            tmp.open("w", encoding=self.encoding, errors="replace", newline="") as fh,
        ):
            csv.writer(fh, self.dialect, lineterminator=self.newline).writerows(rows)
        return WriteOutcome(len(placement.writes), str(target), placement, placement.warnings)


DELIMITERS = ",;\t|"


def _dialect_for(text: str) -> type[csv.Dialect]:
    """Excel's CSV rules with the file's own delimiter.

    Only the delimiter is guessed (the one that occurs most on any of the first
    lines, a header among them); quoting always follows the standard, so a
    user's apostrophes or ragged rows can never change how cells are read.
    """
    lines = text.splitlines()[:30]
    delimiter = max(DELIMITERS, key=lambda d: max((line.count(d) for line in lines), default=0))
    if not any(delimiter in line for line in lines):
        delimiter = ","
    return type("SheetDialect", (csv.excel,), {"delimiter": delimiter})


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


def _set_csv(rows: list[list[str]], w: CellWrite) -> None:
    while len(rows) <= w.row:
        rows.append([])
    line = rows[w.row]
    while len(line) <= w.col:
        line.append("")
    line[w.col] = _csv_text(w.value)
