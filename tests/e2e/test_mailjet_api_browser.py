"""Mailjet's API and the provider's steps in a real browser: values fetched by the manager,
the customer's DNS check, Mailjet's own view, and the panel steps under each record."""

import pytest
from dnsserver import ZoneServer
from dnszones import make_keys, zone_text
from helpers.managers import create_test_manager
from mailjetserver import MailjetApi
from playwright.sync_api import expect

from mitwirkung import store
from mitwirkung.db import connect


@pytest.fixture(scope="module")
def keys():
    return make_keys()


@pytest.fixture(scope="module")
def zone(keys):
    with ZoneServer(zone_text(keys)) as server:
        yield server


@pytest.fixture(scope="module")
def api(keys):
    with MailjetApi() as server:
        server.add_domain("good.de", token="a1b2c3d4e5f60718", dkim_key=keys.rsa2048)
        yield server


@pytest.fixture
def site(live_app, zone, api):
    live_app.app.config.update(
        DNS_NAMESERVERS=[zone.nameserver], DNS_TIMEOUT=3, MAILJET_API_URL=api.url,
        MAILJET_API_KEY="peiq-key", MAILJET_API_SECRET="peiq-secret",
    )  # fmt: skip
    return live_app


def test_values_from_mailjet_to_a_green_check_with_mailjets_view(site, page, context, screenshot):
    db = connect(site.app.config["DATABASE"])
    create_test_manager(db, "am@peiq.de", "richtig-geheim", "Anna")
    with site.app.app_context():
        customer, edit, _ = store.create_customer(db, "Gut Verlag", "good.de", None, "t")
    store.set_path(db, customer["id"], "mailjet", "t")

    manager = context.new_page()
    manager.goto(f"{site.url}/manage/")
    manager.get_by_label("E-Mail").fill("am@peiq.de")
    manager.get_by_label("Passwort").fill("richtig-geheim")
    manager.get_by_role("button", name="Anmelden").click()
    manager.get_by_role("link", name="Gut Verlag").click()
    mailjet = manager.locator("#mailjet")
    mailjet.get_by_label("Absender-Domain").fill("good.de")
    mailjet.get_by_role("button", name="Werte von Mailjet holen").click()
    expect(manager.get_by_text("Werte von Mailjet für good.de übernommen")).to_be_visible()
    expect(manager.locator("#mailjet-status")).to_contain_text("noch nicht aktiv")

    page.goto(f"{site.url}/c/{edit}")
    dns = page.locator("#dns")
    expect(page.locator("#host-dns-verification")).to_have_text("mailjet._a1b2c3d4")
    dns.get_by_role("button", name="DNS prüfen").click()
    for item_id in ("dns-verification", "dns-spf", "dns-dkim"):  # each record inside its item
        expect(page.locator(f"#item-{item_id} .badge")).to_have_text("Erledigt", timeout=15_000)
    expect(page.locator("#dns-provider")).to_contain_text("dns-provider.net")
    expect(page.locator("#dns-provider")).to_contain_text("Mailjet hat ihn noch nicht gesehen")
    steps = page.locator("#steps-dns-dkim")
    steps.locator("summary").click()
    expect(steps).to_contain_text("Tragen Sie bei „Host / Name“ „mailjet._domainkey“ ein")
    expect(page.locator("#mailjet-mail")).to_contain_text("noch nicht freigeschaltet")

    manager.reload()
    expect(manager.locator("#mailjet-status")).to_contain_text("fehlerhaft")
    screenshot(page, "mailjet-api-flow")
    screenshot(manager, "mailjet-api-manager")
    db.close()
