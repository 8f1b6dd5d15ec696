"""The customer journey in Chromium at a desktop and a phone viewport: every action answers
next to where it was taken (in view, focused, read out), failed requests say so in German,
nothing typed is lost, and axe-core finds nothing. One app server for the whole module."""

import re
from contextlib import contextmanager

from dnslib import RR
from dnszones import txt_strings
from e2e.journey import DKIM_KEY
from helpers.web import MAILJET_FORM
from playwright.sync_api import expect
from smtpserver import PASSWORD, USER

from mitwirkung import store


def fill_settings(form, port):
    form.get_by_label("Server/Host").fill("mail.kunde.test")
    form.locator("#port").fill(str(port))
    form.get_by_label("TLS – Verbindung").check()
    form.locator("#port").fill(str(port))
    form.get_by_role("textbox", name="Nutzer").fill(USER)
    form.get_by_label("Absenderadresse").fill("versand@kunde.test")


def test_test_mail_and_probe_answer_next_to_their_button(journey, kunde_mail):
    page = journey.page
    customer, edit, _ = journey.customer("smtp-own")
    page.goto(edit)
    form = page.locator("#smtp-form")
    form.get_by_label("Server/Host").fill("mail.kunde.test")
    form.get_by_role("button", name="Einstellungen ermitteln").click()
    journey.answered(page.locator("#probe"), "Für mail.kunde.test funktioniert")
    form.locator("#probe li", has_text="mit TLS").get_by_role("button", name="Übernehmen").click()

    fill_settings(form, kunde_mail.port)
    form.locator("#smtp-password-input").fill(PASSWORD)
    form.get_by_label("Empfänger der Testmail").fill("it@kunde.test")
    form.get_by_role("button", name="Testmail senden").click()
    answer = page.locator("#smtp-answer")
    journey.answered(answer, "angenommen")
    expect(page.locator("#item-smtp-test-mail .badge")).to_have_text("Erledigt")
    # the confirmation waits for the link or for the password hand-over
    expect(page.locator("#item-mail-received")).to_contain_text("Die Testmail ist unterwegs")
    journey.axe()
    journey.shot("journey-testmail")
    assert journey.state(customer["id"], "smtp-test-mail") == "done"


def test_failed_save_keeps_every_field_and_names_the_refused_one(journey):
    page = journey.page
    customer, edit, _ = journey.customer("smtp-own")
    page.goto(edit)
    form = page.locator("#smtp-form")
    fill_settings(form, 2526)  # a port the test would never connect to
    form.get_by_label("keine – unverschlüsselt").check()
    form.get_by_label("Ja, das Passwort darf ohne Verschlüsselung").check()
    form.locator("#smtp-password-input").fill("geheim-123")
    form.get_by_label("Empfänger der Testmail").fill("it@kunde.test")
    form.get_by_label("Passwort außerdem sicher").check()
    form.get_by_role("button", name="Speichern").click()

    port = page.locator("#smtp-form #port")
    expect(page.locator("#port-error")).to_contain_text(
        "Port 2526 wird für den Test nicht verwendet"
    )
    expect(port).to_be_focused()  # where the person has to go next
    expect(page.locator("#smtp-save-answer")).to_contain_text("Nicht gespeichert")
    expect(page.locator("#port-error")).to_be_in_viewport()  # the field and why, in view
    expect(page.locator("#announcer")).to_contain_text("bitte prüfen Sie: Port")
    form = page.locator("#smtp-form")
    expect(form.get_by_label("Server/Host")).to_have_value("mail.kunde.test")
    expect(form.locator("#smtp-password-input")).to_have_value("geheim-123")
    expect(form.get_by_label("Empfänger der Testmail")).to_have_value("it@kunde.test")
    expect(form.get_by_label("Passwort außerdem sicher")).to_be_checked()
    expect(form.get_by_label("Ja, das Passwort darf ohne Verschlüsselung")).to_be_checked()
    expect(form.get_by_label("Ja, das Passwort darf ohne Verschlüsselung")).to_be_visible()
    journey.axe()
    journey.shot("journey-refused-port")
    assert journey.state(customer["id"], "smtp-settings") == "open"


