"""Reading the date cells people type into a contact spreadsheet.

People write "last contacted" dates in many ways, and spreadsheets hand them to
us as text, as date objects or as bare day numbers.  This module turns all of
those into ``datetime.date`` with fixed, documented rules (no guessing library),
and says in plain words what is wrong when it cannot.

What :func:`parse_date` accepts
-------------------------------
* ``None``, ``""`` and blank text: an empty cell, returned as ``None``.  So are
  a float NaN and pandas' ``NaT`` (anything that is not equal to itself).
* ``datetime.datetime`` (its date part), ``datetime.date``, and anything with a
  ``to_pydatetime()`` method such as a pandas ``Timestamp``.
* Numbers (not ``bool``): a spreadsheet day number counted from 1899-12-30, the
  epoch on which Google Sheets and modern Excel agree (43831 is 2020-01-01).
  A fraction is a time of day and is dropped.  Only day numbers from 18264
  (1950-01-01) to 73415 (2100-12-31) are taken as dates; anything else is far
  more likely a phone number or an amount than a date.
* Text, trimmed and with inner runs of whitespace collapsed to one space:

  - digits with an optional decimal fraction ("43831"): a day number, as above;
  - year first, never ambiguous: ``2024-03-14``, ``2024/03/14``, ``2024.03.14``;
  - year last: ``3/14/2024``, ``14/3/2024``, ``3-14-2024``, ``14.03.2024`` and
    two-digit years (``3/14/24``; 00-68 are 2000-2068, 69-99 are 1969-1999).
    When both numbers are 12 or less and differ, ``day_first`` decides the
    order; it is never guessed.  When only one order gives a real date (14/3),
    that order is used whatever ``day_first`` says;
  - English month names, full or three-letter (and "Sept"), any case, with an
    optional dot, an optional ordinal suffix on the day (1st, 22nd, 14th) and
    an optional leading weekday: ``14 Mar 2024``, ``March 14, 2024``,
    ``14-Mar-24``, ``Thu 14 Mar 2024``, ``Thursday, March 14th, 2024``.  A
    leading weekday must be the right one for the date;
  - any of the above followed by a time of day, which is checked and dropped:
    ``2024-03-14T10:30:00``, ``2024-03-14 10:30``, ``3/14/2024 9:05 PM``.  A
    ``T`` before the time, a ``Z`` and a UTC offset are read as in ISO 8601; the
    date is taken as written, never shifted to another time zone.

Everything else, and impossible dates such as 30 February or month 13, raise
:class:`DateError` with a message that quotes the cell and shows a good format.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import numbers
import re
from typing import Final

__all__ = [
    "DateError",
    "date_to_serial",
    "day_first_for_locale",
    "humanize_ago",
    "is_ambiguous_date",
    "parse_date",
    "serial_to_date",
]

# Google Sheets counts days from here.  Excel's 1900 system invents a 29 February
# 1900 and so agrees only from 1 March 1900 (serial 61) on; every plausible
# date is far later, so one epoch serves both.
_EPOCH: Final = dt.date(1899, 12, 30)
_FIRST_SERIAL: Final = 18264  # 1950-01-01
_LAST_SERIAL: Final = 73415  # 2100-12-31

_HINT: Final = "write it like 2024-03-14"
_QUOTE_LIMIT: Final = 40

# Two-digit years at or below this are 20xx; the same pivot as POSIX strptime.
_TWO_DIGIT_PIVOT: Final = 68

# Spelled out rather than taken from the calendar module, whose names follow
# the process locale.
MONTH_NAMES: Final = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
WEEKDAY_NAMES: Final = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)

MONTHS: Final[dict[str, int]] = {
    **{name: number for number, name in enumerate(MONTH_NAMES, start=1)},
    **{name[:3]: number for number, name in enumerate(MONTH_NAMES, start=1)},
    "sept": 9,
}
WEEKDAYS: Final[dict[str, int]] = {
    **{name: number for number, name in enumerate(WEEKDAY_NAMES)},
    **{name[:3]: number for number, name in enumerate(WEEKDAY_NAMES)},
    "tues": 1,
    "weds": 2,
    "thur": 3,
    "thurs": 3,
}

# Only ASCII digits: int() would also take Arabic-Indic or full-width digits,
# which nobody types into a date column on purpose.
_SERIAL_TEXT: Final = re.compile(r"(?P<whole>\d+)(?:\.\d+)?", re.ASCII)
_TIME_SUFFIX: Final = re.compile(
    r"(?P<sep>[ Tt])(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d{1,9})?)?"
    r"(?: ?(?P<ampm>[AaPp])\.?[Mm]\.?)?"
    r"(?: ?(?:[Zz]|UTC|GMT|[+-]\d{2}(?::?\d{2})?))?$",
    re.ASCII,
)
_YEAR_FIRST: Final = re.compile(
    r"(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})", re.ASCII
)
_YEAR_LAST: Final = re.compile(
    r"(?P<first>\d{1,2})(?P<sep>[-/.])(?P<second>\d{1,2})(?P=sep)(?P<year>\d{4}|\d{2})", re.ASCII
)
_WORD_SEPARATORS: Final = re.compile(r"[ ,/-]+")
_DAY_TOKEN: Final = re.compile(r"(?P<day>\d{1,2})(?:st|nd|rd|th)?", re.ASCII)
_YEAR_TOKEN: Final = re.compile(r"\d{4}|\d{2}", re.ASCII)
_HAS_LETTER: Final = re.compile(r"[a-z]", re.ASCII)

_LOCALE: Final = re.compile(
    r"(?P<language>[a-z]{2,3})(?:[_-][a-z]{4})?(?:[_-](?P<region>[a-z]{2}|\d{3}))?"
    r"(?:\.[a-z0-9_-]+)?(?:@[a-z0-9_]+)?",
    re.ASCII | re.IGNORECASE,
)
_MONTH_FIRST_LOCALES: Final = frozenset(
    {
        ("en", "us"),
        ("en", "ph"),
        ("es", "us"),
        ("en", "as"),
        ("en", "gu"),
        ("en", "mp"),
        ("en", "pr"),
        ("en", "um"),
        ("en", "vi"),
        ("fil", "ph"),
    }
)


class DateError(ValueError):
    """A cell that should hold a date holds something sheetsync cannot read as one.

    The message is a short sentence meant to be shown to the person who typed it.
    """


# --------------------------------------------------------------------------- public API


def parse_date(value: object, *, day_first: bool = False) -> dt.date | None:
    """Read one spreadsheet cell as a date; ``None`` means the cell is empty.

    See the module docstring for every accepted form.  ``day_first`` only
    matters for year-last numeric text where both orders give a real date, such
    as "4/5/2026"; use :func:`day_first_for_locale` to pick it.

    Raises:
        DateError: the value is not a date sheetsync can read.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return _parse_text(value, day_first=day_first)
    # bool is an int subclass; a ticked checkbox must not become 1899-12-31.
    if isinstance(value, bool):
        raise DateError(f"{value} is not a date; {_HINT}")
    # Before the datetime check: pandas' NaT claims to be a datetime.
    if _is_missing(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "to_pydatetime"):
        return _from_timestamp_like(value)
    if isinstance(value, numbers.Real):
        return _parse_serial_number(value)
    raise DateError(f"a {type(value).__name__} value is not a date sheetsync can read; {_HINT}")


