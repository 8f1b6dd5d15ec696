"""The SMTP live test through the web layer, against real SMTP and DNS servers on loopback."""

import base64
import logging
import re
import socket
import subprocess
from pathlib import Path

from helpers.web import form, wait_for_run
from smtpserver import PASSWORD, USER, Tarpit

from app import create_app
from mitwirkung import store
from mitwirkung.db import now


def test_test_mail_arrives_and_its_link_confirms_arrival(
    smtp_app, client, customers, db, kunde_mail
):
    customer, edit, _ = customers.create(path="smtp-own")
    before = len(kunde_mail.handler.messages)
    response = customers.post(
        f"/c/{edit}/smtp-test", form(kunde_mail.port), htmx=True, token_from=f"/c/{edit}"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    # a quick server: the answer to the click already carries the result (SMTP_ANSWER_WAIT)
    assert 'id="item-smtp-test-mail" class="item state-done" hx-swap-oob="true"' in html
    assert 'id="smtp-answer"' in html and "Testmail wurde angenommen" in html
    assert 'hx-trigger="load delay:700ms"' not in html
    run = wait_for_run(db, customer["id"])
    assert run["outcome"] == "ok"
    assert customers.item_state(customer["id"], "smtp-test-mail") == "done"
    assert customers.item_state(customer["id"], "smtp-settings") == "done"

    poll = client.get(f"/c/{edit}/runs/{run['id']}", headers={"HX-Request": "true"}).text
    assert "Erledigt" in poll and "SMTP-Protokoll ansehen" in poll
    assert "TLS" in poll and "mail.kunde.test" in poll  # certificate subject shown

    waiting = client.get(f"/c/{edit}").text
    assert "Die Testmail ist unterwegs an it@kunde.test" in waiting and "every 5s" in waiting

    arrived = kunde_mail.handler.messages[before:]
    assert len(arrived) == 1
    message = arrived[0]
    assert message.message["From"] == "versand@kunde.test"
    # a second envelope recipient: the path's Prüfadresse (not in the headers)
    assert message.rcpt_tos[0] == "it@kunde.test" and len(message.rcpt_tos) == 2
    assert re.fullmatch(r"pruef-[a-z2-7]{26}@pruef\.localhost", message.rcpt_tos[1])
    assert "pruef-" not in str(message.message["To"])
    link = re.search(r"http://mitwirkung\.test(/bestaetigen/\S+)", message.text()).group(1)
    assert link in message.html()
    page = client.get(link)
    assert page.status_code == 200 and "Danke" in page.text
    assert customers.item_state(customer["id"], "mail-received") == "done"
    item = client.get(f"/c/{edit}/items/mail-received", headers={"HX-Request": "true"}).text
    assert "Bestätigungslink in der Testmail wurde am" in item and "every 5s" not in item
    assert 'id="progress" hx-swap-oob="true"' in item
    status = client.get(f"/c/{edit}/status.json").get_json()
    assert status["progress"] == 75  # the password hand-over is still open


def test_password_appears_nowhere(smtp_app, client, customers, db, kunde_mail, caplog):
    caplog.set_level(logging.DEBUG)
    customer, edit, share = customers.create(path="smtp-own")
    responses = [
        customers.post(
            f"/c/{edit}/smtp-test", form(kunde_mail.port), htmx=True, token_from=f"/c/{edit}"
        )  # fmt: skip
    ]
    run = wait_for_run(db, customer["id"])
    responses += [
        client.get(f"/c/{edit}/runs/{run['id']}", headers={"HX-Request": "true"}),
        client.get(f"/c/{edit}"),
        client.get(f"/s/{share}"),
        client.get(f"/c/{edit}/status.json"),
    ]
    secrets = [PASSWORD, base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode(),
               base64.b64encode(PASSWORD.encode()).decode()]  # fmt: skip
    files = [Path(smtp_app.config["DATABASE"])]
    files += [Path(str(files[0]) + suffix) for suffix in ("-wal", "-shm")]
    stored = b"".join(f.read_bytes() for f in files if f.exists())
    for secret in secrets:
        for response in responses:
            assert secret not in response.get_data(as_text=True)
        assert secret.encode() not in stored
        assert secret not in caplog.text
    assert "AUTH PLAIN ********" in run["result"] or "AUTH LOGIN" in run["result"]


def test_wrong_password_fails_with_a_german_diagnosis(smtp_app, client, customers, db, kunde_mail):
    customer, edit, _ = customers.create(path="smtp-own")
    customers.post(f"/c/{edit}/smtp-test", form(kunde_mail.port, password="falsch"), htmx=True,
                   token_from=f"/c/{edit}")  # fmt: skip
    run = wait_for_run(db, customer["id"])
    assert run["outcome"] == "auth_failed"
    assert customers.item_state(customer["id"], "smtp-test-mail") == "failed"
    page = client.get(f"/c/{edit}").text
    assert "Fehlgeschlagen" in page and "Was tun?" in page


def test_private_address_is_refused_without_connecting(smtp_app, customers, db, kunde_mail):
    smtp_app.config["SMTP_ALLOWED_NETWORKS"] = []
    customer, edit, _ = customers.create(path="smtp-own")
    before = len(kunde_mail.handler.messages)
    response = customers.post(
        f"/c/{edit}/smtp-test", form(kunde_mail.port), htmx=True, token_from=f"/c/{edit}"
    )
    # refused at the field, before any run: the test could never connect there
    assert response.status_code == 422
    assert (
        'id="host-error"' in response.text and "keine öffentliche Internetadresse" in response.text
    )
    assert db.table("runs").count == 0
    assert len(kunde_mail.handler.messages) == before


def test_plain_password_needs_confirmation(smtp_app, customers, db, kunde_mail):
    customer, edit, _ = customers.create(path="smtp-own")
    response = customers.post(f"/c/{edit}/smtp-test", form(kunde_mail.port, encryption="none"),
                              htmx=True, token_from=f"/c/{edit}")  # fmt: skip
    assert response.status_code == 422
    assert "Ohne Verschlüsselung wäre Ihr Passwort unterwegs lesbar" in response.text
    assert 'value="mail.kunde.test"' in response.text and PASSWORD not in response.text
    assert db.table("runs").count == 0


def test_rate_limit_per_customer(smtp_app, customers, db, kunde_mail):
    smtp_app.config["SMTP_TESTS_PER_CUSTOMER"] = 2
    customer, edit, _ = customers.create(path="smtp-own")
    for _ in range(2):
        r = customers.post(f"/c/{edit}/smtp-test", form(kunde_mail.port), htmx=True,
                           token_from=f"/c/{edit}")  # fmt: skip
        assert r.status_code == 200
        wait_for_run(db, customer["id"])
    response = customers.post(f"/c/{edit}/smtp-test", form(kunde_mail.port), htmx=True,
                              token_from=f"/c/{edit}")  # fmt: skip
    assert response.status_code == 422
    assert "Bitte versuchen Sie es ab" in response.text and "Uhr wieder" in response.text
    assert db.table("runs").count == 2


def test_rate_limit_per_address_spans_customers(smtp_app, customers, db, kunde_mail):
    smtp_app.config["SMTP_TESTS_PER_ADDRESS"] = 1
    first, edit1, _ = customers.create(name="A", path="smtp-own")
    _, edit2, _ = customers.create(name="B", path="smtp-own")
    customers.post(
        f"/c/{edit1}/smtp-test", form(kunde_mail.port), htmx=True, token_from=f"/c/{edit1}"
    )
    wait_for_run(db, first["id"])
    response = customers.post(f"/c/{edit2}/smtp-test", form(kunde_mail.port), htmx=True,
                              token_from=f"/c/{edit2}")  # fmt: skip
    assert response.status_code == 422 and "letzten Stunde" in response.text


def test_hanging_server_does_not_hold_the_request(smtp_app, client, customers, db, kunde_mail):
    # The server never greets; the run may wait up to SMTP_TIMEOUT. The request must answer while
    # the run is still waiting (a state, not a stopwatch: the margin is the whole timeout).
    with Tarpit() as tarpit:
        smtp_app.config.update(SMTP_ALLOWED_PORTS=[tarpit.port], SMTP_TIMEOUT=6)
        customer, edit, _ = customers.create(path="smtp-own")
        response = customers.post(
            f"/c/{edit}/smtp-test",
            form(tarpit.port, host="127.0.0.1"),
            htmx=True, token_from=f"/c/{edit}",
        )  # fmt: skip
        pending = db.execute(
            "SELECT state FROM runs WHERE customer_id = ? AND kind = 'smtp'", [customer["id"]]
        ).fetchone()[0]
        assert response.status_code == 200
        assert 'hx-trigger="load delay:700ms"' in response.text  # a slow server: polled
        assert client.get(f"/c/{edit}").status_code == 200
        run = wait_for_run(db, customer["id"])
    assert pending == "running"  # the answer came while the run still waited for a greeting
    assert run["outcome"] in ("no_greeting", "timeout")


def test_runs_left_running_by_a_dead_process_are_aborted(app, customers, db):
    customer, edit, _ = customers.create(path="smtp-own")
    gone = subprocess.Popen(["true"])
    gone.wait()  # a process of this host that has ended
    db.table("runs").insert(
        {
            "customer_id": customer["id"],
            "kind": "smtp",
            "state": "running",
            "owner": f"{socket.gethostname()}:{gone.pid}",
            "settings": "{}",
            "started_at": now(),
        }
    )
    store.set_item(db, customer["id"], "smtp-test-mail", "running", "test")
    create_app({**app.config, "TESTING": True})
    assert next(db.table("runs").rows)["state"] == "aborted"
    assert customers.item_state(customer["id"], "smtp-test-mail") == "failed"
    page = customers.client.get(f"/c/{edit}").text
    assert "Der letzte Test wurde unterbrochen" in page


def test_secure_handover_reveals_once_to_a_manager(smtp_app, client, customers, auth, db):
    customer, edit, _ = customers.create(path="smtp-own")
    response = customers.post(f"/c/{edit}/password", {"password": PASSWORD}, htmx=True,
                              token_from=f"/c/{edit}")  # fmt: skip
    assert response.status_code == 200 and PASSWORD not in response.text
    assert customers.item_state(customer["id"], "smtp-password") == "done"
    stored = Path(smtp_app.config["DATABASE"]).read_bytes()
    wal = Path(smtp_app.config["DATABASE"] + "-wal")
    stored += wal.read_bytes() if wal.exists() else b""
    assert PASSWORD.encode() not in stored and db.table("secrets").count == 1

    auth.login()
    assert "Passwort liegt zur Abholung bereit" in client.get("/manage/").text
    page = client.get(f"/manage/customers/{customer['id']}").text
    assert "Passwort einmalig anzeigen" in page and PASSWORD not in page
    revealed = customers.post(f"/manage/customers/{customer['id']}/reveal-password")
    assert PASSWORD in revealed.text and revealed.headers["Cache-Control"] == "no-store"
    assert db.table("secrets").count == 0
    again = customers.post(f"/manage/customers/{customer['id']}/reveal-password")
    assert again.status_code == 303
    assert "Passwort liegt zur Abholung bereit" not in client.get("/manage/").text
    kinds = [e["kind"] for e in store.events(db, customer["id"])]
    assert "secret-handed-over" in kinds and "secret-revealed" in kinds


def test_unrevealed_password_expires(smtp_app, client, customers, auth, db):
    smtp_app.config["SECRET_MAX_AGE_DAYS"] = -1
    customer, edit, _ = customers.create(path="smtp-own")
    customers.post(f"/c/{edit}/password", {"password": "x"}, token_from=f"/c/{edit}")
    auth.login()
    client.get("/manage/")
    assert db.table("secrets").count == 0
    assert "secret-expired" in [e["kind"] for e in store.events(db, customer["id"])]


def test_other_secure_channel_can_be_confirmed(smtp_app, customers):
    customer, edit, _ = customers.create(path="smtp-own")
    url = f"/c/{edit}/password-other-channel"
    response = customers.post(url, {}, htmx=True, token_from=f"/c/{edit}")
    assert response.status_code == 422 and "Bitte bestätigen Sie den sicheren Weg." in response.text
    customers.post(url, {"confirm": "y"}, htmx=True, token_from=f"/c/{edit}")
    assert customers.item_state(customer["id"], "smtp-password") == "done"


def test_unknown_confirmation_link_is_404(client):
    assert client.get("/bestaetigen/unbekannt").status_code == 404


def test_probe_finds_the_working_combination(smtp_app, client, customers, db, kunde_mail):
    smtp_app.config["SMTP_PROBE_PORTS"] = [[kunde_mail.port, "ssl"], [kunde_mail.port, "tls"]]
    customer, edit, _ = customers.create(path="smtp-own")
    response = customers.post(f"/c/{edit}/smtp-probe", {"host": "mail.kunde.test"}, htmx=True,
                              token_from=f"/c/{edit}")  # fmt: skip
    assert response.status_code == 200 and "aria-busy" in response.text
    run = wait_for_run(db, customer["id"], kind="probe")
    html = client.get(f"/c/{edit}/runs/{run['id']}", headers={"HX-Request": "true"}).text
    assert f'data-fill-port="{kunde_mail.port}" data-fill-encryption="tls"' in html
    assert 'data-fill-encryption="ssl"' not in html


def test_expired_password_cannot_be_revealed(smtp_app, client, customers, auth, db):
    smtp_app.config["SECRET_MAX_AGE_DAYS"] = -1
    customer, edit, _ = customers.create(path="smtp-own")
    customers.post(f"/c/{edit}/password", {"password": "x" * 12}, token_from=f"/c/{edit}")
    auth.login()
    page = client.get(f"/manage/customers/{customer['id']}").text
    assert "Passwort einmalig anzeigen" not in page
    response = customers.post(f"/manage/customers/{customer['id']}/reveal-password")
    assert response.status_code == 303 and "x" * 12 not in response.text
