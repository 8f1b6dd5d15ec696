"""The Empfangsprüfung's receiver on loopback: who it accepts, what it refuses, what it keeps."""

import socket
import time
from datetime import timedelta

import aiosmtplib
import pytest
from dnsserver import ZoneServer
from helpers.inbound import address_of, mails, message, send
from inboundserver import InboundServer
from smtpserver import KUNDE_ZONE

from mitwirkung import inbound, store
from mitwirkung.db import frozen, utcnow


@pytest.fixture(scope="module")
def dns():
    with ZoneServer(KUNDE_ZONE) as server:  # kunde.test without SPF/DKIM/DMARC: fast answers
        yield server


def test_mail_to_the_paths_address_is_judged_stored_and_ticks_the_item(
    inbound_app, customers, db, receiver
):
    customer, _, _ = customers.create(path="portal", domain="kunde.test")
    to = address_of(inbound_app, db, customer["id"], "portal")
    assert to.endswith("@pruef.peiq.test") and len(to.split("@")[0]) >= 26
    send(receiver.port, message(to))
    [row] = mails(db)
    assert row["customer_id"] == customer["id"] and row["path"] == "portal"
    assert row["peer_ip"] == "127.0.0.1" and row["helo"] == "pps.kunde.test"
    assert row["mail_from"] == "pps@kunde.test"
    assert row["tls_version"].startswith("TLSv1.") and row["tls_cipher"]
    assert "Subject: Systembenachrichtigung" in row["headers"] and "Hallo" not in row["headers"]
    item = store.item_rows(db, customer["id"], "portal")["mail-received"]
    assert item["detail"]["evidence"] == "received"
    assert item["state"] in ("done", "warning", "failed")
    kinds = [e["kind"] for e in store.events(db, customer["id"])]
    assert "mail-received-inbound" in kinds
    # evidence counts only on its path
    assert "mail-received" not in store.item_rows(db, customer["id"], "smtp-own")


@pytest.mark.parametrize(
    "recipient",
    [
        "someone@pruef.peiq.test",
        "postmaster@gmail.com",
        "pruef-aaaaaaaaaaaaaaaaaaaaaaaaaa@pruef.peiq.test",
    ],
)
def test_unknown_recipients_are_refused_at_rcpt_and_nothing_is_stored(
    inbound_app, customers, db, receiver, recipient
):
    customers.create(path="portal")
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as e:
        send(receiver.port, message(recipient))
    assert e.value.recipients[0].code == 550
    assert mails(db) == []


def test_expired_and_archived_addresses_are_refused(inbound_app, customers, db, receiver):
    old, _, _ = customers.create(path="portal")
    to = address_of(inbound_app, db, old["id"], "portal")
    with frozen(utcnow() + timedelta(days=inbound_app.config["INBOUND_ADDRESS_DAYS"] + 1)):
        with inbound_app.app_context():
            assert inbound.recipient(db, "pruef.peiq.test", to) is None
    db.execute("UPDATE inbound_addresses SET expires_at = '2000-01-01T00:00:00+00:00'")
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused):
        send(receiver.port, message(to))
    archived, _, _ = customers.create(name="Archiv GmbH", path="portal")
    to = address_of(inbound_app, db, archived["id"], "portal")
    store.archive_customer(db, archived["id"], "test")
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused):
        send(receiver.port, message(to))
    assert mails(db) == []


def test_rotation_refuses_the_old_address_and_accepts_the_new(inbound_app, customers, db, receiver):
    customer, _, _ = customers.create(path="mailjet")
    old = address_of(inbound_app, db, customer["id"], "mailjet")
    with inbound_app.app_context():
        new = inbound.rotate(db, inbound_app.config, customer["id"], "mailjet", "customer")
    assert new != old and new == address_of(inbound_app, db, customer["id"], "mailjet")
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused):
        send(receiver.port, message(old))
    send(receiver.port, message(new))
    assert len(mails(db)) == 1


def test_no_tls_and_null_sender_are_received_and_recorded_as_such(
    inbound_app, customers, db, receiver
):
    customer, _, _ = customers.create(path="portal")
    to = address_of(inbound_app, db, customer["id"], "portal")
    send(receiver.port, message(to), sender="", tls=False)
    [row] = mails(db)
    assert row["tls_version"] is None and row["tls_cipher"] is None
    assert row["mail_from"] == ""


