"""The Empfangsprüfung's bounds: mails per address and customer, what is kept, the work per
message (signatures, DNS queries, deadline, the event loop), DKIM names that are no names, and
which mails count as evidence (the customer's From domain)."""

import json
import socket
import threading

import aiosmtplib
import inboundserver
import pytest
from dnsserver import ZoneServer
from helpers.inbound import address_of, mails, message, send
from inboundserver import InboundServer
from smtpserver import KUNDE_ZONE

from mitwirkung import receiver, store
from mitwirkung.address import AddressError, not_pruefadresse
from mitwirkung.checks.inbound import judge_message
from mitwirkung.checks.inbound.dkim import MAX_SIGNATURES
from mitwirkung.checks.inbound.wording import explain
from mitwirkung.db import now
from mitwirkung.forms import normalize_email
from mitwirkung.runs import receipt

HEAVY = 3000  # signatures of one hostile mail, each with its own d= and s=


@pytest.fixture(scope="module")
def dns():
    # the first signatures' key names never answer: the verdict is in flight for a while
    drop = [f"s{i}._domainkey.d{i}.test" for i in range(MAX_SIGNATURES)]
    with ZoneServer(KUNDE_ZONE, drop=drop) as server:
        yield server


def signed_by_many(to: str, count: int, *, d=None, s=None) -> bytes:
    """A mail from pps@kunde.test with count DKIM-Signature fields (no valid one)."""
    fields = b"".join(
        (
            f"DKIM-Signature: v=1; a=rsa-sha256; d={d or f'd{i}.test'}; s={s or f's{i}'};"
            " h=from; bh=AAAA; b=BBBB\r\n"
        ).encode()
        for i in range(count)
    )
    head = f"From: pps@kunde.test\r\nTo: {to}\r\nSubject: Viele Signaturen\r\n"
    return fields + head.encode() + b"\r\nHallo\r\n"


def reply(sock: socket.socket) -> bytes:
    """Read one (possibly multi-line) SMTP reply."""
    data = b""
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            return data
        data += chunk
        last = data.rstrip(b"\r\n").rsplit(b"\r\n", 1)[-1]
        if data.endswith(b"\r\n") and len(last) >= 4 and last[3:4] == b" ":
            return data


def test_the_greeting_names_no_software(inbound_app):
    with InboundServer(inbound_app, tls=False) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            greeting = reply(sock)
    assert greeting == b"220 pruef.peiq.test ESMTP\r\n"


def test_mails_per_address_and_per_customer_are_bounded_with_a_transient_reply(
    inbound_app, customers, db
):
    inbound_app.config.update(INBOUND_MAILS_PER_ADDRESS=2, INBOUND_MAILS_PER_CUSTOMER=3)
    customer, _, _ = customers.create(path="portal", domain="kunde.test")
    portal = address_of(inbound_app, db, customer["id"], "portal")
    own = address_of(inbound_app, db, customer["id"], "smtp-own")
    other, _, _ = customers.create(name="Anderer Verlag", path="portal", domain="kunde.test")
    elsewhere = address_of(inbound_app, db, other["id"], "portal")
    with InboundServer(inbound_app, tls=False) as server:
        for _ in range(2):
            send(server.port, message(portal), tls=False)
        with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as e:
            send(server.port, message(portal), tls=False)
        # RFC 5321 §4.2.5: a 4yz reply; the sender keeps the mail and retries later
        assert e.value.recipients[0].code == 450
        assert e.value.recipients[0].message.startswith("4.2.1")
        send(server.port, message(own), tls=False)  # the customer's third mail
        with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as e:
            send(server.port, message(own), tls=False)  # the fourth: the customer's bound
        assert e.value.recipients[0].code == 450
        send(server.port, message(elsewhere), tls=False)  # other customers are not affected
    assert len(mails(db)) == 4


