"""Tests for sheetsync.core.dates: every accepted date form, every error, and properties."""

from __future__ import annotations

import datetime as dt
import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetsync.core.dates import (
    DateError,
    date_to_serial,
    day_first_for_locale,
    humanize_ago,
    is_ambiguous_date,
    parse_date,
    serial_to_date,
)

MARCH_14 = dt.date(2024, 3, 14)
FIRST_PLAUSIBLE = dt.date(1950, 1, 1)
LAST_PLAUSIBLE = dt.date(2100, 12, 31)
PLAUSIBLE_DATES = st.dates(min_value=FIRST_PLAUSIBLE, max_value=LAST_PLAUSIBLE)


class FakeTimestamp:
    """Stands in for pandas.Timestamp: only to_pydatetime() matters."""

    def __init__(self, value: dt.datetime) -> None:
        self._value = value

    def to_pydatetime(self) -> dt.datetime:
        return self._value


class FakeNaT:
    """Stands in for pandas.NaT: the one value that is not equal to itself."""

    def __eq__(self, other: object) -> bool:
        return False

    def __ne__(self, other: object) -> bool:
        return True

    __hash__ = object.__hash__

    def to_pydatetime(self) -> FakeNaT:
        return self


class BrokenTimestamp:
    def to_pydatetime(self) -> str:
        return "not a datetime"


# ------------------------------------------------------------------- parse_date: accepted

