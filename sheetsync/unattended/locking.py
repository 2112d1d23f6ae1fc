"""One run per sheet at a time: a lock file shared by the scheduler, cron and the command line.

Every command that writes (``sheetsync run``, each pass of ``sheetsync
schedule``, each sheet of a manifest, ``log`` and ``import``) first takes an
exclusive, non-blocking ``flock`` on a file named after the sheet, in one folder
that every process on the machine finds whatever its environment (a scheduler
and a cron line see different ``$HOME``, ``$XDG_STATE_HOME`` and ``$TMPDIR``)::

    /tmp/sheetsync-locks/contacts.xlsx-3f9a0c1b2d.lock

The folder is shared by every user, like /tmp itself (sticky, world-writable),
and each lock file is readable by all, so two accounts on one machine writing
the same file also exclude each other; ``flock`` needs only a read handle.

A second run on the same sheet while the first holds the lock (a cron run
firing while the scheduler is mid-pass, or two cron runs that overlap) does not
wait and does not write: it reports who holds the lock and stops.  The kernel
drops a ``flock`` when its process dies, so a crashed run never leaves a stale
lock behind.  The key is the sheet (the resolved file path, or the Google
spreadsheet id), not the config file, because two configs naming one sheet
would still write the same cells.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import re
from pathlib import Path
from types import TracebackType

from ..config import Config

log = logging.getLogger(__name__)


def state_dir() -> Path:
    """The user's sheetsync state folder ($XDG_STATE_HOME/sheetsync or ~/.local/state/sheetsync)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "sheetsync"


def sheet_key(location: str) -> str:
    """A stable, file-name-safe key for a sheet location: ``gsheet-<id>`` or ``<file>-<hash>``."""
    from ..sheets.location import google_key

    path = Path(location).expanduser()
    key = google_key(location)
    if key is not None:
        return f"gsheet-{key}"
    resolved = str(path.resolve())
    digest = hashlib.sha256(resolved.encode("utf-8")).hexdigest()[:10]
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", path.name)[:40] or "sheet"
    return f"{stem}-{digest}"


def config_key(config: Config) -> str:
    """The lock key of the sheet a config names ("no-sheet" when it names none)."""
    return sheet_key(config.sheet) if config.sheet else "no-sheet"


class RunLock:
    """An exclusive, non-blocking lock on one file; ``acquire()`` says whether we got it.

    Not re-entrant: a second ``RunLock`` on the same file, even in the same
    process, is refused while the first is held (``flock`` locks belong to an
    open file, not to a process).
    """

    def __init__(self, path: Path | None):
        self.path = path
        self._fd: int | None = None
        self.held = False

    def acquire(self) -> bool:
        if self.path is None:  # no writable state folder: run unguarded rather than not at all
            self.held = True
            return True
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except PermissionError:  # another user's lock file: a read handle can lock it too
            fd = os.open(self.path, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        with contextlib.suppress(OSError):  # read-only: the holder is not named
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        self._fd, self.held = fd, True
        return True

    def release(self) -> None:
        if self._fd is not None:
            # the file stays: unlinking it would let a third run lock a fresh inode
            # while a second still waits on the old one
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        self.held = False

    def holder(self) -> str:
        """Who holds the lock, for messages: "process 1234", or "another process"."""
        try:
            pid = self.path.read_text(encoding="ascii").strip() if self.path else ""
        except OSError:
            pid = ""
        return f"process {pid}" if pid.isdigit() else "another process"

    def __enter__(self) -> RunLock:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


#: The one folder of run locks on this machine (never taken from the environment).
LOCK_DIR = Path("/tmp/sheetsync-locks")


def machine_lock_dir() -> Path:
    """The machine's lock folder, made sticky and writable by all like /tmp itself."""
    if not LOCK_DIR.is_dir():
        LOCK_DIR.mkdir(exist_ok=True)
        with contextlib.suppress(OSError):  # another user made it first: theirs is fine
            os.chmod(LOCK_DIR, 0o1777)
    return LOCK_DIR


def sheet_lock(config: Config, lock_dir: Path | None = None) -> RunLock:
    """The lock guarding the config's sheet (not yet acquired)."""
    try:
        folder = lock_dir or machine_lock_dir()
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        log.warning(
            "cannot create the lock folder %s (%s); running without an overlap guard",
            folder,
            exc.strerror,
        )
        return RunLock(None)
    return RunLock(folder / f"{config_key(config)}.lock")
