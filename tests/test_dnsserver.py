"""The test DNS server answers like a real authoritative server."""

import time

import dns.exception
import dns.flags
import dns.message
import dns.nameserver
import dns.query
import dns.rcode
import dns.rdatatype
import dns.resolver
import pytest
from dnsserver import ZoneServer

ZONE = """
$ORIGIN example.test.
$TTL 300
@           IN SOA ns1.example.test. hostmaster.example.test. 1 3600 600 86400 300
@           IN NS  ns1.example.test.
@           IN TXT "v=spf1 " "include:spf.other.test ~all"
@           IN MX  10 mail.example.test.
mail        IN A   192.0.2.25
alias       IN CNAME mail.example.test.
chain       IN CNAME alias.example.test.
dangling    IN CNAME nowhere.example.test.
outside     IN CNAME target.elsewhere.invalid.
a.b.deep    IN TXT "deep"
Big         IN TXT "{big}" "{big}" "{big}" "{big}"
sick        IN TXT "never seen"
silent      IN TXT "never seen"
$ORIGIN other.test.
@           IN SOA ns1.other.test. hostmaster.other.test. 1 3600 600 86400 300
spf         IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
""".replace("{big}", "x" * 250)


@pytest.fixture(scope="module")
def server():
    with ZoneServer(
        ZONE,
        servfail=["sick.example.test."],
        drop=["silent.example.test"],
        truncate=["BIG.example.test."],
    ) as srv:
        yield srv


def ask(server, name, rdtype, *, tcp=False, timeout=2.0):
    """Send one query to the server and return the response message."""
    query = dns.message.make_query(name, rdtype)
    if tcp:
        return dns.query.tcp(query, "127.0.0.1", port=server.port, timeout=timeout)
    return dns.query.udp(query, "127.0.0.1", port=server.port, timeout=timeout)


def test_exact_match_is_authoritative_answer(server):
    response = ask(server, "mail.example.test", "A")
    assert response.rcode() == dns.rcode.NOERROR
    assert response.flags & dns.flags.AA
    assert [rr.to_text() for rrset in response.answer for rr in rrset] == ["192.0.2.25"]


def test_names_are_case_insensitive(server):
    response = ask(server, "MAIL.Example.TEST", "A")
    assert response.answer


def test_multi_string_txt_keeps_its_strings(server):
    response = ask(server, "example.test", "TXT")
    (rdata,) = [rr for rrset in response.answer for rr in rrset]
    assert rdata.strings == (b"v=spf1 ", b"include:spf.other.test ~all")


def test_existing_name_without_type_is_nodata_with_soa(server):
    response = ask(server, "mail.example.test", "TXT")
    assert response.rcode() == dns.rcode.NOERROR
    assert response.answer == []
    assert response.authority[0].rdtype == dns.rdatatype.SOA


def test_empty_non_terminal_is_nodata(server):
    response = ask(server, "b.deep.example.test", "TXT")
    assert response.rcode() == dns.rcode.NOERROR
    assert response.answer == []


def test_missing_name_is_nxdomain_with_soa(server):
    response = ask(server, "nothing.example.test", "TXT")
    assert response.rcode() == dns.rcode.NXDOMAIN
    assert response.authority[0].rdtype == dns.rdatatype.SOA


def test_cname_is_followed_inside_the_zone(server):
    response = ask(server, "chain.example.test", "A")
    types = [rrset.rdtype for rrset in response.answer]
    assert types == [dns.rdatatype.CNAME, dns.rdatatype.CNAME, dns.rdatatype.A]


def test_cname_asked_directly_is_not_followed(server):
    response = ask(server, "alias.example.test", "CNAME")
    assert [rrset.rdtype for rrset in response.answer] == [dns.rdatatype.CNAME]


def test_dangling_cname_is_nxdomain(server):
    response = ask(server, "dangling.example.test", "TXT")
    assert response.rcode() == dns.rcode.NXDOMAIN
    assert response.answer[0].rdtype == dns.rdatatype.CNAME


