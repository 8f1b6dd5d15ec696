"""The manager side of several obligations: create a customer with a choice of obligations
(dashboard and CLI), and the dashboard and its CSV count per obligation and overall."""

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet

from app import create_app
from mitwirkung import jobs, store
from mitwirkung.catalog import SMTP_OBLIGATION, starting_paths
from mitwirkung.db import frozen

# A second obligation of generic kinds only, one path: two items the customer confirms.
SECOND = """
id = "druckdaten"
title = "Druckdaten-Freigabe"
intro = "Wer gibt Druckdaten frei?"
todo = "Bestätigen Sie beide Punkte."
[[paths]]
id = "standard"
title = "Freigabe einrichten"
summary = "Zwei Bestätigungen"
items = ["freigabe-person", "freigabe-vertretung"]
[[items]]
id = "freigabe-person"
title = "Freigabe-Person benannt"
kind = "manual"
confirm = "Ja, die Person ist benannt"
help = "Wer gibt frei?"
[[items]]
id = "freigabe-vertretung"
title = "Vertretung benannt"
kind = "manual"
confirm = "Ja, die Vertretung ist benannt"
help = "Wer vertritt?"
"""
SECOND_ID = "druckdaten"
HEADERS = ["Name", "Absender-Domain", "E-Mail der Ansprechperson", "PEIQ-Ansprechpartner:in",
           "Weg", "Fortschritt (%)", "Letzte Aktivität", "Braucht Aufmerksamkeit",
           "Letzter Fortschritt", "Archiviert", "Nr.", "Seite in Mitwirkung",
           "Nachweis der Ankunft", "Microsoft 365/Google mit Passwort"]  # fmt: skip


@pytest.fixture
def app(tmp_path, request):
    """The app with the SMTP obligation and a second one (replaces conftest's `app`);
    parametrized indirectly with False: the SMTP obligation alone."""
    second = tmp_path / "druckdaten.toml"
    second.write_text(SECOND)
    extra = [str(second)] if getattr(request, "param", True) else []
    app = create_app(
        {
            "TESTING": True,
            "DATABASE": str(tmp_path / "test.db"),
            "SECRET_KEY": "test-secret",
            "ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "BASE_URL": "http://mitwirkung.test",
            "OBLIGATION_FILES": extra,
        }
    )
    yield app
    app.extensions["runner"].shutdown()


def csv_rows(client, query="") -> list[dict]:
    text = client.get(f"/manage/export.csv{query}").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]], rows[0]


def row_cells(html: str, name: str) -> dict[str, str]:
    """The dashboard row of one customer: {column label: cell text without tags}."""
    row = next(r for r in re.findall(r"<tr>.*?</tr>", html, re.S) if f">{name}</a>" in r)
    cells = re.findall(r'<td data-label="([^"]+)">(.*?)</td>', row, re.S)
    return {label: re.sub(r"<[^>]+>", " ", text).split() for label, text in cells}


def test_new_customer_form_offers_every_obligation_ticked(auth, client):
    auth.login()
    html = client.get("/manage/").text
    boxes = re.findall(r'<input[^>]*name="obligations"[^>]*>', html)
    assert [re.search(r'value="([^"]+)"', b).group(1) for b in boxes] == [
        SMTP_OBLIGATION,
        SECOND_ID,
    ]
    assert all("checked" in b for b in boxes)
    assert "Mitwirkungspflichten" in html and "Druckdaten-Freigabe" in html


@pytest.mark.parametrize(
    "ticked, expected",
    [
        ([SECOND_ID], [SECOND_ID]),
        ([SMTP_OBLIGATION], [SMTP_OBLIGATION]),
        ([SECOND_ID, SMTP_OBLIGATION], [SMTP_OBLIGATION, SECOND_ID]),  # catalog order
    ],
)
def test_creating_a_customer_gives_it_the_ticked_obligations(auth, db, ticked, expected):
    auth.login()
    data = {"name": "Müller Verlag", "obligations": ticked, "obligations_offered": "y"}
    response = auth.customers.post("/manage/customers", data, token_from="/manage/")
    assert response.status_code == 303
    customer = next(db.table("customers").rows)
    rows = store.customer_obligations(db, customer["id"])
    assert [r["obligation_id"] for r in rows] == expected
    # a one-path obligation starts on its only path
    assert all(r["path"] == "standard" for r in rows if r["obligation_id"] == SECOND_ID)


