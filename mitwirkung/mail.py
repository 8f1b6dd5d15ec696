"""The app's own outgoing mail (notifications to account managers), via aiosmtplib."""

import unicodedata
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import aiosmtplib


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


def build(config, to: list[str], subject: str, text: str) -> EmailMessage:
    """Build a plain-text notification; the subject may contain anything a user typed."""
    message = EmailMessage()
    message["From"] = config.get("MAIL_FROM") or config.get("MAIL_USERNAME")
    message["To"] = ", ".join(to)
    message["Subject"] = one_line(subject)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid()
    message.set_content(text)
    return message


async def send(config, message: EmailMessage, timeout: float = 20) -> str:
    """Send through the MAIL_* settings; return "ok" or the error as text (never raises)."""
    encryption = (config.get("MAIL_ENCRYPTION") or "tls").lower()
    port = config.get("MAIL_PORT") or {"ssl": 465, "tls": 587}.get(encryption, 25)
    try:
        await aiosmtplib.send(
            message,
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
