"""``sheetsync schedule``: run the job at configured times, for months, without a person watching.

The times are a :class:`ScheduleSpec`, from the ``[schedule]`` table of the
config, ``SHEETSYNC_SCHEDULE_*`` variables or flags (that precedence)::

    [schedule]
    at = ["08:00"]             # daily at these times ...
    days = "weekdays"          # ... on these days (default: every day)
    # every = "6 hours"        # or: at an interval (instead of at): "90 minutes",
    #                          # "2 weeks", "monthly" (a cadence cell's words)
    timezone = "Europe/Paris"  # the zone of "at" (default: this machine's)

The loop is the ``schedule`` package's :class:`schedule.Scheduler` holding one
job.  That package reads the wall clock itself (``datetime.datetime.now`` in
``Job.should_run``, ``Job.run`` and ``Job._schedule_next_run``) and needs pytz
for time zones, so :class:`ClockedJob` overrides exactly those three to use an
injected ``clock`` and the pure :func:`next_run`, which does the calendar work
with :mod:`zoneinfo` (08:00 stays 08:00 across daylight-saving changes).  The
Scheduler itself (the job list, ``run_pending``, cancelling) is the package's
own.  Nothing is patched globally: tests pass a fake clock and a fake wait.

Runs never overlap (the loop is serial, and each run takes the sheet's lock
against cron), a failing run is logged and the next one still happens, and
SIGINT/SIGTERM only set a flag: a run in progress finishes, then the loop ends.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import signal
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import FrameType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import schedule

from ..errors import ConfigError

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_GROUPS = {
    "daily": frozenset(range(7)),
    "everyday": frozenset(range(7)),
    "weekdays": frozenset(range(5)),
    "weekends": frozenset({5, 6}),
}
DEFAULT_AT = (dt.time(8, 0),)
#: Units shorter than a day, for intervals only (a cadence is whole days).  "m" is
#: not here: in a cadence it is months, so in an interval it is refused as ambiguous.
_CLOCK_UNITS = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1),
    **dict.fromkeys(("min", "mins", "minute", "minutes"), 60),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 3600),
}
_CLOCK_NAMED = {"hourly": 3600}
_INTERVAL = re.compile(r"(?:every\s*)?(?:(\d+(?:\.\d+)?)\s*)?([a-z]+)")
_INTERVAL_EXAMPLES = '"90 minutes", "6 hours", "2 weeks" or "monthly"'
#: The ``[schedule]`` keys and the environment variable of each.
ENVIRONMENT = {
    "at": "SHEETSYNC_SCHEDULE_AT",
    "every": "SHEETSYNC_SCHEDULE_EVERY",
    "days": "SHEETSYNC_SCHEDULE_DAYS",
    "timezone": "SHEETSYNC_SCHEDULE_TIMEZONE",
}


@dataclass(frozen=True)
class ScheduleSpec:
    """When to run: daily ``times`` (in ``tz``), or every ``interval``; only on ``days``."""

    times: tuple[dt.time, ...] = DEFAULT_AT
    interval: dt.timedelta | None = None
    days: frozenset[int] = frozenset(range(7))
    tz: ZoneInfo | None = None  # None: this machine's local time

    def describe(self) -> str:
        zone = f" ({self.tz.key})" if self.tz else ""
        if self.interval is not None:
            what = f"every {_duration_text(self.interval)}"
        else:
            what = "at " + ", ".join(t.strftime("%H:%M") for t in self.times) + zone
        if self.days != frozenset(range(7)):
            what += " on " + ", ".join(DAY_NAMES[d] for d in sorted(self.days))
        return what


def _duration_text(delta: dt.timedelta) -> str:
    from ..core.cadence import format_cadence

    seconds = int(delta.total_seconds())
    if seconds % 86400 == 0:
        return format_cadence(seconds // 86400)  # "2 weeks", as a cadence is said
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


# --- the pure calendar ----------------------------------------------------------------


def _local(naive: dt.datetime, tz: ZoneInfo | None) -> dt.datetime:
    """A wall-clock time in ``tz`` (or this machine's zone) as a UTC datetime.

    A time that does not exist (skipped by a daylight-saving jump) lands just
    after the jump, and one that happens twice is its first occurrence.  UTC,
    because Python never calls a gap or fold time equal to one in another zone.
    """
    aware = naive.replace(tzinfo=tz) if tz is not None else naive.astimezone()
    return aware.astimezone(dt.UTC)


def _in_zone(moment: dt.datetime, tz: ZoneInfo | None) -> dt.datetime:
    return moment.astimezone(tz) if tz is not None else moment.astimezone()


def next_run(
    spec: ScheduleSpec, after: dt.datetime, *, anchor: dt.datetime | None = None
) -> dt.datetime:
    """The first moment strictly after ``after`` that ``spec`` runs at (pure).

    ``after`` must be time-zone aware.  For an interval, runs fall on
    ``anchor + k * interval`` (``anchor`` defaults to ``after``); runs missed
    while a long run was going are skipped, not caught up.
    """
    if after.tzinfo is None:
        raise ValueError("next_run needs an aware datetime")
    after = after.astimezone(dt.UTC)
    if spec.interval is not None:
        return _next_interval(spec, after, (anchor or after).astimezone(dt.UTC))
    local_day = _in_zone(after, spec.tz).date()
    for offset in range(8):
        day = local_day + dt.timedelta(days=offset)
        if day.weekday() not in spec.days:
            continue
        for at in sorted(spec.times):
            candidate = _local(dt.datetime.combine(day, at), spec.tz)
            if candidate > after:
                return candidate
    raise ValueError(f"no run time in the week after {after}: {spec.describe()}")


def _next_interval(spec: ScheduleSpec, after: dt.datetime, anchor: dt.datetime) -> dt.datetime:
    step = spec.interval
    assert step is not None and step > dt.timedelta(0)

    def slot_after(moment: dt.datetime) -> dt.datetime:
        if moment < anchor:
            return anchor
        return anchor + step * ((moment - anchor) // step + 1)

    candidate = slot_after(after)
    for _ in range(8):
        local = _in_zone(candidate, spec.tz)
        if local.weekday() in spec.days:
            return candidate
        midnight = _local(
            dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time()), spec.tz
        )
        candidate = slot_after(midnight - dt.timedelta(microseconds=1))
    raise ValueError(f"no run time in the week after {after}: {spec.describe()}")


# --- reading a spec ---------------------------------------------------------------------


def parse_times(value: object, where: str) -> tuple[dt.time, ...]:
    items = value if isinstance(value, list) else str(value).replace(";", ",").split(",")
    times = []
    for item in items:
        text = str(item).strip()
        match = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise ConfigError(
                f'{where}: expected times of day like "08:00" or ["08:00", "17:30"], got {item!r}.'
            )
        times.append(dt.time(int(match[1]), int(match[2])))
    if not times:
        raise ConfigError(f'{where}: expected at least one time of day like "08:00".')
    return tuple(sorted(set(times)))


def parse_every(value: object, where: str) -> dt.timedelta:
    """An interval in sheetsync's one duration language.

    Whatever a cadence cell accepts ("2 weeks", "every other month", "quarterly",
    "3m" for three months ...: :func:`sheetsync.core.cadence.parse_cadence`), plus
    hours, minutes and seconds written out ("6 hours", "90 minutes", "2h",
    "hourly").  Refused: "3m" (minutes or months?) and a bare number (a cadence's
    days, but an interval's hours?), each with a message saying what to write.
    """
    from ..core.cadence import CadenceError, parse_cadence

    text = " ".join(str(value).lower().split())
    if text in _CLOCK_NAMED:
        return dt.timedelta(seconds=_CLOCK_NAMED[text])
    match = _INTERVAL.fullmatch(text)
    if match and match[2] == "m":
        n = match[1] or "1"
        raise ConfigError(
            f'{where}: "{value}" could mean minutes or months; write "{n} minutes" or "{n} months".'
        )
    if match and match[2] in _CLOCK_UNITS:
        seconds = float(match[1] or 1) * _CLOCK_UNITS[match[2]]
        if seconds >= 1 and seconds.is_integer():
            return dt.timedelta(seconds=int(seconds))
    elif re.fullmatch(r"(?:every\s*)?\d+(?:\.\d+)?", text):
        raise ConfigError(
            f'{where}: {value!r} has no unit; write it like "{text.split()[-1]} hours" or '
            f'"{text.split()[-1]} days".'
        )
    else:
        try:
            days = parse_cadence(text)
        except CadenceError:
            days = None
        if days is not None:
            return dt.timedelta(days=days)
    raise ConfigError(f"{where}: expected an interval like {_INTERVAL_EXAMPLES}, got {value!r}.")


def parse_days(value: object, where: str) -> frozenset[int]:
    items = value if isinstance(value, list) else str(value).replace(";", ",").split(",")
    days: set[int] = set()
    for item in items:
        word = re.sub(r"[\s-]", "", str(item).strip().lower())
        if word in DAY_GROUPS:
            days |= DAY_GROUPS[word]
        elif word[:3] in DAY_NAMES and len(word) >= 3:
            days.add(DAY_NAMES.index(word[:3]))
        else:
            raise ConfigError(
                f'{where}: expected days like "weekdays", "weekends", "daily" or '
                f'["mon", "thu"], got {item!r}.'
            )
    if not days:
        raise ConfigError(f'{where}: expected at least one day, e.g. "weekdays".')
    return frozenset(days)


def parse_timezone(value: object, where: str) -> ZoneInfo | None:
    name = str(value).strip()
    if not name or name.lower() == "local":
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f'{where}: unknown time zone {name!r}; use a name like "Europe/Berlin" or '
            '"America/New_York" (or "local" for this machine\'s).'
        ) from None


def resolve_spec(
    flags: Mapping[str, Any],
    env: Mapping[str, str],
    table: Mapping[str, Any],
    where: str = "sheetsync.toml",
) -> ScheduleSpec:
    """The schedule from flags, then ``SHEETSYNC_SCHEDULE_*``, then ``[schedule]``, else 08:00.

    Each key is resolved on its own; ``at`` and ``every`` exclude each other at
    the level that sets them (a flag ``--every`` replaces a file's ``at``).
    """
    unknown = set(table) - set(ENVIRONMENT)
    if unknown:
        key = sorted(unknown)[0]
        raise ConfigError(
            f"{where}: unknown key '[schedule] {key}'. Known keys here: "
            f"{', '.join(sorted(ENVIRONMENT))}."
        )
    chosen: dict[str, tuple[object, str]] = {}
    layers = (
        ({k: v for k, v in flags.items() if v not in (None, [], "")}, "--{}"),
        (
            {k: env[var] for k, var in ENVIRONMENT.items() if env.get(var)},
            "environment variable {}",
        ),
        (dict(table), where + ": [schedule] {}"),
    )
    for values, label in layers:
        level = {k: v for k, v in values.items() if k in ENVIRONMENT}
        if "at" in level and "every" in level:
            raise ConfigError(
                f"{label.format('at')} and {label.format('every')} both set: a schedule runs "
                "either at times of day or at an interval; keep one."
            )
        for key, value in level.items():
            if key in ("at", "every") and ({"at", "every"} & set(chosen)):
                continue
            chosen.setdefault(key, (value, label.format(_label_key(key, label))))
    spec = ScheduleSpec()
    if "at" in chosen:
        spec = ScheduleSpec(times=parse_times(*chosen["at"]))
    elif "every" in chosen:
        spec = ScheduleSpec(interval=parse_every(*chosen["every"]))
    days = parse_days(*chosen["days"]) if "days" in chosen else spec.days
    tz = parse_timezone(*chosen["timezone"]) if "timezone" in chosen else None
    return ScheduleSpec(times=spec.times, interval=spec.interval, days=days, tz=tz)


def _label_key(key: str, label: str) -> str:
    if label.startswith("environment"):
        return ENVIRONMENT[key]
    return key


# --- the loop ---------------------------------------------------------------------------


class ClockedJob(schedule.Job):
    """A ``schedule`` job run by an injected clock, at the times :func:`next_run` gives."""

    def __init__(self, scheduler: schedule.Scheduler, spec: ScheduleSpec, clock: Clock):
        super().__init__(1, scheduler)
        self.unit = "days"  # for the package's repr only; next_run below decides
        self.spec = spec
        self.clock = clock
        self.anchor = clock()

    def _schedule_next_run(self) -> None:
        self.next_run = next_run(self.spec, self.clock(), anchor=self.anchor)

    @property
    def should_run(self) -> bool:
        assert self.next_run is not None
        return self.clock() >= self.next_run

    def run(self) -> Any:
        result = self.job_func() if self.job_func is not None else None
        self.last_run = self.clock()
        self._schedule_next_run()
        return result


class StopFlag:
    """Set by SIGINT/SIGTERM (or by hand); the loop checks it only between runs.

    The signal handler only records the request, so a run in progress is never
    cut in the middle of a write.  :meth:`wait` sleeps in short slices because
    Python resumes ``time.sleep`` after a handler returns (PEP 475).
    """

    def __init__(self, slice_seconds: float = 0.2):
        self.requested: str | None = None
        self.slice = slice_seconds
        self._previous: dict[int, Any] = {}

    def request(self, reason: str = "asked to stop") -> None:
        self.requested = self.requested or reason

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.request(signal.Signals(signum).name)

    def install(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            self._previous[sig] = signal.signal(sig, self._handle)

    def restore(self) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()

    def wait(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while self.requested is None:
            left = end - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(self.slice, left))


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def serve(
    task: Callable[[], object],
    spec: ScheduleSpec,
    *,
    stop: StopFlag,
    clock: Clock = system_clock,
    wait: Callable[[float], None] | None = None,
    max_nap: float = 60.0,
    max_runs: int | None = None,
) -> int:
    """Run ``task`` at the times of ``spec`` until ``stop`` is requested; return the runs made.

    A task that raises is logged and the loop goes on to the next time.  The
    loop naps at most ``max_nap`` seconds at a time, so a clock that jumps (a
    laptop waking from sleep) is noticed within a minute.
    """
    wait = wait or stop.wait
    scheduler = schedule.Scheduler()
    runs = 0

    def guarded() -> None:
        nonlocal runs
        runs += 1
        try:
            task()
        except Exception:
            log.exception("run failed with an unexpected error; the next run is still scheduled")

    job = ClockedJob(scheduler, spec, clock).do(guarded)
    log.info("scheduled %s; next run at %s", spec.describe(), _when(job.next_run, spec))
    while stop.requested is None and (max_runs is None or runs < max_runs):
        before = runs
        scheduler.run_pending()
        if runs != before and stop.requested is None and (max_runs is None or runs < max_runs):
            log.info("next run at %s", _when(job.next_run, spec))
        if stop.requested is not None or (max_runs is not None and runs >= max_runs):
            break
        assert job.next_run is not None
        delay = (job.next_run - clock()).total_seconds()
        if delay > 0:
            wait(min(delay, max_nap))
    return runs


def _when(moment: dt.datetime | None, spec: ScheduleSpec) -> str:
    if moment is None:
        return "never"
    return _in_zone(moment, spec.tz).isoformat(sep=" ", timespec="seconds")
