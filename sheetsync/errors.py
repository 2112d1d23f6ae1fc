"""The exceptions sheetsync raises, all under one base class.

::

    SheetsyncError
     ├── ConfigError          a bad config file, flag or environment variable
     ├── SheetError           the sheet cannot be read or written as a whole
     │    ├── SheetNotFound   no such file, URL, key or tab
     │    ├── SheetLocked     the file is open in another program
     │    └── ColumnMissing   a required column is not in the header
     ├── TemplateError        a template folder or template cannot be used
     ├── DeliveryError        a draft destination refused or failed
     ├── SourceError          a mailbox or calendar to sync from cannot be read
     ├── ImportFileError      a file given to ``import`` is not a contacts export
     └── UsageError           an argument the command cannot use
          └── ContactNotFound no contact, or more than one, matches a name

A problem with one row (an odd date, a missing field for a template) is not an
exception: it becomes a note on that row and in the run's report.  Every
message is written for a person and says what to do next.
"""

from __future__ import annotations


class SheetsyncError(Exception):
    """Base class of every error sheetsync raises on purpose."""

    #: The process exit code the command line uses for this kind of error.
    exit_code = 1


class ConfigError(SheetsyncError):
    """A config file, flag or environment variable has a bad value."""

    exit_code = 3


class SheetError(SheetsyncError):
    """The sheet as a whole cannot be read or written."""

    exit_code = 4


class SheetNotFound(SheetError):
    """No such file, spreadsheet or tab."""


class SheetLocked(SheetError):
    """The file is open in another program, so writing it now could lose edits."""


class ColumnMissing(SheetError):
    """A required column was not found in the header row."""

    def __init__(self, message: str, *, role: str, seen: list[str], suggestion: str | None):
        super().__init__(message)
        self.role = role
        self.seen = seen
        self.suggestion = suggestion


class TemplateError(SheetsyncError):
    """A template folder or template cannot be used."""

    exit_code = 5


class DeliveryError(SheetsyncError):
    """A draft destination refused or failed to store a draft."""

    exit_code = 6


class SourceError(SheetsyncError):
    """A mailbox or calendar that sync reads from cannot be reached or read.

    The message names the server, file or URL and the setting to check.
    """

    exit_code = 8


class ImportFileError(SheetsyncError):
    """A file given to ``sheetsync import`` cannot be read as a contacts export.

    The message names the file and the line, and nothing has been written.
    """

    exit_code = 2


class UsageError(SheetsyncError):
    """A command-line argument the command cannot use (a bad date, an unknown name)."""

    exit_code = 2


class ContactNotFound(UsageError):
    """No contact, or more than one, matches the name given; ``candidates`` lists near ones."""

    def __init__(self, message: str, *, candidates: list[str] | None = None):
        super().__init__(message)
        self.candidates = candidates or []


__all__ = [
    "ColumnMissing",
    "ConfigError",
    "ContactNotFound",
    "DeliveryError",
    "ImportFileError",
    "SheetError",
    "SheetLocked",
    "SheetNotFound",
    "SheetsyncError",
    "SourceError",
    "TemplateError",
    "UsageError",
]
