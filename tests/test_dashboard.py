"""The managers' dashboard at scale: search, filters, sort, paging, CSV, duplicate domains."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from helpers.web import names
from markupsafe import escape

from mitwirkung import store
from mitwirkung.board_columns import page_numbers


@pytest.fixture
def make(app, db):
    """Create a customer with a contact, optionally on a path with item states."""

    def make(name, domain=None, contact=None, path=None, items=None, actor="test"):
        with app.test_request_context():
            customer, edit, _ = store.create_customer(db, name, domain, contact, actor)
        if path:
            store.set_path(db, customer["id"], path, "customer")
        for item_id, state in (items or {}).items():
            store.set_item(db, customer["id"], item_id, state, "customer")
        return customer

    return make


def age(db, customer_id, days):
    """Move a customer's whole history `days` into the past (as if time had passed)."""
    then = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
    db.execute("UPDATE events SET at = ? WHERE customer_id = ?", [then, customer_id])
    db.execute(
        "UPDATE customers SET created_at = ?, last_activity_at = ?, revision = revision + 1"
        " WHERE id = ?",
        [then, then, customer_id],
    )


@pytest.fixture
def several(auth, make, db):
    auth.login()
    made = {
        "müller": make("Müller Verlag", "xn--mller-verlag-dlb.de", "it@mueller.de"),
        "schmidt": make("Schmidt Medien", "schmidt.de", "anna@schmidt-it.de", path="smtp-own",
                        items={"smtp-settings": "done", "smtp-test-mail": "failed"}),
        "portal": make("Portal Presse", "presse.de", None, path="portal"),
        "fertig": make("Fertig AG", "fertig.de", None, path="portal",
                       items={"portal-adopt": "done", "mail-received": "done"}),
        "alt": make("Alt GmbH", "alt.de", None),
    }  # fmt: skip
    store.set_item(db, made["portal"]["id"], "portal-adopt", "open", "customer",
                   {"portal": "portal.presse.de", "waiting_for": "manager"})  # fmt: skip
    store.archive_customer(db, made["alt"]["id"], "test")
    age(db, made["müller"]["id"], 10)
    return made


@pytest.mark.parametrize(
    "query, expected",
    [
        ("müller", ["Müller Verlag"]),  # name, case and umlaut folded
        ("MÜLLER-VERLAG.DE", ["Müller Verlag"]),  # the domain as people write it
        ("xn--mller", ["Müller Verlag"]),  # the domain as DNS stores it
        ("schmidt-it", ["Schmidt Medien"]),  # the contact's address
        ("  presse  ", ["Portal Presse"]),
        ("100%", []),  # LIKE's wildcards are searched for literally
        ("_", []),
        ("*", []),  # nor GLOB's
        ("[m", []),
        ('"müller', []),  # nor the full-text query syntax
        ("mü", ["Müller Verlag"]),  # shorter than a trigram
        ("it@mueller.de", ["Müller Verlag"]),
        ("Alt GmbH", []),  # archived customers are not among the active ones
        ("mueller", ["Müller Verlag"]),  # ü = ue, both ways
        ("MUELLER-VERLAG.DE", ["Müller Verlag"]),
        ("verlag müller", ["Müller Verlag"]),  # word order ignored
        ("Verlag Mueller", ["Müller Verlag"]),
        ("medien schmidt", ["Schmidt Medien"]),
        ("m schmidt", ["Schmidt Medien"]),  # a short word with a long one
        ("müller schmidt", []),  # every word must occur
        ("mu\u0308ller", ["Müller Verlag"]),  # decomposed ü as a Mac keyboard may send it
    ],
)
def test_search_finds_name_domain_and_contact(several, client, query, expected):
    html = client.get("/manage/", query_string={"q": query}).text
    assert names(html) == expected
    assert f'value="{escape(query.strip())}"' in html  # the search stays in the box
    if not expected:
        assert "Keine Kund:in passt zu dieser Auswahl." in html


@pytest.mark.parametrize(
    "args, expected",
    [
        ({"weg": "portal"}, {"Portal Presse", "Fertig AG"}),
        ({"weg": "keiner"}, {"Müller Verlag"}),
        ({"status": "aufmerksamkeit"}, {"Schmidt Medien", "Portal Presse"}),
        ({"status": "peiq"}, {"Portal Presse"}),
        ({"status": "fertig"}, {"Fertig AG"}),
        ({"status": "stockt", "tage": "7"}, {"Müller Verlag"}),
        ({"status": "stockt", "tage": "11"}, set()),
        ({"status": "archiviert"}, {"Alt GmbH"}),
        ({"status": "aufmerksamkeit", "weg": "smtp-own"}, {"Schmidt Medien"}),
        ({"status": "aufmerksamkeit", "q": "presse"}, {"Portal Presse"}),
    ],
)
def test_filters_combine(several, client, args, expected):
    assert set(names(client.get("/manage/", query_string=args).text)) == expected


