"""What a customer entered under a further obligation (URLs, an e-mail address) reads in whole
lines on the manager's customer page, on a 390×844 phone as on a desktop: the steps' table
stacks on a phone, and a long value breaks only where the line is full."""

import pytest
from playwright.sync_api import expect
from two_obligations import EXAMPLE, EXAMPLE_OBLIGATION, fill_example, two_obligation_customer

from mitwirkung.cli import create_manager
from mitwirkung.db import connect

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize(
    "live_app", [{"OBLIGATION_FILES": [str(EXAMPLE_OBLIGATION)]}], indirect=True
)
def test_entered_values_read_in_whole_lines(live_app, browser, screenshot, size):
    app = live_app.app
    db = connect(app.config["DATABASE"])
    create_manager(db, "am@peiq.de", "richtig-geheim", "Anna Manager")
    customer, _, _ = two_obligation_customer(app, db, smtp_path="portal")
    fill_example(db, customer["id"])
    context = browser.new_context(locale="de-DE", viewport=SIZES[size])
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{live_app.url}/manage/")
        page.get_by_label("E-Mail").fill("am@peiq.de")
        page.get_by_label("Passwort").fill("richtig-geheim")
        page.get_by_role("button", name="Anmelden").click()
        page.goto(f"{live_app.url}/manage/customers/{customer['id']}")
        values = page.locator(f"#manage-obligation-{EXAMPLE} dd")
        expect(values.first).to_be_visible()
        page.locator(f"#manage-obligation-{EXAMPLE}").scroll_into_view_if_needed()
        screenshot(page, f"ux-manage-obligation-values-{size}")
        width = SIZES[size]["width"]
        for i in range(values.count()):
            box = values.nth(i).bounding_box()
            # a value has most of a phone's width (300 px on a desktop) to itself, not a sliver
            assert box["width"] >= min(width - 100, 300), (values.nth(i).text_content(), box)
        # no line of a value but its last is short: it breaks near where the line ends
        short = page.evaluate(
            """(sel) => [...document.querySelectorAll(sel)].flatMap(el => {
                const r = document.createRange(); r.selectNodeContents(el);
                const lines = new Map();
                for (const x of r.getClientRects()) {
                    const top = Math.round(x.top);
                    lines.set(top, (lines.get(top) || 0) + x.width);
                }
                const widths = [...lines.values()].slice(0, -1);
                return widths.filter(w => w < 0.4 * el.clientWidth).map(w => el.textContent);
            })""",
            f"#manage-obligation-{EXAMPLE} dd",
        )
        assert short == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()
