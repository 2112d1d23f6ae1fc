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
from collections.abc import Callable
from dataclasses import replace

from .config import Config
from .core.analysis import Analysis, analyse_grid
from .core.compose import make_draft
from .core.dates import day_first_for_locale
from .core.drafting import TemplateSet
from .core.grid import Grid
from .core.plan import DraftAction, cell_changes, plan_values, row_outcomes, waiting_actions
from .core.result import RunResult
from .core.settings import Me
from .core.status import Action
from .core.writeback import place
from .errors import ConfigError, DeliveryError, TemplateError
from .outbox import Outbox, open_outbox
from .sheets import SheetBackend, open_configured_sheet
from .sheets.base import write
from .templates import load_templates

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]


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


def analyse(grid: Grid, config: Config, today: dt.date, *, where: str = "the sheet") -> Analysis:
    """Detect columns, read contacts, score them and pick today's drafts (pure)."""
    return analyse_grid(
        grid,
        today,
        scoring=config.scoring,
        columns=config.columns,
        owned_names=config.status_columns,
        day_first=config.day_first,
        where=where,
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
    analysis = analyse(grid, config, today, where=where)
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
    plan = plan_values(
        analysis,
        today,
        actions,
        columns=config.columns,
        owned_names=config.status_columns,
        warnings=result.warnings,
    )
    if dry_run:
        placement = place(analysis.grid, plan, where=where)
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
    templates = templates or load_templates(config.templates_dir)
    if not dry_run and outbox is not None:
        result.destination = outbox.describe()
    total = len(analysis.to_draft)
    me = Me(config.me_name, config.me_email, config.signature)
    for done, label in enumerate(analysis.to_draft, start=1):
        if progress:
            progress("drafting", done, total)
        try:
            draft = make_draft(
                analysis, label, templates, today, me=me, template_names=config.template_names
            )
        except TemplateError as exc:
            actions[label] = DraftAction(Action.NO_DRAFT, note=f"no draft: {exc}")
            name = str(analysis.scored.at[label, "name"])
            result.warnings.append(f"{name}: no draft: {exc}")
            continue
        if dry_run or outbox is None:
            actions[label] = DraftAction(Action.WOULD_DRAFT, draft.subject, draft.stem)
            continue
        try:
            saved = outbox.save(draft, now=now)
        except DeliveryError as exc:
            actions[label] = DraftAction(Action.NO_DRAFT, note=f"draft not saved: {exc}")
            result.warnings.append(f"{draft.to_name}: draft not saved: {exc}")
            continue
        kind = Action.DRAFTED if saved.created else Action.DRAFT_EXISTS
        actions[label] = DraftAction(kind, draft.subject, saved.location)
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
        result.warnings.append(f"drafts not saved: {exc}")
