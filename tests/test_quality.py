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


def test_the_public_api_has_real_types_and_loads_lazily(tmp_path: Path) -> None:
    """`from sheetsync import run, Config` is typed for mypy (a lazy __getattr__ alone would
    make every name Any), every name in __all__ resolves, and importing the package loads no
    heavy library."""
    import sheetsync

    for name in sheetsync.__all__:
        assert getattr(sheetsync, name) is not None, name
    snippet = tmp_path / "use.py"
    snippet.write_text(
        "from sheetsync import Config, RunResult, run\n"
        "result: RunResult = run(Config(sheet='x.csv'), dry_run=True)\n"
        "wrong: int = run(Config())\n",
        encoding="utf-8",
    )
    proc = _run(sys.executable, "-m", "mypy", "--strict", str(snippet))
    assert 'Incompatible types in assignment (expression has type "RunResult"' in proc.stdout, (
        proc.stdout + proc.stderr
    )
    assert proc.stdout.count("error:") == 1, proc.stdout
    fresh = _run(
        sys.executable,
        "-c",
        "import sys, sheetsync; print(sorted(m for m in ('pandas', 'openpyxl', 'jinja2', "
        "'gspread') if m in sys.modules))",
    )
    assert fresh.stdout.strip() == "[]", fresh.stdout + fresh.stderr


def test_readme_starts_with_the_two_commands_ci_runs() -> None:
    """README's first two commands are the demo and the tests; .ci/run runs the second
    verbatim, and the demo's files exist."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("```sh\n", 1)[1].split("```", 1)[0].strip().splitlines()
    assert len(block) == 2
    demo, tests = block
    assert tests in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    for path in ("scripts/venv.sh", "examples/sheetsync.toml"):
        assert path in demo and (REPO / path).is_file(), path
    assert "--today" in demo and "sheetsync run" in demo
