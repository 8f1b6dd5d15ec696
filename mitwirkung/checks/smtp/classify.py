"""Failure classes of the SMTP test: every exception of the dialogue -> one class (a reply's
class is read in replies.py).

The German wording for each class lives in mitwirkung/checks/diagnose.py.
"""

from __future__ import annotations

import logging
import ssl

import aiosmtplib

from mitwirkung.checks.diagnose import TECHNICAL, line
from mitwirkung.checks.netguard import GuardError

from .connect import oserror_text
from .replies import (
    SYSTEM_STATUS,
    SYSTEM_TEXT,
    auth_code,
    enhanced_status,
    reply_code,
    transient,
)
from .tls_failures import (
    CLIENT_CERT_REASONS,
    NOT_TLS_REASONS,
    handshake_failure,
    reason_of,
    verify_failure,
)

log = logging.getLogger(__name__)

# TLS errors that only say: the connection ended inside the handshake.
CLOSED_ERRORS = (ssl.SSLEOFError, ssl.SSLWantReadError, ssl.SSLSyscallError, ssl.SSLZeroReturnError)


class Failure(Exception):
    """A classified failure raised inside the dialogue."""

    def __init__(self, code: str, reply: str = "", **context):
        super().__init__(code)
        self.code = code
        self.reply = reply
        self.context = context


