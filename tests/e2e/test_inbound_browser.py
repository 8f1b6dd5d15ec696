"""The Empfangsprüfung in Chromium: on every path the customer copies the Prüfadresse, a mail
arrives and the page turns without a reload; rotation answers in place; the manager sees it."""

import asyncio
import re
import threading

import aiosmtplib
import pytest
from cryptography.fernet import Fernet
from dnsserver import ZoneServer
from e2e.conftest import LiveServer
from helpers.managers import create_test_manager
from inboundserver import InboundServer, client_context
from mailsigning import SigningKey, message, sign
from playwright.sync_api import expect

from app import create_app
from mitwirkung import store
from mitwirkung.db import connect

KEY = SigningKey.make(1024)
ZONE = f"""\
$ORIGIN kunde.test.
$TTL 60
@        IN SOA ns.kunde.test. hostmaster.kunde.test. 1 3600 600 86400 60
@        IN NS  ns.kunde.test.
@        IN TXT "v=spf1 ip4:127.0.0.1 -all"
_dmarc   IN TXT "v=DMARC1; p=reject"
pps._domainkey IN TXT {KEY.txt()}
$ORIGIN strict.test.
@        IN SOA ns.strict.test. hostmaster.strict.test. 1 3600 600 86400 60
@        IN NS  ns.strict.test.
@        IN TXT "v=spf1 ip4:192.0.2.1 -all"
_dmarc   IN TXT "v=DMARC1; p=reject"
pps._domainkey IN TXT {KEY.txt()}
"""


@pytest.fixture(scope="module")
def zones():
    with ZoneServer(ZONE) as server:
        yield server


@pytest.fixture(scope="module")
def server(tmp_path_factory, zones):
    folder = tmp_path_factory.mktemp("inbound")
    app = create_app(
        {
            "DATABASE": str(folder / "e2e.db"),
            "SECRET_KEY": "e2e-secret",
            "ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "SHARE_REFRESH_SECONDS": 1,
            "DNS_NAMESERVERS": [zones.nameserver],
        }
    )
    app.instance_path = str(folder / "instance")
    db = connect(app.config["DATABASE"])
    create_test_manager(db, "am@peiq.de", "richtig-geheim", "Anna Manager")
    db.close()
    with LiveServer(app) as live, InboundServer(app) as receiver:
        live.receiver = receiver
        yield live
    app.extensions["runner"].shutdown()


def deliver(port: int, to: str, signed: bool = True, sender: str = "pps@kunde.test") -> None:
    """Send from another thread: Playwright's sync API holds this thread's event loop."""
    raw = message(from_=f"PEIQ PRINT PPS <{sender}>", to=to)
    if signed:
        raw = sign(raw, KEY, domain=sender.rpartition("@")[2], selector="pps")

    async def go():
        client = aiosmtplib.SMTP(
            hostname="127.0.0.1", port=port, start_tls=True, tls_context=client_context(),
            local_hostname="pps.kunde.test", timeout=10,
        )  # fmt: skip
        try:
            async with client:
                await client.sendmail(sender, [to], raw)
        finally:
            await asyncio.sleep(0.01)

    thread = threading.Thread(target=lambda: asyncio.run(go()))
    thread.start()
    thread.join(20)


def customer_on(server, path: str, name: str, domain: str = "kunde.test"):
    db = connect(server.app.config["DATABASE"])
    with server.app.test_request_context():
        customer, edit, _ = store.create_customer(db, name, domain, None, "test")
    store.set_path(db, customer["id"], path, "test")
    if path == "mailjet":
        db.table("mailjet_expectations").insert(
            {"customer_id": customer["id"], "domain": "kunde.test", "verification_name": "x",
             "verification_value": "y", "dkim_selector": "mailjet"}
        )  # fmt: skip
    if path == "portal":
        store.set_item(db, customer["id"], "portal-adopt", "done", "manager:am@peiq.de",
                       {"portal": "portal.kunde.test"})  # fmt: skip
    db.close()
    return customer, edit


