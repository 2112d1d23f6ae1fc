"""Drafts as rows of a Drafts tab, in the same spreadsheet or workbook as the contacts.

No mail account and no token: each draft is one row (Date, Status, To, Email,
Subject, two compose links, Body, Template, Message-ID) in a tab that
sheetsync creates and owns.  The user's own tabs are never touched, and rows
already in the Drafts tab are never changed (the user marks them sent).  In a
workbook the rows are patched into the tab's worksheet part like any other
write of sheetsync's (a new tab is a new part), so nothing else changes.  A
CSV file has no tabs, so its drafts go in a file beside it,
``<stem>.drafts.csv``.

The Message-ID column is the memory: the tab is read once per run, and a
draft whose Message-ID is already there is not added again.  ``save`` only
queues; ``flush`` adds every queued row in one go (one read and one atomic
patch of a workbook, or one ``spreadsheets.batchUpdate``), before the runner
writes the sheet.  Text is always stored as text: no cell can become a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from email.headerregistry import Address
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from lxml import etree

from ..core.dates import date_to_serial
from ..core.drafting import Draft, clean_header
from ..core.grid import Cell, Grid, is_blank, neutralise, row_is_blank
from ..errors import ConfigError, DeliveryError, SheetError
from ..google import GoogleError, access_problem
from ..sheets.base import SheetBackend
from ..sheets.csv_file import CsvSheet
from ..sheets.files import (
    REPLACE_ATTEMPTS,
    FileChanged,
    atomic_target,
    digest_of,
    gave_up,
    lock_file_of,
    snapshot,
)
from ..sheets.google import GoogleSheet, grid_from_data, quote_title
from ..sheets.ooxml import Package, PackageError
from ..sheets.worksheet import ISO_DATE, Worksheet
from ..sheets.xlsx import Book, XlsxSheet, add_hyperlink, add_tab, read_book
from .base import Outbox, Saved

log = logging.getLogger(__name__)

DEFAULT_TAB = "Drafts"
DATE, STATUS, MESSAGE_ID = "Date", "Status", "Message-ID"
GMAIL, MAIL_APP = "Compose in Gmail", "Compose in mail app"
COLUMNS = (
    DATE, STATUS, "To", "Email", "Subject", GMAIL, MAIL_APP, "Body", "Template", MESSAGE_ID,
)  # fmt: skip
#: What a new row's Status says; the user changes it (to "sent", say).
NEW_STATUS = "draft"
GMAIL_COMPOSE = "https://mail.google.com/mail/?"
#: Excel refuses longer hyperlinks; a longer link is made without the body.
MAX_LINK = 2000
#: The text of a link cell in a workbook (the cell's hyperlink holds the URL).
LINK_LABELS = {GMAIL: "Open in Gmail", MAIL_APP: "Open in mail app"}
XLSX_WIDTHS = {DATE: 12, STATUS: 9, "To": 32, "Email": 28, "Subject": 36, "Body": 60}
EXCEL_TITLE_FORBIDDEN = set("\\/?*[]:")

# --- what a row holds (pure) -------------------------------------------------------------


def gmail_link(draft: Draft) -> str:
    """A Gmail compose window with the draft filled in."""
    fields = {"view": "cm", "fs": "1"}
    if draft.to_email:
        fields["to"] = draft.to_email
    fields["su"] = draft.subject

    def url(with_body: bool) -> str:
        query = {**fields, "body": draft.body} if with_body else fields
        return GMAIL_COMPOSE + urlencode(query, safe="@", quote_via=quote)

    return _fitting(url)


def mailto_link(draft: Draft) -> str:
    """A mailto: link (RFC 6068) that opens the mail app's compose window, filled in."""
    to = quote(draft.to_email, safe="@")
    body = draft.body.replace("\r\n", "\n").replace("\n", "\r\n")

    def url(with_body: bool) -> str:
        fields = [("subject", draft.subject)] + ([("body", body)] if with_body else [])
        return f"mailto:{to}?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in fields)

    return _fitting(url)


def _fitting(url: Callable[[bool], str]) -> str:
    # Without the body rather than cut short: the Body column holds all of it.
    full = url(True)
    return full if len(full) <= MAX_LINK else url(False)


def recipient(draft: Draft) -> str:
    """'Ada Lovelace <ada@example.com>', ready to paste into a To field; the name alone
    when the contact has no usable address."""
    name = clean_header(draft.to_name)
    if not draft.to_email:
        return name
    try:
        return str(Address(display_name=name, addr_spec=draft.to_email))
    except (ValueError, IndexError):
        return f"{name} <{draft.to_email}>"


