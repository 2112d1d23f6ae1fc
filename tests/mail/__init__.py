"""Real mail servers on loopback for the tests: Dovecot (IMAP) and aiosmtpd (SMTP)."""

from .servers import Dovecot, SmtpCapture, self_signed_cert

__all__ = ["Dovecot", "SmtpCapture", "self_signed_cert"]
