"""Drafts in an IMAP mailbox's Drafts folder: Gmail (app password), Fastmail, iCloud...

The drafts mailbox is found by its special-use flag (\\Drafts, RFC 6154), not by
a guessed name, unless ``[imap] drafts_mailbox`` names it.  Connections use TLS
(IMAPS, or STARTTLS) with certificate verification on; ``security = "plain"``
is refused except on this machine.  A draft is APPENDed with the \\Draft flag
only when no message with its Message-ID is in the box already.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.policy
import imaplib
import logging
import re
import ssl

from ..config import MailAccount
from ..core.drafting import Draft
from ..errors import DeliveryError, SheetsyncError
from .accounts import tls_and_password
from .base import Outbox, Saved

log = logging.getLogger(__name__)

_LIST_LINE = re.compile(rb'^\((?P<flags>[^)]*)\) (?P<sep>"[^"]*"|NIL) (?P<name>.+)$')


def quote_mailbox(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unquote(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace").strip()
    if text.startswith('"') and text.endswith('"'):
        text = text[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return text


def special_use_mailbox(list_lines: list[bytes], flag: str) -> str | None:
    """The mailbox with special-use ``flag`` (e.g. "\\Sent") in a LIST answer, if any."""
    wanted = flag.lower().encode()
    for line in list_lines:
        match = _LIST_LINE.match(line or b"")
        if match and wanted in match.group("flags").lower().split():
            return _unquote(match.group("name"))
    return None


def drafts_mailbox(list_lines: list[bytes]) -> str | None:
    """The mailbox flagged \\Drafts in a LIST answer, if any."""
    return special_use_mailbox(list_lines, "\\Drafts")


def connect(
    account: MailAccount, *, timeout: float = 30.0, error: type[SheetsyncError] = DeliveryError
) -> imaplib.IMAP4:
    """A logged-in IMAP connection, or ``error`` (DeliveryError) saying what went wrong."""
    where = f"{account.host}:{account.port}"
    context, password = tls_and_password(account, "imap")
    try:
        if account.security == "ssl":
            conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                account.host, account.port, ssl_context=context, timeout=timeout
            )
        else:
            conn = imaplib.IMAP4(account.host, account.port, timeout=timeout)
            if account.security == "starttls":
                if "STARTTLS" not in conn.capabilities:
                    raise error(
                        f"The IMAP server {where} does not offer STARTTLS; use "
                        '[imap] security = "ssl" (usually port 993).'
                    )
                conn.starttls(ssl_context=context)
        if account.user:
            conn.login(account.user, password)
    except ssl.SSLCertVerificationError as exc:
        raise error(
            f"The certificate of {where} could not be verified ({exc.verify_message}). If the "
            "server uses its own certificate, point [imap] cafile at it."
        ) from None
    except imaplib.IMAP4.error as exc:
        raise error(
            f"The IMAP server {where} refused the login for {account.user} ({_text(exc)}). "
            f"Check the password in {account.password_env or 'the keyring'}; Gmail and iCloud "
            "need an app password."
        ) from None
    except (OSError, ssl.SSLError) as exc:
        raise error(
            f"Cannot reach the IMAP server {where} ({type(exc).__name__}: {exc}). Check [imap] "
            "host, port and security."
        ) from None
    return conn


def _text(exc: BaseException) -> str:
    arg = exc.args[0] if exc.args else exc
    return arg.decode("utf-8", "replace") if isinstance(arg, bytes) else str(arg)


class ImapDrafts(Outbox):
    """A draft destination: the account's Drafts mailbox."""

    def __init__(self, account: MailAccount, *, sender: str = "", sender_name: str = ""):
        self.account = account
        self.sender, self.sender_name = sender, sender_name
        self._conn: imaplib.IMAP4 | None = None
        self._mailbox: str | None = None
        self._failure: DeliveryError | None = None

    def describe(self) -> str:
        who = f"{self.account.user}@" if self.account.user else ""
        return f"the Drafts mailbox of {who}{self.account.host}"

    def _open(self) -> tuple[imaplib.IMAP4, str]:
        if self._failure is not None:  # one failure is enough: do not log in again per draft
            raise self._failure
        if self._conn is None or self._mailbox is None:
            try:
                self._conn = connect(self.account)
                self._mailbox = self._find_mailbox(self._conn)
            except DeliveryError as exc:
                self._failure = exc
                self.close()
                raise
        return self._conn, self._mailbox

    def _find_mailbox(self, conn: imaplib.IMAP4) -> str:
        typ, lines = conn.list()
        listed = [line for line in lines if isinstance(line, bytes)]
        if self.account.mailbox:
            matches = [_LIST_LINE.match(line) for line in listed]
            names = {_unquote(m.group("name")) for m in matches if m}
            if self.account.mailbox not in names:
                raise DeliveryError(
                    f"There is no mailbox '{self.account.mailbox}' on {self.account.host} "
                    "([imap] drafts_mailbox). Fix the name, or remove the setting to use the "
                    "mailbox marked as Drafts."
                )
            return self.account.mailbox
        found = drafts_mailbox(listed) if typ == "OK" else None
        if found is None:
            raise DeliveryError(
                f"{self.account.host} has no mailbox marked as Drafts (special-use \\Drafts). "
                "Create one in your mail client, or name it with [imap] drafts_mailbox = "
                '"Drafts".'
            )
        return found

    def has(self, conn: imaplib.IMAP4, mailbox: str, message_id: str) -> bool:
        conn.select(quote_mailbox(mailbox), readonly=True)
        typ, data = conn.uid("SEARCH", "HEADER", "Message-ID", f'"{message_id}"')
        return typ == "OK" and bool(data and data[0] and data[0].split())

    def save(self, draft: Draft, *, now: dt.datetime) -> Saved:
        conn, mailbox = self._open()
        location = f"{mailbox} on {self.account.host}"
        raw = draft.to_message(sender=self.sender, sender_name=self.sender_name, now=now).as_bytes(
            policy=email.policy.SMTP
        )
        try:
            if self.has(conn, mailbox, draft.message_id):
                return Saved(location, False)
            typ, data = conn.append(
                quote_mailbox(mailbox), r"(\Draft \Seen)", imaplib.Time2Internaldate(now), raw
            )
        except (TimeoutError, imaplib.IMAP4.error, OSError) as exc:
            self._conn = None
            raise DeliveryError(
                f"The IMAP server {self.account.host} failed while saving a draft ({_text(exc)})."
            ) from None
        if typ != "OK":
            raise DeliveryError(
                f"The IMAP server {self.account.host} refused the draft: {_text(Exception(*data))}"
            )
        log.info("appended draft %s to %s", draft.message_id, location)
        return Saved(location, True)

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.logout()
            except (imaplib.IMAP4.error, OSError):
                log.debug("IMAP logout failed", exc_info=True)


def append_to_inbox(account: MailAccount, raw: bytes, now: dt.datetime) -> None:
    """Put a message (the user's digest) into the account's own INBOX."""
    conn = connect(account)
    try:
        typ, _data = conn.append("INBOX", "", imaplib.Time2Internaldate(now), raw)
        if typ != "OK":
            raise DeliveryError(f"The IMAP server {account.host} refused the digest.")
    except (imaplib.IMAP4.error, OSError) as exc:
        raise DeliveryError(f"The IMAP server {account.host} failed: {_text(exc)}") from None
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            conn.logout()


__all__: list[str] = [
    "ImapDrafts",
    "append_to_inbox",
    "connect",
    "drafts_mailbox",
    "quote_mailbox",
    "special_use_mailbox",
]
