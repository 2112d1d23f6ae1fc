"""``sheetsync run``: one pass over a sheet, or over every sheet of a manifest.

A writing run takes the sheet's lock (so a cron run and the scheduler never
overlap); ``--log-format`` reports it as log lines; ``--manifest`` runs many
sheets.  Exit codes added here: 0 also when the run was skipped because another
run holds the sheet's lock (the other run does the work), and 7 when some sheets
of a manifest failed (the report lists them; the others were done).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, SheetsyncError
from .common import (
    EXIT_OK,
    command_parser,
    common_flags,
    load,
    notice,
    overrides,
    positive,
    print_json,
    progress,
)

if TYPE_CHECKING:
    from ..core.result import RunResult

EXIT_PARTIAL = 7

EXAMPLES = """\
examples:
  sheetsync run --sheet contacts.xlsx --dry-run
  sheetsync run --sheet contacts.xlsx --drafts ~/drafts
  sheetsync run --config sheetsync.toml --json > report.json
  sheetsync run --config sheetsync.toml --log-format json   # log lines, for cron
  sheetsync run --manifest sheets.toml --jobs 8             # many sheets, 8 at a time"""


def draft_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--drafts", metavar="FOLDER", help="folder for .eml drafts (default: drafts)")
    p.add_argument("--templates", metavar="FOLDER", help="folder of your own .j2 templates")
    p.add_argument("--daily-cap", metavar="N", type=int, help="most drafts per day (default: 5)")


def log_format_flag(parser: argparse.ArgumentParser, default: str | None) -> None:
    parser.add_argument(
        "--log-format",
        choices=("text", "json"),
        default=default,
        help="report each run as one timestamped log line (json: JSON lines for log collectors)"
        + (f"; default {default}" if default else ""),
    )


def add_parser(sub: Any) -> None:
    text = "One pass: read the sheet, score, write status columns, draft follow-ups."
    p = command_parser(sub, "run", text, EXAMPLES)
    common_flags(p)
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
    draft_flags(p)
    p.add_argument(
        "--manifest",
        metavar="FILE",
        help="run every sheet listed in this manifest, each with its own config",
    )
    p.add_argument(
        "--jobs",
        metavar="N",
        type=positive,
        help="with --manifest: sheets processed at once (default: the manifest's, else 4)",
    )
    log_format_flag(p, None)
    p.set_defaults(func=cmd_run)


def cmd_run(args: argparse.Namespace) -> int:
    from ..unattended import runlog  # here, not at the top: --help stays light

    if args.manifest:
        return run_manifest_command(args)
    if args.jobs:
        raise ConfigError("--jobs sets how many sheets of a manifest run at once; add --manifest.")
    if args.log_format:
        runlog.configure(args.log_format, verbose=args.verbose)
        return run_logged(args)
    from ..app import Skipped, locked_run
    from ..sheets import open_configured_sheet
    from .common import tell_account
    from .output import render_run

    config = load(args)
    sheet = open_configured_sheet(config)
    tell_account(sheet)
    try:
        result = locked_run(
            config, sheet=sheet, today=args.today, dry_run=args.dry_run, progress=progress
        )
    except Skipped as skip:
        notice(
            f"sheetsync: {skip}; this run was skipped. Nothing is wrong: that run does the work."
        )
        return EXIT_OK
    if args.json:
        print_json(result.to_dict())
    else:
        render_run(result, sys.stdout, verbose=args.verbose)
    return _failed_drafts(result)


def _failed_drafts(result: RunResult) -> int:
    """The run's exit code; when drafts failed, an error line on stderr says so first."""
    if result.exit_code:
        failed = result.delivery_errors + result.template_errors
        what = "the draft destination failed" if result.delivery_errors else "a template failed"
        print(
            f"sheetsync: error: {failed} draft(s) could not be made ({what}); the statuses were "
            "written and the next run tries again. The notes above say why.",
            file=sys.stderr,
        )
    return result.exit_code


def run_logged(args: argparse.Namespace) -> int:
    """One pass that reports as log lines (runlog); the scheduler calls this for every run."""
    from ..app import Skipped, locked_run
    from ..unattended import runlog

    start = time.monotonic()
    where: str | None = None
    try:
        config = load(args)
        where = config.sheet
        result = locked_run(config, today=args.today, dry_run=args.dry_run)
    except Skipped as skip:
        runlog.log_skipped(skip.sheet, skip.holder)
        return EXIT_OK
    except SheetsyncError as exc:
        runlog.log_failure(where, exc, time.monotonic() - start)
        return exc.exit_code
    runlog.log_result(result, time.monotonic() - start, verbose=args.verbose)
    if args.json:
        print_json(result.to_dict())
    return result.exit_code


def run_manifest_command(args: argparse.Namespace) -> int:
    from ..unattended import runlog
    from ..unattended.manifest import SheetOutcome, load_manifest, run_manifest, sheet_runner

    given = [f"--{k.replace('_', '-')}" for k, v in overrides(args).items() if v is not None]
    if args.config:
        given.insert(0, "--config")
    if given:
        raise ConfigError(
            f"--manifest runs each sheet with its own config file; leave out {', '.join(given)} "
            "and put those settings in the sheets' config files."
        )
    fmt = args.log_format
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