def find(exc: BaseException | None, kind: type) -> BaseException | None:
    """Return the first exception of kind in exc's cause/context chain."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, kind):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def route_proven(session) -> bool:
    """Whether the server already answered over the chosen port and encryption: after the
    greeting over implicit TLS or in plain text, after EHLO over TLS for STARTTLS."""
    if session.stage in ("connect", "dns", "tls", "greeting", "starttls"):
        return False
    if session.encryption == "tls":
        return session.stage not in ("ehlo", "helo")
    return True


def _reply(exc) -> str:
    return f"{exc.code} {exc.message}"


async def classify(exc: BaseException, session) -> Failure:
    """Turn any exception of the dialogue into a classified failure.

    session: the dialogue's Session (stage, encryption, transcript, peek()).
    """
    if isinstance(exc, Failure):
        return exc
    if isinstance(exc, GuardError):
        return Failure(exc.code, guard_message=exc.message, guard_context=exc.context)
    verify = find(exc, ssl.SSLCertVerificationError)
    if verify is not None:
        detail = session.transcript.mask(str(verify.verify_message or verify))
        session.transcript.note(line("cert_refused", detail=detail))
        code, context = verify_failure(verify, await session.peek(), session.host)
        return Failure(code, **context)
    if isinstance(exc, TimeoutError):
        return timeout_failure(session)
    tls_error = find(exc, ssl.SSLError)
    # STARTTLS answered with 220 (any other reply raised SMTPResponseException): the
    # handshake is what failed.
    in_handshake = session.stage in ("tls", "starttls") and not isinstance(
        exc, aiosmtplib.SMTPResponseException
    )
    if tls_error is not None or (in_handshake and isinstance(exc, ConnectionError | EOFError)):
        if tls_error is None or isinstance(tls_error, CLOSED_ERRORS):
            reason = "UNEXPECTED_EOF_WHILE_READING"
        else:
            reason = reason_of(tls_error)
        session.transcript.note(line("tls_failed", reason=session.transcript.mask(reason)))
        # A second handshake that accepts anything names what the server does speak; a
        # server that only hangs up may still have lost its alert on the way.
        seen = None if reason in NOT_TLS_REASONS else await session.peek()
        code, context = handshake_failure(reason, session.encryption, seen)
        if code == "tls_no_shared_cipher" and seen is None and await session.asks_client_cert():
            code, context = "tls_client_cert_required", {}  # TLS 1.2 (RFC 5246 §7.4.6)
        if code == "tls_closed" and session.encryption == "ssl" and seen is None:
            if await session.greets_in_plain():
                code, context = "ssl_on_plain_port", {}
        if code == "tls_closed" and session.encryption == "tls":
            context = {**context, "proven": True}  # the server accepted STARTTLS (RFC 3207)
        return Failure(code, **context)
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return Failure(auth_code(exc.code, exc.message, session.encryption), reply=_reply(exc))
    if isinstance(exc, aiosmtplib.SMTPSenderRefused):
        return Failure(reply_code(exc.code, exc.message, "mail"), reply=_reply(exc))
    if isinstance(exc, aiosmtplib.SMTPRecipientRefused):
        return Failure(reply_code(exc.code, exc.message, "rcpt"), reply=_reply(exc))
    if isinstance(exc, aiosmtplib.SMTPDataError):
        return Failure(reply_code(exc.code, exc.message, "data"), reply=_reply(exc))
    if isinstance(exc, aiosmtplib.SMTPResponseException) and exc.code == -1:
        return protocol_failure(exc.message, session)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        if session.stage == "starttls":
            # RFC 3207 §4: 454 "TLS not available due to temporary reason" after offering it;
            # in practice the server's own certificate or key is broken.
            return Failure("starttls_refused", reply=_reply(exc))
        if 400 <= exc.code < 500:
            return Failure(transient(exc.code, exc.message), reply=_reply(exc))
        if SYSTEM_TEXT.search(exc.message or "") or enhanced_status(exc.message) in SYSTEM_STATUS:
            return Failure("sender_system_blocked", reply=_reply(exc))
        if session.stage in ("greeting", "ehlo", "helo"):
            return Failure("helo_rejected", reply=_reply(exc))
        return Failure("unexpected", reply=_reply(exc))
    if session.stage == "connect" and isinstance(exc, ConnectionResetError):
        return Failure("connection_closed", step="connect")
    if session.stage == "connect" and isinstance(exc, OSError):
        if session.port == 25 and isinstance(exc, ConnectionRefusedError):
            return Failure("port25_blocked")
        if isinstance(exc, ConnectionRefusedError):
            return Failure("connection_refused")
        return Failure("network_unreachable", detail=oserror_text(exc))
    if isinstance(exc, aiosmtplib.SMTPServerDisconnected | ConnectionError):
        if session.stage == "ehlo_tls" and session.encryption == "tls":
            # the first read after a TLS 1.3 handshake: the server's alert may have been lost
            reason = await session.alert_after_starttls()
            if reason in CLIENT_CERT_REASONS:
                session.transcript.note(line("tls_failed", reason=session.transcript.mask(reason)))
                return Failure("tls_client_cert_required")
        if data_sent(session):
            return Failure("no_reply_to_data_end", ending="closed")
        if session.stage == "auth":
            return Failure("auth_disconnected")
        return Failure("connection_closed", step=session.stage, proven=route_proven(session))
    log.warning("SMTP test failed unexpectedly: %s", exc.__class__.__name__)
    return Failure("unexpected", detail=TECHNICAL.format(exc.__class__.__name__))


def timeout_failure(session) -> Failure:
    """Classify a timeout by the step that was running."""
    if session.stage == "dns":
        return Failure("dns_unavailable")
    if session.stage == "connect":
        return Failure("port25_blocked" if session.port == 25 else "timeout")
    if session.stage == "greeting":
        return Failure("no_greeting_after_tls" if session.tls else "no_greeting")
    if data_sent(session):
        return Failure("no_reply_to_data_end", ending="timeout")
    if session.stage == "tls" and session.encryption == "ssl":
        return Failure("timeout", note="ssl_timeout")
    return Failure("timeout")


def data_sent(session) -> bool:
    """Whether the test mail went out (354 came) and only the reply to its end is missing."""
    return session.stage == "data" and bool(getattr(session.smtp, "data_started", False))


MALFORMED = "Malformed SMTP response line: "


def protocol_failure(message: str, session) -> Failure:
    """A line that is no SMTP reply (aiosmtplib code -1): another protocol, or a broken server.

    "+OK" greets a POP3 server (RFC 1939 §4), "* OK" an IMAP server (RFC 9051 §7.1);
    a line longer than aiosmtplib reads is no reply of RFC 5321 §4.5.3.1.5 either.
    """
    if not message.startswith(MALFORMED):
        return Failure("reply_too_long", step=session.stage)
    seen = message[len(MALFORMED) :].rstrip("\r\n")
    session.transcript.add(f"S: {seen}")
    if session.stage in ("greeting", "tls"):
        if seen.startswith("+OK"):
            return Failure("pop3_port", reply=seen)
        if seen.upper().startswith("* OK") or seen.upper().startswith("* PREAUTH"):
            return Failure("imap_port", reply=seen)
    return Failure("not_smtp", reply=seen, step=session.stage)
