"""Drafts: strict rendering, template choice, safe headers, stable identity."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from pathlib import Path

import pytest

from sheetsync.config import SITUATIONS
from sheetsync.core.drafting import (
    Draft,
    TemplateSet,
    choose_template,
    file_stem,
    message_id_for,
)
from sheetsync.errors import TemplateError
from sheetsync.outbox import EmlFolder
from sheetsync.templates import builtin_templates_dir, load_templates

NOW = dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.UTC)
CONTEXT = {
    "first_name": "Ada",
    "name": "Ada Lovelace",
    "ago": "about 2 months ago",
    "days_since": 61,
    "my_name": "Sam",
    "signature": "",
    "my_email": "",
    "what": "engines",
}


def templates(tmp_path: Path, **files: str) -> TemplateSet:
    for name, text in files.items():
        (tmp_path / f"{name}.j2").write_text(text, encoding="utf-8")
    return load_templates(tmp_path)


def test_builtin_templates_cover_every_situation() -> None:
    ts = load_templates()
    assert set(SITUATIONS) <= set(ts.names())
    for name in SITUATIONS:
        subject, body = ts.render(name, CONTEXT)
        assert subject and "Ada" in body and "engines" in body
        assert "{{" not in body and "{%" not in body


def test_builtin_templates_render_with_only_a_name() -> None:
    ts = load_templates(builtin_templates_dir())
    minimal = {
        "first_name": "Bo",
        "name": "Bo",
        "ago": "today",
        "days_since": 0,
        "my_name": "",
        "signature": "",
        "my_email": "",
    }
    for name in SITUATIONS:
        assert "Bo" in ts.render(name, minimal)[1]


def test_missing_field_names_it(tmp_path: Path) -> None:
    ts = templates(tmp_path, t="Subject: Hi\n\nHow is {{ company }}?\n")
    with pytest.raises(TemplateError, match="'company'"):
        ts.render("t", CONTEXT)


def test_cell_text_is_data_not_template(tmp_path: Path) -> None:
    ts = templates(tmp_path, t="Subject: {{ what }}\n\n{{ what }}\n")
    subject, body = ts.render("t", {**CONTEXT, "what": "{{ 7*7 }} {% if 1 %}x{% endif %}"})
    assert body == "{{ 7*7 }} {% if 1 %}x{% endif %}\n"
    assert "49" not in subject


def test_sandbox_blocks_unsafe_access(tmp_path: Path) -> None:
    ts = templates(tmp_path, t="Subject: x\n\n{{ ''.__class__.__mro__[1].__subclasses__() }}\n")
    with pytest.raises(TemplateError):
        ts.render("t", CONTEXT)


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    ts = templates(tmp_path, t="Subject: x\n\nline 3\n{% if %}\n")
    with pytest.raises(TemplateError, match=r"t\.j2 line 4"):
        ts.render("t", CONTEXT)


def test_subject_line_required(tmp_path: Path) -> None:
    ts = templates(tmp_path, t="Hello {{ name }}\n")
    with pytest.raises(TemplateError, match=r"line 1.*Subject"):
        ts.render("t", CONTEXT)


def test_missing_template_lists_known(tmp_path: Path) -> None:
    ts = templates(tmp_path, a="Subject: a\n\nx\n")
    with pytest.raises(TemplateError, match=r"No template 'zzz'.*templates there: a"):
        ts.render("zzz", CONTEXT)


def test_template_name_cannot_escape_folder(tmp_path: Path) -> None:
    (tmp_path / "secret.j2").write_text("Subject: s\n\nsecret\n")
    inner = tmp_path / "inner"
    inner.mkdir()
    with pytest.raises(TemplateError):
        load_templates(inner).render("../secret", CONTEXT)


def test_missing_folder() -> None:
    with pytest.raises(TemplateError, match="does not exist"):
        load_templates(Path("/nonexistent/templates"))


@pytest.mark.parametrize(
    ("row_template", "status", "in_person", "expected"),
    [
        pytest.param("", "new", False, "first_followup", id="new"),
        pytest.param("", "lapsed", True, "reconnect", id="lapsed"),
        pytest.param("", "overdue", True, "meet_in_person", id="in-person"),
        pytest.param("", "overdue", False, "checkin", id="checkin"),
        pytest.param("custom", "lapsed", False, "custom", id="row-choice-wins"),
    ],
)
def test_choose_template(row_template: str, status: str, in_person: bool, expected: str) -> None:
    names = {s: s for s in SITUATIONS}
    assert (
        choose_template(
            row_template=row_template, status=status, in_person_due=in_person, names=names
        )
        == expected
    )


def draft(**kw: str) -> Draft:
    base = {
        "message_id": message_id_for("email:ada@example.com", "2026-09-01"),
        "contact_key": "email:ada@example.com",
        "to_name": "Ada Lovelace",
        "to_email": "ada@example.com",
        "subject": "Hi",
        "body": "Hello\n",
        "template": "checkin",
        "stem": "ada",
    }
    return Draft(**{**base, **kw})  # type: ignore[arg-type]


def test_message_is_an_unsent_draft_with_stable_id() -> None:
    msg = draft().to_message(now=NOW)
    assert msg["X-Unsent"] == "1"
    assert msg["Message-ID"] == message_id_for("email:ada@example.com", "2026-09-01")
    assert message_id_for("k", "a") != message_id_for("k", "b")
    assert msg["To"] == "Ada Lovelace <ada@example.com>"


@pytest.mark.parametrize(
    "evil",
    [
        pytest.param({"to_name": "Eve\r\nBcc: victim@example.com"}, id="name-crlf"),
        pytest.param({"subject": "Hi\nBcc: victim@example.com"}, id="subject-lf"),
        pytest.param({"to_name": "Eve\u2028Bcc: victim@example.com"}, id="unicode-line-sep"),
        pytest.param({"template": "x\r\nBcc: victim@example.com"}, id="template-name"),
    ],
)
def test_header_injection_is_impossible(evil: dict[str, str]) -> None:
    raw = draft(**evil).to_message(now=NOW).as_bytes(policy=email.policy.SMTP)
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Bcc"] is None
    assert all(not line.lower().startswith(b"bcc:") for line in raw.splitlines())


def test_odd_names_survive_round_trip() -> None:
    d = draft(to_name='Zoë "Z" Müller, PhD 🚀', subject="Ça va? 🚀")
    raw = d.to_message(now=NOW).as_bytes(policy=email.policy.SMTP)
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["To"].addresses[0].display_name == 'Zoë "Z" Müller, PhD 🚀'
    assert parsed["To"].addresses[0].addr_spec == "ada@example.com"
    assert parsed["Subject"] == "Ça va? 🚀"


def test_file_stem_is_safe_and_stable() -> None:
    mid = message_id_for("k", "c")
    assert file_stem("Nguyễn Thị Lan", mid) == file_stem("Nguyễn Thị Lan", mid)
    assert file_stem("../../etc/passwd", mid).startswith("etc-passwd-")
    assert file_stem("🚀", mid).startswith("contact-")


def test_eml_folder_saves_once(tmp_path: Path) -> None:
    box = EmlFolder(tmp_path / "drafts", sender="sam@example.com", sender_name="Sam")
    first = box.save(draft(), now=NOW)
    again = box.save(draft(body="changed\n"), now=NOW)
    assert first.created and not again.created and first.location == again.location
    files = list((tmp_path / "drafts").iterdir())
    assert len(files) == 1
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert parsed["From"] == "Sam <sam@example.com>"
    assert parsed.get_content().replace("\r\n", "\n") == "Hello\n"
    assert b"\r\n" in files[0].read_bytes()


def test_own_folder_falls_back_to_builtin_templates(tmp_path: Path) -> None:
    ts = templates(tmp_path, checkin="Subject: Mine\n\nMy own {{ first_name }}\n")
    assert ts.render("checkin", CONTEXT) == ("Mine", "My own Ada\n")
    subject, _ = ts.render("reconnect", CONTEXT)
    assert subject == "It's been too long", "a template the folder lacks comes from the defaults"
    assert {"checkin", "reconnect", "first_followup"} <= set(ts.names())
