"""Several obligations per customer: the catalog, the generic item kinds, and one truth about
progress per obligation and overall on the page, the share view, status.json and the summary.
"""

import json
import re

import pytest
from cryptography.fernet import Fernet
from two_obligations import (
    EXAMPLE,
    EXAMPLE_OBLIGATION,
    LEGAL_VALUES,
    fill_example,
    two_obligation_customer,
)

from app import create_app
from mitwirkung import catalog, overview, store
from mitwirkung.accounts import create_manager
from mitwirkung.catalog import SMTP_OBLIGATION
from mitwirkung.checklist import link_csrf_token
from mitwirkung.db import connect
from mitwirkung.kinds import fields
from mitwirkung.runner import Job

SMTP_TOML = catalog.load(EXAMPLE_OBLIGATION.parent.parent.parent / "data" / "obligations"
                         / "smtp-postfach.toml")  # fmt: skip


def progress_on(text: str) -> tuple[str, dict]:
    """The overall progress and each obligation's progress as the page's list says them."""
    overall = re.search(r'data-overall-progress="(\d+)"', text).group(1)
    each = dict(re.findall(r'data-obligation-progress="([^"]+)">(\d+) %', text))
    return overall, each


# --- the catalog -------------------------------------------------------------------------

GENERIC = """
id = "x"
title = "X"
intro = "Intro"
todo = "Todo"
[[paths]]
id = "p"
title = "Weg"
summary = "Zusammenfassung"
items = ["a", "f"]
[[items]]
id = "a"
title = "A"
kind = "manual"
confirm = "Ja"
help = "Hilfe"
[[items]]
id = "f"
title = "F"
kind = "fields"
help = "Hilfe"
[[items.fields]]
id = "url"
label = "Adresse"
type = "url"
"""


def assert_refused_at_load(tmp_path, change, message):
    """The changed example file is refused, naming the file and the problem."""
    path = tmp_path / "neu.toml"
    path.write_text(change(GENERIC))
    with pytest.raises(catalog.CatalogError) as e:
        catalog.load(path)
    assert str(path) in str(e.value) and message in str(e.value)


@pytest.mark.parametrize(
    "change, message",
    [
        (
            lambda s: s.replace('kind = "manual"', 'check = "manual"'),
            "'check' is now called 'kind'",
        ),
        (lambda s: s.replace('kind = "manual"', 'kind = "Manual"'), "unknown kind 'Manual'"),
        (lambda s: s.replace('confirm = "Ja"\n', ""), "kind 'manual' needs 'confirm'"),
        (lambda s: s.split("[[items.fields]]")[0], "kind 'fields' needs [[items.fields]]"),
        (lambda s: s.replace('type = "url"', 'type = "date"'), "unknown type 'date'"),
        (lambda s: s.replace('type = "url"', 'type = "choice"'), "needs 'choices'"),
        (lambda s: s.replace('type = "url"', 'type = "choice"\nchoices = []'), "needs 'choices'"),
        (lambda s: s.replace('type = "url"', 'type = "url"\nchoices = ["a"]'), "only go with"),
        (lambda s: s.replace('type = "url"', 'type = "url"\nmax_length = 0'), "'max_length'"),
        (lambda s: s.replace('label = "Adresse"\n', ""), "'label' must be"),
        (lambda s: s + '[[items.fields]]\nid = "url"\nlabel = "Noch mal"\n', "field ids must be"),
        (lambda s: s.replace('id = "a"', 'id = "A b"'), "lower-case letters"),
        (lambda s: s.replace('kind = "manual"', 'kind = "manual"\nfields = []'), "only go with"),
        (lambda s: s.replace('id = "x"', 'id = "x"\norder = "1"'), "'order' must be"),
        (
            lambda s: (
                s + '[[items]]\nid = "vergessen"\ntitle = "T"\nkind = "manual"\n'
                'help = "H"\nconfirm = "Ja"\n'
            ),
            "vergessen in no path",
        ),
    ],
)
def test_a_malformed_obligation_is_named_with_its_problem(tmp_path, change, message):
    assert_refused_at_load(tmp_path, change, message)


def test_the_catalog_orders_obligations_and_refuses_one_id_twice(tmp_path):
    (tmp_path / "a.toml").write_text(GENERIC)
    found = catalog.load_all(EXAMPLE_OBLIGATION.parent.parent.parent / "data" / "obligations",
                             [EXAMPLE_OBLIGATION, tmp_path / "a.toml"])  # fmt: skip
    # SMTP first (order 1), then the example (order 20), then x (default 100)
    assert found.ids == [SMTP_OBLIGATION, EXAMPLE, "x"]
    assert found.first.id == SMTP_OBLIGATION and found.get("x").only_path.id == "p"
    (tmp_path / "b.toml").write_text(GENERIC)
    with pytest.raises(catalog.CatalogError, match="'x' is defined twice"):
        catalog.load_all(tmp_path)
    empty = tmp_path / "leer"
    empty.mkdir()
    with pytest.raises(catalog.CatalogError, match="no obligation"):
        catalog.load_all(empty)
    with pytest.raises(catalog.CatalogError, match="not a folder of obligations"):
        catalog.load_all(tmp_path / "gibt-es-nicht")