def test_attention_badges_say_what_is_wrong_in_german(several, client):
    html = client.get("/manage/", query_string={"status": "aufmerksamkeit"}).text
    assert "SMTP-Konfiguration von PORTAL übernehmen: wartet auf PEIQ" in html
    assert 'class="badge state-failed"' in html


def test_sorting(several, client):
    by_name = names(client.get("/manage/?sort=name").text)
    assert by_name == ["Fertig AG", "Müller Verlag", "Portal Presse", "Schmidt Medien"]
    by_progress = names(client.get("/manage/?sort=fortschritt").text)
    assert by_progress[-1] == "Fertig AG"
    by_activity = names(client.get("/manage/").text)
    assert by_activity[-1] == "Müller Verlag"  # ten days quiet


def test_paging_keeps_the_view_in_the_links(auth, make, client):
    auth.login()
    for i in range(30):
        make(f"Verlag {i:02d}", f"verlag{i:02d}.de")
    make("Anderer Name", "anders.de")
    first = client.get("/manage/?q=verlag&sort=name").text
    assert names(first) == [f"Verlag {i:02d}" for i in range(25)]
    assert "30 Kund:innen · Seite 1 von 2" in first
    link = re.search(r'href="\?([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert dict(p.split("=") for p in link.split("&")) == {"q": "verlag", "sort": "name",
                                                           "seite": "2"}  # fmt: skip
    second = client.get(f"/manage/?{link}").text
    assert names(second) == [f"Verlag {i:02d}" for i in range(25, 30)]
    assert 'rel="prev"' in second and 'rel="next"' not in second
    beyond = client.get("/manage/?q=verlag&sort=name&seite=99").text  # a bookmark gone stale
    assert names(beyond) == names(second)


def test_a_bad_day_count_is_explained_at_the_field(several, client):
    response = client.get("/manage/?status=stockt&tage=sieben&q=m%C3%BCller")
    assert response.status_code == 200
    html = response.text
    assert 'aria-invalid="true"' in html and "ganze Zahl von 1 bis 3650" in html
    assert 'value="sieben"' in html and 'value="müller"' in html  # what was typed stays
    assert names(html) == ["Müller Verlag"]


def test_unknown_view_values_fall_back_instead_of_failing(several, client):
    for qs in ("weg=%00", "status=x&sort=y&seite=-1", "seite=9999999999999", "q=" + "a" * 5000):
        assert client.get(f"/manage/?{qs}").status_code == 200


def test_csv_export_is_the_current_view_on_every_page(auth, make, client, db):
    auth.login()
    for i in range(30):
        make(f"Verlag {i:02d}", f"verlag{i:02d}.de", path="smtp-own", actor="manager:am@peiq.de")
    make('=HYPERLINK("http://evil")', "evil.de", "+49@x.de", path="smtp-own")
    make("Anderer Weg", "anders.de", path="portal")
    response = client.get("/manage/export.csv?weg=smtp-own&sort=name")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Name", "Absender-Domain", "E-Mail der Ansprechperson",
                       "PEIQ-Ansprechpartner:in", "Weg", "Fortschritt (%)", "Letzte Aktivität",
                       "Braucht Aufmerksamkeit", "Letzter Fortschritt", "Archiviert", "Nr.",
                       "Seite in Mitwirkung", "Nachweis der Ankunft",
                       "Microsoft 365/Google mit Passwort"]  # fmt: skip
    first = dict(zip(rows[0], next(r for r in rows if r[0] == "Verlag 00"), strict=True))
    customer = next(db.query("SELECT * FROM customers WHERE name = ?", [first["Name"]]))
    assert first["Nr."] == str(customer["id"])
    assert (
        first["Seite in Mitwirkung"] == f"http://mitwirkung.test/manage/customers/{customer['id']}"
    )
    assert first["PEIQ-Ansprechpartner:in"] == "Anna Manager"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", first["Letzte Aktivität"])
    assert ">PEIQ-Ansprechpartner:in</th>" in client.get("/manage/").text  # the same columns
    assert len(rows) == 1 + 31  # every page of the view, nothing outside it
    assert "Anderer Weg" not in text
    evil = next(r for r in rows if "HYPERLINK" in r[0])
    assert evil[0].startswith("'=") and evil[2] == "'+49@x.de"  # no formula for spreadsheets
    html = client.get("/manage/?weg=smtp-own&sort=name").text
    assert 'href="/manage/export.csv?weg=smtp-own&amp;sort=name"' in html


def test_creating_a_customer_with_a_known_domain_warns_and_links_it(auth, make, client, db):
    auth.login()
    existing = make("Müller Verlag", "mueller.de")
    data = {"name": "Müller Druck", "domain": "https://www.Mueller.de/", "contact": ""}
    response = auth.customers.post("/manage/customers", data)
    assert response.status_code == 409
    html = response.text
    assert f'href="/manage/customers/{existing["id"]}">Müller Verlag</a>' in html
    assert 'value="Müller Druck"' in html  # nothing typed is lost
    assert 'href="#new-customer">Die Kund:in ist noch nicht angelegt' in html
    assert db.table("customers").count == 1
    response = auth.customers.post("/manage/customers", {**data, "duplicate_ok": "y"})
    assert response.status_code == 303
    assert db.table("customers").count == 2


