"""An existing customer gets further obligations (or loses untouched ones): on "Angaben
ändern" as checkboxes and with `flask customers add-obligation`; each change is in the history.
"""

import re

from two_obligations import EXAMPLE, fill_example

from mitwirkung import agreements, store
from mitwirkung.catalog import SMTP_OBLIGATION
from mitwirkung.seed import seed


def smtp_only(app, db, name="Weser Kurier"):
    with app.test_request_context():
        customer, _, _ = store.create_customer(db, name, None, None, "test")
    return customer


def edit(auth, customer, **data):
    url = f"/manage/customers/{customer['id']}"
    form = {"edit-name": customer["name"], "edit-obligations_offered": "y", **data}
    return auth.customers.post(f"{url}/edit", form, token_from=url)


def history(client, customer) -> str:
    return client.get(f"/manage/customers/{customer['id']}/history.csv").get_data().decode()


def test_edit_form_offers_the_obligations_with_the_agreed_ones_ticked(app, auth, client, db):
    auth.login()
    customer = smtp_only(app, db)
    html = client.get(f"/manage/customers/{customer['id']}").text
    boxes = dict(re.findall(r'(<input[^>]*name="edit-obligations"[^>]*value="([^"]+)"[^>]*>)',
                            html)[i][::-1] for i in range(2))  # fmt: skip
    assert "checked" in boxes[SMTP_OBLIGATION] and "disabled" in boxes[SMTP_OBLIGATION]
    assert "checked" not in boxes[EXAMPLE] and "disabled" not in boxes[EXAMPLE]


def test_ticking_adds_the_obligation_with_an_event(app, auth, client, db):
    auth.login()
    customer = smtp_only(app, db)
    response = edit(auth, customer, **{"edit-obligations": [EXAMPLE]})
    assert response.status_code == 303
    rows = store.customer_obligations(db, customer["id"])
    assert [(r["obligation_id"], r["path"]) for r in rows] == [
        (SMTP_OBLIGATION, None), (EXAMPLE, "standard"),
    ]  # fmt: skip
    assert "Mitwirkungspflicht hinzugefügt: „Rechtliche Angaben“" in history(client, customer)
    page = client.get(f"/manage/customers/{customer['id']}").text
    assert "Angaben gespeichert." in page and 'id="manage-obligation-rechtliches"' in page


def test_unticking_an_untouched_obligation_removes_it(app, auth, client, db):
    auth.login()
    customer = smtp_only(app, db)
    agreements.add(db, app.extensions["obligations"], customer["id"], [EXAMPLE], "test")
    response = edit(auth, customer)  # the box of the example not ticked any more
    assert response.status_code == 303
    assert agreements.agreed(db, customer["id"]) == [SMTP_OBLIGATION]  # SMTP kept: disabled box
    assert "Mitwirkungspflicht entfernt: „Rechtliche Angaben“" in history(client, customer)


def test_an_obligation_with_work_done_stays_with_a_message_at_the_field(app, auth, client, db):
    auth.login()
    customer = smtp_only(app, db)
    agreements.add(db, app.extensions["obligations"], customer["id"], [EXAMPLE], "test")
    fill_example(db, customer["id"])
    response = edit(auth, customer, **{"edit-name": "Weser-Kurier GmbH"})
    assert response.status_code == 422
    html = response.text
    error = re.search(r'<small class="error" id="edit-obligations-error">([^<]+)', html)
    assert error and "„Rechtliche Angaben“ bleibt" in error.group(1)
    assert 'aria-describedby="edit-obligations-error"' in html
    assert 'value="Weser-Kurier GmbH"' in html  # what was typed is kept
    smtp_box = re.search(
        r'<input[^>]*name="edit-obligations"[^>]*value="smtp-postfach"[^>]*>', html
    )
    assert "checked" in smtp_box.group(0) and "disabled" in smtp_box.group(0)  # still agreed
    assert agreements.agreed(db, customer["id"]) == [SMTP_OBLIGATION, EXAMPLE]
    assert store.get_customer(db, customer["id"])["name"] == "Weser Kurier"  # nothing saved


def test_a_form_without_the_checkboxes_changes_no_obligation(app, auth, db):
    auth.login()
    customer = smtp_only(app, db)
    url = f"/manage/customers/{customer['id']}"
    auth.customers.post(f"{url}/edit", {"edit-name": "Neu"}, token_from=url)
    assert agreements.agreed(db, customer["id"]) == [SMTP_OBLIGATION]


def test_cli_adds_an_obligation_to_named_or_all_customers(app, db):
    one, two, three = (smtp_only(app, db, name) for name in ("Eins", "Zwei", "Drei"))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["customers", "add-obligation", EXAMPLE, str(two["id"])])
    assert result.exit_code == 0, result.output
    assert f"Zwei (Nr. {two['id']}): „Rechtliche Angaben“ hinzugefügt." in result.output
    assert agreements.agreed(db, one["id"]) == [SMTP_OBLIGATION]
    every = runner.invoke(args=["customers", "add-obligation", EXAMPLE, "--all"])
    assert every.exit_code == 0
    assert f"Zwei (Nr. {two['id']}): hat „Rechtliche Angaben“ schon." in every.output
    for c in (one, two, three):
        assert agreements.agreed(db, c["id"]) == [SMTP_OBLIGATION, EXAMPLE]
    added = db.execute("SELECT COUNT(*) FROM events WHERE kind = 'obligation-added'").fetchone()
    assert added[0] == 3  # once per customer, not again for "schon"


def test_cli_refuses_unknown_obligations_and_customers(app, db):
    smtp_only(app, db)
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["customers", "add-obligation", "rechtlich", "--all"])
    assert bad.exit_code == 2
    assert "Unbekannte Mitwirkungspflicht „rechtlich“; bekannt sind:" in bad.output
    missing = runner.invoke(args=["customers", "add-obligation", EXAMPLE, "999"])
    assert missing.exit_code == 2 and "Nummer 999 gibt es nicht" in missing.output
    none = runner.invoke(args=["customers", "add-obligation", EXAMPLE])
    assert none.exit_code == 2 and "--all" in none.output
    assert db.execute("SELECT COUNT(*) FROM customer_obligations").fetchone()[0] == 1


def test_the_demo_customer_gets_every_loaded_obligation(app, db, capsys):
    with app.app_context():
        seed()
    demo = next(db.table("customers").rows)
    assert agreements.agreed(db, demo["id"]) == app.extensions["obligations"].ids
    assert len(agreements.agreed(db, demo["id"])) == 2