def test_the_app_refuses_to_start_without_the_smtp_obligation(tmp_path):
    folder = tmp_path / "obligations"
    folder.mkdir()
    (folder / "x.toml").write_text(GENERIC)
    with pytest.raises(SystemExit, match="no obligation 'smtp-postfach'"):
        create_app({"OBLIGATIONS_DIR": str(folder), "DATABASE": str(tmp_path / "db"),
                    "SECRET_KEY": "x", "ENCRYPTION_KEY": "x"})  # fmt: skip


def test_the_example_uses_only_generic_kinds():
    example = catalog.load(EXAMPLE_OBLIGATION)
    assert {i.kind for i in example.items.values()} <= catalog.GENERIC_KINDS
    assert example.only_path is not None  # one path: nothing to choose
    assert {i.kind for i in SMTP_TOML.items.values()} <= catalog.SMTP_KINDS


# --- one truth about progress ----------------------------------------------------------


def test_two_obligations_agree_on_page_share_view_status_and_summary(app, client, db):
    customer, edit, share = two_obligation_customer(app, db, smtp_path="portal")
    cid = customer["id"]
    store.set_item(db, cid, "portal-adopt", "done", "manager:am@peiq.de", {"portal": "p.de"})
    store.set_item(db, cid, "mail-received", "done", "receiver", {"evidence": "received"})
    fill_example(db, cid)  # 2 of 3 steps: 66 %
    expected = ("83", {SMTP_OBLIGATION: "100", EXAMPLE: "66"})  # (100 + 66) // 2
    for url in (f"/c/{edit}", f"/s/{share}", f"/c/{edit}/o/{EXAMPLE}", f"/s/{share}/o/{EXAMPLE}",
                f"/c/{edit}/o/{SMTP_OBLIGATION}"):  # fmt: skip
        text = client.get(url).text
        assert progress_on(text) == expected, url
        assert (
            "Ihre Mitwirkungspflichten" in text
            and "Rechtliche Angaben" in text
            and "SMTP-Postfach" in text
        )
    assert 'data-progress="66"' in client.get(f"/c/{edit}/o/{EXAMPLE}").text
    for prefix, token in (("c", edit), ("s", share)):
        status = client.get(f"/{prefix}/{token}/status.json").get_json()
        assert status["progress"] == 100 and status["overall_progress"] == 83
        assert [(o["id"], o["path"], o["progress"]) for o in status["obligations"]] == [
            (SMTP_OBLIGATION, "portal", 100), (EXAMPLE, "standard", 66),
        ]  # fmt: skip
        assert [(i["id"], i["state"]) for i in status["obligations"][1]["items"]] == [
            ("legal-pages", "done"), ("avv-sent", "done"), ("avv-received", "open"),
        ]  # fmt: skip
        assert status["obligations"][1]["items"][0]["detail"]["values"] == LEGAL_VALUES
    overview.refresh(db, app.extensions["obligations"])
    row = db.execute(
        "SELECT progress, obligations_summary, waiting_for_peiq, completed_at FROM customers"
        " WHERE id = ?", [cid],
    ).fetchone()  # fmt: skip
    assert row[0] == 83 and row[2] == 1 and row[3] is None  # PEIQ's turn: the AVV arrived?
    assert json.loads(row[1]) == [
        {"id": SMTP_OBLIGATION, "path": "portal", "progress": 100},
        {"id": EXAMPLE, "path": "standard", "progress": 66},
    ]


def test_everything_fulfilled_only_when_every_obligation_is(app, client, db):
    customer, edit, share = two_obligation_customer(app, db, smtp_path="portal")
    cid = customer["id"]
    store.set_item(db, cid, "portal-adopt", "done", "manager:am@peiq.de", {"portal": "p.de"})
    store.set_item(db, cid, "mail-received", "done", "receiver", {"evidence": "received"})
    text = client.get(f"/c/{edit}").text
    assert "Geschafft!" in text and 'id="all-done"' not in text  # the SMTP one only
    fill_example(db, cid, confirmed_by_peiq=True)
    for url in (f"/c/{edit}", f"/s/{share}/o/{EXAMPLE}"):
        text = client.get(url).text
        assert progress_on(text) == ("100", {SMTP_OBLIGATION: "100", EXAMPLE: "100"})
        assert 'id="all-done"' in text
    overview.refresh(db, app.extensions["obligations"])
    row = db.execute("SELECT progress, completed_at FROM customers WHERE id = ?", [cid]).fetchone()
    assert row[0] == 100 and row[1]


def test_a_customer_with_one_obligation_sees_no_list(app, client, customers):
    _, edit, _ = customers.create(path="portal")
    assert "Ihre Mitwirkungspflichten" not in client.get(f"/c/{edit}").text
    assert client.get(f"/c/{edit}/o/{EXAMPLE}").status_code == 404  # not hers
    assert client.get(f"/c/{edit}/o/unbekannt").status_code == 404


# --- the generic kinds over HTTP -------------------------------------------------------


def post(client, token, url, data, htmx=True):
    from mitwirkung.checklist import link_csrf_token

    with client.application.app_context():
        csrf = link_csrf_token(token)
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(url, data={"csrf_token": csrf, **data}, headers=headers)


