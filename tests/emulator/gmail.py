"""Gmail API v1 drafts on the emulator: ``users.drafts`` create, list and get, and no sending.

``SheetsEmulator`` installs this by default (``emu.gmail``); ``install_gmail(emu)``
adds it to any emulator with ``route``, ``auth`` and ``lock``.  It answers as the
real service does:

* ``POST /gmail/v1/users/{userId}/drafts`` with ``{"message": {"raw": ...}}``,
  the RFC 5322 message in base64url (standard base64 and missing padding are
  accepted too, as Google's JSON decoding of bytes does), answers a Draft
  ``{"id": "r-…", "message": {"id", "threadId", "labelIds": ["DRAFT"]}}``.  A new
  draft starts its own thread.  No ``raw`` is 400; ``raw`` that is not base64
  is 400 (INVALID_ARGUMENT).
* ``GET /gmail/v1/users/{userId}/drafts`` takes ``q``, ``maxResults`` (1-500,
  default 100), ``pageToken`` and ``includeSpamTrash`` and answers ``{"drafts":
  [{"id", "message": {"id", "threadId"}}], "resultSizeEstimate": N}``, newest
  first; with no match the answer is ``{"resultSizeEstimate": 0}`` (the real
  API leaves out ``"drafts"``).  Of Gmail's search syntax only
  ``rfc822msgid:ID`` is implemented (the Message-ID with or without its angle
  brackets, case-insensitive); any other query answers 501, so a test cannot
  pass on a search the emulator does not understand.
* ``GET /gmail/v1/users/{userId}/drafts/{id}`` takes ``format`` (``full``, the
  default, ``minimal``, ``raw`` or ``metadata``); an unknown id is 404.

Who is asking: ``userId`` "me" is the token's identity (the "me" mailbox when
the emulator does not know the token); an email address must be the token's
identity, else 403 "Delegation denied for ...".  A service account's own
token (a JWT grant without ``sub``, or a registered identity ending in
``.gserviceaccount.com``) has no mailbox: 400 FAILED_PRECONDITION
"Precondition check failed.", as the real API answers.  A token whose scopes
the emulator knows and that has none of Gmail's compose scopes (reading
drafts also accepts ``gmail.readonly``) gets 403 "Request had insufficient
authentication scopes.".  Errors carry Gmail's ``errors`` list (``reason``
such as ``insufficientPermissions``, ``failedPrecondition``, ``notFound``).

Nothing is ever sent: ``messages.send`` and ``drafts.send`` (and their upload
forms) answer 501 without touching any mailbox, and each attempt is kept in
``send_attempts`` as well as in the request log.
"""

from __future__ import annotations

import base64
import binascii
import email
import email.policy
import re
import secrets
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from .auth import JWT_GRANT, TokenInfo, _jwt_payload, oauth_error
from .model import ApiError
from .server import EmuRequest

USERS = r"^/gmail/v1/users/([^/]+)"
SEND = r"^/(?:upload/)?gmail/v1/users/([^/]+)/(?:messages|drafts)/send$"
SCOPE = "https://www.googleapis.com/auth/"
COMPOSE_SCOPES = frozenset(
    SCOPE + s for s in ("gmail.compose", "gmail.modify", "gmail.addons.current.action.compose")
) | {"https://mail.google.com/"}
READ_SCOPES = COMPOSE_SCOPES | {SCOPE + "gmail.readonly"}
FORMATS = ("full", "minimal", "raw", "metadata")

#: Gmail's answer to too many requests, for ``emu.fail_next(429, message=...)``.
RATE_LIMITED = "User-rate limit exceeded.  Retry after 2026-11-22T09:00:00.000Z"
#: The token endpoint's answer when domain-wide delegation is not set up.
UNAUTHORIZED_CLIENT = (
    "Client is unauthorized to retrieve access tokens using this method, or client not "
    "authorized for any of the scopes requested."
)


class GmailError(ApiError):
    """An error answer in Gmail's shape: Google's, plus the older ``errors`` list."""

    def __init__(self, code: int, message: str, reason: str, status: str | None = None):
        super().__init__(code, message, status)
        self.reason = reason
        self.details: list[dict[str, Any]] = []

    def body(self) -> dict[str, object]:
        error: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "errors": [{"message": self.message, "domain": "global", "reason": self.reason}],
            "status": self.status,
        }
        if self.details:
            error["details"] = self.details
        return {"error": error}


def insufficient_scopes() -> GmailError:
    err = GmailError(
        403, "Request had insufficient authentication scopes.", "insufficientPermissions"
    )
    err.details = [
        {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
            "domain": "googleapis.com",
            "metadata": {"service": "gmail.googleapis.com"},
        }
    ]
    return err


