"""Passwords for mail accounts: from an environment variable or the system keyring.

Never from the config file, and never in a message or a log line.
"""

from __future__ import annotations

import os
import ssl

from ..config import MailAccount
from ..errors import ConfigError


def password_for(account: MailAccount, kind: str) -> str:
    """The account's password, or "" when none is configured (no login)."""
    if account.password_env and os.environ.get(account.password_env):
        return os.environ[account.password_env]
    if account.keyring:
        try:
            import keyring
        except ImportError:
            raise ConfigError(
                f"[{kind}] keyring = true needs the keyring package: pip install keyring"
            ) from None
        secret = keyring.get_password("sheetsync", f"{account.user}@{account.host}")
        if secret:
            return str(secret)
        raise ConfigError(
            f"No password for {account.user}@{account.host} in the system keyring. Store it "
            f"with: keyring set sheetsync {account.user}@{account.host}"
        )
    if account.user:
        raise ConfigError(
            f"[{kind}] user is set but there is no password: put it in the environment "
            f"variable {account.password_env} (or use the system keyring with "
            f"[{kind}] keyring = true)."
        )
    return ""


LOOPBACK = {"localhost", "127.0.0.1", "::1"}


def tls_and_password(account: MailAccount, kind: str) -> tuple[ssl.SSLContext, str]:
    """A verifying TLS context and the password, refusing plain text off this machine."""
    if account.security == "plain" and account.host not in LOOPBACK:
        raise ConfigError(
            f'[{kind}] security = "plain" would send your password to {account.host} '
            'unencrypted; use "ssl" or "starttls".'
        )
    return ssl.create_default_context(cafile=account.cafile), password_for(account, kind)
