"""Every DKIM signature of a message verified as a receiver does (RFC 6376 §6), with dkimpy.

Keys are fetched first, all at once and asynchronously ("<s>._domainkey.<d>" TXT, §3.6.2.1);
dkimpy then verifies each signature with a dnsfunc that answers from those keys, in a worker
thread. Each signature gets a result (RFC 8601 §2.7.1) and a reason code:

    pass       valid                    the signature verifies
    fail       body_changed             the body hash (bh=) does not match: the body changed
    fail       signature_mismatch       b= does not verify: a signed header changed, or the key
                                         in DNS is not the one the sender signed with
    fail       key_too_small            an RSA key under 1024 bits (RFC 8301 §3.2)
    neutral    testing                  valid, but the key says t=y: treat as unsigned (§3.6.1)
    permerror  key_missing              no key record at the selector
    permerror  key_revoked              the key record has an empty p= (§3.6.1)
    permerror  key_invalid              the key record cannot be read
    permerror  signature_invalid        the DKIM-Signature header itself is malformed
    permerror  signature_expired        the signature's x= time has passed (§3.5)
    permerror  weak_algorithm           rsa-sha1, which verifiers must not accept (RFC 8301 §3.1)
    temperror  dns_timeout              DNS did not answer for the key (§6.1.2: try later)

Bounded like a receiver: only the first MAX_SIGNATURES signatures (top first) are verified
(RFC 6376 §6.1 lets a verifier limit the signatures it checks, to resist denial of service);
the rest are counted as "nicht geprüft". A signature whose d= is not a domain name or whose s=
is not a selector (RFC 6376 §3.1 selector = sub-domain *("." sub-domain), §3.5 d= is a
domain-name) is permerror signature_invalid without any DNS query (§6.1.1).
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import asdict, dataclass

import dkim as dkimpy
from dkim.util import InvalidTagValueList, parse_tag_value

from mitwirkung.checks.inbound.dnsquery import TxtLookup

_QUIET = logging.getLogger("mitwirkung.inbound.dkimpy")
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False

MAX_SIGNATURES = 5  # signatures verified per message; the rest are "nicht geprüft"
# RFC 5321 §4.1.2 sub-domain (Let-dig [Ldh-str]), at most 63 octets per label (RFC 1035 §2.3.4)
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\Z")


@dataclass(frozen=True)
class DkimEntry:
    """One DKIM-Signature's verdict: d=, s=, a=, key size in bits, result and reason code."""

    domain: str
    selector: str
    result: str  # pass | fail | neutral | temperror | permerror
    algorithm: str = ""  # "rsa-sha256", "ed25519-sha256"
    key_bits: int | None = None
    reason: str = "valid"
    header: str = "dkim-signature"  # or "arc-seal"/"arc-message-signature" (ARC is separate)

    def to_dict(self) -> dict:
        """Return the entry as a JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> DkimEntry:
        """Rebuild an entry from to_dict()'s output."""
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


def signatures(raw: bytes, header: bytes = b"dkim-signature") -> list[dict[bytes, bytes] | None]:
    """Return the tag lists of the message's header fields named header, in order.

    An unreadable tag list is None (its signature is a permerror).
    """
    message = dkimpy.DKIM(raw, logger=_QUIET)
    tags: list[dict[bytes, bytes] | None] = []
    for name, value in message.headers:
        if name.lower() != header:
            continue
        try:
            tags.append(parse_tag_value(value))
        except InvalidTagValueList:
            tags.append(None)
    return tags


def _dotted(value: str, *, min_labels: int) -> bool:
    """True when value is dot-separated LDH labels (at least min_labels, 253 octets at most)."""
    labels = value.split(".")
    return (
        len(value) <= 253
        and len(labels) >= min_labels
        and all(_LABEL.match(label) for label in labels)
    )


def key_name(tags: dict[bytes, bytes] | None) -> str | None:
    """Return "<s>._domainkey.<d>" for a signature's tags, or None without both tags or when
    d= is not a domain name or s= not a selector (RFC 6376 §3.1, §3.5: a permerror)."""
    if not tags or b"s" not in tags or b"d" not in tags:
        return None
    selector = tags[b"s"].decode("ascii", "replace").strip()
    domain = tags[b"d"].decode("ascii", "replace").strip().rstrip(".")
    if not _dotted(selector, min_labels=1) or not _dotted(domain, min_labels=2):
        return None
    name = f"{selector}._domainkey.{domain}".lower()
    return name if len(name) <= 253 else None


