"""Read the headers of recent mail from the IMAP account: who the user wrote to, who wrote.

Which mailboxes: the one flagged ``\\All`` (Gmail's "All Mail": sent and
received, without spam and trash) when the server has one, else INBOX and the
mailbox flagged ``\\Sent`` (RFC 6154 special-use, never a guessed name).
Each is opened read-only (EXAMINE); ``UID SEARCH SINCE … NOT DRAFT`` finds the
window's messages on the server, and ``UID FETCH`` asks for only the headers
in :data:`~sheetsync.sources.mail_headers.HEADERS` with ``BODY.PEEK`` (which
never sets ``\\Seen``), ``chunk`` messages a command.  So a run costs a few
round trips plus one per ``chunk`` messages in the window, whatever the
mailbox holds outside it.

Nothing read is logged but counts.  Errors are :class:`~sheetsync.errors.SourceError`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import imaplib
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..config import MailAccount
from ..core.sync import MailFolder, ObservedMessage
from ..errors import SourceError
from ..outbox.imap import connect, quote_mailbox, special_use_mailbox
from .mail_headers import HEADERS, observed_message

log = logging.getLogger(__name__)

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_UID = re.compile(rb"\bUID (\d+)")
_INTERNALDATE = re.compile(rb'INTERNALDATE "([^"]+)"')
FETCH_ITEMS = f"(UID INTERNALDATE BODY.PEEK[HEADER.FIELDS ({' '.join(HEADERS).upper()})])"


@dataclass
class ReadStats:
    """What a read cost: IMAP commands sent (each one round trip) and bytes received."""

    commands: int = 0
    bytes_received: int = 0
    mailboxes: list[str] = field(default_factory=list)
    messages: int = 0


def imap_date(day: dt.date) -> str:
    """A date as IMAP SEARCH writes it (RFC 3501 date: "2-Nov-2026"), whatever the locale."""
    return f"{day.day}-{_MONTHS[day.month - 1]}-{day.year}"


def sequence_set(uids: list[int]) -> str:
    """Sorted UIDs as a compact IMAP sequence set: [1, 2, 3, 7] -> "1:3,7"."""
    parts: list[str] = []
    ordered = sorted(set(uids))
    start = prev = ordered[0] if ordered else 0
    for uid in ordered[1:]:
        if uid != prev + 1:
            parts.append(f"{start}:{prev}" if prev > start else str(start))
            start = uid
        prev = uid
    if ordered:
        parts.append(f"{start}:{prev}" if prev > start else str(start))
    return ",".join(parts)


def mailboxes_to_read(list_lines: list[bytes]) -> list[tuple[str, MailFolder]]:
    """The mailboxes to read and what each holds, from a LIST answer."""
    everything = special_use_mailbox(list_lines, "\\All")
    if everything is not None:
        return [(everything, MailFolder.ALL)]
    chosen = [("INBOX", MailFolder.RECEIVED)]
    sent = special_use_mailbox(list_lines, "\\Sent")
    if sent is not None:
        chosen.append((sent, MailFolder.SENT))
    return chosen


def _internaldate(meta: bytes) -> dt.datetime | None:
    match = _INTERNALDATE.search(meta)
    if not match:
        return None
    try:
        day, month, rest = match.group(1).decode().strip().split("-", 2)
        year, clock, zone = rest.split(" ")
        moment = dt.datetime.strptime(f"{year} {clock} {zone}", "%Y %H:%M:%S %z")
        return moment.replace(month=_MONTHS.index(month.title()) + 1, day=int(day))
    except (ValueError, UnicodeDecodeError):
        return None


def fetched_headers(data: list[Any]) -> Iterator[tuple[bytes, bytes]]:
    """(metadata, header block) for each message in an imaplib FETCH answer.

    imaplib gives a message as a tuple (text before the literal, literal) and
    the text after the literal (``UID 5)`` when the server puts it there) as
    the next bytes item; both parts of the metadata are joined.
    """
    pending: tuple[bytes, bytes] | None = None
    for item in data:
        if isinstance(item, tuple):
            if pending is not None:
                yield pending
            pending = (bytes(item[0]), bytes(item[1]))
        elif isinstance(item, bytes) and pending is not None:
            pending = (pending[0] + b" " + item, pending[1])
    if pending is not None:
        yield pending


class _Session:
    """One connection, every command counted and translated to SourceError."""

    def __init__(self, account: MailAccount, stats: ReadStats, timeout: float):
        self.account, self.stats = account, stats
        self.conn = connect(account, timeout=timeout, error=SourceError)
        stats.commands += 2 if account.user else 1  # greeting/capability and LOGIN
        self._count_bytes()

    def _count_bytes(self) -> None:
        read: Callable[[int], bytes] = self.conn.read
        readline: Callable[[], bytes] = self.conn.readline

        def counted_read(size: int) -> bytes:
            chunk = read(size)
            self.stats.bytes_received += len(chunk)
            return chunk

        def counted_readline() -> bytes:
            line = readline()
            self.stats.bytes_received += len(line)
            return line

        self.conn.read = counted_read  # type: ignore[method-assign]
        self.conn.readline = counted_readline  # type: ignore[method-assign]

    def call(
        self, what: str, command: Callable[..., tuple[str, list[Any]]], *args: Any
    ) -> list[Any]:
        self.stats.commands += 1
        host = self.account.host
        try:
            typ, data = command(*args)
        except (imaplib.IMAP4.error, OSError) as exc:
            raise SourceError(
                f"The IMAP server {host} failed while {what} ({_text(exc)}). Try again later; "
                "if it keeps failing, check [imap] host and port."
            ) from None
        if typ != "OK":
            raise SourceError(f"The IMAP server {host} refused {what}: {_text(data)}.")
        return data

    def close(self) -> None:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            self.conn.logout()


def _text(value: object) -> str:
    if isinstance(value, BaseException):
        value = value.args[0] if value.args else str(value)
    if isinstance(value, list):
        value = b" ".join(v for v in value if isinstance(v, bytes))
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _read_mailbox(
    session: _Session, mailbox: str, folder: MailFolder, criteria: list[str], chunk: int
) -> list[ObservedMessage]:
    conn = session.conn
    session.call(f"opening {mailbox}", conn.select, quote_mailbox(mailbox), True)
    found = session.call(f"searching {mailbox}", conn.uid, "SEARCH", *criteria)
    uids = [int(u) for u in (found[0] or b"").split()] if found else []
    messages: list[ObservedMessage] = []
    for start in range(0, len(uids), chunk):
        data = session.call(
            f"reading headers in {mailbox}",
            conn.uid,
            "FETCH",
            sequence_set(uids[start : start + chunk]),
            FETCH_ITEMS,
        )
        for meta, raw in fetched_headers(data):
            message = observed_message(raw, folder=folder, fallback_date=_internaldate(meta))
            if message is not None:
                messages.append(message)
    log.info("read the headers of %d messages in %s", len(messages), mailbox)
    return messages


def read_mail(
    account: MailAccount,
    since: dt.date,
    until: dt.date | None = None,
    *,
    chunk: int = 500,
    timeout: float = 30.0,
    stats: ReadStats | None = None,
) -> list[ObservedMessage]:
    """Headers of the messages the server dates from ``since`` to ``until`` (both included).

    Raises :class:`SourceError` (or ConfigError for a bad account setting).
    """
    stats = stats if stats is not None else ReadStats()
    criteria = ["SINCE", imap_date(since)]
    if until is not None:
        criteria += ["BEFORE", imap_date(until + dt.timedelta(days=1))]
    criteria += ["NOT", "DRAFT"]
    session = _Session(account, stats, timeout)
    try:
        listed = session.call("listing mailboxes", session.conn.list)
        chosen = mailboxes_to_read([line for line in listed if isinstance(line, bytes)])
        messages: list[ObservedMessage] = []
        for mailbox, folder in chosen:
            stats.mailboxes.append(mailbox)
            messages += _read_mailbox(session, mailbox, folder, criteria, chunk)
    finally:
        session.close()
    stats.messages += len(messages)
    return messages


__all__ = ["ReadStats", "mailboxes_to_read", "read_mail", "sequence_set"]
