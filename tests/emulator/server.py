"""HTTP serving for the emulator: requests, routing, fault injection and the request log.

The server is the standard library's ThreadingHTTPServer bound to 127.0.0.1 on
a free port, speaking HTTP/1.1 with keep-alive (as Google's front ends do), and
answering JSON the way the real API does: pretty-printed, with errors shaped as
``{"error": {"code": 404, "message": "Requested entity was not found.",
"status": "NOT_FOUND"}}``.  Requests without ``Authorization: Bearer ...`` get
401 UNAUTHENTICATED on every authenticated route.  A query parameter a method
does not have is a 400 ("Unknown name ... Cannot bind query parameter"), as
with the real API, so a misspelt option fails loudly instead of being ignored.

Faults are rules consulted in this order for each request: ``delay``,
``drop`` (close the connection without an answer, nothing applied), ``fail``
(answer an error status, nothing applied; with ``retry_after``, a
``Retry-After`` header), then ``before`` hooks (run a function just before
serving), then the request is served, and ``drop_after_apply`` drops the
connection after the change was applied (the answer is lost), or
``apply_then_fail`` answers an error status although the change was applied.

A rule serves ``times`` matching requests, then stops by itself.  A rule
without ``when`` matches every request except token requests.

Answers are gzip-compressed when the request accepts gzip and its User-Agent
contains "gzip", as Google's front ends do.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import re
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .model import ApiError

Handler = Callable[..., tuple[int, Any]]
Predicate = Callable[["EmuRequest"], bool]

SYSTEM_PARAMS = frozenset(
    {"fields", "key", "alt", "prettyPrint", "quotaUser", "access_token", "callback",
     "upload_protocol", "uploadType", "$.xgafv", "oauth_token"}
)  # fmt: skip
WRITE_PATH = re.compile(r"(:batchUpdate|:clear|:batchClear|:append)$")

UNAUTHENTICATED = (
    "Request is missing required authentication credential. Expected OAuth 2 access token, "
    "login cookie or other valid authentication credential. See "
    "https://developers.google.com/identity/sign-in/web/devconsole-project."
)
INVALID_CREDENTIALS = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, "
    "login cookie or other valid authentication credential. See "
    "https://developers.google.com/identity/sign-in/web/devconsole-project."
)


def quota_message(kind: str) -> str:
    what = "Write" if kind == "write" else "Read"
    return (
        f"Quota exceeded for quota metric '{what} requests' and limit '{what} requests per "
        f"minute per user' of service 'sheets.googleapis.com' for consumer "
        f"'project_number:123456789012'."
    )


FAULT_MESSAGES = {
    408: "The request timed out.",
    500: "Internal error encountered.",
    502: "Bad Gateway",
    503: "The service is currently unavailable.",
    504: "The request timed out.",
}


@dataclass
class EmuRequest:
    """One request as the emulator saw it; also the request log's entry."""

    method: str
    path: str  # percent-decoded, without the query
    raw_path: str  # as sent, with the query
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    json: Any = None  # the parsed JSON body, None when absent or not JSON
    json_error: str | None = None
    form: dict[str, list[str]] = field(default_factory=dict)
    token: str | None = None  # the bearer token
    identity: str | None = None  # who the token belongs to, when the emulator knows
    status: int | None = None  # the answer's status (None when dropped before an answer)
    fault: str | None = None  # "fail 429", "drop", "drop_after_apply", "delay 1.5"
    reply_headers: dict[str, str] = field(default_factory=dict)
    bytes_in: int = 0
    bytes_out: int = 0
    started: float = 0.0
    elapsed: float = 0.0

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    @property
    def kind(self) -> str:
        """The quota kind: "token", "read", "write" (as Sheets counts them), or "other"."""
        if self.path in ("/token", "/oauth2/v4/token"):
            return "token"
        if self.method == "GET":
            return "read"
        if self.method in ("PUT", "POST", "DELETE", "PATCH"):
            sheets = self.path.startswith("/v4/") or WRITE_PATH.search(self.path)
            return "write" if sheets else "other"
        return "other"

    def check_params(self, *allowed: str) -> None:
        """400 for a query parameter the method does not have, as the API answers."""
        for name in self.query:
            if name not in allowed and name not in SYSTEM_PARAMS:
                raise ApiError(
                    400,
                    f'Invalid JSON payload received. Unknown name "{name}": Cannot bind query '
                    f"parameter. Field '{name}' could not be found in request message.",
                )

    def json_body(self) -> Any:
        """The JSON body; 400 as the API answers when it does not parse."""
        if self.json_error is not None:
            raise ApiError(400, f"Invalid JSON payload received. {self.json_error}")
        return self.json


