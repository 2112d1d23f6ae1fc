"""The contract of a draft destination: save this draft unless it is already there.

A destination never sends mail.  ``save`` is idempotent by the draft's
Message-ID: saving a draft that the destination already holds returns where
it is, with ``created`` false, and changes nothing.

Two optional methods, for destinations that batch or hold a connection:

* ``flush()`` stores what ``save`` queued; the runner calls it after drafting
  and before writing the sheet, so the Drafted column is only written for
  drafts that really are stored.  It raises DeliveryError when it cannot.
* ``close()`` releases connections; the runner calls it at the end of a run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from ..core.drafting import Draft


@dataclass(frozen=True)
class Saved:
    location: str
    created: bool


@runtime_checkable
class Outbox(Protocol):
    def describe(self) -> str:
        """Where drafts go, for messages: 'drafts/ (.eml files)'."""

    def save(self, draft: Draft, *, now: dt.datetime) -> Saved:
        """Store ``draft`` unless it is already there; raise DeliveryError on failure."""


def flush_outbox(outbox: object) -> None:
    flush = getattr(outbox, "flush", None)
    if callable(flush):
        flush()


def close_outbox(outbox: object) -> None:
    close = getattr(outbox, "close", None)
    if callable(close):
        close()
