"""Real SMTP servers on 127.0.0.1 for tests: aiosmtpd with trustme certificates, plus misfits.

    with MailServer(tls="starttls", certificate=cert) as server:
        ... connect to 127.0.0.1:server.port ...
        server.handler.messages  # envelopes that arrived

Also a tarpit (accepts, never greets), a server that answers 421 and hangs up, and a port
that is certainly closed.
"""

from __future__ import annotations

import datetime
import email
import email.policy
import random
import socket
import socketserver
import ssl
import threading
from dataclasses import dataclass, field

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

# The customer's zone for tests that reach the fixture servers by name (with ZoneServer).
KUNDE_ZONE = """\
$ORIGIN kunde.test.
$TTL 60
@        IN SOA ns.kunde.test. hostmaster.kunde.test. 1 3600 600 86400 60
@        IN NS  ns.kunde.test.
mail     IN A   127.0.0.1
other    IN A   127.0.0.1
private  IN A   10.0.0.5
intern   IN A   10.0.0.7
"""
USER = "versand@kunde.test"
PASSWORD = "Geheim!Pa55wort-äöü"
M365_DISABLED = (
    "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
    "Tenant. Visit https://aka.ms/smtp_auth_disabled for more information."
)


def free_port() -> int:
    """Return a port on 127.0.0.1 that nothing listens on right now.

    It is drawn below the kernel's ephemeral range (32768 and up), so no outgoing
    connection of another test can take it between this call and the server's bind.
    """
    while True:
        port = random.randint(20000, 32000)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


@dataclass
class Arrived:
    """One delivered message as the server saw it."""

    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage
    authenticated_as: str | None

    def text(self) -> str:
        """Return the decoded plain-text part."""
        return self.message.get_body(("plain",)).get_content()

    def html(self) -> str:
        """Return the decoded HTML part."""
        return self.message.get_body(("html",)).get_content()


@dataclass
class Handler:
    """aiosmtpd handler that collects messages and can refuse chosen steps."""

    reject_mail: str | None = None
    reject_rcpt: str | None = None
    reject_data: str | None = None
    require_auth: bool = False
    # What EHLO says about AUTH: None as aiosmtpd has it, "" not at all, or e.g. "NTLM GSSAPI".
    auth_methods: str | None = None
    messages: list[Arrived] = field(default_factory=list)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.auth_methods is None:
            return responses
        shown = [line for line in responses if not line.startswith("250-AUTH")]
        if self.auth_methods:
            shown.insert(-1, f"250-AUTH {self.auth_methods}")
        return shown

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.require_auth and not session.authenticated:
            return "530 5.7.0 Authentication required"
        if self.reject_mail:
            return self.reject_mail
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject_rcpt:
            return self.reject_rcpt
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.reject_data:
            return self.reject_data
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        login = session.auth_data.login.decode() if session.auth_data else None
        self.messages.append(Arrived(envelope.mail_from, list(envelope.rcpt_tos), message, login))
        return "250 2.0.0 Ok: queued"


def authenticator(user: str = USER, password: str = PASSWORD, failure: str | None = None):
    """Return an aiosmtpd authenticator accepting exactly one user and password."""

    def check(server, session, envelope, mechanism, auth_data):
        if (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == user
            and auth_data.password.decode() == password
        ):
            return AuthResult(success=True, auth_data=auth_data)
        return AuthResult(success=False, handled=False, message=failure)

    return check


