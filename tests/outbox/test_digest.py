"""The morning digest, and the proof that nothing is ever sent to a contact."""

from __future__ import annotations

import ast
import datetime as dt
import email
import email.policy
from collections.abc import Iterator
from pathlib import Path

import pytest

from sheetsync.app import run
from sheetsync.config import Config, MailAccount, Me
from sheetsync.outbox import EmlFolder
from sheetsync.outbox.digest import build_digest
from sheetsync.sheets import MemorySheet, XlsxSheet

from ..conftest import REPO
from ..mail import Dovecot, SmtpCapture

NOW = dt.datetime(2026, 11, 22, 7, 30, tzinfo=dt.UTC)
TODAY = NOW.date()
ME = "sam@example.com"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpCapture]:
    with SmtpCapture(user="sam", password="smtp-secret") as server:
        monkeypatch.setenv("SHEETSYNC_TEST_SMTP_PASSWORD", "smtp-secret")
        yield server


def smtp_config(server: SmtpCapture, **kw: object) -> Config:
    account = MailAccount(
        host="127.0.0.1",
        port=server.port,
        user="sam",
        security="plain",
        password_env="SHEETSYNC_TEST_SMTP_PASSWORD",
    )
    return Config(me=Me("Sam Rivera", ME), smtp=account, digest="smtp", **kw)  # type: ignore[arg-type]


def test_digest_goes_only_to_the_user(
    smtp: SmtpCapture, example_xlsx: Path, tmp_path: Path
) -> None:
    result = run(
        smtp_config(smtp),
        sheet=XlsxSheet(example_xlsx),
        outbox=EmlFolder(tmp_path / "drafts"),
        today=TODAY,
        now=NOW,
    )
    assert len(smtp.envelopes) == 1
    sender, rcpts, raw = smtp.envelopes[0]
    assert sender == ME and rcpts == [ME]
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["To"] == f"Sam Rivera <{ME}>" and "5 follow-ups ready" in msg["Subject"]
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Carlos Mendoza: draft ready" in text and "Nothing has been sent" in text
    assert "Ahmed Hassan" in text, "rows to check are listed too"
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "<li><b>Carlos Mendoza</b>" in html
    assert not result.warnings or all("digest" not in w for w in result.warnings)


@pytest.mark.parametrize("tls", ["starttls", "ssl"])
def test_digest_over_tls(
    tls: str, monkeypatch: pytest.MonkeyPatch, example_xlsx: Path, tmp_path: Path
) -> None:
    monkeypatch.setenv("SHEETSYNC_TEST_SMTP_PASSWORD", "smtp-secret")
    with SmtpCapture(user="sam", password="smtp-secret", tls=tls) as server:
        account = MailAccount(
            host="localhost",
            port=server.port,
            user="sam",
            security=tls,
            cafile=str(server.cafile),
            password_env="SHEETSYNC_TEST_SMTP_PASSWORD",
        )
        config = Config(me=Me(email=ME), smtp=account, digest="smtp")
        result = run(
            config,
            sheet=XlsxSheet(example_xlsx),
            outbox=EmlFolder(tmp_path / "d"),
            today=TODAY,
            now=NOW,
        )
        assert not [w for w in result.warnings if "digest" in w]
        assert server.recipients() == {ME}


def test_names_are_escaped_in_html() -> None:
    grid = [
        ["Name", "Email", "Last contacted", "What", "Last met"],
        ["<script>x</script>", "x@example.com", TODAY - dt.timedelta(days=400), "y", None],
    ]
    from sheetsync.outbox import MemoryOutbox

    result = run(Config(), sheet=MemorySheet(grid), outbox=MemoryOutbox(), today=TODAY)
    msg = build_digest(result, to=ME, name="Sam", now=NOW)
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_wrong_smtp_password_is_a_warning(
    smtp: SmtpCapture, monkeypatch: pytest.MonkeyPatch, example_xlsx: Path, tmp_path: Path
) -> None:
    monkeypatch.setenv("SHEETSYNC_TEST_SMTP_PASSWORD", "wrong")
    result = run(
        smtp_config(smtp),
        sheet=XlsxSheet(example_xlsx),
        outbox=EmlFolder(tmp_path / "d"),
        today=TODAY,
        now=NOW,
    )
    assert any("digest not sent" in w and "refused the login" in w for w in result.warnings)
    assert result.drafts_created == 5 and not smtp.envelopes


