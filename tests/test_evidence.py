"""Progress means evidence: `mail-received` per path, "Geschafft" only at 100 % of the path."""

import re

import pytest

from mitwirkung import crypto, store
from mitwirkung.db import now

DNS_REQUIRED = ("dns-verification", "dns-spf", "dns-dkim")


def tick(customers, edit, done="1", htmx=True):
    return customers.post(
        f"/c/{edit}/items/mail-received",
        {"done": done, "sure": "1"},
        htmx=htmx,
        token_from=f"/c/{edit}",
    )  # "sure": the second step of the manual confirmation (it asks first)


def test_mail_received_cannot_be_ticked_at_0_percent(customers):
    customer, edit, _ = customers.create(path="smtp-own")
    page = customers.client.get(f"/c/{edit}").text
    item = page.split('id="item-mail-received"', 1)[1].split("</li>", 1)[0]
    assert "/items/mail-received" not in item  # no button to tick while the rest is open
    assert "Noch offen: SMTP-Zugangsdaten eingetragen, Passwort sicher übergeben" in item
    response = tick(customers, edit)
    assert response.status_code == 422
    assert "sobald die anderen nötigen Schritte erledigt sind" in response.text
    assert customers.item_state(customer["id"], "mail-received") == "open"


@pytest.mark.parametrize("path", ["portal", "mailjet"])
def test_confirmation_by_hand_appears_after_the_rest_and_says_what_is_confirmed(customers, path):
    customer, edit, _ = customers.create(path=path)
    assert (
        "Ja, ich habe eine E-Mail von PRINT PPS erhalten"
        not in customers.client.get(f"/c/{edit}").text
    )
    if path == "portal":
        customers.complete_portal(customer["id"])
    else:
        customers.db.table("mailjet_expectations").insert(
            {
                "customer_id": customer["id"],
                "domain": "mueller-verlag.de",
                "verification_name": "mailjet._a1.mueller-verlag.de",
                "verification_value": "a1",
                "dkim_selector": "mailjet",
                "dkim_key": None,
            }  # fmt: skip
        )
        for item_id in (*DNS_REQUIRED, "peiq-informed"):
            store.set_item(customers.db, customer["id"], item_id, "done", "system")
    item = customers.client.get(f"/c/{edit}").text.split('id="item-mail-received"', 1)[1]
    assert "Ja, ich habe eine E-Mail von PRINT PPS erhalten</button>" in item.split("</li>")[0]
    assert tick(customers, edit).status_code == 200
    page = customers.client.get(f"/c/{edit}").text
    assert "von Hand bestätigt: „Ja, ich habe eine E-Mail von PRINT PPS erhalten“" in page
    assert "Geschafft" in page


def test_smtp_own_confirms_the_test_mail(customers):
    customer, edit, _ = customers.create(path="smtp-own")
    for item_id in ("smtp-settings", "smtp-password", "smtp-test-mail"):
        store.set_item(customers.db, customer["id"], item_id, "done", "system")
    assert "Ja, ich habe die Testmail erhalten</button>" in customers.client.get(f"/c/{edit}").text


def test_a_tick_belongs_to_the_path_it_was_given_on(customers):
    customer, edit, _ = customers.create(path="portal")
    customers.complete_portal(customer["id"])
    tick(customers, edit)
    for other in ("smtp-own", "mailjet"):
        customers.post(f"/c/{edit}/path", {"path": other, "confirm_leave": "1"},
                       token_from=f"/c/{edit}")  # fmt: skip
        data = customers.client.get(f"/c/{edit}/status.json").get_json()
        received = next(i for i in data["items"] if i["id"] == "mail-received")
        assert received["state"] == "open" and data["progress"] == 0
    assert customers.item_state(customer["id"], "mail-received", "portal") == "done"


def add_confirmation(db, customer_id, path):
    code = crypto.new_token()
    db.table("confirmations").insert(
        {
            "token_hash": crypto.token_hash(code),
            "customer_id": customer_id,
            "run_id": None,
            "created_at": now(),
            "path": path,
        }  # fmt: skip
    )
    return f"/bestaetigen/{code}"


