"""In Chromium at 1280×800 and 390×844: the page keeps up with what happens — a
reload mid-test shows the running test, a page without JavaScript reaches the result, the
"keine" consent appears only with "keine", a wrong password is never handed over, and
"Geschafft" is a heading nobody misses."""

import re

import pytest
from e2e.conftest import VIEWPORTS, served
from playwright.sync_api import expect
from smtpserver import PASSWORD, USER, Tarpit

from mitwirkung import store
from mitwirkung.db import connect


@pytest.fixture(scope="module")
def tarpit():
    with Tarpit() as pit:
        yield pit


@pytest.fixture(scope="module")
def server(tmp_path_factory, kunde_dns, certs, kunde_mail, tarpit):
    config = {
        "DNS_NAMESERVERS": [kunde_dns.nameserver],
        "SMTP_ALLOWED_NETWORKS": ["127.0.0.0/8"],
        "SMTP_ALLOWED_PORTS": [587, kunde_mail.port, tarpit.port],
        "SMTP_CA_FILE": certs.ca_file,
        "SMTP_TIMEOUT": 3,
        "SMTP_TESTS_PER_ADDRESS": 1000,
        "NOSCRIPT_REFRESH_SECONDS": 1,
    }
    with served(tmp_path_factory.mktemp("truth"), config) as live:
        yield live


def new_page(browser, viewport, javascript=True):
    context = browser.new_context(
        locale="de-DE", viewport=VIEWPORTS[viewport], java_script_enabled=javascript
    )
    context.set_default_timeout(15_000)
    return context, context.new_page()


@pytest.fixture
def db(server):
    db = connect(server.app.config["DATABASE"])
    yield db
    db.close()


def customer(server, db):
    with server.app.app_context():
        c, edit, share = store.create_customer(
            db, "Kunde Verlag", "kunde.test", None, "manager:am@peiq.de"
        )
    store.set_path(db, c["id"], "smtp-own", "test")
    return c, f"{server.url}/c/{edit}"


def fill(form, port, password=PASSWORD):
    form.get_by_label("Server/Host").fill("mail.kunde.test")
    form.get_by_label("TLS – Verbindung").check()
    form.locator("#port").fill(str(port))
    form.locator("#username").fill(USER)
    form.get_by_label("Absenderadresse").fill("versand@kunde.test")
    form.locator("#smtp-password-input").fill(password)
    form.get_by_label("Empfänger der Testmail").fill("it@kunde.test")


def test_reload_mid_test_shows_the_running_test_then_its_result(
    browser, viewport, server, db, kunde_mail, tarpit
):
    context, page = new_page(browser, viewport)
    c, edit = customer(server, db)
    page.goto(edit)
    form = page.locator("#smtp-form")
    fill(form, kunde_mail.port)
    form.get_by_role("button", name="Testmail senden").click()
    expect(page.locator("#smtp-answer")).to_contain_text("angenommen")
    # proven settings; now a trial on a server that never answers, and a reload meanwhile
    form.locator("#port").fill(str(tarpit.port))
    form.locator("#smtp-password-input").fill(PASSWORD)
    form.get_by_role("button", name="Testmail senden").click()
    expect(page.locator("#smtp-answer")).to_contain_text("gesendet …")
    page.reload()
    expect(page.locator("#smtp-answer")).to_contain_text(f":{tarpit.port} an it@kunde.test")
    expect(page.locator("#smtp-form #port")).to_have_value(str(tarpit.port))
    history = page.locator("#item-smtp-test-mail details.history")
    history.locator("summary").click()
    expect(history.locator("tbody tr").first).to_contain_text("läuft")
    answer = page.locator("#smtp-answer")
    expect(answer).to_contain_text("Ihre gespeicherten Einstellungen gelten weiter")
    expect(page.locator("#item-smtp-test-mail .badge")).to_have_text("Erledigt")
    context.close()


