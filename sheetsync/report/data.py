"""What the report shows, as plain data, and how to build it from an analysed sheet.

:class:`ReportData` is the report's whole input: the renderers read nothing
else.  :func:`report_data_from_analysis` fills it from ``app.analyse(...)``
and, when there is one, the History tab's entries.  This module does not
import the charting library.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from ..core.moments import Moment, due_moments

if TYPE_CHECKING:
    from ..core.analysis import Analysis

#: The status groups the report counts, in the order it shows them.
GROUPS: Final = ("ok", "due soon", "overdue", "lapsed", "other")
#: How far ahead "upcoming dates that matter" looks.
UPCOMING_DAYS: Final = 30
NEWLY_LAPSED_DAYS: Final = 30
NO_TIER: Final = "no tier"


@dataclass(frozen=True)
class Person:
    """One contact as the report sees them: one dot on the staleness chart."""

    name: str
    tier: str
    status: str
    cadence: float
    #: Days since the last interaction (or since the planned stand-in); None without one.
    days: float | None

    @property
    def group(self) -> str:
        return self.status if self.status in GROUPS else "other"


@dataclass(frozen=True)
class HistoryEntry:
    """One interaction with a contact: a History tab row, or a date from the sheet."""

    when: dt.date
    contact: str
    kind: str


@dataclass(frozen=True)
class DraftEntry:
    """A follow-up drafted, and when an interaction with that person followed it."""

    contact: str
    drafted_on: dt.date
    followed_on: dt.date | None = None


@dataclass(frozen=True)
class UpcomingDate:
    name: str
    label: str
    on: dt.date
    days_until: int


@dataclass(frozen=True)
class NewlyLapsed:
    name: str
    tier: str
    lapsed_on: dt.date


@dataclass(frozen=True)
class ReportData:
    """Everything one report shows."""

    sheet: str
    today: dt.date
    people: tuple[Person, ...] = ()
    history: tuple[HistoryEntry, ...] = ()
    drafts: tuple[DraftEntry, ...] = ()
    upcoming: tuple[UpcomingDate, ...] = ()
    newly_lapsed: tuple[NewlyLapsed, ...] = ()
    #: Where the interactions came from, said under their chart.
    history_source: str = "the History tab"
    lapsed_ratio: float = 2.0
    notes: tuple[str, ...] = field(default=())

    def counts(self) -> dict[str, Counter[str]]:
        """Status group counts per tier ("A", "B", ..., "no tier"), tiers in order."""
        by_tier: dict[str, Counter[str]] = {}
        for person in sorted(self.people, key=lambda p: (p.tier == NO_TIER, p.tier)):
            by_tier.setdefault(person.tier, Counter())[person.group] += 1
        return by_tier

    def totals(self) -> Counter[str]:
        return Counter(p.group for p in self.people)

    def plotted(self) -> list[Person]:
        """The people with a staleness to plot, in a stable order."""
        return [p for p in self.people if p.days is not None]


# ------------------------------------------------------------------ from an analysis


def report_data_from_analysis(
    analysis: Analysis,
    today: dt.date,
    *,
    sheet: str = "the sheet",
    history: Iterable[HistoryEntry] | None = None,
    moments: Iterable[tuple[str, Moment]] = (),
    lapsed_ratio: float = 2.0,
) -> ReportData:
    """Fill :class:`ReportData` from ``analyse(...)``'s scored frame.

    ``history`` is the History tab's entries; without it the chart of
    interactions uses the sheet's own "last contacted" and "last in person"
    dates, and says so.  ``moments`` pairs contact keys with their dates that
    matter; those within :data:`UPCOMING_DAYS` are listed.  ``lapsed_ratio`` is
    the scoring setting (``config.scoring.lapsed_ratio``).
    """
    rows = [_row(rec) for rec in analysis.scored.to_dict("records")]
    names = {row["key"]: row["name"] for row in rows}
    people = tuple(_person(row) for row in rows)
    entries = (
        tuple(history) if history is not None else tuple(e for r in rows for e in _sheet_history(r))
    )
    source = "the History tab" if history is not None else "the sheet's last-contact dates"
    upcoming = tuple(
        UpcomingDate(names.get(m.contact, m.contact), m.label, m.on, m.days_until)
        for m in due_moments(moments, today, UPCOMING_DAYS)
    )
    return ReportData(
        sheet=sheet,
        today=today,
        people=people,
        history=entries,
        drafts=tuple(d for r in rows if (d := _draft(r, entries)) is not None),
        upcoming=upcoming,
        newly_lapsed=tuple(_newly_lapsed(rows, today, lapsed_ratio)),
        history_source=source,
        lapsed_ratio=lapsed_ratio,
        notes=tuple(analysis.warnings),
    )


def _row(rec: dict[Any, Any]) -> dict[str, Any]:
    return {str(k): (None if _missing(v) else v) for k, v in rec.items()}


def _missing(value: Any) -> bool:
    try:
        return value is None or bool(value != value)
    except (TypeError, ValueError):
        return False


def _day(value: Any) -> dt.date | None:
    if value is None:
        return None
    # pandas' Timestamp is a datetime, so this covers the scored frame's dates.
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _person(row: dict[str, Any]) -> Person:
    ratio, cadence = row.get("ratio"), float(row.get("cadence") or 0.0)
    days: float | None = None
    if row.get("days") is not None:
        days = float(row["days"])
    elif ratio is not None and math.isfinite(float(ratio)) and cadence > 0:
        # Never contacted: the days since the planned follow-up's stand-in date.
        days = float(ratio) * cadence
    return Person(
        name=str(row.get("name") or f"row {row.get('row')}"),
        tier=str(row.get("tier") or "").strip() or NO_TIER,
        status=str(row.get("status") or ""),
        cadence=cadence,
        days=days,
    )


def _sheet_history(row: dict[str, Any]) -> list[HistoryEntry]:
    last, in_person = _day(row.get("last_interaction")), _day(row.get("last_in_person"))
    key = str(row.get("key") or "")
    out = []
    if in_person is not None:
        out.append(HistoryEntry(in_person, key, "in person"))
    if last is not None and last != in_person:
        out.append(HistoryEntry(last, key, "contact"))
    return out


def _draft(row: dict[str, Any], history: Sequence[HistoryEntry]) -> DraftEntry | None:
    drafted = _day(row.get("drafted"))
    if drafted is None:
        return None
    key = str(row.get("key") or "")
    after = [e.when for e in history if e.contact == key and e.when >= drafted]
    last = _day(row.get("last_interaction"))
    if last is not None and last >= drafted:
        after.append(last)
    return DraftEntry(key, drafted, min(after) if after else None)


def _newly_lapsed(
    rows: Iterable[dict[str, Any]], today: dt.date, lapsed_ratio: float
) -> list[NewlyLapsed]:
    """Lapsed people whose ratio crossed ``lapsed_ratio`` within the last 30 days."""
    found = []
    for row in rows:
        ratio, cadence = row.get("ratio"), float(row.get("cadence") or 0.0)
        if row.get("status") != "lapsed" or ratio is None or cadence <= 0:
            continue
        days_lapsed = math.floor((float(ratio) - lapsed_ratio) * cadence)
        if 0 <= days_lapsed < NEWLY_LAPSED_DAYS:
            person = _person(row)
            found.append(
                NewlyLapsed(person.name, person.tier, today - dt.timedelta(days=days_lapsed))
            )
    return sorted(found, key=lambda n: (n.lapsed_on, n.name), reverse=True)
