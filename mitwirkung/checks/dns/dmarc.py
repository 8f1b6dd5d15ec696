"""The DMARC record of the sender domain (RFC 7489), or the one it inherits."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from mitwirkung.checks import dmarc as dmarc_syntax
from mitwirkung.checks.dns.common import (
    Context,
    RecordCheck,
    base_record,
    real_doubled,
    unavailable,
    unquote,
    verdict,
)
from mitwirkung.checks.finding import Finding


async def check_dmarc(ctx: Context) -> RecordCheck:
    """Check the DMARC record; it is advice only and never fails."""
    fqdn = f"_dmarc.{ctx.domain}"
    starter = dmarc_syntax.starter(ctx.domain)
    base = replace(base_record("dns-dmarc", fqdn, ctx.domain, starter), state="warning")
    # Which record applies to a subdomain without its own: RFC 7489 asks for the organisational
    # domain from the Public Suffix List, which we do not carry. Approximated by the tree walk
    # of DMARCbis: the closest ancestor (below the top-level domain) that has a DMARC record,
    # so firma.co.at is found for shop.firma.co.at. Not handled: psd= and np= tags.
    labels = ctx.domain.split(".")
    parents = [f"_dmarc.{'.'.join(labels[i:])}" for i in range(1, len(labels) - 1)]
    queries = [fqdn, ctx.doubled(fqdn), *parents]
    answers = await asyncio.gather(*(ctx.lookup.query(n, "TXT") for n in queries))
    main, doubled = answers[0], answers[1]
    if main.unavailable:
        return unavailable(base, "dmarc")
    records = [t for t in main.texts if dmarc_syntax.is_dmarc(t)]
    quoted = [
        t for t in main.texts if not dmarc_syntax.is_dmarc(t) and dmarc_syntax.is_dmarc(unquote(t))
    ]
    attempts = [t for t in main.texts if dmarc_syntax.is_dmarc_attempt(t) and t not in quoted]
    base = replace(base, found=tuple(records + attempts))
    if not records and not attempts:
        entered_twice = await real_doubled(ctx, base, fqdn, doubled, dmarc_syntax.is_dmarc)
        if entered_twice:
            return entered_twice
        if quoted:
            return verdict(base, [Finding("dmarc.quoted", "warning")], found=tuple(quoted))
        inherited = _inherited_dmarc(base, zip(parents, answers[2:], strict=True))
        if inherited:
            return inherited
        where = await ctx.where(base.host, starter)
        return verdict(base, [Finding("dmarc.missing", "warning", {**where, "mailbox": True})])
    if len(records) + len(attempts) > 1:
        count = len(records) + len(attempts)
        return verdict(base, [Finding("dmarc.many", "warning", {"fqdn": fqdn, "count": count})])
    text = (records + attempts)[0]
    record = dmarc_syntax.parse(text)
    details = {"tags": record.tags}
    if not record.faults:
        code = "dmarc.ok_none" if record.policy == "none" else "dmarc.ok"
        ok = Finding(code, "done", {"policy": record.policy})
        return verdict(base, [ok], expected=text, details=details)
    offer, changes = dmarc_syntax.repair(text)
    findings = []
    for fault in record.faults:  # DMARC is advice: a fault is a warning, never a failure
        params = {**fault.params, "record": offer or "", "seen": bool(records)}
        if fault.code == "dmarc.missing_semicolon" and findings:
            params["record"] = f"{fault.params['before']}; {fault.params['after']}"
        findings.append(Finding(fault.code, "warning", params))
    if offer is None:
        findings.append(Finding("dmarc.no_offer", "warning", {"starter": starter}))
        return verdict(base, findings, expected="", details={**details, "no_copy": True})
    code = "dmarc.offer"
    if await ctx.synthesized(fqdn, "TXT", main):  # RFC 4592: no record there to change
        code = "dmarc.offer_wildcard"
        findings = [replace(f, params={**f.params, "no_fix": True}) for f in findings]
        changes.append(Finding("dns.wildcard_record", "done", {"fqdn": fqdn, "host": base.host}))
    offer_finding = Finding(code, "done", {"host": base.host, "record": offer})
    return verdict(base, [*findings, offer_finding, *changes], expected=offer, details=details)


def _inherited_dmarc(base: RecordCheck, parents) -> RecordCheck | None:
    """Return the verdict for the closest ancestor's DMARC record, or None when none applies."""
    for name, answer in parents:
        found = [t for t in answer.texts if dmarc_syntax.is_dmarc(t)]
        if not found:
            continue  # nothing there, or no answer: look further up
        record = dmarc_syntax.parse(found[0])
        if len(found) != 1 or record.errors:
            return None  # the closest record is unusable: this domain needs its own
        tag = "sp" if "sp" in record.tags else "p"
        policy = record.tags[tag].lower()
        params = {"name": name, "tag": tag, "policy": policy}
        return verdict(
            base,
            [Finding("dmarc.inherited", "done", params)],
            found=tuple(found),
            expected=found[0],
            details={"tags": record.tags, "inherited_from": name},
        )
    return None
