"""sheetsync on a Google Sheet, against the local Sheets API emulator over real HTTP.

gspread's own HTTP client talks to the emulator; sheetsync is pointed at it with
its documented endpoint setting (SHEETSYNC_SHEETS_ENDPOINT), never by patching.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sheetsync.app import run
from sheetsync.cli.main import main
from sheetsync.config import Config, ScoringSettings
from sheetsync.core.columns import OWNED_DEFAULTS
from sheetsync.core.dates import date_to_serial
from sheetsync.core.grid import Formula as SheetFormula
from sheetsync.errors import SheetError, SheetNotFound
from sheetsync.google import Backoff, http_client, load_credentials
from sheetsync.outbox import MemoryOutbox
from sheetsync.sheets import GoogleSheet, XlsxSheet

from ..conftest import EXAMPLES
from ..emulator import Formula, SheetsEmulator, grid_read

TODAY = dt.date(2026, 11, 22)
TOKEN = "test-token-do-not-log"
FAST = Backoff(retries=3, base=0.001, cap=0.004)


@pytest.fixture
def emu() -> Iterator[SheetsEmulator]:
    with SheetsEmulator() as emulator:
        yield emulator


def example_rows() -> list[list[Any]]:
    """The bundled example workbook's contact tab, as a user would have it in Google Sheets."""
    grid = XlsxSheet(EXAMPLES / "contacts.xlsx").read()
    return [[Formula(str(v)) if isinstance(v, SheetFormula) else v for v in row] for row in grid]


def add_example(emu: SheetsEmulator, **kw: Any) -> str:
    return emu.add_spreadsheet(
        "Sam's network",
        {"Network": example_rows(), "Notes": [["Goals"], ["Meet more people"]]},
        **kw,
    )


def sheet(
    emu: SheetsEmulator,
    key: str,
    *,
    tab: str | None = "Network",
    retries: Backoff = FAST,
    token: str = TOKEN,
) -> GoogleSheet:
    creds = load_credentials("token") if token == "env" else _token_creds(token)
    client = http_client(creds, endpoint=emu.base_url, backoff=retries)
    return GoogleSheet(key, client=client, tab=tab)


def _token_creds(token: str) -> Any:
    from google.oauth2.credentials import Credentials

    return Credentials(token=token)


def run_google(
    emu: SheetsEmulator,
    key: str,
    *,
    outbox: MemoryOutbox | None = None,
    today: dt.date = TODAY,
    **kw: Any,
) -> Any:
    return run(Config(), sheet=sheet(emu, key, **kw), outbox=outbox or MemoryOutbox(), today=today)


def api_requests(emu: SheetsEmulator) -> list[Any]:
    return [r for r in emu.requests if r.kind in ("read", "write")]


def user_part(emu: SheetsEmulator, key: str, width: int = 12) -> list[list[Any]]:
    return [list(row[:width]) for row in emu.cells(key, "Network")]


def column(emu: SheetsEmulator, key: str, header: str) -> dict[str, Any]:
    """Name -> the value in the column headed ``header``, wherever the header row is now."""
    cells = emu.cells(key, "Network")
    top = next(i for i, r in enumerate(cells) if header in r)
    col = cells[top].index(header)
    return {
        str(r[0]).strip(): (r[col] if col < len(r) else None)
        for r in cells[top + 1 :]
        if r and r[0]
    }


# --- the whole job -----------------------------------------------------------------------


def test_cli_run_against_the_emulator(
    emu: SheetsEmulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    key = add_example(emu)
    before = user_part(emu, key)
    formulas_before = [emu.cell(key, "Network", f"L{r}") for r in range(4, 37)]
    monkeypatch.setenv("SHEETSYNC_SHEETS_ENDPOINT", emu.base_url)
    monkeypatch.setenv("SHEETSYNC_GOOGLE_CREDENTIALS", "token")
    monkeypatch.setenv("SHEETSYNC_GOOGLE_TOKEN", TOKEN)
    url = f"https://docs.google.com/spreadsheets/d/{key}/edit#gid=0"
    args = [
        "run",
        "--sheet",
        url,
        "--drafts",
        str(tmp_path / "drafts"),
        "--today",
        TODAY.isoformat(),
        "--json",
    ]

    emu.reset_log()
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)
    reqs = api_requests(emu)
    assert len(reqs) <= 5, [r.path for r in reqs]  # tab names, read, re-read, write, check
    assert first["drafts"]["created"] == 5 and first["contacts"] == 30
    assert first["sheet"] == "Sam's network › Network"
    header = emu.cells(key, "Network")[2]
    assert header[12:18] == list(OWNED_DEFAULTS.values())
    assert emu.grid_size(key, "Network")[1] >= 18, "the 12+6 columns fit a grown grid"

    emu.reset_log()
    assert main(args) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["cells_written"] == 0 and second["drafts"]["created"] == 0
    assert [r.kind for r in api_requests(emu)] == ["read"] * 2, "no write when nothing changed"
    assert len(list((tmp_path / "drafts").glob("*.eml"))) == 5

    assert user_part(emu, key) == before, "the user's cells are unchanged"
    assert [emu.cell(key, "Network", f"L{r}") for r in range(4, 37)] == formulas_before
    assert emu.cells(key, "Notes") == [["Goals"], ["Meet more people"]]
    g17 = emu.cell(key, "Network", "G17")
    assert g17 is not None and not g17.formula and str(g17.value).startswith("=")


