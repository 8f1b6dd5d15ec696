"""SMTP replies a server really sends, each against a real server on 127.0.0.1.

Each test names the fault kind it guards (password forms, EHLO refused for
policy, no reply to the final dot, transcript fidelity, login replies, MAIL refusals, …),
with several instances per kind.
"""

import base64
import html
import json
import urllib.parse

import pytest
from helpers.smtp import NAMES, smtp_test, text_of
from smtpserver import CLOSE, HANG, PASSWORD, RESET, USER, ScriptedServer, legacy_tls_context

REDACTED = "********"


def readable_forms(password: str, username: str = USER) -> set[str]:
    """Forms of the password a person could read it back from, written out independently."""
    raw = password.encode()
    forms = {
        password,
        password.lower(),
        password.upper(),
        urllib.parse.quote(password, safe=""),
        urllib.parse.quote(password, safe="").lower(),
        urllib.parse.quote_plus(password),
        html.escape(password).replace("ä", "&auml;").replace("ö", "&ouml;").replace("ü", "&uuml;"),
        raw.decode("latin-1"),
        json.dumps(password)[1:-1],
        raw.hex(),
        raw.hex().upper(),
        base64.b64encode(raw).decode(),
        base64.b64encode(raw).decode().rstrip("="),
        base64.b64encode(f"\0{username}\0{password}".encode()).decode(),
        base64.b64encode(f"{username}\0{username}\0{password}".encode()).decode(),
    }
    ascii_run = max("".join(c if c.isascii() else " " for c in password).split(), key=len)
    if len(ascii_run) >= 8:
        forms.add(ascii_run)
    return forms


def assert_nowhere(result, logs, password=PASSWORD):
    """No readable form of the password in the result (transcript included) or the logs."""
    text = repr(result) + "\n" + "\n".join(result.transcript) + "\n" + logs.text
    for form in readable_forms(password):
        assert form not in text, form
        assert form.lower() not in text.lower(), form


# Defect 4: any readable form of the password is masked.

B64 = base64.b64encode
LEAKS = {
    "lowercase percent": "535 5.7.8 see https://x.test/?p="
    + urllib.parse.quote(PASSWORD, safe="").lower(),
    "html entities": "535 5.7.8 p="
    + PASSWORD.replace("ä", "&auml;").replace("ö", "&#246;").replace("ü", "&#xFC;"),
    "utf-8 read as latin-1": "535 5.7.8 p=" + PASSWORD.encode().decode("latin-1"),
    "raw latin-1 bytes": "535 5.7.8 p="
    + PASSWORD.encode("latin-1").decode("utf-8", "surrogateescape"),
    "json escapes": "535 5.7.8 " + json.dumps({"p": PASSWORD}),
    "hex": "535 5.7.8 " + PASSWORD.encode().hex().upper(),
    "split over two lines": f"535-5.7.8 your pw {PASSWORD[:9]}\n535 5.7.8 {PASSWORD[9:]} bad",
    "umlauts lost": "535 5.7.8 p=Geheim!Pa55wort-???",
    "upper case": "535 5.7.8 P=" + PASSWORD.upper(),
    "base64 inside xoauth2 blob": "535 5.7.8 "
    + B64(f"user={USER}\x01auth=Bearer {PASSWORD}\x01\x01".encode()).decode(),
    "unpadded plain blob": "535 5.7.8 " + B64(f"{USER}\0{USER}\0{PASSWORD}".encode()).decode(),
}


@pytest.mark.parametrize("reply", LEAKS.values(), ids=LEAKS.keys())
def test_no_readable_form_of_the_password_survives(certs, logs, reply):
    with ScriptedServer(ehlo=("STARTTLS", "AUTH PLAIN"), starttls=certs.context(*NAMES),
                        replies={"AUTH": reply}) as server:  # fmt: skip
        result = smtp_test(server.port, "tls", certs=certs)
    assert result.code == "auth_failed" and server.auth_commands == 1
    assert REDACTED in result.reply and REDACTED in result.message
    assert_nowhere(result, logs)