def test_enter_runs_the_main_action_of_the_form(journey, kunde_mail):
    page = journey.page
    customer, edit, _ = journey.customer("smtp-own")
    page.goto(edit)
    form = page.locator("#smtp-form")
    fill_settings(form, 587)
    form.get_by_label("Server/Host").press("Enter")  # not "Einstellungen ermitteln"
    journey.answered(page.locator("#smtp-save-answer"), "Gespeichert.")
    expect(page.locator("#probe")).to_be_empty()
    assert journey.state(customer["id"], "smtp-settings") == "done"
    form.locator("#port").fill(str(kunde_mail.port))
    form.locator("#smtp-password-input").fill(PASSWORD)
    form.get_by_label("Empfänger der Testmail").fill("it@kunde.test")
    form.get_by_label("Empfänger der Testmail").press("Enter")  # in the test part: send
    journey.answered(page.locator("#smtp-answer"), "angenommen")


def test_failed_requests_say_so_in_german_where_they_were_made(journey, allow_errors):
    allow_errors += [r"\b500\b", r"\b404\b", "sendError", "afterRequest", "DISCONNECTED"]
    page = journey.page
    customer, edit, _ = journey.customer("smtp-own")
    page.goto(edit)
    form = page.locator("#smtp-form")
    fill_settings(form, 587)
    # the server fails
    page.route("**/smtp-settings", lambda route: route.fulfill(status=500, body="kaputt"))
    form.get_by_role("button", name="Speichern").click()
    error = page.locator("#smtp-save + .request-error")
    expect(error).to_contain_text("Bei PEIQ ist ein Fehler aufgetreten")
    expect(error).to_contain_text("Anna Manager (am@peiq.de)")
    expect(error).to_be_focused()
    expect(error).to_be_in_viewport()
    page.unroute("**/smtp-settings")
    # the network fails
    page.route("**/smtp-settings", lambda route: route.abort("internetdisconnected"))
    form.get_by_role("button", name="Speichern").click()
    expect(error).to_contain_text("Keine Verbindung zu PEIQ")
    expect(page.locator(".request-error")).to_have_count(1)  # one message, replaced
    page.unroute("**/smtp-settings")
    expect(form.get_by_label("Server/Host")).to_have_value("mail.kunde.test")  # nothing lost
    # the link was renewed meanwhile
    with journey.server.app.app_context():
        store.rotate_link(journey.db, customer["id"], "edit", "manager:am@peiq.de")
    form.get_by_role("button", name="Einstellungen ermitteln").click()
    probe_error = page.locator("button:has-text('Einstellungen ermitteln') + .request-error")
    expect(probe_error).to_contain_text("Dieser Link gilt nicht mehr")
    expect(probe_error).to_contain_text("Bitte fragen Sie Anna Manager (am@peiq.de)")
    expect(probe_error).to_be_focused()
    journey.axe()
    journey.shot("journey-request-errors")


