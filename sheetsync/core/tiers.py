"""Tier values people write instead of sheetsync's letters, read as tiers A, B and C.

A tier column says how close someone is, and people say it in their own
words.  Each vocabulary below maps its words to the canonical tiers (A is the
closest: the shortest cadence and the largest weight); the report names the
vocabulary a sheet used, so nobody wonders why "High" came out as A.

* A/B/C: the letters themselves;
* High/Medium/Low: high (hi) is A, medium (med, mid) B, low (lo) C;
* 1/2/3 (also "Tier 1"): 1 is A, 2 B, 3 C;
* P1/P2/P3: P1 is A, P2 B, P3 C;
* Close/Friend/Acquaintance: close (close friend, inner circle) is A,
  friend B, acquaintance C;
* VIP: A.

Case, surrounding spaces, dots ("V.I.P.") and a leading "tier" ("Tier 2") are
ignored; whole numbers from a workbook (2, 3.0) read as their digits.  A tier
named in the user's config always wins over these words (the caller looks it
up first).  Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

__all__ = [
    "CANONICAL",
    "VOCABULARIES",
    "Vocabulary",
    "normalise_tier",
    "vocabularies_used",
    "vocabulary_of",
]

#: sheetsync's own tiers, closest first (the default [tiers] of the config)
CANONICAL: Final = ("A", "B", "C")
_LETTERS: Final = "A/B/C"
_WHOLE: Final = re.compile(r"(\d+)(?:\.0+)?")
_SEPARATORS: Final = re.compile(r"[\s_\-]+")


@dataclass(frozen=True)
class Vocabulary:
    """One way of writing tiers: its name for the report, and its words."""

    name: str
    #: folded word -> canonical tier
    words: Mapping[str, str]


def _words(a: Iterable[str], b: Iterable[str], c: Iterable[str]) -> dict[str, str]:
    return {
        **dict.fromkeys(a, CANONICAL[0]),
        **dict.fromkeys(b, CANONICAL[1]),
        **dict.fromkeys(c, CANONICAL[2]),
    }


VOCABULARIES: Final = (
    Vocabulary(_LETTERS, _words(["a"], ["b"], ["c"])),
    Vocabulary("High/Medium/Low", _words(["high", "hi"], ["medium", "med", "mid"], ["low", "lo"])),
    Vocabulary("1/2/3", _words(["1"], ["2"], ["3"])),
    Vocabulary("P1/P2/P3", _words(["p1"], ["p2"], ["p3"])),
    Vocabulary(
        "Close/Friend/Acquaintance",
        _words(
            ["close", "close friend", "close friends", "inner circle"],
            ["friend", "friends"],
            ["acquaintance", "acquaintances"],
        ),
    ),
    Vocabulary("VIP", {"vip": CANONICAL[0]}),
)


def _fold(value: object) -> str:
    """The cell as a word to look up, or "" when it cannot be a tier."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else ""
    if not isinstance(value, str):
        return ""
    text = " ".join(value.casefold().split())
    whole = _WHOLE.fullmatch(text)
    if whole:
        return whole[1]
    text = " ".join(_SEPARATORS.split(text.replace(".", ""))).strip()
    return text.removeprefix("tier ").strip()


def vocabulary_of(value: object) -> Vocabulary | None:
    """The vocabulary whose word ``value`` is, or None."""
    word = _fold(value)
    if not word:
        return None
    return next((v for v in VOCABULARIES if word in v.words), None)


def normalise_tier(value: object) -> str | None:
    """The canonical tier ("A", "B" or "C") a tier cell means, or None.

    >>> normalise_tier("High"), normalise_tier("P3"), normalise_tier(2), normalise_tier("Gold")
    ('A', 'C', 'B', None)
    """
    vocabulary = vocabulary_of(value)
    return vocabulary.words[_fold(value)] if vocabulary else None


def vocabularies_used(values: Iterable[object]) -> list[str]:
    """Names of the vocabularies other than plain letters among ``values``, in order seen."""
    names: list[str] = []
    for value in values:
        vocabulary = vocabulary_of(value)
        if vocabulary and vocabulary.name != _LETTERS and vocabulary.name not in names:
            names.append(vocabulary.name)
    return names
