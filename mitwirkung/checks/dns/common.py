"""What every record check shares: the expectation, the verdict types and the context."""

from __future__ import annotations

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
    rules: str = ""  # the RFC sections behind the message, for a one-line aside
    word_host: str = ""  # the host the words name when not `host` (a CNAME's target)


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
    """What every record check needs besides its own queries.

    zone: the zone holding the domain (see lookup.zone_cut); every host a customer types is
    relative to it, so for shop.firma.de in the zone firma.de the SPF host is "shop".
    """

    exp: MailjetExpectation
    lookup: Lookup
    zone: str
    nameservers: tuple[str, ...] = ()

    async def synthesized(self, name: str, rtype: str, answer: Answer) -> bool:
        """Tell whether answer for name may come from a wildcard (see Lookup.synthesized)."""
        return await self.lookup.synthesized(name, rtype, answer)

    @property
    def domain(self) -> str:
        return self.exp.domain

    def doubled(self, fqdn: str) -> str:
        """Return where a record lands when its full name is typed as host (the panel appends
        the zone once more)."""
        return f"{fqdn}.{self.zone}"

    def base(self, item_id: str, fqdn: str, expected: str) -> RecordCheck:
        """Return the record to judge, its host relative to the zone."""
        return base_record(item_id, fqdn, self.zone, expected)

    async def where(self, host: str, value: str = "") -> dict:
        """Return what the words for a missing record need: where to add it and what."""
        ns = self.nameservers
        return {
            "host": host,
            "value": value,
            "shown": display_domain(self.zone),
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


def base_record(item_id: str, fqdn: str, zone: str, expected: str) -> RecordCheck:
    """Return the record at fqdn, its host relative to zone ("@" for the zone's apex)."""
    return RecordCheck(
        item_id, "TXT", relative_host(fqdn, zone), fqdn, expected, "failed", (), "", ""
    )


def worded(findings, host: str) -> tuple[str, str, str]:
    """(message, fix, rules) in German for a record's findings, `host` naming the record."""
    message, fix = wording.words(findings, {"host": host})
    message, rules = wording.rules(message)
    return message, fix, rules


def reword(record: dict) -> dict:
    """A stored record (dataclasses.asdict of a RecordCheck, through JSON) with message, fix
    and rules rendered now from its findings, so a wording fix reaches stored results.

    A record stored without findings, or with a code the catalog no longer knows, keeps the
    words it was stored with.
    """
    stored = record.get("findings")
    if not stored:
        return record
    try:
        findings = [Finding(f["code"], f["state"], f.get("params") or {}) for f in stored]
        message, fix, rules = worded(findings, record.get("word_host") or record["host"])
    except (KeyError, TypeError, ValueError, IndexError):
        return record
    return {**record, "message": message, "fix": fix, "rules": rules}


def verdict(base: RecordCheck, findings: list[Finding], **fields) -> RecordCheck:
    """Return base judged by findings: the worst state, their German words, the findings."""
    message, fix, rules = worded(findings, base.host)
    return replace(
        base,
        state=worst(f.state for f in findings),
        message=message,
        fix=fix,
        rules=rules,
        findings=tuple(findings),
        **fields,
    )


async def _short_host(ctx: Context, base: RecordCheck, fqdn: str, wanted):
    """Return the verdict for a subdomain's record entered with the host relative to the domain
    (it then lands below the zone's apex), or None. Not for DMARC: a record at the parent's
    _dmarc is the parent's own policy, which a subdomain inherits."""
    typed = relative_host(fqdn, ctx.domain)
    if ctx.zone == ctx.domain or typed == "@" or base.item_id == "dns-dmarc":
        return None
    short = f"{typed}.{ctx.zone}"
    answer = await ctx.lookup.query(short, "TXT")
    if not any(wanted(t) for t in answer.texts) or await ctx.synthesized(short, "TXT", answer):
        return None
    params = {"found_at": short, "typed": typed, "host": base.host, "fqdn": fqdn}
    return verdict(base, [Finding("dns.host_short", "failed", params)], found=answer.texts)


def edit_host(ctx: Context, base: RecordCheck, answer: Answer) -> str:
    """Return the host of the record to change: where a CNAME at the name leads, if one does
    (RFC 2181 §10.1: no other record may stand beside a CNAME), else the record's own host."""
    return relative_host(answer.cname, ctx.zone) if answer.cname else base.host


def through_cname(ctx: Context, rec: RecordCheck) -> RecordCheck:
    """Return rec worded for a record found behind a CNAME: its fix names the target to change.

    Left as is when nothing was found there, when a wildcard answered, when the DNS did not
    answer, and when the record is fine.
    """
    answer = ctx.lookup.answered(rec.fqdn, "TXT")
    codes = {f.code for f in rec.findings}
    if (
        answer is None
        or not answer.cname
        or rec.state == "done"
        or not rec.found
        or rec.details.get("dns_unavailable")
        or codes & {"dns.wildcard", "dns.wildcard_record", "dns.doubled", "dmarc.cname_no_record"}
    ):
        return rec
    target_host = edit_host(ctx, rec, answer)
    note = Finding(
        "dns.via_cname", "done", {"fqdn": rec.fqdn, "target": answer.cname, "own": rec.host}
    )
    findings = [note, *rec.findings]
    message, fix, rules = worded(findings, target_host)
    return replace(rec, message=message, fix=fix, findings=tuple(findings), rules=rules,
                   word_host=target_host)  # fmt: skip


async def real_doubled(ctx: Context, base: RecordCheck, fqdn: str, wanted) -> RecordCheck | None:
    """Return the verdict "the name was entered twice" when the record stands at the doubled
    name (fqdn.zone), or "the host lacks the subdomain" when a subdomain's record stands at
    the host taken relative to the domain instead of the zone (mailjet._domainkey.firma.de for
    shop.firma.de); else None. A record there that only a wildcard produces does not count.
    """
    short = await _short_host(ctx, base, fqdn, wanted)
    if short:
        return short
    doubled = ctx.doubled(fqdn)
    answer = await ctx.lookup.query(doubled, "TXT")
    if not any(wanted(t) for t in answer.texts):
        return None
    if await ctx.synthesized(doubled, "TXT", answer):
        return None
    state = "failed"  # also for DMARC: at the doubled name it is no one's policy
    params = {"doubled": doubled, "typed": relative_host(doubled, ctx.zone), "host": base.host}
    return verdict(base, [Finding("dns.doubled", state, params)], found=answer.texts)
