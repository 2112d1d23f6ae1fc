"""Talking to Google: credentials, the API endpoint, and a bounded back-off.

Credentials come in the three ways users have them:

* a service-account key file (``credentials = "key.json"``): share the sheet
  with the account's email;
* the user's own Google account (``credentials = "oauth"``): the installed-app
  flow of google-auth-oauthlib, with the token cached in the user's config
  folder (mode 0600) and refreshed automatically;
* Application Default Credentials (``credentials = "adc"``, the default), for
  Google Cloud.

``endpoint`` points every ``*.googleapis.com`` request (the API and token
refreshes) at another base URL: a proxy, a private endpoint, or the tests'
emulator.  With it set, no request goes to Google.  Credentials and tokens
never appear in log lines or error messages.
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .errors import ConfigError, SheetError

log = logging.getLogger(__name__)

SHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets"
#: Gmail drafts (the "gmail" destination).  Google has no narrower scope for drafts: this
#: one also allows sending, which sheetsync never does.
GMAIL_COMPOSE = "https://www.googleapis.com/auth/gmail.compose"
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


@dataclass
class GoogleError:
    """The parts of a Google API error answer that decide what to tell the user.

    Read once here for every Google API sheetsync calls (Sheets, Gmail)."""

    status: int
    code: str = ""  # "PERMISSION_DENIED"
    message: str = ""  # Google's own words; never holds a credential
    reasons: set[str] = field(default_factory=set)  # errors[].reason and details[].reason

    def said(self) -> str:
        """'(403 PERMISSION_DENIED: Google's message)', for a message to the user."""
        head = f"{self.status} {self.code}".strip()
        return f"({head}: {self.message})" if self.message else f"({head})"

    @property
    def concerns_every_draft(self) -> bool:
        """Credentials, scopes, delegation: the next draft would meet the same refusal."""
        return self.status in (401, 403) or self.code == "FAILED_PRECONDITION"

    @classmethod
    def from_response(cls, response: Any) -> GoogleError:
        """The error in an HTTP response of a Google API (its JSON ``error`` object)."""
        found = cls(int(getattr(response, "status_code", 0) or 0))
        try:
            error = response.json().get("error")
        except (ValueError, AttributeError):
            return found
        if not isinstance(error, dict):
            return found
        found.code = str(error.get("status") or "")
        found.message = str(error.get("message") or "")[:300]
        for item in [*(error.get("errors") or []), *(error.get("details") or [])]:
            if isinstance(item, dict) and item.get("reason"):
                found.reasons.add(str(item["reason"]))
        return found


def access_problem(status: int, message: str, sheet: str, share: str) -> str:
    """A 401/403 with Google's own reason kept, and the fix for the usual ones."""
    lowered = message.lower()
    if "has not been used in project" in lowered or "is disabled" in lowered:
        link = re.search(r"https://console\.developers\.google\.com/\S+", message)
        where = link.group(0).rstrip(".") if link else "the Google Cloud console (APIs & Services)"
        return (
            f"The Google Sheets API is not enabled for the Google Cloud project of sheetsync's "
            f"credentials ({status}). Enable it at {where}, wait a minute, and run again."
        )
    if "insufficient authentication scopes" in lowered or "insufficient_scope" in lowered:
        return (
            f"The Google credentials lack the scope sheetsync needs ({status}: {message}). "
            f'Sign in again granting {SHEETS_SCOPE} (with credentials = "oauth": run '
            "'sheetsync auth')."
        )
    said = f" Google said: {message}" if message else ""
    return f"Google refused access to the spreadsheet {sheet} ({status}).{share}{said}"


def config_dir() -> Path:
    """The user's sheetsync config folder (the Google token cache): platformdirs' user
    config folder. Linux: ``$XDG_CONFIG_HOME/sheetsync`` (``~/.config/sheetsync``);
    macOS: ``~/Library/Application Support/sheetsync``; Windows:
    ``%LOCALAPPDATA%\\sheetsync``."""
    import platformdirs

    return Path(platformdirs.user_config_dir("sheetsync", appauthor=False))


def rewrite_url(url: str, endpoint: str | None) -> str:
    """``url`` sent to ``endpoint`` instead, when it is a Google API URL."""
    if not endpoint:
        return url
    parts = urlsplit(url)
    if not parts.hostname or not parts.hostname.endswith("googleapis.com"):
        return url
    base = urlsplit(endpoint.rstrip("/"))
    return urlunsplit((base.scheme, base.netloc, base.path + parts.path, parts.query, ""))