class Certificates:
    """A trusted test CA (written to ca_file) and an untrusted one, issuing server contexts."""

    def __init__(self, directory):
        self.directory = directory
        self.ca = trustme.CA()
        self.rogue_ca = trustme.CA()
        self.intermediate = self.ca.create_child_ca()
        self.ca_file = str(directory / "test-ca.pem")
        self.ca.cert_pem.write_to_path(self.ca_file)
        self._count = 0

    def context(
        self,
        *names: str,
        trusted: bool = True,
        expired: bool = False,
        not_yet_valid: bool = False,
        intermediate: bool = False,
        leaf_only: bool = False,
        with_root: bool = False,
    ) -> ssl.SSLContext:
        """Return a server context with a certificate for names.

        intermediate: issued by an intermediate CA of the trusted CA; leaf_only: the server
        sends its own certificate without the intermediates; with_root: the server also
        sends the (self-signed) root, as many misconfigured servers do.
        """
        ca = self.ca if trusted else self.rogue_ca
        if intermediate:
            ca = self.intermediate
        kwargs = {}
        now = datetime.datetime.now(datetime.UTC)
        if expired:
            kwargs = {
                "not_before": now - datetime.timedelta(days=400),
                "not_after": now - datetime.timedelta(days=35),
            }
        if not_yet_valid:
            kwargs = {
                "not_before": now + datetime.timedelta(days=3),
                "not_after": now + datetime.timedelta(days=90),
            }
        cert = ca.issue_cert(*names, **kwargs)
        chain = list(cert.cert_chain_pems)
        if leaf_only:
            chain = chain[:1]
        if with_root:
            chain.append((self.ca if trusted else self.rogue_ca).cert_pem)
        self._count += 1
        chain_file = self.directory / f"chain-{self._count}.pem"
        key_file = self.directory / f"key-{self._count}.pem"
        chain_file.write_bytes(b"".join(pem.bytes() for pem in chain))
        cert.private_key_pem.write_to_path(str(key_file))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(chain_file), str(key_file))
        return context


class MailServer:
    """aiosmtpd in a thread on 127.0.0.1: tls is "ssl" (implicit), "starttls" or None."""

    def __init__(
        self,
        *,
        tls: str | None = None,
        context: ssl.SSLContext | None = None,
        auth: bool = False,
        auth_failure: str | None = None,
        handler: Handler | None = None,
    ):
        self.handler = handler or Handler(require_auth=auth)
        kwargs = {}
        if auth:
            kwargs["authenticator"] = authenticator(failure=auth_failure)
            # Implicit TLS is invisible to aiosmtpd's auth_require_tls (it only knows STARTTLS).
            kwargs["auth_require_tls"] = tls == "starttls"
        if tls == "ssl":
            kwargs["ssl_context"] = context
        elif tls == "starttls":
            kwargs["tls_context"] = context
            kwargs["require_starttls"] = True
        self._kwargs = kwargs

    def start(self) -> MailServer:
        for attempt in range(5):  # another process may take the port between check and bind
            self.port = free_port()
            self.controller = Controller(
                self.handler, hostname="127.0.0.1", port=self.port, ready_timeout=10,
                **self._kwargs,
            )  # fmt: skip
            try:
                self.controller.start()
            except OSError:
                self.controller.loop.close()
                if attempt == 4:
                    raise
            else:
                return self
        return self

    def stop(self) -> None:
        self.controller.stop()

    def __enter__(self) -> MailServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class _LineServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False


class GreetingServer:
    """Answers every connection with one line (e.g. a 421) and hangs up."""

    def __init__(self, line: str = "421 4.3.2 Service not available, closing transmission channel"):
        data = (line + "\r\n").encode()

        class Reply(socketserver.BaseRequestHandler):
            def handle(self):
                self.request.sendall(data)

        self.server = _LineServer(("127.0.0.1", 0), Reply)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> GreetingServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


class Tarpit:
    """A listening socket that never accepts: TCP connects, but no greeting ever comes."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]

    def __enter__(self) -> Tarpit:
        return self

    def __exit__(self, *exc) -> None:
        self.sock.close()


class Listener:
    """A listening socket that counts the connections made to it (for "no attempt" checks)."""

    def __init__(self, host: str = "127.0.0.1"):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.bind((host, 0))
        self.sock.listen(16)
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]

    def attempts(self) -> int:
        """Accept and count everything that connected so far."""
        count = 0
        while True:
            try:
                conn, _ = self.sock.accept()
            except BlockingIOError:
                return count
            conn.close()
            count += 1

    def __enter__(self) -> Listener:
        return self

    def __exit__(self, *exc) -> None:
        self.sock.close()
