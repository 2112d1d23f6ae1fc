"""The command implementations behind :mod:`sheetsync.cli.main`: each calls the library."""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..app import analyse, run, with_sheet_locale
from ..config import SITUATIONS, Config, load_config
from ..core.columns import REQUIRED, ROLE_LABELS, SYNONYMS, detect_columns
from ..core.compose import make_draft
from ..core.contacts import normalise_name
from ..core.plan import plan_values, row_outcomes
from ..core.result import RunResult
from ..core.settings import Me
from ..core.status import NEVER_DRAFTED, Action
from ..errors import ConfigError
from ..sheets import open_configured_sheet
from ..sheets.google import spreadsheet_key
from ..templates import load_templates
from .output import queue_lines, render_run, use_colour

EXIT_OK, EXIT_USAGE = 0, 2


def config_with_sheet(args: argparse.Namespace, overrides: dict[str, Any]) -> Config:
    """The resolved config; a ConfigError when no sheet is named anywhere."""
    config = load_config(args.config, overrides=overrides)
    if not config.sheet:
        raise ConfigError(
            "No sheet to work on: pass --sheet PATH, set SHEETSYNC_SHEET, or put "
            'sheet = "contacts.xlsx" in sheetsync.toml (sheetsync init writes one).'
        )
    return config


def _progress(stage: str, done: int, total: int) -> None:
    """Progress on a terminal only (stderr), so cron logs and --json stay clean."""
    if not sys.stderr.isatty():
        return
    if total == 0:
        print(f"{stage}…", file=sys.stderr, flush=True)
    elif total > 1:
        end = "\n" if done == total else ""
        print(f"\r{stage} {done}/{total}", end=end, file=sys.stderr, flush=True)


def _tell_account(sheet: Any, *, always: bool = False) -> None:
    """Name the service account a Google sheet must be shared with."""
    email = getattr(sheet, "account_email", None)
    if email and (always or sys.stderr.isatty()):
        print(
            f"Using the service account {email}: share your sheet with it as an Editor.",
            file=sys.stderr,
        )


