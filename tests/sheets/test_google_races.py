"""Edits and faults in the worst places of a Google run: statuses still end beside their person.

The user sorts, inserts or deletes rows between sheetsync's re-read and its write
(a ``before`` hook on the write itself), or while it waits out a 429 (the
back-off's sleep makes the edit).  Every kind of write also meets an answer that
is an error although Google applied it ("apply, then fail"): nothing is applied
twice.  After each run the invariants hold: every status beside its own person,
none on an empty row, a Drafted date only on someone drafted, the user's cells
as they were.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sheetsync.app import run
from sheetsync.config import Config
from sheetsync.google import Backoff, http_client
from sheetsync.outbox import MemoryOutbox
from sheetsync.sheets import GoogleSheet

from ..emulator import SheetsEmulator
from .test_google import add_example

TODAY = dt.date(2026, 11, 22)
OWNED = ["Status", "Score", "Days since", "Next follow-up", "Drafted", "Sheetsync note"]
Edit = Callable[[SheetsEmulator, str], None]


@pytest.fixture
def emu() -> Iterator[SheetsEmulator]:
    with SheetsEmulator() as emulator:
        yield emulator


def google_run(emu: SheetsEmulator, key: str, sleep: Callable[[float], None] | None = None) -> Any:
    from google.oauth2.credentials import Credentials

    policy = Backoff(retries=4, base=0.001, cap=0.004, sleep=sleep or (lambda s: None))
    client = http_client(Credentials(token="t"), endpoint=emu.base_url, backoff=policy)
    sheet = GoogleSheet(key, client=client, tab="Network")
    return run(Config(), sheet=sheet, outbox=MemoryOutbox(), today=TODAY)


def owned_by_person(emu: SheetsEmulator, key: str) -> tuple[dict[str, list[Any]], list[int]]:
    """Name -> their owned cells; and the rows with owned cells but nobody on them."""
    cells = emu.cells(key, "Network")
    top = next(i for i, r in enumerate(cells) if "Status" in r)
    cols = [cells[top].index(h) for h in OWNED]
    name = cells[top].index("Name")
    user = [c for c in range(len(cells[top])) if c not in cols]

    def at(row: list[Any], c: int) -> Any:
        return row[c] if c < len(row) else None

    people: dict[str, list[Any]] = {}
    strays = []
    for r, row in enumerate(cells[top + 1 :], start=top + 1):
        mine = [at(row, c) for c in cols]
        if all(at(row, c) in (None, "") for c in user):
            if any(v not in (None, "") for v in mine):
                strays.append(r + 1)
            continue
        people[str(at(row, name))] = mine
    return people, strays


def users_cells(emu: SheetsEmulator, key: str) -> dict[str, list[Any]]:
    cells = emu.cells(key, "Network")
    top = next(i for i, r in enumerate(cells) if "Name" in r)
    return {str(r[0]): r[:12] for r in cells[top + 1 :] if r and r[0]}


@pytest.fixture(scope="module")
def expected() -> tuple[dict[str, list[Any]], set[str]]:
    with SheetsEmulator() as emulator:
        key = add_example(emulator)
        result = google_run(emulator, key)
        people, strays = owned_by_person(emulator, key)
    assert not strays
    drafted = {r.name for r in result.rows if r.action == "drafted"}
    assert len(drafted) == 5
    return people, drafted


def check(
    emu: SheetsEmulator,
    key: str,
    expected: tuple[dict[str, list[Any]], set[str]],
    user_before: dict[str, list[Any]],
    result: Any,
) -> None:
    people, strays = owned_by_person(emu, key)
    assert strays == [], "no status on a row with nobody"
    want, drafted = expected
    for who, mine in people.items():
        if who in want:
            assert mine == want[who], who
        else:
            assert mine == [None] * len(OWNED) or who == "Newbie", who
        if mine[OWNED.index("Drafted")] is not None:
            assert who in drafted, f"a false Drafted date beside {who}"
    got_drafted = {r.name for r in result.rows if r.action == "drafted"}
    assert got_drafted == drafted
    after = users_cells(emu, key)
    for who, cells in after.items():
        if who in user_before:
            assert cells == user_before[who], f"{who}'s own cells changed"


def sort_by_name(e: SheetsEmulator, k: str) -> None:
    e.sort_rows(k, "Network", 4, lambda r: str(r[0] or "~"), reverse=True)


EDITS = [
    pytest.param(sort_by_name, id="sort"),
    pytest.param(lambda e, k: e.insert_rows(k, "Network", 6, 2), id="insert-blank-rows"),
    pytest.param(
        lambda e, k: e.insert_rows(k, "Network", 10, 1, values=[["Newbie"]]), id="insert-person"
    ),
    pytest.param(lambda e, k: e.delete_rows(k, "Network", 5, 2), id="delete"),
]


def is_write(req: Any) -> bool:
    return bool(req.kind == "write")


@pytest.mark.parametrize("edit", EDITS)
def test_an_edit_between_the_reread_and_the_write(
    emu: SheetsEmulator, edit: Edit, expected: Any
) -> None:
    key = add_example(emu)
    before = users_cells(emu, key)
    emu.before(is_write, lambda e: edit(e, key))
    result = google_run(emu, key)
    before = {w: c for w, c in before.items() if w in users_cells(emu, key)}  # deleted
    check(emu, key, expected, before, result)


@pytest.mark.parametrize("edit", EDITS)
def test_an_edit_during_a_429_back_off(emu: SheetsEmulator, edit: Edit, expected: Any) -> None:
    key = add_example(emu)
    before = users_cells(emu, key)
    emu.fail_next(429, times=1, when=is_write)
    edits = []

    def sleep(seconds: float) -> None:
        if not edits:
            edits.append(seconds)
            edit(emu, key)

    result = google_run(emu, key, sleep=sleep)
    assert edits, "the edit happened during the back-off"
    before = {w: c for w, c in before.items() if w in users_cells(emu, key)}
    check(emu, key, expected, before, result)


@pytest.mark.parametrize("edit", EDITS)
def test_an_edit_with_an_answer_lost_after_the_write_applied(
    emu: SheetsEmulator, edit: Edit, expected: Any
) -> None:
    key = add_example(emu)
    before = users_cells(emu, key)
    emu.before(is_write, lambda e: edit(e, key))
    emu.apply_then_fail(503, when=is_write)
    result = google_run(emu, key)
    before = {w: c for w, c in before.items() if w in users_cells(emu, key)}
    check(emu, key, expected, before, result)


def test_a_429_retry_never_resends_the_old_plan(emu: SheetsEmulator, expected: Any) -> None:
    key = add_example(emu)
    emu.fail_next(429, times=1, when=is_write, retry_after=0)
    emu.before(lambda r: r.kind == "write", lambda e: sort_by_name(e, key))
    google_run(emu, key)
    writes = [r for r in emu.requests if r.kind == "write"]
    grid_reads = [r for r in emu.requests if r.kind == "read" and r.started > writes[0].started]
    assert grid_reads and grid_reads[0].started < writes[1].started, "read again before resending"
    assert writes[1].fault is None and writes[0].fault == "fail 429"