def is_ambiguous_date(value: object) -> bool:
    """Tell whether the date in ``value`` depends on ``day_first``.

    True only for year-last numeric text (with or without a time) where reading
    it month-first and day-first both give real, different dates, e.g.
    "4/5/2026".  Everything else, including "5/5/2026", ISO text, day numbers,
    date objects and unreadable text, is not ambiguous.
    """
    if not isinstance(value, str):
        return False
    date_text = _strip_time(_normalise(value))
    if date_text is None:
        return False
    match = _YEAR_LAST.fullmatch(date_text)
    if match is None:
        return False
    first, second, year = _year_last_parts(match)
    if first == second:
        return False
    return _try_date(year, first, second) is not None and _try_date(year, second, first) is not None


def serial_to_date(serial: float) -> dt.date:
    """Turn a spreadsheet day number into a date (serial 1 is 1899-12-31).

    The fraction, a time of day, is dropped.  Unlike :func:`parse_date` this
    applies no plausibility range; it only refuses numbers no date can have.

    Raises:
        DateError: ``serial`` is not finite or lies outside year 1 to 9999.
    """
    if not math.isfinite(serial):
        raise DateError(f"{serial} is not a day number; {_HINT}")
    whole = math.floor(serial)
    first = _days_from_epoch(dt.date.min)
    last = _days_from_epoch(dt.date.max)
    # Checked here so a huge number gets our message rather than OverflowError.
    if not first <= whole <= last:
        raise DateError(f"{serial} is too far from today to be a date; {_HINT}")
    return _EPOCH + dt.timedelta(days=whole)


def date_to_serial(d: dt.date) -> int:
    """Turn a date into its spreadsheet day number (the inverse of serial_to_date)."""
    # A datetime is a date too, but subtracting one from a date raises.
    day = d.date() if isinstance(d, dt.datetime) else d
    return _days_from_epoch(day)


