"""Reading and writing how often someone wants to keep in touch with a contact.

A cadence is a whole number of days.  People type it in many ways, so
:func:`parse_cadence` reads, case-insensitively and ignoring extra spaces:

* a number of days: ``45``, ``45 days``, ``45d`` (a bare number is always days);
* a number and a unit, with or without "every": ``2w``, ``2 wk``, ``2 weeks``,
  ``every 3 weeks``, ``3m``, ``3 mo``, ``every 2 months``, ``1y``, ``1 yr``;
  the number may be a word from "one" to "twelve" (``every two weeks``) or
  have a decimal fraction if the result is still whole days (``1.5 months``);
* a unit on its own: ``every week``, ``every year``, ``once a month``, ``month``;
* ``every other week`` / ``every other month`` (two of the unit);
* these words, with or without a hyphen or space inside:

  ========================================================  =====
  daily                                                          1
  weekly                                                         7
  biweekly, fortnightly                                         14
  semimonthly, twice a month                                    15
  monthly                                                       30
  bimonthly                                                     60
  quarterly                                                     91
  semiannually, half-yearly, twice a year                      182
  yearly, annually                                             365
  ========================================================  =====

Units: a day is 1 day, a week 7, a fortnight 14, a month 30, a quarter 91 and a
year 365; "m" and "mo" are months (there are no minutes in a cadence).  A
cadence must come to a whole number of days from 1 to 3650 (ten years).

A bare number is days, unless the column's header names another unit:
:func:`bare_number_unit` reads "Frequency (weeks)" or "Every N months" as the
unit of that column's bare numbers, and ``parse_cadence(value, bare_unit=...)``
applies it.  A unit written in the cell ("45 days", "monthly") always wins.
"""

from __future__ import annotations

import math
import numbers
import re
from fractions import Fraction
from typing import Final

__all__ = ["CadenceError", "bare_number_unit", "format_cadence", "parse_cadence"]

_MAX_DAYS: Final = 3650
_QUOTE_LIMIT: Final = 40
_EXAMPLES: Final = 'write it like "2 weeks", "monthly" or "45 days"'

_UNITS: Final[dict[str, int]] = {
    **dict.fromkeys(("d", "day", "days"), 1),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), 7),
    **dict.fromkeys(("fortnight", "fortnights"), 14),
    **dict.fromkeys(("m", "mo", "mos", "mth", "mths", "month", "months"), 30),
    **dict.fromkeys(("q", "qtr", "qtrs", "quarter", "quarters"), 91),
    **dict.fromkeys(("y", "yr", "yrs", "year", "years"), 365),
}

# Keys have spaces and hyphens removed, so "half-yearly", "half yearly" and
# "halfyearly" all match.
_NAMED: Final[dict[str, int]] = {
    "daily": 1,
    "weekly": 7,
    "biweekly": 14,
    "fortnightly": 14,
    "semimonthly": 15,
    "twiceamonth": 15,
    "monthly": 30,
    "bimonthly": 60,
    "quarterly": 91,
    # 182, not 182.5: a cadence is whole days, and rounding down errs towards
    # getting in touch a little early rather than late.
    "semiannually": 182,
    "semiannual": 182,
    "halfyearly": 182,
    "twiceayear": 182,
    "yearly": 365,
    "annually": 365,
    "annual": 365,
}

_NUMBER_WORDS: Final[dict[str, int]] = {
    word: number
    for number, word in enumerate(
        (
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
        ),
        start=1,
    )
}

# Units a header may name for its column's bare numbers: whole words only, so
# a header's stray letter is never read as a unit.
_HEADER_UNITS: Final[dict[str, int]] = {
    word: days for word, days in _UNITS.items() if len(word) > 2 or word == "wk"
}
_HEADER_WORD: Final = re.compile(r"[a-z]+", re.ASCII)

# Written from largest to smallest: format_cadence uses the first that fits.
_FORMAT_UNITS: Final = (("year", 365), ("month", 30), ("week", 7))

_QUANTITY: Final = re.compile(r"(?P<sign>[-+]?)(?P<whole>\d+)(?:\.(?P<frac>\d+))?", re.ASCII)
_HYPHEN_IN_WORD: Final = re.compile(r"(?<=[a-z0-9])-(?=[a-z])", re.ASCII)
_NUMBER_THEN_UNIT: Final = re.compile(r"(?<=[0-9])(?=[a-z])", re.ASCII)

# Beyond these lengths a quantity is out of range or cannot be whole days
# anyway; stopping early keeps int() away from Python's long-digit limit.
_MAX_WHOLE_DIGITS: Final = 9
_MAX_FRACTION_DIGITS: Final = 9


class CadenceError(ValueError):
    """A cadence cell holds something sheetsync cannot read as a number of days.

    The message is a short sentence meant to be shown to the person who typed it.
    """


# --------------------------------------------------------------------------- public API


