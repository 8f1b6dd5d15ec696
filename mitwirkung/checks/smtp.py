"""Live SMTP test with aiosmtplib: a real test mail to the vetted address -> SmtpResult."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import email.policy
import html
import logging
import re
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import aiosmtplib
from aiosmtplib.auth import auth_login_encode, auth_plain_encode
from aiosmtplib.typing import Default
from cryptography import x509

from mitwirkung.checks.diagnose import ENCRYPTION_LABELS, describe
from mitwirkung.checks.netguard import GuardError, IPAddress, normalize_host, vet

log = logging.getLogger(__name__)

REDACTED = "********"
# OpenSSL reasons that mean: the peer answered a TLS hello with something that is not TLS.
NOT_TLS_REASONS = {
    "WRONG_VERSION_NUMBER",
    "RECORD_LAYER_FAILURE",
    "PACKET_LENGTH_TOO_LONG",
    "UNKNOWN_PROTOCOL",
    "HTTP_REQUEST",
    "UNEXPECTED_RECORD",
}
CERT_NOT_YET_VALID = {9}  # X509_V_ERR_CERT_NOT_YET_VALID
CERT_EXPIRED = {10}  # X509_V_ERR_CERT_HAS_EXPIRED
CERT_SELF_SIGNED = {18, 19}  # DEPTH_ZERO_SELF_SIGNED_CERT, SELF_SIGNED_CERT_IN_CHAIN
# UNABLE_TO_GET_ISSUER_CERT_LOCALLY, UNABLE_TO_VERIFY_LEAF_SIGNATURE: the issuer is missing.
CERT_ISSUER_MISSING = {20, 21}
CERT_NAME_MISMATCH = {62, 64}  # X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH

# Negative replies are classified by their text and enhanced status code first, then by the
# step they answered: Postfix reports client, HELO and sender restrictions at RCPT.
_ENHANCED = re.compile(r"\s*([245]\.\d{1,3}\.\d{1,3})\b")
SYSTEM_STATUS = {"4.7.25", "5.7.25", "5.7.606", "5.7.607", "5.7.608", "5.7.609", "5.7.708"}
SYSTEM_TEXT = re.compile(
    r"client host rejected|helo command rejected|blocked using|\bblock ?list|\bblack ?list"
    r"|\bspamhaus\b|\bdnsbl\b|\brbl\b|banned sending ip|traffic not accepted from this ip",
    re.IGNORECASE,
)
SENDER_STATUS = {"5.1.7", "5.1.8", "5.7.60"}
SENDER_TEXT = re.compile(
    r"sender address rejected|not owned|sendasdenied|\bsend(ing)? as\b|sender not allowed"
    r"|sender rejected|sender verify failed",
    re.IGNORECASE,
)
ENCRYPTION_STATUS = {"5.7.10", "5.7.11"}
ENCRYPTION_TEXT = re.compile(r"starttls|encryption required|must use tls", re.IGNORECASE)
AUTH_REQUIRED_TEXT = re.compile(r"authentication required|not authenticated", re.IGNORECASE)
# Passwords shorter than this are not searched for in server replies: a masked common word
# would tell more about the password than it hides.
MIN_SCRUB_LENGTH = 6
_TOKEN_EDGE = r"\s<>\"'`(),;:\[\]{}="
SUGGESTION = {"ssl": ("tls", 587), "tls": ("ssl", 465), "none": ("ssl", 465)}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    encryption: str  # "ssl" | "tls" | "none"
    username: str
    sender: str
    recipient: str


@dataclass(frozen=True)
class TlsInfo:
    version: str
    cipher: str
    subject: str
    issuer: str
    not_after: str  # ISO date


@dataclass(frozen=True)
class SmtpResult:
    ok: bool
    code: str
    title: str
    message: str
    next_step: str
    transcript: tuple[str, ...]
    tls: TlsInfo | None
    duration_ms: int
    address: str
    reply: str


@dataclass(frozen=True)
class Probe:
    port: int
    encryption: str
    ok: bool
    code: str
    message: str
    tls: TlsInfo | None
    auth: bool = True  # the server offers a login PRINT PPS can use on this combination


class _Failure(Exception):
    """A classified failure raised inside the dialogue."""

    def __init__(self, code: str, reply: str = "", **context):
        super().__init__(code)
        self.code = code
        self.reply = reply
        self.context = context


def build_test_mail(
    settings: SmtpSettings, *, confirm_url: str, customer_name: str
) -> EmailMessage:
    """Return the German test mail (plain text plus HTML) carrying the confirmation link."""
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = settings.recipient
    message["Subject"] = "Testmail von PEIQ PRINT PPS – bitte bestätigen"
    message["Date"] = formatdate(localtime=True)
    domain = settings.sender.rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    text = (
        "Guten Tag,\n\n"
        f"dies ist eine Testmail von PEIQ PRINT PPS für {customer_name}.\n"
        f"Sie wurde über den SMTP-Server {settings.host} (Port {settings.port}) verschickt.\n\n"
        "Bitte bestätigen Sie, dass diese Mail angekommen ist, indem Sie den folgenden Link "
        "öffnen:\n\n"
        f"{confirm_url}\n\n"
        "Erst mit diesem Klick ist nachgewiesen, dass Systemmails von PRINT PPS Ihr Postfach "
        "erreichen.\n\n"
        "Vielen Dank!\nIhr PEIQ-Team\n"
    )
    url = html.escape(confirm_url)
    body = (
        '<!DOCTYPE html><html lang="de"><body>'
        "<p>Guten Tag,</p>"
        f"<p>dies ist eine Testmail von PEIQ PRINT PPS für {html.escape(customer_name)}. "
        f"Sie wurde über den SMTP-Server {html.escape(settings.host)} "
        f"(Port {settings.port}) verschickt.</p>"
        "<p>Bitte bestätigen Sie, dass diese Mail angekommen ist:</p>"
        f'<p><a href="{url}">Ankunft der Testmail bestätigen</a></p>'
        f"<p>Falls der Link nicht funktioniert, kopieren Sie diese Adresse in Ihren Browser:"
        f"<br>{url}</p>"
        "<p>Erst mit diesem Klick ist nachgewiesen, dass Systemmails von PRINT PPS Ihr "
        "Postfach erreichen.</p>"
        "<p>Vielen Dank!<br>Ihr PEIQ-Team</p></body></html>"
    )
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(body, subtype="html", cte="quoted-printable")
    return message


class _Transcript:
    """The SMTP dialogue as lines, with AUTH payloads dropped and secrets scrubbed.

    The AUTH lines themselves are redacted where they are written (_RecordingSMTP). As a
    second guard, the base64 forms of the credentials are replaced everywhere, and the
    password itself where a server reply echoes it as a whole token (only if it is long
    enough that masking it does not hint at it).
    """

    def __init__(self, encoded: list[str] = (), password: str | None = None):
        self.lines: list[str] = []
        self.encoded = sorted({s for s in encoded if s}, key=len, reverse=True)
        self.token = None
        if password and len(password) >= MIN_SCRUB_LENGTH:
            self.token = re.compile(
                f"(?<![^{_TOKEN_EDGE}]){re.escape(password)}(?![^{_TOKEN_EDGE}.!?])"
            )

    def scrub(self, text: str) -> str:
        """Replace the base64 forms of the credentials in text."""
        for secret in self.encoded:
            text = text.replace(secret, REDACTED)
        return text

    def scrub_reply(self, text: str) -> str:
        """Scrub text that came from the server: also the password echoed as a token."""
        text = self.scrub(text)
        if self.token is not None:
            text = self.token.sub(REDACTED, text)
        return text

    def add(self, line: str) -> None:
        self.lines.append(self.scrub(line))

    def reply(self, response) -> None:
        """Record a server reply, one line per reply line."""
        parts = (response.message or "").split("\n")
        for index, part in enumerate(parts):
            sep = " " if index == len(parts) - 1 else "-"
            self.lines.append(self.scrub_reply(f"S: {response.code}{sep}{part}".rstrip()))


def _secret_forms(username: str, password: str | None) -> list[str]:
    """Return the base64 forms in which the password could travel."""
    if not password:
        return []
    forms = [base64.b64encode(password.encode()).decode()]
    forms.append(auth_plain_encode(username or "", password).decode())
    forms.extend(part.decode() for part in auth_login_encode(username or "", password))
    forms.append(base64.b64encode(f"{username}\0{password}".encode()).decode())
    return [form for form in forms if form and form != base64.b64encode(b"").decode()]


class _RecordingSMTP(aiosmtplib.SMTP):
    """aiosmtplib client that writes every command and reply to a transcript."""

    def __init__(self, transcript: _Transcript, **kwargs):
        super().__init__(**kwargs)
        self.transcript = transcript
        self._in_auth = False

    async def execute_command(self, *args: bytes, timeout=Default.token):
        verb = args[0].upper() if args else b""
        if verb == b"AUTH":
            self._in_auth = True
            mechanism = args[1].decode("ascii", "replace") if len(args) > 1 else ""
            shown = f"C: AUTH {mechanism}" + (f" {REDACTED}" if len(args) > 2 else "")
        elif self._in_auth:
            shown = f"C: {REDACTED}"
        else:
            shown = "C: " + b" ".join(args).decode("utf-8", "replace")
        self.transcript.add(shown)
        try:
            response = await super().execute_command(*args, timeout=timeout)
        except Exception:
            self._in_auth = False
            raise
        self.transcript.reply(response)
        if response.code != 334:
            self._in_auth = False
        return response


def _find(exc: BaseException | None, kind: type) -> BaseException | None:
    """Return the first exception of kind in exc's cause/context chain."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, kind):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def tls_context(ca_file: str | None) -> ssl.SSLContext:
    """Return a verifying client context: system trust store plus the optional CA file."""
    context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(ca_file)
    return context


