import re

import pytest

from mitwirkung import crypto, store


def test_customer_page_introduces_and_offers_the_three_paths(client, customers):
    _, edit, _ = customers.create()
    page = client.get(f"/c/{edit}").get_data(as_text=True)
    assert '<html lang="de">' in page
    assert "PRINT PPS" in page and "SMTP-Postfach" in page
    for title in (
        "Einrichten des SMTP-Postfachs durch Kund:in",
        "Einbindung eines E-Mail-Dienstes (Mailjet) durch PEIQ",
        "Übernahme der SMTP-Konfiguration von PORTAL",
    ):
        assert title in page


@pytest.mark.parametrize("prefix", ["c", "s"])
@pytest.mark.parametrize("token", ["nope", "x" * 43, "%00", "a" * 5000, "../../etc/passwd"])
def test_unknown_tokens_are_404(client, customers, prefix, token):
    customers.create()
    response = client.get(f"/{prefix}/{token}")
    assert response.status_code == 404
    assert "Diesen Link gibt es nicht" in response.get_data(as_text=True)
    assert client.get(f"/{prefix}/{token}/status.json").status_code == 404


def test_tokens_have_256_bits_and_are_stored_only_hashed(customers, db):
    customer, edit, share = customers.create()
    assert len(edit) >= 43 and len(share) >= 43 and edit != share
    row = store.get_customer(db, customer["id"])
    assert edit not in str(row.values()) and share not in str(row.values())
    assert row["edit_token_hash"] == crypto.token_hash(edit)


def test_choosing_a_path_shows_its_checklist(client, customers, db):
    customer, edit, _ = customers.create()
    response = customers.post(f"/c/{edit}/path", {"path": "mailjet"}, token_from=f"/c/{edit}")
    assert response.status_code == 303
    page = client.get(f"/c/{edit}").get_data(as_text=True)
    # before PEIQ entered the Mailjet values there is one waiting state and nothing to do
    assert 'id="dns-waiting"' in page and "Wartet auf PEIQ" in page
    assert 'id="item-dns-spf"' not in page and 'id="item-smtp-settings"' not in page
    assert store.get_customer(db, customer["id"])["path"] == "mailjet"


def test_choosing_no_or_an_unknown_path_explains(client, customers):
    _, edit, _ = customers.create()
    for data in ({}, {"path": "fax"}):
        response = customers.post(f"/c/{edit}/path", data, htmx=True, token_from=f"/c/{edit}")
        assert response.status_code == 422
        assert "Bitte wählen Sie einen der drei Wege." in response.get_data(as_text=True)


def test_changing_the_path_keeps_the_other_paths_states(customers):
    customer, edit, _ = customers.create(path="portal")
    customers.complete_portal(customer["id"])
    customers.post(
        f"/c/{edit}/items/mail-received", {"done": "1", "sure": "1"}, token_from=f"/c/{edit}"
    )
    customers.post(f"/c/{edit}/path", {"path": "smtp-own", "confirm_leave": "1"},
                   token_from=f"/c/{edit}")  # fmt: skip
    # a mail that arrived through the PORTAL proves nothing about the own mailbox
    assert customers.item_state(customer["id"], "mail-received") == "open"
    customers.post(f"/c/{edit}/path", {"path": "portal"}, token_from=f"/c/{edit}")
    assert customers.item_state(customer["id"], "mail-received") == "done"


