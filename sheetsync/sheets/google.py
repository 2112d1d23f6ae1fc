"""A tab of a Google Sheet, through gspread: read, re-read, write, check.

1. ``spreadsheets.get`` of the contacts tab only, with a fields mask: metadata
   (locale, time zone, grid size, sheet id), which columns are sheetsync's
   (developer metadata on the column), and per cell its formula, its value and
   whether it is a date.  With no tab configured, a cheap names-only call
   first finds the first tab.
2. The same read again just before writing, to find every contact's row by identity.
3. One ``spreadsheets.batchUpdate``: add columns when the grid is too narrow
   (marking them as sheetsync's), and ``updateCells`` with typed values
   (``stringValue`` can never become a formula; dates carry their DATE format).
   The service applies a batch whole or not at all.
4. One more read to check: a sort, insert or delete that landed between 2 and
   3 is repaired by identity (a few rounds at most), and an answer that was
   not a success (5xx, 408, 429, timeout, lost) is never resent blindly: the
   read shows what landed and only what is missing is sent.

When no owned cell would change, requests 2 to 4 are not sent.

Adding rows (import) and writing user cells (log) go the same way.  New rows
go in one ``appendCells`` request, so Google puts them below whatever the sheet
holds at that moment and a row typed meanwhile is never overwritten.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import TYPE_CHECKING, Any

from ..core.dates import date_to_serial, serial_to_date
from ..core.grid import Cell, CellWrite, Formula, Grid
from ..core.writeback import Placement
from ..errors import SheetError, SheetNotFound
from ..google import (
    RETRY_STATUSES,
    Backoff,
    GoogleError,
    Waits,
    access_problem,
    retry_after,
)
from .base import Placer, SheetBackend, SheetInfo, WriteOutcome

if TYPE_CHECKING:
    from ..outbox.base import Outbox

log = logging.getLogger(__name__)

#: What a read asks for: the tab's metadata, the columns sheetsync owns (developer
#: metadata on the column), and per cell only its formula, its value and whether its
#: number format is a date.
GRID_FIELDS = (
    "spreadsheetId,properties(title,locale,timeZone),"
    "sheets(properties(sheetId,title,index,gridProperties(rowCount,columnCount)),"
    "data(startRow,startColumn,columnMetadata/developerMetadata(metadataKey,metadataValue),"
    "rowData/values(userEnteredValue/formulaValue,effectiveValue,"
    "effectiveFormat/numberFormat/type)))"
)
#: The developer metadata key on a column sheetsync created; its value is the owned key.
OWNED_KEY = "sheetsync.column"
DATE_TYPES = {"DATE", "DATE_TIME"}


def quote_title(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


#: Rounds of (read, place, write) a commit makes at most: the write, then checks and
#: repairs when edits or lost answers got in the way.
MAX_ROUNDS = 4


class GoogleSheet(SheetBackend):
    """One tab of a Google spreadsheet.  ``client`` is a gspread HTTP client."""

    def __init__(
        self, key: str, *, client: Any, tab: str | None = None, account_email: str | None = None
    ):
        self.key = key
        self.client = client
        self.tab = tab
        self.account_email = account_email
        self.title: str | None = None
        self.locale: str | None = None
        self.time_zone: str | None = None
        self.sheet_id: int | None = None
        self.grid_size: tuple[int, int] = (0, 0)
        self._grid: Grid = []
        self._owned: dict[int, str] = {}

    def describe(self) -> str:
        name = self.title or self.key
        return f"{name} › {self.tab}" if self.tab else name

    # -- reading ------------------------------------------------------------------------

    def read(self) -> Grid:
        self._grid = self._fetch("read")
        return [list(row) for row in self._grid]

    def _fetch(self, what: str) -> Grid:
        """The tab's cells, and what the sheet records of it (size, sheetsync's columns).

        Only the contacts tab is asked for; with no tab configured, a first cheap
        call (tab names only) finds the first tab.
        """
        if self.tab is None:
            self.tab = self._first_tab(what)
        params: dict[str, Any] = {
            "ranges": [quote_title(self.tab)],
            "fields": GRID_FIELDS,
            "prettyPrint": "false",  # the grid is most of the bytes: no indentation
        }
        data = self._call(what, self.client.fetch_sheet_metadata, self.key, params=params)
        props = data.get("properties", {})
        self.title, self.locale = props.get("title"), props.get("locale")
        self.time_zone = props.get("timeZone")
        sheet = self._pick(data.get("sheets", []))
        p = sheet["properties"]
        self.tab, self.sheet_id = p["title"], p["sheetId"]
        grid_props = p.get("gridProperties", {})
        self.grid_size = (grid_props.get("rowCount", 0), grid_props.get("columnCount", 0))
        self._owned = _owned_columns(sheet.get("data", []))
        return grid_from_data(sheet.get("data", []))

    def _first_tab(self, what: str) -> str:
        data = self._call(
            what,
            self.client.fetch_sheet_metadata,
            self.key,
            params={"fields": "properties/title,sheets/properties(title,index)"},
        )
        sheets = data.get("sheets", [])
        if not sheets:
            self.title = data.get("properties", {}).get("title")
            raise SheetError(f"{self.describe()} has no tabs sheetsync can read.")
        first = min(sheets, key=lambda s: s["properties"].get("index", 0))
        return str(first["properties"]["title"])

    def _pick(self, sheets: list[dict[str, Any]]) -> dict[str, Any]:
        if not sheets:
            raise SheetError(f"{self.describe()} has no tabs sheetsync can read.")
        if self.tab is None:
            return min(sheets, key=lambda s: s["properties"].get("index", 0))
        for sheet in sheets:
            if sheet["properties"]["title"] == self.tab:
                return sheet
        raise self._no_tab()

    def _no_tab(self) -> SheetNotFound:
        titles = []
        try:
            meta = self.client.fetch_sheet_metadata(
                self.key, params={"fields": "sheets.properties.title"}
            )
            titles = [s["properties"]["title"] for s in meta.get("sheets", [])]
        except Exception:  # the listing is a courtesy; the error below stands without it
            log.debug("could not list the tabs of %s", self.key)
        listed = ", ".join(f"'{t}'" for t in titles) or "unknown"
        return SheetNotFound(
            f"The spreadsheet {self.title or self.key} has no tab '{self.tab}'. Its tabs are: "
            f"{listed}. Set the tab with --tab or 'tab =' in sheetsync.toml."
        )

    def today(self) -> dt.date:
        """Today in the spreadsheet's time zone."""
        return dt.datetime.now(_zone(self.time_zone)).date()

    # -- writing ------------------------------------------------------------------------

    def info(self) -> SheetInfo:
        return SheetInfo(
            self.describe(),
            today=self.today(),
            tab=self.tab,
            locale=self.locale,
            time_zone=self.time_zone,
            drafts_tab=True,
            account=self.account_email,
            owned_columns=dict(self._owned),
        )

    def drafts_tab(self, tab: str) -> Outbox:
        from ..outbox.sheet_tab import google_drafts_tab

        return google_drafts_tab(self, tab)

    def commit(self, placer: Placer) -> WriteOutcome:
        """Place on a fresh read, send the result as one ``batchUpdate``, and check it.

        When placing on the grid read at the start changes nothing, nothing more is
        sent.  New rows go in one ``appendCells`` request (below whatever is there
        when Google applies it); other cells in ``updateCells`` requests.
        """
        where = self.describe()
        if self._grid:  # read at the start of the run: nothing to do costs no request
            cached = placer([list(r) for r in self._grid])
            if not cached.all_writes:
                return WriteOutcome(0, self.url, cached, list(cached.warnings))
        placement = self._commit("write", placer)
        if placement.all_writes:
            log.info("wrote %d cells to %s", len(placement.all_writes), where)
        return WriteOutcome(len(placement.writes), self.url, placement, list(placement.warnings))

    def _build(self, placement: Placement, size: tuple[int, int]) -> list[dict[str, Any]]:
        if not placement.all_writes:
            return []
        if not placement.appended:
            return self._requests(placement, *size)
        requests: list[dict[str, Any]] = []
        needed_cols = max(w.col for w in placement.all_writes) + 1
        if needed_cols > size[1]:
            requests.append(self._append_dimension("COLUMNS", needed_cols - size[1]))
        requests.extend(self._record_owned(placement.claimed))
        requests.extend(self._update_cells(placement.header_writes))
        requests.append(self._append_cells(placement))
        return requests

    def _commit(self, what: str, placer: Placer) -> Placement:
        """Re-read, place, send; then read once more to check, and repair, a few rounds.

        * Every round places on a read taken just before it, never on an older one:
          a retry after a 429 waits, then reads again.
        * An answer that is not a success (5xx, 408, 429, a timeout, a dropped
          connection) leaves it unknown whether Google applied the batch: the next
          round's read shows what landed, and only what is missing is sent.
        * A sort, insert or delete between the read and the write moves rows under
          the write: the check after it puts every person's cells back (by identity,
          from what the first read showed) and clears sheetsync's cells on rows with
          nobody.
        Returns the first placement sent (what the run meant to write).
        """
        from ..core.repair import Expected, expected_after, repairs

        sent: Placement | None = None
        expected: Expected | None = None
        waits = Waits(getattr(self.client, "backoff", Backoff()), self.client_deadline)
        rounds = 0
        while True:
            grid, size = self._reread()
            placement = placer(grid)
            if expected is not None and placement.colmap is not None:
                planned = {(w.row, w.col) for w in placement.all_writes}
                extra = repairs(grid, placement.colmap, expected)
                placement.writes.extend(w for w in extra if (w.row, w.col) not in planned)
            requests = self._build(placement, size)
            if not requests:
                return sent or placement
            if sent is not None and rounds >= MAX_ROUNDS:
                sent.warnings.append(
                    f"{self.describe()} kept changing while sheetsync wrote to it; after "
                    f"{MAX_ROUNDS} rounds some statuses may be beside the wrong person. Run "
                    "sheetsync again."
                )
                return sent
            if expected is None and placement.colmap is not None and not placement.appended:
                expected = expected_after(grid, placement.colmap, placement.all_writes)
            if sent is not None:
                log.warning("%s: putting back %d cells", self.describe(), len(placement.writes))
            sent = sent or placement
            status, wait = self._send(what, requests)
            if status == 200:
                rounds += 1
            elif not waits.wait(wait):  # waits are bounded by the back-off, not the rounds
                raise self._gave_up(what, status)

    @property
    def client_deadline(self) -> float | None:
        deadline = getattr(self.client, "deadline", None)
        return deadline if isinstance(deadline, float) else None

    def _send(self, what: str, requests: list[dict[str, Any]]) -> tuple[int, float | None]:
        """Send one batch: (200, None), or the status of an answer that leaves the outcome
        unknown (0 for a lost answer) and its Retry-After.  Other errors are raised."""
        from gspread.exceptions import APIError
        from requests import RequestException

        try:
            self.client.batch_update(self.key, {"requests": requests})
            return 200, None
        except APIError as exc:
            status = int(exc.response.status_code)
            if status not in RETRY_STATUSES:
                raise self._translate(exc, what) from None
            log.warning("the %s was answered %s; checking what landed", what, status)
            return status, retry_after(exc.response)
        except RequestException as exc:
            log.warning(
                "the answer to the %s was lost (%s); checking what landed", what, type(exc).__name__
            )
            return 0, None

    def _gave_up(self, what: str, status: int) -> SheetError:
        if status == 429:
            return SheetError(
                "Google Sheets quota exceeded (429) even after retrying with back-off. Wait a "
                "minute and run again; the next run writes what is missing. Google allows 60 "
                "requests per minute per user."
            )
        answer = f"a server error ({status})" if status else "no answer"
        return SheetError(
            f"Google Sheets gave {answer} to every try to {what} {self.describe()}; sheetsync "
            "retried and gave up. Run again later: the next run finds what landed and writes "
            "only what is missing."
        )

    def _reread(self) -> tuple[Grid, tuple[int, int]]:
        """The tab now, and its grid size; also what it records of sheetsync's columns."""
        grid = self._fetch("re-read")
        return grid, self.grid_size

    def _record_owned(self, claimed: dict[int, str]) -> list[dict[str, Any]]:
        """Developer metadata marking columns as sheetsync's, so a later run knows them
        whatever their header says and wherever the user moves them."""
        return [
            {
                "createDeveloperMetadata": {
                    "developerMetadata": {
                        "metadataKey": OWNED_KEY,
                        "metadataValue": key,
                        "location": {
                            "dimensionRange": {
                                "sheetId": self.sheet_id,
                                "dimension": "COLUMNS",
                                "startIndex": col,
                                "endIndex": col + 1,
                            }
                        },
                        "visibility": "DOCUMENT",
                    }
                }
            }
            for col, key in sorted(claimed.items())
        ]

    def _append_dimension(self, dimension: str, length: int) -> dict[str, Any]:
        return {
            "appendDimension": {"sheetId": self.sheet_id, "dimension": dimension, "length": length}
        }

    def _append_cells(self, placement: Placement) -> dict[str, Any]:
        """The new rows, from column A, as typed cells (dates with their DATE format).

        One fields mask covers every cell, so the empty cells of the new rows get no
        number format; rows below the data normally have none anyway.
        """
        by_row: dict[int, dict[int, Cell]] = {r: {} for r in placement.appended}
        for w in placement.writes:
            by_row[w.row][w.col] = w.value
        rows = []
        for r in placement.appended:
            cells = by_row[r]
            width = max(cells) + 1 if cells else 0
            rows.append({"values": [_cell_data(cells.get(c)) for c in range(width)]})
        return {
            "appendCells": {
                "sheetId": self.sheet_id,
                "rows": rows,
                "fields": "userEnteredValue,userEnteredFormat.numberFormat",
            }
        }

    @property
    def url(self) -> str:
        return f"https://docs.google.com/spreadsheets/d/{self.key}/edit"

    def _requests(self, placement: Placement, rows: int, cols: int) -> list[dict[str, Any]]:
        requests: list[dict[str, Any]] = []
        writes = placement.all_writes
        needed_cols = max(w.col for w in writes) + 1
        needed_rows = max(w.row for w in writes) + 1
        if needed_cols > cols:
            requests.append(self._append_dimension("COLUMNS", needed_cols - cols))
        if needed_rows > rows:
            requests.append(self._append_dimension("ROWS", needed_rows - rows))
        requests.extend(self._record_owned(placement.claimed))
        requests.extend(self._update_cells(writes))
        return requests

    def _update_cells(self, writes: list[CellWrite]) -> list[dict[str, Any]]:
        """updateCells requests: one per run of adjacent cells of one kind in a row,
        merged down consecutive rows.

        Dates carry their DATE format (a real date in the sheet, only in the cells
        written); other cells set the value alone and keep their format.
        """
        by_row: dict[int, dict[int, Cell]] = {}
        for w in writes:
            by_row.setdefault(w.row, {})[w.col] = w.value
        runs: list[tuple[int, int, bool, list[Cell]]] = []  # (row, first col, dates?, values)
        for r in sorted(by_row):
            cells = by_row[r]
            prev: tuple[int, bool] | None = None
            for c in sorted(cells):
                dated = isinstance(cells[c], dt.date)
                if prev is None or prev != (c - 1, dated):
                    runs.append((r, c, dated, []))
                runs[-1][3].append(cells[c])
                prev = (c, dated)
        requests: list[dict[str, Any]] = []
        block: dict[str, Any] | None = None
        last: tuple[int, int, bool, int] | None = None
        for r, c, dated, values in runs:
            row_data = {"values": [_cell_data(v) for v in values]}
            if block is not None and last == (r - 1, c, dated, len(values)):
                block["updateCells"]["rows"].append(row_data)
            else:
                fields = (
                    "userEnteredValue,userEnteredFormat.numberFormat"
                    if dated
                    else ("userEnteredValue")
                )
                block = {
                    "updateCells": {
                        "start": {"sheetId": self.sheet_id, "rowIndex": r, "columnIndex": c},
                        "rows": [row_data],
                        "fields": fields,
                    }
                }
                requests.append(block)
            last = (r, c, dated, len(values))
        return requests

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        from gspread.exceptions import APIError
        from requests import RequestException

        try:
            return fn(*args, **kwargs)
        except APIError as exc:
            raise self._translate(exc, what) from None
        except RequestException as exc:
            raise SheetError(
                f"Cannot reach Google Sheets to {what} {self.describe()} "
                f"({type(exc).__name__}). Check the network connection and run again; nothing "
                "was written."
            ) from None

    def _translate(self, exc: Any, what: str) -> SheetError:
        error = GoogleError.from_response(exc.response)
        status, message = error.status, error.message
        share = (
            f" Open the sheet, click Share, and add {self.account_email} as an Editor."
            if self.account_email
            else " Check that your Google account can open it."
        )
        if status == 404:
            return SheetNotFound(
                f"No Google spreadsheet with id {self.key}: check the URL or key.{share}"
            )
        if status in (401, 403):
            return SheetError(access_problem(status, message, self.title or self.key, share))
        if status == 400 and "Unable to parse range" in message:
            return self._no_tab()
        if status == 429:
            return SheetError(
                "Google Sheets quota exceeded (429) even after retrying with back-off. Wait a "
                "minute and run again; nothing was written. Google allows 60 requests per "
                "minute per user."
            )
        if status >= 500:
            return SheetError(
                f"Google Sheets had a server error ({status}) while trying to {what} "
                f"{self.describe()}; sheetsync retried and gave up. Run again later; nothing "
                "was written."
            )
        return SheetError(f"Google Sheets answered {status} to the {what}: {message}")


