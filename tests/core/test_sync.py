"""Matching mail and calendar to contacts: tables of cases and properties."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetsync.core.sync import (
    Attendee,
    InPersonRule,
    InteractionKind,
    MailFolder,
    ObservedEvent,
    ObservedMessage,
    SyncContact,
    SyncProposals,
    SyncRules,
    clean_subject,
    is_in_person,
    propose,
    render_what,
)

TZ = ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=TZ)
ME = "sam@example.com"
OWN = (ME, "sam.work@corp.example")

ANA = SyncContact("email:ana@example.org", "Ana Lima", "ana@example.org; ana@work.example")
BOB = SyncContact("email:bob@example.net", "Bob Stone", "Bob <bob@example.net>", "bobby@home.net")
CARL = SyncContact("name:carl weber", "Dr. Carl Weber")
CONTACTS = (ANA, BOB, CARL)


def at(day: int, hour: int = 10, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=TZ)


def sent(
    *to: str, day: int = 20, subject: str = "Hello", mid: str = "", **kw: object
) -> ObservedMessage:
    return ObservedMessage(
        date=at(day),
        sender=ME,
        to=to,
        subject=subject,
        message_id=mid or f"<{day}-{'-'.join(to)}-{subject}@x>",
        folder=MailFolder.SENT,
        **kw,  # type: ignore[arg-type]
    )


def received(
    sender: str, *, day: int = 20, subject: str = "Hi", mid: str = "", **kw: object
) -> ObservedMessage:
    return ObservedMessage(
        date=at(day),
        sender=sender,
        to=(ME,),
        subject=subject,
        message_id=mid or f"<{day}-{sender}-{subject}@x>",
        folder=MailFolder.RECEIVED,
        **kw,  # type: ignore[arg-type]
    )


def meeting(*people: str, day: int = 18, **kw: object) -> ObservedEvent:
    fields: dict[str, object] = {
        "uid": f"ev-{day}-{'-'.join(people)}",
        "start": at(day),
        "end": at(day, 11),
        "title": "Coffee",
        "attendees": (Attendee(ME, "ACCEPTED"), *(Attendee(p, "ACCEPTED") for p in people)),
    }
    fields.update(kw)
    return ObservedEvent(**fields)  # type: ignore[arg-type]


def run(
    messages: tuple[ObservedMessage, ...] = (),
    events: tuple[ObservedEvent, ...] = (),
    contacts: tuple[SyncContact, ...] = CONTACTS,
    **kw: object,
) -> SyncProposals:
    return propose(contacts, messages, events, own_addresses=OWN, now=NOW, tz=TZ, **kw)  # type: ignore[arg-type]


def moved(result: SyncProposals) -> dict[str, tuple[str, str]]:
    """Contact name -> (new last interaction, kind) for every update."""
    return {
        u.name: (u.last_interaction.when.isoformat(), str(u.last_interaction.kind))
        for u in result.updates
        if u.last_interaction is not None
    }


@pytest.mark.parametrize(
    ("subject", "clean"),
    [
        pytest.param("Re: Lunch", "Lunch", id="re"),
        pytest.param("RE: Fwd: Lunch", "Lunch", id="re-fwd"),
        pytest.param("AW: WG: Treffen", "Treffen", id="german"),
        pytest.param("SV: Möte", "Möte", id="swedish"),
        pytest.param("Re[2]: Lunch", "Lunch", id="numbered"),
        pytest.param("Fw:   Lunch  plans", "Lunch plans", id="spaces"),
        pytest.param("Re: [team] Re: Lunch", "[team] Re: Lunch", id="list-tag-stops"),
        pytest.param("Reply guy", "Reply guy", id="word-not-prefix"),
        pytest.param("Re:", "", id="only-prefix"),
    ],
)
def test_clean_subject(subject: str, clean: str) -> None:
    assert clean_subject(subject) == clean


def test_render_what_fills_only_known_fields() -> None:
    assert render_what("Email: {subject}", subject="Lunch") == "Email: Lunch"
    assert (
        render_what("{kind} / {title} {x} {0}", kind="meeting", title="T") == "meeting / T {x} {0}"
    )
    assert render_what("{subject.__class__}", subject="s") == "{subject.__class__}"


@pytest.mark.parametrize(
    ("messages", "expected", "skip"),
    [
        pytest.param(
            (sent("ana@example.org", subject="Re: Lunch"),),
            {"Ana Lima": ("2026-11-20", "email sent")},
            None,
            id="sent-to",
        ),
        pytest.param(
            (replace(sent(ME), cc=("BOB@example.net",)),),
            {"Bob Stone": ("2026-11-20", "email sent")},
            None,
            id="sent-cc-case-insensitive",
        ),
        pytest.param(
            (received("ana@work.example"),),
            {"Ana Lima": ("2026-11-20", "email received")},
            None,
            id="second-address-in-cell",
        ),
        pytest.param(
            (received("bobby@home.net"),),
            {"Bob Stone": ("2026-11-20", "email received")},
            None,
            id="other-emails-column",
        ),
        pytest.param(
            (sent("ana@example.org", "bob@example.net"),),
            {"Ana Lima": ("2026-11-20", "email sent"), "Bob Stone": ("2026-11-20", "email sent")},
            None,
            id="two-contacts-both-move",
        ),
        pytest.param(
            (received("ana@example.org", is_list=True),),
            {},
            "mailing list or bulk mail",
            id="list-id",
        ),
        pytest.param(
            (received("ana@example.org", is_bulk=True),), {}, "mailing list or bulk mail", id="bulk"
        ),
        pytest.param(
            (received("ana@example.org", is_auto=True),), {}, "automatic reply", id="auto-reply"
        ),
        pytest.param(
            (sent("ana@example.org", *(f"p{i}@x.org" for i in range(10))),),
            {},
            "too many recipients",
            id="eleven-recipients",
        ),
        pytest.param(
            (sent("ana@example.org", *(f"p{i}@x.org" for i in range(9))),),
            {"Ana Lima": ("2026-11-20", "email sent")},
            None,
            id="ten-recipients-count",
        ),
        pytest.param(
            (sent("sam.work@corp.example"),),
            {},
            "between the user's own addresses",
            id="to-myself",
        ),
        pytest.param(
            (received("sam.work@corp.example"),),
            {},
            "between the user's own addresses",
            id="from-myself",
        ),
        pytest.param((received("stranger@x.org"),), {}, "no contact", id="stranger"),
        pytest.param(
            (replace(received("ana@example.org"), folder=MailFolder.ALL),),
            {"Ana Lima": ("2026-11-20", "email received")},
            None,
            id="all-mail-received",
        ),
        pytest.param(
            (replace(sent("ana@example.org"), folder=MailFolder.ALL),),
            {"Ana Lima": ("2026-11-20", "email sent")},
            None,
            id="all-mail-sent",
        ),
        pytest.param(
            (received("ana@example.org", day=10), sent("ana@example.org", day=12)),
            {"Ana Lima": ("2026-11-12", "email sent")},
            None,
            id="newest-wins",
        ),
        pytest.param(
            (replace(received("ana@example.org"), date=at(28)),),
            {"Ana Lima": ("2026-11-22", "email received")},
            None,
            id="future-date-header-clamped-to-today",
        ),
    ],
)
def test_messages(
    messages: tuple[ObservedMessage, ...], expected: dict[str, tuple[str, str]], skip: str | None
) -> None:
    result = run(messages)
    assert moved(result) == expected
    if skip:
        assert result.skipped[skip] == 1


def test_what_is_the_template_with_the_clean_subject() -> None:
    result = run((sent("ana@example.org", subject="Re: Fwd: Lunch on Friday"),))
    assert result.updates[0].last_interaction is not None
    assert result.updates[0].last_interaction.what == "Email: Lunch on Friday"
    custom = run(
        (sent("ana@example.org", subject="AW: Lunch"),),
        rules=SyncRules(email_what="Mail ({kind}): {subject}"),
    )
    assert custom.history[0].what == "Mail (email sent): Lunch"
    assert run((sent("ana@example.org", subject=""),)).history[0].what == "Email: (no subject)"


def test_the_date_is_the_users_day_not_utc() -> None:
    late = replace(sent("ana@example.org"), date=dt.datetime(2026, 11, 20, 23, 30, tzinfo=dt.UTC))
    assert moved(run((late,))) == {"Ana Lima": ("2026-11-21", "email sent")}


def test_the_same_message_twice_is_one_interaction() -> None:
    one = sent("ana@example.org", mid="<same@x>")
    result = run((one, replace(one, folder=MailFolder.ALL)))
    assert len(result.history) == 1


@pytest.mark.parametrize(
    ("event", "expected", "skip"),
    [
        pytest.param(
            meeting("ana@example.org", location="Café Central, Wien"),
            {"Ana Lima": ("2026-11-18", "in person")},
            None,
            id="in-person",
        ),
        pytest.param(
            meeting("ana@example.org", location="https://meet.google.com/abc-defg-hij"),
            {"Ana Lima": ("2026-11-18", "meeting")},
            None,
            id="video-link-as-location",
        ),
        pytest.param(
            meeting("ana@example.org", location="Room 4", conference=("https://x.zoom.us/j/1",)),
            {"Ana Lima": ("2026-11-18", "meeting")},
            None,
            id="room-with-conference-data",
        ),
        pytest.param(
            meeting("ana@example.org", location="Microsoft Teams Meeting"),
            {"Ana Lima": ("2026-11-18", "meeting")},
            None,
            id="teams-words",
        ),
        pytest.param(
            meeting("ana@example.org"), {"Ana Lima": ("2026-11-18", "meeting")}, None, id="nowhere"
        ),
        pytest.param(
            meeting("ana@example.org", status="CANCELLED"), {}, "cancelled event", id="cancelled"
        ),
        pytest.param(
            meeting(
                "ana@example.org", attendees=(Attendee(ME, "DECLINED"), Attendee("ana@example.org"))
            ),
            {},
            "declined by the user",
            id="user-declined",
        ),
        pytest.param(
            meeting(
                attendees=(
                    Attendee(ME, "ACCEPTED"),
                    Attendee("ana@example.org", "DECLINED"),
                    Attendee("bob@example.net", "ACCEPTED"),
                )
            ),
            {"Bob Stone": ("2026-11-18", "meeting")},
            None,
            id="contact-declined-others-count",
        ),
        pytest.param(
            meeting(attendees=(), organizer="bobby@home.net"),
            {"Bob Stone": ("2026-11-18", "meeting")},
            None,
            id="organizer-counts",
        ),
        pytest.param(
            meeting(attendees=(), title="Lunch with Carl Weber"),
            {"Dr. Carl Weber": ("2026-11-18", "meeting")},
            None,
            id="title-full-name",
        ),
        pytest.param(
            meeting(attendees=(Attendee(ME),), organizer=ME, title="lunch w/ ANA LIMA"),
            {"Ana Lima": ("2026-11-18", "meeting")},
            None,
            id="title-only-me-attending",
        ),
        pytest.param(
            meeting(attendees=(), title="Ana Lima and Bob Stone"),
            {},
            "no contact",
            id="title-two-names-ambiguous",
        ),
        pytest.param(
            meeting(attendees=(), title="Lunch with Ana"), {}, "no contact", id="title-first-name"
        ),
        pytest.param(
            meeting("stranger@x.org", title="Lunch with Ana Lima"),
            {},
            "no contact",
            id="title-ignored-with-attendees",
        ),
        pytest.param(
            meeting("ana@example.org", start=dt.date(2026, 11, 15), end=dt.date(2026, 11, 16)),
            {"Ana Lima": ("2026-11-15", "meeting")},
            None,
            id="all-day",
        ),
        pytest.param(
            meeting(
                "ana@example.org", start=dt.datetime(2026, 11, 19, 23, 30, tzinfo=dt.UTC), end=None
            ),
            {"Ana Lima": ("2026-11-20", "meeting")},
            None,
            id="utc-event-on-the-users-day",
        ),
    ],
)
def test_events(
    event: ObservedEvent, expected: dict[str, tuple[str, str]], skip: str | None
) -> None:
    result = run(events=(event,))
    assert moved(result) == expected
    if skip:
        assert result.skipped[skip] == 1


def test_in_person_moves_both_cells_and_video_only_one() -> None:
    result = run(
        events=(
            meeting("ana@example.org", day=10, location="Café Central"),
            meeting("ana@example.org", day=15, location="https://zoom.us/j/123"),
        )
    )
    (update,) = result.updates
    assert update.last_interaction is not None and update.last_in_person is not None
    assert update.last_interaction.when == dt.date(2026, 11, 15)
    assert update.last_interaction.what == "Meeting: Coffee"
    assert update.last_in_person.when == dt.date(2026, 11, 10)
    assert update.last_in_person.kind is InteractionKind.IN_PERSON


@pytest.mark.parametrize(
    ("rule", "location", "links", "expected"),
    [
        pytest.param(InPersonRule.PHYSICAL_LOCATION, "Café", (), True, id="place"),
        pytest.param(InPersonRule.PHYSICAL_LOCATION, "", (), False, id="no-place"),
        pytest.param(
            InPersonRule.PHYSICAL_LOCATION,
            "Café",
            ("https://teams.microsoft.com/l/x",),
            False,
            id="teams-link-in-description",
        ),
        pytest.param(
            InPersonRule.PHYSICAL_LOCATION,
            "Café",
            ("https://cafe.example/menu",),
            True,
            id="other-link-in-description",
        ),
        pytest.param(InPersonRule.ANY_MEETING, "", (), True, id="any-meeting"),
        pytest.param(InPersonRule.NEVER, "Café", (), False, id="never"),
    ],
)
def test_in_person_rule(
    rule: InPersonRule, location: str, links: tuple[str, ...], expected: bool
) -> None:
    event = meeting("ana@example.org", location=location, links=links)
    assert is_in_person(event, SyncRules(in_person=rule)) is expected


def test_future_and_ongoing_events_are_upcoming_not_interactions() -> None:
    soon = meeting("ana@example.org", day=26, title="Lunch", location="Café")
    ongoing = meeting("bob@example.net", start=at(22, 8), end=at(22, 10))
    today_all_day = meeting(
        "ana@example.org", start=dt.date(2026, 11, 22), end=dt.date(2026, 11, 23)
    )
    result = run(events=(soon, ongoing, today_all_day))
    assert result.updates == [] and result.history == []
    assert [(u.name, u.start, u.title, u.in_person) for u in result.upcoming] == [
        ("Ana Lima", dt.date(2026, 11, 22), "Coffee", False),
        ("Bob Stone", at(22, 8), "Coffee", False),
        ("Ana Lima", at(26), "Lunch", True),
    ]


def test_recurring_occurrences_have_their_own_ids() -> None:
    weekly = [meeting("ana@example.org", day=d, uid="standup", recurring=True) for d in (4, 11, 18)]
    result = run(events=tuple(weekly))
    assert [h.source_id for h in result.history] == [
        f"standup/{at(d).isoformat()}" for d in (4, 11, 18)
    ]
    assert moved(result) == {"Ana Lima": ("2026-11-18", "meeting")}


@pytest.mark.parametrize(
    ("cell", "moves"),
    [
        pytest.param(None, True, id="empty-cell"),
        pytest.param(dt.date(2026, 11, 19), True, id="older-cell"),
        pytest.param(dt.date(2026, 11, 20), False, id="same-day"),
        pytest.param(dt.date(2026, 11, 21), False, id="newer-cell"),
    ],
)
def test_dates_only_move_forward(cell: dt.date | None, moves: bool) -> None:
    ana = replace(ANA, last_interaction=cell)
    result = run((sent("ana@example.org"),), contacts=(ana,))
    assert bool(result.updates) is moves
    assert len(result.history) == 1, "the history keeps it either way"


def test_known_pairs_leave_the_history_but_still_move_cells() -> None:
    message = sent("ana@example.org", "bob@example.net", mid="<m1@x>")
    result = run((message,), known={("<m1@x>", ANA.key)})
    assert [h.name for h in result.history] == ["Bob Stone"]
    assert set(moved(result)) == {"Ana Lima", "Bob Stone"}, "a crash before the cells is healed"


def test_an_address_shared_by_two_rows_updates_both() -> None:
    twin = SyncContact("name:ana lima 2", "Ana Lima (work)", "ana@work.example")
    result = run((received("ana@work.example"),), contacts=(ANA, twin))
    assert set(moved(result)) == {"Ana Lima", "Ana Lima (work)"}


# -- properties -------------------------------------------------------------------------

ADDRESSES = [
    "ana@example.org",
    "ana@work.example",
    "bob@example.net",
    "bobby@home.net",
    "stranger@x.org",
    ME,
    "sam.work@corp.example",
]
days = st.integers(min_value=1, max_value=30)

messages = st.builds(
    ObservedMessage,
    date=st.builds(lambda d, h: at(d, h), days, st.integers(0, 23)),
    sender=st.sampled_from(ADDRESSES),
    to=st.lists(st.sampled_from(ADDRESSES), max_size=3).map(tuple),
    cc=st.lists(st.sampled_from(ADDRESSES), max_size=2).map(tuple),
    subject=st.sampled_from(["Hi", "Re: Hi", "Lunch", ""]),
    message_id=st.integers(0, 40).map(lambda n: f"<m{n}@x>"),
    folder=st.sampled_from(list(MailFolder)),
    is_list=st.booleans(),
    is_auto=st.booleans(),
)
events = st.builds(
    lambda d, people, place, uid: meeting(*people, day=d, location=place, uid=f"e{uid}"),
    days,
    st.lists(st.sampled_from(ADDRESSES), max_size=3),
    st.sampled_from(["", "Café", "https://meet.google.com/x"]),
    st.integers(0, 40),
)
cells = st.none() | st.builds(lambda d: dt.date(2026, 11, d), days)
contacts = st.builds(
    lambda a, b, c, d: (
        replace(ANA, last_interaction=a, last_in_person=b),
        replace(BOB, last_interaction=c, last_in_person=d),
        CARL,
    ),
    cells,
    cells,
    cells,
    cells,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(messages, max_size=12), st.lists(events, max_size=6), contacts)
def test_dates_never_move_backward(
    msgs: list[ObservedMessage], evs: list[ObservedEvent], people: tuple[SyncContact, ...]
) -> None:
    by_key = {c.key: c for c in people}
    for update in run(tuple(msgs), tuple(evs), contacts=people).updates:
        contact = by_key[update.key]
        if update.last_interaction is not None and contact.last_interaction is not None:
            assert update.last_interaction.when > contact.last_interaction
        if update.last_in_person is not None and contact.last_in_person is not None:
            assert update.last_in_person.when > contact.last_in_person
        if update.last_in_person is not None:
            assert update.last_in_person.kind is InteractionKind.IN_PERSON


@settings(max_examples=150, deadline=None)
@given(st.lists(messages, max_size=12), st.lists(events, max_size=6), contacts)
def test_a_second_sync_changes_nothing(
    msgs: list[ObservedMessage], evs: list[ObservedEvent], people: tuple[SyncContact, ...]
) -> None:
    first = run(tuple(msgs), tuple(evs), contacts=people)
    applied = {c.key: c for c in people}
    for u in first.updates:
        contact = applied[u.key]
        if u.last_interaction is not None:
            contact = replace(contact, last_interaction=u.last_interaction.when)
        if u.last_in_person is not None:
            contact = replace(contact, last_in_person=u.last_in_person.when)
        applied[u.key] = contact
    known = {(h.source_id, h.key) for h in first.history}
    again = run(tuple(msgs), tuple(evs), contacts=tuple(applied.values()), known=known)
    assert again.updates == [] and again.history == []


@settings(max_examples=100, deadline=None)
@given(st.lists(messages, max_size=12), st.lists(events, max_size=6), st.randoms())
def test_order_of_the_input_does_not_matter(
    msgs: list[ObservedMessage], evs: list[ObservedEvent], rnd: object
) -> None:
    first = run(tuple(msgs), tuple(evs))
    shuffled_m, shuffled_e = list(msgs), list(evs)
    rnd.shuffle(shuffled_m)  # type: ignore[attr-defined]
    rnd.shuffle(shuffled_e)  # type: ignore[attr-defined]
    second = run(tuple(shuffled_m), tuple(shuffled_e))
    assert {(h.source_id, h.key) for h in first.history} == {
        (h.source_id, h.key) for h in second.history
    }
    assert moved(first) == moved(second)
