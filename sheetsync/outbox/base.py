"""The contract of a draft destination: save this draft unless it is already there.

A destination never sends mail.  ``save`` is idempotent by the draft's
Message-ID: saving a draft that the destination already holds returns where
it is, with ``created`` false, and changes nothing.

Two methods have no-op defaults, for destinations that batch or hold a connection:

* ``flush()`` stores what ``save`` queued; the run calls it after drafting
  and before writing the sheet, so the Drafted column is only written for
  drafts that really are stored.  It raises DeliveryError when it cannot.
* ``close()`` releases connections; the run calls it at the end (a destination
  is also a context manager).
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass
from types import TracebackType

from ..core.drafting import Draft


@dataclass(frozen=True)
class Saved:
    location: str
    created: bool


class Outbox(ABC):
    """Where drafts go."""

    @abstractmethod
    def describe(self) -> str:
        """Where drafts go, for messages: 'drafts/ (.eml files)'."""

    @abstractmethod
    def save(self, draft: Draft, *, now: dt.datetime) -> Saved:
        """Store ``draft`` unless it is already there; raise DeliveryError on failure."""

    def flush(self) -> None:  # noqa: B027 (a default, not a missing method)
        """Store what ``save`` queued (nothing, by default)."""

    def close(self) -> None:  # noqa: B027 (a default, not a missing method)
        """Release connections (none, by default)."""

    def __enter__(self) -> Outbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
