"""A customer with two obligations: the SMTP mailbox and the docs' example (rechtliches).

For every test that checks that pages, status.json, dashboard and CSV count per obligation
and overall (the example loads through OBLIGATION_FILES in conftest's app).
"""

from pathlib import Path

from mitwirkung import store
from mitwirkung.catalog import SMTP_OBLIGATION

EXAMPLE_OBLIGATION = Path(__file__).parent.parent / "docs" / "obligations" / "example.toml"
EXAMPLE = "rechtliches"  # its id
LEGAL_VALUES = {
    "company": "Müller Verlag GmbH",
    "imprint-url": "https://www.mueller-verlag.de/impressum",
    "privacy-url": "https://www.mueller-verlag.de/datenschutz",
    "privacy-contact": "datenschutz@mueller-verlag.de",
    "language": "Deutsch",
}


def two_obligation_customer(
    app, db, name="Müller Verlag", domain="mueller-verlag.de", smtp_path: str | None = None
):
    """Create a customer with the SMTP obligation (on smtp_path, or none chosen) and the
    example; return (customer row, edit token, share token)."""
    with app.test_request_context():
        return store.create_customer(
            db, name, domain, None, "test",
            obligations=((SMTP_OBLIGATION, smtp_path), (EXAMPLE, None)),
        )  # fmt: skip


def fill_example(db, customer_id: int, *, confirmed_by_peiq: bool = False) -> None:
    """Complete the example's customer steps as the page would (fields, manual); with
    confirmed_by_peiq also PEIQ's confirmation: the example is then at 100 %."""
    store.set_item(db, customer_id, "legal-pages", "done", "customer",
                   {"values": LEGAL_VALUES}, obligation_id=EXAMPLE)  # fmt: skip
    store.set_item(db, customer_id, "avv-sent", "done", "customer", {"by_hand": True},
                   obligation_id=EXAMPLE)  # fmt: skip
    if confirmed_by_peiq:
        store.set_item(db, customer_id, "avv-received", "done", "manager:am@peiq.de",
                       {"confirmed_by": "am@peiq.de"}, obligation_id=EXAMPLE)  # fmt: skip
