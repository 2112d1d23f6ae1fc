"""Gmail drafts, against the local Gmail API emulator over real HTTP.

The first tests pin the emulator's Gmail behaviours (the answers the real API
gives); the rest run :class:`GmailDrafts` and whole runs against it.  sheetsync
reaches the emulator through its documented endpoint setting (``sheets_endpoint``
or SHEETSYNC_SHEETS_ENDPOINT), never by patching.  After every test, the
emulator's log must show that nothing but drafts.list and drafts.create was
asked of Gmail: no request ever tries to send.
"""

from __future__ import annotations

import base64
import datetime as dt
import email
import email.policy
import json
import logging
import re
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import requests

from sheetsync.app import run
from sheetsync.cli.main import main
from sheetsync.config import Config, DraftsSettings, GoogleSettings, Me, ScoringSettings
from sheetsync.core.drafting import Draft, file_stem, message_id_for
from sheetsync.errors import DeliveryError, SheetError
from sheetsync.google import GMAIL_COMPOSE, SHEETS_SCOPE, Backoff, http_client, load_credentials
from sheetsync.outbox import open_outbox
from sheetsync.outbox.gmail import GmailDrafts
from sheetsync.sheets import GoogleSheet, MemorySheet

from ..conftest import EXAMPLES
from ..emulator import SheetsEmulator
from ..emulator.gmail import RATE_LIMITED
from ..test_emulator import rsa_private_key_pem

TODAY = dt.date(2026, 11, 22)
NOW = dt.datetime(2026, 11, 22, 8, 30, tzinfo=dt.UTC)
TOKEN = "gmail-test-token-do-not-log"
FAST = Backoff(retries=3, base=0.001, cap=0.004)
ME = "sam@example.com"
ROBOT = "robot@sheetsync-test.iam.gserviceaccount.com"
DRAFTS = re.compile(r"^/gmail/v1/users/[^/]+/drafts$")
DRAFT = re.compile(r"^/gmail/v1/users/[^/]+/drafts/[^/]+$")
HEADER = ["Name", "Email", "Last contacted", "What", "Last met"]


@pytest.fixture
def emu() -> Iterator[SheetsEmulator]:
    with SheetsEmulator() as emulator:
        yield emulator
        assert_nothing_sent(emulator)


def assert_nothing_sent(emu: SheetsEmulator) -> None:
    """Gmail was only asked to list, read and create drafts: no send, no other method."""
    gmail = [r for r in emu.requests if "gmail" in r.path]
    odd = [
        f"{r.method} {r.path}"
        for r in gmail
        if not (DRAFTS.match(r.path) and r.method in ("GET", "POST"))
        and not (DRAFT.match(r.path) and r.method == "GET")
    ]
    assert not odd, odd
    assert not emu.gmail.send_attempts


def call(
    emu: SheetsEmulator, method: str, path: str, token: str | None = "test-token", **kw: Any
) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(method, emu.base_url + path, headers=headers, timeout=10, **kw)


def raw_message(message_id: str = "<one@example.com>", subject: str = "Hello") -> str:
    msg = EmailMessage()
    msg["To"] = "Ada <ada@example.com>"
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    msg.set_content("Hi Ada\n")
    return base64.urlsafe_b64encode(msg.as_bytes()).decode()


def create(emu: SheetsEmulator, raw: str, user: str = "me", **kw: Any) -> requests.Response:
    return call(emu, "POST", f"/gmail/v1/users/{user}/drafts", json={"message": {"raw": raw}}, **kw)


def search(emu: SheetsEmulator, q: str, user: str = "me", **kw: Any) -> requests.Response:
    return call(emu, "GET", f"/gmail/v1/users/{user}/drafts", params={"q": q}, **kw)


