"""Mail account passwords: from the environment or the system keyring, never the config."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sheetsync.config import MailAccount
from sheetsync.errors import ConfigError
from sheetsync.outbox.accounts import password_for, tls_and_password

ACCOUNT = MailAccount(
    host="imap.example.com",
    port=993,
    user="sam@example.com",
    password_env="SHEETSYNC_TEST_PW",
    keyring=True,
)


@pytest.fixture
def memory_keyring() -> Iterator[dict[tuple[str, str], str]]:
    """A real keyring backend class of our own, holding secrets in memory."""
    import keyring
    from keyring.backend import KeyringBackend

    store: dict[tuple[str, str], str] = {}

    class MemoryKeyring(KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def get_password(self, service: str, username: str) -> str | None:
            return store.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            store[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            store.pop((service, username), None)

    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        yield store
    finally:
        keyring.set_keyring(previous)


def test_environment_variable_first(
    monkeypatch: pytest.MonkeyPatch, memory_keyring: dict[tuple[str, str], str]
) -> None:
    memory_keyring[("sheetsync", "sam@example.com@imap.example.com")] = "from-keyring"
    monkeypatch.setenv("SHEETSYNC_TEST_PW", "from-env")
    assert password_for(ACCOUNT, "imap") == "from-env"


def test_keyring_when_the_variable_is_unset(memory_keyring: dict[tuple[str, str], str]) -> None:
    import keyring

    keyring.set_password("sheetsync", "sam@example.com@imap.example.com", "s3cret")
    assert password_for(ACCOUNT, "imap") == "s3cret"


def test_missing_keyring_entry_says_how_to_store_it(
    memory_keyring: dict[tuple[str, str], str],
) -> None:
    with pytest.raises(ConfigError, match=r"keyring set sheetsync sam@example\.com@imap"):
        password_for(ACCOUNT, "imap")


def test_user_without_any_password_source() -> None:
    account = MailAccount(host="h.example.com", port=993, user="u", password_env="NOPE_PW")
    with pytest.raises(ConfigError, match="NOPE_PW"):
        password_for(account, "smtp")


def test_plain_text_refused_off_this_machine() -> None:
    account = MailAccount(host="smtp.example.com", port=25, security="plain")
    with pytest.raises(ConfigError, match="unencrypted"):
        tls_and_password(account, "smtp")
