"""The app's own outgoing mail (notifications to account managers), via aiosmtplib."""

import asyncio
import unicodedata
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import aiosmtplib

from .address import AddressError, addr_spec
from .words.mail import BAD_ADDRESS, NOT_CONFIGURED, REFUSED


def configured(config) -> bool:
    return bool(config.get("MAIL_SERVER"))


def one_line(text: str) -> str:
    """Return text as one header line: line breaks and control characters become spaces.

    A header ends at CR or LF (RFC 5322 section 2.2), and Python's e-mail package refuses a
    value containing one; U+0085, U+2028 and U+2029 break lines for Unicode-aware readers.
    """
    breaks = ("Cc", "Cs", "Zl", "Zp")
    spaced = "".join(" " if unicodedata.category(c) in breaks else c for c in text)
    return " ".join(spaced.split())


def recipients(to: list[str]) -> list[str]:
    """Every address checked as one addr-spec (address.addr_spec); raises AddressError."""
    checked = [addr_spec(address) for address in to]
    if not checked:
        raise AddressError("none")
    return checked


def build(
    config, to: list[str], subject: str, text: str, *, reply_to: str | list[str] | None = None
) -> EmailMessage:
    """Build a plain-text notification; the subject may contain anything a user typed.

    Raises AddressError (German) when an address in to or reply_to is not one addr-spec;
    send() then passes exactly these addresses as the envelope recipients.
    """
    message = EmailMessage()
    message["From"] = config.get("MAIL_FROM") or config.get("MAIL_USERNAME")
    message["To"] = ", ".join(recipients(to))
    if reply_to:  # one address, or a list (every account manager for an unassigned customer)
        addresses = [reply_to] if isinstance(reply_to, str) else list(reply_to)
        message["Reply-To"] = ", ".join(addr_spec(a) for a in addresses)
    message["Subject"] = one_line(subject)
    message["Date"] = formatdate(localtime=True)
    sender = str(message["From"] or "")
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("> ") or None)
    message.set_content(text)
    return message


async def send(config, message: EmailMessage, timeout: float = 20) -> str:
    """Send through the MAIL_* settings; return "ok" or the error as text (never raises).

    The envelope recipients are the To addresses as build() checked them, one RCPT each
    (never re-read from the header by a library that splits at "," or ";").
    """
    try:
        to = recipients([part.strip() for part in str(message["To"] or "").split(", ")])
    except AddressError as e:
        return f"AddressError: {e}"
    encryption = (config.get("MAIL_ENCRYPTION") or "tls").lower()
    port = config.get("MAIL_PORT") or {"ssl": 465, "tls": 587}.get(encryption, 25)
    try:
        await aiosmtplib.send(
            message,
            recipients=to,
            hostname=config["MAIL_SERVER"],
            port=int(port),
            username=config.get("MAIL_USERNAME") or None,
            password=config.get("MAIL_PASSWORD") or None,
            use_tls=encryption == "ssl",
            start_tls=encryption == "tls",
            timeout=timeout,
        )
    except (aiosmtplib.SMTPException, OSError) as e:
        return f"{type(e).__name__}: {e}"
    return "ok"


def deliver(
    config,
    to: list[str],
    subject: str,
    text: str,
    *,
    reply_to: str | list[str] | None = None,
    timeout: float = 15,
) -> str | None:
    """Send a plain-text mail now (blocking); return None when the server accepted it.

    Otherwise return why not, in German: the MAIL_* settings are missing, or the server
    refused or could not be reached (with its technical message, which never holds the
    password). Call it outside a running event loop (web request threads, jobs).
    """
    if not configured(config):
        return NOT_CONFIGURED
    try:
        message = build(config, to, subject, text, reply_to=reply_to)
    except AddressError as e:  # a bad stored address stops this mail, never a whole job
        return BAD_ADDRESS.format(problem=e)
    result = asyncio.run(send(config, message, timeout))
    if result == "ok":
        return None
    return REFUSED.format(server=config["MAIL_SERVER"], result=result)
