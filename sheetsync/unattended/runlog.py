"""Log lines for unattended runs: one summary line per run, as text or JSON lines.

``sheetsync schedule``, ``sheetsync run --log-format ...`` (what the cron line
uses), manifests and the cloud entry point all report a run the same way:

* one summary line per run, at INFO, on the ``sheetsync.unattended.runlog`` logger::

    2026-11-22T08:00:02+0100 INFO run ok: contacts.xlsx › Network: 30 contacts read,
      12 status cells written, 5 drafts made, 2 warnings (1.4 s)

* with ``--verbose``, the details: each warning, each draft made, each row to
  check, and the library's own INFO lines;
* with ``--log-format json``, every line is one JSON object (see
  :class:`JsonFormatter`) that log collectors read without parsing text.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Any, TextIO

from ..core.result import RunResult

log = logging.getLogger("sheetsync.unattended.runlog")

FORMATS = ("text", "json")
#: LogRecord attribute that carries a line's structured fields.
FIELDS = "sheetsync"


def summary_fields(result: RunResult, seconds: float) -> dict[str, Any]:
    """A run's summary as plain data: what the JSON line carries."""
    checks = [r for r in result.rows if r.status == "check data"]
    return {
        "event": "run",
        "ok": result.exit_code == 0,
        "exit_code": result.exit_code,
        "sheet": result.sheet,
        "today": result.today.isoformat(),
        "dry_run": result.dry_run,
        "contacts": result.contacts,
        "cells_written": result.cells_written,
        "drafts_made": result.count("would draft") if result.dry_run else result.drafts_created,
        "drafts_already_there": result.count("draft exists"),
        "drafts_failed": result.count("no draft"),
        "waiting": result.count("waiting"),
        "rows_to_check": len(checks),
        "warnings": list(result.warnings),
        "seconds": round(seconds, 3),
    }


def summary_text(fields: dict[str, Any]) -> str:
    """The one line a person reads in a log file."""
    dry = fields["dry_run"]
    parts = [
        f"{fields['contacts']} contacts read",
        f"{fields['cells_written']} status cells {'would change' if dry else 'written'}",
        f"{fields['drafts_made']} drafts {'would be made' if dry else 'made'}",
    ]
    if fields["waiting"]:
        parts.append(f"{fields['waiting']} waiting (daily cap)")
    if fields["drafts_failed"]:
        parts.append(f"{fields['drafts_failed']} could not be drafted")
    if fields["rows_to_check"]:
        parts.append(f"{fields['rows_to_check']} rows to check")
    count = len(fields["warnings"])
    parts.append(f"{count} warning{'s' if count != 1 else ''}")
    name = f"{fields['name']}: " if fields.get("name") else ""
    kind = "dry run" if dry else "run"
    verdict = "ok" if fields.get("ok", True) else "incomplete (some drafts failed)"
    where = f"{name}{fields['sheet']}"
    return f"{kind} {verdict}: {where}: {', '.join(parts)} ({fields['seconds']:.1f} s)"


def log_result(
    result: RunResult, seconds: float, *, name: str | None = None, verbose: bool = False
) -> dict[str, Any]:
    """Log one run's summary line (and, when ``verbose``, its details); return the fields."""
    fields = summary_fields(result, seconds)
    if name:
        fields["name"] = name
    # a run whose drafts failed is an error line, so cron's mail and log alerts see it
    level = logging.INFO if fields["ok"] else logging.ERROR
    log.log(level, summary_text(fields), extra={FIELDS: fields})
    if verbose:
        prefix = f"{name}: " if name else ""
        for w in result.warnings:
            log.warning("%swarning: %s", prefix, w, extra={FIELDS: {"event": "warning"}})
        for r in result.rows:
            if r.action in ("drafted", "would draft"):
                log.info("%sdraft for %s: %s", prefix, r.name, r.subject or "")
            elif r.status == "check data":
                log.info("%scheck row %s (%s): %s", prefix, r.row, r.name or "no name", r.note)
    return fields


def failure_fields(
    where: str | None, exc: BaseException, seconds: float, *, name: str | None = None
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "event": "run",
        "ok": False,
        "sheet": where,
        "error": str(exc),
        "error_type": type(exc).__name__,
        "exit_code": getattr(exc, "exit_code", 1),
        "seconds": round(seconds, 3),
    }
    if name:
        fields["name"] = name
    return fields


def log_failure(
    where: str | None, exc: BaseException, seconds: float, *, name: str | None = None
) -> dict[str, Any]:
    """Log a failed run as one ERROR line that names the sheet and says what went wrong."""
    fields = failure_fields(where, exc, seconds, name=name)
    label = " ".join(x for x in (f"{name}:" if name else "", where or "") if x)
    log.error("run failed: %s%s", f"{label}: " if label else "", exc, extra={FIELDS: fields})
    return fields


def log_skipped(where: str, holder: str, *, name: str | None = None) -> dict[str, Any]:
    """Log a run that did not start because another run holds the sheet's lock."""
    fields = {"event": "run", "ok": True, "skipped": True, "sheet": where, "holder": holder}
    if name:
        fields["name"] = name
    log.info(
        "run skipped: %s%s is being updated by another sheetsync run (%s); nothing to do",
        f"{name}: " if name else "",
        where,
        holder,
        extra={FIELDS: fields},
    )
    return fields


class TextFormatter(logging.Formatter):
    """``2026-11-22T08:00:02+0100 INFO message``: sortable, greppable, one line each."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S%z")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        moment = dt.datetime.fromtimestamp(record.created).astimezone()
        return moment.strftime(datefmt or "%Y-%m-%dT%H:%M:%S%z")

    def format(self, record: logging.LogRecord) -> str:
        return " ".join(super().format(record).splitlines())


class JsonFormatter(logging.Formatter):
    """One JSON object per line.

    Always: ``time`` (ISO 8601 with offset), ``level`` and ``severity`` (the same;
    Google Cloud Logging reads ``severity``), ``logger``, ``message``.  Summary
    lines add the fields of :func:`summary_fields` (``event``, ``ok``, ``sheet``,
    ``contacts``, ``cells_written``, ``drafts_made``, ``warnings``, ``seconds``, …)
    or of a failure (``error``, ``error_type``, ``exit_code``).
    """

    def format(self, record: logging.LogRecord) -> str:
        moment = dt.datetime.fromtimestamp(record.created).astimezone()
        data: dict[str, Any] = {
            "time": moment.isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "severity": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update(getattr(record, FIELDS, None) or {})
        if record.exc_info:
            data["traceback"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


def formatter(fmt: str) -> logging.Formatter:
    if fmt not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    return JsonFormatter() if fmt == "json" else TextFormatter()


def configure(
    fmt: str = "text",
    *,
    verbose: bool = False,
    stream: TextIO | None = None,
    logger_name: str = "",
) -> logging.Handler:
    """Send log lines to ``stream`` (default stderr) in ``fmt``.

    The command line configures the root logger (its commands own the process);
    the cloud entry point passes ``logger_name="sheetsync"`` so the host's own
    logging is left alone.  Summary lines are always shown; details and the
    library's INFO lines only when ``verbose``.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter(fmt))
    target = logging.getLogger(logger_name or None)
    for old in list(target.handlers):
        # plain stream handlers only (logging.basicConfig's, or ours from an earlier call):
        # a host's own handlers (files, capture, cloud agents) stay
        if type(old) is logging.StreamHandler:
            target.removeHandler(old)
    target.addHandler(handler)
    target.setLevel(logging.INFO if verbose else logging.WARNING)
    if logger_name:
        target.propagate = False
    log.setLevel(logging.INFO)
    return handler
