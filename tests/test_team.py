"""Manager accounts: password rules, invitations, resets, deactivation, sessions (web and CLI)."""

import re

import pytest

from mitwirkung import accounts, store
from mitwirkung.logs import redact
from mitwirkung.runs.app_mail import manager_addresses

STRONG = "Kaffee-Regen-Tasse-7"
LINK = re.compile(r"http://mitwirkung\.test(/manage/zugang/[A-Za-z0-9_-]{40,})")


@pytest.mark.parametrize(
    "password, why",
    [
        ("12345678", "zu kurz"),
        ("aaaaaaaaaaaa", "wiederholt nur dieselben Zeichen"),
        ("password", "zu kurz"),
        ("password123", "häufigsten Passwörter"),
        ("1234567890", "häufigsten Passwörter"),
        ("qwertzuiop", "häufigsten Passwörter"),
        ("wanningerzorglub", "E-Mail-Adresse, Ihren Namen"),
        ("x" * 201, "zu lang"),
        ("Sommer2026!!", "Jahreszeit, Monat"),  # the first guesses of a password spray
        ("Winter2025!!", "Jahreszeit, Monat"),
        ("Dezember2026!", "Jahreszeit, Monat"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password, why):
    problem = accounts.password_problem(password, "zorglub@peiq.de", "Hanna Wanninger")
    assert problem and why in problem


@pytest.mark.parametrize(
    "password",
    [STRONG, "korrekt-pferd-batterie", "Sonnenblume-Autobahn-Kaktus-Treppenhaus-Öl-" * 3],
)
def test_strong_passwords_pass(password):
    assert accounts.password_problem(password, "anna@peiq.de", "Anna") is None


@pytest.mark.parametrize("weak", ["12345678", "aaaaaaaa", "password", "passwort123"])
def test_cli_refuses_weak_passwords(app, db, weak):
    result = app.test_cli_runner().invoke(args=["managers", "create", "a@b.de", "--password", weak])
    assert result.exit_code == 2 and "Fehler: --password:" in result.output
    assert db.table("managers").count == 0


def cli(app, *args):
    result = app.test_cli_runner().invoke(args=["managers", *args])
    return result


def test_cli_invite_link_sets_the_password_once(app, db, client, customers):
    result = cli(app, "invite", "Bernd@peiq.de", "--name", "Bernd Berater")
    assert result.exit_code == 0, result.output
    path = LINK.search(result.output).group(1)
    assert "nicht eingerichtet" in result.output  # no MAIL_SERVER: the admin passes it on
    assert "eingeladen" in cli(app, "list").output
    # nobody can log in before the link was used
    login = {"email": "bernd@peiq.de", "password": STRONG}
    assert customers.post("/manage/login", login).status_code == 422
    page = client.get(path)
    assert page.status_code == 200 and "Passwort festlegen" in page.text
    token = customers.csrf(path)
    weak = client.post(
        path, data={"csrf_token": token, "password": "bernd123", "repeat": "bernd123"}
    )
    assert weak.status_code == 422 and "zu kurz" in weak.text
    differ = client.post(path, data={"csrf_token": token, "password": STRONG, "repeat": "x"})
    assert differ.status_code == 422 and "verschieden" in differ.text
    done = client.post(path, data={"csrf_token": token, "password": STRONG, "repeat": STRONG})
    assert done.status_code == 303 and done.headers["Location"].endswith("/manage/login")
    assert client.get(path).status_code == 404  # used up
    assert customers.post("/manage/login", login).status_code == 303
    assert "aktiv" in cli(app, "list").output
    assert redact(f"GET {path} HTTP/1.1") == "GET /manage/zugang/… HTTP/1.1"


def test_cli_deactivate_activate_reset_and_set_password(app, db, auth, client, customers):
    cli(app, "create", "bernd@peiq.de", "--password", STRONG, "--name", "Bernd")
    assert cli(app, "deactivate", "nobody@peiq.de").exit_code == 2
    assert cli(app, "deactivate", "bernd@peiq.de").exit_code == 0
    login = {"email": "bernd@peiq.de", "password": STRONG}
    refused = customers.post("/manage/login", login)
    assert refused.status_code == 422 and "deaktiviert" in refused.text
    assert cli(app, "reset", "bernd@peiq.de").exit_code == 2  # deactivated: say so
    assert cli(app, "activate", "bernd@peiq.de").exit_code == 0
    assert customers.post("/manage/login", login).status_code == 303
    assert cli(app, "set-password", "bernd@peiq.de", "--password", "bernd12345").exit_code == 2
    new = "Fahrrad-Wolke-Salz-3"
    result = cli(app, "set-password", "bernd@peiq.de", "--password", new)
    assert result.exit_code == 0 and "Sitzungen beendet" in result.output
    assert client.get("/manage/").status_code == 302  # the session ended with the new password
    assert customers.post("/manage/login", login).status_code == 422
    reset = cli(app, "reset", "bernd@peiq.de")
    assert reset.exit_code == 0 and LINK.search(reset.output)


def test_the_last_active_manager_cannot_be_deactivated(app, auth):
    result = cli(app, "deactivate", "am@peiq.de")
    assert result.exit_code == 2 and "letzte aktive Zugang" in result.output


def test_logout_ends_only_this_session(app, auth, client, customers):
    auth.login()
    other = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', other.get("/manage/login").text)[1]
    data = {"email": "am@peiq.de", "password": "richtig-geheim", "csrf_token": token}
    assert other.post("/manage/login", data=data).status_code == 303
    assert "Sie haben 2 offene Sitzungen" in client.get("/manage/konto").text  # plain words
    customers.post("/manage/logout", token_from="/manage/")
    assert client.get("/manage/").status_code == 302
    assert other.get("/manage/").status_code == 200  # the second browser stays logged in
    # "Alle Sitzungen beenden" in the second browser ends every session, its own included
    page = other.get("/manage/konto")
    assert "Sie sind nur hier angemeldet (1 Sitzung)" in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
    ended = other.post("/manage/konto/sitzungen-beenden", data={"csrf_token": token})
    assert ended.status_code == 303 and other.get("/manage/").status_code == 302


def test_change_own_password_keeps_this_session_and_ends_the_others(app, auth, client, customers):
    auth.login()
    other = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', other.get("/manage/login").text)[1]
    data = {"email": "am@peiq.de", "password": "richtig-geheim", "csrf_token": token}
    other.post("/manage/login", data=data)
    form = {"current": "falsch", "password": STRONG, "repeat": STRONG}
    wrong = customers.post("/manage/konto", form, token_from="/manage/konto")
    assert wrong.status_code == 422 and "bisherige Passwort stimmt nicht" in wrong.text
    weak = {"current": "richtig-geheim", "password": "12345678", "repeat": "12345678"}
    refused = customers.post("/manage/konto", weak, token_from="/manage/konto")
    assert refused.status_code == 422 and "zu kurz" in refused.text
    form["current"] = "richtig-geheim"
    done = customers.post("/manage/konto", form, token_from="/manage/konto")
    assert done.status_code == 303
    assert client.get("/manage/konto").status_code == 200
    assert other.get("/manage/").status_code == 302
    assert auth.login(password=STRONG).status_code == 303


def test_invite_by_mail_reset_deactivate_in_the_ui(mail_app, auth, client, customers, outbox):
    auth.login()
    bad = customers.post(
        "/manage/team/invite", {"email": "a,b,c@peiq.de"}, token_from="/manage/team"
    )
    assert bad.status_code == 422 and "Bitte genau eine Adresse eingeben" in bad.text
    response = customers.post(
        "/manage/team/invite", {"email": "bernd@peiq.de", "name": "Bernd Berater"},
        token_from="/manage/team",
    )  # fmt: skip
    assert response.status_code == 303
    page = client.get("/manage/team")
    assert "Einladung an bernd@peiq.de verschickt" in page.text and "eingeladen" in page.text
    (arrived,) = outbox.handler.messages
    assert arrived.rcpt_tos == ["bernd@peiq.de"] and "Anna Manager hat Ihnen" in arrived.text()
    path = LINK.search(arrived.text()).group(1)
    again = customers.post(
        "/manage/team/invite", {"email": "am@peiq.de"}, token_from="/manage/team"
    )
    assert again.status_code == 422 and "gibt es schon" in again.text
    other = app_client(mail_app)
    token = re.search(r'name="csrf_token" value="([^"]+)"', other.get(path).text)[1]
    other.post(path, data={"csrf_token": token, "password": STRONG, "repeat": STRONG})
    bernd = accounts.by_email(auth.db, "bernd@peiq.de")
    login(other, "bernd@peiq.de", STRONG)
    assert other.get("/manage/").status_code == 200
    # a reset link mailed by a colleague; the old password holds until the new one is set
    customers.post(f"/manage/team/{bernd['id']}/reset", token_from="/manage/team")
    assert (
        "Link für ein neues Passwort an bernd@peiq.de geschickt" in client.get("/manage/team").text
    )
    assert "neues Passwort angefordert" in outbox.handler.messages[-1].text()
    # deactivating ends Bernd's session at once, and the mailed link dies with it
    customers.post(f"/manage/team/{bernd['id']}/deactivate", token_from="/manage/team")
    assert other.get("/manage/").status_code == 302
    assert client.get(LINK.search(outbox.handler.messages[-1].text()).group(1)).status_code == 404
    team = client.get("/manage/team").text
    assert "deaktiviert am" in team and "Bernd Berater: deaktiviert – von am@peiq.de" in team
    me = accounts.by_email(auth.db, "am@peiq.de")
    own = customers.post(f"/manage/team/{me['id']}/deactivate", token_from="/manage/team")
    assert own.status_code == 303 and client.get("/manage/").status_code == 200


def test_invite_without_mail_server_shows_the_link_once(app, auth, customers, client, caplog):
    """No mail server: the inviting manager gets the one-time link to pass on, shown once,
    never cached, never logged; it sets the colleague's password."""
    auth.login()
    team = client.get("/manage/team").text
    assert "Zugang anlegen und Link zeigen" in team
    response = customers.post(
        "/manage/team/invite", {"email": "bernd@peiq.de", "name": "Bernd Berater"},
        token_from="/manage/team",
    )  # fmt: skip
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    url = re.search(r'<code id="one-time-url">([^<]+)</code>', response.text).group(1)
    assert "/manage/zugang/" in url and "Bernd Berater" in response.text
    assert accounts.by_email(auth.db, "bernd@peiq.de") is not None
    token = url.rsplit("/", 1)[1]
    assert token not in caplog.text and token not in client.get("/manage/team").text
    # a new link for a colleague, again shown once; the old one dies
    bernd = accounts.by_email(auth.db, "bernd@peiq.de")
    again = customers.post(f"/manage/team/{bernd['id']}/reset", token_from="/manage/team")
    assert again.status_code == 200 and again.headers["Cache-Control"] == "no-store"
    newer = re.search(r'<code id="one-time-url">([^<]+)</code>', again.text).group(1)
    assert newer != url and client.get(url.split("127.0.0.1", 1)[-1]).status_code == 404


def test_own_row_offers_mein_zugang_not_a_reset_link(app, auth, customers, client):
    auth.login()
    me = accounts.by_email(auth.db, "am@peiq.de")
    row = client.get("/manage/team").text.split(f'id="manager-{me["id"]}"', 1)[1]
    row = row.split("</tr>", 1)[0]
    assert "Mein Zugang" in row and "neues Passwort" not in row
    refused = customers.post(f"/manage/team/{me['id']}/reset", token_from="/manage/team")
    assert refused.status_code == 303 and refused.headers["Location"].endswith("/manage/konto")


def test_team_pages_need_a_login(client):
    for url in ("/manage/team", "/manage/konto"):
        assert client.get(url).status_code == 302
    assert client.get("/manage/zugang/" + "x" * 43).status_code == 404


def app_client(app):
    return app.test_client()


def login(client, email, password):
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/manage/login").text)[1]
    data = {"email": email, "password": password, "csrf_token": token}
    assert client.post("/manage/login", data=data).status_code == 303


def test_a_deactivated_contact_is_nobody_s_contact_any_more(app, db, auth, customers):
    bernd = accounts.create_manager(db, "bernd@peiq.de", STRONG, "Bernd")
    customer, _, _ = customers.create("Kontakt Verlag", None)
    db.table("customers").update(customer["id"], {"contact_manager_id": bernd["id"]})
    assert manager_addresses(db, customer["id"]) == ["bernd@peiq.de"]
    accounts.deactivate(db, bernd["id"], "test")
    assert store.peiq_contact(db, store.get_customer(db, customer["id"])) is None
    assert manager_addresses(db, customer["id"]) == ["am@peiq.de"]  # every active one


def test_the_current_password_is_throttled_like_the_login(auth, client, customers):
    auth.login()
    form = {"current": "falsch", "password": STRONG, "repeat": STRONG}
    for _ in range(10):
        wrong = customers.post("/manage/konto", form, token_from="/manage/konto")
        assert "bisherige Passwort stimmt nicht" in wrong.text
    form["current"] = "richtig-geheim"
    blocked = customers.post("/manage/konto", form, token_from="/manage/konto")
    assert blocked.status_code == 422 and "Zu viele Fehlversuche" in blocked.text
    assert auth.login().status_code == 429  # the same budget as the login
