"""The customer's Mailjet path as a new customer walks it:
the hand-ticked "mail arrived" only once PEIQ finished at Mailjet, honest "PEIQ informieren",
the forwarded records, and the provider's steps only where they apply."""

import pytest
from dnszones import rsa_b64
from helpers.web import EXPECTATION

from mitwirkung import store

DNS_ITEMS = ("dns-verification", "dns-spf", "dns-dkim")


@pytest.fixture
def mailjet(app, customers, auth, db):
    """A Mailjet customer whose values PEIQ entered; returns (customer, edit link)."""
    auth.login()
    customer, edit, _ = customers.create(path="mailjet")
    url = f"/manage/customers/{customer['id']}"
    assert customers.post(f"{url}/mailjet", EXPECTATION, token_from=url).status_code == 303
    return customer, edit


def green(db, customer_id):
    for item in DNS_ITEMS:
        store.set_item(db, customer_id, item, "done", "system", {"found": ["x"]})


def inform(customers, edit, red=False):
    data = {"confirm_red": "1"} if red else {}
    return customers.post(f"/c/{edit}/inform", data, htmx=True, token_from=f"/c/{edit}")


def tick(customers, edit):
    return customers.post(f"/c/{edit}/items/mail-received", {"done": "1", "sure": "1"}, htmx=True,
                          token_from=f"/c/{edit}")  # fmt: skip


def received(page: str) -> str:
    return page.split('id="item-mail-received"', 1)[1].split("</li>", 1)[0]


# 1. "Geschafft" only once a mail can have come through Mailjet


def test_no_hand_tick_while_peiq_has_not_finished_at_mailjet(mailjet, customers, client, db):
    customer, edit = mailjet
    green(db, customer["id"])
    inform(customers, edit)  # everything green: PEIQ is told, nothing at Mailjet is done yet
    part = received(client.get(f"/c/{edit}").text)
    assert "Ja, ich habe" not in part and "Haken" not in part
    assert "erst ankommen, wenn PEIQ Mailjet für Ihre Domain fertig eingerichtet hat" in part
    response = tick(customers, edit)  # a stale page or a plain form asks anyway
    assert response.status_code == 422
    assert customers.item_state(customer["id"], "mail-received", "mailjet") == "open"
    assert "Geschafft" not in client.get(f"/c/{edit}").text


def test_before_informing_peiq_the_page_names_what_is_missing(mailjet, customers, client, db):
    customer, edit = mailjet
    green(db, customer["id"])
    part = received(client.get(f"/c/{edit}").text)
    assert "Noch offen: PEIQ informiert" in part or "Noch offen: PEIQ" in part
    assert tick(customers, edit).status_code == 422


def test_the_managers_acknowledgement_opens_the_hand_tick(mailjet, customers, client, db):
    customer, edit = mailjet
    green(db, customer["id"])
    inform(customers, edit)
    customers.post(f"/manage/customers/{customer['id']}/acknowledge")
    assert "erst ankommen" not in received(client.get(f"/c/{edit}").text)
    response = tick(customers, edit)
    assert response.status_code == 200
    # the answer is the banner, marked so that focus and the screen reader go there
    assert 'id="done-banner" data-answer' in response.text and "Geschafft" in response.text


def test_mailjets_active_sender_opens_the_hand_tick(mailjet, customers, client, db):
    customer, edit = mailjet
    green(db, customer["id"])
    inform(customers, edit)
    db.table("mailjet_state").upsert(
        {"customer_id": customer["id"], "sender_status": "Inactive"}, pk="customer_id"
    )
    assert tick(customers, edit).status_code == 422  # Mailjet has not freed the sender
    db.table("mailjet_state").upsert(
        {"customer_id": customer["id"], "sender_status": "Active"}, pk="customer_id"
    )
    assert tick(customers, edit).status_code == 200
    assert customers.item_state(customer["id"], "mail-received", "mailjet") == "done"


def test_red_informing_and_acknowledging_do_not_open_the_hand_tick(mailjet, customers, db):
    customer, edit = mailjet
    store.set_item(db, customer["id"], "dns-verification", "done", "system", {})
    inform(customers, edit, red=True)
    customers.post(f"/manage/customers/{customer['id']}/acknowledge")
    store.set_item(db, customer["id"], "dns-spf", "done", "system", {})
    store.set_item(db, customer["id"], "dns-dkim", "done", "system", {})
    assert tick(customers, edit).status_code == 422  # PEIQ never heard "all green"


