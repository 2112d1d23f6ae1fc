"""Commands for running unattended: ``schedule``, ``cron``, and ``run`` with a lock or a manifest.

``sheetsync run`` comes here first: a writing run takes the sheet's lock (so a
cron run and the scheduler never overlap), ``--log-format`` turns its output
into log lines, and ``--manifest`` runs many sheets.  A plain run is then
handed to :func:`sheetsync.cli.commands.cmd_run` unchanged.

Exit codes added here: 0 also when a run was skipped because another run holds
the sheet's lock (overlap is expected under cron and nothing is wrong: the other
run does the work), and 7 when some sheets of a manifest failed (the report
lists them; the others were done).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

from ..config import Config, load_config, read_config_file
from ..errors import ConfigError, SheetsyncError
from ..unattended import runlog
from ..unattended.locking import config_key, sheet_lock, state_dir

log = logging.getLogger(__name__)

EXIT_OK, EXIT_PARTIAL = 0, 7
SCHEDULE_FLAGS = ("at", "every", "days", "timezone")


def _load(args: argparse.Namespace, overrides: dict[str, Any]) -> Config:
    from .commands import config_with_sheet

    return config_with_sheet(args, overrides)


# --- run ----------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    from . import commands

    if getattr(args, "manifest", None):
        return run_manifest_command(args, overrides)
    if getattr(args, "jobs", None):
        raise ConfigError("--jobs sets how many sheets of a manifest run at once; add --manifest.")
    fmt = getattr(args, "log_format", None)
    if fmt:
        runlog.configure(fmt, verbose=args.verbose)
        return run_logged(args, overrides)
    if args.dry_run:  # reads only: no lock needed
        return int(commands.cmd_run(args, overrides))
    config = load_config(args.config, overrides=overrides)
    if not config.sheet:
        return int(commands.cmd_run(args, overrides))  # says what is missing
    lock = sheet_lock(config)
    if not lock.acquire():
        print(
            f"sheetsync: {config.sheet} is being updated by another sheetsync run "
            f"({lock.holder()}); this run was skipped. Nothing is wrong: that run does the work.",
            file=sys.stderr,
        )
        return EXIT_OK
    with lock:
        return int(commands.cmd_run(args, overrides))


def run_logged(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    """One pass that reports as log lines (runlog); the scheduler calls this for every run."""
    from ..app import run
    from ..sheets import open_configured_sheet

    start = time.monotonic()
    where: str | None = None
    try:
        config = _load(args, overrides)
        where = config.sheet
        lock = sheet_lock(config)
        if not args.dry_run and not lock.acquire():
            runlog.log_skipped(str(where), lock.holder())
            return EXIT_OK
        with lock:
            sheet = open_configured_sheet(config)
            result = run(config, sheet=sheet, today=args.today, dry_run=args.dry_run)
    except SheetsyncError as exc:
        runlog.log_failure(where, exc, time.monotonic() - start)
        return exc.exit_code
    runlog.log_result(result, time.monotonic() - start, verbose=args.verbose)
    if args.json:
        from .main import print_json

        print_json(result.to_dict())
    return EXIT_OK


# --- run --manifest -----------------------------------------------------------------------


def run_manifest_command(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    from ..unattended.manifest import SheetOutcome, load_manifest, run_manifest, sheet_runner

    given = [f"--{k.replace('_', '-')}" for k, v in overrides.items() if v is not None]
    if args.config:
        given.insert(0, "--config")
    if given:
        raise ConfigError(
            f"--manifest runs each sheet with its own config file; leave out {', '.join(given)} "
            "and put those settings in the sheets' config files."
        )
    fmt = getattr(args, "log_format", None)
    if fmt:
        runlog.configure(fmt, verbose=args.verbose)
    manifest = load_manifest(Path(args.manifest).expanduser())

    def skipped(name: str, where: str, holder: str) -> None:
        if fmt:
            runlog.log_skipped(where, holder, name=name)

    def logged(outcome: SheetOutcome) -> None:
        if not fmt:
            return
        if outcome.result is not None:
            runlog.log_result(
                outcome.result, outcome.seconds, name=outcome.name, verbose=args.verbose
            )
        elif outcome.status == "error":
            exc = SheetsyncError(outcome.error or "")
            runlog.log_failure(outcome.sheet, exc, outcome.seconds, name=outcome.name)

    run_sheet = sheet_runner(today=args.today, dry_run=args.dry_run, on_skip=skipped)
    report = run_manifest(manifest, run_sheet, jobs=args.jobs, on_done=logged)
    data = report.to_dict()
    if args.json:
        from .main import print_json

        print_json(data)
    elif fmt:
        fields = {k: v for k, v in data.items() if k != "sheets"} | {"event": "manifest"}
        runlog.log.info(
            "manifest done: %s: %d of %d sheets in this task: %d ok, %d failed, %d skipped",
            report.manifest,
            data["sheets_in_task"],
            data["sheets_in_manifest"],
            data["ok"],
            data["failed"],
            data["skipped"],
            extra={runlog.FIELDS: fields},
        )
    else:
        print(_manifest_text(data))
    return EXIT_PARTIAL if report.failed else EXIT_OK


def _manifest_text(data: dict[str, Any]) -> str:
    task = data["task"]
    part = f" (task {task['index'] + 1} of {task['count']})" if task["count"] > 1 else ""
    lines = [
        f"{data['manifest']}{part}: {data['sheets_in_task']} of {data['sheets_in_manifest']} "
        f"sheets: {data['ok']} ok, {data['failed']} failed, {data['skipped']} skipped"
    ]
    for s in data["sheets"]:
        if s["status"] == "ok":
            detail = (
                f"{s['sheet']}: {s['contacts']} contacts, {s['cells_written']} cells written, "
                f"{s['drafts_made']} drafts made"
                + (f", {len(s['warnings'])} warnings" if s["warnings"] else "")
            )
        elif s["status"] == "skipped":
            detail = "skipped: another sheetsync run is updating this sheet"
        else:
            detail = s["error"]
        lines.append(f"  {s['status']:<8}{s['name']}: {detail}")
    return "\n".join(lines)


# --- schedule -----------------------------------------------------------------------------


def _schedule_table(config: Config) -> dict[str, Any]:
    if config.path is None:
        return {}
    table = read_config_file(config.path).get("schedule", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{config.path}: [schedule]: expected a table, got {table!r}.")
    return table


def schedule_spec(args: argparse.Namespace, config: Config) -> Any:
    from ..unattended.scheduler import resolve_spec

    flags = {k: getattr(args, k, None) for k in SCHEDULE_FLAGS}
    where = str(config.path) if config.path else "sheetsync.toml"
    return resolve_spec(flags, os.environ, _schedule_table(config), where)


def cmd_schedule(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    from ..unattended.scheduler import StopFlag, serve

    runlog.configure(args.log_format or "text", verbose=args.verbose)
    logging.getLogger("sheetsync.unattended.scheduler").setLevel(
        logging.DEBUG if args.verbose else logging.INFO
    )
    config = _load(args, overrides)  # a config error stops here, before any waiting
    spec = schedule_spec(args, config)
    if args.once:
        return run_logged(args, overrides)
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
        runs = serve(lambda: run_logged(args, overrides), spec, stop=stop)
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


# --- cron ---------------------------------------------------------------------------------


def _absolute_location(location: str) -> str:
    from ..sheets.google import is_google_location

    if is_google_location(location) and not Path(location).exists():
        return location
    return str(Path(location).expanduser().resolve())


def cron_job(args: argparse.Namespace, config: Config) -> Any:
    """The crontab entry's command for these flags and config: absolute paths throughout."""
    from ..unattended.cron import CronJob

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