def draft_row(draft: Draft, day: dt.date) -> dict[str, Cell]:
    """The Drafts tab's row for ``draft``, by column."""
    return {
        DATE: day,
        STATUS: NEW_STATUS,
        "To": recipient(draft),
        "Email": draft.to_email,
        "Subject": draft.subject,
        GMAIL: gmail_link(draft),
        MAIL_APP: mailto_link(draft),
        "Body": draft.body.rstrip("\n"),
        "Template": draft.template,
        MESSAGE_ID: draft.message_id,
    }


@dataclass
class TabState:
    """What the one read of the Drafts tab found."""

    exists: bool
    columns: dict[str, int]  # our column -> its 0-based index in the tab
    ids: set[str] = field(default_factory=set)
    next_row: int = 0  # 0-based: the row after the last one in use

    @property
    def needs_header(self) -> bool:
        return self.next_row == 0


def _header_key(value: Cell) -> str:
    return " ".join(str(value).split()).casefold()


def tab_state(grid: Grid | None, where: str) -> TabState:
    """The layout and Message-IDs of a Drafts tab (``None``: there is no such tab)."""
    fresh = {name: i for i, name in enumerate(COLUMNS)}
    if grid is None:
        return TabState(False, fresh)
    used = [i for i, row in enumerate(grid) if not row_is_blank(row)]
    if not used:
        return TabState(True, fresh)
    top = used[0]
    header: dict[str, int] = {}
    for i, value in enumerate(grid[top]):
        if not is_blank(value):
            header.setdefault(_header_key(value), i)
    if _header_key(MESSAGE_ID) not in header:
        raise DeliveryError(
            f"{where} is not a tab sheetsync made: its first row has no '{MESSAGE_ID}' column, "
            "which sheetsync needs so it never adds a draft twice. Rename that tab, or set "
            '[drafts] tab = "..." in sheetsync.toml to a name no tab has yet.'
        )
    columns = {n: header[_header_key(n)] for n in COLUMNS if _header_key(n) in header}
    col = columns[MESSAGE_ID]
    ids = {
        str(row[col]).strip()
        for row in grid[top + 1 :]
        if col < len(row) and not is_blank(row[col])
    }
    return TabState(True, columns, ids, used[-1] + 1)


# --- the outbox --------------------------------------------------------------------------


class _DraftsTab(Outbox):
    """``save`` queues rows; ``flush`` adds them all at once.  Subclasses read and write."""

    def __init__(self, where: str):
        self.where = where
        self._state: TabState | None = None
        self._failure: DeliveryError | None = None
        self._queue: dict[str, dict[str, Cell]] = {}

    def describe(self) -> str:
        return f"{self.where} (one row per draft)"

    def save(self, draft: Draft, *, now: dt.datetime) -> Saved:
        state = self._known()
        if draft.message_id in state.ids or draft.message_id in self._queue:
            return Saved(self.where, False)
        self._queue[draft.message_id] = draft_row(draft, now.date())
        return Saved(self.where, True)

    def flush(self) -> None:
        """Add every queued row; DeliveryError (and none of them added) when that fails."""
        rows, self._queue = list(self._queue.values()), {}
        if not rows:
            return
        added = self._append(rows, self._known())
        self._state = None  # the tab has changed: a later save reads it again
        log.info("added %d drafts to %s", added, self.where)

    def close(self) -> None:
        self._queue.clear()

    def _known(self) -> TabState:
        # One read per run; a failed read fails every draft of the run the same way.
        if self._failure is not None:
            raise self._failure
        if self._state is None:
            try:
                self._state = self._read()
            except DeliveryError as exc:
                self._failure = exc
                raise
        return self._state

    def _read(self) -> TabState:
        raise NotImplementedError

    def _append(self, rows: list[dict[str, Cell]], state: TabState) -> int:
        """Add ``rows`` below the tab's last row; return how many were added."""
        raise NotImplementedError


