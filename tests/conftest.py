"""Shared fixtures: a clean environment, the example workbook, small grids."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

# Tests never look for Google Cloud's metadata server (a link-local address); only
# loopback is reached.  google-auth reads this when it is first imported.
os.environ.setdefault("NO_GCE_CHECK", "true")

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
DEMO_TODAY = dt.date(2026, 11, 22)


@pytest.fixture(autouse=True)
def clean_environ(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A developer's SHEETSYNC_* variables must not leak into a test, and run locks go
    to a temporary state folder, never the developer's own."""
    for key in list(os.environ):
        if key.startswith("SHEETSYNC_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))


@pytest.fixture
def example_xlsx(tmp_path: Path) -> Path:
    target = tmp_path / "contacts.xlsx"
    shutil.copy(EXAMPLES / "contacts.xlsx", target)
    return target


@pytest.fixture
def example_csv(tmp_path: Path) -> Path:
    target = tmp_path / "contacts.csv"
    shutil.copy(EXAMPLES / "contacts.csv", target)
    return target


HEADER = ["Name", "Email", "Tier", "Last contacted", "What", "Last in person"]


def contact_grid(*rows: list[object], header: list[str] | None = None) -> list[list[object]]:
    """A small grid: a header row and the given contact rows."""
    return [list(header or HEADER), *[list(r) for r in rows]]
