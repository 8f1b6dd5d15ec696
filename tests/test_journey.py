"""The customer journey through the web layer: mails on the customer's behalf, fields the server
refuses named at the field, names in Unicode, unique ids, PEIQ's contact person on the page."""

import re
import time
from collections import Counter

import pytest
from dnszones import rsa_b64

from mitwirkung import store

MAILJET = {
    "domain": "müller-verlag.de",
    "verification_name": "mailjet._a1b2c3d4",
    "verification_value": "a1b2c3d4e5f60718",
    "dkim_selector": "mailjet",
    "dkim_key": rsa_b64(1024),
}
SETTINGS = {"host": "mail.kunde.test", "port": "587", "encryption": "tls",
            "username": "versand@kunde.test", "sender": "versand@kunde.test"}  # fmt: skip


@pytest.fixture
def dns_app(app, kunde_dns):
    app.config.update(DNS_NAMESERVERS=[kunde_dns.nameserver], SMTP_ALLOWED_NETWORKS=["127.0.0.0/8"])
    return app


def with_contact(customers, contact="it@müller-verlag.de", path="mailjet"):
    """A customer created by the logged-in manager, with a contact e-mail."""
    customers.post("/manage/customers", {"name": "Müller Verlag", "domain": "müller-verlag.de",
                                         "contact": contact})  # fmt: skip
    customer = next(customers.db.query("SELECT * FROM customers ORDER BY id DESC LIMIT 1"))
    store.set_path(customers.db, customer["id"], path, "test")
    with customers.app.app_context():
        edit, share = store.link_tokens(customer)
    return store.get_customer(customers.db, customer["id"]), edit, share


def wait_for_mail(server, to, since=0, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in server.handler.messages[since:] if to in m.rcpt_tos]
        if found:
            return found[-1]
        time.sleep(0.05)
    raise AssertionError(f"no mail to {to}")


def test_contact_is_mailed_when_the_mailjet_values_are_ready(mail_app, auth, customers, outbox):
    auth.login()
    customer, edit, _ = with_contact(customers)
    waiting = customers.client.get(f"/c/{edit}").text
    assert "Wir schicken Ihnen dann eine E-Mail an it@müller-verlag.de" in waiting
    before = len(outbox.handler.messages)
    response = customers.post(f"/manage/customers/{customer['id']}/mailjet", MAILJET)
    page = customers.client.get(response.headers["Location"]).text
    assert "Die Kund:in bekommt eine E-Mail an" in page
    message = wait_for_mail(outbox, "it@xn--mller-verlag-dlb.de", before)
    assert message.message["Subject"] == "Ihre DNS-Einträge für Mailjet stehen bereit"
    assert f"/c/{edit}" in message.text() and "Anna Manager (am@peiq.de)" in message.text()
    assert "Kund:in per E-Mail Bescheid gegeben" in page
    # saving corrected values later does not mail again
    customers.post(f"/manage/customers/{customer['id']}/mailjet", MAILJET)
    time.sleep(0.3)
    assert len([m for m in outbox.handler.messages[before:]]) == 1


def test_values_without_dkim_key_are_not_ready(mail_app, auth, customers, outbox):
    """Without Mailjet's DKIM key nothing says "ready": no mail, no forward, one waiting state;
    the manager is told what is missing, and the mail goes out once the key is there."""
    auth.login()
    customer, edit, _ = with_contact(customers)
    form = customers.client.get(f"/manage/customers/{customer['id']}").text
    assert "DKIM-Schlüssel (optional)" not in form and "Nötig: Fehlt er" in form  # before saving
    before = len(outbox.handler.messages)
    response = customers.post(
        f"/manage/customers/{customer['id']}/mailjet", {**MAILJET, "dkim_key": ""}
    )
    page = customers.client.get(response.headers["Location"]).text
    assert "Noch nicht vollständig – es fehlt der öffentliche DKIM-Schlüssel" in page
    assert "Die Kund:in bekommt eine E-Mail an" not in page and 'id="mailjet-dkim-missing"' in page
    mine = customers.client.get(f"/c/{edit}").text
    dkim = mine[mine.index('id="item-dns-dkim"') :]
    dkim = dkim[: dkim.index("</li>")]
    assert "Wartet auf PEIQ" in dkim and "Mailjet-Konto" not in mine
    assert "Noch nicht angelegt" not in dkim and "Was tun?" not in dkim
    assert 'id="forward-waiting"' in mine and 'id="forward-email"' not in mine
    refused = customers.post(f"/c/{edit}/forward", {"email": "it@kunde.test"}, htmx=True,
                             token_from=f"/c/{edit}")  # fmt: skip
    assert refused.status_code == 409
    time.sleep(0.3)
    assert outbox.handler.messages[before:] == []
    # the key arrives: now the values are ready, and the customer is told once
    customers.post(f"/manage/customers/{customer['id']}/mailjet", MAILJET)
    message = wait_for_mail(outbox, "it@xn--mller-verlag-dlb.de", before)
    assert message.message["Subject"] == "Ihre DNS-Einträge für Mailjet stehen bereit"
    mine = customers.client.get(f"/c/{edit}").text
    assert 'id="forward-email"' in mine and "Wartet auf PEIQ" not in mine