def make_draft(name: str = "Ada Lovelace", to: str = "ada@example.com") -> Draft:
    message_id = message_id_for(f"email:{to}", "2026-10-01")
    return Draft(
        message_id=message_id,
        contact_key=f"email:{to}",
        to_name=name,
        to_email=to,
        subject="Checking in: engines",
        body="Hi Ada,\n\nHow are the engines?\n",
        template="checkin",
        stem=file_stem(name, message_id),
    )


def gmail(emu: SheetsEmulator, token: str = TOKEN, **kw: Any) -> GmailDrafts:
    from google.oauth2.credentials import Credentials

    kw.setdefault("backoff", FAST)
    kw.setdefault("sender", ME)
    kw.setdefault("sender_name", "Sam Rivera")
    return GmailDrafts(Credentials(token=token), endpoint=emu.base_url, **kw)


def gmail_requests(emu: SheetsEmulator, method: str | None = None) -> list[Any]:
    return [r for r in emu.requests if "gmail" in r.path and method in (None, r.method)]


def contacts(n: int = 4) -> list[list[object]]:
    rows: list[list[object]] = [HEADER]
    for i in range(n):
        when = TODAY - dt.timedelta(days=60 + 10 * i)
        rows.append([f"Person {i}", f"p{i}@example.com", when, f"topic {i}", None])
    return rows


def config(cap: int = 3, **kw: Any) -> Config:
    return Config(
        scoring=ScoringSettings(daily_cap=cap),
        drafts=DraftsSettings(destination="gmail"),
        me=Me(email=ME),
        **kw,
    )


def drafted(sheet: MemorySheet) -> dict[str, object]:
    col = sheet.grid[0].index("Drafted")
    return {str(r[0]): (r[col] if col < len(r) else None) for r in sheet.grid[1:]}


def notes(sheet: MemorySheet) -> dict[str, str]:
    col = sheet.grid[0].index("Sheetsync note")
    return {str(r[0]): str(r[col] if col < len(r) else "") for r in sheet.grid[1:]}


def key_file(tmp_path: Path, email_address: str = ROBOT) -> Path:
    """A service-account key made here (its token comes from the emulator's /token)."""
    info = json.loads((EXAMPLES.parent / "credentials.example.json").read_text())
    info.update(private_key=rsa_private_key_pem(), client_email=email_address)
    path = tmp_path / "key.json"
    path.write_text(json.dumps(info))
    return path


def decoded(message: EmailMessage) -> dict[str, str]:
    return {k: str(message[k]) for k in ("From", "To", "Subject", "Message-ID", "X-Unsent")}


# --- the emulator answers as Gmail does -----------------------------------------------------


def test_emulator_create_answers_a_draft(emu: SheetsEmulator) -> None:
    answer = create(emu, raw_message())
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"id", "message"} and body["id"].startswith("r")
    assert body["message"]["labelIds"] == ["DRAFT"]
    assert body["message"]["threadId"] == body["message"]["id"], "a new draft starts a thread"
    (stored,) = emu.gmail_drafts("me")
    assert stored["Message-ID"] == "<one@example.com>" and stored["Subject"] == "Hello"


def test_emulator_searches_drafts_by_message_id(emu: SheetsEmulator) -> None:
    first = create(emu, raw_message("<one@example.com>")).json()
    second = create(emu, raw_message("<two@example.com>")).json()
    for q in ("rfc822msgid:one@example.com", "rfc822msgid:<one@example.com>"):
        message = {"id": first["message"]["id"], "threadId": first["message"]["id"]}
        expected = {"drafts": [{"id": first["id"], "message": message}], "resultSizeEstimate": 1}
        assert search(emu, q).json() == expected
    assert search(emu, "rfc822msgid:three@example.com").json() == {"resultSizeEstimate": 0}
    everything = call(emu, "GET", "/gmail/v1/users/me/drafts").json()
    assert [d["id"] for d in everything["drafts"]] == [second["id"], first["id"]], "newest first"
    page = call(emu, "GET", "/gmail/v1/users/me/drafts", params={"maxResults": 1}).json()
    assert len(page["drafts"]) == 1 and page["nextPageToken"] and page["resultSizeEstimate"] == 2
    other = search(emu, "from:ada@example.com")
    assert other.status_code == 501, "a search the emulator does not understand never passes"
    bad = call(emu, "GET", "/gmail/v1/users/me/drafts", params={"labelIds": "DRAFT"})
    assert bad.status_code == 400
    assert 'Unknown name "labelIds"' in bad.json()["error"]["message"]