def test_password_echoed_in_a_later_reply_is_masked_too(certs, logs):
    quoted = urllib.parse.quote(PASSWORD).lower()
    with ScriptedServer(ehlo=("STARTTLS", "AUTH PLAIN"), starttls=certs.context(*NAMES),
                        replies={"END": f"250 2.0.0 queued as {quoted}"}) as server:  # fmt: skip
        result = smtp_test(server.port, "tls", certs=certs)
    assert result.ok and REDACTED in result.reply
    assert_nowhere(result, logs)


def test_short_runs_and_other_words_stay(certs, logs):
    """Fewer than eight characters of the password are no evidence: they stay readable."""
    reply = "535 5.7.8 Geheim user unknown, Pa55 wrong"
    with ScriptedServer(ehlo=("STARTTLS", "AUTH PLAIN"), starttls=certs.context(*NAMES),
                        replies={"AUTH": reply}) as server:  # fmt: skip
        result = smtp_test(server.port, "tls", certs=certs)
    assert result.reply == reply and REDACTED not in result.message


# Defect 1: HELO only when EHLO is unknown (500/502) before TLS; any other refusal is quoted.

EHLO_OFFER = "250-mail.kunde.test\n250-STARTTLS\n250 AUTH PLAIN LOGIN"


@pytest.mark.parametrize(
    "reply",
    [
        "550 5.7.1 Client host rejected: cannot find your reverse hostname, [127.0.0.1]",
        "554 5.7.1 Access denied: your IP is on our blocklist",
        "550 5.7.0 Policy: connections from your network are not accepted",
    ],
)
def test_ehlo_refused_for_policy_is_no_helo_fallback(certs, logs, reply):
    with ScriptedServer(replies={"EHLO": reply}) as server:
        result = smtp_test(server.port, "tls", certs=certs)
    assert result.code == "sender_system_blocked"
    assert result.reply == reply and reply in result.message
    assert not any(line.startswith(b"HELO") for line in server.received)
    assert "„keine“" not in text_of(result) and server.auth_commands == 0
    assert f"S: {reply}" in result.transcript
    assert_nowhere(result, logs)


@pytest.mark.parametrize(
    "second",
    ["502 5.5.2 Error: command not recognized", "500 5.5.1 Command unrecognized",
     "554 5.5.0 Unexpected EHLO"],
)  # fmt: skip
def test_ehlo_refused_after_starttls_is_a_server_fault(certs, logs, second):
    with ScriptedServer(replies={"EHLO": [EHLO_OFFER, second]},
                        starttls=certs.context(*NAMES)) as server:  # fmt: skip
        result = smtp_test(server.port, "tls", certs=certs)
    assert result.code == "ehlo_refused_after_tls"
    assert second in result.message and "RFC 3207" in result.message
    assert sum(line.startswith(b"HELO") for line in server.received) == 0
    assert server.auth_commands == 0
    assert_nowhere(result, logs)


def test_ehlo_refused_without_policy_quotes_the_reply(certs, logs):
    reply = "553 5.5.4 Invalid domain name in EHLO"
    with ScriptedServer(replies={"EHLO": reply}) as server:
        result = smtp_test(server.port, "none", certs=certs, login=False)
    assert result.code == "helo_rejected" and reply in result.message
    assert "Sperrliste" not in text_of(result)


# Defect 2: no reply to the final dot -- the mail may have arrived; not a port problem.


@pytest.mark.parametrize(
    ("end", "ending"),
    [
        (CLOSE, "nicht geantwortet, sondern die Verbindung beendet"),
        (RESET, "nicht geantwortet, sondern die Verbindung beendet"),
        (HANG, "nicht rechtzeitig geantwortet"),
    ],
)
def test_no_reply_to_the_end_of_data_says_the_mail_may_arrive(certs, logs, end, ending):
    with ScriptedServer(ehlo=("STARTTLS", "AUTH PLAIN"), starttls=certs.context(*NAMES),
                        replies={"END": end}) as server:  # fmt: skip
        result = smtp_test(server.port, "tls", certs=certs, timeout=2.0)
    assert result.code == "no_reply_to_data_end" and not result.ok
    assert ending in result.message and "kann trotzdem ankommen" in result.message
    assert "Firewall" not in text_of(result) and "Prüfen Sie Port" not in text_of(result)
    assert "Bestätigungslink" in result.next_step and len(server.messages) == 1
    assert server.auth_commands == 1
    assert_nowhere(result, logs)


