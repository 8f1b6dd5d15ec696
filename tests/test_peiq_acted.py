"""When PEIQ acts, the customer hears of it: a mail to the contact (at a real aiosmtpd server)
and, on the open page, the light poll that swaps in what changed."""

import re
import time

import pytest
from dnszones import rsa_b64

from mitwirkung import handover, store

MAILJET = {
    "domain": "mueller-verlag.de",
    "verification_name": "mailjet._a1b2c3d4",
    "verification_value": "a1b2c3d4e5f60718",
    "dkim_selector": "mailjet",
    "dkim_key": "",
}
WATCH = re.compile(r'hx-get="(/c/[^"]+/peiq-watch\?[^"]+)"')


@pytest.fixture
def mailing(mail_app, auth):
    auth.login()
    return mail_app


def make(customers, path):
    customers.post("/manage/customers", {"name": "Müller Verlag", "domain": "mueller-verlag.de",
                                         "contact": "it@mueller-verlag.de"})  # fmt: skip
    customer = next(customers.db.query("SELECT * FROM customers ORDER BY id DESC LIMIT 1"))
    store.set_path(customers.db, customer["id"], path, "customer")
    with customers.app.app_context():
        edit, _ = store.link_tokens(customer)
    return customer, edit


def wait_for_mail(outbox, to, subject, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for m in outbox.handler.messages:
            if to in m.rcpt_tos and subject in m.message["Subject"]:
                return m
        time.sleep(0.05)
    raise AssertionError(f"no mail to {to} about {subject}")


def watch_url(client, edit):
    found = WATCH.search(client.get(f"/c/{edit}").text)
    assert found, "the page waiting on PEIQ polls"
    return found.group(1).replace("&amp;", "&")


def test_portal_confirmed_mails_the_customer_and_the_page_learns_it(mailing, customers, outbox):
    customer, edit = make(customers, "portal")
    page = f"/c/{edit}"
    named = {"portal": "portal.mueller-verlag.de", "confirm": "y"}
    response = customers.post(f"{page}/portal", named, token_from=page)
    assert response.status_code == 303
    url = watch_url(customers.client, edit)
    assert "was=portal-adopt" in url
    assert customers.client.get(url).status_code == 204  # nothing new: no body at all
    manage = f"/manage/customers/{customer['id']}"
    response = customers.post(f"{manage}/portal-confirm", {"portal": "portal.mueller-verlag.de"},
                              token_from=manage)  # fmt: skip
    assert response.status_code == 303
    assert "Die Kund:in bekommt eine E-Mail" in customers.client.get(manage).text
    message = wait_for_mail(outbox, "it@mueller-verlag.de", "Übernahme von PORTAL bestätigt")
    text = message.text()
    assert "PEIQ hat die Übernahme der SMTP-Konfiguration von PORTAL bestätigt." in text
    assert f"/c/{edit}" in text and "Anna Manager" in text and "Prüfadresse" in text
    # the open page: the item, the progress bar and the news swap in, the poll stops
    answer = customers.client.get(url)
    assert answer.status_code == 200
    html = answer.text
    assert re.search(r'<li id="item-portal-adopt" class="item state-done" hx-swap-oob="true"', html)
    assert 'id="progress" hx-swap-oob="true"' in html
    assert 'id="peiq-news"' in html and "PEIQ hat die Übernahme" in html
    watcher = re.search(r'<div id="peiq-watch"[^>]*>', html).group(0)
    assert "hx-get" not in watcher and 'hx-swap-oob="true"' in watcher
    # the history names who acted and that the customer was told
    history = customers.client.get(manage).text
    assert "Kund:in per E-Mail Bescheid gegeben" in history


def test_mailjet_values_swap_in_the_records(mailing, customers, outbox):
    customer, edit = make(customers, "mailjet")
    url = watch_url(customers.client, edit)
    assert "was=mailjet-setup" in url
    manage = f"/manage/customers/{customer['id']}"
    assert customers.post(f"{manage}/mailjet", MAILJET, token_from=manage).status_code == 303
    html = customers.client.get(url).text
    assert '<div id="workspace" hx-swap-oob="true"' in html
    assert "mailjet._a1b2c3d4" in html and 'id="dns-waiting"' not in html
    assert "PEIQ hat Mailjet eingerichtet" in html


def test_password_picked_up_mails_the_customer(mailing, customers, outbox, app):
    customer, edit = make(customers, "smtp-own")
    with app.app_context():
        handover.hand_over(customers.db, customer["id"], "geheim-123", "customer", 14)
    url = watch_url(customers.client, edit)
    assert "was=password" in url
    manage = f"/manage/customers/{customer['id']}"
    response = customers.post(f"{manage}/reveal-password", token_from=manage)
    assert "geheim-123" in response.text
    message = wait_for_mail(outbox, "it@mueller-verlag.de", "Passwort abgeholt")
    assert "geheim-123" not in message.text()  # never the secret itself
    html = customers.client.get(url).text
    assert 'id="item-smtp-password"' in html and "PEIQ hat Ihr Passwort abgeholt" in html


def test_acknowledging_red_records_mails_nobody(mailing, customers, outbox, db):
    customer, edit = make(customers, "mailjet")
    detail = {"waiting_for": "manager", "red": ["dns-dkim"], "dns": {}}
    store.set_item(db, customer["id"], "peiq-informed", "open", "customer", detail)
    manage = f"/manage/customers/{customer['id']}"
    customers.post(f"{manage}/acknowledge", token_from=manage)
    time.sleep(0.3)
    assert not [m for m in outbox.handler.messages if "Meldung" in m.message["Subject"]]


def test_the_customers_own_change_swaps_nothing_but_the_watcher(mailing, customers, outbox, db):
    customer, edit = make(customers, "mailjet")
    url = watch_url(customers.client, edit)
    store.add_event(db, customer["id"], "customer", "records-forwarded", data={"to": "x@y.de"})
    html = customers.client.get(url).text  # a newer revision, but PEIQ did nothing
    assert html.count("hx-swap-oob") == 1 and 'id="peiq-watch"' in html
    assert "was=mailjet-setup" in html  # still waiting, polling on with the new revision


def test_values_without_the_dkim_key_then_the_key_each_reach_the_open_page(
    mailing, customers, outbox
):
    """The wait for the DKIM key is the same one poll: records first, then the key."""
    customer, edit = make(customers, "mailjet")
    url = watch_url(customers.client, edit)
    manage = f"/manage/customers/{customer['id']}"
    assert customers.post(f"{manage}/mailjet", MAILJET, token_from=manage).status_code == 303
    html = customers.client.get(url).text
    assert '<div id="workspace" hx-swap-oob="true"' in html and "mailjet._a1b2c3d4" in html
    assert 'id="forward-waiting"' in html  # nothing incomplete goes to IT
    dkim = re.search(r'<li id="item-dns-dkim".*?</li>', html, re.S).group(0)
    assert "Wartet auf PEIQ" in dkim
    url = WATCH.search(html).group(1).replace("&amp;", "&")
    assert "was=mailjet-dkim" in url
    assert customers.client.get(url).status_code == 204
    assert "DKIM-Schlüssel von Mailjet nachtragen" in customers.client.get("/manage/").text
    key = {**MAILJET, "dkim_key": rsa_b64(2048)}
    assert customers.post(f"{manage}/mailjet", key, token_from=manage).status_code == 303
    wait_for_mail(outbox, "it@mueller-verlag.de", "DNS-Einträge für Mailjet stehen bereit")
    html = customers.client.get(url).text
    assert '<div id="workspace" hx-swap-oob="true"' in html and 'id="value-dns-dkim"' in html
    assert 'id="forward-waiting"' not in html
    assert "PEIQ hat den DKIM-Schlüssel von Mailjet eingetragen" in html
    watcher = re.search(r'<div id="peiq-watch"[^>]*>', html).group(0)
    assert "hx-get" not in watcher  # nothing left to wait for: the poll stops


def test_a_bad_stored_contact_and_a_second_confirm_mail_nobody(mailing, customers, outbox, db):
    customer, edit = make(customers, "portal")
    page = f"/c/{edit}"
    named = {"portal": "portal.mueller-verlag.de", "confirm": "y"}
    assert customers.post(f"{page}/portal", named, token_from=page).status_code == 303
    db.execute("UPDATE customers SET contact_email = ? WHERE id = ?",
               ["undisclosed-recipients:;x@irgendwo.test", customer["id"]])  # fmt: skip
    manage = f"/manage/customers/{customer['id']}"
    confirm = {"portal": "portal.mueller-verlag.de"}
    assert customers.post(f"{manage}/portal-confirm", confirm, token_from=manage).status_code == 303
    text = customers.client.get(manage).text
    assert "Übernahme der SMTP-Konfiguration von portal.mueller-verlag.de bestätigt" in text
    assert "keine gültige Adresse, deshalb ging keine E-Mail hinaus" in text
    db.execute("UPDATE customers SET contact_email = ? WHERE id = ?",
               ["it@mueller-verlag.de", customer["id"]])  # fmt: skip
    events = db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    assert customers.post(f"{manage}/portal-confirm", confirm, token_from=manage).status_code == 303
    assert "Das war schon erledigt" in customers.client.get(manage).text
    assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == events
    customers.app.extensions["runner"].shutdown()
    assert outbox.handler.messages == []