def day_first_for_locale(locale: str) -> bool:
    """Tell whether people in ``locale`` write the day before the month.

    Accepts "en_US", "en-US", "en_us", "de_DE", "fr", and also the forms the
    operating system uses ("en_US.UTF-8", "de_DE@euro") and a script subtag
    ("zh_Hant_TW").  Only the United States, the Philippines and the US
    territories are month-first; every other locale, and a bare language such
    as "en", is day-first.

    Raises:
        ValueError: ``locale`` does not look like a locale code.
    """
    match = _LOCALE.fullmatch(locale.strip())
    if match is None:
        raise ValueError(
            f"{_quote(locale)} is not a locale code; use a language and country "
            "such as en_US, en_GB or de_DE"
        )
    language = match["language"].lower()
    region = (match["region"] or "").lower()
    return (language, region) not in _MONTH_FIRST_LOCALES


def humanize_ago(days: int) -> str:
    """Say roughly how long ago something was, for reports ("about 3 weeks ago").

    The stated amount never goes down as ``days`` goes up, so rows sorted by
    staleness also read in order.

    Raises:
        ValueError: ``days`` is negative (a date in the future).
    """
    if days < 0:
        raise ValueError(f"{days} days ago is in the future; humanize_ago needs 0 or more days")
    if days == 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days <= 6:
        return f"{days} days ago"
    if days <= 10:
        return "about a week ago"
    if days <= 45:
        return f"about {max(2, round(days / 7))} weeks ago"
    if days <= 319:
        return f"about {max(2, round(days / 30.44))} months ago"
    if days <= 547:
        return "about a year ago"
    return f"about {max(2, round(days / 365.25))} years ago"


# ------------------------------------------------------------------ non-text values


def _is_missing(value: object) -> bool:
    """NaN and NaT are the only values that are not equal to themselves."""
    try:
        return bool(value != value)
    except Exception:
        # Array-likes and odd objects may refuse the comparison; they are not
        # empty cells, and the caller will report them as unreadable.
        return False


def _from_timestamp_like(value: object) -> dt.date:
    converted = value.to_pydatetime()  # type: ignore[attr-defined]
    if isinstance(converted, dt.datetime):
        return converted.date()
    raise DateError(f"a {type(value).__name__} value is not a date sheetsync can read; {_HINT}")


def _parse_serial_number(value: numbers.Real) -> dt.date | None:
    if isinstance(value, numbers.Integral):
        # Compare as int: float() of a very large int overflows.
        whole = int(value)
        shown = str(whole)
    else:
        number = float(value)
        if math.isnan(number):
            return None
        if math.isinf(number):
            raise DateError(f"{number} is not a plausible date; {_HINT}")
        whole = math.floor(number)
        # "45" reads better than "45.0" in a message about a typed number.
        shown = str(int(number)) if number.is_integer() and abs(number) < 1e15 else str(number)
    return _plausible_serial(whole, shown)


def _plausible_serial(whole: int, shown: str) -> dt.date:
    if not _FIRST_SERIAL <= whole <= _LAST_SERIAL:
        raise DateError(
            f"{shown} is not a plausible date (sheetsync reads a number as a date only "
            f"between {_FIRST_SERIAL} and {_LAST_SERIAL}, 1950 to 2100); {_HINT}"
        )
    return _EPOCH + dt.timedelta(days=whole)


def _days_from_epoch(day: dt.date) -> int:
    return (day - _EPOCH).days


# --------------------------------------------------------------------------- text


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _quote(text: str) -> str:
    shown = text if len(text) <= _QUOTE_LIMIT else text[:_QUOTE_LIMIT] + "…"
    return f"'{shown}'"


def _unreadable(text: str) -> DateError:
    return DateError(f"{_quote(text)} is not a date sheetsync can read; {_HINT}")


def _parse_text(raw: str, *, day_first: bool) -> dt.date | None:
    text = _normalise(raw)
    if not text:
        return None
    serial = _SERIAL_TEXT.fullmatch(text)
    if serial is not None:
        return _parse_serial_text(text, serial["whole"])
    date_text = _strip_time(text)
    if date_text is None:
        raise _unreadable(text)
    if _HAS_LETTER.search(date_text.lower()):
        return _parse_month_name(date_text, text)
    return _parse_numeric(date_text, text, day_first=day_first)


def _parse_serial_text(text: str, whole_digits: str) -> dt.date:
    digits = whole_digits.lstrip("0") or "0"
    # Anything this long is out of range; skipping int() also avoids Python's
    # limit on converting very long digit strings.
    if len(digits) > len(str(_LAST_SERIAL)):
        return _plausible_serial(_LAST_SERIAL + 1, _quote(text))
    return _plausible_serial(int(digits), _quote(text))


def _strip_time(text: str) -> str | None:
    """Drop a trailing time of day; None if the time itself is not valid.

    A "T" separator is only allowed after a year-first date, as in ISO 8601.
    """
    match = _TIME_SUFFIX.search(text)
    if match is None:
        return text
    date_text = text[: match.start()]
    if match["sep"] in "Tt" and _YEAR_FIRST.fullmatch(date_text) is None:
        return None
    if not _valid_time(match):
        return None
    return date_text