def test_fields_are_judged_per_type_and_what_was_typed_is_kept(app, client, db):
    customer, edit, _ = two_obligation_customer(app, db)
    url = f"/c/{edit}/o/{EXAMPLE}/items/legal-pages"
    bad = {**LEGAL_VALUES, "imprint-url": "www.mueller-verlag.de/impressum",
           "privacy-contact": "datenschutz(at)mueller-verlag.de", "company": "",
           "privacy-url": "ftp://mueller-verlag.de/datenschutz", "language": "Latein"}  # fmt: skip
    answer = post(client, edit, url, bad)
    assert answer.status_code == 422
    text = answer.text
    assert text.count('aria-invalid="true"') == 5
    assert "Bitte füllen Sie dieses Feld aus." in text
    assert text.count("Bitte eine vollständige Webadresse eingeben") == 2
    assert "Bitte eine vollständige E-Mail-Adresse eingeben" in text
    assert "Bitte wählen Sie eine der angebotenen Möglichkeiten." in text
    assert 'value="www.mueller-verlag.de/impressum"' in text  # kept as typed
    assert 'value="datenschutz(at)mueller-verlag.de"' in text
    assert store.item_rows(db, customer["id"], obligation_id=EXAMPLE) == {}  # nothing stored
    answer = post(client, edit, url, {**LEGAL_VALUES, "language": ""})  # optional: may be empty
    assert answer.status_code == 200 and "Gespeichert." in answer.text
    # the same response carries the progress and the list (overall) out of band
    assert 'id="progress" hx-swap-oob="true"' in answer.text and 'data-progress="33"' in answer.text
    assert 'id="obligations"' in answer.text and 'data-overall-progress="16"' in answer.text
    row = store.item_rows(db, customer["id"], obligation_id=EXAMPLE)["legal-pages"]
    assert row["state"] == "done" and row["detail"]["values"]["language"] == ""
    assert row["detail"]["values"]["imprint-url"] == LEGAL_VALUES["imprint-url"]
    # the SMTP obligation's items are untouched by the example's
    assert store.item_rows(db, customer["id"]) == {}


def test_a_number_field_and_a_too_long_text(tmp_path):
    from mitwirkung.kinds import fields

    number = catalog.Field("n", "Zahl", "number")
    assert fields.problem(number, "12,5") is None and fields.problem(number, "12.5") is None
    assert fields.problem(number, "zwölf") == "number" and fields.problem(number, "1e5") == "number"
    short = catalog.Field("t", "Text", "text", max_length=3)
    assert fields.problem(short, "abcd") == "too-long"
    assert fields.problem(short, "a\x00b") == "unprintable"
    assert fields.problem(catalog.Field("u", "URL", "url"), "https://") == "url"
    assert fields.problem(catalog.Field("u", "URL", "url"), "https://[::1") == "url"
    assert fields.problem(catalog.Field("e", "E", "email", required=False), "") is None


def test_manual_confirmation_is_given_and_taken_back(app, client, db):
    customer, edit, _ = two_obligation_customer(app, db)
    url = f"/c/{edit}/o/{EXAMPLE}/items/avv-sent"
    answer = post(client, edit, url, {"done": "1"})
    assert answer.status_code == 200 and "Bestätigt." in answer.text
    assert "Bestätigung zurücknehmen" in answer.text
    rows = store.item_rows(db, customer["id"], obligation_id=EXAMPLE)
    assert rows["avv-sent"]["state"] == "done"
    answer = post(client, edit, url, {"done": "0"})
    assert "Bestätigung zurückgenommen." in answer.text
    assert store.item_rows(db, customer["id"], obligation_id=EXAMPLE)["avv-sent"]["state"] == "open"
    events = [e for e in store.events(db, customer["id"]) if e["kind"] == "item-state"]
    assert [(e["item_id"], e["data"]["state"], e["obligation_id"]) for e in events[:2]] == [
        ("avv-sent", "open", EXAMPLE), ("avv-sent", "done", EXAMPLE),
    ]  # fmt: skip
    # without JavaScript: a redirect back to the item
    answer = post(client, edit, url, {"done": "1"}, htmx=False)
    assert answer.status_code == 303 and answer.location.endswith(f"/o/{EXAMPLE}#item-avv-sent")


def test_the_customer_cannot_do_peiqs_part_nor_write_without_the_links_token(app, client, db):
    customer, edit, share = two_obligation_customer(app, db)
    fill_example(db, customer["id"])
    assert post(client, edit, f"/c/{edit}/o/{EXAMPLE}/items/avv-received", {}).status_code == 404
    answer = client.post(f"/c/{edit}/o/{EXAMPLE}/items/avv-sent", data={"done": "0"})
    assert answer.status_code == 400  # no CSRF token of the link
    assert client.post(f"/s/{share}/o/{EXAMPLE}/items/avv-sent", data={}).status_code in (404, 405)
    rows = store.item_rows(db, customer["id"], obligation_id=EXAMPLE)
    assert rows["avv-sent"]["state"] == "done" and "avv-received" not in rows


