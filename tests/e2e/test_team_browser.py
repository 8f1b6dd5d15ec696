"""The team in Chromium: invitation link, sessions, deactivation, selections, first screen."""

import re

from helpers.managers import create_test_manager
from playwright.sync_api import expect

from mitwirkung import accounts, store
from mitwirkung.db import connect

STRONG = "Kaffee-Regen-Tasse-7"


def login(page, url, email="am@peiq.de", password="richtig-geheim"):
    page.goto(f"{url}/manage/login")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()


def test_invited_colleague_sets_a_password_and_sessions_end_separately(browser, live_app):
    db = connect(live_app.app.config["DATABASE"])
    create_test_manager(db, "am@peiq.de", "richtig-geheim", "Anna Manager")
    _, token, _ = accounts.invite(db, "bernd@peiq.de", "Bernd Berater", "cli")
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{live_app.url}/manage/zugang/{token}")
    page.locator("#password").fill("bernd12345")
    page.locator("#repeat").fill("bernd12345")
    page.get_by_role("button", name="Passwort speichern").click()
    expect(page.locator("#password-error")).to_contain_text("zu leicht zu erraten")
    page.locator("#password").fill(STRONG)
    page.locator("#repeat").fill(STRONG)
    page.get_by_role("button", name="Passwort speichern").click()
    expect(page.get_by_text("Ihr Passwort ist festgelegt")).to_be_visible()
    login(page, live_app.url, "bernd@peiq.de", STRONG)
    expect(page.get_by_role("heading", name="Kund:innen")).to_be_visible()
    # a second browser of Bernd's; "Abmelden" here leaves it logged in
    other = browser.new_context(locale="de-DE").new_page()
    login(other, live_app.url, "bernd@peiq.de", STRONG)
    page.get_by_role("button", name="Abmelden").click()
    other.goto(f"{live_app.url}/manage/")
    expect(other.get_by_role("heading", name="Kund:innen")).to_be_visible()
    # Anna sees both accounts on the team page and ends Bernd's sessions
    anna = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 800}).new_page()
    login(anna, live_app.url)
    anna.get_by_role("link", name="Team").click()
    row = anna.locator("#team tr", has_text="Bernd Berater")
    expect(row).to_contain_text("1 Sitzung")
    row.get_by_role("button", name="Alle Sitzungen beenden").click()
    expect(anna.get_by_text("1 Sitzung(en) von Bernd Berater beendet.")).to_be_visible()
    other.goto(f"{live_app.url}/manage/")
    expect(other.get_by_role("heading", name="Anmeldung für Account Manager:innen")).to_be_visible()
    # and deactivates him: the login says so
    anna.locator("#team tr", has_text="Bernd Berater").get_by_role(
        "button", name="Deaktivieren"
    ).click()
    expect(anna.locator("#team tr", has_text="Bernd Berater")).to_contain_text("deaktiviert am")
    login(other, live_app.url, "bernd@peiq.de", STRONG)
    expect(other.get_by_text("Dieser Zugang ist deaktiviert")).to_be_visible()
    context.close()


def test_selection_assigns_and_archives_without_javascript(browser, live_app):
    db = connect(live_app.app.config["DATABASE"])
    create_test_manager(db, "am@peiq.de", "richtig-geheim", "Anna Manager")
    bernd = create_test_manager(db, "bernd@peiq.de", STRONG, "Bernd Berater")
    with live_app.app.test_request_context():
        for i in range(30):
            store.create_customer(db, f"Verlag {i:02d} Müller", f"v{i}.example", None, "cli")
    for js in (True, False):
        context = browser.new_context(
            locale="de-DE", viewport={"width": 1280, "height": 800}, java_script_enabled=js
        )
        page = context.new_page()
        login(page, live_app.url)
        if js:  # the first screen shows customers, not only forms and filters
            first_row = page.locator("table.dashboard tbody tr").first
            expect(first_row).to_be_in_viewport(ratio=1)
        page.goto(f"{live_app.url}/manage/?q=mueller+verlag&sort=name")
        page.get_by_label(
            "Verlag 00 Müller auswählen" if js else "Verlag 02 Müller auswählen"
        ).check()
        page.get_by_label(
            "Verlag 01 Müller auswählen" if js else "Verlag 03 Müller auswählen"
        ).check()
        page.locator("#bulk select[name=manager]").select_option(str(bernd["id"]))
        page.get_by_role("button", name="Zuweisen").click()
        expect(page.get_by_text("für 2 Kund:in(nen) jetzt: Bernd Berater")).to_be_visible()
        assert re.search(r"q=mueller\+verlag", page.url)  # back in the same view
        context.close()
    rows = db.query("SELECT name FROM customers WHERE contact_manager_id = ?", [bernd["id"]])
    assert sorted(r["name"] for r in rows) == [f"Verlag 0{i} Müller" for i in range(4)]
    # archiving asks first
    page = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 800}).new_page()
    login(page, live_app.url)
    page.goto(f"{live_app.url}/manage/?wer=niemand&sort=name")
    page.get_by_label("Verlag 10 Müller auswählen").check()
    page.get_by_role("button", name="Archivieren").click()
    expect(page.get_by_role("heading", name="1 Kund:in(nen) archivieren?")).to_be_visible()
    page.get_by_role("button", name="Ja, archivieren").click()
    expect(page.get_by_text("1 Kund:in(nen) archiviert.")).to_be_visible()
    assert "Verlag 10 Müller" not in page.locator("table.dashboard").inner_text()
