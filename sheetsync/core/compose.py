"""What a follow-up says for one contact: the template's variables and the rendered draft.

Pure: the contact's row comes from an :class:`~sheetsync.core.analysis.Analysis`,
the templates from a :class:`~sheetsync.core.drafting.TemplateSet` already loaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

from .addresses import first_address
from .analysis import Analysis, date_of
from .columns import variable_name
from .dates import humanize_ago
from .drafting import Draft, TemplateSet, choose_template, file_stem, message_id_for
from .grid import Formula, cell_at, is_blank, value_at
from .identity import HONORIFICS
from .settings import Me


def _text_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value.strip()
    return value


def first_name_of(name: str) -> str:
    """The first word of a name that is not a title: "Dr Ada Lovelace" -> "Ada"."""
    words = [w for w in name.split() if w.strip(".").casefold() not in HONORIFICS]
    return words[0] if words else name


def draft_context(analysis: Analysis, label: int, me: Me, today: dt.date) -> dict[str, Any]:
    """The variables a template sees for one contact."""
    rec: Any = analysis.scored.loc[label]
    grid, colmap, row = analysis.grid, analysis.colmap, int(rec["row"])
    ctx: dict[str, Any] = {}
    for col in colmap.user_columns:
        value = cell_at(grid, row, col)
        if isinstance(value, Formula) or is_blank(value):
            continue
        var = variable_name(colmap.headers[col])
        if var:
            ctx[var] = _text_value(value)
    for role, col in colmap.roles.items():
        value = value_at(grid, row, col)
        if not is_blank(value) and not isinstance(value, Formula):
            ctx[role] = _text_value(value)
    ctx["name"] = rec["name"]
    if "first_name" not in ctx and rec["name"]:
        ctx["first_name"] = first_name_of(rec["name"])
    days = rec["days"] if not pd.isna(rec["days"]) else None
    if days is None and not pd.isna(rec["first_met"]):
        days = (pd.Timestamp(today) - rec["first_met"]).days
    if days is not None:
        ctx["days_since"] = int(days)
        ctx["ago"] = humanize_ago(int(days))
    if not pd.isna(rec["ip_days"]):
        ctx["last_in_person_ago"] = humanize_ago(int(rec["ip_days"]))
    ctx.update(
        my_name=me.name,
        my_email=me.email,
        signature=me.signature,
        today=_text_value(today),
        status=rec["status"],
    )
    return ctx


def make_draft(
    analysis: Analysis,
    label: int,
    templates: TemplateSet,
    today: dt.date,
    *,
    me: Me,
    template_names: Mapping[str, str],
) -> Draft:
    """The rendered draft for one contact; TemplateError when it cannot be made."""
    rec: Any = analysis.scored.loc[label]
    name = choose_template(
        row_template=rec["template"],
        status=rec["status"],
        in_person_due=bool(rec["in_person_due"]),
        names=template_names,
        never_contacted=bool(rec.get("never_contacted", False)),
    )
    subject, body = templates.render(name, draft_context(analysis, label, me, today))
    cycle = rec["last_interaction"] if not pd.isna(rec["last_interaction"]) else rec["first_met"]
    if pd.isna(cycle):
        cycle = rec["last_in_person"]
    message_id = message_id_for(rec["key"], "never" if pd.isna(cycle) else str(date_of(cycle)))
    email = ""
    if "email" in analysis.colmap.roles:
        raw = value_at(analysis.grid, int(rec["row"]), analysis.colmap.roles["email"])
        email = "" if is_blank(raw) else first_address(str(raw))
    return Draft(
        message_id=message_id,
        contact_key=rec["key"],
        to_name=rec["name"],
        to_email=email,
        subject=subject,
        body=body,
        template=name,
        stem=file_stem(rec["name"], message_id),
    )


__all__ = ["draft_context", "first_name_of", "make_draft"]
