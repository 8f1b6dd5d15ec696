"""Running the team's customers: PEIQ contact, "Meine Kund:innen", selections, CLI duplicates."""

import json

from helpers.managers import create_test_manager

from mitwirkung import accounts, store


def bernd(db) -> dict:
    return create_test_manager(db, "bernd@peiq.de", "Kaffee-Regen-Tasse-7", "Bernd Berater")


def make(customers, db, name, contact=None, manager_id=None, email=None):
    customer, _, _ = customers.create(name, None)
    db.table("customers").update(
        customer["id"], {"contact_manager_id": manager_id, "contact_email": email}
    )
    return customer["id"]


def test_mine_filter_and_peiq_column(auth, client, customers, db):
    other = bernd(db)
    me = accounts.by_email(db, "am@peiq.de")
    make(customers, db, "Anna Kundin", manager_id=me["id"])
    make(customers, db, "Bernds Kundin", manager_id=other["id"])
    make(customers, db, "Niemandes Kundin")
    auth.login()
    mine = client.get("/manage/?wer=meine").text
    assert "Anna Kundin" in mine and "Bernds Kundin" not in mine and "Niemandes" not in mine
    nobody = client.get("/manage/?wer=niemand").text
    assert "Niemandes Kundin" in nobody and "Anna Kundin" not in nobody
    every = client.get("/manage/").text
    assert "Bernd Berater" in every and "Anna Manager" in every  # the PEIQ column
    assert 'name="wer"' in every and "Meine Kund:innen" in every


def test_contact_is_chosen_when_creating(auth, client, customers, db):
    other = bernd(db)
    auth.login()
    page = client.get("/manage/").text
    assert "PEIQ-Ansprechpartner:in" in page
    response = customers.post(
        "/manage/customers", {"name": "Neu Verlag", "peiq_contact": str(other["id"])},
        token_from="/manage/",
    )  # fmt: skip
    assert response.status_code == 303
    row = next(db.query("SELECT * FROM customers WHERE name = 'Neu Verlag'"))
    assert row["contact_manager_id"] == other["id"]
    bad = customers.post(
        "/manage/customers", {"name": "Zwei Verlag", "peiq_contact": "999"}, token_from="/manage/"
    )
    assert bad.status_code == 422 and "Bitte eine Person aus der Liste wählen." in bad.text
    assert 'value="Zwei Verlag"' in bad.text  # what was typed is kept
    accounts.deactivate(db, other["id"], "test")
    assert "Bernd Berater (bernd" not in client.get("/manage/").text  # not offered any more


def test_bulk_assign_send_links_and_archive(mail_app, auth, client, customers, db, outbox):
    other = bernd(db)
    one = make(customers, db, "Eins Verlag", email="it@eins.test")
    two = make(customers, db, "Zwei Verlag", email="it@zwei.test")
    three = make(customers, db, "Drei Verlag")  # no contact address
    auth.login()
    token = customers.csrf("/manage/")
    data = {"csrf_token": token, "ids": [one, two], "action": "assign",
            "manager": str(other["id"]), "back": "wer=meine"}  # fmt: skip
    response = client.post("/manage/auswahl", data=data)
    assert response.status_code == 303 and response.headers["Location"].endswith("?wer=meine")
    assert {r["contact_manager_id"] for r in db.query("SELECT * FROM customers WHERE id IN (?, ?)",
                                                      [one, two])} == {other["id"]}  # fmt: skip
    assert "für 2 Kund:in(nen) jetzt: Bernd Berater" in client.get("/manage/").text
    history = [e["kind"] for e in store.events(db, one)]
    assert "peiq-contact-changed" in history
    # links: two mails, one German refusal naming the customer without an address
    data = {"csrf_token": token, "ids": [one, two, three], "action": "send-links"}
    client.post("/manage/auswahl", data=data)
    assert sorted(m.rcpt_tos[0] for m in outbox.handler.messages) == ["it@eins.test",
                                                                      "it@zwei.test"]  # fmt: skip
    page = client.get("/manage/").text
    assert "an 2 Kund:in(nen) per E-Mail verschickt" in page
    assert "Drei Verlag: Für diese Kund:in ist keine E-Mail-Adresse hinterlegt" in page
    # archive asks once, then archives the selection
    data = {"csrf_token": token, "ids": [one, two], "action": "archive"}
    ask = client.post("/manage/auswahl", data=data)
    assert ask.status_code == 200 and "2 Kund:in(nen) archivieren?" in ask.text
    assert store.get_customer(db, one)["archived_at"] is None
    client.post("/manage/auswahl", data={**data, "confirm": "ja"})
    assert store.get_customer(db, one)["archived_at"] and store.get_customer(db, two)["archived_at"]
    # an archived customer gets no link mail, neither in a selection nor alone
    outbox.handler.messages.clear()
    client.post("/manage/auswahl", data={"csrf_token": token, "ids": [one], "action": "send-links"})
    assert "Eins Verlag: Diese Kund:in ist archiviert" in client.get("/manage/").text
    alone = client.post(f"/manage/customers/{one}/send-link", data={"csrf_token": token})
    assert alone.status_code == 303 and not outbox.handler.messages
    assert "ist archiviert" in client.get(f"/manage/customers/{one}").text


