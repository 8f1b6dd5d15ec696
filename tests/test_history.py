"""The history a manager reads: changes, not repetitions; who did what; old → new; paging and
the whole history as CSV."""

import csv
import io

from mitwirkung import overview, store
from mitwirkung.runs.dns_check import finish_dns
from mitwirkung.web import obligation


def make(auth, customers, db):
    auth.login()
    customers.post("/manage/customers", {"name": "Müller Verlag", "domain": "mueller.de",
                                         "contact": "it@mueller.de"})  # fmt: skip
    customer = next(db.query("SELECT * FROM customers ORDER BY id DESC LIMIT 1"))
    with customers.app.app_context():
        edit, _ = store.link_tokens(customer)
    return customer, edit


def lines(client, cid, query=""):
    page = client.get(f"/manage/customers/{cid}{query}").text
    section = page[page.index('id="verlauf"') :]
    section = section[: section.index("</section>")]
    items = section[: section.index("</ul>")].split("<li>")[1:]
    return section, [" ".join(li.split("</time>", 1)[1].split()) for li in items]


def test_an_unchanged_automatic_recheck_writes_nothing(auth, customers, db):
    customer, _ = make(auth, customers, db)
    detail = {"found": [], "message": "nicht gefunden"}
    for run_id in range(1, 6):  # the page re-checks every minute with the same verdict
        store.set_item(db, customer["id"], "dns-dkim", "failed", "auto",
                       {**detail, "run_id": run_id})  # fmt: skip
    assert db.table("events").count_where("kind = 'item-state'") == 1
    store.set_item(db, customer["id"], "dns-dkim", "done", "auto", {"found": ["v=DKIM1"]})
    assert db.table("events").count_where("kind = 'item-state'") == 2  # a change is recorded


def test_who_did_it_and_old_to_new(auth, customers, db, client):
    customer, edit = make(auth, customers, db)
    url = f"/manage/customers/{customer['id']}"
    form = {
        "edit-name": "Müller Medien",
        "edit-domain": "mueller.de",
        "edit-contact": "it@mueller.de",
        "edit-peiq_contact": "",
        "edit-reminders": "y",
    }
    assert customers.post(f"{url}/edit", form, token_from=url).status_code == 303
    page = f"/c/{edit}"
    customers.post(f"{page}/path", {"path": "portal"}, token_from=page)
    for portal in ("portal.alt.de", "portal.neu.de"):
        customers.post(f"{page}/portal", {"portal": portal, "confirm": "y"}, token_from=page)
    store.set_item(db, customer["id"], "dns-dkim", "failed", "auto", {"found": []})
    _, shown = lines(client, customer["id"])
    text = "\n".join(shown)
    assert "Anna Manager · Angaben geändert: Name „Müller Verlag“ → „Müller Medien“" in text
    assert "PEIQ-Ansprechpartner:in: Anna Manager → niemand Bestimmtes" in text
    assert (
        "Kund:in · SMTP-Konfiguration von PORTAL übernehmen → Wartet auf PEIQ (PORTAL: "
        "„portal.alt.de“ → „portal.neu.de“)"
    ) in text  # the word the step's badge shows, not the stored state's "Offen"
    step = client.get(page).text.split('id="item-portal-adopt"', 1)[1].split("</li>", 1)[0]
    assert "Wartet auf PEIQ" in step
    # a DNS record never found: the page's "Noch nicht angelegt", also in the history
    assert "System (automatische Prüfung) · DKIM-Schlüssel veröffentlicht → Noch nicht" in text
    assert "Anna Manager · Kund:in angelegt" in text and "am@peiq.de ·" not in text


def test_older_entries_are_paged_and_all_exported(auth, customers, db, client):
    customer, _ = make(auth, customers, db)
    for n in range(70):  # 70 different edits: more than a page
        change = {"field": "Name", "old": f"V{n}", "new": f"V{n + 1}"}
        store.add_event(db, customer["id"], "manager:am@peiq.de", "customer-edited",
                        data={"changes": [change]})  # fmt: skip
    section, first = lines(client, customer["id"])
    assert len(first) == 50 and "„V69“ → „V70“" in first[0]
    assert "Kund:in angelegt" not in section
    older = section.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    section, second = lines(client, customer["id"], older.split(str(customer["id"]), 1)[1])
    assert "„V19“ → „V20“" in second[0] and any("Kund:in angelegt" in x for x in second)
    assert 'rel="next"' not in section and "Neueste Einträge" in section
    export = client.get(f"/manage/customers/{customer['id']}/history.csv")
    assert export.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Zeit (UTC, ISO 8601)", "Wer", "Was"]
    assert len(rows) == 1 + 70 + 1  # every event, the creation included
    assert rows[-1][1:] == ["Anna Manager", "Kund:in angelegt"]
    with customers.app.app_context():
        assert list(overview.history_rows(db, obligation(), customer["id"]))[0][1] == "Anna Manager"


def test_a_check_the_customer_started_is_the_customers_in_the_history(auth, customers, db):
    customer, _ = make(auth, customers, db)
    store.set_path(db, customer["id"], "mailjet", "customer")
    for actor, who in (("customer", "Kund:in"), ("auto", "System (automatische Prüfung)")):
        runs = db.table("runs")
        runs.insert({"customer_id": customer["id"], "kind": "dns", "state": "running",
                     "actor": actor, "settings": "{}",
                     "started_at": "2026-03-02T08:00:00+00:00"})  # fmt: skip
        finish_dns(db, runs.last_pk, None)  # a check that broke off
        [event] = db.query("SELECT actor FROM events WHERE kind = 'item-state'"
                           " ORDER BY id DESC LIMIT 1")  # fmt: skip
        assert store.actor_label(event["actor"]) == who
        db.execute("DELETE FROM item_states")  # the next run's verdict is a change again
