"""Many sheets in one go: a manifest, sharding, bounded concurrency and Google's quotas.

A manifest is a TOML file that lists sheets, each with its own config file
(paths relative to the manifest)::

    jobs = 4                          # sheets processed at once (flag --jobs wins)

    [quota]                           # Sheets API requests per minute (Google's defaults)
    read_per_minute = 300             # per project
    write_per_minute = 300
    read_per_minute_per_user = 60     # per user: a service account is one user
    write_per_minute_per_user = 60

    [[sheets]]
    name = "ada"                      # optional; default: the config's path
    config = "ada/sheetsync.toml"

    [[sheets]]
    config = "grace.toml"

``sheetsync run --manifest FILE`` runs each sheet with :func:`sheetsync.run`,
at most ``jobs`` at a time (threads: the work is waiting on the network), and
isolates failures: a sheet that fails is reported with its message and the
others go on.  On Cloud Run jobs, :func:`shard` gives each task its own part of
the list (``CLOUD_RUN_TASK_INDEX`` of ``CLOUD_RUN_TASK_COUNT``), and each
task's request budget is the quota divided by the task count.  Every Google
request of every sheet first waits for a slot in a shared
:class:`SlidingWindow` (per project, and per user), so the fan-out stays
inside the quota instead of meeting 429s.
"""

from __future__ import annotations

import collections
import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ..config import Config, load_config, read_config_file
from ..core.result import RunResult
from ..errors import ConfigError, SheetsyncError

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Google's default Sheets API quotas (requests per minute).
DEFAULT_QUOTA = {
    "read_per_minute": 300,
    "write_per_minute": 300,
    "read_per_minute_per_user": 60,
    "write_per_minute_per_user": 60,
}
#: Settings the environment may give every sheet of a manifest; all others come
#: from each sheet's own config file, so one variable cannot point them all at one sheet.
SHARED_ENVIRONMENT = ("SHEETSYNC_GOOGLE_CREDENTIALS", "SHEETSYNC_SHEETS_ENDPOINT")
MAX_JOBS = 64


@dataclass(frozen=True)
class ManifestEntry:
    name: str
    config: Path


@dataclass(frozen=True)
class Manifest:
    path: Path
    entries: tuple[ManifestEntry, ...]
    jobs: int = 4
    quota: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_QUOTA))


