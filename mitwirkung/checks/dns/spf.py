"""The SPF record at the sender domain (RFC 7208), judged with its whole include tree.

query -> parse (checks/spf.py) -> judge (here; the record to offer: spf_offer.py) -> word
(wording.py). Every record offered to copy is repaired, merged and evaluated by the same
parser first; when no valid record can be derived, none is offered (details["no_copy"]).
"""

from __future__ import annotations

from dataclasses import replace

from mitwirkung.checks import spf as spf_syntax
from mitwirkung.checks import spf_repair, spf_tree
from mitwirkung.checks.dns.common import (
    DEFAULT_SPF,
    Context,
    RecordCheck,
    real_doubled,
    through_cname,
    unavailable,
    unquote,
    verdict,
)
from mitwirkung.checks.dns.spf_offer import (
    LIMIT,
    Offer,
    at_least,
    long_record,
    make_offer,
    offer_findings,
)
from mitwirkung.checks.finding import Finding


async def check_spf(ctx: Context) -> RecordCheck:
    """Check the SPF record at the domain and its whole include tree."""
    return through_cname(ctx, await _check_spf(ctx))


async def _check_spf(ctx: Context) -> RecordCheck:
    fqdn = ctx.domain
    base = ctx.base("dns-spf", fqdn, DEFAULT_SPF)
    main = await ctx.lookup.query(fqdn, "TXT")
    if main.unavailable:  # the zone may hold a record: a fresh one would be a second one
        return unavailable(replace(base, expected="", details={"no_copy": True}), "spf")
    records = [t for t in main.texts if spf_syntax.is_spf(t)]
    broken = [t for t in main.texts if spf_syntax.is_broken_spf(t)]
    quoted = [
        t
        for t in main.texts
        if not spf_syntax.is_spf(t)
        and not spf_syntax.is_broken_spf(t)
        and spf_syntax.is_spf(unquote(t))
    ]
    base = replace(base, found=tuple(records + broken + quoted))
    if quoted and not records:
        return await _judge(ctx, base, [unquote(quoted[0])], [Finding("spf.quoted", "failed")])
    if not records and broken:
        prior = [spf_syntax.version_fault(t) for t in broken]
        return await _judge(ctx, base, broken, prior)
    if not records:
        entered_twice = await real_doubled(ctx, base, fqdn, spf_syntax.is_spf)
        if entered_twice:
            return entered_twice
        obsolete = await _type_spf(ctx, base, fqdn)
        if obsolete:
            return obsolete
        if main.cname:
            params = {"fqdn": fqdn, "target": main.cname, "value": DEFAULT_SPF}
            finding = Finding("spf.cname", "failed", params)
            return verdict(base, [finding], details={"cname": main.cname})
        where = await ctx.where(base.host, DEFAULT_SPF)
        return verdict(base, [Finding("spf.missing", "failed", where)])
    if len(records) > 1 and await ctx.synthesized(fqdn, "TXT", main):
        # RFC 4592: only a wildcard answers here; none of its records is there to delete
        where = await ctx.where(base.host, DEFAULT_SPF)
        wildcard = {"fqdn": fqdn, "host": base.host, "what": "TXT"}
        findings = [
            Finding("spf.missing", "failed", where),
            Finding("dns.wildcard", "done", wildcard),
        ]
        return verdict(base, findings, found=())
    extra = (
        [Finding("spf.broken_extra", "warning", {"records": broken})]
        if broken and len(records) == 1
        else []
    )
    split = [t for t, n in zip(main.texts, main.parts, strict=True) if n > 1 and t in records]
    result = await _judge(ctx, base, records, [], extra, bool(split))
    if result.state != "done" and await ctx.synthesized(fqdn, "TXT", main):
        # RFC 4592: a wildcard answers for this name; a record at the name takes precedence
        result = await _judge(ctx, base, records, [], extra, bool(split), wildcard=True)
    return result


