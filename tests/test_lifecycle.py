"""A customer's lifecycle as the account manager sees it: edit, assigned PEIQ contact, link
mail, confirmation steps, archive page, and a history without noise."""

import re

from helpers.managers import create_test_manager
from smtpserver import Handler, MailServer

from mitwirkung import store


def create(auth, name="Müller Verlag", domain="mueller.de", contact="it@mueller.de"):
    """Create a customer through the dashboard form as the logged-in manager."""
    response = auth.customers.post(
        "/manage/customers", {"name": name, "domain": domain, "contact": contact or ""}
    )
    assert response.status_code == 303, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


def edit(auth, customer_id, **changes):
    page = auth.client.get(f"/manage/customers/{customer_id}").text
    data = dict(re.findall(r'name="edit-(\w+)"[^>]*value="([^"]*)"', page))
    form = {k: data.get(k, "") for k in ("name", "domain", "contact")}
    contact = page.split('name="edit-peiq_contact"', 1)[1].split("</select>", 1)[0]
    form["peiq_contact"] = re.search(r'<option selected value="([^"]*)"', contact).group(1)
    form["reminders"] = "y"
    form.update(changes)
    form = {f"edit-{k}": v for k, v in form.items() if v is not None}
    if "edit-duplicate_ok" in form:
        form["duplicate_ok"] = form.pop("edit-duplicate_ok")
    return auth.customers.post(f"/manage/customers/{customer_id}/edit", form)


def history(client, customer_id) -> list[str]:
    page = client.get(f"/manage/customers/{customer_id}").text
    block = page.split('<ul class="events">', 1)[1].split("</ul>", 1)[0]
    return [" ".join(re.sub(r"<[^>]+>", "", li).split()) for li in block.split("<li>")[1:]]


def test_edit_name_domain_and_contact(auth, db, client):
    auth.login()
    cid = create(auth)
    response = edit(auth, cid, name="Müller Medien", domain="https://www.Müller-Medien.de/",
                    contact="mailto:Chefin@Mueller.DE")  # fmt: skip
    assert response.status_code == 303
    row = store.get_customer(db, cid)
    assert row["name"] == "Müller Medien"
    assert row["domain"] == "xn--mller-medien-dlb.de"
    assert row["contact_email"] == "Chefin@mueller.de"
    [line] = [x for x in history(client, cid) if "Angaben geändert" in x]
    assert "Name „Müller Verlag“ → „Müller Medien“" in line  # old → new, as people write them
    assert "Absender-Domain" in line and "→ „müller-medien.de“" in line
    assert "E-Mail" in line and "→ „Chefin@mueller.de“" in line
    assert ">Müller Medien</a>" in client.get("/manage/?q=medien").text  # the search follows


def test_edit_with_bad_input_keeps_everything_typed(auth, db):
    auth.login()
    cid = create(auth)
    response = edit(auth, cid, name="Neuer Name", domain="kein domain", contact="a@",
                    peiq_contact="999")  # fmt: skip
    assert response.status_code == 422
    html = response.text
    assert 'value="Neuer Name"' in html and 'value="kein domain"' in html
    assert "Ein Domainname enthält keine Leerzeichen" in html
    assert "vollständige E-Mail-Adresse" in html
    assert "Bitte eine Person aus der Liste wählen." in html
    assert "<details open>" in html  # the form with its messages is not folded away
    assert 'href="#edit">Die Angaben sind noch nicht gespeichert' in html  # said at the top
    assert store.get_customer(db, cid)["name"] == "Müller Verlag"


def test_saving_unchanged_particulars_adds_no_history(auth, client):
    auth.login()
    cid = create(auth)
    before = history(client, cid)
    response = edit(auth, cid)
    assert response.status_code == 303
    assert "Nichts geändert" in client.get(response.headers["Location"]).text
    assert history(client, cid) == before


def test_edit_to_a_domain_in_use_warns_and_links_it(auth, db):
    auth.login()
    other = create(auth, "Schmidt Medien", "schmidt.de", None)
    cid = create(auth)
    response = edit(auth, cid, domain="SCHMIDT.de")
    assert response.status_code == 409
    assert f'href="/manage/customers/{other}">Schmidt Medien</a>' in response.text
    assert store.get_customer(db, cid)["domain"] == "mueller.de"
    assert edit(auth, cid, domain="schmidt.de", duplicate_ok="y").status_code == 303
    assert store.get_customer(db, cid)["domain"] == "schmidt.de"


