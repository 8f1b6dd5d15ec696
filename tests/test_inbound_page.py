"""What customers see of the Empfangsprüfung: the Prüfadresse, its rotation, the verdict."""

import re
from datetime import timedelta

import pytest
from helpers.inbound import ADDRESS, KUNDE_KEY, address_on, deliver
from mailsigning import SigningKey, message, sign

from mitwirkung import inbound, store
from mitwirkung.db import utcnow
from mitwirkung.pagecache import PageCache


@pytest.fixture
def inbound_app(app, dns, tmp_path):
    """The receiving app with the default INBOUND_DOMAIN (pruef.localhost), as a fresh install."""
    app.config.update(DNS_NAMESERVERS=[f"127.0.0.1:{dns.port}"])
    app.instance_path = str(tmp_path / "instance")
    return app


@pytest.mark.parametrize("path", ["smtp-own", "mailjet", "portal"])
def test_every_path_shows_its_pruefadresse_with_a_copy_button(inbound_app, customers, path):
    customer, edit, share = customers.create(path=path)
    if path == "mailjet":  # the checklist shows once PEIQ entered Mailjet's values
        customers.db.table("mailjet_expectations").insert(
            {"customer_id": customer["id"], "domain": "kunde.test", "verification_name": "x",
             "verification_value": "y", "dkim_selector": "mailjet"}
        )  # fmt: skip
    page = customers.client.get(f"/c/{edit}").text
    shown = ADDRESS.search(page).group(1)
    assert re.fullmatch(r"pruef-[a-z2-7]{26}@pruef\.localhost", shown)
    assert 'data-copy="#inbound-address"' in page and "Neue Prüfadresse erzeugen" in page
    assert "Systembenachrichtigung an diese Adresse" in page
    # one address per path, stable across visits, and not on the read-only view
    assert address_on(customers.client, edit) == shown
    assert shown not in customers.client.get(f"/s/{share}").text
    store.set_path(customers.db, customer["id"], "portal" if path != "portal" else "mailjet", "t")
    assert customers.client.get(f"/c/{edit}/status.json").json["inbound_address"] != shown


def test_rotation_answers_in_place_and_the_old_address_dies(inbound_app, customers, db):
    customer, edit, _ = customers.create(path="portal")
    old = address_on(customers.client, edit)
    response = customers.post(
        f"/c/{edit}/inbound-address", {"path": "portal", "sure": "1"}, htmx=True,
        token_from=f"/c/{edit}",
    )  # fmt: skip
    assert response.status_code == 200 and "<html" not in response.text
    assert "Neue Prüfadresse erzeugt – die alte nimmt keine Mails mehr an." in response.text
    new = ADDRESS.search(response.text).group(1)
    assert new != old and address_on(customers.client, edit) == new
    with inbound_app.app_context():
        assert inbound.recipient(db, "pruef.localhost", old) is None
        assert inbound.recipient(db, "pruef.localhost", new)["customer_id"] == customer["id"]
    assert "inbound-address-rotated" in [e["kind"] for e in store.events(db, customer["id"])]
    # a stale page of another path is told so, not rotated
    stale = customers.post(
        f"/c/{edit}/inbound-address", {"path": "mailjet"}, htmx=True, token_from=f"/c/{edit}"
    )
    assert stale.status_code == 409 and address_on(customers.client, edit) == new


def test_the_waiting_page_learns_of_a_receipt_without_reload(inbound_app, customers, db, receiver):
    customer, edit, share = customers.create(path="portal", domain="kunde.test")
    customers.complete_portal(customer["id"])
    page = customers.client.get(f"/c/{edit}").text
    poll = re.search(r'hx-get="([^"]+/mail-received/wait\?seen=[^"]+)"', page).group(1)
    poll = poll.replace("&amp;", "&")
    assert customers.client.get(poll, headers={"HX-Request": "true"}).status_code == 204
    to = ADDRESS.search(page).group(1)
    raw = sign(
        message(from_="pps@kunde.test", to=to), KUNDE_KEY, domain="kunde.test", selector="pps"
    )
    deliver(receiver.port, raw, to)
    answer = customers.client.get(poll, headers={"HX-Request": "true"})
    assert answer.status_code == 200 and "<html" not in answer.text
    assert "Empfang nachgewiesen" in answer.text and 'id="progress"' in answer.text
    assert "DKIM-Signatur von kunde.test (Selektor pps" in answer.text
    assert 'id="item-portal-adopt"' not in answer.text  # other items keep their answers
    status = customers.client.get(f"/c/{edit}/status.json").json
    item = status["items"][1]
    assert item["detail"]["evidence"] == "received" and item["state"] == "done"
    assert status["progress"] == 100
    shared = customers.client.get(f"/s/{share}").text
    assert "Empfang nachgewiesen" in shared and to not in shared


def test_a_failing_verdict_names_the_result_and_the_item_fails(
    inbound_app, customers, db, receiver
):
    customer, edit, _ = customers.create(path="portal", domain="kunde.test")
    to = address_on(customers.client, edit)
    deliver(receiver.port, message(from_="pps@kunde.test", to=to), to)  # unsigned, SPF fails
    assert customers.item_state(customer["id"], "mail-received", "portal") == "failed"
    page = customers.client.get(f"/c/{edit}").text
    item = page.split('id="item-mail-received"', 1)[1].split("</li>", 1)[0]
    assert "Empfang nachgewiesen" in item and "keine DKIM-Signatur" in item
    assert "p=reject" in item


