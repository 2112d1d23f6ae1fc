"""``sheetsync cron``: a crontab line with absolute paths, and installing or removing it.

The line runs ``sheetsync run`` with the Python that runs sheetsync now, the
config file and a log file, all as absolute paths (cron starts jobs with a
bare environment, in the home folder)::

    0 8 * * * cd /home/sam/net && /usr/bin/python3 -m sheetsync run --config
      /home/sam/net/sheetsync.toml --log-format text
      >> /home/sam/.local/state/sheetsync/sheetsync.log 2>&1 # sheetsync:contacts.xlsx-3f9a0c1b2d

(one line in the crontab, wrapped here).

The trailing comment names the sheet, so installing again replaces the line
and removing finds it: both are idempotent.  Everything here but
:class:`UserCrontab` is pure text work; tests use :class:`FileCrontab`.
"""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..errors import ConfigError, SheetsyncError
from .scheduler import ScheduleSpec

MARKER = "# sheetsync:"


def cron_times(spec: ScheduleSpec) -> list[str]:
    """The five time fields of the crontab line(s) for ``spec`` (pure).

    Cron runs in this machine's time zone and at most once a minute; an
    interval must divide an hour or a day evenly to be written as ``*/N``.
    """
    dow = _cron_days(spec.days)
    if spec.interval is None:
        by_minute: dict[int, list[int]] = {}
        for t in spec.times:
            by_minute.setdefault(t.minute, []).append(t.hour)
        return [
            f"{minute} {','.join(str(h) for h in sorted(hours))} * * {dow}"
            for minute, hours in sorted(by_minute.items(), key=lambda kv: min(kv[1]))
        ]
    seconds = int(spec.interval.total_seconds())
    if seconds % 3600 == 0 and 24 % (seconds // 3600) == 0:
        hours = seconds // 3600
        field = "0" if hours == 24 else "*" if hours == 1 else f"*/{hours}"
        return [f"0 {field} * * {dow}"]
    if seconds % 60 == 0 and 60 % (seconds // 60) == 0:
        minutes = seconds // 60
        return [f"{'*/' + str(minutes) if minutes > 1 else '*'} * * * {dow}"]
    raise ConfigError(
        f"cron cannot run {spec.describe()}: it runs at most once a minute, and an interval must "
        "divide an hour (e.g. 15 minutes) or a day (e.g. 6 hours). Choose such an interval, use "
        "times of day (at = [\"08:00\"]), or run 'sheetsync schedule' instead."
    )


def _cron_days(days: frozenset[int]) -> str:
    if days == frozenset(range(7)):
        return "*"
    # cron counts Sunday as 0; Python's weekday() counts Monday as 0
    return ",".join(str(n) for n in sorted((d + 1) % 7 for d in days))


def _cron_escape(text: str) -> str:
    """Cron turns an unescaped % into a newline."""
    return text.replace("%", "\\%")


@dataclass(frozen=True)
class CronJob:
    """What the crontab line runs."""

    python: Path
    workdir: Path
    run_args: tuple[str, ...]
    log_file: Path
    key: str

    def command(self) -> str:
        q = shlex.quote
        run = " ".join(q(a) for a in self.run_args)
        return (
            f"cd {q(str(self.workdir))} && {q(str(self.python))} -m sheetsync run {run} "
            f">> {q(str(self.log_file))} 2>&1"
        )

    @property
    def marker(self) -> str:
        return f"{MARKER}{self.key}"

    def lines(self, spec: ScheduleSpec) -> list[str]:
        command = _cron_escape(self.command())
        return [f"{fields} {command} {self.marker}" for fields in cron_times(spec)]


def install(crontab: str, lines: Sequence[str], marker: str) -> str:
    """``crontab`` with this sheet's old lines replaced by ``lines`` (pure, idempotent)."""
    kept = [line for line in crontab.splitlines() if not _is_ours(line, marker)]
    return "\n".join([*kept, *lines]) + "\n"


def remove(crontab: str, marker: str) -> str:
    """``crontab`` without this sheet's lines (pure, idempotent)."""
    kept = [line for line in crontab.splitlines() if not _is_ours(line, marker)]
    return "\n".join(kept) + "\n" if kept else ""


def _is_ours(line: str, marker: str) -> bool:
    return line.rstrip().endswith(marker)


class Crontab(Protocol):
    def describe(self) -> str: ...

    def read(self) -> str: ...

    def write(self, text: str) -> None: ...


class FileCrontab:
    """A crontab kept in a file (``--crontab-file``): for tests, or to review before loading."""

    def __init__(self, path: Path):
        self.path = path

    def describe(self) -> str:
        return str(self.path)

    def read(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return ""

    def write(self, text: str) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(self.path)


class UserCrontab:
    """The user's own crontab, through ``crontab -l`` and ``crontab -``."""

    def describe(self) -> str:
        return "your crontab"

    def _crontab(self, *args: str, text: str | None = None) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run(
                ["crontab", *args], input=text, capture_output=True, text=True, check=False
            )
        except FileNotFoundError:
            raise SheetsyncError(
                "The 'crontab' program is not installed here. Install cron, or run "
                "'sheetsync schedule' as a long-running process instead."
            ) from None

    def read(self) -> str:
        proc = self._crontab("-l")
        if proc.returncode != 0:
            if "no crontab" in proc.stderr.lower():
                return ""
            raise SheetsyncError(f"'crontab -l' failed: {proc.stderr.strip()}")
        return proc.stdout

    def write(self, text: str) -> None:
        proc = self._crontab("-", text=text)
        if proc.returncode != 0:
            raise SheetsyncError(f"'crontab -' refused the new crontab: {proc.stderr.strip()}")
