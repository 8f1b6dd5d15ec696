"""What every record check shares: the expectation, the verdict types and the context."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace

from mitwirkung.checks import spf as spf_syntax
from mitwirkung.checks.dns.lookup import Lookup
from mitwirkung.checks.domain import absolute_name, display_domain, normalize_domain, relative_host

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
