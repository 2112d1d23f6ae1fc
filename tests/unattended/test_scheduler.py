"""`sheetsync schedule`: the calendar (pure), the loop on an injected clock, the lock, signals.

No test sleeps through real hours: the loop takes a clock and a wait, and the
tests give it a fake pair.  One test runs the real command as a process and
stops it with SIGTERM.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetsync.cli.main import main
from sheetsync.config import Config
from sheetsync.errors import ConfigError
from sheetsync.sheets import CsvSheet
from sheetsync.unattended.locking import RunLock, sheet_key, sheet_lock
from sheetsync.unattended.scheduler import (
    ClockedJob,
    ScheduleSpec,
    StopFlag,
    next_run,
    parse_days,
    parse_every,
    resolve_spec,
    serve,
)

from ..conftest import REPO
from ..logstate import restore_logging  # noqa: F401

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
TODAY = ["--today", "2026-11-22"]


def at(*times: str, days: str = "daily", tz: ZoneInfo | None = PARIS) -> ScheduleSpec:
    return ScheduleSpec(
        times=tuple(dt.time.fromisoformat(t) for t in times),
        days=parse_days(days, "test"),
        tz=tz,
    )


def paris(y: int, mo: int, d: int, h: int, mi: int = 0, s: int = 0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, s, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def private_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Locks and logs go to a folder of the test's own."""
    state = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    return state


# --- the calendar ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "after", "expected"),
    [
        pytest.param(
            at("08:00"), paris(2026, 11, 20, 7, 59), paris(2026, 11, 20, 8), id="later-today"
        ),
        pytest.param(
            at("08:00"), paris(2026, 11, 20, 8), paris(2026, 11, 21, 8), id="exactly-now-is-past"
        ),
        pytest.param(
            at("08:00", "17:30"),
            paris(2026, 11, 20, 9),
            paris(2026, 11, 20, 17, 30),
            id="second-time",
        ),
        pytest.param(
            at("08:00", days="weekdays"),
            paris(2026, 11, 20, 9),
            paris(2026, 11, 23, 8),
            id="fri-to-mon",
        ),
        pytest.param(
            at("08:00", days="sat"),
            paris(2026, 11, 21, 8, 0, 1),
            paris(2026, 11, 28, 8),
            id="weekly",
        ),
        pytest.param(
            # Europe moves to summer time on 29 March 2026: 08:00 stays 08:00 on the wall
            at("08:00"),
            paris(2026, 3, 28, 9),
            dt.datetime(2026, 3, 29, 8, tzinfo=PARIS),
            id="dst-spring",
        ),
        pytest.param(
            # 02:30 does not exist that night: the run happens just after the jump, at 03:30
            at("02:30"),
            paris(2026, 3, 28, 9),
            dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC),
            id="dst-gap",
        ),
        pytest.param(
            # New York's 08:00 is 14:00 in Paris
            at("08:00", tz=NEW_YORK),
            paris(2026, 11, 20, 13),
            paris(2026, 11, 20, 14),
            id="other-zone",
        ),
    ],
)
def test_next_run_at_times(spec: ScheduleSpec, after: dt.datetime, expected: dt.datetime) -> None:
    got = next_run(spec, after)
    assert got == expected
    assert got.astimezone(dt.UTC) == expected.astimezone(dt.UTC)


def test_next_run_every_keeps_to_its_grid() -> None:
    spec = ScheduleSpec(interval=dt.timedelta(hours=6))
    anchor = paris(2026, 11, 20, 10)
    assert next_run(spec, anchor, anchor=anchor) == paris(2026, 11, 20, 16)
    assert next_run(spec, paris(2026, 11, 20, 15), anchor=anchor) == paris(2026, 11, 20, 16)
    # a run that overran a slot does not make the loop catch up: the next slot after now
    assert next_run(spec, paris(2026, 11, 20, 16, 0, 1), anchor=anchor) == paris(2026, 11, 20, 22)


def test_next_run_every_skips_days_off() -> None:
    spec = ScheduleSpec(interval=dt.timedelta(hours=8), days=parse_days("weekdays", "t"), tz=PARIS)
    anchor = paris(2026, 11, 20, 9)  # a Friday
    assert next_run(spec, paris(2026, 11, 20, 22), anchor=anchor) == paris(2026, 11, 23, 1)


def test_next_run_needs_an_aware_time() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_run(at("08:00"), dt.datetime(2026, 1, 1))


