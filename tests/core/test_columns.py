"""Finding the user's columns by their headers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetsync.core.columns import detect_columns, normalise_header, variable_name
from sheetsync.errors import ColumnMissing, ConfigError

BASE = ["Name", "Last interaction", "What", "Last in person"]


@pytest.mark.parametrize(
    ("header", "role"),
    [
        pytest.param("Full name", "name", id="full-name"),
        pytest.param("CONTACT", "name", id="upper-case"),
        pytest.param("Person", "name", id="person"),
        pytest.param("Last contacted", "last_interaction", id="last-contacted"),
        pytest.param("last-touch", "last_interaction", id="punctuation"),
        pytest.param("Last spoke", "last_interaction", id="last-spoke"),
        pytest.param("Last contacted (date)", "last_interaction", id="parenthetical"),
        pytest.param("Topic", "what", id="topic"),
        pytest.param("Notes on last contact", "what", id="notes-on-last-contact"),
        pytest.param("Discussed", "what", id="discussed"),
        pytest.param("Last met", "last_in_person", id="last-met"),
        pytest.param("Met in person", "last_in_person", id="met-in-person"),
        pytest.param("E-mail", "email", id="e-mail"),
        pytest.param("Keep in touch every", "cadence", id="keep-in-touch-every"),
        pytest.param("Frequency", "cadence", id="frequency"),
        pytest.param("Circle", "tier", id="circle"),
        pytest.param("Priority", "tier", id="priority"),
        pytest.param("Snooze until", "snooze_until", id="snooze"),
        pytest.param("Do not contact", "do_not_contact", id="dnc"),
        pytest.param("Don't contact", "do_not_contact", id="dont-contact"),
        pytest.param("Where we met", "where_met", id="where-met"),
        pytest.param("Company", "company", id="company"),
        pytest.param("First name", "first_name", id="first-name"),
        pytest.param("Template", "template", id="template"),
        pytest.param("Primary email", "email", id="primary-email"),
        pytest.param("Work email", "email", id="work-email"),
        pytest.param("E-mail 1", "email", id="e-mail-1"),
        pytest.param("Email address", "email", id="email-address"),
        pytest.param("Days between", "cadence", id="days-between"),
        pytest.param("Typical silence (days)", "cadence", id="typical-silence-days"),
        pytest.param("Every N days", "cadence", id="every-n-days"),
        pytest.param("Frequency (days)", "cadence", id="frequency-days"),
        pytest.param("Birthday", "birthday", id="birthday"),
        pytest.param("Date of birth", "birthday", id="date-of-birth"),
        pytest.param("DOB", "birthday", id="dob"),
        pytest.param("Born", "birthday", id="born"),
    ],
)
def test_synonyms(header: str, role: str) -> None:
    roles = ["name", "last_interaction", "what", "last_in_person"]
    headers = [header if r == role else h for h, r in zip(BASE, roles, strict=True)]
    if header not in headers:
        headers.append(header)
    colmap = detect_columns([headers])
    assert colmap.roles[role] == headers.index(header)


def test_header_row_need_not_be_first() -> None:
    grid = [["My network"], [], ["", "exported 2026"], BASE, ["Ada", "2026-01-01", "x", None]]
    assert detect_columns(grid).header_row == 3


def test_explicit_mapping_wins() -> None:
    grid = [["Name", "Spoke on", "What", "Last in person", "Last contacted"]]
    colmap = detect_columns(grid, explicit={"last_interaction": "Spoke on"})
    assert colmap.roles["last_interaction"] == 1


def test_empty_text_means_no_such_column() -> None:
    colmap = detect_columns([["Name", "Last contacted", "What"]], explicit={"last_in_person": ""})
    assert "last_in_person" not in colmap.roles


def test_missing_required_column_names_it_and_suggests() -> None:
    with pytest.raises(ColumnMissing) as err:
        detect_columns(
            [["Name", "Last contactd", "What", "Last in person", "Email"]], where="s.xlsx"
        )
    msg = str(err.value)
    assert "last interaction" in msg and "s.xlsx" in msg
    assert "'Last contactd'" in msg and "Did you mean 'Last contactd'" in msg
    assert err.value.seen == ["Name", "Last contactd", "What", "Last in person", "Email"]


def test_missing_column_without_close_match_says_how_to_map() -> None:
    with pytest.raises(ColumnMissing, match=r"\[columns\] last_interaction"):
        detect_columns([["Name", "What", "Last in person", "Zzz"]])


def test_only_a_name_and_a_date_are_required_and_the_rest_is_said_once() -> None:
    """A sheet with a name, a category and a "last contacted" date works: what and
    last in person are optional, and the run says once what is off without them."""
    colmap = detect_columns([["Name", "Category", "Last contacted"]], where="s.csv")
    assert colmap.roles == {"name": 0, "last_interaction": 2}
    assert len(colmap.warnings) == 2
    assert any("no last in person column" in w and "in-person clock" in w for w in colmap.warnings)
    quiet = detect_columns(
        [["Name", "Category", "Last contacted"]], explicit={"what": "", "last_in_person": ""}
    )
    assert quiet.warnings == [], 'set to "" in the config: the user knows'


def test_a_suggestion_never_names_a_column_another_role_has() -> None:
    """"Did you mean 'Last Contacted'?" for the what column, when that is the date column,
    sent people round in circles."""
    with pytest.raises(ColumnMissing) as err:
        detect_columns(
            [["Name", "Last Contacted", "Notes"]], explicit={"what": "Last Contact"}
        )
    assert "Did you mean 'Last Contacted'" not in str(err.value)


def test_init_can_see_what_is_missing_without_failing() -> None:
    colmap = detect_columns([["Name", "Last contactd", "What"]], partial=True)
    assert [m.role for m in colmap.missing] == ["last_interaction"]
    assert colmap.missing[0].suggestion == "Last contactd"


def test_empty_sheet() -> None:
    with pytest.raises(ColumnMissing, match="empty"):
        detect_columns([[], [None, "  "]])


def test_configured_header_not_found() -> None:
    with pytest.raises(ColumnMissing, match="Spoke on"):
        detect_columns([BASE], explicit={"last_interaction": "Spoke on"})


def test_unknown_role_in_config() -> None:
    with pytest.raises(ConfigError, match="unknown role"):
        detect_columns([BASE], explicit={"nickname": "Nick"})


def test_owned_columns_found_anywhere_and_user_lookalike_ignored() -> None:
    grid = [[*BASE, "Status", "Days since (mine)", "Sheetsync note"]]
    colmap = detect_columns(grid)
    assert colmap.owned == {"status": 4, "note": 6}
    assert 5 in colmap.user_columns


def test_two_columns_for_one_role_warns() -> None:
    colmap = detect_columns([[*BASE, "Full name"]])
    assert colmap.roles["name"] == 0 and "Full name" in colmap.warnings[0]


@given(st.text(max_size=30))
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise_header(text)
    assert normalise_header(once) == once
    assert variable_name(text) == "" or variable_name(text).replace("_", "").isalnum()
