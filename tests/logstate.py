"""A fixture that gives the logging set-up back after a test that configured it.

``sheetsync schedule`` and ``run --log-format`` configure logging for the whole
process (they own it on the command line); in-process tests of them must not
leave their handlers and levels to the tests that follow.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

LOGGERS = ("", "sheetsync", "sheetsync.unattended.runlog", "sheetsync.unattended.scheduler")


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    saved = {
        name: (list(lg.handlers), lg.level, lg.propagate)
        for name in LOGGERS
        for lg in [logging.getLogger(name or None)]
    }
    yield
    for name, (handlers, level, propagate) in saved.items():
        lg = logging.getLogger(name or None)
        lg.handlers[:] = handlers
        lg.setLevel(level)
        lg.propagate = propagate
