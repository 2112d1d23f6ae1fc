"""The command line people expect: suggestions, --quiet, and flags that do what they say.

Every test runs the real command, through main([...]) or as a process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sheetsync import __version__
from sheetsync.cli.main import main

from ..conftest import REPO

TODAY = ["--today", "2026-11-22"]


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        pytest.param(["rnu"], "did you mean 'run'?", id="command"),
        pytest.param(["stauts"], "did you mean 'status'?", id="command-swap"),
        pytest.param(["run", "--dry-rnu"], "did you mean '--dry-run'?", id="option"),
        pytest.param(["run", "--drafs=x"], "did you mean '--drafts'?", id="option-with-value"),
        pytest.param(["--quite", "status"], "did you mean '--quiet'?", id="global-option"),
        pytest.param(["run", "--log-format", "jsn"], "did you mean 'json'?", id="choice"),
    ],
)
def test_a_typo_gets_a_suggestion(
    argv: list[str], hint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert hint in captured.err and captured.err.startswith("usage: sheetsync")
    assert captured.out == ""


def test_no_suggestion_for_something_unlike_any_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["xyzzy"]) == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'xyzzy'" in err and "did you mean" not in err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"sheetsync {__version__}"


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["run", "--json", "--today", "22/11/2026"], id="bad-value"),
        pytest.param(["status", "--json", "--bogus"], id="unknown-option"),
        pytest.param(["run", "--jso", "--jobs", "0"], id="abbreviated-json"),
    ],
)
def test_a_json_usage_error_answers_on_stdout(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["ok"] is False
    assert data["error"]["exit_code"] == 2 and data["error"]["type"] == "CommandLineError"
    assert data["error"]["message"] in captured.err


def test_quiet_prints_nothing_but_errors(example_xlsx: Path, tmp_path: Path) -> None:
    def sheetsync(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "sheetsync", *argv],
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=120,
            check=False,
        )

    loud = sheetsync("status", "--sheet", str(example_xlsx), *TODAY)
    assert loud.returncode == 0 and loud.stdout, loud.stderr
    for argv in (["--quiet", "status"], ["status", "-q"]):
        quiet = sheetsync(*argv, "--sheet", str(example_xlsx), *TODAY)
        assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    broken = sheetsync("-q", "status", "--sheet", str(tmp_path / "missing.xlsx"))
    assert broken.returncode == 4 and broken.stdout == ""
    assert broken.stderr.startswith("sheetsync: ") and "missing.xlsx" in broken.stderr
    # what was asked for by name still comes out
    data = sheetsync("status", "-q", "--json", "--sheet", str(example_xlsx), *TODAY)
    assert json.loads(data.stdout)["contacts"] == 30


def test_quiet_and_verbose_contradict(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-q", "status", "-v"]) == 2
    assert "--quiet and --verbose contradict" in capsys.readouterr().err


# --- flags that were accepted and then ignored --------------------------------------------


def test_init_json(example_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "s.toml"
    argv = ["init", "--sheet", str(example_csv), "--write", str(target), "--json"]
    assert main([*argv, "--locale", "en_GB"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["config"] == str(target) and target.exists()
    assert data["header_row"] >= 1 and data["sheet"].startswith("contacts.csv")
    assert data["columns"]["name"] == "Name" and "last_interaction" in data["columns"]
    assert set(data) == {
        "config", "sheet", "header_row", "columns", "missing", "required_missing", "warnings"
    }
    assert data["required_missing"] == []
    assert 'locale = "en_GB"' in target.read_text(encoding="utf-8"), "--locale is written"


@pytest.mark.parametrize("command", ["init", "cron"])
def test_today_is_not_offered_where_it_would_do_nothing(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command, *TODAY]) == 2
    assert "unrecognized arguments: --today" in capsys.readouterr().err


def _cron_config(tmp_path: Path, sheet: Path) -> Path:
    config = tmp_path / "sheetsync.toml"
    config.write_text(f'sheet = "{sheet}"\n[schedule]\nat = ["07:30"]\n', encoding="utf-8")
    return config


def test_cron_json(example_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    crontab = tmp_path / "crontab"
    base = ["cron", "--config", str(_cron_config(tmp_path, example_csv)), "--json"]
    base += ["--crontab-file", str(crontab)]

    assert main(base) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["action"] == "print" and shown["crontab"] is None and not shown["changed"]
    (line,) = shown["lines"]
    assert line.startswith("30 7 * * * ") and shown["schedule"] == "at 07:30"
    assert not crontab.exists()

    assert main([*base, "--install"]) == 0
    installed = json.loads(capsys.readouterr().out)
    assert installed["changed"] and installed["crontab"] == str(crontab)
    assert crontab.read_text(encoding="utf-8") == line + "\n"
    assert main([*base, "--install"]) == 0
    assert json.loads(capsys.readouterr().out)["changed"] is False

    assert main([*base, "--remove"]) == 0
    removed = json.loads(capsys.readouterr().out)
    assert (removed["action"], removed["changed"], removed["lines"]) == ("remove", True, [line])
    assert set(removed) == {
        "action",
        "crontab",
        "changed",
        "schedule",
        "lines",
        "log_file",
        "notes",
    }


def test_cron_refuses_a_timezone_it_cannot_honour(
    example_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    crontab = tmp_path / "crontab"
    config = _cron_config(tmp_path, example_csv)
    argv = ["cron", "--config", str(config), "--timezone", "Asia/Tokyo", "--install"]
    assert main([*argv, "--crontab-file", str(crontab)]) == 2
    err = capsys.readouterr().err
    assert "cron cannot honour --timezone Asia/Tokyo" in err
    assert "sheetsync schedule --timezone Asia/Tokyo" in err
    assert not crontab.exists()


def test_every_speaks_one_duration_language(
    example_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["cron", "--config", str(_cron_config(tmp_path, example_csv)), "--json"]
    assert main([*base, "--every", "3m"]) == 3
    assert 'write "3 minutes" or "3 months"' in capsys.readouterr().err
    assert main([*base, "--every", "90 minutes"]) == 3  # read, but cron cannot run it
    assert "cron cannot run every 90 minutes" in capsys.readouterr().err
    assert main([*base, "--every", "2 weeks"]) == 3
    assert "cron cannot run every 2 weeks" in capsys.readouterr().err
    assert main([*base, "--every", "1 day"]) == 0
    assert json.loads(capsys.readouterr().out)["lines"][0].startswith("0 0 * * * ")


# --- tables and colour ---------------------------------------------------------------------

WIDE_NAMES = ["李小龍", "Zoë 👩‍💻 Okafor", "Ana 🇵🇹 Souza", "Ｆｕｌｌ Ｗｉｄｔｈ"]


@pytest.fixture
def wide_csv(tmp_path: Path) -> Path:
    sheet = tmp_path / "wide.csv"
    rows = ["Name,Email,Tier,Last contacted,What,Last in person"]
    rows += [
        f"{name},p{i}@example.com,A,2025-0{i + 1}-10,a long talk about {name} " + "x" * 60 + ","
        for i, name in enumerate(WIDE_NAMES)
    ]
    sheet.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return sheet


class _Terminal:
    """A stdout that says it is a terminal, as the table code asks."""

    def __init__(self) -> None:
        import io

        self.buffer = io.StringIO()

    def write(self, text: str) -> int:
        return self.buffer.write(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_the_table_fits_the_terminal_with_wide_characters(
    wide_csv: Path, columns: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sheetsync.cli.output import cells

    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setenv("NO_COLOR", "1")
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    assert main(["status", "--sheet", str(wide_csv), *TODAY]) == 0
    lines = terminal.buffer.getvalue().splitlines()
    table = [line for line in lines if line.startswith("  ")]
    assert len(table) == 1 + len(WIDE_NAMES)
    assert all(cells(line) <= columns for line in table), [cells(x) for x in table]
    # the Status column starts at the same terminal cell on every line, emoji or not
    starts = set()
    for line in table[1:]:
        status = next(s for s in ("lapsed", "overdue", "due soon", "ok") if f"  {s}" in line)
        starts.add(cells(line[: line.index(f"  {status}")]))
    assert len(starts) == 1, table
    shown = "\n".join(table)
    assert "李小龍" in shown and "👩‍💻" in shown, "short wide names are not clipped"


def test_colour_honours_no_color_and_force_color(wide_csv: Path) -> None:
    def status(**env: str) -> str:
        import os

        environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
        proc = subprocess.run(
            [sys.executable, "-m", "sheetsync", "status", "--sheet", str(wide_csv), *TODAY],
            capture_output=True,
            text=True,
            cwd=REPO,
            env={**environ, **env},
            timeout=120,
            check=True,
        )
        return proc.stdout

    assert "\x1b[" not in status(), "a pipe gets no colour"
    assert "\x1b[" in status(FORCE_COLOR="1")
    assert "\x1b[" not in status(FORCE_COLOR="0")
    assert "\x1b[" not in status(FORCE_COLOR="1", NO_COLOR="1"), "NO_COLOR wins"


def test_a_cell_cannot_send_escape_sequences_to_the_terminal(tmp_path: Path) -> None:
    from sheetsync.cli.output import table

    (line,) = table([["Eve\x1b]0;pwned\x07"]], ["Name"], widths=[30])[1:]
    assert "\x1b" not in line and "\x07" not in line


def test_help_starts_without_heavy_libraries() -> None:
    """--help stays fast (bench/bench_help.py times it) because it imports none of these."""
    heavy = ("pandas", "openpyxl", "jinja2", "gspread", "google.auth", "requests", "wcwidth")
    heavy += ("schedule", "matplotlib")
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys\nfrom sheetsync.cli.main import main\n"
            "for argv in (['--help'], ['run', '--help'], ['cron', '--help']):\n"
            "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
            f"print(sorted(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=True,
    )
    assert proc.stderr.strip() == "[]"