def test_emulator_gets_a_draft_in_each_format(emu: SheetsEmulator) -> None:
    raw = raw_message()
    draft_id = create(emu, raw).json()["id"]
    path = f"/gmail/v1/users/me/drafts/{draft_id}"
    got = call(emu, "GET", path, params={"format": "raw"}).json()
    assert base64.urlsafe_b64decode(got["message"]["raw"]) == base64.urlsafe_b64decode(raw)
    full = call(emu, "GET", path).json()["message"]["payload"]
    headers = {h["name"]: h["value"] for h in full["headers"]}
    assert headers["Message-ID"] == "<one@example.com>" and full["mimeType"] == "text/plain"
    assert base64.urlsafe_b64decode(full["body"]["data"]) == b"Hi Ada\n"
    minimal = call(emu, "GET", path, params={"format": "minimal"}).json()["message"]
    assert "payload" not in minimal and "raw" not in minimal and minimal["labelIds"] == ["DRAFT"]
    assert call(emu, "GET", path, params={"format": "html"}).status_code == 400
    missing = call(emu, "GET", "/gmail/v1/users/me/drafts/r123").json()["error"]
    assert (missing["code"], missing["status"]) == (404, "NOT_FOUND")
    assert missing["message"] == "Requested entity was not found."
    assert missing["errors"][0]["reason"] == "notFound"


def test_emulator_rejects_a_bad_message(emu: SheetsEmulator) -> None:
    no_raw = call(emu, "POST", "/gmail/v1/users/me/drafts", json={"message": {}})
    assert no_raw.status_code == 400
    no_message = call(emu, "POST", "/gmail/v1/users/me/drafts", json={})
    assert no_message.status_code == 400
    not_base64 = create(emu, "this is not base64!")
    error = not_base64.json()["error"]
    assert (error["code"], error["status"]) == (400, "INVALID_ARGUMENT")
    assert "Base64 decoding failed" in error["message"]
    standard = base64.b64encode(base64.urlsafe_b64decode(raw_message())).decode()
    assert create(emu, standard).status_code == 200, "standard base64 is accepted too"
    assert emu.gmail_drafts("me")[0]["Subject"] == "Hello"


def test_emulator_checks_the_token_and_its_scopes(emu: SheetsEmulator) -> None:
    unauthenticated = create(emu, raw_message(), token=None)
    assert unauthenticated.status_code == 401
    assert unauthenticated.json()["error"]["status"] == "UNAUTHENTICATED"
    emu.register_token("sheets-only", None, scope=SHEETS_SCOPE)
    refused = create(emu, raw_message(), token="sheets-only").json()["error"]
    assert (refused["code"], refused["status"]) == (403, "PERMISSION_DENIED")
    assert refused["message"] == "Request had insufficient authentication scopes."
    assert refused["errors"][0]["reason"] == "insufficientPermissions"
    assert refused["details"][0]["reason"] == "ACCESS_TOKEN_SCOPE_INSUFFICIENT"
    emu.register_token("reader", None, scope="https://www.googleapis.com/auth/gmail.readonly")
    assert search(emu, "rfc822msgid:x@y", token="reader").status_code == 200
    assert create(emu, raw_message(), token="reader").status_code == 403
    emu.register_token("composer", None, scope=f"{SHEETS_SCOPE} {GMAIL_COMPOSE}")
    assert create(emu, raw_message(), token="composer").status_code == 200
    emu.revoke_token("composer")
    assert create(emu, raw_message(), token="composer").status_code == 401


