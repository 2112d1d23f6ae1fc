#!/usr/bin/env python
"""Local files against their anchors, in one interleaved run (issue 12).

Run from the repository root::

    PYTHONPATH=. python bench/bench_files.py [--sizes 1000,10000,100000] [--repeat 3]

For each size it builds the synthetic contact sheet of bench_local.py as an .xlsx
(and one with a formula column) and a .csv, then measures, each in a fresh
process, round after round so that load on the machine hits all alike:

* ``openpyxl load+save``  the anchor: ``load_workbook`` + ``save`` of the same file;
* ``first run``           ``run`` on the workbook as built (six status columns added);
* ``no-change run``       ``run`` again on a workbook that already holds today's statuses;
* ``formula run``         a first run on the workbook with a formula column;
* ``dry run``             ``run(dry_run=True)``;
* ``pandas csv``          the CSV anchor: ``read_csv`` + ``to_csv``;
* ``csv run``             a first run on the CSV file.

Figures are CPU time of the measured call (median and range over ``--repeat``)
and the process's peak resident memory (imports included).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 22)

CHILD = """
import json, resource, sys, time, datetime as dt
kind, path, out = sys.argv[1], sys.argv[2], sys.argv[3]
today = dt.date(2026, 11, 22)
if kind == "openpyxl":
    import openpyxl
    t = time.process_time(); openpyxl.load_workbook(path).save(out)
elif kind == "pandas":
    import pandas as pd
    t = time.process_time(); pd.read_csv(path, dtype=str).to_csv(out, index=False)
else:
    from sheetsync.app import run
    from sheetsync.config import Config
    from sheetsync.outbox import MemoryOutbox
    from sheetsync.sheets import open_sheet
    sheet = open_sheet(path)
    t = time.process_time()
    run(Config(), sheet=sheet, outbox=MemoryOutbox(), today=today, dry_run=kind == "dry")
cpu = time.process_time() - t
print(json.dumps({"cpu": cpu, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def build(size: int, folder: Path) -> dict[str, Path]:
    sys.path.insert(0, str(REPO / "bench"))
    sys.path.insert(0, str(REPO))
    import openpyxl
    from bench_local import make_sheet

    grid = make_sheet(size, TODAY, 1).grid
    files = {}
    for name, formula in (("plain", False), ("formula", True)):
        book = openpyxl.Workbook()
        ws = book.active
        assert ws is not None
        for r, row in enumerate(grid, start=1):
            extra = ["Row" if r == 3 else "=ROW()-3" if r > 3 and formula else None]
            ws.append(list(row) + (extra if formula else []))
        files[name] = folder / f"{name}-{size}.xlsx"
        book.save(files[name])
    files["csv"] = folder / f"contacts-{size}.csv"
    import csv

    with files["csv"].open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        for row in grid:
            w.writerow(
                [
                    "" if v is None else v.date().isoformat() if isinstance(v, dt.datetime) else v
                    for v in row
                ]
            )
    files["done"] = folder / f"done-{size}.xlsx"
    shutil.copy(files["plain"], files["done"])
    measure("run", files["done"], folder)  # today's statuses in place: the no-change input
    return files


def measure(kind: str, source: Path, folder: Path) -> dict[str, float]:
    work = folder / f"work{source.suffix}"
    shutil.copy(source, work)
    out = folder / f"out{source.suffix}"
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, kind, str(work), str(out)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=1800,
    )
    if done.returncode != 0:
        raise SystemExit(f"{kind} on {source.name} failed:\n{done.stderr}")
    if kind == "run" and source.name.startswith("done"):
        shutil.copy(work, source)
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


CASES = (
    ("openpyxl load+save", "openpyxl", "plain"),
    ("first run", "run", "plain"),
    ("no-change run", "run", "done"),
    ("formula run", "run", "formula"),
    ("dry run", "dry", "plain"),
    ("pandas csv", "pandas", "csv"),
    ("csv run", "run", "csv"),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        inputs = {size: build(size, folder) for size in sizes}
        results: dict[tuple[int, str], list[dict[str, float]]] = {}
        for _ in range(args.repeat):
            for size in sizes:
                for label, kind, name in CASES:
                    figures = measure(kind, inputs[size][name], folder)
                    print(f"# {size} {label}: {figures['cpu']:.3f}s", file=sys.stderr, flush=True)
                    results.setdefault((size, label), []).append(figures)
    print(f"{'size':>7} {'work':<20} {'cpu median':>10} {'range':>17} {'peak MiB':>9} {'ratio':>7}")
    for size in sizes:
        anchor = {
            "xlsx": statistics.median(r["cpu"] for r in results[(size, "openpyxl load+save")]),
            "csv": statistics.median(r["cpu"] for r in results[(size, "pandas csv")]),
        }
        for label, _, name in CASES:
            runs = results[(size, label)]
            cpu = [r["cpu"] for r in runs]
            med = statistics.median(cpu)
            base = anchor["csv" if name == "csv" else "xlsx"]
            print(
                f"{size:>7} {label:<20} {med:>9.3f}s {min(cpu):>7.3f}-{max(cpu):<7.3f}s "
                f"{max(r['rss'] for r in runs):>8.0f} {med / base:>6.2f}x"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
