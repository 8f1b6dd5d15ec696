"""A new user's walk through the three paths: every text tells one story, in German form."""

import re

import pytest
from helpers.inbound import address_on, deliver
from helpers.web import form, wait_for_run
from mailsigning import message

from mitwirkung import store
from mitwirkung.mailjet_followup import REQUIRED

UNPROVEN = ("noch nicht bewiesen", "Erst das beweist", "Erst mit diesem Klick",
            "Dass sie ankommt, zeigt sich", "Sobald Sie den Bestätigungslink")  # fmt: skip


@pytest.mark.usefixtures("smtp_app")
def test_smtp_own_page_after_a_receipt_never_says_arrival_is_unproven(
    client,
    customers,
    db,
    kunde_mail,
):
    customer, edit, _ = customers.create(path="smtp-own")
    customers.post(
        f"/c/{edit}/smtp-test", form(kunde_mail.port), htmx=True, token_from=f"/c/{edit}"
    )
    wait_for_run(db, customer["id"])
    before = client.get(f"/c/{edit}").text
    assert "Prüfadresse" in before and "Bestätigungslink" in before
    # the receiver proved the receipt (its row as inbound.py writes it)
    store.set_item(db, customer["id"], "mail-received", "done", "receiver",
                   {"evidence": "received"}, path="smtp-own")  # fmt: skip
    for url in (f"/c/{edit}", f"/c/{edit}/items/mail-received"):
        text = client.get(url, headers={"HX-Request": "true"} if "items" in url else {}).text
        assert 'id="smtp-arrived"' in text, url
        assert not [w for w in UNPROVEN if w in text], url
    # the confirmation mail itself does not say only the click proves it
    mail = kunde_mail.handler.messages[-1].text()
    assert "Mit diesem Klick ist nachgewiesen" in mail and "Erst mit" not in mail
    assert not re.search(r"Erst (das|mit)", client.get(f"/c/{edit}").text)


@pytest.mark.parametrize("htmx", [True, False])
def test_a_tick_by_hand_asks_first_and_geschafft_says_by_hand(customers, htmx):
    customer, edit, share = customers.create(path="portal")
    customers.complete_portal(customer["id"])
    url = f"/c/{edit}/items/mail-received"
    asked = customers.post(url, {"done": "1"}, htmx=htmx, token_from=f"/c/{edit}")
    assert asked.status_code == 200 and 'id="manual-confirm"' in asked.text
    assert "wirklich in Ihrem Postfach gesehen" in asked.text
    assert 'name="sure" value="1"' in asked.text  # a plain form: no JavaScript needed
    assert customers.item_state(customer["id"], "mail-received") == "open"
    customers.post(url, {"done": "1", "sure": "1"}, htmx=htmx, token_from=f"/c/{edit}")
    assert customers.item_state(customer["id"], "mail-received") == "done"
    for page in (f"/c/{edit}", f"/s/{share}"):
        banner = customers.client.get(page).text.split('id="done-banner"', 1)[1][:900]
        assert "Geschafft!" in banner and "von Hand bestätigt" in banner, page


def test_a_proven_receipt_says_an_unqualified_geschafft(customers, db):
    customer, edit, _ = customers.create(path="portal")
    customers.complete_portal(customer["id"])
    store.set_item(db, customer["id"], "mail-received", "done", "receiver",
                   {"evidence": "received"}, path="portal")  # fmt: skip
    banner = customers.client.get(f"/c/{edit}").text.split('id="done-banner"', 1)[1][:900]
    assert "Geschafft!" in banner and "von Hand" not in banner


def mailjet_green(customers, db):
    """A Mailjet customer whose required records passed (no Mailjet account unless set)."""
    customer, edit, share = customers.create(path="mailjet", domain="kunde.test")
    db.table("mailjet_expectations").insert(
        {"customer_id": customer["id"], "domain": "kunde.test", "verification_name": "x",
         "verification_value": "y", "dkim_selector": "mailjet"}
    )  # fmt: skip
    for item in REQUIRED:
        store.set_item(db, customer["id"], item, "done", "test", {}, path="mailjet")
    return customer, edit


