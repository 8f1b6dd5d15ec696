"""Live SMTP test with aiosmtplib: a real test mail to the vetted address -> SmtpResult.

The stages read on their own: connect (TCP to vetted addresses), tls (contexts, handshake
and certificate verdicts), dialogue (greeting, EHLO/HELO, STARTTLS, one AUTH, envelope),
message (addresses and the test mail), transcript (secrets removed, raw bytes visible) and
classify (exception or reply -> failure class). German wording: checks/diagnose.py.
"""

from .dialogue import Probe, SmtpResult, SmtpSettings, probe_settings, run_smtp_test
from .message import AddressError, Mailbox, build_test_mail, parse_mailbox, shown_address
from .tls import TlsInfo, tls_context

__all__ = [
    "AddressError",
    "Mailbox",
    "Probe",
    "SmtpResult",
    "SmtpSettings",
    "TlsInfo",
    "build_test_mail",
    "parse_mailbox",
    "probe_settings",
    "run_smtp_test",
    "shown_address",
    "tls_context",
]
