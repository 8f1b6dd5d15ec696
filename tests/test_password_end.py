"""PEIQ sees who sends over Microsoft 365 / Google with a password, and is told after the date.

The dashboard's filter, count and CSV column read proven settings only; the job runs once per
customer after Microsoft's switch-off date and mails manager and customer (real aiosmtpd).
"""

import csv
import io
from datetime import UTC, datetime

import pytest

from mitwirkung import jobs, store
from mitwirkung.db import frozen

BEFORE = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
AFTER = datetime(2027, 1, 5, 8, 0, tzinfo=UTC)


@pytest.fixture
def make(mail_app, db, auth):
    def make(name, *, provider="microsoft", method="password", proven=True, no_login=0):
        with mail_app.test_request_context(), frozen(BEFORE):
            domain = name.split()[0].lower() + ".de"
            customer, _, _ = store.create_customer(db, name, domain, f"it@{domain}",
                                                   "manager:am@peiq.de")  # fmt: skip
            store.set_path(db, customer["id"], "smtp-own", "customer")
            db.table("smtp_settings").insert({
                "customer_id": customer["id"], "host": "smtp.office365.com", "port": 587,
                "encryption": "tls", "username": f"versand@{domain}", "sender": f"versand@{domain}",
                "recipient": f"it@{domain}", "no_login": no_login, "auth_method": method,
                "provider": provider, "updated_at": BEFORE.isoformat(),
            })  # fmt: skip
            if proven:
                store.set_item(db, customer["id"], "smtp-test-mail", "done", "system")
        return customer

    return make


def test_dashboard_filter_count_and_csv(mail_app, auth, make, db):
    risky = make("Passwort Verlag")
    make("Google Verlag", provider="google")
    make("OAuth Verlag", method="oauth-m365")
    make("Ungetestet Verlag", proven=False)
    make("Relay Verlag", no_login=1)
    make("Andere Verlag", provider="")
    auth.login()
    page = auth.customers.client.get("/manage/").get_data(as_text=True)
    assert "2 Kund:innen senden über Microsoft 365 oder Google mit Passwort" in page
    filtered = auth.customers.client.get("/manage/?status=passwort-endet").get_data(as_text=True)
    assert "Passwort Verlag" in filtered and "Google Verlag" in filtered
    for name in ("OAuth Verlag", "Ungetestet Verlag", "Relay Verlag", "Andere Verlag"):
        assert name not in filtered
    exported = auth.customers.client.get("/manage/export.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(exported.lstrip("\ufeff")), delimiter=";"))
    column = rows[0].index("Microsoft 365/Google mit Passwort")
    marked = {r[0] for r in rows[1:] if r[column] == "ja"}
    assert marked == {"Passwort Verlag", "Google Verlag"}
    detail = auth.customers.client.get(f"/manage/customers/{risky['id']}").get_data(as_text=True)
    assert "Microsoft beendet diese Anmeldung</strong> (abgeschaltet ab Ende Dezember 2026)" \
        in detail  # fmt: skip


def test_after_the_switch_off_manager_and_customer_are_told_once(mail_app, make, db, outbox):
    customer = make("Passwort Verlag")
    make("OAuth Verlag", method="oauth-m365")
    make("Google Verlag", provider="google")  # Google's end is not Microsoft's date

    def run(at):
        with mail_app.app_context():
            return jobs.run_due(db, mail_app.config, at=at)

    before = len(outbox.handler.messages)
    assert run(BEFORE)["password_end"] == 0
    assert run(AFTER)["password_end"] == 1
    assert run(AFTER)["password_end"] == 0  # once per customer
    mails = [m for m in outbox.handler.messages[before:] if "Microsoft 365" in m.message["Subject"]]
    assert sorted(m.rcpt_tos[0] for m in mails) == ["am@peiq.de", "it@passwort.de"]
    to_customer = next(m for m in mails if m.rcpt_tos == ["it@passwort.de"]).text()
    assert "Ende Dezember 2026" in to_customer and "Testmail" in to_customer
    assert "http://mitwirkung.test/c/" in to_customer
    events = list(db.query("SELECT customer_id FROM events WHERE kind = 'm365-password-end'"))
    assert [e["customer_id"] for e in events] == [customer["id"]]


def test_today_setting_moves_the_date(mail_app, make, db, outbox):
    make("Passwort Verlag")
    mail_app.config["TODAY"] = "2026-12-31"
    with mail_app.app_context():
        assert jobs.run_due(db, mail_app.config, at=BEFORE)["password_end"] == 1


def test_without_mail_the_history_says_to_tell_the_customer(mail_app, make, db, auth):
    customer = make("Passwort Verlag")
    mail_app.config["MAIL_SERVER"] = None
    with mail_app.app_context():
        assert jobs.run_due(db, mail_app.config, at=AFTER)["password_end"] == 1
    auth.login()
    page = auth.customers.client.get(f"/manage/customers/{customer['id']}").get_data(as_text=True)
    assert "keine E-Mail möglich (MAIL_SERVER fehlt) – bitte die Kund:in selbst informieren" in page