@dataclass(frozen=True)
class Backoff:
    """Bounded exponential back-off with jitter for 408, 429 and 5xx answers.

    A wait is ``min(cap, base * 2**attempt)`` with jitter, or the server's
    ``Retry-After`` when it gives one (never more than ``cap``); at most
    ``retries`` waits and ``budget`` seconds of waiting in all.  The defaults
    (up to 7 waits, 32 s each, 100 s in all) let a 429 back-off outlast Google's
    one-minute quota window.
    """

    retries: int = 7
    base: float = 1.0
    cap: float = 32.0
    budget: float = 100.0
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        if retry_after is not None:
            return min(self.cap, max(0.0, retry_after))
        return min(self.cap, self.base * 2**attempt) * (0.5 + self.jitter() / 2)


class Waits:
    """The waits of one retried request (or one write's rounds), within a Backoff's bounds."""

    def __init__(self, policy: Backoff, deadline: float | None = None):
        self.policy, self.deadline = policy, deadline
        self.attempt, self.waited = 0, 0.0

    def wait(self, retry_after: float | None = None) -> bool:
        """Sleep before the next try; False (without sleeping) when the bounds are spent."""
        delay = self.policy.delay(self.attempt, retry_after)
        if self.attempt >= self.policy.retries or self.waited + delay > self.policy.budget:
            return False
        if self.deadline is not None and time.monotonic() + delay > self.deadline:
            return False
        self.policy.sleep(delay)
        self.attempt += 1
        self.waited += delay
        return True


def retry_after(response: Any) -> float | None:
    """The seconds of a ``Retry-After`` header, when the answer has one."""
    value = getattr(response, "headers", {}).get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None  # an HTTP date: Google sends seconds


def _auth_request(endpoint: str | None) -> Any:
    from google.auth.transport.requests import Request

    class EndpointRequest(Request):
        def __call__(self, url: str, *args: Any, **kwargs: Any) -> Any:
            return super().__call__(rewrite_url(url, endpoint), *args, **kwargs)

    return EndpointRequest()


def authorized_session(credentials: Any, *, endpoint: str | None = None) -> Any:
    """A ``requests`` session that sends the bearer token and refreshes it via ``endpoint``."""
    from google.auth.transport.requests import AuthorizedSession

    return AuthorizedSession(credentials, auth_request=_auth_request(endpoint))


def scopes_for(destination: str) -> tuple[str, ...]:
    """The OAuth scopes a run asks for: Sheets, plus gmail.compose when drafts go to Gmail.

    The sheet and the drafts ask for the same scopes, so one cached OAuth token
    serves both: a refresh that asked for fewer would leave the other without access.
    """
    return (SHEETS_SCOPE, GMAIL_COMPOSE) if destination == "gmail" else (SHEETS_SCOPE,)


def http_client(
    credentials: Any,
    *,
    endpoint: str | None = None,
    backoff: Backoff | None = None,
    throttle: Callable[[str, str], None] | None = None,
    deadline_seconds: float | None = None,
) -> Any:
    """A gspread HTTP client that rewrites the endpoint and retries within bounds.

    gspread 6.2.1's own back-off client never gives up on a persistent 429, so
    retrying is done here, with limits (:class:`Backoff`).  A structural
    ``batchUpdate`` is never resent here: when its answer is not a success,
    nobody knows whether Google applied it, so the caller reads the sheet again
    and sends only what is missing.  ``throttle(method, url)``, when given, is
    called before every request (retries included) and may wait: a shared quota
    guard uses it to keep many sheets inside Google's requests per minute.

    ``deadline_seconds`` bounds the whole run from now: no request starts after
    it, and each request's timeout ends at it; then :class:`RunDeadline`.
    Answers are gzip-compressed (Google compresses only for a User-Agent with "gzip").
    """
    import requests
    from google.auth.exceptions import RefreshError
    from google.auth.transport.requests import AuthorizedSession
    from gspread.exceptions import APIError
    from gspread.http_client import HTTPClient

    policy = backoff or Backoff()
    deadline = time.monotonic() + deadline_seconds if deadline_seconds else None

    class SheetsyncHTTPClient(HTTPClient):
        requests_sent = 0
        backoff: Backoff = policy
        deadline: float | None = None

        def request(  # type: ignore[override]
            self, method: str, endpoint_url: str, *args: Any, **kwargs: Any
        ) -> Any:
            url = rewrite_url(endpoint_url, endpoint)
            waits = Waits(policy, deadline)
            while True:
                if throttle is not None:
                    throttle(method, url)
                self._check_deadline()
                self.requests_sent += 1
                try:
                    return super().request(method, url, *args, **kwargs)
                except RefreshError as exc:
                    raise refused_credentials(exc) from None
                except APIError as exc:
                    status = exc.response.status_code
                    if status not in RETRY_STATUSES or _outcome_unknown_if_lost(method, url):
                        raise
                    if not waits.wait(retry_after(exc.response)):
                        raise
                    log.info("%s %s answered %s; retried", method.upper(), _path(url), status)
                except (requests.ConnectionError, requests.Timeout) as exc:
                    if _outcome_unknown_if_lost(method, url) or not waits.wait():
                        raise
                    log.info(
                        "%s %s failed (%s); retried", method.upper(), _path(url), type(exc).__name__
                    )

        def _check_deadline(self) -> None:
            if deadline is None:
                return
            left = deadline - time.monotonic()
            if left <= 0:
                raise RunDeadline(deadline_seconds or 0)
            self.set_timeout((min(10.0, left), min(120.0, left)))

    session = AuthorizedSession(credentials, auth_request=_auth_request(endpoint))
    session.headers["User-Agent"] = "sheetsync (gzip)"
    session.headers["Accept-Encoding"] = "gzip"
    client = SheetsyncHTTPClient(credentials, session=session)
    client.auth = credentials
    client.set_timeout((10, 120))
    client.backoff = policy  # the sheet's own write rounds wait the same way
    client.deadline = deadline
    return client


