"""Reading calendars: .ics files, .ics over HTTP, and CalDAV on a real Radicale."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sheetsync.core.sync import ObservedEvent, SyncContact, SyncProposals, propose
from sheetsync.errors import SourceError
from sheetsync.sources.calendars import CalendarSource, events_from_ics, read_calendar

from ..calendars import Radicale, StaticHttp

TZ = ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=TZ)
SINCE, UNTIL = dt.date(2026, 10, 23), dt.date(2026, 12, 6)
ME = "sam@example.com"
PASSWORD_ENV = "SHEETSYNC_TEST_CALDAV_PASSWORD"

CONTACTS = [
    SyncContact("email:ana@example.org", "Ana Lima", "ana@example.org"),
    SyncContact("email:bob@example.net", "Bob Stone", "bob@example.net"),
    SyncContact("email:carl@example.com", "Carl Weber", "carl@example.com"),
    SyncContact("email:dora@example.com", "Dora Kim", "dora@example.com"),
    SyncContact("name:emil fischer", "Emil Fischer"),
]


def attendee(email: str, partstat: str = "ACCEPTED") -> str:
    return f"ATTENDEE;CN={email.split('@')[0]};PARTSTAT={partstat}:mailto:{email}"


EVENTS = {
    "lunch": [
        "UID:lunch-1",
        "DTSTART;TZID=Europe/Berlin:20261110T120000",
        "DTEND;TZID=Europe/Berlin:20261110T133000",
        "SUMMARY:Lunch",
        "LOCATION:Café Central\\, Wien",
        f"ORGANIZER:mailto:{ME}",
        attendee(ME),
        attendee("ana@example.org"),
    ],
    "standup": [  # weekly in New York, on Meet; one week skipped, one moved
        "UID:standup-7",
        "DTSTART;TZID=America/New_York:20261006T090000",
        "DTEND;TZID=America/New_York:20261006T093000",
        "RRULE:FREQ=WEEKLY;COUNT=10",
        "EXDATE;TZID=America/New_York:20261110T090000",
        "SUMMARY:Standup",
        "X-GOOGLE-CONFERENCE:https://meet.google.com/abc-defg-hij",
        "LOCATION:Room 4",
        attendee(ME),
        attendee("bob@example.net"),
    ],
    "standup-moved": [
        "UID:standup-7",
        "RECURRENCE-ID;TZID=America/New_York:20261117T090000",
        "DTSTART;TZID=America/New_York:20261118T090000",
        "DTEND;TZID=America/New_York:20261118T093000",
        "SUMMARY:Standup (moved)",
        "X-GOOGLE-CONFERENCE:https://meet.google.com/abc-defg-hij",
        attendee(ME),
        attendee("bob@example.net"),
    ],
    "offsite": [
        "UID:offsite-2026",
        "DTSTART;VALUE=DATE:20261105",
        "DTEND;VALUE=DATE:20261107",
        "SUMMARY:Offsite",
        "LOCATION:Hotel Adlon\\, Berlin",
        attendee(ME),
        attendee("carl@example.com"),
    ],
    "cancelled": [
        "UID:cancelled-1",
        "DTSTART:20261120T140000Z",
        "DTEND:20261120T150000Z",
        "STATUS:CANCELLED",
        "SUMMARY:Catch-up",
        attendee(ME),
        attendee("dora@example.com"),
    ],
    "declined": [
        "UID:declined-1",
        "DTSTART:20261119T140000Z",
        "DTEND:20261119T150000Z",
        "SUMMARY:Sync",
        "LOCATION:Her office",
        attendee(ME, "DECLINED"),
        attendee("dora@example.com"),
    ],
    "dinner": [  # floating time, no attendees: matched by the full name in the title
        "UID:dinner-1",
        "DTSTART:20261115T190000",
        "DTEND:20261115T220000",
        "SUMMARY:Dinner with Emil Fischer",
        "LOCATION:Zur Letzten Instanz",
    ],
    "tokyo": [  # 07:00 in Tokyo on the 21st is 23:00 in Berlin on the 20th
        "UID:tokyo-1",
        "DTSTART;TZID=Asia/Tokyo:20261121T070000",
        "DURATION:PT45M",
        "SUMMARY:Call about the launch",
        "LOCATION:Tokyo office",
        "DESCRIPTION:Join: https://us02web.zoom.us/j/123456 (passcode in the invite)",
        attendee(ME),
        attendee("ana@example.org"),
    ],
    "coffee": [
        "UID:coffee-9",
        "DTSTART;TZID=Europe/Berlin:20261126T100000",
        "DTEND;TZID=Europe/Berlin:20261126T110000",
        "SUMMARY:Coffee",
        "LOCATION:Kaffeehaus",
        attendee(ME),
        attendee("emil.fischer@example.de"),
        attendee("bob@example.net", "TENTATIVE"),
    ],
    "old": [
        "UID:old-1",
        "DTSTART:20260301T100000Z",
        "DTEND:20260301T110000Z",
        "SUMMARY:Long ago",
        attendee("carl@example.com"),
    ],
}


def vcalendar(*events: list[str]) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//sheetsync tests//EN"]
    for event in events:
        lines += ["BEGIN:VEVENT", "DTSTAMP:20261101T000000Z", *event, "END:VEVENT"]
    return "\r\n".join([*lines, "END:VCALENDAR", ""])


def caldav_resources() -> list[str]:
    """One VCALENDAR per UID, as CalDAV stores them (a moved occurrence beside its series)."""
    by_uid: dict[str, list[list[str]]] = {}
    for event in EVENTS.values():
        by_uid.setdefault(event[0], []).append(event)
    return [vcalendar(*events) for events in by_uid.values()]


def check(events: list[ObservedEvent]) -> SyncProposals:
    """The same expectations, whichever way the calendar was read."""
    by_uid: dict[str, list[ObservedEvent]] = {}
    for event in events:
        by_uid.setdefault(event.uid, []).append(event)
    assert "old-1" not in by_uid, "outside the window"
    standup = sorted(by_uid["standup-7"], key=lambda e: e.start)
    assert [e.start.isoformat() for e in standup] == [  # type: ignore[union-attr]
        "2026-10-27T09:00:00-04:00",
        "2026-11-03T09:00:00-05:00",
        "2026-11-18T09:00:00-05:00",
        "2026-11-24T09:00:00-05:00",
        "2026-12-01T09:00:00-05:00",
    ], "expanded in New York time, Nov 10 skipped, Nov 17 moved to the 18th"
    assert all(e.recurring and e.conference for e in standup)
    (offsite,) = by_uid["offsite-2026"]
    assert offsite.all_day and offsite.start == dt.date(2026, 11, 5)
    (dinner,) = by_uid["dinner-1"]
    assert dinner.start == dt.datetime(2026, 11, 15, 19, tzinfo=TZ)
    (tokyo,) = by_uid["tokyo-1"]
    assert tokyo.links == ("https://us02web.zoom.us/j/123456",)
    assert tokyo.end is not None and tokyo.end - tokyo.start == dt.timedelta(minutes=45)  # type: ignore[operator]

    result = propose(CONTACTS, (), events, own_addresses=[ME], now=NOW, tz=TZ)
    moved = {
        u.name: (
            u.last_interaction
            and (u.last_interaction.when.isoformat(), str(u.last_interaction.kind)),
            u.last_in_person and u.last_in_person.when.isoformat(),
        )
        for u in result.updates
    }
    assert moved == {
        "Ana Lima": (("2026-11-20", "meeting"), "2026-11-10"),
        "Bob Stone": (("2026-11-18", "meeting"), None),
        "Carl Weber": (("2026-11-05", "in person"), "2026-11-05"),
        "Emil Fischer": (("2026-11-15", "in person"), "2026-11-15"),
    }
    assert result.skipped["cancelled event"] == 1
    assert result.skipped["declined by the user"] == 1
    assert [(u.name, u.title) for u in result.upcoming] == [
        ("Bob Stone", "Standup"),
        ("Bob Stone", "Coffee"),
        ("Bob Stone", "Standup"),
    ], "Emil's coffee is from an address the sheet does not know"
    return result


def test_ics_file(tmp_path: Path) -> None:
    path = tmp_path / "calendar.ics"
    path.write_text(vcalendar(*EVENTS.values()), encoding="utf-8")
    check(read_calendar(str(path), SINCE, UNTIL, tz=TZ))


def test_ics_over_http(tmp_path: Path) -> None:
    (tmp_path / "cal.ics").write_text(vcalendar(*EVENTS.values()), encoding="utf-8")
    with StaticHttp(tmp_path) as server:
        check(read_calendar(server.url + "cal.ics", SINCE, UNTIL, tz=TZ))
        with pytest.raises(SourceError, match="answered 404"):
            read_calendar(server.url + "missing.ics", SINCE, UNTIL, tz=TZ)
    assert server.requests == ["/cal.ics", "/missing.ics"]


@pytest.fixture
def radicale(monkeypatch: pytest.MonkeyPatch) -> Iterator[Radicale]:
    with Radicale() as server:
        monkeypatch.setenv(PASSWORD_ENV, server.password)
        yield server


def source(server: Radicale, location: str | None = None, **kw: object) -> CalendarSource:
    return CalendarSource(
        location or server.url,
        caldav=True,
        user=server.user,
        password_env=PASSWORD_ENV,
        cafile=str(server.cafile),
        **kw,  # type: ignore[arg-type]
    )


def test_caldav_on_radicale(radicale: Radicale) -> None:
    url = radicale.calendar("Work", caldav_resources())
    radicale.calendar(
        "Birthdays",
        [vcalendar(["UID:bd-1", "DTSTART;VALUE=DATE:20261101", "SUMMARY:Ana Lima's birthday"])],
    )
    only_work = read_calendar(source(radicale, url), SINCE, UNTIL, tz=TZ)
    check(only_work)
    by_name = read_calendar(source(radicale, calendars=("Work",)), SINCE, UNTIL, tz=TZ)
    assert sorted(e.source_id for e in by_name) == sorted(e.source_id for e in only_work)
    everything = read_calendar(source(radicale), SINCE, UNTIL, tz=TZ)
    assert {e.uid for e in everything} - {e.uid for e in only_work} == {"bd-1"}


def test_caldav_wrong_password(radicale: Radicale, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "wrong")
    with pytest.raises(SourceError, match="refused") as caught:
        read_calendar(source(radicale), SINCE, UNTIL, tz=TZ)
    assert caught.value.exit_code == 8


def test_caldav_unknown_calendar_name(radicale: Radicale) -> None:
    radicale.calendar("Work", [])
    with pytest.raises(SourceError, match=r"No calendar named Home .* it has Work"):
        read_calendar(source(radicale, calendars=("Home",)), SINCE, UNTIL, tz=TZ)


def test_caldav_nothing_listening() -> None:
    from ..mail.servers import free_port

    closed = CalendarSource(f"https://127.0.0.1:{free_port()}/", caldav=True)
    with pytest.raises(SourceError, match="Cannot reach the CalDAV server"):
        read_calendar(closed, SINCE, UNTIL, tz=TZ)


def test_plain_http_with_a_password_is_refused_off_this_machine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "secret")
    remote = CalendarSource(
        "http://calendar.example.com/dav/", caldav=True, user="sam", password_env=PASSWORD_ENV
    )
    with pytest.raises(SourceError, match="unencrypted"):
        read_calendar(remote, SINCE, UNTIL, tz=TZ)


def test_a_file_that_is_not_a_calendar(tmp_path: Path) -> None:
    path = tmp_path / "notes.ics"
    path.write_text("hello\n")
    with pytest.raises(SourceError, match=r"notes\.ics is not a calendar"):
        read_calendar(str(path), SINCE, UNTIL, tz=TZ)
    with pytest.raises(SourceError, match="No calendar file"):
        read_calendar(str(tmp_path / "missing.ics"), SINCE, UNTIL, tz=TZ)


def test_declined_by_a_contact_and_teams_properties() -> None:
    text = vcalendar(
        [
            "UID:t-1",
            "DTSTART:20261116T100000Z",
            "DTEND:20261116T110000Z",
            "SUMMARY:Review",
            "LOCATION:Conference room",
            "X-MICROSOFT-SKYPETEAMSMEETINGURL:https://teams.microsoft.com/l/meetup-join/x",
            attendee(ME),
            attendee("ana@example.org", "DECLINED"),
            attendee("bob@example.net"),
        ]
    )
    events = events_from_ics(text, SINCE, UNTIL, tz=TZ)
    result = propose(CONTACTS, (), events, own_addresses=[ME], now=NOW, tz=TZ)
    assert [
        (u.name, str(u.last_interaction.kind)) for u in result.updates if u.last_interaction
    ] == [("Bob Stone", "meeting")]