def test_without_mail_settings_the_manager_is_told_to_tell_the_customer(app, auth, customers):
    auth.login()
    customer, edit, _ = with_contact(customers)
    assert "Anna Manager sagt Ihnen Bescheid" in customers.client.get(f"/c/{edit}").text
    response = customers.post(f"/manage/customers/{customer['id']}/mailjet", MAILJET)
    page = customers.client.get(response.headers["Location"]).text
    assert "E-Mail-Versand ist nicht eingerichtet" in page


def test_records_are_forwarded_to_an_it_colleague(mail_app, auth, customers, outbox):
    auth.login()
    customer, edit, share = with_contact(customers)
    customers.post(f"/manage/customers/{customer['id']}/mailjet", MAILJET)
    page = customers.client.get(f"/c/{edit}").text
    assert "An IT-Kolleg:in weiterleiten" in page and 'id="forward-email"' in page
    url = f"/c/{edit}/forward"
    bad = customers.post(url, {"email": "kollege"}, htmx=True, token_from=f"/c/{edit}")
    assert bad.status_code == 422 and 'id="forward-email-error"' in bad.text
    assert 'value="kollege"' in bad.text  # what was typed stays
    before = len(outbox.handler.messages)
    sent = customers.post(url, {"email": "admin@müller-verlag.de"}, htmx=True,
                          token_from=f"/c/{edit}")  # fmt: skip
    assert sent.status_code == 200 and "Gesendet an admin@müller-verlag.de" in sent.text
    message = wait_for_mail(outbox, "admin@xn--mller-verlag-dlb.de", before)
    text = message.text()
    assert "a1b2c3d4e5f60718" in text and "include:spf.mailjet.com" in text
    assert "mailjet._a1b2c3d4" in text and "müller-verlag.de" in text and f"/s/{share}" in text
    assert f"/c/{edit}" not in text  # the colleague gets the read-only link only
    history = customers.client.get(f"/manage/customers/{customer['id']}").text
    assert "an eine IT-Kolleg:in weitergeleitet (an admin@müller-verlag.de)" in history
    for _ in range(4):
        customers.post(url, {"email": "admin@müller-verlag.de"}, token_from=f"/c/{edit}")
    refused = customers.post(url, {"email": "x@müller-verlag.de"}, htmx=True,
                             token_from=f"/c/{edit}")  # fmt: skip
    assert refused.status_code == 422 and "schon 5-mal weitergeleitet" in refused.text


