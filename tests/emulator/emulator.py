"""``SheetsEmulator``: a local Google Sheets API v4 for tests, driven from Python.

The tests play both sides: sheetsync (through gspread, over real HTTP) and the
user, who edits the spreadsheet between a run's read and its write
(``before`` hooks and the user-edit helpers below), and the service, which
fails, drops connections or runs out of quota (the fault rules).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from . import structure, values
from .auth import TokenInfo, Tokens
from .formats import formatted, formula_cell, python_cell, python_value
from .gmail import install_gmail
from .model import (
    Cell,
    Sheet,
    Spreadsheet,
    Store,
    bounds,
    new_spreadsheet_id,
    parse_a1,
    parse_range,
)
from .server import Core, EmuRequest, Handler, Predicate, Rule

SPREADSHEET = r"^/v4/spreadsheets/([^/:]+)"


def reads_grid(req: EmuRequest) -> bool:
    """A ``spreadsheets.get`` that answers cells (grid data), as sheetsync reads a tab."""
    if req.method != "GET" or not re.fullmatch(SPREADSHEET + "$", req.path):
        return False
    fields = (req.param("fields") or "").replace("/", "(")
    return req.param("includeGridData") == "true" or "data(" in fields


def grid_read(after: int = 1) -> Predicate:
    """Matches grid reads after the first ``after`` of them (1: every re-read of a run)."""
    seen = [0]

    def matches(req: EmuRequest) -> bool:
        if not reads_grid(req):
            return False
        seen[0] += 1
        return seen[0] > after

    return matches


class SheetsEmulator:
    """A Google Sheets API v4 on 127.0.0.1; use as a context manager.

    >>> with SheetsEmulator() as emu:
    ...     key = emu.add_spreadsheet("Contacts", {"Sheet1": [["Name"], ["Ada"]]})

    Sheets are named by title (``None`` means the first sheet); rows and
    columns in the helpers are 1-based, as in the UI.
    """

    def __init__(self) -> None:
        self.store = Store()
        self.lock = self.store.lock  # the model's lock; helpers take it themselves
        self.auth = Tokens()
        self.core = Core(self)
        self.core.identify = self.auth.identify
        self.base_url = ""
        self._routes()
        self.gmail = install_gmail(self)  # Gmail API drafts, see gmail.py

    def _routes(self) -> None:
        s, add = self.store, self.core.route
        add("POST", r"^/(?:oauth2/v4/)?token$", self.auth.handle, auth=False)
        add("GET", SPREADSHEET + r"$", functools.partial(structure.get_spreadsheet, s))
        add("POST", SPREADSHEET + r":batchUpdate$", functools.partial(structure.batch_update, s))
        add("GET", SPREADSHEET + r"/values:batchGet$", functools.partial(values.batch_get, s))
        add("POST", SPREADSHEET + r"/values:batchUpdate$",
            functools.partial(values.batch_update, s))  # fmt: skip
        add("POST", SPREADSHEET + r"/values:batchClear$", functools.partial(values.batch_clear, s))
        add("POST", SPREADSHEET + r"/values/(.+):clear$", functools.partial(values.clear, s))
        add("GET", SPREADSHEET + r"/values/(.+)$", functools.partial(values.get_values, s))
        add("PUT", SPREADSHEET + r"/values/(.+)$", functools.partial(values.update, s))

    # ------------------------------------------------------------ lifecycle
    def start(self) -> SheetsEmulator:
        if not self.base_url:
            self.base_url = self.core.start()
        return self

    def stop(self) -> None:
        self.core.stop()

    def __enter__(self) -> SheetsEmulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        if exc_type is None and self.errors:
            raise AssertionError("the emulator failed while serving:\n" + "\n".join(self.errors))

    def route(self, method: str, pattern: str, handler: Handler, auth: bool = True) -> None:
        """Serve another API: ``handler(req, *groups) -> (status, json_body)``.

        ``pattern`` is a regex searched in the percent-decoded path (e.g.
        ``r"^/gmail/v1/users/([^/]+)/drafts$"``); raise ``ApiError`` for error
        answers.  Later routes win over earlier ones; ``auth`` requires a bearer
        token (``req.identity`` is then set when the token is known).
        """
        self.core.route(method, pattern, handler, auth)

    # --------------------------------------------------------- spreadsheets
    def add_spreadsheet(
        self,
        title: str = "Untitled spreadsheet",
        sheets: Mapping[str, Sequence[Sequence[Any]]] | None = None,
        *,
        locale: str = "en_US",
        time_zone: str = "Etc/GMT",
        rows: int = 1000,
        cols: int = 26,
        spreadsheet_id: str | None = None,
        shared_with: Iterable[str] | None = None,
    ) -> str:
        """Create a spreadsheet and return its id.

        ``sheets`` maps titles to rows of Python values (see ``set_value``); the
        grid is ``rows`` x ``cols``, grown to fit the data.  With ``shared_with``,
        only tokens whose identity is listed may use it (others get 403).
        """
        key = spreadsheet_id or new_spreadsheet_id()
        book = Spreadsheet(key, title, locale, time_zone)
        book.shared_with = set(shared_with) if shared_with is not None else None
        for i, (name, data) in enumerate((sheets or {"Sheet1": []}).items()):
            book.sheets.append(_sheet(i, name, data, rows, cols))
        with self.lock:
            if key in self.store.books:
                raise ValueError(f"spreadsheet {key!r} exists")
            self.store.books[key] = book
        return key

    def add_sheet(
        self,
        key: str,
        title: str,
        data: Sequence[Sequence[Any]] = (),
        rows: int = 1000,
        cols: int = 26,
    ) -> int:
        """Add a sheet (a tab) at the end; returns its sheetId."""
        with self.lock:
            book = self.store.book(key)
            if book.sheet_by_title(title) is not None:
                raise ValueError(f"sheet {title!r} exists")
            sheet = _sheet(book.new_sheet_id(), title, data, rows, cols)
            book.sheets.append(sheet)
            return sheet.sheet_id

    def spreadsheet(self, key: str) -> Spreadsheet:
        """The live model object (hold ``emu.lock`` while reading it from a test)."""
        return self.store.book(key)

    def sheet_titles(self, key: str) -> list[str]:
        with self.lock:
            return [s.title for s in self.store.book(key).sheets]

    def grid_size(self, key: str, sheet: str | None = None) -> tuple[int, int]:
        """(rowCount, columnCount)."""
        with self.lock:
            found = self._sheet(key, sheet)
            return found.row_count, found.col_count

    def cells(self, key: str, sheet: str | None = None) -> list[list[Any]]:
        """The stored grid as Python values, trailing empties trimmed.

        Text is ``str``, numbers ``float``, booleans ``bool``, DATE cells
        ``datetime.date``, DATE_TIME cells ``datetime.datetime``, formulas
        ``Formula`` (their text), empty cells ``None``.
        """
        with self.lock:
            return _trim([[python_value(c) for c in line] for line in self._sheet(key, sheet).data])

    def displayed(self, key: str, sheet: str | None = None) -> list[list[str]]:
        """What the user sees: every cell as its formatted text ("" when empty), trimmed."""
        with self.lock:
            book = self.store.book(key)
            data = self._sheet(key, sheet).data
            grid = [[formatted(c, book.locale) if c else "" for c in line] for line in data]
        return _trim(grid, empty="")

    def cell(self, key: str, sheet: str | None, a1: str) -> Cell | None:
        """The stored cell at ``a1`` (value, formula, effective value, format), or None."""
        with self.lock:
            row, col = _cell_ref(a1)
            return self._sheet(key, sheet).get(row, col)

    # ------------------------------------------------------- the user's edits
    def set_value(self, key: str, sheet: str | None, a1: str, value: Any) -> None:
        """Store a Python value as a user would: str is text (even "=..."), ``Formula``
        a formula, int/float a number, bool a boolean, date/datetime a DATE/DATE_TIME
        serial, None clears.  A value without its own format keeps the cell's format."""
        with self.lock:
            row, col = _cell_ref(a1)
            found = self._sheet(key, sheet)
            found.put(row, col, values.merged(found.get(row, col), python_cell(value)))

    def rename_header(self, key: str, sheet: str | None, old: str, new: str) -> None:
        """Rename the row-1 header cell reading ``old`` to ``new``; KeyError when absent."""
        with self.lock:
            header = self._sheet(key, sheet).data[:1] or [[]]
            for col, found in enumerate(header[0]):
                if found is not None and found.value == old:
                    self._sheet(key, sheet).put(0, col, Cell(new, False, None, found.fmt_type,
                                                             found.pattern))  # fmt: skip
                    return
        raise KeyError(f"no header {old!r}")

    def set_formula(
        self, key: str, sheet: str | None, a1: str, formula: str, value: Any = None
    ) -> None:
        """Store a formula.  Plain arithmetic (``=4/2``) is computed; for any other
        formula ``value`` (a Python value, a ``CellError``, or None for unknown) is
        its result."""
        with self.lock:
            row, col = _cell_ref(a1)
            found = self._sheet(key, sheet)
            found.put(row, col, values.merged(found.get(row, col), formula_cell(formula, value)))

    def set_format(
        self, key: str, sheet: str | None, a1: str, fmt_type: str | None, pattern: str | None = None
    ) -> None:
        """Set the number format (type DATE/DATE_TIME/NUMBER/TEXT/..., pattern) on a
        cell or range (``D2``, ``D2:D``); ``fmt_type=None`` removes it."""
        with self.lock:
            found = self._sheet(key, sheet)
            ref = parse_range(a1)
            r0, c0, r1, c1 = bounds(ref, found)
            for r in range(r0, min(r1, found.row_count)):
                for c in range(c0, min(c1, found.col_count)):
                    old = found.get(r, c) or Cell()
                    found.put(r, c, Cell(old.value, old.formula, old.effective, fmt_type,
                                         pattern if fmt_type else None))  # fmt: skip

    def insert_rows(
        self,
        key: str,
        sheet: str | None,
        at: int,
        count: int = 1,
        values: Sequence[Sequence[Any]] | None = None,
    ) -> None:
        """Insert ``count`` rows before row ``at`` (1-based; the grid grows), filled with
        ``values`` (rows of Python values) when given."""
        with self.lock:
            found = self._sheet(key, sheet)
            found.insert_rows(at - 1, count)
            for i, line in enumerate((values or [])[:count]):
                for j, value in enumerate(line):
                    found.put(at - 1 + i, j, python_cell(value))

    def delete_rows(self, key: str, sheet: str | None, at: int, count: int = 1) -> None:
        """Delete ``count`` rows from row ``at`` (1-based; the grid shrinks)."""
        with self.lock:
            self._sheet(key, sheet).delete_rows(at - 1, count)

    def insert_cols(self, key: str, sheet: str | None, at: int, count: int = 1) -> None:
        """Insert ``count`` empty columns before column ``at`` (1-based: A is 1)."""
        with self.lock:
            self._sheet(key, sheet).insert_cols(at - 1, count)

    def delete_cols(self, key: str, sheet: str | None, at: int, count: int = 1) -> None:
        with self.lock:
            self._sheet(key, sheet).delete_cols(at - 1, count)

    def sort_rows(
        self,
        key: str,
        sheet: str | None,
        first_row: int,
        key_fn: Callable[[list[Any]], Any],
        reverse: bool = False,
    ) -> None:
        """Sort the rows from ``first_row`` (1-based, 2 keeps a header) to the last one with
        data, by ``key_fn(row values as in cells())``; empty rows go last, as in the UI."""
        with self.lock:
            found = self._sheet(key, sheet)
            start = first_row - 1
            lines = found.data[start:]
            full: list[list[Cell | None]] = []
            empty: list[list[Cell | None]] = []
            for ln in lines:
                has_value = any(c is not None and c.value is not None for c in ln)
                (full if has_value else empty).append(ln)
            full.sort(key=lambda ln: key_fn([python_value(c) for c in ln]), reverse=reverse)
            found.data[start:] = full + empty

    def rename_sheet(self, key: str, old: str, new: str) -> None:
        with self.lock:
            found = self._sheet(key, old)
            if self.store.book(key).sheet_by_title(new) is not None:
                raise ValueError(f"sheet {new!r} exists")
            found.title = new

    # ----------------------------------------------------------------- access
    def deny(self, key: str) -> None:
        """Every request for this spreadsheet answers 403 PERMISSION_DENIED."""
        with self.lock:
            self.store.book(key).denied = True

    def allow(self, key: str) -> None:
        with self.lock:
            self.store.book(key).denied = False

    def share(self, key: str, *identities: str) -> None:
        """Restrict the spreadsheet to tokens of these identities (adds to the list)."""
        with self.lock:
            book = self.store.book(key)
            book.shared_with = (book.shared_with or set()) | set(identities)

    def register_token(self, token: str, identity: str | None, scope: str | None = None) -> None:
        """Give a static bearer token (``test-token``) an identity and, optionally, its
        space-separated scopes (None: unknown, so every scope check passes)."""
        with self.auth.lock:
            self.auth.known[token] = TokenInfo(token=token, identity=identity, scope=scope)

    def gmail_drafts(self, user: str = "me") -> list[EmailMessage]:
        """The messages in ``user``'s Gmail drafts, oldest first (``emu.gmail`` has more)."""
        return self.gmail.drafts(user)

    def revoke_token(self, token: str) -> None:
        """Requests with this access token get 401; a refresh token stops refreshing."""
        with self.auth.lock:
            self.auth.revoked.add(token)

    def add_user(self, refresh_token: str, email: str) -> None:
        """The identity of tokens obtained with this refresh token."""
        with self.auth.lock:
            self.auth.users[refresh_token] = email

    @property
    def tokens(self) -> list[TokenInfo]:
        """Access tokens issued by ``/token``, oldest first."""
        with self.auth.lock:
            return list(self.auth.issued)

    # ----------------------------------------------------------------- faults
    def fail_next(
        self,
        status: int = 429,
        times: int = 1,
        when: Predicate | None = None,
        message: str | None = None,
        retry_after: int | None = None,
    ) -> Rule:
        """The next ``times`` matching requests answer ``status`` (429 with the quota body,
        500 INTERNAL, 503 UNAVAILABLE...) and are not applied.  ``retry_after`` adds a
        ``Retry-After`` header (seconds)."""
        rule = Rule("fail", times, when, status=status, message=message, retry_after=retry_after)
        return self.core.add_rule(rule)

    def apply_then_fail(
        self,
        status: int = 500,
        times: int = 1,
        when: Predicate | None = None,
        retry_after: int | None = None,
    ) -> Rule:
        """Apply the next matching requests, then answer ``status`` anyway (a 5xx, 408 or
        429 whose change landed: the caller cannot know)."""
        rule = Rule("apply_then_fail", times, when, status=status, retry_after=retry_after)
        return self.core.add_rule(rule)

    def drop_next(self, times: int = 1, when: Predicate | None = None) -> Rule:
        """Close the connection of the next matching requests without applying or answering."""
        return self.core.add_rule(Rule("drop", times, when))

    def drop_after_apply(self, times: int = 1, when: Predicate | None = None) -> Rule:
        """Apply the next matching requests, then close the connection: the answer is lost."""
        return self.core.add_rule(Rule("drop_after_apply", times, when))

    def delay_next(self, seconds: float, times: int = 1, when: Predicate | None = None) -> Rule:
        """Wait ``seconds`` before serving the next matching requests."""
        return self.core.add_rule(Rule("delay", times, when, seconds=seconds))

    def before(
        self, when: Predicate | None, fn: Callable[[SheetsEmulator], None], times: int = 1
    ) -> Rule:
        """Run ``fn(emu)`` just before serving the next matching request (``times`` of them)."""
        return self.core.add_rule(Rule("before", times, when, fn=fn))

    def clear_faults(self) -> None:
        with self.core.lock:
            self.core.rules.clear()

    # -------------------------------------------------------------------- log
    @property
    def requests(self) -> list[EmuRequest]:
        """Every request so far (a copy of the log): method, path, query, json, status,
        bytes_in, bytes_out, fault, identity, kind ("read"/"write"/"token"/"other")."""
        with self.core.lock:
            return list(self.core.log)

    def reset_log(self) -> None:
        with self.core.lock:
            self.core.log.clear()

    @property
    def errors(self) -> list[str]:
        """Tracebacks of emulator bugs (answered as 500); ``__exit__`` raises if any."""
        with self.core.lock:
            return list(self.core.errors)

    # ---------------------------------------------------------------- helpers
    def _sheet(self, key: str, title: str | None) -> Sheet:
        book = self.store.book(key)
        if title is None:
            return book.sheets[0]
        found = book.sheet_by_title(title)
        if found is None:
            raise KeyError(f"no sheet {title!r} in {key!r}")
        return found


def _sheet(sheet_id: int, title: str, data: Sequence[Sequence[Any]], rows: int, cols: int) -> Sheet:
    width = max((len(line) for line in data), default=0)
    sheet = Sheet(sheet_id, title, max(rows, len(data)), max(cols, width))
    for r, line in enumerate(data):
        for c, value in enumerate(line):
            sheet.put(r, c, python_cell(value))
    return sheet


def _cell_ref(a1: str) -> tuple[int, int]:
    ref = parse_a1(a1)
    if ref is None or not ref.single:
        raise ValueError(f"not a cell reference: {a1!r}")
    return ref.start_row, ref.start_col


def _trim(grid: list[list[Any]], empty: Any = None) -> list[list[Any]]:
    out = []
    for line in grid:
        end = len(line)
        while end and line[end - 1] == empty:
            end -= 1
        out.append(line[:end])
    while out and not out[-1]:
        out.pop()
    return out
