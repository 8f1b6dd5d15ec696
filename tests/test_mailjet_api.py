"""Mailjet's REST API against a Mailjet on loopback: values, status, errors in German."""

import pytest
from mailjetserver import DKIM_KEY, MailjetApi

from mitwirkung import mailjet
from mitwirkung.mailjet import Account, MailjetError


@pytest.fixture(scope="module")
def api():
    with MailjetApi() as server:
        yield server


@pytest.fixture
def account(api):
    return Account("peiq-key", "peiq-secret", api.url)


def test_fetch_creates_the_domain_sender_and_reads_the_records(api, account):
    api.add_domain("fetch-one.de", token="0123456789abcdef")
    values = mailjet.fetch_domain(account, "fetch-one.de", timeout=5)
    assert ("POST", "/v3/REST/sender", "peiq-key") in api.requests
    assert values.verification_name == "mailjet._01234567.fetch-one.de."
    assert values.verification_value == "0123456789abcdef"
    assert values.dkim_selector == "mailjet"
    assert values.dkim_value == f"k=rsa; p={DKIM_KEY}"
    assert values.sender_id is not None and values.sender_status == "Inactive"
    assert values.spf_status == "Not checked"
    assert values.dns_id == api.domains["fetch-one.de"].dns_id


def test_an_existing_sender_is_fine_and_found_by_its_email(api, account):
    domain = api.add_domain("fetch-twice.de")
    first = mailjet.fetch_domain(account, "fetch-twice.de", timeout=5)
    second = mailjet.fetch_domain(account, "fetch-twice.de", timeout=5)
    assert first.sender_id == second.sender_id == domain.sender_id
    assert ("GET", "/v3/REST/sender", "peiq-key") in api.requests


@pytest.mark.parametrize(
    ("key", "secret", "domain", "code", "words"),
    [
        ("peiq-key", "falsch", "fetch-one.de", "unauthorized", "abgelehnt (401)"),
        ("unbekannt", "peiq-secret", "fetch-one.de", "unauthorized", "Zugangsdaten"),
        ("peiq-key", "peiq-secret", "nicht-bei-mailjet.de", "rejected", "abgelehnt"),
    ],
)
def test_refusals_have_a_code_and_german_words(api, key, secret, domain, code, words):
    with pytest.raises(MailjetError) as caught:
        mailjet.fetch_domain(Account(key, secret, api.url), domain, timeout=5)
    assert caught.value.code == code
    assert words in caught.value.message


def test_a_domain_mailjet_does_not_know_is_404(api, account):
    with pytest.raises(MailjetError) as caught:
        mailjet.ask_to_check(account, "x.de", 999999, None, timeout=5)
    assert caught.value.code == "not_found"
    assert "kennt diese Domain" in caught.value.message


def test_a_hanging_mailjet_is_a_timeout():
    with MailjetApi() as slow:
        slow.hang.set()
        with pytest.raises(MailjetError) as caught:
            mailjet.fetch_domain(Account("peiq-key", "peiq-secret", slow.url), "a.de", timeout=0.3)
    assert caught.value.code == "timeout"
    assert "Ihre Eingaben sind erhalten" in caught.value.message


def test_a_closed_port_is_unreachable():
    with MailjetApi() as gone:
        url = gone.url
    with pytest.raises(MailjetError) as caught:
        mailjet.fetch_domain(Account("k", "s", url), "a.de", timeout=2)
    assert caught.value.code == "unreachable"


def test_check_reports_what_mailjet_saw_and_validates_by_sender_id(api, account):
    domain = api.add_domain("check-me.de", token="feedfacecafebeef")
    values = mailjet.fetch_domain(account, "check-me.de", timeout=5)
    ids = (values.dns_id, values.sender_id)
    before = mailjet.ask_to_check(account, "check-me.de", *ids, timeout=5)
    assert (before.spf_status, before.dkim_status, before.sender_status) == (
        "Error", "Error", "Inactive",
    )  # fmt: skip
    assert before.validate_error == "Mailjet findet den Bestätigungs-Eintrag (TXT) im DNS nicht"
    domain.published = {"spf": ["v=spf1 include:spf.mailjet.com -all"],
                        "dkim": f"k=rsa; p={DKIM_KEY}", "token": domain.token}  # fmt: skip
    after = mailjet.ask_to_check(account, "check-me.de", *ids, timeout=5)
    assert (after.spf_status, after.dkim_status, after.sender_status) == ("OK", "OK", "Active")
    assert after.spf_found == ("v=spf1 include:spf.mailjet.com -all",)
    assert f"/v3/REST/sender/{values.sender_id}/validate" in {p for _, p, _ in api.requests}
    again = mailjet.ask_to_check(account, "check-me.de", *ids, timeout=5)
    assert again.sender_status == "Active" and again.validate_error == ""  # "already active"


