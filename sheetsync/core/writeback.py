"""Putting status values back into the sheet, beside the right person.

A :class:`WritePlan` says, per contact (by identity key), what each owned
column should hold.  :func:`place` turns it into cell writes against a *fresh*
read of the sheet, taken just before writing: rows are found again by key, so
a status follows its person when the user sorts, inserts or deletes rows
mid-run; where identity is ambiguous the row is skipped with a warning, never
guessed.  Only owned cells whose value differs are written, and an owned cell
that holds a formula of the user's is left alone.

Two more plans serve the commands that add to the user's own columns, each
placed on a fresh read in the same way:

* :class:`AppendPlan` (``import``): new contacts below the last row that holds
  anything; a new contact whose email or name is already in the fresh read is
  skipped, never added twice.  Existing rows are never touched.
* :class:`UpdatePlan` (``log``): given user cells of rows found by identity key;
  a key on no row or on several rows is refused, and so is a row whose target
  cell holds a formula.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from ..errors import ColumnMissing
from .columns import (
    OWNED_DEFAULTS,
    ROLE_LABELS,
    ColumnMap,
    data_rows,
    detect_columns,
    own_header,
)
from .contacts import row_fingerprint, row_key
from .dates import serial_to_date
from .grid import Cell, CellWrite, Formula, Grid, a1, cell_at, is_blank, neutralise, row_is_blank
from .identity import sheet_identities

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
    #: rows (0-based) an append adds, in the order of the plan's rows that were added
    appended: list[int] = field(default_factory=list)
    #: the writes go into the user's own columns (import, log): a date takes the format its
    #: column already uses, and no header is styled like the user's
    user_columns: bool = False
    #: columns this write makes sheetsync's (column -> owned key): new ones, and ones of an
    #: earlier version adopted by their header; a backend that records ownership records them
    claimed: dict[int, str] = field(default_factory=dict)

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
        if isinstance(old, int | float) and not isinstance(old, bool):
            # Google's fresh reads give dates as serial numbers
            try:
                return serial_to_date(old) == new and float(old).is_integer()
            except ValueError:
                return False
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


def _add_owned_columns(grid: Grid, colmap: ColumnMap, missing: list[str], out: Placement) -> None:
    """Give each missing owned column a free slot and a header; record what becomes ours.

    A default name a column of the user's already has gets " (sheetsync)" added,
    and the run says so (once: the next run finds the column by its record).
    """
    owned = dict(colmap.owned)
    for key, col in zip(missing, _new_column_slots(grid, colmap, len(missing)), strict=True):
        owned[key] = col
        header = own_header(key, colmap)
        out.header_writes.append(CellWrite(colmap.header_row, col, header))
        out.claimed[col] = key
        if key in colmap.taken:
            name = colmap.owned_names[key]
            out.warnings.append(
                f"The column '{name}' is yours, so sheetsync left it alone and added its own "
                f"as '{header}'. To use another name, set [status_columns] {key} in "
                "sheetsync.toml."
            )
    out.claimed.update({col: key for key, col in colmap.claimed.items()})
    colmap.owned = owned


def place(
    grid: Grid,
    plan: WritePlan,
    *,
    where: str = "the sheet",
    owned_columns: Mapping[int, str] | None = None,
) -> Placement:
    """Cell writes that apply ``plan`` to ``grid`` (a fresh read of the sheet)."""
    out = Placement()
    colmap = _detect_fresh(grid, plan.columns, plan.owned_names, where, owned_columns)
    if isinstance(colmap, str):
        out.warnings.append(colmap)
        out.skipped = [r.key for r in plan.rows]
        return out
    out.colmap = colmap
    missing = [k for k in OWNED_ORDER if k not in colmap.owned]
    _add_owned_columns(grid, colmap, missing, out)

    twin_values: dict[tuple[str, str], list[dict[str, Cell]]] = {}
    for item in plan.rows:
        if item.key in plan.duplicate_keys:
            twin_values.setdefault((item.key, item.fingerprint), []).append(item.values)
    twin_order: dict[tuple[str, str], Iterator[int]] = {}
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
            # cannot be told apart, and need not be: as many identical rows as were read
            # take the items in sheet order (their notes differ only in the cell named).
            rows = [r for r in rows if row_fingerprint(grid, r, colmap) == item.fingerprint]
            twins = twin_values.get((item.key, item.fingerprint), [])
            if len(rows) > 1 and len(twins) == len(rows):
                order = twin_order.setdefault((item.key, item.fingerprint), iter(rows))
                rows = [next(order)]
            elif not rows or (len(rows) > 1 and not _all_equal(twins, len(rows))):
                out.warnings.append(
                    f"{label} is on several rows that changed during the run; sheetsync "
                    "cannot tell them apart, so it wrote nothing for them. Merge the rows."
                )
                out.skipped.append(item.key)
                continue
        for r in rows:
            _place_row(grid, r, item, colmap.owned, out)
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


# ----------------------------------------------------------------- new rows (import)


@dataclass
class NewRow:
    """A contact to add below the sheet's last row."""

    label: str
    #: role (``name``, ``email``, ``company``, …) -> value, for the user's own columns
    values: dict[str, Cell]
    #: owned key (``next_followup``, …) -> value, for sheetsync's columns
    owned: dict[str, Cell] = field(default_factory=dict)
    #: identity keys (:func:`sheetsync.core.identity.identity_keys`): skipped if any is in the sheet
    keys: frozenset[str] = frozenset()


