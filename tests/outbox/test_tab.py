"""The Drafts tab destination: drafts as rows of a tab in the contacts' own spreadsheet.

Whole runs on a copy of the example workbook, its CSV export and the Google Sheets
emulator, with ``outbox=None`` so the runner builds the tab outbox from the run's sheet.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest

from sheetsync.app import run
from sheetsync.config import Config, DraftsSettings
from sheetsync.core.drafting import Draft, TemplateSet
from sheetsync.core.result import RunResult
from sheetsync.errors import ConfigError, DeliveryError, SheetError, SheetLocked
from sheetsync.outbox import EmlFolder, open_outbox
from sheetsync.outbox.sheet_tab import (
    COLUMNS,
    MAX_LINK,
    XlsxDraftsTab,
    gmail_link,
    mailto_link,
    tab_state,
)
from sheetsync.sheets import CsvSheet, MemorySheet, XlsxSheet
from sheetsync.sheets.base import Placer
from sheetsync.templates import load_templates

from ..emulator import Formula, SheetsEmulator
from ..sheets.test_google import add_example, column
from ..sheets.test_google import sheet as google_sheet
from ..sheets.test_sheet_is_sacred import cell_state, formula_cells, sheet_state

TODAY = dt.date(2026, 11, 22)
NOW = dt.datetime(2026, 11, 22, 9, 30, tzinfo=dt.UTC)
TAB = Config(drafts=DraftsSettings(destination="tab"))
TRICKY_WHAT = ['=HYPERLINK("https://evil.example","click")', "+SUM(1,2)", "@cmd", "-1+2"]
TRICKY_NAMES = ["=1+1", "+Ada Plus", "@Ada At", "-Ada Minus"]


@pytest.fixture
def emu() -> Iterator[SheetsEmulator]:
    with SheetsEmulator() as emulator:
        yield emulator


def a_draft(n: int = 1, **kw: Any) -> Draft:
    fields: dict[str, Any] = {
        "message_id": f"<followup.{n:032d}@sheetsync.invalid>",
        "contact_key": f"c{n}@example.com",
        "to_name": f"Contact {n}",
        "to_email": f"c{n}@example.com",
        "subject": "Checking in",
        "body": "Hi,\n\nHow are you?\n",
        "template": "checkin",
        "stem": f"contact-{n}",
    }
    fields.update(kw)
    return Draft(**fields)


def drafts_rows(path: Path, tab: str = "Drafts") -> list[dict[str, Any]]:
    ws = openpyxl.load_workbook(path)[tab]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]


def drafted(path: Path) -> dict[str, Any]:
    """Name -> the Drafted cell of the Network tab ({} before sheetsync added the column)."""
    ws = openpyxl.load_workbook(path)["Network"]
    rows = list(ws.iter_rows(values_only=True))
    top = next((i for i, r in enumerate(rows) if "Drafted" in r), None)
    if top is None:
        return {}
    col = rows[top].index("Drafted")
    return {str(r[0]).strip(): r[col] for r in rows[top + 1 :] if r[0]}


def csv_drafts(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def csv_drafted(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return {r["Name"]: r.get("Drafted", "") for r in csv.DictReader(fh)}


def run_tab(sheet: Any, *, today: dt.date = TODAY, **kw: Any) -> RunResult:
    return run(TAB, sheet=sheet, outbox=None, today=today, **kw)


def workbook_state(path: Path, tabs: list[str]) -> dict[str, Any]:
    book = openpyxl.load_workbook(path)
    state: dict[str, Any] = {"formulas": formula_cells(book)}
    for name in tabs:
        ws = book[name]
        state[name] = {
            "cells": {c.coordinate: cell_state(c) for row in ws.iter_rows() for c in row},
            "sheet": sheet_state(ws, set()),
        }
    return state


# --- compose links (pure) ----------------------------------------------------------------


def decode_gmail(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "mail.google.com", "/mail/")
    return {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}


def decode_mailto(url: str) -> tuple[str, dict[str, str]]:
    assert url.startswith("mailto:")
    to, _, query = url[len("mailto:") :].partition("?")
    fields = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
    return parse_qs(f"to={to}")["to"][0] if to else "", fields


@pytest.mark.parametrize(
    "draft",
    [
        pytest.param(a_draft(), id="plain"),
        pytest.param(
            a_draft(
                to_name="Zoë Müller, PhD",
                to_email="zoe+work@example.org",
                subject="Q&A? 50% off #1 = best + more",
                body="Hi Zoë,\n\n&body=evil&to=x@evil.example\nCafé ☕ 100%\n",
            ),
            id="characters-that-mean-something-in-a-url",
        ),
        pytest.param(a_draft(to_email="", subject="=1+1", body="=cmd\n"), id="no-address"),
    ],
)
def test_compose_links_decode_to_the_draft(draft: Draft) -> None:
    gmail = decode_gmail(gmail_link(draft))
    assert gmail.pop("view") == "cm" and gmail.pop("fs") == "1"
    assert gmail == {
        **({"to": draft.to_email} if draft.to_email else {}),
        "su": draft.subject,
        "body": draft.body,
    }
    to, fields = decode_mailto(mailto_link(draft))
    assert to == draft.to_email
    assert fields["subject"] == draft.subject
    assert fields["body"].replace("\r\n", "\n") == draft.body
    assert "\r\n" in fields["body"], "RFC 6068: line breaks in a mailto body are CRLF"


def test_a_body_too_long_for_a_link_is_left_to_the_body_column() -> None:
    draft = a_draft(body="word " * 1000)
    for url in (gmail_link(draft), mailto_link(draft)):
        assert len(url) <= MAX_LINK
        assert "body=" not in url
        assert "subject=Checking" in url or "su=Checking" in url


def test_a_tab_without_a_message_id_column_is_not_sheetsyncs() -> None:
    with pytest.raises(DeliveryError, match=r"not a tab sheetsync made.*Message-ID"):
        tab_state([["Date", "To", "Notes"], ["x", "y", "z"]], "book › Drafts")


def test_the_tab_is_read_by_its_headers_wherever_they_are() -> None:
    grid: list[list[Any]] = [
        [None],
        ["My notes", "message-id", "Subject", "To"],
        ["sent!", "<a@sheetsync.invalid>", "Hi", "Ann"],
        [None, None],
        [None, " <b@sheetsync.invalid> ", "Hi", "Bob"],
        [],
    ]
    state = tab_state(grid, "t")
    assert state.columns == {"Message-ID": 1, "Subject": 2, "To": 3}
    assert state.ids == {"<a@sheetsync.invalid>", "<b@sheetsync.invalid>"}
    assert state.next_row == 5 and not state.needs_header
    assert tab_state([[None], []], "t").needs_header
    assert not tab_state(None, "t").exists


# --- a local workbook --------------------------------------------------------------------


def test_xlsx_run_adds_a_drafts_tab_and_changes_nothing_else(
    example_xlsx: Path, tmp_path: Path
) -> None:
    by_eml = tmp_path / "by-eml.xlsx"
    shutil.copy(example_xlsx, by_eml)
    eml = run(Config(), sheet=XlsxSheet(by_eml), outbox=EmlFolder(tmp_path / "d"), today=TODAY)

    result = run_tab(XlsxSheet(example_xlsx))

    assert result.destination == "contacts.xlsx › Drafts (one row per draft)"
    assert result.drafts_created == eml.drafts_created == 5
    assert openpyxl.load_workbook(example_xlsx).sheetnames == ["Network", "Notes", "Drafts"]
    # the user's tabs end up exactly as an .eml run leaves them: the tab adds nothing there
    assert workbook_state(example_xlsx, ["Network", "Notes"]) == workbook_state(
        by_eml, ["Network", "Notes"]
    )
    rows = drafts_rows(example_xlsx)
    assert list(rows[0]) == list(COLUMNS)
    made = {r.name: r for r in result.rows if r.action == "drafted"}
    assert sorted(r["Subject"] for r in rows) == sorted(r.subject or "" for r in made.values())
    assert len({r["Message-ID"] for r in rows}) == 5
    assert all(r["Status"] == "draft" and isinstance(r["Date"], dt.datetime) for r in rows)
    assert {name for name, day in drafted(example_xlsx).items() if day} == set(made)

    ws = openpyxl.load_workbook(example_xlsx)["Drafts"]
    assert ws.freeze_panes == "A2" and ws["A1"].font.b
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert isinstance(ws["A2"].value, dt.datetime) and ws["A2"].number_format == "yyyy-mm-dd"
    gmail_col = COLUMNS.index("Compose in Gmail") + 1
    first = rows[0]
    link = ws.cell(2, gmail_col)
    assert link.value == "Open in Gmail"
    fields = decode_gmail(link.hyperlink.target)
    assert fields["to"] == first["Email"] and fields["su"] == first["Subject"]
    assert fields["body"].rstrip("\n") == first["Body"]
    name = next(n for n, outcome in made.items() if outcome.subject == first["Subject"])
    assert first["To"] == f"{name} <{first['Email']}>"


def test_second_run_the_same_day_adds_no_rows(example_xlsx: Path) -> None:
    first = run_tab(XlsxSheet(example_xlsx))
    before = example_xlsx.read_bytes()
    second = run_tab(XlsxSheet(example_xlsx))
    assert first.drafts_created == 5 and second.drafts_created == 0
    assert len(drafts_rows(example_xlsx)) == 5
    assert example_xlsx.read_bytes() == before, "nothing to draft, nothing to write"


def test_rows_already_there_are_never_changed(example_xlsx: Path) -> None:
    run_tab(XlsxSheet(example_xlsx))
    book = openpyxl.load_workbook(example_xlsx)
    ws = book["Drafts"]
    ws["B2"] = "sent"  # the user marks a draft sent, adds a column of their own and a note
    ws["K1"] = "My column"
    ws["K3"] = "call first"
    book.save(example_xlsx)
    before = [[c.value for c in row] for row in ws.iter_rows()]

    later = run_tab(XlsxSheet(example_xlsx), today=TODAY + dt.timedelta(days=1))

    ws = openpyxl.load_workbook(example_xlsx)["Drafts"]
    after = [[c.value for c in row] for row in ws.iter_rows()]
    assert later.drafts_created > 0
    assert after[: len(before)] == before
    assert len(after) == len(before) + later.drafts_created
    assert all(row[10] is None for row in after[len(before) :]), "the user's column is theirs"


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_a_crash_before_the_sheet_write_never_leaves_two_drafts(
    kind: str, example_xlsx: Path, example_csv: Path
) -> None:
    path = example_xlsx if kind == "xlsx" else example_csv
    base: type[Any] = XlsxSheet if kind == "xlsx" else CsvSheet

    class CrashingSheet(base):
        def commit(self, placer: Placer) -> Any:
            raise SheetError("the power went out")

    with pytest.raises(SheetError, match="power"):
        run_tab(CrashingSheet(path))
    if kind == "xlsx":
        assert len(drafts_rows(path)) == 5
        assert not any(drafted(path).values()), "no Drafted date was written"
    else:
        assert len(csv_drafts(path.with_name("contacts.drafts.csv"))) == 5
        assert not any(csv_drafted(path).values())

    again = run_tab(base(path))

    assert again.drafts_created == 0
    assert [r.action for r in again.rows].count("draft exists") == 5
    if kind == "xlsx":
        assert len(drafts_rows(path)) == 5
        assert sum(1 for v in drafted(path).values() if v) == 5
    else:
        assert len(csv_drafts(path.with_name("contacts.drafts.csv"))) == 5
        assert sum(1 for v in csv_drafted(path).values() if v) == 5


def test_a_locked_workbook_gets_no_drafts_and_no_drafted_dates(example_xlsx: Path) -> None:
    lock = example_xlsx.with_name("~$contacts.xlsx")
    lock.write_text("owner")
    before = example_xlsx.read_bytes()
    with pytest.raises(SheetLocked):
        run_tab(XlsxSheet(example_xlsx))
    assert example_xlsx.read_bytes() == before

    class ClosedBeforeTheWrite(XlsxSheet):
        """The user closes Excel after sheetsync drafted and before it writes (and the
        backend's early lock check is skipped, so the flush meets the lock)."""

        def check_writable(self) -> None:
            pass

        def commit(self, placer: Placer) -> Any:
            lock.unlink(missing_ok=True)
            return super().commit(placer)

    result = run_tab(ClosedBeforeTheWrite(example_xlsx))

    assert result.drafts_created == 0
    failed = [r for r in result.rows if r.note.startswith("draft not saved")]
    assert len(failed) == 5
    assert all("open in another program (lock file ~$contacts.xlsx)" in r.note for r in failed)
    assert any("drafts not saved" in w for w in result.warnings)
    assert not any(drafted(example_xlsx).values())
    assert openpyxl.load_workbook(example_xlsx).sheetnames == ["Network", "Notes"]

    retry = run_tab(XlsxSheet(example_xlsx))
    assert retry.drafts_created == 5 and len(drafts_rows(example_xlsx)) == 5


def calculated(path: Path, results: dict[str, str]) -> None:
    """Store formula results in the first tab, as Excel does when it saves (openpyxl cannot)."""
    with zipfile.ZipFile(path) as src:
        parts = [(item, src.read(item.filename)) for item in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item, data in parts:
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                for ref, value in results.items():
                    text = re.sub(
                        rf'<c r="{ref}"[^>]*><f>(.*?)</f>(?:<v\s*/>|<v></v>)</c>',
                        lambda m, ref=ref, value=value: (
                            f'<c r="{ref}" t="str"><f>{m.group(1)}</f><v>{value}</v></c>'
                        ),
                        text,
                    )
                data = text.encode()
            dst.writestr(item, data)


def test_names_made_by_formulas_are_never_drafted_twice(tmp_path: Path) -> None:
    """Adding the Drafts tab keeps every formula's stored result (it patches a new part and
    leaves the contacts' part as it was), so the sheet's own write finds contacts whose
    name is a formula: statuses and Drafted dates land, and the next run finds the drafts."""
    path = tmp_path / "formulas.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Network"
    ws.append(["First", "Last", "Name", "Last contacted", "What", "Last in person", "Email"])
    last = TODAY - dt.timedelta(days=43)
    for r in range(2, 5):  # the address is a formula too: a draft needs a recipient
        row = [f"Ann{r}", "Lee", f'=A{r}&" "&B{r}', last, "the move", last, f'=A{r}&"@x.org"']
        ws.append(row)
    book.save(path)
    results = {f"C{r}": f"Ann{r} Lee" for r in range(2, 5)}
    results |= {f"G{r}": f"Ann{r}@x.org" for r in range(2, 5)}
    calculated(path, results)

    first = run_tab(XlsxSheet(path))

    assert first.drafts_created == 3 and len(drafts_rows(path)) == 3
    assert sum(1 for v in drafted(path).values() if v) == 3
    assert not any("no longer in the sheet" in w for w in first.warnings)

    again = run_tab(XlsxSheet(path))

    assert again.drafts_created == 0 and len(drafts_rows(path)) == 3


def test_two_runs_at_once_add_each_draft_once(example_xlsx: Path) -> None:
    drafts = [a_draft(n) for n in range(1, 4)]
    slow, fast = (XlsxDraftsTab(XlsxSheet(example_xlsx)) for _ in range(2))
    assert slow.save(drafts[0], now=NOW).created  # reads the tab: no drafts yet
    for d in drafts:
        assert fast.save(d, now=NOW).created
    fast.flush()
    for d in drafts[1:]:
        slow.save(d, now=NOW)
    slow.flush()  # finds the workbook changed, reads it again, adds nothing twice
    ids = [r["Message-ID"] for r in drafts_rows(example_xlsx)]
    assert sorted(ids) == sorted(d.message_id for d in drafts)


# --- contact text never becomes a formula ------------------------------------------------


@pytest.fixture
def templates(tmp_path: Path) -> TemplateSet:
    folder = tmp_path / "templates"
    folder.mkdir()
    for name in ("checkin", "reconnect", "first_followup", "meet_in_person"):
        (folder / f"{name}.j2").write_text("Subject: {{ what }}\n\n{{ what }}\n")
    return load_templates(folder)


def tricky_rows() -> list[list[Any]]:
    last = TODAY - dt.timedelta(days=43)  # overdue
    rows: list[list[Any]] = [["Name", "Email", "Last contacted", "What", "Last in person"]]
    for i, (name, what) in enumerate(zip(TRICKY_NAMES, TRICKY_WHAT, strict=True)):
        rows.append([name, f"p{i}@example.com", last, what, last])
    return rows


def test_contact_text_never_becomes_a_formula_in_a_workbook(
    tmp_path: Path, templates: TemplateSet
) -> None:
    path = tmp_path / "tricky.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Network"
    for r, row in enumerate(tricky_rows(), start=1):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(r, c, value)
            if isinstance(value, str):
                cell.data_type = "s"
    book.save(path)

    result = run_tab(XlsxSheet(path), templates=templates)

    assert result.drafts_created == 4
    drafts = openpyxl.load_workbook(path)["Drafts"]
    assert all(c.data_type != "f" for row in drafts.iter_rows() for c in row)
    rows = drafts_rows(path)
    assert sorted(r["Subject"] for r in rows) == sorted(TRICKY_WHAT)
    assert sorted(r["Body"] for r in rows) == sorted(TRICKY_WHAT)
    # as in a To field: a name with an "@" in it is quoted
    assert sorted(r["To"].split(" <")[0].strip('"') for r in rows) == sorted(TRICKY_NAMES)


def test_contact_text_never_becomes_a_formula_in_a_csv_drafts_file(
    tmp_path: Path, templates: TemplateSet
) -> None:
    path = tmp_path / "tricky.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(
            [v.isoformat() if isinstance(v, dt.date) else v for v in row] for row in tricky_rows()
        )

    result = run_tab(CsvSheet(path), templates=templates)

    assert result.drafts_created == 4
    assert result.destination is not None and "has no tabs" in result.destination
    rows = csv_drafts(tmp_path / "tricky.drafts.csv")
    assert sorted(r["Subject"] for r in rows) == sorted("'" + w for w in TRICKY_WHAT)
    assert all(not v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())


def test_contact_text_never_becomes_a_formula_in_a_google_sheet(
    emu: SheetsEmulator, templates: TemplateSet
) -> None:
    key = emu.add_spreadsheet("Tricky", {"Network": tricky_rows()})

    result = run_tab(google_sheet(emu, key), templates=templates)

    assert result.drafts_created == 4
    cells = emu.cells(key, "Drafts")
    assert not any(isinstance(v, Formula) for row in cells for v in row)
    subject = COLUMNS.index("Subject")
    assert sorted(row[subject] for row in cells[1:]) == sorted(TRICKY_WHAT)


# --- a Google Sheet ----------------------------------------------------------------------


def drafts_tab_requests(emu: SheetsEmulator) -> list[Any]:
    return [r for r in emu.requests if r.query.get("ranges") == ["'Drafts'"]]


def batch_updates(emu: SheetsEmulator) -> list[Any]:
    return [r for r in emu.requests if r.method == "POST" and r.path.endswith(":batchUpdate")]


def test_google_run_adds_the_tab_in_one_batch_and_one_read(emu: SheetsEmulator) -> None:
    key = add_example(emu)
    network, notes = emu.cells(key, "Network"), emu.cells(key, "Notes")
    emu.reset_log()

    result = run_tab(google_sheet(emu, key))

    assert result.drafts_created == 5
    assert result.destination == "Sam's network › Drafts (one row per draft)"
    reads = drafts_tab_requests(emu)
    assert len(reads) == 1 and reads[0].method == "GET", "one read of the Drafts tab"
    ours, _sheet_write = batch_updates(emu)
    kinds = [next(iter(r)) for r in ours.json["requests"]]
    assert kinds[0] == "addSheet" and "updateCells" in kinds
    entered = [
        cell["userEnteredValue"]
        for req in ours.json["requests"]
        if "updateCells" in req
        for row in req["updateCells"]["rows"]
        for cell in row["values"]
        if cell
    ]
    assert entered and all(set(v) <= {"stringValue", "numberValue"} for v in entered)
    assert len([r for r in emu.requests if r.kind in ("read", "write")]) == 6
    assert emu.sheet_titles(key) == ["Network", "Notes", "Drafts"]

    # the user's tabs: only the owned columns of the contact tab changed
    assert [row[:12] for row in emu.cells(key, "Network")] == [row[:12] for row in network]
    assert emu.cells(key, "Notes") == notes
    cells = emu.cells(key, "Drafts")
    assert cells[0] == list(COLUMNS) and len(cells) == 6
    row = dict(zip(COLUMNS, cells[1], strict=False))
    assert isinstance(row["Date"], dt.date)
    fields = decode_gmail(row["Compose in Gmail"])
    assert (fields["to"], fields["su"]) == (row["Email"], row["Subject"])
    assert row["Compose in mail app"].startswith(f"mailto:{row['Email']}?subject=")
    marked = {name for name, day in column(emu, key, "Drafted").items() if day}
    assert marked == {r.name for r in result.rows if r.action == "drafted"}

    emu.reset_log()
    again = run_tab(google_sheet(emu, key))
    assert again.drafts_created == 0 and len(emu.cells(key, "Drafts")) == 6
    assert not drafts_tab_requests(emu), "nothing to draft: the Drafts tab is not even read"


def test_google_crash_before_the_sheet_write_never_duplicates(emu: SheetsEmulator) -> None:
    key = add_example(emu)
    network = emu.cells(key, "Network")
    emu.fail_next(503, times=50, when=lambda r: r.kind == "write" and b"addSheet" not in r.body)
    with pytest.raises(SheetError, match="server error"):
        run_tab(google_sheet(emu, key))
    assert len(emu.cells(key, "Drafts")) == 6
    assert emu.cells(key, "Network") == network, "no Drafted date was written"
    emu.clear_faults()

    again = run_tab(google_sheet(emu, key))

    assert again.drafts_created == 0
    assert [r.action for r in again.rows].count("draft exists") == 5
    assert len(emu.cells(key, "Drafts")) == 6
    assert sum(1 for v in column(emu, key, "Drafted").values() if v) == 5


def test_google_failed_flush_leaves_notes_and_no_drafted_dates(emu: SheetsEmulator) -> None:
    key = add_example(emu)
    emu.fail_next(500, times=50, when=lambda r: r.kind == "write" and b"addSheet" in r.body)

    result = run_tab(google_sheet(emu, key))

    assert result.drafts_created == 0
    failed = [r for r in result.rows if r.note.startswith("draft not saved")]
    assert len(failed) == 5 and all("server error (500)" in r.note for r in failed)
    assert not any(column(emu, key, "Drafted").values())
    assert emu.sheet_titles(key) == ["Network", "Notes"]
    emu.clear_faults()
    assert run_tab(google_sheet(emu, key)).drafts_created == 5


def test_google_lost_answer_to_the_batch_is_never_a_duplicate(emu: SheetsEmulator) -> None:
    key = add_example(emu)
    emu.drop_after_apply(when=lambda r: r.kind == "write" and b"addSheet" in r.body)

    first = run_tab(google_sheet(emu, key))

    # the answer was lost: sheetsync read the tab again, found its rows, and sent nothing more
    assert first.drafts_created == 5
    assert len(emu.cells(key, "Drafts")) == 6
    assert sum(1 for v in column(emu, key, "Drafted").values() if v) == 5
    second = run_tab(google_sheet(emu, key))
    assert second.drafts_created == 0
    assert len(emu.cells(key, "Drafts")) == 6


def test_google_read_that_fails_is_tried_once_a_run(emu: SheetsEmulator) -> None:
    key = add_example(emu)
    emu.fail_next(403, times=50, when=lambda r: r.query.get("ranges") == ["'Drafts'"])

    result = run_tab(google_sheet(emu, key))

    assert len(drafts_tab_requests(emu)) == 1, "not once per draft"
    notes = [r.note for r in result.rows if r.note.startswith("draft not saved")]
    assert len(notes) == 5 and all("needs Editor access" in n for n in notes)
    assert not any(column(emu, key, "Drafted").values())


def test_google_tab_of_the_users_own_is_left_alone(emu: SheetsEmulator) -> None:
    key = add_example(emu)
    emu.add_sheet(key, "Drafts", [["My drafts"], ["a letter to grandma"]])

    result = run_tab(google_sheet(emu, key))

    assert result.drafts_created == 0
    assert all("not a tab sheetsync made" in r.note for r in result.rows if r.action == "no draft")
    assert emu.cells(key, "Drafts") == [["My drafts"], ["a letter to grandma"]]


def test_google_existing_tab_gets_rows_appended_and_grows(emu: SheetsEmulator) -> None:
    key = add_example(emu)
    run_tab(google_sheet(emu, key))
    emu.set_value(key, "Drafts", "B2", "sent")
    before = emu.cells(key, "Drafts")
    emu.delete_rows(key, "Drafts", 7, 994)  # the user trimmed the tab to its rows
    assert emu.grid_size(key, "Drafts")[0] == 6
    with emu.lock:
        sheet_id = emu.spreadsheet(key).sheets[-1].sheet_id
    emu.reset_log()

    later = run_tab(google_sheet(emu, key), today=TODAY + dt.timedelta(days=1))

    after = emu.cells(key, "Drafts")
    assert later.drafts_created > 0
    assert after[:6] == before and len(after) == 6 + later.drafts_created
    ours = next(r for r in batch_updates(emu) if b"<followup." in r.body)
    kinds = [next(iter(r)) for r in ours.json["requests"]]
    assert kinds == ["appendCells"], "appendCells grows the grid itself"
    assert ours.json["requests"][0]["appendCells"]["sheetId"] == sheet_id


# --- choosing the destination ------------------------------------------------------------


def test_the_tab_needs_a_sheet_it_can_add_to(example_xlsx: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"Google Sheet, an \.xlsx/\.xlsm workbook or a CSV"):
        open_outbox(TAB, MemorySheet([["Name"]]))
    with pytest.raises(ConfigError, match="--output"):
        open_outbox(TAB, XlsxSheet(example_xlsx, output=tmp_path / "copy.xlsx"))
    network = XlsxSheet(example_xlsx, tab="Network")
    with pytest.raises(ConfigError, match="the tab your contacts are in"):
        open_outbox(Config(drafts=DraftsSettings(destination="tab", tab="network")), network)
    with pytest.raises(ConfigError, match="cannot name an Excel tab"):
        bad = Config(drafts=DraftsSettings(destination="tab", tab="Drafts: 2026/11"))
        open_outbox(bad, network)


def test_a_csv_drafts_file_goes_beside_the_copy_with_output(example_csv: Path) -> None:
    copy = example_csv.with_name("copy.csv")
    result = run_tab(CsvSheet(example_csv, output=copy))
    assert result.drafts_created == 5
    assert len(csv_drafts(example_csv.with_name("copy.drafts.csv"))) == 5
    assert not example_csv.with_name("contacts.drafts.csv").exists()


def test_a_locked_csv_drafts_file_leaves_notes(example_csv: Path) -> None:
    target = example_csv.with_name("contacts.drafts.csv")
    lock = example_csv.with_name(".~lock.contacts.drafts.csv#")
    lock.write_text("owner")

    result = run_tab(CsvSheet(example_csv))

    assert result.drafts_created == 0 and not target.exists()
    notes = [r.note for r in result.rows if r.note.startswith("draft not saved")]
    assert len(notes) == 5 and all("open in another program" in n for n in notes)
    assert not any(csv_drafted(example_csv).values())
    lock.unlink()
    assert run_tab(CsvSheet(example_csv)).drafts_created == 5
