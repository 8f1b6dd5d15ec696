"""What every record check shares: the expectation, the verdict types and the context."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace

from mitwirkung.checks import spf as spf_syntax
from mitwirkung.checks.dns import wording
from mitwirkung.checks.dns.lookup import Answer, Lookup
from mitwirkung.checks.domain import absolute_name, display_domain, normalize_domain, relative_host
from mitwirkung.checks.finding import Finding, worst

DEFAULT_SPF = f"v=spf1 include:{spf_syntax.MAILJET_INCLUDE} ~all"


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

    async def synthesized(self, name: str, rtype: str, answer: Answer) -> bool:
        """Tell whether answer for name may come from a wildcard (see Lookup.synthesized)."""
        return await self.lookup.synthesized(name, rtype, answer)

    @property
    def domain(self) -> str:
        return self.exp.domain

    def doubled(self, fqdn: str) -> str:
        return f"{fqdn}.{self.domain}"

    async def where(self, host: str, value: str = "") -> dict:
        """Return what the words for a missing record need: where to add it and what."""
        ns = await self.authority
        return {
            "host": host,
            "value": value,
            "shown": display_domain(self.domain),
            "providers": sorted({".".join(n.split(".")[-2:]) for n in ns}),
            "nameservers": list(ns),
        }


def unavailable(base: RecordCheck, subject: str, names: tuple[str, ...] = ()) -> RecordCheck:
    """Return base as a warning that the DNS did not answer (subject: "spf", "dkim", …)."""
    finding = Finding("dns.unavailable", "warning", {"subject": subject, "names": list(names)})
    return verdict(base, [finding], details={**base.details, "dns_unavailable": True})


def unquote(text: str) -> str:
    """Strip whitespace and surrounding quotes a DNS panel may have stored in the value."""
    return text.strip().strip("\"'“”„").strip()


def base_record(item_id: str, fqdn: str, domain: str, expected: str) -> RecordCheck:
    return RecordCheck(
        item_id, "TXT", relative_host(fqdn, domain), fqdn, expected, "failed", (), "", ""
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
    state = "warning" if base.item_id == "dns-dmarc" else "failed"
    params = {"doubled": doubled, "typed": relative_host(doubled, ctx.domain), "host": base.host}
    return verdict(base, [Finding("dns.doubled", state, params)], found=answer.texts)