def test_without_mail_settings_forwarding_opens_the_mail_program(app, auth, customers):
    auth.login()
    customer, edit, _ = with_contact(customers)
    customers.post(f"/manage/customers/{customer['id']}/mailjet", MAILJET)
    page = customers.client.get(f"/c/{edit}").text
    mailto = re.search(r'href="(mailto:\?[^"]+)"', page).group(1)
    assert "a1b2c3d4e5f60718" in mailto and "include%3Aspf.mailjet.com" in mailto
    response = customers.post(f"/c/{edit}/forward", {"email": "a@b.de"}, token_from=f"/c/{edit}")
    assert response.status_code == 409


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"port": "2526"}, "port", "Port 2526 wird für den Test nicht verwendet"),
        ({"host": "private.kunde.test"}, "host", "keine öffentliche Internetadresse"),
        ({"host": "10.1.2.3"}, "host", "keine öffentliche Internetadresse"),
        ({"host": "gibtsnicht.kunde.test"}, "host", "gibt es im DNS nicht"),
    ],
)
def test_settings_the_test_would_refuse_are_named_at_the_field_on_save(
    dns_app, customers, change, field, message
):
    dns_app.config["SMTP_ALLOWED_NETWORKS"] = []  # loopback stays allowed below via mail.kunde
    dns_app.config["SMTP_ALLOWED_PORTS"] = [25, 465, 587]
    customer, edit, _ = customers.create(path="smtp-own")
    data = {**SETTINGS, **change, "recipient": "it@kunde.test", "handover": "y",
            "allow_plain": "y"}  # fmt: skip
    response = customers.post(f"/c/{edit}/smtp-settings", data, htmx=True, token_from=f"/c/{edit}")
    assert response.status_code == 422
    error = re.search(rf'<small class="error" id="{field}-error">([^<]+)', response.text)
    assert error and message in error.group(1)
    assert f'aria-describedby="{field}-error"' in response.text
    assert (
        f"Nicht gespeichert – bitte prüfen Sie: {'Port' if field == 'port' else 'Server/Host'}"
        in (response.text)
    )
    # every field stays as typed, test fields and checkboxes included
    assert 'value="it@kunde.test"' in response.text
    assert re.search(r'id="handover"[^>]*checked|checked[^>]*id="handover"', response.text)
    assert re.search(r'id="allow_plain"[^>]*checked|checked[^>]*id="allow_plain"', response.text)
    assert 'id="smtp-password-input"' in response.text
    assert customers.item_state(customer["id"], "smtp-settings") == "open"


def test_names_are_shown_in_unicode(dns_app, auth, customers, kunde_dns):
    auth.login()
    customer, edit, _ = with_contact(customers, path="smtp-own")
    page = customers.client.get(f"/c/{edit}").text
    assert 'value="it@müller-verlag.de"' in page  # the prefilled recipient
    data = {**SETTINGS, "sender": "versand@müller-verlag.de", "recipient": "it@müller-verlag.de"}
    response = customers.post(f"/c/{edit}/smtp-settings", data, htmx=True, token_from=f"/c/{edit}")
    assert response.status_code == 200
    assert 'value="versand@müller-verlag.de"' in response.text and "xn--" not in response.text
    row = customers.db.table("smtp_settings").get(customer["id"])
    assert row["sender"] == "versand@xn--mller-verlag-dlb.de"  # the A-label only on the wire
    assert "xn--" not in customers.client.get(f"/c/{edit}").text
    dashboard = customers.client.get("/manage/").text
    assert 'Absender-Domain">müller-verlag.de</td>' in dashboard and "xn--" not in dashboard


@pytest.mark.parametrize("path", ["smtp-own", "mailjet", "portal"])
def test_element_ids_are_unique(auth, customers, path):
    auth.login()
    customer, edit, _ = with_contact(customers, path=path)
    if path == "mailjet":
        customers.post(f"/manage/customers/{customer['id']}/mailjet", MAILJET)
    page = customers.client.get(f"/c/{edit}").text
    ids = Counter(re.findall(r'\sid="([^"]+)"', page))
    assert [i for i, n in ids.items() if n > 1] == []
    for target in re.findall(r'<label for="([^"]+)"', page):
        assert ids[target] == 1, target


def test_peiq_contact_person_is_on_the_page(auth, customers):
    auth.login()
    _, edit, _ = with_contact(customers, path="portal")
    page = customers.client.get(f"/c/{edit}").text
    assert "Ihre Ansprechperson bei PEIQ: <strong>Anna Manager</strong>" in page
    assert 'href="mailto:am@peiq.de"' in page
    # a dead link names whom to ask
    assert "Bitte fragen Sie Anna Manager (am@peiq.de) nach dem aktuellen Link." in page


@pytest.mark.parametrize("path, words", [
    ("smtp-own", "Tragen Sie die Zugangsdaten Ihres Postfachs ein"),
    ("mailjet", "PEIQ richtet Mailjet ein und nennt Ihnen hier die DNS-Einträge"),
    ("portal", "Nennen Sie uns Ihr PORTAL"),
])  # fmt: skip
def test_intro_follows_the_chosen_path(customers, path, words):
    _, edit, _ = customers.create()
    assert "Wählen Sie unten einen der drei Wege" in customers.client.get(f"/c/{edit}").text
    response = customers.post(f"/c/{edit}/path", {"path": path}, htmx=True,
                              token_from=f"/c/{edit}")  # fmt: skip
    assert words in response.text and "Wählen Sie unten einen der drei Wege" not in response.text
