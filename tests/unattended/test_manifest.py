"""Many sheets: the manifest, sharding (property-tested), the quota guard, isolation of failures.

The whole fan-out runs against the Sheets API emulator over real HTTP, with
a broken sheet among good ones.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetsync.cli.main import main
from sheetsync.config import Config
from sheetsync.core.result import RunResult
from sheetsync.errors import ConfigError, SheetError
from sheetsync.unattended.manifest import (
    Manifest,
    ManifestEntry,
    QuotaGuard,
    SlidingWindow,
    load_manifest,
    run_manifest,
    shard,
    sheet_runner,
    task_from_env,
)

from ..emulator import SheetsEmulator
from ..logstate import restore_logging  # noqa: F401
from ..sheets.test_google import TOKEN, add_example

TODAY = ["--today", "2026-11-22"]


@pytest.fixture(autouse=True)
def private_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("CLOUD_RUN_TASK_INDEX", raising=False)
    monkeypatch.delenv("CLOUD_RUN_TASK_COUNT", raising=False)


# --- sharding ---------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(n=st.integers(0, 300), count=st.integers(1, 64))
def test_shards_cover_every_sheet_exactly_once(n: int, count: int) -> None:
    items = list(range(n))
    parts = [shard(items, i, count) for i in range(count)]
    assert [x for part in parts for x in part] == items, "no gap, no overlap, in order"
    sizes = [len(p) for p in parts]
    assert max(sizes) - min(sizes) <= 1, "tasks get even shares"


@pytest.mark.parametrize(
    ("index", "count"), [(-1, 2), (2, 2), (0, 0)], ids=["negative", "too-big", "no-tasks"]
)
def test_shard_refuses_a_task_outside_the_count(index: int, count: int) -> None:
    with pytest.raises(ValueError):
        shard([1, 2, 3], index, count)


def test_task_from_cloud_run_environment() -> None:
    assert task_from_env({}) == (0, 1)
    env = {"CLOUD_RUN_TASK_INDEX": "3", "CLOUD_RUN_TASK_COUNT": "4"}
    assert task_from_env(env) == (3, 4)
    with pytest.raises(ConfigError, match=r"CLOUD_RUN_TASK_INDEX=4 is not in 0\.\.3"):
        task_from_env({"CLOUD_RUN_TASK_INDEX": "4", "CLOUD_RUN_TASK_COUNT": "4"})
    with pytest.raises(ConfigError, match="whole numbers"):
        task_from_env({"CLOUD_RUN_TASK_INDEX": "one"})


# --- quotas -------------------------------------------------------------------------------


def test_sliding_window_books_the_earliest_allowed_moment() -> None:
    window = SlidingWindow(3, 60.0)
    assert [window.reserve(0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert window.reserve(10.0) == 50.0, "the 4th waits until the 1st leaves the window"
    assert window.reserve(10.0) == 50.0
    assert window.reserve(70.0) == 0.0


@settings(max_examples=200, deadline=None)
@given(
    limit=st.integers(1, 10),
    gaps=st.lists(st.floats(0, 30, allow_nan=False), min_size=1, max_size=60),
)
def test_sliding_window_never_exceeds_its_limit(limit: int, gaps: list[float]) -> None:
    window = SlidingWindow(limit, 60.0)
    now, grants = 0.0, []
    for gap in gaps:
        now += gap
        grants.append(now + window.reserve(now))
    # in order, up to float rounding of now + wait
    assert all(b >= a - 1e-9 for a, b in itertools.pairwise(grants))
    for i in range(len(grants) - limit):
        assert grants[i + limit] - grants[i] >= 60.0 - 1e-9


def test_sliding_window_is_thread_safe() -> None:
    window = SlidingWindow(10, 60.0)
    grants: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(50):
            at = window.reserve(0.0)
            with lock:
                grants.append(at)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    grants.sort()
    assert len(grants) == 400
    assert all(grants[i + 10] - grants[i] >= 60.0 for i in range(len(grants) - 10))


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_quota_guard_per_user_and_per_project_and_shared_between_tasks() -> None:
    fake = FakeClock()
    guard = QuotaGuard(
        {"read_per_minute_per_user": 2, "read_per_minute": 3},
        clock=fake.clock,
        sleep=fake.sleep,
    )
    ada, bob = guard.throttle_for("ada-key.json"), guard.throttle_for("bob-key.json")
    ada("GET", "u")
    ada("GET", "u")
    assert fake.slept == []
    ada("GET", "u")  # Ada's third read in the minute waits for her own window
    assert fake.slept == [60.0]
    bob("GET", "u")
    bob("GET", "u")  # Bob has his own user window, but the project allows 3 a minute
    assert fake.now >= 60.0 and guard.waited >= 60.0
    ada("POST", "u")  # writes are counted apart from reads
    assert QuotaGuard(share=4).limits["read_per_minute"] == 75
    assert QuotaGuard(share=4).limits["write_per_minute_per_user"] == 15


# --- the manifest file --------------------------------------------------------------------


def test_manifest_paths_are_relative_to_it(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    manifest = tmp_path / "m" / "sheets.toml"
    manifest.write_text(
        'jobs = 2\n[quota]\nread_per_minute = 120\n\n[[sheets]]\nname = "ada"\n'
        'config = "ada/sheetsync.toml"\n\n[[sheets]]\nconfig = "../bob.toml"\n',
        encoding="utf-8",
    )
    loaded = load_manifest(manifest)
    assert loaded.jobs == 2 and loaded.quota["read_per_minute"] == 120
    assert loaded.entries == (
        ManifestEntry("ada", tmp_path / "m" / "ada" / "sheetsync.toml"),
        ManifestEntry("../bob.toml", tmp_path / "bob.toml"),
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        pytest.param("jobs = 0\n[[sheets]]\nconfig='a'\n", "jobs: expected a whole", id="jobs"),
        pytest.param("[[sheets]]\nconfg='a'\n", "unknown key 'sheets[0] confg'", id="typo"),
        pytest.param("sheets = []\n", "sheets: expected a list", id="empty"),
        pytest.param("[quota]\nreads = 3\n[[sheets]]\nconfig='a'\n", "'[quota] reads'", id="quota"),
        pytest.param("[[sheets]]\nconfig='a'\n[[sheets]]\nconfig='a'\n", "listed twice", id="dup"),
        pytest.param("sheet = 'x'\n", "unknown key 'sheet'", id="top"),
    ],
)
def test_bad_manifest_names_file_and_key(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "sheets.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_manifest(path)
    assert str(path) in str(err.value) and fragment in str(err.value)


# --- isolation and concurrency, with a fake sheet runner ------------------------------------


def test_one_broken_sheet_never_stops_the_others(tmp_path: Path) -> None:
    entries = []
    for name in ("a", "b", "c", "d", "e"):
        config = tmp_path / f"{name}.toml"
        config.write_text(f'sheet = "{name}.csv"\n', encoding="utf-8")
        entries.append(ManifestEntry(name, config))
    entries.append(ManifestEntry("missing", tmp_path / "nope.toml"))
    running, most = 0, 0
    lock = threading.Lock()
    gate = threading.Barrier(2, timeout=10)

    def fake_run(entry: ManifestEntry, config: Config, throttle: Any) -> RunResult:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        try:
            if entry.name in ("a", "b"):
                gate.wait()  # both run at the same time, or this times out
            if entry.name == "b":
                raise SheetError("b's sheet is not shared with the service account")
            if entry.name == "d":
                raise RuntimeError("a bug")
            return RunResult(sheet=str(config.sheet), today=dt.date(2026, 11, 22), dry_run=False)
        finally:
            with lock:
                running -= 1

    report = run_manifest(Manifest(tmp_path / "m.toml", tuple(entries)), fake_run, jobs=2, env={})
    by_name = {o.name: o for o in report.outcomes}
    assert [o.name for o in report.outcomes] == ["a", "b", "c", "d", "e", "missing"]
    assert [by_name[n].status for n in "ace"] == ["ok", "ok", "ok"]
    assert by_name["b"].error == "b's sheet is not shared with the service account"
    assert by_name["d"].error == "unexpected error (RuntimeError): a bug"
    assert "does not exist" in (by_name["missing"].error or "")
    assert most == 2, "two at once, never more"
    data = report.to_dict()
    assert data["ok"] == 3 and data["failed"] == 3
    assert data["sheets"][1]["ok"] is False and data["sheets"][1]["error_type"] == "SheetError"


def test_the_task_runs_only_its_shard(tmp_path: Path) -> None:
    entries = tuple(ManifestEntry(str(i), tmp_path / f"{i}.toml") for i in range(7))
    for e in entries:
        e.config.write_text(f'sheet = "{e.name}.csv"\n', encoding="utf-8")
    seen: list[str] = []
    seen_lock = threading.Lock()

    def fake_run(entry: ManifestEntry, config: Config, throttle: Any) -> None:
        with seen_lock:
            seen.append(entry.name)

    names = []
    for index in range(3):
        env = {"CLOUD_RUN_TASK_INDEX": str(index), "CLOUD_RUN_TASK_COUNT": "3"}
        report = run_manifest(Manifest(tmp_path / "m.toml", entries), fake_run, env=env)
        assert report.task_count == 3 and report.total == 7
        assert all(o.status == "skipped" for o in report.outcomes)
        names += [o.name for o in report.outcomes]
    assert names == [e.name for e in entries] and sorted(seen) == sorted(names)


# --- the whole fan-out against the emulator --------------------------------------------------


@pytest.fixture
def emu() -> Iterator[SheetsEmulator]:
    with SheetsEmulator() as emulator:
        yield emulator


@pytest.fixture
def google_env(emu: SheetsEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHEETSYNC_SHEETS_ENDPOINT", emu.base_url)
    monkeypatch.setenv("SHEETSYNC_GOOGLE_CREDENTIALS", "token")
    monkeypatch.setenv("SHEETSYNC_GOOGLE_TOKEN", TOKEN)


def _write_manifest(tmp_path: Path, sheets: dict[str, str], jobs: int = 3) -> Path:
    lines = [f"jobs = {jobs}", ""]
    for name, location in sheets.items():
        folder = tmp_path / name
        folder.mkdir()
        tab = 'tab = "Network"\n' if location.startswith("https://") else ""
        (folder / "sheetsync.toml").write_text(
            f'sheet = "{location}"\n{tab}[drafts]\nfolder = "drafts"\n', encoding="utf-8"
        )
        lines += ["[[sheets]]", f'name = "{name}"', f'config = "{name}/sheetsync.toml"', ""]
    manifest = tmp_path / "sheets.toml"
    manifest.write_text("\n".join(lines), encoding="utf-8")
    return manifest


def _url(key: str) -> str:
    return f"https://docs.google.com/spreadsheets/d/{key}/edit"


@pytest.mark.usefixtures("google_env")
def test_run_manifest_against_the_emulator(
    emu: SheetsEmulator,
    tmp_path: Path,
    example_csv: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    keys = [add_example(emu) for _ in range(4)]
    sheets = {f"coach-{i}": _url(k) for i, k in enumerate(keys)}
    sheets["broken"] = _url("1NoSuchSpreadsheetAnywhere000000000000000")
    sheets["local"] = str(example_csv)
    manifest = _write_manifest(tmp_path, sheets)

    code = main(["run", "--manifest", str(manifest), "--jobs", "3", "--json", *TODAY])
    data = json.loads(capsys.readouterr().out)
    assert code == 7, "some sheets failed: exit 7"
    assert data["sheets_in_manifest"] == 6 and data["ok"] == 5 and data["failed"] == 1
    by_name = {s["name"]: s for s in data["sheets"]}
    broken = by_name["broken"]
    assert broken["ok"] is False and broken["error_type"] == "SheetNotFound"
    assert broken["error"]
    for i, key in enumerate(keys):
        s = by_name[f"coach-{i}"]
        assert s["ok"] and s["contacts"] == 30 and s["drafts_made"] == 5
        assert "Status" in emu.cells(key, "Network")[2], "each good sheet was written"
        assert len(list((tmp_path / f"coach-{i}" / "drafts").glob("*.eml"))) == 5
    assert by_name["local"]["ok"] and by_name["local"]["contacts"] == 30


@pytest.mark.usefixtures("google_env")
def test_every_google_request_waits_on_the_shared_quota(
    emu: SheetsEmulator, tmp_path: Path
) -> None:
    keys = [add_example(emu) for _ in range(3)]
    manifest = load_manifest(
        _write_manifest(tmp_path, {f"s{i}": _url(k) for i, k in enumerate(keys)})
    )
    fake = FakeClock()
    guard = QuotaGuard(
        {"read_per_minute_per_user": 2, "write_per_minute_per_user": 1},
        clock=fake.clock,
        sleep=fake.sleep,
    )
    emu.reset_log()
    run_sheet = sheet_runner(today=dt.date(2026, 11, 22))
    report = run_manifest(manifest, run_sheet, jobs=3, quota=guard, env=dict(_env_of(emu)))
    assert not report.failed, report.to_dict()
    api = [r for r in emu.requests if r.kind in ("read", "write")]
    reads = sum(1 for r in api if r.kind == "read")
    writes = len(api) - reads
    assert (reads, writes) == (9, 3), "per run: a read, a re-read, a write, a check"
    # 6 reads at 2 a minute and 3 writes at 1 a minute: the quota made the fan-out wait
    assert guard.waited >= 120.0 and fake.slept


def _env_of(emu: SheetsEmulator) -> dict[str, str]:
    return {
        "SHEETSYNC_SHEETS_ENDPOINT": emu.base_url,
        "SHEETSYNC_GOOGLE_CREDENTIALS": "token",
    }


@pytest.mark.usefixtures("google_env")
def test_sharded_cli_runs_its_part_and_logs_json_lines(
    emu: SheetsEmulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    keys = [add_example(emu) for _ in range(3)]
    manifest = _write_manifest(tmp_path, {f"s{i}": _url(k) for i, k in enumerate(keys)})
    monkeypatch.setenv("CLOUD_RUN_TASK_INDEX", "1")
    monkeypatch.setenv("CLOUD_RUN_TASK_COUNT", "2")
    assert main(["run", "--manifest", str(manifest), "--log-format", "json", *TODAY]) == 0
    records = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    runs = [r for r in records if r.get("event") == "run"]
    assert sorted(r["name"] for r in runs) == ["s1", "s2"]
    done = records[-1]
    assert done["event"] == "manifest" and done["task"] == {"index": 1, "count": 2}
    assert done["ok"] == 2 and done["sheets_in_manifest"] == 3
    assert "Status" not in emu.cells(keys[0], "Network")[2], "task 1 leaves task 0's sheet alone"


def test_manifest_refuses_per_sheet_flags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = tmp_path / "sheets.toml"
    manifest.write_text("[[sheets]]\nconfig = 'a.toml'\n", encoding="utf-8")
    assert main(["run", "--manifest", str(manifest), "--sheet", "x.csv"]) == 3
    assert "leave out --sheet" in capsys.readouterr().err


def test_manifest_text_report(
    tmp_path: Path, example_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = _write_manifest(
        tmp_path, {"mine": str(example_csv), "gone": str(tmp_path / "x.csv")}
    )
    assert main(["run", "--manifest", str(manifest), "--dry-run", *TODAY]) == 7
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("2 of 2 sheets: 1 ok, 1 failed, 0 skipped")
    assert out[1].startswith("  ok      mine: contacts.csv: 30 contacts")
    assert out[2].startswith("  error   gone: ")
