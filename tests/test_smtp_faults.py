"""Server behaviours from public bug reports, each with its own cause, against real servers.

Every test runs the live SMTP test against a server on 127.0.0.1 (aiosmtpd, or the scripted
server of tests/smtpserver.py where aiosmtpd cannot misbehave that way) and checks the
failure class, the German text, how many AUTH commands the server saw and that the password
appears nowhere in the result or the logs.
"""

import base64
import urllib.parse

import pytest
from helpers.smtp import (
    NAMES,
    RECIPIENT,
    SENDER,
    TLS_EHLO,
    assert_no_secret,
    smtp_test,
    text_of,
    tls_server,
)
from smtpserver import (
    CLOSE,
    PASSWORD,
    RESET,
    USER,
    Handler,
    MailServer,
    ScriptedServer,
    legacy_tls_context,
)

from mitwirkung.checks.smtp.transcript import secret_forms

# 1. STARTTLS offered, then refused: the server's own TLS setup is broken.


@pytest.mark.parametrize(
    "reply",
    [
        "454 4.7.0 TLS not available due to local problem",
        "554 5.7.3 Unable to initialize security subsystem",
        "502 5.5.1 STARTTLS command not implemented",
    ],
)
def test_starttls_refused_after_being_offered(certs, logs, reply):
    with ScriptedServer(ehlo=TLS_EHLO, replies={"STARTTLS": reply}) as server:
        result = smtp_test(server.port, "tls", certs=certs)
    assert result.code == "starttls_refused"
    assert "verweigert" in result.title and "hilft nicht" in result.message
    assert "Zertifikat und Schlüssel" in result.next_step and reply in result.message
    assert "vorübergehend" not in text_of(result) and "Unerwartet" not in text_of(result)
    assert server.auth_commands == 0
    assert_no_secret(result, logs)


# 2. TLS handshake failures told apart.


@pytest.mark.parametrize(
    ("maximum", "encryption", "shown"),
    [("TLSv1", "ssl", "TLS 1.0"), ("TLSv1_1", "ssl", "TLS 1.1"), ("TLSv1_1", "tls", "TLS 1.1")],
)
def test_server_with_only_outdated_tls(certs, logs, maximum, encryption, shown):
    with tls_server(legacy_tls_context(certs, maximum=maximum), encryption) as server:
        result = smtp_test(server.port, encryption, certs=certs)
    assert result.code == "tls_outdated"
    assert f"nur {shown}" in result.message and "richtig gewählt" in result.message
    assert "TLS 1.2 oder neuer" in result.next_step
    assert server.auth_commands == 0
    assert_no_secret(result, logs)


@pytest.mark.parametrize(
    ("ciphers", "encryption", "named"),
    [
        ("ECDHE-ECDSA-AES128-SHA", "ssl", "ECDHE-ECDSA-AES128-SHA"),  # CBC with SHA-1 only
        ("ECDHE-ECDSA-AES256-SHA", "tls", "ECDHE-ECDSA-AES256-SHA"),
        ("AES256-GCM-SHA384", "ssl", None),  # RSA key exchange with an ECDSA key: none at all
    ],
)
def test_no_shared_cipher(certs, logs, ciphers, encryption, named):
    with tls_server(legacy_tls_context(certs, ciphers=ciphers), encryption) as server:
        result = smtp_test(server.port, encryption, certs=certs)
    assert result.code == "tls_no_shared_cipher"
    assert "Cipher Suites" in result.message and "nicht ändern" in result.next_step
    if named:
        assert named in result.message
    assert server.auth_commands == 0
    assert_no_secret(result, logs)


@pytest.mark.parametrize(
    ("encryption", "how"),
    [("ssl", CLOSE), ("ssl", RESET), ("tls", CLOSE), ("tls", RESET)],
)
def test_handshake_closed_or_reset_by_the_server(certs, logs, encryption, how):
    if encryption == "ssl":
        server = ScriptedServer(implicit=how)
    else:
        server = ScriptedServer(ehlo=TLS_EHLO, starttls=how)
    with server:
        result = smtp_test(server.port, encryption, certs=certs)
    assert result.code == "tls_closed"
    assert "während die Verschlüsselung aufgebaut wurde" in result.message
    assert "Firewall" in result.message
    if encryption == "ssl":
        assert "„SSL“ mit Port 465" in result.next_step
    else:  # STARTTLS was offered and accepted, so port and encryption are right
        assert "Port und Verschlüsselung sind richtig gewählt" in result.message
        assert "Port" not in result.next_step and "Betreiber" in result.next_step
    assert server.auth_commands == 0
    assert_no_secret(result, logs)


