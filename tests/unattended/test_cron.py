"""`sheetsync cron`: the line, its absolute paths, and idempotent install/remove on a temp file.

The machine's own crontab is never touched: every test passes --crontab-file.
One test runs the line's command with a shell, as cron would, including the
overlapping case where the lock is already held.
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from sheetsync.cli.main import main
from sheetsync.config import Config
from sheetsync.errors import ConfigError
from sheetsync.unattended.cron import CronJob, cron_times, install, remove
from sheetsync.unattended.locking import sheet_lock
from sheetsync.unattended.scheduler import ScheduleSpec, parse_days

from ..conftest import REPO
from ..logstate import restore_logging  # noqa: F401


@pytest.fixture(autouse=True)
def private_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    state = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    return state


def spec(*times: str, every: dt.timedelta | None = None, days: str = "daily") -> ScheduleSpec:
    return ScheduleSpec(
        times=tuple(dt.time.fromisoformat(t) for t in times) or (dt.time(8),),
        interval=every,
        days=parse_days(days, "t"),
    )


@pytest.mark.parametrize(
    ("schedule", "fields"),
    [
        pytest.param(spec("08:00"), ["0 8 * * *"], id="daily"),
        pytest.param(spec("08:00", "17:00"), ["0 8,17 * * *"], id="same-minute"),
        pytest.param(spec("08:00", "17:30"), ["0 8 * * *", "30 17 * * *"], id="two-lines"),
        pytest.param(spec("07:45", days="weekdays"), ["45 7 * * 1,2,3,4,5"], id="weekdays"),
        pytest.param(spec("09:00", days="sun,sat"), ["0 9 * * 0,6"], id="sunday-is-0"),
        pytest.param(spec(every=dt.timedelta(hours=6)), ["0 */6 * * *"], id="hours"),
        pytest.param(spec(every=dt.timedelta(hours=1)), ["0 * * * *"], id="hourly"),
        pytest.param(spec(every=dt.timedelta(days=1)), ["0 0 * * *"], id="daily-interval"),
        pytest.param(spec(every=dt.timedelta(minutes=15)), ["*/15 * * * *"], id="minutes"),
    ],
)
def test_cron_time_fields(schedule: ScheduleSpec, fields: list[str]) -> None:
    assert cron_times(schedule) == fields


@pytest.mark.parametrize(
    "every",
    [dt.timedelta(seconds=30), dt.timedelta(minutes=90), dt.timedelta(hours=5)],
    ids=["seconds", "90-minutes", "5-hours"],
)
def test_intervals_cron_cannot_express_say_so(every: dt.timedelta) -> None:
    with pytest.raises(ConfigError, match="sheetsync schedule"):
        cron_times(spec(every=every))


def test_the_line_has_absolute_paths_and_escapes_percent(tmp_path: Path) -> None:
    job = CronJob(
        python=Path("/opt/venv/bin/python"),
        workdir=tmp_path / "my 100% folder",
        run_args=("--config", str(tmp_path / "my 100% folder" / "sheetsync.toml")),
        log_file=tmp_path / "log" / "sheetsync.log",
        key="contacts.xlsx-0123456789",
    )
    (line,) = job.lines(spec("08:00"))
    assert line.startswith("0 8 * * * cd ")
    assert line.endswith(" # sheetsync:contacts.xlsx-0123456789")
    assert "100%" not in line and "100\\%" in line, "cron would turn a bare % into a newline"
    command = job.command()
    words = shlex.split(command)
    assert words[:3] == ["cd", str(tmp_path / "my 100% folder"), "&&"]
    assert words[3:7] == ["/opt/venv/bin/python", "-m", "sheetsync", "run"]
    assert words[-3:] == [">>", str(tmp_path / "log" / "sheetsync.log"), "2>&1"]


def test_install_and_remove_are_pure_and_idempotent() -> None:
    mine = ["0 8 * * * run-it # sheetsync:abc"]
    others = "MAILTO=me@example.com\n30 2 * * * backup.sh\n"
    once = install(others, mine, "# sheetsync:abc")
    assert once == others + mine[0] + "\n"
    assert install(once, mine, "# sheetsync:abc") == once
    changed = install(once, ["0 9 * * * run-it # sheetsync:abc"], "# sheetsync:abc")
    assert changed.count("# sheetsync:abc") == 1 and "0 9 * * *" in changed
    assert install(changed, ["x # sheetsync:other"], "# sheetsync:other").count("sheetsync:") == 2
    assert remove(changed, "# sheetsync:abc") == others
    assert remove(others, "# sheetsync:abc") == others
    assert remove(mine[0] + "\n", "# sheetsync:abc") == ""


def _config(tmp_path: Path, example_csv: Path, schedule: str = 'at = "08:00"') -> Path:
    config = tmp_path / "sheetsync.toml"
    config.write_text(
        f'sheet = "{example_csv.name}"\n\n[drafts]\nfolder = "drafts"\n\n[schedule]\n{schedule}\n',
        encoding="utf-8",
    )
    return config


def test_cron_prints_a_line_with_absolute_paths(
    example_csv: Path,
    tmp_path: Path,
    private_state: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = _config(tmp_path, example_csv, 'at = ["07:30"]\ndays = "weekdays"')
    monkeypatch.chdir(REPO)
    assert main(["cron", "--config", os.path.relpath(config)]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    fields, command = line[: len("30 7 * * 1,2,3,4,5")], line[len("30 7 * * 1,2,3,4,5 ") :]
    assert fields == "30 7 * * 1,2,3,4,5"
    words = shlex.split(command.split(" # sheetsync:")[0])
    assert words[:2] == ["cd", str(tmp_path)]
    assert words[3] == str(Path(sys.executable).absolute())
    assert words[4:7] == ["-m", "sheetsync", "run"]
    assert words[words.index("--config") + 1] == str(config)
    assert words[words.index("--log-format") + 1] == "text"
    log = Path(words[words.index(">>") + 1])
    assert log == private_state / "sheetsync" / "sheetsync.log" and log.parent.is_dir()
    assert all(Path(w).is_absolute() for w in (words[1], words[3], str(config), str(log)))


def test_install_and_remove_are_idempotent_on_a_crontab_file(
    example_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, example_csv)
    crontab = tmp_path / "crontab"
    crontab.write_text("MAILTO=sam@example.com\n15 3 * * * /usr/bin/backup\n", encoding="utf-8")
    base = ["cron", "--config", str(config), "--crontab-file", str(crontab)]

    assert main([*base, "--install"]) == 0
    assert "Installed in" in capsys.readouterr().out
    first = crontab.read_text()
    assert first.startswith("MAILTO=sam@example.com\n15 3 * * * /usr/bin/backup\n")
    assert first.count("-m sheetsync run") == 1

    assert main([*base, "--install"]) == 0
    assert "no change" in capsys.readouterr().out
    assert crontab.read_text() == first

    assert main([*base, "--install", "--every", "2 hours"]) == 0
    capsys.readouterr()
    replaced = crontab.read_text()
    assert replaced.count("-m sheetsync run") == 1 and "0 */2 * * *" in replaced

    assert main([*base, "--remove"]) == 0
    assert "Removed" in capsys.readouterr().out
    assert crontab.read_text() == "MAILTO=sam@example.com\n15 3 * * * /usr/bin/backup\n"
    assert main([*base, "--remove"]) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert crontab.read_text() == "MAILTO=sam@example.com\n15 3 * * * /usr/bin/backup\n"


def test_install_and_remove_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cron", "--install", "--remove"]) == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_cron_warns_about_environment_it_will_not_see(
    example_csv: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SHEETSYNC_GOOGLE_CREDENTIALS", "adc")
    assert main(["cron", "--config", str(_config(tmp_path, example_csv))]) == 0
    assert "cron will not see SHEETSYNC_GOOGLE_CREDENTIALS" in capsys.readouterr().err


def _run_line_as_cron_would(line: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    command = line.split(" ", 5)[5].replace("\\%", "%")
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PYTHONPATH": str(REPO),
        "XDG_STATE_HOME": os.environ["XDG_STATE_HOME"],
    }
    return subprocess.run(
        ["/bin/sh", "-c", command],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_installed_line_runs_and_overlap_exits_quietly(
    example_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, example_csv)
    log = tmp_path / "logs" / "sheetsync.log"
    args = ["cron", "--config", str(config), "--log-file", str(log)]
    assert main(args) == 0
    (line,) = capsys.readouterr().out.splitlines()

    # cron's bare environment, the home folder as working directory
    lock = sheet_lock(Config(sheet=str(example_csv)))
    assert lock.acquire()
    try:
        overlapping = _run_line_as_cron_would(line, tmp_path)
    finally:
        lock.release()
    assert overlapping.returncode == 0, overlapping.stderr
    assert "run skipped" in log.read_text() and "another sheetsync run" in log.read_text()
    assert not (tmp_path / "drafts").exists(), "the overlapping run wrote nothing"

    done = _run_line_as_cron_would(line, tmp_path)
    assert done.returncode == 0, done.stderr
    last = log.read_text().splitlines()[-1]
    assert " INFO run ok: contacts.csv: 30 contacts read" in last
    assert (tmp_path / "drafts").is_dir() or " 0 drafts made" in last
