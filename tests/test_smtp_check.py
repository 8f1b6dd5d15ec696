"""The live SMTP test against real aiosmtpd servers on loopback with trustme certificates."""

import asyncio
import base64
import dataclasses
import socket
import time

import pytest
from aiosmtplib.auth import auth_login_encode, auth_plain_encode
from dnsserver import ZoneServer
from helpers.smtp import RECIPIENT, SENDER
from helpers.smtp import smtp_test as shared_smtp_test
from smtpserver import (
    KUNDE_ZONE,
    M365_DISABLED,
    PASSWORD,
    USER,
    GreetingServer,
    Handler,
    MailServer,
    Tarpit,
    free_port,
)

from mitwirkung.checks import diagnose
from mitwirkung.checks.smtp import SmtpSettings, build_test_mail, probe_settings

NAMES = ("127.0.0.1", "mail.kunde.test")


@pytest.fixture(scope="module")
def servers(certs):
    """Every kind of server the tests need, started once per module."""
    made = {
        "ssl": MailServer(tls="ssl", context=certs.context(*NAMES), auth=True),
        "starttls": MailServer(tls="starttls", context=certs.context(*NAMES), auth=True),
        "plain": MailServer(),
        "plain_auth": MailServer(auth=True),
        "m365": MailServer(
            tls="starttls", context=certs.context(*NAMES), auth=True, auth_failure=M365_DISABLED
        ),
        # A private CA whose root the server sends along: "self-signed certificate in chain".
        "untrusted": MailServer(
            tls="ssl", context=certs.context(*NAMES, trusted=False, with_root=True)
        ),
        "chain_incomplete": MailServer(
            tls="ssl", context=certs.custom_context("127.0.0.1", aia=True), auth=True
        ),
        "chain_complete": MailServer(
            tls="ssl", context=certs.context(*NAMES, intermediate=True), auth=True
        ),
        "not_yet_valid": MailServer(tls="ssl", context=certs.context(*NAMES, not_yet_valid=True)),
        "wrong_name": MailServer(
            tls="starttls", context=certs.context("smtp.hoster.example", "*.hoster.example")
        ),
        "expired": MailServer(tls="ssl", context=certs.context(*NAMES, expired=True)),
        "rcpt_550": MailServer(
            handler=Handler(reject_rcpt="550 5.1.1 <empfang@kunde.test>: Recipient unknown")
        ),
        "mail_553": MailServer(
            handler=Handler(
                reject_mail="553 5.7.1 <versand@kunde.test>: Sender address rejected: "
                "not owned by user info@kunde.test"
            )
        ),
        "relay": MailServer(handler=Handler(reject_rcpt="554 5.7.1 Relay access denied")),
        "data_554": MailServer(handler=Handler(reject_data="554 5.7.1 Message rejected as spam")),
        "busy": MailServer(handler=Handler(reject_mail="451 4.3.0 Try again later")),
        "starttls_no_auth": MailServer(
            tls="starttls", context=certs.context(*NAMES), handler=Handler(auth_methods="")
        ),
        "ntlm_only": MailServer(
            tls="starttls",
            context=certs.context(*NAMES),
            auth=True,
            handler=Handler(require_auth=True, auth_methods="NTLM GSSAPI XOAUTH2"),
        ),
    }
    for server in made.values():
        server.start()
    yield made
    for server in made.values():
        server.stop()


@pytest.fixture(scope="module")
def dns():
    with ZoneServer(KUNDE_ZONE) as server:
        yield server


def smtp_test(port, encryption, **kwargs):
    """The shared SMTP test run (helpers.smtp) with the usual submission ports allowed too."""
    return shared_smtp_test(port, encryption, allowed_ports=[port, 25, 465, 587], **kwargs)


SECRET_FORMS = [
    PASSWORD,
    base64.b64encode(PASSWORD.encode()).decode(),
    auth_plain_encode(USER, PASSWORD).decode(),
    *(part.decode() for part in auth_login_encode(USER, PASSWORD)[1:]),
]