def test_ssl_on_a_port_that_greets_late_is_told_apart_from_a_middlebox(certs, logs):
    with ScriptedServer(ehlo=TLS_EHLO, greet_pause=0.3) as server:
        result = smtp_test(server.port, "ssl", certs=certs)
    assert result.code == "ssl_on_plain_port"
    assert "„TLS“" in result.next_step and server.auth_commands == 0
    assert_no_secret(result, logs)


def test_plain_text_after_starttls_is_not_a_port_problem(certs, logs):
    with ScriptedServer(ehlo=TLS_EHLO, starttls="plain") as server:
        result = smtp_test(server.port, "tls", certs=certs)
    assert result.code == "starttls_plain_answer"
    assert "unverschlüsselt weitergesprochen" in result.message
    assert server.auth_commands == 0
    assert_no_secret(result, logs)


def test_ssl_chosen_on_a_plain_port_and_the_reverse(certs, logs):
    with ScriptedServer(ehlo=TLS_EHLO) as plain:
        wrong_ssl = smtp_test(plain.port, "ssl", certs=certs)
    context = certs.context(*NAMES)
    with ScriptedServer(implicit=context) as implicit:
        wrong_tls = smtp_test(implicit.port, "tls", certs=certs, timeout=4)
    assert wrong_ssl.code == "ssl_on_plain_port" and "„TLS“" in wrong_ssl.next_step
    assert wrong_tls.code == "plain_on_ssl_port" and "„SSL“" in wrong_tls.next_step
    assert plain.auth_commands == implicit.auth_commands == 0
    assert_no_secret(wrong_ssl, logs)
    assert_no_secret(wrong_tls, logs)


# 3. One login attempt with the best offered mechanism; its reply is the verdict.


@pytest.mark.parametrize(
    ("offered", "reply", "mechanism"),
    [
        ("AUTH LOGIN PLAIN CRAM-MD5", "535 5.7.8 Error: authentication failed", b"PLAIN"),
        ("AUTH LOGIN", "535 5.7.8 Authentication credentials invalid", b"LOGIN"),
        # the server hangs up right after its 535: the 535 is still the verdict
        ("AUTH PLAIN LOGIN", f"535 5.7.8 Error: authentication failed\n{CLOSE}", b"PLAIN"),
        ("AUTH CRAM-MD5 LOGIN", "535 5.7.0 Invalid login or password", b"LOGIN"),
    ],
)
def test_one_login_attempt_and_its_reply_is_the_verdict(certs, logs, offered, reply, mechanism):
    ehlo = ("STARTTLS", offered)
    with ScriptedServer(ehlo=ehlo, starttls=certs.context(*NAMES), replies={"AUTH": reply}) as s:
        result = smtp_test(s.port, "tls", certs=certs)
    assert result.code == "auth_failed", result
    assert "abgelehnt" in result.title and reply.split("\n")[0] in result.message
    assert s.auth_commands == 1
    assert [line.split()[1] for line in s.received if line.startswith(b"AUTH")] == [mechanism]
    assert "unerwartet" not in text_of(result).lower()
    assert_no_secret(result, logs)


def test_without_tls_the_login_keeps_the_password_off_the_wire(certs, logs):
    ehlo = ("AUTH PLAIN LOGIN CRAM-MD5",)
    with ScriptedServer(ehlo=ehlo) as server:
        result = smtp_test(server.port, "none", certs=certs, allow_plain_password=True)
    assert result.ok and result.code == "ok"
    assert server.auth_commands == 1
    assert [line.split()[1] for line in server.received if line.startswith(b"AUTH")] == [
        b"CRAM-MD5"
    ]
    wire = b"".join(server.received).decode("utf-8", "replace")
    assert all(form not in wire for form in [PASSWORD, *secret_forms(USER, PASSWORD)])
    assert_no_secret(result, logs)


def test_plain_text_login_only_when_the_customer_allowed_it(certs, logs):
    with ScriptedServer(ehlo=("AUTH LOGIN PLAIN",)) as server:
        refused = smtp_test(server.port, "none", certs=certs)
        allowed = smtp_test(server.port, "none", certs=certs, allow_plain_password=True)
    assert refused.code == "plain_password_unconfirmed"
    assert allowed.ok and allowed.code == "ok"
    assert server.auth_commands == 1
    assert [line.split()[1] for line in server.received if line.startswith(b"AUTH")] == [b"PLAIN"]
    assert_no_secret(refused, logs)
    assert_no_secret(allowed, logs)


