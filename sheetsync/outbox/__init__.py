"""Draft destinations, named in a small registry."""

from __future__ import annotations

from ..config import Config
from ..errors import ConfigError
from .base import Outbox, Saved
from .eml import EmlFolder
from .memory import MemoryOutbox

DESTINATIONS = {"eml": "a folder of .eml files"}


def open_outbox(config: Config) -> Outbox:
    """The destination named in the config."""
    if config.destination == "eml":
        return EmlFolder(config.drafts_folder, sender=config.me_email, sender_name=config.me_name)
    known = ", ".join(f"{k} ({v})" for k, v in DESTINATIONS.items())
    raise ConfigError(f"Unknown draft destination '{config.destination}'. Known: {known}.")


__all__ = ["EmlFolder", "MemoryOutbox", "Outbox", "Saved", "open_outbox"]
