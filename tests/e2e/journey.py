"""The customer journey's shared pieces for browser tests: the test zones, PEIQ's Mailjet
values, and `Journey` (customers of a shared app server, axe-core, screenshots, "answered
in place"). Its fixtures (`journey`, `journey_server`, …) are in tests/e2e/conftest.py."""

from pathlib import Path

from dnszones import rsa_b64
from playwright.sync_api import expect

from mitwirkung import store
from mitwirkung.db import connect

ARTIFACTS = Path(__file__).parent.parent / "artifacts"
AXE = Path(__file__).parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PARTLY = """
$ORIGIN teil.de.
@ IN SOA ns1.teil.de. hostmaster.teil.de. 1 3600 600 86400 300
@ IN NS ns1.teil.de.
@ IN TXT "v=spf1 ip4:192.0.2.1 -all"
mailjet._a1b2c3d4 IN TXT "a1b2c3d4e5f60718"
$ORIGIN gruen.de.
@ IN SOA ns1.gruen.de. hostmaster.gruen.de. 1 3600 600 86400 300
@ IN NS ns1.gruen.de.
mailjet._a1b2c3d4 IN TXT "a1b2c3d4e5f60718"
$ORIGIN spf.mailjet.com.
@ IN SOA ns1.mailjet.com. hostmaster.mailjet.com. 1 3600 600 86400 300
@ IN TXT "v=spf1 ip4:87.253.232.0/21 -all"
"""
DKIM_KEY = rsa_b64(1024)


class Journey:
    """Customers of the shared server and what a test needs to look at them."""

    def __init__(self, server, page, viewport):
        self.server, self.page, self.viewport = server, page, viewport
        self.db = connect(server.app.config["DATABASE"])

    def customer(self, path=None, domain="kunde.test", contact=None):
        with self.server.app.app_context():
            customer, edit, share = store.create_customer(
                self.db, "Kunde Verlag", domain, contact, "manager:am@peiq.de"
            )
        if path:
            store.set_path(self.db, customer["id"], path, "test")
        return customer, f"{self.server.url}/c/{edit}", f"{self.server.url}/s/{share}"

    def state(self, customer_id, item_id):
        rows = store.item_rows(self.db, customer_id)
        return rows[item_id]["state"] if item_id in rows else "open"

    def axe(self):
        """Run axe-core on the page as it is; fail on any violation."""
        self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate(
            "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',"
            " 'best-practice']})"
        )
        found = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
        assert found == [], found

    def shot(self, name):
        """Save what the person sees now (the viewport) and the whole page; nothing may make
        the page wider than the screen."""
        self.page.wait_for_load_state("load")  # stylesheets too, not only the DOM
        widths = self.page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth,"
            " window.scrollX]"
        )
        overflowing = self.page.evaluate(
            "[...document.querySelectorAll('body, body *')]"
            ".filter(e => e.scrollWidth > e.clientWidth + 1"
            " && getComputedStyle(e).overflowX === 'visible')"
            ".map(e => `${e.tagName}#${e.id}.${e.className}: ${e.scrollWidth}/${e.clientWidth}`)"
        )
        assert widths[0] <= widths[1] and widths[2] == 0, (widths, overflowing)
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}-{self.viewport}.png"))
        self.page.screenshot(
            path=str(ARTIFACTS / f"{name}-{self.viewport}-full.png"), full_page=True
        )

    def answered(self, locator, text):
        """The answer says text, sits inside the viewport, has focus and was read out."""
        expect(locator).to_contain_text(text, timeout=15_000)
        expect(locator).to_be_focused()
        expect(locator).to_be_in_viewport()
        expect(self.page.locator("#announcer")).to_contain_text(text)
