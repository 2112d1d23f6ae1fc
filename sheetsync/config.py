"""Configuration: one precedence, written down once.

A setting comes from, in order: a command-line flag, then an environment
variable (``SHEETSYNC_*``), then the config file (``sheetsync.toml``), then the
default.  The config file is the one named by ``--config``, else by
``SHEETSYNC_CONFIG``, else ``./sheetsync.toml`` when it exists.  Relative paths
in the file are relative to the file's folder; relative paths from flags and
the environment are relative to the working directory.

A bad value is a :class:`~sheetsync.errors.ConfigError` that names the file, the
key and what was expected.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .core.cadence import CadenceError, parse_cadence
from .core.columns import OWNED_DEFAULTS, SYNONYMS
from .core.dates import day_first_for_locale
from .core.settings import SITUATIONS, Me, ScoringSettings, Tier, default_template_names
from .errors import ConfigError
from .sheets.location import looks_remote

DEFAULT_CONFIG_NAME = "sheetsync.toml"
#: The draft destinations, and what each is.
DESTINATIONS = {
    "eml": "a folder of .eml files",
    "imap": "the Drafts folder of an IMAP mailbox",
    "gmail": "Gmail drafts, through the Gmail API",
    "tab": "a Drafts tab in the same spreadsheet",
}
SECURITY = ("ssl", "starttls", "plain")


@dataclass(frozen=True)
class MailAccount:
    """An IMAP or SMTP account.  The password is never in the config file: it comes
    from the environment variable ``password_env`` or, with ``keyring``, the system
    keyring (service "sheetsync", user "<user>@<host>")."""

    host: str
    port: int
    user: str = ""
    security: str = "ssl"
    cafile: str | None = None
    password_env: str = ""
    keyring: bool = False
    mailbox: str | None = None


@dataclass(frozen=True)
class DraftsSettings:
    """``[drafts]``: where drafts go."""

    destination: str = "eml"
    folder: Path = Path("drafts")
    tab: str = "Drafts"
    gmail_user: str = "me"


@dataclass(frozen=True)
class TemplateSettings:
    """``[templates]``: a folder of your own templates, and which one each situation uses."""

    folder: Path | None = None
    names: Mapping[str, str] = field(default_factory=default_template_names)


@dataclass(frozen=True)
class GoogleSettings:
    """``[google]``: how sheetsync signs in to Google, and where the APIs are."""

    credentials: str | None = None
    oauth_client: str | None = None
    sheets_endpoint: str | None = None


@dataclass(frozen=True)
class Config:
    """A whole resolved configuration: top-level settings, then one section per table."""

    path: Path | None = None
    sheet: str | None = None
    tab: str | None = None
    output: str | None = None
    locale: str = "en_US"
    locale_is_default: bool = True
    me: Me = field(default_factory=Me)
    columns: Mapping[str, str] = field(default_factory=dict)
    status_columns: Mapping[str, str] = field(default_factory=lambda: dict(OWNED_DEFAULTS))
    scoring: ScoringSettings = field(default_factory=ScoringSettings)
    drafts: DraftsSettings = field(default_factory=DraftsSettings)
    templates: TemplateSettings = field(default_factory=TemplateSettings)
    google: GoogleSettings = field(default_factory=GoogleSettings)
    imap: MailAccount | None = None
    smtp: MailAccount | None = None
    #: None (no digest), "smtp" or "imap"
    digest: str | None = None
    #: ``[schedule]``, checked key by key here and resolved by the scheduler
    schedule: Mapping[str, Any] = field(default_factory=dict)

    @property
    def day_first(self) -> bool:
        return day_first_for_locale(self.locale)


# Environment variables and the flag/config key each one sets.
ENVIRONMENT = {
    "SHEETSYNC_SHEET": "sheet",
    "SHEETSYNC_TAB": "tab",
    "SHEETSYNC_OUTPUT": "output",
    "SHEETSYNC_LOCALE": "locale",
    "SHEETSYNC_DAILY_CAP": "daily_cap",
    "SHEETSYNC_DRAFTS_FOLDER": "drafts_folder",
    "SHEETSYNC_TEMPLATES": "templates_dir",
    "SHEETSYNC_GOOGLE_CREDENTIALS": "google_credentials",
    "SHEETSYNC_SHEETS_ENDPOINT": "sheets_endpoint",
    "SHEETSYNC_DRAFTS_DESTINATION": "destination",
}

_TOP_KEYS = {"sheet", "tab", "output", "locale", "daily_cap"}
_TABLES = {
    "me",
    "columns",
    "status_columns",
    "cadence",
    "tiers",
    "drafts",
    "templates",
    "google",
    "imap",
    "smtp",
    "digest",
    "schedule",
}
_ACCOUNT_KEYS = {"host", "port", "user", "security", "cafile", "password_env", "keyring"}
_TABLE_KEYS = {
    "me": {"name", "email", "signature"},
    "columns": set(SYNONYMS),
    "status_columns": set(OWNED_DEFAULTS),
    "cadence": {
        "default",
        "in_person",
        "new_window",
        "due_soon_ratio",
        "lapsed_ratio",
        "in_person_weight",
        "untiered_weight",
    },
    "drafts": {"destination", "folder", "tab", "gmail_user"},
    "imap": _ACCOUNT_KEYS | {"drafts_mailbox"},
    "smtp": set(_ACCOUNT_KEYS),
    "digest": {"send", "via"},
    "templates": {"folder", *SITUATIONS},
    "google": {"credentials", "oauth_client", "sheets_endpoint"},
    # read with everything else; its values are resolved by the scheduler, naming the file
    "schedule": {"at", "every", "days", "timezone"},
}


class _Reader:
    """Checks one parsed TOML document, naming the file and key in every error."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, key: str, expected: str, got: object) -> ConfigError:
        return ConfigError(f"{self.path}: {key}: expected {expected}, got {got!r}.")

    def unknown(self, key: str, known: set[str], where: str = "") -> ConfigError:
        hint = difflib.get_close_matches(key, sorted(known), n=1)
        msg = f"{self.path}: unknown key '{where}{key}'"
        msg += f" (did you mean '{where}{hint[0]}'?)" if hint else ""
        return ConfigError(msg + f". Known keys here: {', '.join(sorted(known))}.")

    def text(self, key: str, value: object) -> str:
        if not isinstance(value, str):
            raise self.fail(key, "text in quotes", value)
        return value

    def days(self, key: str, value: object) -> int:
        try:
            days = parse_cadence(value)
        except CadenceError:
            days = None
        if days is None:
            raise self.fail(key, 'a duration such as "2 weeks", "monthly" or 45 (days)', value)
        return days

    def number(self, key: str, value: object, *, low: float, high: float) -> float:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not (low <= value <= high)
        ):
            raise self.fail(key, f"a number from {low:g} to {high:g}", value)
        return float(value)

    def whole(self, key: str, value: object, *, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(key, f"a whole number from {low} to {high}", value)
        return value

    def path_value(self, key: str, value: object) -> Path:
        return (self.path.parent / self.text(key, value)).resolve()


def read_config_file(path: Path) -> dict[str, Any]:
    """The TOML document at ``path``, or a ConfigError saying what is wrong."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"Config file {path} does not exist. Create one with 'sheetsync init', "
            "or leave out --config."
        ) from None
    except OSError as exc:
        raise ConfigError(f"Cannot read config file {path}: {exc.strerror}.") from exc
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text; save it as UTF-8.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix that line.") from exc


def _apply_file(config: Config, doc: Mapping[str, Any], path: Path) -> Config:
    """The config with the file's settings: the top-level keys, then one reader per table."""
    rd = _Reader(path)
    for key, value in doc.items():
        if key in _TABLES:
            if not isinstance(value, dict):
                raise rd.fail(f"[{key}]", "a table", value)
            if key != "tiers":
                for sub in value:
                    if sub not in _TABLE_KEYS[key]:
                        raise rd.unknown(sub, _TABLE_KEYS[key], f"[{key}] ")
        elif key not in _TOP_KEYS:
            raise rd.unknown(key, _TOP_KEYS | {f"[{t}]" for t in _TABLES})
    changes: dict[str, Any] = {"path": path, **_top_level(rd, doc)}
    changes["scoring"] = _scoring_from_file(config.scoring, doc, rd)
    for table, reader in _READERS.items():
        if table in doc:
            changes.update(reader(rd, doc[table], config))
    changes.update(_digest(rd, doc))
    if changes.get("drafts", config.drafts).destination == "imap" and "imap" not in doc:
        raise ConfigError(f'{path}: [drafts] destination = "imap" needs an [imap] table.')
    return replace(config, **changes)


def _top_level(rd: _Reader, doc: Mapping[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for key in ("sheet", "tab", "output"):
        if key in doc:
            text = rd.text(key, doc[key])
            if key in ("sheet", "output") and text and not looks_remote(text):
                text = str((rd.path.parent / text).resolve())
            changes[key] = text or None
    if "locale" in doc:
        changes["locale"] = _locale(rd.text("locale", doc["locale"]), f"{rd.path}: locale")
        changes["locale_is_default"] = False
    return changes


def _me(rd: _Reader, table: Mapping[str, Any], config: Config) -> dict[str, Any]:
    keys = ("name", "email", "signature")
    fields = {k: rd.text(f"[me] {k}", table[k]) for k in keys if k in table}
    return {"me": replace(config.me, **fields)}


def _columns(rd: _Reader, table: Mapping[str, Any], config: Config) -> dict[str, Any]:
    return {"columns": {role: rd.text(f"[columns] {role}", v) for role, v in table.items()}}


def _status_columns(rd: _Reader, table: Mapping[str, Any], config: Config) -> dict[str, Any]:
    names = dict(config.status_columns)
    for key, v in table.items():
        names[key] = rd.text(f"[status_columns] {key}", v).strip()
        if not names[key]:
            raise rd.fail(f"[status_columns] {key}", "a non-empty header text", v)
    return {"status_columns": names}


def _drafts(rd: _Reader, table: Mapping[str, Any], config: Config) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if "destination" in table:
        dest = rd.text("[drafts] destination", table["destination"])
        if dest not in DESTINATIONS:
            raise rd.fail("[drafts] destination", f"one of {', '.join(DESTINATIONS)}", dest)
        fields["destination"] = dest
    if "folder" in table:
        fields["folder"] = rd.path_value("[drafts] folder", table["folder"])
    if "tab" in table:
        fields["tab"] = rd.text("[drafts] tab", table["tab"]).strip() or "Drafts"
    if "gmail_user" in table:
        fields["gmail_user"] = rd.text("[drafts] gmail_user", table["gmail_user"]).strip() or "me"
    return {"drafts": replace(config.drafts, **fields)}


def _templates(rd: _Reader, table: Mapping[str, Any], config: Config) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if "folder" in table:
        fields["folder"] = rd.path_value("[templates] folder", table["folder"])
    names = dict(config.templates.names)
    for situation in SITUATIONS:
        if situation in table:
            names[situation] = rd.text(f"[templates] {situation}", table[situation])
    return {"templates": replace(config.templates, names=names, **fields)}


def _google(rd: _Reader, table: Mapping[str, Any], config: Config) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if "credentials" in table:
        cred = rd.text("[google] credentials", table["credentials"]).strip()
        if cred not in ("adc", "oauth", "token"):
            cred = str(rd.path_value("[google] credentials", cred))
        fields["credentials"] = cred
    if "oauth_client" in table:
        fields["oauth_client"] = str(rd.path_value("[google] oauth_client", table["oauth_client"]))
    if "sheets_endpoint" in table:
        fields["sheets_endpoint"] = _endpoint(
            rd.text("[google] sheets_endpoint", table["sheets_endpoint"]),
            f"{rd.path}: [google] sheets_endpoint",
        )
    return {"google": replace(config.google, **fields)}


def _imap(rd: _Reader, table: Mapping[str, Any], config: Config) -> dict[str, Any]:
    return {"imap": _account(rd, "imap", table, {"ssl": 993, "starttls": 143, "plain": 143})}


def _smtp(rd: _Reader, table: Mapping[str, Any], config: Config) -> dict[str, Any]:
    return {"smtp": _account(rd, "smtp", table, {"ssl": 465, "starttls": 587, "plain": 25})}


def _schedule(rd: _Reader, table: Mapping[str, Any], config: Config) -> dict[str, Any]:
    # the keys are checked above; the values by the scheduler, which names this file
    return {"schedule": dict(table)}


def _digest(rd: _Reader, doc: Mapping[str, Any]) -> dict[str, Any]:
    digest = doc.get("digest", {})
    if digest.get("send", False) is False:
        return {}
    if digest["send"] is not True:
        raise rd.fail("[digest] send", "true or false", digest["send"])
    via = rd.text("[digest] via", digest.get("via", "smtp"))
    if via not in ("smtp", "imap"):
        raise rd.fail("[digest] via", '"smtp" or "imap"', via)
    if via not in doc:
        raise ConfigError(f'{rd.path}: [digest] via = "{via}" needs an [{via}] table.')
    return {"digest": via}


#: One reader per table; [cadence], [tiers] and the top-level daily_cap make the scoring
#: settings together, and [digest] needs to see whether its account's table is there.
_READERS: dict[str, Callable[[_Reader, Mapping[str, Any], Config], dict[str, Any]]] = {
    "me": _me,
    "columns": _columns,
    "status_columns": _status_columns,
    "drafts": _drafts,
    "templates": _templates,
    "google": _google,
    "imap": _imap,
    "smtp": _smtp,
    "schedule": _schedule,
}


def _account(
    rd: _Reader, kind: str, table: Mapping[str, Any], ports: Mapping[str, int]
) -> MailAccount:
    if "password" in table:
        raise ConfigError(
            f"{rd.path}: [{kind}] password: passwords never go in the config file. Put it in "
            f"the environment variable named by [{kind}] password_env, or in the system keyring "
            f"with [{kind}] keyring = true."
        )
    if "host" not in table:
        raise rd.fail(f"[{kind}] host", "the server's host name", None)
    security = rd.text(f"[{kind}] security", table.get("security", "ssl"))
    if security not in SECURITY:
        raise rd.fail(f"[{kind}] security", '"ssl", "starttls" or "plain"', security)
    port = rd.whole(f"[{kind}] port", table.get("port", ports[security]), low=1, high=65535)
    keyring = table.get("keyring", False)
    if not isinstance(keyring, bool):
        raise rd.fail(f"[{kind}] keyring", "true or false", keyring)
    cafile = table.get("cafile")
    return MailAccount(
        host=rd.text(f"[{kind}] host", table["host"]),
        port=port,
        user=rd.text(f"[{kind}] user", table.get("user", "")),
        security=security,
        cafile=str(rd.path_value(f"[{kind}] cafile", cafile)) if cafile else None,
        password_env=rd.text(
            f"[{kind}] password_env",
            table.get("password_env", f"SHEETSYNC_{kind.upper()}_PASSWORD"),
        ),
        keyring=keyring,
        mailbox=rd.text("[imap] drafts_mailbox", table["drafts_mailbox"])
        if "drafts_mailbox" in table
        else None,
    )


def _endpoint(value: str, where: str) -> str | None:
    value = value.strip().rstrip("/")
    if not value:
        return None
    if not value.startswith(("http://", "https://")):
        raise ConfigError(
            f"{where}: expected a base URL such as https://proxy.example.com, got {value!r}."
        )
    return value


def _scoring_from_file(
    base: ScoringSettings, doc: Mapping[str, Any], rd: _Reader
) -> ScoringSettings:
    cad = doc.get("cadence", {})
    changes: dict[str, Any] = {}
    if "default" in cad:
        changes["default_cadence"] = rd.days("[cadence] default", cad["default"])
    if "in_person" in cad:
        changes["in_person_cadence"] = rd.days("[cadence] in_person", cad["in_person"])
    if "new_window" in cad:
        changes["new_window"] = rd.days("[cadence] new_window", cad["new_window"])
    for key, low, high in (
        ("due_soon_ratio", 0.1, 1.0),
        ("lapsed_ratio", 1.0, 20.0),
        ("in_person_weight", 0.0, 10.0),
        ("untiered_weight", 0.0, 100.0),
    ):
        if key in cad:
            changes[key] = rd.number(f"[cadence] {key}", cad[key], low=low, high=high)
    if "daily_cap" in doc:
        changes["daily_cap"] = rd.whole("daily_cap", doc["daily_cap"], low=0, high=10_000)
    if "tiers" in doc:
        table = dict(doc["tiers"])
        # your tiers add to the defaults (A, B, C) unless you say to replace them
        replace_defaults = table.pop("replace_defaults", False)
        if not isinstance(replace_defaults, bool):
            raise rd.fail("[tiers] replace_defaults", "true or false", replace_defaults)
        tiers: dict[str, Tier] = {} if replace_defaults else dict(base.tiers)
        for name, spec in table.items():
            key = f"[tiers.{name}]"
            if isinstance(spec, str | int) and not isinstance(spec, bool):
                tiers[name] = Tier(rd.days(key, spec), 1.0)
                continue
            if not isinstance(spec, dict):
                raise rd.fail(key, 'a table such as { cadence = "2 weeks", weight = 3 }', spec)
            for sub in spec:
                if sub not in ("cadence", "weight"):
                    raise rd.unknown(sub, {"cadence", "weight"}, f"{key} ")
            if "cadence" not in spec:
                raise rd.fail(f"{key} cadence", 'a duration such as "2 weeks"', None)
            weight = rd.number(f"{key} weight", spec.get("weight", 1.0), low=0.0, high=100.0)
            tiers[name] = Tier(rd.days(f"{key} cadence", spec["cadence"]), weight)
        changes["tiers"] = tiers
    return replace(base, **changes)


def _locale(value: str, where: str) -> str:
    try:
        day_first_for_locale(value)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    return value


def find_config_path(flag: str | None, env: Mapping[str, str]) -> Path | None:
    """The config file in force: --config, else $SHEETSYNC_CONFIG, else ./sheetsync.toml."""
    if flag:
        return Path(flag).expanduser()
    if env.get("SHEETSYNC_CONFIG"):
        return Path(env["SHEETSYNC_CONFIG"]).expanduser()
    local = Path(DEFAULT_CONFIG_NAME)
    return local if local.is_file() else None


def load_config(
    config_file: str | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> Config:
    """Resolve the configuration: flags (``overrides``), environment, file, defaults.

    ``overrides`` holds values from command-line flags under the keys of
    :data:`ENVIRONMENT`'s values (``sheet``, ``tab``, ``output``, ``locale``,
    ``daily_cap``, ``drafts_folder``, ``templates_dir``); None means "not given".
    """
    env = os.environ if env is None else env
    config = Config()
    path = find_config_path(config_file, env)
    if path is not None:
        config = _apply_file(config, read_config_file(path), path)
    from_env = {key: env[var] for var, key in ENVIRONMENT.items() if env.get(var)}
    config = _apply_overrides(config, from_env, "environment variable ")
    flags = {k: v for k, v in (overrides or {}).items() if v is not None}
    return _apply_overrides(config, flags, "")


def _apply_overrides(config: Config, values: Mapping[str, Any], source: str) -> Config:
    """The config with settings from flags or the environment (``source`` names which)."""
    var = {key: name for name, key in ENVIRONMENT.items()}
    for key, value in values.items():
        label = f"{source}{var[key]}" if source else f"--{key.replace('_', '-')}"
        if key not in _OVERRIDES:
            raise ConfigError(f"unknown setting {key!r}")
        config = _OVERRIDES[key](config, value, label)
    return config


def _cap(config: Config, value: Any, label: str) -> Config:
    try:
        cap = int(value)
    except (TypeError, ValueError):
        cap = -1
    if cap < 0:
        raise ConfigError(f"{label}: expected a whole number of drafts (0 or more), got {value!r}.")
    return replace(config, scoring=replace(config.scoring, daily_cap=cap))


def _credentials(value: Any) -> str:
    text = str(value).strip()
    return text if text in ("adc", "oauth", "token") else str(Path(text).expanduser().resolve())


def _destination(value: Any, label: str) -> str:
    if str(value) not in DESTINATIONS:
        raise ConfigError(f"{label}: expected one of {', '.join(DESTINATIONS)}, got {value!r}.")
    return str(value)


def _folder(value: Any) -> Path:
    return Path(str(value)).expanduser().resolve()


#: How each setting a flag or variable gives changes the config.
_OVERRIDES: dict[str, Callable[[Config, Any, str], Config]] = {
    "sheet": lambda c, v, _: replace(c, sheet=str(v)),
    "tab": lambda c, v, _: replace(c, tab=str(v)),
    "output": lambda c, v, _: replace(c, output=str(v)),
    "locale": lambda c, v, label: replace(
        c, locale=_locale(str(v), label), locale_is_default=False
    ),
    "daily_cap": _cap,
    "drafts_folder": lambda c, v, _: replace(c, drafts=replace(c.drafts, folder=_folder(v))),
    "templates_dir": lambda c, v, _: replace(c, templates=replace(c.templates, folder=_folder(v))),
    "google_credentials": lambda c, v, _: replace(
        c, google=replace(c.google, credentials=_credentials(v))
    ),
    "sheets_endpoint": lambda c, v, label: replace(
        c, google=replace(c.google, sheets_endpoint=_endpoint(str(v), label))
    ),
    "destination": lambda c, v, label: replace(
        c, drafts=replace(c.drafts, destination=_destination(v, label))
    ),
}