@settings(max_examples=200, deadline=None)
@given(
    times=st.lists(st.times(), min_size=1, max_size=4),
    days=st.sets(st.integers(0, 6), min_size=1),
    zone=st.sampled_from(["Europe/Paris", "America/New_York", "Asia/Kolkata", "UTC"]),
    after=st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 1, 1)),
)
def test_next_run_is_the_first_scheduled_moment_after(
    times: list[dt.time], days: set[int], zone: str, after: dt.datetime
) -> None:
    tz = ZoneInfo(zone)
    spec = ScheduleSpec(
        times=tuple(t.replace(second=0, microsecond=0) for t in times),
        days=frozenset(days),
        tz=tz,
    )
    moment = after.replace(tzinfo=dt.UTC)
    got = next_run(spec, moment)
    assert got > moment
    assert got - moment <= dt.timedelta(days=8)
    local = got.astimezone(tz)
    assert local.weekday() in spec.days
    # nothing scheduled in between: asking from just before the answer gives the answer
    assert next_run(spec, max(moment, got - dt.timedelta(microseconds=1))) == got


# --- reading a schedule -----------------------------------------------------------------


def test_spec_precedence_flag_env_file_default() -> None:
    file = {"at": ["07:00"], "days": "weekdays", "timezone": "Europe/Paris"}
    assert resolve_spec({}, {}, {}).times == (dt.time(8, 0),)
    from_file = resolve_spec({}, {}, file)
    assert from_file.times == (dt.time(7),) and from_file.days == frozenset(range(5))
    env = {"SHEETSYNC_SCHEDULE_EVERY": "2 hours"}
    from_env = resolve_spec({}, env, file)
    assert from_env.interval == dt.timedelta(hours=2), "env's every replaces the file's at"
    assert from_env.tz == PARIS and from_env.days == frozenset(range(5))
    flagged = resolve_spec({"at": ["09:15", "18:00"], "days": "sat,sun"}, env, file)
    assert flagged.times == (dt.time(9, 15), dt.time(18)) and flagged.interval is None
    assert flagged.days == frozenset({5, 6})