class XlsxDraftsTab(_DraftsTab):
    """A Drafts tab in the contacts' own .xlsx/.xlsm workbook, patched in like any write:
    a new tab is a new worksheet part, and no other tab's part changes."""

    def __init__(self, sheet: XlsxSheet, tab: str = DEFAULT_TAB):
        super().__init__(f"{sheet.path.name} › {tab}")
        self.sheet, self.tab, self.path = sheet, tab, sheet.path
        self._book: Book | None = None

    def _read(self) -> TabState:
        self._book = self._load()
        return self._state_of(self._book)

    def _load(self) -> Book:
        try:
            snap = snapshot(self.path)
            package = Package(snap.data)
            name = self._existing(package)
            return read_book(self.path, name or self.sheet.tab, snap)
        except (SheetError, PackageError) as exc:
            raise DeliveryError(
                f"Cannot open {self.path.name} to add drafts to its {self.tab} tab ({exc})."
            ) from exc

    def _existing(self, package: Package) -> str | None:
        # Excel tab names are unique whatever their case: never add a second "drafts".
        for t in package.tabs:
            if t.name.casefold() == self.tab.casefold():
                if t.kind != "worksheet":
                    raise DeliveryError(
                        f"{self.path.name} › {t.name} is a {t.kind}, not a tab sheetsync can "
                        'add drafts to; set [drafts] tab = "..." to another name.'
                    )
                return t.name
        return None

    def _state_of(self, book: Book) -> TabState:
        mine = book.tab.name.casefold() == self.tab.casefold()
        return tab_state(book.grid if mine else None, self.where)

    def _check_writable(self) -> None:
        lock = lock_file_of(self.path)
        if lock is not None:
            raise DeliveryError(
                f"{self.path.name} is open in another program (lock file {lock.name}), so the "
                f"drafts were not added to its {self.tab} tab. Close it there and run "
                "sheetsync again."
            )

    def _append(self, rows: list[dict[str, Cell]], state: TabState) -> int:
        self._check_writable()
        for _ in range(REPLACE_ATTEMPTS):
            book, self._book = self._book, None  # about to hold our rows: never reuse it
            if book is None or book.snap.digest != _digest(self.path):
                # changed since it was read (the user, or another run): read the tab again
                book = self._load()
                state = self._state_of(book)
            todo = [r for r in rows if r[MESSAGE_ID] not in state.ids]
            if not todo:
                return 0
            _write_xlsx_rows(book, state, todo, self.tab)
            try:
                with atomic_target(self.path, unchanged=book.snap) as tmp, tmp.open("wb") as out:
                    book.save(out)
            except FileChanged:
                continue
            except (SheetError, PackageError) as exc:
                raise DeliveryError(f"The drafts were not added to {self.where}: {exc}") from exc
            return len(todo)
        raise DeliveryError(
            f"The drafts were not added to {self.where}: {gave_up(self.path, REPLACE_ATTEMPTS)}"
        )


def _digest(path: Path) -> str:
    try:
        return digest_of(path.read_bytes())
    except OSError as exc:
        raise DeliveryError(f"Cannot read {path.name}: {exc.strerror or exc}.") from exc


def _write_xlsx_rows(book: Book, state: TabState, rows: list[dict[str, Cell]], tab: str) -> None:
    if state.exists:
        part = book.tab.part
        ws = book.worksheet()
    else:
        part = add_tab(book, tab)
        ws = book.worksheet(part)
        _lay_out(ws)
    styles = ws.styles
    r = state.next_row
    if state.needs_header:
        bold = styles.derived(None, font=styles.font(bold=True))
        for name, col in state.columns.items():
            ws.set(r, col, _clean(name), style=bold)
        r += 1
    date = styles.derived(None, fmt=styles.format_id(ISO_DATE))
    link = styles.derived(None, font=styles.font(color="0563C1", underline=True))
    for row in rows:
        for name, col in state.columns.items():
            value = row[name]
            if isinstance(value, dt.date):
                ws.set(r, col, value, style=date)
            elif name in LINK_LABELS:
                ws.set(r, col, LINK_LABELS[name], style=link)
                add_hyperlink(book, ws, part, r, col, str(value))
            else:
                ws.set(r, col, _clean(value))
        r += 1
    book.put(part, ws.data())


def _lay_out(ws: Worksheet) -> None:
    """A new Drafts tab: the header row frozen, the long columns wide."""
    views = ws.child("sheetViews")
    view = etree.SubElement(views, ws.q("sheetView"), workbookViewId="0")
    etree.SubElement(
        view, ws.q("pane"), ySplit="1", topLeftCell="A2", activePane="bottomLeft", state="frozen"
    )
    cols = ws.child("cols")
    for name, width in XLSX_WIDTHS.items():
        n = str(COLUMNS.index(name) + 1)
        etree.SubElement(cols, ws.q("col"), min=n, max=n, width=str(width), customWidth="1")


