"""German diagnoses: every failure class has a complete, readable text."""

import ast
import re
from pathlib import Path

import pytest

from mitwirkung.checks.diagnose import NO_LOGIN_VARIANTS, TABLE, VARIANTS, Diagnosis, describe
from mitwirkung.checks.provider_wording import PROVIDER_TABLE

REQUIRED = """ok invalid_host blocked_address blocked_port host_not_found dns_unavailable
connection_refused network_unreachable timeout no_greeting ssl_on_plain_port plain_on_ssl_port
starttls_not_offered cert_untrusted cert_expired cert_hostname tls_error auth_not_offered
auth_failed auth_disabled_m365 sender_rejected relay_denied recipient_rejected temporary
message_rejected plain_password_unconfirmed port25_blocked unexpected encryption_required
auth_needs_encryption app_password_required password_missing sender_system_blocked
auth_methods_unsupported cert_chain_incomplete cert_not_yet_valid auth_m365_security_defaults
auth_m365_locked auth_m365_basic_disabled""".split()


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
    assert "„wann“" in diagnosis.message
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


@pytest.mark.parametrize(("code", "authenticated"), sorted(VARIANTS))
def test_variants_are_complete(code, authenticated):
    diagnosis = describe(code, authenticated=authenticated, reply="550 x")
    assert diagnosis != describe(code, authenticated=not authenticated, reply="550 x")
    for text in (diagnosis.title, diagnosis.message, diagnosis.next_step):
        assert text.strip() and not re.search(r"[{}]", text)
    assert "Sie" in diagnosis.next_step and "550 x" in diagnosis.message


def test_next_steps_can_be_followed_with_a_required_user():
    for code in TABLE:
        step = describe(code, authenticated=True).next_step
        assert "Nutzer leer" not in step, code
        assert "Tragen Sie Nutzer und Passwort" not in step, code


def test_relay_denied_after_login():
    step = describe("relay_denied", authenticated=True).next_step
    assert step == (
        "Die Anmeldung hat geklappt, aber dieses Konto darf nicht an fremde Adressen senden. "
        "Meist ist das der Eingangsserver (MX, Port 25) statt des Postausgangsservers: "
        "verwenden Sie den Postausgangsserver Ihres Anbieters mit Port 587 (TLS). Sonst muss "
        "der Betreiber dem Konto den Versand erlauben."
    )


def test_certificate_hostname_does_not_suggest_wildcards():
    diagnosis = describe(
        "cert_hostname", host="mail.kunde.de", cert_names=["*.kasserver.com", "kasserver.com"]
    )
    assert "*.kasserver.com" in diagnosis.message
    assert "(kasserver.com)" in diagnosis.next_step
    assert "(z. B. xyz.kasserver.com – den genauen Namen nennt Ihr Anbieter)" in (
        diagnosis.next_step
    )
    only = describe("cert_hostname", cert_names=["*.kasserver.com"]).next_step
    assert "aus dem Zertifikat (" not in only and "xyz.kasserver.com" in only


def test_incomplete_chain_does_not_advise_another_ca():
    diagnosis = describe("cert_chain_incomplete", issuer="CN=R11,O=Let's Encrypt,C=US")
    assert "nicht vollständig" in diagnosis.message and "R11" in diagnosis.message
    assert "fullchain.pem" in diagnosis.next_step


def test_microsoft_texts_mention_the_retirement_without_dates():
    for code in TABLE:
        if "m365" in code:
            message = describe(code).message
            assert "Microsoft hat angekündigt" in message, code
            assert not re.search(r"20\d\d", message), code


def test_port25_does_not_blame_the_customers_firewall():
    message = describe("port25_blocked", host="h").message
    assert "von PRINT PPS zu Ihrem Server" in message
    assert "nicht für den Versand mit Anmeldung" in message


SMTP_SOURCES = sorted(Path(__file__).parent.parent.glob("mitwirkung/checks/smtp/*.py"))


def _german_literals(path: Path) -> list[str]:
    """String literals with German letters or quotes outside build_test_mail (the mail text)."""
    tree = ast.parse(path.read_text())
    skip = {
        id(node)
        for fn in ast.walk(tree)
        if isinstance(fn, ast.FunctionDef) and fn.name == "build_test_mail"
        for node in ast.walk(fn)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
        and re.search(r"[äöüßÄÖÜ„“]", node.value)
    ]  # fmt: skip


@pytest.mark.parametrize("path", SMTP_SOURCES, ids=lambda p: p.name)
def test_no_smtp_wording_outside_the_catalog(path):
    assert _german_literals(path) == []


def test_every_smtp_failure_class_has_words():
    codes = set()
    for path in SMTP_SOURCES:
        text = path.read_text()
        codes |= set(re.findall(r'Failure\(\s*"([a-z0-9_]+)"', text))
        codes |= set(re.findall(r'return "([a-z0-9_]+)", ', text))
        codes |= set(re.findall(r'code = "([a-z0-9_]+)"', text))
    assert len(codes) > 30
    assert codes - {"ok"} <= set(TABLE) | set(PROVIDER_TABLE)


@pytest.mark.parametrize("code", sorted(NO_LOGIN_VARIANTS))
def test_no_login_variants_name_the_choice(code):
    chosen = describe(code, login_chosen=False, reply="554 x")
    assert chosen != describe(code, reply="554 x")
    assert "Mein Server braucht keine Anmeldung" in chosen.next_step
    assert "IP-Adressen" in chosen.next_step and "554 x" in chosen.message