class RunDeadline(SheetError):
    """The run's overall deadline passed; it stopped before sending anything more."""

    def __init__(self, seconds: float):
        super().__init__(
            f"Google Sheets answered too slowly: the run stopped after its deadline of "
            f"{seconds:g} s ([google] deadline_seconds). What was already written stays; run "
            "again later, and sheetsync carries on from the sheet as it is."
        )


def _outcome_unknown_if_lost(method: str, url: str) -> bool:
    """A structural batch that was not answered with a success may have been applied,
    and appends are not idempotent: the caller re-reads and re-plans instead."""
    return method.upper() == "POST" and _path(url).endswith(":batchUpdate")


def _path(url: str) -> str:
    return urlsplit(url).path


@dataclass
class GoogleCredentials:
    """Loaded credentials and, for a service account, the email to share sheets with."""

    credentials: Any
    account_email: str | None
    kind: str


def load_credentials(
    setting: str | None,
    *,
    scopes: tuple[str, ...] = (SHEETS_SCOPE,),
    oauth_client: str | None = None,
    token_cache: Path | None = None,
    endpoint: str | None = None,
) -> GoogleCredentials:
    """Credentials for ``setting``: a key file path, "oauth", "adc" or "token".

    "token" takes a ready OAuth access token from $SHEETSYNC_GOOGLE_TOKEN (for
    example from ``gcloud auth print-access-token``).
    """
    choice = (setting or "adc").strip()
    if choice == "adc":
        return _adc(scopes)
    if choice == "token":
        token = os.environ.get("SHEETSYNC_GOOGLE_TOKEN", "")
        if not token:
            raise ConfigError('credentials = "token" needs the token in SHEETSYNC_GOOGLE_TOKEN.')
        from google.oauth2.credentials import Credentials

        return GoogleCredentials(Credentials(token=token), None, "token")
    if choice == "oauth":
        return _oauth(
            scopes, oauth_client, token_cache or config_dir() / "google-token.json", endpoint
        )
    return _service_account(Path(choice).expanduser(), scopes)


def _service_account(path: Path, scopes: tuple[str, ...]) -> GoogleCredentials:
    from google.oauth2 import service_account

    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"Credentials file {path} does not exist. Download a service-account key (JSON) "
            'from the Google Cloud console, or set credentials = "oauth" to use your own '
            "Google account."
        ) from None
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"Credentials file {path} is not a JSON key file ({type(exc).__name__})."
        ) from None
    if not isinstance(info, dict) or info.get("type") != "service_account":
        raise ConfigError(
            f'{path} is not a service-account key (its "type" is not "service_account"). '
            "credentials.example.json shows the shape."
        )
    try:
        creds = service_account.Credentials.from_service_account_info(info, scopes=list(scopes))
    except (ValueError, KeyError) as exc:
        # the message may quote the key's fields, so it is not repeated here
        raise ConfigError(
            f"{path} is not a usable service-account key ({type(exc).__name__}); "
            "download a new key."
        ) from None
    return GoogleCredentials(creds, info.get("client_email"), "service_account")


def _adc(scopes: tuple[str, ...]) -> GoogleCredentials:
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError

    try:
        creds, _project = google.auth.default(scopes=list(scopes))
    except DefaultCredentialsError:
        raise ConfigError(
            "No Google credentials found. Set [google] credentials in sheetsync.toml to a "
            'service-account key file or to "oauth", or run \'gcloud auth application-default '
            "login'."
        ) from None
    return GoogleCredentials(creds, getattr(creds, "service_account_email", None), "adc")


