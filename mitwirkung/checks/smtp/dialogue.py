"""The SMTP dialogue: greeting, EHLO (or HELO), STARTTLS, one AUTH, MAIL, RCPT, DATA."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass

import aiosmtplib
from aiosmtplib.typing import Default

from mitwirkung.checks.diagnose import ENCRYPTION_LABELS, describe
from mitwirkung.checks.netguard import GuardError, IPAddress, normalize_host, vet

from .classify import Failure, classify
from .connect import connect_first, speaks_tls
from .message import AddressError, build_test_mail, parse_mailbox, serialise
from .tls import Handshake, TlsInfo, diagnosis_context, handshake_of, tls_context, tls_info
from .tls import tls_line as _tls_line
from .transcript import REDACTED, Transcript

log = logging.getLogger(__name__)

SUGGESTION = {"ssl": ("tls", 587), "tls": ("ssl", 465), "none": ("ssl", 465)}
# The one AUTH mechanism tried (RFC 4954), best first. Over TLS PLAIN (RFC 4616) needs one
# round trip and carries UTF-8; without TLS CRAM-MD5 keeps the password off the wire.
MECHANISMS_TLS = ("PLAIN", "LOGIN", "CRAM-MD5")
MECHANISMS_PLAIN = ("CRAM-MD5", "PLAIN", "LOGIN")


@dataclass(frozen=True)
class SmtpSettings:
    """What the customer entered. login=False: the server needs no AUTH (it admits by IP)."""

    host: str
    port: int
    encryption: str  # "ssl" | "tls" | "none"
    username: str
    sender: str
    recipient: str
    login: bool = True


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


class RecordingSMTP(aiosmtplib.SMTP):
    """aiosmtplib client that writes every command and reply to a transcript."""

    def __init__(self, transcript: Transcript, **kwargs):
        super().__init__(**kwargs)
        self.transcript = transcript
        self._in_auth = False
        self.auth_commands = 0

    async def execute_command(self, *args: bytes, timeout=Default.token):
        verb = args[0].upper() if args else b""
        if verb == b"AUTH":
            self._in_auth = True
            self.auth_commands += 1
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


class Session:
    """One SMTP connection: connect, greeting, EHLO/HELO, TLS; shared by test and probe."""

    def __init__(self, host, port, encryption, *, context, transcript, ehlo_name, timeout,
                 deadline=None):  # fmt: skip
        self.host = host
        self.port = port
        self.encryption = encryption
        self.context = context
        self.transcript = transcript
        self.ehlo_name = ehlo_name
        self.timeout = timeout
        self.deadline = deadline
        self.stage = "dns"
        self.address: IPAddress | None = None
        self.smtp: RecordingSMTP | None = None
        self.sock = None
        self.tls: TlsInfo | None = None
        self.extended = True  # the server accepted EHLO (RFC 5321 §3.2)
        self.authenticated = False

    async def connect(self, addresses: list[IPAddress]) -> None:
        """Open the TCP connection to the first vetted address that answers."""
        self.stage = "connect"

        def note(line, address):
            self.address = address
            self.transcript.add(line)

        self.address, self.sock = await connect_first(addresses, self.port, self.timeout, note)

    async def open(self) -> None:
        """Greeting, EHLO (HELO if EHLO is not understood) and TLS as the encryption demands."""
        local = self.sock.getsockname()[0]
        ehlo_name = self.ehlo_name or (f"[IPv6:{local}]" if ":" in local else f"[{local}]")
        self.smtp = RecordingSMTP(
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
        await self._hello()
        if self.encryption == "tls":
            if not self.extended:
                raise Failure("ehlo_unsupported")
            if not self.smtp.supports_extension("starttls"):
                raise Failure("starttls_not_offered")
            self.stage = "starttls"
            self.transcript.add("C: STARTTLS")
            try:
                response = await self.smtp.starttls()
            except aiosmtplib.SMTPResponseException as exc:
                self.transcript.reply(exc)
                raise
            self.transcript.reply(response)
            self._note_tls()
            await self._hello()

    async def _hello(self) -> None:
        """EHLO; on a 5xx reply HELO instead (RFC 5321 §3.2), which offers no extensions."""
        self.stage = "ehlo"
        try:
            await self.smtp.ehlo()
        except aiosmtplib.SMTPHeloError as exc:
            if exc.code < 500:
                raise
            self.transcript.add("* Der Server versteht EHLO nicht, weiter mit HELO (RFC 5321 §3.2)")
            self.stage = "helo"
            await self.smtp.helo()
            self.extended = False

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
            probing = asyncio.ensure_future(speaks_tls(self.address, self.port, self.host))
            done, _ = await asyncio.wait({connecting, probing}, return_when="FIRST_COMPLETED")
            if connecting in done:
                return await self._greeting_result(connecting)
            if not probing.exception() and probing.result():
                raise Failure("plain_on_ssl_port")
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
            raise Failure(code, reply=f"{exc.code} {exc.message}") from exc

    def _note_tls(self) -> None:
        self.tls = tls_info(self.smtp.get_transport_info("ssl_object"))
        if self.tls:
            self.transcript.add(_tls_line(self.tls))

    async def peek(self) -> Handshake | None:
        """Handshake again without verification and with every version and cipher allowed.

        Only to name what failed (the certificate, an outdated version, an old cipher);
        None when there is no time left or even this handshake fails.
        """
        loop = asyncio.get_running_loop()
        deadline = self.deadline or loop.time() + self.timeout
        if self.address is None or deadline - loop.time() < 0.2:
            return None
        other = Session(self.host, self.port, self.encryption, context=diagnosis_context(),
                        transcript=Transcript(), ehlo_name=self.ehlo_name,
                        timeout=self.timeout)  # fmt: skip
        try:
            async with asyncio.timeout_at(deadline):
                await other.connect([self.address])
                await other.open()
                ssl_object = other.smtp.get_transport_info("ssl_object")
                return handshake_of(ssl_object) if ssl_object else None
        except Exception:
            return None
        finally:
            await other.close()

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


def _mailbox(value: str, role: str):
    try:
        return parse_mailbox(value)
    except AddressError as exc:
        raise Failure("address_invalid", role=role, detail=exc.message) from None


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
    """Send the test mail with the customer's settings and return what happened.

    timeout: seconds for the whole test. At most one AUTH command is sent (RFC 4954), and
    only when settings.login and settings.username are set. Never raises for bad input:
    every outcome is an SmtpResult whose code is a failure class of diagnose.TABLE.
    """
    started = time.monotonic()
    deadline = asyncio.get_running_loop().time() + timeout
    transcript = Transcript(settings.username, password)
    session = Session(settings.host, settings.port, settings.encryption, context=None,
                      transcript=transcript, ehlo_name=ehlo_name, timeout=timeout,
                      deadline=deadline)  # fmt: skip
    failure: Failure | None = None
    reply = ""
    try:
        try:
            async with asyncio.timeout_at(deadline):
                reply = await _dialogue(
                    session, settings, password, confirm_url=confirm_url,
                    customer_name=customer_name, allowed_ports=allowed_ports,
                    allowed_networks=allowed_networks, nameservers=nameservers,
                    ca_file=ca_file, allow_plain_password=allow_plain_password,
                )  # fmt: skip
        except Exception as exc:
            failure = await classify(exc, session)
    finally:
        await session.close()
    code = failure.code if failure else ("ok" if session.authenticated else "ok_without_login")
    context = dict(failure.context) if failure else {}
    guard_message = context.pop("guard_message", None)
    suggested, suggested_port = SUGGESTION.get(settings.encryption, ("tls", 587))
    diagnosis = describe(
        code,
        host=session.host,
        port=settings.port,
        address=str(session.address or ""),
        reply=transcript.scrub(failure.reply if failure else ""),
        sender=_shown(settings.sender),
        recipient=_shown(settings.recipient),
        username=settings.username,
        suggested_encryption=ENCRYPTION_LABELS[suggested],
        suggested_port=suggested_port,
        authenticated=session.authenticated,
        login_chosen=settings.login,
        **context,
    )
    if failure:
        reply = failure.reply
        transcript.add(f"* Ergebnis: {diagnosis.title}")
    log.info("SMTP test to port %s finished: %s", settings.port, code)
    return SmtpResult(
        ok=failure is None,
        code=code,
        title=transcript.scrub(diagnosis.title),
        message=transcript.scrub(guard_message or diagnosis.message),
        next_step=transcript.scrub(diagnosis.next_step),
        transcript=tuple(transcript.lines),
        tls=session.tls,
        duration_ms=int((time.monotonic() - started) * 1000),
        address=str(session.address or ""),
        reply=transcript.scrub(reply),
    )


def _shown(value: str) -> str:
    try:
        return parse_mailbox(value).shown
    except AddressError:
        return value


async def _dialogue(session: Session, settings: SmtpSettings, password: str | None, *,
                    confirm_url, customer_name, allowed_ports, allowed_networks, nameservers,
                    ca_file, allow_plain_password) -> str:  # fmt: skip
    """Run the whole SMTP dialogue; return the final server reply or raise."""
    host, _ = normalize_host(settings.host)
    session.host = host
    if settings.encryption not in ENCRYPTION_LABELS:
        raise Failure("unexpected", detail="Unbekannte Verschlüsselung.")
    sender = _mailbox(settings.sender, "Absenderadresse")
    recipient = _mailbox(settings.recipient, "Empfänger der Testmail")
    login = settings.login and bool(settings.username)
    if login and settings.encryption == "none" and password and not allow_plain_password:
        raise Failure("plain_password_unconfirmed")
    addresses = await vet(host, settings.port, allowed_ports=allowed_ports,
                          allowed_networks=allowed_networks, nameservers=nameservers,
                          timeout=session.timeout)  # fmt: skip
    if settings.encryption != "none":
        session.context = await asyncio.to_thread(tls_context, ca_file)
    await session.connect(addresses)
    await session.open()
    smtp = session.smtp
    if login:
        session.stage = "auth"
        await _authenticate(session, settings.username, password, allow_plain_password)
    utf8 = sender.needs_smtputf8 or recipient.needs_smtputf8
    if utf8 and not smtp.supports_extension("smtputf8"):
        needy = sender if sender.needs_smtputf8 else recipient
        role = "Absenderadresse" if needy is sender else "Empfänger der Testmail"
        raise Failure("smtputf8_missing", role=role, mailbox=needy.shown)
    options = ["SMTPUTF8"] if utf8 else []
    if utf8 and smtp.supports_extension("8bitmime"):
        options.append("BODY=8BITMIME")
    encoding = "utf-8" if utf8 else "ascii"
    session.stage = "mail"
    await smtp.mail(sender.wire, options=options, encoding=encoding)
    session.stage = "rcpt"
    await smtp.rcpt(recipient.wire, encoding=encoding)
    session.stage = "data"
    message = build_test_mail(settings, confirm_url=confirm_url, customer_name=customer_name)
    data = serialise(message, utf8=utf8)
    session.transcript.add("C: DATA")
    response = await smtp.data(data)
    session.transcript.add(f"C: [Testmail, {len(data)} Bytes]")
    session.transcript.reply(response)
    session.stage = "quit"
    return f"{response.code} {response.message}"


def choose_mechanism(offered, *, encrypted: bool) -> str | None:
    """The best offered AUTH mechanism PRINT PPS can use, or None (RFC 4954 §4)."""
    names = {name.upper() for name in offered}
    order = MECHANISMS_TLS if encrypted else MECHANISMS_PLAIN
    return next((name for name in order if name in names), None)


async def _authenticate(session: Session, username: str, password, allow_plain: bool) -> None:
    """Exactly one AUTH command with the best offered mechanism; its reply is the verdict."""
    smtp = session.smtp
    if not session.extended:
        raise Failure("ehlo_unsupported")
    if not smtp.supports_extension("auth"):
        plain = session.encryption == "none"
        if plain and smtp.supports_extension("starttls"):
            raise Failure("auth_needs_encryption")
        raise Failure(
            "auth_not_offered",
            detail="Ohne Verschlüsselung bieten viele Server keine Anmeldung an." if plain else "",
        )
    encrypted = session.encryption != "none"
    mechanism = choose_mechanism(smtp.server_auth_methods, encrypted=encrypted)
    if mechanism in ("PLAIN", "LOGIN") and not encrypted and not allow_plain:
        mechanism = None
    if mechanism is None:
        raise Failure("auth_methods_unsupported", methods=auth_methods(smtp))
    if not password:
        # Sending an empty password would only earn a 535 (and count as a failed login).
        raise Failure("password_missing")
    method = getattr(smtp, "auth_" + mechanism.lower().replace("-", ""))
    await method(username, password)
    session.authenticated = True


def auth_methods(smtp: aiosmtplib.SMTP) -> str:
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
                )  # fmt: skip
                for port, encryption in ports
            )
        )
    )


async def _probe(host, port, encryption, *, context, timeout, **guard) -> Probe:
    """Greeting, EHLO and TLS on one port; return whether that combination works."""
    deadline = asyncio.get_running_loop().time() + timeout
    session = Session(host, port, encryption, context=context, transcript=Transcript(),
                      ehlo_name=None, timeout=timeout, deadline=deadline)  # fmt: skip
    failure = None
    try:
        try:
            async with asyncio.timeout_at(deadline):
                addresses = await vet(host, port, timeout=timeout, **guard)
                await session.connect(addresses)
                await session.open()
                offers_auth = session.smtp.supports_extension("auth")
                methods = auth_methods(session.smtp)
                usable = choose_mechanism(session.smtp.server_auth_methods, encrypted=True)
        except Exception as exc:
            failure = await classify(exc, session)
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
    diagnosis = describe(failure.code, host=host, port=port, address=str(session.address or ""),
                         reply=session.transcript.scrub(failure.reply), **context_)  # fmt: skip
    message = guard_message or diagnosis.message
    return Probe(port, encryption, False, failure.code, message, session.tls)