def _unverified_context() -> ssl.SSLContext:
    """Return a context for diagnosis only (reading a certificate that failed verification)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _name(rdns) -> str:
    """Format a getpeercert() subject/issuer as "CN=…, O=…"."""
    short = {"commonName": "CN", "organizationName": "O", "organizationalUnitName": "OU"}
    parts = [f"{short.get(k, k)}={v}" for rdn in rdns or () for k, v in rdn]
    return ", ".join(parts)


def _tls_info(smtp: aiosmtplib.SMTP) -> TlsInfo | None:
    """Read version, cipher and the peer certificate from a TLS connection."""
    ssl_object = smtp.get_transport_info("ssl_object")
    if ssl_object is None:
        return None
    cert = ssl_object.getpeercert() or {}
    subject = _name(cert.get("subject"))
    if "CN=" not in subject:
        names = ", ".join(v for _, v in cert.get("subjectAltName", ()))
        subject = f"{names} ({subject})" if subject and names else names or subject
    not_after = ""
    if cert.get("notAfter"):
        stamp = ssl.cert_time_to_seconds(cert["notAfter"])
        not_after = datetime.fromtimestamp(stamp, UTC).date().isoformat()
    version = (ssl_object.version() or "").replace("TLSv", "TLS ")
    cipher = (ssl_object.cipher() or ("",))[0]
    return TlsInfo(version, cipher, subject, _name(cert.get("issuer")), not_after)


def _tls_line(info: TlsInfo) -> str:
    """Describe a TLS session in one transcript line."""
    return (
        f"* {info.version} ({info.cipher}), Zertifikat für {info.subject}, "
        f"ausgestellt von {info.issuer}, gültig bis {info.not_after}"
    )


async def _open_socket(address: IPAddress, port: int) -> socket.socket:
    """Connect a non-blocking TCP socket to exactly the vetted address."""
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setblocking(False)
    try:
        await asyncio.get_running_loop().sock_connect(sock, (str(address), port))
    except BaseException:
        sock.close()
        raise
    return sock


async def _speaks_tls(address: IPAddress, port: int, host: str) -> bool:
    """Return True if the server completes a TLS handshake right after connecting."""
    sock = await _open_socket(address, port)
    try:
        _, writer = await asyncio.open_connection(
            sock=sock, ssl=_unverified_context(), server_hostname=host
        )
    except (OSError, ssl.SSLError):
        sock.close()
        return False
    except BaseException:
        sock.close()
        raise
    writer.close()
    with contextlib.suppress(Exception):
        await writer.wait_closed()
    return True


class _Session:
    """One SMTP connection: vet, connect, greeting, EHLO, TLS; shared by test and probe."""

    def __init__(self, host, port, encryption, *, context, transcript, ehlo_name, timeout):
        self.host = host
        self.port = port
        self.encryption = encryption
        self.context = context
        self.transcript = transcript
        self.ehlo_name = ehlo_name
        self.timeout = timeout
        self.stage = "dns"
        self.address: IPAddress | None = None
        self.smtp: _RecordingSMTP | None = None
        self.sock: socket.socket | None = None
        self.tls: TlsInfo | None = None
        self.authenticated = False

    async def connect(self, addresses: list[IPAddress]) -> None:
        """Open the TCP connection to the first vetted address that answers."""
        self.stage = "connect"
        error: OSError | None = None
        share = self.timeout / max(len(addresses), 1)
        for address in addresses:
            self.address = address
            self.transcript.add(f"* Verbinde mit {address} Port {self.port} …")
            try:
                async with asyncio.timeout(share if len(addresses) > 1 else None):
                    self.sock = await _open_socket(address, self.port)
                self.transcript.add(f"* Verbunden mit {address} Port {self.port}")
                return
            except (OSError, TimeoutError) as exc:
                error = exc if isinstance(exc, OSError) else TimeoutError()
                self.transcript.add(f"* Keine Verbindung: {_oserror_text(exc)}")
        raise error or TimeoutError()

    async def open(self) -> None:
        """Greeting, EHLO and TLS as the chosen encryption demands."""
        local = self.sock.getsockname()[0]
        ehlo_name = self.ehlo_name or (f"[IPv6:{local}]" if ":" in local else f"[{local}]")
        self.smtp = _RecordingSMTP(
            self.transcript,
            hostname=self.host,
            sock=self.sock,
            use_tls=self.encryption == "ssl",
            start_tls=False,
            tls_context=self.context,
            timeout=self.timeout,
            local_hostname=ehlo_name,
        )
        self.stage = "tls" if self.encryption == "ssl" else "greeting"
        greeting = await self._greeting()
        if self.encryption == "ssl":
            self._note_tls()
        self.transcript.reply(greeting)
        self.stage = "ehlo"
        await self.smtp.ehlo()
        if self.encryption == "tls":
            if not self.smtp.supports_extension("starttls"):
                raise _Failure("starttls_not_offered")
            self.stage = "starttls"
            self.transcript.add("C: STARTTLS")
            response = await self.smtp.starttls()
            self.transcript.reply(response)
            self._note_tls()
            self.stage = "ehlo"
            await self.smtp.ehlo()

    async def _greeting(self):
        """Wait for the greeting; if it is slow, find out meanwhile whether the port wants SSL."""
        connecting = asyncio.ensure_future(self.smtp.connect())
        probing = None
        try:
            if self.encryption == "ssl":
                return await self._greeting_result(connecting)
            done, _ = await asyncio.wait({connecting}, timeout=min(3.0, self.timeout / 4))
            if done:
                return await self._greeting_result(connecting)
            probing = asyncio.ensure_future(_speaks_tls(self.address, self.port, self.host))
            done, _ = await asyncio.wait({connecting, probing}, return_when="FIRST_COMPLETED")
            if connecting in done:
                return await self._greeting_result(connecting)
            if not probing.exception() and probing.result():
                raise _Failure("plain_on_ssl_port")
            return await self._greeting_result(connecting)
        finally:
            for task in (connecting, probing):
                if task is not None and not task.done():
                    task.cancel()
                    with contextlib.suppress(BaseException):
                        await task

    async def _greeting_result(self, task):
        """Return the greeting of a finished connect(), recording a refusal as the reply."""
        try:
            return await task
        except aiosmtplib.SMTPConnectResponseError as exc:
            self.transcript.reply(exc)
            # A 5xx greeting (usually 554) refuses the connecting system itself.
            code = "temporary" if 400 <= exc.code < 500 else "sender_system_blocked"
            raise _Failure(code, reply=f"{exc.code} {exc.message}") from exc

    def _note_tls(self) -> None:
        self.tls = _tls_info(self.smtp)
        if self.tls:
            self.transcript.add(_tls_line(self.tls))

    async def close(self) -> None:
        """Say goodbye if possible and release the socket in every case."""
        transport = self.smtp.transport if self.smtp is not None else None
        if self.smtp is not None and self.smtp.is_connected:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(1):
                    await self.smtp.quit()
        if transport is not None:
            # abort, not close: a TLS close would wait for the peer's close_notify.
            transport.abort()
        if self.smtp is not None:
            self.smtp.close()
        for _ in range(3):
            await asyncio.sleep(0)
        if self.sock is not None and self.sock.fileno() != -1:
            self.sock.close()


def _oserror_text(exc: BaseException) -> str:
    """A short technical description of a connect error for the transcript."""
    if isinstance(exc, TimeoutError):
        return "Zeitüberschreitung"
    return exc.strerror or exc.__class__.__name__ if isinstance(exc, OSError) else str(exc)


def _enhanced_status(message: str) -> str:
    """Return the enhanced status code ("5.7.1") a reply text starts with, or ""."""
    match = _ENHANCED.match(message or "")
    return match.group(1) if match else ""


def _reply_code(code: int, message: str, when: str) -> str:
    """Classify a negative reply to MAIL, RCPT or DATA: by its text first, then by the step."""
    text = message or ""
    status = _enhanced_status(text)
    if status in SYSTEM_STATUS or SYSTEM_TEXT.search(text):
        return "sender_system_blocked"
    if 400 <= code < 500:
        return "temporary"
    if status in ENCRYPTION_STATUS or ENCRYPTION_TEXT.search(text):
        return "encryption_required"
    if status in SENDER_STATUS or SENDER_TEXT.search(text):
        return "sender_rejected"
    if code == 530 or status == "5.7.57" or AUTH_REQUIRED_TEXT.search(text):
        return "auth_required"
    if "relay" in text.lower():
        return "relay_denied"
    return {"mail": "sender_rejected", "rcpt": "recipient_rejected"}.get(when, "message_rejected")


def _auth_code(code: int, message: str, session: _Session, password: str | None) -> str:
    """Classify a refused login."""
    text = message or ""
    lower = text.lower()
    status = _enhanced_status(text)
    if "5.7.139" in text:
        if "security defaults" in lower:
            return "auth_m365_security_defaults"
        if "user is locked" in lower:
            return "auth_m365_locked"
        if "basic authentication is disabled" in lower:
            return "auth_m365_basic_disabled"
        return "auth_disabled_m365"
    if 400 <= code < 500:
        return "temporary"
    if code == 534 or status == "5.7.9" or "application-specific password" in lower:
        return "app_password_required"
    needs_tls = code in (530, 538) or status in ENCRYPTION_STATUS or ENCRYPTION_TEXT.search(text)
    if needs_tls and session.encryption == "none":
        return "auth_needs_encryption"
    if not password:
        return "password_missing"
    return "auth_failed"


def _chain_length(ssl_object) -> int | None:
    """How many certificates the server sent (None where Python cannot tell)."""
    getter = getattr(ssl_object, "get_unverified_chain", None) or getattr(
        getattr(ssl_object, "_sslobj", None), "get_unverified_chain", None
    )
    if getter is None:
        return None
    with contextlib.suppress(Exception):
        return len(getter() or ())
    return None


async def _certificate(
    session: _Session, deadline: float
) -> tuple[x509.Certificate | None, int | None]:
    """Fetch the peer certificate without verification, to name what was wrong with it."""
    if session.address is None or deadline - asyncio.get_running_loop().time() < 0.2:
        return None, None
    quiet = _Transcript()
    peek = _Session(
        session.host,
        session.port,
        session.encryption,
        context=_unverified_context(),
        transcript=quiet,
        ehlo_name=session.ehlo_name,
        timeout=session.timeout,
    )
    try:
        async with asyncio.timeout_at(deadline):
            await peek.connect([session.address])
            await peek.open()
            ssl_object = peek.smtp.get_transport_info("ssl_object")
            der = ssl_object.getpeercert(binary_form=True) if ssl_object else None
            chain = _chain_length(ssl_object) if ssl_object else None
    except Exception:
        return None, None
    finally:
        await peek.close()
    return (x509.load_der_x509_certificate(der) if der else None), chain


def _certificate_context(cert: x509.Certificate | None) -> dict:
    """Names, issuer and expiry of a certificate for the diagnosis texts."""
    if cert is None:
        return {}
    names = []
    with contextlib.suppress(x509.ExtensionNotFound):
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = san.get_values_for_type(x509.DNSName)
        names += [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
    if not names:
        names = [a.value for a in cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)]
    return {
        "cert_names": names,
        "issuer": cert.issuer.rfc4514_string(),
        "not_before": cert.not_valid_before_utc.date().isoformat(),
        "not_after": cert.not_valid_after_utc.date().isoformat(),
    }


async def _classify(
    exc: BaseException, session: _Session, deadline: float, password: str | None = None
) -> _Failure:
    """Turn any exception of the dialogue into a classified failure."""
    if isinstance(exc, _Failure):
        return exc
    if isinstance(exc, GuardError):
        return _Failure(exc.code, guard_message=exc.message)
    verify = _find(exc, ssl.SSLCertVerificationError)
    if verify is not None:
        detail = verify.verify_message or ""
        session.transcript.add(f"* TLS-Zertifikat abgelehnt: {detail or verify}")
        cert, chain = await _certificate(session, deadline)
        context = _certificate_context(cert)
        technical = f"Technische Meldung: {detail}."
        code = verify.verify_code
        if code in CERT_NOT_YET_VALID:
            return _Failure("cert_not_yet_valid", **context)
        if code in CERT_EXPIRED:
            return _Failure("cert_expired", **context)
        if code in CERT_NAME_MISMATCH:
            return _Failure("cert_hostname", **context)
        self_issued = cert is not None and cert.issuer == cert.subject
        if code in CERT_ISSUER_MISSING and not self_issued and (chain is None or chain <= 1):
            # Only the server's own certificate came: its intermediate is missing.
            return _Failure("cert_chain_incomplete", detail=technical, **context)
        if code in CERT_SELF_SIGNED or self_issued:
            technical = f"Das Zertifikat ist selbst ausgestellt. {technical}"
        return _Failure("cert_untrusted", detail=technical, **context)
    tls_error = _find(exc, ssl.SSLError)
    if tls_error is not None:
        reason = getattr(tls_error, "reason", "") or ""
        session.transcript.add(f"* TLS-Fehler: {reason or tls_error}")
        if session.encryption == "ssl" and reason in NOT_TLS_REASONS:
            return _Failure("ssl_on_plain_port")
        return _Failure("tls_error", detail=f"Technische Meldung: {reason or tls_error}.")
    if isinstance(exc, TimeoutError):
        return _timeout_failure(session)
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        code = _auth_code(exc.code, exc.message, session, password)
        return _Failure(code, reply=f"{exc.code} {exc.message}")
    if isinstance(exc, aiosmtplib.SMTPSenderRefused):
        return _Failure(
            _reply_code(exc.code, exc.message, "mail"), reply=f"{exc.code} {exc.message}"
        )
    if isinstance(exc, aiosmtplib.SMTPRecipientRefused):
        return _Failure(
            _reply_code(exc.code, exc.message, "rcpt"), reply=f"{exc.code} {exc.message}"
        )
    if isinstance(exc, aiosmtplib.SMTPDataError):
        return _Failure(
            _reply_code(exc.code, exc.message, "data"), reply=f"{exc.code} {exc.message}"
        )
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        refused = SYSTEM_TEXT.search(exc.message or "") or (
            session.stage in ("greeting", "ehlo") and exc.code >= 500
        )
        if refused:
            code = "sender_system_blocked"
        else:
            code = "temporary" if 400 <= exc.code < 500 else "unexpected"
        return _Failure(code, reply=f"{exc.code} {exc.message}")
    if session.stage == "connect" and isinstance(exc, OSError):
        if session.port == 25 and isinstance(exc, ConnectionRefusedError):
            return _Failure("port25_blocked")
        if isinstance(exc, ConnectionRefusedError):
            return _Failure("connection_refused")
        return _Failure("network_unreachable", detail=_oserror_text(exc))
    if isinstance(exc, aiosmtplib.SMTPServerDisconnected | ConnectionError):
        return _Failure("unexpected", detail="Der Server hat die Verbindung unerwartet beendet.")
    if isinstance(exc, aiosmtplib.SMTPException) and session.stage == "auth":
        if session.smtp is not None and session.smtp.supports_extension("auth"):
            return _Failure("auth_methods_unsupported", methods=_auth_methods(session.smtp))
        return _Failure("auth_not_offered")
    log.warning("SMTP test failed unexpectedly: %s", exc.__class__.__name__)
    return _Failure("unexpected", detail=f"Technische Meldung: {exc.__class__.__name__}.")


def _timeout_failure(session: _Session) -> _Failure:
    """Classify a timeout by the step that was running."""
    if session.stage == "dns":
        return _Failure("dns_unavailable")
    if session.stage == "connect":
        return _Failure("port25_blocked" if session.port == 25 else "timeout")
    if session.stage == "greeting":
        return _Failure("no_greeting")
    if session.stage == "tls":
        return _Failure(
            "timeout",
            detail="Die verschlüsselte Verbindung (SSL) kam nicht zustande. Spricht der "
            "Server auf diesem Port unverschlüsselt, wählen Sie „TLS“ mit Port 587.",
        )
    return _Failure("timeout")


async def run_smtp_test(
    settings: SmtpSettings,
    password: str | None,
    *,
    confirm_url: str,
    customer_name: str,
    timeout: float,
    allowed_ports,
    allowed_networks,
    nameservers,
    ca_file: str | None,
    allow_plain_password: bool = False,
    ehlo_name: str | None = None,
) -> SmtpResult:
    """Send the test mail with the customer's settings and return what happened."""
    started = time.monotonic()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    transcript = _Transcript(_secret_forms(settings.username, password), password)
    session = _Session(
        settings.host,
        settings.port,
        settings.encryption,
        context=None,
        transcript=transcript,
        ehlo_name=ehlo_name,
        timeout=timeout,
    )
    failure: _Failure | None = None
    reply = ""
    try:
        try:
            async with asyncio.timeout_at(deadline):
                reply = await _dialogue(
                    session,
                    settings,
                    password,
                    confirm_url=confirm_url,
                    customer_name=customer_name,
                    allowed_ports=allowed_ports,
                    allowed_networks=allowed_networks,
                    nameservers=nameservers,
                    ca_file=ca_file,
                    allow_plain_password=allow_plain_password,
                )
        except Exception as exc:
            failure = await _classify(exc, session, deadline, password)
    finally:
        await session.close()
    code = failure.code if failure else "ok"
    if failure:
        reply = failure.reply
        transcript.add(f"* Ergebnis: {code}")
    reply = transcript.scrub_reply(reply)
    context = dict(failure.context) if failure else {}
    if "detail" in context:
        context["detail"] = transcript.scrub_reply(context["detail"])
    guard_message = context.pop("guard_message", None)
    suggested, suggested_port = SUGGESTION.get(settings.encryption, ("tls", 587))
    diagnosis = describe(
        code,
        host=session.host,
        port=settings.port,
        address=str(session.address or ""),
        reply=reply,
        sender=settings.sender,
        recipient=settings.recipient,
        username=settings.username,
        suggested_encryption=ENCRYPTION_LABELS[suggested],
        suggested_port=suggested_port,
        authenticated=session.authenticated,
        **context,
    )
    log.info("SMTP test to port %s finished: %s", settings.port, code)
    return SmtpResult(
        ok=failure is None,
        code=code,
        title=diagnosis.title,
        message=transcript.scrub(guard_message or diagnosis.message),
        next_step=diagnosis.next_step,
        transcript=tuple(transcript.lines),
        tls=session.tls,
        duration_ms=int((time.monotonic() - started) * 1000),
        address=str(session.address or ""),
        reply=reply,
    )


