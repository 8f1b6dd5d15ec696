"""The Mailjet DNS check through the web layer, against a real DNS server on loopback."""

import time

import pytest
from dnsserver import ZoneServer
from dnszones import make_keys, zone_text
from helpers.managers import create_test_manager
from helpers.web import MAILJET_FORM
from smtpserver import MailServer

from mitwirkung import store
from mitwirkung.runs.app_mail import manager_addresses

EVIL = """
$ORIGIN evil.de.
@ IN SOA ns1.evil.de. hostmaster.evil.de. 1 3600 600 86400 300
@ IN NS ns1.evil.de.
@ IN TXT "v=spf1 include:<script>alert(1)</script> ~all"
"""


@pytest.fixture(scope="module")
def keys_zone():
    return zone_text(make_keys()) + EVIL


@pytest.fixture(scope="module")
def dns_server(keys_zone):
    with ZoneServer(keys_zone, servfail=["down.de"]) as server:
        yield server


@pytest.fixture
def dns_app(app, dns_server):
    app.config.update(DNS_NAMESERVERS=[dns_server.nameserver], DNS_TIMEOUT=3)
    return app


def expect(customers, customer, domain):
    response = customers.post(
        f"/manage/customers/{customer['id']}/mailjet", {"domain": domain, **MAILJET_FORM}
    )
    assert response.status_code == 303, response.text


def check(customers, edit, customer):
    response = customers.post(f"/c/{edit}/dns-check", {}, htmx=True, token_from=f"/c/{edit}")
    assert response.status_code == 200
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        rows = list(customers.db.query("SELECT * FROM runs WHERE kind = 'dns' AND customer_id = ?"
                                       " ORDER BY id DESC LIMIT 1", [customer["id"]]))  # fmt: skip
        if rows[0]["state"] != "running":
            return response, rows[0]
        time.sleep(0.05)
    raise AssertionError("DNS check did not finish")


def test_correct_domain_turns_green(dns_app, client, customers, auth):
    auth.login()
    customer, edit, _ = customers.create(domain="good.de", path="mailjet")
    page = client.get(f"/c/{edit}").text
    assert "PEIQ richtet Mailjet für Sie gerade ein" in page
    expect(customers, customer, "good.de")
    page = client.get(f"/c/{edit}").text
    assert "mailjet._a1b2c3d4" in page and "a1b2c3d4e5f60718" in page
    # Before the first check nobody knows whether good.de has an SPF record: no fresh SPF
    # value to copy (it could become a second record), only what "DNS prüfen" will show.
    spf = page.split('id="record-dns-spf"', 1)[1].split("</article>", 1)[0]
    assert 'id="value-dns-spf"' not in spf and "v=spf1 include:spf.mailjet.com" not in spf
    assert "Drücken Sie zuerst „DNS prüfen“" in spf
    response, run = check(customers, edit, customer)
    assert 'id="dns"' in response.text and 'hx-swap-oob="true"' in response.text
    assert "DNS wird geprüft" in response.text  # the answer polls the run
    assert run["outcome"] == "ok"
    for item in ("dns-verification", "dns-spf", "dns-dkim", "dns-dmarc"):
        assert customers.item_state(customer["id"], item) == "done", item
    html = client.get(f"/c/{edit}/runs/{run['id']}", headers={"HX-Request": "true"}).text
    assert "ns1.dns-provider.net" in html and "every 60s" not in html
    assert client.get(f"/c/{edit}/status.json").get_json()["progress"] == 60


def test_missing_records_explain_and_recheck_by_themselves(dns_app, client, customers, auth):
    auth.login()
    customer, edit, _ = customers.create(domain="empty.de", path="mailjet")
    expect(customers, customer, "empty.de")
    _, run = check(customers, edit, customer)
    assert run["outcome"] == "records_missing"
    assert customers.item_state(customer["id"], "dns-spf") == "failed"
    assert customers.item_state(customer["id"], "dns-dmarc") == "warning"  # never blocks
    page = client.get(f"/c/{edit}").text
    assert "Was tun?" in page and "ns1.other-dns.example" in page
    assert 'hx-trigger="every 60s" hx-vals=\'{"auto": "1"}\'' in page


def test_dns_not_answering_is_never_missing(dns_app, client, customers, auth):
    auth.login()
    customer, edit, _ = customers.create(domain="down.de", path="mailjet")
    expect(customers, customer, "down.de")
    _, run = check(customers, edit, customer)
    assert run["outcome"] == "dns_unavailable"
    for item in ("dns-verification", "dns-spf", "dns-dkim"):
        assert customers.item_state(customer["id"], item) == "open"
    section = client.get(f"/c/{edit}").text.split('id="dns"')[1].split('class="glossary"')[0]
    assert "antwortet gerade nicht" in section
    assert "Fehlgeschlagen" not in section and "Erledigt" not in section


