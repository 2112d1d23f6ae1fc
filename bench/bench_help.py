"""Time ``python -m sheetsync --help``: a new user's first command must answer at once.

A script, not a test (tests/cli/test_cli_manners.py checks instead that --help
imports no heavy library).  Exit status 1 when the median misses the target.

    PYTHONPATH=. python bench/bench_help.py              # 15 runs, target 0.3 s
    PYTHONPATH=. python bench/bench_help.py --runs 30 --target 0.25
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def time_once(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sheetsync", *argv], capture_output=True, check=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--target", type=float, default=0.3, help="seconds, for the median")
    args = parser.parse_args()
    baseline = [time_once_python() for _ in range(max(3, args.runs // 3))]
    missed = False
    print(f"python -c pass (interpreter start-up): best {min(baseline):.3f} s")
    for argv in (["--help"], ["run", "--help"], ["completion", "bash"]):
        times = [time_once(argv) for _ in range(args.runs)]
        median = statistics.median(times)
        missed |= argv == ["--help"] and median > args.target
        print(
            f"sheetsync {' '.join(argv):<16} best {min(times):.3f} s  median {median:.3f} s"
            + (f"  (target {args.target} s)" if argv == ["--help"] else "")
        )
    return 1 if missed else 0


def time_once_python() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], capture_output=True, check=True)
    return time.perf_counter() - start


if __name__ == "__main__":
    sys.exit(main())
