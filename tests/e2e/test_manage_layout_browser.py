"""Where the manager pages answer: in view at 1280×800 and on a 390×844 phone, words whole."""

import re

import pytest
from helpers.managers import create_test_manager
from playwright.sync_api import expect

from mitwirkung import store
from mitwirkung.db import connect

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
BAD_KEY = "v=DKIM1; k=rsa; p=NICHT_BASE64!!"


@pytest.fixture(params=list(SIZES))
def manager(request, browser, live_app):
    context = browser.new_context(locale="de-DE", viewport=SIZES[request.param])
    context.set_default_timeout(10_000)
    page = context.new_page()
    db = connect(live_app.app.config["DATABASE"])
    create_test_manager(db, "am@peiq.de", "richtig-geheim", "Anna Manager")
    page.goto(f"{live_app.url}/manage/")
    page.get_by_label("E-Mail").fill("am@peiq.de")
    page.get_by_label("Passwort").fill("richtig-geheim")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", name="Kund:innen")).to_be_visible()
    page.size = request.param
    page.db = db
    yield page
    context.close()


def customers(live_app, db, count=25, path=None):
    made = []
    with live_app.app.test_request_context():
        for i in range(count):
            customer, _, _ = store.create_customer(
                db, f"Verlag {i:02d} mit langem Namen", f"verlag-{i}.example",
                f"it@verlag-{i}.example", "manager:am@peiq.de",
            )  # fmt: skip
            if path:
                store.set_path(db, customer["id"], path, "customer")
            made.append(customer)
    return made


def broken_words(page, selector: str) -> list[str]:
    """Texts of one word that the browser laid out on more than one line (a break after a
    hyphen, as in "Absender-Domain", is where German breaks words anyway)."""
    return page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)].filter(el => {
            const text = el.textContent.trim();
            if (!text || /[\\s-]/.test(text)) return false;
            const range = document.createRange();
            range.selectNodeContents(el);
            const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
            return tops.size > 1;
        }).map(el => el.textContent.trim())""",
        selector,
    )


def test_a_failed_mailjet_save_answers_in_view(manager, live_app, screenshot):
    [customer] = customers(live_app, manager.db, 1, path="mailjet")
    manager.goto(f"{live_app.url}/manage/customers/{customer['id']}")
    section = manager.locator("#mailjet")
    section.get_by_label("Name des Bestätigungs-Eintrags (TXT)").fill("mailjet._a1b2c3d4")
    section.get_by_label("Wert des Bestätigungs-Eintrags").fill("a1b2c3d4e5f60718")
    section.get_by_label("Öffentlicher DKIM-Schlüssel").fill(BAD_KEY)
    section.get_by_role("button", name="Mailjet-Werte speichern").click()
    problems = manager.locator("#problems")
    expect(problems).to_contain_text("kein gültiger öffentlicher DKIM-Schlüssel")
    expect(problems).to_be_in_viewport()
    screenshot(manager, f"ux-mailjet-bad-{manager.size}")
    manager.screenshot(path=f"tests/artifacts/ux-mailjet-bad-view-{manager.size}.png")
    # the line leads to the field, which still holds what was typed
    problems.get_by_role("link", name=re.compile("DKIM")).click()
    expect(manager.locator("#dkim_key")).to_be_in_viewport()
    expect(manager.locator("#dkim_key")).to_have_value(BAD_KEY)
    expect(manager.locator("#dkim_key-error")).to_be_in_viewport()
    # "holen" without a key is greyed out and says why
    fetch = section.get_by_role("button", name="Werte von Mailjet holen", exact=True)
    expect(fetch).to_be_disabled()
    # a good save answers in view too (inside the Mailjet section it jumped to)
    manager.locator("#dkim_key").fill("")
    section.get_by_role("button", name="Mailjet-Werte speichern").click()
    saved = manager.get_by_text("Mailjet-Werte gespeichert.")
    expect(saved).to_be_in_viewport()
    manager.screenshot(path=f"tests/artifacts/ux-mailjet-saved-view-{manager.size}.png")


def test_new_customer_errors_are_in_view_above_a_long_list(manager, live_app):
    customers(live_app, manager.db, 25)
    manager.goto(f"{live_app.url}/manage/")
    manager.get_by_text("Neue Kund:in anlegen").click()
    form = manager.locator("#new-customer")
    form.get_by_label("Name der Kund:in").fill("Neue Zeitung")
    form.get_by_label("Absender-Domain").fill("kein domain")
    form.get_by_role("button", name="Anlegen", exact=True).click()
    expect(manager.locator("#domain-error")).to_be_visible()
    expect(manager.locator("#domain-error")).to_be_in_viewport()
    expect(form.get_by_label("Name der Kund:in")).to_have_value("Neue Zeitung")
    manager.screenshot(path=f"tests/artifacts/ux-new-bad-view-{manager.size}.png")
    # a domain in use: the warning in view, the domain as typed (Unicode, not the A-label)
    with live_app.app.test_request_context():
        store.create_customer(manager.db, "Müller", "xn--mller-verlag-dlb.de", None, "test")
    form.get_by_label("Absender-Domain").fill("MÜLLER-VERLAG.DE")
    form.get_by_role("button", name="Anlegen", exact=True).click()
    expect(manager.locator("#duplicate-domain")).to_be_in_viewport()
    expect(manager.locator("#new-customer").get_by_label("Absender-Domain")).to_have_value(
        "müller-verlag.de"
    )


def test_no_word_is_broken_and_filters_fold_away_on_a_phone(manager, live_app, screenshot):
    [customer, *_] = customers(live_app, manager.db, 3, path="mailjet")
    manager.goto(f"{live_app.url}/manage/")
    assert broken_words(manager, "th, .badge") == []
    weg = manager.get_by_role("combobox", name="Weg")
    expect(weg).to_be_hidden()  # folded on every screen, so that customers come first
    box = manager.locator("table.dashboard, #view-count").first.bounding_box()
    assert box and box["y"] < SIZES[manager.size]["height"]  # the list starts on the first screen
    manager.get_by_text("Filter und Sortierung").click()
    expect(weg).to_be_visible()
    screenshot(manager, f"ux-dashboard-{manager.size}")
    manager.goto(f"{live_app.url}/manage/customers/{customer['id']}")
    assert broken_words(manager, "th, .badge") == []
    screenshot(manager, f"ux-customer-{manager.size}")
    # "Kopieren" and "Neuen Link erzeugen" stand on one line at the same height (desktop)
    if manager.size == "desktop":
        row = manager.locator(".link-row").first
        copy = row.get_by_role("button", name="Kopieren").bounding_box()
        renew = row.locator("summary", has_text="Neuen Link erzeugen").bounding_box()
        assert abs(copy["y"] - renew["y"]) <= 2 and abs(copy["height"] - renew["height"]) <= 2
