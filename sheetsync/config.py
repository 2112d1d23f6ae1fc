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
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .core.cadence import CadenceError, parse_cadence
from .core.columns import OWNED_DEFAULTS, SYNONYMS
from .core.dates import day_first_for_locale
from .core.settings import SITUATIONS, ScoringSettings, Tier
from .errors import ConfigError

DEFAULT_CONFIG_NAME = "sheetsync.toml"
DESTINATIONS = ("eml", "imap", "gmail", "tab")
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
class Config:
    """A whole resolved configuration."""

    path: Path | None = None
    sheet: str | None = None
    tab: str | None = None
    output: str | None = None
    locale: str = "en_US"
    locale_is_default: bool = True
    templates_dir: Path | None = None
    template_names: Mapping[str, str] = field(default_factory=lambda: {s: s for s in SITUATIONS})
    destination: str = "eml"
    drafts_folder: Path = Path("drafts")
    drafts_tab: str = "Drafts"
    gmail_user: str = "me"
    imap: MailAccount | None = None
    smtp: MailAccount | None = None
    digest: str | None = None  # None (off), "smtp" or "imap"
    me_name: str = ""
    me_email: str = ""
    signature: str = ""
    columns: Mapping[str, str] = field(default_factory=dict)
    status_columns: Mapping[str, str] = field(default_factory=lambda: dict(OWNED_DEFAULTS))
    scoring: ScoringSettings = field(default_factory=ScoringSettings)
    google_credentials: str | None = None
    oauth_client: str | None = None
    sheets_endpoint: str | None = None

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
}
# [schedule] (sheetsync schedule and sheetsync cron) is read and checked in full by
# sheetsync.unattended.scheduler.resolve_spec; here it is only accepted, with its keys.
_TABLES.add("schedule")
_TABLE_KEYS["schedule"] = {"at", "every", "days", "timezone"}


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
    changes: dict[str, Any] = {"path": path}
    for key in ("sheet", "tab", "output"):
        if key in doc:
            text = rd.text(key, doc[key])
            if key in ("sheet", "output") and text and not _is_remote(text):
                text = str((path.parent / text).resolve())
            changes[key] = text or None
    if "locale" in doc:
        changes["locale"] = _locale(rd.text("locale", doc["locale"]), f"{path}: locale")
        changes["locale_is_default"] = False
    scoring = _scoring_from_file(config.scoring, doc, rd)
    me = doc.get("me", {})
    for key in ("name", "email", "signature"):
        if key in me:
            changes[f"me_{key}" if key != "signature" else "signature"] = rd.text(
                f"[me] {key}", me[key]
            )
    if "columns" in doc:
        changes["columns"] = {
            role: rd.text(f"[columns] {role}", v) for role, v in doc["columns"].items()
        }
    if "status_columns" in doc:
        names = dict(config.status_columns)
        for key, v in doc["status_columns"].items():
            names[key] = rd.text(f"[status_columns] {key}", v).strip()
            if not names[key]:
                raise rd.fail(f"[status_columns] {key}", "a non-empty header text", v)
        changes["status_columns"] = names
    drafts = doc.get("drafts", {})
    if "destination" in drafts:
        dest = rd.text("[drafts] destination", drafts["destination"])
        if dest not in DESTINATIONS:
            raise rd.fail("[drafts] destination", f"one of {', '.join(DESTINATIONS)}", dest)
        changes["destination"] = dest
    if "folder" in drafts:
        changes["drafts_folder"] = rd.path_value("[drafts] folder", drafts["folder"])
    if "tab" in drafts:
        changes["drafts_tab"] = rd.text("[drafts] tab", drafts["tab"]).strip() or "Drafts"
    if "gmail_user" in drafts:
        changes["gmail_user"] = rd.text("[drafts] gmail_user", drafts["gmail_user"]).strip() or "me"
    for kind, default_port in (
        ("imap", {"ssl": 993, "starttls": 143, "plain": 143}),
        ("smtp", {"ssl": 465, "starttls": 587, "plain": 25}),
    ):
        if kind in doc:
            changes[kind] = _account(rd, kind, doc[kind], default_port)
    digest = doc.get("digest", {})
    if digest.get("send", False) is not False:
        if digest["send"] is not True:
            raise rd.fail("[digest] send", "true or false", digest["send"])
        via = rd.text("[digest] via", digest.get("via", "smtp"))
        if via not in ("smtp", "imap"):
            raise rd.fail("[digest] via", '"smtp" or "imap"', via)
        if via not in doc:
            raise ConfigError(f'{path}: [digest] via = "{via}" needs an [{via}] table.')
        changes["digest"] = via
    if changes.get("destination") == "imap" and "imap" not in doc:
        raise ConfigError(f'{path}: [drafts] destination = "imap" needs an [imap] table.')
    templates = doc.get("templates", {})
    if "folder" in templates:
        changes["templates_dir"] = rd.path_value("[templates] folder", templates["folder"])
    names = dict(config.template_names)
    for situation in SITUATIONS:
        if situation in templates:
            names[situation] = rd.text(f"[templates] {situation}", templates[situation])
    changes["template_names"] = names
    google = doc.get("google", {})
    if "credentials" in google:
        cred = rd.text("[google] credentials", google["credentials"]).strip()
        if cred not in ("adc", "oauth", "token"):
            cred = str(rd.path_value("[google] credentials", cred))
        changes["google_credentials"] = cred
    if "oauth_client" in google:
        changes["oauth_client"] = str(
            rd.path_value("[google] oauth_client", google["oauth_client"])
        )
    if "sheets_endpoint" in google:
        changes["sheets_endpoint"] = _endpoint(
            rd.text("[google] sheets_endpoint", google["sheets_endpoint"]),
            f"{path}: [google] sheets_endpoint",
        )
    return replace(config, scoring=scoring, **changes)


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


def _is_remote(location: str) -> bool:
    """A URL or a bare Google spreadsheet id, as opposed to a file path."""
    return "://" in location or re.fullmatch(r"[a-zA-Z0-9-_]{25,}", location) is not None


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
        tiers: dict[str, Tier] = {}
        for name, spec in doc["tiers"].items():
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
    var = {key: name for name, key in ENVIRONMENT.items()}
    changes: dict[str, Any] = {}
    for key, value in values.items():
        label = f"{source}{var[key]}" if source else f"--{key.replace('_', '-')}"
        if key in ("sheet", "tab", "output"):
            changes[key] = str(value)
        elif key == "locale":
            changes["locale"] = _locale(str(value), label)
            changes["locale_is_default"] = False
        elif key == "daily_cap":
            try:
                cap = int(value)
            except (TypeError, ValueError):
                cap = -1
            if cap < 0:
                raise ConfigError(
                    f"{label}: expected a whole number of drafts (0 or more), got {value!r}."
                )
            config = replace(config, scoring=replace(config.scoring, daily_cap=cap))
        elif key in ("drafts_folder", "templates_dir"):
            changes[key] = Path(str(value)).expanduser().resolve()
        elif key == "google_credentials":
            text = str(value).strip()
            keep = text in ("adc", "oauth", "token")
            changes[key] = text if keep else str(Path(text).expanduser().resolve())
        elif key == "sheets_endpoint":
            changes[key] = _endpoint(str(value), label)
        elif key == "destination":
            if str(value) not in DESTINATIONS:
                raise ConfigError(
                    f"{label}: expected one of {', '.join(DESTINATIONS)}, got {value!r}."
                )
            changes[key] = str(value)
        else:
            raise ConfigError(f"unknown setting {key!r}")
    return replace(config, **changes)
