"""A stored result shows today's catalog wording on the customer page and the share view:
checks store codes and parameters, the page renders the German when it is shown."""

import json
import time

import pytest
from dnsserver import ZoneServer
from dnszones import make_keys, zone_text
from smtpserver import USER

from mitwirkung.checks import diagnose
from mitwirkung.checks.dns import wording

VERIFY_NAME, VERIFY_VALUE = "mailjet._a1b2c3d4", "a1b2c3d4e5f60718"


@pytest.fixture(scope="module")
def server():
    with ZoneServer(zone_text(make_keys())) as srv:
        yield srv


MAILJET = {
    "verification_name": VERIFY_NAME,
    "verification_value": VERIFY_VALUE,
    "dkim_selector": "mailjet",
    "dkim_key": "",
}


def wait_for_run(db, customer_id, kind):
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        rows = list(db.query("SELECT * FROM runs WHERE customer_id = ? AND kind = ?"
                             " ORDER BY id DESC LIMIT 1", [customer_id, kind]))  # fmt: skip
        if rows and rows[0]["state"] != "running":
            return rows[0]
        time.sleep(0.05)
    raise AssertionError(f"the {kind} run did not finish")


def test_a_changed_dns_wording_reaches_the_page_of_a_stored_check(
    app, server, client, customers, auth, monkeypatch
):
    app.config.update(DNS_NAMESERVERS=[server.nameserver], DNS_TIMEOUT=3)
    auth.login()
    customer, edit, share = customers.create(domain="empty.de", path="mailjet")
    response = customers.post(f"/manage/customers/{customer['id']}/mailjet",
                              {"domain": "empty.de", **MAILJET})  # fmt: skip
    assert response.status_code == 303
    customers.post(f"/c/{edit}/dns-check", {}, htmx=True, token_from=f"/c/{edit}")
    run = wait_for_run(customers.db, customer["id"], "dns")
    stored = json.loads(run["result"])["records"]
    assert "spf.missing" in {f["code"] for r in stored for f in r["findings"]}
    # (no page is fetched before the change: pages are cached per process until the next
    # revision, and a wording fix arrives with a new process)
    monkeypatch.setitem(
        wording.TEXTS, "spf.missing", ("Neu gesagt: unter {host} fehlt SPF.", "Neu: so geht es.")
    )
    for url in (f"/c/{edit}", f"/s/{share}"):
        page = client.get(url).text
        assert "Neu gesagt: unter" in page and "Neu: so geht es." in page, url


def test_a_changed_smtp_wording_reaches_the_page_of_a_stored_test(
    app, certs, kunde_dns, kunde_mail, client, customers, monkeypatch
):
    app.config.update(
        DNS_NAMESERVERS=[kunde_dns.nameserver], SMTP_ALLOWED_NETWORKS=["127.0.0.0/8"],
        SMTP_ALLOWED_PORTS=[kunde_mail.port], SMTP_CA_FILE=certs.ca_file, SMTP_TIMEOUT=5,
    )  # fmt: skip
    customer, edit, share = customers.create(path="smtp-own")
    settings = {
        "host": "mail.kunde.test", "port": str(kunde_mail.port), "encryption": "tls",
        "username": USER, "password": "falsch", "sender": "versand@kunde.test",
        "recipient": "it@kunde.test",
    }  # fmt: skip
    customers.post(f"/c/{edit}/smtp-test", settings, htmx=True, token_from=f"/c/{edit}")
    run = wait_for_run(customers.db, customer["id"], "smtp")
    code = json.loads(run["result"])["code"]
    next_step = diagnose.TABLE[code][2]
    monkeypatch.setitem(diagnose.TABLE, code, ("Neuer Titel", "Neu erklärt.", next_step))
    page = client.get(f"/c/{edit}").text  # the answer under the button and the history
    assert "<strong>Neuer Titel</strong>" in page and "Neu erklärt." in page
    assert "<strong>Neuer Titel</strong>" in client.get(f"/s/{share}").text  # the last test
    assert "falsch" not in run["result"]
