"""Follow-up drafts: choosing a template, rendering it strictly, building the email.

Templates are plain-text Jinja files named ``<name>.j2``; the first line is
``Subject: ...``, then a blank line, then the body.  Rendering is strict and
sandboxed: a variable the row lacks stops that contact's draft (the note says
which field), and cell text is only ever passed in as data, never compiled.

Nothing here sends anything.  A draft becomes an RFC 5322 message marked as
an unsent draft, with a Message-ID that is stable for the contact and the
follow-up, so every destination can tell whether it already holds it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from ..errors import TemplateError
from .addresses import is_email

TEMPLATE_SUFFIX = ".j2"
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")

@dataclass(frozen=True)
class Draft:
    """A rendered follow-up, not yet stored anywhere."""

    message_id: str
    contact_key: str
    to_name: str
    to_email: str
    subject: str
    body: str
    template: str
    stem: str

    def to_message(
        self, *, sender: str = "", sender_name: str = "", now: dt.datetime
    ) -> EmailMessage:
        """The draft as an RFC 5322 message, marked unsent; headers cannot be injected."""
        msg = EmailMessage()
        if sender and is_email(sender):
            msg["From"] = Address(display_name=clean_header(sender_name), addr_spec=sender)
        if self.to_email:
            msg["To"] = Address(display_name=clean_header(self.to_name), addr_spec=self.to_email)
        msg["Subject"] = clean_header(self.subject)
        msg["Date"] = format_datetime(now)
        msg["Message-ID"] = self.message_id
        # Outlook and Thunderbird open a message with X-Unsent: 1 as a draft to edit and send.
        msg["X-Unsent"] = "1"
        msg["X-Sheetsync-Template"] = clean_header(self.template)
        msg.set_content(self.body)
        return msg


def clean_header(text: str) -> str:
    """Header text with line breaks and control characters folded to spaces."""
    return " ".join(_CONTROL.sub(" ", text).split())


def message_id_for(contact_key: str, cycle: str) -> str:
    """A Message-ID that is the same for every run drafting this follow-up."""
    digest = hashlib.sha256(f"{contact_key}\n{cycle}".encode()).hexdigest()[:32]
    return f"<followup.{digest}@sheetsync.invalid>"


def file_stem(name: str, message_id: str) -> str:
    """A stable, safe file name: 'ada-lovelace-3f2a1b9c'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40] or "contact"
    return f"{slug}-{message_id[10:18]}"


@dataclass(frozen=True)
class TemplateSource:
    """One template's text and where it came from (for messages: a file's path)."""

    text: str
    where: str
    #: why the text could not be read, if it could not: that template's drafts fail
    error: str = ""


class TemplateSet:
    """Templates by name, compiled once each, errors kept per template.

    Pure: the sources are given (``sheetsync.templates.load_templates`` reads a
    folder and the built-in templates).  ``folder`` names where the user's
    templates live, for messages.
    """

    def __init__(self, sources: Mapping[str, TemplateSource], *, folder: str = "the templates"):
        from jinja2 import DictLoader, StrictUndefined
        from jinja2.sandbox import SandboxedEnvironment

        self.sources = dict(sources)
        self.folder = folder
        self.env = SandboxedEnvironment(
            loader=DictLoader({f"{n}{TEMPLATE_SUFFIX}": s.text for n, s in self.sources.items()}),
            undefined=StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
        )
        self._cache: dict[str, Any] = {}

    def names(self) -> list[str]:
        return sorted(self.sources)

    def _load(self, name: str) -> tuple[Any, Any]:
        from jinja2 import TemplateNotFound

        if name in self._cache:
            hit = self._cache[name]
            if isinstance(hit, TemplateError):
                raise hit
            subject_t, body_t = hit
            return subject_t, body_t
        file = f"{name}{TEMPLATE_SUFFIX}"
        try:
            if name not in self.sources:
                raise TemplateNotFound(file)
            source, path = self.sources[name].text, self.sources[name].where
            if self.sources[name].error:
                raise TemplateError(self.sources[name].error)
            first, _, rest = source.partition("\n")
            if not first.lower().startswith("subject:"):
                raise TemplateError(
                    f"{path} line 1: a template starts with 'Subject: ...', then a "
                    "blank line, then the body."
                )
            subject = self._compile(first[len("subject:") :].strip(), path, 1)
            body_source = rest.lstrip("\n")
            offset = 1 + len(rest) - len(body_source)
            body = self._compile(body_source, path, offset + 1)
            compiled = (subject, body)
        except TemplateNotFound:
            known = ", ".join(self.names()) or "none"
            err = TemplateError(
                f"No template '{name}' in {self.folder} (templates there: {known}). "
                f"Create {file}, or fix the name."
            )
            self._cache[name] = err
            raise err from None
        except TemplateError as exc:
            self._cache[name] = exc
            raise
        self._cache[name] = compiled
        return compiled

    def _compile(self, source: str, path: str, first_line: int) -> Any:
        from jinja2 import TemplateSyntaxError

        try:
            return self.env.from_string(source)
        except TemplateSyntaxError as exc:
            line = first_line + (exc.lineno or 1) - 1
            raise TemplateError(f"{path} line {line}: {exc.message}; fix the template.") from None

    def render(self, name: str, context: Mapping[str, Any]) -> tuple[str, str]:
        """(subject, body) of template ``name`` for ``context``; TemplateError if it cannot."""
        from jinja2 import TemplateError as JinjaError
        from jinja2 import UndefinedError
        from jinja2.exceptions import SecurityError

        subject_t, body_t = self._load(name)
        try:
            subject = subject_t.render(context)
            body = body_t.render(context)
        except UndefinedError as exc:
            field = _undefined_name(str(exc))
            raise TemplateError(
                f"template '{name}' uses {field}, which this contact's row does not have; "
                "fill in that cell or change the template"
            ) from None
        except SecurityError as exc:
            raise TemplateError(f"template '{name}' tried something unsafe: {exc}") from None
        except JinjaError as exc:
            raise TemplateError(f"template '{name}' failed: {exc}") from None
        except (TypeError, ValueError, ZeroDivisionError, AttributeError) as exc:
            raise TemplateError(f"template '{name}' failed: {exc}") from None
        return clean_header(subject), body.strip("\n") + "\n"


def _undefined_name(message: str) -> str:
    match = re.search(r"'([^']+)' is undefined", message)
    if match:
        return f"'{match.group(1)}'"
    match = re.search(r"has no attribute '([^']+)'", message)
    return f"'{match.group(1)}'" if match else "a field"


def choose_template(
    *,
    row_template: str,
    status: str,
    in_person_due: bool,
    names: Mapping[str, str],
    never_contacted: bool = False,
) -> str:
    """The template for a contact: the row's own choice, else by situation.

    ``never_contacted`` is someone you have not been in touch with yet (an
    imported connection whose planned first follow-up has come).
    """
    if row_template:
        return row_template
    if status == "new":
        return names["first_followup"]
    if never_contacted:
        return names.get("first_hello", "first_hello")
    if status == "lapsed":
        return names["reconnect"]
    if in_person_due:
        return names["meet_in_person"]
    return names["checkin"]
