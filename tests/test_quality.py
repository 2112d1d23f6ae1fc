"""The code passes its own linters, and the built package carries the templates."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from .conftest import REPO


def _run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


def test_ruff_is_clean() -> None:
    proc = _run(sys.executable, "-m", "ruff", "check", "sheetsync", "tests", "bench", "examples")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_is_clean() -> None:
    proc = _run(sys.executable, "-m", "mypy")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_wheel_ships_templates(tmp_path: Path) -> None:
    proc = _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-q",
        "-w",
        str(tmp_path),
        str(REPO),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    wheel = next(tmp_path.glob("sheetsync-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {Path(n).name for n in names if n.startswith("sheetsync/templates/")}
    expected = {p.name for p in (REPO / "templates").glob("*.j2")}
    assert expected and expected <= shipped
    assert "sheetsync/py.typed" in names
