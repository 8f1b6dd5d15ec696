"""Microsoft 365 in a real browser: the notice while typing, the OAuth form, the admin guide."""

import pytest
from identityserver import CLIENT, SECRET, TENANT, IdentityServer
from playwright.sync_api import expect
from smtpserver import USER, exchange_lab

from mitwirkung import store
from mitwirkung.db import connect

OAUTH_GUIDE = (
    "https://learn.microsoft.com/de-de/exchange/client-developer/legacy-protocols/"
    "how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth"
)


@pytest.fixture
def m365_live(live_app, certs, kunde_dns):
    live_app.app.config.update(DNS_NAMESERVERS=[kunde_dns.nameserver], TODAY="2026-12-06",
                               SMTP_ALLOWED_NETWORKS=["127.0.0.0/8"], SMTP_CA_FILE=certs.ca_file,
                               SMTP_TIMEOUT=5)  # fmt: skip
    return live_app


def customer_page(live_app, page):
    db = connect(live_app.app.config["DATABASE"])
    with live_app.app.app_context():
        customer, edit, _ = store.create_customer(db, "Kunde Verlag", "kunde.test", None, "t")
        store.set_path(db, customer["id"], "smtp-own", "t")
    db.close()
    page.goto(f"{live_app.url}/c/{edit}")
    return customer


@pytest.mark.parametrize("size", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_notice_oauth_form_and_guide(m365_live, page, screenshot, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    customer_page(m365_live, page)
    notice = page.locator("#provider-notice")
    expect(notice).not_to_contain_text("Microsoft")
    page.get_by_label("Server/Host").fill("smtp.office365.com")
    expect(notice).to_contain_text("Microsoft 365: Anmeldung mit Passwort endet Ende Dezember 2026")
    expect(page.get_by_label("Verzeichnis-ID (Tenant-ID)")).to_be_hidden()
    page.get_by_label("OAuth 2.0 (Microsoft 365)").check()
    expect(page.get_by_label("Verzeichnis-ID (Tenant-ID)")).to_be_visible()
    expect(page.get_by_label("Anwendungs-ID (Client-ID)")).to_be_visible()
    expect(page.get_by_label("Geheimer Clientschlüssel (Client Secret)")).to_be_visible()
    expect(page.locator("#smtp-password-input")).to_be_hidden()
    expect(notice).to_contain_text("Microsoft 365 mit OAuth 2.0")
    page.get_by_text("Anleitung für die Administration Ihres Microsoft-365-Kontos").click()
    guide = page.locator("#oauth-guide")
    expect(guide).to_contain_text("SMTP.SendAsApp")
    expect(guide).to_contain_text("New-ServicePrincipal -AppId")
    link = guide.get_by_role("link", name="Authentifizieren einer IMAP-, POP- oder SMTP-Verbindung")
    expect(link).to_have_attribute("href", OAUTH_GUIDE)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= size[0] + 1, f"page scrolls sideways: {width}"
    screenshot(page, f"m365-oauth-guide-{size[0]}")
    page.get_by_label("Benutzername und Passwort").check()
    expect(page.locator("#smtp-password-input")).to_be_visible()
    expect(notice).to_contain_text("Andere Wege, wenn OAuth 2.0 nicht geht")


def test_oauth_test_mail_in_the_browser(m365_live, certs, page, screenshot):
    customer_page(m365_live, page)
    with (
        IdentityServer() as idp,
        exchange_lab(
            certs.context("127.0.0.1", "mail.kunde.test"),
            mailbox_of=lambda t: USER if t in idp.issued else None,
        ) as server,
    ):
        m365_live.app.config.update(MS_LOGIN_URL=idp.url, SMTP_ALLOWED_PORTS=[server.port])
        page.get_by_label("Server/Host").fill("mail.kunde.test")
        page.locator("#port").fill(str(server.port))
        page.locator("input[name=encryption][value=tls]").check()
        page.get_by_label("OAuth 2.0 (Microsoft 365)").check()
        page.locator("#username").fill(USER)
        page.locator("#sender").fill(USER)
        page.get_by_label("Verzeichnis-ID (Tenant-ID)").fill(TENANT)
        page.get_by_label("Anwendungs-ID (Client-ID)").fill(CLIENT)
        page.get_by_label("Geheimer Clientschlüssel (Client Secret)").fill(SECRET)
        page.locator("#recipient").fill("it@kunde.test")
        page.get_by_role("button", name="Testmail senden").click()
        answer = page.locator("#smtp-answer")
        expect(answer).to_contain_text("Testmail wurde angenommen", timeout=15_000)
        expect(answer).to_contain_text("Microsoft 365 mit OAuth 2.0")
        # the server's greeting named Microsoft 365: the form's notice says so without reload
        expect(page.locator("#provider-notice")).to_contain_text("Microsoft 365 mit OAuth 2.0")
    assert SECRET not in page.content()
    screenshot(page, "m365-oauth-test-mail")
