"""The ``spreadsheets.values`` endpoints: get, batchGet, update, batchUpdate, clear, batchClear.

How the real service answers, and so this emulator:

* Values come back row-major (``majorDimension=COLUMNS`` transposes); trailing
  empty cells of a row are dropped, an empty row in the middle comes back as
  ``[]``, trailing empty rows are dropped, and a range without values omits the
  ``"values"`` key.  Empty cells before a value come back as ``""``.
* The echoed ``range`` is the requested range clipped to the grid, not trimmed
  to the data: ``Sheet1`` on a 1000x26 grid echoes ``Sheet1!A1:Z1000``, and
  ``D1:D`` echoes ``Sheet1!D1:D1000``.  A range starting outside the grid is a
  400 "exceeds grid limits".
* Writes need ``valueInputOption`` (RAW or USER_ENTERED; 400 without it).
  A JSON ``null`` in ``values`` leaves that cell alone, ``""`` clears it;
  values keep the cell's number format unless the typed input sets one (a
  date).  A write beyond the grid is a 400 "Range ('Sheet1'!AA1) exceeds grid
  limits. Max rows: 1000, max columns: 26"; more values than an explicit range
  holds is a 400 "Requested writing within range [...], but tried writing to
  column [C]".  A single-cell range is an anchor: the values extend from it.
* ``values:batchUpdate`` is all-or-nothing: every range is checked before
  any is written.
* Not emulated: ``values:append``, named ranges, checking a body ``range``
  against the URL's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .formats import DATE_TYPES, raw_cell, render, user_entered
from .model import (
    Cell,
    RangeRef,
    Sheet,
    Spreadsheet,
    Store,
    bad_request,
    bounds,
    check_in_grid,
    col_letters,
    echo,
    grid_limit_error,
    parse_range,
    resolve,
)
from .server import EmuRequest

VALUE_RENDER = ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")
DATE_RENDER = ("SERIAL_NUMBER", "FORMATTED_STRING")
DIMENSIONS = ("ROWS", "COLUMNS")
INPUT_OPTIONS = ("RAW", "USER_ENTERED")


def enum(value: Any, allowed: tuple[str, ...], field: str, proto: str) -> str:
    """A validated enum parameter; None means the first (default) value."""
    if value is None:
        return allowed[0]
    if value not in allowed:
        raise bad_request(
            f"Invalid value at '{field}' (type.googleapis.com/google.apps.sheets.v4.{proto}), "
            f'"{value}"'
        )
    return str(value)


def input_option(value: Any, field: str = "value_input_option") -> str:
    if value in (None, "", "INPUT_VALUE_OPTION_UNSPECIFIED"):
        raise bad_request("'valueInputOption' is required but not specified")
    return enum(value, INPUT_OPTIONS, field, "ValueInputOption")


# ---------------------------------------------------------------------- reading


@dataclass(frozen=True)
class ReadOptions:
    value: str = "FORMATTED_VALUE"
    date: str = "SERIAL_NUMBER"
    major: str = "ROWS"

    @classmethod
    def from_query(cls, req: EmuRequest, prefix: str = "") -> ReadOptions:
        def name(n: str) -> str:
            return prefix + n[0].upper() + n[1:] if prefix else n

        return cls(
            enum(req.param(name("valueRenderOption")), VALUE_RENDER,
                 "value_render_option", "ValueRenderOption"),
            enum(req.param(name("dateTimeRenderOption")), DATE_RENDER,
                 "date_time_render_option", "DateTimeRenderOption"),
            enum(req.param("majorDimension"), DIMENSIONS, "major_dimension", "Dimension"),
        )  # fmt: skip


def read_bounds(sheet: Sheet, ref: RangeRef) -> tuple[int, int, int, int]:
    """The range's cells clipped to the grid; 400 when it starts outside the grid."""
    r0, c0, r1, c1 = bounds(ref, sheet)
    if r0 >= sheet.row_count or c0 >= sheet.col_count:
        raise grid_limit_error(sheet, r0, c0, r1, c1)
    return r0, c0, min(r1, sheet.row_count), min(c1, sheet.col_count)


def trimmed(matrix: list[list[Any]]) -> list[list[Any]]:
    """Drop trailing empty cells and rows; empty cells before a value become ""."""
    out = []
    for line in matrix:
        end = len(line)
        while end and line[end - 1] in (None, ""):
            end -= 1
        out.append(["" if v is None else v for v in line[:end]])
    while out and not out[-1]:
        out.pop()
    return out


def value_range(book: Spreadsheet, text: str, opts: ReadOptions) -> dict[str, Any]:
    ref = parse_range(text)
    sheet = resolve(book, ref, text)
    return block(book, sheet, *read_bounds(sheet, ref), opts)


