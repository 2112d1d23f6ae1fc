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
import hashlib
import logging
import os
import re
from pathlib import Path
from types import TracebackType
from typing import Any

from ..config import Config

log = logging.getLogger(__name__)


def state_dir() -> Path:
    """The user's sheetsync state folder (logs): platformdirs' user state folder.

    Linux: ``$XDG_STATE_HOME/sheetsync`` (``~/.local/state/sheetsync``); macOS:
    ``~/Library/Application Support/sheetsync``; Windows:
    ``%LOCALAPPDATA%\\sheetsync``.
    """
    import platformdirs

    return Path(platformdirs.user_state_dir("sheetsync", appauthor=False))


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

    Built on ``filelock`` (``flock`` on POSIX, ``msvcrt`` locking on Windows), so the
    kernel drops it when the process dies.  Not re-entrant: a second ``RunLock`` on
    the same file, even in the same process, is refused while the first is held.
    The holder's process id is kept beside the lock (``NAME.lock.pid``), for messages.
    """

    def __init__(self, path: Path | None):
        self.path = path
        self._lock: Any = None
        self.held = False

    def acquire(self) -> bool:
        if self.path is None:  # no writable lock folder: run unguarded rather than not at all
            self.held = True
            return True
        import filelock

        # mode 0o666: another user's run on this machine can open the same lock file
        lock = filelock.FileLock(
            self.path,
            timeout=0,
            mode=0o666,
            thread_local=False,
            fallback_to_soft=False,
            preserve_lock_file=True,
        )
        try:
            lock.acquire()
        except filelock.Timeout:
            return False
        with contextlib.suppress(OSError):
            self._pid_file.write_text(f"{os.getpid()}\n", encoding="ascii")
        self._lock, self.held = lock, True
        return True

    @property
    def _pid_file(self) -> Path:
        assert self.path is not None
        return self.path.with_name(self.path.name + ".pid")

    def release(self) -> None:
        if self._lock is not None:
            # the lock file stays: unlinking it would let a third run lock a fresh file
            # while a second still waits on the old one
            self._lock.release()
            self._lock = None
        self.held = False

    def holder(self) -> str:
        """Who holds the lock, for messages: "process 1234", or "another process"."""
        try:
            pid = self._pid_file.read_text(encoding="ascii").strip() if self.path else ""
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


#: The one folder of run locks on this machine (never taken from the environment, which a
#: scheduler and a cron line do not share): /tmp's on POSIX; on Windows, where there is no
#: such shared folder, the user's state folder.
LOCK_DIR = (
    Path("/tmp/sheetsync-locks")
    if os.name == "posix"
    else state_dir() / "locks"
)


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
