"""The test mail on the Mailjet path, through a relay on loopback that plays Mailjet's
(STARTTLS on the relay port, API key as user, secret as password)."""

import base64
import re

import pytest
from helpers.web import wait_for_run
from smtpserver import PASSWORD, USER

from mitwirkung import store

DNS_ITEMS = ("dns-verification", "dns-spf", "dns-dkim")


@pytest.fixture
def relay_app(app, certs, kunde_dns, kunde_mail):
    app.config.update(
        DNS_NAMESERVERS=[kunde_dns.nameserver],
        SMTP_ALLOWED_NETWORKS=["127.0.0.0/8"],
        SMTP_ALLOWED_PORTS=[kunde_mail.port],
        SMTP_CA_FILE=certs.ca_file,
        SMTP_TIMEOUT=5,
        MAILJET_SMTP_HOST="mail.kunde.test",
        MAILJET_SMTP_PORT=kunde_mail.port,
        MAILJET_API_KEY=USER,
        MAILJET_API_SECRET=PASSWORD,
    )
    return app


@pytest.fixture
def mailjet_customer(relay_app, customers, auth, db):
    auth.login()
    customer, edit, _ = customers.create(domain="kunde.test", path="mailjet")
    url = f"/manage/customers/{customer['id']}"
    fields = {"domain": "kunde.test", "verification_name": "mailjet._a1b2c3d4",
              "verification_value": "a1b2c3d4e5f60718", "dkim_selector": "mailjet"}  # fmt: skip
    assert customers.post(f"{url}/mailjet", fields, token_from=url).status_code == 303
    return customer, edit


def make_ready(db, customer_id, sender_status="Active"):
    """What a green DNS check and Mailjet's validation leave behind."""
    for item in DNS_ITEMS:
        store.set_item(db, customer_id, item, "done", "system", {})
    db.table("mailjet_state").upsert(
        {"customer_id": customer_id, "domain": "kunde.test", "sender_status": sender_status},
        pk="customer_id",
    )


def send(customers, edit, **fields):
    data = {"sender": "printpps@kunde.test", "recipient": "it@kunde.test", **fields}
    return customers.post(f"/c/{edit}/mailjet-mail", data, htmx=True, token_from=f"/c/{edit}")


@pytest.mark.parametrize(
    ("ready", "sender_status", "words"),
    [
        (False, "Active", "sobald Bestätigung, SPF und DKIM grün sind"),
        (True, "Inactive", "Mailjet hat den Absender noch nicht freigeschaltet"),
        (True, None, "Mailjet hat den Absender noch nicht freigeschaltet"),
    ],
)
def test_no_test_mail_before_dns_is_green_and_mailjet_is_active(
    mailjet_customer, customers, db, client, ready, sender_status, words
):
    customer, edit = mailjet_customer
    if ready:
        make_ready(db, customer["id"], sender_status)
    page = client.get(f"/c/{edit}").text
    # before the records are green the block is left out: nothing there to do yet
    assert (words in page) == ready and ("Testmail über Mailjet" in page) == ready
    response = send(customers, edit)
    assert response.status_code == 422 and words in response.text
    assert db.table("runs").count_where("kind = 'mailjet-mail'") == 0


def test_a_sender_outside_the_domain_is_refused_at_the_field(mailjet_customer, customers, db):
    customer, edit = mailjet_customer
    make_ready(db, customer["id"])
    response = send(customers, edit, sender="peiq@anderswo.de", recipient="it@kunde.test")
    assert response.status_code == 422
    assert "muss auf @kunde.test enden" in response.text
    assert 'value="peiq@anderswo.de"' in response.text and 'value="it@kunde.test"' in response.text


def test_the_mail_goes_through_the_relay_and_its_link_completes_mail_received(
    mailjet_customer, customers, db, client, kunde_mail
):
    customer, edit = mailjet_customer
    make_ready(db, customer["id"])
    before = len(kunde_mail.handler.messages)
    response = send(customers, edit)
    assert response.status_code == 200 and "Testmail wird über Mailjet" in response.text
    run_id = wait_for_run(db, customer["id"], "mailjet-mail")["id"]
    run = db.table("runs").get(run_id)
    assert run["outcome"] == "ok"
    assert '"path": "mailjet"' in run["settings"] and USER not in run["settings"]
    secret_b64 = base64.b64encode(PASSWORD.encode()).decode()
    assert PASSWORD not in run["result"] and secret_b64 not in run["result"]
    poll = client.get(f"/c/{edit}/runs/{run_id}", headers={"HX-Request": "true"}).text
    assert "SMTP-Protokoll ansehen" in poll and "Öffnen Sie den Link darin" in poll
    message = kunde_mail.handler.messages[before:][0]
    assert message.message["From"] == "printpps@kunde.test"
    # and to the Mailjet path's Prüfadresse, so the receiver checks Mailjet's DKIM end to end
    assert message.rcpt_tos[0] == "it@kunde.test" and len(message.rcpt_tos) == 2
    assert message.rcpt_tos[1].endswith("@pruef.localhost")
    link = re.search(r"http://mitwirkung\.test(/bestaetigen/\S+)", message.text()).group(1)
    assert customers.item_state(customer["id"], "mail-received") == "open"
    assert client.get(link).status_code == 200
    assert customers.item_state(customer["id"], "mail-received") == "done"
    assert store.item_rows(db, customer["id"])["mail-received"]["detail"]["run_id"] == run_id


def test_a_rejected_secret_gets_the_same_diagnosis_as_the_own_smtp_test(
    mailjet_customer, customers, db, client, relay_app
):
    relay_app.config["MAILJET_API_SECRET"] = "falsches-secret"
    customer, edit = mailjet_customer
    make_ready(db, customer["id"])
    send(customers, edit)
    run = wait_for_run(db, customer["id"], "mailjet-mail")
    assert run["outcome"] == "auth_failed"
    page = client.get(f"/c/{edit}").text
    assert "Was tun?" in page and "falsches-secret" not in page


def test_the_manager_can_send_it_too(mailjet_customer, customers, db, client, kunde_mail):
    customer, _ = mailjet_customer
    url = f"/manage/customers/{customer['id']}"
    assert "sobald Bestätigung, SPF und DKIM grün sind" in client.get(url).text
    make_ready(db, customer["id"])
    bad = customers.post(
        f"{url}/mailjet/test-mail",
        {"sender": "x@kunde.test", "recipient": "kein-mail"},
        token_from=url,
    )
    assert bad.status_code == 422 and 'value="kein-mail"' in bad.text
    before = len(kunde_mail.handler.messages)
    response = customers.post(f"{url}/mailjet/test-mail",
                              {"sender": "x@kunde.test", "recipient": "it@kunde.test"},
                              token_from=url)  # fmt: skip
    assert response.status_code == 303
    run = wait_for_run(db, customer["id"], "mailjet-mail")
    assert run["outcome"] == "ok" and run["actor"] == "manager:am@peiq.de"
    assert kunde_mail.handler.messages[before:][0].message["From"] == "x@kunde.test"
    assert "Testmail über Mailjet" in client.get(url).text