def test_a_red_notice_is_acknowledged_as_a_call_for_help(mailjet, customers, client, db):
    customer, edit = mailjet
    store.set_item(db, customer["id"], "dns-verification", "done", "system", {})
    inform(customers, edit, red=True)
    url = f"/manage/customers/{customer['id']}"
    page = client.get(url).text
    assert "Gesehen – ich melde mich bei der Kund:in" in page
    assert "ich schließe die Einrichtung bei Mailjet ab" not in page
    customers.post(f"{url}/acknowledge", token_from=url)
    history = client.get(url).text
    assert "Hilferuf gesehen" in history
    assert "PEIQ schließt die Einrichtung bei Mailjet ab" not in history


def test_a_green_notice_is_acknowledged_as_finishing_at_mailjet(mailjet, customers, client, db):
    customer, edit = mailjet
    green(db, customer["id"])
    inform(customers, edit)
    url = f"/manage/customers/{customer['id']}"
    assert "Gesehen – ich schließe die Einrichtung bei Mailjet ab" in client.get(url).text
    customers.post(f"{url}/acknowledge", token_from=url)
    history = client.get(url).text
    assert "PEIQ schließt die Einrichtung bei Mailjet ab" in history
    assert "Hilferuf gesehen" not in history


def test_without_a_peiq_contact_no_person_is_promised(app, customers, client, db):
    customer, edit, _ = customers.create(path="mailjet")  # no PEIQ contact, no mail set up
    assert store.peiq_contact(db, customer) is None
    waiting = client.get(f"/c/{edit}").text.split('id="dns-waiting"', 1)[1].split("</div>")[0]
    assert "PEIQ sagt Ihnen Bescheid, sobald es so weit ist" in waiting
    assert "Ansprechperson" not in waiting


def test_without_a_peiq_contact_the_red_notice_names_peiq(mailjet, customers, db):
    customer, edit = mailjet
    store.set_item(db, customer["id"], "dns-verification", "done", "system", {})
    response = inform(customers, edit, red=True)
    assert "PEIQ ist benachrichtigt und sieht, welche Einträge noch fehlen" in response.text
    assert "Ansprechperson bei PEIQ sieht" not in response.text


# 6. Informing PEIQ says what it is and mails what is new


def test_informing_with_red_records_promises_nothing_and_keeps_progress(
    mailjet, customers, client, db
):
    customer, edit = mailjet
    store.set_item(db, customer["id"], "dns-verification", "done", "system", {})
    before = client.get(f"/c/{edit}").text.split('data-progress="', 1)[1].split('"', 1)[0]
    response = inform(customers, edit, red=True)
    assert "kümmert sich" not in response.text and "schließt jetzt" not in response.text
    assert "Diese Einträge korrigieren Sie" in response.text
    assert "SPF erlaubt Mailjet das Senden" in response.text
    assert response.text.count("PEIQ ist benachrichtigt") == 1
    assert "PEIQ ist informiert" not in response.text
    assert f'data-progress="{before}"' in response.text
    item = client.get(f"/c/{edit}").text.split('id="item-peiq-informed"', 1)[1].split("</li>")[0]
    assert "Wartet auf PEIQ" not in item and "Erneut informieren" in item


def test_informing_again_after_fixing_the_records_mails_again(
    mail_app, outbox, customers, auth, db
):
    auth.login()
    customer, edit, _ = customers.create(path="mailjet")
    url = f"/manage/customers/{customer['id']}"
    customers.post(f"{url}/mailjet", EXPECTATION, token_from=url)
    inform(customers, edit, red=True)
    inform(customers, edit, red=True)  # the same notice again: the managers have it
    green(db, customer["id"])
    response = inform(customers, edit)  # now all green: this is news
    assert "PEIQ schließt jetzt die Einrichtung bei Mailjet ab" in response.text
    assert customers.item_state(customer["id"], "peiq-informed") == "done"
    inform(customers, edit)  # "Erneut informieren" with nothing new
    mail_app.extensions["runner"].shutdown()  # waits for the mail jobs
    subjects = [m.message["Subject"] for m in outbox.handler.messages]
    assert len(subjects) == 2, subjects
    assert "noch nicht in Ordnung" in subjects[0]
    assert "hat die DNS-Einträge für Mailjet gesetzt" in subjects[1]


# 3, 7, 8, 9. The provider's panel, through a real DNS check on loopback