def test_without_javascript_the_test_page_reaches_its_result(
    browser, viewport, server, db, kunde_mail
):
    context, page = new_page(browser, viewport, javascript=False)
    c, edit = customer(server, db)
    page.goto(edit)
    form = page.locator("#smtp-form")
    consent = form.get_by_label(re.compile("Ja, das Passwort darf ohne Verschlüsselung"))
    expect(consent).to_be_hidden()
    form.locator("input[name=encryption][value=none]").check()
    expect(consent).to_be_visible()  # without JavaScript too
    fill(form, kunde_mail.port)
    expect(consent).to_be_hidden()
    form.get_by_role("button", name="Testmail senden").click()
    # the page reloads itself until the result is there
    expect(page.locator("#smtp-answer")).to_contain_text("Testmail wurde angenommen")
    assert store.item_rows(db, c["id"])["smtp-test-mail"]["state"] == "done"
    context.close()


def test_consent_for_keine_only_with_keine(browser, viewport, server, db):
    context, page = new_page(browser, viewport)
    c, edit = customer(server, db)
    page.goto(edit)
    form = page.locator("#smtp-form")
    consent = form.get_by_label(re.compile("Ja, das Passwort darf ohne Verschlüsselung"))
    expect(consent).to_be_hidden()
    form.locator("input[name=encryption][value=none]").check()
    expect(consent).to_be_visible()
    consent.check()
    form.locator("input[name=encryption][value=ssl]").check()
    expect(consent).to_be_hidden()  # ticked or not: it belongs to "keine" only
    context.close()


def test_wrong_password_is_not_handed_over_and_proof_survives(
    browser, viewport, server, db, kunde_mail
):
    context, page = new_page(browser, viewport)
    c, edit = customer(server, db)
    page.goto(edit)
    form = page.locator("#smtp-form")
    fill(form, kunde_mail.port, password="Tippfehler")
    form.get_by_label(re.compile("Passwort außerdem sicher")).check()
    form.get_by_role("button", name="Testmail senden").click()
    answer = page.locator("#smtp-answer")
    expect(answer).to_contain_text("nicht an PEIQ übergeben, weil die Anmeldung")
    expect(page.locator("#item-smtp-password .badge")).to_have_text("Offen")
    expect(page.locator("#badge-smtp-settings")).to_contain_text("funktioniert noch nicht")
    assert (
        db.execute("SELECT COUNT(*) FROM secrets WHERE customer_id = ?", [c["id"]]).fetchone()[0]
        == 0
    )
    form.locator("#smtp-password-input").fill(PASSWORD)
    form.get_by_label(re.compile("Passwort außerdem sicher")).check()
    form.get_by_role("button", name="Testmail senden").click()
    expect(answer).to_contain_text("Die Anmeldung hat geklappt")
    expect(page.locator("#item-smtp-password .badge")).to_have_text("Erledigt")
    expect(page.locator("#item-smtp-password")).to_contain_text("hat beim Test geklappt")
    expect(page.locator("#badge-smtp-settings")).not_to_contain_text("funktioniert noch nicht")
    # a later typo with the box ticked: PEIQ keeps the proven password
    form.locator("#smtp-password-input").fill("wieder-falsch")
    form.get_by_label(re.compile("Passwort außerdem sicher")).check()
    form.get_by_role("button", name="Testmail senden").click()
    expect(answer).to_contain_text("PEIQ behält das Passwort")
    expect(page.locator("#item-smtp-password")).to_contain_text("hat beim Test geklappt")
    page.screenshot(path=f"/tmp/truth-handover-{viewport}.png", full_page=True)
    context.close()


