"""Who is the same person: match keys for a name and email addresses.

Used by ``import`` to skip people already in the sheet, both when it plans
and again on the fresh read just before it appends.  Two contacts are the
same person when they share an email address, else when their names fold to
the same first and last word: case, accents, punctuation, emoji, titles such
as "Dr", credentials such as "PhD", middle names and the "Last, First" order
are ignored.  Pure functions; no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from .addresses import email_addresses
from .columns import ColumnMap, data_rows
from .grid import Grid, is_blank, value_at

#: Words before a name that say nothing about who it is.
HONORIFICS = frozenset(
    {"dr", "mr", "mrs", "ms", "mx", "miss", "prof", "professor", "sir", "dame", "rev", "fr"}
    | {"lord", "lady", "herr", "frau", "mme", "mlle"}
)
#: Words after a comma that are not part of a name (suffixes, degrees, certifications).
SUFFIXES = frozenset(
    {"jr", "sr", "ii", "iii", "iv", "phd", "md", "mba", "msc", "bsc", "ma", "ba", "mph", "jd"}
    | {"cpa", "cfa", "pmp", "esq", "dds", "rn", "pe", "fca", "acca", "mbe", "obe", "cbe", "frs"}
)
#: The few that also end a name without a comma ("John Smith Jr"); "Ma" is a surname.
TRAILING = frozenset(("jr", "sr", "ii", "iii", "iv", "phd", "mba"))
#: Letters that Unicode decomposition leaves alone but people type without.
_LATIN_FOLD = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "æ": "ae", "œ": "oe", "þ": "th", "ı": "i"}
)
_APOSTROPHES = re.compile(r"['’‘`´]")
_NOT_WORD = re.compile(r"[\W_]+")


def fold_text(text: str) -> str:
    """Lower case, no accents, no punctuation or emoji, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LATIN_FOLD))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = _APOSTROPHES.sub("", plain)
    return " ".join(_NOT_WORD.sub(" ", plain).split())


def _words(part: str) -> list[str]:
    return fold_text(re.sub(r"\([^)]*\)", " ", part)).split()


def folded_name(name: str) -> str:
    """A name as words to compare: "Dr. Ada  Lovelace, PhD" -> "ada lovelace".

    "Lovelace, Ada" is read as "Ada Lovelace"; a nickname in brackets is dropped.
    """
    parts = [_words(p) for p in name.split(",")]
    while len(parts) > 1 and all(w in SUFFIXES for w in parts[-1]):
        parts.pop()
    parts = [p for p in parts if p]
    if len(parts) == 2:
        parts = [parts[1], parts[0]]
    words = [w for p in parts for w in p]
    while len(words) > 1 and words[0] in HONORIFICS:
        words.pop(0)
    while len(words) > 1 and words[-1] in TRAILING:
        words.pop()
    return " ".join(words)


def name_key(name: str) -> str:
    """First and last word of the folded name (middle names ignored); "" for no name."""
    words = folded_name(name).split()
    if not words:
        return ""
    return words[0] if len(words) == 1 else f"{words[0]} {words[-1]}"


def identity_keys(name: str, emails: Iterable[str]) -> frozenset[str]:
    """``email:…`` for each address and ``name:…`` for the name key."""
    keys = {f"email:{e}" for text in emails for e in email_addresses(text)}
    key = name_key(name)
    if key:
        keys.add(f"name:{key}")
    return frozenset(keys)


@dataclass(frozen=True)
class Match:
    """An earlier contact that a new one duplicates, and how it was recognised."""

    index: int
    by: str  # "email" or "name"
    value: str


class IdentityIndex:
    """Contacts seen so far, looked up by email first, then by name."""

    def __init__(self) -> None:
        self._keys: dict[str, int] = {}

    def add(self, index: int, keys: Iterable[str]) -> None:
        for key in keys:
            self._keys.setdefault(key, index)

    def find(self, keys: frozenset[str]) -> Match | None:
        for kind in ("email", "name"):
            for key in sorted(k for k in keys if k.startswith(kind + ":")):
                if key in self._keys:
                    return Match(self._keys[key], kind, key.partition(":")[2])
        return None


def sheet_identities(grid: Grid, colmap: ColumnMap) -> dict[int, frozenset[str]]:
    """Each contact row of the sheet (0-based) and its identity keys."""
    name_col = colmap.roles.get("name")
    email_col = colmap.roles.get("email")
    out: dict[int, frozenset[str]] = {}
    for row in data_rows(grid, colmap):
        name = value_at(grid, row, name_col) if name_col is not None else None
        email = value_at(grid, row, email_col) if email_col is not None else None
        out[row] = identity_keys(
            "" if is_blank(name) else str(name), [] if is_blank(email) else [str(email)]
        )
    return out
