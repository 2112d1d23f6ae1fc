"""Where a sheet is: a Google spreadsheet (a URL or its id) or a local file.

Told apart in this one place, for opening the sheet, keying its run lock, writing
a crontab line and a config file, and reading paths in the config file.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

KEY_PATTERN = re.compile(r"/spreadsheets/d/([a-zA-Z0-9-_]+)")
BARE_KEY = re.compile(r"^[a-zA-Z0-9-_]{25,}$")


def spreadsheet_key(location: str) -> str | None:
    """The spreadsheet id in a Google Sheets URL, or a bare id; None otherwise."""
    match = KEY_PATTERN.search(location)
    if match:
        return match.group(1)
    return location if BARE_KEY.match(location) else None


def is_google_location(location: str) -> bool:
    """A docs.google.com URL or a bare spreadsheet id (whether or not such a file exists)."""
    parts = urlsplit(location)
    if parts.scheme in ("http", "https") and parts.hostname == "docs.google.com":
        return True
    return bool(BARE_KEY.match(location))


def looks_remote(location: str) -> bool:
    """A URL or a bare Google spreadsheet id, as opposed to a file path (no disk look-up)."""
    return "://" in location or BARE_KEY.fullmatch(location) is not None


def google_key(location: str) -> str | None:
    """The spreadsheet id when ``location`` names a Google sheet, else None (a local file).

    A local file whose name looks like a spreadsheet id wins over the id.
    """
    key = spreadsheet_key(location)
    if key is None or not is_google_location(location):
        return None
    return None if Path(location).expanduser().exists() else key


__all__ = ["google_key", "is_google_location", "looks_remote", "spreadsheet_key"]
