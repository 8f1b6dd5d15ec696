"""Test keys and DKIM-signed mails for the receiver's verdict (tests and bench share it).

key = SigningKey.make()                 # RSA 2048, private PEM + DKIM p= value
zone = f"mailjet._domainkey.kunde.test. 300 IN TXT {key.txt()}"
raw = sign(message(from_="it@kunde.test"), key, domain="kunde.test", selector="mailjet")
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa


@dataclass(frozen=True)
class SigningKey:
    """An RSA key pair: private key as PEM (dkimpy signs with it), public as DKIM p=."""

    private_pem: bytes
    public_b64: str
    bits: int

    @classmethod
    def make(cls, bits: int = 2048) -> SigningKey:
        """Generate a fresh key pair."""
        private = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        der = private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return cls(pem, base64.b64encode(der).decode(), bits)

    def txt(self, extra: str = "") -> str:
        """Return the key record as quoted zone-file TXT strings ("v=DKIM1; k=rsa; p=...")."""
        value = f"v=DKIM1; k=rsa; {extra}p={self.public_b64}"
        return " ".join(f'"{value[i : i + 200]}"' for i in range(0, len(value), 200))


@dataclass(frozen=True)
class Ed25519Key:
    """An Ed25519 key pair for ed25519-sha256 signatures (RFC 8463)."""

    private_b64: bytes
    public_b64: str
    bits: int = 256

    @classmethod
    def make(cls) -> Ed25519Key:
        """Generate a fresh key pair."""
        private = ed25519.Ed25519PrivateKey.generate()
        seed = private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        public = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return cls(base64.b64encode(seed), base64.b64encode(public).decode())

    def txt(self, extra: str = "") -> str:
        """Return the key record as a quoted zone-file TXT string."""
        return f'"v=DKIM1; k=ed25519; {extra}p={self.public_b64}"'


def message(
    *,
    from_: str = "PEIQ PRINT PPS <pps@kunde.test>",
    to: str = "pruef-abc@inbound.test",
    subject: str = "Testmail",
    body: str = "Hallo,\nRechnungslauf abgeschlossen.\n",
    extra: dict[str, str] | None = None,
) -> bytes:
    """Return a plain text mail with CRLF line ends."""
    mail = EmailMessage()
    mail["From"] = from_
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = formatdate(1796000000, localtime=False)
    mail["Message-ID"] = make_msgid(domain="kunde.test")
    for name, value in (extra or {}).items():
        mail[name] = value
    mail.set_content(body)
    return mail.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def sign(raw: bytes, key, *, domain: str, selector: str) -> bytes:
    """Return raw with a DKIM-Signature (rsa-sha256 or ed25519-sha256, relaxed/relaxed)."""
    ed = isinstance(key, Ed25519Key)
    header = dkim.sign(
        raw,
        selector.encode(),
        domain.encode(),
        key.private_b64 if ed else key.private_pem,
        canonicalize=(b"relaxed", b"relaxed"),
        include_headers=[b"from", b"to", b"subject", b"date", b"message-id"],
        signature_algorithm=b"ed25519-sha256" if ed else b"rsa-sha256",
    )
    return header + raw


def arc_seal(raw: bytes, key: SigningKey, *, domain: str, selector: str) -> bytes:
    """Return raw as a forwarder would pass it on: Authentication-Results plus one ARC set."""
    results = f"Authentication-Results: {domain}; dkim=pass header.d=kunde.test\r\n".encode()
    raw = results + raw
    headers = dkim.arc_sign(
        raw,
        selector.encode(),
        domain.encode(),
        key.private_pem,
        domain.encode(),
        include_headers=[b"from", b"to", b"subject", b"date", b"message-id"],
    )
    return b"".join(headers) + raw
