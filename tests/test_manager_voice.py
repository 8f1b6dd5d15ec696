"""The manager's pages speak about the customer, show the customer's state words, no codes."""

import json

from mitwirkung import store
from mitwirkung.db import now
from mitwirkung.runs.smtp_test import smtp_result_data


def test_manager_page_names_the_customer_server_and_the_same_state(auth, client, customers, db):
    customer, edit, _ = customers.create("Voice Verlag", "voice.de", path="portal")
    store.set_item(db, customer["id"], "portal-adopt", "open", "customer",
                   {"portal": "portal.voice.de", "waiting_for": "manager"})  # fmt: skip
    store.set_item(db, customer["id"], "smtp-test-mail", "failed", "system",
                   {"title": "Anmeldung abgelehnt"})  # fmt: skip
    db.table("smtp_settings").insert(
        {"customer_id": customer["id"], "host": "mail.voice.de", "port": 587,
         "encryption": "none", "username": "u", "sender": "a@voice.de", "recipient": "b@voice.de"}
    )  # fmt: skip
    db.table("runs").insert(
        {"customer_id": customer["id"], "kind": "smtp", "state": "failed", "started_at": now(),
         "settings": json.dumps({"host": "mail.voice.de", "port": 25, "encryption": "none"}),
         "result": json.dumps(smtp_result_data(None))}
    )  # fmt: skip
    auth.login()
    page = client.get(f"/manage/customers/{customer['id']}").text
    assert "Testmail über den Server der Kund:in verschickt" in page
    assert "Ihren Server" not in page and "NONE" not in page
    row = page[page.index('id="manage-item-portal-adopt"') :][:400]
    assert "Wartet auf PEIQ" in row  # the customer's page says the same
    assert "Wartet auf PEIQ" in client.get(f"/c/{edit}").text
    store.set_path(db, customer["id"], "smtp-own", "customer")
    dashboard = client.get("/manage/?q=voice").text
    assert "Testmail über den Server der Kund:in gescheitert: Anmeldung abgelehnt" in dashboard
    assert "unverschlüsselt" in client.get(f"/manage/customers/{customer['id']}").text
