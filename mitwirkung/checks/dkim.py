"""Parse a DKIM key record (RFC 6376 §3.6.1) and the public key in its p= tag.

Faults are findings (code, state, parameters); their German words are in dns/wording.py.
"""

from __future__ import annotations

import base64
import binascii
import re
import textwrap
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from mitwirkung.checks.finding import Finding, odd_characters

FWS = " \t\r\n"  # folding white space, the only whitespace a tag-list may hold (RFC 6376 §2.8)
KEY_TYPES = ("rsa", "ed25519")


@dataclass(frozen=True)
class DkimKey:
    """What a DKIM key record says: key type, size, and the faults found (RFC 6376 §3.6.1)."""

    tags: dict[str, str]
    key_type: str  # "rsa" | "ed25519" | other value of k=
    bits: int | None
    material: bytes | None  # canonical key bytes (SubjectPublicKeyInfo DER / raw Ed25519)
    faults: tuple[Finding, ...] = ()  # "failed": verifiers cannot use the key; else warnings
    upper_tags: tuple[str, ...] = ()  # tag names not written in lower case ("P"); RFC 6376 §3.2
    pkcs1: bool = False  # an RSA key as bare RSAPublicKey instead of SubjectPublicKeyInfo

    @property
    def failed(self) -> tuple[Finding, ...]:
        """Return the faults that make verifiers discard the record."""
        return tuple(f for f in self.faults if f.state == "failed")

    @property
    def revoked(self) -> bool:
        """Tell whether the record is an empty p= (a revoked key)."""
        return any(f.code == "dkim.revoked" for f in self.faults)


def parse_tags(record: str) -> dict[str, str]:
    """Split "a=b; c=d" into a dict with lower-case names and values without FWS.

    Tag names are case-sensitive (RFC 6376 §3.2); they are read case-insensitively here so that
    an upper-case "P=" can be named, and upper_tags() tells which were not lower case. The
    first of duplicate tags wins (duplicates make the record invalid, see parse()).
    """
    tags: dict[str, str] = {}
    for part in record.split(";"):
        if "=" not in part:
            continue
        name, value = part.split("=", 1)
        tags.setdefault(name.strip(FWS).lower(), re.sub(r"[ \t\r\n]+", "", value))
    return tags


def conflicting_tags(record: str) -> list[str]:
    """Return the tag names written more than once with different values (which one the
    owner means is unclear)."""
    seen: dict[str, str] = {}
    conflicts = []
    for part in record.split(";"):
        if "=" not in part:
            continue
        name, value = part.split("=", 1)
        name, value = name.strip(FWS).lower(), re.sub(r"[ \t\r\n]+", "", value)
        if name in seen and seen[name] != value and name not in conflicts:
            conflicts.append(name)
        seen.setdefault(name, value)
    return conflicts


def has_key_tag(record: str) -> bool:
    """Tell whether record holds a p= tag the way verifiers read tags (RFC 6376 §3.2: FWS may
    stand around "=", so "p = MIIB…" is a p= tag; "ip=1" is not)."""
    return any(name.lower() == "p" for name in tag_names(record))


def tag_names(record: str) -> list[str]:
    """Return the tag names of record in order, as written."""
    return [part.split("=", 1)[0].strip(FWS) for part in record.split(";") if "=" in part]


def upper_tags(record: str) -> tuple[str, ...]:
    """Return the tag names of record that are not written in lower case."""
    names = (part.split("=", 1)[0].strip() for part in record.split(";") if "=" in part)
    return tuple(name for name in names if name != name.lower())


def is_spki(b64: str) -> bool:
    """Tell whether a base64 key is SubjectPublicKeyInfo DER (the form DKIM verifiers expect)."""
    try:
        der = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        return False
    # Both forms are a DER SEQUENCE; SubjectPublicKeyInfo starts with another SEQUENCE (the
    # algorithm), PKCS#1 RSAPublicKey with an INTEGER (the modulus). The library loads both.
    if len(der) < 4 or der[0] != 0x30:
        return False
    start = 2 if der[1] < 0x80 else 2 + (der[1] & 0x7F)
    return len(der) > start and der[start] == 0x30