@pytest.mark.parametrize("path", ["portal", "smtp-own", "mailjet"])
def test_a_mail_to_the_pruefadresse_turns_the_page_without_reload(server, page, screenshot, path):
    customer, edit = customer_on(server, path, f"Verlag {path}")
    page.goto(f"{server.url}/c/{edit}")
    item = page.locator("#item-mail-received")
    address = item.locator("#inbound-address")
    expect(address).to_have_text(re.compile(r"pruef-[a-z2-7]{26}@pruef\.localhost"))
    expect(item.get_by_role("button", name=re.compile("Kopieren"))).to_be_visible()
    deliver(server.receiver.port, address.inner_text())
    expect(item).to_contain_text("Empfang nachgewiesen", timeout=5000)
    expect(item).to_contain_text("DKIM-Signatur von kunde.test")
    expect(item.locator(".badge")).to_have_text("Erledigt")
    if path == "portal":  # the last item: the page says Geschafft, no reload
        expect(page.locator("#progress")).to_contain_text("100")
        screenshot(page, "inbound-portal-received")


def test_rotation_and_a_failing_verdict_answer_in_place(server, page, screenshot):
    customer, edit = customer_on(server, "portal", "Rotations-Verlag")
    page.goto(f"{server.url}/c/{edit}")
    item = page.locator("#item-mail-received")
    old = item.locator("#inbound-address").inner_text()
    item.get_by_role("button", name="Neue Prüfadresse erzeugen").click()
    expect(item.locator("#rotate-confirm")).to_contain_text("nimmt danach keine Mails mehr an")
    assert item.locator("#inbound-address").inner_text() == old  # nothing rotated yet
    item.get_by_role("button", name=re.compile("Ja, neue Prüfadresse erzeugen")).click()
    expect(item).to_contain_text("Neue Prüfadresse erzeugt – die alte nimmt keine Mails mehr an.")
    new = item.locator("#inbound-address").inner_text()
    assert new != old
    deliver(server.receiver.port, new, signed=False)  # SPF passes, no DKIM: DMARC via SPF
    expect(item).to_contain_text("Empfang nachgewiesen", timeout=5000)
    screenshot(page, "inbound-rotated-received")


def test_the_manager_sees_arrival_and_verdict(server, page, screenshot):
    customer, edit = customer_on(server, "portal", "Manager-Verlag")
    page.goto(f"{server.url}/c/{edit}")
    address = page.locator("#inbound-address").inner_text()
    deliver(server.receiver.port, address)
    expect(page.locator("#item-mail-received")).to_contain_text("Empfang nachgewiesen")
    page.goto(f"{server.url}/manage/login")
    page.get_by_label("E-Mail").fill("am@peiq.de")
    page.get_by_label("Passwort").fill("richtig-geheim")
    page.get_by_role("button", name="Anmelden").click()
    page.goto(f"{server.url}/manage/customers/{customer['id']}")
    section = page.locator("#inbound-verdict")
    expect(section).to_contain_text("pps@kunde.test")
    expect(section).to_contain_text("DKIM-Signatur von kunde.test")
    expect(page.locator("#manage-item-mail-received")).to_contain_text("Empfang nachgewiesen")
    expect(page.locator(".events")).to_contain_text("Mail an die Prüfadresse empfangen")
    screenshot(page, "inbound-manager")


def test_a_later_failing_mail_turns_a_finished_page_without_reload(server, page, screenshot):
    """Done and Geschafft, the page keeps a light poll: a later mail that fails DMARC turns the
    item, the progress and the Geschafft box back, out of band, no reload."""
    server.app.config["PEIQ_POLL_SECONDS"] = 1
    try:
        customer, edit = customer_on(server, "portal", "Später-Verlag", domain="strict.test")
        page.goto(f"{server.url}/c/{edit}")
        item = page.locator("#item-mail-received")
        address = item.locator("#inbound-address").inner_text()
        # WCAG 2.5.3 label in name: every copy button's accessible name starts with its text
        for button in page.locator("button[data-copy]").all():
            visible = button.locator("[data-copy-label]").inner_text()
            expect(button).to_have_accessible_name(re.compile("^" + re.escape(visible)))
        # signed by strict.test: DKIM aligned, DMARC passes although SPF fails
        deliver(server.receiver.port, address, sender="pps@strict.test")
        expect(page.locator("#done-banner")).to_contain_text("Geschafft", timeout=5000)
        # unsigned from the same domain: SPF fails, no DKIM, DMARC p=reject fails
        deliver(server.receiver.port, address, signed=False, sender="pps@strict.test")
        expect(item.locator(".badge")).not_to_have_text("Erledigt", timeout=8000)
        expect(page.locator("#done-banner")).to_have_count(0)
        expect(page.locator("#progress [data-progress]")).not_to_have_text("100 %")
        screenshot(page, "inbound-later-failure")
    finally:
        server.app.config["PEIQ_POLL_SECONDS"] = 10
