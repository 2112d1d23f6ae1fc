"""run(): the whole job on in-package fakes: idempotency, crashes, caps, failures."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest

from sheetsync.app import run
from sheetsync.config import Config, ScoringSettings, TemplateSettings
from sheetsync.core.columns import OWNED_DEFAULTS
from sheetsync.errors import DeliveryError
from sheetsync.outbox import MemoryOutbox
from sheetsync.sheets import MemorySheet
from sheetsync.sheets.base import Placer

TODAY = dt.date(2026, 11, 22)
HEADER = ["Name", "Email", "Last contacted", "What", "Last met", "Template"]


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def grid(n: int = 8) -> list[list[object]]:
    rows: list[list[object]] = [HEADER]
    for i in range(n):
        rows.append(
            [f"Person {i}", f"p{i}@example.com", ago(40 + 10 * i), f"topic {i}", None, None]
        )
    return rows


def column(sheet: MemorySheet, header: str) -> dict[str, object]:
    col = sheet.grid[0].index(header)
    return {r[0]: (r[col] if col < len(r) else None) for r in sheet.grid[1:] if r and r[0]}


def config(cap: int = 3, **kw: object) -> Config:
    return Config(scoring=ScoringSettings(daily_cap=cap), **kw)  # type: ignore[arg-type]


def own_templates(folder: Path) -> Config:
    return config(templates=TemplateSettings(folder=folder))


def test_first_run_adds_columns_and_drafts_up_to_cap() -> None:
    sheet, box = MemorySheet(grid()), MemoryOutbox()
    result = run(config(), sheet=sheet, outbox=box, today=TODAY)
    assert sheet.grid[0][:6] == HEADER
    assert sheet.grid[0][6:] == list(OWNED_DEFAULTS.values())
    assert len(box.messages) == 3 == result.drafts_created
    assert result.count("waiting") == 5
    drafted = column(sheet, "Drafted")
    assert sorted(n for n, v in drafted.items() if v == TODAY) == [
        "Person 5",
        "Person 6",
        "Person 7",
    ]


def test_second_run_same_day_writes_nothing_and_drafts_nothing() -> None:
    sheet, box = MemorySheet(grid()), MemoryOutbox()
    run(config(), sheet=sheet, outbox=box, today=TODAY)
    before = copy.deepcopy(sheet.grid)
    writes = sheet.writes
    again = run(config(), sheet=sheet, outbox=box, today=TODAY)
    assert again.cells_written == 0 and again.drafts_created == 0
    assert sheet.grid == before and sheet.writes == writes
    assert len(box.messages) == 3


def test_next_day_drafts_the_next_in_line_only() -> None:
    sheet, box = MemorySheet(grid()), MemoryOutbox()
    run(config(), sheet=sheet, outbox=box, today=TODAY)
    tomorrow = TODAY + dt.timedelta(days=1)
    result = run(config(), sheet=sheet, outbox=box, today=tomorrow)
    assert result.drafts_created == 3 and len(box.messages) == 6
    assert {r.name for r in result.rows if r.action == "drafted"} == {
        "Person 2",
        "Person 3",
        "Person 4",
    }


class CrashingSheet(MemorySheet):
    def commit(self, placer: Placer):  # type: ignore[no-untyped-def]
        raise RuntimeError("power cut")


def test_crash_after_drafting_never_leaves_two_drafts() -> None:
    rows, box = grid(), MemoryOutbox()
    crashing = CrashingSheet(rows)
    with pytest.raises(RuntimeError):
        run(config(), sheet=crashing, outbox=box, today=TODAY)
    assert len(box.messages) == 3
    assert crashing.grid == rows, "nothing written to the sheet, so no false Drafted date"
    sheet = MemorySheet(rows)
    result = run(config(), sheet=sheet, outbox=box, today=TODAY)
    assert len(box.messages) == 3, "the repeated run found the drafts instead of making more"
    assert result.count("draft exists") == 3 and result.drafts_created == 0
    assert sum(v == TODAY for v in column(sheet, "Drafted").values()) == 3


def test_delivery_failure_is_a_row_note_and_retried_next_run() -> None:
    sheet = MemorySheet(grid())
    box = MemoryOutbox(fail_for={"p7@example.com"})
    result = run(config(), sheet=sheet, outbox=box, today=TODAY)
    assert result.count("no draft") == 1 and result.drafts_created == 2
    assert column(sheet, "Drafted")["Person 7"] is None
    assert "draft not saved" in str(column(sheet, "Sheetsync note")["Person 7"])
    assert any("Person 7" in w for w in result.warnings)
    box.fail_for.clear()
    later = run(config(), sheet=sheet, outbox=box, today=TODAY)
    assert later.drafts_created == 1 and column(sheet, "Drafted")["Person 7"] == TODAY


def test_strict_template_gives_no_half_filled_email(tmp_path: Path) -> None:
    (tmp_path / "checkin.j2").write_text("Subject: Hi\n\nHow is {{ company }}?\n")
    (tmp_path / "reconnect.j2").write_text("Subject: Hi\n\nHi {{ first_name }}\n")
    sheet, box = MemorySheet(grid(3)), MemoryOutbox()
    result = run(own_templates(tmp_path), sheet=sheet, outbox=box, today=TODAY)
    notes = column(sheet, "Sheetsync note")
    assert "'company'" in str(notes["Person 0"]) and column(sheet, "Drafted")["Person 0"] is None
    assert "'company'" in str(notes["Person 1"])
    assert result.drafts_created == 1, "the lapsed contact still gets a draft"
    assert column(sheet, "Drafted")["Person 2"] == TODAY


def test_broken_and_missing_templates_are_row_notes(tmp_path: Path) -> None:
    (tmp_path / "reconnect.j2").write_text("Subject: Hi\n\n{% if %}\n")
    (tmp_path / "checkin.j2").write_text("Subject: Hi\n\nHi {{ first_name }}\n")
    rows = grid(3)
    rows[1][5] = "no_such_template"
    sheet, box = MemorySheet(rows), MemoryOutbox()
    result = run(own_templates(tmp_path), sheet=sheet, outbox=box, today=TODAY)
    notes = column(sheet, "Sheetsync note")
    assert "No template 'no_such_template'" in str(notes["Person 0"])
    assert "reconnect.j2 line 3" in str(notes["Person 2"])
    assert result.drafts_created == 1


def test_dry_run_touches_nothing_and_reports_everything() -> None:
    rows = grid()
    sheet, box = MemorySheet(rows), MemoryOutbox()
    result = run(config(), sheet=sheet, outbox=box, today=TODAY, dry_run=True)
    assert sheet.grid == rows and sheet.writes == 0 and not box.messages
    assert result.count("would draft") == 3 and result.cells_written > 0
    assert any(c.column == "Status" and c.name == "Person 0" for c in result.changes)


def test_header_only_sheet_is_a_quiet_run() -> None:
    sheet = MemorySheet([HEADER])
    result = run(config(), sheet=sheet, outbox=MemoryOutbox(), today=TODAY)
    assert result.contacts == 0 and result.drafts_created == 0


def test_blank_rows_are_skipped_and_odd_names_work() -> None:
    rows = grid(2)
    rows.insert(2, [None, "", "  ", None, None, None])
    rows.append(["Zoë 🚀\nMüller", "zoe@example.com", ago(400), "line one\nline two", None, None])
    sheet, box = MemorySheet(rows), MemoryOutbox()
    result = run(config(), sheet=sheet, outbox=box, today=TODAY)
    assert result.contacts == 3
    assert sheet.grid[2][:6] == [None, "", "  ", None, None, None] and len(sheet.grid[2]) == 6
    zoe = next(m for m in box.messages.values() if "zoe@" in m["To"])
    assert zoe["To"] == "Zoë 🚀 Müller <zoe@example.com>"


def test_delivery_error_from_outbox_does_not_stop_the_run() -> None:
    class Refusing(MemoryOutbox):
        def save(self, draft, *, now):  # type: ignore[no-untyped-def]
            raise DeliveryError("server down")

    result = run(config(), sheet=MemorySheet(grid()), outbox=Refusing(), today=TODAY)
    assert result.count("no draft") == 3 and result.cells_written > 0


def test_no_draft_without_a_recipient_and_the_row_says_why() -> None:
    """A contact with no email address gets no addressless draft; the note says how to get
    one, and they stay in the queue (to be reached another way)."""
    rows = grid(3)
    rows[3][1] = None  # Person 2, the most stale: in today's queue
    sheet, box = MemorySheet(rows), MemoryOutbox()
    result = run(config(), sheet=sheet, outbox=box, today=TODAY)
    assert len(box.messages) == 2 and all(m["To"] for m in box.messages.values())
    person = next(r for r in result.rows if r.name == "Person 2")
    assert person.action == "no draft" and person.status == "lapsed"
    assert "no email address: add one to get a draft" in person.note
    assert column(sheet, "Drafted")["Person 2"] is None
    assert result.exit_code == 0, "a missing address is a note, not a failed run"


def test_failed_drafts_give_the_run_a_failing_exit_code(tmp_path: Path) -> None:
    """Drafts that could not be saved, or a broken template, must not look like success to
    cron: the result carries the documented codes (6 destination, 5 template)."""
    failing = run(
        config(), sheet=MemorySheet(grid()), outbox=MemoryOutbox(fail_for={"p7@example.com"}),
        today=TODAY,
    )
    assert failing.exit_code == 6 and failing.cells_written > 0, "statuses still written"
    (tmp_path / "reconnect.j2").write_text("Subject: Hi\n\n{% if %}\n")
    (tmp_path / "checkin.j2").write_text("Subject: Hi\n\nHi {{ first_name }}\n")
    broken = run(
        own_templates(tmp_path), sheet=MemorySheet(grid(3)), outbox=MemoryOutbox(),
        today=TODAY,
    )
    assert broken.exit_code == 5
    fine = run(config(), sheet=MemorySheet(grid()), outbox=MemoryOutbox(), today=TODAY)
    assert fine.exit_code == 0


def test_a_cell_with_two_addresses_drafts_to_the_first() -> None:
    rows = grid(3)
    rows[3][1] = "Person.Two@example.com; p2@work.example"
    sheet, box = MemorySheet(rows), MemoryOutbox()
    run(config(), sheet=sheet, outbox=box, today=TODAY)
    to = {m["To"] for m in box.messages.values()}
    assert "Person 2 <Person.Two@example.com>" in to


def test_identical_rows_with_an_unreadable_date_are_each_marked() -> None:
    """Two identical rows with a bad date were reported as 'check data' yet nothing was
    written, with a false warning that the rows changed during the run."""
    rows: list[list[object]] = [HEADER, *(["Ada", None, "someday", "x", None, None],) * 2]
    rows.append(["Bob", "b@example.org", ago(50), "y", None, None])
    sheet = MemorySheet([list(r) for r in rows])
    result = run(config(), sheet=sheet, outbox=MemoryOutbox(), today=TODAY)
    assert not any("changed during the run" in w for w in result.warnings)
    status = sheet.grid[0].index("Status")
    assert [r[status] for r in sheet.grid[1:3]] == ["check data", "check data"]
    note = sheet.grid[0].index("Sheetsync note")
    assert "C2" in sheet.grid[1][note] and "C3" in sheet.grid[2][note]
