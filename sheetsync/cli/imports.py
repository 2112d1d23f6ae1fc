"""``sheetsync import``: add the people of a LinkedIn, Google Contacts or vCard export."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from .common import EXIT_OK, command_parser, common_flags, hand_lock, load, print_json

if TYPE_CHECKING:
    from ..core.result import ImportResult


SHOWN = 25  # names listed in a report before "… and N more"

EXAMPLES = """\
examples:
  sheetsync import Connections.csv --sheet contacts.xlsx --dry-run   # LinkedIn export
  sheetsync import contacts.csv --config sheetsync.toml              # Google Contacts CSV
  sheetsync import contacts.vcf --sheet contacts.csv --json          # vCard (phone, iCloud)"""


def add_parser(sub: Any) -> None:
    text = "Add the people in a LinkedIn, Google Contacts or vCard export to the sheet."
    p = command_parser(sub, "import", text, EXAMPLES)
    common_flags(p)
    p.add_argument("file", help="the export: LinkedIn Connections.csv, Google CSV or .vcf")
    p.add_argument(
        "--dry-run", action="store_true", help="show who would be added and skipped; touch nothing"
    )
    p.add_argument(
        "--encoding", metavar="NAME", help="the file's text encoding if not UTF-8, e.g. cp1252"
    )
    p.add_argument(
        "--daily-cap", metavar="N", type=int, help="most first follow-ups planned per day"
    )
    p.set_defaults(func=cmd_import)


def cmd_import(args: argparse.Namespace) -> int:
    from ..app import import_contacts
    from ..sources import read_contacts_file

    read_contacts_file(args.file, encoding=args.encoding)  # a bad file stops here, unlocked
    config = load(args)
    if args.dry_run:
        result = import_contacts(
            config, args.file, encoding=args.encoding, dry_run=True, today=args.today
        )
    else:
        with hand_lock(config):
            result = import_contacts(config, args.file, encoding=args.encoding, today=args.today)
    if args.json:
        print_json(result.to_dict())
    else:
        _render_import(result, config.scoring.daily_cap)
    return EXIT_OK


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
