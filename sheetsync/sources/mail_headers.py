"""A message's headers, as IMAP or the Gmail API give them, read into an ObservedMessage.

Only the few headers sync needs are ever fetched (:data:`HEADERS`); the body
never is.  A header that cannot be parsed leaves that message out (with a
debug line naming nothing but its Message-ID), not the run.
"""

from __future__ import annotations

import datetime as dt
import email.errors
import email.header
import email.policy
import email.utils
import logging
from collections.abc import Iterable
from email.parser import BytesHeaderParser

from ..core.sync import MailFolder, ObservedMessage

log = logging.getLogger(__name__)

#: The headers read from each message, in IMAP's spelling.
HEADERS = (
    "From",
    "To",
    "Cc",
    "Date",
    "Subject",
    "Message-ID",
    "List-Id",
    "List-Unsubscribe",
    "Precedence",
    "Auto-Submitted",
)

_PARSER = BytesHeaderParser(policy=email.policy.compat32)


def _decoded(value: object) -> str:
    """A header's text with RFC 2047 encoded words decoded, on one line."""
    if value is None:
        return ""
    text = str(email.header.make_header(email.header.decode_header(str(value))))
    return " ".join(text.split())


def _addresses(values: Iterable[object]) -> tuple[str, ...]:
    pairs = email.utils.getaddresses([str(v) for v in values if v is not None])
    return tuple(addr.strip().casefold() for _, addr in pairs if "@" in addr)


def _date(value: object, fallback: dt.datetime | None) -> dt.datetime | None:
    if value is not None:
        try:
            parsed = email.utils.parsedate_to_datetime(str(value))
        except (TypeError, ValueError, IndexError):
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)
    return fallback


def observed_message(
    raw: bytes, *, folder: MailFolder, fallback_date: dt.datetime | None = None
) -> ObservedMessage | None:
    """The message whose header block is ``raw``; None when it has no usable date or sender.

    ``fallback_date`` (the server's INTERNALDATE) stands in for a missing or
    unreadable Date header.
    """
    headers = _PARSER.parsebytes(raw)
    message_id = " ".join(str(headers.get("Message-ID", "")).split())
    try:
        sender = _addresses(headers.get_all("From", []))
        when = _date(headers.get("Date"), fallback_date)
        subject = _decoded(headers.get("Subject"))
    except (ValueError, LookupError, email.errors.HeaderParseError):
        log.debug("left out message %s: unreadable headers", message_id or "without an id")
        return None
    if not sender or when is None:
        log.debug("left out message %s: no sender or date", message_id or "without an id")
        return None
    precedence = str(headers.get("Precedence", "")).strip().casefold()
    auto = str(headers.get("Auto-Submitted", "no")).strip().casefold()
    return ObservedMessage(
        date=when,
        sender=sender[0],
        to=_addresses(headers.get_all("To", [])),
        cc=_addresses(headers.get_all("Cc", [])),
        subject=subject,
        message_id=message_id,
        folder=folder,
        is_list=headers.get("List-Id") is not None or headers.get("List-Unsubscribe") is not None,
        is_bulk=precedence in {"bulk", "list", "junk"},
        is_auto=bool(auto) and not auto.startswith("no"),
    )


def header_block(pairs: Iterable[tuple[str, str]]) -> bytes:
    """Name/value pairs (the Gmail API's ``payload.headers``) as a raw header block."""
    lines = [f"{name}: {' '.join(value.splitlines())}" for name, value in pairs]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape")


__all__ = ["HEADERS", "header_block", "observed_message"]
