#!/usr/bin/env python
"""Benchmark three ways of putting sheetsync's statuses into a Google Sheet.

Run from the repository root::

    PYTHONPATH=. python bench/bench_sheets.py [--sizes 100,1000,10000] [--naive-cap 2000]

Everything runs against the local Sheets API emulator of the tests
(``tests/emulator``), over real HTTP on 127.0.0.1; no request goes to Google.
For every size a synthetic contact sheet is built in the emulator (title row,
header on row 3, real dates mostly, a user formula column, text that starts
with "="), and the same status cells are put into a fresh copy of it:

1. ``sheetsync``: ``run()`` with a ``GoogleSheet``, then a second run the same day;
2. ``naive loop``: one gspread ``worksheet.update_cell()`` per status cell, with
   the values sheetsync computed (capped at ``--naive-cap`` cells; the rest is
   extrapolated linearly and marked as such);
3. ``gspread-dataframe``: ``get_as_dataframe()``, six status columns added,
   ``set_with_dataframe()``, with the defaults and with careful options
   (skipped when gspread-dataframe is not installed; it is a bench-only
   dependency: ``pip install gspread-dataframe``).

For each: Sheets API requests (reads and writes, from the emulator's log),
bytes sent and received (request and response bodies), wall time, cells sent
and cells changed, whether every cell outside the six status columns kept its
user-entered value, formula-ness and number format type, and whether the
status cells hold what sheetsync writes.  The emulator's sockets get
TCP_NODELAY at run time (``--emulator-nagle`` leaves them as they are, ~40 ms a
request).  See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# Never look for Google Cloud's metadata server: only the emulator on loopback is reached.
os.environ.setdefault("NO_GCE_CHECK", "true")

import gspread  # noqa: E402
import pandas as pd  # noqa: E402
from google.oauth2.credentials import Credentials  # noqa: E402
from gspread.utils import a1_to_rowcol  # noqa: E402

from sheetsync.app import run  # noqa: E402
from sheetsync.config import Config  # noqa: E402
from sheetsync.core.columns import OWNED_DEFAULTS  # noqa: E402
from sheetsync.core.result import RunResult  # noqa: E402
from sheetsync.google import http_client  # noqa: E402
from sheetsync.outbox import MemoryOutbox  # noqa: E402
from sheetsync.sheets import GoogleSheet  # noqa: E402
from tests.emulator import Cell, CellError, SheetsEmulator, gspread_client  # noqa: E402
from tests.emulator import server as emulator_server  # noqa: E402

TODAY = dt.date(2026, 11, 22)
TAB = "Network"
TOKEN = "bench"
DATE_TYPES = frozenset({"DATE", "DATE_TIME"})

# Google Sheets API default quotas (requests per minute).
PROJECT_READS = PROJECT_WRITES = 300
USER_READS = USER_WRITES = 60
PAYLOAD_ADVICE = 2_000_000  # "we recommend a 2 MB maximum payload"

HEADERS = [
    "Name",
    "Email",
    "Company",
    "Tier",
    "Last contacted",
    "What we talked about",
    "Last met in person",
    "Keep in touch every",
    "Days since (mine)",
]
LAST_COL = "E"  # "Last contacted", read by the user's formula
FORMULA_COL = HEADERS.index("Days since (mine)")

# --------------------------------------------------------------------------------------
# The synthetic sheet
# --------------------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST = _words(
    "Ada Alan Amara Ana Arjun Beatriz Ben Carlos Chen Chloé Dana David Elena Emeka Erik Fatima "
    "Felix Grace Hana Hugo Inès Isaac Jamal Jana João Julia Kai Kenji Lars Leila Lena Liam Lucía "
    "Maya Mei Mohammed Nadia Nina Noah Olga Omar Priya Rafael Rosa Ryan Sam Sara Sofia Tariq "
    "Tom Uma Victor Wei Yara Yusuf Zoë Zainab Pierre Aoife Siobhan"
)
LAST = _words(
    "Abe Adams Ahmed Alvarez Andersen Baker Bauer Becker Brown Campbell Chen Costa Cruz Das "
    "Dubois Eriksen Evans Fischer Garcia Gomez Gupta Hansen Harris Hoffmann Ibrahim Ito Jensen "
    "Johnson Kaur Kim Kowalski Kumar Larsen Lee Lopez Martin Meyer Moreau Müller Nakamura "
    "Nguyen Novak Okafor Olsen Park Patel Perez Petrov Quinn Reyes Ricci Rossi Sanchez Sato "
    "Schmidt Silva Singh Smith Suzuki Tanaka Taylor Thomas Tran Usman Vargas Walker Wang Weber "
    "Williams Wilson Wong Yamamoto Young Zhang Zimmermann O'Brien Murphy Kelly Byrne"
)
COMPANIES = (
    "Acme Corp", "Globex", "Initech", "Umbrella Labs", "Stark Industries", "Hooli", "Pied Piper",
    "Vandelay Industries", "Cyberdyne", "Aperture Science", "Massive Dynamic", "Northwind",
    "Contoso", "Fabrikam", "Tailspin Toys", "University of Somewhere", "City Council",
    "Freelance", "Open Source Collective",
)  # fmt: skip
DOMAINS = ("gmail.com", "outlook.com", "fastmail.com", "proton.me", "example.org")
TOPICS = (
    "Coffee at the conference; she is hiring data engineers",
    "Intro call about their seed round",
    "Caught up about the new job",
    "Talked about the open-source project and a possible talk",
    "Lunch; asked for feedback on my CV",
    "Met at the meetup, interested in sheetsync",
    "Discussed a consulting gig for Q3",
    "Asked for an intro to their CTO",
    "Sent the article we talked about",
    "Hiking trip planning",
)
# Text a user typed that starts with "=": stored as TEXT, never a formula.
EQUALS_TEXT = (
    "=) great chat, follow up in spring",
    "= same as last time",
    "=== intro to their CTO ===",
    "=> wants the slides",
)
CADENCES: tuple[Any, ...] = ("2 weeks", "monthly", "quarterly", "45", 30, "6 weeks", 90)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MESSY: tuple[Callable[[dt.date], str], ...] = (
    lambda d: f"{d.month}/{d.day}/{d.year}",
    lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year}",
    lambda d: f"{MONTHS[d.month - 1]} {d.day}, {d.year}",
)
UNREADABLE = ("last spring", "ask Sam", "?", "around Easter")


@dataclass
class Synthetic:
    rows: list[list[Any]]
    formulas: dict[str, tuple[str, Any]]  # A1 -> (formula text, its value)
    contacts: int
    kinds: Counter[str] = field(default_factory=Counter)


def _date_cell(rng: random.Random, day: dt.date, kinds: Counter[str], p_text: float) -> Any:
    x = rng.random()
    if x < 0.003:
        kinds["unreadable date text"] += 1
        return rng.choice(UNREADABLE)
    if x < 0.04:
        kinds["messy date text"] += 1
        return rng.choice(MESSY)(day)
    if x < 0.04 + p_text:
        kinds["ISO date text"] += 1
        return day.isoformat()
    kinds["real dates"] += 1
    return day


def _formula_value(last: Any) -> Any:
    """What ``=IF(E4="","",TODAY()-E4)`` shows for ``last``, as Sheets computes it."""
    if last is None:
        return ""
    if isinstance(last, dt.date):
        return float((TODAY - last).days)
    try:
        return float((TODAY - dt.date.fromisoformat(last)).days)  # Sheets coerces ISO text
    except ValueError:
        return CellError("VALUE", "Function MINUS parameter 2 expects number values.")


def make_sheet(size: int, seed: int) -> Synthetic:
    """A contact sheet of ``size`` contacts, laid out like a person's own sheet.

    Title row, blank row, header on row 3; last contacted mostly real dates (~12 % ISO
    text, ~4 % messy text, a few unreadable, ~6 % blank); a user formula column; ~1 %
    of the "what" cells are text starting with "="; the odd "N/A" company; the odd
    blank row between groups.  Same seed and size, same sheet.
    """
    rng = random.Random(f"{seed}:{size}")
    kinds: Counter[str] = Counter()
    people = list(range(size))
    rng.shuffle(people)
    rows: list[list[Any]] = [
        [f"People to keep in touch with ({size:,}, synthetic)"],
        [],
        list(HEADERS),
    ]
    formulas: dict[str, tuple[str, Any]] = {}
    for i in people:
        first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
        middle = chr(ord("A") + (i // (len(FIRST) * len(LAST))) % 26)
        name = f"{first} {middle}. {last}"
        email = None
        if rng.random() < 0.94:
            email = f"{first}.{last}.{i}@{rng.choice(DOMAINS)}".lower().replace("'", "")
        c = rng.random()
        company = "N/A" if c < 0.01 else rng.choice(COMPANIES) if c < 0.9 else None
        kinds["'N/A' text"] += company == "N/A"
        t = rng.random()
        tier = "A" if t < 0.15 else "B" if t < 0.5 else "C" if t < 0.9 else None
        if rng.random() < 0.06:
            last_contacted = None
            days = rng.randint(0, 900)
        else:
            days = min(int(rng.expovariate(1 / 75)), 2000)
            last_contacted = _date_cell(rng, TODAY - dt.timedelta(days=days), kinds, 0.12)
        w = rng.random()
        what = rng.choice(EQUALS_TEXT) if w < 0.01 else rng.choice(TOPICS) if w < 0.9 else None
        kinds["text starting with '='"] += w < 0.01
        in_person = None
        if rng.random() < 0.5:
            ip_day = TODAY - dt.timedelta(days=days + int(rng.expovariate(1 / 200)))
            in_person = _date_cell(rng, ip_day, kinds, 0.15)
        cadence = rng.choice(CADENCES) if rng.random() < 0.25 else None
        rows.append([name, email, company, tier, last_contacted, what, in_person, cadence, None])
        r = len(rows)  # 1-based row number of this contact
        formula = f'=IF({LAST_COL}{r}="","",TODAY()-{LAST_COL}{r})'
        formulas[f"{col_letter(FORMULA_COL)}{r}"] = (formula, _formula_value(last_contacted))
        kinds["formulas"] += 1
        if rng.random() < 0.002:
            rows.append([])  # a blank row between groups
            kinds["blank rows"] += 1
    return Synthetic(rows, formulas, size, kinds)


def col_letter(index: int) -> str:
    letters, n = "", index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def add_copy(emu: SheetsEmulator, sheet: Synthetic, label: str) -> str:
    key = emu.add_spreadsheet(
        f"Network ({label})",
        {TAB: sheet.rows, "Notes": [["Goals"], ["Meet more people"]]},
        rows=max(1000, len(sheet.rows)),
    )
    for a1, (text, value) in sheet.formulas.items():
        emu.set_formula(key, TAB, a1, text, value)
    return key


# --------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------

Snapshot = dict[str, dict[tuple[int, int], Cell]]


def snapshot(emu: SheetsEmulator, key: str) -> Snapshot:
    """Every stored cell of every tab (cells are immutable, so this is a cheap copy)."""
    with emu.lock:
        book = emu.spreadsheet(key)
        return {
            s.title: {
                (r, c): cell
                for r, line in enumerate(s.data)
                for c, cell in enumerate(line)
                if cell is not None
            }
            for s in book.sheets
        }


@dataclass
class Traffic:
    reads: int = 0
    writes: int = 0
    sent: int = 0
    received: int = 0
    cells_sent: int = 0
    seconds: float = 0.0  # wall time of the whole approach
    server: float = 0.0  # of which the emulator spent serving (same process, so included)
    largest: int = 0  # the largest request body sent

    def __add__(self, other: Traffic) -> Traffic:
        return Traffic(
            self.reads + other.reads,
            self.writes + other.writes,
            self.sent + other.sent,
            self.received + other.received,
            self.cells_sent + other.cells_sent,
            self.seconds + other.seconds,
            self.server + other.server,
            max(self.largest, other.largest),
        )

    def scaled(self, factor: float) -> Traffic:
        return Traffic(
            round(self.reads * factor),
            round(self.writes * factor),
            round(self.sent * factor),
            round(self.received * factor),
            round(self.cells_sent * factor),
            self.seconds * factor,
            self.server * factor,
            self.largest,
        )


def _cells_in(req: Any) -> int:
    """How many cells a write request carries."""
    body = req.json if isinstance(req.json, dict) else {}
    if "/values" in req.path:
        blocks = body.get("data", [body])
        return sum(len(row) for b in blocks for row in b.get("values", []))
    total = 0
    for item in body.get("requests", []):
        for row in item.get("updateCells", {}).get("rows", []):
            total += len(row.get("values", []))
    return total


@contextmanager
def measured(emu: SheetsEmulator) -> Iterator[Traffic]:
    """Count the Sheets API traffic and wall time of the block (token requests excluded)."""
    emu.reset_log()
    out = Traffic()
    start = time.perf_counter()
    yield out
    out.seconds = time.perf_counter() - start
    for req in emu.requests:
        if req.kind == "read":
            out.reads += 1
        elif req.kind == "write":
            out.writes += 1
            out.cells_sent += _cells_in(req)
        else:
            continue
        out.sent += req.bytes_in
        out.received += req.bytes_out
        out.server += req.elapsed
        out.largest = max(out.largest, req.bytes_in)


def _sig(cell: Cell | None) -> tuple[Any, bool, str | None]:
    if cell is None:
        return (None, False, None)
    return (cell.value, cell.formula, cell.fmt_type)


def _is_date(cell: Cell | None) -> bool:
    return cell is not None and cell.fmt_type in DATE_TYPES and not cell.formula


def _what_happened(before: Cell | None, after: Cell | None) -> str:
    b_val = None if before is None else before.value
    a_val = None if after is None else after.value
    if before is not None and before.formula:
        if after is not None and after.formula:
            return "formulas rewritten"
        return "formulas erased" if a_val is None else "formulas became values"
    if after is not None and after.formula:
        return "text became formulas" if isinstance(b_val, str) else "values became formulas"
    if a_val is None:
        return "cells erased"
    if b_val is None:
        return "empty cells filled"
    if _is_date(before) and not _is_date(after):
        return "dates became text" if isinstance(a_val, str) else "dates lost their format"
    if isinstance(b_val, str) and _is_date(after):
        return "text became dates"
    if isinstance(b_val, str) and not isinstance(a_val, str):
        return "text became numbers"
    if b_val == a_val:
        return "number formats changed"
    return "values changed"


def _header_row(cells: dict[tuple[int, int], Cell]) -> int | None:
    rows = [r for (r, c), cell in cells.items() if c == 0 and cell.value == "Name"]
    return min(rows) + 1 if rows else None


def user_cells_kept(before: Snapshot, after: Snapshot, owned_cols: set[int]) -> str:
    """Whether every cell outside the status columns survived: "yes", or "no: ..." with
    what happened (every tab; compared: user-entered value, formula or not, format type)."""
    found: Counter[str] = Counter()
    for title, cells in before.items():
        new = after.get(title, {})
        owned = owned_cols if title == TAB else set()
        for pos in cells.keys() | new.keys():
            if pos[1] in owned:
                continue
            old_cell, new_cell = cells.get(pos), new.get(pos)
            if _sig(old_cell) != _sig(new_cell):
                found[_what_happened(old_cell, new_cell)] += 1
    parts = [f"{n:,} {what}" for what, n in found.most_common()]
    was, now = _header_row(before[TAB]), _header_row(after[TAB])
    if was != now:
        parts.append(f"header row moved (row {was} -> row {now})")
    names_before = {r: c.value for (r, col), c in before[TAB].items() if col == 0}
    names_after = {r: c.value for (r, col), c in after[TAB].items() if col == 0}
    moved = sum(
        1
        for r, name in names_after.items()
        if r >= (was or 1) and names_before.get(r) != name and name != "Name"
    )
    if moved:
        parts.append(f"{moved:,} rows now hold another row's contact")
    return "yes" if not parts else "no: " + ", ".join(parts)


def _has_value(cell: Cell | None) -> bool:
    return cell is not None and cell.value is not None


def statuses_match(reference: Snapshot, after: Snapshot, positions: set[tuple[int, int]]) -> str:
    """Whether the status cells at ``positions`` that hold a value (in sheetsync's copy or
    this one) hold what sheetsync wrote: the same value, formula-ness and format type."""
    ref, got = reference[TAB], after[TAB]
    valued = {p for p in positions if _has_value(ref.get(p)) or _has_value(got.get(p))}
    diff = [p for p in valued if _sig(ref.get(p)) != _sig(got.get(p))]
    if not diff:
        return "yes"
    return f"no: {len(diff):,} of {len(valued):,} differ"


@dataclass
class Changed:
    values: int  # cells whose user-entered value or formula-ness changed
    formats: int  # cells where only the number format type changed

    def __str__(self) -> str:
        return f"{self.values:,}" + (f" (+{self.formats:,} fmt)" if self.formats else "")


def changed_cells(before: Snapshot, after: Snapshot) -> Changed:
    out = Changed(0, 0)
    for title in before.keys() | after.keys():
        old, new = before.get(title, {}), after.get(title, {})
        for p in old.keys() | new.keys():
            a, b = _sig(old.get(p)), _sig(new.get(p))
            if a[:2] != b[:2]:
                out.values += 1
            elif a != b:
                out.formats += 1
    return out


@dataclass
class Row:
    approach: str
    traffic: Traffic
    changed: Changed | str
    kept: str
    same: str
    note: str = ""


# --------------------------------------------------------------------------------------
# The three approaches
# --------------------------------------------------------------------------------------


def google_sheet(emu: SheetsEmulator, key: str) -> GoogleSheet:
    client = http_client(Credentials(token=TOKEN), endpoint=emu.base_url)
    return GoogleSheet(key, client=client, tab=TAB)


def bench_sheetsync(
    emu: SheetsEmulator, sheet: Synthetic
) -> tuple[list[Row], RunResult, set[int], Snapshot]:
    key = add_copy(emu, sheet, "sheetsync")
    before = snapshot(emu, key)
    with measured(emu) as first:
        result = run(Config(), sheet=google_sheet(emu, key), outbox=MemoryOutbox(), today=TODAY)
    after = snapshot(emu, key)
    header = [after[TAB].get((2, c)) for c in range(40)]
    names = set(OWNED_DEFAULTS.values())
    owned = {c for c, cell in enumerate(header) if cell is not None and cell.value in names}
    kept = user_cells_kept(before, after, owned)
    with measured(emu) as second:
        again = run(Config(), sheet=google_sheet(emu, key), outbox=MemoryOutbox(), today=TODAY)
    final = snapshot(emu, key)
    kept2 = user_cells_kept(before, final, owned)
    rows = [
        Row(
            "sheetsync, first run",
            first,
            changed_cells(before, after),
            kept,
            "(reference)",
            f"{result.contacts:,} contacts, {result.cells_written:,} cells, "
            f"{result.drafts_created} drafts, {len(result.warnings)} warnings",
        ),
        Row(
            "sheetsync, second run",
            second,
            changed_cells(after, final),
            kept2,
            "yes" if str(changed_cells(after, final)) == "0" else "no",
            f"{again.cells_written:,} cells written",
        ),
    ]
    return rows, result, owned, after


def _plain(value: Any) -> Any:
    """A status value as gspread's update_cell takes it (JSON, typed as a user would)."""
    if isinstance(value, dt.date):
        return value.isoformat()  # USER_ENTERED: a real date, as sheetsync writes it
    return "" if value is None else value


