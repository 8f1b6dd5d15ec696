"""What every record check shares: the expectation, the verdict types and the context."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field, replace

from mitwirkung.checks import spf as spf_syntax
from mitwirkung.checks.dns import wording
from mitwirkung.checks.dns.lookup import Answer, Lookup
from mitwirkung.checks.domain import absolute_name, display_domain, normalize_domain, relative_host
from mitwirkung.checks.finding import Finding, worst

DEFAULT_SPF = f"v=spf1 include:{spf_syntax.MAILJET_INCLUDE} ~all"
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

RANK = {"done": 0, "warning": 1, "failed": 2}


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
    findings: tuple[Finding, ...] = ()  # what the message and fix were worded from


@dataclass(frozen=True)
class DnsReport:
    """All record verdicts of one check run."""

    domain: str
    records: tuple[RecordCheck, ...]
    nameservers: tuple[str, ...]
    dns_unavailable: bool
    duration_ms: int


@dataclass(frozen=True)
class Context:
    """What every record check needs besides its own queries."""

    exp: MailjetExpectation
    lookup: Lookup
    authority: asyncio.Task  # -> tuple of NS names
    probe: str = field(default_factory=lambda: f"mw-probe-{secrets.token_hex(5)}")

    async def synthesized(self, name: str, rtype: str, answer: Answer) -> bool:
        """Tell whether answer for name may come from a wildcard rather than a record there.

        RFC 4592: a wildcard answers for names that do not exist. A sibling name nobody
        publishes (a random label) gets the same answer only when a wildcard produced it.
        """
        if answer.status != "ok" and not answer.cname:
            return False
        probe = await self.lookup.query(f"{self.probe}.{name.split('.', 1)[1]}", rtype)
        return (probe.status, probe.cname is not None, set(probe.texts)) == (
            answer.status,
            answer.cname is not None,
            set(answer.texts),
        )

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


def unavailable(base: RecordCheck, what: str) -> RecordCheck:
    """Return base as a warning that the DNS did not answer."""
    return replace(
        base,
        state="warning",
        message=UNAVAILABLE.format(what=what),
        fix=UNAVAILABLE_FIX,
        details={**base.details, "dns_unavailable": True},
    )


def unquote(text: str) -> str:
    """Strip whitespace and surrounding quotes a DNS panel may have stored in the value."""
    return text.strip().strip("\"'“”„").strip()


def base_record(item_id: str, fqdn: str, domain: str, expected: str) -> RecordCheck:
    return RecordCheck(
        item_id, "TXT", relative_host(fqdn, domain), fqdn, expected, "failed", (), "", ""
    )


def doubled_message(ctx: Context, fqdn: str, host: str) -> tuple[str, str]:
    doubled = ctx.doubled(fqdn)
    return (
        f"Der Eintrag steht unter {doubled}: Sie haben den vollständigen Namen als Host "
        f"eingetragen, und Ihr DNS-Anbieter hängt die Domain noch einmal an.",
        f"Sie haben „{relative_host(doubled, ctx.domain)}“ eingetragen; richtig ist als Host "
        f"nur `{host}`. Ändern Sie den Host entsprechend.",
    )


def cname_message(fqdn: str, target: str) -> str:
    return (
        f"Unter {fqdn} steht ein CNAME-Eintrag (Verweis auf {target}), gebraucht wird dort "
        "aber ein TXT-Eintrag. Ein Name mit CNAME kann keine weiteren Einträge haben."
    )


def add_finding(result: RecordCheck, state: str, message: str, fix: str) -> RecordCheck:
    """Return result with one more finding (the worse state wins)."""
    if result.state == "done":
        return replace(result, state=state, message=message, fix=fix)
    return replace(
        result,
        state=max(result.state, state, key=RANK.__getitem__),
        message=f"{result.message} {message}",
        fix=f"{result.fix} {fix}".strip(),
    )


def verdict(base: RecordCheck, findings: list[Finding], **fields) -> RecordCheck:
    """Return base judged by findings: the worst state, their German words, the findings."""
    message, fix = wording.words(findings)
    return replace(
        base,
        state=worst(f.state for f in findings),
        message=message,
        fix=fix,
        findings=tuple(findings),
        **fields,
    )


async def real_doubled(
    ctx: Context, base: RecordCheck, fqdn: str, answer: Answer, wanted
) -> RecordCheck | None:
    """Return the verdict "the name was entered twice" when the record stands at the doubled
    name (fqdn.domain), or None. A record there that only a wildcard produces does not count.
    """
    if not any(wanted(t) for t in answer.texts):
        return None
    doubled = ctx.doubled(fqdn)
    if await ctx.synthesized(doubled, "TXT", answer):
        return None
    message, fix = doubled_message(ctx, fqdn, base.host)
    return replace(base, found=answer.texts, message=message, fix=fix)