# Defect 3: the transcript holds exactly the lines read and written, DATA phase included.


@pytest.mark.parametrize(
    ("replies", "expected"),
    [
        ({"END": "554 5.7.1 Message rejected as spam by Content Filtering"},
         ["C: DATA", "S: 354 End data with <CR><LF>.<CR><LF>", "C: [Testmail",
          "S: 554 5.7.1 Message rejected as spam by Content Filtering"]),
        ({"DATA": "503 5.5.1 Error: need RCPT command"},
         ["C: DATA", "S: 503 5.5.1 Error: need RCPT command"]),
        ({"END": "451 4.3.0 Error: queue file write error"},
         ["C: DATA", "S: 354 End data", "C: [Testmail",
          "S: 451 4.3.0 Error: queue file write error"]),
    ],
)  # fmt: skip
def test_data_phase_replies_are_in_the_transcript(certs, logs, replies, expected):
    with ScriptedServer(ehlo=(), replies=replies) as server:
        result = smtp_test(server.port, "none", certs=certs, login=False)
    lines = list(result.transcript)
    start = next(i for i, text in enumerate(lines) if text == "C: DATA")
    for offset, wanted in enumerate(expected):
        assert lines[start + offset].startswith(wanted), (lines, wanted)


@pytest.mark.parametrize("quit_reply", [CLOSE, RESET, HANG])
def test_no_invented_goodbye(certs, logs, quit_reply):
    with ScriptedServer(ehlo=(), replies={"QUIT": quit_reply}) as server:
        result = smtp_test(server.port, "none", certs=certs, login=False, timeout=3.0)
    assert result.ok and result.transcript[-1] == "C: QUIT"
    assert not any(text.startswith("S: 221") for text in result.transcript)


def test_quit_during_the_login_exchange_is_shown_as_quit(certs, logs):
    with ScriptedServer(ehlo=("STARTTLS", "AUTH LOGIN"), starttls=certs.context(*NAMES),
                        replies={"AUTH": "334 UGFzc3dvcmQ6"}) as server:  # fmt: skip
        result = smtp_test(server.port, "tls", certs=certs)
    secrets = [text for text in result.transcript if text == f"C: {REDACTED}"]
    # the user name and the password, each after its prompt (no initial response);
    # the second "334 UGFzc3dvcmQ6" gets nothing: the password goes once
    assert len(secrets) == 2
    assert "C: QUIT" in result.transcript and server.auth_commands == 1
    assert_nowhere(result, logs)


# Defect 7: only 535 / 5.7.8 means "credentials wrong"; every other login reply its own class.

TLS_AUTH = ("STARTTLS", "AUTH PLAIN LOGIN")


@pytest.mark.parametrize(
    ("reply", "code", "said"),
    [
        ("538 5.7.11 Encryption required for requested authentication mechanism",
         "auth_encryption_contradiction", "bereits mit „TLS“ verschlüsselt"),
        ("530 5.7.0 Must issue a STARTTLS command first",
         "auth_encryption_contradiction", "Einrichtung des Servers"),
        ("550 5.7.1 Authentication from your IP address is not allowed",
         "auth_ip_refused", "IP-Adressen"),
        ("535 5.7.0 (#AUTH005) Too many bad auth attempts.",
         "auth_locked_out", "Testen Sie jetzt nicht erneut"),
        ("432 4.7.12 A password transition is needed", "auth_password_transition",
         "Passwort"),
        ("250 2.0.0 OK", "auth_protocol_error", "RFC 4954"),
        ("999 what", "auth_protocol_error", "RFC 4954"),
        ("334 ", "auth_protocol_error", "RFC 4954"),
        ("554 5.7.0 Authentication not permitted for this account",
         "auth_refused", "ohne zu sagen"),
    ],
)  # fmt: skip
def test_login_replies_that_are_not_about_the_password(certs, logs, reply, code, said):
    with ScriptedServer(ehlo=TLS_AUTH, starttls=certs.context(*NAMES),
                        replies={"AUTH": reply}) as server:  # fmt: skip
        result = smtp_test(server.port, "tls", certs=certs)
    assert result.code == code, result.code
    assert said in text_of(result)
    assert "Nutzer oder Passwort abgelehnt" not in text_of(result)
    assert "in einigen Minuten" not in text_of(result)
    assert server.auth_commands == 1 and server.messages == []
    assert_nowhere(result, logs)


