"""The Google pieces that need no server: URLs, keys, back-off, cells, credentials files."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path

import pytest

from sheetsync.config import load_config
from sheetsync.core.grid import CellWrite, Formula
from sheetsync.errors import ConfigError
from sheetsync.google import Backoff, load_credentials, rewrite_url, save_token
from sheetsync.sheets.google import (
    GoogleSheet,
    _grid_size_from_range,
    _zone,
    grid_from_data,
    quote_title,
)
from sheetsync.sheets.location import google_key, looks_remote, spreadsheet_key

KEY = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_ab"


@pytest.mark.parametrize(
    ("location", "key"),
    [
        pytest.param(f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0", KEY, id="url"),
        pytest.param(f"https://docs.google.com/spreadsheets/d/{KEY}", KEY, id="url-bare"),
        pytest.param(KEY, KEY, id="bare-key"),
        pytest.param("contacts.xlsx", None, id="file"),
        pytest.param("short", None, id="short-word"),
    ],
)
def test_spreadsheet_key(location: str, key: str | None) -> None:
    assert spreadsheet_key(location) == key


def test_a_local_file_named_like_a_key_is_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One rule, used to open a sheet, key its lock, write cron lines and configs."""
    url = f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0"
    assert google_key(url) == KEY and google_key(KEY) == KEY and looks_remote(KEY)
    assert google_key("contacts.xlsx") is None and not looks_remote("contacts.xlsx")
    monkeypatch.chdir(tmp_path)
    (tmp_path / KEY).write_text("Name\n", encoding="utf-8")
    assert google_key(KEY) is None, "an existing file wins over a key-like name"


@pytest.mark.parametrize(
    ("url", "endpoint", "expected"),
    [
        pytest.param(
            "https://sheets.googleapis.com/v4/spreadsheets/x?a=1",
            "http://127.0.0.1:9",
            "http://127.0.0.1:9/v4/spreadsheets/x?a=1",
            id="sheets",
        ),
        pytest.param(
            "https://oauth2.googleapis.com/token",
            "http://127.0.0.1:9/base",
            "http://127.0.0.1:9/base/token",
            id="token-with-base-path",
        ),
        pytest.param(
            "https://example.com/x",
            "http://127.0.0.1:9",
            "https://example.com/x",
            id="other-host-untouched",
        ),
        pytest.param(
            "https://sheets.googleapis.com/v4/x",
            None,
            "https://sheets.googleapis.com/v4/x",
            id="no-endpoint",
        ),
    ],
)
def test_rewrite_url(url: str, endpoint: str | None, expected: str) -> None:
    assert rewrite_url(url, endpoint) == expected


def test_backoff_is_bounded_and_jittered() -> None:
    policy = Backoff(retries=8, base=1.0, cap=32.0, jitter=lambda: 1.0)
    assert [policy.delay(n) for n in range(8)] == [1, 2, 4, 8, 16, 32, 32, 32]
    low = Backoff(base=1.0, cap=32.0, jitter=lambda: 0.0)
    assert low.delay(3) == 4.0, "jitter takes off up to half"


def test_quote_title() -> None:
    assert quote_title("It's mine") == "'It''s mine'"


def test_grid_from_grid_data() -> None:
    data = [
        {
            "startRow": 0,
            "startColumn": 0,
            "rowData": [
                {
                    "values": [
                        {"effectiveValue": {"stringValue": "Name"}},
                        {"effectiveValue": {"stringValue": "Last"}},
                    ]
                },
                {},
                {
                    "values": [
                        {
                            "userEnteredValue": {"stringValue": "=not a formula"},
                            "effectiveValue": {"stringValue": "=not a formula"},
                        },
                        {
                            "effectiveValue": {"numberValue": 43831},
                            "effectiveFormat": {"numberFormat": {"type": "DATE"}},
                        },
                        {
                            "userEnteredValue": {"formulaValue": "=1+1"},
                            "effectiveValue": {"numberValue": 2},
                        },
                        {"effectiveValue": {"boolValue": True}},
                        {"effectiveValue": {"errorValue": {"type": "N_A"}}},
                    ]
                },
            ],
        }
    ]
    grid = grid_from_data(data)
    assert grid[0] == ["Name", "Last"] and grid[1] == []
    text, when, formula, flag, error = grid[2]
    assert text == "=not a formula" and not isinstance(text, Formula)
    assert when == dt.date(2020, 1, 1)
    assert isinstance(formula, Formula) and formula == "=1+1" and formula.cached == 2
    assert flag is True and error is None


def test_echoed_range_gives_grid_size() -> None:
    assert _grid_size_from_range("Sheet1!A1:Z1000", (0, 0)) == (1000, 26)
    assert _grid_size_from_range("'My tab'!A1:AB20", (0, 0)) == (20, 28)
    assert _grid_size_from_range("nonsense", (5, 6)) == (5, 6)


