"""Reading mail headers from a real Dovecot on 127.0.0.1, then matching them to contacts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import format_datetime
from zoneinfo import ZoneInfo

import pytest

from sheetsync.config import MailAccount
from sheetsync.core.sync import MailFolder, SyncContact, propose
from sheetsync.errors import SourceError
from sheetsync.sources.imap_mail import ReadStats, mailboxes_to_read, read_mail, sequence_set
from sheetsync.sources.mail_headers import header_block, observed_message

from ..mail import Dovecot

TZ = ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=TZ)
SINCE = dt.date(2026, 10, 23)
PASSWORD_ENV = "SHEETSYNC_TEST_IMAP_PASSWORD"
ME = "sam@example.com"

ANA = SyncContact("email:ana@example.org", "Ana Lima", "ana@example.org, ana.lima@uni.example")
BOB = SyncContact("email:bob@example.net", "Bob Stone", "bob@example.net")
CARL = SyncContact("email:carl@example.com", "Carl Weber", "carl@example.com")
DORA = SyncContact("email:dora@example.com", "Dora Kim", "dora@example.com")


@pytest.fixture
def dovecot(monkeypatch: pytest.MonkeyPatch) -> Iterator[Dovecot]:
    with Dovecot() as server:
        monkeypatch.setenv(PASSWORD_ENV, server.password)
        yield server


def account(server: Dovecot) -> MailAccount:
    return MailAccount(
        host="127.0.0.1",
        port=server.imaps_port,
        user=server.user,
        security="ssl",
        cafile=str(server.cafile),
        password_env=PASSWORD_ENV,
    )


def mail(
    sender: str,
    to: str | list[str],
    when: dt.datetime,
    subject: str = "Hello",
    mid: str | None = None,
    **headers: str,
) -> tuple[EmailMessage, dt.datetime]:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to if isinstance(to, str) else ", ".join(to)
    message["Subject"] = subject
    message["Date"] = format_datetime(when)
    message["Message-ID"] = mid or f"<{when.timestamp():.0f}.{sender}@test>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("The body, which sync must never fetch.\n")
    return message, when


def day(d: int, month: int = 11, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, d, hour, 0, tzinfo=TZ)


def fill(server: Dovecot) -> None:
    server.append(
        "Sent",
        [
            mail(ME, "Ana Lima <ana@example.org>", day(20), "Re: Lunch next week", "<s1@test>"),
            mail(
                ME,
                [f"p{i}@example.org" for i in range(14)] + ["bob@example.net"],
                day(21),
                "Party!",
                "<s2@test>",
            ),
            mail(ME, "carl@example.com", day(1, month=9), "Long ago", "<s3@test>"),
            mail(ME, "sam.work@corp.example", day(19), "Note to self", "<s4@test>"),
        ],
    )
    server.append(
        "Sent", [mail(ME, "dora@example.com", day(21), "Unsent", "<d1@test>")], flags="\\Draft"
    )
    server.append(
        "INBOX",
        [
            mail(
                "Ana <ana.lima@uni.example>",
                ME,
                day(21, hour=18),
                "AW: Lunch next week",
                "<r1@test>",
            ),
            mail(
                "news@lists.example",
                ME,
                day(21),
                "Weekly",
                "<r2@test>",
                List_Id="<weekly.lists.example>",
            ),
            mail(
                "bob@example.net",
                ME,
                day(21),
                "Out of office",
                "<r3@test>",
                Auto_Submitted="auto-replied",
            ),
            mail("carl@example.com", ME, day(18), "=?utf-8?q?Gr=C3=BC=C3=9Fe?=", "<r4@test>"),
            mail("dora@example.com", ME, day(17), "Sale", "<r5@test>", Precedence="bulk"),
        ],
    )


def test_reads_headers_from_inbox_and_sent_and_matches_contacts(dovecot: Dovecot) -> None:
    fill(dovecot)
    stats = ReadStats()
    messages = read_mail(account(dovecot), SINCE, NOW.date(), stats=stats)
    assert stats.mailboxes == ["INBOX", "Sent"]
    ids = {m.message_id: m for m in messages}
    assert set(ids) == {"<s1@test>", "<s2@test>", "<s4@test>"} | {
        f"<r{i}@test>" for i in range(1, 6)
    }, "the old message and the draft are left on the server"
    assert ids["<s1@test>"].folder is MailFolder.SENT and ids["<s1@test>"].to == (
        "ana@example.org",
    )
    assert ids["<r1@test>"].sender == "ana.lima@uni.example"
    assert ids["<r2@test>"].is_list and ids["<r3@test>"].is_auto and ids["<r5@test>"].is_bulk
    assert ids["<r4@test>"].subject == "Grüße"

    result = propose(
        [ANA, BOB, CARL, DORA],
        messages,
        own_addresses=[ME, "sam.work@corp.example"],
        now=NOW,
        tz=TZ,
    )
    moved = {
        u.name: (
            u.last_interaction.when.isoformat(),
            u.last_interaction.kind,
            u.last_interaction.what,
        )
        for u in result.updates
        if u.last_interaction
    }
    assert moved == {
        "Ana Lima": ("2026-11-21", "email received", "Email: Lunch next week"),
        "Carl Weber": ("2026-11-18", "email received", "Email: Grüße"),
    }, "Bob only in a big thread and an auto-reply, Dora only in bulk mail and a draft"
    assert result.skipped == {
        "too many recipients": 1,
        "mailing list or bulk mail": 2,
        "automatic reply": 1,
        "between the user's own addresses": 1,
    }


def test_reading_never_marks_anything_read(dovecot: Dovecot) -> None:
    fill(dovecot)
    before = dovecot.flags("INBOX")
    assert before and all("\\Seen" not in flags for flags in before)
    read_mail(account(dovecot), SINCE)
    assert dovecot.flags("INBOX") == before


def test_round_trips_do_not_grow_with_mail_outside_the_window(dovecot: Dovecot) -> None:
    fill(dovecot)
    small = ReadStats()
    read_mail(account(dovecot), SINCE, stats=small)
    old = [
        mail("x@example.org", ME, day(1, month=3) + dt.timedelta(minutes=i), f"old {i}")
        for i in range(300)
    ]
    dovecot.append("INBOX", old)
    large = ReadStats()
    read_mail(account(dovecot), SINCE, stats=large)
    assert large.commands == small.commands
    assert large.messages == small.messages == 8
    assert large.bytes_received < small.bytes_received + 2_000  # a longer SEARCH answer at most


def test_headers_come_in_chunks(dovecot: Dovecot) -> None:
    dovecot.append(
        "INBOX", [mail("ana@example.org", ME, day(20, hour=h), f"m{h}") for h in range(7)]
    )
    whole, chunked = ReadStats(), ReadStats()
    read_mail(account(dovecot), SINCE, stats=whole)
    got = read_mail(account(dovecot), SINCE, chunk=3, stats=chunked)
    assert len(got) == 7
    assert chunked.commands == whole.commands + 2  # 3 + 3 + 1 instead of 7


def test_all_mail_is_read_alone_and_direction_comes_from_the_sender(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with Dovecot(all_mail=True) as server:
        monkeypatch.setenv(PASSWORD_ENV, server.password)
        server.append(
            "[Gmail]/All Mail",
            [
                mail(ME, "bob@example.net", day(20), "Plans", "<a1@test>"),
                mail("ana@example.org", ME, day(19), "Hi", "<a2@test>"),
            ],
        )
        server.append("INBOX", [mail("carl@example.com", ME, day(20), "Only in INBOX")])
        stats = ReadStats()
        messages = read_mail(account(server), SINCE, stats=stats)
    assert stats.mailboxes == ["[Gmail]/All Mail"]
    result = propose([ANA, BOB, CARL], messages, own_addresses=[ME], now=NOW, tz=TZ)
    kinds = {u.name: str(u.last_interaction.kind) for u in result.updates if u.last_interaction}
    assert kinds == {"Bob Stone": "email sent", "Ana Lima": "email received"}


def test_a_missing_date_header_falls_back_to_the_servers_date(dovecot: Dovecot) -> None:
    message, _ = mail("ana@example.org", ME, day(20))
    del message["Date"]
    dovecot.append("INBOX", [(message, day(15))])
    (got,) = read_mail(account(dovecot), SINCE)
    assert got.date == day(15)


def test_wrong_password_is_a_source_error(
    dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "wrong")
    with pytest.raises(SourceError, match="refused the login"):
        read_mail(account(dovecot), SINCE)


def test_nothing_listening_is_a_source_error(dovecot: Dovecot) -> None:
    from ..mail.servers import free_port

    closed = MailAccount(host="127.0.0.1", port=free_port(), security="plain")
    with pytest.raises(SourceError, match="Cannot reach the IMAP server") as caught:
        read_mail(closed, SINCE)
    assert caught.value.exit_code == 8


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        pytest.param(
            [b'(\\HasNoChildren) "/" INBOX', b'(\\HasNoChildren \\Sent) "/" "Gesendet"'],
            [("INBOX", MailFolder.RECEIVED), ("Gesendet", MailFolder.SENT)],
            id="sent-by-flag",
        ),
        pytest.param(
            [b'(\\HasNoChildren) "/" INBOX', b'(\\HasNoChildren) "/" "Sent"'],
            [("INBOX", MailFolder.RECEIVED)],
            id="no-flag-no-guess",
        ),
        pytest.param(
            [
                b'(\\HasNoChildren) "/" "INBOX"',
                b'(\\All \\HasNoChildren) "/" "[Gmail]/All Mail"',
                b'(\\HasNoChildren \\Sent) "/" "[Gmail]/Sent Mail"',
            ],
            [("[Gmail]/All Mail", MailFolder.ALL)],
            id="gmail",
        ),
    ],
)
def test_mailboxes_to_read(lines: list[bytes], expected: list[tuple[str, MailFolder]]) -> None:
    assert mailboxes_to_read(lines) == expected


@pytest.mark.parametrize(
    ("uids", "text"),
    [
        pytest.param([1, 2, 3, 7], "1:3,7", id="run-and-single"),
        pytest.param([9, 8, 8, 10], "8:10", id="unsorted-duplicates"),
        pytest.param([5], "5", id="one"),
        pytest.param([], "", id="none"),
    ],
)
def test_sequence_set(uids: list[int], text: str) -> None:
    assert sequence_set(uids) == text


@pytest.mark.parametrize(
    ("headers", "check"),
    [
        pytest.param([("Precedence", "list")], lambda m: m.is_bulk, id="precedence-list"),
        pytest.param([("Auto-Submitted", "no")], lambda m: not m.is_auto, id="auto-submitted-no"),
        pytest.param([("List-Unsubscribe", "<mailto:u@x>")], lambda m: m.is_list, id="unsubscribe"),
        pytest.param([("Date", "not a date")], lambda m: m is None, id="bad-date-no-fallback"),
        pytest.param(
            [("Date", "Fri, 20 Nov 2026 10:00:00 -0000")],
            lambda m: m.date.tzinfo is not None,
            id="unknown-zone-read-as-utc",
        ),
    ],
)
def test_header_edge_cases(headers: list[tuple[str, str]], check: object) -> None:
    pairs = dict(
        [
            ("From", "Ana <ana@example.org>"),
            ("To", ME),
            ("Date", "Fri, 20 Nov 2026 10:00:00 +0100"),
            *headers,
        ]
    )
    message = observed_message(header_block(pairs.items()), folder=MailFolder.RECEIVED)
    assert check(message)  # type: ignore[operator]
