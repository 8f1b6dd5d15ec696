"""TLS for the SMTP test: contexts and what a session negotiated (why a handshake failed is
read in tls_failures.py)."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import ssl
import tempfile
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from mitwirkung.checks.diagnose import line


@dataclass(frozen=True)
class TlsInfo:
    version: str
    cipher: str
    subject: str
    issuer: str
    not_after: str  # ISO date


@dataclass(frozen=True)
class Handshake:
    """What a diagnosis-only handshake (any version, any cipher, no verification) got."""

    version: str  # OpenSSL's name, e.g. "TLSv1.1"; "" if even that handshake failed
    cipher: str
    der: bytes | None  # the peer certificate
    chain: int | None  # how many certificates the server sent, None if unknown


def tls_context(ca_file: str | None) -> ssl.SSLContext:
    """Return a verifying client context: system trust store plus the optional CA file.

    The host name is matched against subjectAltName only, never the subject's CN
    (RFC 9525 §6.3); a certificate naming the host only in its CN fails (tls_failures.cn_only).
    """
    context = ssl.create_default_context()
    context.hostname_checks_common_name = False
    if ca_file:
        context.load_verify_locations(ca_file)
    return context


def diagnosis_context() -> ssl.SSLContext:
    """Return a context for diagnosis only: no verification, every version and cipher.

    It is used after a failed handshake, to learn what the server does offer (an outdated
    version, an old cipher, the certificate that failed). Never for sending.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with warnings.catch_warnings(), contextlib.suppress(ValueError, ssl.SSLError):
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = ssl.TLSVersion.TLSv1
        context.set_ciphers("ALL:@SECLEVEL=0")
    return context


def throwaway_pem() -> bytes:
    """A fresh EC P-256 key and a self-signed certificate for it (CN mitwirkung-probe, valid
    from yesterday to tomorrow), as PEM: key, then certificate.

    Made per handshake that needs it, so no key outlives the diagnosis and no process keeps
    a certificate past its validity (a few milliseconds, only on a failed handshake).
    """
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mitwirkung-probe")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return private + cert.public_bytes(serialization.Encoding.PEM)


def client_cert_context() -> ssl.SSLContext:
    """Return diagnosis_context() that offers a throwaway self-signed client certificate.

    Only to learn whether a server insists on a client certificate: one that does answers it
    with an alert about the certificate instead of the bare handshake_failure. The key
    (`throwaway_pem`) is made for this context, never used to sign anything else, and lives
    on disk only while it is loaded.
    """
    context = diagnosis_context()
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "probe.pem")
        with open(path, "wb") as handle:
            handle.write(throwaway_pem())
        context.load_cert_chain(path)
    return context


def handshake_of(ssl_object) -> Handshake:
    """Read version, cipher and certificate of a diagnosis handshake."""
    der = ssl_object.getpeercert(binary_form=True)
    cipher = (ssl_object.cipher() or ("",))[0]
    return Handshake(ssl_object.version() or "", cipher, der, _chain_length(ssl_object))


def _chain_length(ssl_object) -> int | None:
    """How many certificates the server sent (None where Python cannot tell)."""
    getter = getattr(ssl_object, "get_unverified_chain", None) or getattr(
        getattr(ssl_object, "_sslobj", None), "get_unverified_chain", None
    )
    if getter is None:
        return None
    with contextlib.suppress(Exception):
        return len(getter() or ())
    return None


def _name(rdns) -> str:
    """Format a getpeercert() subject/issuer as "CN=…, O=…"."""
    short = {"commonName": "CN", "organizationName": "O", "organizationalUnitName": "OU"}
    parts = [f"{short.get(k, k)}={v}" for rdn in rdns or () for k, v in rdn]
    return ", ".join(parts)


def tls_info(ssl_object) -> TlsInfo | None:
    """Read version, cipher and the peer certificate from a verified TLS connection."""
    if ssl_object is None:
        return None
    cert = ssl_object.getpeercert() or {}
    subject = _name(cert.get("subject"))
    if "CN=" not in subject:
        names = ", ".join(v for _, v in cert.get("subjectAltName", ()))
        subject = f"{names} ({subject})" if subject and names else names or subject
    not_after = ""
    if cert.get("notAfter"):
        stamp = ssl.cert_time_to_seconds(cert["notAfter"])
        not_after = datetime.fromtimestamp(stamp, UTC).date().isoformat()
    version = (ssl_object.version() or "").replace("TLSv", "TLS ")
    cipher = (ssl_object.cipher() or ("",))[0]
    return TlsInfo(version, cipher, subject, _name(cert.get("issuer")), not_after)


def tls_line(info: TlsInfo) -> str:
    """Describe a TLS session in one transcript line."""
    return line("tls_session", **dataclasses.asdict(info))