def parse_cadence(value: object, *, bare_unit: int = 1) -> int | None:
    """Read one cadence cell as a number of days; ``None`` means the cell is empty.

    See the module docstring for every accepted form.  A float NaN (how pandas
    shows an empty cell) is empty too.  A bare number counts ``bare_unit``
    days each (1: days; see :func:`bare_number_unit`).

    Raises:
        CadenceError: the value is not a cadence, or not 1 to 3650 whole days.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return _parse_text(value, bare_unit)
    # bool is an int subclass; a ticked checkbox is not "every day".
    if isinstance(value, bool):
        raise CadenceError(f"{value} is not a cadence; {_EXAMPLES}")
    if isinstance(value, numbers.Integral):
        return _check_days(Fraction(int(value)) * bare_unit, str(int(value)))
    if isinstance(value, numbers.Real):
        return _parse_real(float(value), bare_unit)
    raise CadenceError(f"a {type(value).__name__} value is not a cadence; {_EXAMPLES}")


def bare_number_unit(header: str) -> int:
    """Days per bare number in a column with this header: 7 for "Frequency (weeks)".

    The first unit word in the header decides ("Days between" is 1, "Every N
    months" 30); a header that names no unit means days.
    """
    for word in _HEADER_WORD.findall(header.casefold()):
        if word in _HEADER_UNITS:
            return _HEADER_UNITS[word]
    return 1


def format_cadence(days: int) -> str:
    """Say a cadence in words for reports: "2 weeks", "1 month", "45 days", "1 year".

    Uses the largest of year (365), month (30) and week (7) that divides
    ``days`` exactly, else days, so :func:`parse_cadence` reads it back as the
    same number.

    Raises:
        CadenceError: ``days`` is less than 1.
    """
    if days < 1:
        raise CadenceError(f"a cadence must be at least 1 day, not {days}")
    for name, size in _FORMAT_UNITS:
        if days % size == 0:
            return _plural(days // size, name)
    return _plural(days, "day")


# --------------------------------------------------------------------------- helpers


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def _quote(text: str) -> str:
    shown = text if len(text) <= _QUOTE_LIMIT else text[:_QUOTE_LIMIT] + "…"
    return f"'{shown}'"


def _unreadable(text: str) -> CadenceError:
    return CadenceError(f"{_quote(text)} is not a cadence sheetsync can read; {_EXAMPLES}")


def _parse_real(number: float, bare_unit: int) -> int | None:
    if math.isnan(number):
        return None
    if math.isinf(number):
        raise CadenceError(f"{number} is not a cadence; {_EXAMPLES}")
    shown = str(int(number)) if number.is_integer() and abs(number) < 1e15 else str(number)
    return _check_days(Fraction(number) * bare_unit, shown)


def _check_days(days: Fraction, shown: str) -> int:
    if days < 1:
        raise _too_small(shown)
    if days.denominator != 1:
        raise _not_whole(shown, float(days))
    if days > _MAX_DAYS:
        raise CadenceError(
            f"{shown} is longer than the 10 years (3650 days) sheetsync allows; "
            'write something like "1 year"'
        )
    return int(days)


def _too_small(shown: str) -> CadenceError:
    return CadenceError(f"{shown} is not a cadence: it must be at least 1 day; {_EXAMPLES}")


def _not_whole(shown: str, days: float) -> CadenceError:
    nearest = _plural(max(1, round(days)), "day")
    # A float can round a long fraction to a whole number; then "comes to"
    # would read as nonsense, so only the advice is given.
    comes_to = "is not" if days.is_integer() else f"comes to {days:g} days, not"
    return CadenceError(f'{shown} {comes_to} a whole number of days; write it like "{nearest}"')


def _parse_text(raw: str, bare_unit: int) -> int | None:
    text = " ".join(raw.lower().split())
    if not text:
        return None
    named = _NAMED.get(text.replace(" ", "").replace("-", ""))
    if named is not None:
        return named
    words = _NUMBER_THEN_UNIT.sub(" ", _HYPHEN_IN_WORD.sub(" ", text)).split()
    quantity, unit = _split_phrase(words, raw, bare_unit)
    return _check_days(_quantity(quantity, unit, raw), _quote(" ".join(raw.split())))


def _split_phrase(words: list[str], raw: str, bare_unit: int) -> tuple[str, int]:
    """Find the quantity (as typed) and the unit's size in days in a phrase."""
    # "once a month", "once per week", "once every 2 weeks"
    if len(words) > 1 and words[0] == "once" and words[1] in {"a", "an", "per", "every"}:
        if words[1] != "every":
            return _bare_unit(words[2:], raw)
        words = words[1:]
    every = bool(words) and words[0] == "every"
    if every:
        words = words[1:]
    if len(words) == 1 and _QUANTITY.fullmatch(words[0]):
        return words[0], bare_unit
    if len(words) == 1:
        return _bare_unit(words, raw)
    if len(words) == 2 and words[1] in _UNITS:
        if words[0] == "other" and every:
            return "2", _UNITS[words[1]]
        if words[0] in _NUMBER_WORDS:
            return str(_NUMBER_WORDS[words[0]]), _UNITS[words[1]]
        if _QUANTITY.fullmatch(words[0]):
            return words[0], _UNITS[words[1]]
    raise _unreadable(" ".join(raw.split()))


def _bare_unit(words: list[str], raw: str) -> tuple[str, int]:
    if len(words) == 1 and words[0] in _UNITS:
        return "1", _UNITS[words[0]]
    raise _unreadable(" ".join(raw.split()))


def _quantity(typed: str, unit: int, raw: str) -> Fraction:
    """Turn the typed quantity times the unit into an exact number of days."""
    match = _QUANTITY.fullmatch(typed)
    if match is None:
        raise _unreadable(" ".join(raw.split()))
    sign = -1 if match["sign"] == "-" else 1
    whole = match["whole"].lstrip("0") or "0"
    fraction = (match["frac"] or "").rstrip("0")
    shown = _quote(" ".join(raw.split()))
    if len(whole) > _MAX_WHOLE_DIGITS:
        # Far beyond ten years either way; the check below words the error.
        return Fraction(sign * 10**_MAX_WHOLE_DIGITS)
    if len(fraction) > _MAX_FRACTION_DIGITS:
        # No unit here is a multiple of 10**10, so this cannot be whole days.
        approx = float(typed) * unit
        raise _too_small(shown) if approx < 1 else _not_whole(shown, approx)
    return sign * Fraction(int(whole + fraction), 10 ** len(fraction)) * unit
