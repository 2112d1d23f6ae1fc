"""Dates that matter (birthdays, anniversaries) and one-off reminders.

Pure: every function takes ``today`` as an argument; nothing here reads the
clock, a file or the environment.

Dates that matter
-----------------
A moment cell holds a day of the year, with or without the year it began:

* anything :func:`~sheetsync.core.dates.parse_date` reads as a full date
  (``1988-06-15``, ``15/06/1988``, ``June 15, 1988``, a date object);
* a spreadsheet day number from 1900-03-01 on (a birthday may be older than the
  1950 that ordinary date cells accept);
* the vCard and ISO 8601 year-less forms ``--06-15`` and ``--0615``, and the
  vCard basic form ``19880615``;
* a day and an English month name in either order: ``June 15``, ``15 June``,
  ``15th of June``, ``Jun. 15th``, ``15-Jun``;
* a day and a month number: ``15/06``, ``6/15``, ``15.06.``, ``15-6``.  When
  both numbers are 12 or less and differ, ``day_first`` (from the sheet's
  locale, as for other dates) decides; when only one order is a real day, that
  order is used.

29 February is a real birthday: in a year without one it falls on 28 February.
A moment is *due* from ``lead_days`` before it until the day itself, and one
draft is made per occasion per year (:func:`occasion_key`).

One-off reminders
-----------------
"Remind on" takes the same full dates, a year-less day (the next one on or
after today), and a few phrases: ``today``, ``tomorrow``, ``in 3 days``, ``in
a week``, ``in 2 months``, ``next Monday``, ``Friday``, ``next week``, ``next
month``.  A phrase means a different day on every run, so a cell in the sheet
should hold the date it stands for: the ``remind`` command writes that date;
for a phrase typed into the sheet :func:`parse_remind_on` says so when called
with ``allow_phrases=False``.  A reminder is done (not deleted) once a follow-up
for it has been drafted on or after its day.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
import math
import numbers
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from .dates import MONTH_NAMES, MONTHS, WEEKDAY_NAMES, WEEKDAYS, DateError, parse_date

__all__ = [
    "DueMoment",
    "Moment",
    "MomentDate",
    "ReminderState",
    "add_months",
    "due_moments",
    "due_reason",
    "next_occurrence",
    "occasion_key",
    "parse_moment",
    "parse_remind_on",
    "read_moment",
    "reminder_occasion_key",
    "reminder_state",
    "upcoming",
]

DEFAULT_LEAD_DAYS: Final = 3
BIRTHDAY: Final = "birthday"

_HINT: Final = "write it like 1988-06-15, or --06-15 without the year"
_REMIND_HINT: Final = 'write a date like 2026-03-14, or "in 3 weeks" or "next Monday"'
_QUOTE_LIMIT: Final = 40
# A leap year, to check a year-less day: 29 February is a real birthday.
_LEAP: Final = 2000
_EPOCH: Final = dt.date(1899, 12, 30)
# 1900-03-01: before it, Excel's day numbers disagree with everyone else's.
_FIRST_SERIAL: Final = 61
_LAST_SERIAL: Final = 73415  # 2100-12-31
# A bare number in this range is a year someone typed, not a day number.
_FIRST_YEAR: Final = 1900
_LAST_YEAR: Final = 2100

_NUMBER_WORDS: Final[dict[str, int]] = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}

_YEARLESS_ISO: Final = re.compile(r"--(?P<month>\d{2})-?(?P<day>\d{2})", re.ASCII)
_BASIC_ISO: Final = re.compile(r"(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})", re.ASCII)
_DAY_MONTH_NUMBERS: Final = re.compile(
    r"(?P<first>\d{1,2})(?P<sep>[/.-])(?P<second>\d{1,2})\.?", re.ASCII
)
_DIGITS: Final = re.compile(r"\d+(?:\.\d+)?", re.ASCII)
_DAY_WORD: Final = re.compile(r"(?P<day>\d{1,2})(?:st|nd|rd|th)?", re.ASCII)
_WORD_SPLIT: Final = re.compile(r"[ ,/-]+")
_IN_AMOUNT: Final = re.compile(
    r"in (?P<amount>\d{1,4}|[a-z]+) (?P<unit>day|week|month|year)s?", re.ASCII
)


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class MomentDate:
    """A day of the year, and the year it began when the cell gives one."""

    month: int
    day: int
    year: int | None = None

    def __post_init__(self) -> None:
        if _try_date(_LEAP, self.month, self.day) is None:
            raise ValueError(f"month {self.month}, day {self.day} is not a day of the year")
        if self.year is not None and _try_date(self.year, self.month, self.day) is None:
            raise ValueError(f"{self.year}-{self.month:02d}-{self.day:02d} is not a real date")


@dataclass(frozen=True)
class Moment:
    """One contact's date that matters: ``kind`` names it in config, ``label`` for people.

    ``kind`` is short and stable ("birthday", "anniversary"); ``label`` is what
    the user calls it ("birthday", "Work anniversary") and starts the reason.
    """

    kind: str
    label: str
    date: MomentDate


@dataclass(frozen=True)
class DueMoment:
    """A moment inside its lead window: who, what, when, and why in words."""

    contact: str
    kind: str
    label: str
    on: dt.date
    days_until: int
    reason: str
    occasion: str
    #: How many years it marks (a 40th birthday), when the year is known.
    years: int | None = None


class ReminderState(enum.StrEnum):
    """Where a one-off reminder stands on a given day."""

    UPCOMING = "upcoming"
    DUE = "due"
    DONE = "done"


# --------------------------------------------------------------------- moment cells


def parse_moment(value: object, *, day_first: bool = False) -> MomentDate | None:
    """Read one birthday or anniversary cell; ``None`` means the cell is empty.

    Raises:
        DateError: the value is not a day of the year sheetsync can read; the
            message quotes it and shows a good form.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise DateError(f"{value} is not a date; {_HINT}")
    if isinstance(value, str):
        return _moment_from_text(value, day_first=day_first)
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        number = float(value)
        if math.isnan(number):
            return None
        if not math.isfinite(number):
            raise DateError(f"{number} is not a date; {_HINT}")
        return _moment_from_serial(math.floor(number), str(value))
    if isinstance(value, numbers.Integral):
        return _moment_from_serial(int(value), str(value))
    try:
        day = parse_date(value, day_first=day_first)
    except DateError as exc:
        raise DateError(f"{exc}".replace("write it like 2024-03-14", _HINT)) from None
    return None if day is None else MomentDate(day.month, day.day, day.year)