def _clean(text: Cell) -> Cell:
    return str(text) if text else None


class CsvDraftsFile(_DraftsTab):
    """Drafts of a CSV contact list: a CSV file has no tabs, so a file beside it."""

    def __init__(self, contacts: Path):
        self.path = contacts.with_name(f"{contacts.stem}.drafts.csv")
        super().__init__(str(self.path))
        self.contacts = contacts

    def describe(self) -> str:
        return (
            f"{self.path.name} (one row per draft; a CSV file has no tabs, so drafts go in "
            f"this file beside {self.contacts.name})"
        )

    def _read(self) -> TabState:
        return tab_state(self._load()[0], self.where)

    def _load(self) -> tuple[Grid | None, CsvSheet | None]:
        if not self.path.exists():
            return None, None
        reader = CsvSheet(self.path)
        try:
            return reader.read(), reader
        except SheetError as exc:
            raise DeliveryError(f"Cannot read the drafts file {self.path.name}: {exc}") from exc

    def _append(self, rows: list[dict[str, Cell]], state: TabState) -> int:
        lock = lock_file_of(self.path)
        if lock is not None:
            raise DeliveryError(
                f"{self.path.name} is open in another program (lock file {lock.name}), so "
                "the drafts were not added to it. Close it there and run sheetsync again."
            )
        grid, reader = self._load()  # again: another run may have added drafts meanwhile
        state = tab_state(grid, self.where)
        rows = [r for r in rows if r[MESSAGE_ID] not in state.ids]
        if not rows:
            return 0
        if reader is None:  # a new file: UTF-8 with a BOM, so Excel reads it right
            raw, encoding, dialect, newline = b"\xef\xbb\xbf", "utf-8", csv.excel, "\r\n"
        else:
            raw = self.path.read_bytes()
            encoding = "utf-8" if reader.encoding == "utf-8-sig" else reader.encoding
            dialect, newline = reader.dialect, reader.newline
            if raw and not raw.endswith((b"\n", b"\r")):
                raw += newline.encode()
        out = io.StringIO()
        writer = csv.writer(out, dialect, lineterminator=newline)
        width = max(state.columns.values()) + 1
        if state.needs_header:
            writer.writerow(_csv_line({n: n for n in COLUMNS}, state.columns, width))
        writer.writerows(_csv_line(row, state.columns, width) for row in rows)
        try:
            with atomic_target(self.path) as tmp:
                # the rows already there are kept byte for byte
                tmp.write_bytes(raw + out.getvalue().encode(encoding, errors="replace"))
        except SheetError as exc:
            raise DeliveryError(f"The drafts were not added to {self.path.name}: {exc}") from exc
        return len(rows)


def _csv_line(row: dict[str, Cell], columns: dict[str, int], width: int) -> list[str]:
    line = [""] * width
    for name, col in columns.items():
        value = row[name]
        line[col] = value.isoformat() if isinstance(value, dt.date) else neutralise(str(value))
    return line


class _TabMissing(DeliveryError):
    pass


class _Unanswered(Exception):
    """A batch answered with an error: whether it landed is unknown for 5xx, 408, 429."""

    def __init__(self, status: int, message: str, response: Any):
        super().__init__(message)
        self.status, self.message, self.response = status, message, response