def expected_text(raw: str) -> str:
    """Return the key to publish for a pasted key, re-encoded as SubjectPublicKeyInfo if RSA."""
    text = key_text(raw)
    try:
        _, spki = load_key("rsa", text)
    except (ValueError, TypeError):
        return text
    return base64.b64encode(spki).decode()


def expected_record(raw: str) -> str:
    """Return the DKIM record to publish for a key the account manager pasted."""
    text = expected_text(raw)
    try:
        load_key("ed25519", text)
    except (ValueError, TypeError):
        return f"v=DKIM1; k=rsa; p={text}"
    return f"v=DKIM1; k=ed25519; p={text}"


def key_text(raw: str) -> str:
    """Return the base64 key from a pasted key, "p=…" value or whole record."""
    text = raw.replace('"', "").replace("'", "")
    if re.search(r"(^|;)\s*p\s*=", text):
        text = parse_tags(text).get("p", "")
    text = re.sub(r"-----[A-Z ]+-----", "", text)
    return re.sub(r"\s+", "", text)


def load_key(key_type: str, b64: str) -> tuple[int | None, bytes]:
    """Decode a key; return (RSA bits or None, canonical bytes). Raises ValueError."""
    try:
        der = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValueError("base64") from error
    if key_type == "ed25519":
        key = ed25519.Ed25519PublicKey.from_public_bytes(der)
        return None, key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    try:
        key = serialization.load_der_public_key(der)
    except ValueError:
        pem = "-----BEGIN RSA PUBLIC KEY-----\n{}\n-----END RSA PUBLIC KEY-----\n".format(
            "\n".join(textwrap.wrap(b64, 64))
        )
        key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("not rsa")
    spki = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return key.key_size, spki


def parse(record: str) -> DkimKey:
    """Parse a DKIM key record and check every tag a verifier reads (RFC 6376 §3.6.1).

    Failed: whitespace other than FWS, a part without "=", duplicate tags (§3.2), v= not first
    or not "DKIM1", no p= or an empty one (revoked), an unknown k=, h= without sha256 (every
    rsa-sha256/ed25519-sha256 signature fails), s= without "email" or "*", a key that does not
    decode. Warnings: t=y (testing: verifiers treat the mail as unsigned), upper-case tag
    names, a PKCS#1 key.
    """
    faults: list[Finding] = []
    odd = odd_characters(record, allowed=FWS)
    if odd:
        faults.append(Finding("dkim.odd_space", "failed", odd[0]))
    parts = [p.strip(FWS) for p in record.split(";") if p.strip(FWS)]
    faults += [Finding("dkim.not_a_tag", "failed", {"part": p}) for p in parts if "=" not in p]
    names = tag_names(record)
    lowered = [n.lower() for n in names]
    duplicates = sorted({n for n in lowered if lowered.count(n) > 1})
    if duplicates:
        params = {"names": duplicates, "conflicts": conflicting_tags(record)}
        faults.append(Finding("dkim.duplicate_tag", "failed", params))
    tags = parse_tags(record)
    key_type = tags.get("k", "rsa").lower() or "rsa"
    if "v" in tags and lowered[0] != "v":
        faults.append(Finding("dkim.version_not_first", "failed", {"first": names[0]}))
    if "v" in tags and tags["v"] != "DKIM1":
        faults.append(Finding("dkim.bad_version", "failed", {"value": tags["v"]}))
    if "h" in tags and "sha256" not in tags["h"].split(":"):
        faults.append(Finding("dkim.hash_excludes_sha256", "failed", {"value": tags["h"]}))
    if "s" in tags and not {"email", "*"} & set(tags["s"].split(":")):
        faults.append(Finding("dkim.service_excludes_email", "failed", {"value": tags["s"]}))
    if "y" in tags.get("t", "").split(":"):
        faults.append(Finding("dkim.testing", "warning", {"value": tags["t"]}))
    if key_type not in KEY_TYPES:
        faults.append(Finding("dkim.unknown_key_type", "failed", {"value": tags.get("k", "")}))
    if "p" not in tags:
        faults.append(Finding("dkim.no_key", "failed"))
    elif tags["p"] == "":
        faults.append(Finding("dkim.revoked", "failed"))
    if odd or key_type not in KEY_TYPES or not tags.get("p"):
        return DkimKey(tags, key_type, None, None, tuple(faults))
    try:
        bits, material = load_key(key_type, tags["p"])
    except (ValueError, TypeError):
        actual = _other_type(key_type, tags["p"])
        if actual:  # the key is fine; k= names the wrong algorithm (RFC 6376 §3.6.1, RFC 8463)
            params = {"declared": tags.get("k", ""), "actual": actual, "key_type": actual}
            faults.append(Finding("dkim.wrong_key_type", "failed", params))
            return DkimKey(tags, key_type, None, None, tuple(faults))
        padding = "=" * (-len(tags["p"]) % 4)
        try:  # complete, but without the "=" base64 ends with (RFC 6376 §3.6.1: base64)
            bits, material = load_key(key_type, tags["p"] + padding) if padding else (0, None)
        except (ValueError, TypeError):
            material = None
        if material is None:
            faults.append(Finding("dkim.key_broken", "failed", {"key_type": key_type}))
            return DkimKey(tags, key_type, None, None, tuple(faults))
        faults.append(Finding("dkim.key_unpadded", "failed", {"padding": padding}))
    pkcs1 = key_type == "rsa" and not is_spki(tags["p"])
    upper = upper_tags(record)
    return DkimKey(tags, key_type, bits, material, tuple(faults), upper, pkcs1)


