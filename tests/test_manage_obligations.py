"""The manager side of several obligations: a customer's obligations are chosen when it is
created (dashboard form and CLI); dashboard and CSV count per obligation and overall from one
column definition; reminders and the weekly digest speak per obligation.

conftest's app loads the SMTP obligation and the docs' example (two_obligations.EXAMPLE).
"""

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from two_obligations import EXAMPLE, fill_example, two_obligation_customer

from app import create_app
from mitwirkung import jobs, store
from mitwirkung.catalog import SMTP_OBLIGATION, starting_paths
from mitwirkung.db import frozen

HEADERS = ["Name", "Absender-Domain", "E-Mail der Ansprechperson", "PEIQ-Ansprechpartner:in",
           "Weg", "Fortschritt (%)", "Letzte Aktivität", "Braucht Aufmerksamkeit",
           "Letzter Fortschritt", "Archiviert", "Nr.", "Seite in Mitwirkung",
           "Nachweis der Ankunft", "Microsoft 365/Google mit Passwort"]  # fmt: skip
PER_OBLIGATION = ["SMTP-Postfach (%)", "Rechtliche Angaben (%)"]
SMTP_WAY = "Weg (SMTP-Postfach)"  # with several obligations in use: whose path it is
SEVERAL = [SMTP_WAY if h == "Weg" else h for h in HEADERS]


def csv_rows(client, query="") -> tuple[list[dict], list[str]]:
    text = client.get(f"/manage/export.csv{query}").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]], rows[0]


def row_cells(html: str, name: str) -> dict[str, list[str]]:
    """The dashboard row of one customer: {column label: the cell's words}."""
    row = next(r for r in re.findall(r"<tr>.*?</tr>", html, re.S) if f">{name}</a>" in r)
    cells = re.findall(r'<td data-label="([^"]+)">(.*?)</td>', row, re.S)
    return {label: re.sub(r"<[^>]+>", " ", text).split() for label, text in cells}


def per_obligation_in_row(html: str, name: str) -> dict[str, str]:
    """The per-obligation lines of a row's progress cell: {"<title> (%)": "<n>"}."""
    row = next(r for r in re.findall(r"<tr>.*?</tr>", html, re.S) if f">{name}</a>" in r)
    lines = re.findall(r'<small data-obligation="[^"]+">([^<]+): (\d+) %</small>', row)
    return {f"{title} (%)": number for title, number in lines}


def create(auth, **data):
    return auth.customers.post("/manage/customers", data, token_from="/manage/")


# --- choosing a customer's obligations --------------------------------------------------


def test_new_customer_form_offers_every_obligation_ticked(auth, client):
    auth.login()
    html = client.get("/manage/").text
    boxes = re.findall(r'<input[^>]*name="obligations"[^>]*>', html)
    values = [re.search(r'value="([^"]+)"', b).group(1) for b in boxes]
    assert values == [SMTP_OBLIGATION, EXAMPLE]
    assert all("checked" in b for b in boxes)
    smtp, example = boxes
    assert "disabled" in smtp and "disabled" not in example  # the link opens on the SMTP page
    assert "<legend>Mitwirkungspflichten" in html and "Rechtliche Angaben</label>" in html
    assert "immer dabei" in html


@pytest.mark.parametrize(
    "ticked, expected",
    [
        ([EXAMPLE], [SMTP_OBLIGATION, EXAMPLE]),
        ([], [SMTP_OBLIGATION]),  # nothing else ticked: the SMTP mailbox alone
        ([SMTP_OBLIGATION], [SMTP_OBLIGATION]),
        ([EXAMPLE, SMTP_OBLIGATION], [SMTP_OBLIGATION, EXAMPLE]),  # catalog order
    ],
)
def test_creating_a_customer_gives_it_the_ticked_obligations(auth, db, ticked, expected):
    auth.login()
    response = create(auth, name="Müller Verlag", obligations=ticked, obligations_offered="y")
    assert response.status_code == 303
    customer = next(db.table("customers").rows)
    rows = store.customer_obligations(db, customer["id"])
    assert [r["obligation_id"] for r in rows] == expected
    # a one-path obligation starts on its only path; the SMTP one waits for the customer
    for r in rows:
        assert r["path"] == ("standard" if r["obligation_id"] == EXAMPLE else None)


