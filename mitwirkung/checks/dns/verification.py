"""The Mailjet verification TXT record: its value as published, compared without cleaning."""

from __future__ import annotations

import re
from dataclasses import replace

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
from mitwirkung.checks.finding import Finding, odd_characters

_ODD = re.compile(r"[\s\u200b-\u200d\u2060\ufeff\u00ad]")


_QUOTES = "\"'“”„‚‘’«»"


def matches(text: str, value: str) -> bool:
    """Tell whether a TXT value is the verification value, exactly as Mailjet compares it.

    Quote characters stored inside the value are part of it: Mailjet's verifier compares the
    TXT string and does not find "value" when the panel stored „"value"“ (the same as DKIM).
    """
    return text.lower() == value.lower()


def _quoted(text: str, value: str) -> bool:
    """Tell whether text is the value with quote characters stored around or inside it."""
    stripped = _ODD.sub("", text)
    return any(q in stripped for q in _QUOTES) and (
        re.sub(f"[{_QUOTES}]", "", stripped).lower() == value.lower()
    )


async def check_verification(ctx: Context) -> RecordCheck:
    """Check the Mailjet verification TXT record."""
    return through_cname(ctx, await _check_verification(ctx))


async def _check_verification(ctx: Context) -> RecordCheck:
    fqdn, value = ctx.exp.verification_name, unquote(ctx.exp.verification_value)
    base = ctx.base("dns-verification", fqdn, value)
    main = await ctx.lookup.query(fqdn, "TXT")
    base = replace(base, found=main.texts)
    params = {"fqdn": fqdn, "host": base.host, "value": value}
    if any(matches(t, value) for t in main.texts):
        return verdict(base, [Finding("verification.ok", "done", params)])
    if main.unavailable:
        return unavailable(base, "verification")
    for text in main.texts:  # the value with quote characters stored as part of it
        if _quoted(text, value):
            finding = Finding("verification.quoted", "failed", {**params, "found": text})
            return verdict(base, [finding])
    for text in main.texts:  # the value with characters around it a panel did not show
        if _ODD.sub("", unquote(text)).lower() == value.lower():
            odd = odd_characters(text) or [{"char": "U+0020", "position": 1}]
            if text[:1] == " " or text[-1:] == " ":
                odd = [{"char": "U+0020", "position": 1 if text[:1] == " " else len(text)}]
            at = {"char": odd[0]["char"], "position": odd[0]["position"]}
            return verdict(base, [Finding("verification.odd_space", "failed", {**params, **at})])
    entered_twice = await real_doubled(ctx, base, fqdn, lambda t: matches(unquote(t), value))
    if entered_twice:
        return entered_twice
    wildcard = await ctx.synthesized(fqdn, "TXT", main)
    if wildcard:
        what = "CNAME" if main.cname else "TXT"
        where = await ctx.where(base.host, value)
        findings = [
            Finding("verification.missing", "failed", {**params, **where}),
            Finding("dns.wildcard", "done", {**params, "what": what}),
        ]
        return verdict(base, findings, found=())
    if main.cname and not main.texts:
        finding = Finding("verification.cname", "failed", {**params, "target": main.cname})
        return verdict(base, [finding], details={"cname": main.cname})
    if main.texts:
        params["host"] = edit_host(ctx, base, main)  # the record behind a CNAME, if one
        return verdict(base, [Finding("verification.other_value", "failed", params)])
    where = await ctx.where(base.host, value)
    return verdict(base, [Finding("verification.missing", "failed", {**params, **where})])
