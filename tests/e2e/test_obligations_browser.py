"""A second obligation in Chromium: the list of obligations, the generic kinds (fields with a
mistake, a confirmation) and PEIQ's confirmation reaching the customer's open page."""

import pytest
from playwright.sync_api import expect
from two_obligations import EXAMPLE, EXAMPLE_OBLIGATION, two_obligation_customer

from mitwirkung import store
from mitwirkung.cli import create_manager
from mitwirkung.db import connect


@pytest.mark.parametrize(
    "live_app", [{"OBLIGATION_FILES": [str(EXAMPLE_OBLIGATION)]}], indirect=True
)
def test_the_example_obligation_is_done_step_by_step_and_peiq_confirms(
    live_app, browser, page, screenshot
):
    app = live_app.app
    db = connect(app.config["DATABASE"])
    create_manager(db, "am@peiq.de", "richtig-geheim", "Anna Manager")
    customer, edit, share = two_obligation_customer(app, db, smtp_path="portal")
    store.set_item(db, customer["id"], "portal-adopt", "done", "manager:am@peiq.de",
                   {"portal": "portal.mueller-verlag.de"})  # fmt: skip

    # the SMTP page lists both obligations; the second opens from the list
    page.goto(f"{live_app.url}/c/{edit}")
    nav = page.locator("#obligations")
    expect(nav.locator("[data-overall-progress]")).to_have_text("25 %")  # (50 + 0) // 2
    nav.get_by_role("link", name="Rechtliche Angaben").click()
    expect(page.get_by_role("heading", name="Rechtliche Angaben", level=1)).to_be_visible()
    expect(page.locator("#path-form")).to_have_count(0)  # one path: nothing to choose

    # a mistake is named at its field, in German, and what was typed stays
    item = page.locator("#item-legal-pages")
    item.get_by_label("Name Ihres Unternehmens").fill("Müller Verlag GmbH")
    item.get_by_label("Webadresse Ihres Impressums").fill("www.mueller-verlag.de/impressum")
    item.get_by_label("Webadresse Ihrer Datenschutzerklärung").fill(
        "https://www.mueller-verlag.de/datenschutz"
    )
    item.get_by_label("E-Mail-Adresse für Fragen zum Datenschutz").fill("datenschutz@mueller")
    item.get_by_role("button", name="Speichern").click()
    imprint = item.get_by_label("Webadresse Ihres Impressums")
    expect(imprint).to_have_attribute("aria-invalid", "true")
    expect(item.locator("#legal-pages-imprint-url-error")).to_contain_text(
        "Bitte eine vollständige Webadresse eingeben, die mit https:// beginnt"
    )
    expect(item.locator("#legal-pages-privacy-contact-error")).to_contain_text(
        "vollständige E-Mail-Adresse"
    )
    expect(imprint).to_have_value("www.mueller-verlag.de/impressum")
    expect(imprint).to_be_focused()  # the first field to correct, as the SMTP form does
    expect(item.get_by_label("Name Ihres Unternehmens")).to_have_value("Müller Verlag GmbH")
    screenshot(page, "obligation-fields-mistake")
    page.evaluate("window.__stay = 'same page'")  # gone if the page reloads

    imprint.fill("https://www.mueller-verlag.de/impressum")
    item.get_by_label("E-Mail-Adresse für Fragen zum Datenschutz").fill(
        "datenschutz@mueller-verlag.de"
    )
    item.get_by_role("button", name="Speichern").click()
    expect(item.locator(".badge")).to_have_text("Erledigt")
    expect(item.get_by_text("Gespeichert.")).to_be_visible()
    expect(page.locator("[data-progress]")).to_have_text("33 %")
    expect(nav.locator("[data-overall-progress]")).to_have_text("41 %")  # (50 + 33) // 2

    # the confirmation, then it is PEIQ's turn
    avv = page.locator("#item-avv-sent")
    avv.get_by_role("button", name="Bestätigen: Wir haben den Auftragsverarbeitungsvertrag").click()
    expect(avv.locator(".badge")).to_have_text("Erledigt")
    received = page.locator("#item-avv-received")
    expect(received.locator(".badge")).to_have_text("Wartet auf PEIQ")
    expect(page.locator("[data-progress]")).to_have_text("66 %")
    expect(nav.locator('[data-obligation-progress="rechtliches"]')).to_have_text("66 %")

    # an onlooker's read-only view of the same obligation refreshes itself
    onlooker = browser.new_context(locale="de-DE").new_page()
    onlooker.goto(f"{live_app.url}/s/{share}/o/{EXAMPLE}")
    expect(onlooker.locator("#item-avv-received .badge")).to_have_text("Wartet auf PEIQ")
    expect(onlooker.get_by_role("button")).to_have_count(0)  # nothing to click there

    # the customer's SMTP page, open in another tab, also learns of PEIQ's confirmation
    smtp_tab = page.context.new_page()
    smtp_tab.goto(f"{live_app.url}/c/{edit}")
    smtp_nav = smtp_tab.locator("#obligations")
    expect(smtp_nav.locator('[data-obligation-progress="rechtliches"]')).to_have_text("66 %")
    smtp_tab.evaluate("window.__stay = 'same page'")

    # PEIQ confirms on the manager page; the customer's open page shows it without a reload
    manager = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    desk = manager.new_page()
    desk.goto(f"{live_app.url}/manage/customers/{customer['id']}")
    desk.get_by_label("E-Mail").fill("am@peiq.de")
    desk.get_by_label("Passwort").fill("richtig-geheim")
    desk.get_by_role("button", name="Anmelden").click()
    section = desk.locator("#obligations")
    expect(section).to_contain_text("datenschutz@mueller-verlag.de")
    section.get_by_role("button", name="Bestätigen: PEIQ hat den AVV erhalten").click()
    expect(desk.locator("#obligations")).to_contain_text(
        "Bestätigt. Die Kund:in sieht es auf ihrer Seite"
    )
    manager.close()

    expect(received.locator(".badge")).to_have_text("Erledigt")
    expect(received).to_contain_text("PEIQ hat das am")
    expect(page.locator("#done-banner")).to_contain_text("Geschafft!")
    expect(nav.locator('[data-obligation-progress="rechtliches"]')).to_have_text("100 %")
    expect(nav.locator("[data-overall-progress]")).to_have_text("75 %")
    assert page.evaluate("window.__stay") == "same page"
    # what PEIQ's confirmation rests on can no longer be taken back
    expect(avv.get_by_role("button", name="Bestätigung zurücknehmen")).to_have_count(0)
    expect(avv).to_contain_text("Änderungen sind nur noch über")
    expect(page.locator("#item-legal-pages").get_by_role("button")).to_have_count(0)
    expect(smtp_nav.locator('[data-obligation-progress="rechtliches"]')).to_have_text("100 %")
    expect(smtp_nav.locator("[data-overall-progress]")).to_have_text("75 %")
    assert smtp_tab.evaluate("window.__stay") == "same page"
    smtp_tab.close()
    expect(onlooker.locator("#item-avv-received .badge")).to_have_text("Erledigt")
    expect(onlooker.locator("[data-overall-progress]")).to_have_text("75 %")
    onlooker.context.close()
    screenshot(page, "obligation-done")
    assert EXAMPLE in page.url
