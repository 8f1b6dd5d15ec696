"""Live DNS check for the Mailjet path: verification, SPF, DKIM and DMARC records.

Everything comes in by arguments and goes out as a frozen DnsReport; nothing here knows
Flask or the database. Independent queries run concurrently and each (name, type) is asked
once per check, so a check takes about its longest chain of dependent queries.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field, replace

import dns.asyncresolver
import dns.exception
import dns.name
import dns.nameserver
import dns.rdatatype
import dns.resolver

from mitwirkung.checks import dkim, dmarc, spf
from mitwirkung.checks.domain import (
    DomainError,
    absolute_name,
    display_domain,
    normalize_domain,
    relative_host,
)
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

DEFAULT_SPF = f"v=spf1 include:{spf.MAILJET_INCLUDE} ~all"
PROPAGATION = (
    "Ein gerade angelegter Eintrag kann einige Minuten, selten einige Stunden, brauchen, "
    "bis er überall sichtbar ist; diese Seite prüft dann von selbst erneut."
)
UNAVAILABLE = (
    "Der DNS-Server antwortet gerade nicht (Zeitüberschreitung oder Serverfehler), deshalb "
    "konnten wir {what} im Moment nicht prüfen. Das heißt nicht, dass der Eintrag fehlt."
)
UNDERSCORE_NOTE = (
    " Lässt Ihr Anbieter keinen Unterstrich (_) im Host zu, fragen Sie dessen Support oder PEIQ."
)
UNAVAILABLE_FIX = "Bitte prüfen Sie es in einigen Minuten erneut."


@dataclass(frozen=True)
class MailjetExpectation:
    """What Mailjet asks the customer to publish for one sender domain."""

    domain: str
    verification_name: str
    verification_value: str
    dkim_selector: str = "mailjet"
    dkim_key: str | None = None

    def __post_init__(self):
        domain = normalize_domain(self.domain)
        object.__setattr__(self, "domain", domain)
        object.__setattr__(self, "verification_name", absolute_name(self.verification_name, domain))
        selector = self.dkim_selector.strip().strip(".").lower() or "mailjet"
        selector = selector.removesuffix("." + domain).removesuffix("._domainkey")
        object.__setattr__(self, "dkim_selector", selector)


@dataclass(frozen=True)
class RecordCheck:
    """The verdict on one DNS record the customer has to publish."""

    item_id: str
    rtype: str
    host: str
    fqdn: str
    expected: str
    state: str  # "done" | "warning" | "failed"
    found: tuple[str, ...]
    message: str
    fix: str
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DnsReport:
    """All record verdicts of one check run."""

    domain: str
    records: tuple[RecordCheck, ...]
    nameservers: tuple[str, ...]
    dns_unavailable: bool
    duration_ms: int


# --- resolution ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """The outcome of one query, with NXDOMAIN, no data, SERVFAIL and timeout told apart."""

    status: str  # "ok" | "nxdomain" | "nodata" | "servfail" | "timeout"
    texts: tuple[str, ...] = ()  # TXT: the strings of each record joined; else rdata text
    parts: tuple[int, ...] = ()  # TXT: number of character-strings per record
    cname: str | None = None  # where a CNAME led, when one was followed

    @property
    def unavailable(self) -> bool:
        return self.status in ("servfail", "timeout")

    @property
    def empty(self) -> bool:
        return self.status in ("nxdomain", "nodata")


class Lookup:
    """Ask each (name, type) once per check, all within one deadline."""

    def __init__(self, resolver: dns.asyncresolver.Resolver, deadline: float):
        self.resolver = resolver
        self.deadline = deadline
        self._tasks: dict[tuple[str, str], asyncio.Task] = {}

    def query(self, name: str, rtype: str) -> Awaitable[Answer]:
        """Return the (shared) answer for name and rtype."""
        key = (name.rstrip(".").lower(), rtype)
        if key not in self._tasks:
            self._tasks[key] = asyncio.ensure_future(self._ask(*key))
        return asyncio.shield(self._tasks[key])

    async def _ask(self, name: str, rtype: str) -> Answer:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0.01:
            return Answer("timeout")
        try:
            qname = dns.name.from_text(name)
        except dns.exception.DNSException:
            return Answer("nxdomain")  # a name too long for DNS cannot exist
        try:
            answer = await self.resolver.resolve(
                qname, rtype, lifetime=remaining, raise_on_no_answer=False, search=False
            )
        except dns.resolver.NXDOMAIN as error:
            return Answer("nxdomain", cname=_cname_of(error, qname))
        except (dns.exception.Timeout, dns.resolver.LifetimeTimeout):
            return Answer("timeout")
        except (dns.resolver.NoNameservers, dns.exception.DNSException, OSError):
            return Answer("servfail")
        cname = answer.canonical_name if answer.canonical_name != qname else None
        cname_text = cname.to_text(omit_final_dot=True) if cname else None
        if answer.rrset is None:
            return Answer("nodata", cname=cname_text)
        if answer.rdtype == dns.rdatatype.TXT:
            texts = tuple(b"".join(r.strings).decode("utf-8", "replace") for r in answer)
            parts = tuple(len(r.strings) for r in answer)
            return Answer("ok", texts, parts, cname_text)
        texts = tuple(r.to_text() for r in answer)
        return Answer("ok", texts, (), cname_text)


def _cname_of(error: dns.resolver.NXDOMAIN, qname: dns.name.Name) -> str | None:
    """Return where a CNAME led before the NXDOMAIN, if it did."""
    try:
        canonical = error.canonical_name
    except Exception:
        return None
    return canonical.to_text(omit_final_dot=True) if canonical != qname else None


# --- shared wording -----------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What every record check needs besides its own queries."""

    exp: MailjetExpectation
    lookup: Lookup
    authority: asyncio.Task  # -> tuple of NS names

    @property
    def domain(self) -> str:
        return self.exp.domain

    def doubled(self, fqdn: str) -> str:
        return f"{fqdn}.{self.domain}"

    async def missing_fix(self, what: str, host: str = "") -> str:
        """Return the fix for a missing record: where to add it, and that it takes time."""
        shown = display_domain(self.domain)
        ns = await self.authority
        if ns:
            providers = sorted({".".join(n.split(".")[-2:]) for n in ns})
            where = (
                f"Legen Sie {what} bei dem DNS-Anbieter an, der für {shown} zuständig ist: "
                f"laut DNS {', '.join(providers)} (Nameserver {', '.join(ns)}). Einträge bei "
                "einem anderen Anbieter (etwa dem Webhoster) wirken nicht."
            )
        else:
            where = f"Legen Sie {what} bei dem DNS-Anbieter an, der für {shown} zuständig ist."
        if "_" in host:
            where += UNDERSCORE_NOTE
        return f"{where} {PROPAGATION}"