def test_peiq_confirms_when_it_is_its_turn_and_the_customer_sees_it(app, client, db, auth):
    customer, edit, share = two_obligation_customer(app, db, smtp_path="portal")
    cid = customer["id"]
    auth.login()
    manage = client.get(f"/manage/customers/{cid}").text
    assert "Weitere Mitwirkungspflichten" in manage
    assert "Bestätigen: PEIQ hat den AVV erhalten" not in manage
    confirm = f"/manage/customers/{cid}/o/{EXAMPLE}/items/avv-received/confirm"
    csrf = auth.customers.csrf(f"/manage/customers/{cid}")
    answer = client.post(confirm, data={"csrf_token": csrf}, follow_redirects=True)
    assert "Das geht erst, wenn die Kund:in alle anderen Schritte erledigt hat." in answer.text
    fill_example(db, cid)
    page = client.get(f"/c/{edit}/o/{EXAMPLE}").text
    assert "Wartet auf PEIQ" in page and "Jetzt ist PEIQ an der Reihe" in page
    assert f'hx-get="/c/{edit}/o/{EXAMPLE}/items/avv-received?rev=' in page  # asks for itself
    overview.refresh(db, app.extensions["obligations"])
    assert db.execute("SELECT waiting_for_peiq FROM customers WHERE id = ?", [cid]).fetchone()[0]
    manage = client.get(f"/manage/customers/{cid}").text
    assert "Bestätigen: PEIQ hat den AVV erhalten" in manage
    queue = client.get("/manage/").text  # "Für PEIQ zu tun" lists PEIQ's confirmation
    assert "Rechtliche Angaben: „PEIQ hat den AVV erhalten“ bestätigen" in queue
    assert "datenschutz@mueller-verlag.de" in manage  # PEIQ sees the values
    answer = client.post(confirm, data={"csrf_token": csrf}, follow_redirects=True)
    assert "Bestätigt. Die Kund:in sieht es auf ihrer Seite" in answer.text
    assert 'data-obligation-progress="rechtliches">100 %' in answer.text
    polled = client.get(f"/c/{edit}/o/{EXAMPLE}/items/avv-received", headers={"HX-Request": "true"})
    assert "PEIQ hat das am" in polled.text and 'data-progress="100"' in polled.text
    assert "Geschafft" in client.get(f"/s/{share}/o/{EXAMPLE}").text
    assert "„PEIQ hat den AVV erhalten“ bestätigen" not in client.get("/manage/").text
    again = client.post(confirm, data={"csrf_token": csrf}, follow_redirects=True)
    assert "Das war schon bestätigt." in again.text
    events = [e for e in store.events(db, cid) if e["item_id"] == "avv-received"]
    assert [(e["actor"], e["data"]["state"]) for e in events] == [("manager:am@peiq.de", "done")]
    # the manager's history names the obligation of each step
    history = client.get(f"/manage/customers/{cid}").text
    assert "Rechtliche Angaben – PEIQ hat den AVV erhalten → Erledigt" in history
    assert (
        "Rechtliche Angaben – AVV von der Kund:in unterschrieben abgeschickt → Erledigt" in history
    )
    csv = client.get(f"/manage/customers/{cid}/history.csv").text
    assert "Rechtliche Angaben – PEIQ hat den AVV erhalten → Erledigt" in csv


def test_the_command_line_gives_a_customer_the_obligations_named(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["customers", "create", "Weser Kurier", "--obligation", EXAMPLE, "--json"]
    )
    assert result.exit_code == 0, result.output
    cid = json.loads(result.output)["id"]
    assert [r["obligation_id"] for r in store.customer_obligations(db, cid)] == [
        SMTP_OBLIGATION, EXAMPLE,
    ]  # fmt: skip
    result = runner.invoke(args=["customers", "create", "Anderer", "--obligation", "gibt-es-nicht"])
    assert result.exit_code != 0
    assert "Unbekannte Mitwirkungspflicht „gibt-es-nicht“" in result.output
    # without --obligation every loaded obligation (manage's tests); the SMTP one alone:
    result = runner.invoke(
        args=["customers", "create", "Nur SMTP", "--obligation", SMTP_OBLIGATION, "--json"]
    )
    cid = json.loads(result.output)["id"]
    assert [r["obligation_id"] for r in store.customer_obligations(db, cid)] == [SMTP_OBLIGATION]


def test_a_new_run_belongs_to_the_smtp_obligation(app, client, db, customers):
    customer, edit, _ = customers.create(path="smtp-own")
    runner = app.extensions["runner"]

    async def check():
        return {"ok": True}

    job = Job(customer_id=customer["id"], kind="probe", settings={}, actor="customer",
              check=check, finish=lambda db, run_id, result: ("done", result))  # fmt: skip
    run_id = runner.submit(db, job)
    assert db.table("runs").get(run_id)["obligation_id"] == SMTP_OBLIGATION
    assert runner.wait(run_id, 10)