def cmd_run(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    from .main import print_json

    config = config_with_sheet(args, overrides)
    sheet = open_configured_sheet(config)
    _tell_account(sheet)
    result = run(config, sheet=sheet, today=args.today, dry_run=args.dry_run, progress=_progress)
    if args.json:
        print_json(result.to_dict())
    else:
        render_run(result, sys.stdout, verbose=args.verbose)
    return EXIT_OK


def _analysis(
    args: argparse.Namespace, overrides: dict[str, Any]
) -> tuple[Config, Any, Any, dt.date]:
    config = config_with_sheet(args, overrides)
    sheet = open_configured_sheet(replace(config, output=None))
    grid = sheet.read()
    today = args.today or sheet.info().today
    config = with_sheet_locale(config, sheet)
    analysis = analyse(grid, config, today, where=sheet.describe())
    return config, sheet, analysis, today


def cmd_status(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    from .main import print_json

    config, sheet, analysis, today = _analysis(args, overrides)
    plan = plan_values(
        analysis, today, {}, columns=config.columns, owned_names=config.status_columns
    )
    rows = row_outcomes(analysis, plan, {})
    for row, label in zip(rows, analysis.scored.index, strict=True):
        if label in analysis.to_draft:
            row.action = Action.TO_DRAFT
        elif label in analysis.waiting:
            row.action = Action.WAITING
    if args.json:
        result = RunResult(
            sheet=sheet.describe(), today=today, dry_run=True, rows=rows, warnings=analysis.warnings
        )
        data = result.to_dict()
        print_json(
            {k: data[k] for k in ("sheet", "today", "contacts", "statuses", "rows", "warnings")}
        )
        return EXIT_OK
    print(
        f"{sheet.describe()} on {today}: {len(rows)} contacts; {len(analysis.to_draft)} to draft "
        f"today, {len(analysis.waiting)} waiting (daily cap {config.scoring.daily_cap})."
    )
    for line in queue_lines(rows, use_colour(sys.stdout), show_all=args.all):
        print("  " + line)
    for w in analysis.warnings:
        print(f"warning: {w}")
    return EXIT_OK


def find_contact(analysis: Any, query: str) -> tuple[int | None, list[str]]:
    """The frame label of the contact ``query`` names, else the candidates."""
    frame = analysis.scored
    q = normalise_name(query)
    names = {label: normalise_name(str(name)) for label, name in frame["name"].items()}
    keys = {label: str(key) for label, key in frame["key"].items()}
    for test in (
        lambda lb: names[lb] == q or keys[lb] == f"email:{q}",
        lambda lb: names[lb].split()[:1] == [q],
        lambda lb: q in names[lb],
    ):
        hits = [lb for lb in frame.index if names[lb] and test(lb)]
        if len(hits) == 1:
            return int(hits[0]), []
        if hits:
            return None, [str(frame.loc[lb, "name"]) for lb in hits]
    close = difflib.get_close_matches(q, list(names.values()), n=3, cutoff=0.5)
    originals = [str(frame.loc[lb, "name"]) for lb, n in names.items() if n in close]
    return None, originals


def cmd_preview(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    from .main import print_json

    config, sheet, analysis, today = _analysis(args, overrides)
    label, candidates = find_contact(analysis, args.name)
    if label is None:
        if candidates:
            listed = ", ".join(candidates)
            print(
                f"sheetsync: '{args.name}' could mean: {listed}. Give more of the name.",
                file=sys.stderr,
            )
        else:
            print(
                f"sheetsync: no contact named '{args.name}' in {sheet.describe()}.", file=sys.stderr
            )
        return EXIT_USAGE
    if args.template:
        analysis.scored.loc[label, "template"] = args.template
    templates = load_templates(config.templates_dir)
    me = Me(config.me_name, config.me_email, config.signature)
    draft = make_draft(
        analysis, label, templates, today, me=me, template_names=config.template_names
    )
    rec = analysis.scored.loc[label]
    if args.json:
        print_json(
            {
                "name": draft.to_name,
                "to": draft.to_email,
                "subject": draft.subject,
                "body": draft.body,
                "template": draft.template,
                "status": rec["status"],
                "message_id": draft.message_id,
            }
        )
        return EXIT_OK
    to = (
        f"{draft.to_name} <{draft.to_email}>"
        if draft.to_email
        else f"{draft.to_name} (no email in the sheet)"
    )
    print(f"Status:   {rec['status']} (template {draft.template})")
    if rec["status"] in NEVER_DRAFTED:
        print(f"Note:     sheetsync makes no draft for a contact who is {rec['status']}.")
    print(f"To:       {to}")
    print(f"Subject:  {draft.subject}\n")
    print(draft.body, end="")
    return EXIT_OK


def config_text(config: Config, colmap: Any, sheet_path: str, tab: str | None) -> str:
    """A commented sheetsync.toml with the mapping detected in the sheet."""
    q = _toml_str
    lines = [
        "# sheetsync configuration, written by 'sheetsync init'.",
        "# Precedence: command-line flag, then SHEETSYNC_* environment variable, then this file.",
        "# Relative paths are relative to this file's folder.",
        "",
        f"sheet = {q(sheet_path)}",
        f"tab = {q(tab or '')}                # the tab with your contacts (empty: the first)",
        'locale = "en_US"      # how ambiguous dates like 4/5/2026 are read: en_US is month',
        "                      # first; en_GB, de_DE, fr_FR ... are day first",
        "daily_cap = 5         # most drafts per day; the rest wait, most stale first",
        "",
        "[me]",
        'name = ""             # your name, for the templates\' sign-off',
        'email = ""            # your address, put in the drafts\' From header',
        'signature = ""        # e.g. "Sam\\nhttps://example.com"',
        "",
        "# Which of your columns is which. Detected from your headers; edit to change.",
        "# An empty text means your sheet has no such column.",
        "[columns]",
    ]
    for role in SYNONYMS:
        label = ROLE_LABELS[role]
        if role in colmap.roles:
            lines.append(f"{role} = {q(colmap.header_of(role))}")
        elif role in REQUIRED:
            lines.append(f"{role} = {q('')}  # no {label} column found")
        else:
            lines.append(f'# {role} = "..."  # optional: {label}')
    lines += [
        "",
        "# The status columns sheetsync owns and writes (added at the right if missing).",
        "[status_columns]",
    ]
    lines += [f"{k} = {q(v)}" for k, v in config.status_columns.items()]
    s = config.scoring
    lines += [
        "",
        "[cadence]",
        f'default = "{s.default_cadence} days"     # for contacts with no tier and no cadence cell',
        f'in_person = "{s.in_person_cadence} days"  # how often to see people in person',
        f'new_window = "{s.new_window} days"   # how long someone you just met counts as new',
        "",
        "# Tiers: the cadence and weight (in the ranking) of each value of your tier column.",
    ]
    for name, tier in s.tiers.items():
        lines.append(f'[tiers.{name}]\ncadence = "{tier.cadence} days"\nweight = {tier.weight:g}')
    lines += [
        "",
        "[drafts]",
        'destination = "eml"   # .eml files, one per contact and follow-up',
        'folder = "drafts"',
        "",
        "[templates]",
        '# folder = "my-templates"   # your own .j2 templates (default: the built-in ones)',
    ]
    lines += [f'# {sit} = "{sit}"' for sit in SITUATIONS]
    return "\n".join(lines) + "\n"


def _toml_str(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    )
    return f'"{escaped}"'


def cmd_init(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    if args.config and not Path(args.config).exists():
        raise ConfigError(
            f"{args.config} does not exist yet: --config reads a config. To write a new one "
            f"there, use: sheetsync init --sheet ... --write {args.config}"
        )
    config = config_with_sheet(args, overrides)
    target = Path(args.write)
    if target.exists() and not args.force:
        raise ConfigError(
            f"{target} already exists; pass --force to overwrite it, or --write FILE."
        )
    sheet = open_configured_sheet(replace(config, output=None))
    _tell_account(sheet, always=True)
    grid = sheet.read()
    colmap = detect_columns(
        grid, explicit=config.columns, owned_names=config.status_columns, where=sheet.describe()
    )
    sheet_path = config.sheet or ""
    if spreadsheet_key(sheet_path) is None:
        try:
            sheet_path = str(Path(sheet_path).resolve().relative_to(target.resolve().parent))
        except ValueError:
            sheet_path = str(Path(sheet_path).resolve())
    tab = getattr(sheet, "tab", None)
    target.write_text(config_text(config, colmap, sheet_path, tab), encoding="utf-8")
    found = ", ".join(f"{ROLE_LABELS[r]} = '{colmap.header_of(r)}'" for r in colmap.roles)
    print(f"Wrote {target}. Header row {colmap.header_row + 1} of {sheet.describe()}: {found}.")
    for w in colmap.warnings:
        print(f"warning: {w}")
    print(f"Next: fill in [me] in {target}, then try 'sheetsync run --config {target} --dry-run'.")
    return EXIT_OK