def bench_naive(
    emu: SheetsEmulator, sheet: Synthetic, result: RunResult, reference: Snapshot, cap: int
) -> list[Row]:
    key = add_copy(emu, sheet, "naive")
    before = snapshot(emu, key)
    writes = [(*a1_to_rowcol(ch.cell), _plain(ch.new)) for ch in result.changes]
    done = writes[:cap]
    with measured(emu) as setup:
        ws = gspread_client(emu, token=TOKEN).open_by_key(key).worksheet(TAB)
        need_cols = max(c for _, c, _ in writes)
        need_rows = max(r for r, _, _ in writes)
        if ws.col_count < need_cols:
            ws.add_cols(need_cols - ws.col_count)
        if ws.row_count < need_rows:
            ws.add_rows(need_rows - ws.row_count)
    with measured(emu) as loop:
        for r, c, value in done:
            ws.update_cell(r, c, value)
    after = snapshot(emu, key)
    owned = {c - 1 for _, c, _ in writes}
    kept = user_cells_kept(before, after, owned)
    positions = {(r - 1, c - 1) for r, c, _ in done}
    same = statuses_match(reference, after, positions)
    total = setup + loop
    complete = len(done) == len(writes)
    label = "naive update_cell loop" if complete else f"naive loop, measured ({len(done):,} cells)"
    rows = [Row(label, total, changed_cells(before, after), kept, same)]
    if not complete:
        est = setup + loop.scaled(len(writes) / max(len(done), 1))
        rows.append(
            Row(
                f"naive loop, extrapolated ({len(writes):,} cells)",
                est,
                f"~{len(writes):,}",
                "(as measured)",
                "(as measured)",
                "linear extrapolation of the measured loop",
            )
        )
    return rows