def test_microsoft_365_disabled_is_one_attempt(certs, logs):
    reply = "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled"
    ehlo = ("STARTTLS", "AUTH LOGIN XOAUTH2")
    with ScriptedServer(ehlo=ehlo, starttls=certs.context(*NAMES), replies={"AUTH": reply}) as s:
        result = smtp_test(s.port, "tls", certs=certs)
    assert result.code == "auth_disabled_m365"
    assert s.auth_commands == 1
    assert_no_secret(result, logs)


def test_server_hanging_up_on_auth_is_named(certs, logs):
    with ScriptedServer(ehlo=("STARTTLS", "AUTH PLAIN"), starttls=certs.context(*NAMES),
                        replies={"AUTH": CLOSE}) as server:  # fmt: skip
        result = smtp_test(server.port, "tls", certs=certs)
    assert result.code == "auth_disconnected"
    assert "bei der Anmeldung" in result.message and USER in result.message
    assert server.auth_commands == 1
    assert_no_secret(result, logs)


# 4. EHLO not understood: HELO (RFC 5321 §3.2), and what a server without extensions lacks.


@pytest.mark.parametrize(
    ("ehlo_reply", "encryption", "login"),
    [
        ("500 5.5.1 Command unrecognized", "tls", True),
        ("502 5.5.2 Error: command not implemented", "none", True),
        ("500 Syntax error, command unrecognized", "ssl", True),
    ],
)
def test_ehlo_not_understood_falls_back_to_helo(certs, logs, ehlo_reply, encryption, login):
    kwargs = {"implicit": certs.context(*NAMES)} if encryption == "ssl" else {}
    with ScriptedServer(replies={"EHLO": ehlo_reply}, **kwargs) as server:
        result = smtp_test(server.port, encryption, certs=certs, login=login,
                           allow_plain_password=True)  # fmt: skip
    assert result.code == "ehlo_unsupported"
    assert "weder Verschlüsselung (STARTTLS) noch Anmeldung (AUTH)" in result.message
    assert "RFC 5321 §3.2" in result.message and "Sperrliste" not in text_of(result)
    assert any(line.startswith("C: HELO ") for line in result.transcript)
    assert server.auth_commands == 0
    assert_no_secret(result, logs)


def test_helo_only_relay_without_login_delivers(certs, logs):
    with ScriptedServer(replies={"EHLO": "500 5.5.1 Command unrecognized"}) as server:
        result = smtp_test(server.port, "none", certs=certs, login=False)
    assert result.ok and result.code == "ok_without_login"
    assert len(server.messages) == 1 and server.auth_commands == 0
    assert_no_secret(result, logs)


def test_helo_refused_after_ehlo_names_the_blocklist(certs, logs):
    replies = {
        "EHLO": "500 5.5.1 Command unrecognized",
        "HELO": "554 5.7.1 Client host rejected: blocked using zen.spamhaus.org",
    }
    with ScriptedServer(replies=replies) as server:
        result = smtp_test(server.port, "none", certs=certs, login=False)
    assert result.code == "sender_system_blocked"
    assert "spamhaus" in result.message and server.auth_commands == 0


# 5. Addresses with umlauts: SMTPUTF8 (RFC 6531), A-labels on the wire, Unicode for people.


@pytest.fixture(scope="module")
def utf8_server():
    server = MailServer(handler=Handler())
    server._kwargs["enable_SMTPUTF8"] = True
    with server:
        yield server


@pytest.mark.parametrize(
    ("sender", "recipient"),
    [
        ("büro@verlag.test", RECIPIENT),
        ("versand@kunde.test", "jürgen@kunde.test"),
        ("δοκιμή@bücher.test", "empfang@kunde.test"),
    ],
)
def test_umlaut_addresses_go_with_smtputf8(certs, logs, utf8_server, sender, recipient):
    before = len(utf8_server.handler.messages)
    result = smtp_test(utf8_server.port, "none", certs=certs, login=False, sender=sender,
                       recipient=recipient)  # fmt: skip
    assert result.ok, result
    assert len(utf8_server.handler.messages) == before + 1
    arrived = utf8_server.handler.messages[-1]
    assert arrived.mail_from == sender.replace("bücher.test", "xn--bcher-kva.test")
    assert arrived.rcpt_tos == [recipient]
    mail_from = next(line for line in result.transcript if line.startswith("C: MAIL FROM"))
    assert mail_from.endswith(" SMTPUTF8") or " SMTPUTF8 " in mail_from
    assert_no_secret(result, logs)


