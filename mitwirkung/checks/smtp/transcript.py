"""The SMTP dialogue as text people may read: secrets removed, raw bytes made visible."""

from __future__ import annotations

import base64
import binascii
import contextlib
import re
import unicodedata

from aiosmtplib.auth import auth_login_encode, auth_plain_encode

from .pwsearch import PasswordSearch

REDACTED = "********"
# Passwords shorter than this are not searched for as text: masking a common word such as
# "mail" everywhere would tell more about the password than it hides. Their base64 and
# AUTH forms are long enough and are always removed.
MIN_SCRUB_LENGTH = 6
# A run of this many consecutive password characters is masked wherever it appears, so a
# server that echoes part of the password (or replaces its umlauts by "?") reveals nothing
# useful.
WINDOW = 8
_CONTINUATION = re.compile(r"\s*(?:[2-5]\d\d[ -])?(?:[245]\.\d{1,3}\.\d{1,3}\s+)?")

# What is decidable: the password travels in a known set of readable transformations of
# its characters (see pwsearch: every form is a literal, searched in linear time, and
# between two characters a multi-line reply may break the line) and inside base64 blobs;
# each is matched character by character, so forms may even mix. What is not decidable: a
# server that hashes, encrypts, reverses or otherwise rewrites the password, echoes fewer
# than WINDOW of its characters, nests encodings (percent-encoded twice), or a password so
# short or common (below MIN_SCRUB_LENGTH) that every match would be a guess.


# Built once per transcript, never cached across runs: a cache keyed by the password would
# keep recent passwords in the worker's memory after their tests ended (~0.2 s for a trie of
# 500 distinct characters, milliseconds for ordinary passwords).
def password_search(password: str | None) -> PasswordSearch | None:
    """The search for the password, or WINDOW consecutive characters of it, in any readable
    form (case-insensitive); None for passwords shorter than MIN_SCRUB_LENGTH."""
    if not password or len(password) < MIN_SCRUB_LENGTH:
        return None
    return PasswordSearch(password, WINDOW)


def secret_forms(username: str, password: str | None) -> list[str]:
    """Every encoded form in which the password travels (base64, AUTH payloads), longest first.

    Its base64 form (also Latin-1 and unpadded) and the AUTH PLAIN (RFC 4616) and AUTH
    LOGIN payloads that carry it; readable forms are found by password_search().
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
    if text.isprintable():  # no Cc, Cf, Cs or Co character: nothing to escape
        return text
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

    The AUTH payload lines are redacted where they are written (recording.RecordingSMTP); this class
    is the second guard for anything a server echoes.
    """

    def __init__(self, username: str = "", password: str | None = None):
        self.lines: list[str] = []
        self.password = password
        self._masked: dict[str, str] = {}
        # Literal forms, longest first; str.replace searches in linear time.
        self.forms = secret_forms(username, password)
        self.readable = password_search(password)
        # A base64 token shorter than the password's own base64 form cannot carry it. It
        # starts where a run of base64 letters starts, so no position is scanned twice.
        shortest = max(8, 4 * (len(password.encode()) // 3)) if password else 8
        self.base64_token = re.compile(
            rf"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{{{shortest},}}={{0,2}}"
        )

    def scrub(self, text: str) -> str:
        """Return text without any form of the password, control characters escaped."""
        return visible(self.mask(text))

    def mask(self, text: str) -> str:
        """Replace every form of the password in text by REDACTED; line breaks stay.

        Linear in len(text) (see pwsearch); a reply is masked for the transcript and for
        the sentence, so the last few results are remembered.
        """
        if not self.password or not text:
            return text
        if text in self._masked:
            return self._masked[text]
        masked = self._mask(text)
        if len(self._masked) >= 4:
            self._masked.pop(next(iter(self._masked)))
        self._masked[text] = masked
        return masked

    def _mask(self, text: str) -> str:
        text = self.base64_token.sub(self._base64_token, text)
        for form in self.forms:
            text = text.replace(form, REDACTED)
        if self.readable is None:
            return text
        parts, done = [], 0  # assembled once: many spans must not copy the text each time
        for start, end in self.readable.spans(text):
            parts += [text[done:start], _redacted(text[start:end])]
            done = end
        parts.append(text[done:])
        return "".join(parts)

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
                    self.readable is not None and self.readable.found(decoded)
                ):
                    return REDACTED
        return token

    def flat(self, reply: str) -> str:
        """A reply for a sentence: masked, its lines joined by spaces (see one_line)."""
        return self.scrub(one_line(self.mask(reply or "")))

    def add(self, line: str) -> None:
        """Record a line that carries outside text (a command, a server's words): masked."""
        self.lines.append(self.scrub(line))

    def note(self, line: str) -> None:
        """Record the product's own line as it is (control characters escaped): masking
        it would garble its German when the password holds one of its words; values from
        outside are masked before they are put into it (see outside())."""
        self.lines.append(visible(line))

    def outside(self, values: dict, keep: frozenset = frozenset()) -> dict:
        """values with every text (and list of texts) masked, except the keys in keep."""
        masked = {}
        for key, value in values.items():
            if key in keep:
                masked[key] = value
            elif isinstance(value, str):
                masked[key] = self.mask(value)
            elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
                masked[key] = type(value)(self.mask(v) for v in value)
            else:
                masked[key] = value
        return masked

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
