"""Email addresses: one grammar for finding them in a cell and for checking one.

A cell may hold several ("a@x.org; b@y.net", "Ada <ada@x.org>"); identity
matching uses them all, and a draft goes to the first one.
"""

from __future__ import annotations

import re

_LOCAL = r"[\w.!#$%&'*+/=?^`{|}~-]+"
_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"
#: An address: a local part, "@", and a domain of two or more labels.
ADDRESS = re.compile(rf"{_LOCAL}@(?:{_LABEL}\.)+{_LABEL}")


def email_addresses(text: str | None) -> list[str]:
    """The addresses in a cell, lower case, in order, each once."""
    seen: list[str] = []
    for match in ADDRESS.finditer(text or ""):
        address = match.group(0).strip(".").casefold()
        if address not in seen:
            seen.append(address)
    return seen


def is_email(text: str) -> bool:
    """Whether ``text`` is one address a draft's header can carry (ASCII, at most 254)."""
    return text.isascii() and len(text) <= 254 and ADDRESS.fullmatch(text) is not None


def first_address(text: str | None) -> str:
    """The first address in a cell that a draft can be sent to, as written; "" if none."""
    for match in ADDRESS.finditer(text or ""):
        found = match.group(0).strip(".")
        if is_email(found):
            return found
    return ""


__all__ = ["ADDRESS", "email_addresses", "first_address", "is_email"]
