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
from contextlib import suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Config
from .core.analysis import Analysis, analyse_grid, find_contact
from .core.compose import make_draft
from .core.dates import DateError, day_first_for_locale, serial_to_date
from .core.drafting import Draft, TemplateSet
from .core.grid import Grid, a1, display_text, is_blank, value_at
from .core.plan import DraftAction, cell_changes, plan_values, row_outcomes, waiting_actions
from .core.result import ImportResult, LogResult, RowOutcome, RunResult
from .core.status import Action, Status
from .core.writeback import Placement, UpdatePlan, first_free_row, place, place_updates
from .errors import (
    ConfigError,
    ContactNotFound,
    DeliveryError,
    SheetError,
    TemplateError,
    UsageError,
)
from .outbox import Outbox, open_outbox
from .sheets import SheetBackend, open_configured_sheet
from .sheets.base import append, update_cells, write
from .templates import load_templates

if TYPE_CHECKING:
    from .unattended.locking import RunLock

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
#: The note of a contact due a follow-up who has no email address in the sheet.
NO_ADDRESS = "no email address: add one to get a draft"


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
    return analyse_grid(
        grid,
        today,
        scoring=config.scoring,
        columns=config.columns,
        owned_names=config.status_columns,
        day_first=config.day_first,
        where=where,
        owned_columns=owned_columns,
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
    result.notes.extend(analysis.notes)
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
    plan = plan_values(
        analysis,
        today,
        actions,
        columns=config.columns,
        owned_names=config.status_columns,
        warnings=result.warnings,
    )
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
    result.changes = cell_changes(analysis, placement)
    result.rows = row_outcomes(analysis, plan, actions)
    _digest(result, config, now)
    log.info(
        "%s: %d contacts, %d cells %s, %d drafts %s",
        where,
        result.contacts,
        result.cells_written,
        "would change" if dry_run else "written",
        result.count(Action.WOULD_DRAFT) if dry_run else result.drafts_created,
        "would be made" if dry_run else "made",
    )
    return result


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
) -> dict[int, DraftAction]:
    actions = waiting_actions(analysis, config.scoring.daily_cap)
    if not analysis.to_draft:
        return actions
    templates = templates or load_templates(config.templates.folder)
    if not dry_run and outbox is not None:
        result.destination = outbox.describe()
    total, names = len(analysis.to_draft), config.templates.names
    for done, label in enumerate(analysis.to_draft, start=1):
        if progress:
            progress("drafting", done, total)
        try:
            draft = make_draft(
                analysis, label, templates, today, me=config.me, template_names=names
            )
        except TemplateError as exc:
            actions[label] = DraftAction(Action.NO_DRAFT, note=f"no draft: {exc}")
            name = str(analysis.scored.at[label, "name"])
            result.warnings.append(f"{name}: no draft: {exc}")
            result.template_errors += 1
            continue
        if not draft.to_email:  # a draft with no recipient helps nobody
            actions[label] = DraftAction(Action.NO_DRAFT, note=NO_ADDRESS)
            continue
        if dry_run or outbox is None:
            actions[label] = DraftAction(Action.WOULD_DRAFT, draft.subject, draft.stem)
            result.drafts.append(draft)
            continue
        try:
            saved = outbox.save(draft, now=now)
        except DeliveryError as exc:
            actions[label] = DraftAction(Action.NO_DRAFT, note=f"draft not saved: {exc}")
            result.warnings.append(f"{draft.to_name}: draft not saved: {exc}")
            result.delivery_errors += 1
            continue
        kind = Action.DRAFTED if saved.created else Action.DRAFT_EXISTS
        actions[label] = DraftAction(kind, draft.subject, saved.location)
        if saved.created:
            result.drafts.append(draft)
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


def _flush(outbox: Outbox | None, actions: dict[int, DraftAction], result: RunResult) -> None:
    """Store what the destination queued; if that fails, none of those drafts count."""
    if outbox is None:
        return
    try:
        outbox.flush()
    except DeliveryError as exc:
        for action in actions.values():
            if action.action == Action.DRAFTED:
                action.action, action.note = Action.NO_DRAFT, f"draft not saved: {exc}"
                result.delivery_errors += 1
        result.warnings.append(f"drafts not saved: {exc}")


# --- the workflows every entry point calls -------------------------------------------------


@dataclass
class Opened:
    """A sheet opened, read and analysed: what ``status``, ``preview``, ``log`` and
    ``import`` start from."""

    config: Config
    sheet: SheetBackend
    analysis: Analysis
    today: dt.date


def require_sheet(config: Config) -> Config:
    """``config`` when it names a sheet; a ConfigError saying how to name one."""
    if not config.sheet:
        raise ConfigError(
            "No sheet to work on: pass --sheet PATH_OR_URL, set SHEETSYNC_SHEET, or put "
            'sheet = "contacts.xlsx" in sheetsync.toml (sheetsync init writes one).'
        )
    return config


