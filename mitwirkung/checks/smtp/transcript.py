"""The SMTP dialogue as text people may read: secrets removed, raw bytes made visible."""

from __future__ import annotations

import base64
import re
import unicodedata
import urllib.parse

from aiosmtplib.auth import auth_login_encode, auth_plain_encode

REDACTED = "********"
# Passwords shorter than this are not searched for as text: masking a common word such as
# "mail" everywhere would tell more about the password than it hides. Their base64 and
# AUTH forms are long enough and are always removed.
MIN_SCRUB_LENGTH = 6


def secret_forms(username: str, password: str | None) -> list[str]:
    """Every form in which the password can travel or be echoed, longest first.

    The password itself (if at least MIN_SCRUB_LENGTH characters), its URL-encoded forms
    (RFC 3986 percent-encoding, both hex cases, and "+" for spaces), its base64 form and
    the AUTH PLAIN (RFC 4616) and AUTH LOGIN payloads that carry it.
    """
    if not password:
        return []
    forms: set[str] = set()
    if len(password) >= MIN_SCRUB_LENGTH:
        for encoded in (password, urllib.parse.quote(password, safe=""),
                        urllib.parse.quote_plus(password, safe="")):  # fmt: skip
            forms.update({encoded, re.sub("%[0-9A-F]{2}", lambda m: m[0].lower(), encoded)})
    raw = password.encode()
    forms.add(base64.b64encode(raw).decode())
    forms.add(auth_plain_encode(username or "", password).decode())
    forms.update(part.decode() for part in auth_login_encode(username or "", password)[1:])
    forms.add(base64.b64encode(f"{username}\0{password}".encode()).decode())
    return sorted((f for f in forms if len(f) >= 4), key=len, reverse=True)


def visible(text: str) -> str:
    """Escape control and format characters and undecodable bytes as \\xNN / \\uNNNN.

    Server replies are decoded as UTF-8 with surrogateescape (aiosmtplib): an invalid byte
    arrives as a lone surrogate U+DC80..U+DCFF and is shown as the byte it was.
    """
    out = []
    for char in text:
        point = ord(char)
        if 0xDC80 <= point <= 0xDCFF:
            out.append(f"\\x{point - 0xDC00:02x}")
        elif unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co") and char != " ":
            out.append(f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}")
        else:
            out.append(char)
    return "".join(out)


class Transcript:
    """The dialogue as lines, each scrubbed of every form of the password and made visible.

    The AUTH payload lines are redacted where they are written (RecordingSMTP); this class
    is the second guard for anything a server echoes.
    """

    def __init__(self, username: str = "", password: str | None = None):
        self.lines: list[str] = []
        forms = secret_forms(username, password)
        self.pattern = re.compile("|".join(map(re.escape, forms))) if forms else None

    def scrub(self, text: str) -> str:
        """Return text without any form of the password, control characters escaped."""
        if self.pattern is not None:
            text = self.pattern.sub(REDACTED, text)
        return visible(text)

    def add(self, line: str) -> None:
        self.lines.append(self.scrub(line))

    def reply(self, response) -> None:
        """Record a server reply, one line per reply line."""
        parts = (response.message or "").split("\n")
        for index, part in enumerate(parts):
            sep = " " if index == len(parts) - 1 else "-"
            self.add(f"S: {response.code}{sep}{part}".rstrip())
