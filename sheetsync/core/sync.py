"""Which contacts the user's mail and calendar show they were in touch with, and when.

Pure: the sources (``sheetsync.sources.imap_mail``, ``sheetsync.sources.calendars``)
turn a mailbox and a calendar into :class:`ObservedMessage` and
:class:`ObservedEvent` values; :func:`propose` matches them to the sheet's
contacts and says, per contact, which cell would move forward and why.

The rules (issue 13):

- A message counts for the contacts it was sent to (To or Cc) when the user
  sent it, and for its sender when the user received it.  Mailing lists and
  bulk mail, automatic replies, messages with more recipients than
  ``max_recipients`` and messages between the user's own addresses count for
  nobody.  A message to two contacts counts for both.
- A calendar event counts for its attendees and organiser.  Cancelled events,
  events the user declined, and an attendee's own declined invitation do not
  count.  Without other attendees, an event counts for the one contact whose
  full name its title holds (two words at least, and only when exactly one
  contact matches).  An event that has not ended is *upcoming*: no interaction
  yet, but the queue can say "meeting Ana on Thursday".
- Dates only move forward: a proposal on or before the date already in the
  cell is dropped.  The history keeps every matched interaction whose
  (source id, contact key) is not known yet, so syncing twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import re
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from .addresses import email_addresses
from .identity import fold_text, folded_name, name_key


class MailFolder(enum.StrEnum):
    """Where a message was found: it decides who the other side is."""

    SENT = "sent"
    RECEIVED = "received"
    ALL = "all"  # Gmail's All Mail: sent when the sender is one of the user's addresses


class InteractionKind(enum.StrEnum):
    EMAIL_SENT = "email sent"
    EMAIL_RECEIVED = "email received"
    MEETING = "meeting"
    IN_PERSON = "in person"
    LOGGED = "logged"  # ``sheetsync log``: not made here, named for the history's sake


class InPersonRule(enum.StrEnum):
    """When a past meeting also moves "Last in person"."""

    PHYSICAL_LOCATION = "physical location"  # a location and no video link (the default)
    ANY_MEETING = "any meeting"
    NEVER = "never"


@dataclass(frozen=True)
class ObservedMessage:
    """The headers of one message that matter here; never its body."""

    date: dt.datetime
    sender: str  # the From address
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    subject: str = ""
    message_id: str = ""
    folder: MailFolder = MailFolder.RECEIVED
    is_list: bool = False  # List-Id or List-Unsubscribe
    is_bulk: bool = False  # Precedence: bulk, list or junk
    is_auto: bool = False  # Auto-Submitted other than "no"

    @property
    def source_id(self) -> str:
        if self.message_id.strip():
            return self.message_id.strip()
        digest = hashlib.sha256(
            f"{self.date.isoformat()}\x1f{self.sender}\x1f{self.subject}".encode()
        ).hexdigest()[:16]
        return f"<no-message-id-{digest}>"


@dataclass(frozen=True)
class Attendee:
    email: str
    partstat: str = "NEEDS-ACTION"  # RFC 5545: ACCEPTED, DECLINED, TENTATIVE, ...
    name: str = ""


@dataclass(frozen=True)
class ObservedEvent:
    """One occurrence of a calendar event (recurrences already expanded).

    ``start``/``end`` are dates for all-day events and datetimes otherwise (a
    naive datetime is read in the user's time zone).  ``conference`` holds
    conference data (Google's hangout link, RFC 7986 CONFERENCE); ``links`` the
    URLs found in the description, only so a video link can be recognised.
    """

    uid: str
    start: dt.date | dt.datetime
    end: dt.date | dt.datetime | None = None
    title: str = ""
    status: str = "CONFIRMED"  # or TENTATIVE, CANCELLED
    organizer: str = ""
    attendees: tuple[Attendee, ...] = ()
    location: str = ""
    conference: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    recurring: bool = False

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, dt.datetime)

    @property
    def source_id(self) -> str:
        """The UID, and for one occurrence of a recurring event also its start."""
        if not self.recurring:
            return self.uid
        return f"{self.uid}/{self.start.isoformat()}"


@dataclass(frozen=True)
class SyncContact:
    """What the sync needs of one contact row; ``email``/``other_emails`` are cell texts."""

    key: str
    name: str
    email: str = ""
    other_emails: str = ""
    last_interaction: dt.date | None = None
    last_in_person: dt.date | None = None

    def addresses(self) -> list[str]:
        return email_addresses(f"{self.email} {self.other_emails}")


#: Hosts whose links are video meetings: Google Meet, Zoom, Teams, Webex, Jitsi, ...
VIDEO_HOSTS = (
    "meet.google.com",
    "zoom.us",
    "zoom.com",
    "teams.microsoft.com",
    "teams.live.com",
    "webex.com",
    "meet.jit.si",
    "whereby.com",
    "gotomeeting.com",
    "meet.goto.com",
    "chime.aws",
    "facetime.apple.com",
)
#: Locations that name a video service rather than a place ("Microsoft Teams Meeting").
VIRTUAL_WORDS = ("teams meeting", "zoom", "google meet", "webex", "video call", "online")


@dataclass(frozen=True)
class SyncRules:
    max_recipients: int = 10
    in_person: InPersonRule = InPersonRule.PHYSICAL_LOCATION
    video_hosts: tuple[str, ...] = VIDEO_HOSTS
    email_what: str = "Email: {subject}"
    meeting_what: str = "Meeting: {title}"


@dataclass(frozen=True)
class HistoryEntry:
    """One matched interaction with one contact: a history row, and why a cell moves."""

    key: str
    name: str
    when: dt.date
    kind: InteractionKind
    what: str
    source_id: str
    at: dt.datetime  # the moment, to order interactions on the same day


@dataclass(frozen=True)
class ContactUpdate:
    """The cells to move forward for one contact, each with the interaction behind it."""

    key: str
    name: str
    last_interaction: HistoryEntry | None = None
    last_in_person: HistoryEntry | None = None


@dataclass(frozen=True)
class Upcoming:
    """A future (or ongoing) event with a contact: no need to draft to them."""

    key: str
    name: str
    start: dt.date | dt.datetime
    title: str
    source_id: str
    in_person: bool


@dataclass
class SyncProposals:
    updates: list[ContactUpdate] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)  # new rows, oldest first
    upcoming: list[Upcoming] = field(default_factory=list)  # soonest first
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> messages/events


_PREFIX = re.compile(
    r"^\s*(?:(?:re|fwd?|aw|sv|vs|wg|tr|antw|rif|ref|r)(?:\[\d+\]|\(\d+\))?\s*[:：]\s*)+",
    re.IGNORECASE,
)
_FIELD = re.compile(r"\{(subject|title|kind)\}")


def clean_subject(subject: str) -> str:
    """A subject without its Re:/Fwd:/AW:/SV: prefixes and folded whitespace."""
    text = " ".join(subject.split())
    previous = None
    while previous != text:  # "Re: [x] Fwd: y" keeps its tag; "Re: Fwd: y" loses both
        previous, text = text, _PREFIX.sub("", text).strip()
    return text


def render_what(template: str, **fields: str) -> str:
    """``template`` with ``{subject}``, ``{title}`` and ``{kind}`` filled in; nothing else."""
    text = _FIELD.sub(lambda m: fields.get(m.group(1), m.group(0)), template)
    return " ".join(text.split())


def _local(moment: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)


def _moment(value: dt.date | dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return _local(value, tz)
    return dt.datetime.combine(value, dt.time(), tzinfo=tz)


class _Directory:
    """The contacts looked up by address and by full name."""

    def __init__(self, contacts: Iterable[SyncContact]):
        self.by_address: dict[str, list[SyncContact]] = {}
        self.by_name: dict[str, list[SyncContact]] = {}
        for contact in contacts:
            for address in contact.addresses():
                self.by_address.setdefault(address, []).append(contact)
            names = {folded_name(contact.name), name_key(contact.name)}
            for name in names:
                if len(name.split()) >= 2:
                    self.by_name.setdefault(name, []).append(contact)
        self.longest = max((len(n.split()) for n in self.by_name), default=0)

    def for_addresses(self, addresses: Iterable[str]) -> list[SyncContact]:
        found: dict[str, SyncContact] = {}
        for address in addresses:
            for contact in self.by_address.get(address.strip().casefold(), ()):
                found.setdefault(contact.key, contact)
        return list(found.values())

    def for_title(self, title: str) -> SyncContact | None:
        """The one contact whose full name the title holds, word for word."""
        words = fold_text(title).split()
        found: dict[str, SyncContact] = {}
        for start in range(len(words)):
            for length in range(2, self.longest + 1):
                for contact in self.by_name.get(" ".join(words[start : start + length]), ()):
                    found.setdefault(contact.key, contact)
        return next(iter(found.values())) if len(found) == 1 else None


def _counterparts(
    message: ObservedMessage, own: frozenset[str], max_recipients: int
) -> tuple[tuple[str, ...], bool] | str:
    """The other side's addresses and whether the user sent it, or why it counts for nobody."""
    if message.is_list or message.is_bulk:
        return "mailing list or bulk mail"
    if message.is_auto:
        return "automatic reply"
    recipients = {a.strip().casefold() for a in (*message.to, *message.cc) if a.strip()}
    if len(recipients) > max_recipients:
        return "too many recipients"
    sender = message.sender.strip().casefold()
    sent = message.folder is MailFolder.SENT or (message.folder is MailFolder.ALL and sender in own)
    others = tuple(sorted(recipients - own)) if sent else (() if sender in own else (sender,))
    return (others, sent) if others else "between the user's own addresses"


def _message_interactions(
    messages: Iterable[ObservedMessage],
    directory: _Directory,
    own: frozenset[str],
    rules: SyncRules,
    tz: dt.tzinfo,
    today: dt.date,
    skipped: Counter[str],
) -> Iterable[HistoryEntry]:
    for message in messages:
        found = _counterparts(message, own, rules.max_recipients)
        if isinstance(found, str):
            skipped[found] += 1
            continue
        others, sent = found
        contacts = directory.for_addresses(others)
        if not contacts:
            skipped["no contact"] += 1
            continue
        kind = InteractionKind.EMAIL_SENT if sent else InteractionKind.EMAIL_RECEIVED
        subject = clean_subject(message.subject) or "(no subject)"
        what = render_what(rules.email_what, subject=subject, title=subject, kind=str(kind))
        at = _local(message.date, tz)
        when = min(at.date(), today)  # a Date header from a clock ahead of ours
        for contact in contacts:
            yield HistoryEntry(contact.key, contact.name, when, kind, what, message.source_id, at)


def is_video_link(url: str, hosts: Sequence[str]) -> bool:
    match = re.match(r"^[a-z][a-z0-9+.-]*://([^/?#:]+)", url.strip(), re.IGNORECASE)
    if not match:
        return False
    host = match.group(1).casefold()
    return any(host == h or host.endswith("." + h) for h in hosts)


def is_in_person(event: ObservedEvent, rules: SyncRules) -> bool:
    """Whether a meeting counts as in person under ``rules.in_person``."""
    if rules.in_person is InPersonRule.NEVER:
        return False
    if rules.in_person is InPersonRule.ANY_MEETING:
        return True
    location = event.location.strip()
    if not location or event.conference:
        return False
    if re.search(r"[a-z][a-z0-9+.-]*://", location, re.IGNORECASE):
        return False
    folded = location.casefold()
    if any(word in folded for word in VIRTUAL_WORDS):
        return False
    return not any(is_video_link(url, rules.video_hosts) for url in event.links)


def _event_contacts(
    event: ObservedEvent, directory: _Directory, own: frozenset[str]
) -> list[SyncContact] | str:
    if event.status.strip().upper() == "CANCELLED":
        return "cancelled event"
    people = [a for a in event.attendees if a.email.strip()]
    if any(a.email.strip().casefold() in own and a.partstat.upper() == "DECLINED" for a in people):
        return "declined by the user"
    others = [a.email for a in people if a.email.strip().casefold() not in own]
    declined = {
        a.email.strip().casefold() for a in people if a.partstat.strip().upper() == "DECLINED"
    }
    if event.organizer.strip() and event.organizer.strip().casefold() not in own:
        others.append(event.organizer)
    if others:
        attending = [a for a in others if a.strip().casefold() not in declined]
        return directory.for_addresses(attending) or "no contact"
    by_title = directory.for_title(event.title)
    return [by_title] if by_title is not None else "no contact"


def _event_end(event: ObservedEvent, tz: dt.tzinfo) -> dt.datetime:
    if event.end is not None:
        return _moment(event.end, tz)
    if event.all_day:
        return _moment(event.start, tz) + dt.timedelta(days=1)
    return _moment(event.start, tz)


def propose(
    contacts: Iterable[SyncContact],
    messages: Iterable[ObservedMessage] = (),
    events: Iterable[ObservedEvent] = (),
    *,
    own_addresses: Iterable[str],
    now: dt.datetime,
    tz: dt.tzinfo,
    rules: SyncRules | None = None,
    known: Collection[tuple[str, str]] = (),
) -> SyncProposals:
    """What the messages and events say about each contact, as of ``now`` in ``tz``.

    ``known`` holds the (source id, contact key) pairs already in the history;
    they are left out of ``history`` but still move cells (a run that stopped
    after writing the history and before the cells is finished by the next).
    """
    rules = rules or SyncRules()
    own = frozenset(a.strip().casefold() for a in own_addresses if a.strip())
    known = frozenset(known)
    people = list(contacts)
    directory = _Directory(people)
    now = _local(now, tz)
    today = now.date()
    result = SyncProposals()
    found = list(_message_interactions(messages, directory, own, rules, tz, today, result.skipped))
    found.extend(_event_interactions(events, directory, own, rules, tz, now, result))
    newest: dict[str, HistoryEntry] = {}
    met: dict[str, HistoryEntry] = {}
    seen: set[tuple[str, str]] = set()
    for item in sorted(found, key=_order):
        pair = (item.source_id, item.key)
        if pair in seen:  # the same message in Sent and in All Mail
            continue
        seen.add(pair)
        if pair not in known:
            result.history.append(item)
        newest[item.key] = item
        if item.kind is InteractionKind.IN_PERSON:
            met[item.key] = item
    for contact in people:
        last = newest.get(contact.key)
        if last is not None and contact.last_interaction and last.when <= contact.last_interaction:
            last = None
        person = met.get(contact.key)
        if person is not None and contact.last_in_person and person.when <= contact.last_in_person:
            person = None
        if last is not None or person is not None:
            result.updates.append(ContactUpdate(contact.key, contact.name, last, person))
    result.upcoming.sort(key=lambda u: (_moment(u.start, tz), u.key, u.source_id))
    return result


def _order(item: HistoryEntry) -> tuple[dt.date, dt.datetime, str, str, str, str]:
    return (item.when, item.at, item.source_id, item.key, item.kind, item.what)


def _event_interactions(
    events: Iterable[ObservedEvent],
    directory: _Directory,
    own: frozenset[str],
    rules: SyncRules,
    tz: dt.tzinfo,
    now: dt.datetime,
    result: SyncProposals,
) -> Iterable[HistoryEntry]:
    for event in events:
        matched = _event_contacts(event, directory, own)
        if isinstance(matched, str):
            result.skipped[matched] += 1
            continue
        in_person = is_in_person(event, rules)
        title = " ".join(event.title.split()) or "(no title)"
        if _event_end(event, tz) > now:
            for contact in matched:
                result.upcoming.append(
                    Upcoming(
                        contact.key, contact.name, event.start, title, event.source_id, in_person
                    )
                )
            continue
        kind = InteractionKind.IN_PERSON if in_person else InteractionKind.MEETING
        what = render_what(rules.meeting_what, title=title, subject=title, kind=str(kind))
        at = _moment(event.start, tz)
        for contact in matched:
            yield HistoryEntry(
                contact.key, contact.name, at.date(), kind, what, event.source_id, at
            )


__all__ = [
    "Attendee",
    "ContactUpdate",
    "HistoryEntry",
    "InPersonRule",
    "InteractionKind",
    "MailFolder",
    "ObservedEvent",
    "ObservedMessage",
    "SyncContact",
    "SyncProposals",
    "SyncRules",
    "Upcoming",
    "clean_subject",
    "is_in_person",
    "is_video_link",
    "propose",
    "render_what",
]
