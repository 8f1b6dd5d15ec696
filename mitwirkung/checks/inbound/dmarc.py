"""DMARC as a receiver applies it (RFC 9989): Author Domain, policy discovery by the DNS Tree
Walk, identifier alignment, result and disposition. ARC (RFC 8617) is reported, never a pass.

- Author Domain: the domain of the single address in the single From header.
  No From, several From fields or several addresses: permerror (the receiver cannot apply DMARC).
- Policy record: the Author Domain's own, else its Organizational Domain's, else its Public
  Suffix Domain's (mitwirkung.checks.dmarc_discovery, the DNS Tree Walk; psd= honoured).
- Alignment: SPF's domain (MAIL FROM, or HELO for a null sender) and each
  passing DKIM signature's d= against the Author Domain; strict (aspf=s/adkim=s) means equal,
  relaxed means the same Organizational Domain.
- Result: pass when an SPF or DKIM pass is aligned; temperror when that could only not be
  decided because DNS failed; fail otherwise; none without a policy record.
- Policy: p= at the Author Domain itself; sp= (else p=) when the record was found higher up;
  np= (else sp=, p=) when the Author Domain does not exist (NXDOMAIN). A missing p= reads
  as p=none; an invalid p=/sp=/np= as "p=none" with a valid rua=, else as no record (see
  usable_tags). t=y asks receivers to apply one step less: reject -> quarantine,
  quarantine -> none.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import asdict, dataclass
from email.parser import HeaderParser
from email.utils import getaddresses

from mitwirkung.checks import dmarc as dmarc_record
from mitwirkung.checks.dmarc_discovery import discover, org_domain
from mitwirkung.checks.inbound.dkim import DkimEntry
from mitwirkung.checks.inbound.dnsquery import TxtLookup
from mitwirkung.checks.inbound.spf import SpfResult, ascii_domain

POLICIES = ("none", "quarantine", "reject")
_SOFTER = {"reject": "quarantine", "quarantine": "none", "none": "none"}


@dataclass(frozen=True)
class DmarcResult:
    """The DMARC verdict on one message.

    result: pass | fail | none | temperror | permerror. policy: the policy that applies to the
    Author Domain (none/quarantine/reject) or "" without record. disposition: what a receiver
    following the policy does with this message: "none" (deliver), "quarantine" (spam
    folder), "reject"; "" when no policy applies. reason: a code for the wording catalog.
    """

    result: str
    from_domain: str = ""
    policy: str = ""
    disposition: str = ""
    record_domain: str = ""
    record: str = ""
    org_domain: str = ""
    aspf: str = "r"
    adkim: str = "r"
    testing: bool = False
    spf_aligned: bool = False
    dkim_aligned: tuple[str, ...] = ()  # d= of the aligned passing signatures
    reason: str = ""

    def to_dict(self) -> dict:
        """Return the result as a JSON-ready dict."""
        data = asdict(self)
        data["dkim_aligned"] = list(self.dkim_aligned)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> DmarcResult:
        """Rebuild a result from to_dict()'s output."""
        values = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        values["dkim_aligned"] = tuple(values.get("dkim_aligned", ()))
        return cls(**values)


def author_domain(raw: bytes) -> tuple[str | None, str]:
    """Return (the From domain, "") or (None, reason) when there is not exactly one address."""
    # header fields in UTF-8 are allowed (RFC 6532): decode before parsing, not as ASCII
    head = re.split(rb"\r?\n\r?\n", raw, maxsplit=1)[0].decode("utf-8", "replace")
    headers = HeaderParser().parsestr(head + "\n\n", headersonly=True)
    fields = [
        re.sub(r"\r?\n[ \t]", " ", str(v)) for k, v in headers.raw_items() if k.lower() == "from"
    ]
    if not fields:
        return None, "no_from"
    if len(fields) > 1:
        return None, "several_from"
    addresses = [a for _, a in getaddresses(fields) if a]
    if len(addresses) != 1:
        return None, "several_from" if addresses else "no_from"
    domain = ascii_domain(addresses[0].rpartition("@")[2])
    if not domain or "@" not in addresses[0]:
        return None, "no_from"
    return domain, ""


