"""Real SMTP servers on 127.0.0.1 for tests: aiosmtpd with trustme certificates, plus misfits.

    with MailServer(tls="starttls", certificate=cert) as server:
        ... connect to 127.0.0.1:server.port ...
        server.handler.messages  # envelopes that arrived

Also a tarpit (accepts, never greets), a server that answers 421 and hangs up, and a port
that is certainly closed.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import email
import email.policy
import random
import socket
import socketserver
import ssl
import struct
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


def authenticator(
    user: str = USER, password: str = PASSWORD, failure: str | None = None, seen=None
):
    """Return an aiosmtpd authenticator accepting exactly one user and password.

    seen: a list that gets the mechanism of every login attempt.
    """

    def check(server, session, envelope, mechanism, auth_data):
        if seen is not None:
            seen.append(mechanism)
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

    def custom_context(self, name: str, *, key_size: int = 2048, sha1: bool = False,
                       aia: bool = False) -> ssl.SSLContext:  # fmt: skip
        """A server context whose leaf (for IP name) comes from the trusted CA's intermediate.

        Built with cryptography where trustme has no switch: key_size (1024: too weak),
        sha1 (signed with SHA-1), aia (an Authority Information Access caIssuers URL, as
        public CAs write). The server sends the leaf and the intermediate, unless aia is set
        (then only the leaf: the intermediate is "missing").
        """
        import ipaddress

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

        issuer_cert = x509.load_pem_x509_certificate(self.intermediate.cert_pem.bytes())
        issuer_key = serialization.load_pem_private_key(
            self.intermediate.private_key_pem.bytes(), None
        )
        key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
        now = datetime.datetime.now(datetime.UTC)
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(issuer_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(name))]),
                critical=False,
            )
        )
        if aia:
            access = x509.AccessDescription(
                AuthorityInformationAccessOID.CA_ISSUERS,
                x509.UniformResourceIdentifier("http://ca.test/intermediate.der"),
            )
            builder = builder.add_extension(
                x509.AuthorityInformationAccess([access]), critical=False
            )
        self._count += 1
        cert = builder.sign(issuer_key, hashes.SHA256())
        if sha1:  # cryptography refuses SHA-1 signatures; openssl still makes them
            cert = self._sign_sha1(cert, key)
        chain_file = self.directory / f"custom-{self._count}.pem"
        key_file = self.directory / f"custom-key-{self._count}.pem"
        chain = cert.public_bytes(serialization.Encoding.PEM)
        if not aia:
            chain += self.intermediate.cert_pem.bytes()
        chain_file.write_bytes(chain)
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        context.load_cert_chain(str(chain_file), str(key_file))
        return context

    def _sign_sha1(self, cert, key):
        """The same leaf, signed by the intermediate with SHA-1 (openssl x509 -req -sha1)."""
        import subprocess

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization

        base = self.directory / f"sha1-{self._count}"
        csr = (
            x509.CertificateSigningRequestBuilder()
            .subject_name(cert.subject)
            .sign(key, hashes.SHA256())
        )
        files = {
            "csr": csr.public_bytes(serialization.Encoding.PEM),
            "ca": self.intermediate.cert_pem.bytes(),
            "cakey": self.intermediate.private_key_pem.bytes(),
            "ext": b"subjectAltName=IP:" + cert.subject.rfc4514_string()[3:].encode() + b"\n",
        }
        for suffix, data in files.items():
            base.with_suffix("." + suffix).write_bytes(data)
        out = base.with_suffix(".pem")
        subprocess.run(
            ["openssl", "x509", "-req", "-sha1", "-days", "30", "-in", f"{base}.csr",
             "-CA", f"{base}.ca", "-CAkey", f"{base}.cakey", "-extfile", f"{base}.ext",
             "-out", str(out)],
            check=True, capture_output=True,
        )  # fmt: skip
        return x509.load_pem_x509_certificate(out.read_bytes())


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
        self.logins: list[str] = []  # the mechanism of every AUTH attempt the server saw
        kwargs = {}
        if auth:
            kwargs["authenticator"] = authenticator(failure=auth_failure, seen=self.logins)
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


class _ThreadedServer:
    """A socketserver on 127.0.0.1 in a thread, one thread per connection; a context manager."""

    def _listen(self, handler: type[socketserver.BaseRequestHandler]) -> None:
        self.server = _LineServer(("127.0.0.1", 0), handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


class GreetingServer(_ThreadedServer):
    """Answers every connection with one line (e.g. a 421) and hangs up."""

    def __init__(self, line: str = "421 4.3.2 Service not available, closing transmission channel"):
        data = (line + "\r\n").encode()

        class Reply(socketserver.BaseRequestHandler):
            def handle(self):
                self.request.sendall(data)

        self._listen(Reply)


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


CLOSE = "<close>"  # as a reply: hang up without answering
HANG = "<hang>"  # as a reply: say nothing until the client hangs up
RESET = "<reset>"  # as a reply: hang up with a TCP reset


class ScriptedServer(_ThreadedServer):
    """A small SMTP server on 127.0.0.1 that misbehaves as told, where aiosmtpd cannot.

        with ScriptedServer(replies={"EHLO": "500 5.5.1 Command unrecognized"}) as server:
            ... server.port, server.auth_commands, server.received ...

    replies: verb -> reply text ("\\n" separates the lines of a multi-line reply; a last
    line CLOSE or RESET hangs up after it), or CLOSE / RESET alone, or a list of such (one per
    use, the last repeats); HANG says nothing until the client hangs up. greeting: the first
    line, or CLOSE / RESET. ehlo: the EHLO
    keywords offered. implicit: a server SSLContext for TLS from the first byte (CLOSE / RESET:
    hang up on the client's TLS hello); starttls: a
    server SSLContext used after a 220 reply to STARTTLS ("plain": keep talking unencrypted,
    CLOSE / RESET: hang up instead of the handshake); greet_pause: seconds of silence before
    the greeting, hanging up on a client that talks first; login_prompts: the 334 prompts
    AUTH LOGIN gets whatever came with the command (a server that ignores the initial
    response). TLS runs on blocking sockets, so a
    failed handshake sends its alert as real servers do. received: every line the server
    read; messages: the DATA of every mail. replies["END"] answers the end of DATA,
    replies["CRAM"] is the CRAM-MD5 challenge.
    """

    def __init__(
        self,
        *,
        replies: dict | None = None,
        greeting: str = "220 mail.kunde.test ESMTP ready",
        ehlo: tuple[str, ...] = ("PIPELINING", "AUTH PLAIN LOGIN", "8BITMIME"),
        implicit: ssl.SSLContext | str | None = None,
        starttls: ssl.SSLContext | str | None = None,
        greet_pause: float = 0,
        login_prompts: tuple[str, ...] | None = None,
        auth=None,
    ):
        self.login_prompts = login_prompts
        self.auth = auth  # callable(AUTH line) -> reply, instead of replies["AUTH"]
        self.replies = dict(replies or {})
        self.greeting = greeting
        self.ehlo = ehlo
        self.implicit = implicit
        self.starttls = starttls
        self.greet_pause = greet_pause
        self.received: list[bytes] = []
        self.messages: list[bytes] = []
        self.auth_commands = 0
        self._uses: dict[str, int] = {}
        self._lock = threading.Lock()
        scripted = self

        class Session(socketserver.BaseRequestHandler):
            def handle(self):
                self.request.settimeout(10)
                with contextlib.suppress(OSError, ValueError):
                    scripted._serve(self.request)

        self._listen(Session)

    def _reply_for(self, verb: str, default: str) -> str:
        reply = self.replies.get(verb, default)
        if isinstance(reply, list):
            with self._lock:
                used = self._uses.get(verb, 0)
                self._uses[verb] = used + 1
            reply = reply[min(used, len(reply) - 1)]
        return reply

    @staticmethod
    def _send(conn, reply: str) -> bool:
        """Write reply; return False when the connection has ended."""
        head, _, tail = reply.rpartition("\n")
        if head and tail in (CLOSE, RESET):
            ScriptedServer._send(conn, head)
            return ScriptedServer._send(conn, tail)
        if reply == HANG:
            with contextlib.suppress(OSError):
                while conn.recv(512):
                    pass
            return False
        if reply in (CLOSE, RESET):
            if reply == RESET:
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()
            return False
        lines = reply.split("\n")
        code = lines[-1][:3]
        text = "".join(f"{code}-{line[4:]}\r\n" for line in lines[:-1]) + lines[-1] + "\r\n"
        conn.sendall(text.encode("utf-8", "surrogateescape"))
        return True

    def _serve(self, conn) -> None:
        opened = [conn]
        try:
            self._dialogue(conn, opened)
        finally:
            for item in reversed(opened):
                with contextlib.suppress(OSError):
                    item.close()

    def _dialogue(self, conn, opened: list) -> None:
        if self.implicit in (CLOSE, RESET):
            conn.recv(512)  # the client's TLS hello, then hang up as a middlebox would
            self._send(conn, self.implicit)
            return
        if self.implicit is not None:
            try:
                conn = self.implicit.wrap_socket(conn, server_side=True)
            except (ssl.SSLError, OSError):
                return
            opened.append(conn)
        if self.greet_pause:
            # like Postfix postscreen: whoever talks before the greeting is cut off
            conn.settimeout(self.greet_pause)
            try:
                if conn.recv(512):
                    return
            except TimeoutError:
                pass
            conn.settimeout(10)
        if not self._send(conn, self.greeting):
            return
        rfile = conn.makefile("rb")
        opened.append(rfile)
        while line := rfile.readline():
            self.received.append(line)
            verb = line.split(b" ", 1)[0].strip().upper().decode("ascii", "replace")
            if verb == "EHLO":
                offered = ["mail.kunde.test", *self.ehlo]
                reply = self._reply_for("EHLO", "\n".join(f"250 {k}" for k in offered))
            elif verb == "AUTH":
                with self._lock:
                    self.auth_commands += 1
                self._auth_exchange(line, conn, rfile)
                if self.auth is not None:
                    reply = self.auth(line)
                else:
                    reply = self._reply_for("AUTH", "235 2.7.0 Authentication successful")
            elif verb == "DATA":
                reply = self._reply_for("DATA", "354 End data with <CR><LF>.<CR><LF>")
                if reply.startswith("354"):
                    self._send(conn, reply)
                    data = b""
                    while (chunk := rfile.readline()) and chunk != b".\r\n":
                        data += chunk
                    self.messages.append(data)
                    reply = self._reply_for("END", "250 2.0.0 Ok: queued")
            elif verb == "QUIT":
                self._send(conn, self._reply_for("QUIT", "221 2.0.0 Bye"))
                return
            elif verb == "STARTTLS":
                reply = self._reply_for("STARTTLS", "220 2.0.0 Ready to start TLS")
                if not self._send(conn, reply):
                    return
                if not reply.startswith("220"):
                    continue
                if isinstance(self.starttls, ssl.SSLContext):
                    try:
                        conn = self.starttls.wrap_socket(conn, server_side=True)
                    except (ssl.SSLError, OSError):
                        return
                    rfile = conn.makefile("rb")
                    opened.extend((conn, rfile))
                elif self.starttls == "plain":
                    self._send(conn, "250 mail.kunde.test still in plain text")
                elif self.starttls in (CLOSE, RESET):
                    self._send(conn, self.starttls)
                    return
                continue
            else:
                reply = self._reply_for(verb, "250 2.0.0 OK")
            if not self._send(conn, reply):
                return

    def _auth_exchange(self, line: bytes, conn, rfile) -> None:
        """The 334 challenges of AUTH LOGIN, CRAM-MD5 and PLAIN (RFC 4954), answers recorded."""
        parts = line.split()
        mechanism = parts[1].upper() if len(parts) > 1 else b""
        prompts = []
        if mechanism == b"LOGIN" and self.login_prompts is not None:
            prompts = list(self.login_prompts)  # asked whatever came with the command
        elif mechanism == b"LOGIN":
            prompts = ["334 UGFzc3dvcmQ6"]
            if len(parts) == 2:
                prompts.insert(0, "334 VXNlcm5hbWU6")
        elif mechanism == b"CRAM-MD5":
            prompts = [self._reply_for("CRAM", "334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UudGVzdD4=")]
        elif mechanism == b"PLAIN" and len(parts) == 2:
            prompts = ["334 "]
        for prompt in prompts:
            self._send(conn, prompt)
            self.received.append(rfile.readline())


def legacy_tls_context(certs: Certificates, *, maximum: str = "TLSv1_1", ciphers: str = ""):
    """A server context for 127.0.0.1 limited to an old TLS version or to chosen ciphers.

    maximum: "TLSv1" or "TLSv1_1" (needs OpenSSL with security level 0, as Debian's has);
    ciphers: an OpenSSL cipher list for TLS 1.2 (then maximum is TLS 1.2).
    """
    import warnings

    context = certs.context("127.0.0.1", "mail.kunde.test")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        if ciphers:
            context.maximum_version = ssl.TLSVersion.TLSv1_2
            context.set_ciphers(ciphers)
        else:
            context.minimum_version = ssl.TLSVersion.TLSv1
            context.maximum_version = getattr(ssl.TLSVersion, maximum)
            context.set_ciphers("ALL:@SECLEVEL=0")
    return context


# --- Lab servers that greet and answer like Exchange Online and Gmail ------------------------
EXCHANGE_GREETING = (
    "220 FR4P281CA0042.outlook.office365.com Microsoft ESMTP MAIL Service ready at "
    "Sun, 6 Dec 2026 23:00:00 +0000 [08DE33D1A1B2C3D4]"
)
EXCHANGE_EHLO = (
    "SIZE 157286400",
    "PIPELINING",
    "DSN",
    "ENHANCEDSTATUSCODES",
    "STARTTLS",
    "AUTH LOGIN XOAUTH2",
    "8BITMIME",
    "BINARYMIME",
    "CHUNKING",
    "SMTPUTF8",
)
GMAIL_GREETING = "220 smtp.gmail.com ESMTP a640c23a62f3a-abc123def456sm1234567ab.12 - gsmtp"
GMAIL_EHLO = ("SIZE 35882577", "8BITMIME", "STARTTLS", "ENHANCEDSTATUSCODES", "PIPELINING",
              "AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH", "CHUNKING",
              "SMTPUTF8")  # fmt: skip
EXCHANGE_OAUTH_REFUSED = "535 5.7.3 Authentication unsuccessful [FR4P281CA0042.DEUP281.PROD]"


def xoauth2_of(line: bytes) -> tuple[str, str] | None:
    """(user, token) of an `AUTH XOAUTH2 <base64>` line, or None for any other AUTH."""
    parts = line.split()
    if len(parts) < 3 or parts[1].upper() != b"XOAUTH2":
        return None
    fields = base64.b64decode(parts[2]).decode("utf-8", "replace").split("\x01")
    user = next((f[5:] for f in fields if f.startswith("user=")), "")
    token = next((f[12:] for f in fields if f.startswith("auth=Bearer ")), "")
    return user, token


def exchange_lab(
    context, *, mailbox_of=None, password_reply: str = "235 2.7.0 Authentication successful"
) -> ScriptedServer:
    """A server that greets like Exchange Online (STARTTLS with context).

    mailbox_of: callable(access token) -> the one mailbox that token may send as, or None;
    AUTH XOAUTH2 passes only with a token for that mailbox (else 535 5.7.3, as Exchange
    Online answers). Password logins (AUTH LOGIN) get password_reply.
    """

    def auth(line: bytes) -> str:
        oauth = xoauth2_of(line)
        if oauth is None:
            return password_reply
        user, token = oauth
        allowed = mailbox_of(token) if mailbox_of else None
        if allowed and allowed.lower() == user.lower():
            return "235 2.7.0 Authentication successful"
        return EXCHANGE_OAUTH_REFUSED

    return ScriptedServer(
        greeting=EXCHANGE_GREETING, ehlo=EXCHANGE_EHLO, starttls=context, auth=auth
    )


def gmail_lab(context, *, password_reply: str) -> ScriptedServer:
    """A server that greets like Gmail's smtp.gmail.com and answers every login so."""
    return ScriptedServer(greeting=GMAIL_GREETING, ehlo=GMAIL_EHLO, starttls=context,
                          auth=lambda line: password_reply)  # fmt: skip