def test_peiq_contact_is_the_creator_and_can_be_changed(auth, db, client):
    create_test_manager(db, "bernd@peiq.de", "richtig-geheim", "Bernd Berater")
    auth.login()
    cid = create(auth)
    customer = store.get_customer(db, cid)
    assert store.peiq_contact(db, customer) == {"name": "Anna Manager", "email": "am@peiq.de"}
    bernd = db.execute("SELECT id FROM managers WHERE email = 'bernd@peiq.de'").fetchone()[0]
    assert edit(auth, cid, peiq_contact=str(bernd)).status_code == 303
    customer = store.get_customer(db, cid)
    assert store.peiq_contact(db, customer) == {"name": "Bernd Berater", "email": "bernd@peiq.de"}
    assert "PEIQ-Ansprechpartner:in: Anna Manager → Bernd Berater" in history(client, cid)[0]
    assert edit(auth, cid, peiq_contact="").status_code == 303
    assert store.peiq_contact(db, store.get_customer(db, cid)) is None


def test_inform_peiq_mails_the_assigned_contact(mail_app, auth, db, client, outbox):
    create_test_manager(db, "bernd@peiq.de", "richtig-geheim", "Bernd Berater")
    auth.login()
    cid = create(auth)
    bernd = db.execute("SELECT id FROM managers WHERE email = 'bernd@peiq.de'").fetchone()[0]
    edit(auth, cid, peiq_contact=str(bernd))
    store.set_path(db, cid, "mailjet", "customer")
    with mail_app.app_context():
        edit_token, _ = store.link_tokens(store.get_customer(db, cid))
    auth.customers.post(f"/c/{edit_token}/inform", {"confirm_red": "1"},
                        token_from=f"/c/{edit_token}")  # fmt: skip
    mail_app.extensions["runner"].shutdown()  # waits for the mail job
    assert [m.rcpt_tos for m in outbox.handler.messages] == [["bernd@peiq.de"]]


def test_send_link_mails_the_contact_a_german_introduction(mail_app, auth, db, client, outbox):
    auth.login()
    cid = create(auth)
    response = auth.customers.post(f"/manage/customers/{cid}/send-link")
    assert response.status_code == 303 and response.headers["Location"].endswith("#links")
    page = client.get(response.headers["Location"]).text
    links = page.split('<section id="links">', 1)[1].split("</section>", 1)[0]
    assert "ist per E-Mail an it@mueller.de unterwegs" in links  # answered where clicked
    [arrived] = outbox.handler.messages
    assert arrived.rcpt_tos == ["it@mueller.de"]
    assert arrived.message["Reply-To"] == "am@peiq.de"
    with mail_app.app_context():
        edit_token, _ = store.link_tokens(store.get_customer(db, cid))
    text = arrived.text()
    assert f"http://mitwirkung.test/c/{edit_token}" in text
    assert "Guten Tag" in text and "Anna Manager" in text and "Müller Verlag" in text
    assert "Kund:innen-Link per E-Mail geschickt (an it@mueller.de)" in history(client, cid)[0]


def test_send_link_says_why_it_cannot(app, auth, db, client):
    auth.login()
    cid = create(auth)
    page = client.get(f"/manage/customers/{cid}").text
    assert "Der E-Mail-Versand ist nicht eingerichtet" in page  # said before anyone clicks
    response = auth.customers.post(f"/manage/customers/{cid}/send-link")
    page = client.get(response.headers["Location"]).text
    links = page.split('<section id="links">', 1)[1].split("</section>", 1)[0]
    assert 'class="flash error"' in links and "MITWIRKUNG_MAIL_SERVER" in links
    no_contact = create(auth, "Ohne Kontakt", "ohne.de", None)
    response = auth.customers.post(f"/manage/customers/{no_contact}/send-link")
    assert "keine E-Mail-Adresse hinterlegt" in client.get(response.headers["Location"]).text


def test_send_link_reports_a_refusing_mail_server(app, auth, client):
    with MailServer(handler=Handler(reject_rcpt="550 5.1.1 no such user")) as refusing:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=refusing.port,
                          MAIL_ENCRYPTION="none", MAIL_FROM="mitwirkung@peiq.example")  # fmt: skip
        auth.login()
        cid = create(auth)
        response = auth.customers.post(f"/manage/customers/{cid}/send-link")
    page = client.get(response.headers["Location"]).text
    assert "Der Link wurde nicht verschickt." in page and "no such user" in page
    assert not any("per E-Mail geschickt" in line for line in history(client, cid))


