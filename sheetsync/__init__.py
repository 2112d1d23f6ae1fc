"""sheetsync: keeps your networking spreadsheet alive.

Reads your own contact sheet in the layout you already have, scores how stale
each relationship is, writes status columns beside your columns, and drafts
follow-up emails from Jinja templates.  It never sends mail.

::

    from sheetsync import run, load_config
    result = run(load_config("sheetsync.toml"))

The names below are real imports for type checkers; at run time each is loaded
on first use, so ``import sheetsync.cli`` (and ``sheetsync --help``) stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .app import analyse, import_contacts, locked_run, log_interaction, run
    from .config import Config, load_config
    from .core.drafting import TemplateSet
    from .core.result import ImportResult, LogResult, RowOutcome, RunResult
    from .core.scoring import queue, score
    from .core.settings import ScoringSettings
    from .core.status import Action, Status
    from .errors import (
        ColumnMissing,
        ConfigError,
        DeliveryError,
        ImportFileError,
        SheetError,
        SheetLocked,
        SheetNotFound,
        SheetsyncError,
        TemplateError,
    )
    from .outbox import EmlFolder, MemoryOutbox, Outbox
    from .sheets import CsvSheet, MemorySheet, SheetBackend, XlsxSheet, open_sheet
    from .sources import read_contacts_file
    from .templates import load_templates

#: Where each public name lives (loaded on first use).
_EXPORTS = {
    "run": "app",
    "analyse": "app",
    "locked_run": "app",
    "import_contacts": "app",
    "log_interaction": "app",
    "RunResult": "core.result",
    "RowOutcome": "core.result",
    "ImportResult": "core.result",
    "LogResult": "core.result",
    "Status": "core.status",
    "Action": "core.status",
    "Config": "config",
    "ScoringSettings": "core.settings",
    "load_config": "config",
    "score": "core.scoring",
    "queue": "core.scoring",
    "SheetBackend": "sheets",
    "MemorySheet": "sheets",
    "XlsxSheet": "sheets",
    "CsvSheet": "sheets",
    "open_sheet": "sheets",
    "Outbox": "outbox",
    "EmlFolder": "outbox",
    "MemoryOutbox": "outbox",
    "TemplateSet": "core.drafting",
    "load_templates": "templates",
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
}

__all__ = [
    "Action",
    "ColumnMissing",
    "Config",
    "ConfigError",
    "CsvSheet",
    "DeliveryError",
    "EmlFolder",
    "ImportFileError",
    "ImportResult",
    "LogResult",
    "MemoryOutbox",
    "MemorySheet",
    "Outbox",
    "RowOutcome",
    "RunResult",
    "ScoringSettings",
    "SheetBackend",
    "SheetError",
    "SheetLocked",
    "SheetNotFound",
    "SheetsyncError",
    "Status",
    "TemplateError",
    "TemplateSet",
    "XlsxSheet",
    "__version__",
    "analyse",
    "import_contacts",
    "load_config",
    "load_templates",
    "locked_run",
    "log_interaction",
    "open_sheet",
    "queue",
    "read_contacts_file",
    "run",
    "score",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sheetsync' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value