async def _dialogue(
    session: _Session,
    settings: SmtpSettings,
    password: str | None,
    *,
    confirm_url,
    customer_name,
    allowed_ports,
    allowed_networks,
    nameservers,
    ca_file,
    allow_plain_password,
) -> str:
    """Run the whole SMTP dialogue; return the final server reply or raise."""
    host, _ = normalize_host(settings.host)
    session.host = host
    if settings.encryption not in ENCRYPTION_LABELS:
        raise _Failure("unexpected", detail="Unbekannte Verschlüsselung.")
    if settings.encryption == "none" and password and not allow_plain_password:
        raise _Failure("plain_password_unconfirmed")
    addresses = await vet(
        host,
        settings.port,
        allowed_ports=allowed_ports,
        allowed_networks=allowed_networks,
        nameservers=nameservers,
        timeout=session.timeout,
    )
    if settings.encryption != "none":
        session.context = await asyncio.to_thread(tls_context, ca_file)
    await session.connect(addresses)
    await session.open()
    smtp = session.smtp
    if settings.username:
        session.stage = "auth"
        if not smtp.supports_extension("auth"):
            plain = settings.encryption == "none"
            if plain and smtp.supports_extension("starttls"):
                raise _Failure("auth_needs_encryption")
            raise _Failure(
                "auth_not_offered",
                detail="Ohne Verschlüsselung bieten viele Server keine Anmeldung an."
                if plain
                else "",
            )
        if not smtp.supported_auth_methods:
            raise _Failure("auth_methods_unsupported", methods=_auth_methods(smtp))
        if not password:
            # Sending an empty password would only earn a 535 (and count as a failed login).
            raise _Failure("password_missing")
        await smtp.login(settings.username, password)
        session.authenticated = True
    session.stage = "mail"
    await smtp.mail(settings.sender)
    session.stage = "rcpt"
    await smtp.rcpt(settings.recipient)
    session.stage = "data"
    message = build_test_mail(settings, confirm_url=confirm_url, customer_name=customer_name)
    data = message.as_bytes(policy=email.policy.SMTP)
    session.transcript.add("C: DATA")
    response = await smtp.data(data)
    session.transcript.add(f"C: [Testmail, {len(data)} Bytes]")
    session.transcript.reply(response)
    session.stage = "quit"
    return f"{response.code} {response.message}"


