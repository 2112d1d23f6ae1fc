"""Turning a file's bytes into text, or saying exactly where its encoding goes wrong.

Exports from LinkedIn, Google and phones are UTF-8, sometimes with a byte-order
mark; older Google exports are UTF-16 with a byte-order mark.  Anything else
is refused with the line of the first byte that is not UTF-8, unless the user
names the encoding (``--encoding``).
"""

from __future__ import annotations

import codecs

from .model import bad_file, short

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(raw: bytes, name: str, encoding: str | None = None) -> str:
    """The file's text, without a byte-order mark.

    Raises ImportFileError naming the line of the first undecodable byte.
    """
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise bad_file(name, 1, f"'{encoding}' is not an encoding Python knows.") from None
        return _decode_as(raw, name, encoding, hint="")
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return _decode_as(raw, name, codec, hint="")
    if b"\x00" in raw[:4096]:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise bad_file(
            name,
            line,
            "the file holds NUL bytes, so it is not a text export (or it is UTF-16 without "
            "a byte-order mark). Export the contacts again as CSV or vCard.",
        )
    return _decode_as(raw, name, "utf-8", hint=_guess(raw))


def _decode_as(raw: bytes, name: str, codec: str, *, hint: str) -> str:
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        start = raw.rfind(b"\n", 0, exc.start) + 1
        end = raw.find(b"\n", exc.start)
        context = raw[start : end if end >= 0 else len(raw)].decode(codec, errors="replace")
        raise bad_file(
            name,
            line,
            f"byte 0x{raw[exc.start]:02X} is not {codec.upper()} text ('{short(context, 50)}')."
            f"{hint} Export the file again as UTF-8, or name its encoding with --encoding "
            "(for example --encoding cp1252).",
        ) from None
    return text.removeprefix("\ufeff")


def _guess(raw: bytes) -> str:
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError:
        return ""
    return " It looks like Windows-1252 (Western European) text."
