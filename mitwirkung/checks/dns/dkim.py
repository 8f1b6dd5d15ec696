"""The DKIM key record of the Mailjet selector (RFC 6376 §3.6.1)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from mitwirkung.checks import dkim as dkim_syntax
from mitwirkung.checks.dns.common import (
    Context,
    RecordCheck,
    base_record,
    doubled_message,
    unavailable,
)


async def check_dkim(ctx: Context) -> RecordCheck:
    """Check the DKIM key record of the Mailjet selector."""
    exp = ctx.exp
    fqdn = f"{exp.dkim_selector}._domainkey.{ctx.domain}"
    expected = dkim_syntax.expected_record(exp.dkim_key) if exp.dkim_key else ""
    base = base_record("dns-dkim", fqdn, ctx.domain, expected)
    main, doubled = await asyncio.gather(
        ctx.lookup.query(fqdn, "TXT"), ctx.lookup.query(ctx.doubled(fqdn), "TXT")
    )
    if main.unavailable:
        return unavailable(base, "den DKIM-Schlüssel")
    details: dict = {"cname": main.cname} if main.cname else {}
    keys = [(t, n) for t, n in zip(main.texts, main.parts, strict=True) if "p=" in t.lower()]
    base = replace(base, found=tuple(t for t, _ in keys) or main.texts, details=details)
    if not keys:
        if any("p=" in t.lower() for t in doubled.texts):
            message, fix = doubled_message(ctx, fqdn, base.host)
            return replace(base, found=doubled.texts, message=message, fix=fix)
        if main.cname:
            return replace(
                base,
                message=f"{fqdn} verweist per CNAME auf {main.cname}, dort steht aber kein "
                "DKIM-Schlüssel.",
                fix="Prüfen Sie das Ziel des CNAME oder legen Sie statt des CNAME den "
                "TXT-Eintrag mit dem Schlüssel an.",
            )
        address = await ctx.lookup.query(fqdn, "A")
        if address.status == "ok" and address.texts:
            return replace(
                base,
                found=tuple(f"A {a}" for a in address.texts),
                message=f"Unter {fqdn} steht eine IP-Adresse (A-Eintrag) statt des "
                "DKIM-Schlüssels – oft, weil der DNS-Anbieter (etwa Cloudflare mit der orangen "
                "Wolke) den Eintrag als Proxy führt oder er als A statt TXT angelegt wurde.",
                fix=f"Löschen Sie den A-Eintrag {base.host} und legen Sie ihn als TXT-Eintrag "
                "an (bei Cloudflare: „Nur DNS“, graue Wolke).",
            )
        fix = await ctx.missing_fix(f"einen TXT-Eintrag mit Host {base.host}", base.host)
        return replace(
            base,
            message=f"Der DKIM-Schlüssel (TXT unter {fqdn}) wurde nicht gefunden.",
            fix=f"{fix} Erlaubt Ihr DNS-Anbieter keinen Unterstrich im Host, fragen Sie dort "
            "nach: für DKIM ist er nötig.",
        )
    copy = (
        "Kopieren Sie den Wert oben (Knopf „Kopieren“) erneut vollständig und fügen Sie ihn in "
        "einem Stück ein (oft kürzt das Eingabefeld des DNS-Anbieters lange Werte)."
        if expected
        else "Fügen Sie den Wert, den Sie von PEIQ bekommen haben, erneut vollständig und in "
        "einem Stück ein (oft kürzt das Eingabefeld des DNS-Anbieters lange Werte)."
    )
    if len(keys) > 1:
        keep = "den Eintrag mit dem Wert oben" if expected else "den aktuellen Schlüssel von PEIQ"
        return replace(
            base,
            message=f"Unter {fqdn} stehen {len(keys)} DKIM-Schlüssel; erlaubt ist genau einer.",
            fix=f"Löschen Sie die überzähligen Einträge und lassen Sie nur {keep} stehen.",
        )
    text, parts = keys[0]
    details.update({"strings": parts})
    if '"' in text:
        return replace(
            base,
            message="Der DKIM-Eintrag enthält Anführungszeichen als Teil des Werts; so ist "
            "der Schlüssel nicht lesbar.",
            fix="Entfernen Sie die Anführungszeichen aus dem Wert. Ist der Wert in mehrere "
            "Teile getrennt, fügen Sie ihn als einen Wert ohne Anführungszeichen ein.",
            details=details,
        )
    key = dkim_syntax.parse(text)
    details.update({"key_type": key.key_type, "key_bits": key.bits})
    base = replace(base, details=details)
    if key.error:
        rest = [t for t in main.texts if "p=" not in t.lower()]
        if rest and not key.revoked:
            return replace(
                base,
                found=main.texts,
                message=f"DKIM-Eintrag {fqdn}: Ihr DNS-Anbieter hat den Wert auf zwei Einträge "
                "verteilt. Empfänger lesen nur einen davon, der Schlüssel ist so unvollständig.",
                fix=f"Löschen Sie die {len(main.texts)} TXT-Einträge unter {base.host} und legen "
                f"Sie einen einzigen an. {copy}",
            )
        if key.revoked:
            fix = (
                "Ersetzen Sie den Wert durch den Wert oben (Knopf „Kopieren“)."
                if expected
                else "PEIQ schickt Ihnen den aktuellen Schlüssel; ersetzen Sie damit den Wert "
                f"des TXT-Eintrags {base.host}."
            )
        else:
            fix = copy
        return replace(base, message=f"DKIM-Eintrag {fqdn}: {key.error}", fix=fix)
    if exp.dkim_key and not dkim_syntax.same_key(key, exp.dkim_key):
        return replace(
            base,
            message=f"Unter {fqdn} steht ein anderer DKIM-Schlüssel als der, den Mailjet "
            "erwartet (vielleicht ein alter Schlüssel).",
            fix=f"Ersetzen Sie den Wert des TXT-Eintrags {base.host} durch: {expected}",
        )
    if key.bits is not None and key.bits < 1024:
        return replace(
            base,
            message=f"Der DKIM-Schlüssel unter {fqdn} ist mit {key.bits} Bit zu schwach; "
            "Empfänger ignorieren ihn.",
            fix="PEIQ erzeugt in Mailjet einen neuen 2048-Bit-Schlüssel und schickt Ihnen den "
            f"Wert; ersetzen Sie damit den Wert des TXT-Eintrags {base.host}.",
        )
    via = f" (über den CNAME auf {main.cname})" if main.cname else ""
    warnings: list[tuple[str, str]] = []  # (message, fix)
    if key.upper_tags:
        wrong = ", ".join(f"„{n}=“" for n in key.upper_tags)
        right = ", ".join(f"„{n.lower()}=“" for n in key.upper_tags)
        warnings.append(
            (
                f"Im DKIM-Eintrag unter {fqdn} ist {wrong} großgeschrieben. Die Kennzeichen "
                "unterscheiden Groß- und Kleinschreibung; viele Empfänger finden den Schlüssel "
                "so nicht.",
                f"Ändern Sie im Wert {wrong} in {right} (klein geschrieben), den Rest des Werts "
                "lassen Sie unverändert.",
            )
        )
    if key.pkcs1:
        warnings.append(
            (
                f"Der DKIM-Schlüssel unter {fqdn} steht im falschen Format (PKCS#1); viele "
                "Empfänger können ihn so nicht lesen.",
                "Ersetzen Sie den Wert durch den Wert oben (Knopf „Kopieren“)."
                if expected
                else "Der Schlüssel steht im falschen Format (PKCS#1); PEIQ schickt Ihnen den "
                f"Wert im richtigen Format. Ersetzen Sie damit den Wert des TXT-Eintrags "
                f"{base.host}.",
            )
        )
    if key.bits is not None and key.bits < 2048:
        warnings.append(
            (
                f"Der DKIM-Schlüssel unter {fqdn}{via} ist gültig, aber mit {key.bits} Bit "
                "schwach.",
                "Sie müssen jetzt nichts tun: PEIQ erzeugt in Mailjet einen neuen "
                "2048-Bit-Schlüssel; bis dahin funktioniert dieser. Den neuen Wert bekommen Sie "
                "dann von PEIQ.",
            )
        )
    if warnings:
        return replace(
            base,
            state="warning",
            message=" ".join(m for m, _ in warnings),
            fix=" ".join(f for _, f in warnings),
        )
    size = f"{key.bits}-Bit-RSA" if key.bits else "Ed25519"
    return replace(
        base,
        state="done",
        expected=expected or text,
        message=f"Der DKIM-Schlüssel unter {fqdn}{via} ist gültig ({size}).",
    )