@pytest.mark.parametrize(
    "reply", ["535 5.7.8 Error: authentication failed", "535 Authentication credentials invalid"]
)
def test_credentials_refused_stays_credentials(certs, logs, reply):
    with ScriptedServer(ehlo=TLS_AUTH, starttls=certs.context(*NAMES),
                        replies={"AUTH": reply}) as server:  # fmt: skip
        result = smtp_test(server.port, "tls", certs=certs)
    assert result.code == "auth_failed" and "Nutzer oder Passwort" in result.message
    assert server.auth_commands == 1


@pytest.mark.parametrize("challenge", ["334 !!!not-base64!!!", "334 abc"])
def test_malformed_cram_md5_challenge_is_a_protocol_fault(certs, logs, challenge):
    with ScriptedServer(ehlo=("STARTTLS", "AUTH CRAM-MD5"), starttls=certs.context(*NAMES),
                        replies={"CRAM": challenge}) as server:  # fmt: skip
        result = smtp_test(server.port, "tls", certs=certs)
    assert result.code == "auth_protocol_error", result.code
    assert "Nutzer oder Passwort" not in result.title
    assert_nowhere(result, logs)


# Defect 6: 5.7.139 by its text; unknown texts a neutral Microsoft policy.


@pytest.mark.parametrize(
    ("reply", "code", "said"),
    [
        ("535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to "
         "be authenticated successfully. Contact your administrator.",
         "auth_m365_conditional_access", "bedingten Zugriff"),
        ("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for "
         "the Tenant.", "auth_disabled_m365", "deaktiviert"),
        ("535 5.7.139 Authentication unsuccessful, something new from Redmond",
         "auth_m365_policy", "Richtlinie"),
        ("535 5.7.139 Authentication unsuccessful, the user credentials were incorrect.",
         "auth_failed", "Nutzer oder Passwort"),
        ("535 5.7.139 Authentication unsuccessful, account locked due to too many failed "
         "logins.", "auth_m365_locked", "gesperrt"),
    ],
)  # fmt: skip
def test_microsoft_5_7_139_by_its_text(certs, logs, reply, code, said):
    with ScriptedServer(ehlo=TLS_AUTH, starttls=certs.context(*NAMES),
                        replies={"AUTH": reply}) as server:  # fmt: skip
        result = smtp_test(server.port, "tls", certs=certs)
    assert result.code == code and said in text_of(result)
    assert server.auth_commands == 1


# Defect 8 (and 14): refusals classified by their enhanced status code and text first.


@pytest.mark.parametrize(
    ("replies", "code", "said"),
    [
        ({"MAIL": "550 5.4.5 Daily user sending limit exceeded. For more information on "
                  "Gmail sending limits go to https://support.google.com/a/answer/166852"},
         "sending_limit", "Versandlimit"),
        ({"MAIL": "550 5.1.8 Access denied, bad outbound sender. AS(42004)"},
         "sender_account_blocked", "Eingeschränkte Entitäten"),
        ({"MAIL": "552 5.3.4 Message size exceeds fixed limit"}, "message_too_big", "Größe"),
        ({"RCPT": "552 5.2.2 Mailbox full"}, "mailbox_full", "Postfach"),
        ({"RCPT": "451 4.7.1 <empfang@kunde.test>: Recipient address rejected: Greylisted, "
                  "see http://postgrey.schweikert.ch/help/kunde.test.html"},
         "greylisted", "Greylisting"),
        ({"END": "550 5.7.23 The message was rejected because of Sender Policy Framework "
                 "violation"}, "spf_refused", "SPF-Eintrag"),
        ({"END": "550 5.7.1 Email rejected per DMARC policy for kunde.test"},
         "dmarc_refused", "DMARC"),
    ],
)  # fmt: skip
def test_refusals_named_by_their_cause(certs, logs, replies, code, said):
    with ScriptedServer(ehlo=TLS_AUTH, starttls=certs.context(*NAMES),
                        replies=replies) as server:  # fmt: skip
        result = smtp_test(server.port, "tls", certs=certs)
    assert result.code == code, result.code
    assert said in text_of(result)
    assert "Absenderadresse abgelehnt" not in result.title
    assert "Schreibweise" not in text_of(result)
    assert server.auth_commands == 1
    assert_nowhere(result, logs)


