"""The manager side calls an obligation a "Mitwirkungspflicht" and says which one a figure
or a line is about once a customer has several: the overall figure at the top of the
customer page, "Weg" named as the SMTP mailbox's path, attention lines naming the further
obligation, and the CLI's refusal.
"""

import re

from two_obligations import EXAMPLE, fill_example, two_obligation_customer

from mitwirkung import store


def test_the_overall_figure_is_at_the_top_and_names_each_obligation(app, auth, client, db):
    auth.login()
    both, _, _ = two_obligation_customer(app, db, name="Beide", smtp_path="portal")
    fill_example(db, both["id"])
    html = client.get(f"/manage/customers/{both['id']}").text
    top = re.search(r'<p id="overall-progress">(.*?)</p>', html, re.S)
    assert top and "Über alle 2 Mitwirkungspflichten:" in top.group(1)
    text = re.sub(r"<[^>]+>", "", top.group(1))
    assert "33 % erledigt" in text and "SMTP-Postfach 0 %" in text
    assert "Rechtliche Angaben 66 %" in text
    assert html.index('id="overall-progress"') < html.index('id="progress"')  # before any list
    assert "Weitere Mitwirkungspflichten" in html and "Aufgaben" not in html.split("Für PEIQ")[0]


def test_one_obligation_shows_no_overall_line(app, auth, client, customers):
    auth.login()
    customer, _, _ = customers.create()
    html = client.get(f"/manage/customers/{customer['id']}").text
    assert 'id="overall-progress"' not in html


def test_dashboard_names_whose_path_and_which_obligation_waits(app, auth, client, db):
    auth.login()
    both, _, _ = two_obligation_customer(app, db, name="Beide")
    fill_example(db, both["id"])  # the AVV step now waits for PEIQ
    html = client.get("/manage/").text
    assert ">Weg (SMTP-Postfach)</th>" in html and "Weg (SMTP-Postfach)\n" in html
    assert "Rechtliche Angaben – PEIQ hat den AVV erhalten: wartet auf PEIQ" in html
    # a step of the SMTP mailbox keeps its line as before
    store.set_path(db, both["id"], "portal", "customer")
    store.set_item(db, both["id"], "portal-adopt", "open", "customer",
                   {"portal": "p.de", "waiting_for": "manager"})  # fmt: skip
    html = client.get("/manage/").text
    assert re.search(r'<span class="badge[^"]*">[^<–]*: wartet auf PEIQ</span>', html)


def test_cli_names_an_unknown_obligation_as_a_mitwirkungspflicht(app):
    result = app.test_cli_runner().invoke(args=["customers", "create", "X", "--obligation",
                                                "rechtlich"])  # fmt: skip
    assert "Unbekannte Mitwirkungspflicht „rechtlich“; bekannt sind:" in result.output
    assert EXAMPLE in result.output
