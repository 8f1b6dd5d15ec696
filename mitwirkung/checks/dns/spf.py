"""The SPF record at the sender domain (RFC 7208), judged with its whole include tree."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from mitwirkung.checks import spf as spf_syntax
from mitwirkung.checks.dns.common import (
    DEFAULT_SPF,
    RANK,
    Context,
    RecordCheck,
    add_finding,
    base_record,
    cname_message,
    doubled_message,
    unavailable,
    unquote,
)

NO_SECOND = "Legen Sie keinen zweiten SPF-Eintrag an."


async def check_spf(ctx: Context) -> RecordCheck:
    """Check the SPF record at the domain and its whole include tree."""
    fqdn = ctx.domain
    base = base_record("dns-spf", fqdn, fqdn, DEFAULT_SPF)
    main, doubled = await asyncio.gather(
        ctx.lookup.query(fqdn, "TXT"), ctx.lookup.query(ctx.doubled(fqdn), "TXT")
    )
    if main.unavailable:
        return unavailable(base, "den SPF-Eintrag")
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
        fixed = unquote(quoted[0])
        return replace(
            base,
            expected=fixed
            if "spf.mailjet.com" in fixed.lower()
            else spf_syntax.merge([fixed]),
            message="Der SPF-Eintrag enthält Anführungszeichen als Teil des Werts. Empfänger "
            "erkennen ihn deshalb nicht als SPF-Eintrag.",
            fix="Entfernen Sie die Anführungszeichen am Anfang und Ende des Werts "
            "(manche DNS-Anbieter setzen sie selbst).",
        )
    if not records and broken:
        repaired = [spf_syntax.repair_version(t) for t in broken]
        return _broken_spf(await _check_spf_records(ctx, base, repaired), broken)
    if not records:
        if any(spf_syntax.is_spf(t) for t in doubled.texts):
            message, fix = doubled_message(ctx, fqdn, "@")
            return replace(base, found=doubled.texts, message=message, fix=fix)
        if main.cname:
            return replace(
                base,
                message=cname_message(fqdn, main.cname),
                fix="Ein SPF-Eintrag braucht einen TXT-Eintrag direkt unter der Domain. "
                "Ersetzen Sie den CNAME durch eigene Einträge oder wählen Sie eine andere "
                f"Absenderdomain. Der Wert wäre: {DEFAULT_SPF}",
                details={"cname": main.cname},
            )
        return replace(
            base,
            message="Für die Domain gibt es noch keinen SPF-Eintrag.",
            fix=await ctx.missing_fix(f"einen TXT-Eintrag mit Host @ und Wert {DEFAULT_SPF}"),
        )
    result = await _check_spf_records(ctx, base, records)
    if broken and not result.details.get("dns_unavailable"):
        shown = ", ".join(f"„{t}“" for t in broken)
        result = add_finding(
            result,
            "warning",
            f"Außerdem steht unter @ ein falsch geschriebener SPF-Eintrag ({shown}). "
            "Empfänger ignorieren ihn.",
            "Löschen Sie den falsch geschriebenen Eintrag, damit es bei genau einem "
            "SPF-Eintrag bleibt.",
        )
    return result


def _broken_spf(result: RecordCheck, broken: list[str]) -> RecordCheck:
    """Turn the verdict on the repaired record into one on the malformed "v=spf1" record."""
    if result.details.get("dns_unavailable"):
        return result
    shown = broken[0] if len(broken) == 1 else ", ".join(broken)
    message = (
        f"Der SPF-Eintrag „{shown}“ ist falsch geschrieben: nach „v=spf1“ muss ein Leerzeichen "
        "stehen (und um „=“ keines). Empfänger erkennen ihn so nicht als SPF-Eintrag."
    )
    fix = f"Ändern Sie den Wert des TXT-Eintrags (Host @) auf: {result.expected}"
    if result.state != "done":
        message = f"{message} {result.message}"
        if result.expected not in result.fix:
            fix = f"{fix} {result.fix}"
    if NO_SECOND not in fix:
        fix = f"{fix.rstrip('.')}. {NO_SECOND}"
    return replace(result, state="failed", message=message, fix=fix)


async def _check_spf_records(ctx: Context, base: RecordCheck, records: list[str]) -> RecordCheck:
    """Judge the SPF record(s) published at the domain."""
    fqdn = ctx.domain
    trees = await asyncio.gather(*(spf_syntax.evaluate(ctx.lookup, fqdn, r) for r in records))
    if len(records) > 1:
        merged = spf_syntax.merge(records)
        merged_tree = await spf_syntax.evaluate(ctx.lookup, fqdn, merged)
        cost = merged_tree.lookups
        message = (
            f"Für die Domain gibt es {len(records)} SPF-Einträge. Erlaubt ist genau einer: mit "
            "mehreren ist SPF ungültig, und Empfänger können Ihre E-Mails ablehnen."
        )
        fix = (
            f"Löschen Sie alle {len(records)} SPF-Einträge (TXT unter @, beginnend mit v=spf1) "
            f"und legen Sie stattdessen diesen einen an: {merged}"
        )
        if cost > spf_syntax.LOOKUP_LIMIT:
            over_message, over_fix = _over_limit(merged_tree)
            message = f"{message} {over_message}"
            fix = (
                f"{over_fix} Fassen Sie dabei alles in einem einzigen SPF-Eintrag zusammen "
                "und löschen Sie die übrigen."
            )
        return replace(
            base,
            expected=merged,
            message=message,
            fix=fix,
            details={"spf_records": len(records), "merged_lookups": cost},
        )
    return await _judge_spf(ctx, base, records[0], trees[0])


def _over_limit(merged_tree: spf_syntax.SpfNode) -> tuple[str, str]:
    """Return (message, fix) for a merged record that would exceed the lookup limit."""
    costs = {k: v for k, v in merged_tree.includes.items() if k != spf_syntax.MAILJET_INCLUDE}
    heaviest = max(costs.items(), key=lambda kv: kv[1], default=None)
    which = (
        f"Einbindungen nicht mehr genutzter Dienste (am meisten kostet include:{heaviest[0]})"
        if heaviest
        else "nicht mehr benötigte Bestandteile (a, mx, exists)"
    )
    return (
        f"Mit Mailjet bräuchte der Eintrag {merged_tree.lookups} von höchstens "
        f"{spf_syntax.LOOKUP_LIMIT} DNS-Abfragen und wäre ungültig.",
        f"Entfernen Sie zuerst {which} und fügen Sie dann "
        f"include:{spf_syntax.MAILJET_INCLUDE} hinzu.",
    )


async def _judge_spf(ctx: Context, base: RecordCheck, record: str, tree: spf_syntax.SpfNode):
    """Turn the evaluated tree of the one SPF record into a verdict."""
    findings: list[tuple[str, str, str]] = []  # (state, message, fix)
    details = tree.details()
    expected = record
    if tree.unavailable:
        names = ", ".join(sorted(set(tree.unavailable)))
        return unavailable(
            replace(base, expected=record, details=details),
            f"den SPF-Eintrag vollständig (keine Antwort für {names})",
        )
    for error, error_fix in tree.errors:
        findings.append(("failed", f"Der SPF-Eintrag ist fehlerhaft: {error}", error_fix))
    over = False
    if not tree.has_mailjet:
        expected = spf_syntax.merge([record])
        merged_tree = await spf_syntax.evaluate(ctx.lookup, ctx.domain, expected)
        cost = merged_tree.lookups
        details["merged_lookups"] = cost
        message = "Der SPF-Eintrag erlaubt Mailjet noch nicht, in Ihrem Namen zu senden."
        if tree.mailjet_issues:
            message = f"{message} {' '.join(tree.mailjet_issues)}"
        if cost > spf_syntax.LOOKUP_LIMIT:
            over = True
            over_message, over_fix = _over_limit(merged_tree)
            findings.append(("failed", f"{message} {over_message}", f"{over_fix} {NO_SECOND}"))
        else:
            findings.append(
                (
                    "failed",
                    message,
                    f"Ersetzen Sie den vorhandenen Eintrag durch: {expected} "
                    f"(damit {cost} von {spf_syntax.LOOKUP_LIMIT} DNS-Abfragen). {NO_SECOND}",
                )
            )
    if tree.lookups > spf_syntax.LOOKUP_LIMIT:
        heaviest = max(tree.includes.items(), key=lambda kv: kv[1], default=None)
        costly = f" Am meisten kostet include:{heaviest[0]} ({heaviest[1]})." if heaviest else ""
        details["heaviest_include"] = heaviest[0] if heaviest else None
        findings.append(
            (
                "failed",
                f"Der SPF-Eintrag braucht {tree.lookups} DNS-Abfragen, erlaubt sind höchstens "
                f"{spf_syntax.LOOKUP_LIMIT}; Empfänger werten ihn dann als Fehler.{costly}",
                ""
                if over
                else "Entfernen Sie Einbindungen (include) von Diensten, die Sie nicht mehr "
                "nutzen, oder ersetzen Sie sie durch feste Adressen (ip4/ip6).",
            )
        )
    if len(tree.voids) > spf_syntax.VOID_LIMIT:
        findings.append(
            (
                "failed",
                f"Der SPF-Eintrag enthält {len(tree.voids)} Verweise ins Leere (erlaubt sind "
                f"höchstens {spf_syntax.VOID_LIMIT}): {', '.join(tree.voids)}.",
                "Entfernen Sie diese Bestandteile aus dem SPF-Eintrag.",
            )
        )
    dead = [
        t.text
        for t in tree.dead
        if not (t.name == "include" and t.target == spf_syntax.MAILJET_INCLUDE)
    ]
    if dead:
        all_text = next(t.text for t in tree.terms if t.name == "all" and not t.modifier)
        shown = ", ".join(f"„{t}“" for t in dead)
        it, counts, needed = (
            ("es", "zählt es", "wird") if len(dead) == 1 else ("sie", "zählen sie", "werden")
        )
        if tree.has_mailjet:
            expected = spf_syntax.merge([record], add_mailjet=False)
        findings.append(
            (
                "warning",
                f"Hinter „{all_text}“ steht noch {shown}. Bestandteile hinter „all“ werden nie "
                "ausgewertet – entfernen Sie sie oder setzen Sie sie vor „all“.",
                f"Entfernen Sie {shown} (der Eintrag lautet dann: {expected}), oder setzen Sie "
                f"{it} vor „{all_text}“, wenn {it} gebraucht {needed} (dann {counts} zu den "
                "DNS-Abfragen).",
            )
        )
    qualifier = tree.all_qualifier
    if qualifier == "+":
        findings.append(
            (
                "warning",
                "Der SPF-Eintrag endet mit „+all“: damit darf jeder Server der Welt in Ihrem "
                "Namen senden.",
                "Ersetzen Sie „+all“ durch „~all“.",
            )
        )
    elif qualifier == "?":
        findings.append(
            (
                "warning",
                "Der SPF-Eintrag endet mit „?all“: damit schützt er Ihre Domain nicht.",
                "Ersetzen Sie „?all“ durch „~all“.",
            )
        )
    elif qualifier is None and tree.redirect is None:
        findings.append(
            (
                "warning",
                "Dem SPF-Eintrag fehlt am Ende „~all“ oder „-all“: fremde Server werden nicht "
                "ausgeschlossen.",
                "Ergänzen Sie am Ende des Eintrags „~all“.",
            )
        )
    if any(t.name == "ptr" and not t.modifier for t in tree.terms):
        findings.append(
            (
                "warning",
                "Der SPF-Eintrag nutzt „ptr“, das nicht mehr verwendet werden soll (langsam "
                "und unzuverlässig; manche Empfänger ignorieren es).",
                "Ersetzen Sie „ptr“ durch ip4:/ip6:-Angaben Ihrer Server.",
            )
        )
    if not findings:
        return replace(
            base,
            expected=record,
            state="done",
            message=f"Der SPF-Eintrag erlaubt Mailjet zu senden und ist gültig "
            f"({tree.lookups} von {spf_syntax.LOOKUP_LIMIT} DNS-Abfragen).",
            details=details,
        )
    state = max((f[0] for f in findings), key=RANK.__getitem__)
    fixes = list(dict.fromkeys(f[2] for f in findings if f[2]))
    return replace(
        base,
        expected=expected,
        state=state,
        message=" ".join(f[1] for f in findings),
        fix=" ".join(fixes),
        details=details,
    )