def open_and_analyse(
    config: Config, *, today: dt.date | None = None, sheet: SheetBackend | None = None
) -> Opened:
    """Open the config's sheet itself (never an ``--output`` copy), read and analyse it."""
    if sheet is None:
        sheet = open_configured_sheet(replace(require_sheet(config), output=None))
    grid = sheet.read()
    today = today or sheet.info().today
    config = with_sheet_locale(config, sheet)
    owned = sheet.info().owned_columns
    analysis = analyse(grid, config, today, where=sheet.describe(), owned_columns=owned)
    return Opened(config, sheet, analysis, today)


class Skipped(Exception):
    """Another sheetsync run holds the sheet's lock; ``holder`` says which."""

    def __init__(self, sheet: str, holder: str):
        super().__init__(f"{sheet} is being updated by another sheetsync run ({holder})")
        self.sheet, self.holder = sheet, holder


def sheet_locked(config: Config) -> RunLock:
    """The sheet's run lock, taken (use it in ``with``); Skipped when another run holds it.

    Every process that writes the sheet takes the same lock: runs, ``log`` and ``import``.
    """
    from .unattended.locking import sheet_lock

    lock = sheet_lock(require_sheet(config))
    if not lock.acquire():
        raise Skipped(str(config.sheet), lock.holder())
    return lock


