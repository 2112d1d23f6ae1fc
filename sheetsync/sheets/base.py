"""The contract every sheet backend fulfils: read the grid, write a plan.

``read()`` returns the tab's cells as a :data:`~sheetsync.core.grid.Grid`.
``write(plan)`` re-reads the sheet, places the plan on that fresh read with
:func:`~sheetsync.core.writeback.place` (so rows are matched by identity), and
writes the resulting owned cells all together or not at all.

Two more operations add to the user's own columns, for the commands where the
user asked for exactly that, and work the same way (a fresh read, placement by
identity, all or nothing):

* ``append(plan)`` adds new contacts below everything in the tab
  (:func:`~sheetsync.core.writeback.place_append`), for ``import``;
* ``update_cells(plan)`` writes given cells of rows found by identity key
  (:func:`~sheetsync.core.writeback.place_updates`), for ``log``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from ..core.grid import Grid
from ..core.writeback import AppendPlan, Placement, UpdatePlan, WritePlan


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

    def append(self, plan: AppendPlan) -> WriteOutcome:
        """Add ``plan``'s rows below a fresh read's last row, atomically."""

    def update_cells(self, plan: UpdatePlan) -> WriteOutcome:
        """Write ``plan``'s user cells on rows found in a fresh read by key, atomically."""