@dataclass
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    auth: bool = True


@dataclass
class Rule:
    """A fault or hook: serves ``times`` matching requests, then stops (``done``)."""

    action: str  # "fail", "drop", "drop_after_apply", "apply_then_fail", "delay", "before"
    times: int = 1
    when: Predicate | None = None
    status: int = 0
    message: str | None = None
    seconds: float = 0.0
    retry_after: int | None = None
    fn: Callable[[Any], None] | None = None
    hits: int = 0

    @property
    def done(self) -> bool:
        return self.hits >= self.times

    def matches(self, req: EmuRequest) -> bool:
        if self.done:
            return False
        if self.when is None:
            return req.kind != "token"
        return bool(self.when(req))


class _Drop(Exception):
    """Close the connection without answering."""


class Core:
    """Routing, rules, the log and the HTTP server; the emulator's API sits on top."""

    def __init__(self, owner: Any) -> None:
        self.owner = owner  # passed to ``before`` hooks
        self.lock = threading.RLock()  # the log and the rules; the model has its own lock
        self.routes: list[Route] = []
        self.rules: list[Rule] = []
        self.log: list[EmuRequest] = []
        self.errors: list[str] = []  # tracebacks of emulator bugs (answered as 500)
        self.identify: Callable[[str], tuple[bool, str | None]] = lambda token: (True, None)
        self.connections: set[socket.socket] = set()
        self.httpd: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    # ------------------------------------------------------------- routing
    def route(self, method: str, pattern: str, handler: Handler, auth: bool = True) -> None:
        """Serve ``method`` on paths matching ``pattern`` (against the percent-decoded path).

        ``handler(req, *groups)`` returns ``(status, json_body)`` or raises ApiError.
        Routes added later are tried first, so a test can override a built-in one.
        """
        self.routes.insert(0, Route(method.upper(), re.compile(pattern), handler, auth))

    def add_rule(self, rule: Rule) -> Rule:
        if rule.times < 1:
            raise ValueError("times must be at least 1")
        with self.lock:
            self.rules.append(rule)
        return rule

    def _take(self, req: EmuRequest, action: str) -> list[Rule]:
        with self.lock:
            found = [r for r in self.rules if r.action == action and r.matches(req)]
            if action != "before":
                found = found[:1]
            for rule in found:
                rule.hits += 1
            self.rules = [r for r in self.rules if not r.done]
        return found

    # ------------------------------------------------------------- serving
    def serve(self, req: EmuRequest) -> tuple[int, Any]:
        """Answer one request; a failing ``when``/``before`` function or handler is an
        emulator-side error: recorded in ``errors`` and answered 500."""
        try:
            return self._serve(req)
        except _Drop:
            raise
        except Exception:
            with self.lock:
                self.errors.append(f"{req.method} {req.raw_path}\n{traceback.format_exc()}")
            return 500, ApiError(500, "Internal error encountered.").body()

    def _serve(self, req: EmuRequest) -> tuple[int, Any]:
        if req.token is not None:
            req.identity = self.identify(req.token)[1]  # known to ``when`` predicates
        for rule in self._take(req, "delay"):
            req.fault = f"delay {rule.seconds}"
            time.sleep(rule.seconds)
        if self._take(req, "drop"):
            req.fault = "drop"
            raise _Drop
        for rule in self._take(req, "fail"):
            req.fault = f"fail {rule.status}"
            return self._error(req, rule)
        for rule in self._take(req, "before"):
            assert rule.fn is not None
            rule.fn(self.owner)
        after = self._take(req, "drop_after_apply")
        failing = self._take(req, "apply_then_fail")
        status, payload = self.dispatch(req)
        if after:
            req.fault = "drop_after_apply"
            req.status = status
            raise _Drop
        for rule in failing:
            req.fault = f"apply_then_fail {rule.status}"
            return self._error(req, rule)
        return status, payload

    def _error(self, req: EmuRequest, rule: Rule) -> tuple[int, Any]:
        if rule.status == 429:
            message = rule.message or quota_message(req.kind)
        else:
            message = rule.message or FAULT_MESSAGES.get(rule.status, "Emulated failure.")
        if rule.retry_after is not None:
            req.reply_headers["Retry-After"] = str(rule.retry_after)
        return rule.status, ApiError(rule.status, message).body()

    def dispatch(self, req: EmuRequest) -> tuple[int, Any]:
        for route in self.routes:
            if route.method != req.method:
                continue
            m = route.pattern.search(req.path)
            if m is None:
                continue
            try:
                if route.auth:
                    self._authenticate(req)
                return route.handler(req, *m.groups())
            except ApiError as err:
                return err.code, err.body()
            except Exception:
                with self.lock:
                    self.errors.append(f"{req.method} {req.raw_path}\n{traceback.format_exc()}")
                return 500, ApiError(500, "Internal error encountered.").body()
        if req.path.startswith("/v4/"):
            message = f"The emulator does not implement {req.method} {req.path}."
            return 501, ApiError(501, message).body()
        message = f"The requested URL {req.path} was not found on this server."
        return 404, ApiError(404, message).body()

    def _authenticate(self, req: EmuRequest) -> None:
        if req.token is None:
            raise ApiError(401, UNAUTHENTICATED)
        valid, identity = self.identify(req.token)
        if not valid:
            raise ApiError(401, INVALID_CREDENTIALS)
        req.identity = identity

    # ---------------------------------------------------------------- http
    def start(self) -> str:
        core = self

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        class RequestHandler(_Handler):
            pass

        RequestHandler.core = core
        self.httpd = Server(("127.0.0.1", 0), RequestHandler)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        if self.httpd is None:
            return
        self.httpd.shutdown()
        self.httpd.server_close()
        with self.lock:
            open_connections = list(self.connections)
        for conn in open_connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self.thread is not None:
            self.thread.join(timeout=5)
        self.httpd = None