def bench_dataframe(
    emu: SheetsEmulator, sheet: Synthetic, reference: Snapshot, owned: set[int], careful: bool
) -> list[Row]:
    from gspread_dataframe import get_as_dataframe, set_with_dataframe

    # The usual round trip, careful about the layout: the header is on row 3, so it is
    # read with header=2 and the frame is written back from row 3.  The careful variant
    # also keeps blank rows (drop_empty_rows=False) and text such as "N/A" that pandas
    # reads as missing (keep_default_na=False, na_values=[""]: only empty cells are NaN).
    options: dict[str, Any] = {"header": 2}
    if careful:
        options.update(drop_empty_rows=False, keep_default_na=False, na_values=[""])
    key = add_copy(emu, sheet, "dataframe")
    before = snapshot(emu, key)
    # The statuses sheetsync wrote, by contact name (names are unique in the synthetic sheet).
    ref = reference[TAB]
    cols = sorted(owned)
    headers = [ref[(2, c)].value for c in cols]
    status_of: dict[Any, list[Any]] = {}
    for (r, c), cell in ref.items():
        if c == 0 and r > 2:
            status_of[cell.value] = [_python(ref.get((r, oc))) for oc in cols]
    blank = [None] * len(cols)
    with measured(emu) as traffic:
        ws = gspread_client(emu, token=TOKEN).open_by_key(key).worksheet(TAB)
        df = get_as_dataframe(ws, **options)
        values = [status_of.get(name, blank) for name in df["Name"]]
        for i, h in enumerate(headers):
            df[h] = [v[i] for v in values]
        set_with_dataframe(ws, df, row=3)
    after = snapshot(emu, key)
    kept = user_cells_kept(before, after, owned)
    positions = {
        p for title in (reference, after) for p in title[TAB] if p[1] in owned and p[0] >= 2
    }
    same = statuses_match(reference, after, positions)
    args = ", ".join(f"{k}={v!r}" for k, v in options.items())
    note = f"get_as_dataframe(ws, {args}); set_with_dataframe(ws, df, row=3)"
    label = "gspread-dataframe, careful" if careful else "gspread-dataframe"
    return [Row(label, traffic, changed_cells(before, after), kept, same, note)]


