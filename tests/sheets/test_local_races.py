"""Local files under races and faults: another writer mid-run, killed saves, torn reads.

The concurrent writer is a real second process that saves the workbook (as a sync
client or a script would, leaving no lock file) between sheetsync's read and its
replace of the file.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sheetsync.app import run
from sheetsync.config import Config
from sheetsync.core.result import RunResult
from sheetsync.errors import SheetError
from sheetsync.outbox import MemoryOutbox
from sheetsync.sheets import CsvSheet, XlsxSheet
from sheetsync.sheets.base import Placer, WriteOutcome
from sheetsync.sheets.files import Snapshot, digest_of
from sheetsync.sheets.xlsx import read_book
from sheetsync.unattended.locking import sheet_lock

from .test_local import HEADER, TODAY, column, make_xlsx, people, run_on

#: A second process that puts "edited by Bob" into D3 (Bob's "What"), saving the whole
#: workbook the way another program would: a new file renamed over the old one.
WRITER = textwrap.dedent(
    """
    import os, sys, openpyxl
    path, text = sys.argv[1], sys.argv[2]
    book = openpyxl.load_workbook(path)
    book.active["D3"] = text
    book.save(path + ".new")
    os.replace(path + ".new", path)
    """
)


def other_program_saves(path: Path, text: str) -> None:
    subprocess.run([sys.executable, "-c", WRITER, str(path), text], check=True, timeout=60)


class RacedSheet(XlsxSheet):
    """Another program saves the workbook while each of the first ``races`` placements runs."""

    def __init__(self, *args: Any, races: int = 1, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.races = races
        self.placed = 0

    def commit(self, placer: Placer) -> WriteOutcome:
        def raced(grid: Any) -> Any:
            self.placed += 1
            if self.races > 0:
                self.races -= 1
                other_program_saves(self.path, f"edited by Bob {self.placed}")
            return placer(grid)

        return super().commit(raced)


def test_a_save_by_another_program_mid_run_is_kept_and_the_plan_placed_again(
    tmp_path: Path,
) -> None:
    path = make_xlsx(tmp_path / "people.xlsx", people())
    sheet = RacedSheet(path)
    run_on(sheet)
    ws: Any = openpyxl.load_workbook(path).active
    assert ws["D3"].value == "edited by Bob 1"  # the other program's save is not lost
    assert column(path, "Status") == {
        "Ann Lee": "ok",
        "Bob Stone": "overdue",
        "Cara Diaz": "lapsed",
    }
    assert sheet.placed == 2


def test_a_file_that_keeps_changing_stops_the_run_with_a_message(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "people.xlsx", people())
    with pytest.raises(SheetError, match=r"kept changing.*run sheetsync again"):
        run_on(RacedSheet(path, races=10))
    ws: Any = openpyxl.load_workbook(path).active
    assert ws["D3"].value == "edited by Bob 3"
    assert "Status" not in [c.value for c in ws[1]]


def test_a_csv_saved_mid_run_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(
        "Name,Email,Last contacted,What,Last in person\n"
        "Ann Lee,ann@example.com,2026-11-20,Coffee,\n",
        encoding="utf-8",
    )

    class Raced(CsvSheet):
        def commit(self, placer: Placer) -> WriteOutcome:
            def raced(grid: Any) -> Any:
                if "Bea" not in path.read_text("utf-8"):
                    with path.open("a", encoding="utf-8") as fh:
                        fh.write("Bea Ray,bea@example.com,2026-11-21,Tea,\n")
                return placer(grid)

            return super().commit(raced)

    run_on(Raced(path))
    text = path.read_text("utf-8")
    assert "Bea Ray,bea@example.com,2026-11-21,Tea," in text  # the other save is kept
    assert text.count(",ok,") == 1  # Ann placed again on the new file


def test_leftovers_of_a_killed_save_are_removed_and_only_ours(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "people.xlsx", people())
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead = tmp_path / ".people.xlsx.sheetsync-999999999-0badcafe.tmp"
        live = tmp_path / f".people.xlsx.sheetsync-{sleeper.pid}-0badcafe.tmp"
        theirs = tmp_path / ".people.xlsx.backup.tmp"
        other_file = tmp_path / ".other.xlsx.sheetsync-999999999-0badcafe.tmp"
        for p in (dead, live, theirs, other_file):
            p.write_bytes(b"PK half a workbook")
        run_on(XlsxSheet(path))
        assert not dead.exists()
        assert live.exists() and theirs.exists() and other_file.exists()
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_torn_read_says_to_try_again(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "people.xlsx", people())
    data = path.read_bytes()
    half = data[: len(data) // 2]  # what was read while another program wrote the file
    with pytest.raises(SheetError, match=r"being saved by another program.*run sheetsync again"):
        read_book(path, None, Snapshot(path, half, digest_of(half)))


def test_a_broken_file_that_does_not_change_is_not_called_torn(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(SheetError, match=r"not a workbook sheetsync can read"):
        XlsxSheet(path).read()


def test_a_header_merged_over_the_next_column_never_crashes(tmp_path: Path) -> None:
    path = tmp_path / "merged.xlsx"
    book = openpyxl.Workbook()
    ws: Any = book.active
    for row in people():
        ws.append(row)
    ws.merge_cells("E1:F1")  # "Last in person" spans the empty column F
    book.save(path)
    dry = run_on_dry(XlsxSheet(path))
    result = run_on(XlsxSheet(path))
    assert cells(dry) == cells(result) and dry.changes
    assert any("merged cells E1:F1" in w for w in result.warnings)
    grid = XlsxSheet(path).read()  # openpyxl hides a cell under a merge: read it ourselves
    assert grid[0][5] == "Status" and [r[5] for r in grid[1:]] == ["ok", "overdue", "lapsed"]


def run_on_dry(sheet: XlsxSheet) -> RunResult:
    return run(Config(), sheet=sheet, outbox=MemoryOutbox(), today=TODAY, dry_run=True)


def cells(result: RunResult) -> list[tuple[str, Any]]:
    return sorted((c.cell, c.new) for c in result.changes)


def test_a_protective_apostrophe_round_trips_in_csv(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(
        "Name,Phone,Last contacted,What,Last in person\n"
        "Ann Lee,'+44 20 7946 0958',2026-11-20,'=written by sheetsync,\n"
        "Bob Stone,,2026-11-20,'-also ours,\n",
        encoding="utf-8",
    )
    grid = CsvSheet(path).read()
    assert grid[1][3] == "=written by sheetsync" and grid[2][3] == "-also ours"
    assert grid[1][1] == "'+44 20 7946 0958'"  # a user's own quotes are text


def test_one_semicolon_note_does_not_flip_a_comma_csv(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(
        ",".join(HEADER) + "\n"
        'Ann Lee,ann@example.com,2026-11-20,"gifts; books; tea; maps; jam; pens; ink",\n'
        "Bob Stone,bob@example.com,2026-10-01,Tea,\n",
        encoding="utf-8",
    )
    assert CsvSheet(path).read()[0] == HEADER


def test_the_run_lock_is_the_same_whatever_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = Config(sheet=str(tmp_path / "people.xlsx"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "cron-state"))
    monkeypatch.setenv("HOME", str(tmp_path / "cron-home"))
    from_cron = sheet_lock(config).path
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "scheduler-state"))
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    from_scheduler = sheet_lock(config)
    assert from_scheduler.path == from_cron
    # and a process with yet another environment finds it taken
    assert from_scheduler.acquire()
    try:
        env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "x"), "HOME": str(tmp_path)}
        code = (
            "import sys; from sheetsync.config import Config; "
            "from sheetsync.unattended.locking import sheet_lock; "
            f"sys.exit(0 if sheet_lock(Config(sheet={str(config.sheet)!r})).acquire() else 3)"
        )
        done = subprocess.run([sys.executable, "-c", code], env=env, timeout=60)
        assert done.returncode == 3
    finally:
        from_scheduler.release()
