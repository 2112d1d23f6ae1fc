"""sheetsync: keeps your networking spreadsheet alive.

Reads your own contact sheet in the layout you already have, scores how stale
each relationship is, writes status columns beside your columns, and drafts
follow-up emails from Jinja templates.  It never sends mail.

The public API is loaded lazily, so importing :mod:`sheetsync.cli` stays fast::

    from sheetsync import run, load_config
    result = run(load_config("sheetsync.toml"))
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "run": "runner",
    "analyse": "runner",
    "RunResult": "result",
    "RowOutcome": "result",
    "Config": "config",
    "ScoringSettings": "config",
    "load_config": "config",
    "score": "scoring",
    "queue": "scoring",
    "MemorySheet": "backends",
    "XlsxSheet": "backends",
    "CsvSheet": "backends",
    "open_sheet": "backends",
    "EmlFolder": "outbox",
    "MemoryOutbox": "outbox",
    "TemplateSet": "drafting",
    "SheetsyncError": "errors",
    "ConfigError": "errors",
    "SheetError": "errors",
    "SheetNotFound": "errors",
    "SheetLocked": "errors",
    "ColumnMissing": "errors",
    "TemplateError": "errors",
    "DeliveryError": "errors",
    "ImportFileError": "errors",
    "read_contacts_file": "importers",
    "plan_import": "importing",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sheetsync' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