async def _aligned(domain: str, author: str, mode: str, author_org: str, txt: TxtLookup):
    """Tell whether domain aligns with author (strict: equal; relaxed: same org domain)."""
    domain = domain.lower().rstrip(".")
    if domain == author:
        return True
    if mode == "s":
        return False
    other, _ = await org_domain(domain, txt)
    return other == author_org


def usable_tags(record: dmarc_record.DmarcRecord) -> dict[str, str] | None:
    """Return the tags a receiver applies, or None when it applies no DMARC (RFC 9989).

    A missing p= reads as p=none. An invalid p=, sp= or np= makes the record count as just
    "p=none" when rua= holds a valid reporting URI, and otherwise as no record at all.
    Other invalid values fall back to their defaults (adkim=r, aspf=r, t=n).
    """
    tags = {k: v.strip().lower() for k, v in record.tags.items()}
    tags.setdefault("p", "none")
    if any(key in tags and tags[key] not in POLICIES for key in ("p", "sp", "np")):
        if dmarc_record.any_uri_ok(record.tags.get("rua", "")):
            return {"p": "none"}
        return None
    return tags


def _policy(tags: dict[str, str], at_author: bool, exists: bool | None) -> str:
    """Return p= for the Author Domain's own record; else np= for a name that does not
    exist, sp= for one that does, each falling back to sp= and p= (RFC 9989)."""
    if at_author:
        return tags["p"]
    if exists is False and "np" in tags:
        return tags["np"]
    return tags.get("sp", tags["p"])


async def prefetch(raw: bytes, txt: TxtLookup, others: tuple[str, ...] = ()) -> None:
    """Walk DNS early for the From domain and the domains that may align with it (the
    envelope domain, each DKIM d=); the answers stay in txt for evaluate()."""
    author, _ = author_domain(raw)
    if author is None:
        return
    domains = {author, *(ascii_domain(d) for d in others if d)} - {""}
    await asyncio.gather(*(org_domain(domain, txt) for domain in domains))


async def evaluate(
    raw: bytes, spf: SpfResult, dkim: tuple[DkimEntry, ...], txt: TxtLookup
) -> DmarcResult:
    """Return the DMARC verdict for raw given its SPF and DKIM results."""
    author, problem = author_domain(raw)
    if author is None:
        return DmarcResult("permerror", reason=problem)
    found, author_org, walk_failed = await discover(author, txt)
    if found is None:
        result = "temperror" if walk_failed else "none"
        return DmarcResult(result, author, org_domain=author_org, reason="no_record")
    tags = usable_tags(dmarc_record.parse(found.record))
    if tags is None:
        return DmarcResult(
            "none",
            author,
            record_domain=found.domain,
            record=found.record,
            org_domain=author_org,
            reason="record_unusable",
        )
    aspf = "s" if tags.get("aspf") == "s" else "r"
    adkim = "s" if tags.get("adkim") == "s" else "r"
    at_author = found.domain == author
    exists = None if at_author else await txt.exists(author)
    policy = _policy(tags, at_author, exists)
    testing = tags.get("t") == "y"
    spf_aligned = spf.result == "pass" and await _aligned(spf.domain, author, aspf, author_org, txt)
    passing = [e for e in dkim if e.result == "pass"]
    checks = [_aligned(e.domain, author, adkim, author_org, txt) for e in passing]
    aligned = [e.domain for e, ok in zip(passing, await asyncio.gather(*checks), strict=True) if ok]
    common = dict(
        from_domain=author,
        policy=policy,
        record_domain=found.domain,
        record=found.record,
        org_domain=author_org,
        aspf=aspf,
        adkim=adkim,
        testing=testing,
        spf_aligned=spf_aligned,
        dkim_aligned=tuple(aligned),
    )
    if spf_aligned or aligned:
        return DmarcResult("pass", disposition="none", reason="aligned_pass", **common)
    if spf.result == "temperror" or any(e.result == "temperror" for e in dkim):
        return DmarcResult("temperror", reason="dns_timeout", **common)
    disposition = _SOFTER[policy] if testing else policy
    return DmarcResult("fail", disposition=disposition, reason=_fail_reason(spf, dkim), **common)


def _fail_reason(spf: SpfResult, dkim: tuple[DkimEntry, ...]) -> str:
    """Name why nothing aligned: a pass for another domain, or no pass at all."""
    if spf.result == "pass" or any(e.result == "pass" for e in dkim):
        return "not_aligned"
    return "no_pass"
