"""One record per person in a file: duplicates merged, never a field dropped silently.

Exports repeat people (two Google contacts for one friend, a LinkedIn member
listed twice).  Two records are the same person by the rules of
:mod:`sheetsync.core.identity`: a shared email address, else the same first
and last name.  The richer record (more fields filled in) is the base, the
earlier one on a tie; the other's email addresses are added, its fields fill
the base's empty ones, a star on either stays, and the earlier "connected on"
date wins.  Where both say different things, the base's value is kept and the
other's is named in the warning, so the user can check it.  Every merge is a
warning naming the file and the lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from ..core.identity import IdentityIndex, Match, identity_keys
from .model import ImportedContact

#: fields merged one by one, with the words a warning uses for them
_FIELDS = (
    ("first_name", "first name"),
    ("company", "company"),
    ("title", "title"),
    ("where_met", "where met"),
    ("birthday", "birthday"),
)


def merge_duplicates(
    contacts: Sequence[ImportedContact], file: str
) -> tuple[list[ImportedContact], list[str]]:
    """The contacts with each person once, in file order, and a warning per merge."""
    kept: list[ImportedContact] = []
    warnings: list[str] = []
    index = IdentityIndex()
    for contact in contacts:
        keys = identity_keys(contact.name, contact.emails)
        match = index.find(keys)
        if match is None:
            index.add(len(kept), keys)
            kept.append(contact)
            continue
        earlier = kept[match.index]
        merged, warning = _merge(earlier, contact, match, file)
        kept[match.index] = merged
        index.add(match.index, identity_keys(merged.name, merged.emails))
        warnings.append(warning)
    return kept, warnings


def _richness(contact: ImportedContact) -> int:
    filled = sum(1 for field, _ in _FIELDS if getattr(contact, field))
    return len(contact.emails) + filled + bool(contact.connected_on) + contact.starred


def _merge(
    earlier: ImportedContact, later: ImportedContact, match: Match, file: str
) -> tuple[ImportedContact, str]:
    base, other = (later, earlier) if _richness(later) > _richness(earlier) else (earlier, later)
    changes: dict[str, object] = {}
    taken: list[str] = []
    differ: list[str] = []
    new_emails = [e for e in other.emails if e.casefold() not in _folded(base.emails)]
    if new_emails:
        changes["emails"] = (*base.emails, *new_emails)
        taken.append(f"the email{'s' if len(new_emails) > 1 else ''} {', '.join(new_emails)}")
    for field, label in _FIELDS:
        mine, theirs = getattr(base, field), getattr(other, field)
        if not theirs or mine == theirs:
            continue
        if not mine:
            changes[field] = theirs
            taken.append(f"the {label}")
        elif isinstance(mine, str) and _within(mine, theirs):
            if len(theirs) > len(mine):
                changes[field] = theirs
                taken.append(f"the longer {label}")
        else:
            differ.append(f"{label} '{_shown(theirs)}'")
    if other.connected_on and (base.connected_on is None or other.connected_on < base.connected_on):
        changes["connected_on"] = other.connected_on
        taken.append("the earlier connection date")
    if other.starred and not base.starred:
        changes["starred"] = True
        taken.append("the star")
    merged = replace(base, **changes)  # type: ignore[arg-type]
    return merged, _say(earlier, later, base, other, match, taken, differ, file)


def _say(
    earlier: ImportedContact,
    later: ImportedContact,
    base: ImportedContact,
    other: ImportedContact,
    match: Match,
    taken: list[str],
    differ: list[str],
    file: str,
) -> str:
    if not taken and not differ and base is earlier:
        return (
            f"{file}, line {later.line}: {later.name} appears again (first on line "
            f"{earlier.line}, same {match.by}) with nothing new."
        )
    head = f"{file}, lines {earlier.line} and {later.line}: {base.name} twice (same {match.by}); "
    if base is later:
        head += f"kept line {base.line}, the richer record"
    else:
        head += f"merged into line {base.line}"
    if taken:
        head += f", with {_and(taken)} from line {other.line}"
    text = head + "."
    if differ:
        text += f" Line {other.line} also says {_and(differ)}: check which is right."
    if (
        match.by == "name"
        and base.emails
        and other.emails
        and not set(_folded(base.emails)) & set(_folded(other.emails))
    ):
        text += f" If these are two people, add line {other.line} by hand with its own name."
    return text


def _folded(emails: Sequence[str]) -> list[str]:
    return [e.casefold() for e in emails]


def _within(one: str, two: str) -> bool:
    """Whether one text contains the other, case aside ("Lumen" and "Lumen Analytics")."""
    a, b = one.casefold(), two.casefold()
    return a in b or b in a


def _shown(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    cell = getattr(value, "cell", None)
    return str(cell() if callable(cell) else value)


def _and(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
