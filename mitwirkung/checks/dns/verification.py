"""The Mailjet verification TXT record."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from mitwirkung.checks.dns.common import (
    Context,
    RecordCheck,
    base_record,
    cname_message,
    doubled_message,
    unavailable,
    unquote,
)


async def check_verification(ctx: Context) -> RecordCheck:
    """Check the Mailjet verification TXT record."""
    fqdn, value = ctx.exp.verification_name, unquote(ctx.exp.verification_value)
    base = base_record("dns-verification", fqdn, ctx.domain, value)
    main, doubled = await asyncio.gather(
        ctx.lookup.query(fqdn, "TXT"), ctx.lookup.query(ctx.doubled(fqdn), "TXT")
    )
    base = replace(base, found=main.texts)
    if any(unquote(t).lower() == value.lower() for t in main.texts):
        return replace(
            base, state="done", message=f"Der Bestätigungseintrag unter {fqdn} ist vorhanden."
        )
    if main.unavailable:
        return unavailable(base, f"den Bestätigungseintrag {fqdn}")
    if any(unquote(t).lower() == value.lower() for t in doubled.texts):
        message, fix = doubled_message(ctx, fqdn, base.host)
        return replace(base, found=doubled.texts, message=message, fix=fix)
    if main.cname and not main.texts:
        return replace(
            base,
            message=cname_message(fqdn, main.cname),
            fix=f"Löschen Sie den CNAME-Eintrag und legen Sie einen TXT-Eintrag mit dem Wert "
            f"{value} an.",
            details={"cname": main.cname},
        )
    if main.texts:
        return replace(
            base,
            message=f"Unter {fqdn} steht ein TXT-Eintrag, aber mit einem anderen Wert als dem, "
            "den Mailjet erwartet.",
            fix=f"Ändern Sie den Wert des TXT-Eintrags {base.host} auf: {value}",
        )
    return replace(
        base,
        message=f"Der Bestätigungseintrag (TXT unter {fqdn}) wurde nicht gefunden.",
        fix=await ctx.missing_fix(
            f"einen TXT-Eintrag mit Host {base.host} und Wert {value}", base.host
        ),
    )
