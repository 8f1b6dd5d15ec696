"""Mail to a Prüfadresse, judged on the test DNS, turns mail-received as a receiver would decide.

Signed mails (tests/mailsigning.py) go with aiosmtplib to the receiver on loopback, directly or
through an SMTP lab relay that adds its own Received header, as a provider's relay does.
"""

import aiosmtplib
import pytest
from aiosmtpd.controller import Controller
from dnsserver import ZoneServer
from helpers.inbound import deliver
from inboundserver import client_context
from mailsigning import SigningKey, message, sign
from smtpserver import free_port

from mitwirkung import inbound, store
from mitwirkung.db import now

RELAY = "relay.kunde.test"  # 127.0.0.1's PTR name in this DNS; the mails come from it
KEY = SigningKey.make(1024)
PROVIDER = SigningKey.make(1024)


def zones() -> str:
    return f"""\
$ORIGIN kunde.test.
$TTL 60
@        IN SOA ns.kunde.test. hostmaster.kunde.test. 1 3600 600 86400 60
@        IN NS  ns.kunde.test.
@        IN TXT "v=spf1 ip4:127.0.0.1 -all"
_dmarc   IN TXT "v=DMARC1; p=reject"
relay    IN A   127.0.0.1
mailjet._domainkey IN TXT {KEY.txt()}
$ORIGIN lax.test.
@        IN SOA ns.lax.test. hostmaster.lax.test. 1 3600 600 86400 60
@        IN NS  ns.lax.test.
@        IN TXT "v=spf1 ip4:192.0.2.1 -all"
_dmarc   IN TXT "v=DMARC1; p=none"
$ORIGIN strict.test.
@        IN SOA ns.strict.test. hostmaster.strict.test. 1 3600 600 86400 60
@        IN NS  ns.strict.test.
@        IN TXT "v=spf1 ip4:192.0.2.1 -all"
_dmarc   IN TXT "v=DMARC1; p=reject"
$ORIGIN revoked.test.
@        IN SOA ns.revoked.test. hostmaster.revoked.test. 1 3600 600 86400 60
@        IN NS  ns.revoked.test.
@        IN TXT "v=spf1 ip4:192.0.2.1 -all"
_dmarc   IN TXT "v=DMARC1; p=quarantine"
old._domainkey IN TXT "v=DKIM1; k=rsa; p="
$ORIGIN soft.test.
@        IN SOA ns.soft.test. hostmaster.soft.test. 1 3600 600 86400 60
@        IN NS  ns.soft.test.
@        IN TXT "v=spf1 ~all"
$ORIGIN perm.test.
@        IN SOA ns.perm.test. hostmaster.perm.test. 1 3600 600 86400 60
@        IN NS  ns.perm.test.
@        IN TXT "v=spf1 frobnicate:perm.test -all"
$ORIGIN mailjet.test.
@        IN SOA ns.mailjet.test. hostmaster.mailjet.test. 1 3600 600 86400 60
@        IN NS  ns.mailjet.test.
mj._domainkey IN TXT {PROVIDER.txt()}
$ORIGIN test.
@        IN SOA ns.test. hostmaster.test. 1 3600 600 86400 60
@        IN NS  ns.test.
$ORIGIN 0.0.127.in-addr.arpa.
@        IN SOA ns.kunde.test. hostmaster.kunde.test. 1 3600 600 86400 60
@        IN NS  ns.kunde.test.
1        IN PTR relay.kunde.test.
"""


@pytest.fixture(scope="module")
def dns():
    with ZoneServer(zones(), servfail=["silent.test.", "_dmarc.silent.test."]) as server:
        yield server


def portal_customer(customers, app, db, domain="kunde.test"):
    customer, _, _ = customers.create(path="portal", domain=domain)
    with app.app_context():
        to = inbound.current_address(db, app.config, customer["id"], "portal")
    return customer, to


def received(db, customer_id):
    return store.item_rows(db, customer_id, "portal")["mail-received"]


@pytest.mark.parametrize(
    "from_, sign_as, sender, state, dmarc",
    [
        ("pps@kunde.test", ("kunde.test", "mailjet", KEY), "pps@kunde.test", "done", "pass"),
        # SPF fails for the From domain, but the DKIM signature of kunde.test is aligned
        ("pps@kunde.test", ("kunde.test", "mailjet", KEY), "bounce@lax.test", "done", "pass"),
        # only the provider signs (not aligned), SPF fails, policy none: spam folder likely
        ("pps@lax.test", ("mailjet.test", "mj", PROVIDER), "pps@lax.test", "warning", "fail"),
        # no aligned pass under p=reject: a receiver following the policy rejects it
        ("pps@strict.test", None, "pps@strict.test", "failed", "fail"),
        # the key was revoked (empty p=), SPF fails, p=quarantine: the spam folder
        ("pps@revoked.test", ("revoked.test", "old", KEY), "pps@revoked.test", "failed", "fail"),
        # the sender's DNS does not answer: "nicht prüfbar", never a failure
        ("pps@silent.test", None, "pps@silent.test", "warning", "temperror"),
        # SPF softfail and SPF permerror (unknown mechanism), no DMARC record: spam risk
        ("pps@soft.test", None, "pps@soft.test", "warning", "none"),
        ("pps@perm.test", None, "pps@perm.test", "warning", "none"),
        # the key is missing (no record at the selector), SPF of another domain: p=reject
        ("pps@kunde.test", ("kunde.test", "gone", KEY), "bounce@lax.test", "failed", "fail"),
    ],
)
def test_the_verdict_sets_the_item_state(
    inbound_app, customers, db, receiver, from_, sign_as, sender, state, dmarc
):
    customer, to = portal_customer(customers, inbound_app, db, from_.split("@")[1])
    raw = message(from_=from_, to=to)
    if sign_as:
        raw = sign(raw, sign_as[2], domain=sign_as[0], selector=sign_as[1])
    deliver(receiver.port, raw, to, sender, helo=RELAY)
    item = received(db, customer["id"])
    assert item["state"] == state and item["detail"]["evidence"] == "received"
    mail = inbound.latest(db, customer["id"], "portal")
    assert mail["verdict"]["dmarc"]["result"] == dmarc
    assert mail["reverse_name"] == "relay.kunde.test" and mail["reverse_confirmed"] == 1
    assert mail["state"] == state
    spf = {"soft.test": "softfail", "perm.test": "permerror", "silent.test": "temperror"}
    if from_.split("@")[1] in spf:
        assert mail["verdict"]["spf"]["result"] == spf[from_.split("@")[1]]


