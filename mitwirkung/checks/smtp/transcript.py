"""The SMTP dialogue as text people may read: secrets removed, raw bytes made visible."""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import html.entities
import re
import unicodedata

from aiosmtplib.auth import auth_login_encode, auth_plain_encode

REDACTED = "********"
# Passwords shorter than this are not searched for as text: masking a common word such as
# "mail" everywhere would tell more about the password than it hides. Their base64 and
# AUTH forms are long enough and are always removed.
MIN_SCRUB_LENGTH = 6
# A run of this many consecutive password characters is masked wherever it appears, so a
# server that echoes part of the password (or replaces its umlauts by "?") reveals nothing
# useful.
WINDOW = 8
# Between two password characters a multi-line reply may break the line (RFC 5321 §4.2.1):
# the line end, the next line's reply code and its enhanced status code (RFC 3463).
_LINE_BREAK = r"(?:[ \t]*\r?\n(?:[2-5]\d\d[ -])?(?:[245]\.\d{1,3}\.\d{1,3}[ \t]+)?)?"
_CONTINUATION = re.compile(r"\s*(?:[2-5]\d\d[ -])?(?:[245]\.\d{1,3}\.\d{1,3}\s+)?")

# What is decidable: the password travels in a known set of readable transformations of
# its characters (case, percent-, entity-, backslash-, quoted-printable- and hex-escapes of
# its UTF-8 or Latin-1 bytes, UTF-8 read as Latin-1/Windows-1252, raw Latin-1 bytes, "?"
# for a character a server could not show, Unicode NFD) and inside base64 blobs; each is
# matched character by character, so forms may even mix. What is not decidable: a server
# that hashes, encrypts, reverses or otherwise rewrites the password, echoes fewer than
# WINDOW of its characters, nests encodings (percent-encoded twice), or a password so short
# or common (below MIN_SCRUB_LENGTH) that every match would be a guess.


def _char_forms(char: str) -> list[str]:
    """Regex alternatives for one password character in every readable form."""
    forms = {re.escape(char)}
    point = ord(char)
    encodings = ["utf-8"] + (["latin-1"] if point < 0x100 else [])
    for encoding in encodings:
        raw = char.encode(encoding)
        # Hex of its bytes, each alone or as %XX (RFC 3986), =XX (RFC 2045) or \xNN.
        forms.add("".join(f"(?:%|=|\\\\x)?{b:02x}" for b in raw))
        if len(raw) > 1:  # UTF-8 read as Latin-1 or Windows-1252
            forms.add(re.escape(raw.decode("latin-1")))
            forms.add(re.escape(raw.decode("cp1252", "replace")))
    if char.isascii() and char.isalnum():
        return sorted(forms, key=len, reverse=True)
    if point >= 0x80:
        if point < 0x100:
            forms.add(re.escape(chr(0xDC00 + point)))  # a raw Latin-1 byte
        forms.update({r"\?", "\ufffd"})
        decomposed = unicodedata.normalize("NFD", char)
        if decomposed != char:
            forms.add(re.escape(decomposed))
    if char == " ":
        forms.add(r"\+")
    forms.add(rf"\\u\{{?0*{point:x}\}}?")  # JSON, JavaScript, Python escapes
    forms.add(rf"&#0*{point};|&#x0*{point:x};")  # HTML character references
    name = html.entities.codepoint2name.get(point)
    if name:
        forms.add(f"&{name};")
    return sorted(forms, key=len, reverse=True)


@functools.lru_cache(maxsize=16)  # compiling takes ~15 ms; re's own cache is easily flushed
def password_pattern(password: str | None) -> re.Pattern | None:
    """A pattern that finds the password, or WINDOW consecutive characters of it, in any
    readable form (case-insensitive); None for passwords shorter than MIN_SCRUB_LENGTH.

    Used with a lookahead so every start is found; spans may overlap and are merged.
    """
    if not password or len(password) < MIN_SCRUB_LENGTH:
        return None
    chars = [f"(?:{'|'.join(_char_forms(c))})" for c in password]
    window = min(WINDOW, len(chars))
    starts = []
    for i in range(len(chars) - window + 1):
        starts.append(_LINE_BREAK.join(chars[i : i + window]))
    return re.compile(f"(?=({'|'.join(starts)}))", re.IGNORECASE)


