"""sheetsync.app.analyse on sheets in the shapes real personal-CRM sheets take.

The sheets are tests/fixtures/layouts/, written by make_layouts.py there and
read here through the real local backends.  Each test passes only the config
a sheet needs today: the sheets without a "what" or "last in person" column
map those roles to "" (no such column).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from sheetsync.app import Analysis, analyse
from sheetsync.config import Config
from sheetsync.errors import ColumnMissing
from sheetsync.sheets import open_sheet

LAYOUTS = Path(__file__).parent / "fixtures" / "layouts"
TODAY = dt.date(2026, 11, 22)
NO_WHAT_NOR_IN_PERSON = {"what": "", "last_in_person": ""}


def analysed(name: str, columns: Mapping[str, str]) -> Analysis:
    grid = open_sheet(str(LAYOUTS / name)).read()
    return analyse(grid, Config(columns=columns), TODAY, where=name)


def by_name(analysis: Analysis) -> dict[str, Any]:
    return {row["name"]: row for _, row in analysis.scored.iterrows()}


def roles(analysis: Analysis) -> dict[str, str]:
    return {role: analysis.colmap.header_of(role) for role in analysis.colmap.roles}


def test_notion_export() -> None:
    analysis = analysed("notion_export.csv", NO_WHAT_NOR_IN_PERSON)
    assert roles(analysis) == {
        "name": "Name",
        "company": "Company",
        "email": "Email",
        "last_interaction": "Last Contacted",
    }
    got = by_name(analysis)
    assert {n: r["status"] for n, r in got.items()} == {
        "Amara Okafor": "ok",
        "Jonas Weber": "ok",
        "Tomás Ferreira": "lapsed",
        "Mei Chen": "lapsed",
    }, "Notion's 'November 1, 2026' dates are read"
    assert got["Mei Chen"]["days"] == 306


def test_name_category_and_last_contacted_only() -> None:
    analysis = analysed("name_category_last.xlsx", NO_WHAT_NOR_IN_PERSON)
    assert roles(analysis) == {"name": "Name", "last_interaction": "Last contacted"}
    got = by_name(analysis)
    assert {n: r["status"] for n, r in got.items()} == {
        "Grandma Rose": "ok",
        "Priya Raman": "overdue",
        "Sam Okoye": "lapsed",
        "Leo Martins": "lapsed",
    }
    assert got["Sam Okoye"]["cadence"] == 30, "no cadence or tier column: the default"


def test_lower_case_sheet_with_a_frequency_column() -> None:
    analysis = analysed("lowercase_frequency.csv", NO_WHAT_NOR_IN_PERSON)
    assert roles(analysis) == {
        "name": "name",
        "email": "email",
        "last_interaction": "last contact",
        "cadence": "frequency",
    }
    got = by_name(analysis)
    assert {n: (r["cadence"], r["status"]) for n, r in got.items()} == {
        "ana pereira": (7, "ok"),
        "björn eriksson": (30, "overdue"),
        "chidi okonkwo": (14, "overdue"),
        "dev patel": (90, "overdue"),
    }


def test_client_list_with_priority_in_words_and_a_second_tab() -> None:
    analysis = analysed("client_list.xlsx", {"what": ""})
    assert analysis.colmap.header_row == 2, "below a title row and a blank row"
    assert roles(analysis) == {
        "company": "Client",
        "name": "Contact",
        "email": "Contact email",
        "tier": "Priority",
        "last_interaction": "Last touch",
        "last_in_person": "Last meeting",
    }
    got = by_name(analysis)
    assert {n: (r["tier"], r["cadence"]) for n, r in got.items()} == {
        "Kwame Mensah": ("A", 14),
        "Zoë Müller": ("B", 30),
        "Lucía Fernández": ("C", 91),
        "Lan Nguyễn": ("A", 14),
    }, "High/Medium/Low read as the default tiers A/B/C"
    assert not any(r["status"] == "check data" for r in got.values())


def test_the_client_lists_second_tab_is_another_table() -> None:
    grid = open_sheet(str(LAYOUTS / "client_list.xlsx"), tab="Pipeline").read()
    with pytest.raises(ColumnMissing, match="'name' column in Pipeline"):
        analyse(grid, Config(), TODAY, where="Pipeline")


def test_the_committed_layouts_are_what_the_script_writes(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_layouts", LAYOUTS / "make_layouts.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    for name, write in script.LAYOUTS.items():
        write(tmp_path / name)
        assert (tmp_path / name).read_bytes() == (LAYOUTS / name).read_bytes(), name


@pytest.mark.parametrize(
    "name",
    ["notion_export.csv", "name_category_last.xlsx", "lowercase_frequency.csv", "client_list.xlsx"],
)
def test_a_new_user_gets_a_dry_run_with_init_then_run(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's path on each real shape: init writes a config, and the next command is a
    successful dry run (no hand edits in between)."""
    import shutil

    from sheetsync.cli.main import main

    shutil.copy(LAYOUTS / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    assert main(["init", "--sheet", name]) == 0
    assert main(["run", "--dry-run", "--today", TODAY.isoformat()]) == 0


def test_tier_words_are_named_in_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    from sheetsync.cli.main import main

    shutil.copy(LAYOUTS / "client_list.xlsx", tmp_path / "client_list.xlsx")
    monkeypatch.chdir(tmp_path)
    assert main(["init", "--sheet", "client_list.xlsx"]) == 0
    assert main(["status", "--today", TODAY.isoformat()]) == 0
    assert "Tier column read as High/Medium/Low" in capsys.readouterr().out


def test_a_users_own_status_column_in_a_file_is_never_taken(tmp_path: Path) -> None:
    """A Notion export with its own Status column (Active, Lead, ...): a file records
    nothing but its cells, so a column headed like one of sheetsync's is sheetsync's only
    when everything in it could have been written by sheetsync. Here it is the user's:
    sheetsync adds 'Status (sheetsync)', and repeated runs find their own columns again."""
    import csv
    import shutil

    from sheetsync.cli.main import main

    sheet = tmp_path / "notion_export.csv"
    shutil.copy(LAYOUTS / "notion_export.csv", sheet)
    before = [row[1] for row in csv.reader(sheet.read_text(encoding="utf-8-sig").splitlines())]
    args = ["run", "--sheet", str(sheet), "--drafts", str(tmp_path / "d"), "--today", "2026-11-22"]
    for _ in range(3):
        assert main(args) == 0
    rows = list(csv.reader(sheet.read_text(encoding="utf-8-sig").splitlines()))
    assert [row[1] for row in rows] == before, "the user's Status column is as it was"
    header = rows[0]
    assert header.count("Status (sheetsync)") == 1 and header.count("Score") == 1
    assert len(header) == len(set(header)), "no column added twice"
    mine = header.index("Status (sheetsync)")
    assert {row[mine] for row in rows[1:]} <= {"ok", "due soon", "overdue", "lapsed", "new"}
