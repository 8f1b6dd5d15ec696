import pytest
from werkzeug.datastructures import MultiDict

from mitwirkung.forms import SmtpSettingsForm, normalize_email

GOOD = {
    "host": "smtp.example.de",
    "port": "587",
    "encryption": "tls",
    "username": "versand@example.de",
    "sender": "versand@example.de",
}


def form(app, **changes):
    data = {**GOOD, **changes}
    with app.test_request_context(method="POST", data=data):
        f = SmtpSettingsForm(formdata=MultiDict(data), meta={"csrf": False})
        f.validate()
        return f


def test_good_settings_are_valid(app):
    f = form(app)
    assert not f.errors
    assert f.data["port"] == 587 and f.data["host"] == "smtp.example.de"


@pytest.mark.parametrize(
    "raw, host",
    [
        ("  SMTP.Example.DE. ", "smtp.example.de"),
        ("smtp.example.de:465", "smtp.example.de"),
        ("https://smtp.example.de/", "smtp.example.de"),
        ("mail.müller-verlag.de", "mail.xn--mller-verlag-dlb.de"),
        ("192.0.2.10", "192.0.2.10"),
    ],
)
def test_host_is_normalised(app, raw, host):
    f = form(app, host=raw)
    assert not f.errors
    assert f.host.data == host


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("host", "", "Bitte ausfüllen."),
        ("host", "smtp example de", "Leerzeichen"),
        ("port", "", "Portnummer"),
        ("port", "abc", "Der Port ist eine Zahl"),
        ("port", "0", "zwischen 1 und 65535"),
        ("port", "70000", "zwischen 1 und 65535"),
        ("encryption", "", "SSL, TLS oder keine"),
        ("encryption", "starttls", "SSL, TLS oder keine"),
        ("username", "", "Bitte ausfüllen."),
        ("sender", "versand", "vollständige E-Mail-Adresse"),
        ("sender", "versand@", "vollständige E-Mail-Adresse"),
        ("sender", "versand@localhost", "Endung wie .de"),
    ],
)
def test_bad_input_gets_a_german_message_at_the_field(app, field, value, message):
    f = form(app, **{field: value})
    assert list(f.errors) == [field]
    assert message in " ".join(f.errors[field])
    assert len(f.errors[field]) == 1


def test_other_fields_keep_what_was_typed(client, customers):
    _, edit, _ = customers.create(path="smtp-own")
    response = customers.post(
        f"/c/{edit}/smtp-settings",
        {**GOOD, "port": "abc", "username": "chef@example.de"},
        htmx=True,
        token_from=f"/c/{edit}",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="smtp.example.de"' in html and 'value="chef@example.de"' in html
    assert "Der Port ist eine Zahl" in html
    assert customers.item_state(1, "smtp-settings") == "open"


def test_saving_valid_settings_marks_the_item(app, client, customers, db, kunde_dns):
    app.config.update(DNS_NAMESERVERS=[kunde_dns.nameserver], SMTP_ALLOWED_NETWORKS=["127.0.0.0/8"])
    customer, edit, _ = customers.create(path="smtp-own")
    data = {**GOOD, "host": "mail.kunde.test"}
    response = customers.post(f"/c/{edit}/smtp-settings", data, htmx=True, token_from=f"/c/{edit}")
    assert response.status_code == 200
    assert "Gespeichert." in response.get_data(as_text=True)
    assert customers.item_state(customer["id"], "smtp-settings") == "done"
    row = db.table("smtp_settings").get(customer["id"])
    assert (row["host"], row["port"], row["encryption"]) == ("mail.kunde.test", 587, "tls")


def test_settings_form_is_only_for_its_path(customers):
    _, edit, _ = customers.create(path="portal")
    response = customers.post(f"/c/{edit}/smtp-settings", GOOD, token_from=f"/c/{edit}")
    assert response.status_code == 409  # another path is chosen, the link is fine


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Versand@Example.DE", "Versand@example.de"),
        (" mailto:a@b.de ", "a@b.de"),
        ("info@müller-verlag.de", "info@xn--mller-verlag-dlb.de"),
    ],
)
def test_normalize_email(raw, expected):
    assert normalize_email(raw) == expected