# Defect 5: another protocol on the port, overlong or garbled lines: named, never "unerwartet".


@pytest.mark.parametrize(
    ("greeting", "encryption", "code", "said"),
    [
        ("* OK [CAPABILITY IMAP4rev1] Dovecot ready.", "none", "imap_port", "IMAP"),
        ("* OK [CAPABILITY IMAP4rev1] Dovecot ready.", "ssl", "imap_port", "IMAP"),
        ("+OK Dovecot ready.", "ssl", "pop3_port", "POP3"),
        ("+OK POP3 server ready", "tls", "pop3_port", "POP3"),
        ("SSH-2.0-OpenSSH_9.2p1 Debian-2", "tls", "not_smtp", "keine SMTP-Antwort"),
    ],
)
def test_other_protocols_on_the_port_are_named(certs, logs, greeting, encryption, code, said):
    kwargs = {"implicit": certs.context(*NAMES)} if encryption == "ssl" else {}
    with ScriptedServer(greeting=greeting, **kwargs) as server:
        result = smtp_test(server.port, encryption, certs=certs, allow_plain_password=True)
    assert result.code == code and said in text_of(result)
    assert "nerwartet" not in text_of(result) and "Malformed" not in repr(result)
    assert f"S: {greeting}" in result.transcript
    assert server.auth_commands == 0


@pytest.mark.parametrize(
    "replies",
    [{"EHLO": "250-mail.kunde.test\n250 " + "X" * 100_000}, {"MAIL": "550 " + "y" * 100_000}],
)
def test_overlong_reply_is_a_server_fault(certs, logs, replies):
    with ScriptedServer(ehlo=(), replies=replies) as server:
        result = smtp_test(server.port, "none", certs=certs, login=False)
    assert result.code == "reply_too_long" and "RFC 5321 §4.5.3.1.5" in result.message
    assert "Response too long" not in repr(result)


def test_garbled_reply_line_after_the_greeting(certs, logs):
    with ScriptedServer(ehlo=(), replies={"MAIL": "hello? 250 maybe"}) as server:
        result = smtp_test(server.port, "none", certs=certs, login=False)
    assert result.code == "not_smtp" and "S: hello? 250 maybe" in result.transcript
    assert "nach der Absenderadresse" in result.message


# Defect 10: no AUTH although TLS is in use: the operator must switch it on for this port.


@pytest.mark.parametrize("encryption", ["tls", "ssl"])
def test_no_auth_over_tls_asks_the_operator_not_for_tls(certs, logs, encryption):
    if encryption == "ssl":
        kwargs = {"implicit": certs.context(*NAMES), "ehlo": ("8BITMIME",)}
    else:
        kwargs = {"starttls": certs.context(*NAMES), "ehlo": ("STARTTLS", "8BITMIME")}
    with ScriptedServer(**kwargs) as server:
        result = smtp_test(server.port, encryption, certs=certs)
    assert result.code == "auth_not_offered_encrypted"
    assert "einzuschalten" in result.next_step
    assert "„TLS“ auf Port 587" not in result.next_step
    assert server.auth_commands == 0 and server.messages == []


