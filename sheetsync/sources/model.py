"""What every importer returns: the people found in a file, each with the line it starts on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..errors import ImportFileError

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Birthday:
    """A birthday, with or without the year (address books allow both)."""

    month: int
    day: int
    year: int | None = None

    def cell(self) -> dt.date | str:
        """What goes in the sheet: a date, or "--MM-DD" when the year is not known."""
        if self.year is None:
            return f"--{self.month:02d}-{self.day:02d}"
        return dt.date(self.year, self.month, self.day)


@dataclass(frozen=True)
class ImportedContact:
    """One person read from an export, in plain text fields."""

    name: str
    line: int
    emails: tuple[str, ...] = ()
    first_name: str = ""
    company: str = ""
    title: str = ""
    #: when you connected (LinkedIn's "Connected On"); None when the file does not say
    connected_on: dt.date | None = None
    #: starred or marked as a favourite in the source
    starred: bool = False
    #: where you met, as the sheet's "where met" cell should say it
    where_met: str = ""
    birthday: Birthday | None = None

    @property
    def email(self) -> str:
        return self.emails[0] if self.emails else ""


@dataclass
class ParsedFile:
    """The contacts of one file, and what was left out of it."""

    name: str
    kind: str
    contacts: list[ImportedContact] = field(default_factory=list)
    #: (line, reason) for records that are not importable people (no name, ...)
    left_out: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: how many records were merged into another record of the same person (see .merge)
    merged: int = 0

    @property
    def records(self) -> int:
        """How many records the file holds: people, merged repeats and those left out."""
        return len(self.contacts) + self.merged + len(self.left_out)


def bad_file(name: str, line: int, problem: str) -> ImportFileError:
    """Our error for an unreadable file: it names the file and the line."""
    return ImportFileError(f"{name}, line {line}: {problem} Nothing was imported.")


def written_date(day: dt.date) -> str:
    """A date as LinkedIn writes it, in English whatever the machine's locale: 15 Jul 2026."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def short(text: str, limit: int = 60) -> str:
    """Text quoted in a message: one line, at most ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
