"""A cached customer page (pagecache: per revision, also answered by the WSGI layer
CachedPages) never outlives what the clock makes true: parts that change by time alone end
the cached page's life at the earliest such moment (page_expiry.changes_at). The clock is
injected with db.frozen; every request is answered twice so the second comes from the cache.
"""

import json
from datetime import UTC, datetime, timedelta

from helpers.web import MAILJET_FORM

from mitwirkung import handover, store
from mitwirkung.db import frozen
from mitwirkung.page_expiry import changes_at as page_changes_at

T0 = datetime(2026, 12, 7, 3, 33, tzinfo=UTC)
RESULT = json.dumps(
    {
        "ok": False,
        "code": "auth_failed",
        "title": "Anmeldung abgelehnt",
        "message": "Benutzername oder Passwort stimmen nicht.",
        "next_step": "",
    }
)
USED_UP = "Für die nächsten Minuten sind keine weiteren Testmails möglich"


def page(client, path: str, at: datetime) -> str:
    with frozen(at):
        first = client.get(path).text
        assert client.get(path).text == first  # the second from the cache
        return first


def smtp_runs(db, customer_id: int, count: int, at: datetime, kind: str = "smtp") -> None:
    for _ in range(count):
        db.table("runs").insert({"customer_id": customer_id, "kind": kind, "state": "done",
                                 "outcome": "auth_failed", "result": RESULT,
                                 "started_at": at.isoformat()})  # fmt: skip
    db.conn.commit()


def test_a_used_up_test_budget_is_not_shown_after_the_ten_minutes(app, client, customers, db):
    customer, edit, _ = customers.create(path="smtp-own")
    smtp_runs(db, customer["id"], app.config["SMTP_TESTS_PER_CUSTOMER"], T0)
    assert USED_UP in page(client, f"/c/{edit}", T0 + timedelta(minutes=1))
    later = page(client, f"/c/{edit}", T0 + timedelta(minutes=10, seconds=1))
    assert USED_UP not in later and 'id="tests-left"' not in later


def test_the_remaining_test_count_goes_up_as_runs_leave_the_window(app, client, customers, db):
    customer, edit, _ = customers.create(path="smtp-own")
    smtp_runs(db, customer["id"], 3, T0)
    smtp_runs(db, customer["id"], 2, T0 + timedelta(minutes=5), kind="probe")  # own budget
    left = app.config["SMTP_TESTS_PER_CUSTOMER"] - 3
    assert f"noch {left} Testmails" in page(client, f"/c/{edit}", T0 + timedelta(minutes=2))
    assert 'id="tests-left"' not in page(client, f"/c/{edit}", T0 + timedelta(minutes=11))


def test_automatic_dns_rechecks_are_said_to_pause_once_their_time_is_over(
    app, auth, client, customers, db
):
    customer, edit, _ = customers.create(path="mailjet")
    auth.login()
    url = f"/manage/customers/{customer['id']}/mailjet"
    form = {"domain": "mueller-verlag.de", **MAILJET_FORM}
    saved = customers.post(url, form, token_from=f"/manage/customers/{customer['id']}")
    assert saved.status_code == 303
    client.delete_cookie("session")  # a Cookie skips the cache layer: ask as a customer
    db.table("runs").insert({"customer_id": customer["id"], "kind": "dns", "state": "done",
                             "actor": "customer", "started_at": T0.isoformat(),
                             "finished_at": T0.isoformat(), "result": "{}"})  # fmt: skip
    db.conn.commit()
    during = page(client, f"/c/{edit}", T0 + timedelta(minutes=1))
    assert "jede Minute von selbst erneut" in during, during[during.find("Geprüft am") :][:600]
    after = page(client, f"/c/{edit}", T0 + timedelta(minutes=31))
    assert "jede Minute von selbst erneut" not in after
    assert "Die automatische Prüfung pausiert seit 05:03 Uhr" in after


def test_a_handed_over_password_is_not_shown_waiting_after_it_expired(app, client, customers, db):
    customer, edit, _ = customers.create(path="smtp-own")
    with frozen(T0), app.app_context():
        handover.hand_over(db, customer["id"], "geheim-12345", "customer", 14)
    pending = handover.pending(db, customer["id"])
    revision = store.get_customer(db, customer["id"])["revision"]
    expires = datetime.fromisoformat(pending["expires_at"])
    before = page(client, f"/c/{edit}", expires - timedelta(minutes=1))
    after = page(client, f"/c/{edit}", expires + timedelta(seconds=1))
    assert before != after
    assert store.get_customer(db, customer["id"])["revision"] == revision  # the clock alone


def test_a_page_with_nothing_timed_lives_until_the_next_midnight_in_berlin(app, customers, db):
    """Dated words ("heute", the mail provider's switch-off notice) change at midnight."""
    customer, _, _ = customers.create(path="smtp-own")
    at = datetime(2026, 12, 7, 22, 30, tzinfo=UTC)
    with frozen(at):
        until = page_changes_at(db, customer["id"])
    # Berlin's midnight is 23:00 UTC in winter (the server's own may come first)
    assert at < until <= datetime(2026, 12, 7, 23, 0, tzinfo=UTC)
