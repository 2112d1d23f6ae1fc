"""Drafts kept in memory: the in-package fake destination for tests and library users."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage

from ..core.drafting import Draft
from ..errors import DeliveryError
from .base import Outbox, Saved


class MemoryOutbox(Outbox):
    def __init__(self, *, fail_for: set[str] | None = None):
        self.messages: dict[str, EmailMessage] = {}
        self.fail_for = fail_for or set()

    def describe(self) -> str:
        return "memory"

    def save(self, draft: Draft, *, now: dt.datetime) -> Saved:
        if draft.to_email in self.fail_for or draft.to_name in self.fail_for:
            raise DeliveryError(f"memory outbox refused the draft for {draft.to_name}")
        if draft.message_id in self.messages:
            return Saved(draft.message_id, False)
        self.messages[draft.message_id] = draft.to_message(now=now)
        return Saved(draft.message_id, True)