def read_moment(
    value: object, *, cell: str, label: str, day_first: bool = False
) -> tuple[MomentDate | None, str]:
    """A moment cell read for a row: its day, or ``None`` and the "check data" note.

    ``cell`` names where it is ("E7"), ``label`` what it is ("Birthday"); the
    note is "" when the cell reads well or is empty.
    """
    try:
        return parse_moment(value, day_first=day_first), ""
    except DateError as exc:
        return None, f"{label} in {cell}: {exc}"


def next_occurrence(moment: MomentDate, today: dt.date) -> dt.date:
    """The next day on or after ``today`` that ``moment`` falls on.

    29 February falls on 28 February in years without one.
    """
    this_year = _in_year(moment, today.year)
    return this_year if this_year >= today else _in_year(moment, today.year + 1)


def occasion_key(kind: str, on: dt.date) -> str:
    """A key for one occasion, the same on every day of its lead window: "birthday:2026".

    Combined with the contact's key it gives one draft per occasion per year.
    The year is the occurrence's own, so a 1 January birthday drafted on 30
    December is the next year's occasion.
    """
    return f"{kind}:{on.year}"


def due_reason(label: str, on: dt.date, today: dt.date) -> str:
    """Why a moment queues someone: "birthday today", "birthday on Thursday"."""
    days = (on - today).days
    if days < 0:
        raise ValueError(f"{on.isoformat()} is before {today.isoformat()}")
    # Names spelled out here: strftime's follow the process locale.
    weekday = WEEKDAY_NAMES[on.weekday()].title()
    if days == 0:
        when = "today"
    elif days == 1:
        when = "tomorrow"
    elif days < 7:
        when = f"on {weekday}"
    else:
        when = f"on {weekday} {on.day} {MONTH_NAMES[on.month - 1].title()}"
    return f"{label} {when}"


