"""The weekly digest: every customer in someone's digest, what PEIQ has to do on each waiting
line, and a short mail at 2,000 customers (asserted at a real aiosmtpd server)."""

import json
from datetime import UTC, datetime, timedelta

from mitwirkung import handover, jobs, overview, store
from mitwirkung.db import frozen

MONDAY = datetime(2026, 3, 9, 7, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


def digests(outbox, address):
    return [m for m in outbox.handler.messages
            if address in m.rcpt_tos and "diese Woche" in m.message["Subject"]]  # fmt: skip


def make(app, db, name, actor, at):
    with app.test_request_context(), frozen(at):
        customer, _, _ = store.create_customer(db, name, None, None, actor)
    return customer


def test_unassigned_customers_are_in_every_digest_with_what_peiq_must_do(
    run, team, mail_app, db, outbox
):
    at = MONDAY - 2 * WEEK
    nobody = make(mail_app, db, "Niemand Verlag", "cli", at)
    annas = make(mail_app, db, "Annas Verlag", "manager:am@peiq.de", at)
    stalled = make(mail_app, db, "Stille Post", "manager:am@peiq.de", at)
    with mail_app.app_context(), frozen(at):
        store.set_path(db, nobody["id"], "portal", "customer")
        store.set_item(db, nobody["id"], "portal-adopt", "open", "customer",
                       {"portal": "portal.niemand.de", "waiting_for": "manager"})  # fmt: skip
        store.set_path(db, annas["id"], "smtp-own", "customer")
        handover.hand_over(db, annas["id"], "geheim-123", "customer", 30)
    assert run(MONDAY)["digests"] == 2
    [to_anna] = digests(outbox, "am@peiq.de")
    [to_bert] = digests(outbox, "bert@peiq.de")
    anna, bert = to_anna.text(), to_bert.text()
    for text in (anna, bert):
        assert "Niemand Verlag" in text and "ohne feste Ansprechperson" in text
        assert "Zu tun: Übernahme der SMTP-Konfiguration von „portal.niemand.de“ prüfen" in text
    assert "Zu tun: Übergebenes Passwort abholen" in anna and "Annas Verlag" not in bert
    # "stockt" is the dashboard's number of days, in the digest too
    assert f"Stocken seit mindestens {overview.STALL_DAYS} Tagen" in anna
    assert f"Stille Post (0 %, zuletzt bewegt am {stalled['created_at'][8:10]}." in anna


def test_2000_customers_make_a_short_readable_digest(run, auth, mail_app, db, outbox):
    manager = next(db.query("SELECT id FROM managers"))
    moved = (MONDAY - 3 * WEEK).isoformat(timespec="seconds")
    todo = [{"kind": "mailjet-setup", "item_id": None, "since": moved,
             "text": "Mailjet einrichten und die Werte von Mailjet holen"}]  # fmt: skip
    rows = [
        {"name": f"Verlag {n:04d}", "edit_token_hash": f"e{n}", "share_token_hash": f"s{n}",
         "created_at": moved, "last_activity_at": moved, "moved_at": moved, "path": "mailjet",
         "contact_manager_id": manager["id"], "progress": 0, "revision": 0,
         "summary_revision": 0, "needs_attention": 1, "waiting_for_peiq": int(n % 4 == 0),
         "todos": json.dumps(todo) if n % 4 == 0 else None,
         "attention": json.dumps([{"state": "failed", "text": "DKIM-Schlüssel fehlt"}])}
        for n in range(2000)
    ]  # fmt: skip
    db.table("customers").insert_all(rows)
    assert run(MONDAY)["digests"] == 1
    [message] = digests(outbox, "am@peiq.de")
    text = message.text()
    assert len(text.encode()) < 12_000, len(text.encode())
    assert "500 Kund:innen warten auf PEIQ, 1500 haben ein Problem" in text
    assert "… und 485 weitere: http://mitwirkung.test/manage/?status=peiq" in text
    assert "… und 1485 weitere: http://mitwirkung.test/manage/?status=aufmerksamkeit" in text
    assert text.count("Zu tun: Mailjet einrichten") == jobs.DIGEST_LINES
    assert text.count("Problem: DKIM-Schlüssel fehlt") == jobs.DIGEST_LINES
