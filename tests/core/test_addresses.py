"""One grammar of email addresses, for finding them in a cell and for checking one."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetsync.core.addresses import email_addresses, first_address, is_email


@pytest.mark.parametrize(
    ("cell", "first", "all_found"),
    [
        pytest.param("ada@example.org", "ada@example.org", ["ada@example.org"], id="plain"),
        pytest.param(
            "Ada@Example.org; ada.l@work.io",
            "Ada@Example.org",
            ["ada@example.org", "ada.l@work.io"],
            id="two-in-a-cell",
        ),
        pytest.param("Ada <ada@x.org>", "ada@x.org", ["ada@x.org"], id="display-name"),
        pytest.param("ada@x.org.", "ada@x.org", ["ada@x.org"], id="sentence-dot"),
        pytest.param("zoë@例え.jp", "", ["zoë@例え.jp"], id="non-ascii-found-not-draftable"),
        pytest.param("no address here", "", [], id="none"),
        pytest.param("ada@localhost", "", [], id="one-label-domain"),
    ],
)
def test_cells(cell: str, first: str, all_found: list[str]) -> None:
    assert first_address(cell) == first
    assert email_addresses(cell) == all_found


@given(
    local=st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,20}", fullmatch=True),
    domain=st.from_regex(r"[a-z0-9]{1,10}(\.[a-z]{2,6}){1,2}", fullmatch=True),
    before=st.sampled_from(["", "Ada <", "mail: ", "x@y.z, "]),
)
def test_an_address_is_found_wherever_it_stands(local: str, domain: str, before: str) -> None:
    address = f"{local}@{domain}".strip(".")
    if not is_email(address):
        return
    assert address in email_addresses(f"{before}{address}>")
    assert first_address(address) == address
