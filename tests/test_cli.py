import json

from mitwirkung import store


def test_managers_create(app, db):
    runner = app.test_cli_runner()
    strong = "Kaffee-Regen-Tasse-7"
    result = runner.invoke(args=["managers", "create", "AM@peiq.de", "--password", strong])
    assert result.exit_code == 0, result.output
    row = next(db.table("managers").rows)
    assert row["email"] == "am@peiq.de" and strong not in row["password_hash"]
    again = runner.invoke(args=["managers", "create", "am@peiq.de", "--password", strong])
    assert again.exit_code != 0 and "gibt es schon" in again.output


def test_managers_create_rejects_short_passwords(app):
    result = app.test_cli_runner().invoke(args=["managers", "create", "a@b.de", "--password", "x"])
    assert result.exit_code != 0


def test_customers_create_prints_two_links(app, client):
    result = app.test_cli_runner().invoke(args=["customers", "create", "Müller Verlag"])
    assert result.exit_code == 0, result.output
    edit_url, share_url = result.output.split()
    assert edit_url.startswith("http://mitwirkung.test/c/")
    assert share_url.startswith("http://mitwirkung.test/s/")
    assert client.get(edit_url.removeprefix("http://mitwirkung.test")).status_code == 200
    assert client.get(share_url.removeprefix("http://mitwirkung.test")).status_code == 200


def test_customers_create_json(app, db):
    result = app.test_cli_runner().invoke(
        args=[
            "customers",
            "create",
            "Müller Verlag",
            "--domain",
            "Müller-Verlag.de",
            "--contact",
            "it@mueller.de",
            "--json",
        ]  # fmt: skip
    )
    data = json.loads(result.output)
    assert set(data) == {"id", "name", "edit_url", "share_url", "obligations"}
    assert data["name"] == "Müller Verlag"
    assert data["obligations"] == ["smtp-postfach", "rechtliches"]  # every loaded obligation
    row = store.get_customer(db, data["id"])
    assert row["domain"] == "xn--mller-verlag-dlb.de" and row["contact_email"] == "it@mueller.de"


def test_customers_create_rejects_a_bad_domain(app, db):
    result = app.test_cli_runner().invoke(args=["customers", "create", "X", "--domain", "a b"])
    assert result.exit_code != 0
    assert db.table("customers").count == 0


def test_seed_fills_an_empty_database_and_prints_the_login(app, db, capsys):
    from mitwirkung.seed import DEMO_EMAIL, seed

    with app.app_context():
        seed()
        seed()  # a second start seeds nothing more
    out = capsys.readouterr().out
    assert out.count(f"Anmeldung /manage/: {DEMO_EMAIL} / ") == 2
    assert "http://mitwirkung.test/c/" in out and "http://mitwirkung.test/s/" in out
    assert db.table("managers").count == 1 and db.table("customers").count == 1
