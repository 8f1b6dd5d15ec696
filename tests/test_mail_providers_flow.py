"""Microsoft 365 / Google on the customer page: the notice while typing, OAuth 2.0 end to end.

Real servers on loopback: DNS with MX records at Microsoft / Google names, an SMTP lab server
that greets like Exchange Online, and a fake Microsoft identity platform.
"""

import logging
import re

import pytest
from dnsserver import ZoneServer
from helpers.web import wait_for_run
from identityserver import CLIENT, SECRET, TENANT, IdentityServer
from smtpserver import KUNDE_ZONE, USER, exchange_lab

from mitwirkung import handover, store

PROVIDER_ZONES = (
    KUNDE_ZONE
    + """\
$ORIGIN verlag365.test.
@        IN SOA ns.verlag365.test. hostmaster.verlag365.test. 1 3600 600 86400 60
@        IN NS  ns.kunde.test.
@        IN MX  0 verlag365-test.mail.protection.outlook.com.
$ORIGIN verlaggoogle.test.
@        IN SOA ns.verlaggoogle.test. hostmaster.verlaggoogle.test. 1 3600 600 86400 60
@        IN NS  ns.kunde.test.
@        IN MX  1 aspmx.l.google.com.
"""
)


@pytest.fixture(scope="module")
def zones():
    with ZoneServer(PROVIDER_ZONES) as server:
        yield server


@pytest.fixture
def lab_app(app, certs, zones):
    app.config.update(DNS_NAMESERVERS=[zones.nameserver], SMTP_ALLOWED_NETWORKS=["127.0.0.0/8"],
                      SMTP_CA_FILE=certs.ca_file, SMTP_TIMEOUT=5, TODAY="2026-12-06")  # fmt: skip
    return app