def test_only_the_newest_mails_are_kept_and_headers_and_verdicts_are_bounded(
    inbound_app, customers, db
):
    inbound_app.config.update(INBOUND_KEEP_MAILS=2)
    customer, _, _ = customers.create(path="portal", domain="kunde.test")
    to = address_of(inbound_app, db, customer["id"], "portal")
    with InboundServer(inbound_app, tls=False) as server:
        for i in range(3):
            msg = message(to)
            msg.replace_header("Subject", f"Nummer {i}")
            send(server.port, msg, tls=False)
        raw = signed_by_many(to, 400, d="kunde.test", s="x")  # 400 fields, 40 KB of header
        asyncio_send_raw(server.port, to, raw)
    rows = mails(db)
    assert len(rows) == 2
    assert "Nummer 2" in rows[0]["headers"] and "Viele Signaturen" not in rows[0]["headers"]
    big = rows[1]
    assert len(big["headers"].encode()) <= receiver.HEADERS_KEPT
    verdict = json.loads(big["verdict"])
    assert len(verdict["dkim"]) == MAX_SIGNATURES and verdict["dkim_unchecked"] == 400 - 5
    assert len(big["verdict"]) < 8_000


def asyncio_send_raw(port: int, to: str, raw: bytes) -> None:
    import asyncio

    async def go():
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False, timeout=20)
        try:
            async with client:
                await client.sendmail("pps@kunde.test", [to], raw)
        finally:
            await asyncio.sleep(0.01)

    asyncio.run(go())


def test_a_mail_with_thousands_of_signatures_is_judged_with_bounded_work_off_the_loop(
    inbound_app, customers, db, dns
):
    inbound_app.config.update(INBOUND_JUDGE_TIMEOUT=4)  # the dropped keys: ~3.2 s of DNS
    customer, _, _ = customers.create(path="portal", domain="kunde.test")
    to = address_of(inbound_app, db, customer["id"], "portal")
    raw = signed_by_many(to, HEAVY)
    with InboundServer(inbound_app, tls=False) as server:
        dns.queries.clear()
        heavy = socket.create_connection(("127.0.0.1", server.port), timeout=20)
        with heavy:
            reply(heavy)
            for line in (b"EHLO pps.kunde.test", b"MAIL FROM:<pps@kunde.test>", b"RCPT TO:<"):
                heavy.sendall(line + (to.encode() + b">" if line.endswith(b"<") else b"") + b"\r\n")
                assert reply(heavy)[:1] == b"2"
            heavy.sendall(b"DATA\r\n")
            assert reply(heavy).startswith(b"354")
            heavy.sendall(raw + b".\r\n")
            # meanwhile another client is greeted and answered (generous bound: 5 s)
            with socket.create_connection(("127.0.0.1", server.port), timeout=5) as other:
                assert reply(other).startswith(b"220 ")
                other.sendall(b"EHLO other.test\r\n")
                assert reply(other).startswith(b"250")
            heavy.setblocking(False)
            with pytest.raises(BlockingIOError):
                heavy.recv(1024)  # the heavy mail is still being judged
            heavy.setblocking(True)
            heavy.settimeout(20)
            assert reply(heavy).startswith(b"250 ")
    asked = [name for name, _ in dns.queries]
    assert len(asked) <= 60
    signers = {name.split(".")[-3] for name in asked if name.endswith(".test.") and ".d" in name}
    assert signers <= {f"d{i}" for i in range(MAX_SIGNATURES)}
    [row] = mails(db)
    verdict = json.loads(row["verdict"])
    assert [e["domain"] for e in verdict["dkim"]] == [f"d{i}.test" for i in range(5)]
    assert {e["result"] for e in verdict["dkim"]} == {"temperror"}
    assert verdict["dkim_unchecked"] == HEAVY - MAX_SIGNATURES


def test_the_judge_timeout_is_a_hard_deadline(inbound_app, customers, db, monkeypatch):
    inbound_app.config.update(INBOUND_JUDGE_TIMEOUT=1)
    release = threading.Event()

    def stuck(raw, **_):
        release.wait(20)  # CPU or anything else past the deadline, until the test is answered
        raise AssertionError("never used")

    def make(app):
        return receiver.Receiver(app, stuck, lambda v: "done")

    monkeypatch.setattr(inboundserver, "make_receiver", make)
    customer, _, _ = customers.create(path="portal", domain="kunde.test")
    to = address_of(inbound_app, db, customer["id"], "portal")
    with InboundServer(inbound_app, tls=False) as server:
        try:
            with pytest.raises(aiosmtplib.SMTPDataError) as e:
                send(server.port, message(to), tls=False)
            assert not release.is_set()  # answered while the judge was still busy
        finally:
            release.set()
    assert e.value.code == 451 and mails(db) == []