@pytest.mark.parametrize(
    "reply",
    ["530 5.7.1 Client was not authenticated", "530 5.7.0 Authentication required"],
)
def test_no_login_chosen_and_server_wants_one_it_does_not_offer(certs, logs, reply):
    with ScriptedServer(ehlo=("STARTTLS",), starttls=certs.context(*NAMES),
                        replies={"MAIL": reply}) as server:  # fmt: skip
        result = smtp_test(server.port, "tls", certs=certs, login=False)
    assert result.code == "auth_required_not_offered" and reply in result.message
    assert "Tragen Sie Nutzer und Passwort ein" not in result.next_step
    assert "IP-Adressen" in result.next_step and server.auth_commands == 0


# Defect 9: a slow greeting after a finished implicit-TLS handshake is not blamed on SSL.


def test_slow_greeting_after_the_ssl_handshake(certs, logs):
    with ScriptedServer(implicit=certs.context(*NAMES), greet_pause=4) as server:
        result = smtp_test(server.port, "ssl", certs=certs, timeout=1.5)
    assert result.code == "no_greeting_after_tls"
    assert "Port und Verschlüsselung passen" in result.message
    assert "TLS“ mit Port 587" not in text_of(result) and result.tls is not None
    assert any(line.startswith("* TLS") for line in result.transcript)


def test_ssl_handshake_that_never_finishes_still_points_at_the_port(certs, logs):
    with ScriptedServer(greet_pause=4) as server:  # plain server, silent: no handshake
        result = smtp_test(server.port, "ssl", certs=certs, timeout=1.5)
    assert result.code != "no_greeting_after_tls" and result.tls is None


# Defect 11: multi-line replies read as one sentence, the enhanced status code once.


@pytest.mark.parametrize(
    ("replies", "shown"),
    [
        ({"AUTH": "534-5.7.9 Application-specific password required. Learn more at\n"
                  "534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor"},
         "534 5.7.9 Application-specific password required. Learn more at "
         "https://support.google.com/mail/?p=InvalidSecondFactor"),
        ({"RCPT": "550-5.1.1 The email account that you tried to reach does not exist.\n"
                  "550-5.1.1 Please try double-checking the recipient's email\n"
                  "550 5.1.1 address for typos."},
         "550 5.1.1 The email account that you tried to reach does not exist. Please try "
         "double-checking the recipient's email address for typos."),
        ({"MAIL": "553-Sender rejected\n553 see https://x.test/why"},
         "553 Sender rejected see https://x.test/why"),
    ],
)  # fmt: skip
def test_multi_line_replies_read_as_one_line(certs, logs, replies, shown):
    with ScriptedServer(ehlo=TLS_AUTH, starttls=certs.context(*NAMES),
                        replies=replies) as server:  # fmt: skip
        result = smtp_test(server.port, "tls", certs=certs)
    assert result.reply == shown and f"„{shown}“" in result.message
    assert "\\x0a" not in repr(result.message) and "\\x0a" not in result.reply
    lines = next(iter(replies.values())).count("\n") + 1
    assert sum(line.startswith("S: 5") for line in result.transcript) == lines


# Defect 12: certificates: weak key or signature, unknown issuer vs missing intermediate.


@pytest.mark.parametrize(
    ("kwargs", "said"),
    [({"key_size": 1024}, "zu kurz"), ({"sha1": True}, "SHA-1")],
)
@pytest.mark.parametrize("encryption", ["ssl", "tls"])
def test_weak_certificate_from_a_trusted_ca(certs, logs, kwargs, said, encryption):
    context = certs.custom_context("127.0.0.1", **kwargs)
    server_kwargs = {"implicit": context} if encryption == "ssl" else {
        "starttls": context, "ehlo": ("STARTTLS", "AUTH PLAIN")}  # fmt: skip
    with ScriptedServer(**server_kwargs) as server:
        result = smtp_test(server.port, encryption, certs=certs)
    assert result.code == "cert_weak" and said in result.message
    assert "nicht von einer anerkannten Stelle" not in result.message
    assert "too weak" not in text_of(result) and server.auth_commands == 0


def test_leaf_of_an_unknown_ca_is_not_a_missing_intermediate(certs, logs):
    with ScriptedServer(implicit=certs.context(*NAMES, trusted=False)) as server:
        result = smtp_test(server.port, "ssl", certs=certs)
    assert result.code == "cert_untrusted" and "fullchain" not in text_of(result)
    assert "keine allgemein anerkannte Stelle" in result.message
    assert "selbst ausgestellt" not in result.message


