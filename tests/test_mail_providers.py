"""Microsoft 365 and Google: recognised, dated, diagnosed, and OAuth 2.0 against real servers.

Lab servers on 127.0.0.1 greet and answer like Exchange Online and Gmail (tests/smtpserver.py),
a fake identity platform hands out tokens (tests/identityserver.py). "Today" is passed in, so
both sides of Microsoft's switch-off date are tested.
"""

from datetime import date

import pytest
from helpers.smtp import smtp_test as shared_smtp_test
from identityserver import CLIENT, SECRET, TENANT, IdentityServer
from smtpserver import (
    EXCHANGE_EHLO,
    EXCHANGE_GREETING,
    PASSWORD,
    USER,
    ScriptedServer,
    exchange_lab,
    gmail_lab,
)

from mitwirkung.checks import mailauth
from mitwirkung.checks.smtp.oauth import OAuthLogin
from mitwirkung.checks.smtp.transcript import secret_forms

NAMES = ("127.0.0.1", "mail.kunde.test")
BEFORE = date(2026, 12, 6)
AFTER = date(2027, 1, 11)
PROVIDERS = mailauth.default()


def smtp_test(port, **kwargs):
    """The shared SMTP test run (helpers.smtp) over STARTTLS, from the login name."""
    return shared_smtp_test(port, "tls", sender=USER, **kwargs)


def everything(result, logs) -> str:
    return repr(result) + "\n" + logs.text


# --- Recognition ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host, key",
    [("smtp.office365.com", "microsoft"), ("SMTP-Legacy.Office365.com.", "microsoft"),
     ("smtp.gmail.com", "google"), ("smtp-relay.gmail.com", "google"),
     ("smtp.ionos.de", None), ("office365.com.example", None)],
)  # fmt: skip
def test_provider_by_host_typed(host, key):
    found = mailauth.by_host(PROVIDERS, host)
    assert (found.key if found else None) == key


@pytest.mark.parametrize(
    "mx, key",
    [(["kunde-de.mail.protection.outlook.com."], "microsoft"),
     (["aspmx.l.google.com", "alt1.aspmx.l.google.com"], "google"),
     (["mx00.ionos.de"], None), (["evil-mail.protection.outlook.com.example"], None)],
)  # fmt: skip
def test_provider_by_sender_domain_mx(mx, key):
    found = mailauth.by_mx(PROVIDERS, mx)
    assert (found.key if found else None) == key


def test_dates_come_from_the_data_file(tmp_path):
    moved = tmp_path / "mail-auth.toml"
    text = mailauth.DEFAULT_FILE.read_text(encoding="utf-8")
    text = text.replace("default_off = 2026-12-31", "default_off = 2027-06-30")
    moved.write_text(text.replace('"Ende Dezember 2026"', '"Ende Juni 2027"'), encoding="utf-8")
    providers = mailauth.load(moved)
    notice = mailauth.notice(providers["microsoft"], login="password", today=AFTER)
    assert notice.code == "m365_password_before" and notice.params["off"] == "Ende Juni 2027"


# --- The dated notice in the SMTP test's result -----------------------------------------------


@pytest.mark.parametrize(
    "today, code, words",
    [(BEFORE, "m365_password_ok_before", ["Funktioniert heute", "Ende Dezember 2026"]),
     (AFTER, "m365_password_ok_after", ["wieder eingeschaltet", "2027"])],
)  # fmt: skip
def test_passing_password_test_on_exchange_says_until_when(certs, logs, today, code, words):
    with exchange_lab(certs.context(*NAMES)) as server:
        result = smtp_test(server.port, certs=certs, today=today)
    assert result.ok and result.provider == "microsoft"
    assert result.notice["code"] == code
    assert all(w in result.notice["title"] + result.notice["text"] for w in words)
    assert "OAuth 2.0 (Microsoft 365)" in result.notice["text"]
    assert server.auth_commands == 1