def _python(cell: Cell | None) -> Any:
    """A stored status cell as the Python value a DataFrame column would hold."""
    if cell is None or cell.value is None:
        return None
    if cell.fmt_type == "DATE" and isinstance(cell.value, float):
        return (dt.datetime(1899, 12, 30) + dt.timedelta(days=cell.value)).date()
    return cell.value


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------


def size_text(n: float) -> str:
    for unit, div in (("MB", 1e6), ("kB", 1e3)):
        if n >= div:
            return f"{n / div:,.1f} {unit}"
    return f"{int(n)} B"


def duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.2f} s"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def quota_time(t: Traffic) -> str:
    """Time one user needs under 60 read and 60 write requests per minute."""
    minutes = max(t.reads / USER_READS, t.writes / USER_WRITES)
    if minutes <= 1:
        return "within 1 min"
    return duration(minutes * 60)


def print_table(rows: list[Row]) -> None:
    head = (
        "approach", "reads", "writes", "sent", "largest", "received", "wall", "emulator",
        "cells sent", "cells changed", "quota time*", "statuses = sheetsync's",
    )  # fmt: skip
    table = [head]
    for row in rows:
        t = row.traffic
        changed = str(row.changed)
        line = (
            row.approach, f"{t.reads:,}", f"{t.writes:,}", size_text(t.sent),
            size_text(t.largest), size_text(t.received), duration(t.seconds),
            duration(t.server), f"{t.cells_sent:,}", changed, quota_time(t), row.same,
        )  # fmt: skip
        table.append(line)
    widths = [max(len(line[i]) for line in table) for i in range(len(head))]
    right = set(range(1, 10))
    for n, line in enumerate(table):
        cells = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(line)
        ]
        print("  " + "  ".join(cells).rstrip())
        if n == 0:
            print("  " + "  ".join("-" * w for w in widths))
    big = [row.approach for row in rows if row.traffic.largest > PAYLOAD_ADVICE]
    if big:
        print(f"  over Google's recommended 2 MB per request: {', '.join(big)}")
    print("  user's cells kept (every cell outside the six status columns, both tabs):")
    for row in rows:
        print(f"    {row.approach}: {row.kept}")
    notes = [row for row in rows if row.note]
    if notes:
        print("  notes:")
        for row in notes:
            print(f"    {row.approach}: {row.note}")


