"""``spreadsheets.get`` and ``spreadsheets.batchUpdate``, as the real service answers them.

* ``GET /v4/spreadsheets/{id}`` answers ``{"spreadsheetId", "properties":
  {"title", "locale", "autoRecalc", "timeZone", "defaultFormat"}, "sheets":
  [{"properties": {"sheetId", "title", "index", "sheetType": "GRID",
  "gridProperties": {"rowCount", "columnCount"}}}], "spreadsheetUrl"}``.
* ``includeGridData=true`` adds to each sheet ``"data": [{"startRow",
  "startColumn", "rowData": [{"values": [CellData...]}], "rowMetadata",
  "columnMetadata"}]``; a CellData has ``userEnteredValue``,
  ``effectiveValue``, ``formattedValue`` and the formats; an empty cell is
  ``{}``, and trailing empty cells and rows are left out.  Formats carry only
  ``numberFormat`` (``effectiveFormat`` fills in the locale's default date
  pattern); the real service adds fonts, padding and colours, left out here
  to keep large grids small.  (``startRow`` and
  ``startColumn`` are always present here; the real service may leave out
  zeros, so readers should default them to 0.)
* ``ranges`` (repeatable) restricts the answer to the sheets it names and the
  grid data to its cells; an unknown sheet is a 400 "Unable to parse range".
* ``fields`` is a partial-response mask (``sheets(properties(title),data(rowData(
  values(effectiveValue))))``, ``a/b`` for ``a(b)``): only the fields it names
  are answered, the others are absent (not null), as Google answers.
* Developer metadata (``createDeveloperMetadata``) on the spreadsheet, a sheet,
  or one row or column; row and column metadata comes back in the grid data's
  ``rowMetadata`` / ``columnMetadata`` (``developerMetadata``) and moves with
  inserted and deleted rows and columns (see ``model.DevMeta``).
* ``:batchUpdate`` applies its requests in order to a copy of the spreadsheet
  and keeps the copy only when every request succeeded (all-or-nothing, as
  the real service does).  Supported: updateCells, appendCells, repeatCell,
  appendDimension, insertDimension, deleteDimension, updateSheetProperties,
  addSheet, deleteSheet, createDeveloperMetadata.  Any other request kind is a 400 naming it.  Only
  the number format of ``userEnteredFormat`` is stored; other format fields
  are accepted and dropped.
* ``appendCells`` writes its rows from column A, starting below the last row
  that holds a value anywhere in the sheet (cells that carry only a format do
  not count), and adds rows to the grid when they do not fit; rows wider than
  the grid are a grid-limits error, as for updateCells.
"""

from __future__ import annotations

import re
from typing import Any

from .formats import default_pattern, formatted, formula_cell, json_value
from .model import (
    Cell,
    DevMeta,
    Sheet,
    Spreadsheet,
    Store,
    bad_request,
    check_in_grid,
    parse_range,
    resolve,
)
from .server import EmuRequest
from .values import read_bounds

DEFAULT_FORMAT: dict[str, Any] = {
    "backgroundColor": {"red": 1, "green": 1, "blue": 1},
    "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
    "verticalAlignment": "BOTTOM",
    "wrapStrategy": "OVERFLOW_CELL",
    "textFormat": {
        "foregroundColor": {},
        "fontFamily": "arial,sans,sans-serif",
        "fontSize": 10,
        "bold": False,
        "italic": False,
        "strikethrough": False,
        "underline": False,
        "foregroundColorStyle": {"rgbColor": {}},
    },
    "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
}
CELL_FIELDS = frozenset(
    {"userEnteredValue", "userEnteredFormat", "note", "hyperlink", "textFormatRuns",
     "dataValidation", "pivotTable", "dataSourceTable", "dataSourceFormula", "chipRuns"}
)  # fmt: skip

# -------------------------------------------------------------------- reading


def sheet_properties(book: Spreadsheet, sheet: Sheet) -> dict[str, Any]:
    grid: dict[str, Any] = {"rowCount": sheet.row_count, "columnCount": sheet.col_count}
    if sheet.frozen_rows:
        grid["frozenRowCount"] = sheet.frozen_rows
    if sheet.frozen_cols:
        grid["frozenColumnCount"] = sheet.frozen_cols
    return {
        "sheetId": sheet.sheet_id,
        "title": sheet.title,
        "index": book.sheets.index(sheet),
        "sheetType": "GRID",
        "gridProperties": grid,
    }


