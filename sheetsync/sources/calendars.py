"""Read calendar events for sync: an iCalendar (.ics) file or URL, or a CalDAV server.

Recurring events are expanded into their occurrences in the window and time
zones resolved by ``recurring-ical-events`` on top of ``icalendar``; CalDAV
(Fastmail, iCloud, Nextcloud, Radicale) is read with ``caldav`` by a
time-range REPORT, and its answers expanded the same way, so both paths give
the same :class:`~sheetsync.core.sync.ObservedEvent` values.  From each
event only what matching needs is kept: times, title, status, organiser,
attendees with their answer, location, conference data and the URLs in the
description (to recognise a video link); the description itself is dropped.

These libraries are the optional extra ``sync`` (``pip install
'sheetsync[sync]'``).  Errors are :class:`~sheetsync.errors.SourceError`.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..config import MailAccount
from ..core.sync import Attendee, ObservedEvent
from ..errors import SourceError
from ..outbox.accounts import LOOPBACK, password_for

log = logging.getLogger(__name__)

INSTALL = "pip install 'sheetsync[sync]'"
#: Properties that carry a meeting's video link rather than a place.
CONFERENCE_PROPERTIES = (
    "CONFERENCE",  # RFC 7986
    "X-GOOGLE-CONFERENCE",
    "X-MICROSOFT-SKYPETEAMSMEETINGURL",
    "X-MICROSOFT-ONLINEMEETINGCONFLINK",
)
_URL = re.compile(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)
MAX_ICS_BYTES = 50_000_000


@dataclass(frozen=True)
class CalendarSource:
    """Where a calendar is.

    ``location`` is a path or a ``file:``/``http(s):``/``webcal:`` URL of an
    .ics file, or with ``caldav`` the URL of a CalDAV server, principal or
    calendar.  The password comes from ``password_env`` or the keyring, as
    for mail accounts; ``calendars`` names the CalDAV calendars to read (all
    when empty).
    """

    location: str
    caldav: bool = False
    user: str = ""
    password_env: str = ""
    keyring: bool = False
    cafile: str | None = None
    calendars: tuple[str, ...] = ()

    def describe(self) -> str:
        return f"the CalDAV calendar at {self.location}" if self.caldav else self.location


def _libraries() -> tuple[Any, Any]:
    try:
        import icalendar
        import recurring_ical_events
    except ImportError:
        raise SourceError(f"Reading calendars needs the sync extra: {INSTALL}") from None
    return icalendar, recurring_ical_events


def _address(value: object) -> str:
    text = str(value or "").strip()
    if text.casefold().startswith("mailto:"):
        text = text[len("mailto:") :]
    return text.strip().casefold()


def _values(component: Any, name: str) -> list[Any]:
    value = component.get(name)
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _when(value: Any, tz: dt.tzinfo) -> dt.date | dt.datetime:
    moment = value.dt if hasattr(value, "dt") else value
    if isinstance(moment, dt.datetime) and moment.tzinfo is None:
        return moment.replace(tzinfo=tz)  # a floating time is the user's own
    return moment


def _event(component: Any, tz: dt.tzinfo) -> ObservedEvent:
    start = _when(component.get("DTSTART"), tz)
    end: dt.date | dt.datetime | None = None
    if component.get("DTEND") is not None:
        end = _when(component.get("DTEND"), tz)
    elif component.get("DURATION") is not None:
        end = start + component.get("DURATION").dt
    attendees = tuple(
        Attendee(
            _address(a),
            str(getattr(a, "params", {}).get("PARTSTAT", "NEEDS-ACTION")).upper(),
            str(getattr(a, "params", {}).get("CN", "")),
        )
        for a in _values(component, "ATTENDEE")
    )
    conference = tuple(str(v) for p in CONFERENCE_PROPERTIES for v in _values(component, p))
    description = " ".join(str(v) for v in _values(component, "DESCRIPTION"))
    recurring = any(component.get(p) is not None for p in ("RRULE", "RDATE", "RECURRENCE-ID"))
    return ObservedEvent(
        uid=str(component.get("UID", "")).strip(),
        start=start,
        end=end,
        title=" ".join(str(component.get("SUMMARY", "")).split()),
        status=str(component.get("STATUS", "CONFIRMED")).strip().upper(),
        organizer=_address(component.get("ORGANIZER")),
        attendees=attendees,
        location=" ".join(str(component.get("LOCATION", "")).split()),
        conference=conference,
        links=tuple(_URL.findall(description)),
        recurring=recurring,
    )


def _window(since: dt.date, until: dt.date, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(since, dt.time(), tzinfo=tz)
    return start, dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=tz)


def events_from_ics(
    data: str | bytes | Iterable[str | bytes],
    since: dt.date,
    until: dt.date,
    *,
    tz: dt.tzinfo,
    name: str = "the calendar",
) -> list[ObservedEvent]:
    """The occurrences between ``since`` and ``until`` (days in ``tz``, both included).

    ``data`` is one iCalendar text or several (CalDAV answers one per event).
    """
    icalendar, recurring = _libraries()
    texts = [data] if isinstance(data, str | bytes) else list(data)
    start, end = _window(since, until, tz)
    events: list[ObservedEvent] = []
    for text in texts:
        try:
            calendar = icalendar.Calendar.from_ical(text)
            occurrences = recurring.of(calendar).between(start, end)
        except (ValueError, KeyError, TypeError) as exc:
            raise SourceError(
                f"{name} is not a calendar sheetsync can read ({exc}). Check that it is an "
                "iCalendar (.ics) file or a CalDAV calendar."
            ) from None
        events += [_event(c, tz) for c in occurrences if c.name == "VEVENT"]
    log.info("read %d events from %s", len(events), name)
    return events


def _password(source: CalendarSource) -> str:
    if not source.user:
        return ""
    parts = urlsplit(source.location)
    account = MailAccount(
        host=parts.hostname or "",
        port=parts.port or 443,
        user=source.user,
        password_env=source.password_env,
        keyring=source.keyring,
    )
    secret = password_for(account, "calendar")
    if parts.scheme == "http" and secret and parts.hostname not in LOOPBACK:
        raise SourceError(
            f"{source.location} is plain http: the calendar password would travel "
            "unencrypted. Use its https:// address."
        )
    return secret


def _read_ics(source: CalendarSource, timeout: float) -> bytes:
    location = source.location
    if location.startswith("webcal://"):
        location = "https://" + location[len("webcal://") :]
    scheme = urlsplit(location).scheme.casefold()
    if scheme in {"http", "https"}:
        return _download(source, location, timeout)
    path = Path(location[len("file://") :] if scheme == "file" else location).expanduser()
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SourceError(f"No calendar file at {path}. Check the path.") from None
    except OSError as exc:
        raise SourceError(f"Cannot read the calendar file {path}: {exc.strerror or exc}.") from None


def _download(source: CalendarSource, url: str, timeout: float) -> bytes:
    import requests

    password = _password(source)
    auth = (source.user, password) if source.user else None
    try:
        answer = requests.get(
            url, timeout=timeout, auth=auth, verify=source.cafile or True, stream=True
        )
        body = answer.raw.read(MAX_ICS_BYTES + 1, decode_content=True)
    except requests.RequestException as exc:
        raise SourceError(
            f"Cannot download the calendar {url} ({type(exc).__name__}). Check the address "
            "and your connection."
        ) from None
    if answer.status_code in {401, 403}:
        raise SourceError(
            f"{url} refused access ({answer.status_code}). Check the user and the password "
            f"in {source.password_env or 'the keyring'}, or use the calendar's secret address."
        )
    if answer.status_code >= 400:
        raise SourceError(f"{url} answered {answer.status_code}. Check the calendar's address.")
    if len(body) > MAX_ICS_BYTES:
        raise SourceError(
            f"{url} is larger than {MAX_ICS_BYTES // 1_000_000} MB; is it a calendar?"
        )
    return bytes(body)


def _read_caldav(
    source: CalendarSource, since: dt.date, until: dt.date, tz: dt.tzinfo, timeout: float
) -> list[str]:
    try:
        import caldav
        from caldav.lib.error import DAVError
    except ImportError:
        raise SourceError(f"Reading a CalDAV calendar needs the sync extra: {INSTALL}") from None
    import niquests

    start, end = _window(since, until, tz)
    password = _password(source)
    client_class: Any = caldav.DAVClient
    try:
        with client_class(
            url=source.location,
            username=source.user or None,
            password=password or None,
            ssl_verify_cert=source.cafile or True,
            timeout=int(timeout),
            enable_rfc6764=False,
        ) as client:
            chosen = _caldav_calendars(client, source)
            texts: list[str] = []
            for calendar in chosen:
                found = calendar.search(start=start, end=end, event=True, expand=False)
                texts += [str(item.data) for item in found]
    except DAVError as exc:
        status = str(getattr(exc, "reason", "") or exc)
        raise SourceError(
            f"The CalDAV server at {source.location} refused the request ({status}). Check the "
            f"address, the user and the password in {source.password_env or 'the keyring'}."
        ) from None
    except (OSError, niquests.exceptions.RequestException) as exc:
        raise SourceError(
            f"Cannot reach the CalDAV server at {source.location} ({type(exc).__name__}). "
            "Check the address and your connection."
        ) from None
    return texts


def _caldav_calendars(client: Any, source: CalendarSource) -> list[Any]:
    calendars = list(client.principal().calendars())
    target = source.location.rstrip("/")
    direct = [c for c in calendars if str(c.url).rstrip("/") == target]
    if direct:
        return direct
    if not source.calendars:
        return calendars
    named = {str(c.get_display_name() or ""): c for c in calendars}
    missing = [n for n in source.calendars if n not in named]
    if missing:
        raise SourceError(
            f"No calendar named {', '.join(missing)} at {source.location}; it has "
            f"{', '.join(sorted(named)) or 'none'}."
        )
    return [named[n] for n in source.calendars]


def read_calendar(
    source: CalendarSource | str,
    since: dt.date,
    until: dt.date,
    *,
    tz: dt.tzinfo,
    timeout: float = 30.0,
) -> list[ObservedEvent]:
    """Every event occurrence from ``since`` to ``until`` (days in ``tz``, both included)."""
    if isinstance(source, str):
        source = CalendarSource(source)
    if source.caldav:
        texts = _read_caldav(source, since, until, tz, timeout)
        return events_from_ics(texts, since, until, tz=tz, name=source.describe())
    return events_from_ics(_read_ics(source, timeout), since, until, tz=tz, name=source.describe())


__all__ = ["CalendarSource", "events_from_ics", "read_calendar"]