def test_emulator_keeps_one_mailbox_per_user(emu: SheetsEmulator) -> None:
    emu.register_token("ada-token", "ada@example.com")
    emu.register_token("bob-token", "bob@example.com")
    assert create(emu, raw_message(), token="ada-token").status_code == 200
    assert create(emu, raw_message(), user="ada@example.com", token="ada-token").ok
    assert len(emu.gmail_drafts("ada@example.com")) == 2 and not emu.gmail_drafts("me")
    assert search(emu, "rfc822msgid:one@example.com", token="bob-token").json() == {
        "resultSizeEstimate": 0
    }
    denied = create(emu, raw_message(), user="ada@example.com", token="bob-token").json()
    assert denied["error"]["code"] == 403
    assert denied["error"]["message"] == "Delegation denied for ada@example.com"


def test_emulator_a_service_account_has_no_mailbox(emu: SheetsEmulator) -> None:
    emu.register_token("robot-token", ROBOT)
    error = create(emu, raw_message(), token="robot-token").json()["error"]
    assert (error["code"], error["status"]) == (400, "FAILED_PRECONDITION")
    assert error["message"] == "Precondition check failed."
    assert error["errors"][0]["reason"] == "failedPrecondition"


def test_emulator_never_sends() -> None:
    with SheetsEmulator() as emu:
        raw = raw_message()
        draft_id = create(emu, raw).json()["id"]
        paths = [
            "/gmail/v1/users/me/messages/send",
            "/gmail/v1/users/me/drafts/send",
            "/upload/gmail/v1/users/me/messages/send",
        ]
        for path in paths:
            answer = call(emu, "POST", path, json={"raw": raw, "id": draft_id})
            assert answer.status_code == 501 and "never sends" in answer.text
        assert call(emu, "POST", paths[0], token=None, json={"raw": raw}).status_code == 501
        assert [r.path for r in emu.gmail.send_attempts] == [*paths, paths[0]]
        assert [r.path for r in emu.requests if r.path.endswith("/send")] == [*paths, paths[0]]
        assert len(emu.gmail_drafts()) == 1, "the draft is still a draft"


# --- GmailDrafts ---------------------------------------------------------------------------


def test_save_creates_a_draft_with_the_right_headers(emu: SheetsEmulator) -> None:
    draft = make_draft()
    saved = gmail(emu).save(draft, now=NOW)
    assert saved.created
    assert re.fullmatch(r"Gmail drafts \(id r-?\d+\)", saved.location), saved.location
    (message,) = emu.gmail_drafts("me")
    assert decoded(message) == {
        "From": "Sam Rivera <sam@example.com>",
        "To": "Ada Lovelace <ada@example.com>",
        "Subject": "Checking in: engines",
        "Message-ID": draft.message_id,
        "X-Unsent": "1",
    }
    assert message.get_content().replace("\r\n", "\n") == draft.body
    stored = emu.gmail.stored("me")[0]
    assert stored.id in saved.location
    listed, made = gmail_requests(emu)
    bare = draft.message_id.strip("<>")
    assert (listed.method, listed.param("q")) == ("GET", f"rfc822msgid:{bare}")
    assert made.method == "POST" and made.status == 200


def test_a_second_save_finds_the_draft(emu: SheetsEmulator) -> None:
    box = gmail(emu)
    first = box.save(make_draft(), now=NOW)
    again = box.save(make_draft(), now=NOW + dt.timedelta(hours=1))
    fresh = gmail(emu).save(make_draft(), now=NOW)  # another run, another connection
    assert first.created and not again.created and not fresh.created
    assert first.location == again.location == fresh.location
    assert len(emu.gmail_drafts()) == 1
    assert len(gmail_requests(emu, "POST")) == 1


