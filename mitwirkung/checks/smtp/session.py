"""The SMTP session up to where mail can be sent: greeting, EHLO (or HELO), STARTTLS."""

from __future__ import annotations

import asyncio
import contextlib
import ssl

import aiosmtplib

from mitwirkung.checks.diagnose import line
from mitwirkung.checks.netguard import IPAddress, parse_ip_literal

from .classify import Failure, find
from .connect import alert_after_starttls, connect_first, greets_in_plain, speaks_tls
from .recording import RecordingSMTP
from .replies import UNKNOWN_COMMAND, ehlo_refusal, transient
from .tls import (
    Handshake,
    TlsInfo,
    client_cert_context,
    diagnosis_context,
    handshake_of,
    tls_info,
    tls_line,
)
from .tls_failures import CLIENT_CERT_REFUSED, reason_of
from .transcript import Transcript


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
        self.said = ""  # the greeting and EHLO replies: which provider's server this is

    async def connect(self, addresses: list[IPAddress]) -> None:
        """Open the TCP connection to the first vetted address that answers."""
        self.stage = "connect"

        def note(line, address):
            self.address = address
            self.transcript.note(line)  # the product's words and the vetted address

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
        if self.encryption == "ssl" and self.tls is None:
            self._note_tls()
        self.transcript.reply(greeting)
        self.said = greeting.message or ""
        await self._hello()
        if self.encryption == "tls":
            if not self.extended:
                raise Failure("ehlo_unsupported")
            if not self.smtp.supports_extension("starttls"):
                raise Failure("starttls_not_offered")
            self.stage = "starttls"
            self.transcript.add("C: STARTTLS")
            await self.smtp.starttls()
            self._note_tls()
            await self._hello(after_tls=True)

    async def _hello(self, *, after_tls: bool = False) -> None:
        """EHLO; HELO instead only where EHLO is not known (RFC 5321 §3.2: 500 or 502).

        Any other refusal (a policy such as "550 5.7.1 cannot find your reverse hostname",
        or EHLO refused after STARTTLS) is the verdict, with the server's reply.
        """
        self.stage = "ehlo_tls" if after_tls else "ehlo"
        try:
            response = await self.smtp.ehlo()
            self.said += "\n" + (response.message or "")
        except aiosmtplib.SMTPHeloError as exc:
            if exc.code not in UNKNOWN_COMMAND or after_tls:
                raise Failure(ehlo_refusal(exc.code, exc.message, after_tls),
                              reply=f"{exc.code} {exc.message}") from exc  # fmt: skip
            self.transcript.note(line("helo_fallback"))
            self.stage = "helo"
            await self.smtp.helo()
            self.extended = False

    async def _greeting(self):
        """Wait for the greeting; if it is slow, find out meanwhile whether the port wants SSL."""
        connecting = asyncio.ensure_future(self.smtp.connect())
        probing = None
        try:
            if self.encryption == "ssl":
                # aiosmtplib sets its transport once the handshake is done: from then on a
                # missing greeting is the server's, not a wrong choice of SSL.
                while self.smtp.transport is None and not connecting.done():
                    await asyncio.wait({connecting}, timeout=0.05)
                if not connecting.done():
                    self._note_tls()
                    self.stage = "greeting"
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
            code = (  # RFC 5321 §4.2.1: a 4yz greeting is transient, whatever its text
                transient(exc.code, exc.message)
                if 400 <= exc.code < 500
                else "sender_system_blocked"
            )
            raise Failure(code, reply=f"{exc.code} {exc.message}") from exc

    def offers_auth(self) -> bool:
        """Whether the server's last EHLO offered AUTH (RFC 4954 §3)."""
        return bool(self.smtp and self.smtp.is_connected and self.smtp.supports_extension("auth"))

    def _note_tls(self) -> None:
        self.tls = tls_info(self.smtp.get_transport_info("ssl_object"))
        if self.tls:
            self.transcript.add(tls_line(self.tls))

    async def peek(self) -> Handshake | None:
        """Handshake again without verification and with every version and cipher allowed.

        Only to name what failed (the certificate, an outdated version, an old cipher);
        None when there is no time left or even this handshake fails.
        """
        return await self._second_handshake(
            diagnosis_context(),
            judge=lambda ssl_object: handshake_of(ssl_object) if ssl_object else None,
            failed=lambda exc: None,
            late=None,
        )

    async def asks_client_cert(self) -> bool:
        """Whether the server insists on a client certificate.

        Called after a handshake and peek() failed with handshake_failure, which TLS 1.2
        servers also send when the client has no certificate (RFC 5246 §7.4.6). A handshake
        offering a throwaway certificate then gets further (or an alert about that
        certificate); a server without a shared cipher fails it the same way as before.
        """

        def refused(exc: BaseException) -> bool:
            error = find(exc, ssl.SSLError)
            return error is not None and reason_of(error) in CLIENT_CERT_REFUSED

        return await self._second_handshake(
            client_cert_context(),
            judge=lambda ssl_object: ssl_object is not None,
            failed=refused,
            late=False,
        )

    async def _second_handshake(self, context, *, judge, failed, late):
        """Open a second session to the vetted address with another TLS context, within the
        test's deadline; return judge(ssl object or None), failed(exception), or late when
        less than 0.2 s are left."""
        loop = asyncio.get_running_loop()
        deadline = self.deadline or loop.time() + self.timeout
        if self.address is None or deadline - loop.time() < 0.2:
            return late
        other = Session(self.host, self.port, self.encryption, context=context,
                        transcript=Transcript(), ehlo_name=self.ehlo_name,
                        timeout=self.timeout)  # fmt: skip
        try:
            async with asyncio.timeout_at(deadline):
                await other.connect([self.address])
                await other.open()
                return judge(other.smtp.get_transport_info("ssl_object"))
        except Exception as exc:
            return failed(exc)
        finally:
            await other.close()

    async def alert_after_starttls(self) -> str:
        """The TLS alert the server sends right after STARTTLS when we only listen, or ""."""
        loop = asyncio.get_running_loop()
        deadline = self.deadline or loop.time() + self.timeout
        wait = min(3.0, deadline - loop.time() - 0.1)
        if self.address is None or wait <= 0:
            return ""
        name = None if parse_ip_literal(self.host) else self.host
        with contextlib.suppress(OSError):
            return await alert_after_starttls(self.address, self.port, name, self.ehlo_name, wait)
        return ""

    async def greets_in_plain(self) -> bool:
        """Whether this port greets a plain connection (waiting 3 s or a quarter of timeout)."""
        loop = asyncio.get_running_loop()
        deadline = self.deadline or loop.time() + self.timeout
        wait = min(3.0, self.timeout / 4, deadline - loop.time() - 0.1)
        if self.address is None or wait <= 0:
            return False
        with contextlib.suppress(OSError):
            return await greets_in_plain(self.address, self.port, wait)
        return False

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
