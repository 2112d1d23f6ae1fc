"""The contract of a draft destination: save this draft unless it is already there.

A destination never sends mail.  ``save`` is idempotent by the draft's
Message-ID: saving a draft that the destination already holds returns where
it is, with ``created`` false, and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from ..drafting import Draft


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