async def _type_spf(ctx: Context, base: RecordCheck, fqdn: str) -> RecordCheck | None:
    """Return the verdict for an SPF record published only as the obsolete RR type SPF (99),
    or None. RFC 7208 §3.1: SPF records are published as TXT only; §14.1: type SPF is no
    longer used, so receivers never ask for it. The customer's panel still shows it as "SPF";
    the same value (repaired, with Mailjet) is offered as TXT."""
    answer = await ctx.lookup.query(fqdn, "SPF")
    found = [t for t in answer.texts if spf_syntax.is_spf(t)]
    if not found or answer.cname:
        return None
    offer = await make_offer(ctx, found[:1])
    params = {"fqdn": fqdn, "host": base.host, "record": offer.record or ""}
    findings = [Finding("spf.type99", "failed", params)]
    if offer.record:
        findings += [*offer.changes, *long_record(offer.record)]
    else:
        findings += offer_findings(offer, "done", "spf.offer", False)
    return _finish(replace(base, found=tuple(f"SPF {t}" for t in found)), findings, offer, {})


def _after_mailjet(tree: spf_tree.SpfNode) -> list[Finding]:
    """Return the tree's errors; those only an include after Mailjet's reaches are warnings.

    Receivers evaluate terms left to right and stop at the first match (RFC 7208 §4.6.2), and
    an included record is only read when its include is reached: mail from Mailjet passes
    before a broken include further right is read; only other mail meets the error there.
    """
    mailjet = next(
        (
            i
            for i, t in enumerate(tree.terms)
            if t.name == "include" and t.qualifier == "+" and t.target == spf_syntax.MAILJET_INCLUDE
        ),
        None,
    )
    texts = [t.text for t in tree.terms]
    later = [
        f
        for f in tree.errors
        if mailjet is not None and f.params.get("via") in texts[mailjet + 1 :]
    ]
    if not later or len(later) != len(tree.errors):
        return list(tree.errors)
    note = Finding("spf.error_after_mailjet", "warning", {"via": later[0].params["via"]})
    return [*(replace(f, state="warning") for f in later), note]