def test_an_obligation_with_two_paths_asks_first_and_keeps_each_paths_states(tmp_path):
    two_paths = GENERIC.replace('items = ["a", "f"]', 'items = ["a"]') + (
        '[[paths]]\nid = "q"\ntitle = "Anderer Weg"\nsummary = "Nur die Adresse"\nitems = ["f"]\n'
    )
    (tmp_path / "x.toml").write_text(two_paths)
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "db"), "SECRET_KEY": "s",
                      "ENCRYPTION_KEY": Fernet.generate_key().decode(),
                      "OBLIGATION_FILES": [str(tmp_path / "x.toml")]})  # fmt: skip
    try:
        client, db = app.test_client(), connect(app.config["DATABASE"])
        with app.test_request_context():
            customer, edit, _ = store.create_customer(
                db, "Müller Verlag", None, None, "test",
                obligations=((SMTP_OBLIGATION, None), ("x", None)),
            )  # fmt: skip
        page = client.get(f"/c/{edit}/o/x").text
        assert 'id="path-form"' in page and "data-progress" not in page
        assert 'data-obligation-progress="x">0 %' in page
        refused = post(client, edit, f"/c/{edit}/o/x/path", {"path": "gibt-es-nicht"}, htmx=False)
        assert refused.status_code == 422 and "Bitte wählen Sie einen der Wege." in refused.text
        chosen = post(client, edit, f"/c/{edit}/o/x/path", {"path": "p"}, htmx=False)
        assert chosen.status_code == 303
        assert post(client, edit, f"/c/{edit}/o/x/items/a", {"done": "1"}).status_code == 200
        assert 'data-obligation-progress="x">100 %' in client.get(f"/c/{edit}/o/x").text
        # the other path does not count what was done on this one; back again, it counts
        post(client, edit, f"/c/{edit}/o/x/path", {"path": "q"}, htmx=False)
        assert 'data-obligation-progress="x">0 %' in client.get(f"/c/{edit}/o/x").text
        other = post(client, edit, f"/c/{edit}/o/x/items/a", {"done": "0"})
        assert other.status_code == 409 and other.headers["X-Reason"] == "other-path"
        assert "Sie haben inzwischen einen anderen Weg gewählt" in other.text
        post(client, edit, f"/c/{edit}/o/x/path", {"path": "p"}, htmx=False)
        assert 'data-obligation-progress="x">100 %' in client.get(f"/c/{edit}/o/x").text
        assert store.chosen_path(db, customer["id"], "x") == "p"
        assert store.chosen_path(db, customer["id"], SMTP_OBLIGATION) is None
        db.close()
    finally:
        app.extensions["runner"].shutdown()


# --- every page learns what it did not cause ---------------------------------------------


def watch_url(text: str) -> str:
    found = re.search(r'id="obligations-watch" hx-get="([^"]+)"', text).group(1)
    return found.replace("&amp;", "&")


PAGES = ["/c/{edit}", "/s/{share}", "/c/{edit}/o/rechtliches", "/s/{share}/o/rechtliches",
         "/c/{edit}/o/smtp-postfach"]  # fmt: skip


@pytest.mark.parametrize("page", PAGES)
def test_every_page_learns_of_peiqs_confirmation_of_another_obligation(app, client, db, page):
    customer, edit, share = two_obligation_customer(app, db, smtp_path="portal")
    fill_example(db, customer["id"])
    text = client.get(page.format(edit=edit, share=share)).text
    assert progress_on(text) == ("33", {SMTP_OBLIGATION: "0", EXAMPLE: "66"})
    poll = watch_url(text)
    hx = {"HX-Request": "true"}
    assert client.get(poll, headers=hx).status_code == 204  # nothing changed: nothing sent
    store.set_item(db, customer["id"], "avv-received", "done", "manager:am@peiq.de",
                   {"confirmed_by": "am@peiq.de"}, obligation_id=EXAMPLE)  # fmt: skip
    news = client.get(poll, headers=hx)
    assert news.status_code == 200
    assert progress_on(news.text) == ("50", {SMTP_OBLIGATION: "0", EXAMPLE: "100"})
    assert 'id="obligations" class="obligations"' in news.text and 'hx-swap-oob="true"' in news.text
    if "/o/rechtliches" in page:  # the card and the progress of the page change with it
        assert 'id="item-avv-received"' in news.text and "PEIQ hat das am" in news.text
        assert 'data-progress="100"' in news.text
        # the fields are fixed now: their card shows the values without a form
        assert 'id="item-legal-pages"' in news.text and "Änderungen speichern" not in news.text
    assert client.get(watch_url(news.text), headers=hx).status_code == 204  # learnt the revision


# --- nothing contradicts PEIQ's confirmation -------------------------------------------


@pytest.mark.parametrize(
    "item, data",
    [
        ("avv-sent", {"done": "0"}),
        ("avv-sent", {"done": "1"}),
        ("legal-pages", {**LEGAL_VALUES, "company": "Anderer Verlag GmbH"}),
        ("legal-pages", {**LEGAL_VALUES, "imprint-url": "kaputt"}),
    ],
)
def test_after_peiqs_confirmation_the_customer_cannot_change_what_it_rests_on(
    app, client, db, item, data
):
    customer, edit, share = two_obligation_customer(app, db)
    fill_example(db, customer["id"], confirmed_by_peiq=True)
    before = store.item_rows(db, customer["id"], obligation_id=EXAMPLE)
    page = client.get(f"/c/{edit}/o/{EXAMPLE}").text
    assert "Bestätigung zurücknehmen" not in page and "Änderungen speichern" not in page
    assert "Änderungen sind nur noch über Ihre Ansprechperson bei PEIQ möglich" in page
    answer = post(client, edit, f"/c/{edit}/o/{EXAMPLE}/items/{item}", data)
    assert answer.status_code == 422
    assert "Nicht geändert: PEIQ hat diese Mitwirkungspflicht schon bestätigt" in answer.text
    assert "Bitte prüfen Sie die markierten Felder" not in answer.text
    after = store.item_rows(db, customer["id"], obligation_id=EXAMPLE)
    assert {k: (r["state"], r["detail"]) for k, r in after.items()} == {
        k: (r["state"], r["detail"]) for k, r in before.items()
    }
    overall, each = progress_on(client.get(f"/c/{edit}/o/{EXAMPLE}").text)
    assert each[EXAMPLE] == "100"