def test_statuses_are_typed_and_dates_are_real(emu: SheetsEmulator) -> None:
    key = add_example(emu)
    run_google(emu, key)
    status = column(emu, key, "Status")
    assert status["Ahmed Hassan"] == "check data" and status["Oliver Smith"] == "do not contact"
    assert status["Chloé Dubois"] == "snoozed" and status["Zoë Müller"] == "new"
    cells = emu.cells(key, "Network")
    col = cells[2].index("Next follow-up")
    row = next(i for i, r in enumerate(cells) if r and r[0] == "Carlos Mendoza") + 1
    cell = emu.cell(key, "Network", f"{chr(ord('A') + col)}{row}")
    assert cell is not None and cell.fmt_type == "DATE"
    assert cell.value == date_to_serial(dt.date(2025, 10, 15)), "433 days ago + 30"
    drafted = column(emu, key, "Drafted")
    assert drafted["Carlos Mendoza"] == TODAY
    for r in cells[3:]:
        for value in r[12:18]:
            assert not isinstance(value, Formula)


def test_contact_text_never_becomes_a_formula(emu: SheetsEmulator) -> None:
    rows = [
        ["Name", "Email", "Last contacted", "What", "Last in person"],
        ['=HYPERLINK("http://evil")', "", "someday", "x", None],
        ["+Plus", "p@example.com", dt.date(2025, 1, 1), "=1+1", None],
    ]
    key = emu.add_spreadsheet("t", {"Network": rows})
    run_google(emu, key)
    for row in emu.cells(key, "Network"):
        assert not any(isinstance(v, Formula) for v in row)
    note = column(emu, key, "Sheetsync note")
    assert "someday" in str(note['=HYPERLINK("http://evil")'])


def test_a_narrow_grid_is_grown(emu: SheetsEmulator) -> None:
    rows = [
        ["Name", "Last contacted", "What", "Last in person"],
        ["Ada", dt.date(2026, 1, 1), "engines", None],
    ]
    key = emu.add_spreadsheet("t", {"Network": rows}, rows=5, cols=4)
    result = run_google(emu, key)
    assert emu.grid_size(key, "Network") == (5, 10)
    assert column(emu, key, "Status") == {"Ada": "lapsed"}
    assert result.cells_written > 0


def test_locale_and_time_zone_come_from_the_sheet(emu: SheetsEmulator) -> None:
    rows = [
        ["Name", "Last contacted", "What", "Last in person"],
        ["Ada", "4.11.2026", "x", None],
        ["Bo", "11/4/2026", "y", None],
    ]
    key = emu.add_spreadsheet(
        "t", {"Network": rows}, locale="de_DE", time_zone="Pacific/Kiritimati"
    )
    gs = sheet(emu, key)
    result = run(Config(), sheet=gs, outbox=MemoryOutbox(), today=TODAY)
    days = {r.name: r.days_since for r in result.rows}
    assert days == {"Ada": 18, "Bo": 225}, "day first (11 April), as de_DE writes dates"
    from zoneinfo import ZoneInfo

    assert gs.today() == dt.datetime.now(ZoneInfo("Pacific/Kiritimati")).date()


# --- the user edits while a run is in progress ------------------------------------------


def _before_reread(emu: SheetsEmulator, fn: Any) -> None:
    emu.before(grid_read(), fn)


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(
            lambda e, k: e.sort_rows(k, "Network", 4, lambda r: str(r[0] or "~")), id="sort-by-name"
        ),
        pytest.param(lambda e, k: e.insert_rows(k, "Network", 2, 3), id="insert-above-header"),
        pytest.param(
            lambda e, k: e.insert_rows(k, "Network", 10, 2, values=[["Newbie"]]),
            id="insert-between",
        ),
        pytest.param(lambda e, k: e.delete_rows(k, "Network", 5, 1), id="delete-a-contact"),
    ],
)
def test_statuses_follow_their_person(emu: SheetsEmulator, edit: Any) -> None:
    expected_key = add_example(emu)
    run_google(emu, expected_key)
    expected = column(emu, expected_key, "Days since")
    key = add_example(emu)
    _before_reread(emu, lambda e: edit(e, key))
    result = run_google(emu, key)
    got = column(emu, key, "Days since")
    for name, days in got.items():
        if name in expected:
            assert days == expected[name], name
    if "deleted" in " ".join(result.warnings) or len(got) < len(expected):
        assert any("no longer in the sheet" in w for w in result.warnings)