def assert_no_wire_form(result, logs):
    """The password travels nowhere: none of its wire forms (SECRET_FORMS, encoded here by
    aiosmtplib itself, not by the product) is in the result or in any log record."""
    text = repr(result) + "\n" + logs.text
    for form in SECRET_FORMS:
        assert form not in text


def arrived(server, confirm_url):
    """Return the message carrying confirm_url that reached server."""
    found = [m for m in server.handler.messages if confirm_url in m.text()]
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize(("kind", "encryption"), [("ssl", "ssl"), ("starttls", "tls")])
def test_mail_is_delivered_with_tls_and_auth(servers, certs, logs, kind, encryption):
    url = f"http://127.0.0.1:5000/confirm/{kind}-ok"
    result = smtp_test(servers[kind].port, encryption, certs=certs, confirm_url=url)
    assert result.ok, result
    assert result.code == "ok"
    assert "250" in result.message and "Bestätigungslink" in result.next_step
    assert result.address == "127.0.0.1"
    assert result.reply.startswith("250")
    assert result.tls is not None and result.tls.version.startswith("TLS 1.")
    assert "127.0.0.1" in result.tls.subject and "trustme" in result.tls.issuer
    assert result.tls.not_after[:4].isdigit() and result.tls.not_after[4] == "-"
    assert any(line.startswith("C: AUTH ") and "********" in line for line in result.transcript)
    assert any(line.startswith("* TLS 1.") for line in result.transcript)
    assert result.transcript[-1] == "S: 221 Bye"
    message = arrived(servers[kind], url)
    assert message.mail_from == SENDER and message.rcpt_tos == [RECIPIENT]
    assert message.authenticated_as == USER
    assert message.message["From"] == SENDER
    assert message.message["To"] == RECIPIENT
    assert "bitte bestätigen" in message.message["Subject"]
    assert url in message.html()
    assert_no_wire_form(result, logs)


def test_plain_without_tls_or_auth(servers, certs, logs):
    url = "http://127.0.0.1:5000/confirm/plain"
    result = smtp_test(
        servers["plain"].port, "none", certs=certs, username="", password=None, confirm_url=url
    )
    assert result.ok and result.code == "ok_without_login" and result.tls is None
    assert "IP-Adressen" in result.next_step and "PEIQ" in result.next_step
    assert not any("STARTTLS" in line for line in result.transcript if line.startswith("C:"))
    assert arrived(servers["plain"], url).message["From"] == SENDER


def test_plain_with_password_needs_confirmation(servers, certs, logs):
    port = servers["plain_auth"].port
    before = len(servers["plain_auth"].handler.messages)
    result = smtp_test(port, "none", certs=certs)
    assert result.code == "plain_password_unconfirmed"
    assert "lesbar" in result.message and "unverschlüsselt" in result.title
    assert not any(line.startswith("C:") for line in result.transcript)
    assert result.address == ""
    url = "http://127.0.0.1:5000/confirm/plain-auth"
    confirmed = smtp_test(port, "none", certs=certs, confirm_url=url, allow_plain_password=True)
    assert confirmed.code == "ok", confirmed
    assert len(servers["plain_auth"].handler.messages) == before + 1
    assert arrived(servers["plain_auth"], url).authenticated_as == USER
    assert_no_wire_form(result, logs)
    assert_no_wire_form(confirmed, logs)


def test_host_name_is_resolved_and_used_for_the_certificate(servers, certs, dns, logs):
    url = "http://127.0.0.1:5000/confirm/by-name"
    result = smtp_test(
        servers["starttls"].port,
        "tls",
        certs=certs,
        host=" Mail.Kunde.Test. ",
        nameservers=[dns.nameserver],
        confirm_url=url,
    )
    assert result.code == "ok", result
    assert result.address == "127.0.0.1"
    arrived(servers["starttls"], url)


def test_private_name_is_refused(certs, dns):
    result = smtp_test(
        587, "tls", certs=certs, host="private.kunde.test", nameservers=[dns.nameserver]
    )
    assert result.code == "blocked_address"
    assert "10.0.0.5" in result.message


def test_unknown_name(certs, dns):
    result = smtp_test(
        587, "tls", certs=certs, host="smtp.kunde.test", nameservers=[dns.nameserver]
    )
    assert result.code == "host_not_found"
    assert "smtp.kunde.test" in result.message and "Schreibweise" in result.next_step


