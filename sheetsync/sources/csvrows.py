"""CSV records with the line each one starts on, and refusal of cut-off or ragged files.

Exports quote fields that hold commas, quotes or line breaks (Google's notes
span several lines), so a record can cover several lines of the file; every
message names the line the record starts on.  A record with more fields than
the header is damaged, unless every extra field is empty: some exports end
an odd record with one comma too many, and that is read with a warning.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .model import bad_file, short

HEADER_SCAN_LINES = 20


def header_key(text: str) -> str:
    """A header compared loosely: case and surrounding spaces ignored."""
    return " ".join(text.split()).casefold()


@dataclass
class CsvTable:
    """A header and the records below it, each with the line it starts on."""

    header: list[str]
    header_line: int
    records: list[tuple[int, list[str]]]
    #: records read despite a harmless quirk, each naming the file and line
    warnings: list[str] = field(default_factory=list)

    def index(self) -> dict[str, int]:
        """Column index by loose header text (the first of equal headers wins)."""
        out: dict[str, int] = {}
        for i, text in enumerate(self.header):
            out.setdefault(header_key(text), i)
        return out


def find_header(text: str, wanted: Callable[[list[str]], bool]) -> tuple[int, list[str]] | None:
    """The first of the file's first lines that reads as a header ``wanted`` accepts."""
    stream = io.StringIO(text, newline="")
    for number in range(1, HEADER_SCAN_LINES + 1):
        line = stream.readline()
        if not line:
            return None
        try:
            fields = next(csv.reader([line.rstrip("\r\n")], strict=True), [])
        except csv.Error:
            continue
        if wanted([f.strip() for f in fields]):
            return number, fields
    return None


def read_table(text: str, name: str, header_line: int) -> CsvTable:
    """Every record from ``header_line`` on; raises ImportFileError for a broken file."""
    stream = io.StringIO(text, newline="")
    for _ in range(header_line - 1):
        stream.readline()
    reader = csv.reader(stream, strict=True)
    consumed = header_line - 1
    rows: list[tuple[int, list[str]]] = []
    try:
        for fields in reader:
            rows.append((consumed + 1, fields))
            consumed = header_line - 1 + reader.line_num
    except csv.Error as exc:
        raise bad_file(
            name,
            consumed + 1,
            f"the CSV cannot be read from here ({exc}): a quoted field is never closed, so "
            "the file looks cut off or damaged. Export it again.",
        ) from None
    if not rows:
        raise bad_file(name, header_line, "the file ends before its header row.")
    (_, header), records = rows[0], rows[1:]
    warnings = _trim_empty_extras(name, len(header), records)
    _check_widths(name, header, records)
    kept = [(n, r) for n, r in records if any(f.strip() for f in r)]
    return CsvTable(header, header_line, kept, warnings)


def _trim_empty_extras(name: str, width: int, records: list[tuple[int, list[str]]]) -> list[str]:
    """Drop empty fields beyond the header's width, in place; a warning for each record."""
    warnings = []
    for line, fields in records:
        extra = fields[width:]
        if not extra or any(f.strip() for f in extra) or not any(f.strip() for f in fields):
            continue
        del fields[width:]
        count = "one empty field" if len(extra) == 1 else f"{len(extra)} empty fields"
        warnings.append(
            f"{name}, line {line}: this record has {count} more than the header (a trailing "
            "comma); it was read without it. Check that record's fields in the import."
        )
    return warnings


def _check_widths(
    name: str, header: Sequence[str], records: Sequence[tuple[int, list[str]]]
) -> None:
    width = len(header)
    last = len(records) - 1
    while last >= 0 and not any(f.strip() for f in records[last][1]):
        last -= 1
    for i, (line, fields) in enumerate(records):
        if len(fields) == width or not any(f.strip() for f in fields):
            continue
        if i == last and len(fields) < width:
            raise bad_file(
                name,
                line,
                f"the last record stops after {len(fields)} of the {width} columns "
                f"('{short(fields[-1], 30)}'), so the file looks cut off. Export it again.",
            )
        raise bad_file(
            name,
            line,
            f"this record has {len(fields)} fields but the header has {width}; the file is "
            "damaged (or was edited by hand). Export it again.",
        )