def test_a_lost_answer_is_not_a_second_draft(emu: SheetsEmulator) -> None:
    emu.drop_after_apply(when=lambda r: r.method == "POST" and "gmail" in r.path)
    saved = gmail(emu).save(make_draft(), now=NOW)
    assert saved.created, "the draft this save created, found on the retry"
    assert len(emu.gmail_drafts()) == 1


@pytest.mark.parametrize("status", [429, 500, 503])
def test_transient_errors_are_retried(emu: SheetsEmulator, status: int) -> None:
    emu.fail_next(status, times=2, message=RATE_LIMITED if status == 429 else None)
    assert gmail(emu).save(make_draft(), now=NOW).created
    assert len(emu.gmail_drafts()) == 1


def test_a_rate_limit_403_is_retried(emu: SheetsEmulator) -> None:
    def rate_limited(req: Any, user: str) -> tuple[int, Any]:
        emu.core.routes.pop(0)  # once
        reason = {"message": "User Rate Limit Exceeded", "reason": "userRateLimitExceeded"}
        error = {"code": 403, "message": "User Rate Limit Exceeded", "errors": [reason]}
        return 403, {"error": {**error, "status": "PERMISSION_DENIED"}}

    emu.route("POST", r"^/gmail/v1/users/([^/]+)/drafts$", rate_limited)
    assert gmail(emu).save(make_draft(), now=NOW).created
    assert len(emu.gmail_drafts()) == 1


def test_persistent_quota_error_is_bounded_and_stops_the_rest(emu: SheetsEmulator) -> None:
    rule = emu.fail_next(429, times=100, message=RATE_LIMITED)
    box = gmail(emu)
    with pytest.raises(DeliveryError, match=r"quota is used up.*next run drafts it"):
        box.save(make_draft(), now=NOW)
    assert rule.hits == FAST.retries + 1, "one try and a bounded number of retries"
    with pytest.raises(DeliveryError, match="quota"):
        box.save(make_draft("Bo", "bo@example.com"), now=NOW)
    assert rule.hits == FAST.retries + 1, "the next draft fails at once, without waiting"
    box.close()
    emu.clear_faults()
    assert box.save(make_draft(), now=NOW).created, "a later run tries again"


def test_server_down(emu: SheetsEmulator) -> None:
    emu.drop_next(times=100)
    with pytest.raises(DeliveryError, match=r"Cannot reach Gmail at 127\.0\.0\.1.*4 tries"):
        gmail(emu).save(make_draft(), now=NOW)
    assert not emu.gmail_drafts()


def test_insufficient_scope_says_how_to_authorise(emu: SheetsEmulator) -> None:
    emu.register_token(TOKEN, ME, scope=SHEETS_SCOPE)
    with pytest.raises(DeliveryError) as err:
        gmail(emu).save(make_draft(), now=NOW)
    text = str(err.value)
    assert "not authorised for Gmail drafts" in text and "gmail.compose" in text
    assert 'credentials = "oauth"' in text and "google-token.json" in text
    assert TOKEN not in text
    assert not gmail_requests(emu, "POST") and not emu.gmail_drafts(ME)


def test_revoked_token(emu: SheetsEmulator) -> None:
    emu.revoke_token(TOKEN)
    with pytest.raises(
        DeliveryError, match=r"Gmail refused the Google credentials.*gmail\.compose"
    ):
        gmail(emu).save(make_draft(), now=NOW)


def test_wrong_gmail_user(emu: SheetsEmulator) -> None:
    emu.register_token(TOKEN, ME)
    with pytest.raises(DeliveryError, match=r"act for ada@example\.com.*gmail_user"):
        gmail(emu, user="ada@example.com").save(make_draft(), now=NOW)


# --- service accounts ----------------------------------------------------------------------


