"""The core is pure and says so: it imports nothing outside itself but ``errors``, and
nothing that reads files, the network, the environment or the clock."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import REPO

CORE = REPO / "sheetsync" / "core"
#: Standard-library and third-party modules that do I/O or read the clock or environment.
FORBIDDEN_MODULES = {
    "os", "io", "pathlib", "shutil", "tempfile", "glob", "socket", "ssl", "subprocess",
    "urllib.request", "http", "requests", "gspread", "google", "openpyxl", "imaplib",
    "smtplib", "time", "importlib", "fcntl", "sqlite3", "zipfile", "logging", "sys",
    "random", "secrets", "threading", "asyncio", "signal", "uuid",
}  # fmt: skip
#: Calls that read the clock, the environment or a file, whatever module they come from.
FORBIDDEN_CALLS = {"open", "today", "now", "utcnow", "getenv", "read_text", "read_bytes"}


def core_modules() -> list[Path]:
    return sorted(CORE.rglob("*.py"))


def imported_names(tree: ast.AST, path: Path) -> list[tuple[str, int]]:
    names = []
    package = "sheetsync.core"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            names.append((module, node.lineno))
    return names


@pytest.mark.parametrize("path", core_modules(), ids=lambda p: p.name)
def test_core_imports_only_the_core_errors_and_pure_libraries(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = []
    for module, line in imported_names(tree, path):
        if module.startswith("sheetsync"):
            if not (module.startswith("sheetsync.core") or module == "sheetsync.errors"):
                bad.append(f"line {line}: {module}")
        elif module == "__future__":
            continue
        elif any(module == f or module.startswith(f + ".") for f in FORBIDDEN_MODULES):
            bad.append(f"line {line}: {module}")
    assert not bad, f"{path.name} imports outside the pure core: {bad}"


@pytest.mark.parametrize("path", core_modules(), ids=lambda p: p.name)
def test_core_reads_no_clock_environment_or_file(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in FORBIDDEN_CALLS:
                bad.append(f"line {node.lineno}: {name}()")
        if isinstance(node, ast.Attribute) and node.attr == "environ":
            bad.append(f"line {node.lineno}: environ")
    assert not bad, f"{path.name} reaches outside the core: {bad}"


def test_the_checks_catch_what_they_look_for(tmp_path: Path) -> None:
    """The two checks above are not vacuous: a module doing each forbidden thing fails them."""
    sample = tmp_path / "impure.py"
    sample.write_text(
        "import os\nfrom ..config import Config\nimport datetime as dt\n"
        "x = dt.date.today()\ny = os.environ\nz = open('f')\n",
        encoding="utf-8",
    )
    tree = ast.parse(sample.read_text(encoding="utf-8"))
    modules = [m for m, _ in imported_names(tree, sample)]
    assert "os" in modules and "sheetsync.config" in modules
    with pytest.raises(AssertionError):
        test_core_imports_only_the_core_errors_and_pure_libraries(sample)
    with pytest.raises(AssertionError):
        test_core_reads_no_clock_environment_or_file(sample)


def test_importing_the_core_loads_nothing_outside_it() -> None:
    """Import every core module in a fresh interpreter: no other sheetsync module comes in."""
    names = [f"sheetsync.core.{p.stem}" for p in core_modules() if p.stem != "__init__"]
    code = (
        "import sys\n"
        + "".join(f"import {n}\n" for n in names)
        + "print('\\n'.join(m for m in sys.modules if m.startswith('sheetsync')))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    loaded = set(proc.stdout.split())
    outside = {m for m in loaded if not m.startswith("sheetsync.core")} - {
        "sheetsync",
        "sheetsync.errors",
    }
    assert not outside, f"importing the core loaded {sorted(outside)}"


def test_the_core_is_strictly_typed() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "sheetsync/core"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
