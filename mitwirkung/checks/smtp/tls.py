"""TLS for the SMTP test: contexts, what a session negotiated, and why a handshake failed."""

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

from mitwirkung.checks.diagnose import TECHNICAL, line, openssl_reason

# OpenSSL reasons that mean: the peer answered a TLS hello with something that is not TLS.
NOT_TLS_REASONS = {
    "WRONG_VERSION_NUMBER",
    "RECORD_LAYER_FAILURE",
    "PACKET_LENGTH_TOO_LONG",
    "UNKNOWN_PROTOCOL",
    "HTTP_REQUEST",
    "UNEXPECTED_RECORD",
}
# The peer and we have no protocol version in common (RFC 8446 §6.2 protocol_version alert).
VERSION_REASONS = {
    "TLSV1_ALERT_PROTOCOL_VERSION",
    "UNSUPPORTED_PROTOCOL",
    "NO_PROTOCOLS_AVAILABLE",
    "WRONG_SSL_VERSION",
    "VERSION_TOO_LOW",
    "TLSV1_ALERT_INSUFFICIENT_SECURITY",
}
# The peer refused our hello as a whole (handshake_failure alert): usually no shared cipher.
CIPHER_REASONS = {
    "SSLV3_ALERT_HANDSHAKE_FAILURE",
    "NO_SHARED_CIPHER",
    "NO_CIPHERS_AVAILABLE",
    "NO_SUITABLE_SIGNATURE_ALGORITHM",
}
# --- Issue 17: causes a handshake alert names that port and encryption cannot fix -----------
# The server wants a client certificate: TLS 1.3 says so (RFC 8446 §6.2 certificate_required);
# TLS 1.2 answers a missing one with handshake_failure (RFC 5246 §7.4.6), told apart by a
# second handshake that offers a throwaway certificate (see Session.asks_client_cert).
CLIENT_CERT_REASONS = {"TLSV13_ALERT_CERTIFICATE_REQUIRED", "PEER_DID_NOT_RETURN_A_CERTIFICATE"}
# What a server that checks client certificates answers to one it does not know.
CLIENT_CERT_REFUSED = CLIENT_CERT_REASONS | {
    "TLSV1_ALERT_UNKNOWN_CA",
    "SSLV3_ALERT_BAD_CERTIFICATE",
    "SSLV3_ALERT_CERTIFICATE_UNKNOWN",
    "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE",
    "TLSV1_ALERT_ACCESS_DENIED",
    "TLSV1_ALERT_DECRYPT_ERROR",
}
# The server's Diffie-Hellman group is too small for us (below 2048 bit, RFC 7919 §1).
WEAK_DH_REASONS = {"DH_KEY_TOO_SMALL", "BAD_DH_VALUE"}
# --- end of issue 17 block --------------------------------------------------------------------
# The connection ended inside the handshake.
CLOSED_REASONS = {"UNEXPECTED_EOF_WHILE_READING", "EOF occurred in violation of protocol"}
OUTDATED_VERSIONS = {"SSLv3", "TLSv1", "TLSv1.1"}
VERSION_LABELS = {"SSLv3": "SSL 3.0", "TLSv1": "TLS 1.0", "TLSv1.1": "TLS 1.1"}

CERT_NOT_YET_VALID = {9}  # X509_V_ERR_CERT_NOT_YET_VALID
CERT_EXPIRED = {10}  # X509_V_ERR_CERT_HAS_EXPIRED
CERT_SELF_SIGNED = {18, 19}  # DEPTH_ZERO_SELF_SIGNED_CERT, SELF_SIGNED_CERT_IN_CHAIN
# UNABLE_TO_GET_ISSUER_CERT_LOCALLY, UNABLE_TO_VERIFY_LEAF_SIGNATURE: the issuer is missing.
CERT_ISSUER_MISSING = {20, 21}
CERT_NAME_MISMATCH = {62, 64}  # X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH
CERT_WEAK_KEY = {66, 67}  # X509_V_ERR_EE_KEY_TOO_SMALL, X509_V_ERR_CA_KEY_TOO_SMALL
CERT_WEAK_DIGEST = {68}  # X509_V_ERR_CA_MD_TOO_WEAK (e.g. signed with SHA-1)


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
    (RFC 9525 §6.3); a certificate naming the host only in its CN fails (see cn_only()).
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


def cn_only(der: bytes | None, host: str) -> bool:
    """Tell whether a certificate names host only in its subject CN, without subjectAltName
    (RFC 9525 §6.3: clients match subjectAltName only, so such a certificate fits no name)."""
    if not der:
        return False
    cert = x509.load_der_x509_certificate(der)
    with contextlib.suppress(x509.ExtensionNotFound):
        cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        return False
    names = [a.value for a in cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)]
    return any(str(n).rstrip(".").lower() == host.rstrip(".").lower() for n in names)


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


