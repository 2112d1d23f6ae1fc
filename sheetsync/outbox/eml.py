"""Drafts as .eml files in a folder, one per contact and follow-up, with stable names.

Mail clients (Thunderbird, Outlook, Apple Mail) open these as unsent drafts,
ready to edit and send.  A file is created only if no file of that name exists
(an atomic link), so two runs at once can never leave two copies.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import os
import tempfile
from pathlib import Path

from ..core.drafting import Draft
from ..errors import DeliveryError
from .base import Outbox, Saved


class EmlFolder(Outbox):
    def __init__(self, folder: str | Path, *, sender: str = "", sender_name: str = ""):
        self.folder = Path(folder).expanduser()
        self.sender = sender
        self.sender_name = sender_name

    def describe(self) -> str:
        return f"{self.folder}{os.sep} (.eml files)"

    def path_for(self, draft: Draft) -> Path:
        return self.folder / f"{draft.stem}.eml"

    def save(self, draft: Draft, *, now: dt.datetime) -> Saved:
        target = self.path_for(draft)
        if target.exists():
            return Saved(str(target), False)
        data = draft.to_message(sender=self.sender, sender_name=self.sender_name, now=now).as_bytes(
            policy=email.policy.SMTP
        )
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".draft-", suffix=".tmp", dir=self.folder)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.link(tmp, target)  # fails if another run created it meanwhile
            finally:
                os.unlink(tmp)
        except FileExistsError:
            return Saved(str(target), False)
        except OSError as exc:
            raise DeliveryError(
                f"Cannot write the draft {target}: {exc.strerror or exc}. Check that the drafts "
                "folder is writable (--drafts or [drafts] folder)."
            ) from exc
        return Saved(str(target), True)
