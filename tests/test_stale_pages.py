"""A page that is behind the customer's latest choice.

Real threads race a tick against a path switch; stale tabs get 409 with a German reason.
"""

import threading

import pytest

from mitwirkung import store


def complete_smtp_own_but_mail(db, customer_id):
    for item_id in ("smtp-settings", "smtp-password", "smtp-test-mail"):
        store.set_item(db, customer_id, item_id, "done", "system")


def test_a_tick_racing_a_path_switch_never_lands_on_the_new_path(app, customers, db):
    """20 rounds of tick and switch at once; the tick counts only on the path it was for."""
    for _ in range(20):
        customer, edit, _ = customers.create(path="smtp-own")
        complete_smtp_own_but_mail(db, customer["id"])
        token = customers.csrf(f"/c/{edit}")
        start = threading.Barrier(2)
        answers = {}

        def post(name, url, data, start=start, answers=answers, token=token):
            with app.test_client() as c:
                start.wait()
                answers[name] = c.post(url, data={**data, "csrf_token": token}).status_code

        threads = [
            threading.Thread(target=post, args=("tick", f"/c/{edit}/items/mail-received",
                                                {"done": "1", "sure": "1", "path": "smtp-own"})),
            threading.Thread(target=post, args=("path", f"/c/{edit}/path",
                                                 {"path": "portal", "confirm_leave": "1"})),
        ]  # fmt: skip
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert answers["path"] == 303
        assert answers["tick"] in (303, 409)
        portal = store.item_rows(db, customer["id"], "portal")
        assert "mail-received" not in portal
        status = customers.client.get(f"/c/{edit}/status.json").get_json()
        assert status["path"] == "portal" and status["progress"] == 0


def test_a_tick_from_a_page_of_another_path_is_refused(customers, db):
    customer, edit, _ = customers.create(path="portal")
    customers.complete_portal(customer["id"])
    response = customers.post(f"/c/{edit}/items/mail-received",
                              {"done": "1", "sure": "1", "path": "smtp-own"},
                              htmx=True, token_from=f"/c/{edit}")  # fmt: skip
    assert response.status_code == 409
    assert response.headers["X-Reason"] == "other-path"
    assert customers.item_state(customer["id"], "mail-received") == "open"


@pytest.mark.parametrize(
    "method, url, data",
    [
        ("post", "/smtp-settings", {"host": "mail.kunde.test", "port": "587"}),  # stale form
        ("post", "/smtp-test", {"host": "mail.kunde.test"}),
        ("post", "/password", {"password": "x"}),
        ("get", "/items/smtp-test-mail", None),
        ("post", "/dns-check", {}),
        ("post", "/inform", {}),
    ],
)
def test_a_stale_tab_is_told_the_path_changed_not_that_the_link_died(
    customers, client, method, url, data
):
    customer, edit, _ = customers.create(path="portal")
    if method == "post":
        response = customers.post(f"/c/{edit}{url}", data, htmx=True, token_from=f"/c/{edit}")
    else:
        response = client.get(f"/c/{edit}{url}", headers={"HX-Request": "true"})
    assert response.status_code == 409
    shown = response.text.split("<template")[0]  # the page, not the messages kept for scripts
    assert "anderen Weg gewählt" in shown and "erneuert" not in shown
    assert response.headers["X-Reason"] == "other-path"


def test_a_stale_run_poll_is_told_the_path_changed(customers, client, db):
    customer, edit, _ = customers.create(path="smtp-own")
    run = {"customer_id": customer["id"], "kind": "smtp", "state": "done", "settings": "{}",
           "result": "{}", "started_at": "2026-01-01"}  # fmt: skip
    run_id = db.table("runs").insert(run).last_pk
    store.set_path(db, customer["id"], "portal", "test")
    url = f"/c/{edit}/runs/{run_id}"
    response = client.get(url, headers={"HX-Request": "1"})
    assert response.status_code == 409 and "anderen Weg gewählt" in response.text
    assert client.get(f"/c/{edit}/runs/999999").status_code == 404  # unknown stays unknown
    assert client.get(f"/c/{edit}/items/no-such-item").status_code == 404


def test_manager_confirms_only_the_portal_they_saw(auth, client, customers):
    """The customer renames the PORTAL while the manager's page is open."""
    auth.login()
    customer, edit, _ = customers.create(path="portal")
    name = {"confirm": "y"}
    customers.post(f"/c/{edit}/portal", {**name, "portal": "PORTAL Alt"}, token_from=f"/c/{edit}")
    url = f"/manage/customers/{customer['id']}"
    assert 'name="portal" value="PORTAL Alt"' in client.get(url).text
    customers.post(f"/c/{edit}/portal", {**name, "portal": "PORTAL Fremd"}, token_from=f"/c/{edit}")
    stale = customers.post(f"{url}/portal-confirm", {"portal": "PORTAL Alt"})
    assert stale.status_code == 409 and "„PORTAL Fremd“ genannt" in stale.text
    assert customers.item_state(customer["id"], "portal-adopt") == "open"
    assert customers.post(f"{url}/portal-confirm", {}).status_code == 409  # a form without it
    fresh = customers.post(f"{url}/portal-confirm", {"portal": "PORTAL Fremd"})
    assert fresh.status_code == 303
    assert store.item_rows(customers.db, customer["id"])["portal-adopt"]["detail"] == {
        "portal": "PORTAL Fremd"
    }


def test_the_share_view_speaks_to_an_onlooker(customers, client, db):
    """The share view: no "Sie", no buttons the reader does not have, progress before a path too."""
    customer, _, share = customers.create()
    page = client.get(f"/s/{share}").text
    assert "Die Kund:in hat noch keinen Weg gewählt" in page and "<progress" in page
    for path, gone in [("mailjet", "müssen Sie nichts tun"), ("smtp-own", "bestätigen Sie hier"),
                       ("portal", "Nennen Sie uns")]:  # fmt: skip
        store.set_path(db, customer["id"], path, "test")
        page = client.get(f"/s/{share}").text.split("<template")[0]
        assert gone not in page, path
    assert "die Ansprechperson bei PEIQ bestätigt danach" in page


def test_the_chosen_path_is_said_to_the_customer_as_sie(customers, client):
    """The fixed title stays, a subtitle speaks to the customer."""
    _, edit, _ = customers.create(path="smtp-own")
    page = client.get(f"/c/{edit}").text
    assert "Einrichten des SMTP-Postfachs durch Kund:in" in page
    assert "Sie richten Ihr eigenes SMTP-Postfach ein." in page