@dataclass
class AppendPlan:
    rows: list[NewRow]
    columns: Mapping[str, str]
    owned_names: Mapping[str, str]


def _detect_fresh(
    grid: Grid,
    columns: Mapping[str, str],
    owned_names: Mapping[str, str],
    where: str,
    owned_columns: Mapping[int, str] | None = None,
) -> ColumnMap | str:
    try:
        return detect_columns(
            grid,
            explicit=columns,
            owned_names=owned_names,
            where=where,
            owned_columns=owned_columns,
        )
    except ColumnMissing as exc:
        return (
            f"The sheet's headers changed during the run ({exc}); nothing was written. "
            "Run sheetsync again."
        )


def first_free_row(grid: Grid, colmap: ColumnMap) -> int:
    """The row below the last one that holds anything (and below the header)."""
    last = next((r for r in range(len(grid) - 1, -1, -1) if not row_is_blank(grid[r])), -1)
    return max(last, colmap.header_row) + 1


def place_append(
    grid: Grid,
    plan: AppendPlan,
    *,
    where: str = "the sheet",
    owned_columns: Mapping[int, str] | None = None,
) -> Placement:
    """Cell writes that add ``plan``'s rows below everything in ``grid`` (a fresh read)."""
    out = Placement(user_columns=True)
    colmap = _detect_fresh(grid, plan.columns, plan.owned_names, where, owned_columns)
    if isinstance(colmap, str):
        out.warnings.append(colmap)
        out.skipped = [r.label for r in plan.rows]
        return out
    out.colmap = colmap
    wanted = {k for item in plan.rows for k, v in item.owned.items() if not is_blank(v)}
    missing = (
        [k for k in OWNED_ORDER if k not in colmap.owned] if wanted - set(colmap.owned) else []
    )
    _add_owned_columns(grid, colmap, missing, out)
    owned = colmap.owned
    known = {key for keys in sheet_identities(grid, colmap).values() for key in keys}
    row = first_free_row(grid, colmap)
    for item in plan.rows:
        if item.keys & known:
            out.warnings.append(
                f"{item.label} is already in the sheet (added while this import ran?); "
                "not added again."
            )
            out.skipped.append(item.label)
            continue
        cells = [(colmap.roles.get(role), value) for role, value in item.values.items()]
        cells += [(owned.get(key), value) for key, value in item.owned.items()]
        writes = [CellWrite(row, col, v) for col, v in cells if col is not None and not is_blank(v)]
        out.writes.extend(sorted(writes, key=lambda w: w.col))
        out.appended.append(row)
        known |= item.keys
        row += 1
    return out


# ------------------------------------------------------------- user cells (log)


@dataclass
class RowUpdate:
    """New values for some of one contact's own cells, found by identity key."""

    key: str
    name: str
    row: int
    #: role (``last_interaction``, ``what``, ``last_in_person``, …) -> value
    values: dict[str, Cell]


@dataclass
class UpdatePlan:
    rows: list[RowUpdate]
    columns: Mapping[str, str]
    owned_names: Mapping[str, str]


def place_updates(
    grid: Grid,
    plan: UpdatePlan,
    *,
    where: str = "the sheet",
    owned_columns: Mapping[int, str] | None = None,
) -> Placement:
    """Cell writes that apply ``plan`` to the rows of ``grid`` (a fresh read) found by key.

    A row is updated whole or not at all: a key on no row or on several rows, a
    missing column or a target cell that holds a formula skips it with a warning.
    """
    out = Placement(user_columns=True)
    colmap = _detect_fresh(grid, plan.columns, plan.owned_names, where, owned_columns)
    if isinstance(colmap, str):
        out.warnings.append(colmap)
        out.skipped = [r.key for r in plan.rows]
        return out
    out.colmap = colmap
    by_key: dict[str, list[int]] = {}
    for r in data_rows(grid, colmap):
        by_key.setdefault(row_key(grid, r, colmap), []).append(r)
    for item in plan.rows:
        problem, writes = _row_update(grid, colmap, item, by_key.get(item.key, []))
        if problem:
            out.warnings.append(problem)
            out.skipped.append(item.key)
            continue
        for w in writes:
            out.previous[(w.row, w.col)] = cell_at(grid, w.row, w.col)
        out.writes.extend(writes)
    return out


def _row_update(
    grid: Grid, colmap: ColumnMap, item: RowUpdate, rows: list[int]
) -> tuple[str, list[CellWrite]]:
    label = item.name or f"row {item.row + 1}"
    if not rows:
        return (
            f"{label} is no longer in the sheet (deleted or changed meanwhile); "
            "nothing was written for them.",
            [],
        )
    if len(rows) > 1:
        listed = ", ".join(str(r + 1) for r in rows)
        return (
            f"{label} is on rows {listed}; sheetsync cannot tell which is theirs, so it wrote "
            "nothing. Merge the rows.",
            [],
        )
    r, writes = rows[0], []
    for role, value in item.values.items():
        col = colmap.roles.get(role)
        if col is None:
            return (
                f"The sheet has no {ROLE_LABELS.get(role, role)} column; nothing was written "
                f"for {label}.",
                [],
            )
        if isinstance(cell_at(grid, r, col), Formula):
            return (
                f"{a1(r, col)} ({label}) holds a formula; sheetsync does not overwrite "
                "formulas, so nothing was written for them.",
                [],
            )
        if not same_value(cell_at(grid, r, col), value):
            writes.append(CellWrite(r, col, value))
    return "", writes