def test_wrong_password(servers, certs, logs):
    before = len(servers["starttls"].logins)
    result = smtp_test(servers["starttls"].port, "tls", certs=certs, password="falsch-" + PASSWORD)
    assert result.code == "auth_failed"
    assert servers["starttls"].logins[before:] == ["PLAIN"]  # one attempt, not one per method
    assert "535" in result.reply
    assert "vollständige E-Mail-Adresse" in result.next_step
    assert_no_wire_form(result, logs)
    assert "falsch-" not in repr(result)


def test_microsoft_365_smtp_auth_disabled(servers, certs, logs):
    result = smtp_test(servers["m365"].port, "tls", certs=certs, password="irgendwas")
    assert result.code == "auth_disabled_m365"
    assert "5.7.139" in result.reply
    assert "App-Kennwörter helfen hier nicht" in result.next_step
    assert "Administrator" in result.next_step


def test_starttls_not_offered(servers, certs, logs):
    result = smtp_test(servers["plain_auth"].port, "tls", certs=certs)
    assert result.code == "starttls_not_offered"
    assert "STARTTLS" in result.message
    assert not any(line.startswith("C: AUTH") for line in result.transcript)
    assert_no_wire_form(result, logs)


def test_auth_not_offered(servers, certs, logs):
    result = smtp_test(servers["plain"].port, "none", certs=certs, allow_plain_password=True)
    assert result.code == "auth_not_offered"
    assert "Anmeldung" in result.message


def test_untrusted_certificate(servers, certs, logs):
    result = smtp_test(servers["untrusted"].port, "ssl", certs=certs)
    assert result.code == "cert_untrusted"
    assert "anerkannten Stelle" in result.message
    assert "trustme" not in result.message  # no issuer jargon in the customer's main text
    # the issuer is named in the text the customer passes to the server's operator
    it = diagnose.operator_request(dataclasses.asdict(result), "mail.kunde.test", 465)
    assert "trustme" in it and "anerkannten Stelle" in it and "Let’s Encrypt" in it
    assert not any(line.startswith("C: AUTH") for line in result.transcript)
    assert_no_wire_form(result, logs)


def test_certificate_for_another_name(servers, certs, dns, logs):
    result = smtp_test(
        servers["wrong_name"].port,
        "tls",
        certs=certs,
        host="mail.kunde.test",
        nameservers=[dns.nameserver],
    )
    assert result.code == "cert_hostname"
    assert "smtp.hoster.example" in result.message
    assert "smtp.hoster.example" in result.next_step
    assert "mail.kunde.test" in result.message
    assert_no_wire_form(result, logs)


def test_expired_certificate(servers, certs, logs):
    result = smtp_test(servers["expired"].port, "ssl", certs=certs)
    assert result.code == "cert_expired"
    assert "nicht mehr gültig" in result.message and "erneuern" in result.next_step


def test_tarpit_times_out_within_the_limit(certs):
    with Tarpit() as tarpit:
        started = time.monotonic()
        result = smtp_test(tarpit.port, "tls", certs=certs, timeout=2)
        elapsed = time.monotonic() - started
    assert result.code == "no_greeting"
    assert "Begrüßung" in result.message
    assert elapsed < 3
    assert result.duration_ms <= 2500


def test_tarpit_with_ssl_times_out(certs):
    with Tarpit() as tarpit:
        started = time.monotonic()
        result = smtp_test(tarpit.port, "ssl", certs=certs, timeout=1.5)
        assert time.monotonic() - started < 2.5
    assert result.code == "timeout"


def test_recipient_rejected(servers, certs):
    result = smtp_test(servers["rcpt_550"].port, "none", certs=certs, username="", password=None)
    assert result.code == "recipient_rejected"
    assert RECIPIENT in result.message and "550" in result.reply


def test_sender_rejected(servers, certs):
    result = smtp_test(servers["mail_553"].port, "none", certs=certs, username="", password=None)
    assert result.code == "sender_rejected"
    assert "Absenderadresse" in result.message and "not owned by user" in result.reply
    assert "Postfachs" in result.next_step