def test_archived_link_names_the_peiq_contact(auth, client, db):
    auth.login()
    cid = create(auth)
    with auth.customers.app.app_context():
        edit_token, share_token = store.link_tokens(store.get_customer(db, cid))
    auth.customers.post(f"/manage/customers/{cid}/archive", {"confirm": "ja"})
    for url in (f"/c/{edit_token}", f"/s/{share_token}"):
        response = client.get(url)
        assert response.status_code == 410
        assert "ist geschlossen" in response.text
        assert "Anna Manager" in response.text and "mailto:am@peiq.de" in response.text
    # a write through the closed link is refused the same way, nothing changes
    response = client.post(f"/c/{edit_token}/path", data={"path": "portal"})
    assert response.status_code == 410 and store.get_customer(db, cid)["path"] is None
    page = client.get(f"/manage/customers/{cid}").text
    assert "Archiviert am" in page and "Wiederherstellen" in page


def test_confirmation_steps_work_without_javascript(auth, client, db):
    auth.login()
    cid = create(auth)
    page = client.get(f"/manage/customers/{cid}").text
    # the buttons open a <details> with the real, confirming form inside
    for action in ("rotate/edit", "rotate/share", "archive"):
        block = page.split(f'action="/manage/customers/{cid}/{action}"', 1)[1].split("</form>")[0]
        assert 'name="confirm" value="ja"' in block
    response = auth.customers.post(f"/manage/customers/{cid}/archive")
    assert response.status_code == 200 and "Kund:in archivieren?" in response.text
    assert f'href="/manage/customers/{cid}"' in response.text  # "Abbrechen" goes back
    assert store.get_customer(db, cid)["archived_at"] is None


def test_repeated_identical_saves_collapse_into_one_line(auth, client, customers, db, kunde_dns):
    # saving resolves the host: the names live on the test DNS server
    customers.app.config.update(
        DNS_NAMESERVERS=[kunde_dns.nameserver], SMTP_ALLOWED_NETWORKS=["127.0.0.0/8"]
    )
    auth.login()
    cid = create(auth)
    store.set_path(db, cid, "smtp-own", "customer")
    with customers.app.app_context():
        edit_token, _ = store.link_tokens(store.get_customer(db, cid))
    form = {"host": "mail.kunde.test", "port": "587", "encryption": "tls",
            "username": "it@mueller.de", "sender": "it@mueller.de"}  # fmt: skip
    for _ in range(3):
        customers.post(f"/c/{edit_token}/smtp-settings", form, token_from=f"/c/{edit_token}")
    customers.post(f"/c/{edit_token}/smtp-settings", {**form, "host": "other.kunde.test"},
                   token_from=f"/c/{edit_token}")  # fmt: skip
    lines = history(client, cid)
    settings = [line for line in lines if "SMTP-Zugangsdaten eingetragen" in line]
    # saving the same values again changes nothing, so it writes no event
    assert len(settings) == 2, lines
    assert "×" not in settings[0] and "×" not in settings[1]
    assert not any("Läuft" in line for line in lines)


def test_acknowledgement_is_its_own_event(auth, client, customers, db):
    auth.login()
    cid = create(auth)
    store.set_path(db, cid, "mailjet", "customer")
    store.set_item(db, cid, "peiq-informed", "done", "customer", {"waiting_for": "manager"})
    customers.post(f"/manage/customers/{cid}/acknowledge")
    lines = history(client, cid)
    assert "Anna Manager · Meldung „DNS-Einträge stehen“ gesehen" in lines[0]
    assert sum("PEIQ informiert → Erledigt" in line for line in lines) == 1  # the customer's


def test_history_never_shows_internal_codes(auth, client, db):
    auth.login()
    cid = create(auth)
    for kind in ("something-new", "item-state"):
        store.add_event(db, cid, "mystery", kind, item_id="no-such-item",
                        data={"state": "nothing_found"})  # fmt: skip
    lines = history(client, cid)
    assert not any(code in line for line in lines
                   for code in ("something-new", "nothing_found", "no-such-item"))  # fmt: skip
