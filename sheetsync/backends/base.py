"""The contract every sheet backend fulfils: read the grid, write a plan.

``read()`` returns the tab's cells as a :data:`~sheetsync.grid.Grid`.
``write(plan)`` re-reads the sheet, places the plan on that fresh read with
:func:`~sheetsync.writeback.place` (so rows are matched by identity), and
writes the resulting owned cells all together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from ..grid import Grid
from ..writeback import Placement, WritePlan


@dataclass
class WriteOutcome:
    """What a write did: cells written, where, and anything skipped."""

    cells: int
    location: str
    placement: Placement
    warnings: list[str] = field(default_factory=list)


@runtime_checkable
class SheetBackend(Protocol):
    def describe(self) -> str:
        """The sheet and tab, for messages: ``contacts.xlsx › Network``."""

    def read(self) -> Grid:
        """Every cell of the tab, row by row."""

    def write(self, plan: WritePlan) -> WriteOutcome:
        """Apply ``plan`` to a fresh read, atomically."""
