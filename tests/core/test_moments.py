"""Tests for sheetsync.core.moments: dates that matter and one-off reminders."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetsync.core.dates import DateError
from sheetsync.core.moments import (
    DueMoment,
    Moment,
    MomentDate,
    ReminderState,
    add_months,
    due_moments,
    next_occurrence,
    parse_moment,
    parse_remind_on,
    read_moment,
    reminder_occasion_key,
    reminder_state,
    upcoming,
)

TODAY = dt.date(2026, 11, 22)  # a Sunday, the demo's reference day
MONTHS = "January February March April May June July August September October November December"
MONTH_NAMES = MONTHS.split()
DAYS_OF_YEAR = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2000, 12, 31)).map(
    lambda d: MomentDate(d.month, d.day)
)
TODAYS = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31))


def birthday(month: int, day: int, year: int | None = None) -> Moment:
    return Moment("birthday", "birthday", MomentDate(month, day, year))


# ------------------------------------------------------------------- reading cells


@pytest.mark.parametrize(
    ("value", "day_first", "expected"),
    [
        pytest.param("1988-06-15", False, MomentDate(6, 15, 1988), id="iso"),
        pytest.param("--06-15", False, MomentDate(6, 15), id="vcard-yearless"),
        pytest.param("--0615", False, MomentDate(6, 15), id="vcard-yearless-basic"),
        pytest.param("19880615", False, MomentDate(6, 15, 1988), id="vcard-basic"),
        pytest.param("June 15", False, MomentDate(6, 15), id="month-day"),
        pytest.param("15 June", False, MomentDate(6, 15), id="day-month"),
        pytest.param("15th of June", False, MomentDate(6, 15), id="ordinal-of"),
        pytest.param("jun. 15th", False, MomentDate(6, 15), id="abbrev-dot"),
        pytest.param("15-Jun", False, MomentDate(6, 15), id="dash-abbrev"),
        pytest.param(" 15   June ", False, MomentDate(6, 15), id="spaces"),
        pytest.param("15/06", False, MomentDate(6, 15), id="only-day-first-works"),
        pytest.param("6/15", True, MomentDate(6, 15), id="only-month-first-works"),
        pytest.param("4/5", False, MomentDate(4, 5), id="ambiguous-month-first"),
        pytest.param("4/5", True, MomentDate(5, 4), id="ambiguous-day-first"),
        pytest.param("15.06.", True, MomentDate(6, 15), id="german-dots"),
        pytest.param("29 Feb", False, MomentDate(2, 29), id="leap-day-yearless"),
        pytest.param("15 June 1988", False, MomentDate(6, 15, 1988), id="named-with-year"),
        pytest.param("4/5/1990", True, MomentDate(5, 4, 1990), id="full-day-first"),
        pytest.param(dt.date(1990, 2, 28), False, MomentDate(2, 28, 1990), id="date"),
        pytest.param(dt.datetime(1990, 2, 28, 9), False, MomentDate(2, 28, 1990), id="datetime"),
        pytest.param(32000, False, MomentDate(8, 11, 1987), id="serial"),
        pytest.param(32000.25, False, MomentDate(8, 11, 1987), id="serial-fraction"),
        pytest.param("32000", False, MomentDate(8, 11, 1987), id="serial-text"),
        pytest.param(14611, False, MomentDate(1, 1, 1940), id="serial-before-1950"),
        pytest.param(None, False, None, id="none"),
        pytest.param("  ", False, None, id="blank"),
        pytest.param(float("nan"), False, None, id="nan"),
    ],
)
def test_parse_moment_reads(value: object, day_first: bool, expected: MomentDate | None) -> None:
    assert parse_moment(value, day_first=day_first) == expected


@pytest.mark.parametrize(
    ("value", "says"),
    [
        pytest.param("31/02", "February has only 29 days", id="no-31-feb"),
        pytest.param("June 31", "June has only 30 days", id="no-31-june"),
        pytest.param("--13-01", "there is no month 13", id="vcard-month-13"),
        pytest.param("1988", "looks like a year", id="year-only"),
        pytest.param(1988, "looks like a year", id="year-number"),
        pytest.param("banana", "'banana' is not a date", id="word"),
        pytest.param("June", "not a date", id="month-only"),
        pytest.param("15 Juen", "not a date", id="typo"),
        pytest.param("1988-02-30", "February 1988 has only 29 days", id="bad-full-date"),
        pytest.param("19880230", "not a real date", id="bad-basic"),
        pytest.param(12, "not a plausible date", id="tiny-number"),
        pytest.param(True, "not a date", id="checkbox"),
        pytest.param(float("inf"), "not a date", id="infinity"),
    ],
)
def test_parse_moment_refuses_with_a_reason(value: object, says: str) -> None:
    with pytest.raises(DateError, match=says) as info:
        parse_moment(value)
    assert "--06-15" in str(info.value)


def test_read_moment_names_the_cell() -> None:
    assert read_moment("15 June", cell="E7", label="Birthday") == (MomentDate(6, 15), "")
    assert read_moment("", cell="E7", label="Birthday") == (None, "")
    day, note = read_moment("31 June", cell="E7", label="Birthday")
    assert day is None
    assert note.startswith("Birthday in E7: '31 June' is not a real date")


def test_a_moment_date_cannot_be_impossible() -> None:
    with pytest.raises(ValueError):
        MomentDate(2, 30)
    with pytest.raises(ValueError):
        MomentDate(2, 29, 2023)
    assert MomentDate(2, 29, 2024).year == 2024


# ---------------------------------------------------------------- occurrence and window


@pytest.mark.parametrize(
    ("moment", "today", "expected"),
    [
        pytest.param(MomentDate(11, 22), TODAY, TODAY, id="today"),
        pytest.param(MomentDate(11, 21), TODAY, dt.date(2027, 11, 21), id="yesterday-next-year"),
        pytest.param(MomentDate(1, 1), dt.date(2026, 12, 31), dt.date(2027, 1, 1), id="new-year"),
        pytest.param(MomentDate(2, 29), dt.date(2027, 2, 1), dt.date(2027, 2, 28), id="leap-27"),
        pytest.param(MomentDate(2, 29), dt.date(2028, 2, 1), dt.date(2028, 2, 29), id="leap-28"),
        pytest.param(MomentDate(2, 29), dt.date(2027, 2, 28), dt.date(2027, 2, 28), id="on-28th"),
        pytest.param(MomentDate(2, 29), dt.date(2027, 3, 1), dt.date(2028, 2, 29), id="after"),
        pytest.param(MomentDate(2, 29, 1988), dt.date(2026, 1, 5), dt.date(2026, 2, 28), id="y"),
    ],
)
def test_next_occurrence(moment: MomentDate, today: dt.date, expected: dt.date) -> None:
    assert next_occurrence(moment, today) == expected


@pytest.mark.parametrize(
    ("moment", "lead", "reason", "days"),
    [
        pytest.param(birthday(11, 22), 3, "birthday today", 0, id="today"),
        pytest.param(birthday(11, 23), 3, "birthday tomorrow", 1, id="tomorrow"),
        pytest.param(birthday(11, 25, 1990), 3, "birthday on Wednesday", 3, id="edge-of-window"),
        pytest.param(birthday(11, 26), 3, None, 4, id="just-outside"),
        pytest.param(birthday(11, 29), 3, None, 7, id="in-a-week-default"),
        pytest.param(birthday(11, 29), 7, "birthday on Sunday 29 November", 7, id="in-a-week"),
        pytest.param(birthday(11, 21), 3, None, 364, id="yesterday"),
        pytest.param(
            Moment("anniversary", "Work anniversary", MomentDate(11, 23)),
            3,
            "Work anniversary tomorrow",
            1,
            id="anniversary",
        ),
    ],
)
def test_upcoming(moment: Moment, lead: int, reason: str | None, days: int) -> None:
    due = upcoming("email:a@example.com", moment, TODAY, lead)
    if reason is None:
        assert due is None
        return
    assert due is not None
    assert due.reason == reason
    assert due.days_until == days
    assert due.on == TODAY + dt.timedelta(days=days)
    assert due.occasion == f"{moment.kind}:2026"


def test_years_counts_the_birthday() -> None:
    due = upcoming("k", birthday(11, 24, 1986), TODAY)
    assert due is not None and due.years == 40
    yearless = upcoming("k", birthday(11, 24), TODAY)
    assert yearless is not None and yearless.years is None


def test_a_new_year_birthday_belongs_to_the_next_year() -> None:
    due = upcoming("k", birthday(1, 1), dt.date(2026, 12, 30))
    assert due is not None
    assert (due.occasion, due.reason) == ("birthday:2027", "birthday on Friday")


def test_due_moments_soonest_first() -> None:
    pairs = [
        ("b", birthday(11, 24)),
        ("a", birthday(11, 22)),
        ("c", birthday(12, 24)),
        ("d", Moment("anniversary", "Work anniversary", MomentDate(11, 24, 2020))),
    ]
    found = due_moments(pairs, TODAY)
    assert [(m.contact, m.kind) for m in found] == [
        ("a", "birthday"),
        ("b", "birthday"),
        ("d", "anniversary"),
    ]
    assert all(isinstance(m, DueMoment) for m in found)
    with pytest.raises(ValueError, match="lead_days"):
        due_moments(pairs, TODAY, -1)


@given(DAYS_OF_YEAR, TODAYS)
def test_next_occurrence_is_within_a_year_and_the_right_day(
    moment: MomentDate, today: dt.date
) -> None:
    on = next_occurrence(moment, today)
    assert today <= on < today + dt.timedelta(days=366)
    if (moment.month, moment.day) == (2, 29) and on.day == 28:
        assert on.month == 2 and not calendar.isleap(on.year)
    else:
        assert (on.month, on.day) == (moment.month, moment.day)


@given(DAYS_OF_YEAR, TODAYS, st.integers(min_value=0, max_value=14))
def test_one_occasion_key_over_the_whole_window(
    moment: MomentDate, today: dt.date, lead: int
) -> None:
    """Every day of the lead window names the same occasion: one draft per occasion."""
    on = next_occurrence(moment, today)
    keys = set()
    for back in range(lead + 1):
        due = upcoming(
            "k", Moment("birthday", "birthday", moment), on - dt.timedelta(days=back), lead
        )
        assert due is not None and due.on == on
        keys.add(due.occasion)
    assert keys == {f"birthday:{on.year}"}


@given(DAYS_OF_YEAR, st.booleans())
def test_written_forms_read_back(moment: MomentDate, day_first: bool) -> None:
    name = MONTH_NAMES[moment.month - 1]
    numeric = f"{moment.day}/{moment.month}" if day_first else f"{moment.month}/{moment.day}"
    forms = [
        f"--{moment.month:02d}-{moment.day:02d}",
        f"{name} {moment.day}",
        f"{moment.day} {name}",
        f"{moment.day} {name[:3].lower()}",
        numeric,
    ]
    for form in forms:
        assert parse_moment(form, day_first=day_first) == moment, form


@given(st.text(max_size=30))
def test_any_text_is_read_or_refused_with_our_error(text: str) -> None:
    try:
        parse_moment(text)
    except DateError as exc:
        assert str(exc)


# ----------------------------------------------------------------------- reminders


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("today", TODAY, id="today"),
        pytest.param("Tomorrow", dt.date(2026, 11, 23), id="tomorrow"),
        pytest.param("in 3 days", dt.date(2026, 11, 25), id="days"),
        pytest.param("in 3 weeks", dt.date(2026, 12, 13), id="weeks"),
        pytest.param("in a week", dt.date(2026, 11, 29), id="a-week"),
        pytest.param("in two weeks", dt.date(2026, 12, 6), id="word-number"),
        pytest.param("in 2 months", dt.date(2027, 1, 22), id="months"),
        pytest.param("in 1 year", dt.date(2027, 11, 22), id="year"),
        pytest.param("next Monday", dt.date(2026, 11, 23), id="next-monday"),
        pytest.param("next sunday", dt.date(2026, 11, 29), id="next-sunday-on-a-sunday"),
        pytest.param("Friday", dt.date(2026, 11, 27), id="weekday"),
        pytest.param("on Fri.", dt.date(2026, 11, 27), id="on-abbrev"),
        pytest.param("next week", dt.date(2026, 11, 29), id="next-week"),
        pytest.param("next month", dt.date(2026, 12, 22), id="next-month"),
        pytest.param("2027-03-14", dt.date(2027, 3, 14), id="iso"),
        pytest.param("14 March", dt.date(2027, 3, 14), id="yearless-next"),
        pytest.param("22 Nov", TODAY, id="yearless-today"),
        pytest.param(46000, dt.date(2025, 12, 9), id="serial"),
        pytest.param("", None, id="blank"),
        pytest.param(None, None, id="none"),
    ],
)
def test_parse_remind_on(text: object, expected: dt.date | None) -> None:
    assert parse_remind_on(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        pytest.param("soonish", "not a day sheetsync can read", id="word"),
        pytest.param("in many weeks", "not a day sheetsync can read", id="bad-amount"),
        pytest.param("in 9999 years", "too far away", id="too-far"),
        pytest.param("31/02/2027", "not a day sheetsync can read", id="impossible"),
    ],
)
def test_parse_remind_on_refuses(text: str, says: str) -> None:
    with pytest.raises(DateError, match=says):
        parse_remind_on(text, today=TODAY)


def test_a_phrase_in_a_cell_asks_for_the_date() -> None:
    with pytest.raises(DateError, match=r"different day on every run.*2026-12-13"):
        parse_remind_on("in 3 weeks", today=TODAY, allow_phrases=False)
    assert parse_remind_on("2026-12-13", today=TODAY, allow_phrases=False) == dt.date(2026, 12, 13)


def test_a_day_month_reminder_honours_day_first() -> None:
    assert parse_remind_on("4/5/2027", today=TODAY, day_first=True) == dt.date(2027, 5, 4)
    assert parse_remind_on("4/5/2027", today=TODAY) == dt.date(2027, 4, 5)


def test_a_reminders_whole_life() -> None:
    """Set for Thursday: upcoming, then due (and still due if the run is late), then done."""
    on = parse_remind_on("Thursday", today=TODAY)
    assert on == dt.date(2026, 11, 26)
    assert reminder_state(on, TODAY) is ReminderState.UPCOMING
    assert reminder_state(on, on) is ReminderState.DUE
    assert reminder_state(on, on + dt.timedelta(days=5)) is ReminderState.DUE
    drafted = on + dt.timedelta(days=1)
    assert reminder_state(on, drafted, done_on=drafted) is ReminderState.DONE
    assert reminder_state(on, dt.date(2027, 1, 1), done_on=drafted) is ReminderState.DONE
    # A new reminder in the same row is live again: the old draft was for the old one.
    later = dt.date(2027, 2, 1)
    assert reminder_state(later, later, done_on=drafted) is ReminderState.DUE
    assert reminder_occasion_key(on) == "remind:2026-11-26"


@given(TODAYS, st.integers(min_value=0, max_value=500))
def test_in_n_days_is_n_days(today: dt.date, n: int) -> None:
    assert parse_remind_on(f"in {n} days", today=today) == today + dt.timedelta(days=n)


@given(TODAYS, st.sampled_from(["monday", "tue", "Wednesday", "thu", "fri", "sat", "sun"]))
def test_next_weekday_is_within_a_week(today: dt.date, name: str) -> None:
    on = parse_remind_on(f"next {name}", today=today)
    assert on is not None
    assert 1 <= (on - today).days <= 7
    assert on.strftime("%a").lower() == name[:3].lower()


@given(TODAYS, st.integers(min_value=-60, max_value=60))
def test_add_months_stays_in_the_month(day: dt.date, months: int) -> None:
    moved = add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    last_of_month = (moved + dt.timedelta(days=1)).day == 1
    assert moved.day == day.day or (moved.day < day.day and last_of_month)
