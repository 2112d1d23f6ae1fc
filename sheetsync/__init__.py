"""sheetsync: keeps your networking spreadsheet alive.

Reads your own contact sheet in the layout you already have, scores how stale
each relationship is, writes status columns beside your columns, and drafts
follow-up emails from Jinja templates.  It never sends mail.

The public API is loaded lazily, so importing :mod:`sheetsync.cli.main` stays fast::

    from sheetsync import run, load_config
    result = run(load_config("sheetsync.toml"))
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "run": "app",
    "analyse": "app",
    "RunResult": "core.result",
    "RowOutcome": "core.result",
    "Config": "config",
    "ScoringSettings": "config",
    "load_config": "config",
    "score": "core.scoring",
    "queue": "core.scoring",
    "MemorySheet": "sheets",
    "XlsxSheet": "sheets",
    "CsvSheet": "sheets",
    "open_sheet": "sheets",
    "EmlFolder": "outbox",
    "MemoryOutbox": "outbox",
    "TemplateSet": "core.drafting",
    "SheetsyncError": "errors",
    "ConfigError": "errors",
    "SheetError": "errors",
    "SheetNotFound": "errors",
    "SheetLocked": "errors",
    "ColumnMissing": "errors",
    "TemplateError": "errors",
    "DeliveryError": "errors",
    "ImportFileError": "errors",
    "read_contacts_file": "sources",
    "plan_import": "core.importing",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sheetsync' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
