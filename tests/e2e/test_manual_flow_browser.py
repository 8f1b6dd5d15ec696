"""The manual flow in a real browser: customer and account manager."""

import os
import shutil
from pathlib import Path

from helpers.managers import create_test_manager
from playwright.sync_api import expect

from mitwirkung import store
from mitwirkung.db import connect

DOCS = Path(__file__).parent.parent.parent / "docs"


def make_customer(live_app, **kw):
    db = connect(live_app.app.config["DATABASE"])
    with live_app.app.app_context():
        customer, edit, share = store.create_customer(db, "Müller Verlag", "mueller.de", None, "t")
    return customer, edit, share


def test_customer_chooses_path_fixes_a_mistake_and_ticks(live_app, kunde_dns, page, screenshot):
    live_app.app.config.update(
        DNS_NAMESERVERS=[kunde_dns.nameserver], SMTP_ALLOWED_NETWORKS=["127.0.0.0/8"]
    )
    _, edit, _ = make_customer(live_app)
    page.goto(f"{live_app.url}/c/{edit}")
    expect(page.get_by_role("heading", name="SMTP-Postfach")).to_be_visible()
    page.get_by_label("Einrichten des SMTP-Postfachs durch Kund:in").check()
    page.get_by_role("button", name="Diesen Weg wählen").click()
    expect(page.locator("#item-smtp-settings")).to_be_visible()
    expect(page.locator("[data-progress]")).to_have_text("0 %")

    form = page.locator("#smtp-form")
    form.get_by_label("Server/Host").fill("mail.kunde.test")
    form.get_by_label("SSL – verschlüsselt").check()
    expect(form.locator("#port")).to_have_value("465")  # the usual port is suggested
    form.get_by_label("TLS – Verbindung").check()
    expect(form.locator("#port")).to_have_value("587")
    form.get_by_role("textbox", name="Nutzer").fill("versand@mueller.de")
    form.get_by_label("Absenderadresse").fill("versand-at-mueller.de")  # the mistake
    form.get_by_role("button", name="Speichern").click()
    error = page.locator("#sender-error")
    expect(error).to_contain_text("vollständige E-Mail-Adresse")
    expect(page.locator("#smtp-form").get_by_label("Server/Host")).to_have_value("mail.kunde.test")
    username = page.locator("#smtp-form").get_by_role("textbox", name="Nutzer")
    expect(username).to_have_value("versand@mueller.de")

    page.locator("#smtp-form").get_by_label("Absenderadresse").fill("versand@mueller.de")
    page.locator("#smtp-form").get_by_role("button", name="Speichern").click()
    expect(page.locator("#item-smtp-settings .badge")).to_have_text("Erledigt")
    expect(page.locator("[data-progress]")).to_have_text("25 %")

    # nothing to tick yet: the confirmation waits for the rest of the path
    received = page.locator("#item-mail-received")
    expect(received).to_contain_text("Noch offen: Passwort sicher übergeben")
    expect(received.locator("form[action$='/items/mail-received']")).to_have_count(0)
    shot = screenshot(page, "customer-page")
    if os.environ.get("MITWIRKUNG_UPDATE_SCREENSHOTS"):  # the README's picture
        DOCS.mkdir(exist_ok=True)
        shutil.copy(shot, DOCS / "customer-page.png")


def test_manager_creates_customer_and_share_link_follows(live_app, page, context):
    db = connect(live_app.app.config["DATABASE"])
    create_test_manager(db, "am@peiq.de", "richtig-geheim", "Anna")
    page.goto(f"{live_app.url}/manage/")
    page.get_by_label("E-Mail").fill("am@peiq.de")
    page.get_by_label("Passwort").fill("richtig-geheim")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", name="Kund:innen")).to_be_visible()

    page.get_by_text("Neue Kund:in anlegen").click()
    page.get_by_label("Name der Kund:in").fill("Nordkurier Medien")
    page.get_by_label("Absender-Domain").fill("https://www.Nordkurier.de/")
    page.get_by_role("button", name="Anlegen", exact=True).click()
    expect(page.get_by_role("heading", name="Nordkurier Medien")).to_be_visible()
    edit_url = page.locator("#link-edit").input_value()
    share_url = page.locator("#link-share").input_value()
    assert "/c/" in edit_url and "/s/" in share_url

    share = context.new_page()
    share.goto(share_url)
    expect(share.get_by_text("Nur-Lese-Ansicht")).to_be_visible()
    expect(share.get_by_text("Die Kund:in hat noch keinen Weg gewählt")).to_be_visible()

    customer = context.new_page()
    customer.goto(edit_url)
    customer.get_by_label("Übernahme der SMTP-Konfiguration von PORTAL").check()
    customer.get_by_role("button", name="Diesen Weg wählen").click()
    portal = customer.locator("#item-portal-adopt")
    portal.get_by_label("Adresse Ihres PORTAL").fill("portal.nordkurier.de")
    portal.get_by_label("Die SMTP-Konfiguration dieses PORTAL").check()
    portal.get_by_role("button", name="Übernahme anfragen").click()
    expect(customer.locator("#item-portal-adopt .badge")).to_have_text("Wartet auf PEIQ")

    # the share view refreshes by itself and shows the customer's request
    expect(share.locator("#item-portal-adopt .badge")).to_have_text("Wartet auf PEIQ", timeout=8000)
    expect(share.locator("[data-progress]")).to_have_text("0 %")
    assert share.locator("form").count() == 0
    page.goto(f"{live_app.url}/manage/")
    expect(page.get_by_role("cell", name="nordkurier.de")).to_be_visible()