def _valid_time(match: re.Match[str]) -> bool:
    hour = int(match["hour"])
    minute = int(match["minute"])
    second = int(match["second"] or 0)
    hour_ok = 1 <= hour <= 12 if match["ampm"] else hour <= 23
    return hour_ok and minute <= 59 and second <= 59


def _parse_numeric(date_text: str, text: str, *, day_first: bool) -> dt.date:
    match = _YEAR_FIRST.fullmatch(date_text)
    if match is not None:
        return _build_date(int(match["year"]), int(match["month"]), int(match["day"]), text)
    match = _YEAR_LAST.fullmatch(date_text)
    if match is not None:
        return _resolve_year_last(match, text, day_first=day_first)
    raise _unreadable(text)


def _year_last_parts(match: re.Match[str]) -> tuple[int, int, int]:
    return int(match["first"]), int(match["second"]), _full_year(match["year"])


def _full_year(digits: str) -> int:
    year = int(digits)
    if len(digits) == 4:
        return year
    return year + (2000 if year <= _TWO_DIGIT_PIVOT else 1900)


def _resolve_year_last(match: re.Match[str], text: str, *, day_first: bool) -> dt.date:
    first, second, year = _year_last_parts(match)
    month_first = _try_date(year, first, second)
    day_first_reading = _try_date(year, second, first)
    preferred, other = (
        (day_first_reading, month_first) if day_first else (month_first, day_first_reading)
    )
    if preferred is not None:
        return preferred
    if other is not None:
        return other
    # Neither order works: explain using the order the caller asked for.
    month, day = (second, first) if day_first else (first, second)
    return _build_date(year, month, day, text)


def _try_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _build_date(year: int, month: int, day: int, text: str) -> dt.date:
    built = _try_date(year, month, day)
    if built is not None:
        return built
    raise DateError(
        f"{_quote(text)} is not a real date: {_why_not_real(year, month, day)}; {_HINT}"
    )


def _why_not_real(year: int, month: int, day: int) -> str:
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        return f"there is no year {year}"
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    if day < 1:
        return f"there is no day {day}"
    length = calendar.monthrange(year, month)[1]
    return f"{MONTH_NAMES[month - 1].title()} {year} has only {length} days"


# ---------------------------------------------------------------- month-name text


def _parse_month_name(date_text: str, text: str) -> dt.date:
    tokens = _WORD_SEPARATORS.split(date_text.lower())
    # A leading or trailing separator leaves an empty token: "Mar 14, 2024,".
    if "" in tokens:
        raise _unreadable(text)
    weekday = _lookup(WEEKDAYS, tokens[0]) if len(tokens) > 1 else None
    if weekday is not None:
        tokens = tokens[1:]
    months = [(index, _lookup(MONTHS, token)) for index, token in enumerate(tokens)]
    found = [(index, month) for index, month in months if month is not None]
    if len(found) != 1:
        raise _unreadable(text)
    month_at, month = found[0]
    others = tokens[:month_at] + tokens[month_at + 1 :]
    if len(others) == 1:
        raise _missing_part(others[0], text)
    # Only "14 Mar 2024" and "Mar 14 2024" orders: the year always comes last.
    if len(others) != 2 or month_at > 1:
        raise _unreadable(text)
    day_match = _DAY_TOKEN.fullmatch(others[0])
    if day_match is None or _YEAR_TOKEN.fullmatch(others[1]) is None:
        raise _unreadable(text)
    built = _build_date(_full_year(others[1]), month, int(day_match["day"]), text)
    if weekday is not None and built.weekday() != weekday:
        raise _wrong_weekday(built, weekday, text)
    return built


def _lookup(names: dict[str, int], token: str) -> int | None:
    # One trailing dot is an abbreviation mark ("Sept.", "Thu."), not a separator.
    return names.get(token[:-1] if token.endswith(".") else token)


def _missing_part(other: str, text: str) -> DateError:
    if _YEAR_TOKEN.fullmatch(other) and len(other) == 4:
        return DateError(f"{_quote(text)} is missing the day of the month; {_HINT}")
    if _DAY_TOKEN.fullmatch(other):
        return DateError(f"{_quote(text)} is missing the year; {_HINT}")
    return _unreadable(text)


def _wrong_weekday(built: dt.date, weekday: int, text: str) -> DateError:
    actual = WEEKDAY_NAMES[built.weekday()].title()
    written = WEEKDAY_NAMES[weekday].title()
    return DateError(
        f"{_quote(text)} says {written}, but {built.isoformat()} is a {actual}; "
        "fix the date or drop the weekday"
    )
