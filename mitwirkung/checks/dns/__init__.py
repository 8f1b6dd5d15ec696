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

from mitwirkung.checks import dmarc_repair, spf_tree
from mitwirkung.checks import spf as spf_syntax
from mitwirkung.checks.dns.common import (
    DEFAULT_SPF,
    Context,
    DnsReport,
    MailjetExpectation,
    RecordCheck,
    base_record,
    unavailable,
    verdict,
)
from mitwirkung.checks.dns.dkim import check_dkim, expected_value
from mitwirkung.checks.dns.dmarc import check_dmarc
from mitwirkung.checks.dns.lookup import Lookup, zone_cut
from mitwirkung.checks.dns.spf import check_spf
from mitwirkung.checks.dns.verification import check_verification
from mitwirkung.checks.domain import (
    DomainError,
    display_domain,
    normalize_domain,
    relative_host,
)
from mitwirkung.checks.finding import Finding
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
        return unavailable(fallback, "record")


async def check_mailjet(
    exp: MailjetExpectation, *, nameservers: list[str] | None, timeout: float
) -> DnsReport:
    """Check all records Mailjet needs for exp.domain, within timeout seconds."""
    started = time.monotonic()
    lookup = Lookup(make_resolver(nameservers), started + timeout)
    domain = exp.domain
    mailjet_tree = asyncio.ensure_future(_mailjet_tree(lookup))
    for name in _first_names(exp):  # asked now, so that finding the zone costs no time
        lookup.query(name, "TXT")
    zone_task = asyncio.ensure_future(zone_cut(lookup, domain))
    budget = timeout + 0.25
    try:
        try:
            zone, ns = await asyncio.wait_for(asyncio.shield(zone_task), max(budget, 0.05))
        except TimeoutError:
            zone, ns = domain, ()
        ctx = Context(exp, lookup, zone, ns)
        # What is known before any answer (the key PEIQ entered too) stays when a check times
        # out; its host is relative to the zone like every other.
        fallbacks = [
            replace(
                f,
                host=relative_host(f.fqdn, zone),
                # a DMARC record not seen may hold a stricter policy than the starter's; an
                # SPF record not seen may exist, and a fresh one would be a second one
                expected="" if f.item_id in ("dns-dmarc", "dns-spf") else f.expected,
            )
            for f in planned_records(exp)
        ]
        coros = [check_verification(ctx), check_spf(ctx), check_dkim(ctx), check_dmarc(ctx)]
        budget = timeout + 0.25 - (time.monotonic() - started)
        records = await asyncio.gather(
            *(_guard(c, f, budget) for c, f in zip(coros, fallbacks, strict=True))
        )
        apex = lookup.answered(domain, "TXT")
        if apex is not None and apex.status == "nxdomain" and not apex.cname:
            records = domain_missing(records, domain)
    finally:
        pending = [t for t in (zone_task, mailjet_tree, *lookup._tasks.values()) if not t.done()]
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


async def _mailjet_tree(lookup: Lookup) -> spf_tree.SpfNode:
    """Evaluate Mailjet's own SPF record (its cost is part of every merged record)."""
    answer = await lookup.query(spf_syntax.MAILJET_INCLUDE, "TXT")
    records = [t for t in answer.texts if spf_syntax.is_spf(t)]
    if len(records) != 1:
        return spf_tree.SpfNode(domain=spf_syntax.MAILJET_INCLUDE, record=None)
    return await spf_tree.evaluate(lookup, spf_syntax.MAILJET_INCLUDE, records[0])


def _first_names(exp: MailjetExpectation) -> list[str]:
    """Return the TXT names every check asks first (the DMARC check also its ancestors')."""
    labels = exp.domain.split(".")
    dmarc = [f"_dmarc.{'.'.join(labels[i:])}" for i in range(len(labels) - 1)]
    dkim = f"{exp.dkim_selector}._domainkey.{exp.domain}"
    first = [exp.domain, exp.verification_name, dkim, dmarc[0]]
    doubled = [f"{name}.{exp.domain}" for name in first]  # the zone is mostly the domain
    return [*first, *dmarc[1:], *doubled]


def domain_missing(records: list[RecordCheck], domain: str) -> list[RecordCheck]:
    """Return the verdicts for a sender domain that does not exist (NXDOMAIN at the apex).

    Nothing can be published below a name that does not exist, so this is said once, on the
    first record; the other records point to it instead of saying "not found" again.
    """
    shown = display_domain(domain)
    first, *rest = records
    result = [
        verdict(
            replace(first, found=(), details={"domain_missing": True}),
            [Finding("domain.nxdomain", "failed", {"domain": shown})],
        )
    ]
    for record in rest:
        state = "warning" if record.item_id == "dns-dmarc" else "failed"
        finding = Finding("domain.nxdomain_see_above", state, {"domain": shown})
        result.append(
            verdict(replace(record, found=(), details={"domain_missing": True}), [finding])
        )
    return result


def planned_records(exp: MailjetExpectation) -> tuple[RecordCheck, ...]:
    """Return the records to publish as known before any check (state "open", nothing found).

    A check refines them: SPF, for instance, becomes the merged record when the domain
    already has one.
    """
    dkim_fqdn = f"{exp.dkim_selector}._domainkey.{exp.domain}"
    dkim_value, _ = expected_value(exp)
    plan = [
        ("dns-verification", exp.verification_name, exp.verification_value),
        ("dns-spf", exp.domain, DEFAULT_SPF),
        ("dns-dkim", dkim_fqdn, dkim_value),
        ("dns-dmarc", f"_dmarc.{exp.domain}", dmarc_repair.starter(exp.domain)),
    ]
    records = [
        replace(base_record(item_id, fqdn, exp.domain, expected), state="open")
        for item_id, fqdn, expected in plan
    ]
    # Before a check nobody knows whether the domain already has an SPF record: offering the
    # fresh one then could make a second one. Say what the check will show instead.
    spf = verdict(
        replace(records[1], expected=""),
        [Finding("spf.before_check", "done")],
        details={"no_copy": True},
    )
    records[1] = replace(spf, state="open")
    return tuple(records)