def cmd_cron(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    from ..unattended.cron import FileCrontab, UserCrontab, install, remove

    config = _load(args, overrides)
    spec = schedule_spec(args, config)
    job = cron_job(args, config)
    lines = job.lines(spec)
    crontab = FileCrontab(Path(args.crontab_file)) if args.crontab_file else UserCrontab()
    if args.remove:
        old = crontab.read()
        new = remove(old, job.marker)
        if new == old:
            print(f"No sheetsync line for {config.sheet} in {crontab.describe()}; nothing to do.")
        else:
            crontab.write(new)
            print(f"Removed the sheetsync line for {config.sheet} from {crontab.describe()}.")
        return EXIT_OK
    job.log_file.parent.mkdir(parents=True, exist_ok=True)
    for note in _cron_notes(spec):
        print(f"note: {note}", file=sys.stderr)
    if not args.install:
        print("\n".join(lines))
        if sys.stdout.isatty():
            print(
                "\nPaste this into 'crontab -e', or run this command again with --install. "
                f"Runs log to {job.log_file}.",
                file=sys.stderr,
            )
        return EXIT_OK
    old = crontab.read()
    new = install(old, lines, job.marker)
    if new == old:
        print(f"Already installed in {crontab.describe()}; no change.")
    else:
        crontab.write(new)
        print(f"Installed in {crontab.describe()} ({spec.describe()}); runs log to {job.log_file}:")
        print("\n".join(lines))
    return EXIT_OK