def test_mailjet_records_once_in_the_customers_words(journey, journey_context):
    page = journey.page
    customer, edit, _ = journey.customer("mailjet", domain="teil.de")
    page.goto(edit)
    expect(page.locator("#dns-waiting")).to_contain_text("Wartet auf PEIQ")
    expect(page.locator(".checklist")).to_have_count(0)  # nothing points to a missing button
    journey.axe()
    journey.shot("journey-mailjet-waiting")

    journey.db.table("mailjet_expectations").insert(
        {
            "customer_id": customer["id"],
            "domain": "teil.de",
            **MAILJET_FORM,
            "verification_name": "mailjet._a1b2c3d4.teil.de",
            "dkim_key": DKIM_KEY,
        }  # fmt: skip
    )
    store.add_event(journey.db, customer["id"], "manager:am@peiq.de", "mailjet-expectation")
    page.reload()
    for item_id in ("dns-verification", "dns-spf", "dns-dkim", "dns-dmarc"):
        expect(page.locator(f"#record-{item_id}")).to_have_count(1)
    page.get_by_role("button", name="DNS prüfen").click()
    answer = page.locator("#dns-answer")
    journey.answered(answer, "Noch nicht in Ordnung")
    expect(answer).to_contain_text("SPF erlaubt Mailjet das Senden (Fehlerhaft)")
    expect(answer).to_contain_text("DKIM-Schlüssel veröffentlicht (Noch nicht angelegt)")
    expect(answer).to_contain_text(re.compile(r"prüfen wir bis \d\d:\d\d Uhr jede Minute"))
    expect(page.locator("#item-dns-verification .badge")).to_have_text("Erledigt")
    expect(page.locator("#item-dns-spf .badge")).to_have_text("Fehlerhaft")
    expect(page.locator("#item-dns-dkim .badge")).to_have_text("Noch nicht angelegt")
    expect(page.locator("#item-dns-dmarc .badge")).to_have_text("Empfohlen")

    copy = page.locator('button[data-copy="#value-dns-dmarc"]')
    expect(copy).to_have_accessible_name("Kopieren – Wert des DMARC-Eintrags")
    journey_context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=journey.server.url
    )
    copy.click()
    expect(page.locator("#announcer")).to_have_text("Wert des DMARC-Eintrags kopiert")

    inform = page.locator("#item-peiq-informed")
    inform.get_by_role("button", name="PEIQ informieren").click()
    question = page.locator("#inform-confirm")
    journey.answered(question, "Möchten Sie PEIQ trotzdem informieren?")
    expect(question).to_contain_text("DKIM-Schlüssel veröffentlicht (Noch nicht angelegt)")
    assert journey.state(customer["id"], "peiq-informed") == "open"
    journey.axe()
    journey.shot("journey-mailjet-red")
    question.get_by_role("button", name="Ja, PEIQ trotzdem informieren").click()
    journey.answered(page.locator("#item-peiq-informed .answer"), "PEIQ ist benachrichtigt")
    expect(page.locator("#item-peiq-informed")).to_contain_text("noch nicht alle nötigen Einträge")
    rows = store.item_rows(journey.db, customer["id"])
    assert rows["peiq-informed"]["detail"]["red"] == ["dns-spf", "dns-dkim"]


def test_portal_waits_for_peiq_then_the_customer_confirms(journey):
    page = journey.page
    customer, edit, share = journey.customer("portal")
    page.goto(edit)
    expect(page.locator("#path-intro")).to_contain_text("Nennen Sie uns Ihr PORTAL")
    expect(page.locator("#peiq-contact")).to_contain_text("Anna Manager")
    received = page.locator("#item-mail-received")
    # nothing to tick at 0 %
    expect(received.locator("form[action$='/items/mail-received']")).to_have_count(0)
    item = page.locator("#item-portal-adopt")
    item.get_by_label("Adresse Ihres PORTAL").fill("portal.kunde.test")
    item.get_by_label("Die SMTP-Konfiguration dieses PORTAL").check()
    item.get_by_role("button", name="Übernahme anfragen").click()
    journey.answered(page.locator("#item-portal-adopt .answer"), "Anfrage gesendet")
    expect(page.locator("#item-portal-adopt .badge")).to_have_text("Wartet auf PEIQ")
    expect(page.locator("#item-portal-adopt form")).to_have_count(0)
    journey.axe()

    store.set_item(journey.db, customer["id"], "portal-adopt", "done", "manager:am@peiq.de",
                   {"portal": "portal.kunde.test"})  # fmt: skip
    page.reload()
    confirm = received.get_by_role("button", name="Ja, ich habe eine E-Mail von PRINT PPS erhalten")
    confirm.click()
    # a claim, not a proof: the page asks first, and the Geschafft box says how it was reached
    journey.answered(received.locator("#manual-confirm"), "wirklich in Ihrem Postfach gesehen")
    expect(received.locator(".badge")).not_to_have_text("Erledigt")
    journey.axe()
    received.get_by_role("button", name=re.compile("Ja, ich bestätige von Hand")).click()
    journey.answered(page.locator("#done-banner"), "Geschafft")  # at 100 % the banner answers
    expect(page.locator("#done-banner")).to_contain_text("von Hand bestätigt")
    expect(page.locator("[data-progress]")).to_have_text("100 %")
    expect(page.locator("#progress")).to_contain_text("Geschafft")
    journey.shot("journey-portal-done")
    status = page.request.get(f"{share}/status.json").json()
    assert status["progress"] == 100


