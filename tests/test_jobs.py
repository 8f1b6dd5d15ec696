"""Work without clicks: reminders, digests, drift watch and purges, with the clock driven by
the test and every mail asserted at a real aiosmtpd server."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from dnslib import QTYPE
from dnsserver import ZoneServer
from dnszones import make_keys, zone_text
from helpers.managers import create_test_manager
from smtpserver import Listener

from mitwirkung import handover, jobs, mail, overview, store, todo
from mitwirkung.db import connect, frozen
from mitwirkung.jobs import drift as drift_watch

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday
DAY = timedelta(days=1)


@pytest.fixture
def make(mail_app, db, anna):
    def make(name="Müller Verlag", contact="it@mueller.de", at=T0, path=None, items=()):
        with mail_app.test_request_context(), frozen(at):
            customer, edit, _ = store.create_customer(
                db, name, f"{name.split()[0].lower()}.de", contact, "manager:am@peiq.de"
            )
            if path:
                store.set_path(db, customer["id"], path, "customer")
            if contact:  # the manager sent the link ("Link per E-Mail senden")
                store.add_event(db, customer["id"], "manager:am@peiq.de", "link-mailed",
                                data={"to": contact}, activity=False)  # fmt: skip
            for item_id in items:
                store.set_item(db, customer["id"], item_id, "done", "customer")
        return customer

    return make


def mails_to(outbox, address):
    return [m for m in outbox.handler.messages if address in m.rcpt_tos]


def test_reminders_after_3_and_7_days_then_silence(run, make, outbox, db, mail_app):
    customer = make()
    assert run(T0 + 2 * DAY)["reminders"] == 0
    assert run(T0 + 3 * DAY)["reminders"] == 1
    [first] = mails_to(outbox, "it@mueller.de")
    assert first.message["Reply-To"] == "am@peiq.de"
    assert "Erinnerung" in first.message["Subject"]
    with mail_app.app_context():
        edit, _ = store.link_tokens(store.get_customer(db, customer["id"]))
    text = first.text()
    assert f"http://mitwirkung.test/c/{edit}" in text and "seit 3 Tagen" in text
    assert "Anna Manager" in text
    for day in (3.5, 4, 6):
        assert run(T0 + day * DAY)["reminders"] == 0
    assert run(T0 + 7 * DAY)["reminders"] == 1
    assert "seit 7 Tagen" in mails_to(outbox, "it@mueller.de")[-1].text()
    for day in (8, 30):
        assert run(T0 + day * DAY)["reminders"] == 0
    events = list(db.query("SELECT at FROM events WHERE kind = 'reminder-sent'"))
    assert [e["at"][:10] for e in events] == ["2026-03-05", "2026-03-09"]
    row = store.get_customer(db, customer["id"])
    assert row["last_activity_at"] == T0.isoformat()  # a reminder is not the customer's doing


def test_a_moving_setup_restarts_the_count(run, make, outbox, db):
    customer = make()
    assert run(T0 + 3 * DAY)["reminders"] == 1
    with frozen(T0 + 4 * DAY):
        store.set_path(db, customer["id"], "smtp-own", "customer")
    assert run(T0 + 6 * DAY)["reminders"] == 0
    assert run(T0 + 7 * DAY)["reminders"] == 1
    text = mails_to(outbox, "it@mueller.de")[-1].text()
    assert "seit 3 Tagen" in text and "0 % erledigt (eigenes SMTP-Postfach)" in text


def test_who_is_never_reminded(run, make, outbox, db):
    make("Kontrolle GmbH", "kontrolle@k.de")
    make("Fertig AG", "fertig@f.de", path="portal", items=("portal-adopt", "mail-received"))
    muted = make("Leise GmbH", "leise@l.de")
    db.execute("UPDATE customers SET reminders_muted = 1, revision = revision + 1 WHERE id = ?",
               [muted["id"]])  # fmt: skip
    waiting = make("Wartet GmbH", "wartet@w.de", path="portal")
    with frozen(T0):
        store.set_item(db, waiting["id"], "portal-adopt", "open", "customer",
                       {"portal": "p.w.de", "waiting_for": "manager"})  # fmt: skip
    make("Ohne Kontakt", None)
    archived = make("Archiv KG", "archiv@a.de")
    with frozen(T0):
        store.archive_customer(db, archived["id"], "test")
    assert run(T0 + 10 * DAY)["reminders"] == 1
    assert [m.rcpt_tos for m in outbox.handler.messages if "Erinnerung" in m.message["Subject"]] \
        == [["kontrolle@k.de"]]  # fmt: skip


def test_at_most_one_reminder_a_day(run, make, mail_app, outbox):
    mail_app.config["REMINDER_DAYS"] = [3, 4]
    make()
    assert run(T0 + 10 * DAY)["reminders"] == 1  # both are due, one goes out
    assert run(T0 + 10 * DAY + timedelta(hours=5))["reminders"] == 0
    assert run(T0 + 11 * DAY)["reminders"] == 1


def test_no_mail_settings_no_reminders_and_the_cli_says_so(app, make, db):
    make()
    app.config["MAIL_SERVER"] = None
    result = app.test_cli_runner().invoke(args=["jobs", "run"])
    assert result.exit_code == 0, result.output
    assert "reminders: 0" in result.output and "MAIL_SERVER is not set" in result.output
    assert db.table("job_claims").count == 0  # nothing claimed, so nothing is lost


def test_two_copies_at_once_send_every_mail_once(mail_app, make, outbox, db):
    for i in range(6):
        make(f"Verlag{i} GmbH", f"it@verlag{i}.de")
    start = threading.Barrier(2)
    results = []

    def copy():
        database = connect(mail_app.config["DATABASE"])
        try:
            with mail_app.app_context():
                start.wait()
                results.append(jobs.run_due(database, mail_app.config, at=T0 + 7 * DAY))
        finally:
            database.close()

    threads = [threading.Thread(target=copy) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(r["reminders"] for r in results) == 6
    assert sum(r["digests"] for r in results) == 1
    reminders = [m for m in outbox.handler.messages if "Erinnerung" in m.message["Subject"]]
    assert sorted(m.rcpt_tos[0] for m in reminders) == [f"it@verlag{i}.de" for i in range(6)]
    assert db.table("events").count_where("kind = 'reminder-sent'") == 6


def test_weekly_digest_lists_stalled_and_waiting_customers(run, make, outbox, db, mail_app):
    create_test_manager(db, "bernd@peiq.de", "richtig-geheim", "Bernd Berater")
    make("Stockt GmbH", None)
    waiting = make("Wartet GmbH", None, at=T0 + 8 * DAY, path="portal")
    with frozen(T0 + 8 * DAY):
        store.set_item(db, waiting["id"], "portal-adopt", "open", "customer",
                       {"portal": "p.w.de", "waiting_for": "manager"})  # fmt: skip
    make("Läuft GmbH", None, at=T0 + 8 * DAY, path="smtp-own")
    monday = T0 + 9 * DAY - timedelta(days=2)  # Monday of the next week
    assert run(monday)["digests"] == 1
    [mail] = mails_to(outbox, "am@peiq.de")
    text = mail.text()
    assert "Warten auf PEIQ" in text and "Wartet GmbH" in text
    assert "Stocken seit mindestens 7 Tagen" in text and "Stockt GmbH" in text
    assert "Läuft GmbH" not in text
    assert "http://mitwirkung.test/manage/customers/" in text
    assert not mails_to(outbox, "bernd@peiq.de")  # nothing of Bernd's is stalled
    assert run(monday + 3 * DAY)["digests"] == 0  # once a week
    assert run(monday + 7 * DAY)["digests"] == 1


DRIFT_ZONE_NAME = "good.de."


@pytest.fixture
def zone():
    with ZoneServer(zone_text(make_keys(), "cases.zone", "mailjet.com.zone")) as server:
        yield server


def complete_mailjet(db, make, zone, mail_app):
    mail_app.config.update(DNS_NAMESERVERS=[zone.nameserver], DNS_TIMEOUT=3)
    customer = make("Good GmbH", "it@good.de", path="mailjet",
                    items=("dns-verification", "dns-spf", "dns-dkim", "dns-dmarc",
                           "peiq-informed", "mail-received"))  # fmt: skip
    db.table("mailjet_expectations").insert(
        {"customer_id": customer["id"], "domain": "good.de",
         "verification_name": "mailjet._a1b2c3d4.good.de",
         "verification_value": "a1b2c3d4e5f60718", "dkim_selector": "mailjet", "dkim_key": None}
    )  # fmt: skip
    with mail_app.app_context():
        overview.refresh(db, mail_app.extensions["obligation"])
    assert store.get_customer(db, customer["id"])["completed_at"]
    return customer


def alarms(outbox):
    return [m for m in outbox.handler.messages if "nicht mehr in Ordnung" in m.message["Subject"]]


def break_spf(zone):
    """The customer's DNS panel loses the include: the SPF record no longer names Mailjet."""
    saved = zone.records["_spf.good.de."]
    zone.records["_spf.good.de."] = [r for r in saved if r.rtype != QTYPE.TXT]
    return saved


