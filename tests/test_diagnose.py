"""German diagnoses: every failure class has a complete, readable text."""

import re

import pytest

from mitwirkung.checks.diagnose import TABLE, Diagnosis, describe

REQUIRED = """ok invalid_host blocked_address blocked_port host_not_found dns_unavailable
connection_refused network_unreachable timeout no_greeting ssl_on_plain_port plain_on_ssl_port
starttls_not_offered cert_untrusted cert_expired cert_hostname tls_error auth_not_offered
auth_failed auth_disabled_m365 sender_rejected relay_denied recipient_rejected temporary
message_rejected plain_password_unconfirmed port25_blocked unexpected""".split()


def test_every_required_code_is_described():
    assert set(REQUIRED) <= set(TABLE)


@pytest.mark.parametrize("code", sorted(TABLE))
def test_texts_are_complete_without_context(code):
    diagnosis = describe(code)
    assert isinstance(diagnosis, Diagnosis)
    for text in (diagnosis.title, diagnosis.message, diagnosis.next_step):
        assert text.strip()
        assert not re.search(r"[{}]", text), text
        assert "None" not in text


@pytest.mark.parametrize("code", sorted(TABLE))
def test_texts_use_the_given_context(code):
    diagnosis = describe(
        code,
        host="smtp.kunde.de",
        port=587,
        address="10.0.0.5",
        reply="550 5.1.1 nope",
        cert_names=["mail.hoster.de", "*.hoster.de"],
        not_after="2024-01-31",
        issuer="CN=Test CA",
        sender="a@kunde.de",
        recipient="b@kunde.de",
        suggested_port=465,
        suggested_encryption="SSL",
        detail="Technische Meldung: x.",
    )
    text = diagnosis.message + diagnosis.next_step
    assert not re.search(r"[{}]", text)
    if code != "ok":
        assert "550 5.1.1 nope" in diagnosis.message


def test_next_steps_address_the_reader_as_sie():
    assert all("Sie" in describe(code).next_step for code in TABLE if code != "ok")


def test_ok_says_accepted_is_not_arrived():
    diagnosis = describe("ok", host="smtp.kunde.de", recipient="b@kunde.de")
    assert "250" in diagnosis.message and "nicht bewiesen" in diagnosis.message
    assert "Bestätigungslink" in diagnosis.next_step and "b@kunde.de" in diagnosis.next_step


@pytest.mark.parametrize(
    ("code", "port", "choice"),
    [("ssl_on_plain_port", 587, "TLS"), ("plain_on_ssl_port", 465, "SSL")],
)
def test_ssl_tls_mixups_explain_when_encryption_starts(code, port, choice):
    diagnosis = describe(code, host="h", port=1, suggested_port=port)
    assert "*wann*" in diagnosis.message
    assert f"„{choice}“" in diagnosis.next_step and str(port) in diagnosis.next_step


def test_certificate_hostname_names_the_certificate_names():
    diagnosis = describe("cert_hostname", host="mail.kunde.de", cert_names=["smtp.hoster.de"])
    assert "mail.kunde.de" in diagnosis.message
    assert "smtp.hoster.de" in diagnosis.message and "smtp.hoster.de" in diagnosis.next_step


def test_m365_says_app_passwords_do_not_help():
    diagnosis = describe("auth_disabled_m365")
    assert (
        "5.7.139" in diagnosis.message and "App-Kennwörter helfen hier nicht" in diagnosis.next_step
    )


def test_port25_suggests_submission_ports():
    step = describe("port25_blocked", host="h").next_step
    assert "587" in step and "465" in step


def test_unknown_code_falls_back_to_unexpected():
    assert describe("no-such-code") == describe("unexpected")
