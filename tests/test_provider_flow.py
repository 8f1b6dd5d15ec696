"""Provider steps and Mailjet's own view on the pages, through a real DNS check."""

import time

import pytest
from dnsserver import ZoneServer
from dnszones import make_keys, zone_text
from mailjetserver import MailjetApi

from mitwirkung import mailjet_sync

STRATO = """
$ORIGIN strato-verlag.de.
@ IN SOA docks01.rzone.de. hostmaster.strato-rz.de. 1 3600 600 86400 300
@ IN NS docks01.rzone.de.
@ IN NS shades08.rzone.de.
"""
MAILJET = {"verification_name": "mailjet._a1b2c3d4", "verification_value": "a1b2c3d4e5f60718",
           "dkim_selector": "mailjet", "dkim_key": ""}  # fmt: skip


@pytest.fixture(scope="module")
def keys():
    return make_keys()


@pytest.fixture(scope="module")
def dns_server(keys):
    with ZoneServer(zone_text(keys) + STRATO, servfail=["kaputt-verlag.de"]) as server:
        yield server


@pytest.fixture(scope="module")
def api(keys):
    with MailjetApi() as server:
        yield server


@pytest.fixture
def site(app, dns_server, api, auth):
    app.config.update(DNS_NAMESERVERS=[dns_server.nameserver], DNS_TIMEOUT=3,
                      MAILJET_API_URL=api.url, MAILJET_API_KEY="peiq-key",
                      MAILJET_API_SECRET="peiq-secret")  # fmt: skip
    auth.login()
    return auth.customers


def check(customers, edit, customer_id):
    response = customers.post(f"/c/{edit}/dns-check", {}, htmx=True, token_from=f"/c/{edit}")
    assert response.status_code == 200
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        run = customers.db.execute(
            "SELECT state FROM runs WHERE kind = 'dns' AND customer_id = ? ORDER BY id DESC",
            [customer_id],
        ).fetchone()
        if run[0] != "running":
            return
        time.sleep(0.05)
    raise AssertionError("DNS check did not finish")


def test_strato_steps_appear_after_the_first_check(site, client):
    customer, edit, _ = site.create(domain="strato-verlag.de", path="mailjet")
    url = f"/manage/customers/{customer['id']}"
    site.post(f"{url}/mailjet", {"domain": "strato-verlag.de", **MAILJET}, token_from=url)
    before = client.get(f"/c/{edit}").text
    assert "Nach der ersten Prüfung erkennen wir Ihren DNS-Anbieter" in before
    assert "So legen Sie den Eintrag an" in before  # the generic steps meanwhile
    check(site, edit, customer["id"])
    page = client.get(f"/c/{edit}").text
    assert "Ihre Domain wird laut DNS bei <strong>Strato</strong> verwaltet" in page
    assert "So legen Sie den Eintrag bei Strato an" in page
    assert "Tragen Sie bei „Präfix“ „mailjet._a1b2c3d4“ ein" in page
    assert "Lassen Sie „Präfix“ leer" in page  # the SPF record at the domain itself


def checked_page(site, client, domain):
    """A customer on the Mailjet path, values entered by hand, one DNS check: its page."""
    customer, edit, _ = site.create(domain=domain, path="mailjet")
    url = f"/manage/customers/{customer['id']}"
    site.post(f"{url}/mailjet", {"domain": domain, **MAILJET}, token_from=url)
    check(site, edit, customer["id"])
    return client.get(f"/c/{edit}").text


def test_an_unknown_provider_is_named_with_generic_steps(site, client):
    page = checked_page(site, client, "good.de")
    assert "von <strong>dns-provider.net</strong> verwaltet" in page
    assert "öffnen Sie die DNS-Einstellungen" in page


def test_a_dns_that_does_not_answer_names_no_provider(site, client):
    page = checked_page(site, client, "kaputt-verlag.de")
    assert "Bei der letzten Prüfung hat das DNS nicht geantwortet" in page
    assert "So legen Sie den Eintrag an" in page and "verwaltet (" not in page


def fetched_from_mailjet(site, api, keys):
    """A customer for good.de whose values the manager fetched from a fresh Mailjet."""
    api.add_domain("good.de", token="a1b2c3d4e5f60718", dkim_key=keys.rsa2048)
    customer, edit, _ = site.create(domain="good.de", path="mailjet")
    url = f"/manage/customers/{customer['id']}"
    fields = {
        "domain": "good.de",
        "verification_name": "",
        "verification_value": "",
        "dkim_selector": "mailjet",
        "dkim_key": "",
        "api_key": "",
        "api_secret": "",
    }
    assert site.post(f"{url}/mailjet/fetch", fields, token_from=url).status_code == 303
    return customer, edit, url


def test_mailjet_is_asked_when_we_are_green_and_disagreement_is_explained(site, client, api, keys):
    customer, edit, url = fetched_from_mailjet(site, api, keys)
    check(site, edit, customer["id"])
    for item in ("dns-verification", "dns-spf", "dns-dkim"):
        assert site.item_state(customer["id"], item) == "done"
    state = mailjet_sync.row(site.db, customer["id"])
    dns_id, sender_id = api.domains["good.de"].dns_id, api.domains["good.de"].sender_id
    paths = {p for _, p, _ in api.requests}
    assert f"/v3/REST/dns/{dns_id}/check" in paths
    assert f"/v3/REST/sender/{sender_id}/validate" in paths  # the sender's id, not the DNS id
    assert state["spf_status"] == "Error" and state["sender_status"] == "Inactive"
    disagreement = "Mailjet hat ihn noch nicht gesehen – es prüft alle paar Minuten erneut"
    not_yet = "Mailjet hat den Absender noch nicht freigeschaltet (Mailjet meldet: "
    assert disagreement in client.get(f"/c/{edit}").text
    assert disagreement in client.get(url).text and not_yet in client.get(url).text
    api.domains["good.de"].published = {  # Mailjet's own look, once its caches caught up
        "spf": ["v=spf1 include:spf.mailjet.com ~all"],
        "token": "a1b2c3d4e5f60718",
        "dkim": f"v=DKIM1; k=rsa; p={api.domains['good.de'].dkim_key}",
    }
    check(site, edit, customer["id"])
    state = mailjet_sync.row(site.db, customer["id"])
    assert (state["spf_status"], state["dkim_status"], state["sender_status"]) == (
        "OK", "OK", "Active",
    )  # fmt: skip
    assert state["check"]["disagreements"] == []
    page = client.get(url).text
    assert "aktiv" in page and disagreement not in page


def test_a_hanging_mailjet_does_not_hold_up_our_verdicts(site, client, app, api, keys):
    customer, edit, url = fetched_from_mailjet(site, api, keys)
    with MailjetApi() as slow:
        slow.hang.set()
        app.config.update(MAILJET_API_URL=slow.url, MAILJET_TIMEOUT=0.3)
        check(site, edit, customer["id"])
    assert site.item_state(customer["id"], "dns-dkim") == "done"
    state = mailjet_sync.row(site.db, customer["id"])
    assert "nicht rechtzeitig geantwortet" in state["check"]["error"]
    assert "Mailjet konnte zuletzt nicht gefragt werden" in client.get(url).text