def notice(customers, edit, **typed) -> str:
    data = {"host": "", "sender": "", **typed}
    response = customers.post(
        f"/c/{edit}/provider-notice", data, htmx=True, token_from=f"/c/{edit}"
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_notice_appears_when_the_host_is_typed(lab_app, customers):
    _, edit, _ = customers.create(path="smtp-own")
    html = notice(customers, edit, host="smtp.office365.com")
    assert "<html" not in html and 'id="provider-notice"' in html
    assert "Microsoft 365: Anmeldung mit Passwort endet Ende Dezember 2026" in html
    assert "OAuth 2.0 (Microsoft 365)" in html and "Direct Send" in html
    assert "techcommunity.microsoft.com" in html
    assert "Microsoft 365" not in notice(customers, edit, host="mail.kunde.test")


def test_notice_after_the_switch_off_date(lab_app, customers):
    lab_app.config["TODAY"] = "2027-01-04"
    _, edit, _ = customers.create(path="smtp-own")
    html = notice(customers, edit, host="smtp-legacy.office365.com")
    assert "seit Ende Dezember 2026 abgeschaltet" in html and "vorübergehend wieder" in html
    assert "2027" in html


@pytest.mark.parametrize(
    "sender, words",
    [("versand@verlag365.test", "Microsoft 365"), ("versand@verlaggoogle.test", "App-Passwort")],
)
def test_notice_by_the_sender_domains_mx(lab_app, customers, sender, words):
    _, edit, _ = customers.create(path="smtp-own")
    assert words in notice(customers, edit, host="mail.kunde.test", sender=sender)


def test_notice_with_oauth_chosen_is_reassuring(lab_app, customers):
    _, edit, _ = customers.create(path="smtp-own")
    html = notice(customers, edit, host="smtp.office365.com", auth_method="oauth-m365")
    assert "Microsoft 365 mit OAuth 2.0" in html and "endet" not in html


def test_saved_settings_show_the_notice_on_the_page(lab_app, customers):
    customer, edit, _ = customers.create(path="smtp-own")
    data = {"host": "mail.kunde.test", "port": "587", "encryption": "tls", "username": USER,
            "sender": "versand@verlag365.test", "auth_method": "password"}  # fmt: skip
    saved = customers.post(f"/c/{edit}/smtp-settings", data, token_from=f"/c/{edit}")
    assert saved.status_code == 303
    page = customers.client.get(f"/c/{edit}").get_data(as_text=True)
    assert "Anmeldung mit Passwort endet Ende Dezember 2026" in page


def oauth_form(port, **changes):
    return {"host": "mail.kunde.test", "port": str(port), "encryption": "tls",
            "username": USER, "sender": USER, "recipient": "it@kunde.test",
            "auth_method": "oauth-m365", "oauth_tenant": TENANT, "oauth_client": CLIENT,
            "client_secret": SECRET, "password": "", **changes}  # fmt: skip


def test_oauth_test_mail_and_secret_hand_over(lab_app, certs, customers, db, caplog, auth):
    caplog.set_level(logging.DEBUG)
    customer, edit, share = customers.create(path="smtp-own")
    with (
        IdentityServer() as idp,
        exchange_lab(
            certs.context("127.0.0.1", "mail.kunde.test"),
            mailbox_of=lambda t: USER if t in idp.issued else None,
        ) as server,
    ):
        lab_app.config.update(MS_LOGIN_URL=idp.url, SMTP_ALLOWED_PORTS=[server.port])
        form = oauth_form(server.port, handover="y")
        response = customers.post(f"/c/{edit}/smtp-test", form, htmx=True, token_from=f"/c/{edit}")
        assert response.status_code == 200
        run = wait_for_run(db, customer["id"])
    assert run["outcome"] == "ok", run["result"]
    assert server.auth_commands == 1
    assert customers.item_state(customer["id"], "smtp-test-mail") == "done"
    assert customers.item_state(customer["id"], "smtp-password") == "done"
    settings = store.get_row(db, "smtp_settings", customer["id"])
    assert settings["auth_method"] == "oauth-m365" and settings["oauth_tenant"] == TENANT
    assert settings["provider"] == "microsoft"  # the server's greeting said so
    poll = customers.client.get(f"/c/{edit}/runs/{run['id']}", headers={"HX-Request": "true"})
    # the greeting named Microsoft 365: the notice in the form changes with the answer
    assert 'id="provider-notice" aria-live="polite" hx-swap-oob="true"' in poll.text
    assert poll.text.count("Microsoft 365 mit OAuth 2.0") == 2  # the result and the notice
    page = customers.client.get(f"/c/{edit}").get_data(as_text=True)
    assert "Microsoft 365 mit OAuth 2.0" in page
    assert "Tragen Sie hier den geheimen Clientschlüssel (Client Secret) ein" in page
    shown = [response.get_data(as_text=True), page, customers.client.get(f"/s/{share}").text,
             customers.client.get(f"/c/{edit}/runs/{run['id']}").text, caplog.text]  # fmt: skip
    dump = "\n".join(db.iterdump())
    for text in [*shown, dump]:
        assert SECRET not in text and all(t not in text for t in idp.issued)
    # every text of the hand-over names the client secret, not a password
    assert "Der geheime Clientschlüssel liegt verschlüsselt bei PEIQ" in page
    assert "Die Anmeldung mit diesem geheimen Clientschlüssel hat beim Test geklappt" in page
    assert "Geheimer Clientschlüssel erneut übergeben" in page
    assert "Passwort erneut übergeben" not in page and "Passwort jetzt übergeben" not in page
    assert "Bei OAuth 2.0 wird der geheime Clientschlüssel übergeben" in page  # under the box
    assert "Der geheime Clientschlüssel wurde PEIQ auf einem anderen sicheren Weg" in page
    settings_now = store.get_row(db, "smtp_settings", customer["id"])
    assert handover.handover_words(handover.HANDED, settings_now) in poll.text
    assert "liegt jetzt verschlüsselt bei PEIQ" in poll.text
    assert handover.HANDOVER_WORDS[handover.HANDED] not in poll.text  # the password wording
    # handed over like the password: encrypted at rest, revealed once
    auth.login()
    manager_page = customers.client.get(f"/manage/customers/{customer['id']}").text
    assert "Geheimer Clientschlüssel einmalig anzeigen" in manager_page
    assert "hat den geheimen Clientschlüssel am" in manager_page
    assert "diesem geheimen Clientschlüssel hat beim Live-Test" in manager_page
    assert "Passwort einmalig anzeigen" not in manager_page
    assert "SMTP-Passwort" not in manager_page
    revealed = customers.post(f"/manage/customers/{customer['id']}/reveal-password").text
    assert "Geheimer Clientschlüssel (Client Secret)" in revealed and SECRET in revealed
    assert TENANT in revealed and CLIENT in revealed
    with lab_app.app_context():
        assert handover.reveal(db, customer["id"], "am@peiq.de") is None  # shown once
    history = customers.client.get(f"/manage/customers/{customer['id']}").text
    assert "Geheimer Clientschlüssel einmal angezeigt und gelöscht" in history
    assert "Geheimer Clientschlüssel verschlüsselt übergeben" in history
    assert "Passwort einmal angezeigt" not in history


def test_oauth_token_failure_is_told_at_the_button(lab_app, certs, customers, db):
    customer, edit, _ = customers.create(path="smtp-own")
    with IdentityServer() as idp, exchange_lab(certs.context("127.0.0.1", "mail.kunde.test")) as s:
        lab_app.config.update(MS_LOGIN_URL=idp.url, SMTP_ALLOWED_PORTS=[s.port])
        customers.post(f"/c/{edit}/smtp-test", oauth_form(s.port, client_secret="falsch-123456"),
                       htmx=True, token_from=f"/c/{edit}")  # fmt: skip
        run = wait_for_run(db, customer["id"])
    assert run["outcome"] == "oauth_secret_wrong" and s.auth_commands == 0
    poll = customers.client.get(f"/c/{edit}/runs/{run['id']}", headers={"HX-Request": "true"}).text
    assert "Geheimer Clientschlüssel falsch" in poll and "AADSTS7000215" in poll


@pytest.mark.parametrize(
    "changes, field, words",
    [({"oauth_tenant": ""}, "oauth_tenant", "Bitte ausfüllen"),
     ({"oauth_client": "meine-app"}, "oauth_client", "8-4-4-4-12"),
     ({"client_secret": ""}, "client_secret", "geheimen Clientschlüssel")],
)  # fmt: skip
def test_oauth_fields_are_checked_and_kept(lab_app, customers, changes, field, words):
    _, edit, _ = customers.create(path="smtp-own")
    form = oauth_form(2525, **changes)
    response = customers.post(f"/c/{edit}/smtp-test", form, htmx=True, token_from=f"/c/{edit}")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(rf'id="{field}-error">[^<]*{words}', html), html[:200]
    assert TENANT in html or not form["oauth_tenant"]  # what was typed stays
    assert SECRET not in html  # the secret is never rendered back


def test_notice_route_without_htmx_renders_the_page(lab_app, customers):
    _, edit, _ = customers.create(path="smtp-own")
    data = {"host": "smtp.gmail.com", "sender": ""}
    response = customers.post(f"/c/{edit}/provider-notice", data, token_from=f"/c/{edit}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in html
    assert "Google: nur mit App-Passwort" in html


@pytest.mark.parametrize(
    "typed",
    [{"host": "x" * 5000}, {"sender": "a@" + "ü" * 300}, {"sender": "@@..", "host": "\x00"},
     {"sender": "a@-bad-.test", "auth_method": "unbekannt", "no_login": "y"}],
)  # fmt: skip
def test_notice_route_takes_any_input(lab_app, customers, typed):
    _, edit, _ = customers.create(path="smtp-own")
    assert 'id="provider-notice"' in notice(customers, edit, **typed)


def test_notice_route_behind_a_path_switch_answers_nothing(lab_app, customers):
    _, edit, _ = customers.create(path="mailjet")
    data = {"host": "smtp.office365.com"}
    response = customers.post(
        f"/c/{edit}/provider-notice", data, htmx=True, token_from=f"/c/{edit}"
    )
    assert response.status_code == 204 and not response.data


def test_alternatives_name_peiqs_addresses_and_switch_to_mailjet(lab_app, customers, db):
    lab_app.config["PEIQ_SENDING_ADDRESSES"] = ["192.0.2.10", "2001:db8::10"]
    customer, edit, _ = customers.create(path="smtp-own")
    html = notice(customers, edit, host="smtp.office365.com")
    assert "<code>192.0.2.10, 2001:db8::10</code>" in html
    assert 'name="path" value="mailjet"' in html and "Zum Weg „Mailjet“ wechseln" in html
    data = {"host": "smtp.office365.com", "port": "587", "encryption": "tls", "username": USER,
            "sender": USER, "auth_method": "password"}  # fmt: skip
    customers.post(f"/c/{edit}/smtp-settings", data, token_from=f"/c/{edit}")
    switched = customers.post(f"/c/{edit}/path", {"path": "mailjet"}, htmx=True,
                              token_from=f"/c/{edit}")  # fmt: skip
    assert switched.status_code == 200
    assert store.get_customer(db, customer["id"])["path"] == "mailjet"
    assert store.get_row(db, "smtp_settings", customer["id"])["host"] == "smtp.office365.com"
