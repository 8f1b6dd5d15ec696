"""Reading one SMTP reply as the server means it: a negative reply to MAIL, RCPT, DATA, EHLO
or AUTH -> one failure class (a code; its German words are in checks/diagnose.py).

The reply class decides first (RFC 5321 §4.2.1: 4yz transient, 5yz permanent), then the
enhanced status code (RFC 3463), then the text a server family is documented to send.
Exceptions of the whole dialogue are classified in classify.py.
"""

from __future__ import annotations

import re

# Negative replies are classified by their text and enhanced status code first, then by the
# step they answered: Postfix reports client, HELO and sender restrictions at RCPT.
_ENHANCED = re.compile(r"\s*([245]\.\d{1,3}\.\d{1,3})\b", re.ASCII)
SYSTEM_STATUS = {"4.7.25", "5.7.25", "5.7.606", "5.7.607", "5.7.608", "5.7.609", "5.7.708"}
SYSTEM_TEXT = re.compile(
    r"client host rejected|helo command rejected|blocked using|\bblock ?list|\bblack ?list"
    r"|\bspamhaus\b|\bdnsbl\b|\brbl\b|banned sending ip|traffic not accepted from this ip"
    r"|reverse (host ?name|dns)|\bptr\b",
    re.IGNORECASE,
)
SENDER_STATUS = {"5.1.7", "5.1.8", "5.7.60"}
SENDER_TEXT = re.compile(
    r"sender address rejected|not owned|sendasdenied|\bsend(ing)? as\b|sender not allowed"
    r"|sender rejected|sender verify failed",
    re.IGNORECASE,
)
ENCRYPTION_STATUS = {"5.7.10", "5.7.11"}
ENCRYPTION_TEXT = re.compile(r"starttls|encryption required|must use tls", re.IGNORECASE)
AUTH_REQUIRED_TEXT = re.compile(r"authentication required|not authenticated", re.IGNORECASE)
# RFC 6531 §3.7.4: 553 5.6.7 / 550 5.6.7 for a UTF-8 address the server cannot take.
UTF8_STATUS = {"5.6.7", "5.6.8", "5.6.9"}


def enhanced_status(message: str) -> str:
    """Return the enhanced status code (RFC 3463, "5.7.1") a reply text starts with, or ""."""
    match = _ENHANCED.match(message or "")
    return match.group(1) if match else ""


# Refusals whose enhanced status code (RFC 3463) or text names the cause, whatever the step.
STATUS_CLASSES = {
    "5.4.5": "sending_limit",  # e.g. Gmail "Daily user sending limit exceeded"
    "5.3.4": "message_too_big",
    "5.2.3": "message_too_big",
    "5.2.2": "mailbox_full",
    "4.2.2": "mailbox_full",
    "5.7.23": "spf_refused",  # RFC 7372 §3.2
    "5.7.26": "dmarc_refused",  # multiple authentication checks failed
    "5.7.509": "dmarc_refused",
}
TEXT_CLASSES = (
    (re.compile(r"bad outbound sender|restricted from sending|outbound spam", re.I),
     "sender_account_blocked"),
    (re.compile(r"sending limit|daily (user )?(sending )?(limit|quota)", re.I), "sending_limit"),
    (re.compile(r"greylist|graylist|grey-list|try again later.{0,200}\bgrey", re.I), "greylisted"),
    (re.compile(r"mailbox (is )?full|over quota|quota exceeded", re.I), "mailbox_full"),
    (re.compile(r"\bspf\b|sender policy framework", re.I), "spf_refused"),
    (re.compile(r"\bdmarc\b", re.I), "dmarc_refused"),
    (re.compile(r"message size|too (big|large)|exceeds .{0,200}size", re.I), "message_too_big"),
)  # fmt: skip


