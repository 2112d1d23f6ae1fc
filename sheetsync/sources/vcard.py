"""vCard files (.vcf): versions 2.1, 3.0 and 4.0, any number of cards per file.

What is read: FN (else N), EMAIL (preferred first), ORG, TITLE,
CATEGORIES ("starred" marks a favourite) and BDAY (with or without the year,
see :mod:`sheetsync.sources.birthday`; an unreadable one is a warning).  What is handled on the way:

* folded lines: a line that begins with a space or tab continues the one
  before it (RFC 6350 section 3.2); :func:`fold` and :func:`unfold` are exact
  inverses for any line;
* quoted-printable values of old (2.1) exports, including their soft line
  breaks (a line ending in "=") and a ``CHARSET`` parameter;
* escapes in text values (``\\n``, ``\\,``, ``\\;``, ``\\\\``) and the ";"
  between the parts of N and ORG;
* parameters in every version's spelling: ``TYPE=work,pref``, ``PREF=1``,
  bare ``WORK;PREF`` (2.1) and quoted values that contain ":" or ";".

A line that is not ``NAME:value``, a card without END:VCARD (a cut-off file)
and text outside any card are refused with the file's name and the line.
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass, field

from .birthday import BirthdayError, read_birthday
from .model import Birthday, ImportedContact, ParsedFile, bad_file, short

KIND = "vCard"
FOLD_OCTETS = 75
_NAME = re.compile(r"[A-Za-z0-9-]+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_ENCODINGS = {"QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"}
_FAVOURITES = {"starred", "favorites", "favourites", "favorite", "favourite"}
_SYSTEM_CATEGORIES = {"mycontacts", "my contacts", *_FAVOURITES}


def looks_like(text: str) -> bool:
    for line in _LINE_BREAK.split(text, maxsplit=50)[:50]:
        if line.strip():
            return line.strip().upper() == "BEGIN:VCARD"
    return False


# ----------------------------------------------------------------------- folding


def fold(line: str, width: int = FOLD_OCTETS) -> str:
    """One content line folded so no physical line exceeds ``width`` UTF-8 octets.

    Folds never split a character; each continuation starts with one space.
    """
    pieces: list[str] = []
    current, size, limit = "", 0, width
    for char in line:
        octets = len(char.encode("utf-8"))
        if current and size + octets > limit:
            pieces.append(current)
            current, size, limit = "", 0, width - 1
        current += char
        size += octets
    pieces.append(current)
    return "\r\n ".join(pieces)


def unfold(text: str) -> str:
    """Undo folding: a line break followed by one space or tab is removed."""
    return re.sub(r"(?:\r\n|\r|\n)[ \t]", "", text)


# ------------------------------------------------------------------ content lines


@dataclass
class ContentLine:
    line: int
    name: str
    params: dict[str, list[str]]
    value: str

    @property
    def encoding(self) -> str:
        return (self.params.get("ENCODING") or [""])[0].upper()

    def has_type(self, wanted: str) -> bool:
        return any(t.casefold() == wanted for t in self.params.get("TYPE", []))


def _is_quoted_printable(text: str) -> bool:
    head = _split_outside_quotes(text, ":", 1)[0]
    return "QUOTED-PRINTABLE" in head.upper()


def logical_lines(text: str) -> list[tuple[int, str]]:
    """Content lines with the physical line each starts on: folds and QP soft breaks joined."""
    out: list[tuple[int, str]] = []
    parts: list[str] | None = None
    start, quoted_printable, soft_break = 0, False, False
    for number, raw in enumerate(_LINE_BREAK.split(text), start=1):
        if soft_break and parts is not None:
            parts[-1] = parts[-1][:-1]  # the "=" that marked the soft break
            parts.append(raw)
            soft_break = raw.endswith("=")
            continue
        if raw[:1] in (" ", "\t") and parts is not None:
            parts.append(raw[1:])
        elif not raw.strip():
            continue
        else:
            if parts is not None:
                out.append((start, "".join(parts)))
            parts, start = [raw], number
            quoted_printable = _is_quoted_printable(raw)
        soft_break = quoted_printable and parts[-1].endswith("=")
    if parts is not None:
        out.append((start, "".join(parts)))
    return out


def _split_outside_quotes(text: str, sep: str, limit: int = -1) -> list[str]:
    parts: list[str] = []
    quoted, start = False, 0
    for i, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == sep and not quoted:
            parts.append(text[start:i])
            start = i + 1
            if len(parts) == limit:
                break
    parts.append(text[start:])
    return parts


def parse_line(number: int, text: str, file: str) -> ContentLine:
    """``[group.]NAME[;PARAM…]:value`` -> ContentLine; ImportFileError when it is not one."""
    head_value = _split_outside_quotes(text, ":", 1)
    if len(head_value) < 2:
        raise _broken(file, number, text)
    head, value = head_value
    name, *raw_params = _split_outside_quotes(head, ";")
    group, _, prop = name.rpartition(".")
    groups = group.split(".") if group else []
    if not _NAME.fullmatch(prop) or not all(_NAME.fullmatch(g) for g in groups):
        raise _broken(file, number, text)
    params: dict[str, list[str]] = {}
    for raw in raw_params:
        key, eq, val = raw.partition("=")
        if not eq:
            key, val = ("ENCODING" if raw.upper() in _ENCODINGS else "TYPE"), raw
        key = key.strip().upper()
        values = [v.strip().strip('"') for v in _split_outside_quotes(val, ",")]
        if key == "TYPE":  # TYPE="voice,home" is two types (RFC 6350 examples)
            values = [t.strip() for v in values for t in v.split(",")]
        params.setdefault(key, []).extend(v for v in values if v)
    return ContentLine(number, prop.upper(), params, value)


def _broken(file: str, number: int, text: str) -> Exception:
    return bad_file(
        file,
        number,
        f"'{short(text, 50)}' is not a vCard line (NAME:value), so the file is damaged or "
        "was cut. Export it again.",
    )


# ------------------------------------------------------------------------ values


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) in "nN" else m.group(1), text, flags=re.S)


def split_escaped(text: str, sep: str) -> list[str]:
    """Split on ``sep`` where it is not escaped with a backslash, then unescape each part."""
    parts, current, escaped = [], "", False
    for char in text:
        if escaped:
            current += "\\" + char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == sep:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current + ("\\" if escaped else ""))
    return [unescape(p) for p in parts]


def decoded(cl: ContentLine, file: str) -> str:
    """The value with quoted-printable undone (base64 values, such as photos, are not text)."""
    if cl.encoding in ("B", "BASE64"):
        return ""
    if cl.encoding != "QUOTED-PRINTABLE":
        return cl.value
    charset = (cl.params.get("CHARSET") or ["utf-8"])[0]
    data = binascii.a2b_qp(cl.value.encode("utf-8"))
    try:
        return data.decode(charset)
    except LookupError:
        raise bad_file(file, cl.line, f"the charset '{charset}' is unknown.") from None
    except UnicodeDecodeError:
        raise bad_file(
            file,
            cl.line,
            f"the quoted-printable value is not {charset} text (wrong CHARSET). Export the "
            "contacts again as vCard 3.0 or 4.0.",
        ) from None


# ------------------------------------------------------------------------- cards


@dataclass
class _Card:
    line: int
    props: list[ContentLine] = field(default_factory=list)

    def first(self, name: str) -> ContentLine | None:
        return next((p for p in self.props if p.name == name), None)

    def all(self, name: str) -> list[ContentLine]:
        return [p for p in self.props if p.name == name]


def cards(text: str, file: str) -> list[_Card]:
    found: list[_Card] = []
    current: _Card | None = None
    for number, raw in logical_lines(text):
        cl = parse_line(number, raw, file)
        kind = cl.value.strip().upper()
        if cl.name == "BEGIN" and kind == "VCARD":
            if current is not None:
                raise bad_file(
                    file,
                    number,
                    f"a new card begins here, but the card begun on line {current.line} has no "
                    "END:VCARD. The file is damaged; export it again.",
                )
            current = _Card(number)
        elif cl.name == "END" and kind == "VCARD":
            if current is None:
                raise bad_file(file, number, "END:VCARD without a BEGIN:VCARD before it.")
            found.append(current)
            current = None
        elif current is None:
            raise bad_file(
                file, number, f"'{short(raw, 40)}' is outside any card (BEGIN:VCARD … END:VCARD)."
            )
        else:
            current.props.append(cl)
    if current is not None:
        raise bad_file(
            file,
            current.line,
            "the card that begins here has no END:VCARD, so the file looks cut off. Export it "
            "again.",
        )
    if not found:
        raise bad_file(file, 1, "there is no card (BEGIN:VCARD) in the file.")
    return found


def _pref(cl: ContentLine) -> int:
    if "PREF" in cl.params:
        try:
            return int(cl.params["PREF"][0])
        except ValueError:
            return 1
    return 1 if cl.has_type("pref") else 101


def birthday_of(card: _Card, file: str, warnings: list[str]) -> Birthday | None:
    """The card's BDAY; an unreadable one is a warning and no birthday."""
    cl = card.first("BDAY")
    if cl is None:
        return None
    omit = (cl.params.get("X-APPLE-OMIT-YEAR") or [""])[0]
    try:
        return read_birthday(
            unescape(decoded(cl, file)), omitted_year=int(omit) if omit.isdigit() else None
        )
    except BirthdayError as exc:
        warnings.append(
            f"{file}, line {cl.line}: BDAY {exc}; that contact was imported without it."
        )
        return None