PANELS = """
$ORIGIN ionos-verlag.de.
@ IN SOA ns1045.ui-dns.de. hostmaster.1und1.com. 1 3600 600 86400 300
@ IN NS ns1045.ui-dns.de.
@ IN NS ns1116.ui-dns.com.
@ IN TXT "v=spf1 include:_spf-eu.ionos.com ~all"
mailjet._a1b2c3d4 IN TXT "a1b2c3d4e5f60718"
$ORIGIN _spf-eu.ionos.com.
@ IN SOA ns1.ionos.com. hostmaster.ionos.com. 1 3600 600 86400 300
@ IN TXT "v=spf1 ip4:212.227.126.128/25 ~all"
$ORIGIN spf.mailjet.com.
@ IN SOA ns1.mailjet.com. hostmaster.mailjet.com. 1 3600 600 86400 300
@ IN TXT "v=spf1 ip4:87.253.232.0/21 -all"
$ORIGIN neu-ionos.de.
@ IN SOA ns1.ionos.de. hostmaster.ionos.de. 1 3600 600 86400 300
@ IN NS ns1.ionos.de.
@ IN NS ns2.ionos.de.
$ORIGIN strato-verlag.de.
@ IN SOA docks01.rzone.de. hostmaster.strato-rz.de. 1 3600 600 86400 300
@ IN NS docks01.rzone.de.
@ IN NS shades08.rzone.de.
mailjet._domainkey.strato-verlag.de IN TXT "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOC"
$ORIGIN cf-verlag.de.
@ IN SOA ada.ns.cloudflare.com. dns.cloudflare.com. 1 3600 600 86400 300
@ IN NS ada.ns.cloudflare.com.
@ IN NS bob.ns.cloudflare.com.
"""


@pytest.fixture(scope="module")
def panels():
    from dnsserver import ZoneServer

    with ZoneServer(PANELS) as server:
        yield server


@pytest.fixture
def checked(app, panels, customers, auth, client, db):
    """checked(domain) -> (customer, edit, share, page) after one real DNS check."""
    import time

    app.config.update(DNS_NAMESERVERS=[panels.nameserver], DNS_TIMEOUT=3)
    auth.login()

    def run(domain, **values):
        customer, edit, share = customers.create(domain=domain, path="mailjet")
        url = f"/manage/customers/{customer['id']}"
        customers.post(f"{url}/mailjet", {**EXPECTATION, "domain": domain, **values},
                       token_from=url)  # fmt: skip
        customers.post(f"/c/{edit}/dns-check", {}, htmx=True, token_from=f"/c/{edit}")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            state = db.execute("SELECT state FROM runs WHERE kind = 'dns' AND customer_id = ?"
                               " ORDER BY id DESC", [customer["id"]]).fetchone()[0]  # fmt: skip
            if state != "running":
                return customer, edit, share, client.get(f"/c/{edit}").text
            time.sleep(0.05)
        raise AssertionError("DNS check did not finish")

    return run


def record_part(page: str, item_id: str) -> str:
    return page.split(f'id="item-{item_id}"', 1)[1].split("</article>", 1)[0]


def test_ionos_notes_stand_only_under_the_record_they_concern(checked):
    *_, page = checked("ionos-verlag.de")
    assert "bei <strong>IONOS</strong> verwaltet" in page
    spf = record_part(page, "dns-spf")
    assert "So ändern Sie den vorhandenen Eintrag bei IONOS" in spf
    assert "Stift-Symbol" in spf and "Record hinzufügen" not in spf  # edit, not add
    for item_id in ("dns-verification", "dns-dkim", "dns-dmarc"):
        part = record_part(page, item_id)
        assert "_spf-eu.ionos.com" not in part and "SPF-Eintrag an" not in part
        assert "Record hinzufügen" in part or "dns-verification" == item_id


def test_traps_go_with_their_record_kind(app):
    from mitwirkung.checks import dnsprovider

    catalog = app.extensions["dns_providers"]
    cloudflare = next(p for p in catalog.providers if p.id == "cloudflare")
    txt = {"item_id": "dns-dkim", "rtype": "TXT", "host": "mailjet._domainkey",
           "fqdn": "mailjet._domainkey.a.de"}  # fmt: skip
    assert not any("Proxied" in t for t in dnsprovider.steps_for(cloudflare, txt).traps)
    cname = {**txt, "rtype": "CNAME"}
    assert any("Proxied" in t for t in dnsprovider.steps_for(cloudflare, cname).traps)
    spf = {"item_id": "dns-spf", "rtype": "TXT", "host": "@", "fqdn": "a.de"}
    for provider in (catalog.generic, *catalog.providers):
        before = dnsprovider.steps_for(provider, spf)
        checked = dnsprovider.steps_for(provider, {**spf, "state": "failed", "found": []})
        existing = dnsprovider.steps_for(
            provider, {**spf, "state": "failed", "found": ["v=spf1 a -all"]}
        )
        assert not checked.change and existing.change, provider.id
        assert len(checked.traps) <= len(before.traps)  # no "maybe there is one" once known
        added = " ".join(checked.steps)
        assert " ".join(existing.steps) != added  # the add step became the edit step
        assert "keinen zweiten" in " ".join(existing.steps), provider.id
        dkim = dnsprovider.steps_for(provider, txt)
        assert not any("v=spf1" in t for t in dkim.traps), provider.id