@pytest.mark.parametrize(
    ("sender", "recipient", "named", "role"),
    [
        ("büro@verlag.test", RECIPIENT, "büro@verlag.test", "Absenderadresse"),
        (SENDER, "jürgen@bücher.test", "jürgen@bücher.test", "Empfänger der Testmail"),
    ],
)
def test_umlaut_address_without_smtputf8_is_named(certs, logs, sender, recipient, named, role):
    with ScriptedServer(ehlo=("AUTH PLAIN",)) as server:
        result = smtp_test(server.port, "none", certs=certs, login=False, sender=sender,
                           recipient=recipient)  # fmt: skip
    assert result.code == "smtputf8_missing"
    assert f"{role} {named}" in result.message and "SMTPUTF8 (RFC 6531)" in result.message
    assert "ohne Umlaute" in result.next_step
    assert not any(line.startswith(b"MAIL") for line in server.received)
    assert_no_secret(result, logs)


def test_idn_domain_is_an_a_label_on_the_wire_and_unicode_for_people(certs, logs):
    reply = "553 5.7.1 Sender address rejected: not owned by user"
    with ScriptedServer(ehlo=(), replies={"MAIL": reply}) as server:
        result = smtp_test(server.port, "none", certs=certs, login=False,
                           sender="versand@bücher.test")  # fmt: skip
    assert result.code == "sender_rejected"
    assert "versand@bücher.test" in result.message
    assert b"MAIL FROM:<versand@xn--bcher-kva.test>\r\n" in server.received
    assert_no_secret(result, logs)


WEIRD_ADDRESSES = [
    "a(b)c@kunde.test", "a,b@kunde.test", "a;b@kunde.test", "a\x01b@kunde.test",
    ".a@kunde.test", "a.@kunde.test", "a..b@kunde.test", "a@[127.0.0.1]", "a@-x.test",
    "ü" * 40 + "@kunde.test", "a:b@kunde.test", "a\\b@kunde.test", "a]b@kunde.test",
    "a\u202eb@kunde.test", "mailto:x@kunde.test", "a@kunde..test", "o'brien@kunde.test",
    "x+tag@kunde.test", "ñ@ß.test", "a@kunde.test.",
]  # fmt: skip


@pytest.mark.parametrize("address", WEIRD_ADDRESSES)
def test_any_address_the_form_accepts_is_sent_or_explained(app, certs, logs, utf8_server,
                                                           address):  # fmt: skip
    from mitwirkung.forms import SmtpTestForm

    with app.test_request_context():
        form = SmtpTestForm(data={"sender": address}, meta={"csrf": False})
        form.validate()
        accepted = "sender" not in form.errors
        value = form.sender.data
    result = smtp_test(utf8_server.port, "none", certs=certs, login=False, sender=value)
    if accepted:
        assert result.ok, (address, result)
    else:
        assert result.code == "address_invalid", (address, result)
        assert "Absenderadresse:" in result.message


# 6. "Mein Server braucht keine Anmeldung".


def test_no_login_chosen_skips_auth_and_warns(certs, logs):
    with ScriptedServer(ehlo=("AUTH PLAIN LOGIN",)) as server:
        result = smtp_test(server.port, "none", certs=certs, login=False)
    assert result.ok and result.code == "ok_without_login"
    assert "ohne Anmeldung" in result.title and "IP-Adressen" in result.next_step
    assert "PEIQ" in result.next_step and "Bestätigungslink" in result.next_step
    assert server.auth_commands == 0 and len(server.messages) == 1
    assert_no_secret(result, logs)


def test_no_login_chosen_but_server_wants_one(certs, logs):
    with MailServer(auth=True) as server:
        result = smtp_test(server.port, "none", certs=certs, login=False)
    assert result.code == "auth_required"
    assert "„Mein Server braucht keine Anmeldung“ gewählt" in result.message
    assert "Häkchen" in result.next_step and "530" in result.message
    assert_no_secret(result, logs)


def test_no_login_relay_denied_names_peiqs_addresses(certs, logs):
    reply = "554 5.7.1 <empfang@kunde.test>: Relay access denied"
    with ScriptedServer(ehlo=(), replies={"RCPT": reply}) as server:
        result = smtp_test(server.port, "none", certs=certs, login=False)
    assert result.code == "relay_denied"
    assert "IP-Adressen freigeben, von denen PRINT PPS sendet" in result.next_step
    assert server.auth_commands == 0


def test_without_the_choice_a_missing_auth_stays_an_error(certs, logs):
    with ScriptedServer(ehlo=("STARTTLS",), starttls=certs.context(*NAMES)) as server:
        result = smtp_test(server.port, "tls", certs=certs)
    assert result.code == "auth_not_offered_encrypted" and not result.ok
    assert server.auth_commands == 0 and server.messages == []


# 7. The password wherever it occurs; control characters made visible.