def test_mailjet_test_mail_words_say_only_what_is_true(app, customers, db, client, auth):
    customer, edit = mailjet_green(customers, db)
    page = client.get(f"/c/{edit}").text
    assert "lässt sich hier nicht senden" in page and "Sie müssen dafür nichts tun" in page
    assert "Die Testmail, die Sie über Mailjet senden" not in page
    auth.login()
    manager = client.get(f"/manage/customers/{customer['id']}").text
    assert "lässt sich hier nicht senden" in manager and "MAILJET_API_KEY" in manager
    assert "Sie müssen dafür nichts tun" not in manager  # the manager is the one to act
    app.config.update(MAILJET_API_KEY="key", MAILJET_API_SECRET="secret")
    _, edit = mailjet_green(customers, db)  # a fresh page (pages are cached per revision)
    page = client.get(f"/c/{edit}").text
    assert "Die Testmail, die Sie über Mailjet senden, geht auch an diese Adresse" in page
    assert "lässt sich hier nicht senden" not in page


def test_verdict_links_lead_to_anchors_that_exist_on_each_page(
    inbound_app,  # noqa: F811
    customers,
    db,
    receiver,  # noqa: F811
    auth,
):
    customer, edit = mailjet_green(customers, db)
    to = address_on(customers.client, edit)
    deliver(receiver.port, message(from_="pps@kunde.test", to=to), to)  # unsigned, SPF fails
    customer_page = customers.client.get(f"/c/{edit}").text
    auth.login()
    manager_page = customers.client.get(f"/manage/customers/{customer['id']}").text
    for page in (customer_page, manager_page):
        links = re.findall(r'href="#([\w-]+)">Zum Eintrag', page)
        assert links, page[-3000:]
        for anchor in links:
            assert f'id="{anchor}"' in page, anchor
        # German decimal comma in the connection line: "0,4 KB", never "0.4 KB"
        assert re.search(r"\d+,\d KB", page) and not re.search(r"\d\.\d KB", page)
    assert "#manage-item-dns-spf" in manager_page


@pytest.mark.parametrize("htmx", [True, False])
def test_a_new_pruefadresse_asks_first_and_says_the_old_one_dies(customers, db, htmx):
    customer, edit, _ = customers.create(path="portal")
    old = address_on(customers.client, edit)
    url = f"/c/{edit}/inbound-address"
    asked = customers.post(url, {"path": "portal"}, htmx=htmx, token_from=f"/c/{edit}")
    assert asked.status_code == 200 and 'id="rotate-confirm"' in asked.text
    assert "nimmt danach keine Mails mehr an" in asked.text and 'name="sure"' in asked.text
    assert address_on(customers.client, edit) == old
    customers.post(url, {"path": "portal", "sure": "1"}, htmx=htmx, token_from=f"/c/{edit}")
    assert address_on(customers.client, edit) != old


@pytest.mark.usefixtures("smtp_app")
def test_a_checkbox_in_the_list_to_check_is_named_as_a_checkbox(customers, kunde_mail):
    _, edit, _ = customers.create(path="smtp-own")
    answer = customers.post(
        f"/c/{edit}/smtp-test", form(kunde_mail.port, encryption="none"), htmx=True,
        token_from=f"/c/{edit}",
    ).text  # fmt: skip
    assert "bitte prüfen Sie: das Häkchen „Ja, das Passwort darf ohne Verschlüsselung" in answer
    assert "anbietet)“." in answer and ")." + "." not in answer


def test_no_placeholder_reaches_the_customer_and_no_capital_mid_sentence(
    inbound_app,  # noqa: F811
    customers,
    receiver,  # noqa: F811
):
    customer, edit, _ = customers.create(path="portal", domain="kunde.test")
    to = address_on(customers.client, edit)
    deliver(receiver.port, message(from_="pps@kunde.test", to=to), to)  # unsigned
    page = customers.client.get(f"/c/{edit}").text
    assert "keine DKIM-Signatur" in page and "den Teil davor (den Selektor)" in page
    assert "Selektor&gt;" not in page and "<Selektor>" not in page
    assert not re.search(r"(SPF|DKIM|DMARC) Nicht", page)


def test_sessions_and_decimal_words(auth, client):
    auth.login()
    page = client.get("/manage/konto").text
    assert "Browsern" not in page and "(1 Sitzung)" in page
