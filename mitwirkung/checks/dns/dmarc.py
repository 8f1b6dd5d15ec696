"""The DMARC record of the sender domain (RFC 9989), or the one it inherits."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from mitwirkung.checks import dmarc as dmarc_syntax
from mitwirkung.checks import dmarc_discovery, dmarc_repair
from mitwirkung.checks.dns.common import (
    Context,
    RecordCheck,
    edit_host,
    real_doubled,
    through_cname,
    unavailable,
    unquote,
    verdict,
)
from mitwirkung.checks.domain import display_domain
from mitwirkung.checks.finding import Finding


async def check_dmarc(ctx: Context) -> RecordCheck:
    """Check the DMARC record. It is recommended, not required (it never blocks completion),
    but a record receivers discard or misread is "failed" like any other broken record."""
    return through_cname(ctx, await _check_dmarc(ctx))


async def _check_dmarc(ctx: Context) -> RecordCheck:
    fqdn = f"_dmarc.{ctx.domain}"
    starter = dmarc_repair.starter(ctx.domain)
    base = replace(ctx.base("dns-dmarc", fqdn, starter), state="warning")
    # Which record applies to a domain without its own: the DNS Tree Walk of RFC 9989 §4.10
    # (dmarc_discovery), no Public Suffix List. The walk's names are asked at once (each name
    # once per check), so waiting for it costs one round trip.
    names = ["_dmarc." + n for n in dmarc_discovery.walk_names(ctx.domain)]
    answers = await asyncio.gather(*(ctx.lookup.query(n, "TXT") for n in names))
    main = answers[0]
    if main.unavailable:  # the record may exist with a stricter policy: offer nothing
        return unavailable(replace(base, expected=""), "dmarc")
    records = [t for t in main.texts if dmarc_syntax.is_dmarc(t)]
    quoted = [
        t for t in main.texts if not dmarc_syntax.is_dmarc(t) and dmarc_syntax.is_dmarc(unquote(t))
    ]
    attempts = [t for t in main.texts if dmarc_syntax.is_dmarc_attempt(t) and t not in quoted]
    base = replace(base, found=tuple(records + attempts))
    if not records and not attempts:
        entered_twice = await real_doubled(ctx, base, fqdn, dmarc_syntax.is_dmarc)
        if entered_twice:
            return entered_twice
        if quoted:
            return verdict(base, [Finding("dmarc.quoted", "failed")], found=tuple(quoted))
        dangling = await _cname_without_record(ctx, base, fqdn, main, starter)
        if dangling:
            return dangling
        inherited = await _inherited_dmarc(ctx, base)
        if isinstance(inherited, RecordCheck):
            return inherited
        notes = []
        if inherited:  # a broken ancestor's policy is kept, never lowered to p=none
            name, policy = inherited
            starter = dmarc_repair.starter(ctx.domain, policy or "none")
            params = {"name": name, "policy": policy or ""}
            notes.append(Finding("dmarc.parent_broken", "warning", params))
        where = await ctx.where(base.host, starter)
        missing = Finding("dmarc.missing", "warning", {**where, "mailbox": True})
        return verdict(replace(base, expected=starter), [missing, *notes])
    if len(records) + len(attempts) > 1:
        return await _many(ctx, base, fqdn, main, records + attempts)
    text = (records + attempts)[0]
    record = dmarc_syntax.parse(text)
    details = {"tags": record.tags}
    reports = await _unauthorized_reports(ctx, record)
    if not record.faults:
        code = "dmarc.ok_none" if record.policy == "none" else "dmarc.ok"
        ok = Finding(code, "done", {"policy": record.policy})
        return verdict(base, [ok, *record.notes, *reports], expected=text, details=details)
    offer, changes = dmarc_repair.repair(text)
    conflict = [c for c in changes if c.code == "dmarc.conflict"]
    findings = []
    for fault in record.faults:  # an error receivers act on fails; a doubtful form warns
        params = {**fault.params, "record": offer or "", "seen": bool(records)}
        if fault.code == "dmarc.missing_semicolon" and findings:
            params["record"] = f"{fault.params['before']}; {fault.params['after']}"
        findings.append(Finding(fault.code, fault.state, params))
    findings += _void_policy(record)
    findings += [*record.notes, *reports]
    if offer is None:
        state = "failed" if record.errors else "warning"
        findings += [replace(f, state=state) for f in conflict] or [
            Finding("dmarc.no_offer", state, {"starter": starter})
        ]
        return verdict(base, findings, expected="", details={**details, "no_copy": True})
    code = "dmarc.offer"
    if await ctx.synthesized(fqdn, "TXT", main):  # RFC 4592: no record there to change
        code = "dmarc.offer_wildcard"
        findings = [replace(f, params={**f.params, "no_fix": True}) for f in findings]
        changes.append(Finding("dns.wildcard_record", "done", {"fqdn": fqdn, "host": base.host}))
    offer_finding = Finding(code, "done", {"host": edit_host(ctx, base, main), "record": offer})
    return verdict(base, [*findings, offer_finding, *changes], expected=offer, details=details)


async def _cname_without_record(ctx: Context, base: RecordCheck, fqdn: str, main, starter: str):
    """Return the verdict for a CNAME at _dmarc that leads to no DMARC record, or None.

    RFC 1034 §3.6.2: a resolver follows the CNAME and reads the records at its target only;
    RFC 2181 §10.1: no other record may stand beside a CNAME, so a TXT record cannot simply be
    added at the name. The customer either deletes the CNAME (then creates the TXT record) or
    has the target fixed. A CNAME a wildcard produced (RFC 4592) is no one's to delete: None.
    """
    if not main.cname or await ctx.synthesized(fqdn, "TXT", main):
        return None
    params = {
        "fqdn": fqdn,
        "host": base.host,
        "target": main.cname,
        "gone": main.status == "nxdomain",
        "record": starter,
    }
    finding = Finding("dmarc.cname_no_record", "failed", params)
    found = (f"CNAME {display_domain(main.cname)}",)  # a person reads it (U-labels)
    return verdict(base, [finding], found=found, expected=starter, details={"cname": main.cname})


async def _unauthorized_reports(ctx: Context, record: dmarc_syntax.DmarcRecord) -> list[Finding]:
    """Return a warning for each rua=/ruf= address at another domain that has not agreed to
    receive reports for this domain.

    RFC 7489 §7.1 (kept by RFC 9989): a receiver sends reports to a destination outside the
    domain's organisation only when "<domain>._report._dmarc.<destination>" has a TXT record
    beginning with "v=DMARC1". "Outside" is approximated by the zone: an address in the
    domain's own zone (or the domain below it) needs no such record. A destination whose DNS
    does not answer is not judged (nothing proven either way).
    """
    own = (ctx.domain, ctx.zone)
    foreign = [
        (tag, address, dest)
        for tag, address, dest in dmarc_syntax.report_domains(record)
        if not any(dest == o or dest.endswith(f".{o}") or o.endswith(f".{dest}") for o in own)
    ]
    names = [f"{ctx.domain}._report._dmarc.{dest}" for _, _, dest in foreign]
    answers = await asyncio.gather(*(ctx.lookup.query(n, "TXT") for n in names))
    findings = []
    for (tag, address, dest), name, answer in zip(foreign, names, answers, strict=True):
        if answer.unavailable or any(dmarc_syntax.is_dmarc(t) for t in answer.texts):
            continue
        params = {"name": tag, "address": address, "dest": dest, "query": name}
        findings.append(Finding("dmarc.report_unauthorized", "warning", params))
    return findings


def _void_policy(record: dmarc_syntax.DmarcRecord) -> list[Finding]:
    """Return what receivers make of a record whose p= or sp= is missing or invalid.

    RFC 7489 §6.6.3: they act as if it said p=none when rua= holds a valid address, else they
    apply no DMARC at all; the policy the owner wrote has no effect either way.
    """
    void = [
        f
        for f in record.faults
        if f.code == "dmarc.no_policy"
        or (f.code == "dmarc.bad_value" and f.params.get("name") in ("p", "sp"))
    ]
    if not void:
        return []
    rua = dmarc_syntax.any_uri_ok(record.tags.get("rua", ""))
    name, missing = void[0].params.get("name", "p"), void[0].code == "dmarc.no_policy"
    params = {"name": name, "rua": rua, "missing": missing}
    return [Finding("dmarc.policy_void", "failed", params)]


async def _many(ctx: Context, base: RecordCheck, fqdn: str, main, texts: list[str]):
    """Judge several DMARC records at one name: receivers ignore them all (RFC 7489 §6.6.3).

    Only a wildcard's answer (RFC 4592) is no one's to delete: a record created at the exact
    name takes precedence. Records that say the same are offered as the one to keep; records
    that differ are not (which policy the owner means is the owner's choice).
    """
    count = len(texts)
    if await ctx.synthesized(fqdn, "TXT", main):
        where = await ctx.where(base.host, base.expected)
        findings = [
            Finding("dmarc.missing", "warning", {**where, "mailbox": True}),
            Finding("dns.wildcard", "done", {"fqdn": fqdn, "host": base.host, "what": "TXT"}),
        ]
        return verdict(base, findings, found=())
    parsed = [dmarc_syntax.parse(t) for t in texts]
    same = all(not p.faults and p.tags == parsed[0].tags for p in parsed)
    policies = [p.tags.get("p", "") for p in parsed]
    params = {
        "fqdn": fqdn,
        "count": count,
        "policies": [f"p={v}" for v in policies if v],
        "records": texts,
    }
    if same:
        finding = Finding("dmarc.many_same", "failed", {**params, "record": texts[0]})
        return verdict(base, [finding], expected=texts[0])
    finding = Finding("dmarc.many", "failed", params)
    return verdict(base, [finding], expected="", details={"no_copy": True})


async def _inherited_dmarc(ctx: Context, base: RecordCheck):
    """Return the verdict for the record the RFC 9989 tree walk finds above the domain; or,
    when that record is unusable, (its name, the policy it means for subdomains or None); or
    None when there is none.

    RFC 9989 §4.10.1: the walk asks "_dmarc.<name>" for each ancestor up to the top-level
    domain (at most eight names), and a name with several DMARC records counts as none
    (§4.7). A name at or below the domain's zone whose DNS did not answer may hold the
    policy: DNS unavailable. Above the zone (public suffixes such as "de") an unanswered
    name is taken as holding none: a public suffix operator's record is rare, and claiming
    "DNS unavailable" for every domain whose top-level server is slow would say less.
    """
    failed: list[str] = []

    async def txt(name: str) -> list[str] | None:
        answer = await ctx.lookup.query(name, "TXT")
        if not answer.unavailable:
            return list(answer.texts)
        owner = name.removeprefix("_dmarc.")
        if owner == ctx.zone or owner.endswith("." + ctx.zone):
            failed.append(name)
            return None
        return []

    if "." not in ctx.domain:
        return None
    walk = await dmarc_discovery.tree_walk(ctx.domain.split(".", 1)[1], txt)
    if failed and (not walk.records or walk.asked.index("_dmarc." + walk.records[0].domain)
                   > min(walk.asked.index(n) for n in failed)):  # fmt: skip
        return unavailable(replace(base, expected=""), "dmarc", tuple(failed))
    if not walk.records:
        return None
    name, text = f"_dmarc.{walk.records[0].domain}", walk.records[0].record
    record = dmarc_syntax.parse(text)
    if record.errors:  # unusable: this domain needs its own
        meant = [record.tags.get(t, "").lower() for t in ("sp", "p")]
        return name, next((p for p in meant if p in dmarc_syntax.POLICIES), None)
    tag = "sp" if "sp" in record.tags else "p"
    policy = record.tags[tag].lower()
    params = {"name": name, "tag": tag, "policy": policy, "psd": walk.records[0].psd == "y"}
    return verdict(
        base,
        [Finding("dmarc.inherited", "done", params)],
        found=(text,),
        expected=text,
        details={"tags": record.tags, "inherited_from": name},
    )