def test_gmail_password_test_names_app_passwords(certs, logs):
    with gmail_lab(certs.context(*NAMES), password_reply="235 2.7.0 Accepted") as server:
        result = smtp_test(server.port, certs=certs, today=BEFORE)
    assert result.ok and result.provider == "google"
    assert result.notice["code"] == "google_password"
    assert (
        "App-Passwort" in result.notice["text"] and "smtp-relay.gmail.com" in result.notice["text"]
    )


def test_other_servers_carry_no_notice(certs, logs):
    with ScriptedServer(ehlo=("STARTTLS", "AUTH PLAIN"), starttls=certs.context(*NAMES)) as s:
        result = smtp_test(s.port, certs=certs, today=BEFORE)
    assert result.ok and result.provider == "" and result.notice is None


# --- Diagnoses of the family: enhanced status code and text, one AUTH each --------------------

M365_REPLIES = [
    ("550 5.7.30 Basic authentication is not supported for Client Submission.",
     "auth_m365_basic_removed", "OAuth 2.0 (Microsoft 365)"),
    ("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
     "Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information.",
     "auth_m365_mailbox_disabled", "E-Mail-Apps verwalten"),
    ("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
     "Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.",
     "auth_disabled_m365", "Authentifiziertes SMTP"),
    ("535 5.7.139 Authentication unsuccessful, user is locked by your organization's security "
     "defaults policy. Contact your administrator.", "auth_m365_security_defaults",
     "Sicherheitsstandards"),
    ("535 5.7.3 Authentication unsuccessful [FR4P281CA0042.DEUP281.PROD]", "auth_m365_failed",
     "Anmeldeprotokoll"),
]  # fmt: skip


@pytest.mark.parametrize("reply, code, words", M365_REPLIES)
def test_exchange_refusals_each_have_their_diagnosis(certs, logs, reply, code, words):
    with exchange_lab(certs.context(*NAMES), password_reply=reply) as server:
        result = smtp_test(server.port, certs=certs, today=BEFORE)
    assert result.code == code, result
    assert words in result.title + result.message + result.next_step
    assert result.notice["code"] == "m365_password_before"
    assert server.auth_commands == 1
    assert all(f not in everything(result, logs) for f in [PASSWORD, *secret_forms(USER, PASSWORD)])


def test_exchange_without_login_says_client_not_authenticated(certs, logs):
    with exchange_lab(certs.context(*NAMES)) as server:
        server.replies["MAIL"] = "530 5.7.57 Client not authenticated to send mail. [FR4P281]"
        result = smtp_test(server.port, certs=certs, login=False, username="", today=BEFORE)
    assert result.code == "auth_m365_not_authenticated"
    assert "Connector" in result.next_step and result.notice["code"] == "m365_relay"
    assert server.auth_commands == 0


@pytest.mark.parametrize(
    "reply, code",
    [("534-5.7.9 Application-specific password required. Learn more at\n"
      "534 5.7.9 https://support.google.com/mail/?p=InvalidSecondFactor",
      "auth_google_app_password"),
     ("535-5.7.8 Username and Password not accepted. For more information, go to\n"
      "535 5.7.8 https://support.google.com/mail/?p=BadCredentials", "auth_google_rejected")],
)  # fmt: skip
def test_gmail_refusals_name_app_passwords_and_the_relay(certs, logs, reply, code):
    with gmail_lab(certs.context(*NAMES), password_reply=reply) as server:
        result = smtp_test(server.port, certs=certs, today=BEFORE)
    assert result.code == code, result
    assert "myaccount.google.com/apppasswords" in result.next_step
    assert "smtp-relay.gmail.com" in result.next_step
    assert server.auth_commands == 1


def test_temporary_reply_stays_temporary_on_exchange(certs, logs):
    reply = "454 4.7.0 Temporary authentication failure"
    with exchange_lab(certs.context(*NAMES), password_reply=reply) as server:
        result = smtp_test(server.port, certs=certs, today=BEFORE)
    assert result.code in ("temporary", "temporary_policy")  # never a block (RFC 5321 §4.2.1)


# --- OAuth 2.0: token from the identity platform, then exactly one AUTH XOAUTH2 ---------------


