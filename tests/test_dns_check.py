"""The live DNS check against a real DNS server on loopback serving tests/zones."""

import asyncio
import time

import pytest
from dnsserver import ZoneServer
from dnszones import IDN, make_keys, zone_text

from mitwirkung.checks.dns import DnsReport, MailjetExpectation, check_mailjet, normalize_domain

VERIFY_NAME, VERIFY_VALUE = "mailjet._a1b2c3d4", "a1b2c3d4e5f60718"


@pytest.fixture(scope="module")
def keys():
    return make_keys()


@pytest.fixture(scope="module")
def server(keys):
    with ZoneServer(
        zone_text(keys), servfail=["flaky.de"], truncate=["mailjet._domainkey.good.de"]
    ) as srv:
        yield srv


def check(server, domain, timeout=3.0, **kwargs) -> DnsReport:
    """Run the whole check for domain against the test server."""
    exp = MailjetExpectation(domain, VERIFY_NAME, VERIFY_VALUE, **kwargs)
    return asyncio.run(check_mailjet(exp, nameservers=[server.nameserver], timeout=timeout))


def record(report: DnsReport, item_id: str):
    return next(r for r in report.records if r.item_id == item_id)


def test_correct_domain_is_all_done(server):
    report = check(server, "good.de")
    assert [r.state for r in report.records] == ["done"] * 4
    assert report.nameservers == ("ns1.dns-provider.net", "ns2.dns-provider.net")
    assert not report.dns_unavailable
    spf = record(report, "dns-spf")
    assert (spf.host, spf.fqdn, spf.rtype) == ("@", "good.de", "TXT")
    assert spf.details["lookups"] == 5


def test_truncated_dkim_answer_is_fetched_over_tcp(server):
    dkim = record(check(server, "good.de"), "dns-dkim")
    assert dkim.state == "done"
    assert dkim.details["strings"] == 4  # several character-strings joined into one key
    assert "2048" in dkim.message


def test_dkim_with_matching_expected_key(server, keys):
    spaced = "p=" + " ".join(keys.rsa2048[i : i + 64] for i in range(0, len(keys.rsa2048), 64))
    assert record(check(server, "good.de", dkim_key=f'"{spaced}"'), "dns-dkim").state == "done"


def test_dkim_key_mismatch_fails(server, keys):
    dkim = record(check(server, "good.de", dkim_key=keys.rsa1024), "dns-dkim")
    assert dkim.state == "failed"
    assert "anderer DKIM-Schlüssel" in dkim.message
    assert keys.rsa1024 in dkim.fix


def test_nothing_published(server):
    report = check(server, "empty.de")
    states = {r.item_id: r.state for r in report.records}
    assert states == {
        "dns-verification": "failed",
        "dns-spf": "failed",
        "dns-dkim": "failed",
        "dns-dmarc": "warning",
    }
    spf = record(report, "dns-spf")
    assert spf.expected == "v=spf1 include:spf.mailjet.com ~all"
    for rec in report.records:
        assert "ns1.other-dns.example" in rec.fix  # names the authoritative provider
        assert "prüft dann von selbst erneut" in rec.fix  # propagation
    assert "mailjet._domainkey.empty.de" in record(report, "dns-dkim").message
    assert record(report, "dns-dmarc").expected == "v=DMARC1; p=none; rua=mailto:dmarc@empty.de"


def test_spf_without_mailjet_offers_merged_record(server):
    report = check(server, "other-spf.de")
    spf = record(report, "dns-spf")
    assert spf.state == "failed"
    assert spf.expected == "v=spf1 mx include:_spf.other-spf.de include:spf.mailjet.com -all"
    assert "erlaubt Mailjet noch nicht" in spf.message
    assert spf.expected in spf.fix and "5 von 10" in spf.fix
    assert spf.details["merged_lookups"] == 5


def test_quoted_verification_value_is_tolerated(server):
    assert record(check(server, "other-spf.de"), "dns-verification").state == "done"


def test_rsa_1024_is_a_warning_and_512_fails(server):
    assert record(check(server, "other-spf.de"), "dns-dkim").state == "warning"
    weak = record(check(server, "two-spf.de"), "dns-dkim")
    assert weak.state == "failed" and "512 Bit" in weak.message


def test_two_spf_records_fail_with_merge(server):
    spf = record(check(server, "two-spf.de"), "dns-spf")
    assert spf.state == "failed"
    assert "2 SPF-Einträge" in spf.message
    assert spf.expected == "v=spf1 a include:spf.mailjet.com ~all"
    assert spf.expected in spf.fix


def test_two_dmarc_records_warn(server):
    dmarc = record(check(server, "two-spf.de"), "dns-dmarc")
    assert dmarc.state == "warning" and "2 DMARC-Einträge" in dmarc.message