def contact_of(card: _Card, file: str, warnings: list[str]) -> ImportedContact | str:
    """The card as a contact, or why it is left out (``warnings`` gets what was not read)."""

    def value(prop: str) -> str:
        cl = card.first(prop)
        return decoded(cl, file) if cl is not None else ""

    parts = split_escaped(value("N"), ";") + [""] * 5
    family, given, middle = parts[0].strip(), parts[1].strip(), parts[2].strip()
    name = unescape(value("FN")).strip() or " ".join(p for p in (given, middle, family) if p)
    name = " ".join((name or unescape(value("NICKNAME"))).split())
    emails: list[tuple[int, int, str]] = []
    for i, cl in enumerate(card.all("EMAIL")):
        address = unescape(decoded(cl, file)).strip().removeprefix("mailto:")
        if "@" in address:
            emails.append((_pref(cl), i, address))
    if not name:
        return "a card with only an email address" if emails else "a card with no name"
    categories = [c.strip() for c in split_escaped(value("CATEGORIES"), ",") if c.strip()]
    mine = [c for c in categories if c.casefold() not in _SYSTEM_CATEGORIES]
    return ImportedContact(
        name=name,
        line=card.line,
        emails=tuple(dict.fromkeys(a for _, _, a in sorted(emails))),
        first_name=" ".join(given.split()),
        company=" ".join(split_escaped(value("ORG"), ";")[0].split()),
        title=" ".join(unescape(value("TITLE")).split()),
        starred=any(c.casefold() in _FAVOURITES for c in categories),
        where_met=f"Address book ({file})" + (f": {', '.join(mine)}" if mine else ""),
        birthday=birthday_of(card, file, warnings),
    )


def parse(text: str, name: str) -> ParsedFile:
    out = ParsedFile(name, KIND)
    found = cards(text, name)
    for card in found:
        got = contact_of(card, name, out.warnings)
        if isinstance(got, str):
            out.left_out.append((card.line, got))
        else:
            out.contacts.append(got)
    versions = {cl.value.strip() for card in found for cl in card.props if cl.name == "VERSION"}
    label = "/".join(sorted(v for v in versions if v in ("2.1", "3.0", "4.0")))
    if label:
        out.kind = f"{KIND} {label}"
    return out