ACCEPTED = [
    # Date objects and timestamp-likes.
    pytest.param(MARCH_14, False, MARCH_14, id="date"),
    pytest.param(dt.datetime(2024, 3, 14, 23, 59), False, MARCH_14, id="datetime"),
    pytest.param(FakeTimestamp(dt.datetime(2024, 3, 14, 8)), False, MARCH_14, id="timestamp-like"),
    # Spreadsheet day numbers.
    pytest.param(43831, False, dt.date(2020, 1, 1), id="serial-int"),
    pytest.param(36162, False, dt.date(1999, 1, 2), id="serial-int-1999"),
    pytest.param(43831.0, False, dt.date(2020, 1, 1), id="serial-float"),
    pytest.param(43831.99, False, dt.date(2020, 1, 1), id="serial-time-of-day-dropped"),
    pytest.param(18264, False, FIRST_PLAUSIBLE, id="serial-first-plausible"),
    pytest.param(73415, False, LAST_PLAUSIBLE, id="serial-last-plausible"),
    pytest.param(73415.5, False, LAST_PLAUSIBLE, id="serial-last-plausible-noon"),
    pytest.param("43831", False, dt.date(2020, 1, 1), id="serial-text"),
    pytest.param(" 43831.5 ", False, dt.date(2020, 1, 1), id="serial-text-fraction"),
    pytest.param("043831", False, dt.date(2020, 1, 1), id="serial-text-leading-zero"),
    # Year first.
    pytest.param("2024-03-14", False, MARCH_14, id="iso"),
    pytest.param("2024-3-4", False, dt.date(2024, 3, 4), id="iso-no-padding"),
    pytest.param("2024-03-14T10:30:00", False, MARCH_14, id="iso-datetime"),
    pytest.param("2024-03-14t10:30", False, MARCH_14, id="iso-lowercase-t"),
    pytest.param("2024-03-14T10:30:00Z", False, MARCH_14, id="iso-utc"),
    pytest.param("2024-03-14T23:30:00.123-05:00", False, MARCH_14, id="iso-offset-not-shifted"),
    pytest.param("2024-03-14 10:30", False, MARCH_14, id="iso-space-time"),
    pytest.param("2024/03/14", False, MARCH_14, id="iso-slashes"),
    pytest.param("2024.03.14", False, MARCH_14, id="iso-dots"),
    pytest.param("2024-04-05", True, dt.date(2024, 4, 5), id="iso-ignores-day-first"),
    # Year last, unambiguous.
    pytest.param("3/14/2024", False, MARCH_14, id="us"),
    pytest.param("03/14/2024", False, MARCH_14, id="us-padded"),
    pytest.param("3-14-2024", False, MARCH_14, id="us-hyphens"),
    pytest.param("3/14/24", False, MARCH_14, id="us-two-digit-year"),
    pytest.param("3/14/2024", True, MARCH_14, id="us-only-valid-reading-wins"),
    pytest.param("14/3/2024", True, MARCH_14, id="european"),
    pytest.param("14/3/2024", False, MARCH_14, id="european-only-valid-reading-wins"),
    pytest.param("14.03.2024", True, MARCH_14, id="european-dots"),
    pytest.param("14.03.2024", False, MARCH_14, id="european-dots-month-first-caller"),
    pytest.param("14-03-24", True, MARCH_14, id="european-two-digit-year"),
    pytest.param("5/5/2026", False, dt.date(2026, 5, 5), id="same-both-ways"),
    pytest.param("3/14/2024 10:30", False, MARCH_14, id="us-with-time"),
    pytest.param("3/14/2024 9:05:59 PM", False, MARCH_14, id="us-with-12-hour-time"),
    pytest.param("3/14/2024 12:00 a.m.", False, MARCH_14, id="us-with-am-dots"),
    # Year last, ambiguous: day_first decides.
    pytest.param("4/5/2026", False, dt.date(2026, 4, 5), id="ambiguous-month-first"),
    pytest.param("4/5/2026", True, dt.date(2026, 5, 4), id="ambiguous-day-first"),
    pytest.param("04.05.2026", True, dt.date(2026, 5, 4), id="ambiguous-dots-day-first"),
    pytest.param("04.05.2026", False, dt.date(2026, 4, 5), id="ambiguous-dots-month-first"),
    # Two-digit year pivot.
    pytest.param("1/2/00", False, dt.date(2000, 1, 2), id="two-digit-00"),
    pytest.param("1/2/68", False, dt.date(2068, 1, 2), id="two-digit-68"),
    pytest.param("1/2/69", False, dt.date(1969, 1, 2), id="two-digit-69"),
    pytest.param("1/2/99", False, dt.date(1999, 1, 2), id="two-digit-99"),
    # Month names.
    pytest.param("14 Mar 2024", False, MARCH_14, id="d-mon-y"),
    pytest.param("14 March 2024", False, MARCH_14, id="d-month-y"),
    pytest.param("March 14, 2024", False, MARCH_14, id="month-d-comma-y"),
    pytest.param("Mar 14 2024", False, MARCH_14, id="mon-d-y"),
    pytest.param("14-Mar-2024", False, MARCH_14, id="d-mon-y-hyphens"),
    pytest.param("14-Mar-24", False, MARCH_14, id="d-mon-yy-hyphens"),
    pytest.param("14/Mar/2024", False, MARCH_14, id="d-mon-y-slashes"),
    pytest.param("MARCH 14 2024", False, MARCH_14, id="upper-case"),
    pytest.param("mar. 14, 2024", False, MARCH_14, id="abbreviation-dot"),
    pytest.param("Sept 3, 2024", False, dt.date(2024, 9, 3), id="sept"),
    pytest.param("Sep 3, 2024", False, dt.date(2024, 9, 3), id="sep"),
    pytest.param("September 3 2024", False, dt.date(2024, 9, 3), id="september"),
    pytest.param("1st Jan 2024", False, dt.date(2024, 1, 1), id="ordinal-st"),
    pytest.param("Jan 2nd, 2024", False, dt.date(2024, 1, 2), id="ordinal-nd"),
    pytest.param("3rd Jan 2024", False, dt.date(2024, 1, 3), id="ordinal-rd"),
    pytest.param("March 14th, 2024", False, MARCH_14, id="ordinal-th"),
    pytest.param("Thursday, March 14, 2024", False, MARCH_14, id="weekday-full"),
    pytest.param("Thu 14 Mar 2024", False, MARCH_14, id="weekday-short"),
    pytest.param("thurs. 14 mar 2024", False, MARCH_14, id="weekday-thurs-dot"),
    pytest.param("14 Mar 2024 10:30", False, MARCH_14, id="month-name-with-time"),
    pytest.param("May 1, 2024", False, dt.date(2024, 5, 1), id="may"),
    pytest.param("29 Feb 2024", False, dt.date(2024, 2, 29), id="leap-day"),
    # Whitespace is trimmed and collapsed.
    pytest.param("  14   Mar\t2024\n", False, MARCH_14, id="messy-whitespace"),
    pytest.param("\u00a02024-03-14\u00a0", False, MARCH_14, id="non-breaking-spaces"),
]