def locked_run(
    config: Config,
    *,
    sheet: SheetBackend | None = None,
    today: dt.date | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> RunResult:
    """:func:`run` under the sheet's lock (a dry run reads only and takes none)."""
    if dry_run:
        return run(config, sheet=sheet, today=today, dry_run=True, progress=progress)
    with sheet_locked(config):
        return run(config, sheet=sheet, today=today, progress=progress)


def contact_label(opened: Opened, query: str, *, doing: str) -> int:
    """The frame label of the one contact ``query`` names; ContactNotFound otherwise."""
    label, candidates = find_contact(opened.analysis, query)
    if label is not None:
        return label
    where = opened.sheet.describe()
    if not candidates:
        raise ContactNotFound(f"no contact named '{query}' in {where}; {doing.lower()}.")
    frame = opened.analysis.scored
    listed = [
        f"{name} (row {int(row) + 1})"
        for name, row in zip(frame["name"], frame["row"], strict=True)
        if name in candidates
    ]
    raise ContactNotFound(
        f"'{query}' could mean {', '.join(listed)}. {doing}; give more of the name "
        "(or the email).",
        candidates=candidates,
    )


def status_rows(opened: Opened) -> list[RowOutcome]:
    """Every contact's status, score and what today's run would do, as typed rows."""
    config, analysis = opened.config, opened.analysis
    plan = plan_values(
        analysis, opened.today, {}, columns=config.columns, owned_names=config.status_columns
    )
    rows = row_outcomes(analysis, plan, {})
    to_draft, waiting = set(analysis.to_draft), set(analysis.waiting)
    for row, label in zip(rows, analysis.scored.index, strict=True):
        if label in to_draft:
            row.action = Action.TO_DRAFT
        elif label in waiting:
            row.action = Action.WAITING
    return rows


def preview_draft(
    opened: Opened, query: str, *, template: str | None = None
) -> tuple[Draft, Status]:
    """The draft a run would make for the contact ``query`` names, and their status.

    Nothing is stored; a contact whose status gets no draft is still rendered."""
    label = contact_label(opened, query, doing="Nothing to preview")
    if template:
        opened.analysis.scored.loc[label, "template"] = template
    config = opened.config
    status = Status(str(opened.analysis.scored.at[label, "status"]))
    return make_draft(
        opened.analysis,
        label,
        load_templates(config.templates.folder),
        opened.today,
        me=config.me,
        template_names=config.templates.names,
    ), status


def import_contacts(
    config: Config,
    file: str | Path,
    *,
    encoding: str | None = None,
    dry_run: bool = False,
    today: dt.date | None = None,
    sheet: SheetBackend | None = None,
) -> ImportResult:
    """Add the people of a LinkedIn, Google Contacts or vCard export below the sheet's rows.

    People already in the sheet (same email, else same name) are skipped; first
    follow-ups are spread over the coming days within the daily cap.
    """
    from .core.identity import sheet_identities
    from .core.importing import Existing, append_plan, load_ahead, plan_import
    from .sources import read_contacts_file

    parsed = read_contacts_file(file, encoding=encoding)  # a bad file stops here
    opened = open_and_analyse(config, today=today, sheet=sheet)
    config, analysis, today = opened.config, opened.analysis, opened.today
    grid, colmap = analysis.grid, analysis.colmap
    name_col = colmap.roles["name"]
    existing = [
        Existing(row, _text(value_at(grid, row, name_col)), keys)
        for row, keys in sheet_identities(grid, colmap).items()
    ]
    booked, backlog = load_ahead(analysis.scored, today)
    plan = plan_import(
        parsed.contacts,
        existing,
        roles=set(colmap.roles),
        today=today,
        daily_cap=config.scoring.daily_cap,
        booked=booked,
        backlog=backlog,
    )
    result = ImportResult(
        file=parsed.name,
        format=parsed.kind,
        sheet=opened.sheet.describe(),
        dry_run=dry_run,
        read=parsed.records,
        unfilled=plan.unfilled,
        warnings=[*parsed.warnings, *(f"{parsed.name}, {w}" for w in plan.warnings)],
    )
    rows: list[int | None] | None = None
    if not dry_run and plan.additions:
        new_rows = append_plan(plan, config.columns, config.status_columns)
        outcome = append(opened.sheet, new_rows)
        result.warnings.extend(outcome.warnings)
        skipped = set(outcome.placement.skipped)
        placed = iter(outcome.placement.appended)
        rows = [None if r.label in skipped else next(placed, None) for r in new_rows.rows]
    _fill_import(result, plan, parsed.left_out, rows, first_row=first_free_row(grid, colmap))
    return result


def _text(value: Any) -> str:
    return "" if is_blank(value) else " ".join(str(value).split())


def _fill_import(
    result: ImportResult,
    plan: Any,
    left_out: list[tuple[int, str]],
    rows: list[int | None] | None,
    *,
    first_row: int,
) -> None:
    late: list[dict[str, Any]] = []
    for i, addition in enumerate(plan.additions):
        row = first_row + i if rows is None else rows[i]
        contact = addition.contact
        if row is None:
            reason = "already in the sheet when writing (added while the import ran)"
            late.append({"line": contact.line, "name": contact.name, "reason": reason})
            continue
        result.added.append(
            {
                "line": contact.line,
                "name": contact.name,
                "email": contact.email or None,
                "row": row + 1,
                "next_followup": addition.follow_up,
            }
        )
    result.skipped = [
        {"line": s.contact.line, "name": s.contact.name, "reason": s.reason} for s in plan.skipped
    ] + late
    result.left_out = [{"line": line, "reason": reason} for line, reason in left_out]


def log_interaction(
    config: Config,
    query: str,
    what: str,
    *,
    in_person: bool = False,
    when: str | None = None,
    dry_run: bool = False,
    today: dt.date | None = None,
    sheet: SheetBackend | None = None,
) -> LogResult:
    """Record an interaction with the contact ``query`` names: Last interaction, What and,
    in person, Last in person.  ``when`` is any date a cell may hold, "today" or
    "yesterday"; never the future."""
    from .core.interactions import Interaction, parse_when, plan_log

    opened = open_and_analyse(config, today=today, sheet=sheet)
    config, analysis = opened.config, opened.analysis
    try:
        day = parse_when(when, today=opened.today, day_first=config.day_first)
    except DateError as exc:
        raise UsageError(f"--date: {exc}") from None
    label = contact_label(opened, query, doing="Nothing was logged")
    rec: Any = analysis.scored.loc[label]
    logged = plan_log(
        analysis.grid,
        analysis.colmap,
        row=int(rec["row"]),
        key=str(rec["key"]),
        name=str(rec["name"]),
        interaction=Interaction(day, what, in_person),
        day_first=config.day_first,
    )
    if logged.update is None:
        raise UsageError(logged.problem)
    plan = UpdatePlan([logged.update], config.columns, config.status_columns)
    where = opened.sheet.describe()
    if dry_run:
        placement = place_updates(analysis.grid, plan, where=where)
    else:
        placement = update_cells(opened.sheet, plan).placement
    if placement.skipped:
        raise SheetError(" ".join(placement.warnings))
    row = (placement.writes[0].row if placement.writes else int(rec["row"])) + 1
    return LogResult(
        sheet=where,
        name=str(rec["name"]),
        row=row,
        dry_run=dry_run,
        changes=_logged_changes(analysis.grid, placement),
        notes=logged.notes,
    )


def _logged_changes(grid: Grid, placement: Placement) -> list[dict[str, Any]]:
    colmap = placement.colmap
    out = []
    for w in placement.writes:
        header = colmap.headers[w.col] if colmap and w.col < len(colmap.headers) else ""
        old = placement.previous.get((w.row, w.col), value_at(grid, w.row, w.col))
        if isinstance(old, dt.datetime) and old.time() == dt.time():
            old = old.date()
        elif isinstance(w.value, dt.date) and isinstance(old, int | float):
            with suppress(DateError):  # a Google re-read gives dates as serial numbers
                old = serial_to_date(old)
        out.append(
            {
                "cell": a1(w.row, w.col),
                "column": header,
                "old": None if is_blank(old) else display_text(old, 200),
                "new": display_text(w.value, 200),
            }
        )
    return out