def _key_tags(record: str) -> dict[str, str]:
    tags = {}
    for part in record.split(";"):
        name, _, value = part.partition("=")
        tags.setdefault(name.strip().lower(), re.sub(r"\s+", "", value))
    return tags


async def fetch_keys(names: set[str], txt: TxtLookup) -> dict[str, list[str] | None]:
    """Return the TXT strings at each key name (None: DNS failed), asked concurrently."""
    ordered = sorted(names)
    answers = await asyncio.gather(*(txt(name) for name in ordered))
    return dict(zip(ordered, answers, strict=True))


def _verify_one(raw: bytes, index: int, tags, keys: dict[str, list[str] | None]) -> DkimEntry:
    """Verify signature number index (blocking: run it in a thread)."""
    domain = tags.get(b"d", b"").decode("ascii", "replace").strip() if tags else ""
    selector = tags.get(b"s", b"").decode("ascii", "replace").strip() if tags else ""
    algorithm = tags.get(b"a", b"").decode("ascii", "replace").strip() if tags else ""
    name = key_name(tags)
    # shown on pages: bounded (a domain name has at most 253 octets, RFC 1035 §2.3.4)
    entry = {
        "domain": domain.lower()[:253],
        "selector": selector[:253],
        "algorithm": algorithm[:32],
    }
    if name is None:
        return DkimEntry(result="permerror", reason="signature_invalid", **entry)
    if algorithm.lower() == "rsa-sha1":
        return DkimEntry(result="permerror", reason="weak_algorithm", **entry)
    answer = keys.get(name)
    if answer is None:
        return DkimEntry(result="temperror", reason="dns_timeout", **entry)
    if not answer:
        return DkimEntry(result="permerror", reason="key_missing", **entry)
    # other TXT records may share the name: the key record is the one with a p= tag
    record = next((r for r in answer if "p" in _key_tags(r)), answer[0])
    key_tags = _key_tags(record)
    if "p" in key_tags and not key_tags["p"]:
        return DkimEntry(result="permerror", reason="key_revoked", **entry)
    testing = "y" in key_tags.get("t", "").split(":")
    verifier = dkimpy.DKIM(raw, logger=_QUIET, timeout=1)

    def dnsfunc(_name, timeout=None):
        return record.encode("utf-8")

    try:
        good = verifier.verify(idx=index, dnsfunc=dnsfunc)
    except dkimpy.KeyFormatError as error:
        reason = "key_too_small" if "too small" in str(error) else "key_invalid"
        result = "fail" if reason == "key_too_small" else "permerror"
        return DkimEntry(result=result, reason=reason, key_bits=verifier.keysize or None, **entry)
    except dkimpy.ValidationError as error:
        if "body hash mismatch" in str(error):
            bits = verifier.keysize or None
            return DkimEntry(result="fail", reason="body_changed", key_bits=bits, **entry)
        if "x= value is past" in str(error):
            return DkimEntry(result="permerror", reason="signature_expired", **entry)
        return DkimEntry(result="permerror", reason="signature_invalid", **entry)
    except Exception:  # noqa: BLE001 - untrusted input may break dkimpy anywhere
        return DkimEntry(result="permerror", reason="signature_invalid", **entry)
    bits = verifier.keysize or None
    if not good:
        if bits is None:  # dkimpy could not load the key (it logs and returns False)
            return DkimEntry(result="permerror", reason="key_invalid", **entry)
        return DkimEntry(result="fail", reason="signature_mismatch", key_bits=bits, **entry)
    if testing:
        return DkimEntry(result="neutral", reason="testing", key_bits=bits, **entry)
    return DkimEntry(result="pass", reason="valid", key_bits=bits, **entry)


def _verify_all(raw: bytes, all_tags, keys) -> tuple[DkimEntry, ...]:
    return tuple(_verify_one(raw, i, tags, keys) for i, tags in enumerate(all_tags))


async def verify_all(
    raw: bytes, txt: TxtLookup, limit: int = MAX_SIGNATURES
) -> tuple[tuple[DkimEntry, ...], int]:
    """Verify the first `limit` DKIM-Signatures of raw (top first).

    Returns (entries, unchecked): one entry per verified signature, and how many further
    signatures were left unverified. ((), 0) for an unsigned message.
    """
    try:
        all_tags = signatures(raw)
    except Exception:  # noqa: BLE001 - headers dkimpy cannot parse: no signature to verify
        return (), 0
    checked = all_tags[:limit]
    if not checked:
        return (), 0
    names = {name for name in map(key_name, checked) if name}
    keys = await fetch_keys(names, txt)
    entries = await asyncio.to_thread(_verify_all, raw, checked, keys)
    return entries, len(all_tags) - len(checked)