def test_ionos_name_servers_under_ionos_de_are_recognised(checked):
    *_, page = checked("neu-ionos.de")
    assert "bei <strong>IONOS</strong> verwaltet" in page


def test_strato_says_praefix_and_its_name_not_the_name_servers(checked):
    *_, page = checked("strato-verlag.de")
    assert "In das Feld „Präfix“ kommt nur der kurze Teil" in page
    spf = record_part(page, "dns-spf")
    assert "<dt>Präfix</dt>" in spf and "leer lassen" in spf
    assert "<dt>Präfix</dt>" in record_part(page, "dns-verification")
    assert "laut DNS rzone.de" not in page and "laut DNS Strato" in page
    dkim = record_part(page, "dns-dkim")
    assert "vollständigen Namen als Host" in dkim  # the doubled name is seen
    assert "`" not in page and "richtig ist als Host nur „mailjet._domainkey“" in dkim
    assert "mailjet.<wbr>_domainkey.<wbr>strato-verlag.<wbr>de" in dkim  # breaks at dots


def test_the_forwarded_mail_says_per_record_what_to_do(checked, mail_app, outbox, customers):
    # only complete values are forwarded: without the DKIM key the page offers no forward
    customer, edit, share, _ = checked("ionos-verlag.de", dkim_key=rsa_b64(1024))
    sent = customers.post(f"/c/{edit}/forward", {"email": "it@ionos-verlag.de"}, htmx=True,
                          token_from=f"/c/{edit}")  # fmt: skip
    assert sent.status_code == 200
    mail_app.extensions["runner"].shutdown()  # waits for the mail job
    [message] = outbox.handler.messages
    text = message.text().replace("\r\n", "\n")
    assert "bei IONOS, wo die Domain laut DNS verwaltet wird" in text
    verification, spf, dkim, dmarc = text.split("\n\n")[2:6]
    assert "– nötig" in verification and "in Ordnung – nichts zu tun" in verification
    assert "Wert:" not in verification
    assert "den vorhandenen SPF-Eintrag ändern" in spf and "keinen zweiten" in spf
    assert "include:_spf-eu.ionos.com" in spf and "include:spf.mailjet.com" in spf
    assert "Jetzt im DNS: ein Eintrag unter diesem Namen, der nicht passt" in spf
    assert "v=spf1 include:_spf-eu.ionos.com ~all" not in text  # the DNS text is not repeated
    assert "Stift-Symbol" in spf and "Hostname:  @" in spf
    assert "neu anlegen" in dkim and "Record hinzufügen" in dkim
    assert "_spf-eu" not in dkim  # the IONOS SPF note only where it belongs
    assert "– nicht nötig" in dmarc and "empfohlen) (" not in dmarc
    assert "Bescheid" in text and f"/s/{share}" in text and f"/c/{edit}" not in text
    assert "`" not in text


def test_the_progress_names_its_steps(mailjet, client, db):
    customer, edit = mailjet
    store.set_item(db, customer["id"], "dns-verification", "done", "system", {})
    progress = client.get(f"/c/{edit}").text.split('id="progress"', 1)[1].split("</section>")[0]
    assert "1 von 5 nötigen Schritten" in progress
    assert "Bestätigungs-Eintrag für Mailjet veröffentlicht: erledigt" in progress
    for title in ("SPF erlaubt Mailjet das Senden", "DKIM-Schlüssel veröffentlicht"):
        assert f"{title}: offen" in progress
    assert "nicht nötig: DMARC-Eintrag vorhanden" in progress


def test_no_mailjet_test_mail_block_before_the_records_are_green(mailjet, client, db):
    customer, edit = mailjet
    assert 'id="mailjet-mail"' not in client.get(f"/c/{edit}").text
    green(db, customer["id"])
    page = client.get(f"/c/{edit}").text
    assert 'id="mailjet-mail"' in page and "API-Zugang" not in page
