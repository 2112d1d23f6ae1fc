"""Regenerate docs/report.png, the README's picture of the report, from the example workbook.

Run from the repository root (it needs the report extra, matplotlib)::

    python examples/make_report.py              # writes docs/report.png
    python examples/make_report.py --html demo/report.html

The day is fixed to the demo's reference day (2026-11-22), so the picture
shows the same statuses as the README's demo.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from sheetsync.app import analyse
from sheetsync.config import Config
from sheetsync.report import render_html, render_png, report_data_from_analysis
from sheetsync.sheets import open_sheet

HERE = Path(__file__).resolve().parent
TODAY = dt.date(2026, 11, 22)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--png", type=Path, default=HERE.parent / "docs" / "report.png")
    parser.add_argument("--html", type=Path, help="also write the HTML page here")
    args = parser.parse_args()
    grid = open_sheet(str(HERE / "contacts.xlsx")).read()
    data = report_data_from_analysis(
        analyse(grid, Config(), TODAY), TODAY, sheet="examples/contacts.xlsx"
    )
    args.png.parent.mkdir(parents=True, exist_ok=True)
    render_png(data, args.png)
    if args.html:
        args.html.parent.mkdir(parents=True, exist_ok=True)
        args.html.write_text(render_html(data), encoding="utf-8")


if __name__ == "__main__":
    main()
