"""``sheetsync init``: read a sheet's headers and write a commented sheetsync.toml.

``--json`` prints one object: ``config`` (the file written), ``sheet`` (the
sheet and tab read), ``header_row`` (1-based), ``columns`` (each detected role
and its header), ``missing`` (the roles no column was found for) and
``warnings``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from .common import EXIT_OK, command_parser, common_flags, load, print_json

if TYPE_CHECKING:
    from ..config import Config


EXAMPLES = """\
examples:
  sheetsync init --sheet contacts.xlsx
  sheetsync init --sheet contacts.xlsx --write my-sheetsync.toml --force
  sheetsync init --sheet contacts.csv --locale en_GB --json"""


def add_parser(sub: Any) -> None:
    text = "Inspect a sheet's headers and write a commented sheetsync.toml."
    p = command_parser(sub, "init", text, EXAMPLES)
    common_flags(p, today=False)  # init scores nothing, so --today would do nothing
    p.add_argument(
        "--write",
        metavar="FILE",
        default="sheetsync.toml",
        help="where to write the config (default: sheetsync.toml)",
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing config file")
    p.set_defaults(func=cmd_init)


def config_text(
    config: Config, colmap: Any, sheet_path: str, tab: str | None, locale: str = "en_US"
) -> str:
    """A commented sheetsync.toml with the mapping detected in the sheet."""
    from ..config import SITUATIONS
    from ..core.columns import REQUIRED, ROLE_LABELS, SYNONYMS, WITHOUT

    q = _toml_str
    lines = [
        "# sheetsync configuration, written by 'sheetsync init'.",
        "# Precedence: command-line flag, then SHEETSYNC_* environment variable, then this file.",
        "# Relative paths are relative to this file's folder.",
        "",
        f"sheet = {q(sheet_path)}",
        f"tab = {q(tab or '')}                # the tab with your contacts (empty: the first)",
        f"locale = {q(locale)}      # how ambiguous dates like 4/5/2026 are read: en_US is month",
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
    missing = {m.role: m for m in colmap.missing}
    for role in SYNONYMS:
        label = ROLE_LABELS[role]
        if role in colmap.roles:
            lines.append(f"{role} = {q(colmap.header_of(role))}")
        elif role in REQUIRED:
            hint = missing[role].suggestion if role in missing else None
            closest = f"; closest: {q(hint)}" if hint else "; add one to your sheet"
            lines.append(f'# {role} = "..."  # REQUIRED: no {label} column found{closest}')
        elif role in WITHOUT:
            lines.append(f"{role} = {q('')}  # no {label} column: {WITHOUT[role]}")
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


def cmd_init(args: argparse.Namespace) -> int:
    from ..core.columns import ROLE_LABELS, SYNONYMS, detect_columns
    from ..sheets import open_configured_sheet
    from ..sheets.location import google_key
    from .common import tell_account

    if args.config and not Path(args.config).exists():
        raise ConfigError(
            f"{args.config} does not exist yet: --config reads a config. To write a new one "
            f"there, use: sheetsync init --sheet ... --write {args.config}"
        )
    config = load(args)
    target = Path(args.write)
    if target.exists() and not args.force:
        raise ConfigError(
            f"{target} already exists; pass --force to overwrite it, or --write FILE."
        )
    sheet = open_configured_sheet(config)
    tell_account(sheet, always=True)
    grid = sheet.read()
    colmap = detect_columns(
        grid,
        explicit=config.columns,
        owned_names=config.status_columns,
        where=sheet.describe(),
        owned_columns=sheet.info().owned_columns,
        partial=True,  # a config is written even when a column is missing: it says which
    )
    sheet_path = config.sheet or ""
    if google_key(sheet_path) is None:
        try:
            sheet_path = str(Path(sheet_path).resolve().relative_to(target.resolve().parent))
        except ValueError:
            sheet_path = str(Path(sheet_path).resolve())
    text = config_text(config, colmap, sheet_path, sheet.info().tab, args.locale or "en_US")
    target.write_text(text, encoding="utf-8")
    if args.json:
        print_json(
            {
                "config": str(target),
                "sheet": sheet.describe(),
                "header_row": colmap.header_row + 1,
                "columns": {r: colmap.header_of(r) for r in colmap.roles},
                "missing": [r for r in SYNONYMS if r not in colmap.roles],
                "required_missing": [m.role for m in colmap.missing],
                "warnings": list(colmap.warnings),
            }
        )
        return EXIT_OK
    found = ", ".join(f"{ROLE_LABELS[r]} = '{colmap.header_of(r)}'" for r in colmap.roles)
    print(f"Wrote {target}. Header row {colmap.header_row + 1} of {sheet.describe()}: {found}.")
    for w in colmap.warnings:
        print(f"warning: {w}")
    for problem in colmap.missing:
        print(f"before running: {problem} (in {target}, [columns] {problem.role})")
    print(f"Next: fill in [me] in {target}, then try 'sheetsync run --config {target} --dry-run'.")
    return EXIT_OK
