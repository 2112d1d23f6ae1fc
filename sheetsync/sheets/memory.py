"""A sheet held in memory: the in-package fake for tests and library users.

``before_write`` lets a test play the user editing the sheet between a run's
read and its write (sorting, inserting or deleting rows, renaming a header).
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from ..core.grid import Grid
from ..core.writeback import Placement
from .base import Placer, SheetBackend, WriteOutcome


class MemorySheet(SheetBackend):
    def __init__(
        self,
        grid: Grid,
        *,
        name: str = "memory",
        before_write: Callable[[Grid], None] | None = None,
    ):
        self.grid: Grid = [list(row) for row in grid]
        self.name = name
        self.before_write = before_write
        self.reads = 0
        self.writes = 0

    def describe(self) -> str:
        return self.name

    def read(self) -> Grid:
        self.reads += 1
        return copy.deepcopy(self.grid)

    def commit(self, placer: Placer) -> WriteOutcome:
        if self.before_write is not None:
            self.before_write(self.grid)
        return self._apply(placer(copy.deepcopy(self.grid)))

    def _apply(self, placement: Placement) -> WriteOutcome:
        for w in placement.all_writes:
            while len(self.grid) <= w.row:
                self.grid.append([])
            line = self.grid[w.row]
            while len(line) <= w.col:
                line.append(None)
            line[w.col] = w.value
        if placement.all_writes:
            self.writes += 1
        return WriteOutcome(len(placement.writes), self.name, placement, placement.warnings)
