"""``sheetsync status``: who to contact first, as a ranked table.  Changes nothing."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .common import EXIT_OK, command_parser, common_flags, load, print_json

EXAMPLES = """\
examples:
  sheetsync status --sheet contacts.xlsx
  sheetsync status --sheet contacts.csv --all --json"""


def add_parser(sub: Any) -> None:
    text = "Show who to contact first, as a ranked table. Changes nothing."
    p = command_parser(sub, "status", text, EXAMPLES)
    common_flags(p)
    p.add_argument(
        "--all", action="store_true", help="list every contact, not only those to act on"
    )
    p.add_argument("--daily-cap", metavar="N", type=int, help="most drafts per day (default: 5)")
    p.set_defaults(func=cmd_status)


def cmd_status(args: argparse.Namespace) -> int:
    from ..app import open_and_analyse, status_rows
    from ..core.result import RunResult
    from .output import queue_lines, terminal_width, use_colour

    opened = open_and_analyse(load(args), today=args.today)
    rows = status_rows(opened)
    analysis, where = opened.analysis, opened.sheet.describe()
    if args.json:
        result = RunResult(
            sheet=where, today=opened.today, dry_run=True, rows=rows, warnings=analysis.warnings
        )
        data = result.to_dict()
        print_json(
            {k: data[k] for k in ("sheet", "today", "contacts", "statuses", "rows", "warnings")}
        )
        return EXIT_OK
    print(
        f"{where} on {opened.today}: {len(rows)} contacts; {len(analysis.to_draft)} to draft "
        f"today, {len(analysis.waiting)} waiting (daily cap {opened.config.scoring.daily_cap})."
    )
    width = terminal_width(sys.stdout)
    fit = width - 2 if width else None
    for line in queue_lines(rows, use_colour(sys.stdout), show_all=args.all, fit=fit):
        print("  " + line)
    for w in analysis.warnings:
        print(f"warning: {w}")
    for note in analysis.notes:
        print(f"note: {note}")
    return EXIT_OK
