"""Why a TLS handshake of the SMTP test failed: OpenSSL's reasons and verify codes -> one
failure class with its context (the German words are in checks/diagnose.py). Contexts and
what a session negotiated are in tls.py."""

from __future__ import annotations

import contextlib
import ssl

from cryptography import x509

from mitwirkung.checks.diagnose import TECHNICAL, openssl_reason

from .tls import Handshake

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
# Causes a handshake alert names that port and encryption cannot fix:
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