@pytest.mark.parametrize(
    "d, s",
    [
        ("kunde.test", '"><svg onload=alert(1)>'),
        ("<i>evil</i>.test", "sel"),
        ("kunde..test", "sel"),
        ("kunde.test", "-sel"),
        ("kunde.test", "sel ect"),
        ("-kunde.test", "sel"),
    ],
)
def test_a_signature_whose_d_or_s_is_no_name_is_faulty_without_dns_advice(inbound_app, dns, d, s):
    raw = signed_by_many("pruef-x@pruef.peiq.test", 1, d=d, s=s)
    dns.queries.clear()
    verdict = judge_message(
        raw, peer_ip="127.0.0.1", helo="pps.kunde.test", mail_from="pps@kunde.test",
        nameservers=inbound_app.config["DNS_NAMESERVERS"], timeout=3,
    )  # fmt: skip
    [entry] = verdict.dkim
    assert (entry.result, entry.reason) == ("permerror", "signature_invalid")
    assert not any("_domainkey" in name for name, _ in dns.queries)
    [line] = [line for line in explain(verdict) if line.part == "dkim"]
    assert "Signatur fehlerhaft" in line.text
    assert "TXT-Eintrag" not in line.fix and "_domainkey" not in line.fix and not line.record


_VERDICTS: dict[int, str] = {}


@pytest.mark.parametrize("seals, signatures", [(HEAVY, HEAVY), (1, HEAVY), (MAX_SIGNATURES + 1, 0)])
def test_arc_sets_beyond_the_bound_are_reported_unchecked_without_dns(
    inbound_app, dns, seals, signatures
):
    def fields(name, count):
        return "".join(
            f"{name}: i={i + 1}; a=rsa-sha256; d=a{i}.test; s=s{i}; b=BBBB\r\n"
            for i in range(count)
        )

    raw = (fields("ARC-Seal", seals) + fields("ARC-Message-Signature", signatures)).encode()
    raw += b"From: pps@kunde.test\r\nSubject: x\r\n\r\nHallo\r\n"
    dns.queries.clear()
    verdict = judge_message(
        raw, peer_ip="127.0.0.1", helo="pps.kunde.test", mail_from="pps@kunde.test",
        nameservers=inbound_app.config["DNS_NAMESERVERS"], timeout=3,
    )  # fmt: skip
    assert verdict.arc.chain == "unchecked" and verdict.arc.instances == max(seals, signatures)
    assert not any(name.endswith("_domainkey.a0.test.") for name, _ in dns.queries)
    [line] = [line for line in explain(verdict) if line.part == "arc"]
    assert "nicht geprüft" in line.text


def many_signed_verdict(app, count: int) -> dict:
    """A real verdict on a mail with count signatures (judged once per count and module)."""
    if count not in _VERDICTS:
        raw = signed_by_many("pruef-x@pruef.peiq.test", count)
        _VERDICTS[count] = json.dumps(
            judge_message(
                raw, peer_ip="127.0.0.1", helo="pps.kunde.test", mail_from="pps@kunde.test",
                nameservers=app.config["DNS_NAMESERVERS"], timeout=1,
            ).to_dict()
        )  # fmt: skip
    return json.loads(_VERDICTS[count])


def facts(sender="pps@kunde.test") -> dict:
    return {
        "received_at": now(),
        "peer_ip": "127.0.0.1", "reverse_name": None, "reverse_confirmed": 0,
        "helo": "pps.kunde.test", "mail_from": sender, "tls_version": None,
        "tls_cipher": None, "size": 100, "headers": "From: x\r\n",
    }  # fmt: skip


def receive(app, db, customer_id, path, verdict) -> None:
    with app.app_context():
        address_of(app, db, customer_id, path)
    [row] = db.query(
        "SELECT id FROM inbound_addresses WHERE customer_id = ? AND path = ?", [customer_id, path]
    )
    target = {"address_id": row["id"], "customer_id": customer_id, "path": path}
    receipt.record(db, target, receipt.Judged(facts(), verdict, "warning"))


