"""PEIQ's to-do queue in Chromium: the customer asks, the manager sees "Für PEIQ zu tun" and
acts, and the customer's open page shows it without a reload."""

from pathlib import Path

from helpers.managers import create_test_manager
from playwright.sync_api import expect

from mitwirkung import store
from mitwirkung.db import connect


def test_portal_request_reaches_the_queue_and_the_answer_reaches_the_open_page(
    live_app, browser, page, screenshot
):
    db = connect(live_app.app.config["DATABASE"])
    create_test_manager(db, "am@peiq.de", "richtig-geheim", "Anna Manager")
    with live_app.app.test_request_context():
        customer, edit, _ = store.create_customer(
            db, "Müller Verlag", "mueller-verlag.de", None, "manager:am@peiq.de"
        )
    store.set_path(db, customer["id"], "portal", "customer")

    # the customer asks PEIQ to adopt the PORTAL's configuration
    page.goto(f"{live_app.url}/c/{edit}")
    page.get_by_label("Adresse Ihres PORTAL").fill("portal.mueller-verlag.de")
    page.get_by_label("Die SMTP-Konfiguration dieses PORTAL").check()
    page.get_by_role("button", name="Übernahme anfragen").click()
    item = page.locator("#item-portal-adopt")
    expect(item.locator(".badge")).to_have_text("Wartet auf PEIQ")
    page_loads = page.evaluate("performance.getEntriesByType('navigation').length")
    page.evaluate("window.__stay = 'same page'")  # gone if the page reloads

    # the manager sees the to-do with its age and contact, and acts
    manager = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 800})
    desk = manager.new_page()
    desk.goto(f"{live_app.url}/manage/")
    desk.get_by_label("E-Mail").fill("am@peiq.de")
    desk.get_by_label("Passwort").fill("richtig-geheim")
    desk.get_by_role("button", name="Anmelden").click()
    queue = desk.locator("#todo-queue")
    summary = queue.locator("summary")
    expect(summary).to_contain_text("Für PEIQ zu tun: 1 Aufgabe bei 1 Kund:in")
    expect(summary).to_contain_text("die älteste wartet seit weniger als 1 Minute")
    box = queue.bounding_box()
    assert box and box["height"] < 80  # folded to one line: the customer list stays up
    summary.click()
    row = queue.locator("tbody tr").filter(has_text="Müller Verlag")
    expect(row).to_contain_text("„portal.mueller-verlag.de“ prüfen und bestätigen")
    expect(row).to_contain_text("seit weniger als 1 Minute")
    expect(row).to_contain_text("Anna Manager")
    screenshot(desk, "todo-queue")
    row.get_by_role("link", name="Müller Verlag").click()
    desk.get_by_role("button", name="Übernahme bestätigen").click()
    confirmed = "Übernahme der SMTP-Konfiguration von portal.mueller-verlag.de bestätigt"
    expect(desk.get_by_text(confirmed)).to_be_visible()
    desk.goto(f"{live_app.url}/manage/")
    expect(desk.locator("#todo-queue summary")).to_contain_text("nichts – keine Kund:in wartet")
    manager.close()

    # the customer's open page learns it by itself (PEIQ_POLL_SECONDS=1 in the tests)
    expect(page.locator("#peiq-news")).to_have_text(
        "PEIQ hat die Übernahme der SMTP-Konfiguration von PORTAL bestätigt."
    )
    expect(item.locator(".badge")).to_have_text("Erledigt")
    assert page.evaluate("window.__stay") == "same page"
    assert page.evaluate("performance.getEntriesByType('navigation').length") == page_loads
    assert not page.evaluate("document.getElementById('peiq-watch').hasAttribute('hx-get')")
    screenshot(page, "todo-customer-told")


def test_history_pages_back_and_names_who_did_it(live_app, page, screenshot):
    db = connect(live_app.app.config["DATABASE"])
    create_test_manager(db, "am@peiq.de", "richtig-geheim", "Anna Manager")
    with live_app.app.test_request_context():
        customer, _, _ = store.create_customer(
            db, "Müller Verlag", "mueller-verlag.de", None, "manager:am@peiq.de"
        )
    store.set_path(db, customer["id"], "smtp-own", "customer")
    for n in range(60):
        change = {"field": "Name", "old": f"Verlag {n}", "new": f"Verlag {n + 1}"}
        store.add_event(db, customer["id"], "manager:am@peiq.de", "customer-edited",
                        data={"changes": [change]})  # fmt: skip
    store.set_item(
        db, customer["id"], "smtp-test-mail", "failed", "auto", {"title": "Zeitüberschreitung"}
    )
    page.goto(f"{live_app.url}/manage/")
    page.get_by_label("E-Mail").fill("am@peiq.de")
    page.get_by_label("Passwort").fill("richtig-geheim")
    page.get_by_role("button", name="Anmelden").click()
    page.goto(f"{live_app.url}/manage/customers/{customer['id']}")
    history = page.locator("#verlauf")
    expect(history.locator("li").first).to_contain_text("System (automatische Prüfung)")
    expect(history.locator("li").nth(1)).to_contain_text(
        "Anna Manager · Angaben geändert: Name „Verlag 59“ → „Verlag 60“"
    )
    expect(history).not_to_contain_text("Kund:in angelegt")
    history.get_by_role("link", name="Ältere Einträge").click()
    expect(history).to_contain_text("Anna Manager · Kund:in angelegt")
    expect(history).to_contain_text("Kund:in · Weg gewählt")
    expect(history.get_by_role("link", name="Ältere Einträge")).to_have_count(0)
    screenshot(page, "history-older")
    with page.expect_download() as download:
        history.get_by_role("link", name="Ganzen Verlauf als CSV herunterladen").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "Anna Manager;Kund:in angelegt" in text and text.count("\n") == 1 + 60 + 3