def test_drift_watch_alarms_on_the_second_failure_once(run, make, zone, outbox, db, mail_app,
                                                       client, auth):  # fmt: skip
    customer = complete_mailjet(db, make, zone, mail_app)
    assert run(T0 + DAY)["drift_checks"] == 1
    assert run(T0 + DAY + timedelta(hours=3))["drift_checks"] == 0  # once a day
    saved = break_spf(zone)
    done = run(T0 + 2 * DAY)
    assert (done["drift_checks"], done["drift_incidents"]) == (1, 0)  # once is not enough
    assert store.item_rows(db, customer["id"])["dns-spf"]["state"] == "done"
    assert not alarms(outbox)
    done = run(T0 + 3 * DAY)
    assert done["drift_incidents"] == 1
    [alarm] = alarms(outbox)
    assert alarm.rcpt_tos == ["am@peiq.de"]
    assert "Good GmbH" in alarm.message["Subject"]
    assert "SPF erlaubt Mailjet das Senden" in alarm.text()
    assert f"http://mitwirkung.test/manage/customers/{customer['id']}" in alarm.text()
    assert run(T0 + 4 * DAY)["drift_incidents"] == 0  # one mail per incident
    assert len(alarms(outbox)) == 1
    assert store.item_rows(db, customer["id"])["dns-spf"]["state"] == "failed"
    auth.login()
    page = client.get(f"/manage/customers/{customer['id']}").text
    assert 'id="drift"' in page and "SPF erlaubt Mailjet das Senden" in page
    assert "zweimal hintereinander" in page
    dashboard = client.get("/manage/?status=aufmerksamkeit").text
    assert ">Good GmbH</a>" in dashboard and "nach dem Abschluss nicht mehr in Ordnung" in dashboard
    assert not any(m.rcpt_tos == ["it@good.de"] for m in outbox.handler.messages)  # no reminder
    zone.records["_spf.good.de."] = saved
    run(T0 + 5 * DAY)
    assert store.item_rows(db, customer["id"])["dns-spf"]["state"] == "done"
    assert 'id="drift"' not in client.get(f"/manage/customers/{customer['id']}").text
    assert ">Good GmbH</a>" not in client.get("/manage/?status=aufmerksamkeit").text
    # a new incident is a new mail
    break_spf(zone)
    run(T0 + 6 * DAY)
    run(T0 + 7 * DAY)
    assert len(alarms(outbox)) == 2