def _auth_methods(smtp: aiosmtplib.SMTP) -> str:
    """The login methods the server offers, as the server names them."""
    return ", ".join(method.upper() for method in smtp.server_auth_methods) or "keine"


async def probe_settings(
    host: str,
    *,
    timeout,
    allowed_ports,
    allowed_networks,
    nameservers,
    ca_file,
    ports=((465, "ssl"), (587, "tls"), (25, "tls")),
) -> list[Probe]:
    """Try each port/encryption pair in parallel up to the TLS handshake, without login."""
    try:
        name, _ = normalize_host(host)
    except GuardError as exc:
        return [Probe(p, e, False, exc.code, exc.message, None) for p, e in ports]
    context = await asyncio.to_thread(tls_context, ca_file)
    return list(
        await asyncio.gather(
            *(
                _probe(
                    name,
                    port,
                    encryption,
                    context=context,
                    timeout=timeout,
                    allowed_ports=allowed_ports,
                    allowed_networks=allowed_networks,
                    nameservers=nameservers,
                )
                for port, encryption in ports
            )
        )
    )


async def _probe(host, port, encryption, *, context, timeout, **guard) -> Probe:
    """Greeting, EHLO and TLS on one port; return whether that combination works."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    session = _Session(
        host,
        port,
        encryption,
        context=context,
        transcript=_Transcript(),
        ehlo_name=None,
        timeout=timeout,
    )
    failure = None
    try:
        try:
            async with asyncio.timeout_at(deadline):
                addresses = await vet(host, port, timeout=timeout, **guard)
                await session.connect(addresses)
                await session.open()
                offers_auth = session.smtp.supports_extension("auth")
                methods = _auth_methods(session.smtp)
                usable = bool(session.smtp.supported_auth_methods)
        except Exception as exc:
            failure = await _classify(exc, session, deadline)
    finally:
        await session.close()
    label = ENCRYPTION_LABELS[encryption]
    if failure is None and not offers_auth:
        without = " ohne Verschlüsselung" if encryption == "none" else ""
        message = (
            f"Port {port} mit Verschlüsselung „{label}“ funktioniert, bietet aber{without} "
            "keine Anmeldung an – für den Versand mit Nutzer und Passwort ist das nicht "
            "geeignet."
        )
        return Probe(port, encryption, False, "auth_not_offered", message, session.tls, False)
    if failure is None and not usable:
        message = (
            f"Port {port} mit Verschlüsselung „{label}“ funktioniert, bietet aber nur "
            f"Anmeldeverfahren an, die PRINT PPS nicht nutzen kann ({methods})."
        )
        return Probe(
            port, encryption, False, "auth_methods_unsupported", message, session.tls, False
        )
    if failure is None:
        message = f"Port {port} mit Verschlüsselung „{label}“ funktioniert."
        return Probe(port, encryption, True, "ok", message, session.tls)
    context_ = dict(failure.context)
    guard_message = context_.pop("guard_message", None)
    diagnosis = describe(
        failure.code,
        host=host,
        port=port,
        address=str(session.address or ""),
        reply=failure.reply,
        **context_,
    )
    message = guard_message or diagnosis.message
    return Probe(port, encryption, False, failure.code, message, session.tls)