def test_update_cells_are_typed_and_grouped() -> None:
    sheet = GoogleSheet(KEY, client=None)
    sheet.sheet_id = 7
    writes = [
        CellWrite(3, 6, "overdue"),
        CellWrite(3, 7, 1.5),
        CellWrite(4, 6, "=SUM(A1)"),
        CellWrite(4, 7, 2.0),
        CellWrite(5, 9, dt.date(2020, 1, 1)),
        CellWrite(6, 9, None),
    ]
    requests = sheet._update_cells(writes)
    first = requests[0]["updateCells"]
    assert first["start"] == {"sheetId": 7, "rowIndex": 3, "columnIndex": 6}
    assert len(first["rows"]) == 2, "rows 4 and 5 share columns G:H, so they share a request"
    assert first["rows"][1]["values"][0] == {"userEnteredValue": {"stringValue": "=SUM(A1)"}}
    assert first["fields"] == "userEnteredValue"
    dates = requests[1]["updateCells"]
    assert dates["rows"][0]["values"][0] == {
        "userEnteredValue": {"numberValue": 43831},
        "userEnteredFormat": {"numberFormat": {"type": "DATE", "pattern": "yyyy-mm-dd"}},
    }
    assert dates["fields"] == "userEnteredValue,userEnteredFormat.numberFormat"
    cleared = requests[2]["updateCells"]
    assert cleared["rows"][0]["values"][0] == {}, "None clears the cell"
    assert cleared["fields"] == "userEnteredValue", "and leaves its format alone"


def test_time_zones() -> None:
    assert _zone("GMT-07:00").utcoffset(None) == dt.timedelta(hours=-7)
    assert str(_zone("America/New_York")) == "America/New_York"
    assert _zone(None) is dt.UTC and _zone("Not/AZone") is dt.UTC


def test_token_cache_is_private(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "google-token.json"
    save_token(path, '{"token": "x"}')
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    save_token(path, '{"token": "y"}')
    assert json.loads(path.read_text())["token"] == "y"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_missing_key_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_credentials(str(tmp_path / "nope.json"))


def test_not_a_service_account_key(tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    path.write_text('{"type": "authorized_user", "client_secret": "s3cr3t"}')
    with pytest.raises(ConfigError, match="not a service-account key") as err:
        load_credentials(str(path))
    assert "s3cr3t" not in str(err.value)


def test_example_credentials_have_the_right_shape_but_are_fake() -> None:
    path = Path(__file__).resolve().parent.parent / "credentials.example.json"
    info = json.loads(path.read_text())
    assert info["type"] == "service_account" and "NOT-A-REAL-KEY" in info["private_key"]
    with pytest.raises(ConfigError, match="not a usable service-account key"):
        load_credentials(str(path))


def test_token_mode_needs_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="SHEETSYNC_GOOGLE_TOKEN"):
        load_credentials("token")
    monkeypatch.setenv("SHEETSYNC_GOOGLE_TOKEN", "abc")
    assert load_credentials("token").credentials.token == "abc"


def test_oauth_without_client_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="oauth_client"):
        load_credentials("oauth", token_cache=tmp_path / "none.json")


def test_google_config(tmp_path: Path) -> None:
    path = tmp_path / "sheetsync.toml"
    path.write_text(
        f'sheet = "{KEY}"\n[google]\ncredentials = "key.json"\n'
        'sheets_endpoint = "http://127.0.0.1:8/"\n'
    )
    config = load_config(str(path), env={})
    assert config.sheet == KEY, "a bare key is not a path"
    assert config.google.credentials == str(tmp_path / "key.json")
    assert config.google.sheets_endpoint == "http://127.0.0.1:8"
    env = {"SHEETSYNC_SHEETS_ENDPOINT": "http://127.0.0.1:9", "SHEETSYNC_GOOGLE_CREDENTIALS": "adc"}
    config = load_config(str(path), env=env)
    assert config.google.sheets_endpoint == "http://127.0.0.1:9"
    assert config.google.credentials == "adc"
    path.write_text('[google]\nsheets_endpoint = "localhost:8"\n')
    with pytest.raises(ConfigError, match="base URL"):
        load_config(str(path), env={})


def test_serial_dates_from_a_fresh_read_count_as_unchanged() -> None:
    from sheetsync.core.writeback import same_value

    assert same_value(43831, dt.date(2020, 1, 1)) and same_value(43831.0, dt.date(2020, 1, 1))
    assert not same_value(43832, dt.date(2020, 1, 1))
    assert not same_value(43831.5, dt.date(2020, 1, 1)), "a time of day is a different value"
