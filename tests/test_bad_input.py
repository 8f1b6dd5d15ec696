"""No input ever produces a 500: odd values in every form field get a German answer."""

import pytest

ODD = [
    "",
    " ",
    "\x00",
    "ä" * 400,
    "<script>alert(1)</script>",
    "smtp.example.de:99999",
    "https://user:pw@[::1]:25/x?y#z",
    "..",
    "-1",
    "1e309",
    "99999999999999999999999",
    "xn--",
    "a@b@c",
    "💥.de",
    "'; DROP TABLE customers; --",
]

CUSTOMER_FORMS = {
    "smtp-settings": ["host", "port", "encryption", "username", "sender"],
    "smtp-test": ["host", "port", "encryption", "username", "sender", "recipient", "password"],
    "smtp-probe": ["host"],
    "password": ["password"],
    "password-other-channel": ["confirm"],
    "path": ["path"],
}


@pytest.mark.parametrize("value", ODD)
@pytest.mark.parametrize("htmx", [True, False])
def test_customer_forms_never_fail_with_500(app, customers, value, htmx):
    app.config["SMTP_TESTS_PER_ADDRESS"] = 1000
    app.config["SMTP_TESTS_PER_CUSTOMER"] = 1000
    app.config["SMTP_TIMEOUT"] = 1
    app.config["SMTP_ALLOWED_PORTS"] = [1]  # refused before any lookup or connection
    app.config["DNS_NAMESERVERS"] = ["127.0.0.1:9"]
    _, edit, _ = customers.create(path="smtp-own")
    for form, fields in CUSTOMER_FORMS.items():
        for field in fields:
            data = {"host": "smtp.example.de", "port": "587", "encryption": "tls",
                    "username": "u@example.de", "sender": "u@example.de",
                    "recipient": "r@example.de", field: value}  # fmt: skip
            response = customers.post(f"/c/{edit}/{form}", data, htmx=htmx, token_from=f"/c/{edit}")
            assert response.status_code < 500, (form, field, value, response.text[:300])
            if form == "path":  # put the path back for the next fields
                customers.post(f"/c/{edit}/path", {"path": "smtp-own"}, token_from=f"/c/{edit}")


@pytest.mark.parametrize("value", ODD)
def test_manager_forms_never_fail_with_500(app, customers, auth, value):
    auth.login()
    customer, edit, _ = customers.create(path="mailjet")
    fields = {"domain": "good.de", "verification_name": "mailjet._a1", "verification_value": "v",
              "dkim_selector": "mailjet", "dkim_key": ""}  # fmt: skip
    for field in fields:
        response = customers.post(f"/manage/customers/{customer['id']}/mailjet",
                                  {**fields, field: value})  # fmt: skip
        assert response.status_code < 500, (field, value)
        assert customers.client.get(f"/c/{edit}").status_code == 200, (field, value)
    for field in ("name", "domain", "contact"):
        response = customers.post("/manage/customers", {"name": "X", field: value})
        assert response.status_code < 500, (field, value)
