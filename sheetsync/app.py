"""The one orchestration function: read, score, draft, write back.

The command line, the scheduler and any cloud entry point all call
:func:`run`; none has logic of its own.  Order matters for safety: drafts are
stored first (each destination skips a draft it already holds), and only then
is the sheet written, so a crash in between leaves no false "Drafted" date and
the next run finds the draft instead of making a second one.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from .config import Config
from .core.columns import ColumnMap, detect_columns, variable_name
from .core.contacts import read_contacts, row_fingerprint
from .core.dates import day_first_for_locale, humanize_ago
from .core.drafting import Draft, TemplateSet, choose_template, file_stem, is_email, message_id_for
from .core.grid import Formula, Grid, a1, cell_at, is_blank, value_at
from .core.result import CellChange, RowOutcome, RunResult
from .core.scoring import CHECK_DATA, DO_NOT_CONTACT, NEW, SNOOZED, queue, ranked, score
from .core.writeback import RowValues, WritePlan, place
from .errors import ConfigError, DeliveryError, TemplateError
from .outbox import Outbox, open_outbox
from .sheets import SheetBackend, open_configured_sheet
from .sheets.base import write

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
HONORIFICS = {"dr", "mr", "mrs", "ms", "mx", "prof", "sir", "dame"}


@dataclass
class Analysis:
    """A sheet read and scored: everything decided, nothing written."""

    grid: Grid
    colmap: ColumnMap
    scored: pd.DataFrame
    to_draft: list[int]
    waiting: list[int]
    warnings: list[str]


def with_sheet_locale(config: Config, sheet: SheetBackend) -> Config:
    """The sheet's own locale decides how dates are read, unless the config names one."""
    locale = sheet.info().locale
    if not config.locale_is_default or not locale:
        return config
    try:
        day_first_for_locale(locale)
    except ValueError:
        return config
    return replace(config, locale=locale)


def analyse(
    grid: Grid,
    config: Config,
    today: dt.date,
    *,
    where: str = "the sheet",
    owned_columns: Mapping[int, str] | None = None,
) -> Analysis:
    """Detect columns, read contacts, score them and pick today's drafts (pure).

    ``owned_columns`` is what the sheet records of sheetsync's columns
    (:attr:`SheetInfo.owned_columns`)."""
    colmap = detect_columns(
        grid,
        explicit=config.columns,
        owned_names=config.status_columns,
        where=where,
        owned_columns=owned_columns,
    )
    contacts = read_contacts(
        grid, colmap, config.scoring, today=today, day_first=config.day_first, where=where
    )
    scored = ranked(score(contacts.frame, today, config.scoring))
    to_draft, waiting = queue(scored, today, config.scoring.daily_cap)
    return Analysis(grid, colmap, scored, to_draft, waiting, colmap.warnings + contacts.warnings)


def _date(value: Any) -> dt.date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()


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
    words = [w for w in name.split() if w.strip(".").casefold() not in HONORIFICS]
    return words[0] if words else name


def draft_context(analysis: Analysis, label: int, config: Config, today: dt.date) -> dict[str, Any]:
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
        my_name=config.me_name,
        my_email=config.me_email,
        signature=config.signature,
        today=_text_value(today),
        status=rec["status"],
    )
    return ctx


def make_draft(
    analysis: Analysis, label: int, config: Config, templates: TemplateSet, today: dt.date
) -> Draft:
    """The rendered draft for one contact; TemplateError when it cannot be made."""
    rec: Any = analysis.scored.loc[label]
    name = choose_template(
        row_template=rec["template"],
        status=rec["status"],
        in_person_due=bool(rec["in_person_due"]),
        names=config.template_names,
        never_contacted=bool(rec.get("never_contacted", False)),
    )
    subject, body = templates.render(name, draft_context(analysis, label, config, today))
    cycle = rec["last_interaction"] if not pd.isna(rec["last_interaction"]) else rec["first_met"]
    if pd.isna(cycle):
        cycle = rec["last_in_person"]
    message_id = message_id_for(rec["key"], "never" if pd.isna(cycle) else str(_date(cycle)))
    email = ""
    if "email" in analysis.colmap.roles:
        raw = value_at(analysis.grid, int(rec["row"]), analysis.colmap.roles["email"])
        email = "" if is_blank(raw) else str(raw).strip()
    return Draft(
        message_id=message_id,
        contact_key=rec["key"],
        to_name=rec["name"],
        to_email=email if is_email(email) else "",
        subject=subject,
        body=body,
        template=name,
        stem=file_stem(rec["name"], message_id),
    )


