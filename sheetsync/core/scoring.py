"""The scoring core: how stale each relationship is, and who to contact first.

Pure and vectorised: it takes the contacts frame, ``today`` and the settings,
and returns new columns.  No I/O, no clock.

The model, in plain words (the README says the same):

* ``days`` is the number of days since the last interaction; ``cadence`` is how
  often this person should hear from you (their own cell, else their tier's,
  else the default).  ``ratio = days / cadence``: 0 just after you talked, 1 on
  the day a follow-up is due.
* In person: when ``last in person`` is older than the in-person cadence, the
  excess counts too: ``score = ratio + in_person_weight * max(0, ip_days /
  ip_cadence - 1)``.  The score never falls as days pass.
* Status from the ratio: ``ok`` below ``due_soon_ratio`` (0.8), ``due soon``
  below 1, ``overdue`` below ``lapsed_ratio`` (2), then ``lapsed``.  Before
  that come ``check data`` (a cell could not be read), ``do not contact``,
  ``snoozed`` (snooze date still ahead) and ``new``.
* ``new``: someone met within the last ``new_window`` days (14) with nothing
  recorded since.  Met means the "first met" date, or
  without such a column, a last in-person meeting that is also the last
  interaction.  Their first follow-up is due the day after meeting, and they
  go to the front of the queue: strike while the iron is hot.
* Never contacted: someone with no last interaction but a first follow-up
  that sheetsync planned for them (the "Next follow-up" it wrote, which
  ``import`` spreads over the coming weeks) is scored as if that plan were
  where a follow-up falls due: the missing last interaction reads as
  ``planned - cadence``.  So they are ``ok`` or ``due soon`` until the planned
  day, ``overdue`` from it and ``lapsed`` long after, with no "days since".
  Without a plan, an empty last interaction is ``check data`` as before; a
  plan no later than the end of the "new" window is the one the run itself
  wrote for a new contact, and is not a plan.
* The queue: new contacts first, then by ``priority = score * tier weight``;
  ties go to the longer silence.  Only new, overdue and lapsed contacts whose
  current follow-up has not been drafted are queued, and at most
  ``daily_cap`` drafts are made per day; the rest wait, most stale first.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .settings import ScoringSettings
from .status import DRAFTABLE, Status

#: Every status, in the order the scoring model checks them.
STATUSES = tuple(Status)


def _days_between(today: pd.Timestamp, dates: pd.Series) -> pd.Series:
    days: pd.Series = (today - dates).dt.days.astype(float)
    return days


def score(frame: pd.DataFrame, today: dt.date, settings: ScoringSettings) -> pd.DataFrame:
    """The frame with scoring columns added (a new frame; the input is not changed).

    Added: ``days``, ``ip_days``, ``ratio``, ``score``, ``in_person_due``,
    ``is_new``, ``never_contacted``, ``drafted_cycle``, ``status``,
    ``next_followup``, ``eligible``, ``priority``, ``reason`` (the note text for
    check-data rows).
    """
    out = frame.copy()
    t = pd.Timestamp(today)
    last = out["last_interaction"]
    days = _days_between(t, last)
    ip_days = _days_between(t, out["last_in_person"])
    cadence = out["cadence"].astype(float)

    anchor = out["first_met"].where(
        out["first_met"].notna(),
        out["last_in_person"].where(out["last_in_person"] == last),
    )
    new_days = _days_between(t, anchor)
    # Never contacted: a planned first follow-up stands in for a due date.
    planned = out["planned"] if "planned" in out.columns else pd.Series(pd.NaT, index=out.index)
    window_end = anchor + pd.Timedelta(days=settings.new_window)
    has_plan = last.isna() & planned.notna() & (anchor.isna() | (planned > window_end))
    stand_in = (planned - pd.to_timedelta(cadence, unit="D")).where(has_plan)
    effective = last.where(last.notna(), stand_in)
    ratio = _days_between(t, effective) / cadence
    ip_over = (ip_days / settings.in_person_cadence - 1).clip(lower=0).fillna(0.0)
    regular = ratio + settings.in_person_weight * ip_over

    drafted = out["drafted"]
    # A follow-up belongs to the last interaction it follows; it was drafted when the
    # Drafted date is later than that interaction (drafts are never made on day 0).
    since = last.where(last.notna(), anchor)
    since = since.where(since.notna(), effective)
    drafted_cycle = drafted.notna() & since.notna() & (drafted > since)
    # Still "new" after the first follow-up is drafted, until the user records an
    # interaction: the status then says the same thing on every run that day.
    is_new = anchor.notna() & (new_days <= settings.new_window) & (last.isna() | (last <= anchor))
    new_score = 1.0 + new_days / settings.new_window

    problem = out["problem"].astype(str) != ""
    snoozed = out["snooze_until"].notna() & (out["snooze_until"] > t)
    no_last = effective.isna()
    conditions = [
        problem,
        out["dnc"].astype(bool),
        snoozed,
        is_new,
        no_last,
        ratio >= settings.lapsed_ratio,
        ratio >= 1.0,
        ratio >= settings.due_soon_ratio,
    ]
    choices = [
        Status.CHECK_DATA,
        Status.DO_NOT_CONTACT,
        Status.SNOOZED,
        Status.NEW,
        Status.CHECK_DATA,
        Status.LAPSED,
        Status.OVERDUE,
        Status.DUE_SOON,
    ]
    status = pd.Series(
        np.select(conditions, choices, default=Status.OK), index=out.index, dtype=object
    )

    scored = np.where(status == Status.NEW, new_score, regular)
    scored = np.where(status.isin([Status.CHECK_DATA, Status.DO_NOT_CONTACT]), np.nan, scored)
    out["days"] = days
    out["ip_days"] = ip_days
    out["ratio"] = ratio
    out["score"] = scored
    out["in_person_due"] = ip_days >= settings.in_person_cadence
    out["is_new"] = status == Status.NEW
    out["never_contacted"] = has_plan & (status != Status.NEW)
    out["drafted_cycle"] = drafted_cycle
    out["status"] = status
    out["reason"] = out["problem"].where(problem, out["missing_last"].where(no_last, ""))
    out["reason"] = out["reason"].where(status == Status.CHECK_DATA, "")

    due = effective + pd.to_timedelta(cadence, unit="D")
    nxt = pd.Series(pd.NaT, index=out.index, dtype="datetime64[s]")
    regular_status = status.isin([Status.OK, Status.DUE_SOON, Status.OVERDUE, Status.LAPSED])
    nxt = nxt.where(~regular_status, due.dt.floor("D"))
    nxt = nxt.where(status != Status.NEW, anchor + pd.Timedelta(days=1))
    nxt = nxt.where(status != Status.SNOOZED, out["snooze_until"])
    out["next_followup"] = nxt

    too_fresh = (status == Status.NEW) & (new_days < 1)
    out["eligible"] = status.isin(list(DRAFTABLE)) & ~drafted_cycle & ~too_fresh
    out["priority"] = out["score"] * out["weight"]
    return out


def queue(scored: pd.DataFrame, today: dt.date, daily_cap: int) -> tuple[list[int], list[int]]:
    """The frame labels to draft today and those that wait, both most urgent first.

    Drafts already made today (Drafted is today) count against ``daily_cap``, so
    running twice in a day never exceeds it.
    """
    eligible = scored[scored["eligible"]]
    ordered = eligible.assign(_new=eligible["is_new"].astype(int)).sort_values(
        ["_new", "priority", "days", "row"],
        ascending=[False, False, False, True],
        kind="mergesort",
    )
    made_today = int((scored["drafted"] == pd.Timestamp(today)).sum())
    room = max(0, daily_cap - made_today)
    labels = list(ordered.index)
    return labels[:room], labels[room:]


def ranked(scored: pd.DataFrame) -> pd.DataFrame:
    """All contacts ordered for a person to read: queue order, then the rest by staleness."""
    order = scored.assign(
        _eligible=scored["eligible"].astype(int),
        _new=scored["is_new"].astype(int),
        _priority=scored["priority"].fillna(-1.0),
    )
    order = order.sort_values(
        ["_eligible", "_new", "_priority", "days", "row"],
        ascending=[False, False, False, False, True],
        kind="mergesort",
    )
    return order.drop(columns=["_eligible", "_new", "_priority"])
