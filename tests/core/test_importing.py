"""Planning an import: duplicates, the cells filled, and first follow-ups spread out."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetsync.app import analyse
from sheetsync.config import Config
from sheetsync.core.identity import identity_keys
from sheetsync.core.importing import (
    Existing,
    append_plan,
    first_followup_dates,
    importance,
    load_ahead,
    plan_import,
)
from sheetsync.sources.model import Birthday, ImportedContact

from ..conftest import contact_grid

TODAY = dt.date(2026, 11, 22)
ALL_ROLES = {"name", "first_name", "email", "company", "where_met", "first_met"}


def day(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def person(name: str, *emails: str, line: int = 2, **kw: object) -> ImportedContact:
    return ImportedContact(name=name, line=line, emails=emails, **kw)  # type: ignore[arg-type]


def existing(row: int, name: str, email: str = "") -> Existing:
    return Existing(row, name, identity_keys(name, [email] if email else []))


SHEET = [
    existing(1, "Ada Lovelace", "ada@example.org"),
    existing(2, "Grace Brewster Hopper"),
    existing(3, "Zoë Müller", "zoe@example.net"),
]


@pytest.mark.parametrize(
    ("incoming", "reason"),
    [
        pytest.param(
            person("Augusta King", "ADA@example.org"), "same email as row 2", id="email-any-case"
        ),
        pytest.param(person("ada lovelace"), "same name as row 2", id="name-case"),
        pytest.param(person("Grace Hopper"), "same name as row 3", id="middle-name"),
        pytest.param(person("Zoe Muller"), "same name as row 4", id="accents"),
        pytest.param(person("Hopper, Grace"), "same name as row 3", id="last-first"),
        pytest.param(
            person("Ada Lovelace", "ada@home.example.net"),
            "though with another email (ada@home.example.net)",
            id="same-name-other-email",
        ),
    ],
)
def test_duplicates_of_the_sheet_are_skipped_with_the_reason(
    incoming: ImportedContact, reason: str
) -> None:
    plan = plan_import([incoming], SHEET, roles=ALL_ROLES, today=TODAY, daily_cap=5)
    assert plan.additions == []
    assert len(plan.skipped) == 1 and reason in plan.skipped[0].reason


def test_duplicates_within_the_file_are_skipped() -> None:
    plan = plan_import(
        [person("Kim Lee", "kim@example.com", line=2), person("kim  LEE", line=7)],
        [],
        roles=ALL_ROLES,
        today=TODAY,
        daily_cap=5,
    )
    assert [a.contact.line for a in plan.additions] == [2]
    assert plan.skipped[0].reason == "appears earlier in the file (line 2, same name)"


def test_new_people_fill_only_the_columns_the_sheet_has() -> None:
    incoming = person(
        "Amara Okafor",
        "amara@example.com",
        company="Lumen",
        where_met="LinkedIn, connected 14 Nov 2026",
        connected_on=dt.date(2026, 11, 14),
        first_name="Amara",
    )
    plan = plan_import([incoming], [], roles={"name", "email"}, today=TODAY, daily_cap=5)
    assert plan.additions[0].values == {"name": "Amara Okafor", "email": "amara@example.com"}
    assert plan.unfilled == ["company", "where met", "first met"]
    full = plan_import([incoming], [], roles=ALL_ROLES, today=TODAY, daily_cap=5)
    assert full.additions[0].values == {
        "name": "Amara Okafor",
        "first_name": "Amara",
        "email": "amara@example.com",
        "company": "Lumen",
        "where_met": "LinkedIn, connected 14 Nov 2026",
        "first_met": dt.date(2026, 11, 14),
    }


@pytest.mark.parametrize(
    ("birthday", "cell"),
    [
        pytest.param(Birthday(6, 15, 1988), dt.date(1988, 6, 15), id="with-year"),
        pytest.param(Birthday(2, 29), "--02-29", id="without-year"),
    ],
)
def test_a_birthday_is_filled_when_the_sheet_has_a_birthday_column(
    birthday: Birthday, cell: object
) -> None:
    incoming = person("Amara Okafor", birthday=birthday)
    plan = plan_import([incoming], [], roles={"name", "birthday"}, today=TODAY, daily_cap=5)
    assert plan.additions[0].values == {"name": "Amara Okafor", "birthday": cell}
    without = plan_import([incoming], [], roles={"name"}, today=TODAY, daily_cap=5)
    assert without.additions[0].values == {"name": "Amara Okafor"}
    assert without.unfilled == ["birthday"]


def test_a_future_connection_date_is_not_filled() -> None:
    incoming = person("Kai Berg", connected_on=day(3))
    plan = plan_import([incoming], [], roles=ALL_ROLES, today=TODAY, daily_cap=5)
    assert "first_met" not in plan.additions[0].values
    assert "in the future" in plan.warnings[0]


def test_most_important_first() -> None:
    plain = person("A Plain", line=2)
    recent = person("B Recent", line=3, connected_on=day(-10))
    older = person("C Older", line=4, connected_on=day(-400))
    mailable = person("D Mail", "d@example.com", line=5)
    starred = person("E Star", line=6, starred=True)
    people = [plain, recent, older, mailable, starred]
    order = sorted(range(len(people)), key=lambda i: importance(people[i], i))
    assert [people[i].name for i in order] == ["E Star", "D Mail", "B Recent", "C Older", "A Plain"]
    plan = plan_import(people, [], roles=ALL_ROLES, today=TODAY, daily_cap=1)
    dates = {a.contact.name: a.follow_up for a in plan.additions}
    assert dates == {
        "E Star": day(1),
        "D Mail": day(2),
        "B Recent": day(3),
        "C Older": day(4),
        "A Plain": day(5),
    }
    assert [a.contact.name for a in plan.additions] == [p.name for p in people], "file order"


@pytest.mark.parametrize(
    ("count", "cap", "booked", "backlog", "expected"),
    [
        pytest.param(7, 3, {}, 0, [1, 1, 1, 2, 2, 2, 3], id="cap-a-day-from-tomorrow"),
        pytest.param(3, 2, {1: 2, 2: 1}, 0, [2, 3, 3], id="days-already-booked"),
        pytest.param(2, 5, {}, 12, [2, 2], id="backlog-drains-first"),
        pytest.param(3, 0, {}, 0, [1, 2, 3], id="cap-zero-one-a-day"),
        pytest.param(2, 2, {1: 5}, 0, [3, 4], id="overbooked-day-spills"),
    ],
)
def test_first_followup_dates(
    count: int, cap: int, booked: dict[int, int], backlog: int, expected: list[int]
) -> None:
    got = first_followup_dates(
        count,
        today=TODAY,
        daily_cap=cap,
        booked={day(k): v for k, v in booked.items()},
        backlog=backlog,
    )
    assert got == [day(n) for n in expected]


@settings(max_examples=200, deadline=None)
@given(
    count=st.integers(0, 60),
    cap=st.integers(0, 8),
    booked=st.dictionaries(st.integers(1, 20), st.integers(0, 10), max_size=10),
    backlog=st.integers(0, 30),
)
def test_spread_never_exceeds_the_cap(
    count: int, cap: int, booked: dict[int, int], backlog: int
) -> None:
    booked_days = {day(k): v for k, v in booked.items()}
    got = first_followup_dates(
        count, today=TODAY, daily_cap=cap, booked=booked_days, backlog=backlog
    )
    assert len(got) == count
    assert got == sorted(got) and all(d > TODAY for d in got)
    per_day = max(1, cap)
    for d, n in Counter(got).items():
        assert n + booked_days.get(d, 0) <= per_day
    if got:
        assert got[-1] <= TODAY + dt.timedelta(days=count + sum(booked.values()) + backlog + 1), (
            "no day is left empty without reason"
        )


def test_append_plan_carries_values_and_the_planned_date() -> None:
    plan = plan_import(
        [person("Amara Okafor", "amara@example.com", line=9)],
        [],
        roles={"name", "email"},
        today=TODAY,
        daily_cap=5,
    )
    rows = append_plan(plan, {}, Config().status_columns).rows
    assert len(rows) == 1
    assert rows[0].label == "Amara Okafor (line 9)"
    assert rows[0].values == {"name": "Amara Okafor", "email": "amara@example.com"}
    assert rows[0].owned == {"next_followup": day(1)}
    assert "email:amara@example.com" in rows[0].keys


def test_load_ahead_counts_coming_and_current_follow_ups() -> None:
    header = ["Name", "Email", "Tier", "Last contacted", "What", "Last in person"]
    grid = contact_grid(
        ["Due", "due@example.com", "", TODAY - dt.timedelta(days=40), "x", None],
        ["Soon", "soon@example.com", "", TODAY - dt.timedelta(days=28), "x", None],
        ["Later", "later@example.com", "", TODAY - dt.timedelta(days=1), "x", None],
        ["Broken", "b@example.com", "", "someday", "x", None],
        header=header,
    )
    scored = analyse(grid, Config(), TODAY).scored
    booked, backlog = load_ahead(scored, TODAY)
    assert backlog == 1
    assert booked == {day(2): 1, day(29): 1}