def cell_data(cell: Cell | None, locale: str) -> dict[str, Any]:
    if cell is None:
        return {}
    out: dict[str, Any] = {}
    if cell.value is not None:
        if cell.formula:
            out["userEnteredValue"] = {"formulaValue": cell.value}
        else:
            out["userEnteredValue"] = json_value(cell.value)
        if cell.effective_value is not None:
            out["effectiveValue"] = json_value(cell.effective_value)
            out["formattedValue"] = formatted(cell, locale)
    if cell.fmt_type is not None:
        number_format = {"type": cell.fmt_type}
        if cell.pattern:
            number_format["pattern"] = cell.pattern
        out["userEnteredFormat"] = {"numberFormat": dict(number_format)}
        if "pattern" not in number_format and cell.fmt_type in ("DATE", "DATE_TIME", "TIME"):
            number_format["pattern"] = default_pattern(cell.fmt_type, locale)
        out["effectiveFormat"] = {"numberFormat": number_format}
    return out


def grid_data(book: Spreadsheet, sheet: Sheet, r0: int, c0: int, r1: int, c1: int) -> dict:
    rows: list[dict[str, Any]] = []
    for r in range(r0, min(r1, len(sheet.data))):
        line = sheet.data[r]
        values = [cell_data(line[c], book.locale) for c in range(c0, min(c1, len(line)))]
        while values and not values[-1]:
            values.pop()
        rows.append({"values": values} if values else {})
    while rows and not rows[-1]:
        rows.pop()
    data: dict[str, Any] = {"startRow": r0, "startColumn": c0}
    if rows:
        data["rowData"] = rows
    data["rowMetadata"] = [dimension_properties(sheet, "ROWS", r, 21) for r in range(r0, r1)]
    data["columnMetadata"] = [dimension_properties(sheet, "COLUMNS", c, 100) for c in range(c0, c1)]
    return data


def dimension_properties(sheet: Sheet, dimension: str, index: int, size: int) -> dict[str, Any]:
    found = [m for m in sheet.metadata if m.dimension == dimension and m.index == index]
    props: dict[str, Any] = {"pixelSize": size}
    if found:
        props["developerMetadata"] = [developer_metadata(sheet, m) for m in found]
    return props


def developer_metadata(sheet: Sheet, meta: DevMeta) -> dict[str, Any]:
    location: dict[str, Any]
    if meta.dimension is None:
        location = {"locationType": "SHEET", "sheetId": sheet.sheet_id}
    else:
        span = {
            "sheetId": sheet.sheet_id,
            "dimension": meta.dimension,
            "startIndex": meta.index,
            "endIndex": meta.index + 1,
        }
        kind = "ROW" if meta.dimension == "ROWS" else "COLUMN"
        location = {"locationType": kind, "dimensionRange": span}
    out: dict[str, Any] = {"metadataId": meta.metadata_id, "metadataKey": meta.key}
    if meta.value is not None:
        out["metadataValue"] = meta.value
    out.update(location=location, visibility=meta.visibility)
    return out


def parse_mask(fields: str) -> dict[str, Any]:
    """A partial-response mask as a tree: ``a(b,c/d)`` -> {"a": {"b": None, "c": {"d": None}}};
    None means the whole field."""
    tree: dict[str, Any] = {}
    stack: list[dict[str, Any]] = [tree]
    last: tuple[dict[str, Any], str] | None = None
    for token in re.findall(r"[^,()\s]+|[,()]", fields):
        if token == "(":
            if last is None:
                raise bad_request(f"Invalid field selection {fields}")
            parent, name = last
            if parent[name] is None:
                parent[name] = {}
            stack.append(parent[name])
        elif token == ")":
            if len(stack) == 1:
                raise bad_request(f"Invalid field selection {fields}")
            stack.pop()
        elif token != ",":
            node = stack[-1]
            parts = token.replace(".", "/").split("/")
            for part in parts[:-1]:
                child = node.get(part, {})
                node[part] = {} if child is None else child
                node = node[part]
            node.setdefault(parts[-1], None)
            last = (node, parts[-1])
    return tree