@pytest.mark.parametrize(("value", "day_first", "expected"), ACCEPTED)
def test_parse_date_accepts(value: object, day_first: bool, expected: dt.date) -> None:
    assert parse_date(value, day_first=day_first) == expected


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(None, id="none"),
        pytest.param("", id="empty"),
        pytest.param("   \t\n ", id="whitespace"),
        pytest.param(math.nan, id="nan"),
        pytest.param(FakeNaT(), id="nat-like"),
    ],
)
def test_parse_date_empty_cells(value: object) -> None:
    assert parse_date(value) is None
    assert parse_date(value, day_first=True) is None


def test_parse_date_reads_pandas_values() -> None:
    pd = pytest.importorskip("pandas")
    assert parse_date(pd.Timestamp("2024-03-14 10:30")) == MARCH_14
    assert parse_date(pd.NaT) is None
    assert parse_date(pd.Series([math.nan]).iloc[0]) is None


def test_parse_date_returns_plain_date_for_datetime() -> None:
    assert type(parse_date(dt.datetime(2024, 3, 14, 10))) is dt.date


# --------------------------------------------------------------------- parse_date: errors

ERRORS = [
    # Not dates at all.
    pytest.param(True, "True is not a date", id="bool-true"),
    pytest.param(False, "False is not a date", id="bool-false"),
    pytest.param([2024, 3, 14], "list", id="list"),
    pytest.param(BrokenTimestamp(), "BrokenTimestamp", id="to-pydatetime-not-datetime"),
    pytest.param("next tues", "'next tues' is not a date", id="words"),
    pytest.param("ASAP", "'ASAP'", id="shout"),
    pytest.param("2024", "'2024' is not a plausible date", id="year-only-is-small-serial"),
    pytest.param("14/03", "'14/03'", id="no-year"),
    pytest.param("2024-03", "'2024-03'", id="iso-month-only"),
    pytest.param("2024-03/14", "'2024-03/14'", id="mixed-separators"),
    pytest.param("14/3/202", "'14/3/202'", id="three-digit-year"),
    pytest.param("-43831", "'-43831'", id="negative-number-text"),
    pytest.param("43,831", "'43,831'", id="thousands-separator"),
    pytest.param("Mar 14, 2024,", "'Mar 14, 2024,'", id="trailing-comma"),
    pytest.param("2024 Mar 14", "'2024 Mar 14'", id="year-first-month-name"),
    pytest.param("14 Mar Apr 2024", "'14 Mar Apr 2024'", id="two-months"),
    pytest.param("Mar 14 2024 extra", "'Mar 14 2024 extra'", id="trailing-word"),
    pytest.param("Mar 14 202", "'Mar 14 202'", id="month-name-bad-year"),
    pytest.param("Thursday", "'Thursday'", id="weekday-only"),
    pytest.param("3/14/2024T10:30", "'3/14/2024T10:30'", id="t-after-year-last"),
    pytest.param("2024-03-14 25:00", "'2024-03-14 25:00'", id="bad-hour"),
    pytest.param("2024-03-14 10:60", "'2024-03-14 10:60'", id="bad-minute"),
    pytest.param("3/14/2024 13:00 PM", "'3/14/2024 13:00 PM'", id="bad-12-hour"),
    pytest.param("١٤/٣/٢٠٢٤", "'١٤/٣/٢٠٢٤'", id="non-ascii-digits"),
    # Numbers out of the plausible range.
    pytest.param(45, "45 is not a plausible date", id="small-int"),
    pytest.param(18263, "18263 is not a plausible date", id="day-before-1950"),
    pytest.param(73416, "73416 is not a plausible date", id="day-after-2100"),
    pytest.param(-1.5, "-1.5 is not a plausible date", id="negative-float"),
    pytest.param(5551234567, "5551234567 is not a plausible date", id="phone-number"),
    pytest.param(10**400, "is not a plausible date", id="huge-int"),
    pytest.param(1e300, "is not a plausible date", id="huge-float"),
    pytest.param(math.inf, "inf is not a plausible date", id="infinity"),
    pytest.param("45", "'45' is not a plausible date", id="small-serial-text"),
    pytest.param("9" * 60, "'" + "9" * 40 + "…'", id="long-digit-text"),
    # Missing parts.
    pytest.param("Mar 2024", "'Mar 2024' is missing the day", id="month-year"),
    pytest.param("March, 2024", "missing the day", id="month-comma-year"),
    pytest.param("14 March", "'14 March' is missing the year", id="day-month"),
    pytest.param("March 14th", "missing the year", id="month-ordinal"),
    # Impossible dates.
    pytest.param("2024-02-30", "February 2024 has only 29 days", id="feb-30"),
    pytest.param("2023-02-29", "February 2023 has only 28 days", id="not-leap-year"),
    pytest.param("2024-13-01", "there is no month 13", id="month-13"),
    pytest.param("2024-00-10", "there is no month 0", id="month-0"),
    pytest.param("2024-03-00", "there is no day 0", id="day-0"),
    pytest.param("0000-01-01", "there is no year 0", id="year-0"),
    pytest.param("13/13/2024", "there is no month 13", id="year-last-month-13"),
    pytest.param("2/30/2024", "February 2024 has only 29 days", id="year-last-feb-30"),
    pytest.param("31 Apr 2024", "April 2024 has only 30 days", id="month-name-apr-31"),
    pytest.param("Friday, March 14, 2024", "2024-03-14 is a Thursday", id="wrong-weekday"),
]