def _zone(name: str | None) -> dt.tzinfo:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not name:
        return dt.UTC
    match = re.fullmatch(r"GMT([+-])(\d{1,2}):?(\d{2})?", name)
    if match:
        sign = 1 if match.group(1) == "+" else -1
        return dt.timezone(
            sign * dt.timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0))
        )
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown spreadsheet time zone %r; using UTC", name)
        return dt.UTC


def _value(ext: dict[str, Any] | None, number_type: str | None) -> Cell:
    if not ext:
        return None
    if "numberValue" in ext:
        number = ext["numberValue"]
        if number_type in DATE_TYPES:
            try:
                return serial_to_date(number)
            except ValueError:
                return number
        return int(number) if float(number).is_integer() and number_type != "NUMBER" else number
    if "stringValue" in ext:
        return ext["stringValue"]
    if "boolValue" in ext:
        return ext["boolValue"]
    if "errorValue" in ext:
        return None
    return None


def _owned_columns(data: list[dict[str, Any]]) -> dict[int, str]:
    """Column -> owned key, from the developer metadata in the grid's column metadata."""
    owned: dict[int, str] = {}
    for block in data:
        left = block.get("startColumn", 0)
        for i, props in enumerate(block.get("columnMetadata", [])):
            for meta in props.get("developerMetadata", []):
                if meta.get("metadataKey") == OWNED_KEY and meta.get("metadataValue"):
                    owned.setdefault(left + i, str(meta["metadataValue"]))
    return owned


