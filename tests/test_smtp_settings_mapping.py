"""SMTP settings have one mapping between their shapes (runs/settings.py): the typed form, the
stored row, the check's input and a run's settings. What one shape says, the next says too,
and what a test mail proves (`key`) reads the row and the run alike."""

import json

import pytest

from mitwirkung import store
from mitwirkung.checks.smtp import SmtpResult, SmtpSettings
from mitwirkung.checks.smtp.oauth import OAuthLogin
from mitwirkung.db import get_db
from mitwirkung.forms import SmtpTestForm
from mitwirkung.runs import settings
from mitwirkung.runs.smtp_test import finish_smtp, save_smtp_settings
from mitwirkung.service import Service, service

TYPED = {
    "host": "mail.kunde.test", "port": "587", "encryption": "tls", "username": "pps@kunde.test",
    "sender": "pps@kunde.test", "recipient": "it@kunde.test", "auth_method": "password",
    "password": "geheim-123",
}  # fmt: skip
TENANT = "11111111-2222-3333-4444-555555555555"
CLIENT = "66666666-7777-8888-9999-000000000000"


def typed_form(app, **changes):
    data = {k: v for k, v in {**TYPED, **changes}.items() if v is not None}
    with app.test_request_context("/", method="POST", data=data):
        form = SmtpTestForm(meta={"csrf": False})
        assert form.validate(), form.errors
        return form, settings.from_form(form)


def test_the_form_becomes_a_row_without_secrets(app):
    _, row = typed_form(app)
    assert row["host"] == "mail.kunde.test" and row["port"] == 587
    assert row["no_login"] == 0 and row["username"] == "pps@kunde.test"
    assert set(row) <= set(settings.FIELDS)  # never the password or the client secret
    assert "geheim-123" not in json.dumps(row)


def test_without_login_the_row_has_no_user_and_the_check_does_not_log_in(app):
    _, row = typed_form(app, no_login="y")
    assert row["no_login"] == 1 and row["username"] == ""
    check = settings.to_check(row, copy_to="pruef-x@pruef.localhost")
    assert check == SmtpSettings("mail.kunde.test", 587, "tls", "", "pps@kunde.test",
                                 "it@kunde.test", login=False,
                                 copy_to="pruef-x@pruef.localhost")  # fmt: skip


@pytest.mark.parametrize("no_login", [None, "y"])
@pytest.mark.parametrize("oauth", [False, True])
def test_row_check_run_and_back_keep_what_a_test_proves(app, no_login, oauth):
    changes = {"no_login": no_login}
    login = None
    if oauth:
        changes.update(auth_method="oauth-m365", oauth_tenant=TENANT, oauth_client=CLIENT,
                       password=None, client_secret="s3cret-value")  # fmt: skip
        login = OAuthLogin(TENANT, CLIENT, "s3cret-value", "https://login.example")
    _, row = typed_form(app, **changes)
    run = settings.to_run(settings.to_check(row), login if not no_login else None)
    assert "s3cret-value" not in json.dumps(run)  # a run keeps the OAuth ids, never the secret
    assert settings.key(run) == settings.key(row)
    back = settings.from_run(run)
    assert settings.key(back) == settings.key(row)
    assert back["no_login"] == row["no_login"]
    values = settings.form_values(run)  # the form shown while this run is running
    assert values["host"] == row["host"] and values["no_login"] == row["no_login"]


def test_what_a_test_proves_changes_with_server_login_and_sender_not_the_recipient(app):
    _, row = typed_form(app)
    assert settings.key({**row, "recipient": "other@kunde.test"}) == settings.key(row)
    for field, value in (("host", "smtp.other.test"), ("port", 465), ("encryption", "ssl"),
                         ("username", "x@kunde.test"), ("sender", "y@kunde.test"),
                         ("no_login", 1), ("auth_method", "oauth-m365")):  # fmt: skip
        assert settings.key({**row, field: value}) != settings.key(row), field


def test_a_passing_trial_is_saved_as_the_row_its_run_tested(app, db):
    """A trial of changed settings (the saved ones are proven) that the server accepted
    replaces the saved row with exactly what its run tested."""
    with app.app_context():
        customer, _, _ = store.create_customer(
            db, "Trial GmbH", "kunde.test", "it@kunde.test", "am"
        )
        _, row = typed_form(app)
        save_smtp_settings(db, customer["id"], row, "customer")
        changed = {**row, "host": "smtp.kunde.test", "port": 465, "encryption": "ssl"}
        tested = {**settings.to_run(settings.to_check(changed)), "trial": True}
        runs = db.table("runs")
        runs.insert({"customer_id": customer["id"], "kind": "smtp", "state": "running",
                     "actor": "customer", "settings": json.dumps(tested),
                     "started_at": "2026-12-07T02:00:00+00:00"})  # fmt: skip
        run_id = runs.last_pk
        result = SmtpResult(True, "ok", "Testmail angenommen", "", "", (), None, 40,
                            "192.0.2.1", "250 2.0.0 OK")  # fmt: skip
        store.set_item(db, customer["id"], "smtp-test-mail", "done", "customer", {})  # proven
        outcome, data = finish_smtp(db, run_id, result)
        assert outcome == "ok" and data["applied"]
        saved = store.get_row(db, "smtp_settings", customer["id"])
        assert settings.key(saved) == settings.key(changed)


def test_the_app_builds_one_service_on_the_requests_connection(app):
    with app.test_request_context("/"):
        svc = service()
        assert isinstance(svc, Service)
        assert svc.db is get_db()  # a run started in a view writes in the view's transaction
        assert svc.runner is app.extensions["runner"]
        assert svc.confirm_url("abc") == "http://mitwirkung.test/bestaetigen/abc"
