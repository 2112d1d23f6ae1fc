"""What a run did, as plain data: counts, per-row outcomes, changes, warnings.

The command line renders it for a person or as JSON (``--json``); the JSON
fields are documented in the README and stay stable.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from .drafting import Draft
from .grid import Cell
from .status import Action, Status


@dataclass
class RowOutcome:
    row: int
    name: str
    status: Status
    score: float | None
    days_since: int | None
    next_followup: dt.date | None
    in_person_due: bool
    tier: str
    action: Action = Action.NONE
    subject: str | None = None
    draft: str | None = None
    note: str = ""


@dataclass
class CellChange:
    cell: str
    column: str
    name: str
    old: Cell
    new: Cell


@dataclass
class RunResult:
    sheet: str
    today: dt.date
    dry_run: bool
    written_to: str | None = None
    destination: str | None = None
    rows: list[RowOutcome] = field(default_factory=list)
    changes: list[CellChange] = field(default_factory=list)
    cells_written: int = 0
    warnings: list[str] = field(default_factory=list)
    #: what the run tells once that is not a problem (how tier words were read)
    notes: list[str] = field(default_factory=list)
    #: drafts that could not be made because a template is broken or lacks a field
    template_errors: int = 0
    #: drafts the destination refused or could not store
    delivery_errors: int = 0
    #: the drafts this run made (or would make, in a dry run), for showing one to a person;
    #: not part of the JSON report
    drafts: list[Draft] = field(default_factory=list, repr=False)

    @property
    def exit_code(self) -> int:
        """0 when every draft due was made; else the documented code of the failure:
        6 (a draft destination failed) before 5 (a template failed)."""
        if self.delivery_errors:
            return 6
        return 5 if self.template_errors else 0

    @property
    def contacts(self) -> int:
        return len(self.rows)

    @property
    def statuses(self) -> dict[str, int]:
        return dict(Counter(str(r.status) for r in self.rows))

    def count(self, action: Action | str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def drafts_created(self) -> int:
        return self.count(Action.DRAFTED)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "today": self.today.isoformat(),
            "dry_run": self.dry_run,
            "written_to": self.written_to,
            "destination": self.destination,
            "contacts": self.contacts,
            "statuses": self.statuses,
            "cells_written": self.cells_written,
            "drafts": {
                "created": self.count(Action.DRAFTED),
                "would_create": self.count(Action.WOULD_DRAFT),
                "already_there": self.count(Action.DRAFT_EXISTS),
                "failed": self.count(Action.NO_DRAFT),
                "waiting": self.count(Action.WAITING),
            },
            "rows": [_plain(asdict(r)) for r in self.rows],
            "changes": [_plain(asdict(c)) for c in self.changes],
            "warnings": list(self.warnings),
        }


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, StrEnum):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value != value:
        return None
    return value


@dataclass
class ImportResult:
    """What an import did (or would do, for a dry run); ``--json`` prints it."""

    file: str
    format: str
    sheet: str
    dry_run: bool
    read: int
    added: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    left_out: list[dict[str, Any]] = field(default_factory=list)
    unfilled: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(_plain(asdict(self)))


@dataclass
class LogResult:
    """What ``log`` wrote (or would write) for one contact."""

    sheet: str
    name: str
    row: int
    dry_run: bool
    changes: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(_plain(asdict(self)))