@pytest.mark.parametrize(
    ("flags", "env", "table", "fragment"),
    [
        pytest.param({}, {}, {"at": "8am"}, "s.toml: [schedule] at: expected times", id="bad-at"),
        pytest.param(
            {}, {}, {"every": "often"}, "[schedule] every: expected an interval", id="every"
        ),
        pytest.param({}, {}, {"days": ["funday"]}, "[schedule] days: expected days", id="days"),
        pytest.param({}, {}, {"timezone": "Mars/Base"}, "unknown time zone", id="zone"),
        pytest.param({}, {}, {"att": "08:00"}, "unknown key '[schedule] att'", id="unknown"),
        pytest.param({}, {}, {"at": "08:00", "every": "1 hour"}, "both set", id="at-and-every"),
        pytest.param(
            {}, {"SHEETSYNC_SCHEDULE_AT": "25:00"}, {}, "SHEETSYNC_SCHEDULE_AT", id="env-named"
        ),
        pytest.param({"every": "0 hours"}, {}, {}, "--every", id="flag-named"),
    ],
)
def test_bad_schedule_names_where(
    flags: dict[str, Any], env: dict[str, str], table: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(ConfigError, match=None) as err:
        resolve_spec(flags, env, table, "s.toml")
    assert fragment in str(err.value)


H, D = dt.timedelta(hours=1), dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("text", "interval"),
    [
        pytest.param("every 30 minutes", dt.timedelta(minutes=30), id="minutes"),
        pytest.param("90 minutes", dt.timedelta(minutes=90), id="90-minutes"),
        pytest.param("2h", 2 * H, id="2h"),
        pytest.param("6 hours", 6 * H, id="hours"),
        pytest.param("1.5 hours", dt.timedelta(minutes=90), id="decimal-hours"),
        pytest.param("hourly", H, id="hourly"),
        pytest.param("every hour", H, id="every-hour"),
        pytest.param("1 day", D, id="day"),
        # the cadence language, as the README promises
        pytest.param("2 weeks", 14 * D, id="weeks"),
        pytest.param("every other week", 14 * D, id="every-other-week"),
        pytest.param("fortnightly", 14 * D, id="fortnightly"),
        pytest.param("monthly", 30 * D, id="monthly"),
        pytest.param("3 months", 90 * D, id="months"),
        pytest.param("3mo", 90 * D, id="3mo"),
        pytest.param("quarterly", 91 * D, id="quarterly"),
    ],
)
def test_every_speaks_the_cadence_language_plus_hours_and_minutes(
    text: str, interval: dt.timedelta
) -> None:
    assert parse_every(text, "x") == interval


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        pytest.param("3m", 'write "3 minutes" or "3 months"', id="3m"),
        pytest.param("every 3 M", 'write "3 minutes" or "3 months"', id="every-3-M"),
        pytest.param("6", 'no unit; write it like "6 hours" or "6 days"', id="bare-number"),
        pytest.param("often", 'like "90 minutes", "6 hours", "2 weeks"', id="unreadable"),
        pytest.param("0 hours", "expected an interval", id="zero"),
        pytest.param("20 years", "expected an interval", id="beyond-a-cadence"),
    ],
)
def test_every_refuses_what_it_cannot_read_for_sure(text: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_every(text, "--every")
    assert str(err.value).startswith("--every: ") and fragment in str(err.value)


def test_an_interval_in_weeks_is_described_in_weeks() -> None:
    assert resolve_spec({"every": "2 weeks"}, {}, {}).describe() == "every 2 weeks"


# --- the loop, on an injected clock ------------------------------------------------------


class FakeTime:
    """A clock and a wait: waiting moves the clock; nothing sleeps."""

    def __init__(self, start: dt.datetime, *, max_waits: int = 10_000):
        self.now = start
        self.waits = 0
        self.max_waits = max_waits

    def clock(self) -> dt.datetime:
        return self.now

    def wait(self, seconds: float) -> None:
        self.waits += 1
        assert self.waits <= self.max_waits, "the loop should have stopped by now"
        self.now += dt.timedelta(seconds=seconds)


def test_scheduler_runs_at_the_right_times_on_an_injected_clock() -> None:
    fake = FakeTime(paris(2026, 11, 20, 7, 0))
    ran: list[dt.datetime] = []
    runs = serve(
        lambda: ran.append(fake.clock()),
        at("08:00", days="weekdays"),
        stop=StopFlag(),
        clock=fake.clock,
        wait=fake.wait,
        max_runs=3,
    )
    assert runs == 3
    assert ran == [paris(2026, 11, 20, 8), paris(2026, 11, 23, 8), paris(2026, 11, 24, 8)]
    minutes = (paris(2026, 11, 24, 8) - paris(2026, 11, 20, 7)) / dt.timedelta(minutes=1)
    assert fake.waits <= minutes + 3, "naps of at most a minute, and no busy loop"


def test_scheduler_is_the_schedule_package_with_our_clock() -> None:
    import schedule

    fake = FakeTime(paris(2026, 11, 20, 7, 0))
    scheduler = schedule.Scheduler()
    job = ClockedJob(scheduler, at("08:00"), fake.clock).do(lambda: None)
    assert scheduler.jobs == [job] and job.next_run == paris(2026, 11, 20, 8)
    scheduler.run_pending()
    assert job.last_run is None, "not yet 08:00 on the injected clock"
    fake.now = paris(2026, 11, 20, 8, 0, 5)
    scheduler.run_pending()
    assert job.last_run == fake.now and job.next_run == paris(2026, 11, 21, 8)


def test_a_failing_run_does_not_stop_the_next(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeTime(paris(2026, 11, 20, 7, 0))
    calls: list[dt.datetime] = []

    def flaky() -> None:
        calls.append(fake.clock())
        if len(calls) == 1:
            raise RuntimeError("the network fell over")

    runs = serve(
        flaky,
        ScheduleSpec(interval=dt.timedelta(hours=1), tz=PARIS),
        stop=StopFlag(),
        clock=fake.clock,
        wait=fake.wait,
        max_runs=3,
    )
    assert runs == 3 and calls == [paris(2026, 11, 20, h) for h in (8, 9, 10)]
    assert "the network fell over" in caplog.text and "next run is still scheduled" in caplog.text


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_signal_during_a_run_lets_it_finish_then_stops(signum: signal.Signals) -> None:
    fake = FakeTime(paris(2026, 11, 20, 7, 0))
    stop = StopFlag()
    finished: list[bool] = []

    def long_run() -> None:
        os.kill(os.getpid(), signum)  # arrives mid-run, as during a write
        finished.append(True)  # ... and the run still completes

    stop.install()
    try:
        runs = serve(
            long_run,
            ScheduleSpec(interval=dt.timedelta(minutes=5)),
            stop=stop,
            clock=fake.clock,
            wait=fake.wait,
        )
    finally:
        stop.restore()
    assert runs == 1 and finished == [True] and stop.requested == signum.name
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL, "handlers are given back"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_stop_flag_wait_returns_early_when_stopped() -> None:
    stop = StopFlag(slice_seconds=0.01)
    stop.request("test")
    start = time.monotonic()
    stop.wait(30)
    assert time.monotonic() - start < 1


# --- overlap: the lock shared with cron ----------------------------------------------------


def test_overlap_is_refused_while_the_lock_is_held(example_csv: Path) -> None:
    config = Config(sheet=str(example_csv))
    first, second = sheet_lock(config), sheet_lock(config)
    assert first.acquire()
    assert not second.acquire(), "a second run on the same sheet is refused"
    assert second.holder() == f"process {os.getpid()}"
    first.release()
    assert second.acquire(), "free again once the first run is done"
    second.release()


def test_lock_key_is_the_sheet_not_the_spelling(
    example_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(example_csv.parent)
    assert sheet_key("contacts.csv") == sheet_key(str(example_csv))
    url = "https://docs.google.com/spreadsheets/d/1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789/edit"
    assert sheet_key(url) == "gsheet-1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"


def test_without_a_writable_state_folder_runs_unguarded(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    lock = sheet_lock(Config(sheet="x.csv"), lock_dir=blocker / "locks")
    assert lock.path is None and lock.acquire()
    lock.release()


def test_scheduled_run_skips_quietly_when_cron_holds_the_lock(
    example_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = example_csv.read_bytes()
    lock = sheet_lock(Config(sheet=str(example_csv)))
    assert lock.acquire()
    try:
        code = main(
            [
                "schedule",
                "--once",
                "--sheet",
                str(example_csv),
                "--drafts",
                str(tmp_path / "d"),
                *TODAY,
            ]
        )
    finally:
        lock.release()
    assert code == 0
    assert "run skipped" in capsys.readouterr().err
    assert example_csv.read_bytes() == before and not (tmp_path / "d").exists()


def test_plain_run_skips_with_a_message_when_locked(
    example_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = example_csv.read_bytes()
    with RunLock(sheet_lock(Config(sheet=str(example_csv))).path) as lock:
        assert lock.acquire()
        code = main(["run", "--sheet", str(example_csv), "--drafts", str(tmp_path / "d"), *TODAY])
    assert code == 0
    assert "this run was skipped" in capsys.readouterr().err
    assert example_csv.read_bytes() == before


# --- --once and the log lines ---------------------------------------------------------------


def test_once_runs_a_single_pass_with_one_summary_line(
    example_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["schedule", "--once", "--sheet", str(example_csv), "--drafts", str(tmp_path / "d")]
    assert main([*args, *TODAY]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1, lines
    assert " INFO run ok: contacts.csv: 30 contacts read, " in lines[0]
    assert "5 drafts made" in lines[0] and "2 rows to check" in lines[0]
    assert len(list((tmp_path / "d").glob("*.eml"))) == 5


def test_json_log_lines_and_verbose_details(
    example_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["schedule", "--once", "--sheet", str(example_csv), "--drafts", str(tmp_path / "d")]
    assert main([*args, "--log-format", "json", "--verbose", *TODAY]) == 0
    records = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    summary = next(r for r in records if r.get("event") == "run")
    assert summary["ok"] is True and summary["contacts"] == 30 and summary["drafts_made"] == 5
    assert summary["severity"] == "INFO" and summary["sheet"] == "contacts.csv"
    assert {"cells_written", "warnings", "seconds", "time"} <= set(summary)
    details = [r["message"] for r in records if r.get("event") != "run"]
    assert any(m.startswith("draft for ") for m in details)
    assert any(m.startswith("check row ") for m in details)


def test_failed_run_is_one_error_line_with_its_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "gone.csv"
    assert main(["schedule", "--once", "--sheet", str(missing), "--log-format", "json"]) == 4
    record = json.loads(capsys.readouterr().err.strip())
    assert record["ok"] is False and record["level"] == "ERROR" and record["exit_code"] == 4
    assert "gone.csv" in record["error"]


def test_schedule_reads_its_times_from_the_config(
    example_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "sheetsync.toml"
    config.write_text(f'sheet = "{example_csv.name}"\n[schedule]\nat = "8:61"\n', encoding="utf-8")
    assert main(["schedule", "--config", str(config)]) == 3
    assert f"{config}: [schedule] at: expected times" in capsys.readouterr().err


# --- the real process, stopped by SIGTERM --------------------------------------------------


def _wait_for(predicate: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_sigterm_stops_the_real_process_between_runs(example_csv: Path, tmp_path: Path) -> None:
    err = tmp_path / "stderr.log"
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"), "PYTHONPATH": str(REPO)}
    cmd = [
        sys.executable,
        "-m",
        "sheetsync",
        "schedule",
        "--sheet",
        str(example_csv),
        "--drafts",
        str(tmp_path / "drafts"),
        "--every",
        "1 second",
        "--log-format",
        "json",
        *TODAY,
    ]
    with err.open("w") as stderr:
        proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=stderr, cwd=tmp_path, env=env
        )
        try:
            ran = _wait_for(lambda: err.read_text().count('"event": "run"') >= 2, timeout=60)
            assert ran, err.read_text()
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
    records = [json.loads(line) for line in err.read_text().splitlines()]
    assert code == 0, records
    runs = [r for r in records if r.get("event") == "run"]
    stopped = records[-1]
    assert stopped["event"] == "stopped" and stopped["reason"] == "SIGTERM"
    assert stopped["runs"] == len(runs) >= 2, "every run that started was finished and logged"
    assert all(r["ok"] for r in runs)
    grid = CsvSheet(example_csv).read()
    assert "Status" in grid[0] and not list(tmp_path.glob("*.tmp")), "the sheet is whole"
