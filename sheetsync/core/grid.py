"""The plain data a sheet backend hands over: a grid of cell values.

A grid is a list of rows, each a list of cell values (``str``, ``int``,
``float``, ``bool``, ``datetime.date``/``datetime.datetime`` or ``None`` for an
empty cell).  Rows may be ragged: a missing trailing cell reads as empty.  A
cell that holds a formula is a :class:`Formula` (a ``str`` starting with
``=``), so nothing confuses it with text that merely starts with ``=``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

Cell = Any
Grid = list[list[Cell]]


class Formula(str):
    """A cell's formula, as the user wrote it (``=SUM(A1:A3)``).

    ``cached`` is the value the spreadsheet program last computed for it, when
    the file holds one.
    """

    cached: Any = None


def cell_at(grid: Sequence[Sequence[Cell]], row: int, col: int) -> Cell:
    """The value at 0-based ``row``/``col``, or None outside the grid."""
    if row < 0 or col < 0 or row >= len(grid):
        return None
    line = grid[row]
    return line[col] if col < len(line) else None


#: A formula's ``cached`` when the file holds no computed results at all (it was
#: last saved by a program that does not calculate, such as openpyxl).
NOT_CALCULATED: Any = type("NotCalculated", (), {"__repr__": lambda self: "NOT_CALCULATED"})()


def value_of(cell: Cell) -> Cell:
    """A cell's value for reading: a formula's last computed value, else the cell."""
    if isinstance(cell, Formula):
        return None if cell.cached is NOT_CALCULATED else cell.cached
    return cell


def value_at(grid: Sequence[Sequence[Cell]], row: int, col: int) -> Cell:
    return value_of(cell_at(grid, row, col))


def is_blank(value: Cell) -> bool:
    """True for an empty cell: None, empty or whitespace-only text, or NaN."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, float) and math.isnan(value)


def row_is_blank(row: Sequence[Cell]) -> bool:
    return all(is_blank(v) for v in row)


def column_letter(col: int) -> str:
    """0-based column index to spreadsheet letters: 0 -> A, 26 -> AA."""
    if col < 0:
        raise ValueError(f"column index must be >= 0, got {col}")
    letters = ""
    n = col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


def a1(row: int, col: int) -> str:
    """0-based indices to A1 notation: (0, 0) -> "A1"."""
    return f"{column_letter(col)}{row + 1}"


def display_text(value: Cell, limit: int = 40) -> str:
    """A cell value as short text for a message to a person."""
    if isinstance(value, dt.datetime):
        text = value.isoformat(sep=" ")
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class CellWrite:
    """One owned cell to write, at 0-based coordinates of the grid."""

    row: int
    col: int
    value: Cell


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(text: str) -> str:
    """Text that no spreadsheet program will take for a formula.

    Backends already store sheetsync's text as plain text (RAW input, string
    cell type), but a CSV file is reinterpreted by whatever opens it, so text
    that starts like a formula gets the conventional leading apostrophe.
    """
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text