@pytest.mark.parametrize(("value", "fragment"), ERRORS)
def test_parse_date_errors_explain(value: object, fragment: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_date(value)
    message = str(caught.value)
    assert fragment in message
    # Every message is a sentence with advice, not a traceback-style repr.
    assert "2024-03-14" in message
    assert "\n" not in message


def test_parse_date_error_quotes_normalised_text() -> None:
    with pytest.raises(DateError, match=re.escape("'next tues'")):
        parse_date("  next \n tues ")


def test_parse_date_error_truncates_long_text() -> None:
    text = "x" * 100
    with pytest.raises(DateError) as caught:
        parse_date(text)
    assert f"'{'x' * 40}…'" in str(caught.value)
    assert "x" * 41 not in str(caught.value)


def test_parse_date_impossible_ambiguous_text_explains_callers_order() -> None:
    with pytest.raises(DateError, match="there is no month 30"):
        parse_date("30/30/2024", day_first=True)


def test_date_error_is_value_error() -> None:
    assert issubclass(DateError, ValueError)


# -------------------------------------------------------------------- is_ambiguous_date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("4/5/2026", True, id="slash"),
        pytest.param("04.05.26", True, id="dots-two-digit-year"),
        pytest.param("12-1-2024", True, id="hyphens"),
        pytest.param(" 4/5/2026 10:30 ", True, id="with-time"),
        pytest.param("5/5/2026", False, id="same-both-ways"),
        pytest.param("3/14/2024", False, id="only-month-first"),
        pytest.param("14/3/2024", False, id="only-day-first"),
        pytest.param("2/30/2024", False, id="neither-valid"),
        pytest.param("2024-04-05", False, id="iso"),
        pytest.param("5 Apr 2026", False, id="month-name"),
        pytest.param("43831", False, id="serial-text"),
        pytest.param(43831, False, id="serial"),
        pytest.param(dt.date(2026, 4, 5), False, id="date"),
        pytest.param(None, False, id="none"),
        pytest.param("", False, id="empty"),
        pytest.param("next tues", False, id="garbage"),
        pytest.param("4/5/2026 99:99", False, id="bad-time"),
    ],
)
def test_is_ambiguous_date(value: object, expected: bool) -> None:
    assert is_ambiguous_date(value) is expected


# --------------------------------------------------------------------------- serials


def test_serial_known_values() -> None:
    assert serial_to_date(1) == dt.date(1899, 12, 31)
    assert serial_to_date(0) == dt.date(1899, 12, 30)
    assert serial_to_date(43831) == dt.date(2020, 1, 1)
    assert serial_to_date(43831.999) == dt.date(2020, 1, 1)
    assert date_to_serial(dt.date(2020, 1, 1)) == 43831
    assert date_to_serial(FIRST_PLAUSIBLE) == 18264
    assert date_to_serial(LAST_PLAUSIBLE) == 73415
    assert date_to_serial(dt.datetime(2020, 1, 1, 18)) == 43831


@pytest.mark.parametrize(
    "serial",
    [
        pytest.param(math.nan, id="nan"),
        pytest.param(math.inf, id="inf"),
        pytest.param(-math.inf, id="minus-inf"),
        pytest.param(1e300, id="huge"),
        pytest.param(-1e300, id="huge-negative"),
    ],
)
def test_serial_to_date_rejects_impossible(serial: float) -> None:
    with pytest.raises(DateError):
        serial_to_date(serial)


