"""What a new account manager found on the manager pages: who waits for PEIQ, Mailjet values
the customer could never publish, A-labels shown to people, German name order, answers that
say where they belong."""

import csv
import io
import re

import pytest
from dnszones import make_keys, rsa_b64
from helpers.web import names

from mitwirkung import handover, overview, store
from mitwirkung.web import obligation

VALUES = {
    "domain": "mueller-verlag.de",
    "verification_name": "mailjet._a1b2c3d4",
    "verification_value": "a1b2c3d4e5f60718",
    "dkim_selector": "mailjet",
    "dkim_key": "",
    "api_key": "",
    "api_secret": "",
}


@pytest.fixture
def make(app, db):
    def make(name, domain=None, contact=None, path=None):
        with app.test_request_context():
            customer, _, _ = store.create_customer(db, name, domain, contact, "test")
        if path:
            store.set_path(db, customer["id"], path, "customer")
        return customer

    return make


def waiting(client) -> list[str]:
    return names(client.get("/manage/?status=peiq").text)


def attention(client) -> list[str]:
    return names(client.get("/manage/?status=aufmerksamkeit").text)


def csv_rows(client, query="") -> dict[str, dict]:
    body = client.get(f"/manage/export.csv{query}").get_data(as_text=True).lstrip("\ufeff")
    return {r["Name"]: r for r in csv.DictReader(io.StringIO(body), delimiter=";")}


def save_values(customers, customer_id, **changes):
    url = f"/manage/customers/{customer_id}"
    return customers.post(f"{url}/mailjet", {**VALUES, **changes}, token_from=url)


def test_every_state_where_the_customer_waits_for_peiq_is_listed_so(auth, make, client, db,
                                                                    customers, app):  # fmt: skip
    auth.login()
    mailjet = make("Mailjet ohne Werte", "mueller-verlag.de", path="mailjet")
    portal = make("Portal genannt", "portal.de", path="portal")
    store.set_item(db, portal["id"], "portal-adopt", "open", "customer",
                   {"portal": "portal.portal.de", "waiting_for": "manager"})  # fmt: skip
    password = make("Passwort liegt bereit", "pw.de", path="smtp-own")
    with app.app_context():
        handover.hand_over(db, password["id"], "geheim", "customer", 7)
    make("Läuft ohne PEIQ", "laeuft.de", path="smtp-own")
    expected = {"Mailjet ohne Werte", "Portal genannt", "Passwort liegt bereit"}
    assert set(waiting(client)) == expected
    assert set(attention(client)) == expected
    rows = csv_rows(client, "?status=peiq")
    assert set(rows) == expected
    assert rows["Mailjet ohne Werte"]["Braucht Aufmerksamkeit"] == overview.MAILJET_VALUES_MISSING
    row = client.get("/manage/?q=mailjet+ohne").text
    assert overview.MAILJET_VALUES_MISSING in row
    page = client.get(f"/manage/customers/{mailjet['id']}").text
    assert 'id="mailjet-missing"' in page and "wartet auf PEIQ" in page
    # values without the DKIM key are not complete: the customer still waits on PEIQ
    assert save_values(customers, mailjet["id"], dkim_key="").status_code == 303
    assert "Mailjet ohne Werte" in waiting(client)
    # once PEIQ entered the values, the customer has something to do and no longer waits
    assert save_values(customers, mailjet["id"], dkim_key=rsa_b64(1024)).status_code == 303
    assert "Mailjet ohne Werte" not in waiting(client)
    assert "Mailjet ohne Werte" not in attention(client)
    assert 'id="mailjet-missing"' not in client.get(f"/manage/customers/{mailjet['id']}").text


def test_a_digest_counts_a_mailjet_customer_without_values_as_waiting(app, db, make):
    customer = make("Mailjet ohne Werte", "mueller-verlag.de", path="mailjet")
    with app.app_context():
        overview.refresh(db, obligation())
    row = store.get_customer(db, customer["id"])
    # the digest and the reminders read these columns: waiting, so no reminder nags the customer
    assert row["waiting_for_peiq"] == 1 and row["needs_attention"] == 1


@pytest.mark.parametrize(
    "key",
    [
        "v=DKIM1; k=rsa; p=NICHT_BASE64!!",  # the example: not base64
        "p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC",  # cut off in the middle
        "v=DKIM1; k=rsa; p=",  # no key at all (a revoked key)
    ],
)
def test_a_dkim_key_that_does_not_parse_is_refused_at_the_field(auth, make, customers, db,
                                                                key):  # fmt: skip
    auth.login()
    customer = make("Mailjet Kund:in", "mueller-verlag.de", path="mailjet")
    response = save_values(customers, customer["id"], dkim_key=key)
    assert response.status_code == 422
    assert "kein gültiger öffentlicher DKIM-Schlüssel" in response.text
    assert 'id="dkim_key-error"' in response.text
    assert store.get_row(db, "mailjet_expectations", customer["id"]) is None
    # said at the top of the page too, with a link to the field; what was typed stays
    top = response.text.split('id="problems"', 1)[1].split("</div>", 1)[0]
    assert 'href="#dkim_key"' in top and "DKIM" in top
    assert 'value="a1b2c3d4e5f60718"' in response.text


@pytest.mark.parametrize("form", ["bare", "record", "ed25519"])
def test_a_valid_dkim_key_is_saved(auth, make, customers, db, form):
    auth.login()
    customer = make("Mailjet Kund:in", "mueller-verlag.de", path="mailjet")
    keys = make_keys()
    key = {
        "bare": keys.rsa2048,
        "record": f"v=DKIM1; k=rsa; p={keys.rsa2048}",
        "ed25519": keys.ed25519,
    }[form]
    response = save_values(customers, customer["id"], dkim_key=key)
    assert response.status_code == 303, response.text
    assert response.headers["Location"].endswith("#mailjet")
    assert store.get_row(db, "mailjet_expectations", customer["id"])["dkim_key"]