SECRET = "Geheim-XYZ-123"


@pytest.mark.parametrize(
    "replies",
    [
        {"AUTH": f"535 5.7.8 user/{SECRET} rejected"},
        {"RCPT": f"550 5.1.1 <{SECRET}@x.test>: Recipient address rejected"},
        {"AUTH": f"535 5.7.8 bad password {urllib.parse.quote('Geheim XYZ/123?', safe='')}"},
        {"MAIL": "553 5.7.1 echo " + base64.b64encode(SECRET.encode()).decode()},
        {"AUTH": f"535 5.7.8 {SECRET.lower()}-ok but {SECRET}x and x{SECRET}"},
    ],
)
def test_password_is_removed_wherever_it_occurs(certs, logs, replies):
    password = "Geheim XYZ/123?" if "%2F" in str(replies) else SECRET
    with ScriptedServer(ehlo=("STARTTLS", "AUTH PLAIN"), starttls=certs.context(*NAMES),
                        replies=replies) as server:  # fmt: skip
        result = smtp_test(server.port, "tls", certs=certs, password=password)
    assert not result.ok
    assert "********" in result.reply and "********" in result.message
    assert any("********" in line for line in result.transcript if line.startswith("S: 5"))
    assert server.auth_commands == 1
    assert_no_secret(result, logs, password=password)


@pytest.mark.parametrize(
    ("greeting", "shown"),
    [
        ("421 4.3.2 busy \x1b[31mred\x1b[0m now", "busy \\x1b[31mred\\x1b[0m now"),
        ("421 4.3.2 nul\x00byte and bell\x07", "nul\\x00byte and bell\\x07"),
        ("421 4.3.2 raw \udcff\udcfe bytes", "raw \\xff\\xfe bytes"),
        ("421 4.3.2 rtl \u202eevil", "rtl \\u202eevil"),
    ],
)
def test_control_characters_are_shown_escaped(certs, logs, greeting, shown):
    with ScriptedServer(greeting=greeting) as server:
        result = smtp_test(server.port, "tls", certs=certs)
    assert result.code == "temporary"
    assert shown in result.reply and shown in result.message
    assert any(shown in line for line in result.transcript)
    for text in (result.reply, result.message, *result.transcript):
        assert not any(ord(c) < 32 or 0xDC80 <= ord(c) <= 0xDCFF for c in text)
        assert "\u202e" not in text
        text.encode("utf-8")  # storable and renderable


@pytest.mark.parametrize(
    ("server_kwargs", "step"),
    [
        ({"greeting": CLOSE}, "bei der Begrüßung"),
        ({"ehlo": (), "replies": {"RCPT": CLOSE}}, "nach dem Empfänger (RCPT TO)"),
        ({"ehlo": (), "replies": {"MAIL": RESET}}, "nach der Absenderadresse (MAIL FROM)"),
    ],
)
def test_server_hanging_up_names_the_step(certs, logs, server_kwargs, step):
    with ScriptedServer(**server_kwargs) as server:
        result = smtp_test(server.port, "none", certs=certs, login=False)
    assert result.code == "connection_closed"
    assert f"hat die Verbindung {step} ohne Antwort beendet" in result.message
    assert "unerwartet" not in text_of(result).lower() and server.auth_commands == 0


def test_utf8_address_refused_despite_smtputf8(certs, logs):
    reply = "553 5.6.7 Internationalized mailbox name not allowed"
    with ScriptedServer(ehlo=("SMTPUTF8", "8BITMIME"), replies={"MAIL": reply}) as server:
        result = smtp_test(server.port, "none", certs=certs, login=False, sender="büro@kunde.test")
    assert result.code == "smtputf8_refused" and reply in result.message
    assert b"MAIL FROM:<b\xc3\xbcro@kunde.test> SMTPUTF8 BODY=8BITMIME\r\n" in server.received


# 8. No internal codes for people.


@pytest.mark.parametrize(
    ("server_kwargs", "encryption"),
    [
        ({"replies": {"STARTTLS": "454 4.7.0 TLS not available"}, "ehlo": TLS_EHLO}, "tls"),
        ({"replies": {"EHLO": "500 5.5.1 Command unrecognized"}}, "tls"),
        ({"greeting": "421 4.3.2 try later"}, "tls"),
    ],
)
def test_transcript_ends_in_german(certs, logs, server_kwargs, encryption):
    with ScriptedServer(**server_kwargs) as server:
        result = smtp_test(server.port, encryption, certs=certs)
    assert result.transcript[-1] == f"* Ergebnis: {result.title}"
    assert result.code not in "\n".join(result.transcript)
