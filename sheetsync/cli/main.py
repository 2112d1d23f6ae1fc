"""The ``sheetsync`` command: parse flags, call the library, print the result.

Each command lives in a module of its own here and binds its handler when its
parser is declared (``set_defaults(func=...)``): no lookup by name.  Kept light:
heavy libraries (pandas, openpyxl, jinja2) are imported only inside the
handlers, so ``sheetsync --help`` starts fast.  Errors are caught once, here:
our own errors print their message on stderr and exit with their documented
code (with ``--json``, also a JSON error object on stdout); ``--verbose`` also
prints the traceback.  A command line argparse refuses (an unknown command or
option, a bad value) is rendered here too, with "did you mean" for a near miss.

``--quiet`` (before or after the command) prints errors only: the command's
normal output and notices are dropped, while what was asked for by name
(``--json`` on stdout, ``--log-format`` log lines) is still written.

Exit codes: 0 done (row problems are notes, not failures), 1 unexpected error,
2 bad usage (including a file to import that cannot be read), 3 config error,
4 sheet error, 5 template error, 6 draft destination error, 7 some sheets of a
manifest failed, 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import traceback
from collections.abc import Iterator, Sequence

from .. import __version__
from ..errors import SheetsyncError
from . import completion, cron, imports, init, log, preview, run, schedule, status
from .common import EXIT_BUG, EXIT_INTERRUPTED, EXIT_OK, print_json, set_quiet
from .parsing import CommandLineError, Parser

DESCRIPTION = """\
Keeps your networking spreadsheet alive: reads your own contact sheet, scores
how stale each relationship is, writes status columns beside yours, and drafts
follow-up emails. It never sends anything.
"""

#: Every command's module, in the order ``--help`` lists them.
COMMANDS = (run, status, preview, init, schedule, cron, imports, log, completion)


def build_parser() -> Parser:
    parser = Parser(
        prog="sheetsync",
        description=DESCRIPTION,
        epilog="examples:\n  sheetsync run --sheet contacts.xlsx --dry-run\n"
        "  sheetsync status --sheet contacts.xlsx\n  sheetsync init --sheet contacts.xlsx\n\n"
        "Run 'sheetsync COMMAND --help' for a command's options.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"sheetsync {__version__}")
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="print errors only (also after the command)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def _setup_logging(verbose: bool, quiet: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("sheetsync").setLevel(logging.ERROR if quiet else logging.NOTSET)


def _asks_for_json(argv: Sequence[str]) -> bool:
    """Whether a command line argparse refused asked for ``--json`` (or an abbreviation)."""
    before = argv[: argv.index("--")] if "--" in argv else argv
    return any(len(a) >= 4 and "--json".startswith(a) for a in before)


def _error_object(exc: SheetsyncError) -> dict[str, object]:
    error = {"type": type(exc).__name__, "message": str(exc), "exit_code": exc.exit_code}
    return {"ok": False, "error": error}


@contextlib.contextmanager
def _output(args: argparse.Namespace) -> Iterator[None]:
    """Under ``--quiet``, the command's normal output goes nowhere (``--json`` still prints)."""
    if not args.quiet or args.json:
        yield
        return
    with open(os.devnull, "w", encoding="utf-8") as nowhere, contextlib.redirect_stdout(nowhere):
        yield


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.quiet and args.verbose:
            parser.command_parser(args).error("--quiet and --verbose contradict; keep one")
    except CommandLineError as exc:
        print(exc.usage, end="", file=sys.stderr)
        print(f"{exc.prog}: error: {exc}", file=sys.stderr)
        if _asks_for_json(argv):  # scripts get an answer on stdout too
            print_json(_error_object(exc))
        return exc.exit_code
    set_quiet(args.quiet)
    _setup_logging(args.verbose, args.quiet)
    try:
        with _output(args):
            return int(args.func(args))
    except SheetsyncError as exc:
        if args.verbose:
            traceback.print_exc()
        print(f"sheetsync: {exc}", file=sys.stderr)
        if getattr(args, "json", False):  # scripts get an answer on stdout too
            print_json(_error_object(exc))
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


if __name__ == "__main__":
    sys.exit(main())