def tab_to(page, locator, limit=60):
    """Press Tab until locator has focus: it is reachable by keyboard alone."""
    for _ in range(limit):
        if locator.evaluate("e => e === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{locator} not reachable with Tab")


def test_keyboard_only_through_the_smtp_own_path(journey, kunde_mail, journey_context):
    page, kb = journey.page, journey.page.keyboard
    customer, edit, _ = journey.customer()
    page.goto(edit)
    tab_to(page, page.get_by_label("Einrichten des SMTP-Postfachs durch Kund:in"))
    kb.press("Space")
    tab_to(page, page.get_by_role("button", name="Diesen Weg wählen"))
    kb.press("Enter")
    expect(page.locator("#item-smtp-settings")).to_be_visible()
    form = page.locator("#smtp-form")
    for field, text in (("#host", "mail.kunde.test"), ("#port", str(kunde_mail.port))):
        tab_to(page, form.locator(field))
        kb.type(text)
    tab_to(page, form.get_by_label("SSL – verschlüsselt"))
    kb.press("ArrowDown")  # TLS
    expect(form.get_by_label("TLS – Verbindung")).to_be_checked()
    expect(form.locator("#port")).to_have_value(str(kunde_mail.port))  # not the usual 587
    for field, text in (("#username", USER), ("#sender", "versand@kunde.test")):
        tab_to(page, form.locator(field))
        kb.type(text)
    kb.press("Enter")
    journey.answered(page.locator("#smtp-save-answer"), "Gespeichert.")
    tab_to(page, form.locator("#smtp-password-input"))
    kb.type(PASSWORD)
    tab_to(page, form.get_by_label("Empfänger der Testmail"))
    kb.type("it@kunde.test")
    tab_to(page, form.get_by_label("Passwort außerdem sicher"))
    kb.press("Space")
    tab_to(page, form.get_by_role("button", name="Testmail senden"))
    before = len(kunde_mail.handler.messages)
    kb.press("Enter")
    journey.answered(page.locator("#smtp-answer"), "angenommen")
    expect(page.locator("#item-smtp-password .badge")).to_have_text("Erledigt")
    mail = kunde_mail.handler.messages[before]
    link = re.search(r"(/bestaetigen/\S+)", mail.text()).group(1)
    confirm = journey_context.new_page()  # the recipient's mailbox, not this page
    confirm.goto(journey.server.url + link)
    confirm.close()
    expect(page.locator("#item-mail-received .badge")).to_have_text("Erledigt", timeout=15_000)
    expect(page.locator("[data-progress]")).to_have_text("100 %")
    journey.axe()
    journey.shot("journey-keyboard-done")