def test_too_many_lookups_names_costliest_include(server):
    spf = record(check(server, "toomany.de"), "dns-spf")
    assert spf.state == "failed"
    assert "12 DNS-Abfragen" in spf.message
    assert "include:_many.toomany.de" in spf.message
    assert spf.details["heaviest_include"] == "_many.toomany.de"


def test_ed25519_key_is_done(server):
    dkim = record(check(server, "toomany.de"), "dns-dkim")
    assert dkim.state == "done" and "Ed25519" in dkim.message


def test_invalid_dmarc_warns_never_fails(server):
    dmarc = record(check(server, "toomany.de"), "dns-dmarc")
    assert dmarc.state == "warning"
    assert "p=maybe" in dmarc.message


def test_void_lookups_are_named(server):
    spf = record(check(server, "voids.de"), "dns-spf")
    assert spf.state == "failed"
    assert spf.details["void_lookups"] == 3
    for term in ("a:gone1.voids.de", "a:gone2.voids.de", "mx:nomx.voids.de"):
        assert term in spf.message


def test_revoked_dkim_key_fails(server):
    dkim = record(check(server, "voids.de"), "dns-dkim")
    assert dkim.state == "failed" and "zurückgezogen" in dkim.message + dkim.fix


@pytest.mark.parametrize(
    ("domain", "needle"), [("plusall.de", "+all"), ("qall.de", "?all"), ("noall.de", "fehlt")]
)
def test_all_term_warnings(server, domain, needle):
    spf = record(check(server, domain), "dns-spf")
    assert spf.state == "warning"
    assert needle in spf.message


def test_truncated_key_fails(server):
    dkim = record(check(server, "plusall.de"), "dns-dkim")
    assert dkim.state == "failed" and "Schlüssel abgeschnitten" in dkim.message


def test_doubled_names_are_found_and_named(server):
    report = check(server, "doubled.de")
    dkim = record(report, "dns-dkim")
    assert dkim.state == "failed"
    assert "mailjet._domainkey.doubled.de.doubled.de" in dkim.message
    assert "richtig ist als Host nur `mailjet._domainkey`" in dkim.fix
    assert "mailjet._a1b2c3d4.doubled.de.doubled.de" in record(report, "dns-verification").message
    assert "doubled.de.doubled.de" in record(report, "dns-spf").message
    assert record(report, "dns-dmarc").state == "warning"


def test_literal_quotes_are_named(server):
    report = check(server, "quoted.de")
    assert record(report, "dns-spf").state == "failed"
    for item in ("dns-spf", "dns-dkim", "dns-dmarc"):
        assert "Anführungszeichen" in record(report, item).message


def test_cname_instead_of_txt_is_explained(server):
    report = check(server, "cname.de")
    verification = record(report, "dns-verification")
    assert verification.state == "failed"
    assert "CNAME" in verification.message and "TXT" in verification.message
    spf = record(check(server, "news.cname.de"), "dns-spf")
    assert spf.state == "failed" and "CNAME" in spf.message


def test_dkim_through_cname_is_fine(server):
    dkim = record(check(server, "cname.de"), "dns-dkim")
    assert dkim.state == "done"
    assert dkim.details["cname"] == "hosted.dkim.mailjet.com"


def test_idn_domain(server):
    domain = normalize_domain("Müller-Verlag.de")
    assert domain == IDN
    report = check(server, "müller-verlag.de")
    assert report.domain == IDN
    assert record(report, "dns-spf").state == "done"
    assert "müller-verlag.de" in record(report, "dns-dmarc").fix


def test_servfail_is_unavailable_not_missing(server):
    report = check(server, "flaky.de")
    spf = record(report, "dns-spf")
    assert spf.state == "warning"
    assert "antwortet gerade nicht" in spf.message and "fehlt" not in spf.message.split(".")[0]
    assert report.dns_unavailable
    assert record(report, "dns-verification").state == "done"


def test_silent_server_returns_within_timeout(keys):
    with ZoneServer(zone_text(keys), drop=["good.de", "mailjet._domainkey.good.de"]) as srv:
        started = time.monotonic()
        report = check(srv, "good.de", timeout=1.0)
        elapsed = time.monotonic() - started
    assert elapsed < 1.6
    assert report.dns_unavailable
    assert record(report, "dns-spf").state == "warning"
    assert record(report, "dns-dkim").state == "warning"
    assert "antwortet gerade nicht" in record(report, "dns-dkim").message
    assert record(report, "dns-verification").state == "done"


def test_each_query_is_asked_once(keys):
    with ZoneServer(zone_text(keys)) as srv:
        check(srv, "good.de")
        assert len(srv.queries) == len(set(srv.queries))
