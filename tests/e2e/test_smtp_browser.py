"""The smtp-own path in a real browser, against real SMTP and DNS servers on loopback."""

import base64
import re

import pytest
from playwright.sync_api import expect
from smtpserver import PASSWORD, USER

from mitwirkung import store
from mitwirkung.db import connect

SENDER = "versand@kunde.test"
RECIPIENT = "it@kunde.test"


@pytest.fixture
def smtp_live(live_app, certs, kunde_dns, kunde_mail):
    live_app.app.config.update(
        DNS_NAMESERVERS=[kunde_dns.nameserver],
        SMTP_ALLOWED_NETWORKS=["127.0.0.0/8"],
        SMTP_ALLOWED_PORTS=[kunde_mail.port],
        SMTP_CA_FILE=certs.ca_file,
        SMTP_TIMEOUT=5,
        SMTP_PROBE_PORTS=[[kunde_mail.port, "ssl"], [kunde_mail.port, "tls"]],
    )
    return live_app


def make_customer(live_app):
    db = connect(live_app.app.config["DATABASE"])
    with live_app.app.app_context():
        customer, edit, _ = store.create_customer(db, "Kunde Verlag", "kunde.test", None, "t")
    db.close()
    return customer, edit


def item_state(live_app, customer_id, item_id):
    db = connect(live_app.app.config["DATABASE"])
    rows = store.item_rows(db, customer_id)
    db.close()
    return rows[item_id]["state"] if item_id in rows else "open"


def test_customer_sets_up_own_smtp_end_to_end(smtp_live, kunde_mail, page, context, screenshot):
    customer, edit = make_customer(smtp_live)
    page.goto(f"{smtp_live.url}/c/{edit}")
    page.get_by_label("Einrichten des SMTP-Postfachs durch Kund:in").check()
    page.get_by_role("button", name="Diesen Weg wählen").click()
    expect(page.locator("[data-progress]")).to_have_text("0 %")

    form = page.locator("#smtp-form")
    form.get_by_label("Server/Host").fill("mail.kunde.test")
    form.get_by_role("button", name="Einstellungen ermitteln").click()
    probe = page.locator("#probe")
    expect(probe).to_contain_text("Für mail.kunde.test funktioniert", timeout=15_000)
    tls_line = probe.locator("li", has_text="mit TLS")
    expect(tls_line).to_contain_text(f"Port {kunde_mail.port}")
    expect(probe.locator("li", has_text="mit SSL")).to_have_count(0)  # STARTTLS port, no SSL
    tls_line.get_by_role("button", name="Übernehmen").click()
    expect(tls_line.get_by_role("button")).to_have_text("Übernommen ✓")
    expect(form.locator("#port")).to_have_value(str(kunde_mail.port))
    expect(form.locator('input[name="encryption"][value="tls"]')).to_be_checked()

    form.get_by_role("textbox", name="Nutzer").fill(USER)
    form.get_by_label("Absenderadresse").fill(SENDER)
    form.locator("#smtp-password-input").fill("falsch")
    form.get_by_label("Empfänger der Testmail").fill(RECIPIENT)
    before = len(kunde_mail.handler.messages)
    form.get_by_role("button", name="Testmail senden").click()
    test_item = page.locator("#item-smtp-test-mail")
    expect(test_item.locator(".badge")).to_have_text("Fehlgeschlagen", timeout=15_000)
    answer = page.locator("#smtp-answer")  # next to the button, in view, focused
    expect(answer.locator(".result")).to_contain_text("Was tun?")
    expect(answer).to_be_focused()
    expect(answer).to_be_in_viewport()
    explanation = answer.locator(".result").inner_text()
    assert re.search(r"Passwort|Anmeld|Zugangsdaten", explanation), explanation
    assert len(kunde_mail.handler.messages) == before

    # the form after the failed attempt: settings kept, password not rendered back
    form = page.locator("#smtp-form")
    expect(form.get_by_label("Server/Host")).to_have_value("mail.kunde.test")
    expect(form.get_by_role("textbox", name="Nutzer")).to_have_value(USER)
    # what was typed stays in the field (kept in the browser), the server never sends it back
    expect(form.locator("#smtp-password-input")).to_have_value("falsch")
    expect(form.locator("#smtp-password-input")).to_have_attribute("value", "")
    form.locator("#smtp-password-input").fill(PASSWORD)
    if not form.get_by_label("Empfänger der Testmail").input_value():
        form.get_by_label("Empfänger der Testmail").fill(RECIPIENT)
    form.get_by_role("button", name="Testmail senden").click()
    expect(test_item.locator(".badge")).to_have_text("Erledigt", timeout=15_000)
    expect(page.locator("#item-smtp-settings .badge")).to_have_text("Erledigt")
    details = page.locator("#smtp-answer details", has_text="SMTP-Protokoll ansehen")
    details.locator("summary").click()
    transcript = details.locator("pre.transcript")
    expect(transcript).to_be_visible()
    expect(transcript).to_contain_text("STARTTLS")
    text = transcript.inner_text()
    auth = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
    for secret in (PASSWORD, auth, base64.b64encode(PASSWORD.encode()).decode()):
        assert secret not in text and secret not in page.content()
    assert item_state(smtp_live, customer["id"], "smtp-test-mail") == "done"

    arrived = kunde_mail.handler.messages[before:]
    assert len(arrived) == 1
    assert arrived[0].message["From"] == SENDER and arrived[0].rcpt_tos[0] == RECIPIENT
    assert arrived[0].rcpt_tos[1].endswith("@pruef.localhost")  # the copy to the Prüfadresse
    link = re.search(r"(/bestaetigen/\S+)", arrived[0].text()).group(1)
    confirm = context.new_page()
    confirm.goto(smtp_live.url + link)
    expect(confirm.get_by_text("Danke").first).to_be_visible()
    confirm.close()

    page.reload()
    expect(page.locator("#item-mail-received .badge")).to_have_text("Erledigt")
    expect(page.locator("[data-progress]")).to_have_text("75 %")

    handover = page.locator("#item-smtp-password")
    handover.locator("details summary").click()
    handover.locator("input[type=password]").fill(PASSWORD)
    handover.get_by_role("button", name="Passwort sicher an PEIQ übergeben").click()
    handover = page.locator("#item-smtp-password")
    expect(handover.locator(".badge")).to_have_text("Erledigt")
    expect(handover).to_contain_text("verschlüsselt bei PEIQ")
    expect(page.locator("[data-progress]")).to_have_text("100 %")
    assert PASSWORD not in page.content()
    assert item_state(smtp_live, customer["id"], "smtp-password") == "done"
    screenshot(page, "smtp-flow")
