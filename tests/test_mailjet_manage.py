"""The manager's "Werte von Mailjet holen": values from Mailjet's API, errors in German."""

from pathlib import Path

import pytest
from mailjetserver import DKIM_KEY, MailjetApi

from mitwirkung import mailjet, mailjet_sync


@pytest.fixture(scope="module")
def api():
    with MailjetApi() as server:
        server.accounts["sub-key"] = "sub-secret"
        server.add_domain("anderes-konto.de").dns_missing = True
        yield server


@pytest.fixture
def manager(app, api, auth):
    app.config.update(MAILJET_API_URL=api.url, MAILJET_API_KEY="peiq-key",
                      MAILJET_API_SECRET="peiq-secret", MAILJET_TIMEOUT=2)  # fmt: skip
    auth.login()
    return auth


def fetch(manager, customer_id, **fields):
    url = f"/manage/customers/{customer_id}"
    data = {"domain": "", "verification_name": "", "verification_value": "",
            "dkim_selector": "mailjet", "dkim_key": "", "api_key": "", "api_secret": "",
            **fields}  # fmt: skip
    return manager.customers.post(f"{url}/mailjet/fetch", data, token_from=url)


def test_values_from_mailjet_become_the_expectation(manager, api, db):
    api.add_domain("holen-verlag.de", token="c0ffee0123456789")
    customer, edit, _ = manager.customers.create(domain="holen-verlag.de", path="mailjet")
    response = fetch(manager, customer["id"], domain="holen-verlag.de")
    assert response.status_code == 303
    row = db.table("mailjet_expectations").get(customer["id"])
    assert row["verification_name"] == "mailjet._c0ffee01.holen-verlag.de"  # trailing dot gone
    assert row["verification_value"] == "c0ffee0123456789"
    assert row["dkim_selector"] == "mailjet" and DKIM_KEY in row["dkim_key"]
    page = manager.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Werte von Mailjet für holen-verlag.de übernommen" in page
    assert "noch nicht aktiv" in page and "noch nicht geprüft" in page  # Mailjet's own view
    customer_page = manager.client.get(f"/c/{edit}").get_data(as_text=True)
    assert "c0ffee0123456789" in customer_page and "mailjet._c0ffee01" in customer_page


@pytest.mark.parametrize(
    ("setup", "fields", "status", "words"),
    [
        ({"MAILJET_API_SECRET": "falsch"}, {"domain": "holen-verlag.de"}, 422, "(401)"),
        ({}, {"domain": "unbekannt-bei-mj.de"}, 422, "abgelehnt"),
        ({}, {"domain": "anderes-konto.de"}, 422, "kennt diese Domain in diesem Konto nicht (404)"),
        ({"MAILJET_API_KEY": None}, {"domain": "holen-verlag.de"}, 422, "kein API-Schlüssel"),
        ({}, {"domain": "kein domain"}, 422, ""),
        ({}, {"domain": "holen-verlag.de", "api_key": "nur-schluessel"}, 422,
         "zusammen eintragen"),
    ],
)  # fmt: skip
def test_failures_keep_every_field_and_answer_in_german(manager, app, setup, fields, status, words):
    app.config.update(setup)
    customer, _, _ = manager.customers.create(domain="holen-verlag.de", path="mailjet")
    typed = {"verification_name": "von-hand-name", "verification_value": "von-hand-wert", **fields}
    response = fetch(manager, customer["id"], **typed)
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert words in page
    for value in typed.values():
        assert f'value="{value}"' in page  # nothing the manager typed is lost


def test_a_broken_mailjet_is_a_server_error_shown_in_an_open_section(manager, app):
    with MailjetApi() as broken:
        broken.fail_with = 503
        app.config.update(MAILJET_API_URL=broken.url)
        customer, _, _ = manager.customers.create(domain="holen-verlag.de")  # no path yet
        response = fetch(manager, customer["id"], domain="holen-verlag.de")
    assert response.status_code == 502 and "Mailjet hat einen Fehler gemeldet" in response.text
    section = response.text.split('<section id="mailjet">')[1]
    assert section.lstrip().startswith("<details open>")


def test_a_slow_mailjet_times_out_with_the_fields_kept(manager, app):
    with MailjetApi() as slow:
        slow.hang.set()
        app.config.update(MAILJET_API_URL=slow.url, MAILJET_TIMEOUT=0.3)
        customer, _, _ = manager.customers.create(domain="holen-verlag.de", path="mailjet")
        response = fetch(manager, customer["id"], domain="holen-verlag.de", dkim_selector="mj2")
    page = response.get_data(as_text=True)
    assert response.status_code == 504
    assert "nicht rechtzeitig geantwortet" in page and 'value="mj2"' in page


