"""PEIQ's to-do queue: every kind of "PEIQ's turn" becomes a to-do, the right managers get one
mail per burst within minutes (asserted at a real aiosmtpd server), and a to-do is gone when
PEIQ acts."""

import threading
from datetime import UTC, datetime, timedelta

import pytest

from mitwirkung import handover, jobs, overview, store, todo
from mitwirkung.db import connect, frozen
from mitwirkung.web import obligation

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


@pytest.fixture
def make(mail_app, db, team):
    def make(name, at=T0, actor="manager:am@peiq.de"):
        with mail_app.test_request_context(), frozen(at):
            customer, _, _ = store.create_customer(
                db, name, f"{name.split()[0].lower()}.de", "it@kunde.de", actor
            )
        return customer

    return make


@pytest.fixture
def act(app):
    """Do something as of a time, inside the app (encryption needs its key)."""

    def act(db, at, work):
        with app.app_context(), frozen(at):
            work()

    return act


def choose_mailjet(db, cid):
    store.set_path(db, cid, "mailjet", "customer")


def name_portal(db, cid, portal="portal.kunde.de"):
    store.set_path(db, cid, "portal", "customer")
    detail = {"portal": portal, "waiting_for": "manager"}
    store.set_item(db, cid, "portal-adopt", "open", "customer", detail)


def hand_over(db, cid):
    store.set_path(db, cid, "smtp-own", "customer")
    handover.hand_over(db, cid, "geheim-123", "customer", 14)


def mails_to(outbox, address):
    """The to-do notices to this address (the weekly digest may go out in the same run)."""
    return [
        m
        for m in outbox.handler.messages
        if address in m.rcpt_tos and "PEIQ ist dran" in m.message["Subject"]
    ]


def body(arrived):
    return arrived.text()


