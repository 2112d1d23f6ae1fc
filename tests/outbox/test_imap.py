"""The IMAP Drafts destination against a real Dovecot on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from sheetsync.app import run
from sheetsync.config import Config, DraftsSettings, MailAccount, Me, ScoringSettings
from sheetsync.core.drafting import Draft, message_id_for
from sheetsync.errors import ConfigError, DeliveryError
from sheetsync.outbox.imap import ImapDrafts, drafts_mailbox
from sheetsync.sheets import MemorySheet, XlsxSheet
from sheetsync.sheets.base import Placer

from ..mail import Dovecot

NOW = dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.UTC)
TODAY = NOW.date()
PASSWORD_ENV = "SHEETSYNC_TEST_IMAP_PASSWORD"


@pytest.fixture
def dovecot(monkeypatch: pytest.MonkeyPatch) -> Iterator[Dovecot]:
    with Dovecot() as server:
        monkeypatch.setenv(PASSWORD_ENV, server.password)
        yield server


def account(server: Dovecot, security: str = "ssl", **kw: object) -> MailAccount:
    port = server.imaps_port if security == "ssl" else server.imap_port
    base = MailAccount(
        host="127.0.0.1",
        port=port,
        user=server.user,
        security=security,
        cafile=str(server.cafile),
        password_env=PASSWORD_ENV,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def draft(name: str = "Ada Lovelace", cycle: str = "2026-09-01") -> Draft:
    key = f"email:{name.split()[0].lower()}@example.com"
    mid = message_id_for(key, cycle)
    return Draft(
        message_id=mid,
        contact_key=key,
        to_name=name,
        to_email=f"{name.split()[0].lower()}@example.com",
        subject="Checking in",
        body="Hello\n",
        template="checkin",
        stem="x",
    )


@pytest.mark.parametrize("security", ["ssl", "starttls", "plain"])
def test_draft_lands_in_the_drafts_box_once(dovecot: Dovecot, security: str) -> None:
    box = ImapDrafts(account(dovecot, security), sender="sam@example.com", sender_name="Sam")
    first = box.save(draft(), now=NOW)
    again = box.save(draft(), now=NOW)
    box.close()
    assert first.created and not again.created
    assert first.location == "Brouillons on 127.0.0.1"
    stored = dovecot.messages("Brouillons")
    assert len(stored) == 1
    flags, msg = stored[0]
    assert "\\Draft" in flags
    assert msg["Message-ID"] == draft().message_id and msg["X-Unsent"] == "1"
    assert msg["To"] == "Ada Lovelace <ada@example.com>" and msg["From"] == "Sam <sam@example.com>"
    assert dovecot.messages("INBOX") == [], "a draft is never delivered"


def test_a_new_connection_still_finds_the_draft(dovecot: Dovecot) -> None:
    ImapDrafts(account(dovecot)).save(draft(), now=NOW)
    second = ImapDrafts(account(dovecot)).save(draft(), now=NOW)
    assert not second.created and len(dovecot.messages("Brouillons")) == 1


def test_certificate_is_verified_by_default(dovecot: Dovecot) -> None:
    box = ImapDrafts(account(dovecot, cafile=None))
    with pytest.raises(DeliveryError, match=r"certificate .* could not be verified.*cafile"):
        box.save(draft(), now=NOW)


def test_wrong_password(dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "wrong-secret-value")
    box = ImapDrafts(account(dovecot))
    with pytest.raises(DeliveryError, match="refused the login") as err:
        box.save(draft(), now=NOW)
    assert "wrong-secret-value" not in str(err.value)
    with pytest.raises(DeliveryError):  # remembered: no second login attempt per draft
        box.save(draft("Bo Diddley"), now=NOW)


def test_missing_password_says_where_to_put_it(
    dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PASSWORD_ENV)
    with pytest.raises(ConfigError, match=PASSWORD_ENV):
        ImapDrafts(account(dovecot)).save(draft(), now=NOW)


def test_missing_drafts_box(monkeypatch: pytest.MonkeyPatch) -> None:
    with Dovecot(drafts_box=False) as server:
        monkeypatch.setenv(PASSWORD_ENV, server.password)
        with pytest.raises(DeliveryError, match=r"no mailbox marked as Drafts.*drafts_mailbox"):
            ImapDrafts(account(server)).save(draft(), now=NOW)


def test_named_mailbox(dovecot: Dovecot) -> None:
    saved = ImapDrafts(account(dovecot, mailbox="Sent")).save(draft(), now=NOW)
    assert saved.location.startswith("Sent") and len(dovecot.messages("Sent")) == 1
    with pytest.raises(DeliveryError, match="no mailbox 'Nope'"):
        ImapDrafts(account(dovecot, mailbox="Nope")).save(draft(), now=NOW)


def test_unreachable_server() -> None:
    from ..mail.servers import free_port

    box = ImapDrafts(MailAccount(host="127.0.0.1", port=free_port(), security="plain"))
    with pytest.raises(DeliveryError, match="Cannot reach the IMAP server"):
        box.save(draft(), now=NOW)


def test_plain_is_refused_off_this_machine() -> None:
    box = ImapDrafts(MailAccount(host="imap.example.com", port=143, security="plain"))
    with pytest.raises(ConfigError, match="unencrypted"):
        box.save(draft(), now=NOW)


def test_list_parsing() -> None:
    lines = [b'(\\HasNoChildren) "/" INBOX', b'(\\HasNoChildren \\Drafts) "/" "My Drafts"']
    assert drafts_mailbox(lines) == "My Drafts"
    assert drafts_mailbox([b'(\\HasNoChildren) "." Drafts']) is None


# --- whole runs ----------------------------------------------------------------------------


HEADER = ["Name", "Email", "Last contacted", "What", "Last met"]


def contacts() -> list[list[object]]:
    return [HEADER] + [
        [f"Person {i}", f"p{i}@example.com", TODAY - dt.timedelta(days=100 + i), "chess", None]
        for i in range(4)
    ]


def imap_config(server: Dovecot) -> Config:
    return Config(
        drafts=DraftsSettings(destination="imap"),
        imap=account(server),
        me=Me(email="sam@example.com"),
        scoring=ScoringSettings(daily_cap=3),
    )


class CrashingSheet(MemorySheet):
    def commit(self, placer: Placer):  # type: ignore[no-untyped-def]
        raise RuntimeError("power cut")


def test_run_drafts_into_imap_once_even_after_a_crash(dovecot: Dovecot) -> None:
    rows = contacts()
    with pytest.raises(RuntimeError):
        run(imap_config(dovecot), sheet=CrashingSheet(rows), today=TODAY, now=NOW)
    assert len(dovecot.messages("Brouillons")) == 3
    sheet = MemorySheet(rows)
    result = run(imap_config(dovecot), sheet=sheet, today=TODAY, now=NOW)
    assert result.count("draft exists") == 3 and result.drafts_created == 0
    again = run(imap_config(dovecot), sheet=sheet, today=TODAY, now=NOW)
    assert again.drafts_created == 0 and again.cells_written == 0
    assert len(dovecot.messages("Brouillons")) == 3
    drafted = sheet.grid[0].index("Drafted")
    assert sum(1 for r in sheet.grid[1:] if r[drafted] == TODAY) == 3


def test_failed_destination_writes_nothing_false(
    dovecot: Dovecot, example_xlsx: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "nope")
    result = run(imap_config(dovecot), sheet=XlsxSheet(example_xlsx), today=TODAY, now=NOW)
    assert result.drafts_created == 0 and result.count("no draft") == 3
    assert all("refused the login" in r.note for r in result.rows if r.action == "no draft")
    assert not any(c.column == "Drafted" and c.new == TODAY for c in result.changes)
    monkeypatch.setenv(PASSWORD_ENV, dovecot.password)
    later = run(imap_config(dovecot), sheet=XlsxSheet(example_xlsx), today=TODAY, now=NOW)
    assert later.drafts_created == 3 and len(dovecot.messages("Brouillons")) == 3


def test_a_run_whose_drafts_failed_exits_6_with_an_error_line(
    dovecot: Dovecot,
    example_xlsx: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Under cron a refused login must not look like success: exit 6 and an ERROR line,
    with the statuses still written."""
    from sheetsync.cli.main import main

    config = tmp_path / "sheetsync.toml"
    config.write_text(
        f'sheet = "{example_xlsx}"\n[drafts]\ndestination = "imap"\n'
        f'[imap]\nhost = "127.0.0.1"\nport = {dovecot.imaps_port}\nuser = "{dovecot.user}"\n'
        f'cafile = "{dovecot.cafile}"\npassword_env = "{PASSWORD_ENV}"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv(PASSWORD_ENV, "not the password")
    before = example_xlsx.read_bytes()
    assert main(["run", "--config", str(config), "--today", TODAY.isoformat()]) == 6
    err = capsys.readouterr().err
    assert "error: 5 draft(s) could not be made (the draft destination failed)" in err
    assert example_xlsx.read_bytes() != before, "the statuses are still written"
    args = ["run", "--config", str(config), "--log-format", "json", "--today", TODAY.isoformat()]
    assert main(args) == 6
    lines = [json.loads(x) for x in capsys.readouterr().err.splitlines() if x.startswith("{")]
    summary = next(x for x in lines if x.get("event") == "run")
    assert summary["level"] == "ERROR" and summary["ok"] is False and summary["exit_code"] == 6