def test_pages_show_the_checked_signatures_and_one_line_for_the_rest(
    inbound_app, customers, db, auth
):
    verdict = many_signed_verdict(inbound_app, 40)
    old = dict(verdict, dkim=verdict["dkim"] * 600, dkim_unchecked=0)  # stored before the bound
    for stored, rest in ((verdict, "35"), (old, "2.995")):
        customer, edit, share = customers.create(path="portal", domain="kunde.test")
        receive(inbound_app, db, customer["id"], "portal", stored)
        auth.login()
        pages = [
            customers.client.get(f"/c/{edit}").text,
            customers.client.get(f"/s/{share}").text,
            customers.client.get(f"/manage/customers/{customer['id']}").text,
        ]
        for page in pages:
            assert page.count("DKIM-Signatur von") == MAX_SIGNATURES
            assert f"{rest} weitere DKIM-Signaturen, nicht geprüft" in page
            assert len(page) < 200_000


@pytest.mark.parametrize(
    "path, setup, from_domain, counts",
    [
        ("portal", None, "passrandom.test", False),
        ("portal", None, "demo-verlag.example", True),
        ("portal", None, "mail.demo-verlag.example", True),
        ("portal", None, "evildemo-verlag.example", False),
        ("portal", None, "demo-verlag.example.evil.test", False),
        ("portal", None, None, False),  # no single From
        ("smtp-own", ("smtp_settings", "sender", "pps@versand.test"), "versand.test", True),
        ("mailjet", ("mailjet_expectations", "domain", "news.example"), "news.example", True),
        ("mailjet", ("mailjet_expectations", "domain", "news.example"), "other.example", False),
    ],
)
def test_only_mail_from_the_customers_domain_counts(
    inbound_app, customers, db, path, setup, from_domain, counts
):
    customer, edit, _ = customers.create(path=path, domain="demo-verlag.example")
    if setup:
        table, column, value = setup
        row = {"customer_id": customer["id"], column: value}
        if table == "mailjet_expectations":  # the checklist shows once PEIQ entered them
            row.update(verification_name="x", verification_value="y", dkim_selector="mailjet")
        db.table(table).insert(row, pk="customer_id")
    verdict = many_signed_verdict(inbound_app, 0)
    verdict["dmarc"]["from_domain"] = from_domain
    receive(inbound_app, db, customer["id"], path, verdict)
    rows = store.item_rows(db, customer["id"], path)
    assert ("mail-received" in rows) is counts
    [row] = mails(db)
    assert row["counts"] == int(counts)
    page = customers.client.get(f"/c/{edit}").text
    notice = f"Eine E-Mail von {from_domain or 'unbekanntem Absender'} ist angekommen"
    assert (notice in page) is not counts
    if not counts:
        assert "zählt deshalb nicht" in page and "Domain demo-verlag.example" in page
        kinds = [e["kind"] for e in store.events(db, customer["id"])]
        assert "mail-received-foreign" in kinds


def test_without_any_domain_a_mail_counts(inbound_app, customers, db):
    customer, _, _ = customers.create(path="portal", domain=None)
    verdict = many_signed_verdict(inbound_app, 0)
    verdict["dmarc"]["from_domain"] = "irgendwo.test"
    receive(inbound_app, db, customer["id"], "portal", verdict)
    assert store.item_rows(db, customer["id"], "portal")["mail-received"]["detail"]["evidence"]


@pytest.mark.parametrize(
    "value", ["pruef-abc@pruef.peiq.test", "PRUEF-abc@Pruef.Peiq.Test", "x@sub.pruef.peiq.test"]
)
def test_the_product_never_mails_a_pruefadresse_from_a_field(inbound_app, auth, db, value):
    with inbound_app.app_context():
        with pytest.raises(AddressError, match="Prüfadresse"):
            normalize_email(value)
        assert normalize_email("it@pruef-peiq.test") == "it@pruef-peiq.test"
    assert not_pruefadresse("it@kunde.test", "pruef.peiq.test") == "it@kunde.test"
    auth.login()
    response = auth.customers.post("/manage/customers", {"name": "Neuer Verlag", "contact": value})
    assert response.status_code == 422
    assert "Das ist eine Prüfadresse" in response.text and 'value="Neuer Verlag"' in response.text
    assert db.table("customers").count == 0
