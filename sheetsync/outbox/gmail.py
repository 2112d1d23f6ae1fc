"""Drafts in Gmail, through the Gmail API, for users who authorised sheetsync with Google.

What this relies on (Gmail API v1):

* ``POST https://gmail.googleapis.com/gmail/v1/users/{userId}/drafts`` with
  ``{"message": {"raw": "<base64url of the RFC 5322 message>"}}`` creates a
  draft and answers ``{"id", "message": {"id", "threadId", ...}}``.  It needs
  the scope ``https://www.googleapis.com/auth/gmail.compose``.
* ``GET .../users/{userId}/drafts?q=rfc822msgid:<id>`` lists the drafts whose
  Message-ID header is ``<id>`` (the search operator takes the id without its
  angle brackets); with none, the answer has no ``"drafts"`` key.
* ``userId`` "me" is the account the credentials belong to.  Only a user's own
  OAuth credentials reach a personal Gmail account.  A service account has no
  mailbox: it can act only for a user of a Google Workspace domain whose admin
  granted it domain-wide delegation, with ``credentials.with_subject(user)``.

Nothing here sends mail: the only requests are drafts.list and drafts.create.
Before creating a draft, Gmail is searched for its Message-ID, so a run that
crashed after drafting, or a request whose answer was lost and is retried,
finds the draft instead of making a second one.  (Gmail's search may not yet
see a draft made a moment earlier, so two runs started in the same second
could both create one; the sheet's Drafted column stops every later run.)
"""

from __future__ import annotations

import base64
import datetime as dt
import email.policy
import logging
from typing import Any
from urllib.parse import quote, urlsplit

from ..config import Config
from ..core.drafting import Draft
from ..errors import DeliveryError
from ..google import (
    GMAIL_COMPOSE,
    RETRY_STATUSES,
    Backoff,
    GoogleError,
    authorized_session,
    config_dir,
    load_credentials,
    rewrite_url,
    scopes_for,
)
from .base import Outbox, Saved

log = logging.getLogger(__name__)

GMAIL_API = "https://gmail.googleapis.com/gmail/v1"
#: 403 reasons that mean "too many requests": Gmail answers some rate limits with 403.
RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})

SERVICE_ACCOUNT_HELP = (
    "A service account cannot create Gmail drafts by itself: it has no mailbox. It can only "
    "act for a user of a Google Workspace domain whose admin granted it domain-wide "
    f"delegation for the scope {GMAIL_COMPOSE}; then set [drafts] gmail_user = "
    '"you@yourdomain.com" (and keep [google] credentials pointing at its key file). For a '
    'personal Gmail account, use your own Google account: [google] credentials = "oauth".'
)


def _token_cache() -> str:
    return str(config_dir() / "google-token.json")


def _reauthorise() -> str:
    return (
        "Authorise sheetsync with the gmail.compose scope: with [google] credentials = "
        f'"oauth", delete {_token_cache()} and run sheetsync once by hand to sign in again; '
        'with credentials = "token", use a token that has the gmail.compose scope.'
    )


class _Retry(Exception):
    """A failure worth another try: 408/429/5xx, a rate-limit 403, or no connection."""

    def __init__(self, what: str, *, status: int | None = None):
        super().__init__(what)
        self.what = what
        self.status = status


