"""What a run writes and reports: every contact's owned cells, notes and outcome.

Pure: from an :class:`~sheetsync.core.analysis.Analysis` and what happened to
each draft (a :class:`DraftAction` per contact), it builds the
:class:`~sheetsync.core.writeback.WritePlan` the sheet backend places on a fresh
read, the per-row outcomes of the report, and the list of changed cells.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .analysis import Analysis, date_of
from .contacts import row_fingerprint
from .dates import humanize_ago
from .grid import Formula, a1, cell_at, is_blank, value_at
from .result import CellChange, RowOutcome
from .status import HAS_DRAFT, Action, Status
from .writeback import Placement, RowValues, WritePlan


@dataclass
class DraftAction:
    """What the run did about one contact's draft."""

    action: Action
    subject: str | None = None
    location: str | None = None
    note: str = ""


def waiting_actions(analysis: Analysis, daily_cap: int) -> dict[int, DraftAction]:
    """The contacts due today that wait behind the daily cap."""
    # no queue position in the note: it would change every run and rewrite the cell
    note = f"due; waits for a later run (daily cap {daily_cap})"
    return {label: DraftAction(Action.WAITING, note=note) for label in analysis.waiting}


def note_for(
    rec: Mapping[str, Any], action: DraftAction | None, last_header: str, today: dt.date
) -> str:
    """The Sheetsync note of one contact."""
    status = rec["status"]
    if status == Status.CHECK_DATA:
        return str(rec["reason"])
    if status == Status.DO_NOT_CONTACT:
        return ""
    parts = []
    if status == Status.SNOOZED:
        parts.append(f"snoozed until {date_of(rec['snooze_until'])}")
    if action is not None and action.action in HAS_DRAFT:
        # the same words a later run writes, so a repeated run changes no cell
        parts.append(f"draft made {today}; after sending it, update {last_header}")
    elif action is not None and action.note:
        parts.append(action.note)
    elif rec["drafted_cycle"] and not pd.isna(rec["drafted"]):
        drafted = date_of(rec["drafted"])
        parts.append(f"draft made {drafted}; after sending it, update {last_header}")
    elif status == Status.NEW and not rec["eligible"]:
        parts.append("met today: first follow-up drafted tomorrow")
    if rec["in_person_due"] and status != Status.SNOOZED:
        parts.append(f"time to meet in person (last met {humanize_ago(int(rec['ip_days']))})")
    return "; ".join(parts)


def _keep_user_formulas(
    analysis: Analysis, row: int, values: dict[str, Any], warnings: list[str]
) -> None:
    """Drop owned cells that hold a formula of the user's: sheetsync leaves those alone."""
    for key, col in analysis.colmap.owned.items():
        if key in values and isinstance(cell_at(analysis.grid, row, col), Formula):
            del values[key]
            warnings.append(
                f"{a1(row, col)} holds a formula in a sheetsync column; it was left as it is. "
                "Clear it to let sheetsync fill it."
            )


def plan_values(
    analysis: Analysis,
    today: dt.date,
    actions: Mapping[int, DraftAction],
    *,
    columns: Mapping[str, str],
    owned_names: Mapping[str, str],
    warnings: list[str] | None = None,
) -> WritePlan:
    """What every contact's owned cells should hold after this run."""
    last_header = analysis.colmap.header_of("last_interaction")
    dupes = analysis.scored["key"].duplicated(keep=False)
    duplicate_keys = frozenset(analysis.scored.loc[dupes, "key"])
    rows = []
    warnings = analysis.warnings if warnings is None else warnings
    for label, rec in analysis.records():
        action = actions.get(label)
        values: dict[str, Any] = {
            "status": str(rec["status"]),
            "score": None if pd.isna(rec["score"]) else round(float(rec["score"]), 2),
            "days_since": None if pd.isna(rec["days"]) else int(rec["days"]),
            "next_followup": date_of(rec["next_followup"]),
            "note": note_for(rec, action, last_header, today) or None,
        }
        if action is not None and action.action in HAS_DRAFT:
            values["drafted"] = today
        _keep_user_formulas(analysis, int(rec["row"]), values, warnings)
        item = RowValues(rec["key"], rec["name"], int(rec["row"]), values)
        if item.key in duplicate_keys:
            item.fingerprint = row_fingerprint(analysis.grid, item.row, analysis.colmap)
        rows.append(item)
    return WritePlan(
        rows=rows, columns=columns, owned_names=owned_names, duplicate_keys=duplicate_keys
    )


def row_outcomes(
    analysis: Analysis, plan: WritePlan, actions: Mapping[int, DraftAction]
) -> list[RowOutcome]:
    """One typed outcome per contact, for the report and ``--json``."""
    out = []
    for (label, rec), values in zip(analysis.records(), plan.rows, strict=True):
        action = actions.get(label)
        out.append(
            RowOutcome(
                row=int(rec["row"]) + 1,
                name=rec["name"],
                status=Status(rec["status"]),
                score=values.values["score"],
                days_since=values.values["days_since"],
                next_followup=values.values["next_followup"],
                in_person_due=bool(rec["in_person_due"]),
                tier=rec["tier"],
                action=action.action if action else Action.NONE,
                subject=action.subject if action else None,
                draft=action.location if action else None,
                note=values.values["note"] or "",
            )
        )
    return out


def cell_changes(analysis: Analysis, placement: Placement) -> list[CellChange]:
    """The cells a placement writes, with whose row they are on and what they held."""
    colmap = placement.colmap
    if colmap is None:
        return []
    names = {col: key for key, col in colmap.owned.items()}
    headers = dict(analysis.colmap.owned_names)
    name_col = colmap.roles.get("name")
    changes = []
    for w in placement.all_writes:
        who = (
            ""
            if name_col is None or w.row == colmap.header_row
            else value_at(analysis.grid, w.row, name_col)
        )
        changes.append(
            CellChange(
                cell=a1(w.row, w.col),
                column=headers.get(names.get(w.col, ""), ""),
                name="" if is_blank(who) else str(who).strip(),
                old=placement.previous.get((w.row, w.col)),
                new=w.value,
            )
        )
    return changes


__all__ = [
    "DraftAction",
    "cell_changes",
    "note_for",
    "plan_values",
    "row_outcomes",
    "waiting_actions",
]