def _other_type(declared: str, b64: str) -> str | None:
    """Return the key type the p= value really is when it is not declared (k=), else None."""
    for other in KEY_TYPES:
        if other == declared:
            continue
        try:
            load_key(other, b64 + "=" * (-len(b64) % 4))
        except (ValueError, TypeError):
            continue
        return other
    return None


def fix_key_type(record: str) -> str | None:
    """Return record with k= naming the type of the key in p= (added when missing), or None
    when the key does not decode as any type. Every other tag stays as written."""
    tags = parse_tags(record)
    actual = _other_type(tags.get("k", "rsa").lower() or "rsa", tags.get("p", ""))
    if not actual:
        return None
    names = [n.lower() for n in tag_names(record)]
    parts = [p.strip(FWS) for p in record.split(";") if p.strip(FWS)]
    fixed = [f"k={actual}" if n == "k" else p for n, p in zip(names, parts, strict=False)]
    if "k" not in names:
        fixed.insert(1 if names[:1] == ["v"] else 0, f"k={actual}")
    return "; ".join(fixed)


def repair(record: str) -> str | None:
    """Return record with its faulty optional tags fixed, or None when its key is unusable.

    v= moves to the front, an h= without sha256 and an s= without email are left out (both are
    optional; without them every hash and service is allowed), identical duplicates are
    dropped. t=y stays: testing is the owner's choice. None as well when a tag is written twice
    with different values (two keys, say): which one is meant is not for us to guess.
    """
    key = parse(record)
    if any(f.code == "dkim.wrong_key_type" for f in key.faults):
        retyped = fix_key_type(record)
        return repair(retyped) if retyped and not conflicting_tags(record) else None
    if key.material is None or conflicting_tags(record):
        return None
    tags = dict(key.tags)
    if "h" in tags and "sha256" not in tags["h"].split(":"):
        del tags["h"]
    if "s" in tags and not {"email", "*"} & set(tags["s"].split(":")):
        del tags["s"]
    tags["p"] += "=" * (-len(tags["p"]) % 4)  # base64 padding a key may lack
    tags["v"] = "DKIM1"
    order = ["v", *(n for n in tags if n != "v")]
    fixed = "; ".join(f"{n}={tags[n]}" for n in order)
    return fixed if not parse(fixed).failed else None


def same_key(found: DkimKey, expected_raw: str) -> bool:
    """Tell whether the key found equals the key the account manager entered."""
    expected = key_text(expected_raw)
    try:
        _, material = load_key(found.key_type, expected)
    except (ValueError, TypeError):
        return expected == found.tags.get("p", "")
    return material == found.material