def certificate_context(der: bytes | None) -> dict:
    """Names, issuer and expiry of a certificate for the diagnosis texts."""
    if not der:
        return {}
    cert = x509.load_der_x509_certificate(der)
    names = []
    with contextlib.suppress(x509.ExtensionNotFound):
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = san.get_values_for_type(x509.DNSName)
        names += [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
    if not names:
        names = [a.value for a in cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)]
    ca_issuers = False
    with contextlib.suppress(x509.ExtensionNotFound):
        access = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
        ca_issuers = any(
            item.access_method == x509.AuthorityInformationAccessOID.CA_ISSUERS for item in access
        )
    return {
        "ca_issuers": ca_issuers,
        "cert_names": names,
        "issuer": cert.issuer.rfc4514_string(),
        "not_before": cert.not_valid_before_utc.date().isoformat(),
        "not_after": cert.not_valid_after_utc.date().isoformat(),
        "self_issued": cert.issuer == cert.subject,
    }


def verify_failure(error: ssl.SSLCertVerificationError, seen: Handshake | None, host: str = ""):
    """Return (failure class, context) for a certificate that failed verification.

    OpenSSL's verify codes are told apart; its English text goes to the transcript only.
    A leaf whose issuer is unknown and that came alone is a missing intermediate only when
    it names where its issuer is published (Authority Information Access, RFC 5280
    §4.2.2.1), as publicly trusted CAs do; otherwise the issuer itself is not recognised.
    """
    context = certificate_context(seen.der if seen else None)
    self_issued = context.pop("self_issued", False)
    has_aia = context.pop("ca_issuers", False)
    code = error.verify_code
    if code in CERT_NOT_YET_VALID:
        return "cert_not_yet_valid", context
    if code in CERT_EXPIRED:
        return "cert_expired", context
    if code in CERT_NAME_MISMATCH:
        if host and cn_only(seen.der if seen else None, host):
            return "cert_cn_only", context
        return "cert_hostname", context
    if code in CERT_WEAK_KEY:
        return "cert_weak", {"note": "weak_key", **context}
    if code in CERT_WEAK_DIGEST:
        return "cert_weak", {"note": "weak_digest", **context}
    chain = seen.chain if seen else None
    alone = chain is None or chain <= 1
    if code in CERT_ISSUER_MISSING and seen and not self_issued and alone and has_aia:
        return "cert_chain_incomplete", context
    if self_issued or code == 18:
        return "cert_untrusted", {"note": "self_signed", **context}
    if code == 19:
        return "cert_untrusted", {"note": "untrusted_root", **context}
    if code in CERT_ISSUER_MISSING:
        return "cert_untrusted", {"note": "unknown_issuer", **context}
    return "cert_untrusted", {"detail": TECHNICAL.format(error.verify_message or code), **context}


def reason_of(error: BaseException) -> str:
    """OpenSSL's reason for a TLS error ("WRONG_VERSION_NUMBER"), or its text."""
    return getattr(error, "reason", None) or str(error)


def handshake_failure(reason: str, encryption: str, seen: Handshake | None):
    """Return (failure class, context) for a TLS handshake that failed.

    reason: OpenSSL's reason; encryption: "ssl" (implicit TLS, RFC 8314) or "tls"
    (STARTTLS, RFC 3207); seen: what a diagnosis handshake got, if one was tried.
    """
    technical = {"detail": openssl_reason(reason)}
    if reason in NOT_TLS_REASONS:
        return ("ssl_on_plain_port" if encryption == "ssl" else "starttls_plain_answer"), {}
    if seen and seen.version in OUTDATED_VERSIONS:
        return "tls_outdated", {"tls_version": _version_label(seen.version)}
    if reason in CLIENT_CERT_REASONS:
        return "tls_client_cert_required", {}
    if reason in WEAK_DH_REASONS:
        return "tls_weak_dh", {}
    if reason in VERSION_REASONS:
        return "tls_version_mismatch", technical
    if reason in CIPHER_REASONS:
        if seen and seen.cipher:
            return "tls_no_shared_cipher", {
                "old_cipher": seen.cipher,
                "tls_version": _version_label(seen.version),
            }
        return "tls_no_shared_cipher", technical
    if reason in CLOSED_REASONS:
        return "tls_closed", {}
    return "tls_error", technical


def _version_label(version: str) -> str:
    """OpenSSL's protocol name as people know it: "TLSv1" -> "TLS 1.0"."""
    return VERSION_LABELS.get(version, version.replace("TLSv", "TLS "))