# --- the load check refuses what would fail later ---------------------------------------


@pytest.mark.parametrize("kind", sorted(catalog.SMTP_KINDS))
def test_a_new_obligation_cannot_use_the_smtp_obligations_kinds(tmp_path, kind):
    path = tmp_path / "neu.toml"
    path.write_text(GENERIC.replace('kind = "manual"', f'kind = "{kind}"'))
    with pytest.raises(catalog.CatalogError) as e:
        catalog.load(path)
    assert str(path) in str(e.value) and f"kind '{kind}' belongs to the SMTP obligation" in str(
        e.value
    )
    assert "a new obligation can use: fields, manual, peiq-confirm" in str(e.value)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda s: s.replace('confirm = "Ja"', 'confirm = "Ja"\nrequried = false'),
         "item 'a': unknown key(s) 'requried'"),
        (lambda s: s.replace('type = "url"', 'type = "url"\nunknown_key = 1'),
         "item 'f' field[0] 'url': unknown key(s) 'unknown_key'"),
        (lambda s: s.replace('todo = "Todo"', 'todo = "Todo"\ntitel = "X"'),
         "top level: unknown key(s) 'titel'"),
        (lambda s: s.replace('summary = "Zusammenfassung"', 'summary = "Z"\nitem = ["a"]'),
         "paths[0]: unknown key(s) 'item'"),
        (lambda s: s.replace('type = "url"', 'type = "text"\nmax_length = 2001'),
         "'max_length' may be at most 2000"),
        (lambda s: s.replace('kind = "manual"\nconfirm = "Ja"', 'kind = "peiq-confirm"')
         .replace('kind = "fields"', 'kind = "fields"\nrequired = false'),
         "path 'p': needs at least one required item the customer does"),
        (lambda s: s.replace('items = ["a", "f"]', 'items = ["a", "a"]'), "listed twice"),
        (lambda s: s.replace('items = ["a", "f"]', 'items = ["a", "f", "y", "z"]')
         + '[[items]]\nid = "y"\ntitle = "Y"\nkind = "peiq-confirm"\nhelp = "H"\n'
         + '[[items]]\nid = "z"\ntitle = "Z"\nkind = "peiq-confirm"\nhelp = "H"\n',
         "at most one required 'peiq-confirm' item"),
        (lambda s: s.replace('kind = "manual"', 'kind = "Manual"'),
         "unknown kind 'Manual' (a new obligation can use: fields, manual, peiq-confirm)"),
        (lambda s: s.replace('todo = "Todo"', 'todo = "Todo"\nglossary = ["AVV"]'),
         "glossary[0]: must be a table"),
    ],
)  # fmt: skip
def test_typos_and_impossible_declarations_are_refused_at_load(tmp_path, change, message):
    assert_refused_at_load(tmp_path, change, message)


def test_obligation_files_must_be_a_list_and_a_duplicate_id_names_both_files(tmp_path):
    with pytest.raises(catalog.CatalogError, match=r"OBLIGATION_FILES must be a JSON list"):
        catalog.load_all(None, "/tmp/x.toml")
    (tmp_path / "a.toml").write_text(GENERIC)
    (tmp_path / "b.toml").write_text(GENERIC)
    with pytest.raises(catalog.CatalogError) as e:
        catalog.load_all(tmp_path)
    assert str(tmp_path / "a.toml") in str(e.value) and str(tmp_path / "b.toml") in str(e.value)