def test_the_manager_sees_the_arrival_the_verdict_and_the_evidence(
    inbound_app, customers, db, receiver, auth
):
    customer, edit, _ = customers.create(path="portal", domain="kunde.test")
    customers.complete_portal(customer["id"])
    to = address_on(customers.client, edit)
    raw = sign(
        message(from_="pps@kunde.test", to=to), KUNDE_KEY, domain="kunde.test", selector="pps"
    )
    deliver(receiver.port, raw, to)
    auth.login()
    page = customers.client.get(f"/manage/customers/{customer['id']}").text
    section = page.split('id="inbound-verdict"', 1)[1].split("</section>", 1)[0]
    assert "pps@kunde.test" in section and "DKIM-Signatur von kunde.test (Selektor pps" in section
    assert "verschlüsselt mit TLSv1." in section
    assert "Empfang nachgewiesen" in page
    assert "Mail an die Prüfadresse empfangen und geprüft: von pps@kunde.test" in page
    board = customers.client.get("/manage/").text
    assert "Empfang nachgewiesen" in board
    csv = customers.client.get("/manage/export.csv").get_data().decode("utf-8-sig")
    header, row = (line.split(";") for line in csv.splitlines()[:2])
    assert row[header.index("Nachweis der Ankunft")] == "Empfang nachgewiesen"


def test_a_tick_by_hand_reads_as_such_everywhere(inbound_app, customers, db, auth):
    customer, edit, share = customers.create(path="portal")
    customers.complete_portal(customer["id"])
    customers.post(
        f"/c/{edit}/items/mail-received", {"done": "1", "sure": "1"}, token_from=f"/c/{edit}"
    )
    for url in (f"/c/{edit}", f"/s/{share}"):
        assert "von Hand bestätigt" in customers.client.get(url).text
    auth.login()
    assert "von Hand bestätigt" in customers.client.get(f"/manage/customers/{customer['id']}").text
    assert "von Hand bestätigt" in customers.client.get("/manage/").text
    assert "von Hand bestätigt" in customers.client.get("/manage/export.csv").text


def test_a_proven_receipt_is_not_replaced_by_a_click(inbound_app, customers, db, receiver):
    customer, edit, _ = customers.create(path="portal", domain="kunde.test")
    customers.complete_portal(customer["id"])
    to = address_on(customers.client, edit)
    raw = sign(
        message(from_="pps@kunde.test", to=to), KUNDE_KEY, domain="kunde.test", selector="pps"
    )
    deliver(receiver.port, raw, to)
    page = customers.client.get(f"/c/{edit}").text
    item = page.split('id="item-mail-received"', 1)[1].split("</li>", 1)[0]
    assert "/items/mail-received" not in item  # no tick or untick by hand
    for done in ("0", "1"):
        answer = customers.post(
            f"/c/{edit}/items/mail-received", {"done": done}, htmx=True, token_from=f"/c/{edit}"
        )
        assert answer.status_code == 422
    row = store.item_rows(db, customer["id"], "portal")["mail-received"]
    assert row["state"] == "done" and row["detail"]["evidence"] == "received"


def test_on_the_mailjet_path_the_fix_links_to_the_record_on_the_page(
    inbound_app, customers, db, receiver
):
    customer, edit, _ = customers.create(path="mailjet", domain="kunde.test")
    db.table("mailjet_expectations").insert(
        {"customer_id": customer["id"], "domain": "kunde.test", "verification_name": "x",
         "verification_value": "y", "dkim_selector": "pps"}
    )  # fmt: skip
    to = address_on(customers.client, edit)
    other = SigningKey.make(1024)  # signed with a key that is not the one published
    raw = sign(message(from_="pps@kunde.test", to=to), other, domain="kunde.test", selector="pps")
    deliver(receiver.port, raw, to)
    page = customers.client.get(f"/c/{edit}").text
    item = page.split('id="item-mail-received"', 1)[1].split("</li>", 1)[0]
    assert "pps._domainkey.kunde.test" in item and "Was tun?" in item
    assert 'href="#item-dns-dkim"' in item and 'id="item-dns-dkim"' in page
    assert customers.item_state(customer["id"], "mail-received", "mailjet") == "failed"


def test_the_new_routes_work_without_htmx_too(inbound_app, customers, db):
    customer, edit, _ = customers.create(path="portal")
    old = address_on(customers.client, edit)
    answer = customers.post(
        f"/c/{edit}/inbound-address", {"path": "portal", "sure": "1"}, token_from=f"/c/{edit}"
    )
    assert answer.status_code == 303 and answer.headers["Location"].endswith("#item-mail-received")
    assert address_on(customers.client, edit) != old
    wait = customers.client.get(f"/c/{edit}/mail-received/wait?seen=stale")
    assert wait.status_code == 303
    now_shown = address_on(customers.client, edit)
    refused = customers.client.post(f"/c/{edit}/inbound-address", data={"path": "portal"})
    assert refused.status_code in (400, 403)  # no CSRF token: nothing rotated
    assert address_on(customers.client, edit) == now_shown


def test_an_address_about_to_expire_is_renewed_on_the_page_and_still_received(
    inbound_app, customers, db
):
    customer, edit, _ = customers.create(path="portal")
    old = address_on(customers.client, edit)
    soon = (utcnow() + timedelta(hours=12)).isoformat(timespec="seconds")
    db.execute("UPDATE inbound_addresses SET expires_at = ?", [soon])
    # Pages are cached per revision and day; an address is shown only while it lives a day
    # more, so a real renewal happens on a later day's page: here the cache is emptied instead.
    inbound_app.extensions["page_cache"] = PageCache()
    new = address_on(customers.client, edit)
    assert new != old
    with inbound_app.app_context():
        assert inbound.recipient(db, "pruef.localhost", old)["customer_id"] == customer["id"]
        assert inbound.recipient(db, "pruef.localhost", new)["customer_id"] == customer["id"]
