"""Who is the same person: folded names, addresses, and the keys an import matches on."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetsync.core.columns import detect_columns
from sheetsync.core.identity import (
    IdentityIndex,
    email_addresses,
    folded_name,
    identity_keys,
    name_key,
    sheet_identities,
)

from ..conftest import contact_grid


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param("Ada Lovelace", "ada lovelace", id="case"),
        pytest.param("Zoë Müller", "Zoe Muller", id="accents"),
        pytest.param("Søren Ødegaard", "Soren Odegaard", id="letters-without-accents"),
        pytest.param("Ada King Lovelace", "Ada Lovelace", id="middle-name"),
        pytest.param("Lovelace, Ada", "Ada Lovelace", id="last-comma-first"),
        pytest.param("Dr. Ada Lovelace, PhD", "Ada Lovelace", id="title-and-degree"),
        pytest.param("Priya 🚀 Raman", "Priya Raman", id="emoji"),
        pytest.param("Seán O'Brien", "Sean OBrien", id="apostrophe"),
        pytest.param("Robert (Bob) Smith", "Robert Smith", id="nickname-in-brackets"),
        pytest.param("  Ada\tLovelace ", "Ada Lovelace", id="spaces"),
        pytest.param("John Smith Jr.", "John Smith", id="trailing-suffix"),
    ],
)
def test_same_name_key(a: str, b: str) -> None:
    assert name_key(a) == name_key(b) != ""


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param("Ada Lovelace", "Ada Byron", id="other-family-name"),
        pytest.param("Jack Ma", "Jack", id="ma-is-a-surname"),
        pytest.param("Anna Lee", "Hanna Lee", id="other-first-name"),
    ],
)
def test_different_name_key(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)


def test_folded_name_keeps_every_word() -> None:
    assert folded_name("Dr. Ada King Lovelace, PhD") == "ada king lovelace"
    assert folded_name("") == "" and name_key("🚀") == ""


@pytest.mark.parametrize(
    ("text", "found"),
    [
        pytest.param("Ada@Example.org", ["ada@example.org"], id="lower-case"),
        pytest.param("Ada <ada@example.org>", ["ada@example.org"], id="with-name"),
        pytest.param("a@x.org; b@y.net, a@x.org", ["a@x.org", "b@y.net"], id="several"),
        pytest.param("not an address", [], id="none"),
        pytest.param("ada@localhost", [], id="no-domain-dot"),
    ],
)
def test_email_addresses(text: str, found: list[str]) -> None:
    assert email_addresses(text) == found


def test_index_prefers_email_over_name() -> None:
    index = IdentityIndex()
    index.add(0, identity_keys("Ada Lovelace", []))
    index.add(1, identity_keys("Augusta King", ["ada@example.org"]))
    match = index.find(identity_keys("Ada Lovelace", ["ada@example.org"]))
    assert match is not None and (match.index, match.by) == (1, "email")
    match = index.find(identity_keys("ada  LOVELACE", ["other@example.net"]))
    assert match is not None and (match.index, match.by) == (0, "name")
    assert index.find(identity_keys("Grace Hopper", [])) is None


def test_sheet_identities() -> None:
    grid = contact_grid(
        ["Ada Lovelace", "ada@example.org", "", "", "", ""],
        [None, None, None, None, None, None],
        ["Grace Hopper", None, "", "", "", ""],
    )
    colmap = detect_columns(grid)
    keys = sheet_identities(grid, colmap)
    assert keys == {
        1: frozenset({"email:ada@example.org", "name:ada lovelace"}),
        3: frozenset({"name:grace hopper"}),
    }


names = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéüøç ,.'-", max_size=40)


@settings(max_examples=300, deadline=None)
@given(name=names)
def test_name_key_ignores_case_and_is_stable(name: str) -> None:
    key = name_key(name)
    assert name_key(name.upper()) == key
    assert name_key(key) == key, "a key is its own key"
    assert key == key.strip() and "  " not in key


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=80))
def test_identity_never_fails(text: str) -> None:
    keys = identity_keys(text, [text])
    assert all(k.startswith(("email:", "name:")) for k in keys)