def print_quota(largest: dict[str, Any] | None) -> None:
    per_run_reads, per_run_writes = 2, 1
    user_runs = min(USER_READS / per_run_reads, USER_WRITES / per_run_writes)
    project_runs = min(PROJECT_READS / per_run_reads, PROJECT_WRITES / per_run_writes)
    print()
    print("Quota arithmetic")
    print(
        "  Assumptions: Google's default Sheets API quotas of 300 read and 300 write requests\n"
        "  per minute per project, and 60 read and 60 write requests per minute per user per\n"
        "  project; one service account counts as one user; a run that changes cells sends at\n"
        "  most 2 reads + 1 write (the figures above), a run that changes nothing sends 1 read;\n"
        "  runs are spread evenly over the minute; token requests are not Sheets requests."
    )
    print(
        f"  One service account (one user): reads bind, {USER_READS} / {per_run_reads} = "
        f"{user_runs:.0f} writing runs a minute = {user_runs * 60:,.0f} sheets an hour "
        f"({USER_READS * 60:,} an hour when nothing changes)."
    )
    print(
        f"  One project, enough users (each user's own OAuth token, or >= "
        f"{PROJECT_READS // USER_READS} service accounts): {PROJECT_READS} / {per_run_reads} = "
        f"{project_runs:.0f} runs a minute = {project_runs * 60:,.0f} sheets an hour "
        f"({PROJECT_READS * 60:,} an hour when nothing changes)."
    )
    if largest:
        writes = largest["writes"]
        print(
            f"  The naive loop for {largest['size']:,} contacts sends {writes:,} write requests: "
            f"{writes / USER_WRITES:,.0f} minutes ({writes / USER_WRITES / 60:.1f} h) of one "
            f"user's write quota for one sheet; {writes / PROJECT_WRITES:,.0f} minutes even if "
            "one user could have the whole project's 300 a minute."
        )
    print(
        "  * quota time in the tables: max(reads / 60, writes / 60) minutes for one user; "
        "'within 1 min' means the run fits in one minute's quota."
    )


