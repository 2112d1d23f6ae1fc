"""Sheet backends, named in a small registry.

:func:`open_sheet` picks one from the sheet's location; pass a backend object
to :func:`sheetsync.run` to choose it yourself (:class:`MemorySheet` in tests).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ConfigError, SheetError
from .base import SheetBackend, WriteOutcome
from .csv_file import CsvSheet
from .google import GoogleSheet
from .location import google_key
from .memory import MemorySheet
from .xlsx import XlsxSheet

if TYPE_CHECKING:
    from ..config import Config

#: File endings each local backend reads.
LOCAL_KINDS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".csv": "csv", ".tsv": "csv", ".txt": "csv"}


def open_sheet(
    location: str,
    *,
    tab: str | None = None,
    output: str | None = None,
    config: Config | None = None,
    throttle: Callable[[str, str], None] | None = None,
) -> SheetBackend:
    """The backend for ``location``: a Google Sheets URL or key, or a local .xlsx/.csv path."""
    path = Path(location).expanduser()
    key = google_key(location)
    if key is not None:
        if config is None:
            from ..config import Config  # config reads sheets.location: import it late

            config = Config()
        return _google_sheet(key, tab, output, config, throttle)
    kind = LOCAL_KINDS.get(path.suffix.lower())
    if kind == "xlsx":
        return XlsxSheet(path, tab=tab, output=output)
    if kind == "csv":
        if tab:
            raise SheetError(
                f"{path.name} is a CSV file, which has no tabs, but a tab ('{tab}') is set: "
                "leave out --tab, or remove tab = ... from sheetsync.toml (or SHEETSYNC_TAB)."
            )
        return CsvSheet(path, output=output)
    known = ", ".join(sorted(LOCAL_KINDS))
    raise SheetError(
        f"sheetsync cannot tell what kind of sheet {location} is (known file endings: {known})."
        " Give a path to an .xlsx or .csv file, or a Google Sheets URL."
    )


def open_configured_sheet(
    config: Config, *, throttle: Callable[[str, str], None] | None = None
) -> SheetBackend:
    """The backend for the config's sheet (``sheet``, ``tab``, ``output`` and ``[google]``).

    ``throttle(method, url)`` is called before every Google API request (a shared
    rate limiter when many sheets run at once).
    """
    if not config.sheet:
        raise ConfigError(
            "No sheet to work on: pass --sheet PATH_OR_URL, set SHEETSYNC_SHEET, or put "
            'sheet = "contacts.xlsx" in sheetsync.toml (sheetsync init writes one).'
        )
    return open_sheet(
        config.sheet, tab=config.tab, output=config.output, config=config, throttle=throttle
    )


def _google_sheet(
    key: str,
    tab: str | None,
    output: str | None,
    config: Config,
    throttle: Callable[[str, str], None] | None = None,
) -> GoogleSheet:
    from ..google import http_client, load_credentials, scopes_for

    if output:
        raise ConfigError(
            "--output writes a copy of a local workbook; a Google Sheet is always updated in "
            "place (only sheetsync's own columns). Leave out --output, or use --dry-run."
        )
    creds = load_credentials(
        config.google.credentials,
        scopes=scopes_for(config.drafts.destination),
        oauth_client=config.google.oauth_client,
        endpoint=config.google.sheets_endpoint,
    )
    endpoint = config.google.sheets_endpoint
    client = http_client(creds.credentials, endpoint=endpoint, throttle=throttle)
    return GoogleSheet(key, client=client, tab=tab, account_email=creds.account_email)


__all__ = [
    "CsvSheet",
    "GoogleSheet",
    "MemorySheet",
    "SheetBackend",
    "WriteOutcome",
    "XlsxSheet",
    "open_configured_sheet",
    "open_sheet",
]
