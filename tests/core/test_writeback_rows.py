"""Adding rows and updating user cells: placed on a fresh read, by identity, never misplaced."""

from __future__ import annotations

import copy
import datetime as dt

from sheetsync.core.columns import OWNED_DEFAULTS
from sheetsync.core.grid import Formula, Grid
from sheetsync.core.identity import identity_keys
from sheetsync.core.writeback import (
    AppendPlan,
    NewRow,
    RowUpdate,
    UpdatePlan,
    place_append,
    place_updates,
)
from sheetsync.sheets import MemorySheet
from sheetsync.sheets.base import append as add_rows
from sheetsync.sheets.base import update_cells

from ..conftest import contact_grid

D = dt.date(2026, 11, 20)


def sheet_grid() -> Grid:
    return [
        ["My network", None],
        [],
        ["Name", "Email", "Tier", "Last contacted", "What", "Last in person", "Status"],
        ["Ada Lovelace", "ada@example.org", "A", D, "engines", None, "ok"],
        ["Grace Hopper", "grace@example.net", "B", D, "compilers", D, "ok"],
        [None, None, None, None, None, None, None],
        ["Totals", None, None, None, None, None, None, "=COUNTA(A4:A5)"],
    ]


def new_row(name: str, email: str = "", **values: object) -> NewRow:
    cells = {"name": name, **({"email": email} if email else {}), **values}
    return NewRow(
        label=name,
        values=cells,
        owned={"next_followup": D + dt.timedelta(days=3)},
        keys=identity_keys(name, [email] if email else []),
    )


def append(*rows: NewRow) -> AppendPlan:
    return AppendPlan(list(rows), columns={}, owned_names=OWNED_DEFAULTS)


# --- appending --------------------------------------------------------------------------


def test_rows_go_below_everything_and_existing_rows_are_untouched() -> None:
    grid = sheet_grid()
    before = copy.deepcopy(grid)
    sheet = MemorySheet(grid)
    outcome = add_rows(sheet, append(new_row("Kim Lee", "kim@example.com"), new_row("Bo Li")))
    assert outcome.placement.appended == [7, 8], "below the totals row, never above it"
    for r, line in enumerate(before):
        after = sheet.grid[r]
        assert after[: len(line)] == line, f"row {r + 1} changed"
        if r != 2:  # the header row gains sheetsync's column headers at the right
            assert all(v is None for v in after[len(line) :])
    header = sheet.grid[2]
    next_col = header.index("Next follow-up")
    assert sheet.grid[7][:2] == ["Kim Lee", "kim@example.com"]
    assert sheet.grid[7][next_col] == D + dt.timedelta(days=3)
    assert sheet.grid[8][0] == "Bo Li" and sheet.grid[8][1] is None


def test_missing_owned_columns_are_added_in_their_usual_order() -> None:
    grid = contact_grid(["Ada", "ada@example.org", "", D, "x", None])
    placement = place_append(grid, append(new_row("Kim Lee")))
    assert [w.value for w in placement.header_writes] == list(OWNED_DEFAULTS.values())
    assert placement.appended == [2]


def test_no_owned_columns_added_when_the_rows_need_none() -> None:
    grid = contact_grid(["Ada", "ada@example.org", "", D, "x", None])
    row = NewRow("Kim", {"name": "Kim"}, keys=identity_keys("Kim", []))
    assert place_append(grid, append(row)).header_writes == []


def test_someone_already_in_the_fresh_read_is_not_added_twice() -> None:
    def user_adds_kim(grid: Grid) -> None:
        grid.append(["Kim Lee", "kim@example.com", "", None, "", None, None])

    sheet = MemorySheet(sheet_grid(), before_write=user_adds_kim)
    outcome = add_rows(sheet, append(new_row("KIM LEE"), new_row("Bo Li")))
    assert outcome.placement.skipped == ["KIM LEE"]
    assert "already in the sheet" in outcome.warnings[0]
    assert [r[0] for r in sheet.grid[-2:]] == ["Kim Lee", "Bo Li"]


def test_values_follow_their_column_when_the_user_moves_columns() -> None:
    def user_swaps_name_and_email(grid: Grid) -> None:
        for line in grid:
            if len(line) >= 2:
                line[0], line[1] = line[1], line[0]

    sheet = MemorySheet(sheet_grid(), before_write=user_swaps_name_and_email)
    add_rows(sheet, append(new_row("Kim Lee", "kim@example.com")))
    assert sheet.grid[-1][:2] == ["kim@example.com", "Kim Lee"]


def test_unknown_roles_are_dropped_and_blank_values_not_written() -> None:
    row = new_row("Kim Lee", company="Lumen", where_met="")
    placement = place_append(sheet_grid(), append(row))
    written = {w.col for w in placement.writes}
    # the name, and Next follow-up: added right of the totals row's formula in column H
    assert written == {0, 10}


def test_headers_gone_means_nothing_is_appended() -> None:
    grid = [["Something else entirely"], ["x"]]
    placement = place_append(grid, append(new_row("Kim Lee")))
    assert placement.writes == [] and placement.skipped == ["Kim Lee"]
    assert "headers changed" in placement.warnings[0]


# --- updating user cells ----------------------------------------------------------------


def update(key: str, name: str, row: int, **values: object) -> UpdatePlan:
    return UpdatePlan(
        [RowUpdate(key=key, name=name, row=row, values=dict(values))],
        columns={},
        owned_names=OWNED_DEFAULTS,
    )


def test_update_lands_on_the_row_found_by_key_after_a_sort() -> None:
    def user_sorts(grid: Grid) -> None:
        grid[3], grid[4] = grid[4], grid[3]

    sheet = MemorySheet(sheet_grid(), before_write=user_sorts)
    new = dt.date(2026, 11, 22)
    outcome = update_cells(
        sheet,
        update("email:ada@example.org", "Ada", 3, last_interaction=new, what="tea")
    )
    assert outcome.cells == 2
    assert sheet.grid[4][0] == "Ada Lovelace" and sheet.grid[4][3:5] == [new, "tea"]
    assert sheet.grid[3][3:5] == [D, "compilers"], "Grace's row is untouched"


def test_ambiguous_or_missing_rows_are_refused() -> None:
    grid = sheet_grid()
    grid.append(["Ada Lovelace", "ada@example.org", "A", D, "again", None, None])
    placement = place_updates(grid, update("email:ada@example.org", "Ada", 3, what="x"))
    assert placement.writes == [] and "rows 4, 8" in placement.warnings[0]
    placement = place_updates(sheet_grid(), update("email:nobody@example.org", "No", 3, what="x"))
    assert placement.writes == [] and "no longer in the sheet" in placement.warnings[0]


def test_a_formula_in_a_target_cell_refuses_the_whole_row() -> None:
    grid = sheet_grid()
    grid[3][4] = Formula("=B4")
    placement = place_updates(
        grid, update("email:ada@example.org", "Ada", 3, last_interaction=D, what="x")
    )
    assert placement.writes == [] and "formula" in placement.warnings[0]


def test_unchanged_cells_are_not_written() -> None:
    placement = place_updates(
        sheet_grid(), update("email:ada@example.org", "Ada", 3, last_interaction=D, what="tea")
    )
    assert [(w.col, w.value) for w in placement.writes] == [(4, "tea")]
    assert placement.previous == {(3, 4): "engines"}


def test_a_missing_column_refuses_the_row() -> None:
    placement = place_updates(
        sheet_grid(), update("email:ada@example.org", "Ada", 3, company="Lumen")
    )
    assert placement.writes == [] and "no company column" in placement.warnings[0]