def reply_code(code: int, message: str, when: str) -> str:
    """Classify a negative reply to MAIL, RCPT or DATA.

    By what it names first (the sending system blocked, then the enhanced status code of
    STATUS_CLASSES and the texts of TEXT_CLASSES), then by its class (4xx temporary), then
    by the step: Postfix reports client, HELO and sender restrictions at RCPT.
    """
    text = message or ""
    status = enhanced_status(text)
    named = next((c for pattern, c in TEXT_CLASSES if pattern.search(text)), None)
    named = named or STATUS_CLASSES.get(status)
    if 400 <= code < 500:
        return transient(code, text, named)
    if status in SYSTEM_STATUS or SYSTEM_TEXT.search(text):
        return "sender_system_blocked"
    if named:
        return named
    if status in UTF8_STATUS:
        return "smtputf8_refused"
    if status in ENCRYPTION_STATUS or ENCRYPTION_TEXT.search(text):
        return "encryption_required"
    if status in SENDER_STATUS or SENDER_TEXT.search(text):
        return "sender_rejected"
    if code == 530 or status == "5.7.57" or AUTH_REQUIRED_TEXT.search(text):
        return "auth_required"
    if "relay" in text.lower():
        return "relay_denied"
    return {"mail": "sender_rejected", "rcpt": "recipient_rejected"}.get(when, "message_rejected")


# RFC 5321 §3.2 / §4.2.4: "command not recognised" (500) or "not implemented" (502).
UNKNOWN_COMMAND = (500, 502)


def ehlo_refusal(code: int, message: str, after_tls: bool) -> str:
    """Classify a refused EHLO that is not "command unknown" (RFC 5321 §4.1.1.1).

    A policy refusal (enhanced status 5.7.x, block lists, reverse DNS) blocks the sending
    system; after STARTTLS the server contradicts what it offered before TLS.
    """
    text = message or ""
    status = enhanced_status(text)
    if 400 <= code < 500:
        return transient(code, text)
    if status.startswith("5.7.") or status in SYSTEM_STATUS or SYSTEM_TEXT.search(text):
        return "sender_system_blocked"
    return "ehlo_refused_after_tls" if after_tls else "helo_rejected"


# Microsoft 365's 5.7.139 texts (Exchange Online SMTP AUTH), by what blocks the login.
M365_TEXTS = (
    ("security defaults", "auth_m365_security_defaults"),
    ("credentials were incorrect", "auth_failed"),
    ("locked", "auth_m365_locked"),
    ("basic authentication is disabled", "auth_m365_basic_disabled"),
    ("smtpclientauthentication is disabled", "auth_disabled_m365"),
    ("did not meet the criteria", "auth_m365_conditional_access"),
)
LOCKOUT_TEXT = re.compile(
    r"too many (bad |failed |invalid )?(auth|login|authentication)|locked|lockout|#auth005",
    re.IGNORECASE,
)
IP_TEXT = re.compile(
    r"\b(from|for) your (ip|address|network)|ip address not allowed", re.IGNORECASE
)


def auth_code(code: int, message: str, encryption: str) -> str:
    """Classify the reply to the one AUTH attempt (RFC 4954 §6).

    Only 535 or enhanced status 5.7.8 say "credentials invalid"; every other reply has its
    own class: encryption demanded (530/538, 5.7.11), a policy against the sending IP,
    a lock-out after failed logins, a password transition (432 4.7.12), a reply that is no
    answer to AUTH at all (250, 334 after the last step, codes outside RFC 5321 §4.2).
    """
    text = message or ""
    lower = text.lower()
    status = enhanced_status(text)
    family = provider_auth_code(code, text)
    if family:
        return family
    if status == "5.7.139" or "5.7.139" in text:
        return next((c for key, c in M365_TEXTS if key in lower), "auth_m365_policy")
    if code == 432 or status == "4.7.12":
        return "auth_password_transition"
    if LOCKOUT_TEXT.search(text):
        return "auth_locked_out"
    if code < 200 or code > 599 or 200 <= code < 400:
        return "auth_protocol_error"
    if 400 <= code < 500:
        return transient(code, text)
    weak = mechanism_too_weak(code, text)
    if weak:
        return weak
    if code == 534 or status == "5.7.9" or "application-specific password" in lower:
        return "app_password_required"
    needs_tls = code in (530, 538) or status in ENCRYPTION_STATUS or ENCRYPTION_TEXT.search(text)
    if needs_tls:
        return "auth_needs_encryption" if encryption == "none" else "auth_encryption_contradiction"
    if code in (504, 502) or status == "5.5.4":
        return "auth_mechanism_refused"
    if IP_TEXT.search(text) or (status == "5.7.1" and code != 535):
        return "auth_ip_refused"
    if code == 535 or status == "5.7.8":
        return "auth_failed"
    return "auth_refused"