def test_cname_out_of_zone_is_answered_alone(server):
    response = ask(server, "outside.example.test", "TXT")
    assert response.rcode() == dns.rcode.NOERROR
    assert [rrset.rdtype for rrset in response.answer] == [dns.rdatatype.CNAME]


def test_second_zone_in_the_same_text(server):
    response = ask(server, "spf.other.test", "TXT")
    assert response.answer
    assert ask(server, "x.other.test", "TXT").rcode() == dns.rcode.NXDOMAIN


def test_outside_all_zones_is_refused(server):
    assert ask(server, "example.org", "A").rcode() == dns.rcode.REFUSED


def test_servfail_injection(server):
    assert ask(server, "sick.example.test", "TXT").rcode() == dns.rcode.SERVFAIL


def test_dropped_name_times_out(server):
    started = time.monotonic()
    with pytest.raises(dns.exception.Timeout):
        ask(server, "silent.example.test", "TXT", timeout=0.3)
    assert time.monotonic() - started < 2


def test_truncated_over_udp_full_over_tcp(server):
    udp = ask(server, "big.example.test", "TXT")
    assert udp.flags & dns.flags.TC
    assert udp.answer == []
    tcp = ask(server, "big.example.test", "TXT", tcp=True)
    (rdata,) = [rr for rrset in tcp.answer for rr in rrset]
    assert len(rdata.strings) == 4


def test_resolver_falls_back_to_tcp(server):
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [dns.nameserver.Do53Nameserver("127.0.0.1", server.port)]
    answer = resolver.resolve("big.example.test", "TXT", lifetime=3)
    assert len(answer[0].strings) == 4


def test_queries_are_logged_and_nameserver_is_set(server):
    ask(server, "mail.example.test", "MX")
    assert ("mail.example.test.", "MX") in server.queries
    assert server.nameserver == f"127.0.0.1:{server.port}"


def test_delay_slows_each_answer():
    with ZoneServer(ZONE, delay=0.2) as srv:
        started = time.monotonic()
        ask(srv, "mail.example.test", "A")
        assert time.monotonic() - started >= 0.2


def test_tcp_and_udp_share_the_port_and_stop_releases_it():
    srv = ZoneServer(ZONE).start()
    port = srv.port
    assert ask(srv, "mail.example.test", "A", tcp=True).answer
    srv.stop()
    with pytest.raises((dns.exception.Timeout, ConnectionError, OSError)):
        dns.query.tcp(
            dns.message.make_query("mail.example.test", "A"), "127.0.0.1", port=port, timeout=0.5
        )


WILD = """
$ORIGIN wild.test.
$TTL 300
@           IN SOA ns1.wild.test. hostmaster.wild.test. 1 3600 600 86400 300
*           IN A   192.0.2.10
mail        IN A   192.0.2.25
_domainkey  IN TXT "marker"
"""


@pytest.fixture(scope="module")
def wild():
    with ZoneServer(WILD) as srv:
        yield srv


def test_wildcard_answers_for_a_name_that_does_not_exist(wild):
    response = ask(wild, "anything.wild.test", "A")
    assert response.rcode() == dns.rcode.NOERROR
    (rrset,) = response.answer
    assert rrset.name.to_text() == "anything.wild.test."
    assert [rr.to_text() for rr in rrset] == ["192.0.2.10"]
    assert ask(wild, "deeper.anything.wild.test", "A").answer  # closest encloser: wild.test


def test_wildcard_name_without_the_type_is_nodata(wild):
    response = ask(wild, "anything.wild.test", "TXT")
    assert response.rcode() == dns.rcode.NOERROR
    assert response.answer == []


def test_wildcard_does_not_cover_existing_names_or_other_encloser(wild):
    assert [rr.to_text() for s in ask(wild, "mail.wild.test", "A").answer for rr in s] == [
        "192.0.2.25"
    ]
    assert ask(wild, "mail.wild.test", "TXT").answer == []  # exists: no wildcard (RFC 4592)
    # closest encloser _domainkey.wild.test has no wildcard of its own
    assert ask(wild, "sel._domainkey.wild.test", "A").rcode() == dns.rcode.NXDOMAIN