def test_a_failure_between_passes_is_forgotten(run, make, zone, outbox, db, mail_app):
    customer = complete_mailjet(db, make, zone, mail_app)
    saved = break_spf(zone)
    run(T0 + DAY)
    zone.records["_spf.good.de."] = saved
    run(T0 + 2 * DAY)
    break_spf(zone)
    assert run(T0 + 3 * DAY)["drift_incidents"] == 0  # not twice in a row
    assert store.item_rows(db, customer["id"])["dns-spf"]["state"] == "done"


def test_a_dns_that_does_not_answer_is_no_drift(run, make, zone, outbox, db, mail_app):
    customer = complete_mailjet(db, make, zone, mail_app)
    with Listener() as silent:  # TCP only; UDP queries to this port go unanswered
        mail_app.config.update(DNS_NAMESERVERS=[f"127.0.0.1:{silent.port}"], DNS_TIMEOUT=0.5)
        for day in (1, 2, 3):
            assert run(T0 + day * DAY)["drift_incidents"] == 0
    states = {i: r["state"] for i, r in store.item_rows(db, customer["id"]).items()}
    assert states["dns-spf"] == states["dns-dkim"] == "done"
    assert not outbox.handler.messages


def test_expired_password_handovers_are_purged_on_schedule(run, make, db, mail_app):
    customer = make(path="smtp-own")
    with mail_app.app_context(), frozen(T0):
        handover.hand_over(db, customer["id"], "Geheim!123", "customer", max_age_days=14)
    db.execute("UPDATE secrets SET expires_at = ?", [(T0 + 14 * DAY).isoformat()])
    assert run(T0 + 13 * DAY)["purged"] == 0
    assert run(T0 + 15 * DAY)["purged"] == 1
    assert db.table("secrets").count == 0
    assert db.table("events").count_where("kind = 'secret-expired'") == 1


