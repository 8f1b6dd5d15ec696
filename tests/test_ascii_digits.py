"""Numbers are ASCII digits: Python's isdigit() and int() also take "²" and "٥٠".

"²".isdigit() is True but int("²") raises; int("٥٠") is 50. Receivers and people both read
only 0-9 as a number, so every place that reads a number from outside must refuse the rest.
"""

import pytest

from mitwirkung.checks import dmarc
from mitwirkung.checks.netguard import GuardError, normalize_host

ODD_NUMBERS = ["²", "٥٠", "５０", "1²"]


@pytest.mark.parametrize("value", ODD_NUMBERS)
@pytest.mark.parametrize("tag", ["pct", "ri"])
def test_a_dmarc_number_in_other_digits_is_an_invalid_value(tag, value):
    record = dmarc.parse(f"v=DMARC1; p=none; {tag}={value}")  # must not raise
    # RFC 9989 removed pct= and ri= (a warning, not an error); the value is still not a number
    assert [(f.code, f.params["valid"]) for f in record.faults] == [("dmarc.removed_tag", False)]


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_a_host_port_in_other_digits_is_refused(value):
    with pytest.raises(GuardError):
        normalize_host(f"mail.kunde.test:{value}")


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_dashboard_numbers_in_other_digits_fall_back(auth, client, value):
    auth.login()
    for url in (f"/manage/?seite={value}", f"/manage/?tage={value}",
                f"/manage/export.csv?seite={value}"):  # fmt: skip
        assert client.get(url).status_code in (200, 422), url


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_a_port_in_other_digits_is_named_at_the_field(customers, value):
    _, edit, _ = customers.create(path="smtp-own")
    data = {"host": "mail.kunde.test", "port": value, "encryption": "tls",
            "username": "it@kunde.test", "sender": "it@kunde.test"}  # fmt: skip
    response = customers.post(f"/c/{edit}/smtp-settings", data, token_from=f"/c/{edit}")
    assert response.status_code == 422
    assert "Der Port ist eine Zahl" in response.get_data(as_text=True)
