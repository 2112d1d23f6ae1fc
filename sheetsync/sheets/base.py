"""The contract every sheet backend fulfils: read the grid, commit a placement.

A backend is a :class:`SheetBackend` with two required methods:

* ``read()`` returns the tab's cells as a :data:`~sheetsync.core.grid.Grid`;
* ``commit(placer)`` reads the sheet again, calls ``placer`` on that fresh read
  (so rows are matched by identity, never by a row number read earlier), and
  writes the placement's cells all together or not at all.

Everything else has a default here: ``info()`` (what the backend knows of the
sheet: its name, locale, time zone and today there), ``check_writable()``,
``drafts_tab()`` and ``close()``.  The three ways sheetsync writes are shared
functions over ``commit``, not copies in each backend:

* :func:`write` places a run's statuses in sheetsync's own columns;
* :func:`append` adds new contacts below everything in the tab, for ``import``;
* :func:`update_cells` writes given user cells of rows found by identity, for ``log``.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING

from ..core.grid import Grid
from ..core.writeback import (
    AppendPlan,
    Placement,
    UpdatePlan,
    WritePlan,
    place,
    place_append,
    place_updates,
)
from ..errors import ConfigError

if TYPE_CHECKING:
    from ..outbox.base import Outbox

#: Places a plan on a fresh read of the sheet.
Placer = Callable[[Grid], Placement]


@dataclass
class WriteOutcome:
    """What a write did: cells written, where, and anything skipped."""

    cells: int
    location: str
    placement: Placement
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SheetInfo:
    """What a backend knows of its sheet once read."""

    #: The sheet and tab, for messages: ``contacts.xlsx › Network``.
    description: str
    #: Today where the sheet lives (a Google sheet's own time zone, else this machine's).
    today: dt.date
    #: The tab the contacts are in (None for a file with no tabs, or before the first read).
    tab: str | None = None
    #: The sheet's own locale (``en_GB``), when it has one: it decides how dates are read.
    locale: str | None = None
    time_zone: str | None = None
    #: Whether the sheet can hold a Drafts tab of sheetsync's.
    drafts_tab: bool = False
    #: Who the backend reads as (a Google account), for messages about access.
    account: str | None = None
    #: The columns the sheet records as sheetsync's, as of the latest read (the one
    #: ``commit`` makes included): 0-based column -> owned key (``{7: "status"}``).
    #: None when the backend records no ownership (columns are then known by header).
    owned_columns: Mapping[int, str] | None = None


class SheetBackend(ABC):
    """One tab of a spreadsheet, workbook or CSV file."""

    @abstractmethod
    def describe(self) -> str:
        """The sheet and tab, for messages: ``contacts.xlsx › Network``."""

    @abstractmethod
    def read(self) -> Grid:
        """Every cell of the tab, row by row."""

    @abstractmethod
    def commit(self, placer: Placer) -> WriteOutcome:
        """Place on a fresh read with ``placer`` and write the result, all or nothing."""

    def info(self) -> SheetInfo:
        """What the backend knows of the sheet (after ``read``)."""
        return SheetInfo(self.describe(), today=dt.date.today())

    def check_writable(self) -> None:  # noqa: B027 (a default, not a missing method)
        """Refuse now, before any draft is made, when the sheet cannot be written."""

    def drafts_tab(self, tab: str) -> Outbox:
        """A draft destination that adds rows to a Drafts tab of this sheet."""
        raise ConfigError(
            '[drafts] destination = "tab" adds drafts to the contacts\' own spreadsheet: a '
            "Google Sheet, an .xlsx/.xlsm workbook or a CSV file (then a file beside it). "
            f"{self.describe()} is none of those; choose another [drafts] destination."
        )

    def close(self) -> None:  # noqa: B027 (a default, not a missing method)
        """Release what the backend holds (nothing, by default)."""

    def __enter__(self) -> SheetBackend:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _owned(sheet: SheetBackend) -> Mapping[int, str] | None:
    # asked for when the placer runs: the backend has just read the sheet again
    return sheet.info().owned_columns


def write(sheet: SheetBackend, plan: WritePlan) -> WriteOutcome:
    """Place a run's statuses on a fresh read and write sheetsync's own cells."""
    where = sheet.describe()
    return sheet.commit(lambda grid: place(grid, plan, where=where, owned_columns=_owned(sheet)))


def append(sheet: SheetBackend, plan: AppendPlan) -> WriteOutcome:
    """Add ``plan``'s rows below a fresh read's last row (the user's own columns)."""
    where = sheet.describe()
    return sheet.commit(
        lambda grid: place_append(grid, plan, where=where, owned_columns=_owned(sheet))
    )


def update_cells(sheet: SheetBackend, plan: UpdatePlan) -> WriteOutcome:
    """Write ``plan``'s user cells on rows found in a fresh read by key."""
    where = sheet.describe()
    return sheet.commit(
        lambda grid: place_updates(grid, plan, where=where, owned_columns=_owned(sheet))
    )
