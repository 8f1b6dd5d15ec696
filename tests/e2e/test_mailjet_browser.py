"""The mailjet path in a real browser: manager enters Mailjet values, customer checks live DNS."""

import pytest
from dnsserver import ZoneServer
from dnszones import make_keys, zone_text
from helpers.managers import create_test_manager
from playwright.sync_api import expect

from mitwirkung import store
from mitwirkung.db import connect

DNS_ITEMS = ("dns-verification", "dns-spf", "dns-dkim", "dns-dmarc")


@pytest.fixture(scope="module")
def zone():
    with ZoneServer(zone_text(make_keys())) as server:
        yield server


@pytest.fixture
def mailjet_live(live_app, zone):
    live_app.app.config.update(DNS_NAMESERVERS=[zone.nameserver], DNS_TIMEOUT=3)
    return live_app


def test_mailjet_path_from_preparation_to_peiq_informed(mailjet_live, page, context, screenshot):
    db = connect(mailjet_live.app.config["DATABASE"])
    create_test_manager(db, "am@peiq.de", "richtig-geheim", "Anna")
    with mailjet_live.app.app_context():
        customer, edit, _ = store.create_customer(db, "Gut Verlag", "good.de", None, "t")
    customer_url = f"{mailjet_live.url}/c/{edit}"

    page.goto(customer_url)
    page.get_by_label("Einbindung eines E-Mail-Dienstes (Mailjet) durch PEIQ").check()
    page.get_by_role("button", name="Diesen Weg wählen").click()
    dns = page.locator("#dns")
    expect(dns).to_contain_text("PEIQ richtet Mailjet für Sie gerade ein")
    expect(dns.get_by_role("button", name="DNS prüfen")).to_have_count(0)
    expect(page.locator("[data-progress]")).to_have_text("0 %")

    manager = context.new_page()
    manager.goto(f"{mailjet_live.url}/manage/")
    manager.get_by_label("E-Mail").fill("am@peiq.de")
    manager.get_by_label("Passwort").fill("richtig-geheim")
    manager.get_by_role("button", name="Anmelden").click()
    manager.get_by_role("link", name="Gut Verlag").click()
    expect(manager.get_by_role("heading", name="Gut Verlag")).to_be_visible()
    mailjet = manager.locator("#mailjet")
    mailjet.get_by_label("Absender-Domain").fill("good.de")
    mailjet.get_by_label("Name des Bestätigungs-Eintrags").fill("mailjet._a1b2c3d4")
    mailjet.get_by_label("Wert des Bestätigungs-Eintrags").fill("a1b2c3d4e5f60718")
    mailjet.get_by_label("DKIM-Selektor").fill("mailjet")
    mailjet.get_by_role("button", name="Mailjet-Werte speichern").click()
    expect(manager.get_by_role("heading", name="Gut Verlag")).to_be_visible()
    expect(manager.locator("#mailjet").get_by_label("Absender-Domain")).to_have_value("good.de")

    page.reload()
    dns = page.locator("#dns")
    expect(dns).to_contain_text("good.de")
    for item_id in DNS_ITEMS:  # each record once, inside its checklist item
        expect(page.locator(f"#item-{item_id} #record-{item_id}")).to_be_visible()
        expect(page.locator(f"#record-{item_id}")).to_have_count(1)
    expect(page.locator("#host-dns-verification")).to_have_text("mailjet._a1b2c3d4")
    expect(page.locator("#value-dns-verification")).to_have_text("a1b2c3d4e5f60718")
    # before the first check no SPF value is offered (the domain may have one already;
    # a fresh record would then be a second one): the check shows which value to use
    expect(page.locator("#value-dns-spf")).to_have_count(0)
    expect(page.locator("#item-dns-spf")).to_contain_text("Drücken Sie zuerst „DNS prüfen“")
    copy = page.locator('button[data-copy="#value-dns-verification"]')
    expect(copy).to_have_accessible_name("Kopieren – Wert des Bestätigungs-Eintrags")
    expect(copy.locator("[data-copy-label]")).to_have_text("Kopieren")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=mailjet_live.url)
    copy.click()
    expect(copy.locator("[data-copy-label]")).to_have_text("Kopiert ✓")
    expect(page.locator("#announcer")).to_have_text("Wert des Bestätigungs-Eintrags kopiert")
    assert page.evaluate("navigator.clipboard.readText()") == "a1b2c3d4e5f60718"

    dns.get_by_role("button", name="DNS prüfen").click()
    for item_id in DNS_ITEMS:
        expect(page.locator(f"#item-{item_id} .badge")).to_have_text("Erledigt", timeout=15_000)
    expect(page.locator("#value-dns-spf")).to_contain_text("include:_spf.good.de")
    for item_id in DNS_ITEMS:
        item = page.locator(f"#item-{item_id}")
        expect(item.locator(".badge")).to_have_text("Erledigt")
        expect(item).to_have_class("item state-done")
        green = item.locator(".badge").evaluate("e => getComputedStyle(e).backgroundColor")
        r, g, b = (int(x) for x in green.removeprefix("rgb(").split(")")[0].split(",")[:3])
        assert g > r and g > b, f"{item_id} badge is not green: {green}"
    expect(page.locator("[data-progress]")).to_have_text("60 %")
    rows = store.item_rows(db, customer["id"])
    assert all(rows[i]["state"] == "done" for i in DNS_ITEMS)

    page.locator("#item-peiq-informed").get_by_role("button", name="PEIQ informieren").click()
    informed = page.locator("#item-peiq-informed")
    expect(informed.locator(".badge")).to_have_text("Erledigt")
    expect(informed).to_contain_text("PEIQ wurde am")
    expect(page.locator("[data-progress]")).to_have_text("80 %")

    manager.goto(f"{mailjet_live.url}/manage/")
    row = manager.get_by_role("row").filter(has_text="Gut Verlag")
    expect(row).to_contain_text("wartet auf PEIQ")
    screenshot(page, "mailjet-flow")
    db.close()
