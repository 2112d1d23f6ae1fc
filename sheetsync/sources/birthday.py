"""Birthdays as address books export them, with or without the year.

* ISO 8601 and its basic form, as vCard and Google write them: ``1988-06-15``,
  ``19880615``, either followed by a time (``1988-06-15T00:00:00Z``), which
  is dropped;
* without the year (vCard 4.0 and Google): ``--06-15`` and ``--0615``;
* Apple's year-less birthdays, written with a made-up year and a parameter
  saying so (``BDAY;X-APPLE-OMIT-YEAR=1604:1604-06-15``): the caller passes
  ``omitted_year=1604``;
* anything else :func:`sheetsync.core.dates.parse_date` reads, month first
  as Outlook writes it in English (``6/15/1988``, ``June 15, 1988``);
  Outlook's empty date ``0/0/00`` is no birthday.

29 February without a year is a birthday like any other.
"""

from __future__ import annotations

import datetime as dt
import re

from ..core.dates import DateError, parse_date
from .model import Birthday

_ISO = re.compile(r"(\d{4})-?(\d\d)-?(\d\d)(?:[T ].*)?")
_NO_YEAR = re.compile(r"--(\d\d)-?(\d\d)")
_EMPTY = {"", "0/0/00", "0/0/0000", "00/00/00", "00/00/0000"}
_LEAP = 2000


class BirthdayError(ValueError):
    """The text is not a birthday; the message says so for a person."""


def read_birthday(text: str, *, omitted_year: int | None = None) -> Birthday | None:
    """The birthday written in ``text``; None when it is empty.

    Raises BirthdayError when it is not a date.
    """
    flat = " ".join(text.split())
    if flat in _EMPTY:
        return None
    match = _NO_YEAR.fullmatch(flat)
    if match:
        return _checked(None, int(match[1]), int(match[2]), flat)
    match = _ISO.fullmatch(flat)
    if match:
        year = int(match[1])
        return _checked(None if year == omitted_year else year, int(match[2]), int(match[3]), flat)
    try:
        day = parse_date(flat, day_first=False)
    except DateError:
        raise BirthdayError(
            f"'{flat[:40]}' is not a birthday sheetsync can read (write it like 1988-06-15, "
            "or --06-15 without the year)"
        ) from None
    if day is None:
        return None
    return Birthday(day.month, day.day, None if day.year == omitted_year else day.year)


def _checked(year: int | None, month: int, day: int, text: str) -> Birthday:
    try:
        dt.date(year or _LEAP, month, day)
    except ValueError:
        raise BirthdayError(f"'{text}' is not a real date") from None
    return Birthday(month, day, year)