def versions() -> str:
    try:
        import gspread_dataframe

        gdf = getattr(gspread_dataframe, "__version__", None) or _dist_version("gspread-dataframe")
    except ImportError:
        gdf = "not installed"
    return (
        f"machine: nproc {os.cpu_count()}, python {platform.python_version()}, "
        f"gspread {gspread.__version__}, pandas {pd.__version__}, gspread-dataframe {gdf}, "
        f"{platform.system()} {platform.machine()}"
    )


def _dist_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


def have_dataframe() -> bool:
    try:
        import gspread_dataframe  # noqa: F401
    except ImportError:
        return False
    return True


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="contact counts, comma separated")
    parser.add_argument(
        "--naive-cap",
        type=int,
        default=2000,
        help="status cells the naive loop writes before extrapolating (default 2000)",
    )
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument(
        "--emulator-nagle",
        action="store_true",
        help="leave Nagle's algorithm on for the emulator's sockets (~40 ms per request)",
    )
    args = parser.parse_args(argv)
    if not args.emulator_nagle:
        # The emulator writes an answer's headers and body separately; with Nagle's
        # algorithm on its sockets and the client's delayed ACKs, every request then
        # waits ~40 ms, an artifact of the loopback set-up that would swamp the figures.
        # TCP_NODELAY is set here, at run time, for this script only.
        emulator_server._Handler.disable_nagle_algorithm = True
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]

    print(versions())
    print(
        "Sheets API emulator (tests/emulator) on 127.0.0.1 over real HTTP; 'sent'/'received' are\n"
        "request/response bodies (the emulator pretty-prints JSON as Google does); requests are\n"
        "counted from the emulator's log, token requests excluded. Scored for "
        f"{TODAY.isoformat()}."
    )
    print(
        "Emulator sockets: "
        + (
            "Nagle on (--emulator-nagle): ~40 ms of delayed-ACK wait per request."
            if args.emulator_nagle
            else "TCP_NODELAY (bench-only), so wall times are client and emulator work;"
            " on Google every request also pays a network round trip."
        )
    )
    dataframe = have_dataframe()
    if not dataframe:
        print(
            "gspread-dataframe is not installed: its column is skipped "
            "(pip install gspread-dataframe; bench-only, not a sheetsync dependency)."
        )
    largest: dict[str, Any] | None = None
    with SheetsEmulator() as emu:
        for size in sizes:
            sheet = make_sheet(size, args.seed)
            kinds = ", ".join(f"{n:,} {k}" for k, n in sorted(sheet.kinds.items()))
            print()
            print(f"== {size:,} contacts ({len(sheet.rows):,} rows; {kinds})")
            rows, result, owned, reference = bench_sheetsync(emu, sheet)
            naive = bench_naive(emu, sheet, result, reference, args.naive_cap)
            rows += naive
            largest = {"size": size, "writes": naive[-1].traffic.writes}
            if dataframe:
                rows += bench_dataframe(emu, sheet, reference, owned, careful=False)
                rows += bench_dataframe(emu, sheet, reference, owned, careful=True)
            print_table(rows)
    print_quota(largest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
