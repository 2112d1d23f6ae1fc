"""Contacts in Outlook's CSV shape, whichever program wrote them.

Three programs write it, each with its own order of the same headers:

* Outlook on the desktop ("Export to a file", Comma Separated Values): begins
  "Title","First Name","Middle Name","Last Name","Suffix","Company",… with
  "E-mail Address", "E-mail Type", "E-mail Display Name", "E-mail 2 Address",
  … and "Categories";
* Google Contacts' "Outlook CSV" export: begins First Name,Middle Name,Last
  Name,Title,Suffix,… and ends with "Categories";
* Outlook.com: begins First Name,Middle Name,Last Name,Title,Suffix,Nickname,
  Given Yomi,… and has no "Categories".

In all three "Title" is the name's prefix (Dr., Ms.) and "Job Title" the job.
"Categories" holds several values separated by ";"; Google's own groups
(myContacts, starred) are among them, sometimes written with a leading "* ".
Birthdays are ISO dates (Google) or the exporting machine's short date, read
month first as in English Outlook.
"""

from __future__ import annotations

import re

from .birthday import BirthdayError, read_birthday
from .csvrows import find_header, header_key, read_table
from .model import ImportedContact, ParsedFile

KIND = "Outlook CSV"
_NEEDED = ("first name", "last name", "e-mail address")
_EMAIL = re.compile(r"e-mail(?: (\d+))? address")
_GOOGLE_GROUPS = {"mycontacts", "starred"}


def is_header(fields: list[str]) -> bool:
    keys = {header_key(f) for f in fields}
    return all(k in keys for k in _NEEDED) and "e-mail 1 - value" not in keys


def find(text: str) -> int | None:
    """The header's line, when the text is in Outlook's CSV shape."""
    found = find_header(text, is_header)
    return found[0] if found else None


def source_of(header: list[str]) -> str:
    """Which program wrote the file, from the order of its header."""
    keys = [header_key(f) for f in header]
    if keys[0] == "title":
        return "Outlook"
    if "categories" in keys:
        return "Google Contacts"
    return "Outlook.com"


def parse(text: str, name: str, header_line: int) -> ParsedFile:
    table = read_table(text, name, header_line)
    col = table.index()
    source = source_of(table.header)
    out = ParsedFile(name, f"{KIND} (from {source})")
    out.warnings.extend(table.warnings)
    email_cols = sorted(
        (int(m[1] or 1), i) for key, i in col.items() if (m := _EMAIL.fullmatch(key))
    )
    for line, fields in table.records:

        def cell(key: str, fields: list[str] = fields) -> str:
            i = col.get(key)
            return " ".join(fields[i].split()) if i is not None and i < len(fields) else ""

        first, family = cell("first name"), cell("last name")
        full = " ".join(p for p in (first, cell("middle name"), family) if p) or cell("nickname")
        values = (fields[i].strip() for _, i in email_cols if i < len(fields))
        # Outlook on an Exchange account writes "/O=ORG/OU=…" for internal people
        emails = tuple(dict.fromkeys(v for v in values if "@" in v))
        if not full:
            what = "only an email address" if emails else "no name and no email address"
            out.left_out.append((line, f"{what}; add them by hand if you want them"))
            continue
        categories = [c.strip().lstrip("* ").strip() for c in cell("categories").split(";")]
        mine = [c for c in categories if c and c.casefold() not in _GOOGLE_GROUPS]
        mine = [c for c in mine if not c.casefold().startswith("imported")]
        birthday = None
        try:
            birthday = read_birthday(cell("birthday"))
        except BirthdayError as exc:
            out.warnings.append(
                f"{name}, line {line}: Birthday {exc}; that contact was imported without it."
            )
        out.contacts.append(
            ImportedContact(
                name=full,
                line=line,
                emails=emails,
                first_name=first,
                company=cell("company"),
                title=cell("job title"),
                starred=any(c.casefold() == "starred" for c in categories),
                where_met=source + (f": {', '.join(mine)}" if mine else ""),
                birthday=birthday,
            )
        )
    return out