def _unavailable(base: RecordCheck, what: str) -> RecordCheck:
    """Return base as a warning that the DNS did not answer."""
    return replace(
        base,
        state="warning",
        message=UNAVAILABLE.format(what=what),
        fix=UNAVAILABLE_FIX,
        details={**base.details, "dns_unavailable": True},
    )


def _unquote(text: str) -> str:
    """Strip whitespace and surrounding quotes a DNS panel may have stored in the value."""
    return text.strip().strip("\"'“”„").strip()


def _base(item_id: str, fqdn: str, domain: str, expected: str) -> RecordCheck:
    return RecordCheck(
        item_id, "TXT", relative_host(fqdn, domain), fqdn, expected, "failed", (), "", ""
    )


def _doubled_message(ctx: Context, fqdn: str, host: str) -> tuple[str, str]:
    doubled = ctx.doubled(fqdn)
    return (
        f"Der Eintrag steht unter {doubled}: Sie haben den vollständigen Namen als Host "
        f"eingetragen, und Ihr DNS-Anbieter hängt die Domain noch einmal an.",
        f"Sie haben „{relative_host(doubled, ctx.domain)}“ eingetragen; richtig ist als Host "
        f"nur `{host}`. Ändern Sie den Host entsprechend.",
    )


def _cname_message(fqdn: str, target: str) -> str:
    return (
        f"Unter {fqdn} steht ein CNAME-Eintrag (Verweis auf {target}), gebraucht wird dort "
        "aber ein TXT-Eintrag. Ein Name mit CNAME kann keine weiteren Einträge haben."
    )