def test_people_read_and_type_unicode_domains_and_addresses(auth, customers, client, db):
    auth.login()
    created = customers.post(
        "/manage/customers",
        {"name": "Grüße Test", "domain": "grüße-test.de", "contact": "it@grüße-test.de"},
    )
    assert created.status_code == 303
    cid = int(created.headers["Location"].rsplit("/", 1)[1])
    row = store.get_customer(db, cid)
    wire = row["domain"]
    assert wire.startswith("xn--") and row["contact_email"] == f"it@{wire}"  # stored for the wire
    page = client.get(f"/manage/customers/{cid}").text
    dashboard = client.get("/manage/").text
    exported = csv_rows(client)["Grüße Test"]
    for html in (page, dashboard):
        assert "it@grüße-test.de" in html
        assert "xn--" not in html
    assert exported["E-Mail der Ansprechperson"] == "it@grüße-test.de"
    assert exported["Absender-Domain"] == "grüße-test.de"
    # the Mailjet form is prefilled with the domain as people write it
    assert re.search(r'id="domain"[^>]*value="grüße-test.de"', page)
    # the duplicate-domain warning gives back what was typed, not the A-label
    again = customers.post(
        "/manage/customers", {"name": "Zweite", "domain": "GRÜSSE-TEST.DE", "contact": ""}
    )
    dup = customers.post(
        "/manage/customers", {"name": "Zweite", "domain": "grüße-test.de", "contact": ""}
    )
    assert again.status_code in (303, 409) and dup.status_code == 409
    assert 'value="grüße-test.de"' in dup.text and "xn--" not in dup.text.split("<main")[1]
    # search finds both spellings of the domain and of the address
    for query in ("grüße-test", wire, f"it@{wire}", "it@grüße"):
        assert "Grüße Test" in names(client.get("/manage/", query_string={"q": query}).text), query


def test_names_sort_in_german_dictionary_order(auth, make, client):
    auth.login()
    for name in ("Weser-Kurier", "Österreicher Zeitung", "Oldenburger Volkszeitung",
                 "Ärzte Zeitung", "Abendblatt", "Straßburger Bote", "Strasse und Verkehr",
                 "zeitung am Ort"):  # fmt: skip
        make(name)
    assert names(client.get("/manage/?sort=name").text) == [
        "Abendblatt",
        "Ärzte Zeitung",
        "Oldenburger Volkszeitung",
        "Österreicher Zeitung",
        "Straßburger Bote",
        "Strasse und Verkehr",
        "Weser-Kurier",
        "zeitung am Ort",
    ]


def test_failed_mailjet_fetch_and_conflicts_answer_at_the_top(auth, make, customers, client, app):
    auth.login()
    app.config.update(MAILJET_API_KEY=None, MAILJET_API_SECRET=None)
    customer = make("Ohne Schlüssel", "mueller-verlag.de", path="mailjet")
    url = f"/manage/customers/{customer['id']}"
    page = client.get(url).text
    # no key: the button is greyed out and says why, in words a manager can act on
    assert re.search(r"<button[^>]*disabled[^>]*>Werte von Mailjet holen</button>", page)
    assert "Administration von Mitwirkung" in page
    fetched = customers.post(f"{url}/mailjet/fetch", VALUES, token_from=url)
    assert fetched.status_code == 422
    top = fetched.text.split('id="problems"', 1)[1].split("</div>", 1)[0]
    assert "kein API-Schlüssel" in top and "Administration von Mitwirkung" in top
    # a second "Gesehen" (another tab) says what happened instead of a bare 409 page
    twice = customers.post(f"{url}/acknowledge", token_from=url)
    assert twice.status_code == 409 and 'id="problems"' in twice.text
    assert "schon erledigt" in twice.text
    portal = customers.post(f"{url}/portal-confirm", token_from=url)
    assert portal.status_code == 409 and "kein PORTAL genannt" in portal.text


def test_an_unknown_customer_is_a_managers_404(auth, client):
    auth.login()
    for url in ("/manage/customers/999999", "/manage/customers/999999/edit"):
        response = client.get(url) if not url.endswith("edit") else client.post(url)
        assert response.status_code in (404, 400)
    response = client.get("/manage/customers/999999")
    assert response.status_code == 404
    assert "Ansprechpartner:in bei PEIQ" not in response.text
    assert "Zur Übersicht der Kund:innen" in response.text


def test_mail_not_set_up_names_who_can_help(auth, make, client, app):
    auth.login()
    app.config.update(MAIL_SERVER=None)
    customer = make("Ohne Versand", "mueller-verlag.de", contact="it@mueller-verlag.de")
    page = client.get(f"/manage/customers/{customer['id']}").text
    assert "Administration von Mitwirkung" in page
    assert re.search(r'<span class="setting">\(Einstellung MITWIRKUNG_MAIL_SERVER\)</span>', page)


def test_manager_forms_leave_checking_to_the_server(auth, make, client, app):
    # the browser's own hints ("Please fill out this field.") are English and vague
    auth.login()
    app.config.update(MAILJET_API_KEY="k", MAILJET_API_SECRET="s")
    customer = make("Formular AG", "formular.de", path="mailjet")
    checked = 0
    for url in ("/manage/", "/manage/?tage=0", f"/manage/customers/{customer['id']}"):
        for form in re.findall(r"<form\b.*?</form>", client.get(url).text, re.S):
            if re.search(r"\brequired\b|type=\"(number|email)\"|maxlength", form):
                checked += 1
                assert "novalidate" in form.split(">", 1)[0], form[:200]
    assert checked >= 4