def test_renamed_header_mid_run_writes_nothing(emu: SheetsEmulator) -> None:
    key = add_example(emu)
    _before_reread(emu, lambda e: e.set_value(key, "Network", "F3", "Spoke"))
    result = run_google(emu, key)
    assert "Status" not in emu.cells(key, "Network")[2], "nothing written, not even headers"
    assert any("headers changed" in w for w in result.warnings)
    assert [r.kind for r in api_requests(emu)].count("write") == 0


# --- errors a user meets -----------------------------------------------------------------


def test_wrong_key(emu: SheetsEmulator) -> None:
    with pytest.raises(SheetNotFound, match="check the URL or key"):
        run_google(emu, "1" * 44)


def test_missing_tab_lists_tabs(emu: SheetsEmulator) -> None:
    key = add_example(emu)
    with pytest.raises(SheetNotFound, match=r"no tab 'Contacts'.*'Network', 'Notes'"):
        run_google(emu, key, tab="Contacts")


def test_first_tab_is_the_default(emu: SheetsEmulator) -> None:
    key = add_example(emu)
    result = run_google(emu, key, tab=None)
    assert result.sheet == "Sam's network › Network"


def test_persistent_quota_error_is_bounded_and_clear(emu: SheetsEmulator) -> None:
    key = add_example(emu)
    rule = emu.fail_next(429, times=50)
    with pytest.raises(SheetError, match="quota exceeded") as err:
        run_google(emu, key)
    assert rule.hits == FAST.retries + 1, "one try and a bounded number of retries"
    assert "Wait a minute" in str(err.value)


def test_quota_on_write_leaves_sheet_unchanged(emu: SheetsEmulator) -> None:
    key = add_example(emu)
    before = emu.cells(key, "Network")
    emu.fail_next(429, times=50, when=lambda r: r.kind == "write")
    with pytest.raises(SheetError, match="quota"):
        run_google(emu, key)
    assert emu.cells(key, "Network") == before, "the batch is written whole or not at all"


@pytest.mark.parametrize("status", [500, 503, 429])
def test_transient_errors_are_retried(emu: SheetsEmulator, status: int) -> None:
    key = add_example(emu)
    emu.fail_next(status, times=2)
    result = run_google(emu, key)
    assert result.cells_written > 0


def test_server_error_that_persists(emu: SheetsEmulator) -> None:
    key = add_example(emu)
    emu.fail_next(503, times=50)
    with pytest.raises(SheetError, match=r"server error \(503\).*nothing was written"):
        run_google(emu, key)


def test_network_down(emu: SheetsEmulator) -> None:
    key = add_example(emu)
    emu.drop_next(times=50)
    with pytest.raises(SheetError, match="Cannot reach Google Sheets"):
        run_google(emu, key)


@pytest.mark.parametrize("landed", [True, False], ids=["answer-lost", "never-arrived"])
def test_lost_answer_to_the_write_is_retried_safely(emu: SheetsEmulator, landed: bool) -> None:
    # A narrow grid, so the write must add columns: a blind resend would add them twice.
    rows = [
        ["Name", "Last contacted", "What", "Last in person"],
        ["Ada", dt.date(2026, 1, 1), "engines", None],
    ]
    key = emu.add_spreadsheet("t", {"Network": rows}, rows=5, cols=4)
    is_write = lambda r: r.kind == "write"  # noqa: E731
    if landed:
        emu.drop_after_apply(when=is_write)
    else:
        emu.drop_next(when=is_write)
    result = run_google(emu, key)
    assert emu.grid_size(key, "Network") == (5, 10), "the columns were added once"
    assert column(emu, key, "Status") == {"Ada": "lapsed"}
    assert result.cells_written > 0
    assert [r.kind for r in api_requests(emu)].count("write") == (1 if landed else 2)


# --- credentials ---------------------------------------------------------------------------


def _service_account_key(tmp_path: Path, email: str) -> Path:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    info = json.loads((EXAMPLES.parent / "credentials.example.json").read_text())
    info.update(private_key=pem, client_email=email)
    path = tmp_path / "key.json"
    path.write_text(json.dumps(info))
    return path


