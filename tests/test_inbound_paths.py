"""smtp-own end to end: "Testmail senden" goes through the customer's server, which relays the
copy for the Prüfadresse to the receiver; the receipt ticks mail-received before any link."""

import re
import time
from dataclasses import dataclass

import aiosmtplib
import pytest
from dnsserver import ZoneServer
from inboundserver import InboundServer, client_context
from smtpserver import KUNDE_ZONE, PASSWORD, USER, Handler, MailServer

from mitwirkung import inbound, store

ZONE = KUNDE_ZONE + '@ IN TXT "v=spf1 ip4:127.0.0.1 -all"\n_dmarc IN TXT "v=DMARC1; p=none"\n'


@dataclass
class RelayingHandler(Handler):
    """The customer's server: queues local mail, relays mail for the Prüfadressen' domain."""

    relay_port: int = 0

    async def handle_DATA(self, server, session, envelope):
        outward = [r for r in envelope.rcpt_tos if r.endswith("@pruef.localhost")]
        if outward:
            received = (
                f"Received: from {session.host_name} by mail.kunde.test with ESMTPSA;"
                " Sun, 06 Dec 2026 12:00:00 +0000\r\n"
            ).encode()
            client = aiosmtplib.SMTP(
                hostname="127.0.0.1", port=self.relay_port, start_tls=True,
                tls_context=client_context(), local_hostname="mail.kunde.test",
            )  # fmt: skip
            async with client:
                await client.sendmail(
                    envelope.mail_from, outward, received + envelope.original_content
                )
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture(scope="module")
def dns():
    with ZoneServer(ZONE) as server:
        yield server


@pytest.fixture
def setup(app, certs, dns, tmp_path):
    app.instance_path = str(tmp_path / "instance")
    app.config["DNS_NAMESERVERS"] = [dns.nameserver]  # the receiver reads it when it starts
    with InboundServer(app) as receiver:
        handler = RelayingHandler(require_auth=True, relay_port=receiver.port)
        context = certs.context("mail.kunde.test")
        with MailServer(tls="starttls", context=context, auth=True, handler=handler) as mail:
            app.config.update(
                SMTP_ALLOWED_NETWORKS=["127.0.0.0/8"],
                SMTP_ALLOWED_PORTS=[mail.port], SMTP_CA_FILE=certs.ca_file, SMTP_TIMEOUT=10,
            )  # fmt: skip
            yield mail


def test_the_smtp_test_mail_reaches_the_receiver_and_ticks_the_item(
    app, setup, customers, db, client
):
    customer, edit, _ = customers.create(path="smtp-own")
    form = {"host": "mail.kunde.test", "port": str(setup.port), "encryption": "tls",
            "username": USER, "password": PASSWORD, "sender": "versand@kunde.test",
            "recipient": "it@kunde.test"}  # fmt: skip
    response = customers.post(f"/c/{edit}/smtp-test", form, htmx=True, token_from=f"/c/{edit}")
    assert response.status_code == 200
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        row = store.item_rows(db, customer["id"], "smtp-own").get("mail-received")
        if row:
            break
        time.sleep(0.05)
    mail = inbound.latest(db, customer["id"], "smtp-own")
    assert row["state"] == "done", mail["verdict"]
    assert row["detail"]["evidence"] == "received"
    assert mail["mail_from"] == "versand@kunde.test"
    assert mail["verdict"]["spf"]["result"] == "pass"
    assert mail["headers"].startswith("Received: from")
    assert mail["delay_ms"] is not None and 0 <= mail["delay_ms"] < 20_000
    # the customer's own copy still carries the link; opening it later keeps the verdict
    copy = setup.handler.messages[-1]
    link = re.search(r"http://mitwirkung\.test(/bestaetigen/\S+)", copy.text()).group(1)
    page = client.get(link)
    assert page.status_code == 200 and "Empfangsprüfung" in page.text
    row = store.item_rows(db, customer["id"], "smtp-own")["mail-received"]
    assert row["detail"]["evidence"] == "received"
    status = client.get(f"/c/{edit}/status.json").get_json()
    assert status["items"][-1]["detail"]["evidence"] == "received"
