"""Draft destinations, named in a small registry."""

from __future__ import annotations

from ..config import DESTINATIONS, Config
from ..errors import ConfigError
from ..sheets.base import SheetBackend
from .base import Outbox, Saved
from .eml import EmlFolder
from .memory import MemoryOutbox


def open_outbox(config: Config, sheet: SheetBackend | None = None) -> Outbox:
    """The destination named in the config (``sheet`` is the run's sheet, for "tab")."""
    if config.drafts.destination == "eml":
        return EmlFolder(config.drafts.folder, sender=config.me.email, sender_name=config.me.name)
    if config.drafts.destination == "imap":
        from .imap import ImapDrafts

        if config.imap is None:
            raise ConfigError('[drafts] destination = "imap" needs an [imap] table.')
        return ImapDrafts(config.imap, sender=config.me.email, sender_name=config.me.name)
    if config.drafts.destination == "gmail":
        from .gmail import open_gmail_drafts

        return open_gmail_drafts(config)
    if config.drafts.destination == "tab":
        if sheet is None:
            raise ConfigError('[drafts] destination = "tab" needs the run\'s sheet.')
        return sheet.drafts_tab(config.drafts.tab.strip() or "Drafts")
    known = ", ".join(f"{k} ({v})" for k, v in DESTINATIONS.items())
    raise ConfigError(f"Unknown draft destination '{config.drafts.destination}'. Known: {known}.")


__all__ = ["EmlFolder", "MemoryOutbox", "Outbox", "Saved", "open_outbox"]