def test_service_account_with_domain_wide_delegation(emu: SheetsEmulator, tmp_path: Path) -> None:
    creds = load_credentials(
        str(key_file(tmp_path)), scopes=(SHEETS_SCOPE, GMAIL_COMPOSE), endpoint=emu.base_url
    )
    box = GmailDrafts(creds.credentials, user=ME, endpoint=emu.base_url, backoff=FAST)
    assert box.describe() == f"Gmail drafts of {ME}"
    saved = box.save(make_draft(), now=NOW)
    assert saved.created and saved.location.startswith(f"Gmail drafts of {ME} (id r")
    assert len(emu.gmail_drafts(ME)) == 1
    (token,) = emu.tokens
    assert (token.issuer, token.subject) == (ROBOT, ME)
    assert GMAIL_COMPOSE in (token.scope or "").split()
    assert {r.path for r in gmail_requests(emu)} == {f"/gmail/v1/users/{ME}/drafts"}


def test_service_account_without_delegation_is_explained(
    emu: SheetsEmulator, tmp_path: Path
) -> None:
    creds = load_credentials(
        str(key_file(tmp_path)), scopes=(GMAIL_COMPOSE,), endpoint=emu.base_url
    )
    box = GmailDrafts(creds.credentials, endpoint=emu.base_url, backoff=FAST)
    with pytest.raises(DeliveryError) as err:
        box.save(make_draft(), now=NOW)
    text = str(err.value)
    assert "Google Workspace" in text and "domain-wide delegation" in text
    assert '[drafts] gmail_user = "you@yourdomain.com"' in text
    assert "personal Gmail account" in text and '[google] credentials = "oauth"' in text
    assert not gmail_requests(emu), "known to fail, so not even tried"


def test_delegation_not_granted_by_the_admin(emu: SheetsEmulator, tmp_path: Path) -> None:
    emu.gmail.refuse_delegation()
    creds = load_credentials(
        str(key_file(tmp_path)), scopes=(GMAIL_COMPOSE,), endpoint=emu.base_url
    )
    box = GmailDrafts(creds.credentials, user=ME, endpoint=emu.base_url, backoff=FAST)
    with pytest.raises(DeliveryError, match=r"act for sam@example\.com: domain-wide delegation"):
        box.save(make_draft(), now=NOW)
    assert not emu.gmail_drafts(ME)


def test_a_service_account_token_gets_gmails_precondition_error(emu: SheetsEmulator) -> None:
    emu.register_token(TOKEN, ROBOT)
    with pytest.raises(DeliveryError, match=r"FAILED_PRECONDITION.*domain-wide delegation"):
        gmail(emu).save(make_draft(), now=NOW)


# --- whole runs ----------------------------------------------------------------------------


def test_two_runs_leave_one_draft_per_due_contact(emu: SheetsEmulator) -> None:
    sheet = MemorySheet(contacts(5))
    first = run(config(), sheet=sheet, outbox=gmail(emu), today=TODAY, now=NOW)
    assert first.drafts_created == 3 and first.destination == "Gmail drafts"
    second = run(config(), sheet=sheet, outbox=gmail(emu), today=TODAY, now=NOW)
    assert second.drafts_created == 0 and second.cells_written == 0
    messages = emu.gmail_drafts()
    assert len(messages) == 3 == len({m["Message-ID"] for m in messages})
    due = {r.name for r in first.rows if r.action == "drafted"}
    assert {m["To"].addresses[0].display_name for m in messages} == due
    assert {n for n, v in drafted(sheet).items() if v == TODAY} == due
    locations = [r.draft or "" for r in first.rows if r.action == "drafted"]
    assert all(where.startswith("Gmail drafts (id r") for where in locations)