def test_two_signatures_and_a_body_altered_on_the_way(inbound_app, customers, db, receiver):
    customer, to = portal_customer(customers, inbound_app, db)
    raw = sign(message(to=to), KEY, domain="kunde.test", selector="mailjet")
    raw = sign(raw, PROVIDER, domain="mailjet.test", selector="mj")
    deliver(receiver.port, raw, to, "pps@kunde.test", helo=RELAY)
    verdict = inbound.latest(db, customer["id"], "portal")["verdict"]
    assert [(s["domain"], s["result"]) for s in verdict["dkim"]] == [
        ("mailjet.test", "pass"),
        ("kunde.test", "pass"),
    ]
    altered = raw.replace(b"Rechnungslauf", b"Rechnungslauf NICHT")
    deliver(receiver.port, altered, to, "pps@kunde.test", helo=RELAY)
    verdict = inbound.latest(db, customer["id"], "portal")["verdict"]
    assert {s["result"] for s in verdict["dkim"]} == {"fail"}
    assert received(db, customer["id"])["state"] == "done"  # SPF still aligned: DMARC passes
    # a signed header changed on the way, and SPF is another domain's: p=reject applies
    header = raw.replace(b"Subject: Testmail", b"Subject: Testmail (weitergeleitet)")
    deliver(receiver.port, header, to, "bounce@lax.test", helo=RELAY)
    verdict = inbound.latest(db, customer["id"], "portal")["verdict"]
    assert {s["result"] for s in verdict["dkim"]} == {"fail"}
    assert received(db, customer["id"])["state"] == "failed"


class Relay:
    """An SMTP lab relay: accepts anything and forwards it to the receiver with a Received."""

    def __init__(self, target_port: int):
        self.target_port = target_port

    async def handle_DATA(self, server, session, envelope):
        received = (
            f"Received: from {session.host_name} ([{session.peer[0]}])\r\n"
            f"\tby relay.kunde.test with ESMTP; Sun, 06 Dec 2026 12:00:00 +0000\r\n"
        ).encode()
        client = aiosmtplib.SMTP(
            hostname="127.0.0.1", port=self.target_port, start_tls=True,
            tls_context=client_context(), local_hostname="relay.kunde.test",
        )  # fmt: skip
        async with client:
            await client.sendmail(
                envelope.mail_from, envelope.rcpt_tos, received + envelope.original_content
            )
        return "250 OK"


def test_through_a_relay_the_relays_address_is_judged(inbound_app, customers, db, receiver):
    customer, to = portal_customer(customers, inbound_app, db)
    port = free_port()
    controller = Controller(Relay(receiver.port), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        raw = sign(message(to=to), KEY, domain="kunde.test", selector="mailjet")
        deliver(port, raw, to, "pps@kunde.test", tls=False, helo=RELAY)
    finally:
        controller.stop()
    mail = inbound.latest(db, customer["id"], "portal")
    assert mail["headers"].startswith("Received: from relay.kunde.test")
    assert mail["verdict"]["spf"]["result"] == "pass"
    assert received(db, customer["id"])["state"] == "done"


def test_the_delay_since_the_product_handed_the_test_mail_over_is_recorded(
    inbound_app, customers, db, receiver
):
    customer, _, _ = customers.create(path="smtp-own", domain="kunde.test")
    with inbound_app.app_context():
        to = inbound.current_address(db, inbound_app.config, customer["id"], "smtp-own")
    db.table("runs").insert(
        {"customer_id": customer["id"], "kind": "smtp", "state": "done", "outcome": "ok",
         "started_at": now(), "finished_at": now()}
    )  # fmt: skip
    raw = sign(message(to=to), KEY, domain="kunde.test", selector="mailjet")
    deliver(receiver.port, raw, to, "pps@kunde.test", helo=RELAY)
    mail = inbound.latest(db, customer["id"], "smtp-own")
    assert mail["delay_ms"] is not None and 0 <= mail["delay_ms"] < 60_000
    assert store.item_rows(db, customer["id"], "smtp-own")["mail-received"]["state"] == "done"