def test_geschafft_is_a_heading_and_the_confirmation_leads_back(
    browser, viewport, server, db, kunde_mail
):
    context, page = new_page(browser, viewport)
    c, edit = customer(server, db)
    page.goto(edit)
    form = page.locator("#smtp-form")
    before = len(kunde_mail.handler.messages)
    fill(form, kunde_mail.port)
    form.get_by_label(re.compile("Passwort außerdem sicher")).check()
    form.get_by_role("button", name="Testmail senden").click()
    expect(page.locator("#item-smtp-password .badge")).to_have_text("Erledigt")
    mail = next(m for m in kunde_mail.handler.messages[before:] if "it@kunde.test" in m.rcpt_tos)
    link = re.search(r"https?://\S+/bestaetigen/[\w-]+", mail.text()).group(0)
    other = context.new_page()
    other.goto(link)
    expect(
        other.get_by_role("heading", name="Danke – Ihre Testmail ist angekommen!")
    ).to_be_visible()
    other.get_by_role("button", name=re.compile("Zur Checkliste")).click()
    expect(other.get_by_role("heading", name="Geschafft!")).to_be_visible()
    # the open page notices by itself: heading, and the answer next to the button agrees
    expect(page.get_by_role("heading", name="Geschafft!")).to_be_visible(timeout=15_000)
    expect(page.locator("#smtp-answer")).to_contain_text("Und sie ist angekommen")
    expect(page.locator("#smtp-answer")).not_to_contain_text("noch nicht bewiesen")
    page.locator("#done-banner").scroll_into_view_if_needed()
    page.screenshot(path=f"/tmp/truth-geschafft-{viewport}.png")
    context.close()


def test_leaving_a_finished_path_asks_and_says_what_is_kept(browser, viewport, server, db):
    context, page = new_page(browser, viewport)
    c, edit = customer(server, db)
    store.set_path(db, c["id"], "portal", "test")
    store.set_item(db, c["id"], "portal-adopt", "done", "manager:am@peiq.de", {"portal": "p.de"})
    store.set_item(db, c["id"], "mail-received", "done", "customer", {"by_hand": True},
                   path="portal")  # fmt: skip
    page.goto(edit)
    expect(page.get_by_role("heading", name="Geschafft!")).to_be_visible()
    page.locator(".path-change summary").click()
    page.locator('input[name="path"][value="mailjet"]').check()
    page.get_by_role("button", name="Weg wechseln").click()
    question = page.locator("#leave-confirm")
    expect(question).to_contain_text("bleiben gespeichert")
    expect(question).to_be_focused()
    assert store.get_customer(db, c["id"])["path"] == "portal"
    question.get_by_role("button", name=re.compile("Abbrechen")).click()
    expect(page.locator("#leave-confirm")).to_have_count(0)
    expect(page.get_by_role("heading", name="Geschafft!")).to_be_visible()
    page.locator(".path-change summary").click()
    page.locator('input[name="path"][value="mailjet"]').check()
    page.get_by_role("button", name="Weg wechseln").click()
    page.locator("#leave-confirm").get_by_role("button", name=re.compile("Ja, zu")).click()
    expect(page.locator("#dns-waiting")).to_be_visible()
    assert store.get_customer(db, c["id"])["path"] == "mailjet"
    context.close()


def test_certificate_fault_names_who_acts_with_a_text_to_pass_on(
    browser, viewport, server, db, kunde_mail
):
    context, page = new_page(browser, viewport)
    c, edit = customer(server, db)
    ca_file = server.app.config["SMTP_CA_FILE"]
    server.app.config["SMTP_CA_FILE"] = None  # the test CA is unknown to the app now
    try:
        page.goto(edit)
        form = page.locator("#smtp-form")
        fill(form, kunde_mail.port)
        form.get_by_role("button", name="Testmail senden").click()
        box = page.locator("#it-forward")
        expect(box).to_contain_text("Wer muss handeln?")
        expect(box.locator("#it-text")).to_contain_text("Zertifikat einer anerkannten Stelle")
        expect(box.get_by_role("button", name=re.compile("Kopieren"))).to_be_visible()
        expect(box.get_by_role("button", name="In Ihrem E-Mail-Programm öffnen")).to_have_attribute(
            "href", re.compile("^mailto:")
        )
        box.scroll_into_view_if_needed()
        page.screenshot(path=f"/tmp/truth-it-{viewport}.png")
    finally:
        server.app.config["SMTP_CA_FILE"] = ca_file
        context.close()