def test_archived_customers_have_their_own_list_and_come_back(several, client, customers):
    alt = several["alt"]
    html = client.get("/manage/?status=archiviert").text
    assert "Archivierte Kund:innen" in html and "Wiederherstellen" in html
    response = customers.post(f"/manage/customers/{alt['id']}/restore", token_from="/manage/")
    assert response.status_code == 303
    assert "Alt GmbH" in names(client.get("/manage/").text)
    with customers.app.app_context():
        edit, _ = store.link_tokens(store.get_customer(customers.db, alt["id"]))
    assert client.get(f"/c/{edit}").status_code == 200


def test_a_common_search_walks_the_sort_order_with_the_same_result(auth, make, client,
                                                                    monkeypatch):  # fmt: skip
    auth.login()
    for i in range(12):
        make(f"Verlag {i:02d}", f"verlag{i:02d}.de")
    make("Anderer Name", "anders.de")
    url = "/manage/?q=verlag&sort=name&seite=1"
    looked_up = names(client.get(url).text)
    monkeypatch.setattr("mitwirkung.overview.COMMON_MATCHES", 5)
    walked = names(client.get(url).text)
    assert walked == looked_up == [f"Verlag {i:02d}" for i in range(12)]


@pytest.mark.parametrize("query", ["strasse", "STRASSE", "straße", "grossdruck", "Großdruck"])
def test_search_treats_sharp_s_and_ss_alike(auth, make, client, query):
    auth.login()
    make("Großdruck Straße", "grossdruck.de", None)
    make("Stratos Druck", "stratos.de", None)
    assert names(client.get("/manage/", query_string={"q": query}).text) == ["Großdruck Straße"]


@pytest.mark.parametrize(
    "current, last, shown",
    [
        (1, 1, [1]),
        (1, 3, [1, 2, 3]),
        (7, 20, [1, None, 5, 6, 7, 8, 9, None, 20]),
        (4, 20, [1, 2, 3, 4, 5, 6, None, 20]),  # a gap of one page shows the page
        (20, 20, [1, None, 18, 19, 20]),
    ],
)
def test_page_numbers(current, last, shown):
    assert page_numbers(current, last) == shown


def test_pages_are_linked_by_number(auth, make, client):
    auth.login()
    for i in range(80):
        make(f"Verlag {i:02d}")
    html = client.get("/manage/?sort=name&seite=2").text
    assert '<a aria-current="page">2</a>' in html
    assert 'href="?sort=name" aria-label="Seite 1"' in html
    for number in (3, 4):
        assert f'href="?sort=name&amp;seite={number}" aria-label="Seite {number}"' in html
    third = client.get("/manage/?sort=name&seite=3").text
    assert names(third)[0] == "Verlag 50"


@pytest.mark.parametrize("query", ["verlag mueller", "MÜLLER v", "ller verl"])
def test_both_search_plans_agree_on_words_and_spellings(auth, make, client, monkeypatch, query):
    auth.login()
    for i in range(8):
        make(f"Müller Verlag {i}", f"mueller{i}.de")
        make(f"Schulze Verlag {i}", f"schulze{i}.de")
    url = f"/manage/?q={query}&sort=name"
    looked_up = names(client.get(url).text)
    monkeypatch.setattr("mitwirkung.overview.COMMON_MATCHES", 3)
    walked = names(client.get(url).text)
    monkeypatch.setattr("mitwirkung.overview.USUAL_MATCHES", 3)
    read = client.get(url).text  # counted from every search text, too
    assert walked == looked_up == names(read) == [f"Müller Verlag {i}" for i in range(8)]
    assert "8 Kund:innen" in read


@pytest.mark.parametrize("query", ["verlag", "verlag 1", "MÜLLER v", "mueller verlag 2"])
def test_a_search_counts_active_customers_though_the_index_holds_archived_ones(
    auth, make, client, db, query
):
    auth.login()
    made = [make(f"Müller Verlag {i}", f"mueller{i}.de") for i in range(6)]
    make("Schulze Druck", "schulze.de")
    for customer in made[::2]:  # Müller Verlag 0, 2, 4 are closed
        store.archive_customer(db, customer["id"], "test")
    words = query.lower().replace("ü", "ue").split()
    active = [
        f"Müller Verlag {i}" for i in (1, 3, 5) if all(w in f"mueller verlag {i}" for w in words)
    ]
    closed = [
        f"Müller Verlag {i}" for i in (0, 2, 4) if all(w in f"mueller verlag {i}" for w in words)
    ]
    shown = client.get("/manage/", query_string={"q": query, "sort": "name"}).text
    assert names(shown) == active
    count = f"{len(active)} {'Kund:in' if len(active) == 1 else 'Kund:innen'}"
    assert f'<p id="view-count">{count}</p>' in shown
    archived = client.get("/manage/", query_string={"q": query, "status": "archiviert"}).text
    assert sorted(names(archived)) == closed
