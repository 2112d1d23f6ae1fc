"""Recording what happened with someone: the one change sheetsync makes to the user's columns.

``sheetsync log NAME "what happened"`` sets that contact's last interaction
and what, and with ``--in-person`` their last in-person meeting too, because
the user asked for exactly that.  Pure: this module decides the cells; the
backend writes them on the row it finds again by identity.

An interaction older than the one already recorded is refused (the sheet
keeps the most recent one); an older last in-person date is simply kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .columns import ColumnMap
from .dates import DateError, parse_date
from .grid import Formula, Grid, a1, cell_at, value_at
from .writeback import RowUpdate

RELATIVE_DAYS = {"today": 0, "yesterday": 1}


@dataclass(frozen=True)
class Interaction:
    when: dt.date
    what: str
    in_person: bool = False


@dataclass
class LogPlan:
    """The update to make, or why none is made."""

    update: RowUpdate | None
    problem: str = ""
    notes: list[str] = field(default_factory=list)


def parse_when(text: str | None, *, today: dt.date, day_first: bool) -> dt.date:
    """``--date``: any date a sheet cell may hold, "today" or "yesterday"; never the future.

    Raises DateError with a message for a person.
    """
    if text is None or not text.strip():
        return today
    word = text.strip().casefold()
    if word in RELATIVE_DAYS:
        return today - dt.timedelta(days=RELATIVE_DAYS[word])
    try:
        day = parse_date(text, day_first=day_first)
    except DateError as exc:
        raise DateError(str(exc)) from None
    if day is None:
        return today
    if day > today:
        raise DateError(
            f"{day.isoformat()} is in the future; log what has happened, "
            "and snooze what is still to come."
        )
    return day


def _date_in(grid: Grid, row: int, col: int, day_first: bool) -> dt.date | None:
    try:
        return parse_date(value_at(grid, row, col), day_first=day_first)
    except DateError:
        return None  # an unreadable cell is what logging fixes


def plan_log(
    grid: Grid,
    colmap: ColumnMap,
    *,
    row: int,
    key: str,
    name: str,
    interaction: Interaction,
    day_first: bool = False,
) -> LogPlan:
    """The cells to write for ``interaction`` on the contact at ``row`` (0-based)."""
    what = interaction.what.strip()
    if not what:
        return LogPlan(None, 'Say what happened, e.g. sheetsync log "Ada" "coffee: her new job".')
    roles = colmap.roles
    if "last_interaction" not in roles:
        return LogPlan(
            None,
            "The sheet has no last interaction column, so nothing was logged. Add one, or name "
            'yours in sheetsync.toml ([columns] last_interaction = "Your header").',
        )
    wanted = ["last_interaction", "what"] + (["last_in_person"] if interaction.in_person else [])
    notes: list[str] = []
    for role in [r for r in wanted if r not in roles]:  # optional columns: say what was lost
        label = role.replace("_", " ")
        notes.append(f"the sheet has no {label} column, so that part was not recorded")
    needed = [r for r in wanted if r in roles]
    for role in needed:
        if isinstance(cell_at(grid, row, roles[role]), Formula):
            return LogPlan(
                None,
                f"{a1(row, roles[role])} ({colmap.header_of(role)}) holds a formula; sheetsync "
                "does not overwrite formulas, so nothing was logged.",
            )
    last = _date_in(grid, row, roles["last_interaction"], day_first)
    if last is not None and last > interaction.when:
        return LogPlan(
            None,
            f"{name}'s {colmap.header_of('last_interaction')} is already {last.isoformat()}, "
            f"later than {interaction.when.isoformat()}; nothing was logged (the sheet keeps the "
            "most recent interaction). To record an earlier one, edit the sheet.",
        )
    values: dict[str, object] = {"last_interaction": interaction.when}
    if "what" in roles:
        values["what"] = what
    if interaction.in_person and "last_in_person" in roles:
        met = _date_in(grid, row, roles["last_in_person"], day_first)
        if met is not None and met > interaction.when:
            notes.append(
                f"{colmap.header_of('last_in_person')} stays {met.isoformat()}, which is later."
            )
        else:
            values["last_in_person"] = interaction.when
    return LogPlan(RowUpdate(key=key, name=name, row=row, values=values), notes=notes)
