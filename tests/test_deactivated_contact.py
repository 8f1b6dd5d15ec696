"""A deactivated manager is nobody's contact any more, on every page at once: the customer
page (cached per revision) no longer names them and says who hears of it instead; the
dashboard and its CSV mark the name "(deaktiviert)" and list the customer under "ohne
PEIQ-Ansprechpartner:in"; activating them again makes them the contact again.
"""

import csv
import io

from mitwirkung import accounts

STRONG = "Kaffee-Regen-Tasse-7"
NOBODY = "gerade keine Ansprechperson benannt"


def with_bernd(db, customers, name="Kontakt Verlag"):
    bernd = accounts.create_manager(db, "bernd@peiq.de", STRONG, "Bernd Berater")
    customer, edit, share = customers.create(name, None)
    db.table("customers").update(customer["id"], {"contact_manager_id": bernd["id"]})
    db.execute("UPDATE customers SET revision = revision + 1 WHERE id = ?", [customer["id"]])
    db.conn.commit()
    return bernd, customer, edit, share


def twice(client, path: str) -> str:
    first = client.get(path).text
    assert client.get(path).text == first  # the second from the page cache
    return first


def page_of(client, edit: str) -> str:
    return client.get(f"/c/{edit}").text


def test_the_customer_page_stops_naming_a_deactivated_contact(app, db, auth, client, customers):
    bernd, _, edit, share = with_bernd(db, customers)
    for path in (f"/c/{edit}", f"/s/{share}"):
        assert "Bernd Berater" in twice(client, path)
    accounts.deactivate(db, bernd["id"], "test")
    for path in (f"/c/{edit}", f"/s/{share}"):
        page = twice(client, path)
        assert "Bernd Berater" not in page and "bernd@peiq.de" not in page
    assert NOBODY in page_of(client, edit) and "ganze PEIQ-Team" in page_of(client, edit)
    accounts.activate(db, bernd["id"], "test")
    page = twice(client, f"/c/{edit}")
    assert "Ihre Ansprechperson bei PEIQ: <strong>Bernd Berater</strong>" in page
    assert NOBODY not in page


def test_the_dashboard_marks_a_deactivated_contact_and_lists_the_customer_as_without(
    app, db, auth, client, customers
):
    bernd, customer, _, _ = with_bernd(db, customers)
    customers.create("Andere Zeitung", None)  # assigned to nobody
    auth.login()
    client.get("/manage/")  # rows rendered and cached with the active contact
    accounts.deactivate(db, bernd["id"], "test")
    board = client.get("/manage/").text
    assert "Bernd Berater (deaktiviert)" in board
    without = client.get("/manage/?wer=niemand").text
    assert "Kontakt Verlag" in without and "Andere Zeitung" in without
    detail = client.get(f"/manage/customers/{customer['id']}").text
    assert "Bernd Berater (deaktiviert) – die Hinweise gehen an alle aktiven" in detail
    text = client.get("/manage/export.csv").get_data().decode("utf-8-sig")
    rows = {r["Name"]: r for r in csv.DictReader(io.StringIO(text), delimiter=";")}
    assert rows["Kontakt Verlag"]["PEIQ-Ansprechpartner:in"] == "Bernd Berater (deaktiviert)"
    accounts.activate(db, bernd["id"], "test")
    assert "Kontakt Verlag" not in client.get("/manage/?wer=niemand").text
    assert "(deaktiviert)" not in client.get("/manage/").text
