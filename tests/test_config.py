"""Config: one precedence (flag, environment, file, default) and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from sheetsync.config import Config, load_config
from sheetsync.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sheetsync.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config(env={})
    assert config == Config()


def test_file_values_and_relative_paths(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
sheet = "contacts.xlsx"
locale = "en_GB"
daily_cap = 3
[me]
name = "Sam"
[cadence]
default = "2 months"
in_person = 90
[tiers.A]
cadence = "weekly"
weight = 5
[drafts]
folder = "out"
[templates]
folder = "tpl"
checkin = "hello"
""",
    )
    c = load_config(str(path), env={})
    assert c.sheet == str(tmp_path / "contacts.xlsx")
    assert c.day_first and not c.locale_is_default
    assert c.scoring.daily_cap == 3 and c.scoring.default_cadence == 60
    assert c.scoring.in_person_cadence == 90
    assert c.scoring.tiers["A"].cadence == 7 and c.scoring.tiers["A"].weight == 5
    assert c.drafts.folder == tmp_path / "out" and c.templates.folder == tmp_path / "tpl"
    assert c.templates.names["checkin"] == "hello" and c.me.name == "Sam"


def test_precedence_flag_over_env_over_file(tmp_path: Path) -> None:
    path = write(tmp_path, 'daily_cap = 3\nlocale = "de_DE"\n')
    env = {"SHEETSYNC_DAILY_CAP": "7", "SHEETSYNC_CONFIG": str(path)}
    assert load_config(env=env).scoring.daily_cap == 7
    assert load_config(env=env, overrides={"daily_cap": 9}).scoring.daily_cap == 9
    assert load_config(env=env).locale == "de_DE"
    assert load_config(env={**env, "SHEETSYNC_LOCALE": "en_US"}).locale == "en_US"


def test_config_file_found_in_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "daily_cap = 2\n")
    monkeypatch.chdir(tmp_path)
    assert load_config(env={}).scoring.daily_cap == 2


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        pytest.param(
            "dayly_cap = 3\n", ["unknown key 'dayly_cap'", "did you mean 'daily_cap'"], id="typo"
        ),
        pytest.param(
            'daily_cap = "five"\n', ["daily_cap", "whole number", "'five'"], id="cap-text"
        ),
        pytest.param("daily_cap = -1\n", ["daily_cap", "whole number"], id="cap-negative"),
        pytest.param(
            '[cadence]\ndefault = "sometimes"\n',
            ["[cadence] default", "2 weeks"],
            id="bad-duration",
        ),
        pytest.param('locale = "English"\n', ["locale"], id="bad-locale"),
        pytest.param("[tiers.A]\nweight = 2\n", ["[tiers.A] cadence"], id="tier-without-cadence"),
        pytest.param('[tiers.A]\ncadence = "2w"\ncolour = 1\n', ["colour"], id="tier-unknown-key"),
        pytest.param('[columns]\nnickname = "Nick"\n', ["nickname"], id="unknown-role"),
        pytest.param(
            '[drafts]\ndestination = "pigeon"\n', ["destination", "eml"], id="bad-destination"
        ),
        pytest.param("[me]\nname = 3\n", ["[me] name", "text"], id="name-not-text"),
        pytest.param("me = 3\n", ["[me]", "table"], id="table-not-table"),
        pytest.param("sheet = \n", ["not valid TOML"], id="syntax"),
    ],
)
def test_bad_config_names_file_key_and_expectation(
    tmp_path: Path, text: str, fragments: list[str]
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(str(path), env={})
    msg = str(err.value)
    assert str(path) in msg
    for fragment in fragments:
        assert fragment in msg


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(str(tmp_path / "nope.toml"), env={})


def test_bad_environment_value_names_variable() -> None:
    with pytest.raises(ConfigError, match="SHEETSYNC_DAILY_CAP"):
        load_config(env={"SHEETSYNC_DAILY_CAP": "many"})


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "sheetsync.toml"
    path.write_bytes(b'sheet = "caf\xe9.xlsx"\n')
    with pytest.raises(ConfigError, match="UTF-8"):
        load_config(str(path), env={})


def test_drafts_destination_from_the_environment() -> None:
    assert load_config(env={"SHEETSYNC_DRAFTS_DESTINATION": "tab"}).drafts.destination == "tab"
    with pytest.raises(ConfigError, match=r"SHEETSYNC_DRAFTS_DESTINATION.*eml"):
        load_config(env={"SHEETSYNC_DRAFTS_DESTINATION": "pigeon"})


def test_your_tiers_add_to_the_defaults_unless_you_replace_them(tmp_path: Path) -> None:
    """One [tiers.X] table used to remove the default A/B/C tiers silently (rows tiered A
    or C became "check data")."""
    path = tmp_path / "sheetsync.toml"
    path.write_text('[tiers.VIP]\ncadence = "1 week"\nweight = 5\n', encoding="utf-8")
    tiers = load_config(str(path), env={}).scoring.tiers
    assert set(tiers) == {"A", "B", "C", "VIP"} and tiers["VIP"].cadence == 7
    assert tiers["A"].cadence == 14, "the defaults are kept as they were"
    path.write_text(
        '[tiers]\nreplace_defaults = true\n[tiers.VIP]\ncadence = "1 week"\n', encoding="utf-8"
    )
    assert set(load_config(str(path), env={}).scoring.tiers) == {"VIP"}
    path.write_text('[tiers]\nreplace_defaults = "yes"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"sheetsync.toml: \[tiers\] replace_defaults"):
        load_config(str(path), env={})


def test_the_schedule_table_is_read_with_everything_else(tmp_path: Path) -> None:
    path = tmp_path / "sheetsync.toml"
    path.write_text('[schedule]\nat = ["08:00"]\ndays = "weekdays"\n', encoding="utf-8")
    assert load_config(str(path), env={}).schedule == {"at": ["08:00"], "days": "weekdays"}
    path.write_text('[schedule]\nwhen = "08:00"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"unknown key '\[schedule\] when'"):
        load_config(str(path), env={})