def test_a_subaccount_is_used_stored_encrypted_and_never_shown(manager, api, app, db):
    api.add_domain("unterkonto.de")
    customer, _, _ = manager.customers.create(domain="unterkonto.de", path="mailjet")
    response = fetch(manager, customer["id"], domain="unterkonto.de", api_key="sub-key",
                     api_secret="sub-secret")  # fmt: skip
    assert response.status_code == 303
    assert api.requests[-1][2] == "sub-key"  # the sub-account's key, not PEIQ's
    state = mailjet_sync.row(db, customer["id"])
    assert state["subaccount"] and state["sender_id"] and state["dns_id"]
    page = manager.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Zugang hinterlegt" in page
    assert "sub-secret" not in page and "sub-key" not in page
    raw = Path(app.config["DATABASE"]).read_bytes()
    for wal in Path(app.config["DATABASE"]).parent.glob("*.db-wal"):
        raw += wal.read_bytes()
    assert b"sub-secret" not in raw and b"sub-key" not in raw
    url = f"/manage/customers/{customer['id']}"
    forgotten = manager.customers.post(f"{url}/mailjet/subaccount/delete", {}, token_from=url)
    assert forgotten.status_code == 303
    assert not mailjet_sync.row(db, customer["id"])["subaccount"]
    fetch(manager, customer["id"], domain="unterkonto.de")
    assert api.requests[-1][2] == "peiq-key"  # PEIQ's account again


def answer(spf="OK", dkim="OK", sender="Active", error=""):
    return mailjet.CheckResult(spf, dkim, ("v=spf1 -all",), "", "", "", sender, error)


GREEN = {"dns-spf": "done", "dns-dkim": "warning", "dns-verification": "done"}
RED = {"dns-spf": "failed", "dns-dkim": "failed", "dns-verification": "failed"}


@pytest.mark.parametrize(
    ("mailjet_says", "ours", "expected"),
    [
        (answer(), GREEN, []),
        (answer(spf="Error"), GREEN,
         ["Unsere Prüfung findet den SPF-Eintrag, Mailjet hat ihn noch nicht gesehen"]),
        (answer(dkim="Not checked"), GREEN, ["den DKIM-Eintrag, Mailjet hat ihn noch nicht"]),
        (answer(spf="Error", dkim="Error", sender="Inactive"), RED, []),  # both see nothing
        (answer(), RED, ["Mailjet meldet SPF als in Ordnung, unsere Prüfung aber nicht",
                         "Mailjet meldet DKIM als in Ordnung",
                         "Mailjet hat den Absender freigeschaltet, unsere Prüfung findet"]),
        (answer(sender="Inactive", error="DNSValidationError: TXT record not found"), GREEN,
         ["noch nicht freigeschaltet (Mailjet meldet: DNSValidationError: TXT record not found)"]),
    ],
)  # fmt: skip
def test_disagreements_are_said_only_where_the_views_differ(mailjet_says, ours, expected):
    notes = mailjet_sync.disagreements(mailjet_says, ours)
    assert len(notes) == len(expected)
    for note, words in zip(notes, expected, strict=True):
        assert words in note


def test_the_manager_can_ask_mailjet_to_check_now(manager, api, db):
    api.add_domain("jetzt-pruefen.de")
    customer, _, _ = manager.customers.create(domain="jetzt-pruefen.de", path="mailjet")
    url = f"/manage/customers/{customer['id']}"
    early = manager.customers.post(f"{url}/mailjet/check", {}, token_from=url)
    assert early.status_code == 422 and "Holen Sie zuerst die Werte von Mailjet" in early.text
    fetch(manager, customer["id"], domain="jetzt-pruefen.de")
    response = manager.customers.post(f"{url}/mailjet/check", {}, token_from=url)
    assert response.status_code == 303
    state = mailjet_sync.row(db, customer["id"])
    assert state["checked_at"] and state["spf_status"] == "Error"
    page = manager.client.get(url).text
    assert "fehlerhaft" in page and "Mailjet hat die Einträge geprüft" in page
    assert "Unsere Prüfung findet" not in page  # our check has not seen the records either
    # the history names the manager who asked, not "System"
    [asked] = db.query("SELECT actor FROM events WHERE kind = 'mailjet-checked'")
    assert asked["actor"] == "manager:am@peiq.de"
    assert "Anna Manager ·\n      Mailjet hat die Einträge geprüft" in page


def test_a_failing_mailjet_check_answers_on_the_page(manager, api, app):
    api.add_domain("pruefen-kaputt.de")
    customer, _, _ = manager.customers.create(domain="pruefen-kaputt.de", path="mailjet")
    fetch(manager, customer["id"], domain="pruefen-kaputt.de")
    app.config["MAILJET_API_SECRET"] = "falsch"
    url = f"/manage/customers/{customer['id']}"
    response = manager.customers.post(f"{url}/mailjet/check", {}, token_from=url)
    assert response.status_code == 422 and "(401)" in response.text
    assert 'id="mailjet-error"' in response.text