def test_found_values_are_escaped(dns_app, client, customers, auth):
    auth.login()
    customer, edit, share = customers.create(domain="evil.de", path="mailjet")
    expect(customers, customer, "evil.de")
    check(customers, edit, customer)
    for url in (f"/c/{edit}", f"/s/{share}"):
        page = client.get(url).text
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_manager_form_keeps_input_and_explains(dns_app, customers, auth, db):
    auth.login()
    customer, _, _ = customers.create()
    response = customers.post(
        f"/manage/customers/{customer['id']}/mailjet",
        {**MAILJET_FORM, "domain": "kein domain", "dkim_selector": "mail jet"},
    )
    assert response.status_code == 422
    assert "Ein Domainname enthält keine Leerzeichen" in response.text
    assert "Der Selektor besteht nur aus" in response.text
    assert 'value="a1b2c3d4e5f60718"' in response.text
    assert db.table("mailjet_expectations").count == 0


def test_check_without_expectation_is_refused(dns_app, customers):
    _, edit, _ = customers.create(path="mailjet")
    response = customers.post(f"/c/{edit}/dns-check", {}, token_from=f"/c/{edit}")
    assert response.status_code == 409


def test_inform_peiq_shows_on_dashboard_and_mails_managers(dns_app, client, customers, auth, db):
    with MailServer() as mail_server:
        dns_app.config.update(
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=mail_server.port,
            MAIL_ENCRYPTION="none",
            MAIL_FROM="mitwirkung@peiq.example",
        )
        customer, edit, _ = customers.create(name="Good GmbH", domain="good.de", path="mailjet")
        response = customers.post(f"/c/{edit}/inform", {}, htmx=True, token_from=f"/c/{edit}")
        assert "Möchten Sie PEIQ trotzdem informieren?" in response.text  # nothing checked yet
        assert customers.item_state(customer["id"], "peiq-informed") == "open"
        response = customers.post(
            f"/c/{edit}/inform", {"confirm_red": "1"}, htmx=True, token_from=f"/c/{edit}"
        )
        assert response.status_code == 200 and "Sie haben PEIQ am" in response.text
        assert "PEIQ kümmert sich" not in response.text  # the red records are the customer's
        assert response.text.count("PEIQ ist benachrichtigt") == 1
        # nothing is in place yet: the step stays open and progress does not rise
        assert customers.item_state(customer["id"], "peiq-informed") == "open"
        assert 'data-progress="0"' in client.get(f"/c/{edit}").text
        deadline = time.monotonic() + 10
        while not mail_server.handler.messages and time.monotonic() < deadline:
            time.sleep(0.05)
    message = mail_server.handler.messages[0]
    assert message.rcpt_tos == ["am@peiq.de"]
    assert "Good GmbH" in message.message["Subject"] and "noch nicht in Ordnung" in message.text()
    assert "SPF erlaubt Mailjet das Senden" in message.text()
    auth.login()
    assert "PEIQ informiert: wartet auf PEIQ" in client.get("/manage/").text
    page = client.get(f"/manage/customers/{customer['id']}").text
    assert "obwohl noch nicht alle nötigen DNS-Einträge in Ordnung sind" in page
    assert "die DNS-Einträge stehen" not in page
    customers.post(f"/manage/customers/{customer['id']}/acknowledge")
    assert "PEIQ informiert: wartet auf PEIQ" not in client.get("/manage/").text
    assert store.item_rows(db, customer["id"])["peiq-informed"]["state"] == "open"


def test_automatic_rechecks_pause_and_checks_are_limited(dns_app, client, customers, auth, db):
    auth.login()
    customer, edit, _ = customers.create(domain="empty.de", path="mailjet")
    expect(customers, customer, "empty.de")
    url = f"/c/{edit}/dns-check"
    response = customers.post(url, {"auto": "1"}, htmx=True, token_from=f"/c/{edit}")
    assert response.status_code == 422 and "automatische Prüfung pausiert" in response.text
    dns_app.config["DNS_CHECKS_PER_CUSTOMER"] = 2
    check(customers, edit, customer)
    check(customers, edit, customer)
    response = customers.post(url, {}, htmx=True, token_from=f"/c/{edit}")
    assert response.status_code == 422 and "in einigen Minuten erneut" in response.text
    assert db.table("runs").count_where("kind = 'dns'") == 2


def test_polling_a_run_of_another_path_says_the_path_changed(dns_app, client, customers, auth):
    auth.login()
    customer, edit, _ = customers.create(domain="good.de", path="mailjet")
    expect(customers, customer, "good.de")
    _, run = check(customers, edit, customer)
    customers.post(f"/c/{edit}/path", {"path": "smtp-own"}, token_from=f"/c/{edit}")
    assert client.get(f"/c/{edit}/runs/{run['id']}").status_code == 409  # B5


