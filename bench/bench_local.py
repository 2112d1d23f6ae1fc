#!/usr/bin/env python
"""Benchmark sheetsync on synthetic local contact sheets.

Run from the repository root::

    PYTHONPATH=. python bench/bench_local.py [--sizes 1000,10000,100000] [--repeat 3]

For every size it builds a deterministic synthetic contact sheet (a list of
lists, and an .xlsx copy in a temporary folder when a dry run is measured) and
times, best of ``--repeat`` runs:

* ``read_contacts``   parsing the grid into the contacts frame;
* ``score+queue``     ``score()`` and ``queue()`` on an already prepared frame;
* ``analyse``         the whole pure pipeline on the in-memory grid;
* ``xlsx read``       ``XlsxSheet(path).read()`` (openpyxl load + grid);
* ``run --dry-run``   ``run(Config(), sheet=XlsxSheet(path), dry_run=True)``;
* ``cli --dry-run``   ``python -m sheetsync run --sheet FILE --dry-run`` in a subprocess.

The last three only for sizes up to ``--skip-dry-run-above`` (default 10000)
unless ``--full`` is given.  It also times ``python -m sheetsync --help``.
See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import json
import os
import platform
import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

try:
    import resource
except ImportError:  # not on Windows
    resource = None  # type: ignore[assignment]

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import openpyxl  # noqa: E402
import pandas as pd  # noqa: E402

from sheetsync.app import analyse, run  # noqa: E402
from sheetsync.config import Config  # noqa: E402
from sheetsync.core.columns import detect_columns  # noqa: E402
from sheetsync.core.contacts import read_contacts  # noqa: E402
from sheetsync.core.scoring import queue, score  # noqa: E402
from sheetsync.sheets.local import XlsxSheet  # noqa: E402

MIB = 1024 * 1024
DEFAULT_TODAY = dt.date(2026, 11, 22)  # the example sheet's reference day
HEADERS = [
    "Name",
    "Email",
    "Company",
    "Tier",
    "Last contacted",
    "What we talked about",
    "Last met in person",
    "Keep in touch every",
]

# Targets: (label, size, stage, limit in seconds).
TARGET_SCORE = ("100k contacts scored (score+queue)", 100_000, "score+queue", 0.5)
TARGET_RUN = ("10k-contact dry run end to end (run --dry-run)", 10_000, "run --dry-run", 5.0)
TARGET_HELP_LIMIT = 0.3

# --------------------------------------------------------------------------------------
# Synthetic sheets
# --------------------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST = _words(
    "Ada Alan Amara Ana Arjun Beatriz Ben Carlos Chen Chloe Dana David Elena Emeka Erik Fatima "
    "Felix Grace Hana Hugo Ines Isaac Jamal Jana Joao Julia Kai Kenji Lars Leila Lena Liam Lucia "
    "Maya Mei Mohammed Nadia Nina Noah Olga Omar Priya Rafael Rosa Ryan Sam Sara Sofia Tariq "
    "Tom Uma Victor Wei Yara Yusuf Zoe Zainab Pierre Aoife Siobhan"
)
LAST = _words(
    "Abe Adams Ahmed Alvarez Andersen Baker Bauer Becker Brown Campbell Chen Costa Cruz Das "
    "Dubois Eriksen Evans Fischer Garcia Gomez Gupta Hansen Harris Hoffmann Ibrahim Ito Jensen "
    "Johnson Kaur Kim Kowalski Kumar Larsen Lee Lopez Martin Meyer Moreau Muller Nakamura "
    "Nguyen Novak Okafor Olsen Park Patel Perez Petrov Quinn Reyes Ricci Rossi Sanchez Sato "
    "Schmidt Silva Singh Smith Suzuki Tanaka Taylor Thomas Tran Usman Vargas Walker Wang Weber "
    "Williams Wilson Wong Yamamoto Young Zhang Zimmermann O'Brien Murphy Kelly Byrne"
)
COMPANIES = (
    "Acme Corp", "Globex", "Initech", "Umbrella Labs", "Stark Industries", "Wayne Enterprises",
    "Hooli", "Pied Piper", "Vandelay Industries", "Soylent", "Cyberdyne", "Tyrell",
    "Aperture Science", "Black Mesa", "Massive Dynamic", "Oscorp", "Wonka", "Gringotts",
    "Monarch Solutions", "Northwind", "Contoso", "Fabrikam", "Litware", "Tailspin Toys",
    "University of Somewhere", "City Council", "Freelance", "Open Source Collective",
)
DOMAINS = ("gmail.com", "outlook.com", "fastmail.com", "proton.me", "example.org", "work.example")
TOPICS = (
    "Coffee at the conference; she is hiring data engineers",
    "Intro call about their seed round",
    "Caught up about the new job",
    "Talked about the open-source project and a possible talk",
    "Lunch; asked for feedback on my CV",
    "Met at the meetup, interested in sheetsync",
    "Quick catch-up on LinkedIn",
    "Discussed a consulting gig for Q3",
    "Birthday message",
    "Asked for an intro to their CTO",
    "Sent the article we talked about",
    "Reference call",
    "Hiking trip planning",
    "Podcast recording",
    "Workshop co-organising",
)
CADENCES: tuple[Any, ...] = (
    "2 weeks", "monthly", "quarterly", "45", 30, "every 3 months", "6 weeks", "yearly",
    "every other week", "60 days", "fortnightly", 90,
)
BAD_CADENCES = ("sometimes", "when I can", "often")
BAD_DATES = ("last spring", "2025-02-30", "ask Sam", "?", "around Easter", "13/13/2024")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MESSY_FORMATS: tuple[Callable[[dt.date], str], ...] = (
    lambda d: f"{d.month}/{d.day}/{d.year}",
    lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year}",
    lambda d: f"{MONTH_NAMES[d.month - 1]} {d.day}, {d.year}",
    lambda d: f"{WEEKDAYS[d.weekday()]} {d.day} {MONTHS[d.month - 1]} {d.year}",
    lambda d: f"{d.isoformat()} 10:30",
    lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}",
    lambda d: f"  {d.isoformat()} ",
)


@dataclass
class Sheet:
    grid: list[list[Any]]
    contacts: int
    duplicates: int


def _date_cell(
    rng: random.Random, day: dt.date, *, p_text: float, p_messy: float, p_bad: float
) -> Any:
    x = rng.random()
    if x < p_bad:
        return rng.choice(BAD_DATES)
    if x < p_bad + p_messy:
        return rng.choice(MESSY_FORMATS)(day)
    if x < p_bad + p_messy + p_text:
        return day.isoformat()
    # openpyxl hands dates back as datetime at midnight; the in-memory grid does the same.
    return dt.datetime(day.year, day.month, day.day)


def make_sheet(size: int, today: dt.date, seed: int) -> Sheet:
    """A contact sheet of ``size`` contacts, laid out like a real person's sheet.

    A title row, a blank row, the header on row 3, the odd blank row between
    groups; dates mostly real dates, some ISO text, a few messy or unreadable
    ones, some blanks; tiers A/B/C with some blanks and the odd typo; a few
    contacts entered twice (same email).  Same seed, same sheet.
    """
    rng = random.Random(f"{seed}:{size}")
    nf, nl = len(FIRST), len(LAST)
    people = list(range(size))
    rng.shuffle(people)
    rows: list[list[Any]] = []
    emails: list[str] = []
    duplicates = 0
    for i in people:
        # Unique names by construction (first x middle initial x last), in shuffled order.
        first, last = FIRST[i % nf], LAST[(i // nf) % nl]
        middle = chr(ord("A") + (i // (nf * nl)) % 26)
        name = f"{first} {middle}. {last}"
        if rng.random() < 0.02:
            name = f"Dr {name}"
        email: str | None = f"{first}.{last}.{i}@{rng.choice(DOMAINS)}".lower().replace("'", "")
        if emails and rng.random() < 0.001:  # entered twice
            email = rng.choice(emails).upper() if rng.random() < 0.5 else rng.choice(emails)
            duplicates += 1
        elif rng.random() < 0.06:
            email = None
        if email:
            emails.append(email)
        company = rng.choice(COMPANIES) if rng.random() < 0.9 else None
        t = rng.random()
        tier: Any = (
            "A" if t < 0.15 else "B" if t < 0.50 else "C" if t < 0.90 else None if t < 0.985
            else rng.choice(("a", " b", "c ", "VIP"))
        )
        what = rng.choice(TOPICS) if rng.random() < 0.9 else None

        x = rng.random()
        if x < 0.02:  # met in the last few weeks, nothing since: "new" contacts
            days = rng.randint(0, 20)
            met_day = today - dt.timedelta(days=days)
            last_contacted = _date_cell(rng, met_day, p_text=0.1, p_messy=0.0, p_bad=0.0)
            in_person: Any = last_contacted
        else:
            if x < 0.08:
                last_contacted = None
                days = rng.randint(0, 900)
            else:
                days = min(int(rng.expovariate(1 / 75)), 2000)
                if rng.random() < 0.001:
                    days = -rng.randint(1, 300)  # a typo in the future
                last_contacted = _date_cell(
                    rng, today - dt.timedelta(days=days), p_text=0.12, p_messy=0.04, p_bad=0.003
                )
            if rng.random() < 0.5:
                ip_day = today - dt.timedelta(days=max(days, 0) + int(rng.expovariate(1 / 200)))
                in_person = _date_cell(rng, ip_day, p_text=0.15, p_messy=0.02, p_bad=0.001)
            else:
                in_person = None
        c = rng.random()
        cadence = (
            None if c < 0.75 else rng.choice(CADENCES) if c < 0.998 else rng.choice(BAD_CADENCES)
        )
        rows.append([name, email, company, tier, last_contacted, what, in_person, cadence])
        if rng.random() < 0.002:
            rows.append([None] * len(HEADERS))  # a blank row between groups
    title = [f"Contacts ({size:,}) — synthetic, seed {seed}"] + [None] * (len(HEADERS) - 1)
    grid = [title, [None] * len(HEADERS), list(HEADERS), *rows]
    return Sheet(grid, size, duplicates)


def save_xlsx(grid: list[list[Any]], path: Path) -> None:
    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet("Contacts")
    for row in grid:
        ws.append(row)
    book.save(path)


# --------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------


@dataclass
class Figure:
    size: int
    stage: str
    best_s: float
    median_s: float
    runs: int
    peak_mib: float | None  # tracemalloc peak during one extra run
    rss_delta_mib: float | None  # growth of the process's ru_maxrss during the timed runs
    note: str = ""


def maxrss_mib() -> float | None:
    if resource is None:
        return None
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / (MIB if sys.platform == "darwin" else 1024)


def measure(
    size: int, stage: str, fn: Callable[[], Any], *, repeat: int, memory: bool, note: str = ""
) -> Figure:
    """Best-of-``repeat`` wall time of ``fn``, then its tracemalloc peak in one more run."""
    times = []
    gc.collect()
    rss0 = maxrss_mib()
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
        del result
    rss1 = maxrss_mib()
    peak = None
    if memory:
        gc.collect()
        tracemalloc.start()
        result = fn()
        peak = tracemalloc.get_traced_memory()[1] / MIB
        tracemalloc.stop()
        del result
    delta = None if rss0 is None or rss1 is None else rss1 - rss0
    fig = Figure(size, stage, min(times), statistics.median(times), repeat, peak, delta, note)
    print(f"  {stage:<16} best {fig.best_s:8.3f} s", file=sys.stderr, flush=True)
    return fig


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHEETSYNC_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return env


def measure_cli(
    size: int, args: list[str], *, repeat: int, cwd: Path, stage: str
) -> Figure:
    """Best-of-``repeat`` wall time of ``python -m sheetsync ARGS``; peak RSS of the child."""
    times, rss = [], []
    env = clean_env()
    for _ in range(repeat):
        with tempfile.TemporaryFile() as err:
            start = time.perf_counter()
            proc = subprocess.Popen(
                [sys.executable, "-m", "sheetsync", *args],
                cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err,
            )
            _, status, usage = os.wait4(proc.pid, 0)
            times.append(time.perf_counter() - start)
            proc.returncode = os.waitstatus_to_exitcode(status)
            if proc.returncode != 0:
                err.seek(0)
                raise RuntimeError(
                    f"sheetsync {' '.join(args)} exited {proc.returncode}: "
                    + err.read().decode(errors="replace")[-2000:]
                )
            rss.append(usage.ru_maxrss / (MIB if sys.platform == "darwin" else 1024))
    fig = Figure(
        size, stage, min(times), statistics.median(times), repeat, None, None,
        note=f"child max RSS {max(rss):.0f} MiB",
    )
    print(f"  {stage:<16} best {fig.best_s:8.3f} s", file=sys.stderr, flush=True)
    return fig


@dataclass
class Startup:
    best_s: float
    median_s: float
    runs: int
    importtime_total_s: float | None = None
    top_imports: list[tuple[str, float]] | None = None
    heavy_at_help: list[str] | None = None


def importtime(args: list[str], cwd: Path) -> tuple[float, list[tuple[str, float]], set[str]]:
    """Cumulative import times (s) from ``python -X importtime -m sheetsync ARGS``."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "sheetsync", *args],
        cwd=cwd, env=clean_env(), capture_output=True, text=True, check=True,
    )
    cumulative: dict[str, float] = {}
    total = 0.0
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, _, rest = line.partition(":")
        _self_us, cum_us, name = rest.split("|", 2)
        name = name.rstrip()[1:]  # one space after the bar, then two per nesting level
        cumulative[name.strip()] = max(cumulative.get(name.strip(), 0.0), int(cum_us) / 1e6)
        if not name.startswith(" "):  # top-level import: its cumulative includes children
            total += int(cum_us) / 1e6
    top = sorted(cumulative.items(), key=lambda kv: kv[1], reverse=True)
    return total, top, set(cumulative)


