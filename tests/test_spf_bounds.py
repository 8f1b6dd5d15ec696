"""The SPF walk is no amplifier. It stops at RFC 7208 §4.6.4's limits (10
DNS-querying terms, 2 void lookups) the way receivers do, says so, and one check costs a
small, documented number of queries (a DNS server on loopback counts them)."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from dnsserver import ZoneServer
from dnszones import make_keys, zone_text

from mitwirkung.checks import dmarc, dmarc_repair, spf
from mitwirkung.checks.dns import MailjetExpectation, check_mailjet
from mitwirkung.checks.dns.spf_offer import OWN_TERMS_BOUND
from mitwirkung.checks.spf_tree import QUERY_BOUND

WIDTH = 30  # the tree: 30 includes of 30 includes of 30 "a" terms


def txt(value: str) -> str:
    """A TXT value as character-strings of at most 255 octets (RFC 1035 §3.3.14)."""
    return " ".join(f'"{value[i : i + 200]}"' for i in range(0, len(value), 200))


def tree_zone() -> str:
    """amp.de: WIDTH includes, each of WIDTH includes at a third party, each of WIDTH terms;
    voids.test: a record whose "a" terms all point nowhere."""
    lines = [
        "$ORIGIN amp.de.",
        "@ IN SOA ns1.dns-provider.net. hostmaster.amp.de. 1 3600 600 86400 300",
        "@ IN NS ns1.dns-provider.net.",
        "@ IN TXT "
        + txt("v=spf1 " + " ".join(f"include:i{i}.amp.de" for i in range(WIDTH)) + " ~all"),
    ]
    for i in range(WIDTH):
        terms = " ".join(f"include:j{i}-{j}.third.example" for j in range(WIDTH))
        lines.append(f"i{i} IN TXT {txt(f'v=spf1 {terms} ~all')}")
    lines += [
        "$ORIGIN third.example.",
        "@ IN SOA ns1.third.example. hostmaster.third.example. 1 3600 600 86400 300",
    ]
    for i in range(WIDTH):
        for j in range(WIDTH):
            terms = " ".join(f"a:h{k}.third.example" for k in range(WIDTH))
            lines.append(f"j{i}-{j} IN TXT {txt(f'v=spf1 {terms} ~all')}")
    lines += [
        "$ORIGIN voids.test.",
        "@ IN SOA ns1.dns-provider.net. hostmaster.voids.test. 1 3600 600 86400 300",
        "@ IN TXT " + txt("v=spf1 " + " ".join(f"a:gone{k}.voids.test" for k in range(9))),
        "$ORIGIN wide.test.",
        "@ IN SOA ns1.dns-provider.net. hostmaster.wide.test. 1 3600 600 86400 300",
        "@ IN TXT " + txt("v=spf1 " + " ".join(f"a:w{k}.wide.test" for k in range(300))),
    ]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def server():
    with ZoneServer(zone_text(make_keys(), "mailjet.com.zone") + tree_zone()) as srv:
        yield srv


def run(server, domain):
    server.queries.clear()
    expectation = MailjetExpectation(domain, "mailjet._a1b2c3d4", "a1b2c3d4e5f60718")
    report = asyncio.run(check_mailjet(expectation, nameservers=[server.nameserver], timeout=5))
    spf = next(r for r in report.records if r.item_id == "dns-spf")
    return spf, list(server.queries)


def test_a_wide_deep_tree_costs_a_bounded_number_of_queries(server):
    spf, queries = run(server, "amp.de")
    walked = [q for q in queries if q[0].rstrip(".").endswith(("amp.de", "third.example"))]
    third = [q for q in walked if q[0].rstrip(".").endswith("third.example")]
    assert spf.state == "failed"
    assert "mindestens" in spf.message and "DNS-Abfragen" in spf.message
    assert "höchstens 10" in spf.message
    # the walk below the customer's own record (the third party's names) asks at most
    # QUERY_BOUND names; the record's own 30 includes are each asked once per check (the
    # offer looks for void terms of the record itself)
    assert len(set(third)) <= QUERY_BOUND, third
    assert len({q for q in walked if q[0].startswith("i")}) <= 30
    assert len(queries) <= 3 * QUERY_BOUND + 20  # everything one click costs (documented)


def test_a_wide_record_of_its_own_costs_a_bounded_number_of_queries(server):
    """The proposal step that drops void lookups asks about the record's own terms: bounded
    too (OWN_TERMS_BOUND), not one query per term of a 300-term record."""
    spf, queries = run(server, "wide.test")
    asked = {q[0].rstrip(".") for q in queries if q[0].endswith("wide.test.")}
    assert len(asked) <= 2 * OWN_TERMS_BOUND + QUERY_BOUND, len(asked)
    assert len(queries) <= 3 * QUERY_BOUND + 2 * OWN_TERMS_BOUND + 20
    assert spf.state == "failed"


def test_void_lookups_stop_the_walk_after_the_third(server):
    spf, queries = run(server, "voids.test")
    gone = {q[0].rstrip(".") for q in queries if q[0].startswith("gone")}
    assert spf.state == "failed"
    assert spf.details["void_lookups"] == 3  # the third passes the limit of 2; then it stops
    assert gone <= {f"gone{k}.voids.test" for k in range(9)}  # own terms, each asked once
    assert "höchstens 2" in spf.message


HOSTILE_RECORDS = {
    "dmarc separators": (dmarc.parse, "v=DMARC1; p=none; rua=" + ", " * 20_000),
    "dmarc dotted mailto": (dmarc.parse, "v=DMARC1; p=none; rua=mailto:a@" + "b." * 20_000 + "!"),
    "dmarc dotted address": (dmarc_repair.repair, "v=DMARC1; p=none; rua=a@" + "b." * 20_000 + "!"),
    "spf many terms": (spf.parse, "v=spf1 " + "a " * 20_000 + "~all"),
}


@pytest.mark.parametrize("parse, record", HOSTILE_RECORDS.values(), ids=HOSTILE_RECORDS.keys())
def test_records_of_40_kb_are_read_in_bounded_time(parse, record):
    """Text from the customer's DNS is read in linear time: these took minutes before (a
    regex re-scanning from every position holds the GIL, so the whole worker waits)."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(parse, record).result(timeout=10)  # milliseconds now