def oauth_test(server, idp, certs, *, mailbox=USER, **login):
    values = {"tenant": TENANT, "client_id": CLIENT, "secret": SECRET, **login}
    oauth = OAuthLogin(login_url=idp.url, **values)
    return smtp_test(server.port, certs=certs, username=mailbox, password=None, oauth=oauth,
                     today=BEFORE)  # fmt: skip


def test_oauth_login_sends_with_a_token_for_the_mailbox(certs, logs):
    with (
        IdentityServer() as idp,
        exchange_lab(
            certs.context(*NAMES), mailbox_of=lambda t: USER if t in idp.issued else None
        ) as server,
    ):
        result = oauth_test(server, idp, certs)
    assert result.ok and result.code == "ok", result
    assert result.notice["code"] == "m365_oauth"
    assert server.auth_commands == 1
    assert [line.split()[1] for line in server.received if line.startswith(b"AUTH")] == [b"XOAUTH2"]
    assert idp.requests[0]["scope"] == "https://outlook.office365.com/.default"
    text = everything(result, logs)
    assert SECRET not in text and idp.issued[0] not in text
    assert "C: AUTH XOAUTH2 ********" in result.transcript


def test_oauth_token_for_another_mailbox_is_refused_by_exchange(certs, logs):
    with (
        IdentityServer() as idp,
        exchange_lab(certs.context(*NAMES), mailbox_of=lambda t: "andere@kunde.test") as server,
    ):
        result = oauth_test(server, idp, certs)
    assert result.code == "oauth_smtp_refused"
    assert "New-ServicePrincipal" in result.message and "Add-MailboxPermission" in result.message
    assert server.auth_commands == 1


@pytest.mark.parametrize(
    "idp_options, login, code, aadsts",
    [({}, {"tenant": "11111111-2222-4333-8444-555555555555"}, "oauth_tenant_unknown", "90002"),
     ({}, {"client_id": "00000000-0000-4000-8000-000000000000"}, "oauth_client_unknown",
      "700016"),
     ({}, {"secret": "falsch-falsch-falsch"}, "oauth_secret_wrong", "7000215"),
     ({"expired": True}, {}, "oauth_secret_expired", "7000222"),
     ({"consent": False}, {}, "oauth_consent_missing", "65001"),
     ({}, {"tenant": "../../evil"}, "oauth_tenant_invalid", "keine Verzeichnis-ID")],
)  # fmt: skip
def test_token_failures_are_diagnosed_before_any_login(certs, logs, idp_options, login, code,
                                                       aadsts):  # fmt: skip
    with IdentityServer(**idp_options) as idp, exchange_lab(certs.context(*NAMES)) as server:
        result = oauth_test(server, idp, certs, **login)
    assert result.code == code, result
    assert aadsts in result.message
    assert server.auth_commands == 0
    assert SECRET not in everything(result, logs)


def test_oauth_needs_a_server_that_offers_xoauth2(certs, logs):
    with (
        IdentityServer() as idp,
        ScriptedServer(
            ehlo=("STARTTLS", "AUTH PLAIN LOGIN"), starttls=certs.context(*NAMES)
        ) as server,
    ):
        result = oauth_test(server, idp, certs)
    assert result.code == "oauth_not_offered" and "PLAIN, LOGIN" in result.message
    assert server.auth_commands == 0


def test_the_notice_is_part_of_the_result_text(certs, logs):
    with exchange_lab(certs.context(*NAMES)) as server:
        result = smtp_test(server.port, certs=certs, today=BEFORE)
    assert "Funktioniert heute – endet aber Ende Dezember 2026" in result.message


def test_exchange_offering_only_xoauth2_points_to_oauth(certs, logs):
    ehlo = tuple(k if not k.startswith("AUTH") else "AUTH XOAUTH2" for k in EXCHANGE_EHLO)
    server = ScriptedServer(greeting=EXCHANGE_GREETING, ehlo=ehlo, starttls=certs.context(*NAMES))
    with server:
        result = smtp_test(server.port, certs=certs, today=BEFORE)
    assert result.code == "auth_m365_oauth_only" and "OAuth 2.0 (Microsoft 365)" in result.next_step
    assert server.auth_commands == 0
