"""What every local sheet file shares: reading a snapshot, lock files, atomic replacement.

A write never edits a file in place.  The new content is written beside the
file under a temporary name of ours (``.contacts.xlsx.sheetsync-<pid>-<random>.tmp``)
and renamed over it, and only when the file is still the one that was read
(its content hash): a sync client, a script or a program that leaves no lock
file may have saved it in between, and its save must not be lost.  A save that
was killed leaves its temporary file behind; the next write removes such
leftovers, and only ours (the name says which process made it, and that
process is gone).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import SheetError, SheetLocked, SheetNotFound

log = logging.getLogger(__name__)

#: How many times a write is placed again on a file that changed while it was written.
REPLACE_ATTEMPTS = 3


class FileChanged(SheetError):
    """The file is no longer the one that was read: place the plan again on the new one."""


@dataclass(frozen=True)
class Snapshot:
    """A file's bytes as read once, and their content hash."""

    path: Path
    data: bytes
    digest: str


def digest_of(data: bytes) -> str:
    # A content hash, not mtime and size: a save within one timestamp tick at the
    # same size (coarse file systems) must not be mistaken for no change.
    return hashlib.sha256(data).hexdigest()


def check_readable(path: Path) -> None:
    if not path.exists():
        raise SheetNotFound(f"No file at {path}. Check the path given with --sheet or 'sheet ='.")
    if path.is_dir():
        raise SheetNotFound(f"{path} is a folder; give the workbook file itself.")


def snapshot(path: Path) -> Snapshot:
    """The file's bytes, read once."""
    check_readable(path)
    try:
        data = path.read_bytes()
    except PermissionError as exc:
        raise SheetError(f"Cannot read {path}: permission denied.") from exc
    except OSError as exc:
        raise SheetError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    return Snapshot(path, data, digest_of(data))


def torn_or(path: Path, read: Snapshot, problem: SheetError) -> SheetError:
    """``problem``, unless the file changed while it was read: then a torn read, to retry."""
    try:
        now = path.read_bytes()
    except OSError:
        return problem
    if digest_of(now) == read.digest:
        return problem
    return SheetError(
        f"{path.name} was being saved by another program while sheetsync read it, so what "
        "was read is incomplete. Nothing was written; run sheetsync again."
    )


def lock_file_of(path: Path) -> Path | None:
    """The lock file Excel or LibreOffice keeps beside a file they have open."""
    for name in (f"~${path.name}", f".~lock.{path.name}#"):
        candidate = path.with_name(name)
        if candidate.exists():
            return candidate
    return None


def check_not_locked(path: Path) -> None:
    lock = lock_file_of(path)
    if lock is not None:
        raise SheetLocked(
            f"{path.name} is open in another program (lock file {lock.name}). Close it there "
            "and run sheetsync again, so neither overwrites the other's changes."
        )


def _ours(target: Path) -> re.Pattern[str]:
    # today's names carry the pid; earlier versions used mkstemp's eight random characters
    name = re.escape(target.name)
    return re.compile(rf"^\.{name}\.(?:sheetsync-(?P<pid>\d+)-[0-9a-f]{{8}}|[a-z0-9_]{{8}})\.tmp$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


#: An old-style leftover (no pid in its name) younger than this may be a save under way.
OLD_LEFTOVER_AGE = 600.0


def remove_leftovers(target: Path) -> list[Path]:
    """Remove temporary files of earlier saves of ``target`` that were killed; return them."""
    pattern = _ours(target)
    removed: list[Path] = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        match = pattern.match(entry.name)
        if match is None or not entry.is_file(follow_symlinks=False):
            continue
        pid = match.group("pid")
        if pid is not None and (int(pid) == os.getpid() or _alive(int(pid))):
            continue
        if pid is None and now - entry.stat().st_mtime < OLD_LEFTOVER_AGE:
            continue
        with contextlib.suppress(OSError):
            os.unlink(entry.path)
            removed.append(Path(entry.path))
            log.info("removed %s, left by a save that did not finish", entry.name)
    return removed


def _temporary(target: Path) -> Path:
    tag = f"sheetsync-{os.getpid()}-{secrets.token_hex(4)}"
    path = target.with_name(f".{target.name}.{tag}.tmp")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    return path


@contextlib.contextmanager
def atomic_target(
    target: Path, *, like: Path | None = None, unchanged: Snapshot | None = None
) -> Iterator[Path]:
    """A temporary path beside ``target`` that replaces it when the block succeeds.

    With ``unchanged``, the replacement happens only while that file still holds
    the snapshot's content; otherwise :class:`FileChanged` and nothing is replaced.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(target)
        tmp = _temporary(target)
    except OSError as exc:
        raise _write_error(target, exc) from exc
    try:
        yield tmp
        source = like if like is not None and like.exists() else target
        if source.exists():
            os.chmod(tmp, source.stat().st_mode & 0o777)
        if unchanged is not None:
            check_unchanged(unchanged)
        os.replace(tmp, target)
    except OSError as exc:
        raise _write_error(target, exc) from exc
    finally:
        tmp.unlink(missing_ok=True)


def check_unchanged(read: Snapshot) -> None:
    """FileChanged when the file no longer holds what was read."""
    try:
        now = read.path.read_bytes()
    except FileNotFoundError:
        now = b""
    if digest_of(now) != read.digest:
        raise FileChanged(
            f"{read.path.name} was saved by another program while sheetsync was writing it."
        )


def _write_error(target: Path, exc: OSError) -> SheetError:
    if isinstance(exc, PermissionError):
        return SheetLocked(
            f"Cannot write {target}: permission denied. If it is open in another program, "
            "close it and run sheetsync again."
        )
    return SheetError(
        f"Cannot write {target}: {exc.strerror or exc}. Nothing was changed; free some "
        "space or fix the folder, then run again."
    )


def gave_up(path: Path, attempts: int) -> SheetError:
    return SheetError(
        f"{path.name} kept changing while sheetsync wrote it ({attempts} attempts: a sync "
        "client or another program is saving it). Nothing of this run was written; run "
        "sheetsync again when it is quiet."
    )
