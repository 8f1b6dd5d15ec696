"""Reminders to customers: only about a link they got, throttled after an import, signed and
answerable without an assigned contact, and the second one is not a copy (real aiosmtpd)."""

from datetime import UTC, datetime, timedelta

import pytest
from helpers.managers import create_test_manager

from mitwirkung import store
from mitwirkung.db import frozen

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def make(mail_app, db, auth):
    def make(name, contact, *, actor="manager:am@peiq.de", mailed=True, path=None):
        with mail_app.test_request_context(), frozen(T0):
            customer, _, _ = store.create_customer(db, name, None, contact, actor)
            if mailed:
                store.add_event(db, customer["id"], actor, "link-mailed", data={"to": contact},
                                activity=False)  # fmt: skip
            if path:
                store.set_path(db, customer["id"], path, "customer")
        return customer

    return make


def reminders(outbox, to=None):
    return [
        m
        for m in outbox.handler.messages
        if "Erinnerung" in m.message["Subject"] and (to is None or to in m.rcpt_tos)
    ]


def test_never_about_a_link_that_was_never_sent(run, make, outbox, db):
    make("Nie geschickt", "nie@n.de", mailed=False)
    make("Geschickt", "ja@j.de")
    used = make("Selbst geöffnet", "selbst@s.de", mailed=False, path="smtp-own")  # acted
    assert run(T0 + 10 * DAY)["reminders"] == 2
    assert not reminders(outbox, "nie@n.de")
    assert reminders(outbox, "ja@j.de") and reminders(outbox, "selbst@s.de") and used


def test_the_first_run_after_an_import_is_throttled(run, make, outbox, mail_app):
    mail_app.config["REMINDERS_PER_HOUR"] = 20
    for n in range(45):
        make(f"Import {n:02d}", f"it{n}@import.de")
    at = T0 + 3 * DAY
    assert run(at)["reminders"] == 20
    assert run(at + timedelta(minutes=30))["reminders"] == 0  # the hour's share is gone
    assert run(at + timedelta(minutes=61))["reminders"] == 20
    assert run(at + timedelta(minutes=122))["reminders"] == 5
    assert len({m.rcpt_tos[0] for m in reminders(outbox)}) == 45  # each once


def test_unassigned_customers_get_a_signature_and_every_manager_as_reply_to(run, make, outbox, db):
    create_test_manager(db, "bert@peiq.de", "auch-richtig-geheim", "Bert Berater")
    make("Ohne Kontakt", "it@ohne.de", actor="cli")
    assert run(T0 + 3 * DAY)["reminders"] == 1
    [message] = reminders(outbox, "it@ohne.de")
    assert message.message["Reply-To"] == "am@peiq.de, bert@peiq.de"
    text = message.text()
    assert "Ihr PEIQ-Team (Account Management)" in text
    assert "erreicht alle Account Manager:innen" in text


def test_the_second_reminder_is_not_a_copy_of_the_first(run, make, outbox):
    make("Zweimal", "it@zweimal.de", path="smtp-own")
    assert run(T0 + 3 * DAY)["reminders"] == 1
    assert run(T0 + 7 * DAY)["reminders"] == 1
    first, second = reminders(outbox, "it@zweimal.de")
    assert first.message["Subject"] != second.message["Subject"]
    assert second.message["Subject"].startswith("Zweite Erinnerung")
    one, two = first.text(), second.text()
    assert one != two
    assert "wir hatten Sie am 02.03.2026 schon einmal erinnert" not in one
    assert "wir hatten Sie am 05.03.2026 schon einmal erinnert" in two
    assert "Der nächste Schritt: „SMTP-Zugangsdaten eingetragen“" in two
    assert "Weitere\r\nErinnerungen schicken wir Ihnen nicht." in two
