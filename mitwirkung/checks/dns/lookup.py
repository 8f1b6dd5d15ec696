"""Ask the DNS: each (name, type) once per check, with NXDOMAIN, no data, SERVFAIL and timeout
told apart, and tell wildcard-synthesised answers (RFC 4592) from records at a name."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Awaitable
from dataclasses import dataclass

import dns.asyncresolver
import dns.exception
import dns.name
import dns.rdatatype
import dns.resolver


@dataclass(frozen=True)
class Answer:
    """The outcome of one query, with NXDOMAIN, no data, SERVFAIL and timeout told apart."""

    status: str  # "ok" | "nxdomain" | "nodata" | "servfail" | "timeout"
    texts: tuple[str, ...] = ()  # TXT/SPF: the strings of each record joined; else rdata text
    parts: tuple[int, ...] = ()  # TXT: number of character-strings per record
    cname: str | None = None  # where a CNAME led, when one was followed

    @property
    def unavailable(self) -> bool:
        return self.status in ("servfail", "timeout")

    @property
    def empty(self) -> bool:
        return self.status in ("nxdomain", "nodata")


class Lookup:
    """Ask each (name, type) once per check, all within one deadline."""

    def __init__(self, resolver: dns.asyncresolver.Resolver, deadline: float):
        self.resolver = resolver
        self.deadline = deadline
        self._tasks: dict[tuple[str, str], asyncio.Task] = {}
        self.probe = f"mw-probe-{secrets.token_hex(5)}"  # a label nobody publishes

    def query(self, name: str, rtype: str) -> Awaitable[Answer]:
        """Return the (shared) answer for name and rtype."""
        key = (name.rstrip(".").lower(), rtype)
        if key not in self._tasks:
            self._tasks[key] = asyncio.ensure_future(self._ask(*key))
        return asyncio.shield(self._tasks[key])

    async def synthesized(self, name: str, rtype: str, answer: Answer) -> bool:
        """Tell whether answer for name may come from a wildcard rather than a record there.

        RFC 4592: a wildcard answers for names that do not exist. A sibling name nobody
        publishes (a random label, new for every check) gets the same answer only when a
        wildcard produced it. Costs one query, so it is asked only before interpreting an
        answer as the customer's own record.
        """
        if answer.status != "ok" and not answer.cname:
            return False
        probe = await self.query(f"{self.probe}.{name.split('.', 1)[1]}", rtype)
        return (probe.status, probe.cname is not None, set(probe.texts)) == (
            answer.status,
            answer.cname is not None,
            set(answer.texts),
        )

    def answered(self, name: str, rtype: str) -> Answer | None:
        """Return the answer already received for name and rtype, or None."""
        task = self._tasks.get((name.rstrip(".").lower(), rtype))
        if task is None or not task.done() or task.cancelled():
            return None
        return task.result()

    async def _ask(self, name: str, rtype: str) -> Answer:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0.01:
            return Answer("timeout")
        try:
            qname = dns.name.from_text(name)
        except dns.exception.DNSException:
            return Answer("nxdomain")  # a name too long for DNS cannot exist
        try:
            answer = await self.resolver.resolve(
                qname, rtype, lifetime=remaining, raise_on_no_answer=False, search=False
            )
        except dns.resolver.NXDOMAIN as error:
            return Answer("nxdomain", cname=_cname_of(error, qname))
        except (dns.exception.Timeout, dns.resolver.LifetimeTimeout):
            return Answer("timeout")
        except (dns.resolver.NoNameservers, dns.exception.DNSException, OSError):
            return Answer("servfail")
        cname = answer.canonical_name if answer.canonical_name != qname else None
        cname_text = cname.to_text(omit_final_dot=True) if cname else None
        if answer.rrset is None:
            return Answer("nodata", cname=cname_text)
        if answer.rdtype in (dns.rdatatype.TXT, dns.rdatatype.SPF):  # same RDATA (RFC 7208 §3.1)
            texts = tuple(b"".join(r.strings).decode("utf-8", "replace") for r in answer)
            parts = tuple(len(r.strings) for r in answer)
            return Answer("ok", texts, parts, cname_text)
        texts = tuple(r.to_text() for r in answer)
        return Answer("ok", texts, (), cname_text)


def _cname_of(error: dns.resolver.NXDOMAIN, qname: dns.name.Name) -> str | None:
    """Return where a CNAME led before the NXDOMAIN, if it did."""
    try:
        canonical = error.canonical_name
    except Exception:
        return None
    return canonical.to_text(omit_final_dot=True) if canonical != qname else None


async def zone_cut(lookup: Lookup, domain: str) -> tuple[str, tuple[str, ...]]:
    """Return the zone holding domain and its NS names: the closest name, walking up from
    domain, that has NS records (RFC 1034 §4.2: a zone begins at a cut, where NS records
    stand). Hosts in a DNS panel are relative to this zone, not to the sender domain.

    Returns (domain, ()) when the DNS does not answer or no NS is found.
    """
    labels = domain.split(".")
    for start in range(len(labels) - 1):
        zone = ".".join(labels[start:])
        answer = await lookup.query(zone, "NS")
        if answer.status == "ok" and not answer.cname:
            return zone, tuple(sorted(t.rstrip(".").lower() for t in answer.texts))
        if answer.unavailable:
            return domain, ()
    return domain, ()
