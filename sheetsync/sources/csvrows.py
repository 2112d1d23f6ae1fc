"""CSV records with the line each one starts on, and refusal of cut-off or ragged files.

Exports quote fields that hold commas, quotes or line breaks (Google's notes
span several lines), so a record can cover several lines of the file; every
message names the line the record starts on.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

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
    _check_widths(name, header, records)
    return CsvTable(header, header_line, [(n, r) for n, r in records if any(f.strip() for f in r)])


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