def _parse(method: str, target: str, headers: dict[str, str], body: bytes) -> EmuRequest:
    parts = urlsplit(target)
    req = EmuRequest(
        method=method,
        path=unquote(parts.path),
        raw_path=target,
        query=parse_qs(parts.query, keep_blank_values=True),
        headers=headers,
        body=body,
        bytes_in=len(body),
        started=time.monotonic(),
    )
    auth = headers.get("authorization", "")
    if auth[:7].lower() == "bearer " and auth[7:].strip():
        req.token = auth[7:].strip()
    ctype = headers.get("content-type", "")
    if "application/x-www-form-urlencoded" in ctype:
        req.form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    elif body:
        try:
            req.json = json.loads(body)
        except ValueError as err:
            req.json_error = str(err)
    return req


class _Handler(BaseHTTPRequestHandler):
    # headers and body go out in separate writes: without this, each answer waits for
    # the client's delayed ACK (about 40 ms a request on Linux)
    disable_nagle_algorithm = True
    core: Core
    protocol_version = "HTTP/1.1"
    server_version = "ESF"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        with self.core.lock:
            self.core.connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.core.lock:
                self.core.connections.discard(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the request log is emu.requests

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        req = _parse(self.command, self.path, headers, body)
        with self.core.lock:
            self.core.log.append(req)
        try:
            status, payload = self.core.serve(req)
        except _Drop:
            req.elapsed = time.monotonic() - req.started
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        # Google pretty-prints JSON unless the standard parameter prettyPrint=false is given
        compact = req.query.get("prettyPrint", ["true"])[-1].lower() == "false"
        indent = None if compact else 2
        separators = (",", ":") if compact else None
        text = json.dumps(payload, indent=indent, separators=separators, ensure_ascii=False)
        data = text.encode("utf-8") + b"\n"
        gzipped = "gzip" in headers.get("accept-encoding", "") and "gzip" in headers.get(
            "user-agent", ""
        )
        if gzipped:
            data = gzip.compress(data, compresslevel=5)
        req.status, req.bytes_out = status, len(data)
        req.elapsed = time.monotonic() - req.started
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        for name, value in req.reply_headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = _handle