def masked(value: Any, tree: dict[str, Any] | None) -> Any:
    """``value`` with only the fields ``tree`` names (lists are masked item by item)."""
    if tree is None or "*" in tree:
        return value
    if isinstance(value, list):
        return [masked(item, tree) for item in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for name, sub in tree.items():
        if name in value:
            kept = masked(value[name], sub)
            if kept != {} or sub is None:
                out[name] = kept
    return out


def metadata(book: Spreadsheet, ranges: list[str], grid: bool) -> dict[str, Any]:
    selected: list[tuple[Sheet, list[tuple[int, int, int, int]]]] = []
    if ranges:
        for text in ranges:
            ref = parse_range(text)
            sheet = resolve(book, ref, text)
            r0, c0, r1, c1 = read_bounds(sheet, ref)
            for s, spans in selected:
                if s is sheet:
                    spans.append((r0, c0, r1, c1))
                    break
            else:
                selected.append((sheet, [(r0, c0, r1, c1)]))
        selected.sort(key=lambda item: book.sheets.index(item[0]))
    else:
        selected = [(s, [(0, 0, s.row_count, s.col_count)]) for s in book.sheets]
    sheets = []
    for sheet, spans in selected:
        entry: dict[str, Any] = {"properties": sheet_properties(book, sheet)}
        if grid:
            entry["data"] = [grid_data(book, sheet, *span) for span in spans]
        sheets.append(entry)
    return {
        "spreadsheetId": book.spreadsheet_id,
        "properties": {
            "title": book.title,
            "locale": book.locale,
            "autoRecalc": "ON_CHANGE",
            "timeZone": book.time_zone,
            "defaultFormat": DEFAULT_FORMAT,
        },
        "sheets": sheets,
        "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{book.spreadsheet_id}/edit",
    }


def get_spreadsheet(store: Store, req: EmuRequest, key: str) -> tuple[int, Any]:
    req.check_params("ranges", "includeGridData", "excludeTablesInBandedRanges")
    grid = (req.param("includeGridData") or "false").lower() == "true"
    fields = req.param("fields")
    mask = parse_mask(fields) if fields else None
    sheets_mask = (mask or {}).get("sheets")
    if isinstance(sheets_mask, dict) and "data" in sheets_mask:
        grid = True  # a mask naming the grid data asks for it, as includeGridData does
    with store.lock:
        book = store.open(key, req.identity)
        answer = metadata(book, req.query.get("ranges", []), grid)
    return 200, masked(answer, mask)


# ------------------------------------------------------------------- batching


def field_mask(fields: Any, where: str) -> set[str]:
    """``"userEnteredValue,userEnteredFormat(numberFormat)"`` -> dotted paths; "*" -> {"*"}."""
    if not isinstance(fields, str) or not fields.strip():
        raise bad_request(f"Invalid {where}: At least one field must be specified in 'fields'.")
    paths: set[str] = set()
    prefix: list[str] = []
    last = ""
    for token in re.findall(r"[^,()\s]+|[,()]", fields.replace("/", ".")):
        if token == "(":
            prefix.append(last)
        elif token == ")":
            prefix.pop()
        elif token != ",":
            last = ".".join([*prefix, token])
            paths.add(last)
    return paths


class Batch:
    """Applies one ``:batchUpdate`` to a copy of the spreadsheet."""

    def __init__(self, book: Spreadsheet) -> None:
        self.book = book

    def sheet(self, sheet_id: Any, where: str) -> Sheet:
        found = self.book.sheet_by_id(int(sheet_id or 0))
        if found is None:
            raise bad_request(f"Invalid {where}: No grid with id: {sheet_id or 0}")
        return found

    def run(self, index: int, request: Any) -> dict[str, Any]:
        if not isinstance(request, dict) or len(request) != 1:
            raise bad_request(f"Invalid requests[{index}]: exactly one request kind is required")
        kind, args = next(iter(request.items()))
        handler = getattr(self, f"do_{kind}", None)
        if handler is None:
            raise bad_request(
                f'Invalid JSON payload received. Unknown name "{kind}" at '
                f"'requests[{index}]': Cannot find field. (The emulator supports: "
                f"{', '.join(sorted(n[3:] for n in dir(self) if n.startswith('do_')))}.)"
            )
        reply: dict[str, Any] = handler(args or {}, f"requests[{index}].{kind}")
        return reply

    # --------------------------------------------------------------- cells
    def write_cells(
        self, sheet: Sheet, r0: int, c0: int, rows: list[Any], mask: set[str], where: str,
        limit: tuple[int, int] | None = None,
    ) -> None:  # fmt: skip
        height = len(rows)
        width = max((len((row or {}).get("values") or []) for row in rows), default=0)
        r1, c1 = limit if limit is not None else (r0 + max(height, 1), c0 + max(width, 1))
        check_in_grid(sheet, r0, c0, max(r1, r0 + height), max(c1, c0 + width))
        unknown = {p.split(".")[0] for p in mask} - CELL_FIELDS - {"*"}
        if unknown:
            raise bad_request(f"Invalid {where}: Invalid field mask: {', '.join(sorted(unknown))}")
        for r in range(r0, r1):
            row = rows[r - r0] if r - r0 < height else None
            values = (row or {}).get("values") or []
            for c in range(c0, c1):
                data = values[c - c0] if c - c0 < len(values) else {}
                if not isinstance(data, dict):
                    raise bad_request(f"Invalid {where}: a CellData must be an object")
                sheet.put(r, c, self.cell(sheet.get(r, c), data, mask, where))

    def cell(self, old: Cell | None, data: dict[str, Any], mask: set[str], where: str) -> Cell:
        cell = old or Cell()
        value, formula, effective = cell.value, cell.formula, cell.effective
        fmt_type, pattern = cell.fmt_type, cell.pattern
        if "*" in mask or "userEnteredValue" in mask:
            value, formula, effective = None, False, None
            entered = data.get("userEnteredValue")
            if entered:
                value, formula, effective = self.entered(entered, where)
        if any(
            p in ("*", "userEnteredFormat") or p.startswith("userEnteredFormat.numberFormat")
            for p in mask
        ):
            number_format = (data.get("userEnteredFormat") or {}).get("numberFormat")
            fmt_type = pattern = None
            if number_format:
                fmt_type = number_format.get("type")
                pattern = number_format.get("pattern") or None
        return Cell(value, formula, effective, fmt_type, pattern)

    @staticmethod
    def entered(entered: dict[str, Any], where: str) -> tuple[Any, bool, Any]:
        if "formulaValue" in entered:
            made = formula_cell(str(entered["formulaValue"]))
            return made.value, True, made.effective
        if "stringValue" in entered:
            return str(entered["stringValue"]), False, None  # text, even with a leading "="
        if "boolValue" in entered:
            return bool(entered["boolValue"]), False, None
        if "numberValue" in entered:
            number = entered["numberValue"]
            if isinstance(number, bool) or not isinstance(number, int | float | str):
                raise bad_request(f"Invalid {where}: numberValue must be a number")
            return float(number), False, None
        raise bad_request(f"Invalid {where}: unknown userEnteredValue {sorted(entered)}")

    def do_updateCells(self, args: dict[str, Any], where: str) -> dict[str, Any]:
        mask = field_mask(args.get("fields"), where)
        rows = args.get("rows") or []
        if "range" in args:
            grid = args["range"] or {}
            sheet = self.sheet(grid.get("sheetId"), where)
            r0, c0 = grid.get("startRowIndex", 0), grid.get("startColumnIndex", 0)
            r1 = grid.get("endRowIndex", sheet.row_count)
            c1 = grid.get("endColumnIndex", sheet.col_count)
            self.write_cells(sheet, r0, c0, rows, mask, where, limit=(r1, c1))
        else:
            start = args.get("start") or {}
            sheet = self.sheet(start.get("sheetId"), where)
            r0, c0 = start.get("rowIndex", 0), start.get("columnIndex", 0)
            self.write_cells(sheet, r0, c0, rows, mask, where)
        return {}

    def do_appendCells(self, args: dict[str, Any], where: str) -> dict[str, Any]:
        mask = field_mask(args.get("fields"), where)
        sheet = self.sheet(args.get("sheetId"), where)
        rows = args.get("rows") or []
        if not rows:
            return {}
        has_value = [any(c and c.value is not None for c in line) for line in sheet.data]
        last = max((r for r, filled in enumerate(has_value) if filled), default=-1)
        start = last + 1
        if start + len(rows) > sheet.row_count:
            sheet.row_count = start + len(rows)
        self.write_cells(sheet, start, 0, rows, mask, where)
        return {}

    def do_repeatCell(self, args: dict[str, Any], where: str) -> dict[str, Any]:
        mask = field_mask(args.get("fields"), where)
        grid = args.get("range") or {}
        sheet = self.sheet(grid.get("sheetId"), where)
        r0, c0 = grid.get("startRowIndex", 0), grid.get("startColumnIndex", 0)
        r1 = grid.get("endRowIndex", sheet.row_count)
        c1 = grid.get("endColumnIndex", sheet.col_count)
        row = {"values": [args.get("cell") or {}] * (c1 - c0)}
        self.write_cells(sheet, r0, c0, [row] * (r1 - r0), mask, where, limit=(r1, c1))
        return {}

    # ---------------------------------------------------------- dimensions
    def dimension_range(self, args: dict[str, Any], where: str) -> tuple[Sheet, str, int, int]:
        span = args.get("range") or {}
        sheet = self.sheet(span.get("sheetId"), where)
        dimension = span.get("dimension")
        if dimension not in ("ROWS", "COLUMNS"):
            raise bad_request(f"Invalid {where}: dimension must be ROWS or COLUMNS")
        start, end = int(span.get("startIndex", 0)), span.get("endIndex")
        size = sheet.row_count if dimension == "ROWS" else sheet.col_count
        end = size if end is None else int(end)
        if start < 0 or end <= start:
            raise bad_request(f"Invalid {where}: startIndex must be less than endIndex")
        return sheet, dimension, start, end

    def do_appendDimension(self, args: dict[str, Any], where: str) -> dict[str, Any]:
        sheet = self.sheet(args.get("sheetId"), where)
        length = int(args.get("length") or 0)
        if length <= 0:
            raise bad_request(f"Invalid {where}: length must be positive")
        if args.get("dimension") == "ROWS":
            sheet.row_count += length
        elif args.get("dimension") == "COLUMNS":
            sheet.col_count += length
        else:
            raise bad_request(f"Invalid {where}: dimension must be ROWS or COLUMNS")
        return {}

    def do_insertDimension(self, args: dict[str, Any], where: str) -> dict[str, Any]:
        sheet, dimension, start, end = self.dimension_range(args, where)
        size = sheet.row_count if dimension == "ROWS" else sheet.col_count
        if start > size:
            raise bad_request(f"Invalid {where}: range beyond the end of the grid")
        if start == 0 and args.get("inheritFromBefore"):
            raise bad_request(
                f"Invalid {where}: Cannot inherit properties from before if inserting at the "
                "beginning of a dimension."
            )
        if dimension == "ROWS":
            sheet.insert_rows(start, end - start)
        else:
            sheet.insert_cols(start, end - start)
        return {}

    def do_deleteDimension(self, args: dict[str, Any], where: str) -> dict[str, Any]:
        sheet, dimension, start, end = self.dimension_range(args, where)
        size = sheet.row_count if dimension == "ROWS" else sheet.col_count
        if end > size:
            raise bad_request(f"Invalid {where}: range beyond the end of the grid")
        if start == 0 and end == size:
            what = "rows" if dimension == "ROWS" else "columns"
            raise bad_request(f"Invalid {where}: You can't delete all the {what} on the sheet.")
        if dimension == "ROWS":
            sheet.delete_rows(start, end - start)
        else:
            sheet.delete_cols(start, end - start)
        return {}

    # -------------------------------------------------------------- sheets
    def do_updateSheetProperties(self, args: dict[str, Any], where: str) -> dict[str, Any]:
        mask = field_mask(args.get("fields"), where)
        props = args.get("properties") or {}
        sheet = self.sheet(props.get("sheetId"), where)
        grid = props.get("gridProperties") or {}

        def wanted(path: str) -> bool:
            return "*" in mask or path in mask or path.split(".")[0] in mask

        rows, cols = sheet.row_count, sheet.col_count
        if wanted("gridProperties.rowCount"):
            rows = int(grid.get("rowCount", 0))
        if wanted("gridProperties.columnCount"):
            cols = int(grid.get("columnCount", 0))
        if rows < 1 or cols < 1:
            raise bad_request(f"Invalid {where}: a sheet needs at least one row and one column")
        if wanted("gridProperties.frozenRowCount"):
            sheet.frozen_rows = int(grid.get("frozenRowCount", 0))
        if wanted("gridProperties.frozenColumnCount"):
            sheet.frozen_cols = int(grid.get("frozenColumnCount", 0))
        if wanted("title"):
            self.check_title(props.get("title"), sheet, where)
            sheet.title = props["title"]
        if wanted("index") and "index" in props:
            self.book.sheets.remove(sheet)
            self.book.sheets.insert(min(int(props["index"]), len(self.book.sheets)), sheet)
        sheet.resize(rows, cols)
        return {}

    def check_title(self, title: Any, sheet: Sheet | None, where: str) -> None:
        if not isinstance(title, str) or not title:
            raise bad_request(f"Invalid {where}: a sheet title must be a non-empty string")
        other = self.book.sheet_by_title(title)
        if other is not None and other is not sheet:
            raise bad_request(
                f'Invalid {where}: A sheet with the name "{title}" already exists. '
                "Please enter another name."
            )

    def do_addSheet(self, args: dict[str, Any], where: str) -> dict[str, Any]:
        props = args.get("properties") or {}
        title = props.get("title")
        if title is None:
            n = len(self.book.sheets) + 1
            while self.book.sheet_by_title(f"Sheet{n}") is not None:
                n += 1
            title = f"Sheet{n}"
        self.check_title(title, None, where)
        sheet_id = props.get("sheetId")
        if sheet_id is None:
            sheet_id = self.book.new_sheet_id()
        elif self.book.sheet_by_id(int(sheet_id)) is not None:
            raise bad_request(f"Invalid {where}: A sheet with id {sheet_id} already exists.")
        grid = props.get("gridProperties") or {}
        sheet = Sheet(
            int(sheet_id), title, int(grid.get("rowCount", 1000)), int(grid.get("columnCount", 26))
        )
        index = props.get("index")
        self.book.sheets.insert(len(self.book.sheets) if index is None else int(index), sheet)
        return {"addSheet": {"properties": sheet_properties(self.book, sheet)}}

    def do_createDeveloperMetadata(self, args: dict[str, Any], where: str) -> dict[str, Any]:
        meta = args.get("developerMetadata") or {}
        key, visibility = meta.get("metadataKey"), meta.get("visibility")
        if not isinstance(key, str) or not key:
            raise bad_request(f"Invalid {where}: metadataKey is required")
        if visibility not in ("DOCUMENT", "PROJECT"):
            raise bad_request(f"Invalid {where}: visibility must be DOCUMENT or PROJECT")
        location = meta.get("location") or {}
        span = location.get("dimensionRange")
        if span is not None:
            sheet, dimension, start, end = self.dimension_range({"range": span}, where)
            if end - start != 1:
                raise bad_request(
                    f"Invalid {where}: A dimension range location must span exactly one row "
                    "or column."
                )
            size = sheet.row_count if dimension == "ROWS" else sheet.col_count
            if end > size:
                raise bad_request(f"Invalid {where}: range beyond the end of the grid")
        elif "sheetId" in location:
            sheet, dimension, start = self.sheet(location["sheetId"], where), None, 0
        else:
            raise bad_request(f"Invalid {where}: only sheet, row and column locations are emulated")
        used = {m.metadata_id for s in self.book.sheets for m in s.metadata}
        wanted = meta.get("metadataId")
        if wanted is not None and int(wanted) in used:
            raise bad_request(f"Invalid {where}: metadataId {wanted} is already in use")
        metadata_id = int(wanted) if wanted is not None else max(used, default=0) + 1
        made = DevMeta(metadata_id, key, meta.get("metadataValue"), visibility, dimension, start)
        sheet.metadata.append(made)
        return {"createDeveloperMetadata": {"developerMetadata": developer_metadata(sheet, made)}}

    def do_deleteSheet(self, args: dict[str, Any], where: str) -> dict[str, Any]:
        sheet = self.sheet(args.get("sheetId"), where)
        if len(self.book.sheets) == 1:
            raise bad_request(
                f"Invalid {where}: You can't remove all the visible sheets in a document."
            )
        self.book.sheets.remove(sheet)
        return {}


def batch_update(store: Store, req: EmuRequest, key: str) -> tuple[int, Any]:
    req.check_params()
    body = req.json_body()
    if not isinstance(body, dict) or not isinstance(body.get("requests", []), list):
        raise bad_request('Invalid JSON payload received. Expected {"requests": [...]}.')
    with store.lock:
        book = store.open(key, req.identity)
        work = book.clone()
        batch = Batch(work)
        replies = [batch.run(i, request) for i, request in enumerate(body.get("requests") or [])]
        book.commit(work)  # every request succeeded
        answer: dict[str, Any] = {"spreadsheetId": key, "replies": replies}
        if body.get("includeSpreadsheetInResponse"):
            grid = bool(body.get("responseIncludeGridData"))
            answer["updatedSpreadsheet"] = metadata(work, body.get("responseRanges") or [], grid)
        return 200, answer
