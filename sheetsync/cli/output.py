"""Rendering results for a person: a table on a terminal, one quiet line under cron.

Tables measure text in terminal cells with ``wcwidth`` (an emoji or a Chinese
character takes two, a combining accent none) and, on a terminal, fit its
width by narrowing the widest columns.  Colour follows the NO_COLOR and
FORCE_COLOR conventions (no-color.org, force-color.org): NO_COLOR set to
anything wins; else FORCE_COLOR set (other than ``0`` or ``false``) colours
even a pipe; else colour only on a terminal whose TERM is not ``dumb``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sys
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

import wcwidth

from ..core.drafting import Draft
from ..core.result import RowOutcome, RunResult

COLOURS = {
    "new": "36",
    "overdue": "33",
    "lapsed": "31",
    "check data": "35",
    "due soon": "34",
    "ok": "32",
    "snoozed": "90",
    "do not contact": "90",
}
STATUS_ORDER = (
    "new",
    "lapsed",
    "overdue",
    "due soon",
    "ok",
    "snoozed",
    "do not contact",
    "check data",
)


#: Control characters a cell from a sheet must not send to a terminal (escape sequences).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def use_colour(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "").lower() not in ("", "0", "false"):
        return True
    return stream.isatty() and os.environ.get("TERM") != "dumb"


def terminal_width(stream: TextIO) -> int | None:
    """The terminal's width in cells (``COLUMNS`` wins), or None when not a terminal."""
    return shutil.get_terminal_size().columns if stream.isatty() else None


def paint(text: str, status: str, colour: bool) -> str:
    code = COLOURS.get(status)
    return f"\x1b[{code}m{text}\x1b[0m" if colour and code else text


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return " ".join(_CONTROL.sub(" ", str(value)).split())


def cells(text: str) -> int:
    """How many terminal cells ``text`` takes."""
    return max(0, wcwidth.width(text))


def _clip(text: str, width: int) -> str:
    if cells(text) <= width:
        return text
    return wcwidth.clip(text, 0, max(0, width - 1)) + "…"


def _pad(text: str, width: int) -> str:
    return text + " " * (width - cells(text))


def table(
    rows: Sequence[Sequence[str]],
    headers: Sequence[str],
    *,
    widths: Sequence[int],
    fit: int | None = None,
    mins: Sequence[int] | None = None,
    optional: Sequence[int] = (),
) -> list[str]:
    """Aligned lines: each column as wide as its widest cell, at most ``widths``.

    With ``fit`` (a terminal's width), the ``optional`` columns are left out, in
    that order, while even the ``mins`` cannot fit; then the widest columns are
    narrowed, down to their ``mins``, until a line fits (text is cut with "…").
    """
    rows = [[_CONTROL.sub(" ", v) for v in r] for r in rows]
    keep = list(range(len(headers)))
    cols = [
        min(w, max([cells(h), *(cells(r[i]) for r in rows)]))
        for i, (h, w) in enumerate(zip(headers, widths, strict=True))
    ]
    if fit is not None:
        floor = [min(c, m) for c, m in zip(cols, mins or [3] * len(cols), strict=True)]

        def needed(columns: list[int], sizes: Sequence[int]) -> int:
            return sum(sizes[i] for i in columns) + 2 * (len(columns) - 1)

        for i in optional:
            if needed(keep, floor) <= fit:
                break
            keep.remove(i)
        while needed(keep, cols) > fit:
            i = max(keep, key=lambda k: cols[k] - floor[k])
            if cols[i] <= floor[i]:
                break
            cols[i] -= 1

    def line(cells_: Sequence[str]) -> str:
        return "  ".join(_pad(_clip(cells_[i], cols[i]), cols[i]) for i in keep).rstrip()

    return [line(headers), *(line(r) for r in rows)]


def status_counts(rows: Iterable[RowOutcome]) -> str:
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    return ", ".join(f"{counts[s]} {s}" for s in STATUS_ORDER if s in counts)