@pytest.mark.parametrize(
    ("entry", "found"),
    [
        ({"SPFRecordsCurrentValues": ["v=spf1 a -all", "v=spf1 mx -all"]},
         ("v=spf1 a -all", "v=spf1 mx -all")),
        ({"SPFRecordCurrentValue": "v=spf1 include:spf.mailjet.com ~all"},
         ("v=spf1 include:spf.mailjet.com ~all",)),
        ({"SPFRecordsCurrentValues": []}, ()),
        ({"SPFRecordCurrentValue": ""}, ()),
    ],
)  # fmt: skip
def test_both_names_of_the_spf_field_are_read(entry, found):
    assert mailjet.spf_current(entry) == found


@pytest.mark.parametrize(
    ("name", "selector"),
    [("mailjet._domainkey.a.de.", "mailjet"), ("mj2._domainkey.a.de", "mj2"), ("", "mailjet")],
)
def test_the_dkim_selector_comes_from_the_record_name(name, selector):
    values = mailjet.DomainValues("a.de", 1, 2, "", "n", "v", name, "", "", "", "")
    assert values.dkim_selector == selector


@pytest.mark.parametrize("bare", [True, False])
def test_validate_answered_without_data_is_success(api, account, bare):
    """Mailjet's documented validate answer, with and without the Data envelope."""
    domain = api.add_domain(f"bare-{bare}.de".lower(), token="beefbeefbeefbeef")
    values = mailjet.fetch_domain(account, domain.name, timeout=5)
    domain.published = {"spf": ["v=spf1 include:spf.mailjet.com -all"],
                        "dkim": f"k=rsa; p={DKIM_KEY}", "token": domain.token}  # fmt: skip
    api.validate_bare = bare
    try:
        after = mailjet.ask_to_check(account, domain.name, values.dns_id, values.sender_id,
                                     timeout=5)  # fmt: skip
    finally:
        api.validate_bare = False
    assert after.validate_error == "" and after.sender_status == "Active"


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ({"Errors": {}, "ValidationMethod": "DNS", "GlobalError": ""}, ""),
        ({"Errors": {"FileValidationError": "no file"}, "ValidationMethod": "DNS",
          "GlobalError": ""}, ""),  # the method not used may still complain
        ({"Errors": {"DNSValidationError": "no TXT"}, "ValidationMethod": "",
          "GlobalError": "Neither ..."}, "Mailjet findet den Bestätigungs-Eintrag (TXT)"),
        ({"Errors": {}, "ValidationMethod": "", "GlobalError": "Sender blocked"},
         "Sender blocked"),
    ],
)  # fmt: skip
def test_validate_answers_as_mailjet_documents_them(answer, problem):
    found = mailjet.validate_problem(answer)
    assert found.startswith(problem) and bool(found) == bool(problem)


def test_a_domain_unknown_after_creating_its_sender_leaves_no_sender_behind(api, account):
    domain = api.add_domain("anderes-konto.de")
    domain.dns_missing = True  # Mailjet takes the sender, then does not know the domain's DNS
    with pytest.raises(MailjetError) as caught:
        mailjet.fetch_domain(account, "anderes-konto.de", timeout=5)
    assert caught.value.code == "not_found"
    assert domain.sender_id is None  # deleted again
    assert ("DELETE", f"/v3/REST/sender/{5000 + domain.dns_id}", "peiq-key") in api.requests


def test_a_sender_that_existed_before_is_never_deleted(api, account):
    domain = api.add_domain("schon-da.de")
    mailjet.fetch_domain(account, "schon-da.de", timeout=5)
    existing = domain.sender_id
    domain.dns_missing = True
    with pytest.raises(MailjetError):
        mailjet.fetch_domain(account, "schon-da.de", timeout=5)
    assert domain.sender_id == existing


def test_an_odd_check_answer_keeps_the_values_and_says_so(api, account):
    """Not "Tragen Sie die Werte von Hand ein": the values stand, only this answer failed."""
    with MailjetApi() as odd:
        domain = odd.add_domain("odd.de")
        acct = Account("peiq-key", "peiq-secret", odd.url)
        values = mailjet.fetch_domain(acct, "odd.de", timeout=5)
        odd.route = lambda *a: (200, {"Count": 0, "Data": [], "Total": 0})
        with pytest.raises(MailjetError) as caught:
            mailjet.ask_to_check(acct, "odd.de", values.dns_id, domain.sender_id, timeout=5)
    assert caught.value.code == "bad_check_answer"
    assert "von Hand" not in caught.value.message and "gelten weiter" in caught.value.message
