"""sheetsync writes only the columns it created, as recorded in the Google Sheet itself.

A column sheetsync adds carries developer metadata (invisible to the user) that
follows the column when it is renamed or moved; a column of the user's headed
like one of sheetsync's ("Status") is never written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from sheetsync.app import run
from sheetsync.config import Config
from sheetsync.google import Backoff, http_client
from sheetsync.outbox import MemoryOutbox
from sheetsync.sheets import GoogleSheet

from ..emulator import Formula, SheetsEmulator

TODAY = dt.date(2026, 11, 22)
FAST = Backoff(retries=3, base=0.001, cap=0.004)
HEADER = ["Name", "Last contacted", "What", "Last in person"]


@pytest.fixture
def emu() -> Iterator[SheetsEmulator]:
    with SheetsEmulator() as emulator:
        yield emulator


def google_run(emu: SheetsEmulator, key: str, config: Config | None = None) -> Any:
    from google.oauth2.credentials import Credentials

    client = http_client(Credentials(token="t"), endpoint=emu.base_url, backoff=FAST)
    sheet = GoogleSheet(key, client=client, tab="Network")
    return run(config or Config(), sheet=sheet, outbox=MemoryOutbox(), today=TODAY)


def crm_rows() -> list[list[Any]]:
    """A personal CRM with its own Status column (and a formula in it)."""
    return [
        [*HEADER, "Status"],
        ["Ada", dt.date(2026, 1, 5), "engines", None, "Active"],
        ["Bo", dt.date(2026, 11, 1), "tea", None, "Prospect"],
        [
            "Cy",
            dt.date(2025, 3, 1),
            "boats",
            None,
            Formula('=IF(B4<TODAY()-90,"Time to reach out!","")'),
        ],
    ]


def headers(emu: SheetsEmulator, key: str) -> list[Any]:
    return emu.cells(key, "Network")[0]


def by_name(emu: SheetsEmulator, key: str, header: str) -> dict[str, Any]:
    cells = emu.cells(key, "Network")
    col = cells[0].index(header)
    return {r[0]: (r[col] if col < len(r) else None) for r in cells[1:] if r and r[0]}


def test_a_users_status_column_is_never_written(emu: SheetsEmulator) -> None:
    key = emu.add_spreadsheet("crm", {"Network": crm_rows()})
    before = by_name(emu, key, "Status")
    formula = emu.cell(key, "Network", "E4")
    result = google_run(emu, key)
    assert by_name(emu, key, "Status") == before, "the user's Status column is theirs"
    assert emu.cell(key, "Network", "E4") == formula
    assert "Status (sheetsync)" in headers(emu, key)
    assert by_name(emu, key, "Status (sheetsync)") == {"Ada": "lapsed", "Bo": "ok", "Cy": "lapsed"}
    said = [w for w in result.warnings if "Status (sheetsync)" in w]
    assert len(said) == 1 and "is yours" in said[0]

    again = google_run(emu, key, Config())
    assert headers(emu, key).count("Status (sheetsync)") == 1
    assert not [w for w in again.warnings if "Status (sheetsync)" in w], "said once"
    assert by_name(emu, key, "Status") == before


def test_an_owned_column_is_found_after_a_rename_and_a_move(emu: SheetsEmulator) -> None:
    key = emu.add_spreadsheet("crm", {"Network": crm_rows()[:3]})
    google_run(emu, key)
    width = len(headers(emu, key))
    emu.rename_header(key, "Network", "Status (sheetsync)", "Where things stand")
    emu.insert_cols(key, "Network", 2)  # a new column B: every column moves right
    emu.set_value(key, "Network", "F2", "typed by hand")  # into sheetsync's status cell
    google_run(emu, key)
    assert len(headers(emu, key)) == width + 1, "no column added a second time"
    assert by_name(emu, key, "Where things stand") == {"Ada": "lapsed", "Bo": "ok"}


def test_columns_of_an_earlier_version_are_adopted_once(emu: SheetsEmulator) -> None:
    rows = [
        [*HEADER, "Status", "Score", "Days since", "Next follow-up", "Drafted", "Sheetsync note"],
        ["Ada", dt.date(2026, 1, 5), "engines", None, "ok", 0.5, 3, dt.date(2026, 12, 1), None, ""],
    ]
    key = emu.add_spreadsheet("old", {"Network": rows})
    google_run(emu, key)
    assert len(headers(emu, key)) == 10, "adopted, not added again"
    assert by_name(emu, key, "Status") == {"Ada": "lapsed"}
    with emu.lock:
        marks = sorted(m.value or "" for m in emu.spreadsheet(key).sheets[0].metadata)
    assert marks == sorted(["status", "score", "days_since", "next_followup", "drafted", "note"])


def test_a_column_named_in_the_config_is_written(emu: SheetsEmulator) -> None:
    rows = [[*HEADER, "Stage"], ["Ada", dt.date(2026, 1, 5), "engines", None, "Active"]]
    key = emu.add_spreadsheet("crm", {"Network": rows})
    config = replace(Config(), status_columns={**Config().status_columns, "status": "Stage"})
    google_run(emu, key, config)
    assert by_name(emu, key, "Stage") == {"Ada": "lapsed"}
    assert "Status" not in headers(emu, key) and "Status (sheetsync)" not in headers(emu, key)