def test_a_failed_test_of_changed_settings_keeps_the_proven_ones(journey, kunde_mail):
    """The rule is said before the click; a failed trial says the saved ones still hold."""
    page = journey.page
    customer, edit, _ = journey.customer("smtp-own")
    page.goto(edit)
    form = page.locator("#smtp-form")
    fill_settings(form, kunde_mail.port)
    form.locator("#smtp-password-input").fill(PASSWORD)
    form.get_by_label("Empfänger der Testmail").fill("it@kunde.test")
    form.get_by_role("button", name="Testmail senden").click()
    journey.answered(page.locator("#smtp-answer"), "angenommen")
    page.reload()
    form = page.locator("#smtp-form")
    expect(form.locator(".rule")).to_contain_text("erst, wenn der Server die Testmail angenommen")
    form.get_by_label("Server/Host").fill("other.kunde.test")  # its certificate does not fit
    form.locator("#smtp-password-input").fill(PASSWORD)
    form.get_by_role("button", name="Testmail senden").click()
    journey.answered(page.locator("#smtp-answer"), "Ihre gespeicherten Einstellungen gelten weiter")
    expect(page.locator("#item-smtp-test-mail .badge")).to_have_text("Erledigt")
    journey.axe()
    journey.shot("journey-trial-failed")
    assert store.get_row(journey.db, "smtp_settings", customer["id"])["host"] == "mail.kunde.test"


def test_without_login_user_and_password_step_aside(journey):
    """No user, no password, the next step about PEIQ's addresses, "Nicht nötig"."""
    page = journey.page
    customer, edit, _ = journey.customer("smtp-own")
    page.goto(edit)
    form = page.locator("#smtp-form")
    fill_settings(form, 587)
    form.get_by_label("Mein Server braucht keine Anmeldung").check()
    expect(form.get_by_role("textbox", name="Nutzer")).to_be_hidden()
    expect(form.locator("#smtp-password-input")).to_be_hidden()
    expect(form.get_by_text("die IP-Adressen freigeben, von denen PEIQ sendet")).to_be_visible()
    form.get_by_role("button", name="Speichern").click()
    journey.answered(page.locator("#smtp-save-answer"), "Gespeichert.")
    page.reload()
    expect(page.locator("#item-smtp-password .badge")).to_have_text("Nicht nötig")
    expect(page.locator("#item-smtp-password")).not_to_contain_text("Passwort jetzt übergeben")
    expect(page.locator("#smtp-form").get_by_role("textbox", name="Nutzer")).to_be_hidden()
    journey.axe()
    journey.shot("journey-no-login")
    assert journey.state(customer["id"], "smtp-password") == "done"


def test_a_tab_behind_a_path_switch_says_so_in_place(journey, allow_errors):
    """Not "link renewed", but "another path was chosen", next to the button."""
    allow_errors += [r"\b409\b"]
    page = journey.page
    customer, edit, _ = journey.customer("smtp-own")
    page.goto(edit)
    form = page.locator("#smtp-form")
    fill_settings(form, 587)
    store.set_path(journey.db, customer["id"], "portal", "test")  # the other tab
    form.get_by_role("button", name="Speichern").click()
    error = page.locator("#smtp-save + .request-error")
    expect(error).to_have_text(
        "Sie haben inzwischen einen anderen Weg gewählt – bitte laden Sie die Seite neu."
    )
    expect(error).to_be_focused()
    expect(error).to_be_in_viewport()
    expect(form.get_by_label("Server/Host")).to_have_value("mail.kunde.test")
    journey.shot("journey-other-path")


@contextmanager
def published(zones, text):
    """Records added to the running test DNS (as in a DNS panel), removed again afterwards."""
    added = list(RR.fromZone(text))
    for rr in added:
        zones.records.setdefault(str(rr.rname).lower(), []).append(rr)
    try:
        yield
    finally:
        for rr in added:
            zones.records[str(rr.rname).lower()].remove(rr)


