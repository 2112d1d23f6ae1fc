"""A sheet read and scored: columns found, contacts read, statuses and the queue decided.

Pure: it takes the grid, ``today`` and the settings, and returns an
:class:`Analysis`; nothing is read or written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
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
    #: what the run noticed and tells once (not problems): e.g. how tier words were read
    notes: list[str] = field(default_factory=list)

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
    owned_columns: Mapping[int, str] | None = None,
) -> Analysis:
    """Detect columns, read contacts, score them and pick today's drafts.

    ``owned_columns`` is what the sheet records of sheetsync's own columns (None: the
    sheet records nothing, and they are found by their headers)."""
    colmap = detect_columns(
        grid,
        explicit=columns,
        owned_names=owned_names,
        where=where,
        owned_columns=owned_columns,
    )
    contacts = read_contacts(grid, colmap, scoring, today=today, day_first=day_first, where=where)
    scored = ranked(score(contacts.frame, today, scoring))
    to_draft, waiting = queue(scored, today, scoring.daily_cap)
    notes = [
        f"Tier column read as {name} (mapped to tiers A, B and C and their cadences); "
        "define [tiers] in sheetsync.toml to choose others."
        for name in contacts.tier_vocabularies
    ]
    warnings = colmap.warnings + contacts.warnings
    return Analysis(grid, colmap, scored, to_draft, waiting, warnings, notes)


def date_of(value: Any) -> dt.date | None:
    """A frame's timestamp as a date (None for a missing one)."""
    return None if pd.isna(value) else pd.Timestamp(value).date()


def find_contact(analysis: Analysis, query: str) -> tuple[int | None, list[str]]:
    """The frame label of the one contact ``query`` names, else the candidates' names.

    Tried in turn: the whole name or the email, the first name, a part of the
    name; a near miss lists the closest names.
    """
    import difflib

    from .contacts import normalise_name

    frame = analysis.scored
    q = normalise_name(query)
    names = {label: normalise_name(str(name)) for label, name in frame["name"].items()}
    keys = {label: str(key) for label, key in frame["key"].items()}
    tests: tuple[Callable[[Hashable], bool], ...] = (
        lambda lb: names[lb] == q or keys[lb] == f"email:{q}",
        lambda lb: names[lb].split()[:1] == [q],
        lambda lb: q in names[lb],
    )
    for test in tests:
        hits = [lb for lb in frame.index if names[lb] and test(lb)]
        if len(hits) == 1:
            return int(hits[0]), []
        if hits:
            return None, [str(frame.at[lb, "name"]) for lb in hits]
    close = difflib.get_close_matches(q, list(names.values()), n=3, cutoff=0.5)
    originals = [str(frame.at[lb, "name"]) for lb, n in names.items() if n in close]
    return None, originals


__all__ = ["Analysis", "analyse_grid", "date_of", "find_contact"]
