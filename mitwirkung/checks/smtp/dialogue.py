"""The SMTP dialogue: one AUTH, MAIL, RCPT, DATA -> SmtpResult (RFC 5321, 4954, 6531)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from datetime import date

import aiosmtplib

from mitwirkung.checks import mailauth
from mitwirkung.checks.diagnose import ENCRYPTION_LABELS, TECHNICAL, describe, line
from mitwirkung.checks.netguard import normalize_host, vet
from mitwirkung.checks.provider_wording import render_notice

from .classify import Failure, classify
from .message import AddressError, build_test_mail, parse_mailbox, serialise, shown_address
from .oauth import OAuthLogin, fetch_token
from .session import Session
from .tls import TlsInfo, tls_context
from .transcript import Transcript, visible

log = logging.getLogger(__name__)

SUGGESTION = {"ssl": ("tls", 587), "tls": ("ssl", 465), "none": ("ssl", 465)}
# The one AUTH mechanism tried (RFC 4954), best first. Over TLS PLAIN (RFC 4616) needs one
# round trip and carries UTF-8; without TLS CRAM-MD5 keeps the password off the wire.
MECHANISMS_TLS = ("PLAIN", "LOGIN", "CRAM-MD5")
MECHANISMS_PLAIN = ("CRAM-MD5", "PLAIN", "LOGIN")
# Token-only mechanisms (Google's XOAUTH2, RFC 7628 OAUTHBEARER): no password login at all.
OAUTH_MECHANISMS = {"XOAUTH2", "OAUTHBEARER"}


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
    copy_to: str = ""  # a second envelope recipient (the Prüfadresse); its refusal is noted only


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
    authenticated: bool = False  # the server accepted the login (AUTH answered 235, RFC 4954)
    provider: str = ""  # "microsoft", "google" or "" (checks/mailauth.py)
    notice: dict | None = None  # the dated notice: {"code", "title", "text", "links"}
    words: dict | None = None  # what title, message and next step are worded from (word_result)


def _mailbox(value: str, role: str):
    try:
        return parse_mailbox(value)
    except AddressError as exc:
        raise Failure("address_invalid", role=role, detail=exc.message) from None


# Context keys that name one of the catalog's own variants (not text from outside).
KEYWORDS = frozenset({"note", "role", "ending", "step"})


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
    oauth: OAuthLogin | None = None,
    today: date | None = None,
    providers: dict | None = None,
) -> SmtpResult:
    """Send the test mail with the customer's settings and return what happened.

    timeout: seconds for the whole test. At most one AUTH command is sent (RFC 4954), and
    only when settings.login and settings.username are set. With oauth the login is
    `AUTH XOAUTH2` with a token fetched first (oauth.py); password is then unused.
    today (default: the system's date) decides which dated notice the result carries for
    Microsoft 365 / Google (providers: checks/mailauth.load(), default the shipped file).
    Never raises for bad input: every outcome is an SmtpResult whose code is a failure
    class of diagnose.TABLE or provider_wording.PROVIDER_TABLE.
    """
    started = time.monotonic()
    deadline = asyncio.get_running_loop().time() + timeout
    secret = oauth.secret if oauth else password
    transcript = Transcript(settings.username, secret)
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
                    ca_file=ca_file, allow_plain_password=allow_plain_password, oauth=oauth,
                )  # fmt: skip
        except Exception as exc:
            failure = await classify(exc, session)
            if failure.code == "auth_required" and not session.offers_auth():
                # It wants a login it does not offer (no AUTH after EHLO, RFC 4954 §3).
                failure = Failure("auth_required_not_offered", reply=failure.reply)
    finally:
        await session.close()
    providers = mailauth.default() if providers is None else providers
    provider = mailauth.by_host(providers, session.host) or mailauth.by_banner(
        providers, session.said
    )
    login_kind = "oauth" if oauth else ("password" if settings.login else "none")
    if failure:
        failure.code = mailauth.refine(failure.code, provider, login_kind)
    code = failure.code if failure else ("ok" if session.authenticated else "ok_without_login")
    context = dict(failure.context) if failure else {}
    guard_message = context.pop("guard_message", None)
    guard = context.pop("guard_context", None)
    if guard is None and guard_message:  # a refusal netguard worded without a context
        guard = {"text": guard_message}
    suggested, suggested_port = SUGGESTION.get(settings.encryption, ("tls", 587))
    # Only values from outside are masked, never the catalog's own German (a password
    # holding "Passwort" must not turn "Nutzer oder Passwort" into "Nutzer oder ********").
    outside = transcript.outside(
        {
            "host": session.host,
            "address": str(session.address or ""),
            "sender": shown_address(settings.sender),
            "recipient": shown_address(settings.recipient),
            "username": settings.username,
            **context,
        },
        keep=KEYWORDS,
    )
    params = {
        "port": settings.port,
        "reply": transcript.flat(failure.reply if failure else ""),
        "suggested": suggested,
        "encryption": settings.encryption,
        "suggested_port": suggested_port,
        "authenticated": session.authenticated,
        "login_chosen": settings.login,
        **outside,
    }
    if failure:
        reply = failure.reply
        if context.get("issuer") and not session.tls:  # for the operator (operator_request)
            transcript.note(line("cert_issuer", issuer=context["issuer"]))
    outcome = "ok" if failure is None else code
    found = mailauth.notice(provider, login=login_kind, today=today or date.today(),
                            host=session.host, outcome=outcome)  # fmt: skip
    words = stored_words({
        "code": code, "params": params, "guard": guard,
        "notice": {"code": found.code, "params": found.params} if found else None,
    })  # fmt: skip
    worded = word_result(words)
    if failure:
        transcript.note(line("result", title=worded["title"]))
    log.info("SMTP test to port %s finished: %s", settings.port, code)
    return SmtpResult(
        ok=failure is None,
        code=code,
        title=worded["title"],
        message=worded["message"],
        next_step=worded["next_step"],
        transcript=tuple(transcript.lines),
        tls=session.tls,
        duration_ms=int((time.monotonic() - started) * 1000),
        address=str(session.address or ""),
        reply=transcript.flat(reply),
        authenticated=session.authenticated,
        provider=provider.key if provider else "",
        notice=worded["notice"],
        words=words,
    )


def stored_words(words: dict) -> dict:
    """words as a run stores them (through JSON: tuples become lists, other values text), so
    the live result and a stored one are worded from the same values."""
    return json.loads(json.dumps(words, ensure_ascii=False, default=str))


def word_result(words: dict) -> dict:
    """German title, message, next step and notice of an SMTP result from its words.

    words: SmtpResult.words as stored ({"code", "params", "guard", "notice"}); params are
    diagnose.describe's context with the encryption choices as keys ("ssl", "tls", "none"),
    guard the context of a refused host or address (netguard), notice a dated provider
    notice's code and params. Secrets never enter: outside values were masked by the
    transcript while the check ran. Raises KeyError for words of another shape.
    """
    params = dict(words["params"])
    suggested, chosen = params.pop("suggested", ""), params.pop("encryption", "")
    diagnosis = describe(
        words["code"],
        suggested_encryption=ENCRYPTION_LABELS.get(suggested, ""),
        encryption_label=ENCRYPTION_LABELS.get(chosen, ""),
        **params,
    )
    message = diagnosis.message
    guard = words.get("guard")
    if guard is not None:
        message = guard["text"] if "text" in guard else describe(words["code"], **guard).message
    found = words.get("notice")
    notice = render_notice(found["code"], found["params"]) if found else None
    return {
        "title": visible(diagnosis.title),
        "message": visible(_with_notice(message, notice)),
        "next_step": visible(diagnosis.next_step),
        "notice": notice,
    }


def _with_notice(message: str, notice: dict | None) -> str:
    """The result's text with the provider's dated notice (PRODUCT: part of the result)."""
    return f"{message} {notice['title']}: {notice['text']}" if notice else message


async def _dialogue(session: Session, settings: SmtpSettings, password: str | None, *,
                    confirm_url, customer_name, allowed_ports, allowed_networks, nameservers,
                    ca_file, allow_plain_password, oauth=None) -> str:  # fmt: skip
    """Run the whole SMTP dialogue; return the final server reply or raise."""
    host, _ = normalize_host(settings.host)
    session.host = host
    if settings.encryption not in ENCRYPTION_LABELS:
        raise Failure("unexpected", note="unknown_encryption")
    sender = _mailbox(settings.sender, "sender")
    recipient = _mailbox(settings.recipient, "recipient")
    login = settings.login and bool(settings.username)
    if login and settings.encryption == "none" and oauth:
        raise Failure("auth_needs_encryption")  # a token is as secret as a password
    if login and settings.encryption == "none" and password and not allow_plain_password:
        raise Failure("plain_password_unconfirmed")
    token = None
    if login and oauth:
        session.stage = "token"
        token = await fetch_token(oauth, timeout=session.timeout)
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
        if token is not None:
            await _authenticate_oauth(session, settings.username, token)
        else:
            await _authenticate(session, settings.username, password, allow_plain_password)
    utf8 = sender.needs_smtputf8 or recipient.needs_smtputf8
    if utf8 and not smtp.supports_extension("smtputf8"):
        needy = sender if sender.needs_smtputf8 else recipient
        role = "sender" if needy is sender else "recipient"
        raise Failure("smtputf8_missing", role=role, mailbox=needy.shown)
    options = ["SMTPUTF8"] if utf8 else []
    if utf8 and smtp.supports_extension("8bitmime"):
        options.append("BODY=8BITMIME")
    encoding = "utf-8" if utf8 else "ascii"
    session.stage = "mail"
    await smtp.mail(sender.wire, options=options, encoding=encoding)
    session.stage = "rcpt"
    await smtp.rcpt(recipient.wire, encoding=encoding)
    if settings.copy_to:
        try:  # RFC 5321 §3.3: each RCPT stands alone; the test is about the customer's mailbox
            await smtp.rcpt(settings.copy_to, encoding=encoding)
        except aiosmtplib.SMTPRecipientRefused as e:
            session.transcript.add(line("copy_refused", code=e.code))
    session.stage = "data"
    message = build_test_mail(settings, confirm_url=confirm_url, customer_name=customer_name)
    data = serialise(message, utf8=utf8)
    response = await smtp.send_data(data, line("mail_sent", size=len(data)))
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
        if not plain:
            raise Failure("auth_not_offered_encrypted")
        raise Failure("auth_not_offered", note="plain_without_auth")
    encrypted = session.encryption != "none"
    mechanism = choose_mechanism(smtp.server_auth_methods, encrypted=encrypted)
    if mechanism in ("PLAIN", "LOGIN") and not encrypted and not allow_plain:
        mechanism = None
    if mechanism is None:
        offered = {name.upper() for name in smtp.server_auth_methods}
        oauth_only = offered and offered <= OAUTH_MECHANISMS
        code = "auth_oauth_only" if oauth_only else "auth_methods_unsupported"
        raise Failure(code, methods=auth_methods(smtp))
    if not password:
        # Sending an empty password would only earn a 535 (and count as a failed login).
        raise Failure("password_missing")
    method = getattr(smtp, "auth_" + mechanism.lower().replace("-", ""))
    try:
        await method(username, password)
    except (ValueError, TypeError, UnicodeError) as exc:
        # A challenge that is no base64 (RFC 4954 §4) or otherwise unusable.
        raise Failure("auth_protocol_error", detail=TECHNICAL.format(type(exc).__name__)) from exc
    session.authenticated = True


async def _authenticate_oauth(session: Session, username: str, token: str) -> None:
    """Exactly one `AUTH XOAUTH2` with the mailbox and the token; its reply is the verdict."""
    smtp = session.smtp
    if not session.extended:
        raise Failure("ehlo_unsupported")
    offered = {name.upper() for name in smtp.server_auth_methods}
    if not smtp.supports_extension("auth") or "XOAUTH2" not in offered:
        raise Failure("oauth_not_offered", methods=auth_methods(smtp))
    await smtp.auth_xoauth2(username, token)
    session.authenticated = True


def auth_methods(smtp: aiosmtplib.SMTP) -> str:
    """The login methods the server offers, as the server names them."""
    return ", ".join(method.upper() for method in smtp.server_auth_methods) or line("no_methods")