def test_relay_denied(servers, certs):
    result = smtp_test(servers["relay"].port, "none", certs=certs, username="", password=None)
    assert result.code == "relay_denied"


def test_message_rejected(servers, certs):
    result = smtp_test(servers["data_554"].port, "none", certs=certs, username="", password=None)
    assert result.code == "message_rejected"
    assert "spam" in result.message


def test_temporary_reply(servers, certs):
    result = smtp_test(servers["busy"].port, "none", certs=certs, username="", password=None)
    assert result.code == "temporary"
    assert "später" in result.next_step or "Minuten" in result.next_step


def test_421_at_greeting(certs):
    with GreetingServer() as server:
        result = smtp_test(server.port, "tls", certs=certs)
    assert result.code == "temporary"
    assert "421" in result.reply and "vorübergehend" in result.message
    assert "S: 421 4.3.2 Service not available, closing transmission channel" in result.transcript


def test_closed_port(certs):
    result = smtp_test(free_port(), "tls", certs=certs)
    assert result.code == "connection_refused"
    assert "587" in result.next_step


def test_ssl_chosen_on_starttls_server(servers, certs, logs):
    result = smtp_test(servers["starttls"].port, "ssl", certs=certs)
    assert result.code == "ssl_on_plain_port"
    assert "TLS" in result.next_step and "587" in result.next_step
    assert "wann" in result.message
    assert_no_wire_form(result, logs)


@pytest.mark.parametrize("encryption", ["tls", "none"])
def test_tls_chosen_on_implicit_tls_server(servers, certs, logs, encryption):
    started = time.monotonic()
    result = smtp_test(
        servers["ssl"].port, encryption, certs=certs, allow_plain_password=True, timeout=4
    )
    assert result.code == "plain_on_ssl_port"
    assert "SSL" in result.next_step and "465" in result.next_step
    assert time.monotonic() - started < 4
    assert_no_wire_form(result, logs)


def test_build_test_mail_is_german_with_link_in_both_parts():
    settings = SmtpSettings("smtp.kunde.test", 587, "tls", USER, SENDER, RECIPIENT)
    url = "https://mitwirkung.example/confirm/abc?x=1&y=2"
    message = build_test_mail(settings, confirm_url=url, customer_name="Müller & Söhne")
    assert message["From"] == SENDER and message["To"] == RECIPIENT
    assert message["Subject"] == "Testmail von PEIQ PRINT PPS – bitte bestätigen"
    assert message["Date"] and message["Message-ID"].endswith("@kunde.test>")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert url in text and "bestätigen" in text and "Müller & Söhne" in text
    assert "x=1&amp;y=2" in html and "Müller &amp; Söhne" in html


def test_probe_finds_the_working_combination(servers, certs):
    ssl_port, starttls_port, closed = servers["ssl"].port, servers["starttls"].port, free_port()
    probes = asyncio.run(
        probe_settings(
            "127.0.0.1",
            timeout=4,
            allowed_ports=[ssl_port, starttls_port, closed],
            allowed_networks=["127.0.0.0/8"],
            nameservers=None,
            ca_file=certs.ca_file,
            ports=(
                (ssl_port, "ssl"),
                (starttls_port, "tls"),
                (closed, "tls"),
                (starttls_port, "ssl"),
            ),
        )
    )
    by_pair = {(p.port, p.encryption): p for p in probes}
    assert by_pair[(ssl_port, "ssl")].ok and by_pair[(ssl_port, "ssl")].tls is not None
    assert by_pair[(starttls_port, "tls")].ok
    assert by_pair[(closed, "tls")].code == "connection_refused"
    assert by_pair[(starttls_port, "ssl")].code == "ssl_on_plain_port"
    assert [p.port for p in probes] == [ssl_port, starttls_port, closed, starttls_port]
    before = sum(len(s.handler.messages) for s in servers.values())
    assert before == sum(len(s.handler.messages) for s in servers.values())