def secret_forms(username: str, password: str | None) -> list[str]:
    """Every encoded form in which the password travels (base64, AUTH payloads), longest first.

    Its base64 form (also Latin-1 and unpadded) and the AUTH PLAIN (RFC 4616) and AUTH
    LOGIN payloads that carry it; readable forms are found by password_pattern().
    """
    if not password:
        return []
    forms: set[str] = set()
    raws = [password.encode()]
    with contextlib.suppress(UnicodeEncodeError):
        raws.append(password.encode("latin-1"))
    for raw in raws:
        encoded = base64.b64encode(raw).decode()
        forms.update({encoded, encoded.rstrip("=")})
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
        self.password = password
        forms = secret_forms(username, password)
        self.forms = re.compile("|".join(map(re.escape, forms))) if forms else None
        self.readable = password_pattern(password)
        # A base64 token shorter than the password's own base64 form cannot carry it.
        shortest = max(8, 4 * (len(password.encode()) // 3)) if password else 8
        self.base64_token = re.compile(rf"[A-Za-z0-9+/_-]{{{shortest},}}={{0,2}}")

    def scrub(self, text: str) -> str:
        """Return text without any form of the password, control characters escaped."""
        return visible(self.mask(text))

    def mask(self, text: str) -> str:
        """Replace every form of the password in text by REDACTED; line breaks stay."""
        if not self.password or not text:
            return text
        text = self.base64_token.sub(self._base64_token, text)
        if self.forms is not None:
            text = self.forms.sub(REDACTED, text)
        if self.readable is None:
            return text
        spans: list[list[int]] = []
        for match in self.readable.finditer(text):
            start, end = match.start(), match.start() + len(match.group(1))
            if spans and start <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], end)
            else:
                spans.append([start, end])
        for start, end in reversed(spans):
            text = text[:start] + _redacted(text[start:end]) + text[end:]
        return text

    def _base64_token(self, match: re.Match) -> str:
        """REDACTED for a base64 token whose decoded bytes hold the password."""
        token = match.group(0)
        padded = token.rstrip("=") + "=" * (-len(token.rstrip("=")) % 4)
        for alphabet in (None, b"-_"):
            try:
                raw = base64.b64decode(padded, altchars=alphabet, validate=True)
            except (binascii.Error, ValueError):
                continue
            for encoding in ("utf-8", "latin-1"):
                decoded = raw.decode(encoding, "replace")
                if self.password.lower() in decoded.lower() or (
                    self.readable is not None and self.readable.search(decoded)
                ):
                    return REDACTED
        return token

    def flat(self, reply: str) -> str:
        """A reply for a sentence: masked, its lines joined by spaces (see one_line)."""
        return self.scrub(one_line(self.mask(reply or "")))

    def add(self, line: str) -> None:
        self.lines.append(self.scrub(line))

    def reply(self, response) -> None:
        """Record a server reply, one line per reply line, masked as a whole first."""
        parts = self.mask(response.message or "").split("\n")
        for index, part in enumerate(parts):
            sep = " " if index == len(parts) - 1 else "-"
            self.lines.append(visible(f"S: {response.code}{sep}{part}".rstrip()))


def _redacted(found: str) -> str:
    """REDACTED for a found password, one per line it spans, continuation prefixes kept."""
    lines = found.split("\n")
    return "\n".join([REDACTED] + [_CONTINUATION.match(part)[0] + REDACTED for part in lines[1:]])


_STATUS = re.compile(r"\s*([245]\.\d{1,3}\.\d{1,3})\s+")


def one_line(reply: str) -> str:
    """Join the lines of a multi-line reply (RFC 5321 §4.2.1) with single spaces.

    reply: "534 5.7.9 Application-specific password required.\\n5.7.9 https://…" as
    aiosmtplib gives it; an enhanced status code (RFC 3463) repeated on each line is kept once.
    """
    lines = [part.strip() for part in reply.split("\n")]
    first = _STATUS.match(lines[0].partition(" ")[2] + " ") if lines else None
    status = first.group(1) if first else None
    joined = lines[:1]
    for part in lines[1:]:
        match = _STATUS.match(part + " ")
        if match and match.group(1) == status:
            part = part[match.end() :].strip() if match.end() <= len(part) else ""
        if part:
            joined.append(part)
    return " ".join(joined)