@dataclass
class StoredDraft:
    id: str
    message_id: str  # Gmail's id of the draft's message
    thread_id: str
    raw: bytes
    message: EmailMessage
    rfc822_id: str  # the Message-ID header without angle brackets, case-folded ("" if none)
    internal_date: int  # milliseconds since the epoch


def _rfc822_key(value: str) -> str:
    return value.strip().strip('"').strip().removeprefix("<").removesuffix(">").casefold()


def _decode_raw(raw: object) -> bytes:
    if not isinstance(raw, str) or not raw:
        raise GmailError(
            400, "Invalid value for ByteString: message.raw is required", "invalidArgument"
        )
    text = raw.strip().replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise GmailError(
            400,
            f"Invalid value at 'draft.message.raw' (TYPE_BYTES), Base64 decoding failed for "
            f'"{raw[:40]}"',
            "invalidArgument",
        ) from None


class GmailService:
    """The drafts of every mailbox, and the routes that serve them."""

    def __init__(self, emu: Any) -> None:
        self.emu = emu
        self.lock = threading.Lock()
        self.mailboxes: dict[str, list[StoredDraft]] = {}
        self.send_attempts: list[EmuRequest] = []
        emu.route("POST", USERS + r"/drafts$", self.create)
        emu.route("GET", USERS + r"/drafts$", self.list)
        emu.route("GET", USERS + r"/drafts/([^/]+)$", self.get)
        emu.route("POST", SEND, self.refuse_send, auth=False)

    # ---------------------------------------------------------------- helpers
    def drafts(self, user: str = "me") -> list[EmailMessage]:
        """The messages of ``user``'s drafts, oldest first (``user`` as the token's
        identity, or "me" for tokens the emulator does not know)."""
        with self.lock:
            return [d.message for d in self.mailboxes.get(user.casefold(), [])]

    def stored(self, user: str = "me") -> list[StoredDraft]:
        with self.lock:
            return list(self.mailboxes.get(user.casefold(), []))

    def refuse_delegation(self) -> None:
        """The token endpoint refuses domain-wide delegation (JWT grants with ``sub``),
        as Google does when no Workspace admin authorised the service account."""
        auth = self.emu.auth

        def token(req: EmuRequest) -> tuple[int, Any]:
            form = {k: v[0] for k, v in req.form.items() if v}
            if form.get("grant_type") == JWT_GRANT:
                payload = _jwt_payload(form.get("assertion", ""))
                if payload and payload.get("sub"):
                    return oauth_error("unauthorized_client", UNAUTHORIZED_CLIENT, 401)
            return auth.handle(req)  # type: ignore[no-any-return]

        self.emu.route("POST", r"^/(?:oauth2/v4/)?token$", token, auth=False)

    # ---------------------------------------------------------------- routes
    def create(self, req: EmuRequest, user_id: str) -> tuple[int, Any]:
        req.check_params()
        owner = self._owner(req, user_id, COMPOSE_SCOPES)
        body = req.json_body()
        message = body.get("message") if isinstance(body, dict) else None
        if not isinstance(message, dict):
            raise GmailError(400, "Invalid draft: missing message", "invalidArgument")
        raw = _decode_raw(message.get("raw"))
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        gmail_id = f"{secrets.randbits(64):016x}"
        draft = StoredDraft(
            id=f"r{secrets.randbits(63) - 2**62}",
            message_id=gmail_id,
            thread_id=gmail_id,
            raw=raw,
            message=parsed,
            rfc822_id=_rfc822_key(str(parsed.get("Message-ID", ""))),
            internal_date=int(time.time() * 1000),
        )
        with self.lock:
            self.mailboxes.setdefault(owner, []).append(draft)
        return 200, {
            "id": draft.id,
            "message": {"id": gmail_id, "threadId": gmail_id, "labelIds": ["DRAFT"]},
        }

    def list(self, req: EmuRequest, user_id: str) -> tuple[int, Any]:
        req.check_params("q", "maxResults", "pageToken", "includeSpamTrash")
        owner = self._owner(req, user_id, READ_SCOPES)
        wanted = _search(req.param("q", "") or "")
        size = _whole(req.param("maxResults", "100"), "maxResults", 1, 500)
        start = _whole(req.param("pageToken", "0"), "pageToken", 0, 10**9)
        with self.lock:
            found = [
                d
                for d in reversed(self.mailboxes.get(owner, []))
                if wanted is None or d.rfc822_id == wanted
            ]
        answer: dict[str, Any] = {}
        page = found[start : start + size]
        if page:
            answer["drafts"] = [
                {"id": d.id, "message": {"id": d.message_id, "threadId": d.thread_id}} for d in page
            ]
        if start + size < len(found):
            answer["nextPageToken"] = str(start + size)
        answer["resultSizeEstimate"] = len(found)
        return 200, answer

    def get(self, req: EmuRequest, user_id: str, draft_id: str) -> tuple[int, Any]:
        req.check_params("format")
        owner = self._owner(req, user_id, READ_SCOPES)
        fmt = req.param("format", "full") or "full"
        if fmt not in FORMATS:
            raise GmailError(
                400,
                f"Invalid value at 'format' (type.googleapis.com/google.apps.gmail.v1."
                f'GetDraftRequest.Format), "{fmt}"',
                "invalidArgument",
            )
        with self.lock:
            draft = next((d for d in self.mailboxes.get(owner, []) if d.id == draft_id), None)
        if draft is None:
            raise GmailError(404, "Requested entity was not found.", "notFound")
        return 200, {"id": draft.id, "message": _message_resource(draft, fmt)}

    def refuse_send(self, req: EmuRequest, user_id: str) -> tuple[int, Any]:
        with self.lock:
            self.send_attempts.append(req)
        raise GmailError(501, "The emulator never sends mail; nothing was sent.", "notImplemented")

    # ---------------------------------------------------------------- access
    def _owner(self, req: EmuRequest, user_id: str, scopes: frozenset[str]) -> str:
        """The mailbox ``user_id`` names for this token, or the error the API answers."""
        info = self._token_info(req.token)
        if info is not None and info.scope is not None and not set(info.scope.split()) & scopes:
            raise insufficient_scopes()
        identity = req.identity
        own = user_id == "me" or user_id.casefold() == (identity or "").casefold()
        if _is_service_account(info, identity) and own:
            raise GmailError(
                400, "Precondition check failed.", "failedPrecondition", "FAILED_PRECONDITION"
            )
        if not own and identity is not None:
            raise GmailError(403, f"Delegation denied for {user_id}", "forbidden")
        return (identity or user_id).casefold()

    def _token_info(self, token: str | None) -> TokenInfo | None:
        if token is None:
            return None
        with self.emu.auth.lock:
            info: TokenInfo | None = self.emu.auth.known.get(token)
        return info


