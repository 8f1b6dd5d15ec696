"""Live DNS check for the Mailjet path: verification, SPF, DKIM and DMARC records.

Everything comes in by arguments and goes out as a frozen DnsReport; nothing here knows
Flask or the database. Independent queries run concurrently and each (name, type) is asked
once per check, so a check takes about its longest chain of dependent queries. Each record
check lives in its own module and returns findings (code, parameters, state); their German
wording lives in wording.py.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from dataclasses import replace

from mitwirkung.checks import dkim as dkim_syntax
from mitwirkung.checks import dmarc as dmarc_syntax
from mitwirkung.checks import spf as spf_syntax
from mitwirkung.checks.dns.common import (
    DEFAULT_SPF,
    Context,
    DnsReport,
    MailjetExpectation,
    RecordCheck,
    base_record,
    unavailable,
)
from mitwirkung.checks.dns.dkim import check_dkim
from mitwirkung.checks.dns.dmarc import check_dmarc
from mitwirkung.checks.dns.lookup import Lookup, authoritative_ns
from mitwirkung.checks.dns.spf import check_spf
from mitwirkung.checks.dns.verification import check_verification
from mitwirkung.checks.domain import DomainError, display_domain, normalize_domain
from mitwirkung.checks.resolver import make_resolver

__all__ = [
    "DnsReport",
    "DomainError",
    "MailjetExpectation",
    "RecordCheck",
    "check_mailjet",
    "display_domain",
    "normalize_domain",
    "planned_records",
]


async def _guard(coro: Awaitable[RecordCheck], fallback: RecordCheck, budget: float):
    """Await coro, but never longer than budget: then say the DNS did not answer."""
    try:
        return await asyncio.wait_for(coro, max(budget, 0.05))
    except TimeoutError:
        return unavailable(fallback, "den Eintrag")


async def check_mailjet(
    exp: MailjetExpectation, *, nameservers: list[str] | None, timeout: float
) -> DnsReport:
    """Check all records Mailjet needs for exp.domain, within timeout seconds."""
    started = time.monotonic()
    lookup = Lookup(make_resolver(nameservers), started + timeout)
    authority = asyncio.ensure_future(authoritative_ns(lookup, exp.domain))
    ctx = Context(exp, lookup, authority)
    mailjet_tree = asyncio.ensure_future(_mailjet_tree(lookup))
    domain = exp.domain
    dkim_fqdn = f"{exp.dkim_selector}._domainkey.{domain}"
    fallbacks = [
        base_record("dns-verification", exp.verification_name, domain, exp.verification_value),
        base_record("dns-spf", domain, domain, DEFAULT_SPF),
        base_record("dns-dkim", dkim_fqdn, domain, ""),
        base_record("dns-dmarc", f"_dmarc.{domain}", domain, dmarc_syntax.starter(domain)),
    ]
    coros = [check_verification(ctx), check_spf(ctx), check_dkim(ctx)]
    coros.append(check_dmarc(ctx))
    budget = timeout + 0.25
    try:
        records = await asyncio.gather(
            *(_guard(c, f, budget) for c, f in zip(coros, fallbacks, strict=True))
        )
        ns = authority.result() if authority.done() and not authority.cancelled() else ()
    finally:
        pending = [t for t in (authority, mailjet_tree, *lookup._tasks.values()) if not t.done()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
    return DnsReport(
        domain=domain,
        records=tuple(records),
        nameservers=tuple(ns),
        dns_unavailable=any(r.details.get("dns_unavailable") for r in records),
        duration_ms=round((time.monotonic() - started) * 1000),
    )


async def _mailjet_tree(lookup: Lookup) -> spf_syntax.SpfNode:
    """Evaluate Mailjet's own SPF record (its cost is part of every merged record)."""
    answer = await lookup.query(spf_syntax.MAILJET_INCLUDE, "TXT")
    records = [t for t in answer.texts if spf_syntax.is_spf(t)]
    if len(records) != 1:
        return spf_syntax.SpfNode(domain=spf_syntax.MAILJET_INCLUDE, record=None)
    return await spf_syntax.evaluate(lookup, spf_syntax.MAILJET_INCLUDE, records[0])


def planned_records(exp: MailjetExpectation) -> tuple[RecordCheck, ...]:
    """Return the records to publish as known before any check (state "open", nothing found).

    A check refines them: SPF, for instance, becomes the merged record when the domain
    already has one.
    """
    dkim_fqdn = f"{exp.dkim_selector}._domainkey.{exp.domain}"
    dkim_value = dkim_syntax.expected_record(exp.dkim_key) if exp.dkim_key else ""
    plan = [
        ("dns-verification", exp.verification_name, exp.verification_value),
        ("dns-spf", exp.domain, DEFAULT_SPF),
        ("dns-dkim", dkim_fqdn, dkim_value),
        ("dns-dmarc", f"_dmarc.{exp.domain}", dmarc_syntax.starter(exp.domain)),
    ]
    return tuple(
        replace(base_record(item_id, fqdn, exp.domain, expected), state="open")
        for item_id, fqdn, expected in plan
    )
