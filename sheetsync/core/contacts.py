"""Reading contacts out of a grid: one row per contact, cells parsed, problems noted.

This is pure: it takes the grid, the detected columns, the settings and
``today``, and returns a pandas frame the scoring core works on.  A cell that
cannot be read never stops anything; it becomes the row's ``problem`` text,
which names the cell and says what to do.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..errors import SheetError
from .cadence import CadenceError, bare_number_unit, parse_cadence
from .columns import ColumnMap, data_rows
from .dates import DateError, is_ambiguous_date, parse_date
from .grid import NOT_CALCULATED, Cell, Formula, Grid, a1, cell_at, display_text, is_blank, value_at
from .settings import ScoringSettings
from .tiers import normalise_tier, vocabularies_used

FALSE_WORDS = {"", "no", "n", "false", "0", "-", "none", "nope", "ok", "fine"}
DATE_ROLES = ("last_interaction", "last_in_person", "first_met", "snooze_until")
_MISSING = object()


@dataclass
class Contacts:
    """The contacts of one sheet, ready for scoring."""

    frame: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    #: the tier words read as tiers, e.g. ["High/Medium/Low"] (see core.tiers), for the report
    tier_vocabularies: list[str] = field(default_factory=list)


def normalise_name(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).casefold()
    return " ".join("".join(c for c in folded if not unicodedata.combining(c)).split())


def row_key(grid: Grid, row: int, colmap: ColumnMap) -> str:
    """A contact's identity: their email, else their name, else the row's user cells.

    The same function is applied to a fresh read of the sheet just before
    writing, so a status follows its person when rows move.
    """
    if "email" in colmap.roles:
        email = value_at(grid, row, colmap.roles["email"])
        if not is_blank(email):
            return "email:" + str(email).strip().casefold()
    name = value_at(grid, row, colmap.roles["name"])
    if not is_blank(name):
        return "name:" + normalise_name(str(name))
    return "row:" + row_fingerprint(grid, row, colmap)


def row_fingerprint(grid: Grid, row: int, colmap: ColumnMap) -> str:
    """A digest of the row's own (user) cells: tells apart rows that share a key."""
    cells = "\x1f".join(display_text(value_at(grid, row, c), 10_000) for c in colmap.user_columns)
    return hashlib.sha256(cells.encode("utf-8")).hexdigest()[:16]


def is_truthy(value: Cell) -> bool:
    """Whether a "do not contact" cell says yes.  Anything but a clear no counts as yes."""
    if is_blank(value):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    return normalise_name(str(value)).strip(".!") not in FALSE_WORDS


class _Cached:
    """Memoises a parser over the (usually few) distinct values of a column."""

    def __init__(self, parse: Callable[[Any], Any]):
        self.parse = parse
        self.cache: dict[Any, Any] = {}

    def __call__(self, value: Cell) -> Any:
        try:
            hit = self.cache.get(value, _MISSING)
        except TypeError:  # unhashable cell value: parse without caching
            return self._safe(value)
        if hit is _MISSING:
            hit = self.cache[value] = self._safe(value)
        return hit

    def _safe(self, value: Cell) -> Any:
        try:
            return self.parse(value)
        except (DateError, CadenceError) as exc:
            return exc


def read_contacts(
    grid: Grid,
    colmap: ColumnMap,
    settings: ScoringSettings,
    *,
    today: dt.date,
    day_first: bool = False,
    where: str = "the sheet",
) -> Contacts:
    """Parse every contact row of ``grid`` into a frame (one row per contact)."""
    rows = data_rows(grid, colmap)
    roles = colmap.roles
    _refuse_uncalculated(grid, rows, colmap, where)
    parse_day = _Cached(lambda v: parse_date(v, day_first=day_first))
    unit = bare_number_unit(colmap.header_of("cadence")) if "cadence" in roles else 1
    parse_days = _Cached(lambda v: parse_cadence(v, bare_unit=unit))
    tiers = {name.casefold(): (name, tier) for name, tier in settings.tiers.items()}
    owned_drafted = colmap.owned.get("drafted")
    owned_next = colmap.owned.get("next_followup")
    records: list[dict[str, Any]] = []
    ambiguous: list[str] = []

    def loc(role: str, r: int) -> str:
        return f"{colmap.header_of(role)} ({a1(r, roles[role])})"

    for r in range(len(rows)):
        row = rows[r]
        problems: list[str] = []
        rec: dict[str, Any] = {"row": row, "key": row_key(grid, row, colmap)}
        name = value_at(grid, row, roles["name"])
        rec["name"] = "" if is_blank(name) else " ".join(str(name).split())
        if not rec["name"]:
            problems.append(f"{loc('name', row)} is empty; add the contact's name")
        for role in DATE_ROLES:
            value = value_at(grid, row, roles[role]) if role in roles else None
            got = parse_day(value)
            if isinstance(got, DateError):
                problems.append(f"{loc(role, row)}: {got}")
                got = None
            elif got is not None and role != "snooze_until" and got > today:
                problems.append(
                    f"{loc(role, row)}: {got.isoformat()} is in the future; "
                    "fix the date (sheetsync counts days since it)"
                )
                got = None
            elif got is not None and is_ambiguous_date(value):
                ambiguous.append(f"{a1(row, roles[role])} '{display_text(value)}'")
            rec[role] = got
        if owned_drafted is not None:
            got = parse_day(value_at(grid, row, owned_drafted))
            rec["drafted"] = None if isinstance(got, DateError) else got
        else:
            rec["drafted"] = None
        # Someone never contacted keeps the first follow-up sheetsync planned for them
        # (``import`` spreads these out); see "planned" in the scoring core.
        rec["planned"] = None
        if owned_next is not None and rec["last_interaction"] is None:
            got = parse_day(value_at(grid, row, owned_next))
            rec["planned"] = None if isinstance(got, DateError) else got
        if rec["last_interaction"] is None and "last_interaction" in roles and not problems:
            rec["missing_last"] = (
                f"{loc('last_interaction', row)} is empty; fill in when you last talked"
            )
        rec["cadence"], rec["weight"], rec["tier"] = _cadence(
            grid, row, colmap, settings, tiers, parse_days, problems, loc
        )
        rec["dnc"] = "do_not_contact" in roles and is_truthy(
            value_at(grid, row, roles["do_not_contact"])
        )
        tmpl = value_at(grid, row, roles["template"]) if "template" in roles else None
        rec["template"] = "" if is_blank(tmpl) else str(tmpl).strip()
        rec["problem"] = "; ".join(problems)
        records.append(rec)
    frame = _to_frame(records)
    _mark_duplicates(frame)
    warnings = []
    if ambiguous:
        order = "day first" if day_first else "month first"
        sample = ", ".join(ambiguous[:3]) + (" …" if len(ambiguous) > 3 else "")
        warnings.append(
            f"{len(ambiguous)} date(s) could be read either way and were read {order} "
            f"(locale): {sample}. If that is wrong, set locale in sheetsync.toml "
            '(for example locale = "en_GB" for day first).'
        )
    return Contacts(frame, warnings, _tier_vocabularies(grid, rows, colmap, tiers))