# --- the reply class decides first (RFC 5321 §4.2.1) -------------------------------------------
# A 4yz reply is a transient negative completion: the same command may succeed later. Its
# enhanced status code (RFC 3463) only refines that; "4.7.0" never makes it a block.
TRANSIENT_CLASSES = {"greylisted", "mailbox_full", "sending_limit"}
APP_PASSWORD_TEXT = re.compile(
    r"application-specific password|app(lication)? password|apppassword|app-passwort", re.I
)


def transient(code: int, message: str, named: str | None = None) -> str:
    """Return the class of a 4yz reply (RFC 5321 §4.2.1: transient, try again later).

    A class that is itself temporary (greylisting, a full mailbox, a sending limit) stays;
    a reply that names a policy or security subject (enhanced status 4.7.x, block-list
    words) is "temporary_policy" (retry, and pass the reply on if it stays); else
    "temporary". Never a block: the server said the refusal is not final.
    """
    if named in TRANSIENT_CLASSES:
        return named
    text = message or ""
    status = enhanced_status(text)
    if status.startswith("4.7.") or status in SYSTEM_STATUS or SYSTEM_TEXT.search(text):
        return "temporary_policy"
    return "temporary"


def mechanism_too_weak(code: int, message: str) -> str | None:
    """Return "auth_mechanism_too_weak" for 534 5.7.9 that does not ask for an app password.

    RFC 4954 §6: "534 5.7.9 Authentication mechanism is too weak" means the server's policy
    wants a stronger mechanism for this user; an app password is only meant when the text
    says so (Google: "Application-specific password required"). None otherwise.
    """
    text = message or ""
    if (code == 534 or enhanced_status(text) == "5.7.9") and not APP_PASSWORD_TEXT.search(text):
        return "auth_mechanism_too_weak"
    return None


# --- Microsoft 365 and Google: their own replies to AUTH ---------------------------------------
# Exchange Online after the final removal of password login (Exchange Team Blog, MC786329).
M365_REMOVED_TEXT = "basic authentication is not supported for client submission"
GOOGLE_REJECTED_TEXT = "username and password not accepted"


def provider_auth_code(code: int, message: str) -> str | None:
    """A 5xx reply to AUTH that only Microsoft 365 or Google sends, or None.

    Read as RFC 3463 reads it: the reply class first (only permanent 5xx here; 4xx stays
    temporary), then the enhanced status code, then the provider's documented text:
    550 5.7.30 (password login removed), 535 5.7.139 "… disabled for the Mailbox",
    535 5.7.8 "Username and Password not accepted" (Google's own text). Google's 534 5.7.9
    stays app_password_required here and becomes Google's diagnosis in mailauth.refine.
    """
    if not 500 <= code < 600:
        return None
    lower = (message or "").lower()
    status = enhanced_status(message)
    if status == "5.7.30" and M365_REMOVED_TEXT in lower:
        return "auth_m365_basic_removed"
    if status == "5.7.139" and "disabled for the mailbox" in lower:
        return "auth_m365_mailbox_disabled"
    if status == "5.7.8" and GOOGLE_REJECTED_TEXT in lower:
        return "auth_google_rejected"
    return None