async def _judge(
    ctx: Context,
    base: RecordCheck,
    records: list[str],
    prior: list[Finding],
    extra: list[Finding] = (),
    split: bool = False,
    wildcard: bool = False,
) -> RecordCheck:
    """Judge the SPF record(s) published (prior: why receivers see none of them)."""
    if len(records) > 1 and not prior:
        offer = await make_offer(ctx, records)
        named = list(base.found) or records  # every record to delete, also a broken one
        params = {"count": len(named), "record": offer.record, "records": named}
        if offer.record:
            findings = [
                Finding("spf.two_records", "failed", params),
                *offer.changes,
                *long_record(offer.record),
            ]
        else:
            findings = [Finding("spf.two_records_no_offer", "failed", params)]
            findings += offer_findings(offer, "done", "spf.offer", False)
        details = {"spf_records": len(records), "merged_lookups": offer.lookups}
        return _finish(base, findings, offer, details)
    source = records[0]  # what the offer is repaired from
    record = (
        (spf_repair.repair(source)[0] or spf_syntax.repair_version(source)) if prior else source
    )
    tree = await spf_tree.evaluate(ctx.lookup, ctx.domain, record)
    details = tree.details()
    if tree.unavailable:  # never offer the record without Mailjet, nor one not proven valid
        names = sorted(set(tree.unavailable))
        mailjet = any(
            t.name == "include" and t.target == spf_syntax.MAILJET_INCLUDE for t in tree.terms
        )
        params = {"names": names, "mailjet": mailjet, "host": base.host}
        finding = Finding("spf.include_unavailable", "warning", params)
        details = {**details, "dns_unavailable": True, "no_copy": True}
        return verdict(replace(base, expected=""), [finding], details=details)
    findings = [*prior, *_after_mailjet(tree)]
    if split and tree.errors:  # RFC 7208 §3.3: the strings are joined without a space
        findings.append(Finding("spf.strings_joined", "done"))
    if tree.ignored_redirect:
        redirect = tree.ignored_redirect
        params = {"term": redirect.text, "all": tree.all_text, "target": redirect.target}
        included = {t.target for t in tree.terms if t.name == "include" and not t.modifier}
        code = "spf.redirect_included" if redirect.target in included else "spf.redirect_ignored"
        findings.append(Finding(code, "warning", params))
    if not tree.has_mailjet:
        findings += [Finding("spf.no_mailjet", "failed"), *tree.mailjet_issues]
    if tree.lookups > LIMIT:
        heaviest = max(tree.includes.items(), key=lambda kv: kv[1], default=None)
        details["heaviest_include"] = heaviest[0] if heaviest else None
        name, cost = heaviest or ("", 0)
        lookups = at_least(tree.lookups, tree.truncated)
        params = {"lookups": lookups, "limit": LIMIT, "heaviest": name, "cost": cost}
        findings.append(Finding("spf.too_many_lookups", "failed", params))
    if len(tree.voids) > spf_syntax.VOID_LIMIT:
        params = {"count": len(tree.voids), "limit": spf_syntax.VOID_LIMIT, "voids": tree.voids}
        findings.append(Finding("spf.too_many_voids", "failed", params))
    dead = [
        t.text
        for t in tree.dead
        if not (t.name == "include" and t.target == spf_syntax.MAILJET_INCLUDE)
    ]
    qualifier = tree.all_qualifier
    if qualifier == "+":
        findings.append(Finding("spf.plus_all", "warning"))
    elif qualifier == "?":
        findings.append(Finding("spf.neutral_all", "warning"))
    elif qualifier is None and tree.redirect is None and not tree.errors:
        findings.append(Finding("spf.no_all", "warning"))
    if any(t.name == "ptr" and not t.modifier for t in tree.terms):
        findings.append(Finding("spf.ptr", "warning"))
    findings += extra
    notes = []
    faulty = {f.params.get("term") for f in tree.errors}
    macros = sorted(set(tree.macros) - faulty)
    if macros:
        notes.append(Finding("spf.macros", "done", {"terms": macros}))
    notes += [
        Finding("spf.exp", "done", {"term": t.text})
        for t in tree.terms
        if t.modifier and t.name == "exp"
    ][:1]
    if not findings and not dead:
        ok = Finding("spf.ok", "done", {"lookups": tree.lookups, "limit": LIMIT})
        return verdict(base, [ok, *notes], expected=record, details=details)
    offer = await make_offer(ctx, [source])
    if tree.dead:
        offer.changes = [c for c in offer.changes if c.code != "spf.fixed_dropped_dead"]
    details["merged_lookups"] = offer.lookups
    if dead:
        movable = [t.text for t in tree.dead if t.text in dead and t.name != "all"]
        querying = any(t.name in spf_syntax.QUERYING for t in tree.dead if t.text in movable)
        params = {"all": tree.all_text, "dead": dead, "movable": movable, "querying": querying}
        findings.append(Finding("spf.dead_terms", "warning", params))
    reported = any(
        f.code in ("spf.too_many_lookups", "spf.too_many_voids") for f in findings
    ) or bool(tree.errors)
    code = "spf.offer_broken" if prior else "spf.offer_wildcard" if wildcard else "spf.offer"
    if wildcard:  # the record is no one's to edit: only the record to create counts
        findings = [replace(f, params={**f.params, "no_fix": True}) for f in findings]
        notes.append(
            Finding("dns.wildcard_record", "done", {"fqdn": ctx.domain, "host": base.host})
        )
    offered = offer_findings(offer, "done", code, reported)
    if offer.record == source and not prior and not wildcard:  # nothing to replace it with
        offered = [f for f in offered if f.code != code]
    if tree.has_mailjet:  # the offer costs what the record costs: said once above
        offered = [f for f in offered if f.code != "spf.over_limit"]
    findings += offered
    return _finish(base, [*findings, *notes], offer, details)


def _finish(base: RecordCheck, findings: list[Finding], offer: Offer, details: dict):
    """Return the verdict with the offered record as expected value (none when invalid)."""
    if offer.record is None:
        return verdict(base, findings, expected="", details={**details, "no_copy": True})
    return verdict(base, findings, expected=offer.record, details=details)