def test_probe_refuses_private_hosts(certs):
    probes = asyncio.run(
        probe_settings(
            "10.0.0.1",
            timeout=2,
            allowed_ports=[25, 465, 587],
            allowed_networks=[],
            nameservers=None,
            ca_file=None,
        )
    )
    assert [p.code for p in probes] == ["blocked_address"] * 3


def test_missing_login_is_named(servers, certs):
    result = smtp_test(servers["plain_auth"].port, "none", certs=certs, username="", password=None)
    assert result.code == "auth_required"
    assert "530" in result.reply and "Nutzer und Passwort" in result.next_step


def test_untrusted_root_in_the_chain_is_not_called_self_signed(servers, certs):
    result = smtp_test(servers["untrusted"].port, "ssl", certs=certs)
    assert result.code == "cert_untrusted"
    assert "nicht allgemein anerkannt" in result.message
    assert "selbst ausgestellt" not in result.message  # the leaf was issued by that root


def test_password_in_a_server_reply_is_scrubbed(certs, logs):
    encoded = base64.b64encode(PASSWORD.encode()).decode()
    with GreetingServer(f"421 4.3.2 {PASSWORD} {encoded}") as server:
        result = smtp_test(server.port, "tls", certs=certs)
    assert result.code == "temporary"
    assert "********" in result.reply
    assert_no_wire_form(result, logs)


def test_closed_port_25_suggests_submission_ports(certs):
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", 25)) == 0:
            pytest.skip("something listens on 127.0.0.1:25")
    result = smtp_test(25, "tls", certs=certs)
    assert result.code == "port25_blocked"
    assert "587" in result.next_step and "465" in result.next_step


# --- Each reply as real servers send it, after a login as in the web form.


def login_server(certs, **handler):
    """A STARTTLS server that requires a login (as the web form always sends one)."""
    return MailServer(
        tls="starttls",
        context=certs.context(*NAMES),
        auth=True,
        handler=Handler(require_auth=True, **handler),
    )


def test_relay_denied_after_login_says_login_worked(certs):
    with login_server(
        certs, reject_rcpt="554 5.7.1 <empfang@kunde.test>: Relay access denied"
    ) as s:
        result = smtp_test(s.port, "tls", certs=certs)
    assert result.code == "relay_denied"
    assert result.next_step.startswith(
        "Die Anmeldung hat geklappt, aber dieses Konto darf nicht an fremde Adressen senden."
    )
    assert "Postausgangsserver" in result.next_step and "587" in result.next_step
    assert "Tragen Sie Nutzer und Passwort ein" not in result.next_step


def test_auth_not_offered_does_not_suggest_an_empty_user(servers, certs):
    result = smtp_test(servers["starttls_no_auth"].port, "tls", certs=certs)
    assert result.code == "auth_not_offered_encrypted"
    assert "leer" not in result.next_step
    assert "Postausgangsserver" in result.next_step


def test_530_starttls_first_at_mail_asks_for_encryption(certs):
    handler = Handler(reject_mail="530 5.7.0 Must issue a STARTTLS command first")
    with MailServer(auth=True, handler=handler) as s:
        result = smtp_test(s.port, "none", certs=certs, allow_plain_password=True)
    assert result.code == "encryption_required"
    assert "Der Server verlangt Verschlüsselung" in result.message
    assert "„TLS“ (Port 587)" in result.next_step


def test_auth_only_after_starttls_with_none_chosen(servers, certs):
    result = smtp_test(servers["starttls"].port, "none", certs=certs, allow_plain_password=True)
    assert result.code == "auth_needs_encryption"
    assert result.title == "Anmeldung nur verschlüsselt möglich"
    assert "„TLS“" in result.next_step and "„SSL“" in result.next_step


@pytest.mark.parametrize(
    ("failure", "code", "words"),
    [
        (
            "534 5.7.9 Application-specific password required. Learn more at "
            "https://support.google.com/mail/?p=InvalidSecondFactor",
            "app_password_required",
            "App-Passwort",
        ),
        (
            "538 5.7.11 Encryption required for requested authentication mechanism",
            "auth_needs_encryption",
            "verschlüsselt",
        ),
        ("530 5.7.0 Must issue a STARTTLS command first", "auth_needs_encryption", "verschlüsselt"),
    ],
)
def test_refused_logins_are_told_apart(certs, failure, code, words):
    with MailServer(auth=True, auth_failure=failure) as s:
        result = smtp_test(
            s.port, "none", certs=certs, password="irgendwas", allow_plain_password=True
        )
    assert result.code == code, result
    assert words in result.title + result.message
    assert "Nutzer oder Passwort abgelehnt" not in result.message


