"""A sheet read and scored: columns found, contacts read, statuses and the queue decided.

Pure: it takes the grid, ``today`` and the settings, and returns an
:class:`Analysis`; nothing is read or written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .columns import ColumnMap, detect_columns
from .contacts import read_contacts
from .grid import Grid
from .scoring import queue, ranked, score
from .settings import ScoringSettings


@dataclass
class Analysis:
    """A sheet read and scored: everything decided, nothing written."""

    grid: Grid
    colmap: ColumnMap
    scored: pd.DataFrame
    to_draft: list[int]
    waiting: list[int]
    warnings: list[str]

    def records(self) -> list[tuple[int, dict[str, Any]]]:
        """(label, row as a plain dict) for every contact, in sheet order."""
        # plain dicts: iterrows() builds a Series per row and dominated large runs
        frame = self.scored
        rows: list[dict[str, Any]] = frame.to_dict("records")  # type: ignore[assignment]
        return list(zip((int(x) for x in frame.index), rows, strict=True))


def analyse_grid(
    grid: Grid,
    today: dt.date,
    *,
    scoring: ScoringSettings,
    columns: Mapping[str, str],
    owned_names: Mapping[str, str],
    day_first: bool,
    where: str = "the sheet",
) -> Analysis:
    """Detect columns, read contacts, score them and pick today's drafts."""
    colmap = detect_columns(grid, explicit=columns, owned_names=owned_names, where=where)
    contacts = read_contacts(grid, colmap, scoring, today=today, day_first=day_first, where=where)
    scored = ranked(score(contacts.frame, today, scoring))
    to_draft, waiting = queue(scored, today, scoring.daily_cap)
    return Analysis(grid, colmap, scored, to_draft, waiting, colmap.warnings + contacts.warnings)


def date_of(value: Any) -> dt.date | None:
    """A frame's timestamp as a date (None for a missing one)."""
    return None if pd.isna(value) else pd.Timestamp(value).date()


__all__ = ["Analysis", "analyse_grid", "date_of"]
