"""Checking a write after it landed, and repairing what a user's edit displaced.

A backend writes cells at row numbers found on a fresh read, but the user may
sort, insert or delete rows between that read and the moment the write is
applied (a tenth of a second, or the length of a back-off).  Then statuses land
beside the wrong person, on a row with nobody, and a Drafted date on someone
who was never drafted.

:func:`expected_after` records, by identity, what every row's written columns
should hold once the write has landed: the row's cells as read, with the
planned writes applied.  :func:`repairs` compares that with a read taken after
the write and returns the cells to write so that every person's cells are
their own again:

* a person's cell that holds another value gets theirs back (their planned
  value, or what it held before the write overwrote it);
* on a row with nobody (no user cell), sheetsync's own cells are cleared;
* on a row of someone the first read did not have (inserted meanwhile),
  sheetsync's own cells are cleared when they hold a value this write put in
  that column.

Cells that hold a formula are never written; a user's column is only written
back, never cleared.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .columns import ColumnMap, data_rows
from .contacts import row_key
from .grid import Cell, CellWrite, Formula, Grid, cell_at, is_blank
from .writeback import same_value

#: A column by what it is, not where it is: ("owned", "status") or ("role", "what").
Column = tuple[str, str]


@dataclass
class Expected:
    """What the written columns of every (uniquely keyed) row hold once a write landed."""

    cells: dict[str, dict[Column, Cell]] = field(default_factory=dict)
    #: values the write put in each owned column, to recognise them on a stranger's row
    written: dict[Column, list[Cell]] = field(default_factory=dict)
    #: every key the read had (shared keys too): a row with another key is a stranger's
    known: set[str] = field(default_factory=set)


def _columns(colmap: ColumnMap) -> dict[int, Column]:
    named: dict[int, Column] = {col: ("role", role) for role, col in colmap.roles.items()}
    named.update({col: ("owned", key) for key, col in colmap.owned.items()})
    return named


def _rows_by_key(grid: Grid, colmap: ColumnMap) -> dict[str, int]:
    """Key -> row, for keys on exactly one row."""
    seen: dict[str, list[int]] = {}
    for r in data_rows(grid, colmap):
        seen.setdefault(row_key(grid, r, colmap), []).append(r)
    return {key: rows[0] for key, rows in seen.items() if len(rows) == 1}


def expected_after(grid: Grid, colmap: ColumnMap, writes: Iterable[CellWrite]) -> Expected:
    """What ``writes`` (placed on ``grid``, a fresh read) should leave in every row."""
    named = _columns(colmap)
    planned = {(w.row, w.col): w.value for w in writes if w.row > colmap.header_row}
    cols = {c for _, c in planned if c in named}
    out = Expected()
    for (_, c), value in planned.items():
        if c in cols and named[c][0] == "owned":
            out.written.setdefault(named[c], []).append(value)
    out.known = {row_key(grid, r, colmap) for r in data_rows(grid, colmap)}
    for key, r in _rows_by_key(grid, colmap).items():
        out.cells[key] = {
            named[c]: planned.get((r, c), cell_at(grid, r, c))
            for c in cols
            if not isinstance(cell_at(grid, r, c), Formula)
        }
    return out


def repairs(grid: Grid, colmap: ColumnMap, expected: Expected) -> list[CellWrite]:
    """Cells to write so that ``grid`` (read after a write) matches ``expected``."""
    where = {name: col for col, name in _columns(colmap).items()}
    out: list[CellWrite] = []
    people = set(data_rows(grid, colmap))
    keys = _rows_by_key(grid, colmap)
    for key, r in keys.items():
        wanted = expected.cells.get(key)
        if wanted is None:
            if key not in expected.known:
                out.extend(_strays(grid, r, where, expected))
            continue
        for name, value in wanted.items():
            col = where.get(name)
            if col is None:
                continue
            old = cell_at(grid, r, col)
            if not isinstance(old, Formula) and not same_value(old, value):
                out.append(CellWrite(r, col, value))
    for r in range(colmap.header_row + 1, len(grid)):
        if r in people:
            continue
        for name, col in where.items():
            old = cell_at(grid, r, col)
            if name[0] == "owned" and not is_blank(old) and not isinstance(old, Formula):
                out.append(CellWrite(r, col, None))
    return out


def _strays(grid: Grid, r: int, where: dict[Column, int], expected: Expected) -> list[CellWrite]:
    """On a row the first read did not have: clear owned cells holding a value just written."""
    out = []
    for name, values in expected.written.items():
        col = where.get(name)
        if col is None:
            continue
        old = cell_at(grid, r, col)
        if is_blank(old) or isinstance(old, Formula):
            continue
        if any(same_value(old, v) for v in values):
            out.append(CellWrite(r, col, None))
    return out