def run(
    config: Config | None = None,
    *,
    sheet: SheetBackend | None = None,
    outbox: Outbox | None = None,
    templates: TemplateSet | None = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> RunResult:
    """One pass over a sheet: read, score, draft, write back.  Returns what happened.

    Backends are passed in, or chosen from ``config`` when None.  With
    ``dry_run`` nothing is written and nothing is drafted; the result lists the
    cells that would change and the drafts that would be made.
    """
    config = config or Config()
    now = now or dt.datetime.now(dt.UTC).astimezone()
    if sheet is None:
        sheet = open_configured_sheet(config)
    where = sheet.describe()
    log.info("reading %s", where)
    if progress:
        progress(f"reading {where}", 0, 0)
    grid = sheet.read()
    today = today or sheet.info().today
    config = with_sheet_locale(config, sheet)
    where = sheet.describe()  # a Google sheet knows its title once read
    analysis = analyse(grid, config, today, where=where, owned_columns=sheet.info().owned_columns)
    result = RunResult(sheet=where, today=today, dry_run=dry_run)
    result.warnings.extend(analysis.warnings)
    if not dry_run:
        sheet.check_writable()  # a workbook open in Excel: stop before making any draft
    if not dry_run and outbox is None and analysis.to_draft:
        outbox = open_outbox(config, sheet)
    try:
        actions = _draft_all(
            analysis, config, templates, outbox, today, now, dry_run, result, progress
        )
        if not dry_run:
            _flush(outbox, actions, result)
    finally:
        if outbox is not None:
            outbox.close()
    plan = plan_values(analysis, config, today, actions, result.warnings)
    if dry_run:
        placement = place(
            analysis.grid, plan, where=where, owned_columns=sheet.info().owned_columns
        )
    else:
        if progress:
            progress(f"writing {where}", 0, 0)
        outcome = write(sheet, plan)
        placement = outcome.placement
        result.written_to = outcome.location
        result.warnings.extend(w for w in outcome.warnings if w not in result.warnings)
    result.cells_written = len(placement.writes)
    result.changes = _changes(analysis, placement)
    result.rows = row_outcomes(analysis, plan, actions)
    _digest(result, config, now)
    log.info(
        "%s: %d contacts, %d cells %s, %d drafts %s",
        where,
        result.contacts,
        result.cells_written,
        "would change" if dry_run else "written",
        result.count("would draft") if dry_run else result.drafts_created,
        "would be made" if dry_run else "made",
    )
    return result


@dataclass
class _Action:
    action: str
    subject: str | None = None
    location: str | None = None
    note: str = ""


def _draft_all(
    analysis: Analysis,
    config: Config,
    templates: TemplateSet | None,
    outbox: Outbox | None,
    today: dt.date,
    now: dt.datetime,
    dry_run: bool,
    result: RunResult,
    progress: Progress | None,
) -> dict[int, _Action]:
    actions: dict[int, _Action] = {}
    cap = config.scoring.daily_cap
    for label in analysis.waiting:
        # no queue position in the note: it would change every run and rewrite the cell
        actions[label] = _Action("waiting", note=f"due; waits for a later run (daily cap {cap})")
    if not analysis.to_draft:
        return actions
    templates = templates or TemplateSet(config.templates_dir)
    if not dry_run and outbox is not None:
        result.destination = outbox.describe()
    total = len(analysis.to_draft)
    for done, label in enumerate(analysis.to_draft, start=1):
        if progress:
            progress("drafting", done, total)
        try:
            draft = make_draft(analysis, label, config, templates, today)
        except TemplateError as exc:
            actions[label] = _Action("no draft", note=f"no draft: {exc}")
            name = str(analysis.scored.at[label, "name"])
            result.warnings.append(f"{name}: no draft: {exc}")
            continue
        if dry_run or outbox is None:
            actions[label] = _Action("would draft", draft.subject, draft.stem)
            continue
        try:
            saved = outbox.save(draft, now=now)
        except DeliveryError as exc:
            actions[label] = _Action("no draft", note=f"draft not saved: {exc}")
            result.warnings.append(f"{draft.to_name}: draft not saved: {exc}")
            continue
        kind = "drafted" if saved.created else "draft exists"
        actions[label] = _Action(kind, draft.subject, saved.location)
    return actions


def _digest(result: RunResult, config: Config, now: dt.datetime) -> None:
    """Send the morning digest to the user; a failure is a warning, never a failed run."""
    if config.digest is None or result.dry_run:
        return
    from .outbox.digest import send_digest

    try:
        where = send_digest(result, config, now=now)
    except (DeliveryError, ConfigError) as exc:
        result.warnings.append(f"digest not sent: {exc}")
        return
    if where:
        log.info("digest sent to %s", where)


def _flush(outbox: Outbox | None, actions: dict[int, _Action], result: RunResult) -> None:
    """Store what the destination queued; if that fails, none of those drafts count."""
    if outbox is None:
        return
    try:
        outbox.flush()
    except DeliveryError as exc:
        for action in actions.values():
            if action.action == "drafted":
                action.action, action.note = "no draft", f"draft not saved: {exc}"
        result.warnings.append(f"drafts not saved: {exc}")


def _note(rec: Any, action: _Action | None, last_header: str, today: dt.date) -> str:
    status = rec["status"]
    if status == CHECK_DATA:
        return str(rec["reason"])
    if status == DO_NOT_CONTACT:
        return ""
    parts = []
    if status == SNOOZED:
        parts.append(f"snoozed until {_date(rec['snooze_until'])}")
    if action is not None and action.action in ("drafted", "draft exists", "would draft"):
        # the same words a later run writes, so a repeated run changes no cell
        parts.append(f"draft made {today}; after sending it, update {last_header}")
    elif action is not None and action.note:
        parts.append(action.note)
    elif rec["drafted_cycle"] and not pd.isna(rec["drafted"]):
        parts.append(f"draft made {_date(rec['drafted'])}; after sending it, update {last_header}")
    elif status == NEW and not rec["eligible"]:
        parts.append("met today: first follow-up drafted tomorrow")
    if rec["in_person_due"] and status not in (SNOOZED,):
        parts.append(f"time to meet in person (last met {humanize_ago(int(rec['ip_days']))})")
    return "; ".join(parts)


def _records(analysis: Analysis) -> list[tuple[int, dict[str, Any]]]:
    # plain dicts: iterrows() builds a Series per row and dominated large runs
    frame = analysis.scored
    records: list[dict[str, Any]] = frame.to_dict("records")  # type: ignore[assignment]
    return list(zip((int(x) for x in frame.index), records, strict=True))


def _keep_user_formulas(
    analysis: Analysis, row: int, values: dict[str, Any], warnings: list[str]
) -> None:
    """Drop owned cells that hold a formula of the user's: sheetsync leaves those alone."""
    for key, col in analysis.colmap.owned.items():
        if key in values and isinstance(cell_at(analysis.grid, row, col), Formula):
            del values[key]
            warnings.append(
                f"{a1(row, col)} holds a formula in a sheetsync column; it was left as it is. "
                "Clear it to let sheetsync fill it."
            )


def plan_values(
    analysis: Analysis,
    config: Config,
    today: dt.date,
    actions: dict[int, _Action],
    warnings: list[str] | None = None,
) -> WritePlan:
    """What every contact's owned cells should hold after this run."""
    last_header = analysis.colmap.header_of("last_interaction")
    dupes = analysis.scored["key"].duplicated(keep=False)
    duplicate_keys = frozenset(analysis.scored.loc[dupes, "key"])
    rows = []
    warnings = analysis.warnings if warnings is None else warnings
    for label, rec in _records(analysis):
        action = actions.get(label)
        values: dict[str, Any] = {
            "status": rec["status"],
            "score": None if pd.isna(rec["score"]) else round(float(rec["score"]), 2),
            "days_since": None if pd.isna(rec["days"]) else int(rec["days"]),
            "next_followup": _date(rec["next_followup"]),
            "note": _note(rec, action, last_header, today) or None,
        }
        if action is not None and action.action in ("drafted", "draft exists", "would draft"):
            values["drafted"] = today
        _keep_user_formulas(analysis, int(rec["row"]), values, warnings)
        item = RowValues(rec["key"], rec["name"], int(rec["row"]), values)
        if item.key in duplicate_keys:
            item.fingerprint = row_fingerprint(analysis.grid, item.row, analysis.colmap)
        rows.append(item)
    return WritePlan(
        rows=rows,
        columns=config.columns,
        owned_names=config.status_columns,
        duplicate_keys=duplicate_keys,
    )


def row_outcomes(
    analysis: Analysis, plan: WritePlan, actions: dict[int, _Action]
) -> list[RowOutcome]:
    out = []
    for (label, rec), values in zip(_records(analysis), plan.rows, strict=True):
        action = actions.get(label)
        out.append(
            RowOutcome(
                row=int(rec["row"]) + 1,
                name=rec["name"],
                status=rec["status"],
                score=values.values["score"],
                days_since=values.values["days_since"],
                next_followup=values.values["next_followup"],
                in_person_due=bool(rec["in_person_due"]),
                tier=rec["tier"],
                action=action.action if action else "",
                subject=action.subject if action else None,
                draft=action.location if action else None,
                note=values.values["note"] or "",
            )
        )
    return out


def _changes(analysis: Analysis, placement: Any) -> list[CellChange]:
    colmap = placement.colmap
    if colmap is None:
        return []
    names = {col: key for key, col in colmap.owned.items()}
    headers = {key: name for key, name in analysis.colmap.owned_names.items()}
    grid = analysis.grid
    changes = []
    for w in placement.all_writes:
        key = names.get(w.col, "")
        name_col = colmap.roles.get("name")
        who = (
            ""
            if name_col is None or w.row == colmap.header_row
            else value_at(grid, w.row, name_col)
        )
        changes.append(
            CellChange(
                cell=a1(w.row, w.col),
                column=headers.get(key, ""),
                name="" if is_blank(who) else str(who).strip(),
                old=placement.previous.get((w.row, w.col)),
                new=w.value,
            )
        )
    return changes
