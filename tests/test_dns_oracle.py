"""SPF lookup counts and DMARC parsing agree with checkdmarc on the same zones."""

import asyncio

import checkdmarc.utils
import dns.nameserver
import pytest
from checkdmarc.dmarc import check_dmarc
from checkdmarc.spf import check_spf
from dnsserver import ZoneServer
from dnszones import make_keys, zone_text

from mitwirkung.checks.dns import MailjetExpectation, check_mailjet


@pytest.fixture(scope="module")
def server():
    with ZoneServer(zone_text(make_keys())) as srv:
        yield srv


def ours(server, domain):
    exp = MailjetExpectation(domain, "mailjet._x", "x")
    report = asyncio.run(check_mailjet(exp, nameservers=[server.nameserver], timeout=3))
    return {r.item_id: r for r in report.records}


def theirs_ns(server):
    checkdmarc.utils.DNS_CACHE.clear()
    return [dns.nameserver.Do53Nameserver("127.0.0.1", server.port)]


@pytest.mark.parametrize(
    "domain", ["good.de", "other-spf.de", "toomany.de", "voids.de", "cname.de"]
)
def test_spf_counts_match_checkdmarc(server, domain):
    oracle = check_spf(domain, nameservers=theirs_ns(server), timeout=2.0)
    spf = ours(server, domain)["dns-spf"]
    if "dns_lookups" in oracle:  # checkdmarc drops the count when it stops at the void limit
        assert spf.details["lookups"] == oracle["dns_lookups"]
    assert spf.details["void_lookups"] == oracle["void_dns_lookups"]


@pytest.mark.parametrize(
    ("domain", "valid"), [("good.de", True), ("other-spf.de", True), ("toomany.de", False)]
)
def test_dmarc_verdict_matches_checkdmarc(server, domain, valid):
    oracle = check_dmarc(domain, nameservers=theirs_ns(server), timeout=2.0)
    dmarc = ours(server, domain)["dns-dmarc"]
    assert oracle["valid"] is valid
    assert (dmarc.state == "done") is valid
    if valid:
        assert dmarc.details["tags"]["p"] == oracle["tags"]["p"]["value"]
