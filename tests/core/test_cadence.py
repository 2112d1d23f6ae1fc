"""Tests for sheetsync.core.cadence: every accepted cadence form, every error, and properties."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetsync.core.cadence import (
    CadenceError,
    bare_number_unit,
    format_cadence,
    parse_cadence,
)

ACCEPTED = [
    # Numbers.
    pytest.param(45, 45, id="int"),
    pytest.param(45.0, 45, id="whole-float"),
    pytest.param(1, 1, id="one-day"),
    pytest.param(3650, 3650, id="ten-years"),
    pytest.param(Fraction(14), 14, id="fraction"),
    # Days.
    pytest.param("45", 45, id="digits"),
    pytest.param("+45", 45, id="plus-sign"),
    pytest.param("045", 45, id="leading-zero"),
    pytest.param("45 days", 45, id="days"),
    pytest.param("45 day", 45, id="day"),
    pytest.param("45d", 45, id="d"),
    pytest.param("45 D", 45, id="upper-d"),
    pytest.param("45-day", 45, id="hyphenated"),
    pytest.param("every 3 days", 3, id="every-n-days"),
    pytest.param("every day", 1, id="every-day"),
    pytest.param("every 45", 45, id="every-bare-number"),
    # Weeks.
    pytest.param("2w", 14, id="w"),
    pytest.param("2 wk", 14, id="wk"),
    pytest.param("2 wks", 14, id="wks"),
    pytest.param("2 weeks", 14, id="weeks"),
    pytest.param("1 week", 7, id="week"),
    pytest.param("every 3 weeks", 21, id="every-n-weeks"),
    pytest.param("every week", 7, id="every-week"),
    pytest.param("every other week", 14, id="every-other-week"),
    pytest.param("every-other-week", 14, id="every-other-week-hyphens"),
    pytest.param("every two weeks", 14, id="every-two-weeks"),
    pytest.param("Every Twelve Weeks", 84, id="every-twelve-weeks"),
    pytest.param("every fortnight", 14, id="every-fortnight"),
    pytest.param("once a week", 7, id="once-a-week"),
    pytest.param("once per week", 7, id="once-per-week"),
    pytest.param("once every 3 weeks", 21, id="once-every"),
    # Months.
    pytest.param("3m", 90, id="m"),
    pytest.param("3 mo", 90, id="mo"),
    pytest.param("3 months", 90, id="months"),
    pytest.param("1 month", 30, id="month"),
    pytest.param("every 2 months", 60, id="every-n-months"),
    pytest.param("every other month", 60, id="every-other-month"),
    pytest.param("1.5 months", 45, id="fractional-quantity-whole-days"),
    pytest.param("month", 30, id="bare-unit"),
    pytest.param("once a month", 30, id="once-a-month"),
    # Quarters and years.
    pytest.param("1 quarter", 91, id="quarter"),
    pytest.param("2 qtrs", 182, id="qtrs"),
    pytest.param("1y", 365, id="y"),
    pytest.param("1 yr", 365, id="yr"),
    pytest.param("1 year", 365, id="year"),
    pytest.param("2 years", 730, id="years"),
    pytest.param("every year", 365, id="every-year"),
    pytest.param("10 years", 3650, id="ten-years-text"),
    # Named cadences.
    pytest.param("daily", 1, id="daily"),
    pytest.param("weekly", 7, id="weekly"),
    pytest.param("biweekly", 14, id="biweekly"),
    pytest.param("bi-weekly", 14, id="bi-weekly"),
    pytest.param("fortnightly", 14, id="fortnightly"),
    pytest.param("twice a month", 15, id="twice-a-month"),
    pytest.param("semimonthly", 15, id="semimonthly"),
    pytest.param("semi-monthly", 15, id="semi-monthly"),
    pytest.param("monthly", 30, id="monthly"),
    pytest.param("bimonthly", 60, id="bimonthly"),
    pytest.param("quarterly", 91, id="quarterly"),
    pytest.param("twice a year", 182, id="twice-a-year"),
    pytest.param("semiannually", 182, id="semiannually"),
    pytest.param("semi-annually", 182, id="semi-annually"),
    pytest.param("half-yearly", 182, id="half-yearly"),
    pytest.param("half yearly", 182, id="half-yearly-space"),
    pytest.param("yearly", 365, id="yearly"),
    pytest.param("annually", 365, id="annually"),
    pytest.param("  MONTHLY \n", 30, id="case-and-whitespace"),
    pytest.param("every   3\tweeks", 21, id="inner-whitespace"),
]


@pytest.mark.parametrize(("value", "expected"), ACCEPTED)
def test_parse_cadence_accepts(value: object, expected: int) -> None:
    assert parse_cadence(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(None, id="none"),
        pytest.param("", id="empty"),
        pytest.param("  \t ", id="whitespace"),
        pytest.param(math.nan, id="nan"),
    ],
)
def test_parse_cadence_empty_cells(value: object) -> None:
    assert parse_cadence(value) is None


ERRORS = [
    # Not cadences at all.
    pytest.param(True, "True is not a cadence", id="bool"),
    pytest.param([7], "list", id="list"),
    pytest.param("sometimes", "'sometimes' is not a cadence sheetsync can read", id="word"),
    pytest.param("every", "'every'", id="every-alone"),
    pytest.param("every other", "'every other'", id="every-other-alone"),
    pytest.param("other week", "'other week'", id="other-without-every"),
    pytest.param("3 fortnights later", "'3 fortnights later'", id="trailing-words"),
    pytest.param("thirteen weeks", "'thirteen weeks'", id="number-word-too-big"),
    pytest.param("2 minutes", "'2 minutes'", id="unknown-unit"),
    pytest.param("once a", "'once a'", id="once-a-alone"),
    pytest.param("once a 2 weeks", "'once a 2 weeks'", id="once-a-with-number"),
    pytest.param("twice a week", "'twice a week'", id="twice-a-week"),
    pytest.param("biannually", "'biannually'", id="biannually-is-ambiguous"),
    pytest.param("weekly!", "'weekly!'", id="punctuation"),
    pytest.param("x" * 60, "'" + "x" * 40 + "…'", id="long-text-truncated"),
    pytest.param(math.inf, "inf is not a cadence", id="infinity"),
    # Too small.
    pytest.param(0, "0 is not a cadence: it must be at least 1 day", id="zero"),
    pytest.param(-7, "-7 is not a cadence", id="negative"),
    pytest.param("0", "'0' is not a cadence: it must be at least 1 day", id="zero-text"),
    pytest.param("0 days", "'0 days'", id="zero-days"),
    pytest.param("-3 days", "'-3 days' is not a cadence", id="negative-text"),
    pytest.param("0.5", "at least 1 day", id="half-day"),
    pytest.param("0." + "0" * 30 + "1 weeks", "at least 1 day", id="tiny-long-fraction"),
    # Not whole days.
    pytest.param(1.5, "1.5 comes to 1.5 days", id="fractional-float"),
    pytest.param("1.5 weeks", "'1.5 weeks' comes to 10.5 days", id="fractional-weeks"),
    pytest.param("2.5", "whole number of days", id="fractional-text"),
    pytest.param("1." + "0" * 30 + "1 days", "whole number of days", id="long-fraction"),
    # Too long.
    pytest.param(3651, "3651 is longer than the 10 years", id="3651"),
    pytest.param("11 years", "'11 years' is longer than the 10 years", id="eleven-years"),
    pytest.param("122 months", "longer than the 10 years", id="122-months"),
    pytest.param(10**400, "longer than the 10 years", id="huge-int"),
    pytest.param("9" * 60, "longer than the 10 years", id="huge-text"),
]


@pytest.mark.parametrize(("value", "fragment"), ERRORS)
def test_parse_cadence_errors_explain(value: object, fragment: str) -> None:
    with pytest.raises(CadenceError) as caught:
        parse_cadence(value)
    message = str(caught.value)
    assert fragment in message
    assert "\n" not in message
    # Every message ends with something to write instead.
    assert '"' in message


def test_unreadable_message_gives_examples() -> None:
    with pytest.raises(CadenceError) as caught:
        parse_cadence("  when I  feel like it ")
    assert str(caught.value) == (
        "'when I feel like it' is not a cadence sheetsync can read; "
        'write it like "2 weeks", "monthly" or "45 days"'
    )


def test_fractional_message_suggests_nearest_whole() -> None:
    with pytest.raises(CadenceError, match='like "10 days"'):
        parse_cadence("1.5 weeks")


def test_cadence_error_is_value_error() -> None:
    assert issubclass(CadenceError, ValueError)


# ---------------------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        pytest.param(1, "1 day", id="1"),
        pytest.param(2, "2 days", id="2"),
        pytest.param(7, "1 week", id="7"),
        pytest.param(14, "2 weeks", id="14"),
        pytest.param(15, "15 days", id="15"),
        pytest.param(30, "1 month", id="30"),
        pytest.param(45, "45 days", id="45"),
        pytest.param(60, "2 months", id="60"),
        pytest.param(90, "3 months", id="90"),
        pytest.param(91, "13 weeks", id="91"),
        pytest.param(182, "26 weeks", id="182"),
        pytest.param(210, "7 months", id="210-month-beats-week"),
        pytest.param(365, "1 year", id="365"),
        pytest.param(730, "2 years", id="730"),
        pytest.param(3650, "10 years", id="3650"),
    ],
)
def test_format_cadence(days: int, expected: str) -> None:
    assert format_cadence(days) == expected


@pytest.mark.parametrize("days", [0, -1])
def test_format_cadence_rejects_non_positive(days: int) -> None:
    with pytest.raises(CadenceError, match="at least 1 day"):
        format_cadence(days)


def test_format_then_parse_round_trips_every_cadence() -> None:
    for days in range(1, 3651):
        assert parse_cadence(format_cadence(days)) == days


@given(st.integers(min_value=1, max_value=3650))
def test_parse_digits_round_trips(days: int) -> None:
    assert parse_cadence(str(days)) == days
    assert parse_cadence(days) == days


CADENCE_LIKE_TEXT = st.text(alphabet="0123456789.-+ dwmyqeveryotherkslnacdaily", max_size=25)


@given(st.one_of(st.text(), CADENCE_LIKE_TEXT))
def test_parse_cadence_text_raises_only_cadence_error(text: str) -> None:
    try:
        result = parse_cadence(text)
    except CadenceError as error:
        assert str(error)
    else:
        assert result is None or 1 <= result <= 3650


@given(st.one_of(st.integers(), st.floats()))
def test_parse_cadence_numbers_raise_only_cadence_error(number: float) -> None:
    in_range = math.isfinite(number) and number == int(number) and 1 <= number <= 3650
    try:
        result = parse_cadence(number)
    except CadenceError:
        assert not in_range
    else:
        if result is None:
            assert math.isnan(number)
        else:
            assert result == number


@pytest.mark.parametrize(
    ("header", "days"),
    [
        pytest.param("Cadence", 1, id="no-unit"),
        pytest.param("Days between", 1, id="days-between"),
        pytest.param("Typical silence (days)", 1, id="days-in-brackets"),
        pytest.param("Every N days", 1, id="every-n-days"),
        pytest.param("Frequency (weeks)", 7, id="weeks"),
        pytest.param("Every N weeks", 7, id="every-n-weeks"),
        pytest.param("Months between", 30, id="months"),
        pytest.param("Frequency (in months)", 30, id="in-months"),
    ],
)
def test_a_header_can_say_the_unit_of_bare_numbers(header: str, days: int) -> None:
    assert bare_number_unit(header) == days


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        pytest.param(3, 7, 21, id="int-weeks"),
        pytest.param("3", 7, 21, id="text-weeks"),
        pytest.param(2.0, 30, 60, id="float-months"),
        pytest.param("45 days", 30, 45, id="a-written-unit-wins"),
        pytest.param("monthly", 7, 30, id="a-word-wins"),
        pytest.param("1.5", 30, 45, id="fraction-of-months"),
    ],
)
def test_bare_numbers_in_the_headers_unit(value: object, unit: int, expected: int) -> None:
    assert parse_cadence(value, bare_unit=unit) == expected


def test_bare_unit_still_checks_the_range() -> None:
    with pytest.raises(CadenceError, match="10 years"):
        parse_cadence(20, bare_unit=365)
