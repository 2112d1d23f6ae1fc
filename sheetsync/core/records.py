"""A person as a source reports them: plain data the core plans with.

The importers in :mod:`sheetsync.sources` fill these from export files; the core
(:mod:`sheetsync.core.importing`) decides what to add to the sheet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


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


__all__ = ["Birthday", "ImportedContact"]
