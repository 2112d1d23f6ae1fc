"""Putting status values back into the sheet, beside the right person.

A :class:`WritePlan` says, per contact (by identity key), what each owned
column should hold.  :func:`place` turns it into cell writes against a *fresh*
read of the sheet, taken just before writing: rows are found again by key, so
a status follows its person when the user sorts, inserts or deletes rows
mid-run; where identity is ambiguous the row is skipped with a warning, never
guessed.  Only owned cells whose value differs are written, and an owned cell
that holds a formula of the user's is left alone.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from .columns import OWNED_DEFAULTS, ColumnMap, data_rows, detect_columns
from .contacts import row_fingerprint, row_key
from .errors import ColumnMissing
from .grid import Cell, CellWrite, Formula, Grid, a1, cell_at, is_blank, neutralise

#: Owned columns in the order they are added to a sheet that lacks them.
OWNED_ORDER = tuple(OWNED_DEFAULTS)


@dataclass
class RowValues:
    """What one contact's owned cells should hold (owned key -> value)."""

    key: str
    name: str
    row: int
    values: dict[str, Cell]
    #: digest of the row's user cells; used only to tell apart rows sharing a key
    fingerprint: str = ""


@dataclass
class WritePlan:
    rows: list[RowValues]
    columns: Mapping[str, str]
    owned_names: Mapping[str, str]
    duplicate_keys: frozenset[str] = frozenset()


@dataclass
class Placement:
    """The result of placing a plan on a grid."""

    writes: list[CellWrite] = field(default_factory=list)
    header_writes: list[CellWrite] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    colmap: ColumnMap | None = None
    previous: dict[tuple[int, int], Cell] = field(default_factory=dict)

    @property
    def all_writes(self) -> list[CellWrite]:
        return self.header_writes + self.writes


def same_value(old: Cell, new: Cell) -> bool:
    """Whether a cell already holds ``new`` (as text, number or date, as a sheet stores it)."""
    if is_blank(old) and (new is None or new == ""):
        return True
    if is_blank(old) or new is None:
        return False
    if isinstance(new, dt.date):
        if isinstance(old, dt.datetime):
            return old.date() == new and old.time() == dt.time()
        if isinstance(old, dt.date):
            return old == new
        return str(old).strip()[:10] == new.isoformat() and len(str(old).strip()) == 10
    if isinstance(new, int | float) and not isinstance(new, bool):
        try:
            return not isinstance(old, bool) and math.isclose(
                float(old), float(new), rel_tol=0, abs_tol=1e-9
            )
        except (TypeError, ValueError):
            return False
    # a CSV file holds our formula-like text with its protective apostrophe
    return str(old) == str(new) or (isinstance(new, str) and str(old) == neutralise(new))


def _new_column_slots(grid: Grid, colmap: ColumnMap, count: int) -> list[int]:
    """Free columns right of the header for ``count`` new owned columns.

    A column counts as free only when no row holds anything in it, so an
    unheaded column of the user's is never taken over.
    """
    used = {i for i, h in enumerate(colmap.headers) if h}
    occupied: set[int] = set()
    for line in grid:
        occupied.update(i for i, v in enumerate(line) if not is_blank(v))
    col = (max(used) + 1) if used else 0
    slots: list[int] = []
    while len(slots) < count:
        if col not in occupied:
            slots.append(col)
        col += 1
    return slots


def place(grid: Grid, plan: WritePlan, *, where: str = "the sheet") -> Placement:
    """Cell writes that apply ``plan`` to ``grid`` (a fresh read of the sheet)."""
    out = Placement()
    try:
        colmap = detect_columns(
            grid, explicit=plan.columns, owned_names=plan.owned_names, where=where
        )
    except ColumnMissing as exc:
        out.warnings.append(
            f"The sheet's headers changed during the run ({exc}); nothing was written. "
            "Run sheetsync again."
        )
        out.skipped = [r.key for r in plan.rows]
        return out
    out.colmap = colmap
    owned = dict(colmap.owned)
    missing = [k for k in OWNED_ORDER if k not in owned]
    for key, col in zip(missing, _new_column_slots(grid, colmap, len(missing)), strict=True):
        owned[key] = col
        out.header_writes.append(CellWrite(colmap.header_row, col, plan.owned_names[key]))
    colmap.owned = owned

    twin_values: dict[tuple[str, str], list[dict[str, Cell]]] = {}
    for item in plan.rows:
        if item.key in plan.duplicate_keys:
            twin_values.setdefault((item.key, item.fingerprint), []).append(item.values)
    by_key: dict[str, list[int]] = {}
    for r in data_rows(grid, colmap):
        by_key.setdefault(row_key(grid, r, colmap), []).append(r)
    for item in plan.rows:
        rows = by_key.get(item.key, [])
        label = item.name or f"row {item.row + 1}"
        if not rows:
            out.warnings.append(
                f"{label} is no longer in the sheet (deleted or changed during the run); "
                "their status was not written."
            )
            out.skipped.append(item.key)
            continue
        if len(rows) > 1 and item.key not in plan.duplicate_keys:
            out.warnings.append(
                f"{label} now appears on rows {', '.join(str(r + 1) for r in rows)}; "
                "sheetsync cannot tell which is theirs, so it wrote nothing for them."
            )
            out.skipped.append(item.key)
            continue
        if len(rows) > 1:
            # The same contact on several rows at read time: each item goes to the row
            # whose own cells it was computed from.  Rows identical in every user cell
            # got identical values, so those are written to each of them.
            rows = [r for r in rows if row_fingerprint(grid, r, colmap) == item.fingerprint]
            twins = twin_values.get((item.key, item.fingerprint), [])
            if not rows or (len(rows) > 1 and not _all_equal(twins, len(rows))):
                out.warnings.append(
                    f"{label} is on several rows that changed during the run; sheetsync "
                    "cannot tell them apart, so it wrote nothing for them. Merge the rows."
                )
                out.skipped.append(item.key)
                continue
        for r in rows:
            _place_row(grid, r, item, owned, out)
    return out


def _all_equal(values: list[dict[str, Cell]], count: int) -> bool:
    return len(values) == count and all(v == values[0] for v in values)


def _place_row(grid: Grid, r: int, item: RowValues, owned: dict[str, int], out: Placement) -> None:
    for key, value in item.values.items():
        col = owned[key]
        if (r, col) in out.previous:  # already written by an identical twin row
            continue
        old = cell_at(grid, r, col)
        if isinstance(old, Formula):
            out.warnings.append(
                f"{a1(r, col)} ({item.name}) holds a formula in a sheetsync column; "
                "it was left as it is. Clear it to let sheetsync fill it."
            )
            continue
        if same_value(old, value):
            continue
        out.previous[(r, col)] = old
        out.writes.append(CellWrite(r, col, value))
