"""Reading contacts exports, recognised by their content (never by the file's name).

=====================  ==========================================================
LinkedIn               a header with First Name, Last Name and Connected On,
                       after LinkedIn's lines of notes
Google Contacts CSV    a header beginning First Name,Middle Name,Last Name (current)
                       or Name,Given Name,Additional Name (older layout)
Outlook CSV            a header with First Name, Last Name and E-mail Address, as
                       Outlook, Outlook.com and Google's "Outlook CSV" write it
vCard                  the first line is BEGIN:VCARD
=====================  ==========================================================

:func:`parse_contacts` is pure (text in, contacts out);
:func:`read_contacts_file` adds reading and decoding the file.  Both raise
only :class:`~sheetsync.errors.ImportFileError`, whose message names the
file and the line.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ImportFileError
from . import google_csv, linkedin, outlook_csv, vcard
from .merge import merge_duplicates
from .model import ImportedContact, ParsedFile, bad_file, short
from .text import decode

FORMATS = ("LinkedIn Connections.csv", "Google Contacts CSV", "Outlook CSV", "vCard (.vcf)")


def parse_contacts(text: str, name: str) -> ParsedFile:
    """The contacts in ``text`` (the decoded content of the file called ``name``).

    A person the file holds twice comes out once, merged (see :mod:`.merge`).
    """
    parsed = _parse(text, name)
    found = len(parsed.contacts)
    parsed.contacts, merged = merge_duplicates(parsed.contacts, name)
    parsed.warnings.extend(merged)
    parsed.merged = found - len(parsed.contacts)
    return parsed


def _parse(text: str, name: str) -> ParsedFile:
    if vcard.looks_like(text):
        return vcard.parse(text, name)
    header = linkedin.find(text)
    if header is not None:
        return linkedin.parse(text, name, header)
    header = google_csv.find(text)
    if header is not None:
        return google_csv.parse(text, name, header)
    header = outlook_csv.find(text)
    if header is not None:
        return outlook_csv.parse(text, name, header)
    raise _unknown(text, name)


def _unknown(text: str, name: str) -> ImportFileError:
    lines = text.splitlines()
    number = next((i for i, line in enumerate(lines, start=1) if line.strip()), 1)
    start = f"it begins '{short(lines[number - 1], 50)}'" if lines else "it is empty"
    return bad_file(
        name,
        number,
        f"this is not a contacts export sheetsync knows ({start}). It reads "
        f"{', '.join(FORMATS[:-1])} and {FORMATS[-1]} files: export your contacts again "
        "in one of those.",
    )


def read_contacts_file(path: str | Path, *, encoding: str | None = None) -> ParsedFile:
    """Read, decode and parse the export at ``path``."""
    file = Path(path).expanduser()
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise ImportFileError(f"No file at {file}. Check the path and try again.") from None
    except IsADirectoryError:
        raise ImportFileError(f"{file} is a folder; give the export file itself.") from None
    except OSError as exc:
        raise ImportFileError(f"Cannot read {file}: {exc.strerror or exc}.") from None
    return parse_contacts(decode(raw, file.name, encoding), file.name)


__all__ = [
    "FORMATS",
    "ImportedContact",
    "ParsedFile",
    "parse_contacts",
    "read_contacts_file",
]