class GmailDrafts(Outbox):
    """Drafts in the Gmail account of ``user`` ("me": the one the credentials belong to).

    ``credentials`` are google-auth credentials with the gmail.compose scope.
    Service-account credentials are delegated to ``user`` (which must then be an
    address in a Workspace domain that granted domain-wide delegation).
    ``endpoint`` sends every Google request (token refreshes included) to
    another base URL, as the ``[google] sheets_endpoint`` setting does.
    """

    def __init__(
        self,
        credentials: Any,
        *,
        user: str = "me",
        endpoint: str | None = None,
        sender: str = "",
        sender_name: str = "",
        backoff: Backoff | None = None,
        timeout: tuple[float, float] = (10.0, 60.0),
    ):
        self.user = user.strip() or "me"
        self.endpoint = endpoint
        self.sender = sender
        self.sender_name = sender_name
        self.backoff = backoff or Backoff()
        self.timeout = timeout
        self.credentials, self._refusal = _acting_for(credentials, self.user)
        self._session: Any = None
        # set when a failure will hit every draft (quota, network, credentials), so the
        # rest of the run fails at once instead of waiting through each retry
        self._broken: str | None = None

    def describe(self) -> str:
        return "Gmail drafts" if self.user == "me" else f"Gmail drafts of {self.user}"

    def save(self, draft: Draft, *, now: dt.datetime) -> Saved:
        reason = self._refusal or self._broken
        if reason:
            raise DeliveryError(reason)
        message = draft.to_message(sender=self.sender, sender_name=self.sender_name, now=now)
        raw = base64.urlsafe_b64encode(message.as_bytes(policy=email.policy.SMTP)).decode()
        created = False  # a create was sent, so a draft found later is this run's
        attempt = 0
        while True:
            try:
                found = self._find(draft.message_id)
                if found is not None:
                    return Saved(self._location(found), created)
                created = True
                return Saved(self._location(self._create(raw)), True)
            except _Retry as retry:
                if attempt >= self.backoff.retries:
                    self._broken = _gave_up(retry, attempt + 1)
                    raise DeliveryError(self._broken) from retry
                log.info("Gmail: %s; retrying", retry.what)
                self.backoff.sleep(self.backoff.delay(attempt))
                attempt += 1

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None
        self._broken = None

    # ----------------------------------------------------------------- requests
    def _find(self, message_id: str) -> str | None:
        """The id of a draft whose Message-ID is ``message_id``, or None."""
        query = f"rfc822msgid:{message_id.strip().removeprefix('<').removesuffix('>')}"
        answer = self._request("GET", "/drafts", params={"q": query, "maxResults": 10})
        drafts = answer.get("drafts") or []
        return _draft_id(drafts[0]) if drafts else None

    def _create(self, raw: str) -> str:
        return _draft_id(self._request("POST", "/drafts", json={"message": {"raw": raw}}))

    def _location(self, draft_id: str) -> str:
        return f"{self.describe()} (id {draft_id})"

    def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        import requests
        from google.auth.exceptions import RefreshError, TransportError

        user = quote(self.user, safe="@")
        url = rewrite_url(f"{GMAIL_API}/users/{user}{path}", self.endpoint)
        if self._session is None:
            self._session = authorized_session(self.credentials, endpoint=self.endpoint)
        try:
            response = self._session.request(method, url, timeout=self.timeout, **kwargs)
        except RefreshError as exc:
            if getattr(exc, "retryable", False):
                raise _Retry("the token refresh failed for now") from exc
            self._broken = self._refresh_refused(exc)
            raise DeliveryError(self._broken) from exc
        except (requests.ConnectionError, requests.Timeout, TransportError) as exc:
            host = urlsplit(url).netloc
            raise _Retry(f"cannot reach Gmail at {host} ({type(exc).__name__})") from exc
        if response.status_code < 300:
            try:
                body = response.json()
            except ValueError:
                body = None
            if not isinstance(body, dict):
                raise DeliveryError(
                    f"Gmail gave an answer sheetsync cannot read ({response.status_code}, not "
                    "JSON); is [google] sheets_endpoint pointing at a Google API endpoint?"
                )
            return body
        error = GoogleError.from_response(response)
        if error.status in RETRY_STATUSES or (
            error.status == 403 and error.reasons & RATE_LIMIT_REASONS
        ):
            raise _Retry(f"Gmail answered {error.status}", status=error.status)
        message = self._refused(error)
        if error.concerns_every_draft:
            self._broken = message
        raise DeliveryError(message)

    # ----------------------------------------------------------------- messages
    def _refused(self, error: GoogleError) -> str:
        said = error.said()
        if error.status == 401:
            return f"Gmail refused the Google credentials {said}. " + _reauthorise()
        if error.status == 403 and (
            "insufficientPermissions" in error.reasons
            or "ACCESS_TOKEN_SCOPE_INSUFFICIENT" in error.reasons
        ):
            return (
                "Gmail refused to create the draft: the Google credentials sheetsync uses are "
                f"not authorised for Gmail drafts {said}. " + _reauthorise()
            )
        if error.status == 403 and error.message.startswith("Delegation denied"):
            return (
                f"Gmail refused to act for {self.user} {said}. Set [drafts] gmail_user to the "
                'address of the Google account sheetsync is authorised for, or to "me".'
            )
        if error.status == 403 and error.reasons & {"accessNotConfigured", "SERVICE_DISABLED"}:
            return (
                f"The Gmail API is not enabled for your Google Cloud project {said}. Enable it "
                "in the Google Cloud console (APIs & Services, Library, Gmail API), then run "
                "sheetsync again."
            )
        if error.status == 403:
            return f"Gmail refused to create the draft {said}. " + _reauthorise()
        if error.status == 400 and (
            error.code == "FAILED_PRECONDITION" or "failedPrecondition" in error.reasons
        ):
            return f"Gmail refused the draft {said}. " + SERVICE_ACCOUNT_HELP
        return f"Gmail refused the draft {said}."

    def _refresh_refused(self, exc: Exception) -> str:
        # the exception's text is Google's answer; only its error code is used here
        text = str(exc)
        if _is_service_account(self.credentials):
            if "unauthorized_client" in text:
                return (
                    f"Google refused to let the service account act for {self.user}: "
                    "domain-wide delegation is not set up for it. A Workspace admin must "
                    "authorise the service account's client ID for the scope "
                    f"{GMAIL_COMPOSE} (Admin console, Security, API controls, Domain-wide "
                    'delegation). A personal Gmail account needs [google] credentials = "oauth".'
                )
            return (
                "Google refused a token for the service account: its key may have been "
                "deleted or disabled; download a new key."
            )
        return (
            "Gmail refused the Google credentials: they have expired or were revoked, and "
            "cannot be refreshed. " + _reauthorise()
        )