def load_manifest(path: Path) -> Manifest:
    """Read and check a manifest; errors name the file and the key."""
    doc = read_config_file(path)
    where = str(path)
    known = {"jobs", "quota", "sheets"}
    for key in doc:
        if key not in known:
            raise ConfigError(
                f"{where}: unknown key '{key}'. Known keys here: {', '.join(sorted(known))}."
            )
    jobs = doc.get("jobs", 4)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or not 1 <= jobs <= MAX_JOBS:
        raise ConfigError(
            f"{where}: jobs: expected a whole number from 1 to {MAX_JOBS}, got {jobs!r}."
        )
    quota = dict(DEFAULT_QUOTA)
    table = doc.get("quota", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [quota]: expected a table, got {table!r}.")
    for key, value in table.items():
        if key not in DEFAULT_QUOTA:
            raise ConfigError(
                f"{where}: unknown key '[quota] {key}'. Known keys here: "
                f"{', '.join(sorted(DEFAULT_QUOTA))}."
            )
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(
                f"{where}: [quota] {key}: expected a whole number of requests per minute (1 or "
                f"more), got {value!r}."
            )
        quota[key] = value
    sheets = doc.get("sheets")
    if not isinstance(sheets, list) or not sheets:
        raise ConfigError(
            f"{where}: sheets: expected a list of sheets, e.g. [[sheets]] tables each with "
            'config = "ada/sheetsync.toml".'
        )
    entries = [_entry(item, i, path) for i, item in enumerate(sheets)]
    _no_duplicates(entries, where)
    return Manifest(path, tuple(entries), jobs, quota)


def _entry(item: object, index: int, path: Path) -> ManifestEntry:
    key = f"sheets[{index}]"
    if isinstance(item, str):
        item = {"config": item}
    if not isinstance(item, dict):
        raise ConfigError(f'{path}: {key}: expected a table with config = "...", got {item!r}.')
    for sub in item:
        if sub not in ("name", "config"):
            raise ConfigError(f"{path}: unknown key '{key} {sub}'. Known keys here: config, name.")
    config = item.get("config")
    if not isinstance(config, str) or not config.strip():
        raise ConfigError(
            f"{path}: {key} config: expected the path of a config file, got {config!r}."
        )
    name = item.get("name", config)
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{path}: {key} name: expected text, got {name!r}.")
    return ManifestEntry(name.strip(), (path.parent / config).resolve())


def _no_duplicates(entries: Sequence[ManifestEntry], where: str) -> None:
    seen_names: set[str] = set()
    seen_configs: set[Path] = set()
    for i, e in enumerate(entries):
        if e.name in seen_names:
            raise ConfigError(f"{where}: sheets[{i}] name: '{e.name}' is listed twice.")
        if e.config in seen_configs:
            raise ConfigError(f"{where}: sheets[{i}] config: {e.config} is listed twice.")
        seen_names.add(e.name)
        seen_configs.add(e.config)


# --- sharding ---------------------------------------------------------------------------


def shard(items: Sequence[T], index: int, count: int) -> list[T]:
    """Task ``index``'s share of ``items`` when ``count`` tasks split them (pure).

    Contiguous blocks whose sizes differ by at most one: every item goes to
    exactly one task, in order, for any ``count`` (tasks beyond the number of
    items get nothing).
    """
    if count < 1 or not 0 <= index < count:
        raise ValueError(f"task index {index} is not in 0..{count - 1}")
    n = len(items)
    return list(items[index * n // count : (index + 1) * n // count])


def task_from_env(env: Mapping[str, str]) -> tuple[int, int]:
    """(index, count) from CLOUD_RUN_TASK_INDEX and CLOUD_RUN_TASK_COUNT; (0, 1) without them."""
    try:
        index = int(env.get("CLOUD_RUN_TASK_INDEX", "0") or "0")
        count = int(env.get("CLOUD_RUN_TASK_COUNT", "1") or "1")
    except ValueError:
        raise ConfigError(
            "CLOUD_RUN_TASK_INDEX and CLOUD_RUN_TASK_COUNT must be whole numbers, got "
            f"{env.get('CLOUD_RUN_TASK_INDEX')!r} and {env.get('CLOUD_RUN_TASK_COUNT')!r}."
        ) from None
    if count < 1 or not 0 <= index < count:
        raise ConfigError(
            f"CLOUD_RUN_TASK_INDEX={index} is not in 0..{count - 1} (CLOUD_RUN_TASK_COUNT={count})."
        )
    return index, count


# --- quotas -----------------------------------------------------------------------------


class SlidingWindow:
    """At most ``limit`` grants in any ``window`` seconds; thread-safe.

    :meth:`reserve` is the pure part: given "now", it books the earliest
    allowed moment and says how long to wait for it.  Bookings are made in
    order under a lock and the waiting happens outside it, so threads queue
    fairly and never exceed the limit in any window, bursts included.
    """

    def __init__(
        self,
        limit: int,
        window: float = 60.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.window = window
        self.clock = clock
        self.sleep = sleep
        self._grants: collections.deque[float] = collections.deque(maxlen=limit)
        self._lock = threading.Lock()

    def reserve(self, now: float) -> float:
        """Book a slot at or after ``now``; return the seconds to wait for it."""
        with self._lock:
            at = now
            if len(self._grants) == self.limit:
                at = max(now, self._grants[0] + self.window)
            if self._grants:
                at = max(at, self._grants[-1])
            self._grants.append(at)
            return at - now

    def acquire(self) -> float:
        """Wait for a slot; return the seconds waited."""
        delay = self.reserve(self.clock())
        if delay > 0:
            self.sleep(delay)
        return delay


class QuotaGuard:
    """The Sheets API quotas of one process: per project, and per user, for reads and writes.

    Google counts GET requests as reads and the rest as writes.  With
    ``share`` tasks running at once (Cloud Run), each gets ``1/share`` of every
    limit, so together they stay inside the project's quota.
    """

    def __init__(
        self,
        quota: Mapping[str, int] | None = None,
        *,
        share: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        q = {**DEFAULT_QUOTA, **(quota or {})}
        self.limits = {k: max(1, v // max(1, share)) for k, v in q.items()}
        self.clock, self.sleep = clock, sleep
        self.project = {
            "read": self._window(self.limits["read_per_minute"]),
            "write": self._window(self.limits["write_per_minute"]),
        }
        self._users: dict[tuple[str, str], SlidingWindow] = {}
        self._lock = threading.Lock()
        self.waited = 0.0

    def _window(self, limit: int) -> SlidingWindow:
        return SlidingWindow(limit, clock=self.clock, sleep=self.sleep)

    def _user(self, user: str, kind: str) -> SlidingWindow:
        with self._lock:
            key = (user, kind)
            if key not in self._users:
                self._users[key] = self._window(self.limits[f"{kind}_per_minute_per_user"])
            return self._users[key]

    def throttle_for(self, user: str) -> Callable[[str, str], None]:
        """A hook for :func:`sheetsync.google.http_client`: wait before each request."""

        def throttle(method: str, url: str) -> None:
            kind = "read" if method.upper() == "GET" else "write"
            waited = self._user(user, kind).acquire() + self.project[kind].acquire()
            if waited > 0:
                with self._lock:
                    self.waited += waited
                log.info("waited %.1f s for Sheets API quota (%s)", waited, kind)

        return throttle


def open_throttled_sheet(config: Config, throttle: Callable[[str, str], None]) -> Any:
    """The config's sheet; a Google sheet's client waits on ``throttle`` before each request."""
    from ..sheets import open_configured_sheet

    return open_configured_sheet(config, throttle=throttle)


# --- running ----------------------------------------------------------------------------

#: Runs one sheet: (entry, config, throttle) -> RunResult, or None when its lock is held.
SheetRunner = Callable[[ManifestEntry, Config, Callable[[str, str], None]], RunResult | None]


def sheet_runner(
    *,
    today: dt.date | None = None,
    dry_run: bool = False,
    on_skip: Callable[[str, str, str], None] | None = None,
) -> SheetRunner:
    """The usual way to run one manifest sheet: take its lock, open it throttled, run it.

    Returns None (skipped) when another run holds the sheet's lock; ``on_skip``
    hears (name, sheet, holder).
    """
    from ..app import Skipped, locked_run

    def run_sheet(
        entry: ManifestEntry, config: Config, throttle: Callable[[str, str], None]
    ) -> RunResult | None:
        sheet = open_throttled_sheet(config, throttle)
        try:
            return locked_run(config, sheet=sheet, today=today, dry_run=dry_run)
        except Skipped as skip:
            if on_skip:
                on_skip(entry.name, str(config.sheet), skip.holder)
            return None

    return run_sheet


@dataclass
class SheetOutcome:
    """One manifest sheet's result: ok, error (with its message) or skipped (locked)."""

    name: str
    config: str
    status: str  # "ok", "error" or "skipped"
    sheet: str | None = None
    error: str | None = None
    error_type: str | None = None
    seconds: float = 0.0
    result: RunResult | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "config": self.config,
            "status": self.status,
            "ok": self.status != "error",
            "sheet": self.sheet,
            "error": self.error,
            "error_type": self.error_type,
            "seconds": round(self.seconds, 3),
        }
        r = self.result
        data.update(
            contacts=r.contacts if r else None,
            cells_written=r.cells_written if r else None,
            drafts_made=(r.count("would draft") if r.dry_run else r.drafts_created) if r else None,
            warnings=list(r.warnings) if r else [],
        )
        return data


@dataclass
class ManifestReport:
    manifest: str
    task_index: int
    task_count: int
    total: int
    outcomes: list[SheetOutcome]
    quota_wait_seconds: float = 0.0

    @property
    def failed(self) -> list[SheetOutcome]:
        return [o for o in self.outcomes if o.status == "error"]

    def to_dict(self) -> dict[str, Any]:
        counts = collections.Counter(o.status for o in self.outcomes)
        return {
            "manifest": self.manifest,
            "task": {"index": self.task_index, "count": self.task_count},
            "sheets_in_manifest": self.total,
            "sheets_in_task": len(self.outcomes),
            "ok": counts["ok"],
            "failed": counts["error"],
            "skipped": counts["skipped"],
            "quota_wait_seconds": round(self.quota_wait_seconds, 3),
            "sheets": [o.to_dict() for o in self.outcomes],
        }


def run_manifest(
    manifest: Manifest,
    run_sheet: SheetRunner,
    *,
    jobs: int | None = None,
    env: Mapping[str, str] | None = None,
    quota: QuotaGuard | None = None,
    on_done: Callable[[SheetOutcome], None] | None = None,
) -> ManifestReport:
    """Run this task's share of the manifest, ``jobs`` sheets at a time; never stop on a failure."""
    env = os.environ if env is None else env
    index, count = task_from_env(env)
    mine = shard(manifest.entries, index, count)
    quota = quota or QuotaGuard(manifest.quota, share=count)
    shared_env = {k: env[k] for k in SHARED_ENVIRONMENT if env.get(k)}
    workers = max(1, min(jobs or manifest.jobs, MAX_JOBS, len(mine) or 1))
    log.info(
        "%s: task %d of %d runs %d of %d sheets, %d at a time",
        manifest.path,
        index + 1,
        count,
        len(mine),
        len(manifest.entries),
        workers,
    )

    def one(entry: ManifestEntry) -> SheetOutcome:
        outcome = _run_one(entry, run_sheet, shared_env, quota)
        if on_done:
            on_done(outcome)
        return outcome

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sheetsync") as pool:
        outcomes = list(pool.map(one, mine))
    return ManifestReport(
        str(manifest.path), index, count, len(manifest.entries), outcomes, quota.waited
    )


def _run_one(
    entry: ManifestEntry,
    run_sheet: SheetRunner,
    env: Mapping[str, str],
    quota: QuotaGuard,
) -> SheetOutcome:
    start = time.monotonic()
    outcome = SheetOutcome(entry.name, str(entry.config), "ok")
    try:
        config = load_config(str(entry.config), env=env)
        outcome.sheet = config.sheet
        user = config.google.credentials or "adc"
        result = run_sheet(entry, config, quota.throttle_for(user))
        if result is None:
            outcome.status = "skipped"
        else:
            outcome.result, outcome.sheet = result, result.sheet
    except SheetsyncError as exc:
        outcome.status, outcome.error, outcome.error_type = "error", str(exc), type(exc).__name__
    except Exception as exc:  # one broken sheet never stops the others
        log.exception("%s: unexpected error", entry.name)
        outcome.status, outcome.error_type = "error", type(exc).__name__
        outcome.error = f"unexpected error ({type(exc).__name__}): {exc}"
    outcome.seconds = time.monotonic() - start
    return outcome