def install_gmail(emu: Any) -> GmailService:
    """Serve the Gmail drafts endpoints on ``emu``; returns the service (its mailboxes)."""
    return GmailService(emu)


def _is_service_account(info: TokenInfo | None, identity: str | None) -> bool:
    if info is not None and info.grant_type == JWT_GRANT:
        return info.subject is None
    return identity is not None and identity.endswith(".gserviceaccount.com")


def _search(query: str) -> str | None:
    """The Message-ID an ``rfc822msgid:`` query asks for; None for no query."""
    query = query.strip()
    if not query:
        return None
    match = re.fullmatch(r'rfc822msgid:\s*("?)(<?[^\s"<>]+>?)\1', query, re.IGNORECASE)
    if match is None:
        raise ApiError(
            501, f"The emulator does not implement the Gmail search {query!r} (only rfc822msgid:)."
        )
    return _rfc822_key(match.group(2))


def _whole(value: str | None, name: str, low: int, high: int) -> int:
    try:
        number = int(value or "")
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise GmailError(400, f"Invalid value at '{name}' ({value!r})", "invalidArgument")
    return number


def _message_resource(draft: StoredDraft, fmt: str) -> dict[str, Any]:
    body = draft.message.get_body(preferencelist=("plain", "html"))
    text = body.get_content() if body is not None else ""
    out: dict[str, Any] = {
        "id": draft.message_id,
        "threadId": draft.thread_id,
        "labelIds": ["DRAFT"],
        "snippet": " ".join(str(text).split())[:200],
        "sizeEstimate": len(draft.raw),
        "historyId": "1",
        "internalDate": str(draft.internal_date),
    }
    if fmt == "raw":
        out["raw"] = base64.urlsafe_b64encode(draft.raw).decode("ascii")
    elif fmt in ("full", "metadata"):
        out["payload"] = _part(draft.message, "", with_body=fmt == "full")
    return out


def _part(part: Any, part_id: str, *, with_body: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "partId": part_id,
        "mimeType": part.get_content_type(),
        "filename": part.get_filename() or "",
        "headers": [{"name": k, "value": str(v)} for k, v in part.items()],
    }
    if not with_body:
        return out
    if part.is_multipart():
        out["body"] = {"size": 0}
        out["parts"] = [
            _part(p, f"{part_id}.{i}" if part_id else str(i), with_body=True)
            for i, p in enumerate(part.iter_parts())
        ]
    else:
        data = part.get_payload(decode=True) or b""
        out["body"] = {"size": len(data), "data": base64.urlsafe_b64encode(data).decode("ascii")}
    return out
