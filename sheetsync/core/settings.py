"""The settings the pure core decides with, as plain frozen data.

``sheetsync.config`` reads them from flags, the environment and the config
file; the core only receives them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

#: The situations a follow-up template is chosen for, in the order the README lists them.
SITUATIONS = ("first_followup", "checkin", "reconnect", "meet_in_person", "first_hello")


@dataclass(frozen=True)
class Tier:
    cadence: int
    weight: float


@dataclass(frozen=True)
class ScoringSettings:
    """Everything the pure scoring core needs besides the rows and ``today``."""

    default_cadence: int = 30
    in_person_cadence: int = 180
    tiers: Mapping[str, Tier] = field(
        default_factory=lambda: {"A": Tier(14, 3.0), "B": Tier(30, 2.0), "C": Tier(91, 1.0)}
    )
    untiered_weight: float = 1.0
    new_window: int = 14
    due_soon_ratio: float = 0.8
    lapsed_ratio: float = 2.0
    in_person_weight: float = 0.5
    daily_cap: int = 5


@dataclass(frozen=True)
class Me:
    """The user, as drafts name them: the From header and the sign-off."""

    name: str = ""
    email: str = ""
    signature: str = ""


def default_template_names() -> dict[str, str]:
    return {s: s for s in SITUATIONS}


__all__ = ["SITUATIONS", "Me", "ScoringSettings", "Tier", "default_template_names"]
