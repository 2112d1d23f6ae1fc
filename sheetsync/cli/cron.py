"""``sheetsync cron``: print, install or remove a crontab line that runs sheetsync.

There is no ``--timezone`` here: cron runs every line in the machine's time
zone.  ``CRON_TZ`` is a cronie extension; Debian's and Ubuntu's cron (3.0pl1)
ignores it ("cron will only handle tasks in a single timezone", cron(8)), so
a line written with it would silently run at the wrong hour there.  The flag
is refused with a pointer to ``sheetsync schedule --timezone``.

``--json`` prints one object: ``action`` (``print``, ``install`` or
``remove``), ``crontab`` (what was edited; null for ``print``), ``changed``,
``schedule`` (in words), ``lines`` (the crontab lines), ``log_file`` and
``notes`` (what cron will not honour, as sentences).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from .common import EXIT_OK, command_parser, common_flags, load, notice, print_json
from .run import log_format_flag
from .schedule import schedule_flags, schedule_spec

if TYPE_CHECKING:
    from ..config import Config


EXAMPLES = """\
examples:
  sheetsync cron --config sheetsync.toml                      # print the crontab line
  sheetsync cron --config sheetsync.toml --install            # add it to your crontab
  sheetsync cron --config sheetsync.toml --remove             # take it out again
  sheetsync cron --config sheetsync.toml --at 07:30 --days weekdays --log-file ~/sheetsync.log"""


def add_parser(sub: Any) -> None:
    text = "Print, install or remove a crontab line that runs sheetsync."
    p = command_parser(sub, "cron", text, EXAMPLES)
    common_flags(p, today=False)  # the line runs on the day it fires
    schedule_flags(p, timezone=False)
    p.add_argument("--timezone", help=argparse.SUPPRESS)  # refused in cmd_cron, with a reason
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
    log_format_flag(p, "text")
    p.set_defaults(func=cmd_cron)


def _absolute_location(location: str) -> str:
    from ..sheets.location import google_key

    if google_key(location) is not None:
        return location
    return str(Path(location).expanduser().resolve())


def cron_job(args: argparse.Namespace, config: Config) -> Any:
    """The crontab entry's command for these flags and config: absolute paths throughout."""
    from ..unattended.cron import CronJob
    from ..unattended.locking import config_key, state_dir

    run_args: list[str] = []
    if config.path is not None:
        run_args += ["--config", str(config.path.expanduser().resolve())]
    if args.sheet:
        run_args += ["--sheet", _absolute_location(args.sheet)]
    if args.tab:
        run_args += ["--tab", args.tab]
    if args.locale:
        run_args += ["--locale", args.locale]
    run_args += ["--log-format", args.log_format or "text"]
    workdir = config.path.expanduser().resolve().parent if config.path else Path.cwd()
    log_file = (
        Path(args.log_file).expanduser().resolve()
        if args.log_file
        else state_dir() / "sheetsync.log"
    )
    # not resolved: a virtual environment's python is a symlink that must stay one
    python = Path(sys.executable).absolute()
    return CronJob(python, workdir, tuple(run_args), log_file, config_key(config))


def _cron_notes(spec: Any) -> list[str]:
    notes = []
    if spec.tz is not None:
        now = dt.datetime.now(dt.UTC)
        if now.astimezone(spec.tz).utcoffset() != now.astimezone().utcoffset():
            notes.append(
                f"cron runs in this machine's time zone, not {spec.tz.key}: the times above are "
                "this machine's. 'sheetsync schedule' honours [schedule] timezone."
            )
    env_vars = sorted(
        k for k in os.environ if k.startswith("SHEETSYNC_") and k != "SHEETSYNC_CONFIG"
    )
    if env_vars:
        notes.append(
            f"cron will not see {', '.join(env_vars)} from this shell: put those settings in the "
            "config file."
        )
    return notes


def _refuse_timezone(zone: str) -> None:
    here = dt.datetime.now().astimezone().strftime("%Z, UTC%z")
    raise UsageError(
        f"cron cannot honour --timezone {zone}: it runs every line in this machine's time zone "
        f"({here}), and Debian's and Ubuntu's cron ignore CRON_TZ. Give --at in this machine's "
        f"time, or run 'sheetsync schedule --timezone {zone}' instead."
    )


def cmd_cron(args: argparse.Namespace) -> int:
    from ..unattended.cron import FileCrontab, UserCrontab, install, remove

    if args.timezone:
        _refuse_timezone(args.timezone)
    config = load(args)
    spec = schedule_spec(args, config)
    job = cron_job(args, config)
    lines = job.lines(spec)
    crontab = FileCrontab(Path(args.crontab_file)) if args.crontab_file else UserCrontab()
    report: dict[str, Any] = {
        "action": "remove" if args.remove else "install" if args.install else "print",
        "crontab": crontab.describe() if args.remove or args.install else None,
        "changed": False,
        "schedule": spec.describe(),
        "lines": lines,
        "log_file": str(job.log_file),
        "notes": _cron_notes(spec),
    }
    if args.remove:
        old = crontab.read()
        new = remove(old, job.marker)
        report["lines"] = [line for line in old.splitlines() if line not in new.splitlines()]
        if new != old:
            crontab.write(new)
            report["changed"] = True
        if args.json:
            print_json(report)
        elif report["changed"]:
            print(f"Removed the sheetsync line for {config.sheet} from {crontab.describe()}.")
        else:
            print(f"No sheetsync line for {config.sheet} in {crontab.describe()}; nothing to do.")
        return EXIT_OK
    job.log_file.parent.mkdir(parents=True, exist_ok=True)
    if args.install:
        old = crontab.read()
        new = install(old, lines, job.marker)
        if new != old:
            crontab.write(new)
            report["changed"] = True
    if args.json:
        print_json(report)
        return EXIT_OK
    for note in report["notes"]:
        notice(f"note: {note}")
    if not args.install:
        print("\n".join(lines))
        if sys.stdout.isatty():
            notice(
                "\nPaste this into 'crontab -e', or run this command again with --install. "
                f"Runs log to {job.log_file}."
            )
    elif report["changed"]:
        print(f"Installed in {crontab.describe()} ({spec.describe()}); runs log to {job.log_file}:")
        print("\n".join(lines))
    else:
        print(f"Already installed in {crontab.describe()}; no change.")
    return EXIT_OK