def test_a_check_that_crashes_stops_nothing_else_and_is_tried_again(
    run, make, zone, outbox, db, mail_app, monkeypatch
):
    complete_mailjet(db, make, zone, mail_app)
    stalled = make("Still Verlag", "it@still.de", path="smtp-own")  # due for a reminder

    async def broken_check(*args, **kwargs):
        raise ValueError("a bug in one record's parser")

    with monkeypatch.context() as patch:
        patch.setattr(drift_watch, "check_mailjet", broken_check)
        done = run(T0 + 3 * DAY)
    assert done["drift_checks"] == 0 and done["reminders"] == 1  # the rest still ran
    assert mails_to(outbox, "it@still.de") and stalled
    assert run(T0 + 3 * DAY + timedelta(hours=1))["drift_checks"] == 1  # the claim came back


def resolved_mails(outbox):
    return [m for m in outbox.handler.messages if "wieder in Ordnung" in m.message["Subject"]]


def test_after_drift_the_customer_page_tells_one_story_and_the_fix_is_mailed(
    run, make, zone, outbox, db, mail_app
):
    customer = complete_mailjet(db, make, zone, mail_app)
    with mail_app.app_context():
        edit, _ = store.link_tokens(customer)
    client = mail_app.test_client()
    saved = break_spf(zone)
    run(T0 + DAY)
    run(T0 + 2 * DAY)
    page = client.get(f"/c/{edit}").text
    spf = page[page.index('id="item-dns-spf"') :]
    spf = spf[: spf.index("</li>")]
    # the badge, the card and the answer say the same: broken after completion, since when
    assert "Nicht mehr in Ordnung" in spf and "Erledigt" not in spf
    assert "include:spf.mailjet.com" not in spf.split("Gefunden", 1)[-1].split("</dd>")[0]
    with mail_app.app_context():  # PEIQ's to-do: talk to the customer
        overview.refresh(db, mail_app.extensions["obligation"])
        [task] = [t for t in todo.queue(db) if t["customer_id"] == customer["id"]]
    assert task["kind"] == "drift" and "SPF erlaubt Mailjet das Senden" in task["text"]
    drift = page[page.index('id="dns-drift"') :].split("</p>")[0]
    assert "SPF erlaubt Mailjet das Senden (seit 04.03.2026, 09:00 Uhr)" in drift
    assert "zweimal hintereinander" in drift
    assert not resolved_mails(outbox)
    # the customer fixes it: the manager hears of that too
    zone.records["_spf.good.de."] = saved
    run(T0 + 3 * DAY)
    [fixed] = resolved_mails(outbox)
    assert fixed.rcpt_tos == ["am@peiq.de"]
    assert "Good GmbH" in fixed.message["Subject"]
    assert "SPF erlaubt Mailjet das Senden" in fixed.text()
    page = client.get(f"/c/{edit}").text
    assert 'id="dns-drift"' not in page and "Nicht mehr in Ordnung" not in page


def test_a_bad_stored_address_stops_one_mail_not_the_job(run, make, outbox, db, mail_app):
    """An address stored before the check: its mail fails, the others' reminders go out."""
    bad = make("Alt GmbH", "alt@alt.de")
    make("Neu GmbH", "it@neu.de")
    db.execute("UPDATE customers SET contact_email = ? WHERE id = ?",
               ["undisclosed-recipients:;x@irgendwo.test", bad["id"]])  # fmt: skip
    problem = mail.deliver(mail_app.config, ["a,b@irgendwo.test"], "x", "y")
    assert problem and "Adresse" in problem
    assert run(T0 + 3 * DAY)["reminders"] == 1
    rcpts = [m.rcpt_tos for m in outbox.handler.messages]
    assert ["it@neu.de"] in rcpts and all(len(r) == 1 and "irgendwo" not in r[0] for r in rcpts)
