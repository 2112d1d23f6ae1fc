"""Every kind of Google write, answered with an error although it was applied.

A 5xx, 408 or 429 answer (or none at all) does not say whether Google applied
the batch.  sheetsync reads again and sends only what is missing, so nothing is
ever applied twice: columns added once, contacts imported once, the Drafts tab
and its rows made once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sheetsync.app import run
from sheetsync.cli.main import main
from sheetsync.config import Config, DraftsSettings
from sheetsync.google import Backoff, http_client
from sheetsync.outbox import MemoryOutbox
from sheetsync.sheets import GoogleSheet

from ..emulator import SheetsEmulator
from .test_google import TODAY, TOKEN, add_example

FIXTURES = Path(__file__).parents[1] / "fixtures" / "import"
STATUSES = [500, 503, 408, 429]


@pytest.fixture
def emu(monkeypatch: pytest.MonkeyPatch) -> Iterator[SheetsEmulator]:
    with SheetsEmulator() as emulator:
        monkeypatch.setenv("SHEETSYNC_SHEETS_ENDPOINT", emulator.base_url)
        monkeypatch.setenv("SHEETSYNC_GOOGLE_CREDENTIALS", "token")
        monkeypatch.setenv("SHEETSYNC_GOOGLE_TOKEN", TOKEN)
        yield emulator


def google_sheet(emu: SheetsEmulator, key: str) -> GoogleSheet:
    from google.oauth2.credentials import Credentials

    policy = Backoff(retries=4, base=0.001, cap=0.004)
    client = http_client(Credentials(token=TOKEN), endpoint=emu.base_url, backoff=policy)
    return GoogleSheet(key, client=client, tab="Network")


def cli(key: str, *args: str) -> int:
    url = f"https://docs.google.com/spreadsheets/d/{key}/edit"
    return main([*args, "--sheet", url, "--tab", "Network", "--today", TODAY.isoformat()])


def write(body: bytes) -> Any:
    return lambda r: r.kind == "write" and body in r.body


@pytest.mark.parametrize("status", STATUSES)
def test_run_adds_its_columns_once(emu: SheetsEmulator, status: int) -> None:
    rows = [
        ["Name", "Last contacted", "What", "Last in person"],
        ["Ada", dt.date(2026, 1, 1), "engines", None],
    ]
    key = emu.add_spreadsheet("t", {"Network": rows}, rows=5, cols=4)
    emu.apply_then_fail(status, when=write(b"appendDimension"), retry_after=0)
    result = run(Config(), sheet=google_sheet(emu, key), outbox=MemoryOutbox(), today=TODAY)
    assert emu.grid_size(key, "Network") == (5, 10), "the six columns were added once"
    assert emu.cells(key, "Network")[0][4:] == [
        "Status", "Score", "Days since", "Next follow-up", "Drafted", "Sheetsync note"
    ]  # fmt: skip
    with emu.lock:
        assert len(emu.spreadsheet(key).sheets[0].metadata) == 6
    assert result.cells_written > 0


@pytest.mark.parametrize("status", STATUSES)
def test_import_adds_each_contact_once(emu: SheetsEmulator, status: int) -> None:
    key = add_example(emu)
    emu.apply_then_fail(status, when=write(b"appendCells"), retry_after=0)
    assert cli(key, "import", str(FIXTURES / "linkedin_connections.csv")) == 0
    names = [r[0] for r in emu.cells(key, "Network") if r]
    for who in ("Amara Okafor", "Henrik Lund, PhD", "Chiara Bianchi-Rossi"):
        assert names.count(who) == 1, who


@pytest.mark.parametrize("status", STATUSES)
def test_log_writes_once_and_succeeds(emu: SheetsEmulator, status: int) -> None:
    key = add_example(emu)
    emu.apply_then_fail(status, when=write(b"updateCells"), retry_after=0)
    assert cli(key, "log", "Aisha Bello", "coffee") == 0
    rows = [r for r in emu.cells(key, "Network") if r and r[0] == "Aisha Bello"]
    assert len(rows) == 1 and "coffee" in rows[0]
    assert [r.kind for r in emu.requests].count("write") == 1, "nothing was missing: no resend"


@pytest.mark.parametrize("status", STATUSES)
def test_the_drafts_tab_and_its_rows_are_made_once(emu: SheetsEmulator, status: int) -> None:
    key = add_example(emu)
    emu.apply_then_fail(status, when=write(b"addSheet"), retry_after=0)
    config = Config(drafts=DraftsSettings(destination="tab"))
    first = run(config, sheet=google_sheet(emu, key), outbox=None, today=TODAY)
    assert first.drafts_created == 5
    assert emu.sheet_titles(key) == ["Network", "Notes", "Drafts"]
    assert len(emu.cells(key, "Drafts")) == 6

    emu.apply_then_fail(status, when=write(b"<followup."), retry_after=0)
    later = TODAY + dt.timedelta(days=1)
    second = run(config, sheet=google_sheet(emu, key), outbox=None, today=later)
    assert second.drafts_created > 0
    drafts = emu.cells(key, "Drafts")
    assert len(drafts) == 6 + second.drafts_created, "each new row once"
    ids = [r[-1] for r in drafts[1:]]
    assert len(ids) == len(set(ids))
