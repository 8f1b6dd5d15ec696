"""SMTP faults through the web layer: the no-login choice, secrets in stored results, German."""

import logging
import urllib.parse
from pathlib import Path

import pytest
from helpers.web import form, wait_for_run
from smtpserver import PASSWORD, USER, ScriptedServer, free_port

from mitwirkung.checks.smtp.transcript import secret_forms

NAMES = ("127.0.0.1", "mail.kunde.test")


@pytest.fixture
def smtp_app(app, certs, kunde_dns):
    app.config.update(
        DNS_NAMESERVERS=[kunde_dns.nameserver],
        SMTP_ALLOWED_NETWORKS=["127.0.0.0/8"],
        SMTP_CA_FILE=certs.ca_file,
        SMTP_TIMEOUT=5,
    )
    return app


def allow(app, server):
    app.config["SMTP_ALLOWED_PORTS"] = [server.port]


def test_no_login_choice_passes_with_a_warning(smtp_app, client, customers, auth, db):
    with ScriptedServer(ehlo=("AUTH PLAIN LOGIN",)) as server:
        allow(smtp_app, server)
        customer, edit, _ = customers.create(path="smtp-own")
        data = form(server.port, encryption="none", username="", password="", no_login="y")
        response = customers.post(f"/c/{edit}/smtp-test", data, htmx=True,
                                  token_from=f"/c/{edit}")  # fmt: skip
        assert response.status_code == 200
        run = wait_for_run(db, customer["id"])
    assert run["outcome"] == "ok"
    assert server.auth_commands == 0 and len(server.messages) == 1
    assert customers.item_state(customer["id"], "smtp-test-mail") == "warning"
    page = client.get(f"/c/{edit}").text
    assert "Erledigt, mit Hinweis" in page and "IP-Adressen, von denen PRINT PPS sendet" in page
    assert '<input checked id="no_login" name="no_login"' in page
    auth.login()
    manager = client.get(f"/manage/customers/{customer['id']}").text
    assert "keine Anmeldung" in manager and "ok_without_login" not in manager


def test_without_the_choice_nutzer_stays_required(smtp_app, customers, db):
    customer, edit, _ = customers.create(path="smtp-own")
    response = customers.post(f"/c/{edit}/smtp-test", form(587, username=""), htmx=True,
                              token_from=f"/c/{edit}")  # fmt: skip
    assert response.status_code == 422
    assert 'id="username-error">Bitte ausfüllen.' in response.text
    assert not list(db.query("SELECT * FROM runs WHERE customer_id = ?", [customer["id"]]))


@pytest.mark.parametrize(
    "echo",
    [
        f"535 5.7.8 user/{PASSWORD} rejected",
        f"535 5.7.8 <{urllib.parse.quote(PASSWORD, safe='')}@kunde.test> unknown",
    ],
)
def test_password_echoed_by_the_server_is_stored_nowhere(smtp_app, client, customers, auth, db,
                                                         certs, caplog, echo):  # fmt: skip
    caplog.set_level(logging.DEBUG)
    with ScriptedServer(ehlo=("STARTTLS", "AUTH PLAIN LOGIN"), starttls=certs.context(*NAMES),
                        replies={"AUTH": echo}) as server:  # fmt: skip
        allow(smtp_app, server)
        customer, edit, share = customers.create(path="smtp-own")
        responses = [customers.post(f"/c/{edit}/smtp-test", form(server.port), htmx=True,
                                    token_from=f"/c/{edit}")]  # fmt: skip
        run = wait_for_run(db, customer["id"])
    assert run["outcome"] == "auth_failed" and server.auth_commands == 1
    responses += [
        client.get(f"/c/{edit}/runs/{run['id']}", headers={"HX-Request": "true"}),
        client.get(f"/c/{edit}"),
        client.get(f"/s/{share}"),
        client.get(f"/c/{edit}/status.json"),
    ]
    auth.login()
    responses.append(client.get(f"/manage/customers/{customer['id']}"))
    assert "535 5.7.8" in responses[2].text and "********" in responses[2].text
    files = [Path(smtp_app.config["DATABASE"])]
    files += [Path(str(files[0]) + suffix) for suffix in ("-wal", "-shm")]
    stored = b"".join(f.read_bytes() for f in files if f.exists())
    for secret in [PASSWORD, *secret_forms(USER, PASSWORD)]:
        for response in responses:
            assert secret not in response.get_data(as_text=True)
        assert secret.encode() not in stored
        assert secret not in caplog.text


