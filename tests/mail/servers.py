"""Start a throwaway Dovecot and an aiosmtpd server on 127.0.0.1 for one test.

Dovecot runs in the foreground as a child process, from a config file in a
fresh folder under /tmp (mode 755: the dovecot user must traverse it, and
pytest's tmp_path is 0700 under root).  The mail user is the package's
``dovecot`` user, since imap-login refuses uid 0.  TLS uses a self-signed
certificate for localhost/127.0.0.1 made here with ``cryptography``.

In CI (CI=true) a missing server is a failure; the tests never skip.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
DH = Path("/usr/share/dovecot/dh.pem")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """Stop a server the tests started: terminate, then kill if it lingers."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def self_signed_cert(folder: Path) -> tuple[Path, Path]:
    """A certificate and key for localhost and 127.0.0.1, valid for a day."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    os.chmod(key_path, 0o644)  # read by dovecot's unprivileged processes in this test folder
    return cert_path, key_path


CONFIG = """\
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
instance_name = sheetsync-test-{imap}
listen = 127.0.0.1
protocols = imap
first_valid_uid = 1
first_valid_gid = 1
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
auth_mechanisms = plain login
auth_failure_delay = 0
disable_plaintext_auth = no
ssl = yes
ssl_cert = <{dir}/cert.pem
ssl_key = <{dir}/key.pem
ssl_dh = <{dh}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/passwd
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={dir}/home/%u
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
{mailboxes}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""

DRAFTS = """\
  mailbox "Brouillons" {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }"""

NO_DRAFTS = """\
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }"""


ALL_MAIL = """
  mailbox "[Gmail]/All Mail" {
    special_use = \\All
    auto = subscribe
  }"""