@pytest.mark.parametrize(
    "ticked, message",
    [
        ([], "Bitte wählen Sie mindestens eine Mitwirkungspflicht"),
        (["gibt-es-nicht"], "Bitte nur Mitwirkungspflichten aus der Liste wählen."),
    ],
)
def test_a_bad_choice_of_obligations_is_said_at_the_field(auth, db, ticked, message):
    auth.login()
    data = {"name": "Müller Verlag", "domain": "mueller.de", "obligations": ticked,
            "obligations_offered": "y"}  # fmt: skip
    response = auth.customers.post("/manage/customers", data, token_from="/manage/")
    assert response.status_code == 422
    html = response.text
    assert re.search(r'id="obligations-error">' + re.escape(message), html)
    assert 'value="Müller Verlag"' in html and 'value="mueller.de"' in html  # nothing lost
    assert db.table("customers").count == 0


def test_a_form_without_the_choice_gives_every_obligation(auth, db):
    auth.login()
    response = auth.customers.post("/manage/customers", {"name": "Alt"}, token_from="/manage/")
    assert response.status_code == 303
    customer = next(db.table("customers").rows)
    ids = [r["obligation_id"] for r in store.customer_obligations(db, customer["id"])]
    assert ids == [SMTP_OBLIGATION, SECOND_ID]


def test_cli_creates_with_chosen_or_every_obligation(app, db):
    runner = app.test_cli_runner()
    every = runner.invoke(args=["customers", "create", "Alle", "--json"])
    assert json.loads(every.output)["obligations"] == [SMTP_OBLIGATION, SECOND_ID]
    result = runner.invoke(
        args=["customers", "create", "Nur Druck", "--obligation", SECOND_ID, "--json"]
    )
    data = json.loads(result.output)
    assert data["obligations"] == [SECOND_ID]
    rows = store.customer_obligations(db, data["id"])
    assert [r["obligation_id"] for r in rows] == [SECOND_ID]
    bad = runner.invoke(args=["customers", "create", "X", "--obligation", "smtp", "--json"])
    assert bad.exit_code != 0
    assert "Unbekannte Mitwirkungspflicht: smtp" in bad.output
    assert f"Bekannt sind: {SMTP_OBLIGATION}, {SECOND_ID}." in bad.output
    assert db.table("customers").count == 2


def test_dashboard_and_csv_count_per_obligation_and_overall(auth, client, db, app):
    auth.login()
    runner = app.test_cli_runner()
    both = json.loads(runner.invoke(args=["customers", "create", "Beide", "--json"]).output)
    only = json.loads(
        runner.invoke(
            args=["customers", "create", "Nur Druck", "--obligation", SECOND_ID, "--json"]
        ).output
    )
    # SMTP via PORTAL: PEIQ confirmed, the mail arrived -> 100 %; Druckdaten: 1 of 2 -> 50 %
    store.set_path(db, both["id"], "portal", "test")
    auth.customers.complete_portal(both["id"])
    store.set_item(db, both["id"], "mail-received", "done", "test", {"via": "confirm-link"})
    store.set_item(db, both["id"], "freigabe-person", "done", "test", obligation_id=SECOND_ID)
    store.set_item(db, only["id"], "freigabe-person", "done", "test", obligation_id=SECOND_ID)
    store.set_item(db, only["id"], "freigabe-vertretung", "done", "test", obligation_id=SECOND_ID)

    rows, header = csv_rows(client, "?sort=name")
    assert header == HEADERS + ["SMTP-Postfach (%)", "Druckdaten-Freigabe (%)"]
    by_name = {r["Name"]: r for r in rows}
    assert by_name["Beide"]["Fortschritt (%)"] == "75"  # floor of the mean of 100 and 50
    assert by_name["Beide"]["SMTP-Postfach (%)"] == "100"
    assert by_name["Beide"]["Druckdaten-Freigabe (%)"] == "50"
    assert by_name["Nur Druck"]["Fortschritt (%)"] == "100"
    assert by_name["Nur Druck"]["SMTP-Postfach (%)"] == ""  # not one of its obligations
    assert by_name["Nur Druck"]["Druckdaten-Freigabe (%)"] == "100"
    assert by_name["Beide"]["Weg"] == "von PORTAL"
    assert by_name["Nur Druck"]["Weg"] == "nicht vereinbart"

    html = client.get("/manage/?sort=name").text
    for name in ("Beide", "Nur Druck"):
        cells = row_cells(html, name)
        assert cells["Fortschritt (%)"][0] == by_name[name]["Fortschritt (%)"]
        assert " ".join(cells["Weg"]) == by_name[name]["Weg"]
        for column in ("SMTP-Postfach (%)", "Druckdaten-Freigabe (%)"):
            shown = cells[column]
            if by_name[name][column]:
                assert shown == [by_name[name][column], "%"]
            else:
                assert shown == ["nicht", "vereinbart"]
    # the filters still work on the overall progress: "fertig" lists only the complete one
    done, _ = csv_rows(client, "?status=fertig")
    assert [r["Name"] for r in done] == ["Nur Druck"]