def upcoming(
    contact: str, moment: Moment, today: dt.date, lead_days: int = DEFAULT_LEAD_DAYS
) -> DueMoment | None:
    """The moment as a :class:`DueMoment` if it falls within ``lead_days`` of today."""
    if lead_days < 0:
        raise ValueError(f"lead_days must be 0 or more, not {lead_days}")
    on = next_occurrence(moment.date, today)
    days = (on - today).days
    if days > lead_days:
        return None
    year = moment.date.year
    return DueMoment(
        contact=contact,
        kind=moment.kind,
        label=moment.label,
        on=on,
        days_until=days,
        reason=due_reason(moment.label, on, today),
        occasion=occasion_key(moment.kind, on),
        years=on.year - year if year is not None and year < on.year else None,
    )


def due_moments(
    contacts_moments: Iterable[tuple[str, Moment]],
    today: dt.date,
    lead_days: int = DEFAULT_LEAD_DAYS,
) -> list[DueMoment]:
    """Every (contact key, moment) pair within its lead window, soonest first."""
    found = (upcoming(key, moment, today, lead_days) for key, moment in contacts_moments)
    return sorted((m for m in found if m is not None), key=lambda m: (m.on, m.contact, m.kind))


# ----------------------------------------------------------------------- reminders


def parse_remind_on(
    value: object, *, today: dt.date, day_first: bool = False, allow_phrases: bool = True
) -> dt.date | None:
    """Read a "Remind on" value: a date, a year-less day, or a phrase such as "in 3 weeks".

    ``None`` means empty.  With ``allow_phrases=False`` (a cell in the sheet) a
    phrase is refused with a message asking for the date it stands for.

    Raises:
        DateError: not a day sheetsync can read, with a message for a person.
    """
    if isinstance(value, str):
        text = " ".join(value.split()).casefold()
        if not text:
            return None
        try:
            phrase = _phrase_day(text, today)
        except (ValueError, OverflowError):
            raise DateError(f"{_quote(value)} is too far away; {_REMIND_HINT}") from None
        if phrase is not None:
            if not allow_phrases:
                raise DateError(
                    f"{_quote(value)} means a different day on every run; write the date "
                    f"instead ({phrase.isoformat()} if you meant it from today)"
                )
            return phrase
    try:
        day = parse_date(value, day_first=day_first)
    except DateError:
        pass
    else:
        return day
    try:
        moment = parse_moment(value, day_first=day_first)
    except DateError:
        raise DateError(
            f"{_quote(str(value))} is not a day sheetsync can read; {_REMIND_HINT}"
        ) from None
    return None if moment is None else next_occurrence(moment, today)


def reminder_state(on: dt.date, today: dt.date, done_on: dt.date | None = None) -> ReminderState:
    """Where a reminder for ``on`` stands: upcoming, due (from its day on) or done.

    ``done_on`` is the day its follow-up was drafted; one drafted before ``on``
    belongs to an earlier reminder, so a new reminder in the same row is live.
    """
    if done_on is not None and done_on >= on:
        return ReminderState.DONE
    return ReminderState.DUE if on <= today else ReminderState.UPCOMING


