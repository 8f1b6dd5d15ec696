"""Time the full Mailjet DNS check against a slow loopback DNS server, and checkdmarc too.

Run: .venv/bin/python bench/dns.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# This file is called dns.py: its own folder must not shadow dnspython's "dns" package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import checkdmarc.utils  # noqa: E402
import dns.nameserver  # noqa: E402
from checkdmarc.dmarc import check_dmarc  # noqa: E402
from checkdmarc.spf import check_spf  # noqa: E402
from dnsserver import ZoneServer  # noqa: E402
from dnszones import make_keys, zone_text  # noqa: E402

from mitwirkung.checks import spf  # noqa: E402
from mitwirkung.checks.dns import MailjetExpectation, check_mailjet  # noqa: E402

DELAY = 0.05
RUNS = 7
DOMAIN = "good.de"


def spf_chain(server: ZoneServer, name: str, prefetched: frozenset = frozenset()) -> int:
    """Count the longest chain of dependent queries needed to evaluate the SPF at name.

    Fetching a record is one query; each include/redirect target adds its own chain; an a/mx
    term adds one query after its record was read; targets in prefetched cost nothing here
    (their chain starts with the check). Read from the zone data, not from DNS.
    """
    texts = [
        b"".join(rr.rdata.data).decode()
        for rr in server.records.get(name.lower() + ".", [])
        if rr.rtype == 16
    ]
    records = [t for t in texts if spf.is_spf(t)]
    if len(records) != 1:
        return 1
    terms, _ = spf.parse(records[0])
    below = [0]
    for term in terms:
        if term.name in ("include", "redirect") and term.target not in prefetched:
            below.append(spf_chain(server, term.target, prefetched))
        elif term.name in ("a", "mx"):
            below.append(1)
    return 1 + max(below)


def time_ours(server: ZoneServer) -> list[float]:
    exp = MailjetExpectation(DOMAIN, "mailjet._a1b2c3d4", "a1b2c3d4e5f60718")
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        report = asyncio.run(check_mailjet(exp, nameservers=[server.nameserver], timeout=10))
        times.append(time.perf_counter() - started)
        assert all(r.state == "done" for r in report.records), report
    return times


def time_checkdmarc(server: ZoneServer) -> list[float]:
    nameservers = [dns.nameserver.Do53Nameserver("127.0.0.1", server.port)]
    times = []
    for _ in range(RUNS):
        checkdmarc.utils.DNS_CACHE.clear()
        started = time.perf_counter()
        result = check_spf(DOMAIN, nameservers=nameservers, timeout=5)
        check_dmarc(DOMAIN, nameservers=nameservers, timeout=5)
        times.append(time.perf_counter() - started)
        assert result["valid"], result
    return times


def main() -> None:
    with ZoneServer(zone_text(make_keys()), delay=DELAY) as server:
        chain = max(spf_chain(server, DOMAIN), 1)  # verification, DKIM, DMARC, NS: 1 query each
        bound = chain * DELAY
        # check_mailjet starts Mailjet's SPF tree at once (it is needed for every merged record)
        mailjet = frozenset({spf.MAILJET_INCLUDE})
        rounds = max(spf_chain(server, DOMAIN, mailjet), spf_chain(server, spf.MAILJET_INCLUDE))
        ours = statistics.median(time_ours(server))
        theirs = statistics.median(time_checkdmarc(server))
    print(f"delay per query          {DELAY * 1000:.0f} ms, {RUNS} runs each, medians")
    print(f"critical path            {chain} dependent queries (SPF include depth of {DOMAIN})")
    print(f"critical-path bound      {bound * 1000:.0f} ms")
    print(f"check_mailjet (all four) {ours * 1000:.0f} ms  = {ours / bound:.2f}x bound")
    print(
        f"  its own chain          {rounds} rounds ({rounds * DELAY * 1000:.0f} ms) because "
        f"{spf.MAILJET_INCLUDE} is fetched up front: {ours / (rounds * DELAY):.2f}x that"
    )
    print(f"checkdmarc spf+dmarc     {theirs * 1000:.0f} ms  = {theirs / bound:.2f}x bound")
    print(f"check_mailjet/checkdmarc {ours / theirs:.2f}")


if __name__ == "__main__":
    main()