def test_toggle_with_htmx_returns_item_and_progress_fragment(customers):
    customer, edit, _ = customers.create(path="portal")
    customers.complete_portal(customer["id"])
    url = f"/c/{edit}/items/mail-received"
    response = customers.post(url, {"done": "1", "sure": "1"}, htmx=True, token_from=f"/c/{edit}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="item-mail-received"' in html and "Erledigt" in html
    assert 'id="progress" hx-swap-oob="true"' in html and 'value="100"' in html
    assert customers.item_state(customer["id"], "mail-received") == "done"
    response = customers.post(url, {"done": "0"}, htmx=True, token_from=f"/c/{edit}")
    assert 'value="50"' in response.get_data(as_text=True)
    assert customers.item_state(customer["id"], "mail-received") == "open"


def test_toggle_without_htmx_redirects_back(customers):
    customer, edit, _ = customers.create(path="portal")
    customers.complete_portal(customer["id"])
    response = customers.post(
        f"/c/{edit}/items/mail-received", {"done": "1", "sure": "1"}, token_from=f"/c/{edit}"
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/c/{edit}#item-mail-received")


def test_items_with_a_live_test_cannot_be_ticked_by_hand(customers):
    customer, edit, _ = customers.create(path="smtp-own")
    for item in ("smtp-test-mail", "dns-spf", "portal-adopt"):
        response = customers.post(f"/c/{edit}/items/{item}", {"done": "1"}, token_from=f"/c/{edit}")
        assert response.status_code == 404
    assert customers.item_state(customer["id"], "smtp-test-mail") == "open"


def test_posts_without_csrf_token_are_refused(client, customers):
    customer, edit, _ = customers.create(path="portal")
    for url, data in [
        (f"/c/{edit}/items/mail-received", {"done": "1", "sure": "1"}),
        (f"/c/{edit}/path", {"path": "mailjet"}),
        (f"/c/{edit}/portal", {"portal": "portal.x.de", "confirm": "y"}),
    ]:
        response = client.post(url, data=data, headers={"HX-Request": "true"})
        assert response.status_code == 400
        assert "Sitzung abgelaufen" in response.get_data(as_text=True)
    assert customers.item_state(customer["id"], "mail-received") == "open"
    assert store.get_customer(customers.db, customer["id"])["path"] == "portal"


def test_csrf_header_from_htmx_is_accepted(client, customers):
    customer, edit, _ = customers.create(path="portal")
    customers.complete_portal(customer["id"])
    token = customers.csrf(f"/c/{edit}")
    response = client.post(
        f"/c/{edit}/items/mail-received",
        data={"done": "1", "sure": "1"},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert response.status_code == 200
    assert customers.item_state(customer["id"], "mail-received") == "done"


def test_share_link_is_read_only(client, customers):
    customer, edit, share = customers.create(path="portal")
    page = client.get(f"/s/{share}").get_data(as_text=True)
    assert "Nur-Lese-Ansicht" in page
    assert "<form" not in page.split("</header>", 1)[1]
    assert 'hx-trigger="every' in page
    token = customers.csrf(f"/c/{edit}")
    for url, data in [
        (f"/s/{share}/items/mail-received", {"done": "1", "sure": "1"}),
        (f"/s/{share}/path", {"path": "mailjet"}),
        (f"/s/{share}/portal", {"portal": "x.de", "confirm": "y"}),
        (f"/s/{share}/smtp-settings", {"host": "smtp.x.de"}),
        (f"/s/{share}", {}),
    ]:
        response = client.post(url, data={**data, "csrf_token": token})
        assert response.status_code in (404, 405)
    # the share token does not open the edit view either
    assert client.get(f"/c/{share}").status_code == 404
    assert customers.item_state(customer["id"], "mail-received") == "open"


def test_share_refresh_gets_the_workspace_fragment(client, customers):
    _, _, share = customers.create(path="portal")
    html = client.get(f"/s/{share}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in html and html.lstrip().startswith('<div id="workspace"')


@pytest.mark.parametrize("prefix", ["c", "s"])
def test_status_json_shape(client, customers, prefix):
    customer, edit, share = customers.create(path="portal")
    customers.complete_portal(customer["id"])
    customers.post(
        f"/c/{edit}/items/mail-received", {"done": "1", "sure": "1"}, token_from=f"/c/{edit}"
    )
    token = edit if prefix == "c" else share
    data = client.get(f"/{prefix}/{token}/status.json").get_json()
    assert set(data) == {
        "customer", "path", "progress", "items", "inbound_address", "overall_progress",
        "obligations",
    }  # fmt: skip
    assert data["overall_progress"] == 100
    assert data["obligations"] == [
        {"id": "smtp-postfach", "title": "SMTP-Postfach", "path": "portal", "progress": 100,
         "items": data["items"]}
    ]  # fmt: skip
    assert data["customer"] == "Müller Verlag" and data["path"] == "portal"
    assert re.fullmatch(r"pruef-[a-z2-7]{26}@pruef\.localhost", data["inbound_address"])
    assert data["items"][1]["detail"]["evidence"] == "manual"
    assert data["progress"] == 100
    assert [i["id"] for i in data["items"]] == ["portal-adopt", "mail-received"]
    for item in data["items"]:
        assert set(item) == {"id", "title", "state", "updated_at", "detail"}
    assert data["items"][1]["state"] == "done" and data["items"][1]["updated_at"]


def test_status_json_without_path(client, customers):
    _, edit, _ = customers.create()
    assert client.get(f"/c/{edit}/status.json").get_json() == {
        "customer": "Müller Verlag", "path": None, "progress": 0, "items": [],
        "inbound_address": None, "overall_progress": 0,
        "obligations": [
            {"id": "smtp-postfach", "title": "SMTP-Postfach", "path": None, "progress": 0,
             "items": []}
        ],
    }  # fmt: skip


def test_portal_request_waits_for_the_manager(customers):
    customer, edit, _ = customers.create(path="portal")
    url = f"/c/{edit}/portal"
    response = customers.post(url, {"portal": ""}, htmx=True, token_from=f"/c/{edit}")
    assert response.status_code == 422
    assert "Bitte nennen Sie die Adresse Ihres PORTAL" in response.get_data(as_text=True)
    response = customers.post(
        url, {"portal": "portal.mueller.de", "confirm": "y"}, htmx=True, token_from=f"/c/{edit}"
    )
    html = response.get_data(as_text=True)
    assert "portal.mueller.de" in html and "PEIQ prüft und bestätigt" in html
    rows = store.item_rows(customers.db, customer["id"])
    assert rows["portal-adopt"]["state"] == "open"
    assert rows["portal-adopt"]["detail"]["waiting_for"] == "manager"


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_security_headers(client, customers):
    _, edit, _ = customers.create()
    response = client.get(f"/c/{edit}")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script>" not in response.get_data(as_text=True)
