"""What every command shares: the common flags, the config they resolve to, JSON output."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..config import Config
    from ..sheets import SheetBackend
    from ..unattended.locking import RunLock

EXIT_OK, EXIT_BUG, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

#: Set once per command by ``main`` from ``--quiet``: notices and progress stay silent.
_quiet = False


def set_quiet(quiet: bool) -> None:
    global _quiet
    _quiet = quiet


def notice(text: str) -> None:
    """A line for the person at the keyboard, on stderr (never under ``--quiet``)."""
    if not _quiet:
        print(text, file=sys.stderr)


#: A command's handler: the parsed flags in, the exit code out.
Handler = Callable[[argparse.Namespace], int]


def date_arg(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2026-11-22, got {text!r}") from None


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got {text!r}")
    return value


def common_flags(parser: argparse.ArgumentParser, *, today: bool = True) -> None:
    """The flags every command takes; ``today=False`` for a command that scores nothing."""
    g = parser.add_argument_group("sheet and config")
    g.add_argument("--sheet", metavar="PATH_OR_URL", help="the contact sheet (.xlsx or .csv)")
    g.add_argument("--tab", help="the tab that holds the contacts (default: the first)")
    g.add_argument("--config", metavar="FILE", help="config file (default: ./sheetsync.toml)")
    g.add_argument("--locale", help="how to read ambiguous dates, e.g. en_US (month first), en_GB")
    if today:
        g.add_argument(
            "--today",
            metavar="YYYY-MM-DD",
            type=date_arg,
            help="the day to score for (default: today); for reproducible runs",
        )
    o = parser.add_argument_group("output")
    o.add_argument("--json", action="store_true", help="print the result as JSON")
    o.add_argument("-v", "--verbose", action="store_true", help="log details and tracebacks")
    # SUPPRESS: given after the command it sets the same flag; absent, it keeps the global one
    o.add_argument(
        "-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="print errors only"
    )


def overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The settings the flags give, under the config's keys (None: not given)."""
    return {
        "sheet": args.sheet,
        "tab": args.tab,
        "locale": args.locale,
        "output": getattr(args, "output", None),
        "drafts_folder": getattr(args, "drafts", None),
        "templates_dir": getattr(args, "templates", None),
        "daily_cap": getattr(args, "daily_cap", None),
    }


def load(args: argparse.Namespace, *, need_sheet: bool = True) -> Config:
    """The resolved config for these flags: flag, then environment, then file."""
    from ..app import require_sheet
    from ..config import load_config

    config = load_config(args.config, overrides=overrides(args))
    if config.path is not None and sys.stderr.isatty():
        # a config found in the current folder may belong to another project: say which
        print(f"sheetsync: using the config {config.path}", file=sys.stderr)
    return require_sheet(config) if need_sheet else config


def progress(stage: str, done: int, total: int) -> None:
    """Progress on a terminal only (stderr), so cron logs and --json stay clean."""
    if _quiet or not sys.stderr.isatty():
        return
    if total == 0:
        print(f"{stage}…", file=sys.stderr, flush=True)
    elif total > 1:
        end = "\n" if done == total else ""
        print(f"\r{stage} {done}/{total}", end=end, file=sys.stderr, flush=True)


def tell_account(sheet: SheetBackend, *, always: bool = False) -> None:
    """Name the service account a Google sheet must be shared with."""
    email = sheet.info().account
    if email and (always or sys.stderr.isatty()):
        notice(f"Using the service account {email}: share your sheet with it as an Editor.")


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def hand_lock(config: Config) -> RunLock:
    """The sheet's run lock for a command typed by hand: if a run holds it, say so and stop."""
    from ..app import Skipped, sheet_locked
    from ..errors import SheetLocked

    try:
        return sheet_locked(config)
    except Skipped as skip:
        raise SheetLocked(f"{skip}; nothing was written. Try again when it has finished.") from None


def command_parser(sub: Any, name: str, text: str, examples: str) -> argparse.ArgumentParser:
    """A command's parser: its one-line help, and an ``examples:`` epilog shown as written."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=text,
        description=text,
        epilog=examples,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser
