"""``sheetsync import`` and ``sheetsync log``: bringing people in, and recording what happened.

Both call the library (:mod:`sheetsync.sources`, :mod:`sheetsync.core.importing`,
:mod:`sheetsync.core.interactions`) and a sheet backend's ``append`` or
``update_cells``; they only add reading the flags and printing the result.
Both always write into the sheet itself (``output`` is for ``run``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from ..app import analyse, with_sheet_locale
from ..config import Config
from ..core.dates import DateError, serial_to_date
from ..core.grid import a1, display_text, is_blank, value_at
from ..core.identity import sheet_identities
from ..core.importing import Existing, ImportPlan, append_plan, load_ahead, plan_import
from ..core.interactions import Interaction, parse_when, plan_log
from ..core.writeback import Placement, UpdatePlan, first_free_row, place_updates
from ..errors import SheetError
from ..sheets import open_configured_sheet
from ..sheets.base import append, update_cells
from ..sources import read_contacts_file
from .commands import _tell_account, config_with_sheet, find_contact

EXIT_OK, EXIT_USAGE = 0, 2
SHOWN = 25  # names listed in a report before "… and N more"


def _open(args: argparse.Namespace, overrides: dict[str, Any]) -> tuple[Config, Any, Any, dt.date]:
    config = config_with_sheet(args, overrides)
    sheet = open_configured_sheet(replace(config, output=None))
    _tell_account(sheet)
    grid = sheet.read()
    today = args.today or sheet.info().today
    config = with_sheet_locale(config, sheet)
    return config, sheet, analyse(grid, config, today, where=sheet.describe()), today


# --------------------------------------------------------------------------- import


@dataclass
class ImportResult:
    """What an import did (or would do, for --dry-run); ``--json`` prints it."""

    file: str
    format: str
    sheet: str
    dry_run: bool
    read: int
    added: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    left_out: list[dict[str, Any]] = field(default_factory=list)
    unfilled: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def cmd_import(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    from .main import print_json

    parsed = read_contacts_file(args.file, encoding=args.encoding)  # a bad file stops here
    config, sheet, analysis, today = _open(args, overrides)
    grid, colmap = analysis.grid, analysis.colmap
    name_col = colmap.roles["name"]
    existing = [
        Existing(row, _text(value_at(grid, row, name_col)), keys)
        for row, keys in sheet_identities(grid, colmap).items()
    ]
    booked, backlog = load_ahead(analysis.scored, today)
    plan = plan_import(
        parsed.contacts,
        existing,
        roles=set(colmap.roles),
        today=today,
        daily_cap=config.scoring.daily_cap,
        booked=booked,
        backlog=backlog,
    )
    result = ImportResult(
        file=parsed.name,
        format=parsed.kind,
        sheet=sheet.describe(),
        dry_run=args.dry_run,
        read=len(parsed.contacts) + len(parsed.left_out),
        unfilled=plan.unfilled,
        warnings=[*parsed.warnings, *(f"{parsed.name}, {w}" for w in plan.warnings)],
    )
    rows = _append(sheet, plan, config, result) if not args.dry_run else None
    _fill(result, plan, parsed.left_out, rows, first_row=_first_free(analysis))
    if args.json:
        print_json(asdict(result))
    else:
        _render_import(result, config.scoring.daily_cap)
    return EXIT_OK


def _text(value: Any) -> str:
    return "" if is_blank(value) else " ".join(str(value).split())


def _first_free(analysis: Any) -> int:
    return first_free_row(analysis.grid, analysis.colmap)


def _append(sheet: Any, plan: ImportPlan, config: Config, result: ImportResult) -> list[int | None]:
    """Append and return, per addition, the 0-based row it went to (None if skipped)."""
    if not plan.additions:
        return []
    new_rows = append_plan(plan, config.columns, config.status_columns)
    outcome = append(sheet, new_rows)
    result.warnings.extend(outcome.warnings)
    skipped = set(outcome.placement.skipped)
    placed = iter(outcome.placement.appended)
    return [None if r.label in skipped else next(placed, None) for r in new_rows.rows]


def _fill(
    result: ImportResult,
    plan: ImportPlan,
    left_out: list[tuple[int, str]],
    rows: list[int | None] | None,
    *,
    first_row: int,
) -> None:
    late: list[dict[str, Any]] = []
    for i, addition in enumerate(plan.additions):
        row = first_row + i if rows is None else rows[i]
        contact = addition.contact
        if row is None:
            reason = "already in the sheet when writing (added while the import ran)"
            late.append({"line": contact.line, "name": contact.name, "reason": reason})
            continue
        result.added.append(
            {
                "line": contact.line,
                "name": contact.name,
                "email": contact.email or None,
                "row": row + 1,
                "next_followup": addition.follow_up,
            }
        )
    result.skipped = [
        {"line": s.contact.line, "name": s.contact.name, "reason": s.reason} for s in plan.skipped
    ] + late
    result.left_out = [{"line": line, "reason": reason} for line, reason in left_out]


def _render_import(result: ImportResult, cap: int) -> None:
    verb = "Would add" if result.dry_run else "Added"
    print(f"{result.file}: {result.format}, {result.read} record(s).")
    if result.added:
        rows = [a["row"] for a in result.added]
        dates = sorted(a["next_followup"] for a in result.added if a["next_followup"])
        print(
            f"{verb} {len(result.added)} to {result.sheet} (rows {min(rows)} to {max(rows)}); "
            f"first follow-ups planned from {dates[0]} to {dates[-1]}, at most "
            f"{max(1, cap)} a day, most important first."
        )
        if result.dry_run:
            for a in result.added[:SHOWN]:
                print(f"  line {a['line']:>4}  {a['name']}  (first follow-up {a['next_followup']})")
            _more(len(result.added))
    else:
        print(f"Nothing {'would be' if result.dry_run else 'was'} added to {result.sheet}.")
    if result.skipped:
        print(f"Skipped {len(result.skipped)}:")
        for s in result.skipped[:SHOWN]:
            print(f"  line {s['line']:>4}  {s['name']}: {s['reason']}")
        _more(len(result.skipped))
    if result.left_out:
        print(f"Left out {len(result.left_out)} record(s) that are not people to follow up:")
        for s in result.left_out[:SHOWN]:
            print(f"  line {s['line']:>4}: {s['reason']}")
        _more(len(result.left_out))
    if result.unfilled:
        print(f"Not filled in (the sheet has no column for them): {', '.join(result.unfilled)}.")
    for w in result.warnings:
        print(f"warning: {w}")


def _more(count: int) -> None:
    if count > SHOWN:
        print(f"  … and {count - SHOWN} more (--json lists them all)")


# ------------------------------------------------------------------------------ log


def cmd_log(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    from .main import print_json

    config, sheet, analysis, today = _open(args, overrides)
    try:
        when = parse_when(args.date, today=today, day_first=config.day_first)
    except DateError as exc:
        print(f"sheetsync: --date: {exc}", file=sys.stderr)
        return EXIT_USAGE
    label, candidates = find_contact(analysis, args.name)
    if label is None:
        _no_single_contact(args.name, candidates, analysis, sheet.describe())
        return EXIT_USAGE
    rec = analysis.scored.loc[label]
    logged = plan_log(
        analysis.grid,
        analysis.colmap,
        row=int(rec["row"]),
        key=str(rec["key"]),
        name=str(rec["name"]),
        interaction=Interaction(when, args.what, args.in_person),
        day_first=config.day_first,
    )
    if logged.update is None:
        print(f"sheetsync: {logged.problem}", file=sys.stderr)
        return EXIT_USAGE
    plan = UpdatePlan([logged.update], config.columns, config.status_columns)
    if args.dry_run:
        placement = place_updates(analysis.grid, plan, where=sheet.describe())
    else:
        placement = update_cells(sheet, plan).placement
    if placement.skipped:
        raise SheetError(" ".join(placement.warnings))
    changes = _changes(analysis.grid, placement)
    row = (placement.writes[0].row if placement.writes else int(rec["row"])) + 1
    if args.json:
        print_json(
            {
                "sheet": sheet.describe(),
                "name": str(rec["name"]),
                "row": row,
                "dry_run": args.dry_run,
                "changes": changes,
                "notes": logged.notes,
            }
        )
        return EXIT_OK
    verb = "Would log" if args.dry_run else "Logged"
    print(f"{verb} for {rec['name']} (row {row} of {sheet.describe()}):")
    for c in changes:
        print(f"  {c['column']} ({c['cell']}): {c['old'] or '(empty)'} -> {c['new']}")
    if not changes:
        print("  (the sheet already says this; nothing to change)")
    for note in logged.notes:
        print(f"  note: {note}")
    return EXIT_OK


def _changes(grid: Any, placement: Placement) -> list[dict[str, Any]]:
    colmap = placement.colmap
    out = []
    for w in placement.writes:
        header = colmap.headers[w.col] if colmap and w.col < len(colmap.headers) else ""
        old = placement.previous.get((w.row, w.col), value_at(grid, w.row, w.col))
        if isinstance(old, dt.datetime) and old.time() == dt.time():
            old = old.date()
        elif isinstance(w.value, dt.date) and isinstance(old, int | float):
            old = _serial_date(old)  # a Google re-read gives dates as serial numbers
        out.append(
            {
                "cell": a1(w.row, w.col),
                "column": header,
                "old": None if is_blank(old) else display_text(old, 200),
                "new": display_text(w.value, 200),
            }
        )
    return out


def _serial_date(number: float) -> Any:
    try:
        return serial_to_date(number)
    except DateError:
        return number


def _no_single_contact(query: str, candidates: list[str], analysis: Any, where: str) -> None:
    if not candidates:
        print(
            f"sheetsync: no contact named '{query}' in {where}; nothing was logged.",
            file=sys.stderr,
        )
        return
    frame = analysis.scored
    listed = [
        f"{name} (row {int(row) + 1})"
        for name, row in zip(frame["name"], frame["row"], strict=True)
        if name in candidates
    ]
    print(
        f"sheetsync: '{query}' could mean {', '.join(listed)}. Nothing was logged; give more "
        "of the name (or the email).",
        file=sys.stderr,
    )
