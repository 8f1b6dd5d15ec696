"""The managers' pages on a 390 px phone with JavaScript switched off."""

import re

import pytest
from helpers.managers import create_test_manager
from playwright.sync_api import expect

from mitwirkung import store
from mitwirkung.db import connect

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="de-DE", viewport=PHONE, java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def fits(page) -> None:
    """Nothing is wider than the phone, and "Abmelden" is on screen."""
    # a visible heading does not mean the stylesheets have loaded (slow under load)
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page is {width} px wide"
    box = page.get_by_role("button", name="Abmelden").bounding_box()
    assert box and 0 <= box["x"] and box["x"] + box["width"] <= PHONE["width"]


def test_dashboard_and_customer_page_work_on_a_phone_without_javascript(live_app, phone,
                                                                         screenshot):  # fmt: skip
    db = connect(live_app.app.config["DATABASE"])
    create_test_manager(db, "am@peiq.de", "richtig-geheim", "Anna Manager:in mit langem Namen")
    with live_app.app.test_request_context():
        for i in range(30):
            store.create_customer(db, f"Verlag {i:02d} mit einem sehr langen Firmennamen GmbH",
                                  f"sehr-lange-absender-domain-{i}.example",
                                  f"it-abteilung-{i}@sehr-lange-absender-domain-{i}.example",
                                  "manager:am@peiq.de")  # fmt: skip
    page = phone
    page.goto(f"{live_app.url}/manage/")
    page.get_by_label("E-Mail").fill("am@peiq.de")
    page.get_by_label("Passwort").fill("richtig-geheim")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", name="Kund:innen")).to_be_visible()
    fits(page)
    screenshot(page, "dashboard-phone")

    page.get_by_label("Suche").fill("Verlag 07")
    page.get_by_role("button", name="Anzeigen").click()
    expect(page.locator("#view-count")).to_have_text(re.compile(r"^1 Kund:in"))
    assert "q=Verlag+07" in page.url  # the view is in the URL
    fits(page)
    page.get_by_role("link", name=re.compile("Verlag 07")).click()
    expect(page.get_by_role("heading", name=re.compile("Verlag 07"))).to_be_visible()
    fits(page)
    screenshot(page, "customer-manage-phone")

    # the confirmation step opens without JavaScript (<details>) and does the real thing
    old = page.locator("#link-edit").input_value()
    page.locator("#links").get_by_text("Neuen Link erzeugen").first.click()
    page.get_by_role("button", name="Ja, neuen Link erzeugen").first.click()
    expect(page.get_by_text("Neuer Link erzeugt.")).to_be_visible()
    assert page.locator("#link-edit").input_value() != old

    page.get_by_text("Kund:in archivieren").click()
    page.get_by_role("button", name="Ja, archivieren").click()
    expect(page.get_by_text("ist archiviert")).to_be_visible()
    page.get_by_role("link", name="Archivierte Kund:innen").click()
    expect(page.get_by_role("heading", name="Archivierte Kund:innen")).to_be_visible()
    fits(page)
    page.get_by_role("button", name="Wiederherstellen").click()
    expect(page.get_by_text("ist wiederhergestellt")).to_be_visible()
