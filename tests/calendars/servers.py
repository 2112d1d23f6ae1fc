"""Start a throwaway Radicale (CalDAV, over TLS) or a static HTTP server on 127.0.0.1.

Radicale runs as a child process with its own storage in a temporary folder,
no system config (``--config ""``), one user in a plain htpasswd file, and a
self-signed certificate for 127.0.0.1 (made by ``tests.mail.servers``).  In CI
a missing server is a failure; the tests never skip.
"""

from __future__ import annotations

import http.server
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..mail.servers import free_port, self_signed_cert, stop_process, wait_for_port


@dataclass
class Radicale:
    """A Radicale CalDAV server on https://127.0.0.1:<port>/ with one user, for one test."""

    user: str = "sam"
    password: str = "calendar horse"
    folder: Path = field(init=False)
    port: int = field(init=False, default=0)
    cafile: Path = field(init=False)
    process: Any = field(init=False, default=None)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}/"

    def __enter__(self) -> Radicale:
        try:
            import radicale  # noqa: F401
        except ImportError:
            raise RuntimeError(
                "Radicale is not installed: run 'bash tests/setup.sh' (the test extra has it)."
            ) from None
        self.folder = Path(tempfile.mkdtemp(prefix="sheetsync-radicale-"))
        self.cafile, key = self_signed_cert(self.folder)
        (self.folder / "users").write_text(f"{self.user}:{self.password}\n")
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "radicale",
                "--config",
                "",
                "--server-hosts",
                f"127.0.0.1:{self.port}",
                "--server-ssl",
                "--server-certificate",
                str(self.cafile),
                "--server-key",
                str(key),
                "--storage-filesystem-folder",
                str(self.folder / "collections"),
                "--auth-type",
                "htpasswd",
                "--auth-htpasswd-filename",
                str(self.folder / "users"),
                "--auth-htpasswd-encryption",
                "plain",
                "--logging-level",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            wait_for_port(self.port, seconds=30)
        except RuntimeError:
            self.__exit__(None, None, None)
            raise RuntimeError("Radicale did not start") from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            stop_process(self.process)
        shutil.rmtree(self.folder, ignore_errors=True)

    def client(self) -> Any:
        import caldav

        return caldav.DAVClient(
            url=self.url,
            username=self.user,
            password=self.password,
            ssl_verify_cert=str(self.cafile),
            enable_rfc6764=False,
        )

    def calendar(self, name: str, events: list[str]) -> str:
        """Make a calendar holding ``events`` (one VCALENDAR text each); its URL."""
        with self.client() as client:
            calendar = client.principal().make_calendar(name=name)
            for text in events:
                calendar.save_event(text)
            return str(calendar.url)


class StaticHttp:
    """Serves the files of one folder over http://127.0.0.1:<port>/ from a thread."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.requests: list[str] = []
        self.server: http.server.ThreadingHTTPServer | None = None

    def __enter__(self) -> StaticHttp:
        outer = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, directory=str(outer.folder), **kwargs)

            def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
                outer.requests.append(self.path)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep the test output quiet

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def __exit__(self, *exc: object) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