def block(
    book: Spreadsheet, sheet: Sheet, r0: int, c0: int, r1: int, c1: int, opts: ReadOptions
) -> dict[str, Any]:
    """A ValueRange: ``{"range", "majorDimension", "values"?}``."""
    matrix = []
    for r in range(r0, min(r1, len(sheet.data))):
        line = sheet.data[r]
        matrix.append(
            [
                render(line[c], opts.value, opts.date, book.locale)
                for c in range(c0, min(c1, len(line)))
            ]
        )
    if opts.major == "COLUMNS":
        width = max((len(line) for line in matrix), default=0)
        matrix = [[line[j] if j < len(line) else None for line in matrix] for j in range(width)]
    answer: dict[str, Any] = {"range": echo(sheet, r0, c0, r1, c1), "majorDimension": opts.major}
    values = trimmed(matrix)
    if values:
        answer["values"] = values
    return answer


READ_PARAMS = ("valueRenderOption", "dateTimeRenderOption", "majorDimension")
WRITE_PARAMS = (
    "valueInputOption",
    "includeValuesInResponse",
    "responseValueRenderOption",
    "responseDateTimeRenderOption",
)


def get_values(store: Store, req: EmuRequest, key: str, text: str) -> tuple[int, Any]:
    req.check_params(*READ_PARAMS)
    opts = ReadOptions.from_query(req)
    with store.lock:
        book = store.open(key, req.identity)
        return 200, value_range(book, text, opts)


def batch_get(store: Store, req: EmuRequest, key: str) -> tuple[int, Any]:
    req.check_params(*READ_PARAMS, "ranges")
    opts = ReadOptions.from_query(req)
    with store.lock:
        book = store.open(key, req.identity)
        ranges = [value_range(book, text, opts) for text in req.query.get("ranges", [])]
    return 200, {"spreadsheetId": key, "valueRanges": ranges}


# ---------------------------------------------------------------------- writing


def matrix_of(values: Any, major: Any, where: str) -> list[list[Any]]:
    """The request's ``values`` as rows; 400 as the API answers for malformed ones."""
    if values is None:
        return []
    if not isinstance(values, list):
        raise bad_request(
            f"Invalid value at '{where}.values' (type.googleapis.com/google.protobuf.ListValue), "
            f"{json_text(values)}"
        )
    rows = []
    for i, line in enumerate(values):
        if not isinstance(line, list):
            raise bad_request(
                f"Invalid value at '{where}.values[{i}]' "
                f"(type.googleapis.com/google.protobuf.ListValue), {json_text(line)}"
            )
        for j, cell in enumerate(line):
            if isinstance(cell, dict | list):
                kind = "struct_value" if isinstance(cell, dict) else "list_value"
                raise bad_request(f"Invalid values[{i}][{j}]: {kind} {json_text(cell)}")
        rows.append(line)
    direction = enum(major, DIMENSIONS, f"{where}.major_dimension", "Dimension")
    if direction == "COLUMNS":
        height = max((len(col) for col in rows), default=0)
        rows = [[col[i] if i < len(col) else None for col in rows] for i in range(height)]
        for line in rows:
            while line and line[-1] is None:
                line.pop()
    return rows


def json_text(value: Any) -> str:
    return json.dumps(value) if not isinstance(value, str) else f'"{value}"'


@dataclass
class Write:
    sheet: Sheet
    r0: int
    c0: int
    rows: list[list[Any]]

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return max((len(line) for line in self.rows), default=0)

    @property
    def cells(self) -> int:
        return sum(len(line) for line in self.rows)

    def updated_range(self) -> str:
        r1 = self.r0 + max(self.height, 1)
        c1 = self.c0 + max(self.width, 1)
        return echo(self.sheet, self.r0, self.c0, r1, c1)


def plan(book: Spreadsheet, text: str, rows: list[list[Any]]) -> Write:
    """Check a write (range, explicit bounds, grid limits) without applying it."""
    ref = parse_range(text)
    sheet = resolve(book, ref, text)
    write = Write(sheet, ref.start_row, ref.start_col, rows)
    if not ref.single:
        if ref.end_row is not None and write.r0 + write.height > ref.end_row:
            raise bad_request(
                f"Requested writing within range [{text}], but tried writing to row "
                f"[{write.r0 + write.height}]"
            )
        if ref.end_col is not None and write.c0 + write.width > ref.end_col:
            raise bad_request(
                f"Requested writing within range [{text}], but tried writing to column "
                f"[{col_letters(write.c0 + write.width - 1)}]"
            )
    check_in_grid(
        sheet, write.r0, write.c0, write.r0 + max(write.height, 1), write.c0 + max(write.width, 1)
    )
    return write


def merged(old: Cell | None, new: Cell | None) -> Cell | None:
    """A value written over a cell keeps the cell's format unless the input brings one."""
    if old is None:
        return new
    if new is None:
        return Cell(fmt_type=old.fmt_type, pattern=old.pattern)
    keep_old = new.fmt_type is None or (old.fmt_type in DATE_TYPES and new.fmt_type in DATE_TYPES)
    if keep_old:
        return Cell(new.value, new.formula, new.effective, old.fmt_type, old.pattern)
    return new


