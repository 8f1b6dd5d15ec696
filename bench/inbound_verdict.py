"""Time the receiver's verdict per message against dkimpy's DKIM verification alone.

Both run on the same signed messages, with the same loopback DNS server publishing SPF, the
DKIM keys and DMARC. Baseline (same run): dkimpy.verify() of every DKIM signature, keys asked
from that server. Measured: judge_message_async() (SPF + every DKIM signature + DMARC tree
walk + ARC), one at a time and CONCURRENCY at a time as the inbound server runs them, without
and with a shared DNS cache. Prints mails/s and the ratio to the baseline.

Run: .venv/bin/python bench/inbound_verdict.py [MAILS]
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import dkim  # noqa: E402
import dns.resolver  # noqa: E402
from dnsserver import ZoneServer  # noqa: E402
from mailsigning import SigningKey, message, sign  # noqa: E402

from mitwirkung.checks.inbound import item_state, judge_message_async  # noqa: E402
from mitwirkung.checks.inbound.dnsquery import sync_resolver  # noqa: E402

MAILS = int(sys.argv[1]) if len(sys.argv) > 1 else 300
RUNS = 3  # rows interleaved, best run kept: the machine is shared
CONCURRENCY = 8
IP = "192.0.2.10"


def messages(customer: SigningKey, provider: SigningKey) -> list[bytes]:
    """Mails as on the Mailjet path: signed by the customer's domain and by the provider."""
    out = []
    for n in range(MAILS):
        raw = message(subject=f"Systemnachricht {n}", body=f"Auftrag {n} erledigt.\n" * 20)
        raw = sign(raw, customer, domain="kunde.test", selector="mailjet")
        out.append(sign(raw, provider, domain="mailjet.test", selector="mj"))
    return out


def baseline(raws: list[bytes], nameserver: str, cached: bool) -> float:
    """dkimpy alone: verify every signature, keys from the loopback DNS; seconds.

    cached: each key is asked once and then kept (the pure verification cost).
    """
    resolver = sync_resolver([nameserver], 5.0, dns.resolver.LRUCache() if cached else None)

    def dnsfunc(name, timeout=5):
        answer = resolver.resolve(name.decode().rstrip(".") + ".", "TXT")
        return b"".join(b"".join(r.strings) for r in answer)

    start = time.perf_counter()
    for raw in raws:
        for index in range(2):
            assert dkim.DKIM(raw).verify(idx=index, dnsfunc=dnsfunc)
    return time.perf_counter() - start


async def verdicts(raws: list[bytes], nameserver: str, concurrency: int, cache) -> float:
    """The full verdict for every message, concurrency at a time; seconds."""
    gate = asyncio.Semaphore(concurrency)

    async def one(raw: bytes):
        async with gate:
            verdict = await judge_message_async(
                raw,
                peer_ip=IP,
                helo="mx.mailjet.test",
                mail_from="bounce@bnc.mailjet.test",
                nameservers=[nameserver],
                timeout=5.0,
                cache=cache,
            )
            assert item_state(verdict) == "done", verdict

    start = time.perf_counter()
    await asyncio.gather(*(one(raw) for raw in raws))
    return time.perf_counter() - start


def measure(raws: list[bytes], nameserver: str) -> list[tuple[str, float]]:
    """One run of every row: (label, seconds)."""
    rows = [
        ("baseline A: dkimpy verify alone, keys from DNS", baseline(raws, nameserver, False)),
        ("baseline B: dkimpy verify alone, keys cached", baseline(raws, nameserver, True)),
    ]
    for label, concurrency, cached in (
        ("verdict, one at a time, no DNS cache", 1, False),
        (f"verdict, {CONCURRENCY} at a time, no DNS cache", CONCURRENCY, False),
        (f"verdict, {CONCURRENCY} at a time, shared DNS cache", CONCURRENCY, True),
    ):
        shared = dns.resolver.LRUCache() if cached else None
        rows.append((label, asyncio.run(verdicts(raws, nameserver, concurrency, shared))))
    return rows


def main() -> None:
    customer, provider = SigningKey.make(), SigningKey.make()
    zone = f"""
test. 300 IN SOA ns.test. h.test. 1 2 3 4 5
kunde.test. 300 IN TXT "v=spf1 include:spf.mailjet.test -all"
_dmarc.kunde.test. 300 IN TXT "v=DMARC1; p=reject"
mailjet._domainkey.kunde.test. 300 IN TXT {customer.txt()}
bnc.mailjet.test. 300 IN TXT "v=spf1 include:spf.mailjet.test -all"
spf.mailjet.test. 300 IN TXT "v=spf1 ip4:{IP} -all"
mj._domainkey.mailjet.test. 300 IN TXT {provider.txt()}
"""
    raws = messages(customer, provider)
    with ZoneServer(zone) as server:
        best: dict[str, float] = {}
        for _ in range(RUNS):
            for label, seconds in measure(raws, server.nameserver):
                best[label] = min(best.get(label, seconds), seconds)
    rows = list(best.items())
    base, base_cached = rows[0][1], rows[1][1]
    print(f"{MAILS} mails, 2 DKIM signatures each, loopback DNS, best of {RUNS} interleaved runs")
    print("ratio = time / baseline time (A: keys from DNS each time; B: keys cached)")
    for label, seconds in rows:
        rate = MAILS / seconds
        print(
            f"  {label:<48} {rate:7.1f} mails/s  "
            f"{seconds / base:5.2f}x A  {seconds / base_cached:5.2f}x B"
        )


if __name__ == "__main__":
    main()
