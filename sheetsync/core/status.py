"""The named values a run decides: a contact's status and what was done about a draft.

Each is defined here once.  They are ``StrEnum`` members, so they compare equal
to, and print as, the plain words written into the sheet and the JSON report.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """How stale a relationship is (the sheet's Status column)."""

    NEW = "new"
    OK = "ok"
    DUE_SOON = "due soon"
    OVERDUE = "overdue"
    LAPSED = "lapsed"
    SNOOZED = "snoozed"
    DO_NOT_CONTACT = "do not contact"
    CHECK_DATA = "check data"


#: Statuses whose contacts are queued for a follow-up draft.
DRAFTABLE = frozenset({Status.NEW, Status.OVERDUE, Status.LAPSED})
#: Statuses that never get a draft, whatever else holds.
NEVER_DRAFTED = frozenset({Status.DO_NOT_CONTACT, Status.CHECK_DATA, Status.SNOOZED})


class Action(StrEnum):
    """What a run did about a contact's draft (empty: nothing to do)."""

    NONE = ""
    DRAFTED = "drafted"
    DRAFT_EXISTS = "draft exists"
    WOULD_DRAFT = "would draft"
    NO_DRAFT = "no draft"
    WAITING = "waiting"
    #: ``status`` only: queued for today's run
    TO_DRAFT = "to draft"


#: Actions after which the contact has a draft (or would have one, in a dry run).
HAS_DRAFT = frozenset({Action.DRAFTED, Action.DRAFT_EXISTS, Action.WOULD_DRAFT})

__all__ = ["DRAFTABLE", "HAS_DRAFT", "NEVER_DRAFTED", "Action", "Status"]
