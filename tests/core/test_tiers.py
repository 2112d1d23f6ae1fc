"""Tier values people write instead of letters."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetsync.app import analyse
from sheetsync.config import Config
from sheetsync.core.columns import detect_columns
from sheetsync.core.contacts import read_contacts
from sheetsync.core.settings import ScoringSettings, Tier
from sheetsync.core.tiers import CANONICAL, normalise_tier, vocabularies_used, vocabulary_of


@pytest.mark.parametrize(
    ("text", "tier", "vocabulary"),
    [
        pytest.param("A", "A", "A/B/C", id="letter"),
        pytest.param(" c ", "C", "A/B/C", id="letter-spaces"),
        pytest.param("High", "A", "High/Medium/Low", id="high"),
        pytest.param("MEDIUM", "B", "High/Medium/Low", id="medium-upper"),
        pytest.param("med", "B", "High/Medium/Low", id="med"),
        pytest.param("Low", "C", "High/Medium/Low", id="low"),
        pytest.param("1", "A", "1/2/3", id="one"),
        pytest.param(2, "B", "1/2/3", id="int-from-a-workbook"),
        pytest.param(3.0, "C", "1/2/3", id="float-from-a-workbook"),
        pytest.param("Tier 2", "B", "1/2/3", id="tier-2"),
        pytest.param("P1", "A", "P1/P2/P3", id="p1"),
        pytest.param("p3", "C", "P1/P2/P3", id="p3-lower"),
        pytest.param("Close", "A", "Close/Friend/Acquaintance", id="close"),
        pytest.param("close friend", "A", "Close/Friend/Acquaintance", id="close-friend"),
        pytest.param("Friend", "B", "Close/Friend/Acquaintance", id="friend"),
        pytest.param("Acquaintance", "C", "Close/Friend/Acquaintance", id="acquaintance"),
        pytest.param("VIP", "A", "VIP", id="vip"),
        pytest.param("V.I.P.", "A", "VIP", id="vip-dots"),
    ],
)
def test_known_tier_words(text: object, tier: str, vocabulary: str) -> None:
    assert normalise_tier(text) == tier
    found = vocabulary_of(text)
    assert found is not None and found.name == vocabulary


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("Gold", id="unknown-word"),
        pytest.param("4", id="four"),
        pytest.param("P0", id="p0"),
        pytest.param(None, id="none"),
        pytest.param(True, id="checkbox"),
        pytest.param(1.5, id="fraction"),
    ],
)
def test_other_values_are_not_tiers(text: object) -> None:
    assert normalise_tier(text) is None
    assert vocabulary_of(text) is None


def test_vocabularies_used_name_only_words_other_than_letters() -> None:
    values = ["High", "low", "A", None, "Gold", "P2", "High"]
    assert vocabularies_used(values) == ["High/Medium/Low", "P1/P2/P3"]
    assert vocabularies_used(["A", "b"]) == []


@given(st.text(max_size=30))
def test_any_text_is_a_canonical_tier_or_none(text: str) -> None:
    got = normalise_tier(text)
    assert got is None or got in CANONICAL
    assert normalise_tier(f"  {text.upper()}  ") == normalise_tier(text.upper())


# --- in a sheet ------------------------------------------------------------------------------

TODAY = dt.date(2026, 11, 22)
HEADER = ["Name", "Priority", "Last contacted", "What", "Last in person"]


def scored_rows(grid: list[list[object]], config: Config | None = None) -> dict[str, Any]:
    analysis = analyse(grid, config or Config(), TODAY)
    return {r["name"]: r for _, r in analysis.scored.iterrows()}


def test_a_sheet_tiered_in_words_gets_the_default_tiers_cadences() -> None:
    grid: list[list[object]] = [
        HEADER,
        ["Ada", "High", "2026-11-01", "x", ""],
        ["Bo", "medium", "2026-11-01", "x", ""],
        ["Cy", "Low", "2026-11-01", "x", ""],
        ["Di", "Gold", "2026-11-01", "x", ""],
    ]
    got = scored_rows(grid)
    assert [(got[n]["tier"], got[n]["cadence"]) for n in ("Ada", "Bo", "Cy")] == [
        ("A", 14.0),
        ("B", 30.0),
        ("C", 91.0),
    ]
    assert got["Di"]["status"] == "check data" and "'Gold' is not a tier" in got["Di"]["reason"]


def test_a_tier_named_in_the_config_wins_over_the_words() -> None:
    settings = ScoringSettings(tiers={**ScoringSettings().tiers, "High": Tier(7, 5.0)})
    grid: list[list[object]] = [HEADER, ["Ada", "high", "2026-11-01", "x", ""]]
    got = scored_rows(grid, Config(scoring=settings))
    assert (got["Ada"]["tier"], got["Ada"]["cadence"]) == ("High", 7.0)


def test_the_vocabulary_a_sheet_used_is_named() -> None:
    grid: list[list[object]] = [
        HEADER,
        ["Ada", "P1", "2026-11-01", "x", ""],
        ["Bo", "A", "2026-11-01", "x", ""],
    ]
    colmap = detect_columns(grid)
    contacts = read_contacts(grid, colmap, ScoringSettings(), today=TODAY)
    assert contacts.tier_vocabularies == ["P1/P2/P3"]


def test_bare_numbers_in_a_weeks_column_are_weeks() -> None:
    grid: list[list[object]] = [
        ["Name", "Frequency (weeks)", "Last contacted", "What", "Last in person"],
        ["Ada", 2, "2026-11-01", "x", ""],
        ["Bo", "3 days", "2026-11-01", "x", ""],
    ]
    got = scored_rows(grid)
    assert got["Ada"]["cadence"] == 14.0 and got["Bo"]["cadence"] == 3.0