def test_peiq_informed_card_follows_a_green_check_without_reload(journey, journey_zones):
    page = journey.page
    customer, edit, _ = journey.customer("mailjet", domain="gruen.de")
    journey.db.table("mailjet_expectations").insert(
        {"customer_id": customer["id"], "domain": "gruen.de", **MAILJET_FORM,
         "dkim_key": DKIM_KEY}
    )  # fmt: skip
    page.goto(edit)
    page.get_by_role("button", name="DNS prüfen").click()
    journey.answered(page.locator("#dns-answer"), "Noch nicht in Ordnung")
    inform = page.locator("#item-peiq-informed")
    expect(inform).to_contain_text("Noch nicht alle nötigen Einträge sind in Ordnung")
    records = (
        '$ORIGIN gruen.de.\n@ IN TXT "v=spf1 include:spf.mailjet.com -all"\n'
        f"mailjet._domainkey IN TXT {txt_strings('v=DKIM1; k=rsa; p=' + DKIM_KEY)}\n"
    )
    with published(journey_zones, records):
        page.get_by_role("button", name="DNS prüfen").click()
        journey.answered(page.locator("#dns-answer"), "Alle nötigen Einträge sind in Ordnung")
    expect(inform).not_to_contain_text("Noch nicht alle nötigen Einträge")
    expect(inform.get_by_role("button", name="PEIQ informieren")).to_be_visible()
    page.locator("#zone-snippet summary").click()  # the zone-file snippet for IT, open
    expect(page.locator("#zone-text")).to_contain_text("$ORIGIN gruen.de.")
    journey.axe()
    journey.shot("truth-inform-after-green")


def test_portal_page_notices_peiq_confirming_by_itself(journey):
    page = journey.page
    customer, edit, _ = journey.customer("portal")
    page.goto(edit)
    item = page.locator("#item-portal-adopt")
    item.get_by_label("Adresse Ihres PORTAL").fill("portal.kunde.test")
    item.get_by_label("Die SMTP-Konfiguration dieses PORTAL").check()
    item.get_by_role("button", name="Übernahme anfragen").click()
    expect(page.locator("#item-portal-adopt .badge")).to_have_text("Wartet auf PEIQ")
    store.set_item(journey.db, customer["id"], "portal-adopt", "done", "manager:am@peiq.de",
                   {"portal": "portal.kunde.test"})  # fmt: skip
    # no reload: the page asks by itself while it waits on PEIQ
    expect(page.locator("#item-portal-adopt .badge")).to_have_text("Erledigt")
    expect(page.locator("#item-portal-adopt")).to_contain_text("Von PEIQ bestätigt")
    received = page.locator("#item-mail-received")
    tick = received.get_by_role("button", name=re.compile("Ja, ich habe eine E-Mail"))
    expect(tick).to_be_visible()
    expect(page.locator("[data-progress]")).to_have_text("50 %")


def test_waiting_mailjet_page_shows_the_records_when_peiq_enters_them(journey):
    page = journey.page
    customer, edit, _ = journey.customer("mailjet", domain="teil.de")
    page.goto(edit)
    expect(page.locator("#dns-waiting")).to_contain_text("Wartet auf PEIQ")
    journey.db.table("mailjet_expectations").insert(
        {"customer_id": customer["id"], "domain": "teil.de", **MAILJET_FORM, "dkim_key": None}
    )
    store.add_event(journey.db, customer["id"], "manager:am@peiq.de", "mailjet-expectation")
    # no reload: the page asks by itself; the DKIM value is still PEIQ's to enter
    expect(page.locator("#record-dns-verification")).to_be_visible()
    dkim = page.locator("#item-dns-dkim")
    expect(dkim.locator(".badge")).to_have_text("Wartet auf PEIQ")
    expect(dkim).not_to_contain_text("Mailjet-Konto")
    expect(page.locator("#forward-waiting")).to_be_attached()  # in the closed "weiterleiten"
    journey.db.table("mailjet_expectations").update(customer["id"], {"dkim_key": DKIM_KEY})
    store.add_event(journey.db, customer["id"], "manager:am@peiq.de", "mailjet-expectation")
    expect(dkim.locator(".badge")).to_have_text("Noch nicht geprüft")
    expect(dkim.locator("#value-dns-dkim")).to_contain_text("v=DKIM1")
    journey.axe()
