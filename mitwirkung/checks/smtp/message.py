"""Addresses on the wire and for people, and the German test mail itself."""

from __future__ import annotations

import email.policy
import html
import re
import unicodedata
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import idna

from mitwirkung.checks.diagnose import (
    TEST_MAIL_HTML,
    TEST_MAIL_SUBJECT,
    TEST_MAIL_TEXT,
    address_problem,
)

# RFC 5321 §4.1.2 Dot-string of atext, widened by RFC 6531 §3.3 to any non-ASCII UTF-8
# character (control and format characters excepted), or a Quoted-string.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-\u0080-\U0010ffff]+"
_DOT_STRING = re.compile(rf"{_ATOM}(?:\.{_ATOM})*")
# RFC 5321 §4.1.2 Quoted-string: qtextSMTP or a backslash pair, UTF-8 allowed (RFC 6531).
_QUOTED = re.compile(r'"(?:[\x20\x21\x23-\x5b\x5d-\x7e\u0080-\U0010ffff]|\\[\x20-\x7e])*"')
_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
LOCAL_PART_OCTETS = 64  # RFC 5321 §4.5.3.1.1
ALLOWED_SPECIALS = "!#$%&'*+/=?^_`{|}~-"


class AddressError(ValueError):
    """An address that cannot go into MAIL FROM or RCPT TO.

    reason: a key of diagnose.ADDRESS_PROBLEMS; message: its German sentence.
    """

    def __init__(self, reason: str, **values):
        self.reason = reason
        self.message = address_problem(reason, **values)
        super().__init__(self.message)


@dataclass(frozen=True)
class Mailbox:
    """One address: local part as typed, domain in A-labels (RFC 5890)."""

    local: str
    domain: str

    @property
    def wire(self) -> str:
        """The address as it goes into MAIL FROM / RCPT TO and the headers."""
        return f"{self.local}@{self.domain}"

    @property
    def shown(self) -> str:
        """The address for people: the domain in Unicode (U-labels)."""
        try:
            domain = idna.decode(self.domain)
        except idna.IDNAError:
            domain = self.domain
        return f"{self.local}@{domain}"

    @property
    def needs_smtputf8(self) -> bool:
        """True if the local part is not ASCII: only SMTPUTF8 (RFC 6531) can carry it."""
        return not self.local.isascii()


def parse_mailbox(value: str) -> Mailbox:
    """Parse an address as a receiving server would (RFC 5321 §4.1.2, RFC 6531 §3.3).

    Raises AddressError with a German message naming the address and what to change.
    """
    text = (value or "").strip()
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise AddressError("incomplete", address=text)
    valid = _DOT_STRING.fullmatch(local) or _QUOTED.fullmatch(local)
    if _FORBIDDEN.search(local) or not valid:
        raise AddressError("local_part", address=text, specials=ALLOWED_SPECIALS)
    if len(local.encode()) > LOCAL_PART_OCTETS:
        raise AddressError("too_long", address=text, octets=LOCAL_PART_OCTETS)
    return Mailbox(local, a_labels(domain))


def a_labels(domain: str) -> str:
    """The domain of an address in A-labels (RFC 5891, UTS #46), lower case, no final dot.

    Raises AddressError with a German message for a name that is no valid domain.
    """
    try:
        encoded = idna.encode(domain.rstrip(".").lower(), uts46=True).decode()
    except idna.IDNAError:
        raise AddressError("domain", domain=domain) from None
    for label in idna.decode(encoded).split("."):
        scripts = {_script(char) for char in label} - {None}
        if len(scripts) > 1:
            # A Latin name with one Cyrillic or Greek look-alike (UTS #39 mixed script).
            raise AddressError("mixed_script", domain=domain, label=label)
    return encoded


def _script(char: str) -> str | None:
    """The script of a letter as far as look-alikes matter: LATIN, CYRILLIC or GREEK."""
    name = unicodedata.name(char, "")
    return next((s for s in ("LATIN", "CYRILLIC", "GREEK") if name.startswith(s)), None)


def shown_address(value: str) -> str:
    """An address for people (Unicode domain); unparsable input is returned as it is."""
    try:
        return parse_mailbox(value).shown
    except AddressError:
        return value


def build_test_mail(settings, *, confirm_url: str, customer_name: str) -> EmailMessage:
    """Return the German test mail (plain text plus HTML) carrying the confirmation link.

    settings: an SmtpSettings; sender and recipient go into From and To in their wire form
    (A-label domains); a non-ASCII local part needs the SMTPUTF8 policy when serialised.
    """
    sender, recipient = _wire(settings.sender), _wire(settings.recipient)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = TEST_MAIL_SUBJECT
    message["Date"] = formatdate(localtime=True)
    domain = sender.rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    text = TEST_MAIL_TEXT.format(
        customer_name=customer_name, host=settings.host, port=settings.port, url=confirm_url
    )
    body = TEST_MAIL_HTML.format(
        customer_name=html.escape(customer_name), host=html.escape(settings.host),
        port=settings.port, url=html.escape(confirm_url),
    )  # fmt: skip
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(body, subtype="html", cte="quoted-printable")
    return message


def serialise(message: EmailMessage, *, utf8: bool) -> bytes:
    """The message as bytes for DATA: UTF-8 headers only under SMTPUTF8 (RFC 6532)."""
    return message.as_bytes(policy=email.policy.SMTPUTF8 if utf8 else email.policy.SMTP)


def _wire(value: str) -> str:
    try:
        return parse_mailbox(value).wire
    except AddressError:
        return value