def test_leaf_naming_its_issuer_alone_is_a_missing_intermediate(certs, logs):
    with ScriptedServer(implicit=certs.custom_context("127.0.0.1", aia=True)) as server:
        result = smtp_test(server.port, "ssl", certs=certs)
    assert result.code == "cert_chain_incomplete" and "fullchain.pem" in result.next_step


def test_openssl_reasons_are_translated(certs, logs):
    context = legacy_tls_context(certs, ciphers="AES128-SHA")
    with ScriptedServer(implicit=context) as server:
        result = smtp_test(server.port, "ssl", certs=certs)
    assert result.code == "tls_no_shared_cipher"
    assert "SSLV3_ALERT" not in text_of(result) and "HANDSHAKE_FAILURE" not in text_of(result)


# Defect 13: one name for the sending system; OAuth-only servers get their own story.


@pytest.mark.parametrize("offered", ["AUTH XOAUTH2", "AUTH XOAUTH2 OAUTHBEARER"])
def test_oauth_only_server_is_not_told_the_exchange_story(certs, logs, offered):
    with ScriptedServer(ehlo=("STARTTLS", offered), starttls=certs.context(*NAMES)) as server:
        result = smtp_test(server.port, "tls", certs=certs)
    assert result.code == "auth_oauth_only" and "OAuth" in result.message
    assert "NTLM" not in text_of(result) and "Kerberos" not in text_of(result)
    assert server.auth_commands == 0


def test_ntlm_only_keeps_the_exchange_story(certs, logs):
    ehlo = ("STARTTLS", "AUTH NTLM GSSAPI XOAUTH2")
    with ScriptedServer(ehlo=ehlo, starttls=certs.context(*NAMES)) as server:
        result = smtp_test(server.port, "tls", certs=certs)
    assert result.code == "auth_methods_unsupported" and "NTLM" in result.message


def test_the_sending_system_has_one_name():
    from mitwirkung.checks import diagnose

    for title, message, next_step in diagnose.TABLE.values():
        for text in (title, message, next_step):
            # PEIQ is the company (contact person, services); the system that sends is PRINT PPS.
            for wrong in ("Versandsystem von PEIQ", "denen PEIQ sendet", "PEIQ ohne Anmeldung",
                          "Begrüßung von PEIQ", "PEIQ nicht zu"):  # fmt: skip
                assert wrong not in text


# Defect 14: quoted local parts are allowed (RFC 5321 §4.1.2); look-alike domains are not.


@pytest.mark.parametrize(
    "sender", ['"max mustermann"@kunde.test', '"a\\"b"@kunde.test', '"info(at)"@kunde.test']
)
def test_quoted_local_part_goes_on_the_wire(certs, logs, sender):
    with ScriptedServer(ehlo=()) as server:
        result = smtp_test(server.port, "none", certs=certs, login=False, sender=sender)
    assert result.ok, result.message
    assert f"MAIL FROM:<{sender}>\r\n".encode() in server.received
    assert len(server.messages) == 1


@pytest.mark.parametrize(
    ("recipient", "label"),
    [("empfang@kundе.test", "kundе"), ("empfang@раypal.test", "раypal"),
     ("empfang@kunde.tеst", "tеst")],
)  # fmt: skip
def test_look_alike_domain_is_named_before_connecting(certs, logs, recipient, label):
    with ScriptedServer(ehlo=()) as server:
        result = smtp_test(server.port, "none", certs=certs, login=False, recipient=recipient)
    assert result.code == "address_invalid" and label in result.message
    assert "kyrillisch" in result.message and server.received == []


def test_cyrillic_domain_of_one_script_is_fine(certs, logs):
    with ScriptedServer(ehlo=()) as server:
        result = smtp_test(server.port, "none", certs=certs, login=False,
                           recipient="info@пример.рф")  # fmt: skip
    assert result.ok and b"RCPT TO:<info@xn--e1afmkfd.xn--p1ai>\r\n" in server.received