def _tier_vocabularies(
    grid: Grid, rows: Sequence[int], colmap: ColumnMap, tiers: dict[str, tuple[str, Any]]
) -> list[str]:
    """The vocabularies of the tier cells read through :func:`normalise_tier`."""
    if "tier" not in colmap.roles:
        return []
    cells = (value_at(grid, r, colmap.roles["tier"]) for r in rows)
    return vocabularies_used(v for v in cells if str(v).strip().casefold() not in tiers)


def _refuse_uncalculated(grid: Grid, rows: Sequence[int], colmap: ColumnMap, where: str) -> None:
    """Stop when a column sheetsync reads holds formulas with no stored results.

    Reading those cells as empty would mark every contact "check data"; the
    file needs one save from a spreadsheet program that calculates.
    """
    for role, col in colmap.roles.items():
        for r in rows:
            cell = cell_at(grid, r, col)
            if isinstance(cell, Formula) and cell.cached is NOT_CALCULATED:
                raise SheetError(
                    f"In {where}, column '{colmap.header_of(role)}' holds formulas whose "
                    f"results are not stored in the file ({a1(r, col)} is {display_text(cell)}). "
                    "It was last saved by a program that does not calculate formulas; open it "
                    "in Excel or LibreOffice, save it, and run sheetsync again."
                )


def _cadence(
    grid: Grid,
    row: int,
    colmap: ColumnMap,
    settings: ScoringSettings,
    tiers: dict[str, tuple[str, Any]],
    parse_days: _Cached,
    problems: list[str],
    loc: Callable[[str, int], str],
) -> tuple[float, float, str]:
    roles = colmap.roles
    tier_name, weight, cadence = "", settings.untiered_weight, float(settings.default_cadence)
    if "tier" in roles:
        raw = value_at(grid, row, roles["tier"])
        if not is_blank(raw):
            # a tier the config names wins; else words such as High/Low, P1 or 2 (core.tiers)
            found = tiers.get(str(raw).strip().casefold())
            if found is None:
                found = tiers.get((normalise_tier(raw) or "").casefold())
            if found is None:
                known = ", ".join(settings.tiers) or "none"
                problems.append(
                    f"{loc('tier', row)}: '{display_text(raw)}' is not a tier in the config "
                    f"(known: {known}); fix the cell or add [tiers.{display_text(raw)}]"
                )
            else:
                tier_name, weight, cadence = found[0], found[1].weight, float(found[1].cadence)
    if "cadence" in roles:
        raw = value_at(grid, row, roles["cadence"])
        got = parse_days(raw)
        if isinstance(got, CadenceError):
            problems.append(f"{loc('cadence', row)}: {got}")
        elif got is not None:
            cadence = float(got)
    return cadence, weight, tier_name


def _to_frame(records: Sequence[dict[str, Any]]) -> pd.DataFrame:
    columns = [
        "row",
        "key",
        "name",
        *DATE_ROLES,
        "drafted",
        "planned",
        "missing_last",
        "cadence",
        "weight",
        "tier",
        "dnc",
        "template",
        "problem",
    ]
    frame = pd.DataFrame.from_records(list(records), columns=columns)
    for col in (*DATE_ROLES, "drafted", "planned"):
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[s]")
    frame["missing_last"] = (
        frame["missing_last"].astype(object).where(frame["missing_last"].notna(), "")
    )
    frame["cadence"] = frame["cadence"].astype(float)
    frame["weight"] = frame["weight"].astype(float)
    frame["dnc"] = frame["dnc"].astype(bool)
    frame["row"] = frame["row"].astype(int)
    return frame


def _mark_duplicates(frame: pd.DataFrame) -> None:
    keys = frame["key"]
    dupes = keys.duplicated(keep=False) & ~keys.str.startswith("row:")
    if not dupes.any():
        return
    counts = keys[dupes].value_counts()
    for label in frame.index[dupes]:
        kind, _, value = str(keys[label]).partition(":")
        note = (
            f"the same {kind} ({value}) is on {int(counts[keys[label]])} rows; merge them into "
            "one row so sheetsync knows which to follow up"
        )
        old = str(frame.at[label, "problem"])
        frame.at[label, "problem"] = f"{old}; {note}" if old else note
