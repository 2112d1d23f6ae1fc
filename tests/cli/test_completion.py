"""Shell completion scripts, run in the real shells (bash, zsh and fish from Debian)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sheetsync.cli.main import build_parser, main

from ..conftest import REPO


def _script(shell: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    assert main(["completion", shell]) == 0
    path = tmp_path / f"sheetsync.{shell}"
    path.write_text(capsys.readouterr().out, encoding="utf-8")
    return path


def _shell(name: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is not installed: tests/setup.sh installs it"
    return found


def _bash_complete(script: Path, *words: str) -> list[str]:
    line = " ".join(f"'{w}'" for w in words)
    proc = subprocess.run(
        [
            _shell("bash"),
            "-c",
            f"source {script}; COMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; "
            'COMPREPLY=(); _sheetsync; printf "%s\\n" "${COMPREPLY[@]}"',
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return [w for w in proc.stdout.splitlines() if w]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        pytest.param(["sheetsync", "r"], ["run"], id="command"),
        pytest.param(["sheetsync", "-q", "st"], ["status"], id="after-a-global-flag"),
        pytest.param(["sheetsync", "run", "--dry"], ["--dry-run"], id="option"),
        pytest.param(["sheetsync", "run", "--log-format", "j"], ["json"], id="choice"),
        pytest.param(["sheetsync", "completion", ""], ["bash", "zsh", "fish"], id="argument"),
        pytest.param(["sheetsync", "--ver"], ["--version"], id="global"),
    ],
)
def test_bash_completes(
    words: list[str], expected: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _bash_complete(_script("bash", tmp_path, capsys), *words) == expected


def test_bash_completes_files_for_a_sheet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    script = _script("bash", tmp_path, capsys)
    (tmp_path / "contacts.xlsx").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    assert _bash_complete(script, "sheetsync", "run", "--sheet", "cont") == ["contacts.xlsx"]


def test_fish_completes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = _script("fish", tmp_path, capsys)

    def complete(line: str) -> list[str]:
        proc = subprocess.run(
            [_shell("fish"), "--no-config", "-c", f"source {script}; complete -C '{line}'"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        return [row.split("\t")[0] for row in proc.stdout.splitlines()]

    assert complete("sheetsync ru") == ["run"]
    assert complete("sheetsync run --dry") == ["--dry-run"]
    assert sorted(complete("sheetsync run --log-format ")) == ["json", "text"]
    assert "--timezone" not in complete("sheetsync cron --"), "cron refuses it: not offered"
    assert "--timezone" in complete("sheetsync schedule --")


def test_zsh_script_loads_and_registers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = _script("zsh", tmp_path, capsys)
    proc = subprocess.run(
        [
            _shell("zsh"),
            "-fc",
            "autoload -U compinit; compinit -u -D; "
            f"source {script}; print -r -- $_comps[sheetsync]",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert proc.stdout.strip() == "_sheetsync" and proc.stderr == ""
    text = script.read_text(encoding="utf-8")
    for name in build_parser().commands():
        assert f"        {name})" in text and f"'{name}:" in text


def test_every_command_and_option_is_in_every_script(capsys: pytest.CaptureFixture[str]) -> None:
    """Generated from the parser: a new option cannot be forgotten."""
    for shell in ("bash", "zsh", "fish"):
        assert main(["completion", shell]) == 0
        text = capsys.readouterr().out
        for name, parser in build_parser().commands().items():
            assert name in text
            for action in parser._actions:
                for option in action.option_strings:
                    if action.help != "==SUPPRESS==" and option.startswith("--"):
                        assert option[2:] in text, (shell, name, option)


def test_completion_as_a_process() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sheetsync", "completion", "bash"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=True,
    )
    assert proc.stdout.startswith("# sheetsync completion for bash")


def test_completion_help_says_how_to_install(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["completion", "--help"])
    out = capsys.readouterr().out
    assert "examples:" in out and "sheetsync completion bash" in out
    assert "~/.config/fish/completions/sheetsync.fish" in out