def queue_lines(
    rows: Sequence[RowOutcome], colour: bool, *, show_all: bool = False, fit: int | None = None
) -> list[str]:
    picked = [
        r
        for r in rows
        if show_all
        or r.action
        or r.status in ("new", "overdue", "lapsed", "due soon", "check data")
    ]
    body = []
    for i, r in enumerate(picked, start=1):
        action = r.action + (f": {r.subject}" if r.subject else "")
        body.append(
            [
                str(i),
                str(r.row),
                r.name,
                r.status,
                _cell(r.score),
                _cell(r.days_since),
                _cell(r.next_followup),
                r.tier,
                action or r.note,
            ]
        )
    lines = table(
        body,
        ["#", "Row", "Name", "Status", "Score", "Days", "Next", "Tier", "Action / note"],
        widths=[4, 5, 24, 14, 6, 5, 10, 4, 70],
        fit=fit,
        mins=[3, 3, 10, 10, 5, 4, 10, 4, 12],
        optional=[4, 1, 7, 5, 0],  # on a narrow terminal: Score, Row, Tier, Days, # go first
    )
    if colour:
        out = [lines[0]]
        for line, r in zip(lines[1:], picked, strict=True):
            out.append(line.replace(f"  {r.status}", "  " + paint(r.status, r.status, True), 1))
        lines = out
    return lines


def render_run(result: RunResult, out: TextIO = sys.stdout, *, verbose: bool = False) -> None:
    """A run's result: detailed on a terminal, one summary line plus warnings otherwise."""
    created = result.drafts_created
    waiting = result.count("waiting")
    failed = result.count("no draft")
    if result.dry_run:
        head = (
            f"Dry run on {result.sheet} for {result.today}: nothing was written or drafted. "
            f"{result.cells_written} cells would change; "
            f"{result.count('would draft')} drafts would be made"
        )
    else:
        where = f" in {result.written_to}" if result.written_to else ""
        counts = status_counts(result.rows)
        head = (
            f"{result.sheet}: {result.contacts} contacts{f' ({counts})' if counts else ''}; "
            f"{result.cells_written} cells written{where}; {created} drafts made"
        )
        if result.destination and created:
            head += f" in {result.destination}"
        if result.count("draft exists"):
            head += f"; {result.count('draft exists')} already there"
    head += f"; {waiting} waiting (daily cap)" if waiting else ""
    head += f"; {failed} could not be drafted" if failed else ""
    checks = [r for r in result.rows if r.status == "check data"]
    head += f"; {len(checks)} rows to check" if checks else ""
    if not out.isatty() and not verbose:
        print(f"sheetsync: {head}.", file=out)
        for w in result.warnings:
            print(f"sheetsync: warning: {w}", file=out)
        for r in checks:
            print(f"sheetsync: check row {r.row} ({r.name or 'no name'}): {r.note}", file=out)
        if result.dry_run:
            _print_changes(result, out)
        return
    colour = use_colour(out)
    print(head + ".", file=out)
    print(file=out)
    width = terminal_width(out)
    fit = width - 2 if width else None
    for line in queue_lines(result.rows, colour, show_all=verbose, fit=fit):
        print("  " + line, file=out)
    if result.dry_run:
        print(file=out)
        _print_changes(result, out)
    if result.warnings:
        print("\nWarnings:", file=out)
        for w in result.warnings:
            print(f"  - {w}", file=out)
    for note in result.notes:
        print(f"\nNote: {note}", file=out)
    if result.drafts:
        _print_draft(result.drafts[0], out, made=not result.dry_run, count=len(result.drafts))


def _print_draft(draft: Draft, out: TextIO, *, made: bool, count: int) -> None:
    """One of the run's drafts in full, so a person sees what sheetsync writes."""
    which = "The first draft" if count > 1 else "The draft"
    print(f"\n{which} {'made' if made else 'that would be made'}:", file=out)
    to = f"{draft.to_name} <{draft.to_email}>" if draft.to_email else draft.to_name
    print(f"  To:      {to}\n  Subject: {draft.subject}\n", file=out)
    for line in draft.body.rstrip("\n").split("\n"):
        print(f"  {line}".rstrip(), file=out)


def _print_changes(result: RunResult, out: TextIO) -> None:
    headers = len(result.changes) - result.cells_written
    extra = f", plus {headers} new column headers" if headers > 0 else ""
    print(f"Cells that would change ({result.cells_written}{extra}):", file=out)
    for c in result.changes:
        who = f" ({c.name})" if c.name else ""
        old, new = _cell(c.old) or "(empty)", _cell(c.new) or "(empty)"
        print(f"  {c.cell} {c.column}{who}: {old} -> {new}", file=out)
    drafts = [r for r in result.rows if r.action == "would draft"]
    if drafts:
        print(f"Drafts that would be made ({len(drafts)}):", file=out)
        for r in drafts:
            print(f"  {r.name}: {r.subject} ({r.draft}.eml)", file=out)