# --- verification ---------------------------------------------------------------------------


async def check_verification(ctx: Context) -> RecordCheck:
    """Check the Mailjet verification TXT record."""
    fqdn, value = ctx.exp.verification_name, _unquote(ctx.exp.verification_value)
    base = _base("dns-verification", fqdn, ctx.domain, value)
    main, doubled = await asyncio.gather(
        ctx.lookup.query(fqdn, "TXT"), ctx.lookup.query(ctx.doubled(fqdn), "TXT")
    )
    base = replace(base, found=main.texts)
    if any(_unquote(t).lower() == value.lower() for t in main.texts):
        return replace(
            base, state="done", message=f"Der Bestätigungseintrag unter {fqdn} ist vorhanden."
        )
    if main.unavailable:
        return _unavailable(base, f"den Bestätigungseintrag {fqdn}")
    if any(_unquote(t).lower() == value.lower() for t in doubled.texts):
        message, fix = _doubled_message(ctx, fqdn, base.host)
        return replace(base, found=doubled.texts, message=message, fix=fix)
    if main.cname and not main.texts:
        return replace(
            base,
            message=_cname_message(fqdn, main.cname),
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


# --- SPF ------------------------------------------------------------------------------------

_RANK = {"done": 0, "warning": 1, "failed": 2}
NO_SECOND = "Legen Sie keinen zweiten SPF-Eintrag an."


async def check_spf(ctx: Context) -> RecordCheck:
    """Check the SPF record at the domain and its whole include tree."""
    fqdn = ctx.domain
    base = _base("dns-spf", fqdn, fqdn, DEFAULT_SPF)
    main, doubled = await asyncio.gather(
        ctx.lookup.query(fqdn, "TXT"), ctx.lookup.query(ctx.doubled(fqdn), "TXT")
    )
    if main.unavailable:
        return _unavailable(base, "den SPF-Eintrag")
    records = [t for t in main.texts if spf.is_spf(t)]
    broken = [t for t in main.texts if spf.is_broken_spf(t)]
    quoted = [
        t
        for t in main.texts
        if not spf.is_spf(t) and not spf.is_broken_spf(t) and spf.is_spf(_unquote(t))
    ]
    base = replace(base, found=tuple(records + broken + quoted))
    if quoted and not records:
        fixed = _unquote(quoted[0])
        return replace(
            base,
            expected=fixed if "spf.mailjet.com" in fixed.lower() else spf.merge([fixed]),
            message="Der SPF-Eintrag enthält Anführungszeichen als Teil des Werts. Empfänger "
            "erkennen ihn deshalb nicht als SPF-Eintrag.",
            fix="Entfernen Sie die Anführungszeichen am Anfang und Ende des Werts "
            "(manche DNS-Anbieter setzen sie selbst).",
        )
    if not records and broken:
        repaired = [spf.repair_version(t) for t in broken]
        return _broken_spf(await _check_spf_records(ctx, base, repaired), broken)
    if not records:
        if any(spf.is_spf(t) for t in doubled.texts):
            message, fix = _doubled_message(ctx, fqdn, "@")
            return replace(base, found=doubled.texts, message=message, fix=fix)
        if main.cname:
            return replace(
                base,
                message=_cname_message(fqdn, main.cname),
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
        result = _add_finding(
            result,
            "warning",
            f"Außerdem steht unter @ ein falsch geschriebener SPF-Eintrag ({shown}). "
            "Empfänger ignorieren ihn.",
            "Löschen Sie den falsch geschriebenen Eintrag, damit es bei genau einem "
            "SPF-Eintrag bleibt.",
        )
    return result


def _add_finding(result: RecordCheck, state: str, message: str, fix: str) -> RecordCheck:
    """Return result with one more finding (the worse state wins)."""
    if result.state == "done":
        return replace(result, state=state, message=message, fix=fix)
    return replace(
        result,
        state=max(result.state, state, key=_RANK.__getitem__),
        message=f"{result.message} {message}",
        fix=f"{result.fix} {fix}".strip(),
    )


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
    trees = await asyncio.gather(*(spf.evaluate(ctx.lookup, fqdn, r) for r in records))
    if len(records) > 1:
        merged = spf.merge(records)
        merged_tree = await spf.evaluate(ctx.lookup, fqdn, merged)
        cost = merged_tree.lookups
        message = (
            f"Für die Domain gibt es {len(records)} SPF-Einträge. Erlaubt ist genau einer: mit "
            "mehreren ist SPF ungültig, und Empfänger können Ihre E-Mails ablehnen."
        )
        fix = (
            f"Löschen Sie alle {len(records)} SPF-Einträge (TXT unter @, beginnend mit v=spf1) "
            f"und legen Sie stattdessen diesen einen an: {merged}"
        )
        if cost > spf.LOOKUP_LIMIT:
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


def _over_limit(merged_tree: spf.SpfNode) -> tuple[str, str]:
    """Return (message, fix) for a merged record that would exceed the lookup limit."""
    costs = {k: v for k, v in merged_tree.includes.items() if k != spf.MAILJET_INCLUDE}
    heaviest = max(costs.items(), key=lambda kv: kv[1], default=None)
    which = (
        f"Einbindungen nicht mehr genutzter Dienste (am meisten kostet include:{heaviest[0]})"
        if heaviest
        else "nicht mehr benötigte Bestandteile (a, mx, exists)"
    )
    return (
        f"Mit Mailjet bräuchte der Eintrag {merged_tree.lookups} von höchstens "
        f"{spf.LOOKUP_LIMIT} DNS-Abfragen und wäre ungültig.",
        f"Entfernen Sie zuerst {which} und fügen Sie dann include:{spf.MAILJET_INCLUDE} hinzu.",
    )


async def _judge_spf(ctx: Context, base: RecordCheck, record: str, tree: spf.SpfNode):
    """Turn the evaluated tree of the one SPF record into a verdict."""
    findings: list[tuple[str, str, str]] = []  # (state, message, fix)
    details = tree.details()
    expected = record
    if tree.unavailable:
        names = ", ".join(sorted(set(tree.unavailable)))
        return _unavailable(
            replace(base, expected=record, details=details),
            f"den SPF-Eintrag vollständig (keine Antwort für {names})",
        )
    for error, error_fix in tree.errors:
        findings.append(("failed", f"Der SPF-Eintrag ist fehlerhaft: {error}", error_fix))
    over = False
    if not tree.has_mailjet:
        expected = spf.merge([record])
        merged_tree = await spf.evaluate(ctx.lookup, ctx.domain, expected)
        cost = merged_tree.lookups
        details["merged_lookups"] = cost
        message = "Der SPF-Eintrag erlaubt Mailjet noch nicht, in Ihrem Namen zu senden."
        if tree.mailjet_issues:
            message = f"{message} {' '.join(tree.mailjet_issues)}"
        if cost > spf.LOOKUP_LIMIT:
            over = True
            over_message, over_fix = _over_limit(merged_tree)
            findings.append(("failed", f"{message} {over_message}", f"{over_fix} {NO_SECOND}"))
        else:
            findings.append(
                (
                    "failed",
                    message,
                    f"Ersetzen Sie den vorhandenen Eintrag durch: {expected} "
                    f"(damit {cost} von {spf.LOOKUP_LIMIT} DNS-Abfragen). {NO_SECOND}",
                )
            )
    if tree.lookups > spf.LOOKUP_LIMIT:
        heaviest = max(tree.includes.items(), key=lambda kv: kv[1], default=None)
        costly = f" Am meisten kostet include:{heaviest[0]} ({heaviest[1]})." if heaviest else ""
        details["heaviest_include"] = heaviest[0] if heaviest else None
        findings.append(
            (
                "failed",
                f"Der SPF-Eintrag braucht {tree.lookups} DNS-Abfragen, erlaubt sind höchstens "
                f"{spf.LOOKUP_LIMIT}; Empfänger werten ihn dann als Fehler.{costly}",
                ""
                if over
                else "Entfernen Sie Einbindungen (include) von Diensten, die Sie nicht mehr "
                "nutzen, oder ersetzen Sie sie durch feste Adressen (ip4/ip6).",
            )
        )
    if len(tree.voids) > spf.VOID_LIMIT:
        findings.append(
            (
                "failed",
                f"Der SPF-Eintrag enthält {len(tree.voids)} Verweise ins Leere (erlaubt sind "
                f"höchstens {spf.VOID_LIMIT}): {', '.join(tree.voids)}.",
                "Entfernen Sie diese Bestandteile aus dem SPF-Eintrag.",
            )
        )
    dead = [
        t.text for t in tree.dead if not (t.name == "include" and t.target == spf.MAILJET_INCLUDE)
    ]
    if dead:
        all_text = next(t.text for t in tree.terms if t.name == "all" and not t.modifier)
        shown = ", ".join(f"„{t}“" for t in dead)
        it, counts, needed = (
            ("es", "zählt es", "wird") if len(dead) == 1 else ("sie", "zählen sie", "werden")
        )
        if tree.has_mailjet:
            expected = spf.merge([record], add_mailjet=False)
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
            f"({tree.lookups} von {spf.LOOKUP_LIMIT} DNS-Abfragen).",
            details=details,
        )
    state = max((f[0] for f in findings), key=_RANK.__getitem__)
    fixes = list(dict.fromkeys(f[2] for f in findings if f[2]))
    return replace(
        base,
        expected=expected,
        state=state,
        message=" ".join(f[1] for f in findings),
        fix=" ".join(fixes),
        details=details,
    )


# --- DKIM -----------------------------------------------------------------------------------


async def check_dkim(ctx: Context) -> RecordCheck:
    """Check the DKIM key record of the Mailjet selector."""
    exp = ctx.exp
    fqdn = f"{exp.dkim_selector}._domainkey.{ctx.domain}"
    expected = dkim.expected_record(exp.dkim_key) if exp.dkim_key else ""
    base = _base("dns-dkim", fqdn, ctx.domain, expected)
    main, doubled = await asyncio.gather(
        ctx.lookup.query(fqdn, "TXT"), ctx.lookup.query(ctx.doubled(fqdn), "TXT")
    )
    if main.unavailable:
        return _unavailable(base, "den DKIM-Schlüssel")
    details: dict = {"cname": main.cname} if main.cname else {}
    keys = [(t, n) for t, n in zip(main.texts, main.parts, strict=True) if "p=" in t.lower()]
    base = replace(base, found=tuple(t for t, _ in keys) or main.texts, details=details)
    if not keys:
        if any("p=" in t.lower() for t in doubled.texts):
            message, fix = _doubled_message(ctx, fqdn, base.host)
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
    key = dkim.parse(text)
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
    if exp.dkim_key and not dkim.same_key(key, exp.dkim_key):
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


# --- DMARC ----------------------------------------------------------------------------------


async def check_dmarc(ctx: Context) -> RecordCheck:
    """Check the DMARC record; it is advice only and never fails."""
    fqdn = f"_dmarc.{ctx.domain}"
    starter = dmarc.starter(ctx.domain)
    starter_fix = f"{starter}. {dmarc.MAILBOX_NOTE}"
    base = replace(_base("dns-dmarc", fqdn, ctx.domain, starter), state="warning")
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
        return _unavailable(base, "den DMARC-Eintrag")
    records = [t for t in main.texts if dmarc.is_dmarc(t)]
    attempts = [t for t in main.texts if dmarc.is_dmarc_attempt(t)]
    base = replace(base, found=tuple(records + attempts))
    if not records and len(attempts) == 1:
        repaired = dmarc.repair(attempts[0])
        problems = dmarc.parse(repaired).errors
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
        if any(dmarc.is_dmarc(t) for t in doubled.texts):
            message, fix = _doubled_message(ctx, fqdn, base.host)
            return replace(base, found=doubled.texts, message=message, fix=fix)
        quoted = [t for t in main.texts if dmarc.is_dmarc(_unquote(t))]
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
            fix=fix.replace(PROPAGATION, f"{dmarc.MAILBOX_NOTE} {PROPAGATION}"),
        )
    if len(records) + len(attempts) > 1:
        count = len(records) + len(attempts)
        return replace(
            base,
            message=f"Unter {fqdn} stehen {count} DMARC-Einträge; Empfänger ignorieren dann alle.",
            fix="Lassen Sie nur einen DMARC-Eintrag stehen und löschen Sie die anderen.",
        )
    record = dmarc.parse(records[0])
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
        found = [t for t in answer.texts if dmarc.is_dmarc(t)]
        if not found:
            continue  # nothing there, or no answer: look further up
        record = dmarc.parse(found[0])
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


