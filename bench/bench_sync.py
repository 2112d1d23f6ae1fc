#!/usr/bin/env python
"""Benchmark mail and calendar sync against the tests' real local servers.

Run from the repository root::

    PYTHONPATH=. python bench/bench_sync.py [--messages 10000] [--events 2000] [--contacts 1000]

It starts the tests' Dovecot and Radicale on 127.0.0.1, fills the mailbox
(INBOX and Sent, a year of mail with lists, auto-replies and group threads)
over IMAP APPEND and the calendar (a year of meetings, some weekly series)
directly in Radicale's storage folder, then measures two syncs as the
``sync`` command will run them:

* ``backfill``  the whole year (``--since`` a year ago);
* ``daily``     yesterday and today only.

For each: IMAP commands (each one round trip) and bytes received, CalDAV
requests and bytes, seconds for reading mail, reading the calendar and
matching (``propose``), and the peak Python memory of the whole sync
(tracemalloc).  The daily run must cost the same number of IMAP commands
whatever the mailbox holds outside its window; the script checks it by
running it again after doubling the old mail, and exits 1 if it grew.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
import tracemalloc
import uuid
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sheetsync.config import MailAccount  # noqa: E402
from sheetsync.core.sync import SyncContact, propose  # noqa: E402
from sheetsync.sources.calendars import CalendarSource, read_calendar  # noqa: E402
from sheetsync.sources.imap_mail import ReadStats, read_mail  # noqa: E402
from tests.calendars import Radicale  # noqa: E402
from tests.mail import Dovecot  # noqa: E402

TZ = ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2026, 11, 22, 7, 0, tzinfo=TZ)
TODAY = NOW.date()
ME = "sam@example.com"
IMAP_ENV = "SHEETSYNC_BENCH_IMAP_PASSWORD"
CALDAV_ENV = "SHEETSYNC_BENCH_CALDAV_PASSWORD"


def contacts(n: int) -> list[SyncContact]:
    return [
        SyncContact(f"email:p{i}@example.org", f"Person{i} Surname{i}", f"p{i}@example.org")
        for i in range(n)
    ]


def mailbox(rnd: random.Random, n: int, people: int, days: int) -> dict[str, list[Any]]:
    """n messages over ``days`` days before today: 70 % received, 30 % sent."""
    boxes: dict[str, list[Any]] = {"INBOX": [], "Sent": []}
    for i in range(n):
        when = NOW - dt.timedelta(minutes=rnd.randrange(days * 24 * 60))
        other = f"p{rnd.randrange(people * 3)}@example.org"  # two in three are strangers
        msg = EmailMessage()
        sent = rnd.random() < 0.3
        msg["From"], msg["To"] = (ME, other) if sent else (other, ME)
        if rnd.random() < 0.03:
            msg["Cc"] = ", ".join(f"g{k}@example.org" for k in range(12))  # a big thread
        if not sent and rnd.random() < 0.1:
            msg["List-Id"] = "<news.example.org>"
        if not sent and rnd.random() < 0.02:
            msg["Auto-Submitted"] = "auto-replied"
        msg["Subject"] = f"Re: topic {i % 97}"
        msg["Date"] = format_datetime(when)
        msg["Message-ID"] = f"<{i}.{uuid.UUID(int=rnd.getrandbits(128))}@bench>"
        msg.set_content("A body of a few lines that sync never reads.\n" * 20)
        boxes["Sent" if sent else "INBOX"].append((msg, when))
    return boxes


def vevent(rnd: random.Random, i: int, people: int, days: int) -> str:
    start = NOW - dt.timedelta(days=rnd.randrange(-30, days), hours=rnd.randrange(0, 10))
    stamp = start.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    end = (start + dt.timedelta(hours=1)).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//sheetsync bench//EN",
        "BEGIN:VEVENT",
        f"UID:ev-{i}@bench",
        "DTSTAMP:20261101T000000Z",
        f"DTSTART:{stamp}",
        f"DTEND:{end}",
        f"SUMMARY:Meeting {i}",
        f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{ME}",
        f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:p{rnd.randrange(people * 2)}@example.org",
    ]
    if rnd.random() < 0.5:
        lines.append("LOCATION:Café Central")
    else:
        lines.append("X-GOOGLE-CONFERENCE:https://meet.google.com/abc-defg-hij")
    if rnd.random() < 0.05:
        lines.append("RRULE:FREQ=WEEKLY;COUNT=20")
    return "\r\n".join([*lines, "END:VEVENT", "END:VCALENDAR", ""])


class CaldavCounter:
    """Counts the CalDAV client's HTTP requests and the bytes of their answers."""

    def __init__(self) -> None:
        import caldav

        self.requests = 0
        self.bytes = 0
        self._original = caldav.DAVClient.request
        outer = self

        def request(client: Any, *args: Any, **kwargs: Any) -> Any:
            answer = outer._original(client, *args, **kwargs)
            outer.requests += 1
            outer.bytes += len(str(answer.raw or "").encode())
            return answer

        caldav.DAVClient.request = request  # measuring only: this script is not a test

    def reset(self) -> None:
        self.requests = self.bytes = 0