def grid_from_data(data: list[dict[str, Any]]) -> Grid:
    """The cells of a ``spreadsheets.get`` answer's grid data, typed (dates as dates)."""
    grid: Grid = []
    for block in data:
        top, left = block.get("startRow", 0), block.get("startColumn", 0)
        for i, row in enumerate(block.get("rowData", [])):
            r = top + i
            while len(grid) <= r:
                grid.append([])
            line = grid[r]
            for j, cell in enumerate(row.get("values", [])):
                c = left + j
                while len(line) <= c:
                    line.append(None)
                kind = cell.get("effectiveFormat", {}).get("numberFormat", {}).get("type")
                value = _value(cell.get("effectiveValue"), kind)
                formula = cell.get("userEnteredValue", {}).get("formulaValue")
                if formula:
                    f = Formula(formula)
                    f.cached = value
                    value = f
                line[c] = value
    return grid


def _cell_data(value: Cell) -> dict[str, Any]:
    if value is None or value == "":
        return {}
    if isinstance(value, bool):
        return {"userEnteredValue": {"boolValue": value}}
    if isinstance(value, dt.date):
        return {
            "userEnteredValue": {"numberValue": date_to_serial(value)},
            "userEnteredFormat": {"numberFormat": {"type": "DATE", "pattern": "yyyy-mm-dd"}},
        }
    if isinstance(value, int | float):
        return {"userEnteredValue": {"numberValue": value}}
    return {"userEnteredValue": {"stringValue": str(value)}}


def _grid_size_from_range(echoed: str, fallback: tuple[int, int]) -> tuple[int, int]:
    """The grid's size from an echoed full-tab range such as ``Sheet1!A1:Z1000``."""
    match = re.search(r"!?([A-Z]+)(\d+):([A-Z]+)(\d+)$", echoed)
    if not match:
        return fallback
    letters = match.group(3)
    col = 0
    for ch in letters:
        col = col * 26 + (ord(ch) - ord("A") + 1)
    return int(match.group(4)), col