def measure_startup(runs: int, cwd: Path, *, always_importtime: bool) -> Startup:
    env = clean_env()
    cmd = [sys.executable, "-m", "sheetsync", "--help"]
    subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=True)  # warm the caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    out = Startup(min(times), statistics.median(times), runs)
    total, top, names = importtime(["--help"], cwd)
    out.importtime_total_s = total
    out.heavy_at_help = sorted(
        n for n in ("pandas", "numpy", "openpyxl", "jinja2", "gspread", "google.auth")
        if n in names
    )
    if always_importtime or out.best_s > TARGET_HELP_LIMIT:
        out.top_imports = top[:15]
    return out


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    return {
        "nproc": usable,
        "cpu_count": os.cpu_count(),
        "cpu": cpu,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "openpyxl": openpyxl.__version__,
    }


def fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def print_table(figures: list[Figure]) -> None:
    head = (
        f"{'size':>8}  {'stage':<16} {'best s':>9} {'median s':>9} {'runs':>4} "
        f"{'peak MiB':>9} {'rssΔ MiB':>9} {'µs/contact':>10}  note"
    )
    print(head)
    print("-" * len(head))
    last_size = None
    for f in figures:
        if last_size is not None and f.size != last_size:
            print()
        last_size = f.size
        per = f.best_s / f.size * 1e6 if f.size else None
        print(
            f"{f.size:>8,}  {f.stage:<16} {f.best_s:>9.3f} {f.median_s:>9.3f} {f.runs:>4} "
            f"{fmt(f.peak_mib, '9.1f'):>9} {fmt(f.rss_delta_mib, '9.1f'):>9} "
            f"{fmt(per, '10.2f'):>10}  {f.note}"
        )