def test_serial_round_trip_every_plausible_day() -> None:
    day = FIRST_PLAUSIBLE
    for serial in range(18264, 73416):
        assert serial_to_date(serial) == day
        assert date_to_serial(day) == serial
        assert parse_date(serial) == day
        day += dt.timedelta(days=1)


@given(st.dates())
def test_serial_round_trip_any_date(day: dt.date) -> None:
    assert serial_to_date(date_to_serial(day)) == day


# Up to 0.999: closer to 1, float addition itself rounds up to the next day.
@given(PLAUSIBLE_DATES, st.floats(min_value=0, max_value=0.999))
def test_serial_fraction_is_time_of_day(day: dt.date, fraction: float) -> None:
    assert parse_date(date_to_serial(day) + fraction) == day


# ------------------------------------------------------------------ parse_date: properties


@given(st.dates())
def test_iso_round_trip(day: dt.date) -> None:
    assert parse_date(day.isoformat()) == day
    assert parse_date(day.isoformat(), day_first=True) == day


@given(PLAUSIBLE_DATES, st.sampled_from("/-."), st.booleans())
def test_year_last_round_trip_with_matching_order(day: dt.date, sep: str, pad: bool) -> None:
    width = 2 if pad else 1
    month, dom = f"{day.month:0{width}d}", f"{day.day:0{width}d}"
    assert parse_date(f"{month}{sep}{dom}{sep}{day.year}", day_first=False) == day
    assert parse_date(f"{dom}{sep}{month}{sep}{day.year}", day_first=True) == day


@given(st.dates(min_value=dt.date(1969, 1, 1), max_value=dt.date(2068, 12, 31)))
def test_two_digit_year_round_trip(day: dt.date) -> None:
    assert parse_date(day.strftime("%m/%d/%y"), day_first=False) == day
    assert parse_date(day.strftime("%d/%m/%y"), day_first=True) == day


@given(st.dates(min_value=dt.date(1000, 1, 1)), st.booleans())
def test_month_name_round_trip(day: dt.date, abbreviated: bool) -> None:
    month = day.strftime("%b" if abbreviated else "%B")
    weekday = day.strftime("%a" if abbreviated else "%A")
    assert parse_date(f"{day.day} {month} {day.year}") == day
    assert parse_date(f"{weekday}, {month} {day.day}, {day.year}") == day


DATE_LIKE_TEXT = st.text(alphabet="0123456789/-.:, TtZzAPMapmJanMarSeptThuNovDecst+", max_size=30)


@settings(max_examples=300)
@given(st.one_of(st.text(), DATE_LIKE_TEXT), st.booleans())
def test_parse_date_text_raises_only_date_error(text: str, day_first: bool) -> None:
    try:
        result = parse_date(text, day_first=day_first)
    except DateError as error:
        assert str(error)
    else:
        assert result is None or type(result) is dt.date


@given(st.one_of(st.floats(), st.integers()), st.booleans())
def test_parse_date_numbers_raise_only_date_error(number: float, day_first: bool) -> None:
    try:
        result = parse_date(number, day_first=day_first)
    except DateError:
        assert not 18264 <= number < 73416
    else:
        if result is None:
            assert math.isnan(number)
        else:
            assert FIRST_PLAUSIBLE <= result <= LAST_PLAUSIBLE


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


@given(
    st.integers(min_value=0, max_value=40),
    st.integers(min_value=0, max_value=40),
    st.integers(min_value=0, max_value=9999),
    st.sampled_from("/-."),
)
def test_is_ambiguous_matches_definition(first: int, second: int, year: int, sep: str) -> None:
    text = f"{first}{sep}{second}{sep}{year:04d}"
    both_valid = _valid(year, first, second) and _valid(year, second, first)
    assert is_ambiguous_date(text) is (both_valid and first != second)


@given(st.one_of(st.text(), DATE_LIKE_TEXT))
def test_day_first_only_matters_when_ambiguous(text: str) -> None:
    def attempt(day_first: bool) -> dt.date | str | None:
        try:
            return parse_date(text, day_first=day_first)
        except DateError:
            return "error"

    month_first, day_first = attempt(False), attempt(True)
    if is_ambiguous_date(text):
        assert month_first != day_first
    else:
        assert month_first == day_first


