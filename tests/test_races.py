"""Limits that hold under races: 40 parallel requests against each limit, counted in SQLite."""

import pytest
from helpers.web import expect_mailjet, login, parallel, wait_until_done

from mitwirkung import login_limits
from mitwirkung.checklist import link_csrf_token

PARALLEL = 40


def test_parallel_wrong_logins_get_exactly_the_allowed_password_checks(app, auth, db):
    answers = parallel(app, [login("am@peiq.de", "falsch", "198.51.100.1")] * PARALLEL)
    checked = [a for a in answers if a.status_code == 422]
    refused = [a for a in answers if a.status_code == 429]
    assert (len(checked), len(refused)) == (10, PARALLEL - 10)
    assert db.table("login_failures").count == 10  # one row per password check
    assert "Zu viele Fehlversuche" in refused[0].text


def test_wrong_logins_from_elsewhere_do_not_lock_out_a_known_address(app, auth, db):
    home = "198.51.100.1"
    assert parallel(app, [login("am@peiq.de", "richtig-geheim", home)])[0].status_code == 303
    attackers = [login("am@peiq.de", "falsch", f"203.0.113.{i}") for i in range(PARALLEL)]
    answers = parallel(app, attackers)
    assert sum(a.status_code == 422 for a in answers) == 10  # then the account is shut to them
    assert parallel(app, [login("am@peiq.de", "richtig-geheim", home)])[0].status_code == 303
    new_place = parallel(app, [login("am@peiq.de", "richtig-geheim", "192.0.2.99")])[0]
    assert new_place.status_code == 429


def test_one_address_cannot_try_many_accounts(app, auth, db, monkeypatch):
    monkeypatch.setattr(login_limits, "ADDRESS_ATTEMPTS", 15)  # fewer slow password checks
    spray = [login(f"user{i}@peiq.de", "falsch", "203.0.113.5") for i in range(PARALLEL)]
    answers = parallel(app, spray)
    assert sum(a.status_code == 422 for a in answers) == 15
    assert sum(a.status_code == 429 for a in answers) == PARALLEL - 15
    elsewhere = parallel(app, [login("user1@peiq.de", "falsch", "203.0.113.6")])[0]
    assert elsewhere.status_code == 422


@pytest.fixture
def link_customers(app, customers):
    """PARALLEL customers on the mailjet path, each with what Mailjet expects."""
    links = []
    for i in range(PARALLEL):
        customer, edit, _ = customers.create(name=f"Kunde {i}", path="mailjet")
        expect_mailjet(customers.db, customer["id"])
        links.append(edit)
    return links


def test_parallel_dns_checks_from_one_address_keep_its_limit(app, db, kunde_dns, link_customers):
    app.config.update(DNS_NAMESERVERS=[kunde_dns.nameserver], DNS_CHECKS_PER_ADDRESS=7)
    requests = [("POST", f"/c/{edit}/dns-check", {"csrf_token": link_csrf_token_for(app, edit)},
                 "203.0.113.9") for edit in link_customers]  # fmt: skip
    answers = parallel(app, requests)
    wait_until_done(db)
    assert db.table("runs").count_where("kind = 'dns'") == 7
    assert sorted(a.status_code for a in answers) == [200] * 7 + [422] * (PARALLEL - 7)


def test_parallel_smtp_probes_from_one_address_keep_its_limit(app, db, link_customers):
    app.config.update(SMTP_TESTS_PER_ADDRESS=5, SMTP_ALLOWED_PORTS=[1], SMTP_TIMEOUT=1)
    db.execute("UPDATE customers SET path = 'smtp-own'")
    requests = [("POST", f"/c/{edit}/smtp-probe",
                 {"csrf_token": link_csrf_token_for(app, edit), "host": "mail.kunde.test"},
                 "203.0.113.10") for edit in link_customers]  # fmt: skip
    answers = parallel(app, requests)
    wait_until_done(db)
    assert db.table("runs").count_where("kind = 'probe'") == 5
    assert sorted(a.status_code for a in answers) == [200] * 5 + [422] * (PARALLEL - 5)


def link_csrf_token_for(app, edit):
    with app.app_context():
        return link_csrf_token(edit)