def test_service_account_not_shared_names_the_email(emu: SheetsEmulator, tmp_path: Path) -> None:
    email = "sheetsync@example-project-000000.iam.gserviceaccount.com"
    key_file = _service_account_key(tmp_path, email)
    key = add_example(emu, shared_with={"someone.else@example.com"})
    creds = load_credentials(str(key_file), endpoint=emu.base_url)
    assert creds.account_email == email
    client = http_client(creds.credentials, endpoint=emu.base_url, backoff=FAST)
    gs = GoogleSheet(key, client=client, tab="Network", account_email=email)
    with pytest.raises(SheetError, match=f"add {email} as an Editor"):
        run(Config(), sheet=gs, outbox=MemoryOutbox(), today=TODAY)
    emu.share(key, email)
    result = run(Config(), sheet=gs, outbox=MemoryOutbox(), today=TODAY)
    assert result.cells_written > 0
    token_requests = [t for t in emu.tokens if t.identity == email]
    assert token_requests, "the key's token was fetched from the emulator, not from Google"
    # google-auth may also ask IAM for the account's allowed locations: that request,
    # like the token, is sent to the endpoint and not to Google.
    paths = [r.path for r in emu.requests]
    allowed = ("/v4/", "/token", "/oauth2", "/v1/projects/-/serviceAccounts/")
    assert all(p.startswith(allowed) for p in paths), paths


def test_cli_prints_the_service_account_to_share_with(
    emu: SheetsEmulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    email = "robot@example-project-000000.iam.gserviceaccount.com"
    key_file = _service_account_key(tmp_path, email)
    key = add_example(emu, shared_with={email})
    monkeypatch.setenv("SHEETSYNC_SHEETS_ENDPOINT", emu.base_url)
    monkeypatch.setenv("SHEETSYNC_GOOGLE_CREDENTIALS", str(key_file))
    assert main(["init", "--sheet", key, "--write", str(tmp_path / "s.toml")]) == 0
    err = capsys.readouterr().err
    assert f"service account {email}: share your sheet with it" in err
    assert (
        main(
            ["run", "--config", str(tmp_path / "s.toml"), "--dry-run", "--today", TODAY.isoformat()]
        )
        == 0
    )


def test_oauth_token_cache_is_refreshed_and_kept_private(
    emu: SheetsEmulator, tmp_path: Path
) -> None:
    cache = tmp_path / "google-token.json"
    emu.add_user("refresh-me", "sam@example.com")
    cache.write_text(
        json.dumps(
            {
                "token": "old",
                "refresh_token": "refresh-me",
                "client_id": "cid",
                "client_secret": "csecret",
                "token_uri": "https://oauth2.googleapis.com/token",
                "expiry": "2020-01-01T00:00:00Z",
            }
        )
    )
    creds = load_credentials("oauth", token_cache=cache, endpoint=emu.base_url)
    assert creds.credentials.valid and creds.credentials.token != "old"
    assert (cache.stat().st_mode & 0o777) == 0o600
    assert json.loads(cache.read_text())["token"] == creds.credentials.token
    key = add_example(emu, shared_with={"sam@example.com"})
    client = http_client(creds.credentials, endpoint=emu.base_url, backoff=FAST)
    result = run(
        Config(),
        sheet=GoogleSheet(key, client=client, tab="Network"),
        outbox=MemoryOutbox(),
        today=TODAY,
    )
    assert result.cells_written > 0


def test_tokens_never_reach_logs_or_messages(
    emu: SheetsEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    key = add_example(emu)
    caplog.set_level(logging.DEBUG)
    run_google(emu, key)
    emu.fail_next(403, times=1)
    with pytest.raises(SheetError) as err:
        run_google(emu, key)
    assert TOKEN not in caplog.text and TOKEN not in str(err.value)


def test_cap_and_budget_hold_for_a_big_sheet(emu: SheetsEmulator) -> None:
    rows: list[list[Any]] = [["Name", "Email", "Last contacted", "What", "Last in person"]]
    rows += [
        [f"P{i}", f"p{i}@example.com", TODAY - dt.timedelta(days=i % 400), "x", None]
        for i in range(2000)
    ]
    key = emu.add_spreadsheet("big", {"Network": rows})
    emu.reset_log()
    result = run(
        Config(scoring=ScoringSettings(daily_cap=5)),
        sheet=sheet(emu, key),
        outbox=MemoryOutbox(),
        today=TODAY,
    )
    assert len(api_requests(emu)) == 4 and result.drafts_created == 5
    assert result.contacts == 2000