def test_digest_needs_my_address(smtp: SmtpCapture, example_xlsx: Path, tmp_path: Path) -> None:
    config = smtp_config(smtp)
    from dataclasses import replace

    result = run(
        replace(config, me=Me()),
        sheet=XlsxSheet(example_xlsx),
        outbox=EmlFolder(tmp_path / "d"),
        today=TODAY,
        now=NOW,
    )
    assert any("[me] email" in w for w in result.warnings) and not smtp.envelopes


def test_digest_into_the_imap_inbox(
    example_xlsx: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Dovecot() as server:
        monkeypatch.setenv("SHEETSYNC_TEST_IMAP_PASSWORD", server.password)
        account = MailAccount(
            host="127.0.0.1",
            port=server.imaps_port,
            user=server.user,
            cafile=str(server.cafile),
            password_env="SHEETSYNC_TEST_IMAP_PASSWORD",
        )
        config = Config(me=Me(email=server.user), imap=account, digest="imap")
        run(
            config,
            sheet=XlsxSheet(example_xlsx),
            outbox=EmlFolder(tmp_path / "d"),
            today=TODAY,
            now=NOW,
        )
        inbox = server.messages("INBOX")
        assert len(inbox) == 1 and "follow-ups ready" in inbox[0][1]["Subject"]


def test_a_run_with_nothing_to_say_sends_nothing(smtp: SmtpCapture) -> None:
    grid = [
        ["Name", "Email", "Last contacted", "What", "Last met"],
        ["Ada", "ada@example.com", TODAY, "x", None],
    ]
    run(smtp_config(smtp), sheet=MemorySheet(grid), today=TODAY, now=NOW)
    assert not smtp.envelopes


def test_no_path_sends_to_a_contact(smtp: SmtpCapture, example_xlsx: Path, tmp_path: Path) -> None:
    """Whole runs on the example (every contact has an address) reach SMTP only for the user,
    and the package hands mail to a server in exactly one place, addressed to the user."""
    for day in range(3):
        run(
            smtp_config(smtp),
            sheet=XlsxSheet(example_xlsx),
            outbox=EmlFolder(tmp_path / "drafts"),
            today=TODAY + dt.timedelta(days=day),
            now=NOW + dt.timedelta(days=day),
        )
    assert smtp.envelopes and smtp.recipients() == {ME}
    sends = []
    for path in sorted((REPO / "sheetsync").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("sendmail", "send_message"):
                sends.append((path.name, node.lineno))
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in (
                "SMTP",
                "SMTP_SSL",
                "LMTP",
            ):
                sends.append((path.name, node.lineno))
    assert {name for name, _ in sends} == {"digest.py"}
    calls = [
        n
        for n in ast.walk(ast.parse((REPO / "sheetsync/outbox/digest.py").read_text()))
        if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "send_message"
    ]
    assert len(calls) == 1
    keywords = {k.arg: ast.unparse(k.value) for k in calls[0].keywords}
    assert keywords == {"from_addr": "me", "to_addrs": "[me]"}
    # and no HTTP API path that sends (Gmail's messages/send, drafts/send) is named
    for path in sorted((REPO / "sheetsync").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert not node.value.rstrip("/").endswith("/send"), (path.name, node.value)


def test_a_line_break_in_my_name_is_a_warning(
    smtp: SmtpCapture, example_xlsx: Path, tmp_path: Path
) -> None:
    from dataclasses import replace

    result = run(
        replace(smtp_config(smtp), me=Me("Sam\nRivera", ME)),
        sheet=XlsxSheet(example_xlsx),
        outbox=EmlFolder(tmp_path / "d"),
        today=TODAY,
        now=NOW,
    )
    assert any("digest not sent" in w and "[me] name" in w for w in result.warnings)
    assert result.drafts_created == 5 and not smtp.envelopes