ACCEPTED = [
    GENERIC,
    GENERIC.replace('type = "url"', 'type = "choice"\nchoices = ["A", "B"]\nrequired = false'),
    GENERIC.replace('type = "url"', 'type = "number"\nmax_length = 2000'),
    GENERIC + '[[paths]]\nid = "q"\ntitle = "Anders"\nsummary = "S"\nitems = ["f"]\n',
    GENERIC.replace('items = ["a", "f"]', 'items = ["a", "f", "z"]')
    + '[[items]]\nid = "z"\ntitle = "Z"\nkind = "peiq-confirm"\nhelp = "H"\nrequired = false\n',
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_every_file_the_load_check_accepts_renders_everywhere(tmp_path, text):
    (tmp_path / "x.toml").write_text(text)
    app = create_app({"DATABASE": str(tmp_path / "db"), "SECRET_KEY": "x", "TESTING": True,
                      "ENCRYPTION_KEY": Fernet.generate_key().decode(),
                      "OBLIGATION_FILES": [str(tmp_path / "x.toml")]})  # fmt: skip
    try:
        rendered_everywhere(app)
    finally:
        app.extensions["runner"].shutdown()


def rendered_everywhere(app):
    db = connect(app.config["DATABASE"])
    with app.test_request_context():
        paths = catalog.starting_paths(app.extensions["obligations"], [SMTP_OBLIGATION, "x"])
        customer, edit, share = store.create_customer(db, "K", "k.de", None, "test",
                                                      obligations=paths)  # fmt: skip
    client = app.test_client()
    for url in (f"/c/{edit}", f"/s/{share}", f"/c/{edit}/o/x", f"/s/{share}/o/x",
                f"/c/{edit}/status.json"):  # fmt: skip
        assert client.get(url).status_code == 200, url
    if len(app.extensions["obligations"].get("x").paths) > 1:
        post(client, edit, f"/c/{edit}/o/x/path", {"path": "q"}, htmx=False)
        assert client.get(f"/c/{edit}/o/x").status_code == 200
    answer = post(client, edit, f"/c/{edit}/o/x/items/f", {"url": "kaputt"})
    assert answer.status_code in (200, 422)
    db.close()


# --- what the customer does (todo) --------------------------------------------------------


def todo_on(text: str) -> str | None:
    found = re.search(r'<p class="todo" id="obligation-todo">([^<]*)</p>', text)
    return found.group(1) if found else None


def test_the_todo_shows_until_a_path_is_chosen_or_while_a_single_path_is_not_complete(
    app, client, db
):
    customer, edit, share = two_obligation_customer(app, db)
    todo = app.extensions["obligations"].get(EXAMPLE).todo
    for url in (f"/c/{edit}/o/{EXAMPLE}", f"/s/{share}/o/{EXAMPLE}"):  # one path: while open
        assert todo_on(client.get(url).text) == todo, url
    fill_example(db, customer["id"])
    news = post(client, edit, f"/c/{edit}/o/{EXAMPLE}/items/avv-sent", {"done": "1"})
    assert todo_on(news.text) == todo  # the progress block carries it out of band
    store.set_item(db, customer["id"], "avv-received", "done", "manager:am@peiq.de",
                   {"confirmed_by": "am@peiq.de"}, obligation_id=EXAMPLE)  # fmt: skip
    for url in (f"/c/{edit}/o/{EXAMPLE}", f"/s/{share}/o/{EXAMPLE}"):
        assert todo_on(client.get(url).text) is None, url


def test_the_todo_of_a_two_path_obligation_goes_once_a_path_is_chosen(tmp_path):
    two_paths = GENERIC + '[[paths]]\nid = "q"\ntitle = "Anders"\nsummary = "S"\nitems = ["f"]\n'
    (tmp_path / "x.toml").write_text(two_paths)
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "db"), "SECRET_KEY": "s",
                      "ENCRYPTION_KEY": Fernet.generate_key().decode(),
                      "OBLIGATION_FILES": [str(tmp_path / "x.toml")]})  # fmt: skip
    try:
        client, db = app.test_client(), connect(app.config["DATABASE"])
        with app.test_request_context():
            _, edit, share = store.create_customer(
                db, "K", None, None, "test", obligations=((SMTP_OBLIGATION, None), ("x", None))
            )
        for url in (f"/c/{edit}/o/x", f"/s/{share}/o/x"):
            assert todo_on(client.get(url).text) == "Todo", url
        post(client, edit, f"/c/{edit}/o/x/path", {"path": "q"}, htmx=False)
        for url in (f"/c/{edit}/o/x", f"/s/{share}/o/x"):
            assert todo_on(client.get(url).text) is None, url
        db.close()
    finally:
        app.extensions["runner"].shutdown()


def test_every_obligation_page_names_the_peiq_contact(app, client, db):
    create_manager(db, "anna@peiq.de", "richtig-geheim", "Anna Manager")
    with app.test_request_context():
        customer, edit, share = store.create_customer(
            db, "K", None, None, "manager:anna@peiq.de",
            obligations=((SMTP_OBLIGATION, None), (EXAMPLE, None)),
        )  # fmt: skip
    for url in (f"/c/{edit}", f"/c/{edit}/o/{EXAMPLE}"):
        text = client.get(url).text
        assert 'id="peiq-contact"' in text and "Anna Manager" in text, url
        assert "mailto:anna@peiq.de" in text, url
    fill_example(db, customer["id"], confirmed_by_peiq=True)
    text = client.get(f"/c/{edit}/o/{EXAMPLE}").text  # the texts that point to the contact
    assert "Änderungen sind nur noch über Anna Manager möglich" in text


@pytest.mark.parametrize("other", [EXAMPLE, "gibt-es-nicht"])
def test_an_obligation_not_agreed_says_so_with_a_link_back(app, client, db, other):
    with app.test_request_context():
        _, edit, share = store.create_customer(db, "K", None, None, "test")  # SMTP only
    for url, back in (
        (f"/c/{edit}/o/{other}", f"/c/{edit}"),
        (f"/s/{share}/o/{other}", f"/s/{share}"),
    ):
        answer = client.get(url)
        assert answer.status_code == 404
        assert "Diese Mitwirkungspflicht ist für Sie nicht vereinbart" in answer.text
        assert "Vielleicht wurde er erneuert" not in answer.text
        assert f'<a href="{back}">Zu Ihren Mitwirkungspflichten</a>' in answer.text


