"""The Cloud Functions entry point, served for real by functions-framework on 127.0.0.1.

The function is staged exactly as deploy/README.md deploys it (deploy/stage.py),
served by functions-framework in a subprocess, triggered over HTTP, and runs
against the Sheets API emulator (reached through SHEETSYNC_SHEETS_ENDPOINT).
functions-framework is a test dependency: if it is missing, these tests fail.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import requests

from ..conftest import REPO
from ..emulator import SheetsEmulator
from ..sheets.test_google import TOKEN, add_example

STARTUP_SECONDS = 60


def _stage_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("deploy_stage", REPO / "deploy" / "stage.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_listening(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"functions-framework exited ({proc.returncode}):\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(
        f"functions-framework did not listen within {STARTUP_SECONDS} s:\n{log.read_text()}"
    )


@pytest.fixture
def emu() -> Iterator[SheetsEmulator]:
    with SheetsEmulator() as emulator:
        yield emulator


class Served:
    def __init__(self, url: str, log: Path, key: str):
        self.url, self.log, self.key = url, log, key
        self.http = requests.Session()
        self.http.trust_env = False  # no proxy between the test and 127.0.0.1

    def call(self, method: str = "POST", **params: Any) -> requests.Response:
        return self.http.request(method, self.url, params=params, timeout=120)


@pytest.fixture
def served(emu: SheetsEmulator, tmp_path: Path) -> Iterator[Served]:
    source = _stage_module().stage("function", tmp_path / "function")
    key = add_example(emu)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHEETSYNC_")}
    env.update(
        SHEETSYNC_SHEET=f"https://docs.google.com/spreadsheets/d/{key}/edit",
        SHEETSYNC_TAB="Network",
        SHEETSYNC_SHEETS_ENDPOINT=emu.base_url,
        SHEETSYNC_GOOGLE_CREDENTIALS="token",
        SHEETSYNC_GOOGLE_TOKEN=TOKEN,
        SHEETSYNC_DRAFTS_DESTINATION="tab",
        SHEETSYNC_DRAFTS_FOLDER=str(tmp_path / "drafts"),
        NO_GCE_CHECK="true",
        PYTHONPATH="",  # the staged copy of sheetsync, as in the cloud
    )
    log = tmp_path / "functions-framework.log"
    cmd = [
        sys.executable,
        "-m",
        "functions_framework",
        "--target",
        "sheetsync_http",
        "--source",
        str(source / "main.py"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=source, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_listening(port, proc, log)
        yield Served(f"http://127.0.0.1:{port}/", log, key)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def test_the_function_answers_over_real_http(served: Served, emu: SheetsEmulator) -> None:
    first = served.call("POST")
    assert first.status_code == 200, first.text
    assert first.headers["Content-Type"].startswith("application/json")
    report = first.json()
    assert report["ok"] is True and report["contacts"] == 30
    assert report["sheet"] == "Sam's network › Network" and report["dry_run"] is False
    assert set(report) >= {"statuses", "cells_written", "drafts", "rows", "warnings"}
    assert "Status" in emu.cells(served.key, "Network")[2], "the run wrote the sheet"

    dry = served.call("GET", dry_run="1")
    assert dry.status_code == 200 and dry.json()["dry_run"] is True

    emu.deny(served.key)  # the sheet is no longer shared with the function's account
    failed = served.call("POST")
    assert failed.status_code == 500
    body = failed.json()
    assert body["ok"] is False and body["error"]["type"] and body["error"]["message"]
    assert body["error"]["exit_code"] == 4
    assert TOKEN not in failed.text

    assert served.call("PUT").status_code == 405

    lines = served.log.read_text(errors="replace")
    assert '"event": "run"' in lines and '"severity": "ERROR"' in lines, lines
    assert TOKEN not in lines, "credentials never reach the log"


def test_a_config_error_is_a_500_with_a_json_body(monkeypatch: pytest.MonkeyPatch) -> None:
    from sheetsync.unattended.cloud import handle

    body, status = handle("POST", {}, {})
    assert status == 500 and body["ok"] is False
    assert body["error"]["type"] == "ConfigError" and "No sheet" in body["error"]["message"]


def test_eml_drafts_are_refused_in_the_cloud(tmp_path: Path) -> None:
    from sheetsync.unattended.cloud import handle

    sheet = tmp_path / "c.csv"
    sheet.write_text("Name,Last contacted,What,Last in person\nAda,2025-01-01,x,\n")
    body, status = handle("POST", {}, {"SHEETSYNC_SHEET": str(sheet)})
    assert status == 500 and "vanish with the instance" in body["error"]["message"]
    assert sheet.read_text().startswith("Name,Last contacted,What,Last in person\n")
    assert "Status" not in sheet.read_text(), "nothing written"


def test_missing_functions_framework_names_the_extra() -> None:
    code = (
        "import sys; sys.modules['functions_framework'] = None; import sheetsync.unattended.cloud"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.returncode != 0
    assert "pip install 'sheetsync[cloud]'" in proc.stderr


def test_staged_function_and_job_hold_what_google_builds_from(
    tmp_path: Path, example_csv: Path
) -> None:
    stage = _stage_module()
    function = stage.stage("function", tmp_path / "f", extra=[str(example_csv)])
    assert (function / "main.py").read_text().count("sheetsync_http") >= 1
    requirements = (function / "requirements.txt").read_text().splitlines()
    assert any(r.startswith("functions-framework") for r in requirements)
    assert any(r.startswith("gspread") for r in requirements)
    assert (function / "sheetsync" / "templates" / "checkin.j2").is_file()
    assert (function / "contacts.csv").is_file()

    sheets = tmp_path / "sheets"
    sheets.mkdir()
    (sheets / "ada.toml").write_text('sheet = "https://docs.google.com/x"\n', encoding="utf-8")
    (sheets / "coach.toml").write_text("[[sheets]]\nconfig = 'ada.toml'\n", encoding="utf-8")
    job = stage.stage("job", tmp_path / "j", manifest=str(sheets / "coach.toml"))
    dockerfile = (job / "Dockerfile").read_text()
    assert 'CMD ["run", "--manifest", "sheets/coach.toml"' in dockerfile
    assert (job / "sheets" / "ada.toml").is_file()
    assert not any(r.startswith("functions-framework") for r in (job / "requirements.txt").open())
