"""Credentials that stop working, and a sign-in that needs a person: clear errors, never a hang."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sheetsync.app import run
from sheetsync.config import Config
from sheetsync.errors import ConfigError, SheetError
from sheetsync.google import Backoff, http_client, load_credentials
from sheetsync.outbox import MemoryOutbox
from sheetsync.sheets import GoogleSheet

from ..emulator import SheetsEmulator
from .test_google import TODAY, add_example

FAST = Backoff(retries=2, base=0.001, cap=0.004)


@pytest.fixture
def emu() -> Iterator[SheetsEmulator]:
    with SheetsEmulator() as emulator:
        yield emulator


def saved_sign_in(path: Path, refresh: str) -> Path:
    path.write_text(
        json.dumps(
            {
                "token": "old",
                "refresh_token": refresh,
                "client_id": "cid",
                "client_secret": "csecret",
                "token_uri": "https://oauth2.googleapis.com/token",
                "expiry": "2020-01-01T00:00:00Z",
            }
        )
    )
    return path


def test_an_expired_sign_in_under_cron_fails_fast_naming_the_command(
    emu: SheetsEmulator, tmp_path: Path
) -> None:
    emu.add_user("gone", "sam@example.com")
    emu.revoke_token("gone")
    cache = saved_sign_in(tmp_path / "token.json", "gone")
    started = time.monotonic()
    with pytest.raises(ConfigError, match="run 'sheetsync auth' by hand"):  # stdin is no tty
        load_credentials(
            "oauth", token_cache=cache, endpoint=emu.base_url, oauth_client="client.json"
        )
    assert time.monotonic() - started < 10


def test_a_missing_oauth_client_file_names_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sheetsync.google.interactive", lambda: True)
    with pytest.raises(ConfigError, match=r"\[google\] oauth_client = .*no such file"):
        load_credentials(
            "oauth", token_cache=tmp_path / "none.json", oauth_client=str(tmp_path / "c.json")
        )


def test_a_refused_refresh_during_a_run_names_the_fix(emu: SheetsEmulator) -> None:
    from google.oauth2.credentials import Credentials

    emu.add_user("revoked", "sam@example.com")
    emu.revoke_token("revoked")
    creds = Credentials(
        token=None,
        refresh_token="revoked",
        client_id="cid",
        client_secret="csecret",
        token_uri="https://oauth2.googleapis.com/token",
    )
    key = add_example(emu)
    client = http_client(creds, endpoint=emu.base_url, backoff=FAST)
    with pytest.raises(ConfigError, match=r"invalid_grant.*sheetsync auth"):
        run(Config(), sheet=GoogleSheet(key, client=client, tab="Network"),
            outbox=MemoryOutbox(), today=TODAY)  # fmt: skip


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "Google Sheets API has not been used in project 123 before or it is disabled. "
            "Enable it by visiting https://console.developers.google.com/apis/api/"
            "sheets.googleapis.com/overview?project=123 then retry.",
            r"not enabled.*https://console\.developers\.google\.com/apis/api/sheets",
        ),
        ("Request had insufficient authentication scopes.", r"lack the scope.*auth/spreadsheets"),
        ("The caller does not have permission", r"\(403\).*Google said: The caller"),
    ],
    ids=["api-disabled", "scopes", "permission"],
)
def test_a_403_keeps_googles_reason(emu: SheetsEmulator, message: str, expected: str) -> None:
    from google.oauth2.credentials import Credentials

    key = add_example(emu)
    emu.fail_next(403, times=5, message=message)
    client = http_client(Credentials(token="t"), endpoint=emu.base_url, backoff=FAST)
    with pytest.raises(SheetError, match=expected):
        GoogleSheet(key, client=client, tab="Network").read()


def test_a_slow_server_meets_the_runs_deadline(emu: SheetsEmulator) -> None:
    from google.oauth2.credentials import Credentials

    key = add_example(emu)
    emu.delay_next(1.5, times=20)
    client = http_client(Credentials(token="t"), endpoint=emu.base_url, deadline_seconds=1.0)
    started = time.monotonic()
    with pytest.raises(SheetError, match=r"deadline|Cannot reach"):
        run(Config(), sheet=GoogleSheet(key, client=client, tab="Network"),
            outbox=MemoryOutbox(), today=TODAY)  # fmt: skip
    assert time.monotonic() - started < 6