@pytest.mark.parametrize(
    "value, code",
    [
        ('https://a.de/"><script>alert(1)</script>', "url-chars"),
        ("https://a.de/<b>", "url-chars"),
        ("https://a.de/a b", "url-chars"),
        ("https://a.de/{x}|^`\\", "url-chars"),
        ("https://a.de/%zz", "url-chars"),
        ("https://a.de:port/", "url"),
        ("https://user:pass@a.de/", "url-userinfo"),
        ("https://user@a.de/", "url-userinfo"),
        ("https://a.de/impressum?x=1&y=%C3%BC#top", None),
        ("https://www.müller-verlag.de/impressum", None),
        ("https://[2001:db8::1]:8443/impressum", None),
    ],
)
def test_a_url_field_reads_the_address_as_rfc_3986_does(value, code):
    assert fields.problem(catalog.Field("u", "URL", "url"), value) == code


def test_bytes_that_are_not_utf8_are_refused_not_stored_as_escapes(app, client, db):
    customer, edit, _ = two_obligation_customer(app, db)
    with client.application.app_context():
        csrf = link_csrf_token(edit)
    body = "&".join(f"{k}={v}" for k, v in {**LEGAL_VALUES, "csrf_token": csrf}.items()
                    if k != "company") + "&company=%ff%fe"  # fmt: skip
    answer = client.post(f"/c/{edit}/o/{EXAMPLE}/items/legal-pages", data=body.encode(),
                         headers={"HX-Request": "true",
                                  "Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert answer.status_code == 422
    assert "Zeichen, die nicht lesbar übertragen wurden" in answer.text
    assert store.item_rows(db, customer["id"], obligation_id=EXAMPLE) == {}
    # the same field with UTF-8 (%C3%BC = ü) is stored as the letter
    fine = body.replace("%ff%fe", "M%C3%BCller")
    answer = client.post(f"/c/{edit}/o/{EXAMPLE}/items/legal-pages", data=fine.encode(),
                         headers={"HX-Request": "true",
                                  "Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert answer.status_code == 200
    row = store.item_rows(db, customer["id"], obligation_id=EXAMPLE)["legal-pages"]
    assert row["detail"]["values"]["company"] == "Müller"


@pytest.mark.parametrize("side", ["c", "s"])
def test_the_wait_for_peiqs_confirmation_answers_204_while_nothing_changed(app, client, db, side):
    customer, edit, share = two_obligation_customer(app, db)
    fill_example(db, customer["id"])
    token = edit if side == "c" else share
    page = client.get(f"/{side}/{token}/o/{EXAMPLE}").text
    poll = re.search(r'id="item-avv-received"[^>]*hx-get="([^"]+)"', page).group(1)
    poll = poll.replace("&amp;", "&")
    hx = {"HX-Request": "true"}
    for _ in range(2):
        answer = client.get(poll, headers=hx)
        assert answer.status_code == 204 and answer.text == ""
    store.set_item(db, customer["id"], "avv-received", "done", "manager:am@peiq.de",
                   {"confirmed_by": "am@peiq.de"}, obligation_id=EXAMPLE)  # fmt: skip
    answer = client.get(poll, headers=hx)
    assert answer.status_code == 200 and "PEIQ hat das am" in answer.text


def test_the_smtp_page_learns_what_another_tab_or_peiq_did_to_its_obligation(app, client, db):
    customer, edit, _ = two_obligation_customer(app, db, smtp_path="portal")
    hx = {"HX-Request": "true"}
    poll = watch_url(client.get(f"/c/{edit}").text)
    assert "path=portal" in poll
    store.set_item(db, customer["id"], "portal-adopt", "done", "manager:am@peiq.de",
                   {"portal": "portal.mueller-verlag.de"})  # fmt: skip
    news = client.get(poll, headers=hx)
    assert 'id="progress" hx-swap-oob="true"' in news.text and 'data-progress="50"' in news.text
    assert 'id="item-mail-received"' in news.text  # a card without inputs
    assert 'id="workspace"' not in news.text  # nothing typed is replaced
    assert progress_on(news.text) == ("25", {SMTP_OBLIGATION: "50", EXAMPLE: "0"})
    poll = watch_url(news.text)
    store.set_path(db, customer["id"], "smtp-own", "customer")  # another tab chose another path
    news = client.get(poll, headers=hx)
    assert re.search(r'<div id="workspace" hx-swap-oob="true"', news.text)
    assert "path=smtp-own" in watch_url(news.text)


def test_obligation_files_from_the_environment_that_are_not_a_json_list_are_named(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("MITWIRKUNG_OBLIGATION_FILES", "/tmp/x.toml")
    with pytest.raises(SystemExit) as e:
        create_app({"DATABASE": str(tmp_path / "db"), "SECRET_KEY": "x", "ENCRYPTION_KEY": "x"})
    assert "OBLIGATION_FILES='/tmp/x.toml' is not a JSON list" in str(e.value)
    assert """write it as MITWIRKUNG_OBLIGATION_FILES='["/tmp/x.toml"]'""" in str(e.value)
    assert "cannot read" not in str(e.value)