def apply(book: Spreadsheet, write: Write, option: str) -> None:
    for i, line in enumerate(write.rows):
        for j, raw in enumerate(line):
            if raw is None:
                continue  # null leaves the cell as it is
            new = user_entered(raw, book.locale) if option == "USER_ENTERED" else raw_cell(raw)
            row, col = write.r0 + i, write.c0 + j
            write.sheet.put(row, col, merged(write.sheet.get(row, col), new))


def update_answer(
    book: Spreadsheet, write: Write, include: bool, opts: ReadOptions
) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "spreadsheetId": book.spreadsheet_id,
        "updatedRange": write.updated_range(),
    }
    if write.cells:
        answer.update(updatedRows=write.height, updatedColumns=write.width,
                      updatedCells=write.cells)  # fmt: skip
    if include:
        r1 = write.r0 + max(write.height, 1)
        c1 = write.c0 + max(write.width, 1)
        answer["updatedData"] = block(book, write.sheet, write.r0, write.c0, r1, c1, opts)
    return answer


def _flag(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def update(store: Store, req: EmuRequest, key: str, text: str) -> tuple[int, Any]:
    """PUT .../values/{range}?valueInputOption=..."""
    req.check_params(*WRITE_PARAMS)
    option = input_option(req.param("valueInputOption"))
    opts = ReadOptions.from_query(req, prefix="response")
    body = req.json_body() or {}
    if not isinstance(body, dict):
        raise bad_request(f"Invalid JSON payload received. Expected an object: {json_text(body)}")
    with store.lock:
        book = store.open(key, req.identity)
        write = plan(book, text, matrix_of(body.get("values"), body.get("majorDimension"), "data"))
        apply(book, write, option)
        include = _flag(req.param("includeValuesInResponse"))
        return 200, update_answer(book, write, include, opts)


def batch_update(store: Store, req: EmuRequest, key: str) -> tuple[int, Any]:
    """POST .../values:batchUpdate: every range is checked before anything is written."""
    req.check_params()
    body = req.json_body()
    if not isinstance(body, dict):
        raise bad_request("Invalid JSON payload received. Expected an object.")
    option = input_option(body.get("valueInputOption"))
    opts = ReadOptions(
        enum(body.get("responseValueRenderOption"), VALUE_RENDER,
             "response_value_render_option", "ValueRenderOption"),
        enum(body.get("responseDateTimeRenderOption"), DATE_RENDER,
             "response_date_time_render_option", "DateTimeRenderOption"),
    )  # fmt: skip
    data = body.get("data") or []
    if not isinstance(data, list):
        raise bad_request(
            "Invalid value at 'data' (type.googleapis.com/google.apps.sheets.v4.ValueRange), "
            f"{json_text(data)}"
        )
    with store.lock:
        book = store.open(key, req.identity)
        writes = []
        for i, entry in enumerate(data):
            if not isinstance(entry, dict) or not isinstance(entry.get("range"), str):
                raise bad_request(f"Invalid data[{i}]: a ValueRange needs a 'range'")
            rows = matrix_of(entry.get("values"), entry.get("majorDimension"), f"data[{i}]")
            writes.append(plan(book, entry["range"], rows))
        for write in writes:
            apply(book, write, option)
        include = _flag(body.get("includeValuesInResponse"))
        responses = [update_answer(book, w, include, opts) for w in writes]
    answer: dict[str, Any] = {"spreadsheetId": key}
    touched = [w for w in writes if w.cells]
    if touched:
        answer.update(
            totalUpdatedRows=sum(w.height for w in touched),
            totalUpdatedColumns=sum(w.width for w in touched),
            totalUpdatedCells=sum(w.cells for w in touched),
            totalUpdatedSheets=len({id(w.sheet) for w in touched}),
        )
    answer["responses"] = responses
    return 200, answer


def _clear(book: Spreadsheet, text: str) -> str:
    ref = parse_range(text)
    sheet = resolve(book, ref, text)
    r0, c0, r1, c1 = read_bounds(sheet, ref)
    for r in range(r0, min(r1, len(sheet.data))):
        for c in range(c0, min(c1, len(sheet.data[r]))):
            sheet.put(r, c, merged(sheet.get(r, c), None))
    return echo(sheet, r0, c0, r1, c1)


def clear(store: Store, req: EmuRequest, key: str, text: str) -> tuple[int, Any]:
    """POST .../values/{range}:clear: values go, formats stay."""
    with store.lock:
        book = store.open(key, req.identity)
        return 200, {"spreadsheetId": key, "clearedRange": _clear(book, text)}


def batch_clear(store: Store, req: EmuRequest, key: str) -> tuple[int, Any]:
    body = req.json_body() or {}
    ranges = body.get("ranges", []) if isinstance(body, dict) else None
    if not isinstance(ranges, list):
        raise bad_request("Invalid value at 'ranges': a list of ranges is required")
    with store.lock:
        book = store.open(key, req.identity)
        for text in ranges:
            sheet = resolve(book, parse_range(text), text)
            read_bounds(sheet, parse_range(text))
        cleared = [_clear(book, text) for text in ranges]
    return 200, {"spreadsheetId": key, "clearedRanges": cleared}