def reminder_occasion_key(on: dt.date) -> str:
    """The occasion key of a reminder: one draft per reminder day."""
    return f"remind:{on.isoformat()}"


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, kept within the month (31 January + 1 is 28/29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# ----------------------------------------------------------------------- internals


def _quote(text: str) -> str:
    shown = text if len(text) <= _QUOTE_LIMIT else text[:_QUOTE_LIMIT] + "…"
    return f"'{shown}'"


def _try_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except (ValueError, OverflowError):
        return None


def _in_year(moment: MomentDate, year: int) -> dt.date:
    if moment.month == 2 and moment.day == 29 and not calendar.isleap(year):
        return dt.date(year, 2, 28)
    return dt.date(year, moment.month, moment.day)


def _moment_from_serial(whole: int, shown: str) -> MomentDate:
    if _FIRST_YEAR <= whole <= _LAST_YEAR:
        raise DateError(f"{shown} looks like a year without the day; {_HINT}")
    if not _FIRST_SERIAL <= whole <= _LAST_SERIAL:
        raise DateError(
            f"{shown} is not a plausible date (a number is read as a spreadsheet day "
            f"number between {_FIRST_SERIAL} and {_LAST_SERIAL}); {_HINT}"
        )
    day = _EPOCH + dt.timedelta(days=whole)
    return MomentDate(day.month, day.day, day.year)


def _unreadable(text: str) -> DateError:
    return DateError(f"{_quote(text)} is not a date sheetsync can read; {_HINT}")


def _not_a_day(text: str, month: int, day: int) -> DateError:
    if not 1 <= month <= 12:
        why = f"there is no month {month}"
    elif day < 1:
        why = f"there is no day {day}"
    else:
        length = calendar.monthrange(_LEAP, month)[1]
        why = f"{MONTH_NAMES[month - 1].title()} has only {length} days"
    return DateError(f"{_quote(text)} is not a real date: {why}; {_HINT}")


def _yearless(text: str, month: int, day: int) -> MomentDate:
    if _try_date(_LEAP, month, day) is None:
        raise _not_a_day(text, month, day)
    return MomentDate(month, day)


def _moment_from_text(raw: str, *, day_first: bool) -> MomentDate | None:
    text = " ".join(raw.split())
    if not text:
        return None
    match = _YEARLESS_ISO.fullmatch(text)
    if match is not None:
        return _yearless(text, int(match["month"]), int(match["day"]))
    match = _BASIC_ISO.fullmatch(text)
    if match is not None:
        year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
        if _try_date(year, month, day) is None:
            raise DateError(f"{_quote(text)} is not a real date; {_HINT}")
        return MomentDate(month, day, year)
    if _DIGITS.fullmatch(text):
        whole = text.split(".")[0].lstrip("0") or "0"
        if len(whole) > len(str(_LAST_SERIAL)):
            whole = str(_LAST_SERIAL + 1)
        return _moment_from_serial(int(whole), _quote(text))
    match = _DAY_MONTH_NUMBERS.fullmatch(text)
    if match is not None:
        return _day_month_numbers(match, text, day_first=day_first)
    named = _month_name_yearless(text)
    if named is not None:
        return named
    try:
        full = parse_date(text, day_first=day_first)
    except DateError as exc:
        raise DateError(str(exc).replace("write it like 2024-03-14", _HINT)) from None
    return None if full is None else MomentDate(full.month, full.day, full.year)


def _day_month_numbers(match: re.Match[str], text: str, *, day_first: bool) -> MomentDate:
    first, second = int(match["first"]), int(match["second"])
    month_first = _try_date(_LEAP, first, second)
    day_first_reading = _try_date(_LEAP, second, first)
    preferred, other = (
        (day_first_reading, month_first) if day_first else (month_first, day_first_reading)
    )
    chosen = preferred or other
    if chosen is None:
        # Explain in the order that has a month in it, else in the caller's order.
        if first > 12 or (day_first and second <= 12):
            raise _not_a_day(text, second, first)
        raise _not_a_day(text, first, second)
    return MomentDate(chosen.month, chosen.day)


def _month_name_yearless(text: str) -> MomentDate | None:
    """Read "June 15", "15 June", "15th of June": None when it is not of that shape."""
    tokens = [t.rstrip(".") for t in _WORD_SPLIT.split(text.casefold()) if t and t != "of"]
    if len(tokens) != 2:
        return None
    for month_at in (0, 1):
        month = MONTHS.get(tokens[month_at])
        day_match = _DAY_WORD.fullmatch(tokens[1 - month_at])
        if month is not None and day_match is not None:
            return _yearless(text, month, int(day_match["day"]))
    return None


def _phrase_day(text: str, today: dt.date) -> dt.date | None:
    """The day a relative phrase names, or None when ``text`` is not one."""
    fixed = {"today": 0, "tomorrow": 1, "next week": 7}
    if text in fixed:
        return today + dt.timedelta(days=fixed[text])
    if text == "next month":
        return add_months(today, 1)
    match = _IN_AMOUNT.fullmatch(text)
    if match is not None:
        amount_text = match["amount"]
        amount = int(amount_text) if amount_text.isdigit() else _NUMBER_WORDS.get(amount_text)
        if amount is None:
            return None
        unit = match["unit"]
        if unit == "day":
            return today + dt.timedelta(days=amount)
        if unit == "week":
            return today + dt.timedelta(weeks=amount)
        return add_months(today, amount * (12 if unit == "year" else 1))
    words = text.removeprefix("next ").removeprefix("on ").rstrip(".")
    weekday = WEEKDAYS.get(words)
    if weekday is None or " " in words:
        return None
    # The first such weekday after today: on a Monday, "next Monday" is in 7 days.
    ahead = (weekday - today.weekday() - 1) % 7 + 1
    return today + dt.timedelta(days=ahead)