def test_app_password_says_how_to_create_one(certs):
    failure = "534 5.7.9 Application-specific password required."
    with MailServer(
        tls="starttls", context=certs.context(*NAMES), auth=True, auth_failure=failure
    ) as s:
        result = smtp_test(s.port, "tls", certs=certs, password="irgendwas")
    assert result.code == "app_password_required"
    assert "Zwei-Faktor" in result.message
    assert "apppasswords" in result.next_step and "App-Kennwörter" in result.next_step


def test_empty_password_is_named_without_trying_a_login(servers, certs, logs):
    result = smtp_test(servers["starttls"].port, "tls", certs=certs, password="")
    assert result.code == "password_missing"
    assert "Sie haben kein Passwort eingetragen." in result.message
    assert not any(line.startswith("C: AUTH") for line in result.transcript)
    assert any(line.startswith("* TLS 1.") for line in result.transcript)  # settings were tried


@pytest.mark.parametrize(
    ("stage", "reply", "code"),
    [
        ("rcpt", "553 5.7.1 <versand@kunde.test>: Sender address rejected: not logged in",
         "sender_rejected"),
        ("rcpt", "550 5.7.1 <empfang@kunde.test>: Sender address rejected: not owned by user x",
         "sender_rejected"),
        ("rcpt", "554 5.7.1 <unknown[127.0.0.1]>: Client host rejected: Access denied",
         "sender_system_blocked"),
        ("rcpt", "554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using "
         "zen.spamhaus.org", "sender_system_blocked"),
        ("rcpt", "504 5.5.2 <[127.0.0.1]>: Helo command rejected: need fully-qualified hostname",
         "sender_system_blocked"),
        # a 4yz reply is transient first (RFC 5321 §4.2.1), never a block
        ("rcpt", "450 4.7.1 Client host rejected: cannot find your reverse hostname",
         "temporary_policy"),
        ("rcpt", "550 5.1.1 <empfang@kunde.test>: Recipient address rejected: User unknown",
         "recipient_rejected"),
        ("mail", "550 5.7.60 SMTP; Client does not have permissions to send as this sender",
         "sender_rejected"),
        ("mail", "550 5.1.8 Access denied, bad outbound sender", "sender_account_blocked"),
        ("mail", "530 5.7.57 Client not authenticated to send mail", "auth_required"),
    ],
)  # fmt: skip
def test_rejects_are_classified_by_text_before_stage(certs, stage, reply, code):
    with login_server(certs, **{f"reject_{stage}": reply}) as s:
        result = smtp_test(s.port, "tls", certs=certs)
    assert result.code == code, result
    assert reply.split(" ", 1)[1] in result.reply
    if code == "sender_system_blocked":
        assert "Versandsystem PRINT PPS" in result.message
        assert "Betreiber des Mailservers" in result.next_step
    if code == "auth_required":  # after a login that worked: no "enter user and password"
        assert "Tragen Sie Nutzer und Passwort" not in result.next_step
        assert "geklappt" in result.message


def test_554_greeting_is_the_sending_system_blocked(certs):
    line = "554 5.7.1 mail.kunde.test ESMTP not accepting connections from your network"
    with GreetingServer(line) as server:
        result = smtp_test(server.port, "tls", certs=certs)
    assert result.code == "sender_system_blocked"
    assert "Versandsystem PRINT PPS" in result.message and "554" in result.reply


def test_only_ntlm_gssapi_xoauth2_offered(servers, certs, logs):
    result = smtp_test(servers["ntlm_only"].port, "tls", certs=certs)
    assert result.code == "auth_methods_unsupported"
    assert "nur Anmeldeverfahren an, die PRINT PPS nicht nutzen kann" in result.message
    assert "NTLM, GSSAPI, XOAUTH2" in result.message
    assert "AUTH LOGIN oder PLAIN über TLS" in result.next_step
    assert "bietet keine Anmeldung" not in result.message
    assert "authentication method" not in result.message  # no English library text


