"""The DKIM key record of the Mailjet selector (RFC 6376 §3.6.1).

query -> parse (checks/dkim.py) -> judge (here) -> word (wording.py). The record offered to
copy is the key PEIQ entered, or the found record with its faulty optional tags repaired;
either is parsed by the same parser first and not offered when it is not valid.
"""

from __future__ import annotations

from dataclasses import replace

from mitwirkung.checks import dkim as dkim_syntax
from mitwirkung.checks.dns.common import (
    Context,
    RecordCheck,
    edit_host,
    real_doubled,
    through_cname,
    unavailable,
    verdict,
)
from mitwirkung.checks.finding import Finding


def expected_value(exp) -> tuple[str, list[Finding]]:
    """Return the DKIM record to offer for the key PEIQ entered ("" when none or invalid)."""
    if not exp.dkim_key:
        return "", []
    record = dkim_syntax.expected_record(exp.dkim_key)
    if dkim_syntax.parse(record).failed:
        return "", [Finding("dkim.expected_invalid", "failed")]
    return record, []


async def check_dkim(ctx: Context) -> RecordCheck:
    """Check the DKIM key record of the Mailjet selector."""
    return through_cname(ctx, await _check_dkim(ctx))


async def _check_dkim(ctx: Context) -> RecordCheck:
    exp = ctx.exp
    fqdn = f"{exp.dkim_selector}._domainkey.{ctx.domain}"
    expected, prior = expected_value(exp)
    base = ctx.base("dns-dkim", fqdn, expected)
    if prior:
        base = replace(base, details={"no_copy": True})
    main = await ctx.lookup.query(fqdn, "TXT")
    if main.unavailable:
        return unavailable(base, "dkim")
    details: dict = {**base.details, **({"cname": main.cname} if main.cname else {})}
    keys = [
        (t, n) for t, n in zip(main.texts, main.parts, strict=True) if dkim_syntax.has_key_tag(t)
    ]
    base = replace(base, found=tuple(t for t, _ in keys) or main.texts, details=details)
    if not keys:
        return await _no_key(ctx, base, fqdn, main, prior)
    params = {"fqdn": fqdn, "host": edit_host(ctx, base, main), "expected": bool(expected)}
    if len(keys) > 1:
        return verdict(
            base, [*prior, Finding("dkim.many_keys", "failed", {**params, "count": len(keys)})]
        )
    text, parts = keys[0]
    details["strings"] = parts
    if '"' in text:
        return verdict(base, [*prior, Finding("dkim.quoted", "failed", params)], details=details)
    key = dkim_syntax.parse(text)
    details.update({"key_type": key.key_type, "key_bits": key.bits})
    base = replace(base, details=details)
    if key.failed and await ctx.synthesized(fqdn, "TXT", main):
        return await _no_key(ctx, base, fqdn, replace(main, texts=()), prior, "TXT")
    if key.failed:
        rest = [t for t in main.texts if not dkim_syntax.has_key_tag(t)]
        if rest and any(f.code == "dkim.key_broken" for f in key.failed):
            split = Finding("dkim.split", "failed", {**params, "count": len(main.texts)})
            return verdict(base, [*prior, split], found=main.texts)
        faults = [replace(f, params={**params, **f.params}) for f in key.faults]
        if any(f.code in ("dkim.key_broken", "dkim.no_key") for f in faults):
            return verdict(base, [*prior, *faults])
        if expected:
            return verdict(base, [*prior, *faults, Finding("dkim.use_value_above", "done")])
        repaired = dkim_syntax.repair(text)
        if repaired and not exp.dkim_key:
            return verdict(
                base, [*faults, Finding("dkim.use_value_above", "done")], expected=repaired
            )
        fallback = (
            "dkim.paste_again"
            if any(f.code == "dkim.key_broken" for f in faults)
            else "dkim.ask_peiq"
        )
        return verdict(base, [*prior, *faults, Finding(fallback, "done", params)])
    if exp.dkim_key and expected and not dkim_syntax.same_key(key, exp.dkim_key):
        return verdict(base, [Finding("dkim.mismatch", "failed", {**params, "record": expected})])
    if key.bits is not None and key.bits < 1024:
        return verdict(
            base, [*prior, Finding("dkim.too_weak", "failed", {**params, "bits": key.bits})]
        )
    via = {"via": main.cname or ""}
    warnings = [replace(f, params={**params, **f.params}) for f in key.faults]
    if key.upper_tags:
        upper = {
            "wrong": [f"{n}=" for n in key.upper_tags],
            "right": [f"{n.lower()}=" for n in key.upper_tags],
        }
        warnings.append(Finding("dkim.upper_tags", "warning", {**params, **upper}))
    if key.pkcs1:
        warnings.append(Finding("dkim.pkcs1", "warning", params))
    if key.bits is not None and key.bits < 2048:
        warnings.append(Finding("dkim.weak", "warning", {**params, **via, "bits": key.bits}))
    if warnings or prior:
        if expected or prior or key.pkcs1:
            offer = expected  # a PKCS#1 key is re-encoded only from the key PEIQ entered
        else:
            offer = dkim_syntax.repair(text) if key.upper_tags else text
        return verdict(base, [*prior, *warnings], expected=offer or "")
    ok = Finding("dkim.ok", "done", {**params, **via, "bits": key.bits or 0})
    return verdict(base, [ok], expected=expected or text)


async def _no_key(
    ctx: Context, base: RecordCheck, fqdn: str, main, prior, synthesized: str = ""
) -> RecordCheck:
    """Judge a DKIM name without key: entered twice, a CNAME or A record there, or nothing.

    Whatever a wildcard (RFC 4592) produces at the name is no record the customer could delete:
    a TXT record at the exact name simply takes precedence over it.
    """
    entered_twice = await real_doubled(ctx, base, fqdn, dkim_syntax.has_key_tag)
    if entered_twice:
        return entered_twice
    params = {"fqdn": fqdn, "host": base.host}
    wildcard = []
    if synthesized:
        wildcard = [Finding("dns.wildcard", "done", {**params, "what": synthesized})]
    elif main.cname:
        if not await ctx.synthesized(fqdn, "TXT", main):
            return verdict(
                base,
                [
                    *prior,
                    Finding(
                        "dkim.cname_no_key",
                        "failed",
                        {**params, "target": main.cname, "gone": main.status == "nxdomain"},
                    ),
                ],
            )
        wildcard = [Finding("dns.wildcard", "done", {**params, "what": "CNAME"})]
    elif main.texts and await ctx.synthesized(fqdn, "TXT", main):
        wildcard = [Finding("dns.wildcard", "done", {**params, "what": "TXT"})]
    else:
        address = await ctx.lookup.query(fqdn, "A")
        if address.status == "ok" and address.texts:
            if not await ctx.synthesized(fqdn, "A", address):
                found = tuple(f"A {a}" for a in address.texts)
                return verdict(
                    base, [*prior, Finding("dkim.address", "failed", params)], found=found
                )
            wildcard = [Finding("dns.wildcard", "done", {**params, "what": "A"})]
    where = await ctx.where(base.host)
    found = () if wildcard else base.found
    return verdict(
        base,
        [*prior, Finding("dkim.missing", "failed", {**params, **where}), *wildcard],
        found=found,
    )
