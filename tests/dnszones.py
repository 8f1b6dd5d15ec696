"""The test zones with freshly generated DKIM keys filled in (shared by tests and bench)."""

import base64
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

import idna
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

ZONES = Path(__file__).parent / "zones"
IDN = idna.encode("müller-verlag.de", uts46=True).decode()


def spki_b64(public_key) -> str:
    """Return a public key as base64 SubjectPublicKeyInfo DER, the DKIM p= form."""
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


def rsa_b64(bits: int) -> str:
    """Return a fresh RSA public key of the given size as DKIM p= value."""
    if bits < 1024:  # cryptography refuses to generate such keys; a public modulus is enough
        modulus = secrets.randbits(bits) | (1 << (bits - 1)) | 1
        return spki_b64(rsa.RSAPublicNumbers(65537, modulus).public_key())
    return spki_b64(rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key())


def txt_strings(value: str, size: int = 200) -> str:
    """Return value as several quoted character-strings, the way long TXT values are stored."""
    return " ".join(f'"{value[i : i + size]}"' for i in range(0, len(value), size))


@dataclass(frozen=True)
class Keys:
    """The keys published in the test zones."""

    rsa2048: str
    rsa1024: str
    rsa512: str
    ed25519: str


def make_keys() -> Keys:
    """Generate the keys for one test session."""
    raw = ed25519.Ed25519PrivateKey.generate().public_key()
    raw_bytes = raw.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return Keys(rsa_b64(2048), rsa_b64(1024), rsa_b64(512), base64.b64encode(raw_bytes).decode())


def pkcs1_b64(spki: str) -> str:
    """Return an SPKI key (DKIM p= form) re-encoded as bare PKCS#1 RSAPublicKey."""
    key = serialization.load_der_public_key(base64.b64decode(spki))
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    return base64.b64encode(der).decode()


def _generic_spf(match: re.Match) -> str:
    """Return an "IN SPF" value in RFC 3597 generic form (one character-string)."""
    value = match.group(1).encode()
    wire = bytes([len(value)]) + value
    return f"IN SPF \\# {len(wire)} {wire.hex()}"


def zone_text(keys: Keys, *names: str) -> str:
    """Return the zone files named (default: all) with keys and the IDN filled in."""
    files = [ZONES / n for n in names] if names else sorted(ZONES.glob("*.zone"))
    text = "\n".join(f.read_text() for f in files)
    text = re.sub(r'IN SPF "([^"]*)"', _generic_spf, text)
    return (
        text.replace("{DKIM_2048}", txt_strings(keys.rsa2048))
        .replace("{DKIM_1024}", keys.rsa1024)
        .replace("{DKIM_512}", keys.rsa512)
        .replace("{DKIM_TRUNCATED}", keys.rsa2048[:150])
        .replace("{DKIM_HEAD}", keys.rsa2048[:150])
        .replace("{DKIM_TAIL}", keys.rsa2048[150:])
        .replace("{DKIM_PKCS1}", txt_strings(pkcs1_b64(keys.rsa2048)))
        .replace("{ED25519_UNPADDED}", keys.ed25519.rstrip("="))
        .replace("{ED25519}", keys.ed25519)
        .replace("{IDN}", IDN)
        .replace("{DKIM_NBSP}", txt_strings(keys.rsa2048[:100] + "\u00a0" + keys.rsa2048[100:]))
        .replace("{TAB}", "\t")
        .replace("{NBSP}", "\u00a0")
        .replace("{ZWSP}", "\u200b")
    )
