"""The sheetsync command, run for real through main([...]) and once as a process."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from sheetsync.cli.main import build_parser, main
from sheetsync.config import load_config

from ..conftest import REPO

TODAY = ["--today", "2026-11-22"]
COMMANDS = ["run", "status", "preview", "init"]
COMMANDS += ["schedule", "cron"]  # running unattended
COMMANDS += ["import", "log"]  # bringing contacts in, logging an interaction


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out and f"sheetsync {command}" in out
    assert "--sheet" in out and "--config" in out


def test_top_level_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert all(c in out for c in COMMANDS) and "examples:" in out


def test_parser_knows_every_command() -> None:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert sorted(sub.choices) == sorted([*COMMANDS, "completion"])  # type: ignore[arg-type]


def test_run_writes_copy_and_drafts(
    example_xlsx: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = example_xlsx.read_bytes()
    out = tmp_path / "out" / "contacts.xlsx"
    code = main(
        [
            "run",
            "--sheet",
            str(example_xlsx),
            "--output",
            str(out),
            "--drafts",
            str(tmp_path / "drafts"),
            *TODAY,
        ]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "30 contacts" in text and "5 drafts made" in text and "rows to check" in text
    assert example_xlsx.read_bytes() == original, "--output leaves the sheet itself alone"
    assert out.exists() and len(list((tmp_path / "drafts").glob("*.eml"))) == 5


def test_run_json_fields(
    example_xlsx: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["run", "--sheet", str(example_xlsx), "--drafts", str(tmp_path / "d"), "--json", *TODAY]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {
        "sheet",
        "today",
        "dry_run",
        "contacts",
        "statuses",
        "cells_written",
        "drafts",
        "rows",
        "changes",
        "warnings",
        "written_to",
        "destination",
    }
    assert data["contacts"] == 30 and data["drafts"]["created"] == 5
    row = data["rows"][0]
    assert set(row) >= {
        "row",
        "name",
        "status",
        "score",
        "days_since",
        "next_followup",
        "in_person_due",
        "tier",
        "action",
        "subject",
        "draft",
        "note",
    }
    again = main(
        ["run", "--sheet", str(example_xlsx), "--drafts", str(tmp_path / "d"), "--json", *TODAY]
    )
    data2 = json.loads(capsys.readouterr().out)
    assert again == 0 and data2["cells_written"] == 0 and data2["drafts"]["created"] == 0


def test_dry_run_touches_nothing(
    example_xlsx: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = example_xlsx.read_bytes()
    code = main(
        ["run", "--sheet", str(example_xlsx), "--drafts", str(tmp_path / "d"), "--dry-run", *TODAY]
    )
    out = capsys.readouterr().out
    assert code == 0 and example_xlsx.read_bytes() == original
    assert not (tmp_path / "d").exists()
    assert (
        "Dry run" in out and "Cells that would change" in out and "Drafts that would be made" in out
    )
    assert "M3 Status" in out


def test_status_is_read_only(example_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    original = example_csv.read_bytes()
    assert main(["status", "--sheet", str(example_csv), "--json", *TODAY]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["contacts"] == 30 and data["rows"][0]["action"] == "to draft"
    assert main(["status", "--sheet", str(example_csv), "--all", *TODAY]) == 0
    assert "Ahmed Hassan" in capsys.readouterr().out
    assert example_csv.read_bytes() == original


def test_preview(example_xlsx: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preview", "zoe", "--sheet", str(example_xlsx), *TODAY]) == 0
    out = capsys.readouterr().out
    assert "Subject:" in out and "Hi Zoë" in out and "first_followup" in out
    assert (
        main(
            [
                "preview",
                "Zoë Müller",
                "--sheet",
                str(example_xlsx),
                "--template",
                "reconnect",
                *TODAY,
            ]
        )
        == 0
    )
    assert "It's been too long" in capsys.readouterr().out


def test_preview_ambiguous_and_unknown(
    example_xlsx: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["preview", "o", "--sheet", str(example_xlsx), *TODAY]) == 2
    assert "could mean" in capsys.readouterr().err
    assert main(["preview", "Nobody Atall", "--sheet", str(example_xlsx), *TODAY]) == 2
    assert "no contact named" in capsys.readouterr().err


def test_init_writes_a_config_that_works(
    example_xlsx: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "sheetsync.toml"
    assert main(["init", "--sheet", str(example_xlsx), "--write", str(target)]) == 0
    assert "Last contacted" in capsys.readouterr().out
    config = load_config(str(target), env={})
    assert config.columns["last_interaction"] == "Last contacted"
    assert config.columns["last_in_person"] == "Last met in person"
    assert config.sheet == str(example_xlsx) and config.tab == "Network"
    assert main(["init", "--sheet", str(example_xlsx), "--write", str(target)]) == 3
    assert "already exists" in capsys.readouterr().err
    assert main(["run", "--config", str(target), "--dry-run", *TODAY]) == 0


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        pytest.param(["run", "--sheet", "/nonexistent/c.xlsx"], 4, "No file at", id="missing-file"),
        pytest.param(["run"], 3, "No sheet to work on", id="no-sheet"),
        pytest.param(["run", "--sheet", "c.ods"], 4, "known file endings", id="unknown-kind"),
        pytest.param(
            ["run", "--config", "/nonexistent/s.toml"], 3, "does not exist", id="no-config"
        ),
    ],
)
def test_errors_have_messages_and_codes(
    args: list[str],
    code: int,
    fragment: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(args) == code
    err = capsys.readouterr().err
    assert err.startswith("sheetsync: ") and fragment in err
    assert "Traceback" not in err


def test_missing_column_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = tmp_path / "c.csv"
    sheet.write_text("Name,Last contactd,What,Last in person\nAda,2026-01-01,x,\n")
    assert main(["run", "--sheet", str(sheet), *TODAY]) == 4
    assert "Did you mean 'Last contactd'" in capsys.readouterr().err


def test_bad_today_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--today", "22/11/2026"]) == 2
    assert "expected a date like 2026-11-22" in capsys.readouterr().err


def test_quiet_summary_when_not_a_terminal(example_xlsx: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sheetsync",
            "run",
            "--sheet",
            str(example_xlsx),
            "--drafts",
            str(tmp_path / "d"),
            *TODAY,
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("sheetsync: contacts.xlsx › Network: 30 contacts")
    assert all(line.startswith("sheetsync: ") for line in lines)
    assert "\x1b[" not in proc.stdout


def test_the_demo_makes_drafts_a_person_would_send(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """README's demo: the example's config says who the user is, so every draft has a From
    header and a sign-off."""
    import email
    import shutil

    examples = tmp_path / "examples"
    examples.mkdir()
    for name in ("contacts.xlsx", "sheetsync.toml"):
        shutil.copy(REPO / "examples" / name, examples / name)
    args = ["run", "--config", str(examples / "sheetsync.toml")]
    args += ["--output", str(tmp_path / "demo" / "contacts.xlsx"), *TODAY]
    assert main(args) == 0
    assert "5 drafts made" in capsys.readouterr().out
    drafts = sorted((tmp_path / "demo" / "drafts").glob("*.eml"))
    assert len(drafts) == 5
    for path in drafts:
        msg = email.message_from_bytes(path.read_bytes())
        assert msg["From"] == "Sam Rivera <sam.rivera@example.com>" and msg["To"]
        assert msg.get_payload().rstrip().endswith("https://samrivera.example.com")


def test_on_a_terminal_the_run_shows_one_draft_in_full(tmp_path: Path) -> None:
    import io

    from sheetsync.app import run
    from sheetsync.cli.output import render_run
    from sheetsync.config import load_config
    from sheetsync.sheets import XlsxSheet

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    config = load_config(str(REPO / "examples" / "sheetsync.toml"), env={})
    result = run(
        config,
        sheet=XlsxSheet(REPO / "examples" / "contacts.xlsx", tab="Network"),
        today=dt.date(2026, 11, 22),
        dry_run=True,
    )
    out = Terminal()
    render_run(result, out)
    shown = out.getvalue().split("The first draft that would be made:\n", 1)[1]
    first = result.drafts[0]
    assert f"Subject: {first.subject}" in shown and "https://samrivera.example.com" in shown


def test_init_always_writes_a_config_that_says_what_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A sheet whose date column is misspelled and which has no 'what' column still gets a
    config: the optional role set to "" with its consequence, the required one as a
    commented line naming the closest header (never one another role has)."""
    sheet = tmp_path / "people.csv"
    sheet.write_text("Name,Last contactd,Email\nAda,2026-01-01,ada@x.org\n", encoding="utf-8")
    target = tmp_path / "sheetsync.toml"
    assert main(["init", "--sheet", str(sheet), "--write", str(target)]) == 0
    out = capsys.readouterr().out
    assert "before running:" in out and "[columns] last_interaction" in out
    text = target.read_text(encoding="utf-8")
    assert "# last_interaction = \"...\"  # REQUIRED" in text and "'Last contactd'" not in text
    assert 'closest: "Last contactd"' in text
    assert 'what = ""  # no what (last discussed) column' in text
    config = load_config(str(target), env={})
    assert config.columns["what"] == "" and "last_interaction" not in config.columns
    text = text.replace('# last_interaction = "..."', 'last_interaction = "Last contactd"  #')
    target.write_text(text, encoding="utf-8")
    assert main(["run", "--config", str(target), "--dry-run", *TODAY]) == 0, "one edit away"
