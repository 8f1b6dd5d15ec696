"""Parse a DKIM key record (RFC 6376 §3.6.1) and the public key in its p= tag."""

from __future__ import annotations

import base64
import binascii
import re
import textwrap
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa


@dataclass(frozen=True)
class DkimKey:
    """What a DKIM record says: key type, size, and what is wrong with it (German)."""

    tags: dict[str, str]
    key_type: str  # "rsa" | "ed25519" | other value of k=
    bits: int | None
    material: bytes | None  # canonical key bytes (SubjectPublicKeyInfo DER / raw Ed25519)
    error: str | None  # German; None when the key is usable
    revoked: bool = False
    upper_tags: tuple[str, ...] = ()  # tag names not written in lower case ("P"); RFC 6376 §3.2
    pkcs1: bool = False  # an RSA key as bare RSAPublicKey instead of SubjectPublicKeyInfo


def parse_tags(record: str) -> dict[str, str]:
    """Split "a=b; c=d" into a dict with lower-case names and whitespace-free values.

    Tag names are case-sensitive (RFC 6376 §3.2); they are read case-insensitively here so that
    an upper-case "P=" can be named, and upper_tags() tells which were not lower case.
    """
    tags: dict[str, str] = {}
    for part in record.split(";"):
        if "=" not in part:
            continue
        name, value = part.split("=", 1)
        tags.setdefault(name.strip().lower(), re.sub(r"\s+", "", value))
    return tags


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
    """Parse a DKIM TXT value and check its key."""
    tags = parse_tags(record)
    key_type = tags.get("k", "rsa").lower() or "rsa"
    if "v" in tags and tags["v"] != "DKIM1":
        error = f"„v={tags['v']}“ ist falsch, richtig ist v=DKIM1."
        return DkimKey(tags, key_type, None, None, error)
    if "p" not in tags:
        return DkimKey(tags, key_type, None, None, "Im Eintrag fehlt der Schlüssel (p=…).")
    if tags["p"] == "":
        error = "Der Schlüssel ist leer (p=): so wird ein zurückgezogener Schlüssel markiert."
        return DkimKey(tags, key_type, None, None, error, revoked=True)
    if key_type not in ("rsa", "ed25519"):
        error = f"Unbekannter Schlüsseltyp „k={key_type}“: erlaubt sind rsa und ed25519."
        return DkimKey(tags, key_type, None, None, error)
    try:
        bits, material = load_key(key_type, tags["p"])
    except (ValueError, TypeError):
        error = (
            "Schlüssel abgeschnitten oder beschädigt: der Wert nach p= ist kein vollständiger "
            f"{'Ed25519' if key_type == 'ed25519' else 'RSA'}-Schlüssel."
        )
        return DkimKey(tags, key_type, None, None, error)
    pkcs1 = key_type == "rsa" and not is_spki(tags["p"])
    return DkimKey(tags, key_type, bits, material, None, False, upper_tags(record), pkcs1)


def same_key(found: DkimKey, expected_raw: str) -> bool:
    """Tell whether the key found equals the key the account manager entered."""
    expected = key_text(expected_raw)
    try:
        _, material = load_key(found.key_type, expected)
    except (ValueError, TypeError):
        return expected == found.tags.get("p", "")
    return material == found.material
