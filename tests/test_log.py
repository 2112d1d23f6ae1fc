"""`sheetsync log`: the user's own columns, written only because the user asked.

Run for real through main([...]) on copies of the example workbook and CSV export.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest

from sheetsync.cli.main import main
from sheetsync.core.columns import detect_columns
from sheetsync.core.grid import Formula
from sheetsync.core.interactions import Interaction, parse_when, plan_log

from .conftest import contact_grid

TODAY = dt.date(2026, 11, 22)
AT = ["--today", TODAY.isoformat()]


def log(sheet: Path, *args: str) -> int:
    return main(["log", *args, "--sheet", str(sheet), *AT])


def row_values(path: Path, row: int) -> list[object]:
    ws = openpyxl.load_workbook(path).worksheets[0]
    return [c.value for c in ws[row]]


def test_log_writes_real_dates_in_the_users_columns(
    example_xlsx: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {r: row_values(example_xlsx, r) for r in range(1, 37)}
    assert log(example_xlsx, "marcus", "call about Rust hiring", "--in-person") == 0
    out = capsys.readouterr().out
    assert "Logged for Marcus Johnson (row 8" in out
    assert "Last contacted (F8): 2026-11-12 -> 2026-11-22" in out
    ws = openpyxl.load_workbook(example_xlsx).worksheets[0]
    assert ws["F8"].value == dt.datetime(2026, 11, 22) and ws["F8"].number_format == "yyyy-mm-dd"
    assert ws["G8"].value == "call about Rust hiring"
    assert ws["H8"].value == dt.datetime(2026, 11, 22)
    after = {r: row_values(example_xlsx, r) for r in range(1, 37)}
    changed = {
        (r, i)
        for r in before
        for i, (a, b) in enumerate(zip(before[r], after[r], strict=True))
        if a != b
    }
    assert changed == {(8, 5), (8, 6), (8, 7)}, "only the three cells asked for"


@pytest.mark.parametrize(
    ("query", "name"),
    [
        pytest.param("zoe muller", "Zoë Müller", id="accents-and-case"),
        pytest.param("ZOË", "Zoë Müller", id="first-name-alone"),
        pytest.param("kwame.mensah@example.com", "Kwame Mensah", id="email"),
        pytest.param("nguyen thi lan", "Nguyễn Thị Lan", id="vietnamese"),
    ],
)
def test_names_match_forgivingly(
    example_xlsx: Path, query: str, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert log(example_xlsx, query, "met for lunch", "--dry-run") == 0
    assert f"Would log for {name}" in capsys.readouterr().out


def test_an_ambiguous_name_lists_the_candidates_and_changes_nothing(
    example_xlsx: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wb = openpyxl.load_workbook(example_xlsx)
    wb.worksheets[0]["A14"] = "Sofia Marques"
    wb.save(example_xlsx)
    original = example_xlsx.read_bytes()
    assert log(example_xlsx, "sofia", "coffee") == 2
    err = capsys.readouterr().err
    assert "could mean Sofia Rossi (row 10), Sofia Marques (row 14)" in err
    assert "Nothing was logged" in err
    assert example_xlsx.read_bytes() == original


def test_unknown_name(example_xlsx: Path, capsys: pytest.CaptureFixture[str]) -> None:
    original = example_xlsx.read_bytes()
    assert log(example_xlsx, "Nobody Atall", "coffee") == 2
    assert "no contact named 'Nobody Atall'" in capsys.readouterr().err
    assert example_xlsx.read_bytes() == original


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--date", "2026-12-01"], "is in the future", id="future"),
        pytest.param(["--date", "2026-11-01"], "already 2026-11-12, later than", id="older"),
        pytest.param(["--date", "someday"], "--date:", id="unreadable"),
    ],
)
def test_refusals_change_nothing(
    example_xlsx: Path, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    original = example_xlsx.read_bytes()
    assert log(example_xlsx, "Marcus Johnson", "coffee", *args) == 2
    assert message in capsys.readouterr().err
    assert example_xlsx.read_bytes() == original


def test_date_forms_and_json(example_xlsx: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert log(example_xlsx, "Marcus", "call", "--date", "20 Nov 2026", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["name"] == "Marcus Johnson" and data["row"] == 8 and not data["dry_run"]
    assert data["changes"][0] == {
        "cell": "F8",
        "column": "Last contacted",
        "old": "2026-11-12",
        "new": "2026-11-20",
    }
    assert log(example_xlsx, "Marcus", "lunch", "--date", "yesterday", "--in-person") == 0
    ws = openpyxl.load_workbook(example_xlsx).worksheets[0]
    assert ws["F8"].value == ws["H8"].value == dt.datetime(2026, 11, 21)


def test_log_on_csv_writes_iso_dates(example_csv: Path) -> None:
    before = example_csv.read_text(encoding="utf-8").splitlines()
    assert log(example_csv, "Aisha", "reviewed her talk proposal") == 0
    after = example_csv.read_text(encoding="utf-8").splitlines()
    assert (
        after[6].startswith("Aisha Bello,")
        and ",2026-11-22,reviewed her talk proposal," in after[6]
    )
    assert [line for i, line in enumerate(after) if i != 6] == [
        line for i, line in enumerate(before) if i != 6
    ]


def test_logging_makes_the_next_run_see_it(
    example_xlsx: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert log(example_xlsx, "Carlos", "video call: hiring plans") == 0
    capsys.readouterr()
    assert main(["status", "--sheet", str(example_xlsx), *AT, "--all", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)["rows"]}
    assert rows["Carlos Mendoza"]["status"] == "ok" and rows["Carlos Mendoza"]["days_since"] == 0


# --- the pure part ------------------------------------------------------------------------


def test_plan_log_refuses_formulas_and_missing_columns() -> None:
    grid = contact_grid(["Ada", "ada@example.org", "", Formula("=TODAY()"), "x", None])
    colmap = detect_columns(grid)
    plan = plan_log(
        grid,
        colmap,
        row=1,
        key="email:ada@example.org",
        name="Ada",
        interaction=Interaction(TODAY, "tea"),
    )
    assert plan.update is None and "holds a formula" in plan.problem
    grid = [["Name", "Last contacted", "What"], ["Ada", None, None]]
    colmap = detect_columns(grid, explicit={"last_in_person": ""})
    plan = plan_log(
        grid,
        colmap,
        row=1,
        key="name:ada",
        name="Ada",
        interaction=Interaction(TODAY, "tea", in_person=True),
    )
    assert plan.update is not None and "last_in_person" not in plan.update.values
    assert plan.notes == ["the sheet has no last in person column, so that part was not recorded"]


def test_plan_log_keeps_a_later_in_person_date() -> None:
    later = TODAY - dt.timedelta(days=1)
    grid = contact_grid(["Ada", "a@example.org", "", TODAY - dt.timedelta(days=5), "x", later])
    plan = plan_log(
        grid,
        detect_columns(grid),
        row=1,
        key="email:a@example.org",
        name="Ada",
        interaction=Interaction(TODAY - dt.timedelta(days=2), "call", in_person=True),
    )
    assert plan.update is not None and "last_in_person" not in plan.update.values
    assert "stays" in plan.notes[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(None, TODAY, id="default-today"),
        pytest.param("yesterday", TODAY - dt.timedelta(days=1), id="yesterday"),
        pytest.param("2026-11-03", dt.date(2026, 11, 3), id="iso"),
        pytest.param("4/11/2026", dt.date(2026, 11, 4), id="day-first-locale"),
    ],
)
def test_parse_when(text: str | None, expected: dt.date) -> None:
    assert parse_when(text, today=TODAY, day_first=True) == expected


def test_log_waits_for_no_run_and_never_overwrites_one(
    example_xlsx: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A scheduled run holds the sheet's lock: `log` must not write under it (both sides'
    writes would race and one be lost), and must say so instead of exiting 0."""
    from sheetsync.config import load_config
    from sheetsync.unattended.locking import sheet_lock

    before = example_xlsx.read_bytes()
    lock = sheet_lock(load_config(None, overrides={"sheet": str(example_xlsx)}, env={}))
    assert lock.acquire()
    try:
        assert log(example_xlsx, "marcus", "call about Rust hiring") == 4
    finally:
        lock.release()
    err = capsys.readouterr().err
    assert "being updated by another sheetsync run" in err and "nothing was written" in err
    assert example_xlsx.read_bytes() == before
    assert log(example_xlsx, "marcus", "call about Rust hiring") == 0, "free again once released"