# --- the whole check ------------------------------------------------------------------------


async def authoritative_ns(lookup: Lookup, domain: str) -> tuple[str, ...]:
    """Return the NS names of the zone holding domain (walking up to the parent if needed)."""
    labels = domain.split(".")
    for start in range(len(labels) - 1):
        answer = await lookup.query(".".join(labels[start:]), "NS")
        if answer.status == "ok":
            return tuple(sorted(t.rstrip(".").lower() for t in answer.texts))
        if answer.unavailable:
            return ()
    return ()


async def _guard(coro: Awaitable[RecordCheck], fallback: RecordCheck, budget: float):
    """Await coro, but never longer than budget: then say the DNS did not answer."""
    try:
        return await asyncio.wait_for(coro, max(budget, 0.05))
    except TimeoutError:
        return _unavailable(fallback, "den Eintrag")


async def check_mailjet(
    exp: MailjetExpectation, *, nameservers: list[str] | None, timeout: float
) -> DnsReport:
    """Check all records Mailjet needs for exp.domain, within timeout seconds."""
    started = time.monotonic()
    lookup = Lookup(make_resolver(nameservers), started + timeout)
    authority = asyncio.ensure_future(authoritative_ns(lookup, exp.domain))
    ctx = Context(exp, lookup, authority)
    mailjet_tree = asyncio.ensure_future(_mailjet_tree(lookup))
    domain = exp.domain
    dkim_fqdn = f"{exp.dkim_selector}._domainkey.{domain}"
    fallbacks = [
        _base("dns-verification", exp.verification_name, domain, exp.verification_value),
        _base("dns-spf", domain, domain, DEFAULT_SPF),
        _base("dns-dkim", dkim_fqdn, domain, ""),
        _base("dns-dmarc", f"_dmarc.{domain}", domain, dmarc.starter(domain)),
    ]
    coros = [check_verification(ctx), check_spf(ctx), check_dkim(ctx)]
    coros.append(check_dmarc(ctx))
    budget = timeout + 0.25
    try:
        records = await asyncio.gather(
            *(_guard(c, f, budget) for c, f in zip(coros, fallbacks, strict=True))
        )
        ns = authority.result() if authority.done() and not authority.cancelled() else ()
    finally:
        pending = [t for t in (authority, mailjet_tree, *lookup._tasks.values()) if not t.done()]
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


