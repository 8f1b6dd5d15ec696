"""Parse a DMARC record (RFC 9989, which obsoletes RFC 7489) and name each fault; the repair
that keeps the owner's policy is in dmarc_repair.py. Faults are findings (code, state,
parameters); their German words are in dns/wording.py.

A fault's state says what receivers make of it: "failed" — the record is discarded or a value
is misread; "warning" — the record works, but something the owner wrote has no effect. Notes
(state "done") say what is fine by RFC 9989 but read differently by older RFC 7489 receivers:
pct=, rf= and ri= (removed by RFC 9989, still honoured by older receivers), p= not directly
after v= (RFC 9989: free order after v=), and unknown tags (RFC 9989: ignored).
Source of the RFC 9989 changes: https://ietf-corpus.pages.dev/rfcs/rfc-9989.html and
checkdmarc's notes on them, https://newreleases.io/project/pypi/checkdmarc/release/5.16.0
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from mitwirkung.checks.finding import Finding, odd_characters

POLICIES = ("none", "quarantine", "reject")
REMOVED = ("pct", "rf", "ri")  # RFC 9989 removed them; RFC 7489 receivers still read them
# RFC 7489 §6.3, plus np/psd/t of DMARCbis (receivers ignore what they do not know).
KNOWN = ("v", "p", "sp", "np", "rua", "ruf", "adkim", "aspf", "pct", "fo", "rf", "ri", "psd", "t")
WSP = " \t"
_VERSION = re.compile(r"v[ \t]*=[ \t]*dmarc1", re.IGNORECASE)


class _AddressShape:
    """local@domain.tld: one "@", no blank and none of forbidden in it, read in linear time
    (a regex "[^…]+\\.[^…]+$" re-scans a 40 KB value from every dot). match(text) -> bool."""

    def __init__(self, forbidden: str, prefix: str = ""):
        self.forbidden = frozenset(forbidden)
        self.prefix = prefix

    def match(self, text: str) -> bool:
        if not text[: len(self.prefix)].lower() == self.prefix:
            return False
        text = text[len(self.prefix) :]
        if any(c in self.forbidden or c.isspace() for c in text) or text.count("@") != 1:
            return False
        local, domain = text.split("@")
        return bool(local) and "." in domain[1:-1]


_MAILTO = _AddressShape(",;!", prefix="mailto:")  # RFC 7489 §6.2: a mailto: URI
BARE_ADDRESS = _AddressShape(",;:!")  # an address written without "mailto:"
# A known tag name inside a value: the ";" before it is missing ("p=reject rua=…").
# Starts only where a run of separators starts (lookbehind): a record of 40 KB of ", " is
# then read in linear time, not re-scanned from every position of the run.
_GLUED = re.compile(rf"(?<![ \t,])[ \t,]+((?:{'|'.join(KNOWN)})[ \t]*=)", re.IGNORECASE)
TAG_CHECKS = {
    "p": lambda v: v in POLICIES,
    "sp": lambda v: v in POLICIES,
    "np": lambda v: v in POLICIES,
    "adkim": lambda v: v in ("r", "s"),
    "aspf": lambda v: v in ("r", "s"),
    "pct": lambda v: v.isascii() and v.isdigit() and int(v) <= 100,
    "ri": lambda v: v.isascii() and v.isdigit(),
    "fo": lambda v: all(x in ("0", "1", "d", "s") for x in v.split(":")),
    "rf": lambda v: all(x.strip(WSP) == "afrf" for x in v.split(":")),
    "psd": lambda v: v in ("y", "n", "u"),
    "t": lambda v: v in ("y", "n"),
    "rua": lambda v: all(uri_ok(u) for u in v.split(",")),
    "ruf": lambda v: all(uri_ok(u) for u in v.split(",")),
}


def uri_ok(uri: str) -> bool:
    """Tell whether one rua=/ruf= URI is a mailto: address or an https: URI (RFC 7489 §6.2),
    after an optional size limit ("!10m")."""
    uri = re.sub(r"!\d+[kmgt]?$", "", uri.strip(WSP), flags=re.IGNORECASE | re.ASCII)
    return bool(_MAILTO.match(uri)) or uri.lower().startswith("https://")


def clean(text: str) -> str:
    """Return text with invisible characters removed and other whitespace as plain spaces."""
    text = re.sub(r"[\u200b-\u200d\u2060\ufeff\u00ad]", "", text)
    return re.sub(r"[^\S\t]", " ", text)


def valid_value(key: str, value: str) -> bool:
    """Tell whether value is valid for the known tag key (RFC 7489 §6.3)."""
    if key not in TAG_CHECKS:
        return key in KNOWN
    return TAG_CHECKS[key](value if key in ("rua", "ruf") else value.lower())


def suggest(name: str, value: str | None = None) -> str | None:
    """Return the known tag a misspelt tag name most likely means, or None.

    Swapped letters ("rau" for "rua") win over other close spellings. With value, a tag is
    only suggested when value is valid for it: "foo=bar" does not mean fo=, since "fo=bar"
    would itself be invalid.
    """
    swapped = [k for k in KNOWN[2:] if sorted(k) == sorted(name)]
    close = swapped or difflib.get_close_matches(name, KNOWN[2:], n=1, cutoff=0.6)
    if not close or (value is not None and not valid_value(close[0], value)):
        return None
    return close[0]


def any_uri_ok(value: str) -> bool:
    """Tell whether a rua=/ruf= value holds at least one syntactically valid URI."""
    return any(uri_ok(u) for u in value.split(","))


def is_dmarc(text: str) -> bool:
    """Tell whether a TXT value begins like a DMARC record ("v=DMARC1" then ";" or the end)."""
    return re.match(r"^\s*v\s*=\s*dmarc1\s*(;|$)", text, re.IGNORECASE) is not None


def is_dmarc_attempt(text: str) -> bool:
    """Tell whether a TXT value is meant as DMARC but receivers cannot read it as one.

    Examples: "v=DMARC1 p=none" (no ";"), "p=reject; v=DMARC1" (v= not first).
    """
    return not is_dmarc(text) and _VERSION.search(text) is not None


@dataclass(frozen=True)
class DmarcRecord:
    """Tags of a DMARC record (first of each, lower-case names) and the faults found."""

    tags: dict[str, str]
    faults: tuple[Finding, ...]
    pairs: tuple[tuple[str, str], ...] = ()  # every tag in order, as the owner meant them
    notes: tuple[Finding, ...] = ()  # fine by RFC 9989; older receivers may differ

    @property
    def policy(self) -> str | None:
        """Return the p= policy when valid."""
        value = self.tags.get("p", "").lower()
        return value if value in POLICIES else None

    @property
    def errors(self) -> tuple[Finding, ...]:
        """Return the faults that make receivers discard the record or misread a value."""
        return tuple(f for f in self.faults if f.state == "failed")


def split_tags(record: str) -> tuple[list[tuple[str, str]], list[Finding]]:
    """Return the (name, value) pairs the owner wrote, and the separator faults found."""
    pairs: list[tuple[str, str]] = []
    faults: list[Finding] = []
    for part in record.split(";"):
        part = part.strip(WSP)
        if not part:
            continue
        pieces = _GLUED.split(part)
        # pieces: text, "name=", text, "name=", text ...
        chunks = [pieces[0]] + [pieces[i] + pieces[i + 1] for i in range(1, len(pieces), 2)]
        for index, chunk in enumerate(chunks):
            chunk = chunk.strip(WSP + ",")
            if index + 1 < len(chunks):
                after = chunks[index + 1].strip(WSP + ",")
                params = {"before": chunk, "after": after}
                faults.append(Finding("dmarc.missing_semicolon", "failed", params))
            if "=" not in chunk:
                faults.append(Finding("dmarc.not_a_tag", "failed", {"part": chunk}))
                continue
            name, value = (x.strip(WSP) for x in chunk.split("=", 1))
            pairs.append((name, value))
    return pairs, faults


def parse(record: str) -> DmarcRecord:
    """Parse a DMARC TXT value the way a receiver reads it; name every fault."""
    faults: list[Finding] = []
    notes: list[Finding] = []
    odd = odd_characters(record, allowed=WSP)
    if odd:
        faults.append(Finding("dmarc.odd_space", "failed", odd[0]))
    elif record[:1] in WSP and record.strip(WSP):
        faults.append(Finding("dmarc.leading_space", "failed", {"char": "U+0020"}))
    pairs, split_faults = split_tags(clean(record) if odd else record)
    faults += split_faults
    tags: dict[str, str] = {}
    names = [name.lower() for name, _ in pairs]
    if not names or names[0] != "v":
        faults.append(Finding("dmarc.version_not_first", "failed"))
    for name, value in pairs:
        key = name.lower()
        if key in tags:
            values = [tags[key], value]
            same = tags[key].lower() == value.lower()
            params = {"name": key, "values": [] if same else values}
            faults.append(Finding("dmarc.duplicate_tag", "failed", params))
            continue
        tags[key] = value
        if key == "v":
            if value != "DMARC1":
                faults.append(Finding("dmarc.bad_version", "failed", {"value": value}))
        elif key in REMOVED:
            valid = TAG_CHECKS[key](value.lower())
            params = {"name": key, "value": value, "valid": valid}
            # RFC 9989 ignores the tag; an older receiver reads it, and skips a value it cannot
            # read (RFC 7489 §6.6.3): a warning only then, else a note
            target = notes if valid else faults
            target.append(Finding("dmarc.removed_tag", "done" if valid else "warning", params))
        elif key not in KNOWN:
            params = {"name": name, "value": value, "suggestion": suggest(key, value) or ""}
            # RFC 9989: unknown tags are ignored; a misspelt known tag means a wish not applied
            if params["suggestion"]:
                faults.append(Finding("dmarc.unknown_tag", "warning", params))
            else:
                notes.append(Finding("dmarc.unknown_tag", "done", params))
        elif not TAG_CHECKS[key](value if key in ("rua", "ruf") else value.lower()):
            if key in ("rua", "ruf") and all(
                BARE_ADDRESS.match(u.strip(WSP)) or uri_ok(u) for u in value.split(",")
            ):
                params = {"name": key, "value": value}
                faults.append(Finding("dmarc.missing_mailto", "failed", params))
            else:
                params = {"name": key, "value": value}  # the catalog names what is allowed
                faults.append(Finding("dmarc.bad_value", "failed", params))
    if "p" not in tags:
        faults.append(Finding("dmarc.no_policy", "failed"))
    elif len(names) > 1 and names[1] != "p" and names[0] == "v":
        notes.append(Finding("dmarc.policy_not_second", "done"))  # RFC 9989: free order
    if tags.get("t", "").lower() == "y" and tags.get("p", "").lower() in ("reject", "quarantine"):
        # RFC 9989: t=y asks for one step less (reject -> quarantine, quarantine -> none)
        softer = {"reject": "quarantine", "quarantine": "none"}[tags["p"].lower()]
        params = {"policy": tags["p"].lower(), "softer": softer}
        notes.append(Finding("dmarc.testing", "done", params))
    return DmarcRecord(tags, tuple(faults), tuple(pairs), tuple(notes))


def report_domains(record: DmarcRecord) -> list[tuple[str, str, str]]:
    """Return (tag, address, domain) for each mailto: report address in rua= and ruf=
    (lower-case domain, without a size limit "!10m"); https: URIs are left out."""
    found = []
    for key in ("rua", "ruf"):
        for uri in record.tags.get(key, "").split(","):
            uri = re.sub(r"!\d+[kmgt]?$", "", uri.strip(WSP), flags=re.IGNORECASE | re.ASCII)
            if _MAILTO.match(uri):
                address = uri.split(":", 1)[1]
                found.append((key, address, address.rsplit("@", 1)[1].rstrip(".").lower()))
    return found