def test_crash_after_drafting_then_rerun_never_duplicates(emu: SheetsEmulator) -> None:
    def crash(grid: Any) -> None:
        raise OSError("the disk is full")

    sheet = MemorySheet(contacts(4), before_write=crash)
    with pytest.raises(OSError):
        run(config(), sheet=sheet, outbox=gmail(emu), today=TODAY, now=NOW)
    assert len(emu.gmail_drafts()) == 3 and "Drafted" not in sheet.grid[0]
    sheet.before_write = None
    again = run(config(), sheet=sheet, outbox=gmail(emu), today=TODAY, now=NOW)
    assert again.count("draft exists") == 3 and again.drafts_created == 0
    assert len(emu.gmail_drafts()) == 3
    assert sum(v == TODAY for v in drafted(sheet).values()) == 3


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        pytest.param(
            lambda e: e.register_token(TOKEN, ME, scope=SHEETS_SCOPE),
            "not authorised for Gmail drafts",
            id="insufficient-scope",
        ),
        pytest.param(
            lambda e: e.fail_next(429, times=100, message=RATE_LIMITED),
            "quota is used up",
            id="quota",
        ),
        pytest.param(lambda e: e.drop_next(times=100), "Cannot reach Gmail", id="server-down"),
    ],
)
def test_failures_become_notes_and_no_false_drafted(
    emu: SheetsEmulator, fault: Any, words: str
) -> None:
    sheet = MemorySheet(contacts(4))
    fault(emu)
    result = run(config(), sheet=sheet, outbox=gmail(emu), today=TODAY, now=NOW)
    assert result.drafts_created == 0 and result.count("no draft") == 3
    assert not emu.gmail_drafts() and not emu.gmail_drafts(ME)
    assert not any(drafted(sheet).values()), "nothing false in the Drafted column"
    failed = [n for n, text in notes(sheet).items() if "draft not saved" in text]
    assert len(failed) == 3 and all(words in notes(sheet)[n] for n in failed)
    assert any(words in w for w in result.warnings)
    emu.clear_faults()
    emu.register_token(TOKEN, None)
    retry = run(config(), sheet=sheet, outbox=gmail(emu), today=TODAY, now=NOW)
    assert retry.drafts_created == 3, "the next run tries again"
    assert sum(v == TODAY for v in drafted(sheet).values()) == 3


def google_config(emu: SheetsEmulator, key: str, **kw: Any) -> Config:
    return config(
        sheet=key,
        tab="Network",
        google=GoogleSettings(credentials="token", sheets_endpoint=emu.base_url),
        **kw,
    )


