"""The morning digest: one message to the user listing today's queue.

It goes only to the user's own address ([me] email): by SMTP (SSL or
STARTTLS), or straight into the user's IMAP inbox.  This module is the only
place in sheetsync that hands a message to a mail server for delivery, and the
one recipient it ever names is the user.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import html
import logging
import smtplib
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from ..config import Config, MailAccount
from ..core.addresses import is_email
from ..core.result import RowOutcome, RunResult
from ..errors import ConfigError, DeliveryError
from .accounts import tls_and_password
from .imap import append_to_inbox

log = logging.getLogger(__name__)

ACTIONS = {
    "drafted": "draft ready",
    "draft exists": "draft ready",
    "waiting": "waits for a later day",
    "no draft": "could not be drafted",
}


def digest_rows(result: RunResult) -> list[RowOutcome]:
    """The contacts the digest lists: today's drafts, those waiting, rows to check."""
    return [r for r in result.rows if r.action in ACTIONS or r.status == "check data"]


def _why(row: RowOutcome) -> str:
    if row.status == "check data":
        return row.note
    stale = f"{row.days_since} days since you last talked" if row.days_since is not None else ""
    parts = [row.status, stale, "meet in person" if row.in_person_due else ""]
    return ", ".join(p for p in parts if p)


def build_digest(result: RunResult, *, to: str, name: str, now: dt.datetime) -> EmailMessage:
    """The digest message (plain text and a simple HTML part), addressed to ``to`` only."""
    rows = digest_rows(result)
    drafted = sum(1 for r in rows if r.action in ("drafted", "draft exists"))
    msg = EmailMessage()
    me = Address(display_name=name, addr_spec=to)
    msg["From"] = me
    msg["To"] = me
    msg["Subject"] = f"sheetsync: {drafted} follow-ups ready for {result.today:%a %d %b}"
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(domain="sheetsync.invalid")
    lines = [f"Your sheet {result.sheet} on {result.today}:", ""]
    for r in rows:
        action = ACTIONS.get(r.action, "check the row")
        where = f" in {r.draft}" if r.draft else ""
        subject = f' "{r.subject}"' if r.subject else ""
        lines.append(f"- {r.name or 'row ' + str(r.row)}: {action}{subject}{where}")
        lines.append(f"  why: {_why(r)}")
    if result.destination:
        lines += ["", f"Drafts are in {result.destination}. Nothing has been sent."]
    msg.set_content("\n".join(lines) + "\n")
    items = "".join(
        "<li><b>{}</b>: {}{}<br><small>{}</small></li>".format(
            html.escape(r.name or f"row {r.row}"),
            html.escape(ACTIONS.get(r.action, "check the row")),
            html.escape(f' "{r.subject}"') if r.subject else "",
            html.escape(_why(r)),
        )
        for r in rows
    )
    msg.add_alternative(
        f"<p>Your sheet {html.escape(result.sheet)} on {result.today}:</p><ul>{items}</ul>"
        f"<p>Nothing has been sent.</p>",
        subtype="html",
    )
    return msg


def send_digest(result: RunResult, config: Config, *, now: dt.datetime) -> str | None:
    """Send the digest if configured and there is something to say; where it went."""
    if config.digest is None or result.dry_run or not digest_rows(result):
        return None
    if not is_email(config.me.email):
        raise ConfigError(
            "[digest] send = true needs your own address in [me] email: the digest only "
            "ever goes to you."
        )
    try:
        msg = build_digest(result, to=config.me.email, name=config.me.name, now=now)
    except (ValueError, TypeError) as exc:  # e.g. a line break in [me] name: no header from it
        raise ConfigError(
            f"the digest could not be built ({exc}). Check [me] name and email in "
            "sheetsync.toml: one line each, no line breaks."
        ) from None
    if config.digest == "imap":
        if config.imap is None:
            raise ConfigError('[digest] via = "imap" needs an [imap] table.')
        append_to_inbox(config.imap, msg.as_bytes(policy=email.policy.SMTP), now)
        return f"the inbox of {config.imap.user or config.imap.host}"
    if config.smtp is None:
        raise ConfigError('[digest] via = "smtp" needs an [smtp] table.')
    _smtp_send(config.smtp, msg, config.me.email)
    return config.me.email


def _smtp_send(account: MailAccount, msg: EmailMessage, me: str) -> None:
    where = f"{account.host}:{account.port}"
    context, password = tls_and_password(account, "smtp")
    try:
        if account.security == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                account.host, account.port, context=context, timeout=30
            )
        else:
            server = smtplib.SMTP(account.host, account.port, timeout=30)
        with server:
            if account.security == "starttls":
                server.starttls(context=context)
            if account.user:
                server.login(account.user, password)
            # the envelope names the user's own address and nothing else
            server.send_message(msg, from_addr=me, to_addrs=[me])
    except smtplib.SMTPAuthenticationError:
        raise DeliveryError(
            f"The SMTP server {where} refused the login for {account.user}; check the password "
            f"in {account.password_env or 'the keyring'}."
        ) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"Could not send the digest through {where}: {exc}") from None
    log.info("digest sent to %s through %s", me, where)