@pytest.mark.parametrize("ticked", [["gibt-es-nicht"], [EXAMPLE, "gibt-es-nicht"]])
def test_an_unknown_obligation_is_said_at_the_field(auth, db, ticked):
    auth.login()
    response = create(auth, name="Müller Verlag", domain="mueller.de", obligations=ticked,
                      obligations_offered="y")  # fmt: skip
    assert response.status_code == 422
    html = response.text
    message = "Bitte nur Mitwirkungspflichten aus der Liste wählen."
    assert re.search(r'<small class="error" id="obligations-error">' + re.escape(message), html)
    assert 'aria-describedby="obligations-error"' in html
    assert 'value="Müller Verlag"' in html and 'value="mueller.de"' in html  # nothing lost
    assert db.table("customers").count == 0


def test_a_form_without_the_choice_gives_the_smtp_obligation_as_before(auth, db):
    auth.login()
    assert create(auth, name="Alt").status_code == 303
    customer = next(db.table("customers").rows)
    ids = [r["obligation_id"] for r in store.customer_obligations(db, customer["id"])]
    assert ids == [SMTP_OBLIGATION]


def test_cli_creates_with_chosen_or_every_obligation(app, db):
    runner = app.test_cli_runner()
    every = runner.invoke(args=["customers", "create", "Alle", "--json"])
    assert json.loads(every.output)["obligations"] == [SMTP_OBLIGATION, EXAMPLE]
    result = runner.invoke(
        args=["customers", "create", "Weser Kurier", "--obligation", EXAMPLE, "--json"]
    )
    data = json.loads(result.output)
    assert set(data) == {"id", "name", "edit_url", "share_url", "obligations"}
    assert data["obligations"] == [SMTP_OBLIGATION, EXAMPLE]  # the SMTP mailbox always
    rows = store.customer_obligations(db, data["id"])
    assert [(r["obligation_id"], r["path"]) for r in rows] == [
        (SMTP_OBLIGATION, None), (EXAMPLE, "standard"),
    ]  # fmt: skip
    bad = runner.invoke(args=["customers", "create", "X", "--obligation", "smtp", "--json"])
    assert bad.exit_code != 0
    assert "Unbekannte Mitwirkungspflicht „smtp“; bekannt sind" in bad.output
    assert f"bekannt sind: {SMTP_OBLIGATION}, {EXAMPLE}." in bad.output
    assert db.table("customers").count == 2


# --- dashboard and CSV: one truth per obligation and overall ------------------------------


