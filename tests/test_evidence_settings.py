"""Evidence belongs to the SMTP settings it tested.

Real SMTP and DNS servers on loopback; a gated proxy holds a test mail's connection until the
test lets it through, so a race is driven, not timed.
"""

import re
import socket
import threading

from helpers.web import form, wait_for_run
from smtpserver import USER

from mitwirkung import store
from mitwirkung.runs.smtp_test import STALE, TRIAL_RULE


class GatedProxy:
    """Accepts on 127.0.0.1:port, forwards to a server once `gate` is set."""

    def __init__(self, target_port: int):
        self.target, self.gate = target_port, threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client):
        self.gate.wait(30)
        with client, socket.create_connection(("127.0.0.1", self.target)) as server:
            back = threading.Thread(target=self._pipe, args=(server, client), daemon=True)
            back.start()
            self._pipe(client, server)
            back.join(30)

    @staticmethod
    def _pipe(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        self.gate.set()
        self.sock.close()


def send(customers, edit, data):
    return customers.post(f"/c/{edit}/smtp-test", data, htmx=True, token_from=f"/c/{edit}")


def confirmation_link(kunde_mail, before):
    text = kunde_mail.handler.messages[before:][-1].text()
    return re.search(r"http://mitwirkung\.test(/bestaetigen/\S+)", text).group(1)


def finish_with_link(customers, client, db, kunde_mail, customer, edit, **changes):
    """A passing test whose confirmation link was opened: smtp-own at 75 % (password open)."""
    before = len(kunde_mail.handler.messages)
    assert send(customers, edit, form(kunde_mail.port, **changes)).status_code == 200
    assert wait_for_run(db, customer["id"])["outcome"] == "ok"
    assert client.get(confirmation_link(kunde_mail, before)).status_code == 200
    store.set_item(db, customer["id"], "smtp-password", "done", "customer", {"by_hand": True})
    assert client.get(f"/c/{edit}/status.json").get_json()["progress"] == 100


def test_an_older_run_finishing_late_does_not_count(smtp_app, customers, db, kunde_mail):
    """A slow run of settings A, then a fast failing run of settings B; A ends last."""
    proxy = GatedProxy(kunde_mail.port)
    smtp_app.config["SMTP_ALLOWED_PORTS"].append(proxy.port)
    try:
        customer, edit, _ = customers.create(path="smtp-own")
        assert send(customers, edit, form(proxy.port)).status_code == 200
        assert send(customers, edit, form(kunde_mail.port, sender="info@kunde.test",
                                          password="falsch")).status_code == 200  # fmt: skip
        runs = list(db.query("SELECT id FROM runs WHERE kind = 'smtp' ORDER BY id"))
        fast = runs[-1]["id"]
        while db.table("runs").get(fast)["state"] == "running":
            pass
        assert customers.item_state(customer["id"], "smtp-test-mail") == "failed"
        proxy.gate.set()
        first = runs[0]["id"]
        while db.table("runs").get(first)["state"] == "running":
            pass
        assert db.table("runs").get(first)["outcome"] == "ok"
        assert customers.item_state(customer["id"], "smtp-test-mail") == "failed"
        assert store.get_row(db, "smtp_settings", customer["id"])["sender"] == "info@kunde.test"
        poll = customers.client.get(f"/c/{edit}/runs/{fast}", headers={"HX-Request": "true"})
        assert "Fehlgeschlagen" in poll.text
    finally:
        proxy.close()


def test_saving_other_settings_makes_the_evidence_stale(
    smtp_app, client, customers, db, kunde_mail
):
    """A passed test and the mail's arrival do not carry over to other settings."""
    customer, edit, share = customers.create(path="smtp-own")
    finish_with_link(customers, client, db, kunde_mail, customer, edit)
    data = form(kunde_mail.port, host="other.kunde.test", username="info@kunde.test")
    response = customers.post(f"/c/{edit}/smtp-settings", data, token_from=f"/c/{edit}")
    assert response.status_code == 303
    assert customers.item_state(customer["id"], "smtp-test-mail") == "open"
    assert customers.item_state(customer["id"], "mail-received") == "open"
    status = client.get(f"/s/{share}/status.json").get_json()
    assert status["progress"] == 50
    page = client.get(f"/c/{edit}").text
    assert "Geschafft" not in page and STALE in page


def test_saving_the_same_settings_keeps_the_evidence(smtp_app, client, customers, db, kunde_mail):
    customer, edit, _ = customers.create(path="smtp-own")
    finish_with_link(customers, client, db, kunde_mail, customer, edit)
    data = form(kunde_mail.port, recipient="chefin@kunde.test")  # another mailbox, same server
    customers.post(f"/c/{edit}/smtp-settings", data, token_from=f"/c/{edit}")
    assert client.get(f"/c/{edit}/status.json").get_json()["progress"] == 100


def test_a_failed_test_of_typed_settings_keeps_the_proven_ones(
    smtp_app, client, customers, db, kunde_mail
):
    """A typo in the host fails, and the saved, proven settings stay saved and done."""
    customer, edit, share = customers.create(path="smtp-own")
    finish_with_link(customers, client, db, kunde_mail, customer, edit)
    page = client.get(f"/c/{edit}").text
    assert TRIAL_RULE in page  # the rule is said before the customer presses the button
    response = send(customers, edit, form(kunde_mail.port, host="other.kunde.test", password="x"))
    assert response.status_code == 200
    run = wait_for_run(db, customer["id"])
    assert run["outcome"] == "cert_hostname"  # the certificate is not for the typed host
    assert store.get_row(db, "smtp_settings", customer["id"])["host"] == "mail.kunde.test"
    assert client.get(f"/s/{share}/status.json").get_json()["progress"] == 100
    assert "other.kunde.test:" not in client.get(f"/s/{share}").text.split("Bisherige Tests")[0]
    poll = client.get(f"/c/{edit}/runs/{run['id']}", headers={"HX-Request": "true"}).text
    assert "Ihre gespeicherten Einstellungen gelten weiter" in poll


def test_a_passed_test_of_typed_settings_replaces_the_proven_ones(
    smtp_app, client, customers, db, kunde_mail
):
    customer, edit, _ = customers.create(path="smtp-own")
    finish_with_link(customers, client, db, kunde_mail, customer, edit)
    send(customers, edit, form(kunde_mail.port, sender="info@kunde.test"))
    assert wait_for_run(db, customer["id"])["outcome"] == "ok"
    assert store.get_row(db, "smtp_settings", customer["id"])["sender"] == "info@kunde.test"
    assert customers.item_state(customer["id"], "smtp-test-mail") == "done"
    # the arrival was shown for the old server: it must be shown again for the new one
    assert customers.item_state(customer["id"], "mail-received") == "open"


def test_a_link_from_older_settings_ticks_nothing(smtp_app, client, customers, db, kunde_mail):
    customer, edit, _ = customers.create(path="smtp-own")
    before = len(kunde_mail.handler.messages)
    send(customers, edit, form(kunde_mail.port))
    wait_for_run(db, customer["id"])
    link = confirmation_link(kunde_mail, before)
    customers.post(f"/c/{edit}/smtp-settings", form(kunde_mail.port, username="info@kunde.test"),
                   token_from=f"/c/{edit}")  # fmt: skip
    page = client.get(link)
    assert page.status_code == 200 and "zählt nicht mehr" in page.text and "Danke" not in page.text
    assert customers.item_state(customer["id"], "mail-received") == "open"


def test_a_test_without_password_is_refused_at_the_field(smtp_app, customers, db, kunde_mail):
    """Enter in a test field with an empty password names the password, starts nothing."""
    customer, edit, _ = customers.create(path="smtp-own")
    response = send(customers, edit, form(kunde_mail.port, password=""))
    assert response.status_code == 422
    assert "Bitte tragen Sie das Passwort des Postfachs ein" in response.text
    assert db.table("runs").count == 0
    no_login = form(kunde_mail.port, password="", no_login="y", username=USER)
    assert send(customers, edit, no_login).status_code == 200  # no login: no password needed


def test_rate_limit_names_no_empty_field_list(smtp_app, customers, db, kunde_mail):
    """The refusal says only the limit, in correct German."""
    smtp_app.config["SMTP_TESTS_PER_CUSTOMER"] = 2
    customer, edit, _ = customers.create(path="smtp-own")
    for _ in range(2):
        send(customers, edit, form(kunde_mail.port))
        wait_for_run(db, customer["id"])
    text = send(customers, edit, form(kunde_mail.port)).text
    assert "bitte prüfen Sie: ." not in text and "Die Testmail wurde nicht gesendet." in text
    assert "in den letzten 10 Minuten schon 2 Testmails" in text


def test_confirmation_link_of_a_closed_setup_says_closed(
    smtp_app, client, customers, db, kunde_mail
):
    """410 and the closed page, not the generic 404."""
    customer, edit, _ = customers.create(path="smtp-own")
    before = len(kunde_mail.handler.messages)
    send(customers, edit, form(kunde_mail.port))
    wait_for_run(db, customer["id"])
    store.archive_customer(db, customer["id"], "test")
    page = client.get(confirmation_link(kunde_mail, before))
    assert page.status_code == 410 and "Seite nicht gefunden" not in page.text
    assert customers.item_state(customer["id"], "mail-received") == "open"


def test_without_login_the_password_is_not_needed(smtp_app, client, customers, db, kunde_mail):
    """A server without login can reach 100 %; user and password are ignored."""
    customer, edit, share = customers.create(path="smtp-own")
    data = form(kunde_mail.port, no_login="y", username="ignored@kunde.test", password="ignored")
    response = customers.post(f"/c/{edit}/smtp-settings", data, token_from=f"/c/{edit}")
    assert response.status_code == 303
    saved = store.get_row(db, "smtp_settings", customer["id"])
    assert saved["no_login"] == 1 and saved["username"] == ""
    status = client.get(f"/s/{share}/status.json").get_json()
    password = next(i for i in status["items"] if i["id"] == "smtp-password")
    assert password["state"] == "done" and password["detail"]["not_needed"] is True
    page = client.get(f"/c/{edit}").text
    item = page.split('id="item-smtp-password"')[1].split("</li>")[0]
    assert "Nicht nötig" in item and "Passwort jetzt übergeben" not in item
    assert "die IP-Adressen freigeben, von denen PEIQ sendet" in page
    # ticking the box off again asks for the password once more
    customers.post(f"/c/{edit}/smtp-settings", form(kunde_mail.port), token_from=f"/c/{edit}")
    assert customers.item_state(customer["id"], "smtp-password") == "open"
    dashboard_rows = [r for r in store.all_item_rows(db) if r["customer_id"] == customer["id"]]
    assert {r["item_id"] for r in dashboard_rows if r["state"] == "done"} == {"smtp-settings"}


def test_while_the_link_is_out_the_tick_by_hand_is_only_a_fallback(
    smtp_app, client, customers, db, kunde_mail
):
    """Right after "angenommen" the link is the evidence; by hand sits behind a question."""
    customer, edit, _ = customers.create(path="smtp-own")
    store.set_item(db, customer["id"], "smtp-password", "done", "customer", {"by_hand": True})
    before = len(kunde_mail.handler.messages)
    send(customers, edit, form(kunde_mail.port))
    wait_for_run(db, customer["id"])
    item = client.get(f"/c/{edit}").text.split('id="item-mail-received"')[1].split("</li>")[0]
    fallback = item.split('<details class="fallback">')[1].split("</details>")[0]
    assert "Ja, ich habe die Testmail erhalten</button>" in fallback
    assert "der Link darin funktioniert nicht?" in fallback
    assert "Ja, ich habe die Testmail erhalten</button>" not in item.replace(fallback, "")
    page = client.get(confirmation_link(kunde_mail, before))  # not garbled
    assert "E-Mails auf dem Weg „Einrichten des SMTP-Postfachs durch Kund:in“ ankommen" in (
        page.text
    )


def test_a_refused_port_points_to_the_probe_and_saving_is_explained(
    smtp_app, client, customers, db, kunde_mail
):
    """A refused port points to "Einstellungen ermitteln"; the page says why settings are saved."""
    customer, edit, _ = customers.create(path="smtp-own")
    clicked = send(customers, edit, form(587)).text  # nothing listens there
    assert "Ihre Einstellungen sind gespeichert, weil sie vollständig und gültig sind" in clicked
    run = wait_for_run(db, customer["id"])
    assert run["outcome"] == "connection_refused"
    poll = client.get(f"/c/{edit}/runs/{run['id']}", headers={"HX-Request": "true"}).text
    assert "auf „Einstellungen ermitteln“ – wir probieren die üblichen Ports" in poll
    assert customers.item_state(customer["id"], "smtp-settings") == "done"
    refused = send(customers, edit, form(587, sender="kein-absender"))
    assert refused.status_code == 422  # invalid settings are neither tested nor saved
    assert store.get_row(db, "smtp_settings", customer["id"])["sender"] == "versand@kunde.test"
