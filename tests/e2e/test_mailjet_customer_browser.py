"""The Mailjet path in Chromium as a new customer walks it: the hand-tick only once PEIQ
finished at Mailjet and "Geschafft" in view with focus; the panel's own words (Strato's
"Präfix") and names that break at dots on a phone."""

import re

import pytest
from dnsserver import ZoneServer
from e2e.conftest import ARTIFACTS
from helpers.web import MAILJET_FORM
from playwright.sync_api import expect

from mitwirkung import store

STRATO = """
$ORIGIN strato-verlag.de.
@ IN SOA docks01.rzone.de. hostmaster.strato-rz.de. 1 3600 600 86400 300
@ IN NS docks01.rzone.de.
@ IN NS shades08.rzone.de.
mailjet._a1b2c3d4 IN TXT "a1b2c3d4e5f60718"
"""


@pytest.fixture(scope="module")
def journey_zones():
    with ZoneServer(STRATO) as dns:
        yield dns


def with_values(journey):
    customer, edit, share = journey.customer("mailjet", domain="strato-verlag.de")
    journey.db.table("mailjet_expectations").insert(
        {"customer_id": customer["id"], "domain": "strato-verlag.de", **MAILJET_FORM,
         "verification_name": "mailjet._a1b2c3d4.strato-verlag.de", "dkim_key": None}
    )  # fmt: skip
    store.add_event(journey.db, customer["id"], "manager:am@peiq.de", "mailjet-expectation")
    return customer, edit


def test_geschafft_only_after_peiq_finished_and_then_in_view(journey):
    page = journey.page
    customer, edit = with_values(journey)
    for item in ("dns-verification", "dns-spf", "dns-dkim"):
        store.set_item(journey.db, customer["id"], item, "done", "system", {"found": ["x"]})
    page.goto(edit)
    page.locator("#item-peiq-informed").get_by_role("button", name="PEIQ informieren").click()
    journey.answered(page.locator("#item-peiq-informed .answer"), "PEIQ ist benachrichtigt")
    received = page.locator("#item-mail-received")
    expect(received).to_contain_text("erst ankommen, wenn PEIQ Mailjet für Ihre Domain fertig")
    expect(received.locator("form[action$='/items/mail-received']")).to_have_count(0)
    expect(page.locator("#done-banner")).to_have_count(0)
    journey.shot("mailjet-waiting-for-peiq")

    row = store.item_rows(journey.db, customer["id"])["peiq-informed"]  # the manager saw it
    store.set_item(journey.db, customer["id"], "peiq-informed", "done", "manager:am@peiq.de",
                   {**row["detail"], "waiting_for": None}, kind="peiq-acknowledged")  # fmt: skip
    page.reload()
    expect(page.locator("#item-peiq-informed")).to_contain_text("und hat es gesehen")
    received.get_by_role("button", name="Ja, ich habe eine E-Mail von PRINT PPS erhalten").click()
    received.get_by_role("button", name=re.compile("Ja, ich bestätige von Hand")).click()
    journey.answered(page.locator("#done-banner"), "Geschafft")
    journey.axe()
    journey.shot("mailjet-geschafft")


def test_strato_words_and_names_that_break_at_dots(journey):
    page = journey.page
    _, edit = with_values(journey)
    page.goto(edit)
    page.get_by_role("button", name="DNS prüfen").click()
    journey.answered(page.locator("#dns-answer"), "Noch nicht in Ordnung")
    expect(page.locator("#dns-provider")).to_contain_text("bei Strato verwaltet")
    record = page.locator("#record-dns-dkim")
    expect(record.locator("dt").nth(1)).to_have_text("Präfix")
    expect(page.locator("#record-dns-spf")).to_contain_text("leer lassen")
    full = record.locator("small", has_text="vollständiger Name")
    # every line of the full name ends at a dot (or is its end): no label is cut in two
    lines = full.evaluate(
        """e => { const r = document.createRange(); const t = [...e.childNodes];
           const out = []; let top = null, line = "";
           for (const n of t) { if (n.nodeType !== 3) continue;
             for (let i = 0; i < n.length; i++) { r.setStart(n, i); r.setEnd(n, i + 1);
               const y = Math.round(r.getBoundingClientRect().top);
               if (top !== null && y > top + 2) { out.push(line); line = ""; }
               top = y; line += n.data[i]; } }
           out.push(line); return out; }"""
    )
    assert all(line.endswith(".") for line in lines[:-1]), lines
    expect(page.locator("#item-dns-dkim")).not_to_contain_text("`")
    page.locator("#steps-dns-spf summary").click()
    expect(page.locator("#steps-dns-spf")).not_to_contain_text("Proxied")
    journey.axe()
    journey.shot("mailjet-strato")
    for item in ("dns-spf", "dns-dkim"):
        shot = ARTIFACTS / f"mailjet-strato-{item}-{journey.viewport}.png"
        page.locator(f"#item-{item}").screenshot(path=str(shot))