@pytest.mark.parametrize("app", [False], indirect=True)
def test_one_obligation_changes_nothing_on_the_dashboard(auth, client):
    auth.login()
    html = client.get("/manage/").text
    assert 'name="obligations"' not in html and "Mitwirkungspflichten" not in html
    header = client.get("/manage/export.csv").get_data().decode("utf-8-sig").splitlines()[0]
    assert header.split(";") == HEADERS


T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday
DAY = timedelta(days=1)


def reminder_and_digest_customers(app, db):
    """ "Beide" (both obligations, Druckdaten half done) and "Nur Druck" (only Druckdaten,
    nothing done), both got their link at T0 and have the manager am@peiq.de."""
    made = {}
    with app.test_request_context(), frozen(T0):
        for name, ids in (("Beide", [SMTP_OBLIGATION, SECOND_ID]), ("Nur Druck", [SECOND_ID])):
            customer, _, _ = store.create_customer(
                db, name, None, f"{ids[-1]}-{len(ids)}@kunde.de", "manager:am@peiq.de",
                obligations=starting_paths(app.extensions["obligations"], ids),
            )  # fmt: skip
            store.add_event(db, customer["id"], "manager:am@peiq.de", "link-mailed",
                            data={"to": customer["contact_email"]}, activity=False)  # fmt: skip
            made[name] = customer
        store.set_item(db, made["Beide"]["id"], "freigabe-person", "done", "customer",
                       obligation_id=SECOND_ID)  # fmt: skip
    return made


def test_reminders_and_digest_count_per_obligation_and_overall(auth, mail_app, db, outbox):
    made = reminder_and_digest_customers(mail_app, db)
    with mail_app.app_context():
        assert jobs.run_due(db, mail_app.config, at=T0 + 3 * DAY)["reminders"] == 2
    mails = {m.rcpt_tos[0]: m.message for m in outbox.handler.messages}
    both = mails[made["Beide"]["contact_email"]]
    assert both["Subject"] == "Erinnerung: Ihre Mitwirkungspflichten für Beide"
    text = both.get_payload(decode=True).decode()
    assert "Insgesamt sind 25 % erledigt:" in text  # floor of the mean of 0 and 50
    assert "- SMTP-Postfach: 0 %, noch kein Weg gewählt" in text
    assert "- Druckdaten-Freigabe: 50 %, der nächste Schritt: „Vertretung benannt“" in text
    only = mails[made["Nur Druck"]["contact_email"]]
    assert only["Subject"] == "Erinnerung: „Druckdaten-Freigabe“ für Nur Druck"
    text = only.get_payload(decode=True).decode()
    assert "Ihre Mitwirkungspflicht „Druckdaten-Freigabe“" in text and "SMTP" not in text
    assert "Der nächste Schritt: „Freigabe-Person benannt“." in text

    with mail_app.app_context():
        assert jobs.run_due(db, mail_app.config, at=T0 + 14 * DAY)["digests"] == 1
    [digest] = [m.message for m in outbox.handler.messages if "diese Woche" in m.message["Subject"]]
    text = digest.get_payload(decode=True).decode()
    assert "- Beide (25 % insgesamt: SMTP-Postfach 0 %, Druckdaten-Freigabe 50 %; zuletzt" in text
    assert "- Nur Druck (0 % insgesamt: Druckdaten-Freigabe 0 %; zuletzt" in text