def test_run_on_a_google_sheet_opens_gmail_from_the_config(
    emu: SheetsEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHEETSYNC_GOOGLE_TOKEN", TOKEN)
    emu.register_token(TOKEN, ME, scope=f"{SHEETS_SCOPE} {GMAIL_COMPOSE}")
    key = emu.add_spreadsheet("Network", {"Network": contacts(4)}, shared_with={ME})
    outbox = open_outbox(google_config(emu, key))
    assert isinstance(outbox, GmailDrafts) and outbox.user == "me"
    result = run(google_config(emu, key), today=TODAY, now=NOW)
    assert result.drafts_created == 3 and result.destination == "Gmail drafts"
    assert len(emu.gmail_drafts(ME)) == 3
    assert run(google_config(emu, key), today=TODAY, now=NOW).drafts_created == 0
    assert len(emu.gmail_drafts(ME)) == 3


def test_a_failed_sheet_write_then_rerun_on_a_google_sheet(
    emu: SheetsEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHEETSYNC_GOOGLE_TOKEN", TOKEN)
    key = emu.add_spreadsheet("Network", {"Network": contacts(4)})
    emu.fail_next(403, times=100, when=lambda r: r.kind == "write")
    sheet = GoogleSheet(
        key, client=http_client(_token(), endpoint=emu.base_url, backoff=FAST), tab="Network"
    )
    with pytest.raises(SheetError):
        run(config(), sheet=sheet, outbox=gmail(emu), today=TODAY, now=NOW)
    assert len(emu.gmail_drafts()) == 3
    emu.clear_faults()
    again = run(google_config(emu, key), today=TODAY, now=NOW)
    assert again.count("draft exists") == 3 and len(emu.gmail_drafts()) == 3
    cells = emu.cells(key, "Network")
    col = cells[0].index("Drafted")
    assert sum(1 for r in cells[1:] if len(r) > col and r[col] == TODAY) == 3


def _token() -> Any:
    from google.oauth2.credentials import Credentials

    return Credentials(token=TOKEN)


def test_cli_run_with_gmail_drafts(
    emu: SheetsEmulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    key = emu.add_spreadsheet("Network", {"Network": contacts(4)})
    toml = tmp_path / "sheetsync.toml"
    toml.write_text(
        f'sheet = "{key}"\ndaily_cap = 2\n[me]\nname = "Sam Rivera"\nemail = "{ME}"\n'
        '[drafts]\ndestination = "gmail"\n[google]\ncredentials = "token"\n'
    )
    monkeypatch.setenv("SHEETSYNC_SHEETS_ENDPOINT", emu.base_url)
    monkeypatch.setenv("SHEETSYNC_GOOGLE_TOKEN", TOKEN)
    args = ["run", "--config", str(toml), "--today", TODAY.isoformat(), "--json"]
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["drafts"]["created"] == 2 and report["destination"] == "Gmail drafts"
    assert all(m["From"] == f"Sam Rivera <{ME}>" for m in emu.gmail_drafts())
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["drafts"]["created"] == 0
    assert len(emu.gmail_drafts()) == 2


def test_oauth_user_authorises_sheets_and_gmail_at_once(
    emu: SheetsEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    cache = tmp_path / "sheetsync" / "google-token.json"
    cache.parent.mkdir()
    cache.write_text(
        json.dumps(
            {
                "token": "old",
                "refresh_token": "refresh-sam",
                "client_id": "cid",
                "client_secret": "csecret",
                "token_uri": "https://oauth2.googleapis.com/token",
                "expiry": "2020-01-01T00:00:00Z",
            }
        )
    )
    emu.add_user("refresh-sam", ME)
    key = emu.add_spreadsheet("Network", {"Network": contacts(3)}, shared_with={ME})
    cfg = config(
        sheet=key, google=GoogleSettings(credentials="oauth", sheets_endpoint=emu.base_url)
    )
    result = run(cfg, today=TODAY, now=NOW)
    assert result.drafts_created == 3 and len(emu.gmail_drafts(ME)) == 3
    scopes = {t.scope for t in emu.tokens}
    assert scopes == {f"{SHEETS_SCOPE} {GMAIL_COMPOSE}"}, "one consent covers both"


def test_tokens_never_reach_logs_or_notes(
    emu: SheetsEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sheet = MemorySheet(contacts(4))
    emu.fail_next(503, times=2)
    run(config(), sheet=sheet, outbox=gmail(emu), today=TODAY, now=NOW)
    emu.revoke_token(TOKEN)
    failed = run(config(), sheet=MemorySheet(contacts(4)), outbox=gmail(emu), today=TODAY)
    assert failed.count("no draft") == 3
    texts = [caplog.text, *failed.warnings, *(r.note for r in failed.rows)]
    assert not [t for t in texts if TOKEN in t]


def test_the_raw_message_gmail_receives(emu: SheetsEmulator) -> None:
    gmail(emu, sender="").save(make_draft(), now=NOW)
    (create_request,) = gmail_requests(emu, "POST")
    raw = create_request.json["message"]["raw"]
    assert "+" not in raw and "/" not in raw, "base64url"
    parsed = email.message_from_bytes(base64.urlsafe_b64decode(raw), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed["From"] is None, "without [me] email, Gmail fills in the account's address"
    assert parsed["To"] == "Ada Lovelace <ada@example.com>"
    assert parsed["Message-ID"] == make_draft().message_id and parsed["X-Unsent"] == "1"
