"""The live SMTP test run synchronously against servers on 127.0.0.1, and what it must never
show (a readable form of the password)."""

import asyncio

from smtpserver import PASSWORD, USER, ScriptedServer

from mitwirkung.checks.smtp import SmtpSettings, run_smtp_test
from mitwirkung.checks.smtp.transcript import secret_forms

SENDER = "versand@kunde.test"
RECIPIENT = "empfang@kunde.test"
NAMES = ("127.0.0.1", "mail.kunde.test")
TLS_EHLO = ("STARTTLS", "AUTH PLAIN LOGIN", "8BITMIME")


def smtp_test(port, encryption, *, certs, host="127.0.0.1", username=USER, password=PASSWORD,
              sender=SENDER, recipient=RECIPIENT, login=True, timeout=5.0,
              confirm_url="http://127.0.0.1:5000/confirm/t", nameservers=None,
              allowed_ports=None, **kwargs):  # fmt: skip
    """Run the SMTP test synchronously against `host` (127.0.0.1) with loopback allowed and
    only `port` (or `allowed_ports`); further keywords go to `run_smtp_test`."""
    settings = SmtpSettings(host, port, encryption, username, sender, recipient, login)
    return asyncio.run(
        run_smtp_test(
            settings,
            password,
            confirm_url=confirm_url,
            customer_name="Musterverlag GmbH",
            timeout=timeout,
            allowed_ports=allowed_ports or [port],
            allowed_networks=["127.0.0.0/8"],
            nameservers=nameservers,
            ca_file=certs.ca_file,
            **kwargs,
        )  # fmt: skip
    )


def assert_no_secret(result, logs, password=PASSWORD, username=USER):
    """No form of the password in anything the result holds or any log record."""
    text = repr(result) + "\n" + logs.text
    for form in {password, *secret_forms(username, password)}:
        assert form not in text, form


def text_of(result) -> str:
    return f"{result.title} {result.message} {result.next_step}"


def tls_server(context, encryption: str) -> ScriptedServer:
    """A scripted server speaking TLS with context, from the first byte or after STARTTLS."""
    kwargs = {"implicit": context} if encryption == "ssl" else {"starttls": context}
    return ScriptedServer(ehlo=TLS_EHLO, **kwargs)
