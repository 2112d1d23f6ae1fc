"""`sheetsync import` and `sheetsync log` on a Google Sheet, against the local emulator.

Same budget as a run: the read, one re-read to place rows by identity, and one
batched write (for an import, a single ``appendCells``); fewer when there is
nothing to write, none at all for a bad file.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sheetsync.cli.main import main
from sheetsync.core.dates import date_to_serial

from .emulator import Formula, SheetsEmulator, grid_read
from .sheets.test_google import TODAY, TOKEN, add_example, api_requests, user_part

FIXTURES = Path(__file__).parent / "fixtures" / "import"
EXISTING = 36  # rows in the example tab


@pytest.fixture
def emu(monkeypatch: pytest.MonkeyPatch) -> Iterator[SheetsEmulator]:
    with SheetsEmulator() as emulator:
        monkeypatch.setenv("SHEETSYNC_SHEETS_ENDPOINT", emulator.base_url)
        monkeypatch.setenv("SHEETSYNC_GOOGLE_CREDENTIALS", "token")
        monkeypatch.setenv("SHEETSYNC_GOOGLE_TOKEN", TOKEN)
        yield emulator


def cli(key: str, *args: str) -> int:
    url = f"https://docs.google.com/spreadsheets/d/{key}/edit"
    return main([*args, "--sheet", url, "--tab", "Network", "--today", TODAY.isoformat()])


def writes(emu: SheetsEmulator) -> list[Any]:
    return [r for r in api_requests(emu) if r.kind == "write"]


def test_import_is_one_batched_append(emu: SheetsEmulator, capsys: Any) -> None:
    key = add_example(emu)
    before = user_part(emu, key)
    emu.reset_log()
    assert cli(key, "import", str(FIXTURES / "linkedin_connections.csv")) == 0
    assert "Added 3 to Sam's network › Network" in capsys.readouterr().out
    reqs = api_requests(emu)
    assert [r.kind for r in reqs] == ["read", "read", "write", "read"], [r.path for r in reqs]
    (write,) = writes(emu)
    kinds = [next(iter(r)) for r in write.json["requests"]]
    assert kinds.count("appendCells") == 1 and set(kinds) <= {
        "appendCells",
        "updateCells",
        "appendDimension",
        "createDeveloperMetadata",
    }, "one append; the rest adds sheetsync's column headers and marks them as sheetsync's"
    after = user_part(emu, key)
    assert after[:EXISTING] == before, "every existing cell is as it was"
    assert [r[0] for r in after[EXISTING:]] == [
        "Amara Okafor",
        "Henrik Lund, PhD",
        "Chiara Bianchi-Rossi",
    ]
    assert after[EXISTING + 2][3] == "LinkedIn, connected 30 Jun 2023"
    cells = emu.cells(key, "Network")
    col = cells[2].index("Next follow-up")
    planned = emu.cell(key, "Network", f"{chr(ord('A') + col)}{EXISTING + 1}")
    assert planned is not None and planned.fmt_type == "DATE", "a real date"
    assert planned.value == date_to_serial(cells[EXISTING][col])


@pytest.mark.parametrize(
    "fixture",
    [
        "linkedin_connections.csv",
        "linkedin_connections_old.csv",
        "google_contacts.csv",
        "google_contacts_old.csv",
        "contacts_v3.vcf",
        "contacts_v4.vcf",
        "contacts_v21_quoted_printable.vcf",
    ],
)
def test_every_format_into_a_google_sheet(emu: SheetsEmulator, fixture: str) -> None:
    from sheetsync.sources import read_contacts_file

    header = ["Name", "First name", "Email", "Company", "Where met", "First met"]
    header += ["Last interaction", "What", "Last in person"]
    key = emu.add_spreadsheet("t", {"Network": [header]})
    emu.reset_log()
    assert cli(key, "import", str(FIXTURES / fixture)) == 0
    assert [r.kind for r in api_requests(emu)] == ["read", "read", "write", "read"]
    expected = list(dict.fromkeys(c.name for c in read_contacts_file(FIXTURES / fixture).contacts))
    cells = emu.cells(key, "Network")
    assert [r[0] for r in cells[1:]] == expected
    connected = {c.name: c.connected_on for c in read_contacts_file(FIXTURES / fixture).contacts}
    for r in cells[1:]:
        assert (r[5] if len(r) > 5 else None) == connected[r[0]], "first met, as a real date"


def test_nothing_new_means_only_the_read(emu: SheetsEmulator, capsys: Any) -> None:
    key = add_example(emu)
    assert cli(key, "import", str(FIXTURES / "contacts_v4.vcf")) == 0
    capsys.readouterr()
    emu.reset_log()
    assert cli(key, "import", str(FIXTURES / "contacts_v4.vcf"), "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["added"] == [] and len(data["skipped"]) == 3
    assert [r.kind for r in api_requests(emu)] == ["read"]


def test_dry_run_and_bad_files_send_no_write(emu: SheetsEmulator, capsys: Any) -> None:
    key = add_example(emu)
    emu.reset_log()
    assert cli(key, "import", str(FIXTURES / "google_contacts.csv"), "--dry-run") == 0
    assert [r.kind for r in api_requests(emu)] == ["read"]
    emu.reset_log()
    assert cli(key, "import", str(FIXTURES / "bad" / "cut_off.vcf")) == 2
    assert "cut_off.vcf, line 17" in capsys.readouterr().err
    assert api_requests(emu) == [], "a bad file is refused before the sheet is touched"


def test_text_is_typed_and_never_a_formula(emu: SheetsEmulator, tmp_path: Path) -> None:
    key = emu.add_spreadsheet(
        "t",
        {"Network": [["Name", "Email", "Last contacted", "What", "Last in person", "First met"]]},
    )
    card = tmp_path / "odd.vcf"
    card.write_text(
        'BEGIN:VCARD\nVERSION:3.0\nFN:=HYPERLINK("http://example.com")\nEMAIL:x@example.com\n'
        "END:VCARD\n",
        encoding="utf-8",
    )
    assert cli(key, "import", str(card)) == 0
    cell = emu.cell(key, "Network", "A2")
    assert (
        cell is not None and not cell.formula and cell.value == '=HYPERLINK("http://example.com")'
    )
    assert not any(isinstance(v, Formula) for row in emu.cells(key, "Network") for v in row)


def test_a_row_typed_meanwhile_is_never_overwritten(emu: SheetsEmulator) -> None:
    key = add_example(emu)

    def user_types_a_row(e: SheetsEmulator) -> None:
        e.set_value(key, "Network", f"A{EXISTING + 1}", "Typed Meanwhile")

    emu.before(lambda req: req.path.endswith(":batchUpdate"), user_types_a_row)
    assert cli(key, "import", str(FIXTURES / "linkedin_connections_old.csv")) == 0
    names = [r[0] if r else None for r in emu.cells(key, "Network")[EXISTING:]]
    assert names == ["Typed Meanwhile", "Rafael Domínguez", "Ingrid Solberg", "Dev Patel"]


def test_someone_added_meanwhile_is_not_added_twice(emu: SheetsEmulator, capsys: Any) -> None:
    key = add_example(emu)

    def user_adds_ingrid(e: SheetsEmulator) -> None:
        e.set_value(key, "Network", f"A{EXISTING + 1}", "Ingrid Solberg")

    emu.before(grid_read(), user_adds_ingrid)
    assert cli(key, "import", str(FIXTURES / "linkedin_connections_old.csv")) == 0
    assert "Ingrid Solberg (line 6) is already in the sheet" in capsys.readouterr().out
    names = [r[0] for r in emu.cells(key, "Network")[EXISTING:]]
    assert names == ["Ingrid Solberg", "Rafael Domínguez", "Dev Patel"]


# --- log -----------------------------------------------------------------------------------


def test_log_is_one_write_beside_the_right_person_after_a_sort(
    emu: SheetsEmulator, capsys: Any
) -> None:
    key = add_example(emu)

    def user_sorts(e: SheetsEmulator) -> None:
        e.sort_rows(key, "Network", 4, lambda row: str(row[0] or "~"), reverse=True)

    emu.before(grid_read(), user_sorts)
    emu.reset_log()
    assert cli(key, "log", "aisha", "reviewed her talk", "--in-person") == 0
    assert [r.kind for r in api_requests(emu)] == ["read", "read", "write", "read"]
    cells = emu.cells(key, "Network")
    (aisha,) = [r for r in cells if r and r[0] == "Aisha Bello"]
    moved_to = cells.index(aisha) + 1
    out = capsys.readouterr().out
    assert f"Logged for Aisha Bello (row {moved_to} of" in out
    assert f"Last contacted (F{moved_to}): 2026-11-15 -> 2026-11-22" in out
    assert aisha[5] == dt.date(2026, 11, 22) and aisha[6] == "reviewed her talk"
    assert aisha[7] == dt.date(2026, 11, 22)
    row = cells.index(aisha) + 1
    cell = emu.cell(key, "Network", f"F{row}")
    assert cell is not None and cell.fmt_type == "DATE"
    others = [r for r in cells if r and r[0] != "Aisha Bello"]
    assert all(r[6:7] != ["reviewed her talk"] for r in others)


def test_log_refuses_when_the_fresh_read_is_ambiguous(emu: SheetsEmulator, capsys: Any) -> None:
    key = add_example(emu)

    def user_duplicates_aisha(e: SheetsEmulator) -> None:
        e.insert_rows(key, "Network", 10, 1, [["Aisha Bello", "aisha.bello@example.org"]])

    emu.before(grid_read(), user_duplicates_aisha)
    emu.reset_log()
    assert cli(key, "log", "Aisha Bello", "coffee") == 4
    assert "cannot tell which is theirs" in capsys.readouterr().err
    assert writes(emu) == []


# --- the emulator's appendCells, pinned -----------------------------------------------------


def test_emulator_append_cells_goes_below_the_last_value(emu: SheetsEmulator) -> None:
    from .test_emulator import batch

    key = emu.add_spreadsheet("T", {"Sheet1": [["Name"], ["Ada"], [], ["Bo"]]}, rows=5, cols=3)
    emu.set_format(key, None, "A5", "DATE")  # a format alone is not data
    text = {"userEnteredValue": {"stringValue": "=not a formula"}}
    day = {
        "userEnteredValue": {"numberValue": date_to_serial(dt.date(2026, 11, 22))},
        "userEnteredFormat": {"numberFormat": {"type": "DATE"}},
    }
    rows = [{"values": [text, {}, day]}, {"values": [{"userEnteredValue": {"numberValue": 2}}]}]
    fields = "userEnteredValue,userEnteredFormat.numberFormat"
    answer = batch(emu, key, {"appendCells": {"sheetId": 0, "rows": rows, "fields": fields}})
    assert answer.status_code == 200, answer.text
    assert emu.cells(key) == [
        ["Name"],
        ["Ada"],
        [],
        ["Bo"],
        ["=not a formula", None, dt.date(2026, 11, 22)],
        [2.0],
    ]
    assert emu.grid_size(key) == (6, 3), "rows are added when the new ones do not fit"
    wide = [{"values": [{}, {}, {}, text]}]
    answer = batch(emu, key, {"appendCells": {"sheetId": 0, "rows": wide, "fields": fields}})
    assert answer.status_code == 400 and "exceeds grid limits" in answer.text
    assert emu.grid_size(key) == (6, 3), "all or nothing"


@pytest.mark.parametrize("landed", [True, False], ids=["answer-lost", "never-arrived"])
def test_a_lost_answer_never_adds_anyone_twice(
    emu: SheetsEmulator, capsys: Any, landed: bool
) -> None:
    # A dropped connection around the append leaves it unknown whether Google applied
    # it; resending blindly would add the rows twice. sheetsync reads again instead.
    key = add_example(emu)
    is_write = lambda r: r.kind == "write"  # noqa: E731
    if landed:
        emu.drop_after_apply(when=is_write)
    else:
        emu.drop_next(when=is_write)
    assert cli(key, "import", str(FIXTURES / "linkedin_connections.csv")) == 0
    capsys.readouterr()
    names = [str(r[0]).strip() for r in emu.cells(key, "Network") if r and r[0]]
    for person in ("Amara Okafor", "Henrik Lund, PhD", "Chiara Bianchi-Rossi"):
        assert names.count(person) == 1, person
    assert [r.kind for r in api_requests(emu)].count("write") == (1 if landed else 2)
