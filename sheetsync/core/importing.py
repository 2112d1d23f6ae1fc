"""Planning an import: who is new, what goes in which column, and when to first follow up.

Pure: it takes the people read from a file, the contacts already in the sheet
and ``today``, and returns a plan; the backends do the writing.

* **Duplicates** are people whose email address is already in the sheet, else
  whose name folds to the same first and last word (see
  :mod:`sheetsync.core.identity`), or who appeared earlier in the same file.  They
  are skipped, each with the reason.
* **Columns**: the user's own name, first name, email, company, where met,
  first met and birthday columns are filled where the sheet has them; nothing
  else is.  A birthday without a year is written "--MM-DD".
* **First follow-ups** are spread out, because a few hundred connections must
  not all come due the same morning.  The new contacts are ranked, most
  important first (starred in the source, then with an email address to write
  to, then the most recently connected, then with a company, then file
  order), and each gets the first day from tomorrow with room under the daily
  cap after the follow-ups the sheet already has due (its current backlog,
  drained a cap's worth a day, plus those falling due on each day).  The date
  goes in sheetsync's own "Next follow-up" cell of the new row, which the
  scoring core keeps for someone never contacted.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .columns import ROLE_LABELS
from .grid import Cell
from .identity import IdentityIndex, Match, identity_keys
from .records import ImportedContact
from .writeback import AppendPlan, NewRow

#: Roles an import fills, when the sheet has a column for them.
FILLED_ROLES = ("name", "first_name", "email", "company", "where_met", "first_met", "birthday")


@dataclass(frozen=True)
class Existing:
    """A contact already in the sheet."""

    row: int  # 0-based
    name: str
    keys: frozenset[str]


@dataclass
class Addition:
    contact: ImportedContact
    keys: frozenset[str]
    values: dict[str, Cell]
    follow_up: dt.date | None = None


@dataclass
class Skipped:
    contact: ImportedContact
    reason: str


@dataclass
class ImportPlan:
    additions: list[Addition] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    #: labels of fields the file has but the sheet has no column for
    unfilled: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def importance(contact: ImportedContact, position: int) -> tuple[Any, ...]:
    """Sort key, most important first."""
    recency = contact.connected_on.toordinal() if contact.connected_on else 0
    return (not contact.starred, not contact.emails, -recency, not contact.company, position)


def first_followup_dates(
    count: int,
    *,
    today: dt.date,
    daily_cap: int,
    booked: Mapping[dt.date, int] | None = None,
    backlog: int = 0,
) -> list[dt.date]:
    """``count`` days from tomorrow on, in order, none over the daily cap.

    ``booked`` counts the sheet's follow-ups falling due on each day; ``backlog``
    those due already, drained ``daily_cap`` a day starting today.  A cap of 0
    (no drafts at all) spreads one a day.
    """
    per_day = max(1, daily_cap)
    booked = booked or {}
    carry = max(0, backlog - per_day)
    out: list[dt.date] = []
    day = today
    while len(out) < count:
        day += dt.timedelta(days=1)
        demand = carry + booked.get(day, 0)
        used = min(per_day, demand)
        carry = demand - used
        out.extend([day] * min(per_day - used, count - len(out)))
    return out


def _values(contact: ImportedContact, roles: Collection[str], today: dt.date) -> dict[str, Cell]:
    first = contact.first_name or contact.name.split()[0]
    met = contact.connected_on if contact.connected_on and contact.connected_on <= today else None
    values: dict[str, Cell] = {
        "name": contact.name,
        "first_name": first,
        "email": contact.email,
        "company": contact.company,
        "where_met": contact.where_met,
        "first_met": met,
        "birthday": contact.birthday.cell() if contact.birthday else None,
    }
    return {role: v for role, v in values.items() if role in roles and v not in (None, "")}


def _in_file_reason(match: Match, earlier: ImportedContact) -> str:
    return f"appears earlier in the file (line {earlier.line}, same {match.by})"


def _in_sheet_reason(contact: ImportedContact, match: Match, earlier: Existing) -> str:
    where = f"row {earlier.row + 1} ({earlier.name})"
    if match.by == "email":
        return f"already in the sheet: same email as {where}"
    others = [k for k in earlier.keys if k.startswith("email:")]
    if contact.emails and others:
        return (
            f"already in the sheet: same name as {where}, though with another email "
            f"({contact.email}); add them by hand if this is someone else"
        )
    return f"already in the sheet: same name as {where}"


def plan_import(
    contacts: Sequence[ImportedContact],
    existing: Iterable[Existing],
    *,
    roles: Collection[str],
    today: dt.date,
    daily_cap: int,
    booked: Mapping[dt.date, int] | None = None,
    backlog: int = 0,
) -> ImportPlan:
    """Which of ``contacts`` to add, with their cells and first follow-up dates."""
    plan = ImportPlan()
    sheet_people = list(existing)
    in_sheet = IdentityIndex()
    for i, person in enumerate(sheet_people):
        in_sheet.add(i, person.keys)
    in_file = IdentityIndex()
    for contact in contacts:
        keys = identity_keys(contact.name, contact.emails)
        match = in_sheet.find(keys)
        if match is not None:
            reason = _in_sheet_reason(contact, match, sheet_people[match.index])
            plan.skipped.append(Skipped(contact, reason))
            continue
        match = in_file.find(keys)
        if match is not None:
            earlier = plan.additions[match.index].contact
            plan.skipped.append(Skipped(contact, _in_file_reason(match, earlier)))
            continue
        in_file.add(len(plan.additions), keys)
        plan.additions.append(Addition(contact, keys, _values(contact, roles, today)))
        if contact.connected_on and contact.connected_on > today:
            plan.warnings.append(
                f"line {contact.line}: {contact.name}'s connection date "
                f"{contact.connected_on.isoformat()} is in the future, so it was not filled in."
            )
    ranked = sorted(
        range(len(plan.additions)), key=lambda i: importance(plan.additions[i].contact, i)
    )
    dates = first_followup_dates(
        len(ranked), today=today, daily_cap=daily_cap, booked=booked, backlog=backlog
    )
    for i, day in zip(ranked, dates, strict=True):
        plan.additions[i].follow_up = day
    plan.unfilled = _unfilled(contacts, roles)
    return plan


def _unfilled(contacts: Sequence[ImportedContact], roles: Collection[str]) -> list[str]:
    has = {
        "email": any(c.emails for c in contacts),
        "company": any(c.company for c in contacts),
        "where_met": any(c.where_met for c in contacts),
        "first_met": any(c.connected_on for c in contacts),
        "birthday": any(c.birthday for c in contacts),
    }
    return [ROLE_LABELS[r] for r, present in has.items() if present and r not in roles]


def append_plan(
    plan: ImportPlan, columns: Mapping[str, str], owned_names: Mapping[str, str]
) -> AppendPlan:
    """The rows to append, in the order of the file."""
    rows = [
        NewRow(
            label=f"{a.contact.name} (line {a.contact.line})",
            values=dict(a.values),
            owned={"next_followup": a.follow_up} if a.follow_up else {},
            keys=a.keys,
        )
        for a in plan.additions
    ]
    return AppendPlan(rows=rows, columns=columns, owned_names=owned_names)


def load_ahead(scored: Any, today: dt.date) -> tuple[dict[dt.date, int], int]:
    """From a scored frame: follow-ups falling due on each coming day, and those due now."""
    import pandas as pd

    from .status import Status

    eligible = scored["eligible"].astype(bool)
    later = scored["next_followup"] > pd.Timestamp(today)
    active = ~scored["status"].isin([Status.CHECK_DATA, Status.DO_NOT_CONTACT])
    waiting = later & active & ~scored["drafted_cycle"].astype(bool)
    days = Counter(pd.Timestamp(d).date() for d in scored.loc[waiting, "next_followup"])
    return dict(days), int(eligible.sum())
