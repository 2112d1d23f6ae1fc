"""The ``sheetsync`` command: parse flags, call the library, print the result.

Kept thin and light: heavy libraries (pandas, openpyxl, jinja2) are imported
only inside the commands, so ``sheetsync --help`` starts fast.  Errors are
caught once, here: our own errors print their message on stderr and exit with
their documented code; ``--verbose`` also prints the traceback.

Exit codes: 0 done (row problems are notes, not failures), 1 unexpected error,
2 bad usage, 3 config error, 4 sheet error, 5 template error, 6 draft
destination error, 130 interrupted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from typing import Any

from . import __version__
from .errors import SheetsyncError

EXIT_OK, EXIT_BUG, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

DESCRIPTION = """\
Keeps your networking spreadsheet alive: reads your own contact sheet, scores
how stale each relationship is, writes status columns beside yours, and drafts
follow-up emails. It never sends anything.
"""

#: The module (in this package) that holds each command's ``cmd_<name>`` function;
#: imported only when that command runs, so start-up stays light.
HANDLERS = {
    "run": "commands",
    "status": "commands",
    "preview": "commands",
    "init": "commands",
}

EXAMPLES = {
    "run": """\
examples:
  sheetsync run --sheet contacts.xlsx --dry-run
  sheetsync run --sheet contacts.xlsx --drafts ~/drafts
  sheetsync run --config sheetsync.toml --json > report.json""",
    "status": """\
examples:
  sheetsync status --sheet contacts.xlsx
  sheetsync status --sheet contacts.csv --all --json""",
    "preview": """\
examples:
  sheetsync preview "Ada Lovelace" --sheet contacts.xlsx
  sheetsync preview ada --sheet contacts.xlsx --template reconnect""",
    "init": """\
examples:
  sheetsync init --sheet contacts.xlsx
  sheetsync init --sheet contacts.xlsx --write my-sheetsync.toml --force""",
}


def _common(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("sheet and config")
    g.add_argument("--sheet", metavar="PATH_OR_URL", help="the contact sheet (.xlsx or .csv)")
    g.add_argument("--tab", help="the tab that holds the contacts (default: the first)")
    g.add_argument("--config", metavar="FILE", help="config file (default: ./sheetsync.toml)")
    g.add_argument("--locale", help="how to read ambiguous dates, e.g. en_US (month first), en_GB")
    g.add_argument(
        "--today",
        metavar="YYYY-MM-DD",
        type=_date_arg,
        help="the day to score for (default: today); for reproducible runs",
    )
    o = parser.add_argument_group("output")
    o.add_argument("--json", action="store_true", help="print the result as JSON")
    o.add_argument("-v", "--verbose", action="store_true", help="log details and tracebacks")


def _date_arg(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2026-11-22, got {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sheetsync",
        description=DESCRIPTION,
        epilog="examples:\n  sheetsync run --sheet contacts.xlsx --dry-run\n"
        "  sheetsync status --sheet contacts.xlsx\n  sheetsync init --sheet contacts.xlsx\n\n"
        "Run 'sheetsync COMMAND --help' for a command's options.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"sheetsync {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=EXAMPLES[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        _common(p)
        return p

    p = command("run", "One pass: read the sheet, score, write status columns, draft follow-ups.")
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="show the cells that would change and the drafts that would be made; touch nothing",
    )
    p.add_argument(
        "--output",
        metavar="FILE",
        help="write the statuses into this copy instead of the sheet itself",
    )
    p.add_argument("--drafts", metavar="FOLDER", help="folder for .eml drafts (default: drafts)")
    p.add_argument("--templates", metavar="FOLDER", help="folder of your own .j2 templates")
    p.add_argument("--daily-cap", metavar="N", type=int, help="most drafts per day (default: 5)")

    p = command("status", "Show who to contact first, as a ranked table. Changes nothing.")
    p.add_argument(
        "--all", action="store_true", help="list every contact, not only those to act on"
    )
    p.add_argument("--daily-cap", metavar="N", type=int, help="most drafts per day (default: 5)")

    p = command("preview", "Render one contact's follow-up draft to the terminal. Changes nothing.")
    p.add_argument("name", help="the contact's name (or part of it, or their email)")
    p.add_argument("--template", help="render this template instead of the one sheetsync picks")
    p.add_argument("--templates", metavar="FOLDER", help="folder of your own .j2 templates")

    p = command("init", "Inspect a sheet's headers and write a commented sheetsync.toml.")
    p.add_argument(
        "--write",
        metavar="FILE",
        default="sheetsync.toml",
        help="where to write the config (default: sheetsync.toml)",
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing config file")
    return parser


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "sheet": args.sheet,
        "tab": args.tab,
        "locale": args.locale,
        "output": getattr(args, "output", None),
        "drafts_folder": getattr(args, "drafts", None),
        "templates_dir": getattr(args, "templates", None),
        "daily_cap": getattr(args, "daily_cap", None),
    }


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup_logging(args.verbose)
    try:
        import importlib

        module = importlib.import_module(f".{HANDLERS[args.command]}", __package__)
        return int(getattr(module, f"cmd_{args.command}")(args, _overrides(args)))
    except SheetsyncError as exc:
        if args.verbose:
            traceback.print_exc()
        print(f"sheetsync: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("sheetsync: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception:
        traceback.print_exc()
        print(
            "sheetsync: unexpected error (a bug); please report it with the traceback above.",
            file=sys.stderr,
        )
        return EXIT_BUG


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


if __name__ == "__main__":
    sys.exit(main())