def test_informing_twice_mails_once(dns_app, customers, auth):
    with MailServer() as mail_server:
        dns_app.config.update(
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=mail_server.port,
            MAIL_ENCRYPTION="none",
            MAIL_FROM="mitwirkung@peiq.example",
        )
        customer, edit, _ = customers.create(domain="good.de", path="mailjet")
        for _ in range(3):
            customers.post(
                f"/c/{edit}/inform", {"confirm_red": "1"}, htmx=True, token_from=f"/c/{edit}"
            )
        deadline = time.monotonic() + 5
        while not mail_server.handler.messages and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
    assert len(mail_server.handler.messages) == 1


def test_the_creating_manager_is_mailed(dns_app, customers, auth, db):
    create_test_manager(db, "zweite@peiq.de", "richtig-geheim", "Zweite")
    auth.login()
    customers.post("/manage/customers", {"name": "Eigen GmbH", "domain": "good.de"})
    own = next(db.query("SELECT id FROM customers WHERE name = 'Eigen GmbH'"))["id"]
    other, _, _ = customers.create(name="Ohne Ersteller", path="mailjet")
    assert manager_addresses(db, own) == ["am@peiq.de"]
    assert manager_addresses(db, other["id"]) == ["am@peiq.de", "zweite@peiq.de"]


def test_record_without_a_valid_offer_has_no_copy_button(dns_app, client, customers, auth):
    auth.login()
    customer, edit, _ = customers.create(domain="k2-unclear.de", path="mailjet")
    expect(customers, customer, "k2-unclear.de")
    _, run = check(customers, edit, customer)
    html = client.get(f"/c/{edit}/runs/{run['id']}", headers={"HX-Request": "true"}).text
    spf = html.split('id="record-dns-spf"', 1)[1].split("</article>", 1)[0]
    assert "Einen gültigen Wert können wir noch nicht vorschlagen" in spf
    assert 'id="value-dns-spf"' not in spf and 'data-copy="#value-dns-spf"' not in spf
    assert "unklar ist, was „ip4:192.0.2.300“ heißen soll" in spf
    dkim = html.split('id="record-dns-dkim"', 1)[1].split("</article>", 1)[0]
    assert "Einen gültigen Wert" not in dkim


def test_a_timeout_keeps_the_record_offered_before(dns_app, client, customers, auth, keys_zone):
    auth.login()
    customer, edit, _ = customers.create(domain="other-spf.de", path="mailjet")
    expect(customers, customer, "other-spf.de")
    merged = "v=spf1 mx include:_spf.other-spf.de include:spf.mailjet.com -all"
    check(customers, edit, customer)
    assert merged in client.get(f"/c/{edit}").text
    with ZoneServer(keys_zone, servfail=["other-spf.de"]) as flaky:
        dns_app.config.update(DNS_NAMESERVERS=[flaky.nameserver])
        _, second = check(customers, edit, customer)
    assert second["outcome"] == "dns_unavailable"
    section = client.get(f"/c/{edit}").text.split('id="record-dns-spf"')[1].split("</article>")[0]
    assert "antwortet gerade nicht" in section
    assert f'<code id="value-dns-spf" class="value">{merged}</code>' in section


def badge(page: str, item_id: str) -> str:
    """Return the state label the customer page shows for item_id."""
    item = page.split(f'<li id="item-{item_id}"', 1)[1]
    return item.split('class="badge', 1)[1].split(">", 1)[1].split("<", 1)[0]


def test_state_labels_say_what_the_check_saw(dns_app, client, customers, auth):
    """A quoted verification value and an invalid DMARC
    record read "Fehlerhaft", an absent DMARC "Empfohlen", a weak key "Erledigt, mit Hinweis";
    DMARC never changes the progress (dns-dmarc is not required)."""
    auth.login()
    seen = {}
    for domain in ("m2-dq.de", "m2-sq.de", "other-spf.de"):
        customer, edit, _ = customers.create(domain=domain, path="mailjet")
        expect(customers, customer, domain)
        check(customers, edit, customer)
        page = client.get(f"/c/{edit}").text
        labels = {i: badge(page, i) for i in ("dns-verification", "dns-dkim", "dns-dmarc")}
        progress = client.get(f"/c/{edit}/status.json").get_json()["progress"]
        seen[domain] = (labels, progress, page)
    dq, sq, other = seen["m2-dq.de"], seen["m2-sq.de"], seen["other-spf.de"]
    assert dq[0] == {
        "dns-verification": "Fehlerhaft",  # "a1b2…" in quotes is not the value Mailjet wants
        "dns-dkim": "Erledigt",
        "dns-dmarc": "Fehlerhaft",  # v=DMARC1 p=none: not read as DMARC at all
    }
    assert "Bestätigungs-Eintrag für Mailjet veröffentlicht" in dq[2]
    assert "Domain bei Mailjet bestätigt" not in dq[2]
    assert sq[0]["dns-dmarc"] == "Empfohlen" and sq[0]["dns-verification"] == "Fehlerhaft"
    assert dq[1] == sq[1]  # a broken DMARC record costs no progress: it is not required
    assert other[0]["dns-dkim"] == "Erledigt, mit Hinweis"  # 1024 bits: works, but weak
    assert other[0]["dns-verification"] == "Fehlerhaft"
