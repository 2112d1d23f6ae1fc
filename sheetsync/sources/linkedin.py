"""LinkedIn's Connections.csv export.

The file begins with a few lines of notes from LinkedIn, then a blank line,
then the header: First Name, Last Name, URL, Email Address, Company, Position,
Connected On (older exports have no URL column).  Dates read like "15 Jul
2026"; most email addresses are blank, because members choose whether to
share them.
"""

from __future__ import annotations

import datetime as dt

from ..core.dates import DateError, parse_date
from .csvrows import find_header, header_key, read_table
from .model import ImportedContact, ParsedFile, short, written_date

KIND = "LinkedIn connections"
_NEEDED = ("first name", "last name", "connected on")


def is_header(fields: list[str]) -> bool:
    keys = {header_key(f) for f in fields}
    return all(k in keys for k in _NEEDED)


def find(text: str) -> int | None:
    """The header's line, when the text is a LinkedIn export."""
    found = find_header(text, is_header)
    return found[0] if found else None


def parse(text: str, name: str, header_line: int) -> ParsedFile:
    table = read_table(text, name, header_line)
    col = table.index()
    out = ParsedFile(name, KIND)
    out.warnings.extend(table.warnings)

    def cell(fields: list[str], key: str) -> str:
        i = col.get(key)
        return " ".join(fields[i].split()) if i is not None and i < len(fields) else ""

    for line, fields in table.records:
        first, last = cell(fields, "first name"), cell(fields, "last name")
        full = " ".join(p for p in (first, last) if p)
        email = cell(fields, "email address")
        if not full:
            out.left_out.append((line, "no name (LinkedIn leaves it out for some members)"))
            continue
        connected = _connected_on(cell(fields, "connected on"), name, line, out.warnings)
        where = f"LinkedIn, connected {written_date(connected)}" if connected else "LinkedIn"
        out.contacts.append(
            ImportedContact(
                name=full,
                line=line,
                emails=(email,) if "@" in email else (),
                first_name=first,
                company=cell(fields, "company"),
                title=cell(fields, "position"),
                connected_on=connected,
                where_met=where,
            )
        )
    return out


def _connected_on(text: str, name: str, line: int, warnings: list[str]) -> dt.date | None:
    if not text:
        return None
    try:
        return parse_date(text, day_first=False)
    except DateError:
        warnings.append(
            f"{name}, line {line}: Connected On '{short(text, 30)}' is not a date; "
            "that contact was imported without it."
        )
        return None