@pytest.mark.parametrize("path", ["portal", "smtp-own", None])
def test_mailjet_values_stay_readable_when_the_customer_leaves_the_mailjet_path(
    manager, api, db, path
):
    api.add_domain("pfadwechsel.de")
    customer, _, _ = manager.customers.create(domain="pfadwechsel.de", path="mailjet")
    fetch(manager, customer["id"], domain="pfadwechsel.de")
    db.table("customers").update(customer["id"], {"path": path})
    response = manager.client.get(f"/manage/customers/{customer['id']}")
    assert response.status_code == 200
    assert "Mailjet sagt" in response.text


@pytest.mark.parametrize(
    ("token", "dkim_key"),
    [("abc<script>x", "MIIBIjAN"), ("a1b2 c3\u00e4", "MIIBIjAN"), ("a1b2c3d4", 'MIIB"Ij<AN')],
)
def test_values_from_mailjet_are_judged_like_typed_ones(manager, api, db, token, dkim_key):
    api.add_domain("boese-antwort.de", token=token, dkim_key=dkim_key)
    customer, _, _ = manager.customers.create(domain="boese-antwort.de", path="mailjet")
    response = fetch(manager, customer["id"], domain="boese-antwort.de")
    assert response.status_code == 502 and "unerwartet geantwortet" in response.text
    assert db.table("mailjet_expectations").count == 0  # nothing the customer would be shown


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("verification_name", "mailjet_<script>x", "Ein Name im DNS besteht nur"),
        ("verification_name", "mailjet._a1 b2", "Ein Name im DNS besteht nur"),
        ("verification_value", 'a1b2"c3', "Zeichen, die Mailjet nie vorgibt"),
        ("verification_value", "a1b2ä", "Zeichen, die Mailjet nie vorgibt"),
    ],
)
def test_typed_values_that_are_no_dns_record_are_named_at_the_field(
    manager, db, field, value, words
):
    customer, _, _ = manager.customers.create(domain="von-hand.de", path="mailjet")
    url = f"/manage/customers/{customer['id']}"
    data = {"domain": "von-hand.de", "verification_name": "mailjet._a1b2c3d4",
            "verification_value": "a1b2c3d4", "dkim_selector": "mailjet", "dkim_key": "",
            "api_key": "", "api_secret": "", field: value}  # fmt: skip
    response = manager.customers.post(f"{url}/mailjet", data, token_from=url)
    assert response.status_code == 422 and words in response.text
    assert db.table("mailjet_expectations").count == 0


@pytest.mark.parametrize("key", ["NICHT_BASE64!!", DKIM_KEY[:60]])
def test_a_dkim_key_from_mailjet_that_does_not_parse_is_not_taken(manager, api, db, key):
    # judged like a key the manager typed: the customer must never be offered it
    api.add_domain(f"kaputt-{len(key)}.de", dkim_key=key)
    customer, _, _ = manager.customers.create(domain=f"kaputt-{len(key)}.de", path="mailjet")
    response = fetch(manager, customer["id"], domain=f"kaputt-{len(key)}.de")
    assert response.status_code == 502
    assert "unerwartet geantwortet" in response.text
    assert db.table("mailjet_expectations").count_where("customer_id = ?", [customer["id"]]) == 0


def test_a_subaccount_key_mailjet_rejects_is_not_stored(manager, api, db):
    api.add_domain("abgelehnt.de")
    customer, _, _ = manager.customers.create(domain="abgelehnt.de", path="mailjet")
    response = fetch(manager, customer["id"], domain="abgelehnt.de", api_key="sub-key",
                     api_secret="falsches-secret")  # fmt: skip
    assert response.status_code == 422
    assert "(401)" in response.text and "Unterkontos ist nicht gespeichert" in response.text
    state = mailjet_sync.row(db, customer["id"])
    assert state is None or not state["subaccount"]
    # the right key is stored once Mailjet accepted it
    assert fetch(manager, customer["id"], domain="abgelehnt.de", api_key="sub-key",
                 api_secret="sub-secret").status_code == 303  # fmt: skip
    assert mailjet_sync.row(db, customer["id"])["subaccount"]


def test_fetching_a_domain_mailjet_does_not_know_leaves_no_sender(manager, api):
    domain = api.domains["anderes-konto.de"]
    customer, _, _ = manager.customers.create(domain="anderes-konto.de", path="mailjet")
    response = fetch(manager, customer["id"], domain="anderes-konto.de")
    assert response.status_code == 422 and "(404)" in response.text
    assert domain.sender_id is None


@pytest.mark.parametrize(
    ("status", "words"),
    [("Not Checked", "noch nicht geprüft"), ("not checked", "noch nicht geprüft"),
     ("OK", "in Ordnung"), ("Error", "fehlerhaft"), ("Pending", "„Pending“ (so meldet es Mailjet)"),
     ("", "–")],
)  # fmt: skip
def test_mailjet_status_words_are_german_whatever_the_case(status, words):
    assert mailjet_sync.status_word(status) == words
