"""Finding the user's columns by their headers, in the layout they already have.

Headers are compared case- and punctuation-insensitively against a list of
synonyms for each role; an explicit mapping from the config always wins.  The
header row need not be the first row: the first row (of the first few dozen)
that names the most known columns is taken as the header.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..errors import ColumnMissing, ConfigError
from .grid import Cell, Formula, Grid, cell_at, display_text, is_blank, value_at

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

#: Roles sheetsync reads, with the header texts that name them (normalised form).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("name", "full name", "contact", "person", "contact name", "who"),
    "last_interaction": (
        "last interaction",
        "last contact",
        "last contacted",
        "last touch",
        "last touched",
        "last talked",
        "last spoke",
        "last spoken",
        "last talked to",
        "last conversation",
        "last reached out",
        "last chat",
        "last contact date",
        "last interaction date",
    ),
    "what": (
        "what",
        "interaction",
        "topic",
        "notes on last contact",
        "discussed",
        "what we talked about",
        "what we discussed",
        "last topic",
        "talked about",
        "last interaction notes",
        "what was discussed",
    ),
    "last_in_person": (
        "last in person",
        "last met",
        "last seen",
        "met in person",
        "last met in person",
        "last seen in person",
        "in person",
        "last irl",
        "last meeting",
    ),
    "email": (
        "email",
        "e mail",
        "email address",
        "e mail address",
        "mail",
        "emails",
        "email 1",
        "e mail 1",
        "email address 1",
        "e mail address 1",
        "primary email",
        "primary e mail",
        "primary email address",
        "main email",
        "work email",
        "work e mail",
        "work email address",
        "business email",
        "personal email",
        "personal e mail",
        "home email",
        "preferred email",
        "contact email",
    ),
    "first_name": ("first name", "firstname", "given name", "first"),
    "company": (
        "company",
        "organisation",
        "organization",
        "employer",
        "org",
        "works at",
        "client",
        "account",
    ),
    "where_met": ("where met", "where we met", "met at", "how we met", "met where", "context"),
    "first_met": ("first met", "met on", "date met", "first contact", "connected on", "date added"),
    "cadence": (
        "cadence",
        "frequency",
        "every",
        "keep in touch every",
        "contact every",
        "follow up every",
        "how often",
        "interval",
        # columns whose bare numbers are days (see core.cadence.bare_number_unit)
        "days between",
        "days between contacts",
        "days between touches",
        "typical silence",
        "max silence",
        "every n days",
        "every x days",
        "frequency days",
        "frequency in days",
        "cadence days",
        "cadence in days",
        "interval days",
        "contact every n days",
        "every n weeks",
        "weeks between",
        "months between",
        "every n months",
    ),
    "tier": ("tier", "priority", "circle", "list", "level"),
    "snooze_until": ("snooze until", "snooze", "snoozed until", "pause until", "not before"),
    "template": ("template", "email template"),
    "birthday": ("birthday", "date of birth", "dob", "born", "birth date", "birthdate", "bday"),
    "do_not_contact": (
        "do not contact",
        "don t contact",
        "dont contact",
        "dnc",
        "do not email",
        "no contact",
        "opt out",
    ),
}

#: The columns every sheet needs: who, and when you were last in touch.
REQUIRED = ("name", "last_interaction")
#: Optional columns a sheet works without, and what is off without each (said once a run).
WITHOUT = {
    "what": "drafts leave out what you last talked about",
    "last_in_person": "the in-person clock is off (no reminders to meet in person)",
}
ROLE_LABELS = {
    "name": "name",
    "last_interaction": "last interaction",
    "what": "what (last discussed)",
    "last_in_person": "last in person",
    "email": "email",
    "first_name": "first name",
    "company": "company",
    "where_met": "where met",
    "first_met": "first met",
    "cadence": "cadence",
    "tier": "tier",
    "snooze_until": "snooze until",
    "template": "template",
    "do_not_contact": "do not contact",
    "birthday": "birthday",
}

#: The status columns sheetsync owns, with their default header texts.
OWNED_DEFAULTS: dict[str, str] = {
    "status": "Status",
    "score": "Score",
    "days_since": "Days since",
    "next_followup": "Next follow-up",
    "drafted": "Drafted",
    "note": "Sheetsync note",
}

HEADER_SCAN_ROWS = 30

#: Added to an owned column's default header when a column of the user's already has it.
OWN_SUFFIX = " (sheetsync)"
NUMBER_TEXT = re.compile(r"-?\d+(?:\.\d+)?")


def normalise_header(text: Cell) -> str:
    """Header text folded for comparison: case, accents and punctuation ignored."""
    if is_blank(text):
        return ""
    folded = unicodedata.normalize("NFKD", str(text)).casefold()
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", folded).split())


def _without_parenthetical(norm_source: Cell) -> str:
    # "Last contacted (date)" should still be found as "last contacted".
    return normalise_header(re.sub(r"\([^)]*\)", " ", str(norm_source)))


@dataclass
class ColumnMap:
    """Where each role and each owned column is in the grid (0-based indices)."""

    header_row: int
    headers: list[str]
    roles: dict[str, int]
    owned: dict[str, int]
    owned_names: dict[str, str]
    warnings: list[str] = field(default_factory=list)
    #: owned columns found by header alone (a sheet from before ownership was recorded,
    #: or a header the config names) that the backend should now record as sheetsync's
    claimed: dict[str, int] = field(default_factory=dict)
    #: owned keys whose header text is taken by a column of the user's
    taken: set[str] = field(default_factory=set)
    #: required or configured columns not found (only a ``partial`` detection returns any)
    missing: list[ColumnMissing] = field(default_factory=list)

    def header_of(self, role: str) -> str:
        return self.headers[self.roles[role]]

    @property
    def user_columns(self) -> list[int]:
        """Columns with a header that sheetsync does not own."""
        mine = set(self.owned.values())
        return [i for i, h in enumerate(self.headers) if h and i not in mine]


def _row_texts(grid: Grid, row: int) -> list[str]:
    line = grid[row] if row < len(grid) else []
    return ["" if is_blank(v) else str(v).strip() for v in line]


def _match_role(norm: str, loose: str, explicit: Mapping[str, str]) -> str | None:
    for role, header in explicit.items():
        if header and normalise_header(header) == norm:
            return role
    for role, names in SYNONYMS.items():
        if role in explicit:
            continue
        if norm in names or loose in names:
            return role
    return None


def _score_row(texts: Sequence[str], explicit: Mapping[str, str]) -> int:
    found = {
        _match_role(normalise_header(t), _without_parenthetical(t), explicit) for t in texts if t
    }
    found.discard(None)
    return len(found) + (2 if "name" in found else 0) + (2 if "last_interaction" in found else 0)


def find_header_row(grid: Grid, explicit: Mapping[str, str]) -> int | None:
    """The first row that names the most known columns, or None."""
    best, best_score = None, 2
    for r in range(min(len(grid), HEADER_SCAN_ROWS)):
        score = _score_row(_row_texts(grid, r), explicit)
        if score > best_score:
            best, best_score = r, score
    return best


def _closest(role: str, headers: Sequence[str]) -> str | None:
    candidates = {normalise_header(h): h for h in headers if h}
    best: tuple[float, str] | None = None
    for syn in SYNONYMS[role]:
        for norm, original in candidates.items():
            ratio = difflib.SequenceMatcher(None, syn, norm).ratio()
            if ratio >= 0.6 and (best is None or ratio > best[0]):
                best = (ratio, original)
    return best[1] if best else None


def detect_columns(
    grid: Grid,
    *,
    explicit: Mapping[str, str] | None = None,
    owned_names: Mapping[str, str] | None = None,
    where: str = "the sheet",
    owned_columns: Mapping[int, str] | None = None,
    partial: bool = False,
) -> ColumnMap:
    """Find the header row and the column of every role and owned column.

    ``explicit`` maps roles to header texts from the config (an empty text
    says the sheet has no such column).  Raises :class:`ColumnMissing` when a
    required column is not found, naming the headers that were seen and the
    closest one not already taken; with ``partial`` (``init``), returns what
    was found and lists the problems in ``missing`` instead.

    ``owned_columns`` is what the sheet itself records of the columns sheetsync
    created (0-based column -> owned key, such as ``{7: "status"}``), or None
    when the backend records nothing.  With a record, a column is sheetsync's
    only when the record names it, when the config names its header in
    ``[status_columns]``, or, on a sheet with no record yet (made by an earlier
    version), when its header is one of sheetsync's and its values look like
    sheetsync's own (then it is ``claimed``, for the backend to record).  Any
    other column headed like one of sheetsync's is the user's, and its key is
    ``taken``: sheetsync adds its own under another name.
    """
    explicit = dict(explicit or {})
    unknown = set(explicit) - set(SYNONYMS)
    if unknown:
        raise ConfigError(
            f"[columns] has unknown role(s) {', '.join(sorted(unknown))}; "
            f"known roles: {', '.join(SYNONYMS)}"
        )
    configured = {k for k, v in (owned_names or {}).items() if v != OWNED_DEFAULTS.get(k)}
    owned_names = {**OWNED_DEFAULTS, **(owned_names or {})}
    header_row = find_header_row(grid, explicit)
    if header_row is None:
        first = next((r for r in range(len(grid)) if any(_row_texts(grid, r))), None)
        if first is None:
            raise ColumnMissing(
                f"{where} is empty: add a header row (Name, Last interaction, What, "
                "Last in person) and one row per contact.",
                role="name",
                seen=[],
                suggestion=None,
            )
        raise _missing("name", [t for t in _row_texts(grid, first) if t], where, first)
    headers = _row_texts(grid, header_row)
    owned_norm = {normalise_header(v): k for k, v in owned_names.items()}
    # "Status (sheetsync)": the name sheetsync gives its column when yours has the plain one
    marked = {normalise_header(v + OWN_SUFFIX): k for k, v in owned_names.items()}
    roles: dict[str, int] = {}
    owned: dict[str, int] = {}
    claimed: dict[str, int] = {}
    taken: set[str] = set()
    warnings: list[str] = []
    if owned_columns is not None:
        for col, recorded in sorted(owned_columns.items()):
            if recorded in owned_names and recorded not in owned:
                owned[recorded] = col
    for col, text in enumerate(headers):
        if not text or col in owned.values():
            continue
        norm = normalise_header(text)
        if norm in marked and marked[norm] not in owned:
            owned[marked[norm]] = col
            continue
        key = owned_norm.get(norm)
        if key is not None and key not in owned:
            if owned_columns is None:
                # a file records nothing but its cells: a column headed like one of ours
                # is ours only if everything in it could have been written by sheetsync
                if key in configured or looks_like_ours(grid, header_row, col, key):
                    owned[key] = col
                    continue
                taken.add(key)
                continue
            if key in configured or (
                not owned_columns and looks_like_ours(grid, header_row, col, key)
            ):
                owned[key] = claimed[key] = col
                continue
            taken.add(key)
        elif key is not None:
            taken.add(key)
        role = _match_role(norm, _without_parenthetical(text), explicit)
        if role is None:
            continue
        if role in roles:
            warnings.append(
                f"Two columns look like {ROLE_LABELS[role]}: '{headers[roles[role]]}' and "
                f"'{text}'; using '{headers[roles[role]]}'. Set [columns] {role} in "
                "sheetsync.toml to choose."
            )
            continue
        roles[role] = col
    seen = [h for h in headers if h]
    # a column already taken by another role (or by sheetsync) is never suggested
    used = set(roles.values()) | set(owned.values())
    free = [h for col, h in enumerate(headers) if h and col not in used]
    missing = [
        _missing(role, seen, where, header_row, explicit.get(role), candidates=free)
        for role in REQUIRED
        if role not in roles and explicit.get(role) != ""
    ] + [
        _missing(role, seen, where, header_row, header, candidates=free)
        for role, header in explicit.items()
        if header and role not in roles and role not in REQUIRED
    ]
    if missing and not partial:
        raise missing[0]
    for role, consequence in WITHOUT.items():
        if role not in roles and explicit.get(role) is None:
            warnings.append(
                f"{where} has no {ROLE_LABELS[role]} column, so {consequence}. Add one, or "
                f'set [columns] {role} = "" in sheetsync.toml to say you do without it.'
            )
    return ColumnMap(
        header_row,
        headers,
        roles,
        owned,
        dict(owned_names),
        warnings,
        claimed,
        taken - set(owned),
        missing,
    )


def looks_like_ours(grid: Grid, header_row: int, col: int, key: str) -> bool:
    """Whether every value under the header could have been written by sheetsync as ``key``.

    sheetsync never writes a formula; it writes a status word, numbers, dates
    (or their serial numbers) and its own notes.
    """
    from .status import Status

    for r in range(header_row + 1, len(grid)):
        value = cell_at(grid, r, col)
        if is_blank(value):
            continue
        if isinstance(value, Formula):
            return False
        if key == "status":
            ok = isinstance(value, str) and value.strip() in set(Status)
        elif key in ("score", "days_since"):
            ok = (isinstance(value, int | float) and not isinstance(value, bool)) or bool(
                isinstance(value, str) and NUMBER_TEXT.fullmatch(value.strip())
            )  # a CSV file holds numbers as text
        elif key in ("next_followup", "drafted"):
            ok = (
                isinstance(value, dt.date)
                or (isinstance(value, int | float) and not isinstance(value, bool))
                or bool(isinstance(value, str) and ISO_DATE.match(value.strip()))
            )
        else:
            ok = isinstance(value, str)
        if not ok:
            return False
    return True


def own_header(key: str, colmap: ColumnMap) -> str:
    """The header for a new owned column: its name, or "Name (sheetsync)" when the user's
    columns already use that name."""
    name = colmap.owned_names[key]
    return name + OWN_SUFFIX if key in colmap.taken else name


def _missing(
    role: str,
    seen: list[str],
    where: str,
    row: int,
    configured: str | None = None,
    *,
    candidates: list[str] | None = None,
) -> ColumnMissing:
    label = ROLE_LABELS[role]
    pool = seen if candidates is None else candidates
    if configured:  # a header named exactly as configured failed for another reason
        pool = [h for h in pool if normalise_header(h) != normalise_header(configured)]
    suggestion = _closest(role, pool) if not configured else _closest_text(configured, pool)
    what = (
        f"the column '{configured}' (set in [columns] {role})"
        if configured
        else (f"a '{label}' column")
    )
    msg = (
        f"Could not find {what} in {where}. Headers seen in row {row + 1}: "
        + (", ".join(f"'{display_text(h)}'" for h in seen) or "none")
        + "."
    )
    if suggestion:
        msg += (
            f" Did you mean '{suggestion}'? Rename that header, or set "
            f'[columns] {role} = "{suggestion}" in sheetsync.toml.'
        )
    else:
        examples = ", ".join(f"'{s.title()}'" for s in SYNONYMS[role][:3])
        msg += (
            f" Add a column headed {examples}, or name yours in sheetsync.toml under "
            f'[columns] {role} = "Your header".'
        )
    return ColumnMissing(msg, role=role, seen=seen, suggestion=suggestion)


def _closest_text(wanted: str, seen: Sequence[str]) -> str | None:
    norm = {normalise_header(h): h for h in seen}
    match = difflib.get_close_matches(normalise_header(wanted), list(norm), n=1, cutoff=0.5)
    return norm[match[0]] if match else None


def data_rows(grid: Grid, colmap: ColumnMap) -> list[int]:
    """0-based indices of the rows below the header that hold anything in a user column."""
    cols = colmap.user_columns
    rows = []
    for r in range(colmap.header_row + 1, len(grid)):
        if any(not is_blank(value_at(grid, r, c)) for c in cols):
            rows.append(r)
    return rows


def variable_name(header: str) -> str:
    """A template variable name derived from a header: 'Where we met' -> where_we_met."""
    name = normalise_header(header).replace(" ", "_")
    if not name:
        return ""
    return f"col_{name}" if name[0].isdigit() else name
