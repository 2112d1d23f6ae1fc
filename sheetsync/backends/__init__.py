"""Sheet backends, named in a small registry.

:func:`open_sheet` picks one from the sheet's location; pass a backend object
to :func:`sheetsync.run` to choose it yourself (:class:`MemorySheet` in tests).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import SheetError
from .base import SheetBackend, WriteOutcome
from .local import CsvSheet, XlsxSheet
from .memory import MemorySheet

#: File endings each local backend reads.
LOCAL_KINDS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".csv": "csv", ".tsv": "csv", ".txt": "csv"}


def is_google_location(location: str) -> bool:
    return location.startswith(("https://docs.google.com/", "http://docs.google.com/"))


def open_sheet(location: str, *, tab: str | None = None, output: str | None = None) -> SheetBackend:
    """The backend for ``location``: a local .xlsx/.xlsm/.csv path."""
    if is_google_location(location):
        raise SheetError(
            f"{location} is a Google Sheets URL. This version of sheetsync works on local "
            ".xlsx and .csv files; download the sheet (File › Download › .xlsx) and run on that."
        )
    path = Path(location).expanduser()
    kind = LOCAL_KINDS.get(path.suffix.lower())
    if kind == "xlsx":
        return XlsxSheet(path, tab=tab, output=output)
    if kind == "csv":
        if tab:
            raise SheetError(f"{path.name} is a CSV file, which has no tabs; leave out --tab.")
        return CsvSheet(path, output=output)
    known = ", ".join(sorted(LOCAL_KINDS))
    raise SheetError(
        f"sheetsync cannot tell what kind of sheet {location} is (known file endings: {known})."
        " Give a path to an .xlsx or .csv file."
    )


__all__ = ["CsvSheet", "MemorySheet", "SheetBackend", "WriteOutcome", "XlsxSheet", "open_sheet"]