def test_dashboard_and_csv_agree_per_obligation_and_overall(app, auth, client, db):
    """The figures of the page test (83 overall: SMTP 100, example 66) on the dashboard."""
    auth.login()
    customer, _, _ = two_obligation_customer(app, db, name="Beide", smtp_path="portal")
    cid = customer["id"]
    store.set_item(db, cid, "portal-adopt", "done", "manager:am@peiq.de", {"portal": "p.de"})
    store.set_item(db, cid, "mail-received", "done", "receiver", {"evidence": "received"})
    fill_example(db, cid)  # 2 of 3 steps: 66 %
    with app.test_request_context():
        only, _, _ = store.create_customer(db, "Nur Recht", None, None, "test",
                                           obligations=((EXAMPLE, "standard"),))  # fmt: skip
    fill_example(db, only["id"], confirmed_by_peiq=True)

    rows, header = csv_rows(client, "?sort=name")
    assert header == SEVERAL + PER_OBLIGATION  # after the existing ones
    by_name = {r["Name"]: r for r in rows}
    assert [by_name["Beide"][k] for k in ("Fortschritt (%)", *PER_OBLIGATION)] == [
        "83", "100", "66",
    ]  # fmt: skip
    assert [by_name["Nur Recht"][k] for k in ("Fortschritt (%)", *PER_OBLIGATION)] == [
        "100", "", "100",
    ]  # fmt: skip
    assert by_name["Beide"][SMTP_WAY] == "von PORTAL"
    assert by_name["Nur Recht"][SMTP_WAY] == "nicht vereinbart"

    html = client.get("/manage/?sort=name").text  # as wide as before: per obligation in a cell
    assert "(%)</th>" in html and not any(f">{label}</th>" in html for label in PER_OBLIGATION)
    for name, row in by_name.items():
        cells = row_cells(html, name)
        assert cells["Fortschritt (%)"][:2] == [row["Fortschritt (%)"], "%"]
        assert " ".join(cells[SMTP_WAY]) == row[SMTP_WAY]
        assert per_obligation_in_row(html, name) == {
            label: row[label] for label in PER_OBLIGATION if row[label]
        }, name
    # the filters work on the overall progress: "fertig" is the one with everything done
    done, _ = csv_rows(client, "?status=fertig")
    assert [r["Name"] for r in done] == ["Nur Recht"]
    assert [r["Name"] for r in csv_rows(client, "?status=peiq")[0]] == ["Beide"]
    # "Weg: noch nicht gewählt" is about the SMTP mailbox: not a customer without it
    with app.test_request_context():
        store.create_customer(db, "Ohne Weg", None, None, "test")
    assert [r["Name"] for r in csv_rows(client, "?weg=keiner")[0]] == ["Ohne Weg"]
    assert [r["Name"] for r in csv_rows(client, "?weg=portal")[0]] == ["Beide"]


def test_columns_per_obligation_only_once_customers_have_two(auth, client, customers):
    """Loaded but unused, the example adds nothing: the dashboard stays as it was."""
    auth.login()
    customers.create(name="Nur SMTP")
    assert csv_rows(client)[1] == HEADERS
    assert per_obligation_in_row(client.get("/manage/").text, "Nur SMTP") == {}
    customers.create(name="Zweite")  # still only the SMTP obligation in use
    assert csv_rows(client)[1] == HEADERS
    assert per_obligation_in_row(client.get("/manage/").text, "Nur SMTP") == {}
    with client.application.test_request_context():
        store.create_customer(customers.db, "Recht", None, None, "test",
                              obligations=((EXAMPLE, "standard"),))  # fmt: skip
    assert csv_rows(client)[1] == SEVERAL + PER_OBLIGATION
    html = client.get("/manage/").text  # rows rendered before get the new lines too
    assert per_obligation_in_row(html, "Nur SMTP") == {"SMTP-Postfach (%)": "0"}
    assert per_obligation_in_row(html, "Recht") == {"Rechtliche Angaben (%)": "0"}


@pytest.fixture
def smtp_only_app(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE": str(tmp_path / "one.db"),
            "SECRET_KEY": "test-secret",
            "ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "BASE_URL": "http://mitwirkung.test",
        }
    )
    yield app
    app.extensions["runner"].shutdown()


def test_one_obligation_loaded_offers_no_choice(smtp_only_app):
    runner = smtp_only_app.test_cli_runner()
    made = runner.invoke(args=["managers", "create", "am@peiq.de", "--password",
                               "Kaffee-Regen-Tasse-7"])  # fmt: skip
    assert made.exit_code == 0, made.output
    client = smtp_only_app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/manage/login").text)
    client.post("/manage/login", data={"email": "am@peiq.de", "password": "Kaffee-Regen-Tasse-7",
                                       "csrf_token": token.group(1)})  # fmt: skip
    html = client.get("/manage/").text
    assert "Neue Kund:in anlegen" in html
    assert 'name="obligations"' not in html and "<legend>Mitwirkungspflichten" not in html
    created = json.loads(runner.invoke(args=["customers", "create", "X", "--json"]).output)
    assert created["obligations"] == [SMTP_OBLIGATION]


# --- the customer's page for managers --------------------------------------------------