def test_a_burst_of_three_kinds_is_one_mail_to_the_assigned_manager(run, make, db, outbox, act):
    a, b, c = make("Alpha Verlag"), make("Beta Verlag"), make("Gamma Verlag")
    act(db, T0, lambda: choose_mailjet(db, a["id"]))
    act(db, T0 + MIN // 2, lambda: name_portal(db, b["id"]))
    act(db, T0 + MIN, lambda: hand_over(db, c["id"]))
    # the burst may still be going on: nothing yet
    assert run(T0 + 2 * MIN)["todo_notices"] == 0
    assert run(T0 + 3 * MIN)["todo_notices"] == 1
    [notice] = mails_to(outbox, "am@peiq.de")
    assert not mails_to(outbox, "bert@peiq.de")  # not Bert's customers
    text = body(notice)
    assert "Alpha Verlag: Mailjet einrichten und die Werte von Mailjet holen" in text
    assert "Beta Verlag: Übernahme der SMTP-Konfiguration von „portal.kunde.de“ prüfen" in text
    assert "Gamma Verlag: Übergebenes Passwort abholen" in text
    assert f"/manage/customers/{a['id']}" in text and "status=peiq" in text
    assert "3 neue Aufgaben bei 3 Kund:innen" in notice.message["Subject"]
    # told once: later runs send nothing for the same to-dos
    assert run(T0 + 10 * MIN)["todo_notices"] == 0
    assert len(mails_to(outbox, "am@peiq.de")) == 1


def test_unassigned_customers_go_to_every_manager(run, make, db, outbox, act):
    mine = make("Anna Kundin")
    nobody = make("Niemand Verlag", actor="cli")  # created on the command line: unassigned
    act(db, T0, lambda: hand_over(db, mine["id"]))
    act(db, T0, lambda: name_portal(db, nobody["id"]))
    assert run(T0 + 5 * MIN)["todo_notices"] == 2
    [to_anna] = mails_to(outbox, "am@peiq.de")
    [to_bert] = mails_to(outbox, "bert@peiq.de")
    assert "Niemand Verlag" in body(to_anna) and "Anna Kundin" in body(to_anna)
    assert "Niemand Verlag" in body(to_bert) and "Anna Kundin" not in body(to_bert)
    assert "alle Account Manager:innen" in body(to_bert)


def test_a_new_todo_later_is_a_new_mail_with_only_the_new_one(run, make, db, outbox, act):
    a, b = make("Alpha Verlag"), make("Beta Verlag")
    act(db, T0, lambda: choose_mailjet(db, a["id"]))
    assert run(T0 + 3 * MIN)["todo_notices"] == 1
    act(db, T0 + 60 * MIN, lambda: hand_over(db, b["id"]))
    assert run(T0 + 63 * MIN)["todo_notices"] == 1
    first, second = mails_to(outbox, "am@peiq.de")
    assert "Beta Verlag" in body(second) and "Alpha Verlag" not in body(second)
    assert "Beta Verlag" in second.message["Subject"]


def test_a_steady_stream_still_mails_within_ten_minutes(run, make, db, outbox, act):
    """New to-dos every minute never end the burst; the oldest waits NOTICE_LATEST at most."""
    names = [make(f"Verlag {n}") for n in range(12)]
    sent_at = None
    for n, customer in enumerate(names):
        at = T0 + n * MIN
        act(db, at, lambda c=customer: choose_mailjet(db, c["id"]))
        if run(at + MIN // 2)["todo_notices"] and sent_at is None:
            sent_at = at + MIN // 2
    assert sent_at is not None and sent_at - T0 <= todo.NOTICE_LATEST + MIN


def test_acting_ends_the_todo_and_the_queue_says_what_and_since_when(make, db, app, act):
    a, b = make("Alpha Verlag"), make("Beta Verlag")
    act(db, T0, lambda: hand_over(db, a["id"]))
    act(db, T0 + MIN, lambda: name_portal(db, b["id"]))
    with app.app_context():
        overview.refresh(db, obligation())
        queue = todo.for_dashboard(db, T0 + 3 * 60 * MIN)
    assert [(t["name"], t["kind"], t["age"], t["contact"]) for t in queue["rows"]] == [
        ("Alpha Verlag", "password", "seit 3 Stunden", "Anna Manager"),
        ("Beta Verlag", "portal-adopt", "seit 2 Stunden", "Anna Manager"),
    ]
    # PEIQ acts: the password is picked up, the PORTAL confirmed
    with app.app_context():
        handover.reveal(db, a["id"], "manager:am@peiq.de")
        store.set_item(db, b["id"], "portal-adopt", "done", "manager:am@peiq.de",
                       {"portal": "portal.kunde.de"})  # fmt: skip
        overview.refresh(db, obligation())
        assert todo.for_dashboard(db, T0)["total"] == 0


def test_the_queue_totals_stay_the_sum_over_waiting_customers(make, db, app, act):
    """The heading's totals are kept by the database: after every kind of change they equal
    the to-dos and waiting customers counted one by one."""

    def counted():
        with app.app_context():
            overview.refresh(db, obligation())
            shown = todo.for_dashboard(db, T0)
        rows = db.execute(
            "SELECT COALESCE(SUM(todo_count), 0), COUNT(*) FROM customers"
            " WHERE todos IS NOT NULL AND archived_at IS NULL"
        ).fetchone()
        return (shown["total"], shown["customers"]), tuple(rows)

    a, b, c = make("Alpha Verlag"), make("Beta Verlag"), make("Gamma Verlag")
    assert counted() == ((0, 0), (0, 0))
    act(db, T0, lambda: choose_mailjet(db, a["id"]))
    act(db, T0, lambda: name_portal(db, b["id"]))
    act(db, T0, lambda: hand_over(db, c["id"]))
    waiting = counted()
    assert waiting[0] == waiting[1] and waiting[0][1] == 3 and waiting[0][0] >= 3
    steps = [
        lambda: store.archive_customer(db, b["id"], "test"),
        lambda: store.restore_customer(db, b["id"], "test"),
        lambda: handover.reveal(db, c["id"], "manager:am@peiq.de"),
        lambda: store.archive_customer(db, a["id"], "test"),
    ]
    for step in steps:
        act(db, T0, step)
        shown, summed = counted()
        assert shown == summed
    assert counted()[0] == (1, 1)  # only Beta's PORTAL is left


def test_dashboard_shows_the_queue_with_link_age_and_contact(make, db, client, auth):
    a = make("Alpha Verlag")
    choose_mailjet(db, a["id"])
    auth.login()
    html = client.get("/manage/").get_data(as_text=True)
    queue = html[html.index('id="todo-queue"') :]
    assert "Für PEIQ zu tun" in html
    assert f'href="/manage/customers/{a["id"]}">Alpha Verlag' in queue
    assert "Mailjet einrichten und die Werte von Mailjet holen" in queue
    assert "seit weniger als 1 Minute" in queue and "Anna Manager" in queue
    # the Mailjet values without the DKIM key: the customer still waits on PEIQ
    db.table("mailjet_expectations").insert(
        {"customer_id": a["id"], "domain": "alpha.de", "verification_name": "x",
         "verification_value": "y", "dkim_selector": "mailjet", "dkim_key": None,
         "updated_at": "2026-03-02T08:00:00+00:00"}
    )  # fmt: skip
    store.add_event(db, a["id"], "manager:am@peiq.de", "mailjet-expectation")
    html = client.get("/manage/").get_data(as_text=True)
    queue = html[html.index('id="todo-queue"') :]
    assert "DKIM-Schlüssel von Mailjet nachtragen" in queue
    assert "Mailjet einrichten und die Werte" not in queue
    # ... and with the key: nothing left to do
    db.table("mailjet_expectations").update(a["id"], {"dkim_key": "MIGfMA0GCSqGSIb3DQEBAQUAA4"})
    store.add_event(db, a["id"], "manager:am@peiq.de", "mailjet-expectation")
    html = client.get("/manage/").get_data(as_text=True)
    assert "nichts – keine Kund:in wartet gerade auf PEIQ." in html


def test_two_copies_at_once_mail_each_todo_once(make, db, mail_app, outbox, act):
    a = make("Alpha Verlag")
    act(db, T0, lambda: choose_mailjet(db, a["id"]))
    with mail_app.app_context():
        overview.refresh(db, obligation())
    results = []

    def copy():
        own = connect(mail_app.config["DATABASE"])
        with mail_app.app_context():
            results.append(jobs.notices(own, mail_app.config, T0 + 5 * MIN))
        own.close()

    threads = [threading.Thread(target=copy) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(results) == 1
    assert len(mails_to(outbox, "am@peiq.de")) == 1


def test_a_failed_notice_is_sent_at_the_next_run(make, db, mail_app, outbox, run, act):
    a = make("Alpha Verlag")
    act(db, T0, lambda: choose_mailjet(db, a["id"]))
    port = mail_app.config["MAIL_PORT"]
    mail_app.config["MAIL_PORT"] = 1  # nobody listens: the mail fails, the claim is given back
    assert run(T0 + 5 * MIN)["todo_notices"] == 0
    mail_app.config["MAIL_PORT"] = port
    assert run(T0 + 6 * MIN)["todo_notices"] == 1


@pytest.mark.parametrize(
    "path, item_id, detail, badge",
    [
        ("mailjet", "dns-dkim", {"found": []}, "DKIM-Schlüssel fehlt"),  # the example
        ("mailjet", "dns-spf", {"found": ["v=spf1 -all"]}, "SPF erlaubt Mailjet nicht"),
        ("mailjet", "dns-verification", {}, "Bestätigungs-Eintrag für Mailjet fehlt"),
        ("smtp-own", "smtp-test-mail", {"title": "Anmeldung abgelehnt"},
         "Testmail über den Server der Kund:in gescheitert: Anmeldung abgelehnt"),
        ("portal", "mail-received", {}, "Empfang der Testmail nicht nachgewiesen"),
    ],
)  # fmt: skip
def test_attention_says_the_problem_on_the_dashboard_and_in_the_csv(
    path, item_id, detail, badge, make, db, client, auth, app
):
    c = make("Kaputt Verlag")
    store.set_path(db, c["id"], path, "customer")
    store.set_item(db, c["id"], item_id, "failed", "auto", detail)
    auth.login()
    html = client.get("/manage/?status=aufmerksamkeit").get_data(as_text=True)
    table = html[html.index('class="dashboard"') :]
    row = table[table.index("Kaputt Verlag</a>") :]
    row = row[: row.index("</tr>")]
    assert badge in row
    with app.app_context():
        title = obligation().items[item_id].title
    assert title not in row  # the goal ("… veröffentlicht") would read like success
    export = client.get("/manage/export.csv").get_data(as_text=True)
    line = next(x for x in export.splitlines() if x.startswith("Kaputt Verlag;"))
    assert badge in line and title not in line
