import re

import idna
import pytest

from mitwirkung import store


def test_login_required(client):
    for url in ("/manage/", "/manage/customers/1"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/manage/login" in response.headers["Location"]


def test_post_needs_login_too(client, customers):
    customers.create()
    response = customers.post("/manage/customers", {"name": "X"})
    assert response.status_code == 302 and "/manage/login" in response.headers["Location"]
    assert customers.db.table("customers").count == 1


def test_wrong_password_is_refused_in_german(auth):
    response = auth.login(password="falsch")
    assert response.status_code == 422
    assert "E-Mail oder Passwort stimmt nicht." in response.get_data(as_text=True)
    assert auth.client.get("/manage/").status_code == 302


def test_passwords_are_hashed(auth, db):
    row = next(db.table("managers").rows)
    assert "richtig-geheim" not in row["password_hash"]
    assert row["password_hash"].startswith(("scrypt:", "pbkdf2:"))


def test_session_cookie_flags(auth):
    response = auth.login()
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_redirects_only_to_local_pages(auth, client):
    response = auth.customers.post(
        "/manage/login?next=//evil.example/x", {"email": "am@peiq.de", "password": "richtig-geheim"}
    )
    assert response.headers["Location"] == "/manage/"


def test_create_customer_and_see_links(auth, client, db):
    auth.login()
    response = auth.customers.post(
        "/manage/customers",
        {"name": "Müller Verlag", "domain": " https://www.Müller-Verlag.de/ ", "contact": ""},
    )
    assert response.status_code == 303
    customer = next(db.table("customers").rows)
    assert customer["domain"] == idna.encode("müller-verlag.de").decode()
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Anna Manager ·\n      Kund:in angelegt" in page  # German, and the manager by name
    edit = re.search(r'value="http://mitwirkung.test/c/([^"]+)"', page).group(1)
    share = re.search(r'value="http://mitwirkung.test/s/([^"]+)"', page).group(1)
    assert client.get(f"/c/{edit}").status_code == 200
    assert client.get(f"/s/{share}").status_code == 200
    dashboard = client.get("/manage/").get_data(as_text=True)
    assert "Müller Verlag" in dashboard and "noch nicht gewählt" in dashboard


def test_create_customer_with_bad_input_keeps_what_was_typed(auth, db):
    auth.login()
    response = auth.customers.post(
        "/manage/customers", {"name": "Neuer Verlag", "domain": "kein domain", "contact": "a@"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="Neuer Verlag"' in html
    assert "Ein Domainname enthält keine Leerzeichen" in html
    assert "vollständige E-Mail-Adresse" in html
    assert db.table("customers").count == 0


def test_rotating_a_link_kills_the_old_one(auth, client, customers):
    auth.login()
    customer, edit, share = customers.create()
    for which, old, prefix in (("edit", edit, "c"), ("share", share, "s")):
        url = f"/manage/customers/{customer['id']}/rotate/{which}"
        response = customers.post(url)  # without JavaScript: a page asks first
        assert response.status_code == 200
        assert "funktioniert danach sofort nicht mehr" in response.text
        assert 'name="confirm" value="ja"' in response.text
        assert client.get(f"/{prefix}/{old}").status_code == 200
        response = customers.post(url, {"confirm": "ja"})
        assert response.status_code == 303
        assert client.get(f"/{prefix}/{old}").status_code == 404
    with customers.app.app_context():
        new_edit, new_share = store.link_tokens(store.get_customer(customers.db, customer["id"]))
    assert client.get(f"/c/{new_edit}").status_code == 200
    assert client.get(f"/s/{new_share}").status_code == 200


def test_archiving_hides_the_customer_and_kills_its_links(auth, client, customers):
    auth.login()
    customer, edit, share = customers.create(name="Alt GmbH")
    url = f"/manage/customers/{customer['id']}/archive"
    assert "Ja, archivieren" in customers.post(url).text  # asks first
    assert "Alt GmbH" in client.get("/manage/").text
    customers.post(url, {"confirm": "ja"})
    for link in (f"/c/{edit}", f"/s/{share}", f"/c/{edit}/status.json"):
        response = client.get(link)
        assert response.status_code == 410
        assert "Die Einrichtung für Alt GmbH ist geschlossen" in response.text
        assert "Anna Manager" not in response.text  # created by the test, nobody assigned
    assert ">Alt GmbH</a>" not in client.get("/manage/").get_data(as_text=True)


def test_dashboard_shows_path_progress_and_attention(auth, client, customers):
    auth.login()
    customer, edit, _ = customers.create(path="portal")
    customers.post(f"/c/{edit}/portal", {"portal": "portal.mueller.de", "confirm": "y"},
                   token_from=f"/c/{edit}")  # fmt: skip
    html = client.get("/manage/").get_data(as_text=True)
    assert '<td data-label="Weg">von PORTAL</td>' in html
    assert "wartet auf PEIQ" in html
    assert '<progress value="0"' in html


def test_manager_confirms_the_portal(auth, client, customers):
    auth.login()
    customer, edit, _ = customers.create(path="portal")
    url = f"/manage/customers/{customer['id']}/portal-confirm"
    assert customers.post(url).status_code == 409  # nothing named yet
    customers.post(f"/c/{edit}/portal", {"portal": "portal.mueller.de", "confirm": "y"},
                   token_from=f"/c/{edit}")  # fmt: skip
    assert "Übernahme bestätigen" in client.get(f"/manage/customers/{customer['id']}").text
    assert customers.post(url, {"portal": "portal.mueller.de"}).status_code == 303
    assert customers.item_state(customer["id"], "portal-adopt") == "done"
    assert client.get(f"/c/{edit}/status.json").get_json()["progress"] == 50


@pytest.mark.parametrize("url", ["/manage/customers/999", "/manage/customers/abc"])
def test_unknown_customer_is_404(auth, client, url):
    auth.login()
    assert client.get(url).status_code == 404


def test_manager_writes_need_csrf(auth, client, customers):
    auth.login()
    customer, edit, _ = customers.create()
    response = client.post(f"/manage/customers/{customer['id']}/rotate/edit")
    assert response.status_code == 400
    assert client.get(f"/c/{edit}").status_code == 200


def test_login_over_https_works_with_the_browsers_referer(app, auth, client):
    app.config["BASE_URL"] = "https://mitwirkung.test"
    page = client.get("/manage/login", base_url="https://mitwirkung.test").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/manage/login",
        base_url="https://mitwirkung.test",
        data={"email": "am@peiq.de", "password": "richtig-geheim", "csrf_token": token},
        headers={"Referer": "https://mitwirkung.test/manage/login"},
    )
    assert response.status_code == 303
    assert response.headers["Referrer-Policy"] == "same-origin"  # so browsers send it
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_repeated_wrong_passwords_are_throttled(auth, db):
    for _ in range(10):
        assert auth.login(password="falsch").status_code == 422
    response = auth.login()  # even the right password waits now
    assert response.status_code == 429 and "Zu viele Fehlversuche" in response.text


def test_logout_ends_copied_sessions_too(auth, client, app):
    auth.login()
    stolen = client.get_cookie("session").value
    auth.customers.post("/manage/logout")
    other = app.test_client()
    other.set_cookie("session", stolen)
    assert other.get("/manage/").status_code == 302


def test_login_next_with_control_characters_is_ignored(auth):
    response = auth.customers.post(
        "/manage/login?next=/manage/%0d%0aSet-Cookie:x", {"email": "am@peiq.de",
                                                          "password": "richtig-geheim"}
    )  # fmt: skip
    assert response.status_code == 303 and response.headers["Location"] == "/manage/"


def test_pages_are_not_cached_by_browsers_or_proxies(client, customers, auth):
    _, edit, share = customers.create()
    auth.login()
    for url in (f"/c/{edit}", f"/s/{share}", f"/c/{edit}/status.json", "/manage/"):
        response = client.get(url)
        assert response.headers["Cache-Control"] == "no-store", url
        assert "HX-Request" in response.headers["Vary"], url
