"""The whole DNS check (`check_mailjet`) against a zone server on loopback, and what every
record it offers must pass: the product's own parser finds no fault in it."""

import asyncio

from mitwirkung.checks import dkim, dmarc, spf, spf_repair
from mitwirkung.checks.dns import DnsReport, MailjetExpectation, check_mailjet

VERIFY_NAME, VERIFY_VALUE = "mailjet._a1b2c3d4", "a1b2c3d4e5f60718"


def check(server, domain, timeout=3.0, **kwargs) -> DnsReport:
    """Run the whole check for domain against the test server (seconds of budget: timeout)."""
    exp = MailjetExpectation(domain, VERIFY_NAME, VERIFY_VALUE, **kwargs)
    return asyncio.run(check_mailjet(exp, nameservers=[server.nameserver], timeout=timeout))


def record_in(report: DnsReport, item_id: str):
    """The report's record for one item ("dns-spf", …)."""
    return next(r for r in report.records if r.item_id == item_id)


def record(server, domain, item_id, **kwargs):
    """Check domain and return the record for item_id."""
    return record_in(check(server, domain, **kwargs), item_id)


def codes(rec) -> list[str]:
    """The finding codes of a record, in order."""
    return [f.code for f in rec.findings]


def assert_offer_valid(rec):
    """Every record offered to copy parses without fault with the product's own parser."""
    if not rec.expected:
        return
    if rec.item_id == "dns-spf":
        assert spf.is_spf(rec.expected), rec.expected
        assert spf.parse(rec.expected)[1] == [], rec.expected
        assert spf_repair.repair(rec.expected) == (rec.expected, [])
    elif rec.item_id == "dns-dkim":
        assert not dkim.parse(rec.expected).failed, rec.expected
    elif rec.item_id == "dns-dmarc":
        assert dmarc.is_dmarc(rec.expected), rec.expected
        assert dmarc.parse(rec.expected).faults == (), rec.expected
