"""The scoring core: tables of cases at the boundaries, and properties of the ranking."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetsync.app import analyse
from sheetsync.config import Config, ScoringSettings
from sheetsync.core.scoring import STATUSES, queue, score

TODAY = dt.date(2026, 11, 22)
HEADER = [
    "Name",
    "Email",
    "Tier",
    "Last contacted",
    "What",
    "Last in person",
    "Every",
    "Snooze until",
    "Do not contact",
    "First met",
    "Drafted",
]


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def row(
    name: str = "Ada",
    *,
    tier: str = "",
    last: object = None,
    ip: object = None,
    every: object = None,
    snooze: object = None,
    dnc: object = None,
    first: object = None,
    drafted: object = None,
    email: str | None = None,
) -> list[object]:
    return [
        name,
        email or f"{name.lower().replace(' ', '.')}@example.com",
        tier,
        last,
        "chess",
        ip,
        every,
        snooze,
        dnc,
        first,
        drafted,
    ]


def scored(
    *rows: list[object], config: Config | None = None, today: dt.date = TODAY
) -> pd.DataFrame:
    analysis = analyse([HEADER, *rows], config or Config(), today)
    return analysis.scored.set_index("name", drop=False)


def one(r: list[object], **kw: object) -> pd.Series:
    return scored(r, **kw).iloc[0]  # type: ignore[arg-type]


# Default cadence 30 days; tiers A=14, B=30, C=91; due soon at 0.8, lapsed at 2.
@pytest.mark.parametrize(
    ("r", "status"),
    [
        pytest.param(row(last=ago(0)), "ok", id="talked-today"),
        pytest.param(row(last=ago(23)), "ok", id="just-below-due-soon"),
        pytest.param(row(last=ago(24)), "due soon", id="due-soon-at-0.8"),
        pytest.param(row(last=ago(29)), "due soon", id="day-before-due"),
        pytest.param(row(last=ago(30)), "overdue", id="due-today-is-overdue"),
        pytest.param(row(last=ago(59)), "overdue", id="just-below-lapsed"),
        pytest.param(row(last=ago(60)), "lapsed", id="lapsed-at-twice-cadence"),
        pytest.param(row(tier="A", last=ago(14)), "overdue", id="tier-a-two-weeks"),
        pytest.param(row(tier="c", last=ago(60)), "ok", id="tier-is-case-insensitive"),
        pytest.param(row(tier="A", every="quarterly", last=ago(60)), "ok", id="own-cadence-wins"),
        pytest.param(row(last=ago(100), snooze=ago(-5)), "snoozed", id="snoozed-ahead"),
        pytest.param(row(last=ago(100), snooze=ago(1)), "lapsed", id="snooze-ended"),
        pytest.param(row(last=ago(100), dnc="yes"), "do not contact", id="dnc-yes"),
        pytest.param(row(last=ago(100), dnc="no"), "lapsed", id="dnc-no"),
        pytest.param(row(last=ago(100), dnc="x"), "do not contact", id="dnc-any-mark"),
        pytest.param(row(last="someday"), "check data", id="unreadable-date"),
        pytest.param(row(last=ago(-3)), "check data", id="future-date"),
        pytest.param(row(last=None), "check data", id="no-date-at-all"),
        pytest.param(row(last=ago(10), every="sometimes"), "check data", id="bad-cadence"),
        pytest.param(row(last=ago(10), tier="Gold"), "check data", id="unknown-tier"),
        pytest.param(row(last=ago(3), ip=ago(3)), "new", id="met-3-days-ago"),
        pytest.param(row(last=ago(3), ip=ago(3), drafted=ago(1)), "new", id="new-already-drafted"),
        pytest.param(row(last=ago(20), ip=ago(20)), "ok", id="met-outside-new-window"),
        pytest.param(row(last=ago(3), ip=ago(40)), "ok", id="talked-but-not-met"),
        pytest.param(row(last=None, first=ago(2)), "new", id="first-met-no-interaction"),
        pytest.param(row(last=ago(1), first=ago(2)), "ok", id="talked-since-first-met"),
    ],
)
def test_status_table(r: list[object], status: str) -> None:
    assert one(r)["status"] == status


def test_check_data_note_names_the_cell() -> None:
    rec = one(row(last="someday"))
    assert "Last contacted (D2)" in rec["reason"] and "'someday'" in rec["reason"]


def test_future_date_note_says_so() -> None:
    assert "in the future" in one(row(last=ago(-3)))["reason"]


def test_next_followup_is_due_date() -> None:
    rec = one(row(tier="A", last=ago(3)))
    assert rec["next_followup"] == pd.Timestamp(ago(3) + dt.timedelta(days=14))


def test_snoozed_next_followup_is_snooze_date() -> None:
    assert one(row(last=ago(100), snooze=ago(-5)))["next_followup"] == pd.Timestamp(ago(-5))


def test_in_person_due_flag() -> None:
    assert one(row(last=ago(5), ip=ago(200)))["in_person_due"]
    assert not one(row(last=ago(5), ip=ago(100)))["in_person_due"]
    assert not one(row(last=ago(5)))["in_person_due"]


def test_drafted_this_cycle_is_not_queued_again() -> None:
    frame = scored(row(last=ago(90), drafted=ago(2)), row("Bo", last=ago(90), drafted=ago(95)))
    assert not frame.loc["Ada", "eligible"]
    assert frame.loc["Bo", "eligible"], "a draft older than the last interaction is a past cycle"


def test_new_contact_drafted_is_not_queued_again() -> None:
    rec = one(row(last=ago(3), ip=ago(3), drafted=ago(1)))
    assert rec["drafted_cycle"] and not rec["eligible"]


def test_new_contact_met_today_waits_a_day() -> None:
    rec = one(row(last=ago(0), ip=ago(0)))
    assert rec["status"] == "new" and not rec["eligible"]


def test_queue_puts_new_first_then_priority() -> None:
    frame = scored(
        row("Lapsed C", tier="C", last=ago(400)),
        row("New", last=ago(2), ip=ago(2)),
        row("Overdue A", tier="A", last=ago(20)),
        row("Ok", last=ago(1)),
    )
    to_draft, waiting = queue(frame, TODAY, 10)
    assert to_draft[0] == "New"
    assert set(to_draft) == {"New", "Lapsed C", "Overdue A"} and waiting == []


def test_cap_counts_drafts_made_today() -> None:
    rows = [row(f"P{i}", last=ago(100 + i)) for i in range(8)]
    rows.append(row("Done", last=ago(100), drafted=TODAY))
    frame = scored(*rows)
    to_draft, waiting = queue(frame, TODAY, 5)
    assert len(to_draft) == 4, "one of today's five drafts is already made"
    assert len(waiting) == 4
    prio = frame["priority"]
    assert min(prio[to_draft]) >= max(prio[waiting]), "the most stale are drafted first"


def test_cap_zero_drafts_nothing() -> None:
    frame = scored(row(last=ago(100)))
    assert queue(frame, TODAY, 0) == ([], list(frame.index))


def test_duplicates_are_check_data() -> None:
    frame = analyse([HEADER, row(last=ago(50)), row(last=ago(50))], Config(), TODAY).scored
    assert list(frame["status"]) == ["check data", "check data"]
    assert "merge them" in frame["reason"].iloc[0]


# --- properties -------------------------------------------------------------------------

tiers = st.sampled_from(["", "A", "B", "C"])
cadences = st.one_of(st.none(), st.integers(1, 400))
ips = st.one_of(st.none(), st.integers(0, 3000))
STATUS_RANK = {"ok": 0, "due soon": 1, "overdue": 2, "lapsed": 3}


@settings(max_examples=60, deadline=None)
@given(tier=tiers, every=cadences, ip=ips, d1=st.integers(0, 3000), d2=st.integers(0, 3000))
def test_score_is_monotonic_in_days_since(
    tier: str, every: int | None, ip: int | None, d1: int, d2: int
) -> None:
    lo, hi = sorted((d1, d2))
    # a contact whose last in-person meeting is not the last interaction is never "new"
    ip_date = None if ip is None else dt.date(2010, 1, 1) + dt.timedelta(days=ip)
    a = one(row(tier=tier, every=every, ip=ip_date, last=ago(lo)))
    b = one(row(tier=tier, every=every, ip=ip_date, last=ago(hi)))
    if ip_date is not None and ip_date in (ago(lo), ago(hi)):
        return
    assert b["score"] >= a["score"] - 1e-12
    assert STATUS_RANK[b["status"]] >= STATUS_RANK[a["status"]]


@settings(max_examples=60, deadline=None)
@given(days=st.integers(15, 3000), ip=ips)
def test_higher_tier_ranks_first_at_equal_silence(days: int, ip: int | None) -> None:
    ip_date = None if ip is None else ago(days + 1 + ip)
    frame = scored(
        row("Cee", tier="C", last=ago(days), ip=ip_date),
        row("Bee", tier="B", last=ago(days), ip=ip_date),
        row("Ay", tier="A", last=ago(days), ip=ip_date),
    )
    assert frame.loc["Ay", "priority"] > frame.loc["Bee", "priority"] > frame.loc["Cee", "priority"]
    order = [n for n in frame["name"] if frame.loc[n, "eligible"]]
    assert order == sorted(order, key=["Ay", "Bee", "Cee"].index)


@settings(max_examples=60, deadline=None)
@given(days=st.integers(1, 1000), ip1=st.integers(1, 3000), ip2=st.integers(1, 3000))
def test_in_person_silence_counts(days: int, ip1: int, ip2: int) -> None:
    near, far = sorted((ip1, ip2))
    frame = scored(
        row("Near", last=ago(days), ip=ago(days + near)),
        row("Far", last=ago(days), ip=ago(days + far)),
    )
    assert frame.loc["Far", "score"] >= frame.loc["Near", "score"]
    if days + far > 180 and far > near:
        assert frame.loc["Far", "score"] > frame.loc["Near", "score"]


@settings(max_examples=40, deadline=None)
@given(
    lasts=st.lists(st.one_of(st.none(), st.integers(-5, 2000)), min_size=1, max_size=25),
    cap=st.integers(0, 10),
    tier=tiers,
)
def test_queue_invariants(lasts: list[int | None], cap: int, tier: str) -> None:
    rows = [
        row(f"P{i}", tier=tier, last=None if d is None else ago(d)) for i, d in enumerate(lasts)
    ]
    config = Config(scoring=ScoringSettings(daily_cap=cap))
    frame = analyse([HEADER, *rows], config, TODAY).scored
    assert set(frame["status"]) <= set(STATUSES)
    assert (frame["score"].dropna() >= 0).all()
    to_draft, waiting = queue(frame, TODAY, cap)
    assert len(to_draft) <= cap
    assert set(to_draft) | set(waiting) == set(frame.index[frame["eligible"]])
    assert not set(to_draft) & set(waiting)
    pr = frame["priority"]
    if to_draft and waiting:
        assert min(pr[to_draft]) >= max(pr[waiting])


def test_score_is_pure() -> None:
    frame = analyse([HEADER, row(last=ago(40))], Config(), TODAY).scored
    before = frame.copy()
    first = score(frame, TODAY, ScoringSettings())
    second = score(frame, TODAY, ScoringSettings())
    pd.testing.assert_frame_equal(frame, before)
    pd.testing.assert_frame_equal(first, second)


# --- never contacted, with a planned first follow-up (import spreads these) --------------

PLANNED_HEADER = [*HEADER, "Next follow-up"]


def planned(name: str, plan: object, **kw: object) -> list[object]:
    return [*row(name, **kw), plan]  # type: ignore[arg-type]


def scored_planned(*rows: list[object], today: dt.date = TODAY) -> pd.DataFrame:
    frame = analyse([PLANNED_HEADER, *rows], Config(), today).scored
    return frame.set_index("name", drop=False)


@pytest.mark.parametrize(
    ("r", "status", "eligible"),
    [
        pytest.param(planned("Ada", ago(-20)), "ok", False, id="planned-in-three-weeks"),
        pytest.param(planned("Ada", ago(-5)), "due soon", False, id="planned-in-five-days"),
        pytest.param(planned("Ada", ago(0)), "overdue", True, id="planned-for-today"),
        pytest.param(planned("Ada", ago(70)), "lapsed", True, id="planned-long-ago"),
        pytest.param(planned("Ada", None), "check data", False, id="no-plan-no-date"),
        pytest.param(planned("Ada", ago(0), first=ago(400)), "overdue", True, id="old-connection"),
        pytest.param(planned("Ada", ago(9), first=ago(10)), "new", True, id="new-wins"),
        pytest.param(
            planned("Ada", ago(15), first=ago(16)),
            "check data",
            False,
            id="a-new-contacts-own-follow-up-is-no-plan",
        ),
        pytest.param(planned("Ada", ago(0), drafted=ago(0)), "overdue", False, id="drafted"),
        pytest.param(planned("Ada", ago(-40), last=ago(10)), "ok", False, id="talked-since"),
    ],
)
def test_never_contacted_with_a_plan(r: list[object], status: str, eligible: bool) -> None:
    rec = scored_planned(r).iloc[0]
    assert rec["status"] == status
    assert bool(rec["eligible"]) is eligible


def test_a_plan_is_kept_as_the_next_follow_up_and_days_since_stays_empty() -> None:
    rec = scored_planned(planned("Ada", ago(-12))).iloc[0]
    assert rec["next_followup"] == pd.Timestamp(ago(-12))
    assert pd.isna(rec["days"]) and bool(rec["never_contacted"])
    assert not bool(
        scored_planned(planned("Ada", ago(-12), last=ago(1))).iloc[0]["never_contacted"]
    )


@settings(max_examples=60, deadline=None)
@given(offset=st.integers(-200, 200), d1=st.integers(0, 400), d2=st.integers(0, 400))
def test_a_planned_contact_only_grows_staler(offset: int, d1: int, d2: int) -> None:
    plan = TODAY + dt.timedelta(days=offset)
    early, late = sorted((d1, d2))
    a = scored_planned(planned("Ada", plan), today=TODAY + dt.timedelta(days=early)).iloc[0]
    b = scored_planned(planned("Ada", plan), today=TODAY + dt.timedelta(days=late)).iloc[0]
    assert b["score"] >= a["score"] - 1e-12
    assert STATUS_RANK[b["status"]] >= STATUS_RANK[a["status"]]
