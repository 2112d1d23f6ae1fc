"""``sheetsync log``: record an interaction in the contact's own cells."""

from __future__ import annotations

import argparse
from typing import Any

from .common import EXIT_OK, command_parser, common_flags, hand_lock, load, print_json

EXAMPLES = """\
examples:
  sheetsync log "Ada Lovelace" "coffee: her move to Lisbon" --in-person --sheet contacts.xlsx
  sheetsync log ada "call about the seed round" --date 2026-11-20 --config sheetsync.toml
  sheetsync log zoe "sent the intro to Maya" --dry-run --sheet contacts.xlsx"""


def add_parser(sub: Any) -> None:
    text = "Record an interaction: last interaction, what, and last in person."
    p = command_parser(sub, "log", text, EXAMPLES)
    common_flags(p)
    p.add_argument("name", help="the contact's name (or part of it, or their email)")
    p.add_argument("what", help="what happened or what you talked about")
    p.add_argument("--in-person", action="store_true", help="you met in person")
    p.add_argument(
        "--date", metavar="DATE", help="when it happened (default: today), e.g. 2026-11-20"
    )
    p.add_argument("--dry-run", action="store_true", help="show the cells that would change")
    p.set_defaults(func=cmd_log)


def cmd_log(args: argparse.Namespace) -> int:
    from ..app import log_interaction

    config = load(args)
    flags = {"in_person": args.in_person, "when": args.date, "today": args.today}
    if args.dry_run:
        result = log_interaction(config, args.name, args.what, dry_run=True, **flags)
    else:
        with hand_lock(config):
            result = log_interaction(config, args.name, args.what, **flags)
    if args.json:
        print_json(result.to_dict())
        return EXIT_OK
    verb = "Would log" if result.dry_run else "Logged"
    print(f"{verb} for {result.name} (row {result.row} of {result.sheet}):")
    for c in result.changes:
        print(f"  {c['column']} ({c['cell']}): {c['old'] or '(empty)'} -> {c['new']}")
    if not result.changes:
        print("  (the sheet already says this; nothing to change)")
    for note in result.notes:
        print(f"  note: {note}")
    return EXIT_OK