def test_oversize_mail_is_refused_and_nothing_is_stored(inbound_app, customers, db, tmp_path):
    inbound_app.config["INBOUND_MAX_SIZE"] = 2000
    customer, _, _ = customers.create(path="portal")
    to = address_of(inbound_app, db, customer["id"], "portal")
    with InboundServer(inbound_app) as server:
        with pytest.raises(aiosmtplib.SMTPResponseException) as e:
            send(server.port, message(to, size=5000))
        assert e.value.code == 552
        send(server.port, message(to, size=100))
    assert len(mails(db)) == 1


def dialogue(port, lines: list[bytes]) -> bytes:
    """Speak raw SMTP (what a well-behaved client library never sends) and return the replies."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.recv(1024)
        for line in lines:
            sock.sendall(line)
        sock.sendall(b"QUIT\r\n")
        data = b""
        while b"221 " not in data and (chunk := sock.recv(4096)):
            data += chunk
    return data


def test_bare_lf_smuggling_is_refused_and_nothing_is_stored(inbound_app, customers, db, receiver):
    customer, _, _ = customers.create(path="portal")
    to = address_of(inbound_app, db, customer["id"], "portal").encode()
    envelope = [b"EHLO evil.test\r\n", b"MAIL FROM:<a@evil.test>\r\n", b"RCPT TO:<" + to + b">\r\n"]
    smuggled = (
        b"Subject: harmless\r\n\r\nhi\n.\nMAIL FROM:<ceo@kunde.test>\nRCPT TO:<" + to + b">\n"
        b"DATA\nSubject: smuggled\n\nforged\n.\r\n"  # "\n.\r\n" ends nothing here (RFC 5321)
        b"\r\n.\r\n"  # the real end of DATA
    )
    replies = dialogue(receiver.port, [*envelope, b"DATA\r\n", smuggled])
    assert b"554 5.6.0" in replies and b"354" in replies
    assert replies.count(b"250 ") == 3  # MAIL, RCPT, ... and no second message accepted
    assert mails(db) == []
    # a bare CR the same
    replies = dialogue(receiver.port, [*envelope, b"DATA\r\n", b"Subject: x\r\n\r\na\rb\r\n.\r\n"])
    assert b"554 5.6.0" in replies and mails(db) == []


def test_connections_per_address_are_bounded(inbound_app, customers, db):
    inbound_app.config["INBOUND_CONNECTIONS_PER_ADDRESS"] = 2
    with InboundServer(inbound_app) as server:
        held = [socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in range(2)]
        try:
            assert all(s.recv(1024).startswith(b"220") for s in held)
            with socket.create_connection(("127.0.0.1", server.port), timeout=5) as third:
                assert third.recv(1024).startswith(b"421 4.7.0")
        finally:
            for s in held:
                s.close()


def test_session_time_is_bounded_even_for_a_busy_client(inbound_app):
    inbound_app.config["INBOUND_SESSION_SECONDS"] = 1
    with InboundServer(inbound_app) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            data = sock.recv(1024)
            try:
                for _ in range(50):  # never idle: a NOOP every 0.1 s, for up to 5 s
                    sock.sendall(b"NOOP\r\n")
                    time.sleep(0.1)
                    data += sock.recv(4096)
                    if b"421 " in data:
                        break
            except (ConnectionResetError, BrokenPipeError):
                pass
    assert b"421 4.4.2" in data


def test_purge_drops_old_mails_after_keep_days(inbound_app, customers, db, receiver):
    customer, _, _ = customers.create(path="portal")
    send(receiver.port, message(address_of(inbound_app, db, customer["id"], "portal")))
    keep = inbound_app.config["INBOUND_KEEP_DAYS"]
    with frozen(utcnow() + timedelta(days=keep - 1)):
        assert inbound.purge(db, keep) == 0
    with frozen(utcnow() + timedelta(days=keep + 1)):
        assert inbound.purge(db, keep) == 1
    assert mails(db) == []


def test_a_line_over_1000_octets_is_refused_and_nothing_is_stored(
    inbound_app, customers, db, receiver
):
    customer, _, _ = customers.create(path="portal")
    to = address_of(inbound_app, db, customer["id"], "portal").encode()
    envelope = [b"EHLO x.test\r\n", b"MAIL FROM:<a@kunde.test>\r\n", b"RCPT TO:<" + to + b">\r\n"]
    body = b"Subject: lang\r\n\r\n" + b"x" * 1200 + b"\r\n.\r\n"  # RFC 5321 4.5.3.1.6
    replies = dialogue(receiver.port, [*envelope, b"DATA\r\n", body])
    assert b"500 Line too long" in replies and mails(db) == []