# ----------------------------------------------------------------- day_first_for_locale


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        pytest.param("en_US", False, id="en_US"),
        pytest.param("en-US", False, id="en-US"),
        pytest.param("en_us", False, id="lower-case"),
        pytest.param("EN-us", False, id="mixed-case"),
        pytest.param(" en_US ", False, id="padded"),
        pytest.param("en_US.UTF-8", False, id="posix-encoding"),
        pytest.param("en_PH", False, id="en_PH"),
        pytest.param("es_US", False, id="es_US"),
        pytest.param("en_AS", False, id="en_AS"),
        pytest.param("en_GU", False, id="en_GU"),
        pytest.param("en_MP", False, id="en_MP"),
        pytest.param("en_PR", False, id="en_PR"),
        pytest.param("en_UM", False, id="en_UM"),
        pytest.param("en_VI", False, id="en_VI"),
        pytest.param("fil_PH", False, id="fil_PH"),
        pytest.param("en_GB", True, id="en_GB"),
        pytest.param("en_CA", True, id="en_CA"),
        pytest.param("en", True, id="bare-english"),
        pytest.param("de_DE", True, id="de_DE"),
        pytest.param("de_DE@euro", True, id="posix-modifier"),
        pytest.param("fr", True, id="fr"),
        pytest.param("es_419", True, id="un-m49-region"),
        pytest.param("es_MX", True, id="es_MX"),
        pytest.param("zh_Hant_TW", True, id="script-subtag"),
        pytest.param("fil", True, id="three-letter-language"),
    ],
)
def test_day_first_for_locale(locale: str, expected: bool) -> None:
    assert day_first_for_locale(locale) is expected


@pytest.mark.parametrize(
    "locale",
    [
        pytest.param("", id="empty"),
        pytest.param("C", id="c-locale"),
        pytest.param("english", id="word"),
        pytest.param("en_USA", id="three-letter-region"),
        pytest.param("en US", id="space"),
        pytest.param("12_US", id="digits-language"),
        pytest.param("en_1234", id="four-digit-region"),
    ],
)
def test_day_first_for_locale_rejects_non_locales(locale: str) -> None:
    with pytest.raises(ValueError, match="is not a locale code") as caught:
        day_first_for_locale(locale)
    assert f"'{locale}'" in str(caught.value)
    assert "en_US" in str(caught.value)


# ---------------------------------------------------------------------------- humanize_ago


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        pytest.param(0, "today", id="0"),
        pytest.param(1, "yesterday", id="1"),
        pytest.param(2, "2 days ago", id="2"),
        pytest.param(6, "6 days ago", id="6"),
        pytest.param(7, "about a week ago", id="7"),
        pytest.param(10, "about a week ago", id="10"),
        pytest.param(11, "about 2 weeks ago", id="11"),
        pytest.param(24, "about 3 weeks ago", id="24"),
        pytest.param(45, "about 6 weeks ago", id="45"),
        pytest.param(46, "about 2 months ago", id="46"),
        pytest.param(91, "about 3 months ago", id="91"),
        pytest.param(319, "about 10 months ago", id="319"),
        pytest.param(320, "about a year ago", id="320"),
        pytest.param(547, "about a year ago", id="547"),
        pytest.param(548, "about 2 years ago", id="548"),
        pytest.param(3653, "about 10 years ago", id="3653"),
    ],
)
def test_humanize_ago(days: int, expected: str) -> None:
    assert humanize_ago(days) == expected


def test_humanize_ago_rejects_future() -> None:
    with pytest.raises(ValueError, match="-1"):
        humanize_ago(-1)


_AMOUNT = re.compile(r"(?:about )?(a|\d+) (day|week|month|year)s? ago")
_UNIT_DAYS = {"day": 1.0, "week": 7.0, "month": 30.44, "year": 365.25}


def _stated_days(phrase: str) -> float:
    """How many days a humanize_ago phrase claims, to compare phrases."""
    if phrase == "today":
        return 0.0
    if phrase == "yesterday":
        return 1.0
    match = _AMOUNT.fullmatch(phrase)
    assert match is not None, phrase
    count = 1 if match[1] == "a" else int(match[1])
    assert count == 1 or match[0].split()[-2].endswith("s"), phrase
    return count * _UNIT_DAYS[match[2]]


def test_humanize_ago_monotone_over_first_decades() -> None:
    stated = [_stated_days(humanize_ago(days)) for days in range(0, 20_000)]
    assert stated == sorted(stated)


@given(st.integers(min_value=0, max_value=10**7), st.integers(min_value=0, max_value=10**7))
def test_humanize_ago_monotone(a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert _stated_days(humanize_ago(low)) <= _stated_days(humanize_ago(high))