def test_incomplete_chain(servers, certs):
    result = smtp_test(servers["chain_incomplete"].port, "ssl", certs=certs)
    assert result.code == "cert_chain_incomplete"
    assert "nicht vollständig" in result.message
    assert "fullchain.pem" in result.next_step
    assert "Let’s Encrypt)" not in result.next_step  # not "use Let's Encrypt" advice


def test_complete_chain_through_an_intermediate_works(servers, certs):
    url = "http://127.0.0.1:5000/confirm/chain"
    result = smtp_test(servers["chain_complete"].port, "ssl", certs=certs, confirm_url=url)
    assert result.code == "ok", result


def test_certificate_not_yet_valid(servers, certs):
    result = smtp_test(servers["not_yet_valid"].port, "ssl", certs=certs)
    assert result.code == "cert_not_yet_valid"
    assert "noch nicht gültig" in result.message and "Uhrzeit" in result.next_step


@pytest.mark.parametrize(
    ("failure", "code", "words"),
    [
        (M365_DISABLED, "auth_disabled_m365", "Authentifiziertes SMTP"),
        (
            "535 5.7.139 Authentication unsuccessful, user is locked by your organization's "
            "security defaults policy. Contact your administrator.",
            "auth_m365_security_defaults",
            "Sicherheitsstandards",
        ),
        (
            "535 5.7.139 Authentication unsuccessful, user is locked. Contact your administrator.",
            "auth_m365_locked",
            "gesperrt",
        ),
        (
            "535 5.7.139 Authentication unsuccessful, basic authentication is disabled.",
            "auth_m365_basic_disabled",
            "abgeschaltet",
        ),
    ],
)
def test_microsoft_365_variants(certs, failure, code, words):
    with MailServer(
        tls="starttls", context=certs.context(*NAMES), auth=True, auth_failure=failure
    ) as s:
        result = smtp_test(s.port, "tls", certs=certs, password="irgendwas")
    assert result.code == code
    assert words in result.title + result.message + result.next_step
    assert "Microsoft hat angekündigt" in result.message


def test_probe_requires_a_login_offer(servers, certs):
    no_auth, plain, ntlm = (servers[k].port for k in ("starttls_no_auth", "plain", "ntlm_only"))
    probes = asyncio.run(
        probe_settings(
            "127.0.0.1",
            timeout=4,
            allowed_ports=[no_auth, plain, ntlm],
            allowed_networks=["127.0.0.0/8"],
            nameservers=None,
            ca_file=certs.ca_file,
            ports=((no_auth, "tls"), (plain, "none"), (ntlm, "tls")),
        )
    )
    assert [(p.ok, p.auth) for p in probes] == [(False, False)] * 3
    assert probes[0].code == "auth_not_offered" and probes[0].tls is not None
    assert "funktioniert, bietet aber keine Anmeldung an" in probes[0].message
    assert "bietet aber ohne Verschlüsselung keine Anmeldung an" in probes[1].message
    assert probes[2].code == "auth_methods_unsupported" and "NTLM" in probes[2].message


def test_short_password_is_not_masked_in_ordinary_words(certs, logs):
    with GreetingServer("421 4.3.2 mail service busy, mailbox mail.kunde.test") as server:
        result = smtp_test(server.port, "tls", certs=certs, password="mail")
    assert "********" not in result.reply + "".join(result.transcript)
    assert "421 4.3.2 mail service busy" in result.reply


def test_long_password_is_masked_wherever_it_occurs(certs, logs):
    secret = "Sommer2024"
    encoded = base64.b64encode(secret.encode()).decode()
    line = f"421 4.3.2 bad password {secret}, not Sommer2024x ({encoded})"
    with GreetingServer(line) as server:
        result = smtp_test(server.port, "tls", certs=certs, password=secret)
    assert result.reply == "421 4.3.2 bad password ********, not ********x (********)"
    assert secret + "," not in result.message
