"""Live SMTP test with aiosmtplib: a real test mail to the vetted address -> SmtpResult.

The stages read on their own, in the order of the data flow: connect (TCP to the vetted
addresses), tls (contexts, handshake and certificate verdicts), session (greeting, EHLO or
HELO, STARTTLS), dialogue (one AUTH, MAIL, RCPT, DATA -> SmtpResult), message (addresses
and the test mail); beside them transcript (secrets removed, raw bytes visible), classify
(exception or reply -> failure class) and probe (which port and encryption work). The
German wording for every failure class lives in checks/diagnose.py.
"""

from .dialogue import SmtpResult, SmtpSettings, run_smtp_test
from .message import AddressError, Mailbox, build_test_mail, parse_mailbox, shown_address
from .probe import Probe, probe_settings
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