def measure(
    name: str,
    since: dt.date,
    account: MailAccount,
    calendar: CalendarSource,
    people: list[SyncContact],
    counter: CaldavCounter,
) -> dict[str, Any]:
    counter.reset()
    stats = ReadStats()
    tracemalloc.start()
    t0 = time.perf_counter()
    messages = read_mail(account, since, TODAY, stats=stats)
    t1 = time.perf_counter()
    events = read_calendar(calendar, since, TODAY + dt.timedelta(days=30), tz=TZ)
    t2 = time.perf_counter()
    result = propose(people, messages, events, own_addresses=[ME], now=NOW, tz=TZ)
    t3 = time.perf_counter()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "run": name,
        "since": since.isoformat(),
        "messages": len(messages),
        "imap_commands": stats.commands,
        "imap_kb": round(stats.bytes_received / 1024, 1),
        "mail_s": round(t1 - t0, 3),
        "events": len(events),
        "caldav_requests": counter.requests,
        "caldav_kb": round(counter.bytes / 1024, 1),
        "calendar_s": round(t2 - t1, 3),
        "propose_s": round(t3 - t2, 3),
        "updates": len(result.updates),
        "history": len(result.history),
        "upcoming": len(result.upcoming),
        "peak_mb": round(peak / 1e6, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=2_000)
    parser.add_argument("--contacts", type=int, default=1_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--json", type=Path, help="also write the rows to this file")
    args = parser.parse_args()
    rnd = random.Random(args.seed)
    people = contacts(args.contacts)
    rows: list[dict[str, Any]] = []
    with Dovecot() as imap, Radicale() as dav:
        os.environ[IMAP_ENV], os.environ[CALDAV_ENV] = imap.password, dav.password
        t0 = time.perf_counter()
        for box, items in mailbox(rnd, args.messages, args.contacts, args.days).items():
            imap.append(box, items)
        url = dav.calendar("Work", [])
        folder = (
            dav.folder
            / "collections"
            / "collection-root"
            / dav.user
            / url.rstrip("/").split("/")[-1]
        )
        for i in range(args.events):
            (folder / f"ev-{i}.ics").write_text(vevent(rnd, i, args.contacts, args.days))
        print(f"filled the servers in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        account = MailAccount(
            host="127.0.0.1",
            port=imap.imaps_port,
            user=imap.user,
            security="ssl",
            cafile=str(imap.cafile),
            password_env=IMAP_ENV,
        )
        calendar = CalendarSource(
            url, caldav=True, user=dav.user, password_env=CALDAV_ENV, cafile=str(dav.cafile)
        )
        counter = CaldavCounter()
        backfill = TODAY - dt.timedelta(days=args.days)
        daily = TODAY - dt.timedelta(days=1)
        rows.append(measure("backfill", backfill, account, calendar, people, counter))
        rows.append(measure("daily", daily, account, calendar, people, counter))
        old = [
            (m, w - dt.timedelta(days=args.days + 30))
            for m, w in mailbox(rnd, args.messages, args.contacts, args.days)["INBOX"]
        ]
        imap.append("INBOX", old)  # as much mail again, all of it outside the window
        rows.append(measure("daily, 2x mail", daily, account, calendar, people, counter))
    columns = list(rows[0])
    print(" | ".join(columns))
    for row in rows:
        print(" | ".join(str(row[c]) for c in columns))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=2))
    grew = rows[2]["imap_commands"] != rows[1]["imap_commands"]
    if grew:
        print("FAIL: the daily run's IMAP commands grew with mail outside its window")
    return 1 if grew else 0


if __name__ == "__main__":
    raise SystemExit(main())
