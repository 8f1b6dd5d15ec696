"""The DMARC record of the sender domain (RFC 7489), or the one it inherits."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from mitwirkung.checks import dmarc as dmarc_syntax
from mitwirkung.checks.dns.common import (
    PROPAGATION,
    Context,
    RecordCheck,
    base_record,
    doubled_message,
    unavailable,
    unquote,
)


async def check_dmarc(ctx: Context) -> RecordCheck:
    """Check the DMARC record; it is advice only and never fails."""
    fqdn = f"_dmarc.{ctx.domain}"
    starter = dmarc_syntax.starter(ctx.domain)
    starter_fix = f"{starter}. {dmarc_syntax.MAILBOX_NOTE}"
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
        return unavailable(base, "den DMARC-Eintrag")
    records = [t for t in main.texts if dmarc_syntax.is_dmarc(t)]
    attempts = [t for t in main.texts if dmarc_syntax.is_dmarc_attempt(t)]
    base = replace(base, found=tuple(records + attempts))
    if not records and len(attempts) == 1:
        repaired = dmarc_syntax.repair(attempts[0])
        problems = dmarc_syntax.parse(repaired).errors
        message = (
            f"Nach „v=DMARC1“ fehlt das Semikolon: richtig ist „{repaired}“. So erkennen "
            "Empfänger den Eintrag nicht als DMARC-Eintrag."
        )
        if problems:
            return replace(
                base,
                message=f"{message} Außerdem: {' '.join(problems)}",
                fix=f"Ändern Sie den Wert des TXT-Eintrags {base.host}, zum Beispiel auf: "
                f"{starter_fix}",
            )
        return replace(
            base,
            expected=repaired,
            message=message,
            fix=f"Ändern Sie den Wert des TXT-Eintrags {base.host} auf: {repaired}",
        )
    if not records:
        if any(dmarc_syntax.is_dmarc(t) for t in doubled.texts):
            message, fix = doubled_message(ctx, fqdn, base.host)
            return replace(base, found=doubled.texts, message=message, fix=fix)
        quoted = [t for t in main.texts if dmarc_syntax.is_dmarc(unquote(t))]
        if quoted:
            return replace(
                base,
                found=tuple(quoted),
                message="Der DMARC-Eintrag enthält Anführungszeichen als Teil des Werts und wird "
                "deshalb nicht erkannt.",
                fix="Entfernen Sie die Anführungszeichen am Anfang und Ende des Werts.",
            )
        inherited = _inherited_dmarc(base, zip(parents, answers[2:], strict=True))
        if inherited:
            return inherited
        fix = await ctx.missing_fix(
            f"einen TXT-Eintrag mit Host {base.host} und Wert {starter}", base.host
        )
        return replace(
            base,
            message="Es gibt noch keinen DMARC-Eintrag. Er ist nicht Pflicht, aber empfohlen: "
            "er schützt Ihre Domain vor Fälschungen und verbessert die Zustellung.",
            fix=fix.replace(PROPAGATION, f"{dmarc_syntax.MAILBOX_NOTE} {PROPAGATION}"),
        )
    if len(records) + len(attempts) > 1:
        count = len(records) + len(attempts)
        return replace(
            base,
            message=f"Unter {fqdn} stehen {count} DMARC-Einträge; Empfänger ignorieren dann alle.",
            fix="Lassen Sie nur einen DMARC-Eintrag stehen und löschen Sie die anderen.",
        )
    record = dmarc_syntax.parse(records[0])
    if record.errors:
        return replace(
            base,
            message="Der DMARC-Eintrag ist fehlerhaft: " + " ".join(record.errors),
            fix=f"Korrigieren Sie den Eintrag, zum Beispiel auf: {starter_fix}",
            details={"tags": record.tags},
        )
    note = (
        " Er beobachtet nur (p=none) und weist noch nichts ab." if record.policy == "none" else ""
    )
    return replace(
        base,
        state="done",
        expected=records[0],
        message=f"Der DMARC-Eintrag ist gültig (p={record.policy}).{note}",
        details={"tags": record.tags},
    )


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
        note = " Er beobachtet nur und weist noch nichts ab." if policy == "none" else ""
        return replace(
            base,
            state="done",
            found=tuple(found),
            expected=found[0],
            message=f"Für die Domain gilt der DMARC-Eintrag von {name}; für Subdomains wie "
            f"diese gilt dort {tag}={policy}.{note}",
            details={"tags": record.tags, "inherited_from": name},
        )
    return None