@dataclass
class Dovecot:
    """A Dovecot IMAP server on 127.0.0.1 with one user, for one test.

    The drafts mailbox is deliberately not called "Drafts" ("Brouillons", as a
    French account has it), so only a client that looks for the \\Drafts flag
    finds it.
    """

    user: str = "sam@example.com"
    password: str = "correct horse"
    drafts_box: bool = True
    all_mail: bool = False  # a mailbox flagged \\All, as Gmail's "[Gmail]/All Mail"
    folder: Path = field(init=False)
    imap_port: int = field(init=False, default=0)
    imaps_port: int = field(init=False, default=0)
    cafile: Path = field(init=False)
    process: Any = field(init=False, default=None)

    def __enter__(self) -> Dovecot:
        if not Path(DOVECOT).exists():
            raise RuntimeError(
                "Dovecot is not installed: run 'bash tests/setup.sh' (it installs "
                "dovecot-imapd), as .ci/run does."
            )
        self.folder = Path(tempfile.mkdtemp(prefix="sheetsync-dovecot-", dir="/tmp"))
        os.chmod(self.folder, 0o755)
        self.cafile, _ = self_signed_cert(self.folder)
        account = pwd.getpwnam("dovecot") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
        (self.folder / "passwd").write_text(f"{self.user}:{{PLAIN}}{self.password}\n")
        home = self.folder / "home"
        home.mkdir()
        if os.geteuid() == 0:
            os.chown(home, account.pw_uid, account.pw_gid)
        self.imap_port, self.imaps_port = free_port(), free_port()
        group = account.pw_name if os.geteuid() != 0 else "dovecot"
        config = CONFIG.format(
            dir=self.folder,
            imap=self.imap_port,
            imaps=self.imaps_port,
            user=account.pw_name,
            group=group,
            dh=DH,
            mailboxes=(DRAFTS if self.drafts_box else NO_DRAFTS)
            + (ALL_MAIL if self.all_mail else ""),
        )
        conf = self.folder / "dovecot.conf"
        conf.write_text(config)
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            wait_for_port(self.imap_port)
            wait_for_port(self.imaps_port)
        except RuntimeError:
            self.__exit__(None, None, None)
            raise RuntimeError("Dovecot did not start:\n" + self.log()) from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            stop_process(self.process)
        shutil.rmtree(self.folder, ignore_errors=True)

    def log(self) -> str:
        path = self.folder / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _login(self) -> Any:
        import imaplib

        conn = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=30)
        conn.login(self.user, self.password)
        return conn

    def append(
        self,
        mailbox: str,
        messages: list[tuple[EmailMessage | bytes, dt.datetime]],
        flags: str = "",
    ) -> None:
        """APPEND each (message, internal date) to ``mailbox`` over one connection."""
        import imaplib

        conn = self._login()
        try:
            for message, when in messages:
                raw = message if isinstance(message, bytes) else message.as_bytes()
                typ, data = conn.append(
                    f'"{mailbox}"',
                    f"({flags})" if flags else None,
                    imaplib.Time2Internaldate(when),
                    raw,
                )
                assert typ == "OK", data
        finally:
            conn.logout()

    def flags(self, mailbox: str) -> list[set[str]]:
        """The flags of every message in ``mailbox``, oldest first (reading nothing else)."""
        conn = self._login()
        try:
            conn.select(f'"{mailbox}"', readonly=True)
            _, data = conn.uid("FETCH", "1:*", "(FLAGS)")
            found = []
            for line in data:
                if isinstance(line, bytes) and b"FLAGS (" in line:
                    inner = line.split(b"FLAGS (", 1)[1].split(b")", 1)[0]
                    found.append({f.decode() for f in inner.split()})
            return found
        finally:
            conn.logout()

    def messages(self, mailbox: str) -> list[tuple[set[str], EmailMessage]]:
        """(flags, message) for every message in ``mailbox``, read over IMAP."""
        import imaplib

        conn = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=10)
        try:
            conn.login(self.user, self.password)
            conn.select(f'"{mailbox}"', readonly=True)
            _, data = conn.uid("SEARCH", "ALL")
            found = []
            for uid in data[0].split():
                _, parts = conn.uid("FETCH", uid, "(FLAGS RFC822)")
                head = parts[0][0].decode() if isinstance(parts[0], tuple) else ""
                flags = set()
                if "FLAGS (" in head:
                    flags = set(head.split("FLAGS (", 1)[1].split(")", 1)[0].split())
                raw = parts[0][1] if isinstance(parts[0], tuple) else b""
                found.append((flags, message_from_bytes(raw, policy=policy.default)))
            return found  # type: ignore[return-value]
        finally:
            conn.logout()


class SmtpCapture:
    """An aiosmtpd server on 127.0.0.1 that keeps every envelope it is given."""

    def __init__(
        self, *, user: str | None = None, password: str | None = None, tls: str | None = None
    ):
        self.envelopes: list[tuple[str, list[str], bytes]] = []
        self.user, self.password = user, password
        self.tls = tls  # None, "starttls" or "ssl"
        self.port = free_port()
        self.controller: Any = None
        self.cafile: Path | None = None

    def __enter__(self) -> SmtpCapture:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        outer = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                outer.envelopes.append(
                    (envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
                )
                return "250 OK"

        def authenticate(
            server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
        ) -> AuthResult:
            ok = (
                isinstance(auth_data, LoginPassword)
                and auth_data.login.decode() == outer.user
                and auth_data.password.decode() == outer.password
            )
            return AuthResult(success=ok, handled=False)

        kwargs: dict[str, Any] = {}
        if self.user is not None:
            # aiosmtpd does not count implicit TLS as TLS for AUTH, only STARTTLS
            kwargs = {
                "authenticator": authenticate,
                "auth_require_tls": self.tls == "starttls",
                "auth_required": True,
            }
        if self.tls is not None:
            import ssl

            folder = Path(tempfile.mkdtemp(prefix="sheetsync-smtp-"))
            cert, key = self_signed_cert(folder)
            self.cafile = cert
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert, key)
            if self.tls == "ssl":
                kwargs["ssl_context"] = context
            else:
                kwargs.update(tls_context=context, require_starttls=True)
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **kwargs)
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    def recipients(self) -> set[str]:
        return {r for _, rcpts, _ in self.envelopes for r in rcpts}