def find(figures: list[Figure], size: int, stage: str) -> Figure | None:
    return next((f for f in figures if f.size == size and f.stage == stage), None)


def judge(figures: list[Figure], startup: Startup | None) -> list[dict[str, Any]]:
    out = []
    for label, size, stage, limit in (TARGET_SCORE, TARGET_RUN):
        fig = find(figures, size, stage)
        got = None if fig is None else fig.best_s
        out.append({"target": label, "limit_s": limit, "best_s": got, "size": size,
                    "stage": stage,
                    "verdict": "n/a" if got is None else "PASS" if got < limit else "MISS"})
    got = None if startup is None else startup.best_s
    out.append({"target": "sheetsync --help start-up", "limit_s": TARGET_HELP_LIMIT,
                "best_s": got, "size": 0, "stage": "--help",
                "verdict": "n/a" if got is None else "PASS" if got < TARGET_HELP_LIMIT
                else "MISS"})
    return out


def profile(fn: Callable[[], Any], title: str, lines: int = 25) -> None:
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    for order in ("cumulative", "tottime"):
        buf = io.StringIO()
        stats = pstats.Stats(prof, stream=buf).strip_dirs().sort_stats(order)
        stats.print_stats(lines)
        text = buf.getvalue()
        start = text.find("   ncalls")
        print(f"\n--- cProfile: {title} (by {order}) ---")
        print(text[start:].rstrip() if start >= 0 else text.rstrip())


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="1000,10000,100000",
                   help="comma-separated contact counts (default: 1000,10000,100000)")
    p.add_argument("--repeat", type=int, default=3, help="runs per figure; best is reported")
    p.add_argument("--skip-dry-run-above", type=int, default=10_000, metavar="N",
                   help="measure xlsx read / dry runs only up to N contacts (default: 10000)")
    p.add_argument("--full", action="store_true",
                   help="measure the xlsx stages at every size (100k takes minutes)")
    p.add_argument("--no-cli", action="store_true",
                   help="skip the 'python -m sheetsync run --dry-run' subprocess stage")
    p.add_argument("--no-memory", action="store_true",
                   help="skip the extra tracemalloc run per figure (faster)")
    p.add_argument("--startup-runs", type=int, default=5)
    p.add_argument("--importtime", action="store_true",
                   help="always list the slowest imports of 'sheetsync --help'")
    p.add_argument("--profile", action="store_true",
                   help="cProfile the stage behind each missed target and print the top")
    p.add_argument("--seed", type=int, default=20261122)
    p.add_argument("--today", type=dt.date.fromisoformat, default=DEFAULT_TODAY,
                   help=f"the day to score for (default {DEFAULT_TODAY})")
    p.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    p.add_argument("--keep", metavar="DIR", help="write the .xlsx files here and keep them")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    limit = float("inf") if args.full else args.skip_dry_run_above
    today, config = args.today, Config()
    settings, cap = config.scoring, config.scoring.daily_cap
    memory = not args.no_memory
    figures: list[Figure] = []
    notes: list[str] = []
    profiles: dict[tuple[int, str], Callable[[], Any]] = {}

    with tempfile.TemporaryDirectory(prefix="sheetsync-bench-") as tmp:
        workdir = Path(args.keep) if args.keep else Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for size in sizes:
            print(f"[{size:,} contacts]", file=sys.stderr, flush=True)
            start = time.perf_counter()
            sheet = make_sheet(size, today, args.seed)
            gen_s = time.perf_counter() - start
            grid = sheet.grid
            colmap = detect_columns(grid, explicit=config.columns,
                                    owned_names=config.status_columns)
            contacts = read_contacts(grid, colmap, settings, today=today,
                                     day_first=config.day_first)
            frame = contacts.frame
            if len(frame) != size:
                raise RuntimeError(f"expected {size} contacts, read {len(frame)}")
            statuses = Counter(score(frame, today, settings)["status"])
            mix = ", ".join(f"{k} {v / size:.0%}" for k, v in statuses.most_common())
            notes.append(f"{size:>7,}: generated in {gen_s:.2f} s; {sheet.duplicates} "
                         f"duplicate emails; statuses: {mix}")

            def read_fn(grid: Any = grid, colmap: Any = colmap) -> Any:
                return read_contacts(grid, colmap, settings, today=today,
                                     day_first=config.day_first)

            def score_fn(frame: pd.DataFrame = frame) -> Any:
                return queue(score(frame, today, settings), today, cap)

            def analyse_fn(grid: Any = grid) -> Any:
                return analyse(grid, config, today)

            figures.append(measure(size, "read_contacts", read_fn,
                                   repeat=args.repeat, memory=memory))
            figures.append(measure(size, "score+queue", score_fn,
                                   repeat=args.repeat, memory=memory))
            figures.append(measure(size, "analyse", analyse_fn,
                                   repeat=args.repeat, memory=memory,
                                   note="in-memory grid: columns+read+score+rank+queue"))
            profiles[(size, "score+queue")] = score_fn

            if size > limit:
                notes.append(f"{size:>7,}: xlsx stages skipped (use --full or "
                             f"--skip-dry-run-above {size})")
                continue
            path = workdir / f"contacts-{size}.xlsx"
            start = time.perf_counter()
            save_xlsx(grid, path)
            notes.append(f"{size:>7,}: .xlsx written in {time.perf_counter() - start:.2f} s "
                         f"({path.stat().st_size / 1024:,.0f} KiB)")

            def xlsx_fn(path: Path = path) -> Any:
                return XlsxSheet(path).read()

            def dry_fn(path: Path = path) -> Any:
                return run(Config(), sheet=XlsxSheet(path), today=today, dry_run=True)

            figures.append(measure(size, "xlsx read", xlsx_fn,
                                   repeat=args.repeat, memory=memory))
            result = dry_fn()
            if result.contacts != size:
                raise RuntimeError(f"dry run saw {result.contacts} contacts, not {size}")
            figures.append(measure(
                size, "run --dry-run", dry_fn, repeat=args.repeat, memory=memory,
                note=f"{result.cells_written:,} cells would change, "
                     f"{result.count('would draft')} drafts",
            ))
            profiles[(size, "run --dry-run")] = dry_fn
            if not args.no_cli:
                figures.append(measure_cli(
                    size, ["run", "--sheet", str(path), "--dry-run",
                           "--today", today.isoformat()],
                    repeat=args.repeat, cwd=Path(tmp), stage="cli --dry-run",
                ))

        print("[start-up]", file=sys.stderr, flush=True)
        startup = measure_startup(args.startup_runs, Path(tmp),
                                  always_importtime=args.importtime)

    info = machine()
    targets = judge(figures, startup)
    print()
    print("sheetsync local benchmark")
    print(f"machine: nproc {info['nproc']} ({info['cpu_count']} CPUs), {info['cpu']}; "
          f"{info['platform']}")
    print(f"python {info['python']}, pandas {info['pandas']}, numpy {info['numpy']}, "
          f"openpyxl {info['openpyxl']}")
    print(f"today {today}, seed {args.seed}, best of {args.repeat}; peak MiB = tracemalloc "
          "peak of one extra run; rssΔ = growth of the process max RSS during the timed runs")
    print()
    print_table(figures)
    print()
    for line in notes:
        print(line)
    print()
    print(f"sheetsync --help: best {startup.best_s:.3f} s, median {startup.median_s:.3f} s "
          f"({startup.runs} runs after a warm-up); imports total "
          f"{fmt(startup.importtime_total_s, '.3f')} s (-X importtime); heavy modules loaded: "
          f"{', '.join(startup.heavy_at_help or []) or 'none'}")
    if startup.top_imports:
        print("slowest imports (cumulative):")
        for name, secs in startup.top_imports:
            print(f"  {secs:7.3f} s  {name.strip()}")
    print()
    print("targets:")
    for t in targets:
        got = "not measured" if t["best_s"] is None else f"{t['best_s']:.3f} s"
        print(f"  [{t['verdict']:>4}] {t['target']}: {got} (target < {t['limit_s']} s)")

    if args.profile:
        missed = [t for t in targets if t["verdict"] == "MISS" and t["stage"] != "--help"]
        for t in missed:
            fn = profiles.get((t["size"], t["stage"]))
            if fn is not None:
                profile(fn, f"{t['stage']} at {t['size']:,} contacts")
        if not missed:
            print("\n(--profile: no missed timing target to profile)")

    if args.json:
        data = {
            "machine": info,
            "today": today.isoformat(),
            "seed": args.seed,
            "repeat": args.repeat,
            "figures": [asdict(f) for f in figures],
            "startup": asdict(startup),
            "targets": targets,
            "notes": notes,
        }
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        print(f"\nfigures written to {args.json}")
    return 0 if all(t["verdict"] != "MISS" for t in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
