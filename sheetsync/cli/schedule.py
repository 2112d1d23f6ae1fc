"""``sheetsync schedule``: run the job at set times until stopped, and the schedule flags
``cron`` shares."""

from __future__ import annotations

import argparse
import logging
import os
from typing import TYPE_CHECKING, Any

from .common import EXIT_OK, command_parser, common_flags, load
from .run import draft_flags, log_format_flag, run_logged

if TYPE_CHECKING:
    from ..config import Config


SCHEDULE_FLAGS = ("at", "every", "days", "timezone")

EXAMPLES = """\
examples:
  sheetsync schedule --config sheetsync.toml                  # [schedule] times, default 08:00
  sheetsync schedule --sheet contacts.xlsx --at 08:00 --at 17:30 --timezone Europe/Paris
  sheetsync schedule --config sheetsync.toml --every "6 hours" --log-format json
  sheetsync schedule --config sheetsync.toml --once           # one pass, then exit"""


def schedule_flags(parser: argparse.ArgumentParser, *, timezone: bool = True) -> None:
    """The flags that say when to run; ``timezone=False`` where a zone cannot be honoured."""
    g = parser.add_argument_group("when (default: [schedule] in the config, else daily at 08:00)")
    g.add_argument(
        "--at", action="append", metavar="HH:MM", help="a time of day to run (repeatable)"
    )
    g.add_argument(
        "--every",
        metavar="DURATION",
        help='run at an interval: "90 minutes", "6 hours", "2 weeks", "monthly"',
    )
    g.add_argument("--days", metavar="DAYS", help='only on these days: "weekdays", "mon,thu"')
    if timezone:
        g.add_argument("--timezone", metavar="ZONE", help="zone of --at, e.g. Europe/Paris")


def add_parser(sub: Any) -> None:
    text = "Run the job at set times until stopped (Ctrl-C or SIGTERM)."
    p = command_parser(sub, "schedule", text, EXAMPLES)
    common_flags(p)
    schedule_flags(p)
    p.add_argument("--once", action="store_true", help="run a single pass now, then exit")
    p.add_argument("--dry-run", action="store_true", help="each run only shows what it would do")
    draft_flags(p)
    log_format_flag(p, "text")
    p.set_defaults(func=cmd_schedule)


def schedule_spec(args: argparse.Namespace, config: Config) -> Any:
    from ..unattended.scheduler import resolve_spec

    flags = {k: getattr(args, k, None) for k in SCHEDULE_FLAGS}
    where = str(config.path) if config.path else "sheetsync.toml"
    return resolve_spec(flags, os.environ, config.schedule, where)


def cmd_schedule(args: argparse.Namespace) -> int:
    from ..unattended import runlog
    from ..unattended.scheduler import StopFlag, serve

    runlog.configure(args.log_format or "text", verbose=args.verbose)
    logging.getLogger("sheetsync.unattended.scheduler").setLevel(
        logging.DEBUG if args.verbose else logging.INFO
    )
    config = load(args)  # a config error stops here, before any waiting
    spec = schedule_spec(args, config)
    if args.once:
        return run_logged(args)
    stop = StopFlag()
    stop.install()
    fields = {"event": "schedule", "schedule": spec.describe(), "pid": os.getpid()}
    runlog.log.info(
        "sheetsync schedule started for %s (process %d); stop it with Ctrl-C or SIGTERM",
        config.sheet,
        os.getpid(),
        extra={runlog.FIELDS: fields},
    )
    try:
        runs = serve(lambda: run_logged(args), spec, stop=stop)
    finally:
        stop.restore()
    reason = stop.requested or "done"
    runlog.log.info(
        "sheetsync schedule stopped (%s) after %d runs, between runs",
        reason,
        runs,
        extra={runlog.FIELDS: {"event": "stopped", "reason": reason, "runs": runs}},
    )
    return EXIT_OK
