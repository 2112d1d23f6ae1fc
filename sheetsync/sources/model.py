"""What every importer returns: the people found in a file, each with the line it starts on.

The person records themselves (``ImportedContact``, ``Birthday``) are plain data of the
core, which plans the import; they are re-exported here for the importers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..core.records import Birthday, ImportedContact
from ..errors import ImportFileError

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


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


__all__ = ["Birthday", "ImportedContact", "ParsedFile", "bad_file", "short", "written_date"]
