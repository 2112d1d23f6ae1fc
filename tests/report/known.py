"""Sheets with known answers for the report tests: the example workbook and a small grid."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sheetsync.app import analyse
from sheetsync.config import Config
from sheetsync.core.moments import Moment, MomentDate
from sheetsync.report import HistoryEntry, ReportData, report_data_from_analysis
from sheetsync.sheets import open_sheet

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "contacts.xlsx"
TODAY = dt.date(2026, 11, 22)


def example_report() -> ReportData:
    """The example workbook on the demo's day, with no History tab."""
    grid = open_sheet(str(EXAMPLE)).read()
    return report_data_from_analysis(
        analyse(grid, Config(), TODAY), TODAY, sheet="examples/contacts.xlsx"
    )


def day(days_ago: int) -> dt.date:
    return TODAY - dt.timedelta(days=days_ago)


# Name, email, tier, last contacted (days ago), drafted (days ago or None).
SMALL_ROWS = [
    ("Ada Ok", "ada@example.com", "A", 3, None),
    ("Ben Due", "ben@example.com", "A", 12, None),
    ("Cy Overdue", "cy@example.com", "B", 40, 5),
    ("Di Lapsed", "di@example.com", "B", 70, 20),  # 70 days on 30: lapsed 10 days ago
    ("Ed Old", "ed@example.com", "C", 400, None),  # lapsed long ago
    ("Flo Followed", "flo@example.com", "C", 10, 40),  # drafted, then talked
]
SMALL_HISTORY = [
    HistoryEntry(day(3), "email:ada@example.com", "email"),
    HistoryEntry(day(10), "email:flo@example.com", "call"),
    HistoryEntry(day(12), "email:ben@example.com", "email"),
    HistoryEntry(day(40), "email:cy@example.com", "meeting"),
    HistoryEntry(day(44), "email:flo@example.com", "email"),
    HistoryEntry(day(70), "email:di@example.com", "email"),
    HistoryEntry(day(400), "email:ed@example.com", "email"),  # older than a year: not shown
]
SMALL_MOMENTS = [
    ("email:ada@example.com", Moment("birthday", "birthday", MomentDate(11, 24, 1990))),
    ("email:ben@example.com", Moment("anniversary", "Work anniversary", MomentDate(12, 10))),
    ("email:cy@example.com", Moment("birthday", "birthday", MomentDate(3, 1))),  # months away
]


def small_grid() -> list[list[object]]:
    header: list[object] = [
        "Name",
        "Email",
        "Tier",
        "Last contacted",
        "What",
        "Last met",
        "Drafted",
    ]
    rows: list[list[object]] = [header]
    for name, email, tier, last, drafted in SMALL_ROWS:
        drafted_on = None if drafted is None else day(drafted)
        rows.append([name, email, tier, day(last), "a chat", None, drafted_on])
    return rows


def small_report() -> ReportData:
    analysis = analyse(small_grid(), Config(), TODAY)
    return report_data_from_analysis(
        analysis, TODAY, sheet="small", history=SMALL_HISTORY, moments=SMALL_MOMENTS
    )
