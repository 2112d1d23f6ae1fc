"""Google Contacts CSV exports, in both layouts Google has used.

* The current layout begins "First Name,Middle Name,Last Name,…" and has
  "Organization Name", "Labels" and numbered groups "E-mail 1 - Label",
  "E-mail 1 - Value", "E-mail 2 - …".
* The older layout begins "Name,Given Name,Additional Name,Family Name,…" and
  has "Group Membership", "E-mail 1 - Type", "E-mail 1 - Value" and
  "Organization 1 - Name".

Both have "Birthday": ISO dates, or "--MM-DD" without the year.  In both,
one field can hold several values separated by " ::: " (two work
addresses, several labels), a leading "* " on a label marks the preferred
value or a system group ("* starred", "* myContacts"), and notes may span
several lines.
"""

from __future__ import annotations

import re

from .birthday import BirthdayError, read_birthday
from .csvrows import CsvTable, find_header, header_key, read_table
from .model import Birthday, ImportedContact, ParsedFile

KIND = "Google Contacts CSV"
SEPARATOR = ":::"
_EMAIL_VALUE = re.compile(r"e-mail (\d+) - value")
_CURRENT = ("first name", "middle name", "last name")
_OLD = ("name", "given name", "additional name")

# Which header holds each part, in the current and the older layout.
_FIELDS = {
    "current": {
        "given": "first name",
        "middle": "middle name",
        "family": "last name",
        "nickname": "nickname",
        "file_as": "file as",
        "company": "organization name",
        "title": "organization title",
        "labels": "labels",
        "birthday": "birthday",
    },
    "old": {
        "full": "name",
        "given": "given name",
        "middle": "additional name",
        "family": "family name",
        "nickname": "nickname",
        "company": "organization 1 - name",
        "title": "organization 1 - title",
        "labels": "group membership",
        "birthday": "birthday",
    },
}


def layout_of(fields: list[str]) -> str | None:
    keys = [header_key(f) for f in fields]
    if tuple(keys[:3]) == _OLD:
        return "old"
    if tuple(keys[:3]) == _CURRENT and any(
        _EMAIL_VALUE.fullmatch(k) or k in ("labels", "phonetic first name", "file as") for k in keys
    ):
        return "current"
    return None


def find(text: str) -> int | None:
    found = find_header(text, lambda fields: layout_of(fields) is not None)
    return found[0] if found else None


def split_values(text: str) -> list[str]:
    """' ::: '-separated values, trimmed, empty ones dropped."""
    return [v.strip() for v in text.split(SEPARATOR) if v.strip()]


def parse(text: str, name: str, header_line: int) -> ParsedFile:
    table = read_table(text, name, header_line)
    layout = layout_of(table.header) or "current"
    fields_of = _FIELDS[layout]
    col = table.index()
    emails = _email_columns(table)
    out = ParsedFile(name, f"{KIND} ({'older' if layout == 'old' else 'current'} layout)")
    out.warnings.extend(table.warnings)
    for line, record in table.records:

        def cell(part: str, record: list[str] = record) -> str:
            i = col.get(fields_of.get(part, ""))
            return record[i].strip() if i is not None and i < len(record) else ""

        given, family = cell("given"), cell("family")
        full = cell("full") or " ".join(p for p in (given, cell("middle"), family) if p)
        full = " ".join((full or cell("file_as") or cell("nickname")).split())
        addresses = _emails(record, emails)
        if not full:
            what = "only an email address" if addresses else "no name and no email address"
            out.left_out.append((line, f"{what}; add them by hand if you want them"))
            continue
        labels = split_values(cell("labels"))
        # "* starred", "* myContacts": Google's own groups; "Imported on 5/12/18": an import's
        mine = [lab for lab in labels if not lab.startswith("*")]
        mine = [lab for lab in mine if not lab.casefold().startswith("imported")]
        out.contacts.append(
            ImportedContact(
                name=full,
                line=line,
                emails=tuple(addresses),
                first_name=given,
                company=next(iter(split_values(cell("company"))), ""),
                title=next(iter(split_values(cell("title"))), ""),
                starred=any(lab.lstrip("* ").casefold() == "starred" for lab in labels),
                where_met="Google Contacts" + (f": {', '.join(mine)}" if mine else ""),
                birthday=_birthday(cell("birthday"), f"{name}, line {line}", out.warnings),
            )
        )
    return out


def _birthday(text: str, where: str, warnings: list[str]) -> Birthday | None:
    try:
        return read_birthday(text)
    except BirthdayError as exc:
        warnings.append(f"{where}: Birthday {exc}; that contact was imported without it.")
        return None


def _email_columns(table: CsvTable) -> list[tuple[int, int | None]]:
    """(value column, label column) for each numbered e-mail group, in number order."""
    col = table.index()
    found = []
    for key, i in col.items():
        match = _EMAIL_VALUE.fullmatch(key)
        if match:
            n = match.group(1)
            label = col.get(f"e-mail {n} - label", col.get(f"e-mail {n} - type"))
            found.append((int(n), i, label))
    return [(i, label) for _, i, label in sorted(found)]


def _emails(record: list[str], columns: list[tuple[int, int | None]]) -> list[str]:
    preferred: list[str] = []
    others: list[str] = []
    for value_col, label_col in columns:
        label = record[label_col] if label_col is not None and label_col < len(record) else ""
        values = split_values(record[value_col]) if value_col < len(record) else []
        for i, value in enumerate(values):
            if "@" not in value:
                continue
            first_marked = i == 0 and label.strip().startswith("*")
            target = preferred if first_marked else others
            if value not in preferred and value not in others:
                target.append(value)
    return preferred + others