def test_customer_page_shows_each_obligation_or_that_smtp_is_not_agreed(app, auth, client, db):
    auth.login()
    both, _, _ = two_obligation_customer(app, db, name="Beide", smtp_path="portal")
    fill_example(db, both["id"])
    with app.test_request_context():
        only, _, _ = store.create_customer(db, "Nur Recht", None, None, "test",
                                           obligations=((EXAMPLE, "standard"),))  # fmt: skip
    html = client.get(f"/manage/customers/{both['id']}").text
    assert "<h2>SMTP-Postfach: 0 %</h2>" in html and "Weg: Übernahme der SMTP" in html
    assert 'id="manage-item-portal-adopt"' in html
    assert 'data-obligation-progress="rechtliches">66 %' in html
    assert 'data-overall-progress="33"' in html  # floor of the mean of 0 and 66
    html = client.get(f"/manage/customers/{only['id']}").text
    assert 'id="smtp-not-agreed"' in html and "Fortschritt:" not in html
    assert 'id="manage-item-mail-received"' not in html  # no SMTP checklist
    assert 'data-obligation-progress="rechtliches">0 %' in html


# --- reminders and the weekly digest ----------------------------------------------------

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday
DAY = timedelta(days=1)


def reminded_customers(app, db) -> dict[str, dict]:
    """ "Beide" (both obligations, the example's fields given) and "Nur Recht" (only the
    example, nothing done); both got their link at T0 and have the manager am@peiq.de."""
    made = {}
    with app.test_request_context(), frozen(T0):
        for name, ids in (("Beide", [SMTP_OBLIGATION, EXAMPLE]), ("Nur Recht", [EXAMPLE])):
            customer, _, _ = store.create_customer(
                db, name, None, f"kontakt{len(ids)}@kunde.de", "manager:am@peiq.de",
                obligations=starting_paths(app.extensions["obligations"], ids),
            )  # fmt: skip
            store.add_event(db, customer["id"], "manager:am@peiq.de", "link-mailed",
                            data={"to": customer["contact_email"]}, activity=False)  # fmt: skip
            made[name] = customer
        store.set_item(db, made["Beide"]["id"], "legal-pages", "done", "customer",
                       {"values": {}}, obligation_id=EXAMPLE)  # fmt: skip
    return made


def test_reminders_and_digest_count_per_obligation_and_overall(auth, mail_app, db, outbox):
    made = reminded_customers(mail_app, db)
    with mail_app.app_context():
        assert jobs.run_due(db, mail_app.config, at=T0 + 3 * DAY)["reminders"] == 2
    mails = {m.rcpt_tos[0]: m.message for m in outbox.handler.messages}
    both = mails[made["Beide"]["contact_email"]]
    assert both["Subject"] == "Erinnerung: Ihre Mitwirkungspflichten für Beide"
    text = both.get_payload(decode=True).decode()
    assert "Insgesamt sind 16 % erledigt:" in text  # floor of the mean of 0 and 33
    assert "- SMTP-Postfach: 0 %, noch kein Weg gewählt" in text
    assert "- Rechtliche Angaben: 33 %, der nächste Schritt: „AVV unterschrieben an PEIQ" in text
    only = mails[made["Nur Recht"]["contact_email"]]
    assert only["Subject"] == "Erinnerung: „Rechtliche Angaben“ für Nur Recht"
    text = only.get_payload(decode=True).decode()
    assert "Ihre Mitwirkungspflicht „Rechtliche Angaben“" in text and "SMTP" not in text
    assert "Der nächste Schritt: „Impressum und Datenschutz angegeben“." in text

    with mail_app.app_context():
        assert jobs.run_due(db, mail_app.config, at=T0 + 14 * DAY)["digests"] == 1
    [digest] = [m.message for m in outbox.handler.messages if "diese Woche" in m.message["Subject"]]
    text = digest.get_payload(decode=True).decode()
    assert "- Beide (16 % insgesamt: SMTP-Postfach 0 %, Rechtliche Angaben 33 %; zuletzt" in text
    assert "- Nur Recht (Rechtliche Angaben 0 %, zuletzt" in text