def test_umlaut_sender_without_smtputf8_is_explained_on_the_page(smtp_app, client, customers,
                                                                 db, certs):  # fmt: skip
    with ScriptedServer(ehlo=("STARTTLS", "AUTH PLAIN"), starttls=certs.context(*NAMES)) as s:
        allow(smtp_app, s)
        customer, edit, _ = customers.create(path="smtp-own")
        customers.post(f"/c/{edit}/smtp-test", form(s.port, sender="büro@verlag.test"),
                       htmx=True, token_from=f"/c/{edit}")  # fmt: skip
        run = wait_for_run(db, customer["id"])
    assert run["outcome"] == "smtputf8_missing"
    page = client.get(f"/c/{edit}").text
    assert "Absenderadresse büro@verlag.test enthält vor dem @ Umlaute" in page


def test_idn_addresses_are_stored_as_a_labels_and_shown_in_unicode(smtp_app, client, customers,
                                                                  auth, db):  # fmt: skip
    with ScriptedServer(ehlo=()) as server:
        allow(smtp_app, server)
        customer, edit, share = customers.create(path="smtp-own")
        data = form(server.port, encryption="none", no_login="y", sender="versand@bücher.test",
                    recipient="it@bücher.test")  # fmt: skip
        customers.post(f"/c/{edit}/smtp-test", data, htmx=True, token_from=f"/c/{edit}")
        wait_for_run(db, customer["id"])
    assert b"RCPT TO:<it@xn--bcher-kva.test>\r\n" in server.received
    stored = db.table("smtp_settings").get(customer["id"])
    assert stored["sender"] == "versand@xn--bcher-kva.test"
    page = client.get(f"/c/{edit}").text
    assert "unterwegs an it@bücher.test" in page and 'value="versand@bücher.test"' in page
    assert "Absenderadresse versand@bücher.test" in client.get(f"/s/{share}").text
    auth.login()
    assert "<td>versand@bücher.test</td>" in client.get(f"/manage/customers/{customer['id']}").text


def test_manager_tables_show_no_internal_codes(smtp_app, client, customers, auth, db):
    customer, edit, _ = customers.create(path="smtp-own")
    smtp_app.config["SMTP_PROBE_PORTS"] = [[587, "tls"], [465, "ssl"]]
    customers.post(f"/c/{edit}/smtp-probe", {"host": "fehlt.kunde.test"}, htmx=True,
                   token_from=f"/c/{edit}")  # fmt: skip
    wait_for_run(db, customer["id"], kind="probe")
    # an unknown host is refused at the field before any run; a closed port needs the run
    port = free_port()
    smtp_app.config["SMTP_ALLOWED_PORTS"] = [port]
    customers.post(f"/c/{edit}/smtp-test", form(port, host="mail.kunde.test"), htmx=True,
                   token_from=f"/c/{edit}")  # fmt: skip
    wait_for_run(db, customer["id"])
    auth.login()
    page = client.get(f"/manage/customers/{customer['id']}").text
    assert "Keine der üblichen Einstellungen funktioniert" in page
    assert "* Ergebnis: Verbindung abgelehnt" in page
    for code in ("nothing_found", "host_not_found", "connection_refused", "Ergebnis: ok"):
        assert code not in page
    history = client.get(f"/c/{edit}").text
    assert "connection_refused" not in history and "Verbindung abgelehnt" in history