def _acting_for(credentials: Any, user: str) -> tuple[Any, str | None]:
    """The credentials to call Gmail with for ``user``, and why they cannot work, if so."""
    if not _is_service_account(credentials):
        return credentials, None
    if "@" in user and callable(getattr(credentials, "with_subject", None)):
        return credentials.with_subject(user), None
    # google-auth keeps the delegated user only in a private attribute
    if getattr(credentials, "_subject", None):
        return credentials, None
    return credentials, SERVICE_ACCOUNT_HELP


def _draft_id(draft: Any) -> str:
    if not isinstance(draft, dict) or not draft.get("id"):
        raise DeliveryError(
            "Gmail answered without a draft id; is [google] sheets_endpoint pointing at a "
            "Google API endpoint?"
        )
    return str(draft["id"])


def _is_service_account(credentials: Any) -> bool:
    return bool(getattr(credentials, "service_account_email", None))


def _gave_up(retry: _Retry, tries: int) -> str:
    if retry.status is None:
        return (
            f"{retry.what[0].upper()}{retry.what[1:]}, after {tries} tries; the draft was not "
            "saved. Check the network connection: the next run tries again."
        )
    if retry.status in (429, 403):
        return (
            f"Gmail's quota is used up for now ({retry.status}, {tries} tries); the draft was "
            "not saved. Wait a few minutes and run sheetsync again: the next run drafts it."
        )
    return (
        f"Gmail answered with a server error ({retry.status}) {tries} times; the draft was not "
        "saved. The next run tries again."
    )


def open_gmail_drafts(config: Config) -> GmailDrafts:
    """The Gmail destination of ``config``: its credentials with the gmail.compose scope."""
    creds = load_credentials(
        config.google.credentials,
        scopes=scopes_for("gmail"),
        oauth_client=config.google.oauth_client,
        endpoint=config.google.sheets_endpoint,
    )
    return GmailDrafts(
        creds.credentials,
        user=config.drafts.gmail_user,
        endpoint=config.google.sheets_endpoint,
        sender=config.me.email,
        sender_name=config.me.name,
    )


__all__ = ["GMAIL_COMPOSE", "GmailDrafts", "open_gmail_drafts"]