def test_confirmation_link_counts_for_the_path_that_sent_it(customers):
    customer, edit, _ = customers.create(path="smtp-own")
    link = add_confirmation(customers.db, customer["id"], "smtp-own")
    customers.post(f"/c/{edit}/path", {"path": "portal"}, token_from=f"/c/{edit}")
    page = customers.client.get(link).text
    assert "jetzt abgehakt" in page and "Gewählt ist inzwischen ein anderer Weg" in page
    assert customers.item_state(customer["id"], "mail-received", "portal") == "open"
    assert customers.item_state(customer["id"], "mail-received", "smtp-own") == "done"
    assert customers.client.get(f"/c/{edit}/status.json").get_json()["progress"] == 0


def test_used_link_after_untick_claims_nothing(customers):
    customer, edit, _ = customers.create(path="smtp-own")
    link = add_confirmation(customers.db, customer["id"], "smtp-own")
    first = customers.client.get(link).text
    assert "jetzt abgehakt" in first and "anderer Weg" not in first
    again = customers.client.get(link).text
    assert "bereits abgehakt" in again and "jetzt abgehakt" not in again
    tick(customers, edit, done="0")
    assert customers.item_state(customer["id"], "mail-received") == "open"
    late = customers.client.get(link).text
    assert "abgehakt" not in late.replace("nicht erneut ab", "")
    assert "schon verwendet" in late and "neue Testmail" in late
    assert customers.item_state(customer["id"], "mail-received") == "open"


def dashboard_progress(client, name):
    page = client.get("/manage/").text
    table = page[page.index('class="dashboard"') :]  # not the to-do queue above it
    row = next(r for r in table.split("<tr>") if name in r)
    return int(re.search(r"</progress> (\d+) %", row).group(1))


def test_page_status_json_and_dashboard_agree(auth, customers):
    auth.login()
    customer, edit, share = customers.create(path="portal")
    customers.complete_portal(customer["id"])
    tick(customers, edit)
    for path, expected in (("portal", 100), ("smtp-own", 0), ("mailjet", 0), ("portal", 100)):
        customers.post(f"/c/{edit}/path", {"path": path, "confirm_leave": "1"},
                       token_from=f"/c/{edit}")  # fmt: skip
        page = customers.client.get(f"/c/{edit}").text
        assert f'data-progress="{expected}"' in page
        assert ("Geschafft" in page) == (expected == 100)
        assert ("Geschafft" in customers.client.get(f"/s/{share}").text) == (expected == 100)
        assert customers.client.get(f"/s/{share}/status.json").get_json()["progress"] == expected
        assert dashboard_progress(customers.client, "Müller Verlag") == expected


def test_geschafft_needs_every_required_item_but_not_dmarc(customers):
    customer, edit, _ = customers.create(path="mailjet")
    for item_id in DNS_REQUIRED:
        store.set_item(customers.db, customer["id"], item_id, "done", "system")
    store.set_item(customers.db, customer["id"], "mail-received", "done", "recipient")
    page = customers.client.get(f"/c/{edit}").text
    assert 'data-progress="80"' in page and "Geschafft" not in page  # PEIQ not told yet
    store.set_item(customers.db, customer["id"], "peiq-informed", "done", "customer")
    page = customers.client.get(f"/c/{edit}").text
    assert 'data-progress="100"' in page and "Geschafft" in page  # DMARC is advice only


def test_a_link_without_a_stored_path_counts_for_the_path_its_run_names(customers):
    customer, edit, _ = customers.create(path="mailjet")
    run_id = (
        customers.db.table("runs")
        .insert(
            {
                "customer_id": customer["id"],
                "kind": "mailjet-mail",
                "state": "done",
                "started_at": now(),
                "settings": '{"path": "mailjet"}',
            }  # fmt: skip
        )
        .last_pk
    )
    code = crypto.new_token()
    customers.db.table("confirmations").insert(
        {
            "token_hash": crypto.token_hash(code),
            "customer_id": customer["id"],
            "run_id": run_id,
            "created_at": now(),
        }  # fmt: skip
    )
    assert "jetzt abgehakt" in customers.client.get(f"/bestaetigen/{code}").text
    assert customers.item_state(customer["id"], "mail-received", "mailjet") == "done"
    assert customers.item_state(customer["id"], "mail-received", "smtp-own") == "open"
