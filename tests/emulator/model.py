"""The emulator's data model: spreadsheets, sheets, cells and A1 ranges.

Facts about the real Sheets API v4 this module reproduces:

* A spreadsheet has an id, a title, a locale (``en_US``, ``de_DE``...), a CLDR
  time zone (``Etc/GMT``, ``America/New_York``) and an ordered list of sheets.
  Each sheet has a numeric ``sheetId`` (the first one is 0), a title and a grid
  size (``rowCount`` x ``columnCount``, 1000 x 26 for a new sheet).
* A cell holds a user-entered value (text, number, boolean or a formula whose
  text starts with ``=``), an optional number format (``type`` such as DATE,
  DATE_TIME, NUMBER, TEXT, and a ``pattern``) and an effective value: the
  formula's result, or the user-entered value itself.
* Dates are numbers ("serials": days since 1899-12-30, the time of day as the
  fraction) that carry a DATE or DATE_TIME number format.
* A1 ranges: ``Sheet1!A1:B2``, ``'My sheet'!A:B``, ``2:3``, ``D1:D`` (open
  ended), ``A1`` (one cell); a range without a sheet title means the first
  sheet, and a bare title means the whole sheet.  In the ranges the API echoes
  back, a title is quoted only when needed: ``Sheet1!A1:D1`` but ``'D3'!A1:D1``
  (D3 looks like a cell) and ``'My sheet'!A1``.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import threading
from dataclasses import dataclass, field

# --------------------------------------------------------------------- errors

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    408: "DEADLINE_EXCEEDED",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


class ApiError(Exception):
    """An error answer in the API's shape: ``{"error": {"code", "message", "status"}}``."""

    def __init__(self, code: int, message: str, status: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status or STATUS_NAMES.get(code, "UNKNOWN")

    def body(self) -> dict[str, object]:
        return {"error": {"code": self.code, "message": self.message, "status": self.status}}


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


# ---------------------------------------------------------------------- cells


class Formula(str):
    """A formula given to ``add_spreadsheet``/``set_value``: ``Formula("=A2*2")``.

    Plain strings are stored as text even when they start with ``=``.
    """

    def __new__(cls, text: str) -> Formula:
        if not text.startswith("="):
            raise ValueError(f"a formula starts with '=': {text!r}")
        return super().__new__(cls, text)


ERROR_TEXT = {
    "DIVIDE_BY_ZERO": "#DIV/0!",
    "N_A": "#N/A",
    "VALUE": "#VALUE!",
    "REF": "#REF!",
    "NAME": "#NAME?",
    "NUM": "#NUM!",
    "NULL_VALUE": "#NULL!",
    "ERROR": "#ERROR!",
}


@dataclass(frozen=True)
class CellError:
    """A formula's error result (the API's ``errorValue``), shown as ``#DIV/0!`` etc."""

    type: str = "ERROR"
    message: str = ""

    @property
    def text(self) -> str:
        return ERROR_TEXT.get(self.type, "#ERROR!")


Scalar = str | float | bool
Effective = str | float | bool | CellError | None


@dataclass(frozen=True)
class Cell:
    """One stored cell (immutable: a change replaces the cell, so copies share cells).

    ``value`` is the user-entered value (``None`` when the cell has no value but
    may still carry a format); for a formula, ``formula`` is true and ``value``
    is the formula text.  ``effective`` is the formula's result (``None`` when
    unknown); for other cells the effective value is ``value`` itself.
    """

    value: Scalar | None = None
    formula: bool = False
    effective: Effective = None
    fmt_type: str | None = None
    pattern: str | None = None

    @property
    def effective_value(self) -> Effective:
        return self.effective if self.formula else self.value

    @property
    def is_blank(self) -> bool:
        """No value and no format: the same as no cell at all."""
        return self.value is None and self.fmt_type is None


# ------------------------------------------------------------ developer metadata


@dataclass(frozen=True)
class DevMeta:
    """Developer metadata: on the sheet (``dimension`` None) or on one row or column.

    Row and column metadata moves with its row or column when rows or columns
    are inserted or deleted before it, and goes away with it; a sort moves cell
    contents, not rows, so it leaves metadata where it is.
    """

    metadata_id: int
    key: str
    value: str | None = None
    visibility: str = "DOCUMENT"
    dimension: str | None = None
    index: int = 0

    def shifted(self, dimension: str, at: int, count: int) -> DevMeta | None:
        """After inserting (count > 0) or deleting (count < 0) at ``at``; None when deleted."""
        if self.dimension != dimension or self.index < at:
            return self
        if count < 0 and self.index < at - count:
            return None
        return dataclasses.replace(self, index=self.index + count)


# --------------------------------------------------------------------- sheets


@dataclass
class Sheet:
    """A grid sheet; ``data`` holds rows of cells, only as far as cells exist."""

    sheet_id: int
    title: str
    row_count: int = 1000
    col_count: int = 26
    frozen_rows: int = 0
    frozen_cols: int = 0
    data: list[list[Cell | None]] = field(default_factory=list)
    metadata: list[DevMeta] = field(default_factory=list)

    def _shift_metadata(self, dimension: str, at: int, count: int) -> None:
        moved = (m.shifted(dimension, at, count) for m in self.metadata)
        self.metadata = [m for m in moved if m is not None]

    def get(self, row: int, col: int) -> Cell | None:
        if row < len(self.data) and col < len(self.data[row]):
            return self.data[row][col]
        return None

    def put(self, row: int, col: int, cell: Cell | None) -> None:
        """Store a cell at (row, col), 0-based; None or a blank cell removes it."""
        if cell is None or cell.is_blank:
            if self.get(row, col) is not None:
                self.data[row][col] = None
            return
        while len(self.data) <= row:
            self.data.append([])
        line = self.data[row]
        if len(line) <= col:
            line.extend([None] * (col + 1 - len(line)))
        line[col] = cell

    def insert_rows(self, at: int, count: int) -> None:
        if at < len(self.data):
            self.data[at:at] = [[] for _ in range(count)]
        self.row_count += count
        self._shift_metadata("ROWS", at, count)

    def delete_rows(self, at: int, count: int) -> None:
        del self.data[at : at + count]
        self.row_count -= count
        self._shift_metadata("ROWS", at, -count)

    def insert_cols(self, at: int, count: int) -> None:
        for line in self.data:
            if at < len(line):
                line[at:at] = [None] * count
        self.col_count += count
        self._shift_metadata("COLUMNS", at, count)

    def delete_cols(self, at: int, count: int) -> None:
        for line in self.data:
            del line[at : at + count]
        self.col_count -= count
        self._shift_metadata("COLUMNS", at, -count)

    def resize(self, rows: int, cols: int) -> None:
        """Change the grid size; cells outside the new grid are lost."""
        del self.data[rows:]
        for line in self.data:
            del line[cols:]
        self.row_count, self.col_count = rows, cols
        size = {"ROWS": rows, "COLUMNS": cols}
        self.metadata = [
            m for m in self.metadata if m.dimension is None or m.index < size[m.dimension]
        ]


@dataclass
class Spreadsheet:
    spreadsheet_id: str
    title: str
    locale: str = "en_US"
    time_zone: str = "Etc/GMT"
    sheets: list[Sheet] = field(default_factory=list)
    shared_with: set[str] | None = None
    denied: bool = False

    def sheet_by_title(self, title: str) -> Sheet | None:
        for sheet in self.sheets:
            if sheet.title == title:
                return sheet
        return None

    def sheet_by_id(self, sheet_id: int) -> Sheet | None:
        for sheet in self.sheets:
            if sheet.sheet_id == sheet_id:
                return sheet
        return None

    def new_sheet_id(self) -> int:
        used = {s.sheet_id for s in self.sheets}
        for _ in range(100):
            candidate = secrets.randbelow(2**31 - 1) + 1
            if candidate not in used:
                return candidate
        return max(used) + 1

    def clone(self) -> Spreadsheet:
        """A copy to apply a batch to; cells are immutable, so only the lists are copied."""
        sheets = [
            dataclasses.replace(s, data=[list(line) for line in s.data], metadata=list(s.metadata))
            for s in self.sheets
        ]
        shared = set(self.shared_with) if self.shared_with is not None else None
        return dataclasses.replace(self, sheets=sheets, shared_with=shared)

    def commit(self, work: Spreadsheet) -> None:
        """Take over a clone's state (in place, so references to this object stay valid)."""
        for f in dataclasses.fields(self):
            setattr(self, f.name, getattr(work, f.name))


def new_spreadsheet_id() -> str:
    """An id shaped like Google's: 44 characters of [A-Za-z0-9_-]."""
    return ("1" + secrets.token_urlsafe(33))[:44]


class Store:
    """All spreadsheets, behind one lock (an RLock: user-edit hooks may nest)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.books: dict[str, Spreadsheet] = {}

    def book(self, key: str) -> Spreadsheet:
        """The spreadsheet for a test helper; KeyError when unknown."""
        found = self.books.get(key)
        if found is None:
            raise KeyError(f"no spreadsheet {key!r} in the emulator")
        return found

    def open(self, key: str, identity: str | None) -> Spreadsheet:
        """The spreadsheet for an API request: 404 when unknown, 403 when not shared with
        the caller (``denied``, or ``shared_with`` not naming the token's identity)."""
        found = self.books.get(key)
        if found is None:
            raise ApiError(404, "Requested entity was not found.")
        if found.denied or (found.shared_with is not None and identity not in found.shared_with):
            raise ApiError(403, "The caller does not have permission")
        return found


# ------------------------------------------------------------------ A1 ranges


def col_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_index(letters: str) -> int:
    """A -> 0, Z -> 25, AA -> 26."""
    value = 0
    for ch in letters.upper():
        value = value * 26 + ord(ch) - 64
    return value - 1


_ENDPOINT = re.compile(r"^\$?([A-Za-z]{1,3})?\$?([0-9]+)?$")
_CELL = re.compile(r"^[A-Za-z]{1,3}[0-9]+$")
_R1C1 = re.compile(r"^[Rr][0-9]*[Cc][0-9]*$")
_PLAIN_TITLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class RangeRef:
    """A parsed range: 0-based, end exclusive; ``None`` ends are open (to the grid's edge)."""

    title: str | None
    start_row: int = 0
    start_col: int = 0
    end_row: int | None = None
    end_col: int | None = None
    single: bool = False  # written as one cell ("A1"): an anchor for writes


def _endpoint(text: str) -> tuple[int | None, int | None] | None:
    m = _ENDPOINT.match(text)
    if not m or not (m.group(1) or m.group(2)):
        return None
    col = col_index(m.group(1)) if m.group(1) else None
    row = int(m.group(2)) - 1 if m.group(2) else None
    if row is not None and row < 0:
        return None
    return row, col


def parse_a1(text: str) -> RangeRef | None:
    """The cell part of a range (``A1``, ``A1:B2``, ``A:B``, ``2:3``, ``D1:D``), or None."""
    first, sep, second = text.partition(":")
    a = _endpoint(first)
    if a is None:
        return None
    if not sep:
        if a[0] is None or a[1] is None:
            return None  # "A" or "3" alone is not a range
        return RangeRef(None, a[0], a[1], a[0] + 1, a[1] + 1, single=True)
    b = _endpoint(second)
    if b is None:
        return None
    rows = sorted(x for x in (a[0], b[0]) if x is not None)
    cols = sorted(x for x in (a[1], b[1]) if x is not None)
    start_row = rows[0] if a[0] is not None else 0
    start_col = cols[0] if a[1] is not None else 0
    end_row = rows[-1] + 1 if b[0] is not None else None
    end_col = cols[-1] + 1 if b[1] is not None else None
    return RangeRef(None, start_row, start_col, end_row, end_col)


def parse_range(text: str) -> RangeRef:
    """Parse ``'Title'!A1:B2``, ``Title!A1``, ``Title``, ``A1:B2``; raise 400 when unparseable.

    A text without ``!`` is a range on the first sheet if it reads as A1
    (``A1:B2``, ``D3``), otherwise a sheet title.
    """
    error = bad_request(f"Unable to parse range: {text}")
    if text.startswith("'"):
        i, title = 1, ""
        while True:
            j = text.find("'", i)
            if j < 0:
                raise error
            if text[j + 1 : j + 2] == "'":
                title += text[i : j + 1]
                i = j + 2
                continue
            title += text[i:j]
            rest = text[j + 1 :]
            break
        if not rest:
            return RangeRef(title)
        if not rest.startswith("!"):
            raise error
        cells = parse_a1(rest[1:])
        if cells is None:
            raise error
        return _with_title(cells, title)
    if "!" in text:
        title, _, part = text.rpartition("!")
        cells = parse_a1(part)
        if cells is None or not title:
            raise error
        return _with_title(cells, title)
    cells = parse_a1(text)
    if cells is not None:
        return cells
    if not text:
        raise error
    return RangeRef(text)


def _with_title(ref: RangeRef, title: str) -> RangeRef:
    return RangeRef(title, ref.start_row, ref.start_col, ref.end_row, ref.end_col, ref.single)


def resolve(book: Spreadsheet, ref: RangeRef, original: str) -> Sheet:
    """The sheet a range names (the first sheet when it names none); 400 when unknown."""
    if ref.title is None:
        return book.sheets[0]
    sheet = book.sheet_by_title(ref.title)
    if sheet is None:
        raise bad_request(f"Unable to parse range: {original}")
    return sheet


def bounds(ref: RangeRef, sheet: Sheet) -> tuple[int, int, int, int]:
    """(r0, c0, r1, c1) with open ends closed at the grid's edge (not clipped)."""
    r1 = sheet.row_count if ref.end_row is None else ref.end_row
    c1 = sheet.col_count if ref.end_col is None else ref.end_col
    return ref.start_row, ref.start_col, r1, c1


def needs_quotes(title: str) -> bool:
    """Whether echoed ranges quote this title: when it is not a plain name or looks like a cell."""
    return not _PLAIN_TITLE.match(title) or bool(_CELL.match(title) or _R1C1.match(title))


def quote_title(title: str, always: bool = False) -> str:
    if always or needs_quotes(title):
        return "'" + title.replace("'", "''") + "'"
    return title


def a1(r0: int, c0: int, r1: int, c1: int) -> str:
    """``A1`` for one cell, ``A1:B2`` otherwise (0-based, end exclusive)."""
    first = f"{col_letters(c0)}{r0 + 1}"
    if r1 - r0 <= 1 and c1 - c0 <= 1:
        return first
    return f"{first}:{col_letters(c1 - 1)}{r1}"


def echo(sheet: Sheet, r0: int, c0: int, r1: int, c1: int) -> str:
    return f"{quote_title(sheet.title)}!{a1(r0, c0, r1, c1)}"


def grid_limit_error(sheet: Sheet, r0: int, c0: int, r1: int, c1: int) -> ApiError:
    """The real service's answer to a write outside the grid."""
    cells = a1(r0, c0, max(r1, r0 + 1), max(c1, c0 + 1))
    where = f"{quote_title(sheet.title, always=True)}!{cells}"
    return bad_request(
        f"Range ({where}) exceeds grid limits. Max rows: {sheet.row_count}, "
        f"max columns: {sheet.col_count}"
    )


def check_in_grid(sheet: Sheet, r0: int, c0: int, r1: int, c1: int) -> None:
    if (
        r0 >= sheet.row_count
        or c0 >= sheet.col_count
        or r1 > sheet.row_count
        or (c1 > sheet.col_count)
    ):
        raise grid_limit_error(sheet, r0, c0, r1, c1)