async def _mailjet_tree(lookup: Lookup) -> spf.SpfNode:
    """Evaluate Mailjet's own SPF record (its cost is part of every merged record)."""
    answer = await lookup.query(spf.MAILJET_INCLUDE, "TXT")
    records = [t for t in answer.texts if spf.is_spf(t)]
    if len(records) != 1:
        return spf.SpfNode(domain=spf.MAILJET_INCLUDE, record=None)
    return await spf.evaluate(lookup, spf.MAILJET_INCLUDE, records[0])


def planned_records(exp: MailjetExpectation) -> tuple[RecordCheck, ...]:
    """Return the records to publish as known before any check (state "open", nothing found).

    A check refines them: SPF, for instance, becomes the merged record when the domain
    already has one.
    """
    dkim_fqdn = f"{exp.dkim_selector}._domainkey.{exp.domain}"
    dkim_value = dkim.expected_record(exp.dkim_key) if exp.dkim_key else ""
    plan = [
        ("dns-verification", exp.verification_name, exp.verification_value),
        ("dns-spf", exp.domain, DEFAULT_SPF),
        ("dns-dkim", dkim_fqdn, dkim_value),
        ("dns-dmarc", f"_dmarc.{exp.domain}", dmarc.starter(exp.domain)),
    ]
    return tuple(
        replace(_base(item_id, fqdn, exp.domain, expected), state="open")
        for item_id, fqdn, expected in plan
    )
