"""A .csv file as a sheet: its encoding, delimiter and line endings are kept.

The file is read once with the csv module (C) and written once; rows that no
write touches are written back as they were read.  The delimiter is the one
that splits the file's first lines into the same number of cells most often,
so a semicolon-separated note in one cell of a comma file changes nothing.

Text that starts like a formula is written with a protective leading ``'``
(a CSV file is re-interpreted by whatever opens it); reading takes that ``'``
off again, so sheetsync sees its own value and writes it only once.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.grid import FORMULA_TRIGGERS, Cell, CellWrite, Grid, neutralise
from ..errors import SheetError
from .base import Placer, SheetBackend, SheetInfo, WriteOutcome
from .files import (
    REPLACE_ATTEMPTS,
    FileChanged,
    Snapshot,
    atomic_target,
    check_not_locked,
    gave_up,
    snapshot,
)

if TYPE_CHECKING:
    from ..outbox.base import Outbox

log = logging.getLogger(__name__)

DELIMITERS = ",;\t|"
#: How many of the first lines decide the delimiter.
SNIFF_LINES = 30


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

    def _rows(self) -> tuple[Snapshot, list[list[str]]]:
        snap = snapshot(self.path)
        text = self._decode(snap.data)
        self.newline = "\r\n" if "\r\n" in text[:65536] else "\n"
        self.dialect = dialect_for(text)
        try:
            return snap, list(csv.reader(io.StringIO(text, newline=""), self.dialect))
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
        return grid_of(self._rows()[1])

    def check_writable(self) -> None:
        """Refuse now, before any draft is made, when the file is open elsewhere."""
        check_not_locked(self.path)
        if self.output is not None:
            check_not_locked(self.output)

    def info(self) -> SheetInfo:
        return SheetInfo(self.describe(), today=dt.date.today(), drafts_tab=True)

    def drafts_tab(self, tab: str) -> Outbox:
        from ..outbox.sheet_tab import CsvDraftsFile

        return CsvDraftsFile(self.output or self.path)

    def commit(self, placer: Placer) -> WriteOutcome:
        """Place on a fresh read and replace the file atomically (again on a new read when
        another program saved it meanwhile); appended rows are padded to the header's width."""
        target = self.output or self.path
        self.check_writable()
        for _ in range(REPLACE_ATTEMPTS):
            snap, rows = self._rows()
            placement = placer(grid_of(rows))
            if not placement.all_writes and target == self.path:
                return WriteOutcome(0, str(target), placement, placement.warnings)
            for w in placement.all_writes:
                _set_csv(rows, w)
            if placement.appended and placement.colmap is not None:
                width = len(rows[placement.colmap.header_row])
                for r in placement.appended:
                    rows[r].extend([""] * (width - len(rows[r])))
            out = io.StringIO()
            csv.writer(out, self.dialect, lineterminator=self.newline).writerows(rows)
            data = out.getvalue().encode(self.encoding, errors="replace")
            try:
                with atomic_target(
                    target, like=self.path, unchanged=snap if target == self.path else None
                ) as tmp:
                    tmp.write_bytes(data)
            except FileChanged:
                log.info("%s changed while it was written; placing again", self.path.name)
                continue
            return WriteOutcome(len(placement.writes), str(target), placement, placement.warnings)
        raise gave_up(self.path, REPLACE_ATTEMPTS)


def grid_of(rows: list[list[str]]) -> Grid:
    """Cells as sheetsync reads them: blank is None, and our protective ``'`` is dropped."""
    return [[_cell(v) for v in row] for row in rows]


def _cell(text: str) -> Cell:
    if not text or text.isspace():
        return None
    # ours: a ' before a formula trigger; a user's '+44 20 7946 0958' quotes its whole text
    if text[0] == "'" and text[1:2] in FORMULA_TRIGGERS and text[-1] != "'":
        return text[1:]
    return text


def dialect_for(text: str) -> type[csv.Dialect]:
    """Excel's CSV rules with the file's own delimiter.

    The delimiter is the one that most of the first lines split into the same
    number of cells (more than one); quoting always follows the standard, so a
    user's apostrophes or ragged rows can never change how cells are read.
    """
    head = text[: 1 << 16].splitlines()[:SNIFF_LINES]
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        dialect = type("Probe", (csv.excel,), {"delimiter": delimiter})
        try:
            widths = [len(row) for row in csv.reader(head, dialect) if row]
        except csv.Error:
            continue
        counts = Counter(w for w in widths if w > 1)
        if not counts:
            continue
        width, lines = counts.most_common(1)[0]
        score = (lines, width)
        if score > best_score:
            best, best_score = delimiter, score
    return type("SheetDialect", (csv.excel,), {"delimiter": best})


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