def test_bulk_refuses_without_selection_or_token(auth, client, customers, db):
    auth.login()
    token = customers.csrf("/manage/")
    response = client.post("/manage/auswahl", data={"csrf_token": token, "action": "archive"})
    assert response.status_code == 303
    assert "Bitte wählen Sie zuerst Kund:innen aus" in client.get("/manage/").text
    one = make(customers, db, "Eins Verlag")
    forged = client.post("/manage/auswahl", data={"ids": [one], "action": "archive",
                                                  "confirm": "ja"})  # fmt: skip
    assert forged.status_code in (400, 403) and store.get_customer(db, one)["archived_at"] is None
    odd = client.post("/manage/auswahl", data={"csrf_token": token, "ids": ["x", "9" * 40],
                                               "action": "assign", "manager": "x"})  # fmt: skip
    assert odd.status_code == 303


def test_cli_create_warns_about_same_name_or_domain(app, db, auth):
    run = app.test_cli_runner().invoke
    first = run(args=["customers", "create", "Müller Verlag", "--domain", "mueller.de"])
    assert first.exit_code == 0, first.output
    for args in (
        ["Müller Verlag"],
        [" müller verlag "],
        ["Anderer Name", "--domain", "MUELLER.de"],
    ):
        result = run(args=["customers", "create", *args])
        assert result.exit_code == 2 and "Müller Verlag (Nr. 1" in result.output, args
        assert "--force" in result.output
    assert db.table("customers").count == 1
    forced = run(args=["customers", "create", "Müller Verlag", "--force", "--json",
                       "--contact-manager", "AM@peiq.de"])  # fmt: skip
    assert forced.exit_code == 0, forced.output
    row = store.get_customer(db, json.loads(forced.output)["id"])
    assert row["contact_manager_id"] == accounts.by_email(db, "am@peiq.de")["id"]
    unknown = run(args=["customers", "create", "X", "--contact-manager", "wer@peiq.de"])
    assert unknown.exit_code == 2 and "gibt es nicht" in unknown.output


def test_note_is_for_managers_only(auth, client, customers, db, app):
    customer, edit, share = customers.create("Notiz Verlag", None)
    auth.login()
    url = f"/manage/customers/{customer['id']}"
    token = customers.csrf(url)
    long = client.post(f"{url}/note", data={"csrf_token": token, "note": "x" * 1001})
    assert long.status_code == 422 and "höchstens 1000 Zeichen" in long.text
    assert "x" * 1001 in long.text  # kept for correction
    saved = client.post(f"{url}/note", data={"csrf_token": token, "note": "Ruft nur vormittags an"})
    assert saved.status_code == 303
    page = client.get(url).text
    assert "Ruft nur vormittags an" in page and "Notiz gespeichert." in page
    visitor = app.test_client()
    for link in (f"/c/{edit}", f"/s/{share}", f"/c/{edit}/status.json", f"/s/{share}/status.json"):
        assert "vormittags" not in visitor.get(link).text, link
    client.post(f"{url}/note", data={"csrf_token": token, "note": "  "})
    assert store.get_customer(db, customer["id"])["manager_note"] is None


def test_bulk_links_without_mail_server_say_so_once(auth, client, customers, db):
    one = make(customers, db, "Eins Verlag", email="it@eins.test")
    two = make(customers, db, "Zwei Verlag", email="it@zwei.test")
    auth.login()
    token = customers.csrf("/manage/")
    client.post("/manage/auswahl", data={"csrf_token": token, "ids": [one, two],
                                         "action": "send-links"})  # fmt: skip
    page = client.get("/manage/").text
    assert page.count("Keine Links verschickt. Der E-Mail-Versand ist nicht eingerichtet") == 1
    assert not [e for e in store.events(db, one) if e["kind"] == "link-mailed"]
