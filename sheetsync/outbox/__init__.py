"""Draft destinations, named in a small registry."""

from __future__ import annotations

from ..config import Config
from ..errors import ConfigError
from ..sheets.base import SheetBackend
from .base import Outbox, Saved
from .eml import EmlFolder
from .memory import MemoryOutbox

DESTINATIONS = {
    "eml": "a folder of .eml files",
    "imap": "the Drafts folder of an IMAP mailbox",
    "gmail": "Gmail drafts, through the Gmail API",
    "tab": "a Drafts tab in the same spreadsheet",
}


def open_outbox(config: Config, sheet: SheetBackend | None = None) -> Outbox:
    """The destination named in the config (``sheet`` is the run's sheet, for "tab")."""
    if config.destination == "eml":
        return EmlFolder(config.drafts_folder, sender=config.me_email, sender_name=config.me_name)
    if config.destination == "imap":
        from .imap import ImapDrafts

        if config.imap is None:
            raise ConfigError('[drafts] destination = "imap" needs an [imap] table.')
        return ImapDrafts(config.imap, sender=config.me_email, sender_name=config.me_name)
    if config.destination == "gmail":
        from .gmail import open_gmail_drafts

        return open_gmail_drafts(config)
    if config.destination == "tab":
        if sheet is None:
            raise ConfigError('[drafts] destination = "tab" needs the run\'s sheet.')
        return sheet.drafts_tab(config.drafts_tab.strip() or "Drafts")
    known = ", ".join(f"{k} ({v})" for k, v in DESTINATIONS.items())
    raise ConfigError(f"Unknown draft destination '{config.destination}'. Known: {known}.")


__all__ = ["EmlFolder", "MemoryOutbox", "Outbox", "Saved", "open_outbox"]
