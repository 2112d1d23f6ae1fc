"""The ``sheetsync`` command: parse flags, call the library, print the result.

Kept thin and light: heavy libraries (pandas, openpyxl, jinja2) are imported
only inside the commands, so ``sheetsync --help`` starts fast.  Errors are
caught once, here: our own errors print their message on stderr and exit with
their documented code; ``--verbose`` also prints the traceback.

Exit codes: 0 done (row problems are notes, not failures), 1 unexpected error,
2 bad usage (including a file to import that cannot be read), 3 config error,
4 sheet error, 5 template error, 6 draft destination error, 130 interrupted.
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

from .. import __version__
from ..errors import SheetsyncError

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
# -- running unattended: `run` goes through commands_unattended first (the sheet's lock,
# --log-format, --manifest), which hands a plain run to commands.cmd_run unchanged.
HANDLERS.update(
    run="commands_unattended", schedule="commands_unattended", cron="commands_unattended"
)
# -- bringing contacts in and recording what happened: `import` and `log`
HANDLERS.update({"import": "commands_contacts", "log": "commands_contacts"})

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
# -- running unattended --
EXAMPLES["run"] += """
  sheetsync run --config sheetsync.toml --log-format json   # log lines, for cron
  sheetsync run --manifest sheets.toml --jobs 8             # many sheets, 8 at a time"""
EXAMPLES.update(
    schedule="""\
examples:
  sheetsync schedule --config sheetsync.toml                  # [schedule] times, default 08:00
  sheetsync schedule --sheet contacts.xlsx --at 08:00 --at 17:30 --timezone Europe/Paris
  sheetsync schedule --config sheetsync.toml --every "6 hours" --log-format json
  sheetsync schedule --config sheetsync.toml --once           # one pass, then exit""",
    cron="""\
examples:
  sheetsync cron --config sheetsync.toml                      # print the crontab line
  sheetsync cron --config sheetsync.toml --install            # add it to your crontab
  sheetsync cron --config sheetsync.toml --remove             # take it out again
  sheetsync cron --config sheetsync.toml --at 07:30 --days weekdays --log-file ~/sheetsync.log""",
)
# -- import and log --
EXAMPLES.update(
    {
        "import": """\
examples:
  sheetsync import Connections.csv --sheet contacts.xlsx --dry-run   # LinkedIn export
  sheetsync import contacts.csv --config sheetsync.toml              # Google Contacts CSV
  sheetsync import contacts.vcf --sheet contacts.csv --json          # vCard (phone, iCloud)""",
        "log": """\
examples:
  sheetsync log "Ada Lovelace" "coffee: her move to Lisbon" --in-person --sheet contacts.xlsx
  sheetsync log ada "call about the seed round" --date 2026-11-20 --config sheetsync.toml
  sheetsync log zoe "sent the intro to Maya" --dry-run --sheet contacts.xlsx""",
    }
)


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
    _add_unattended(command, sub.choices["run"])
    _add_contacts(command)
    return parser


# -- running unattended: `run --manifest/--jobs/--log-format`, `schedule` and `cron` --


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got {text!r}")
    return value


def _log_format(parser: argparse.ArgumentParser, default: str | None) -> None:
    parser.add_argument(
        "--log-format",
        choices=("text", "json"),
        default=default,
        help="report each run as one timestamped log line (json: JSON lines for log collectors)"
        + (f"; default {default}" if default else ""),
    )


def _schedule_flags(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("when (default: [schedule] in the config, else daily at 08:00)")
    g.add_argument(
        "--at", action="append", metavar="HH:MM", help="a time of day to run (repeatable)"
    )
    g.add_argument("--every", metavar="DURATION", help='run at an interval, e.g. "6 hours"')
    g.add_argument("--days", metavar="DAYS", help='only on these days: "weekdays", "mon,thu"')
    g.add_argument("--timezone", metavar="ZONE", help="zone of --at, e.g. Europe/Paris")


def _add_unattended(command: Any, run: argparse.ArgumentParser) -> None:
    run.add_argument(
        "--manifest",
        metavar="FILE",
        help="run every sheet listed in this manifest, each with its own config",
    )
    run.add_argument(
        "--jobs",
        metavar="N",
        type=_positive,
        help="with --manifest: sheets processed at once (default: the manifest's, else 4)",
    )
    _log_format(run, None)

    p = command("schedule", "Run the job at set times until stopped (Ctrl-C or SIGTERM).")
    _schedule_flags(p)
    p.add_argument("--once", action="store_true", help="run a single pass now, then exit")
    p.add_argument("--dry-run", action="store_true", help="each run only shows what it would do")
    p.add_argument("--drafts", metavar="FOLDER", help="folder for .eml drafts (default: drafts)")
    p.add_argument("--templates", metavar="FOLDER", help="folder of your own .j2 templates")
    p.add_argument("--daily-cap", metavar="N", type=int, help="most drafts per day (default: 5)")
    _log_format(p, "text")

    p = command("cron", "Print, install or remove a crontab line that runs sheetsync.")
    _schedule_flags(p)
    act = p.add_mutually_exclusive_group()
    act.add_argument("--install", action="store_true", help="add the line to your crontab")
    act.add_argument("--remove", action="store_true", help="remove the line from your crontab")
    p.add_argument(
        "--crontab-file",
        metavar="FILE",
        help="edit this file instead of your crontab (crontab -l / crontab -)",
    )
    p.add_argument(
        "--log-file",
        metavar="FILE",
        help="where runs log (default: ~/.local/state/sheetsync/sheetsync.log)",
    )
    _log_format(p, "text")


# -- import and log --


def _add_contacts(command: Any) -> None:
    p = command(
        "import",
        "Add the people in a LinkedIn, Google Contacts or vCard export to the sheet.",
    )
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

    p = command("log", "Record an interaction: last interaction, what, and last in person.")
    p.add_argument("name", help="the contact's name (or part of it, or their email)")
    p.add_argument("what", help="what happened or what you talked about")
    p.add_argument("--in-person", action="store_true", help="you met in person")
    p.add_argument(
        "--date", metavar="DATE", help="when it happened (default: today), e.g. 2026-11-20"
    )
    p.add_argument("--dry-run", action="store_true", help="show the cells that would change")


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
        if getattr(args, "json", False):  # scripts get an answer on stdout too
            error = {"type": type(exc).__name__, "message": str(exc), "exit_code": exc.exit_code}
            print_json({"ok": False, "error": error})
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
