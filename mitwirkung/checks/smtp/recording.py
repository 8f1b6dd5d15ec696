"""The aiosmtplib client of the SMTP test: it writes every command it sends and every reply it
reads into the transcript (AUTH payloads redacted where they are written), and answers AUTH
LOGIN's prompts as the server asks (RFC 4954 §4)."""

from __future__ import annotations

import base64

import aiosmtplib
from aiosmtplib.auth import auth_login_encode
from aiosmtplib.typing import Default, SMTPStatus

from .transcript import REDACTED, Transcript


class RecordingSMTP(aiosmtplib.SMTP):
    """aiosmtplib client that writes every command it sends and every reply it reads.

    Replies are recorded where the protocol reads them, so those of the DATA phase and of
    STARTTLS are there too; the 221 aiosmtplib makes up when the server hangs up after QUIT
    is not. data_started: the server answered DATA with 354 (RFC 5321 §4.1.1.4).
    """

    def __init__(self, transcript: Transcript, **kwargs):
        super().__init__(**kwargs)
        self.transcript = transcript
        self._in_auth = False
        self.data_started = False
        self.after_354: str | None = None

    async def connect(self, **kwargs):
        response = await super().connect(**kwargs)
        self._record_replies()
        return response

    def _record_replies(self) -> None:
        protocol = self.protocol
        read = protocol.read_response

        async def read_response(timeout=None):
            response = await read(timeout=timeout)
            invented = response.code == 221 and not response.message and not protocol.transport
            if not invented:
                self.transcript.reply(response)
            if response.code == 354:
                self.data_started = True
                if self.after_354:
                    self.transcript.add(self.after_354)
            return response

        protocol.read_response = read_response

    async def execute_command(self, *args: bytes, timeout=Default.token):
        verb = args[0].upper() if args else b""
        if verb == b"AUTH":
            self._in_auth = True
            mechanism = args[1].decode("ascii", "replace") if len(args) > 1 else ""
            shown = f"C: AUTH {mechanism}" + (f" {REDACTED}" if len(args) > 2 else "")
        elif self._in_auth and verb != b"QUIT":
            shown = f"C: {REDACTED}"
        else:
            shown = "C: " + b" ".join(args).decode("utf-8", "replace")
        self.transcript.add(shown)
        try:
            response = await super().execute_command(*args, timeout=timeout)
        finally:
            self._in_auth = False
        if response.code == 334 and verb != b"QUIT":
            self._in_auth = True
        return response

    async def auth_login(self, username: str, password: str, /, *, timeout=Default.token):
        """AUTH LOGIN answering each prompt the server sends, as it asks.

        aiosmtplib sends the user name with the AUTH command (an initial response, RFC 4954
        §4) and then the password to whatever comes; a server that ignores the initial
        response and asks "Username:" again would get the password as user name. Here AUTH
        LOGIN goes without initial response, and each 334 challenge (base64, RFC 4954 §4) is
        read: one naming the user ("Username:", "User Name") gets the user name, one naming
        the password gets the password; an unnamed first prompt the user name, later ones
        the password. The password goes once (a 334 after it ends the exchange); at most
        four prompts. Raises SMTPAuthenticationError for any reply
        other than 334/235, ValueError for a challenge that is no base64.
        """
        user, secret = auth_login_encode(username, password)
        response = await self.execute_command(b"AUTH", b"LOGIN", timeout=timeout)
        prompts = 0
        while response.code == SMTPStatus.auth_continue and prompts < 4:
            prompt = base64.b64decode(response.message.strip(), validate=True)
            words = prompt.decode("utf-8", "replace").lower()
            if "pass" in words or "kennwort" in words:
                answer = secret
            elif "user" in words or "name" in words or prompts == 0:
                answer = user
            else:
                answer = secret
            prompts += 1
            response = await self.execute_command(answer, timeout=timeout)
            if answer is secret:
                break  # the password goes once; a further 334 is no answer to AUTH
        if response.code != SMTPStatus.auth_successful:
            raise aiosmtplib.SMTPAuthenticationError(response.code, response.message)
        return response

    def close(self) -> None:
        """Abort, not close: a TLS close would wait for the peer's close_notify, and
        aiosmtplib closes by itself on a broken reply, where Session.close() cannot reach."""
        if self.transport is not None:
            self.transport.abort()
        super().close()

    async def send_data(self, message: bytes, shown: str):
        """DATA, the message and its end (RFC 5321 §4.1.1.4); shown stands in for the message."""
        self.transcript.add("C: DATA")
        self.after_354 = shown
        return await self.data(message)