def _oauth(
    scopes: tuple[str, ...], client_file: str | None, cache: Path, endpoint: str | None
) -> GoogleCredentials:
    from google.auth.exceptions import RefreshError
    from google.oauth2.credentials import Credentials

    creds = None
    if cache.exists():
        try:
            creds = Credentials.from_authorized_user_file(str(cache), list(scopes))
        except (ValueError, OSError):
            log.warning("ignoring the unreadable token cache %s", cache)
    if creds is not None and not creds.valid and creds.refresh_token:
        try:
            creds.refresh(_auth_request(endpoint))
        except RefreshError as exc:
            log.warning("the saved Google sign-in no longer works (%s)", _refresh_reason(exc))
            creds = None
    if creds is None or not creds.valid:
        if not client_file:
            raise ConfigError(
                'credentials = "oauth" needs an OAuth client file: create a Desktop OAuth '
                "client in the Google Cloud console and set [google] oauth_client = "
                '"client_secret.json".'
            )
        if not interactive():
            raise ConfigError(
                "Google sign-in is needed (no saved sign-in, or it expired or was revoked), and "
                "it needs a person at a browser: run 'sheetsync auth' by hand in a terminal, "
                'then run again. (A Google Cloud app left in "Testing" gets sign-ins that '
                "expire after 7 days: publish it to keep them.)"
            )
        creds = _browser_sign_in(scopes, client_file)
    save_token(cache, creds.to_json())
    return GoogleCredentials(creds, None, "oauth")


#: How long the browser sign-in waits for the person to finish.
SIGN_IN_TIMEOUT = 300


def interactive() -> bool:
    """Whether a person can answer: stdin and stdout are terminals."""
    import sys

    return sys.stdin.isatty() and sys.stdout.isatty()


def _browser_sign_in(scopes: tuple[str, ...], client_file: str | None) -> Any:
    if not client_file:
        raise ConfigError(
            'credentials = "oauth" needs an OAuth client file: create a Desktop OAuth '
            "client in the Google Cloud console and set [google] oauth_client = "
            '"client_secret.json".'
        )
    from google_auth_oauthlib.flow import InstalledAppFlow

    try:
        flow = InstalledAppFlow.from_client_secrets_file(client_file, list(scopes))
    except FileNotFoundError:
        raise ConfigError(
            f"[google] oauth_client = {client_file!r}: no such file. Download the Desktop "
            "OAuth client's JSON from the Google Cloud console and point oauth_client at it."
        ) from None
    except ValueError as exc:
        raise ConfigError(
            f"[google] oauth_client = {client_file!r} is not an OAuth client file ({exc})."
        ) from None
    creds = flow.run_local_server(port=0, open_browser=True, timeout_seconds=SIGN_IN_TIMEOUT)
    if creds is None or not getattr(creds, "valid", False):
        raise ConfigError(
            f"The Google sign-in was not finished within {SIGN_IN_TIMEOUT} s; run "
            "'sheetsync auth' again."
        )
    return creds


def _refresh_reason(exc: Exception) -> str:
    """The OAuth error code of a refused refresh (``invalid_grant``), never the token."""
    text = str(exc)
    for code in ("invalid_grant", "invalid_client", "unauthorized_client", "invalid_scope"):
        if code in text:
            return code
    return type(exc).__name__


def refused_credentials(exc: Exception, kind: str | None = None) -> ConfigError:
    """A RefreshError (expired or revoked token, deleted key) as a message naming the fix."""
    reason = _refresh_reason(exc)
    return ConfigError(
        f"Google refused sheetsync's credentials ({reason}): the sign-in expired or was "
        "revoked, or the service-account key was deleted or disabled. With credentials = "
        '"oauth", run \'sheetsync auth\' to sign in again (a Google Cloud app in "Testing" '
        "gets sign-ins that expire after 7 days); with a key file, create a new key in the "
        "Google Cloud console; with \"adc\", run 'gcloud auth application-default login'."
    )


def _token_cache(config: Any) -> Path:
    return config_dir() / "google-token.json"


def sign_in(config: Any) -> GoogleCredentials:
    """Sign in with the browser now (for ``sheetsync auth``), replacing any saved sign-in."""
    from .config import Config

    assert isinstance(config, Config)
    scopes = scopes_for(config.drafts.destination)
    creds = _browser_sign_in(scopes, config.google.oauth_client)
    save_token(_token_cache(config), creds.to_json())
    return GoogleCredentials(creds, None, "oauth")


def signed_in_as(config: Any) -> tuple[str | None, tuple[str, ...]]:
    """(the account's email when known, the scopes granted) of the saved sign-in.

    ((None, ()) when there is none.)"""
    cache = _token_cache(config)
    if not cache.exists():
        return None, ()
    try:
        saved = json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, ()
    scopes = saved.get("scopes") or []
    account = saved.get("account") or None
    return account, tuple(str(s) for s in scopes)


def sign_out(config: Any) -> bool:
    """Forget the saved sign-in; True when there was one."""
    cache = _token_cache(config)
    if cache.exists():
        cache.unlink()
        return True
    return False


def save_token(path: Path, text: str) -> None:
    """Write a token file readable only by the user (0600), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