class GoogleDraftsTab(_DraftsTab):
    """A Drafts tab in the contacts' Google spreadsheet: one read, one batchUpdate a run."""

    #: Only what the read needs: the tab's id, its grid size and its values.
    FIELDS = (
        "sheets(properties(sheetId,title,gridProperties(rowCount,columnCount)),"
        "data(startRow,startColumn,rowData(values(effectiveValue))))"
    )

    def __init__(self, sheet: GoogleSheet, tab: str = DEFAULT_TAB):
        super().__init__(f"{sheet.title or sheet.key} › {tab}")
        self.sheet, self.tab = sheet, tab
        self._sheet_id: int | None = None
        self._grid_size = (0, 0)

    def _read(self) -> TabState:
        params = {"includeGridData": "true", "ranges": [quote_title(self.tab)]}
        try:
            data = self._call(
                "read",
                self.sheet.client.fetch_sheet_metadata,
                self.sheet.key,
                params={**params, "fields": self.FIELDS},
            )
        except _TabMissing:
            return tab_state(None, self.where)
        sheets = data.get("sheets") or []
        if not sheets:
            return tab_state(None, self.where)
        props = sheets[0].get("properties", {})
        self._sheet_id = props.get("sheetId")
        size = props.get("gridProperties", {})
        self._grid_size = (size.get("rowCount", 0), size.get("columnCount", 0))
        return tab_state(grid_from_data(sheets[0].get("data", [])), self.where)

    def _append(self, rows: list[dict[str, Cell]], state: TabState) -> int:
        """Add ``rows`` with ``appendCells`` (below whatever the tab holds when Google applies
        it, so a row the user typed meanwhile is never overwritten).

        An answer that is not a success leaves it unknown whether the batch landed:
        the tab is read again and only rows whose Message-ID is not there are sent.
        """
        from ..google import RETRY_STATUSES, Backoff, Waits, retry_after

        waits = Waits(getattr(self.sheet.client, "backoff", Backoff()))
        while True:
            missing = [row for row in rows if row[MESSAGE_ID] not in state.ids]
            if not missing:
                return len(rows)
            try:
                self._send(self._requests(missing, state))
                return len(rows)
            except _Unanswered as exc:
                if exc.status not in RETRY_STATUSES or not waits.wait(retry_after(exc.response)):
                    raise DeliveryError(
                        _google_problem(exc.status, exc.message, f"add the drafts to {self.where}")
                    ) from None
                log.warning("adding drafts to %s: answer %s; checking", self.where, exc.status)
            state = self._read()

    def _requests(self, rows: list[dict[str, Cell]], state: TabState) -> list[dict[str, Any]]:
        width = max(state.columns.values()) + 1
        requests: list[dict[str, Any]] = []
        if state.exists and self._sheet_id is not None:
            sheet_id = self._sheet_id
            if width > self._grid_size[1]:
                grow = {"sheetId": sheet_id, "dimension": "COLUMNS", "length": width}
                grow["length"] = width - self._grid_size[1]
                requests.append({"appendDimension": grow})
        else:
            sheet_id = self._new_sheet_id()
            size = {"rowCount": 1000, "columnCount": max(26, width), "frozenRowCount": 1}
            props = {"sheetId": sheet_id, "title": self.tab, "gridProperties": size}
            requests.append({"addSheet": {"properties": props}})
        if state.needs_header:
            header = {n: n for n in COLUMNS}
            requests.extend(_update_cells(sheet_id, 0, [header], state.columns))
            bold = {"textFormat": {"bold": True}}
            requests.append(
                _repeat(sheet_id, (0, 1), (0, width), bold, "userEnteredFormat.textFormat.bold")
            )
        by_col = {col: name for name, col in state.columns.items()}
        appended = [
            {
                "values": [
                    _google_cell(row.get(by_col[c]) if c in by_col else None) for c in range(width)
                ]
            }
            for row in rows
        ]
        fields = "userEnteredValue,userEnteredFormat.numberFormat"
        requests.append({"appendCells": {"sheetId": sheet_id, "rows": appended, "fields": fields}})
        return requests

    def _send(self, requests: list[dict[str, Any]]) -> None:
        from gspread.exceptions import APIError
        from requests import RequestException

        try:
            self.sheet.client.batch_update(self.sheet.key, {"requests": requests})
        except APIError as exc:
            error = GoogleError.from_response(exc.response)
            raise _Unanswered(error.status, error.message, exc.response) from None
        except RequestException:
            raise _Unanswered(503, "no answer", None) from None

    def _new_sheet_id(self) -> int:
        # chosen here so the same batch can fill the new tab; a clash fails the whole batch
        while True:
            candidate = secrets.randbelow(2**31 - 2) + 1
            if candidate != self.sheet.sheet_id:
                return candidate

    def _call(self, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        from gspread.exceptions import APIError
        from requests import RequestException

        where = f"the {self.tab} tab of {self.sheet.title or self.sheet.key}"
        try:
            return fn(*args, **kwargs)
        except APIError as exc:
            error = GoogleError.from_response(exc.response)
            status, message = error.status, error.message
            if status == 400 and "Unable to parse range" in message:  # no such tab (yet)
                raise _TabMissing(message) from exc
            raise DeliveryError(_google_problem(status, message, f"{what} {where}")) from exc
        except RequestException as exc:
            raise DeliveryError(
                f"Cannot reach Google Sheets to {what} {where} ({type(exc).__name__}). Check "
                "the network connection and run again."
            ) from exc


def _google_problem(status: int, message: str, doing: str) -> str:
    if status in (401, 403):
        share = " The account sheetsync uses needs Editor access to the spreadsheet."
        return access_problem(status, message, f"(to {doing})", share)
    if status == 429:
        return (
            f"Google Sheets quota exceeded (429) while trying to {doing}, even after retrying. "
            "Wait a minute and run again."
        )
    if status >= 500:
        return f"Google Sheets had a server error ({status}) while trying to {doing}; run again."
    if status == 400 and "already exists" in message:
        return (
            f"{message} The tab appeared while sheetsync was adding it (another run at the "
            "same time, or an answer lost on the way); run again: a draft already there is "
            "never added twice."
        )
    return f"Google Sheets answered {status} when sheetsync tried to {doing}: {message}"


def _google_cell(value: Cell) -> dict[str, Any]:
    if value is None or value == "":
        return {}
    if isinstance(value, dt.date):
        return {
            "userEnteredValue": {"numberValue": date_to_serial(value)},
            "userEnteredFormat": {"numberFormat": {"type": "DATE", "pattern": "yyyy-mm-dd"}},
        }
    return {"userEnteredValue": {"stringValue": str(value)}}  # text, never a formula


def _update_cells(
    sheet_id: int, first_row: int, rows: list[dict[str, Cell]], columns: dict[str, int]
) -> list[dict[str, Any]]:
    """One updateCells per run of adjacent columns: a column the user added stays as it is."""
    runs: list[list[tuple[str, int]]] = []
    for name, col in sorted(columns.items(), key=lambda item: item[1]):
        if runs and runs[-1][-1][1] == col - 1:
            runs[-1].append((name, col))
        else:
            runs.append([(name, col)])
    return [
        {
            "updateCells": {
                "start": {"sheetId": sheet_id, "rowIndex": first_row, "columnIndex": run[0][1]},
                "rows": [{"values": [_google_cell(row[name]) for name, _ in run]} for row in rows],
                "fields": "userEnteredValue",
            }
        }
        for run in runs
    ]


def _repeat(
    sheet_id: int, rows: tuple[int, int], cols: tuple[int, int], fmt: dict[str, Any], fields: str
) -> dict[str, Any]:
    span = {
        "sheetId": sheet_id,
        "startRowIndex": rows[0],
        "endRowIndex": rows[1],
        "startColumnIndex": cols[0],
        "endColumnIndex": cols[1],
    }
    return {"repeatCell": {"range": span, "cell": {"userEnteredFormat": fmt}, "fields": fields}}


# --- choosing one for the run's sheet ----------------------------------------------------


def open_drafts_tab(sheet: SheetBackend, tab: str = DEFAULT_TAB) -> Outbox:
    """The Drafts tab of the run's own sheet: each backend offers its own."""
    return sheet.drafts_tab(tab.strip() or DEFAULT_TAB)


def google_drafts_tab(sheet: GoogleSheet, tab: str) -> GoogleDraftsTab:
    _check_not_contacts(tab, sheet.tab)
    return GoogleDraftsTab(sheet, tab)


def xlsx_drafts_tab(sheet: XlsxSheet, tab: str) -> XlsxDraftsTab:
    if sheet.output is not None:
        raise ConfigError(
            "--output writes the statuses into a copy and leaves the workbook as it is, "
            f"so there is no workbook to add a {tab} tab to. Leave out --output, or choose "
            'another [drafts] destination ("eml" writes .eml files).'
        )
    _check_not_contacts(tab, sheet.tab)
    bad = sorted(EXCEL_TITLE_FORBIDDEN & set(tab))
    if len(tab) > 31 or bad or tab.startswith("'") or tab.endswith("'"):
        raise ConfigError(
            f"[drafts] tab = {tab!r} cannot name an Excel tab: at most 31 characters, "
            "without \\ / ? * [ ] : or a leading or trailing apostrophe."
        )
    return XlsxDraftsTab(sheet, tab)


def _check_not_contacts(tab: str, contacts_tab: str | None) -> None:
    if contacts_tab is not None and contacts_tab.casefold() == tab.casefold():
        raise ConfigError(
            f"[drafts] tab = {tab!r} is the tab your contacts are in; sheetsync keeps drafts "
            'in a tab of its own. Set [drafts] tab = "Drafts" (or any name no tab has yet).'
        )


__all__ = [
    "COLUMNS",
    "CsvDraftsFile",
    "GoogleDraftsTab",
    "XlsxDraftsTab",
    "draft_row",
    "gmail_link",
    "mailto_link",
    "open_drafts_tab",
    "tab_state",
]
