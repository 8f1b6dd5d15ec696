"""The receiver's verdict on one message (SPF, every DKIM signature, DMARC, ARC) and the state
it gives the checklist item mail-received (PRODUCT.md §2 "Empfangsprüfung").

Stored as JSON: Verdict.to_dict() / Verdict.from_dict(); German words come from wording.py at
display time, so stored verdicts read in the current wording.
"""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field

import dkim as dkimpy
import dns.resolver

from mitwirkung.checks.inbound import dkim as dkim_check
from mitwirkung.checks.inbound.dkim import DkimEntry
from mitwirkung.checks.inbound.dmarc import DmarcResult, evaluate, prefetch
from mitwirkung.checks.inbound.dnsquery import TxtLookup
from mitwirkung.checks.inbound.spf import SpfResult, ascii_domain, check_host, identity

VERSION = 1
MAX_ARC_SETS = 5  # ARC sets verified; a longer chain is reported "unchecked" (RFC 8617 allows
# 50; ARC is reported only, never counted, so a receiver may stop earlier)


@dataclass(frozen=True)
class ArcResult:
    """What the ARC headers (RFC 8617) say: how many sets and the chain validation (cv).

    chain: "none" (no ARC headers), "pass", "fail", "unchecked" (more than MAX_ARC_SETS sets,
    not verified). Reported only: a receiver trusting an ARC
    sealer may override a DMARC fail; this verdict never does (it trusts no sealer).
    """

    instances: int = 0
    chain: str = "none"
    sealer: str = ""  # d= of the newest ARC-Seal

    def to_dict(self) -> dict:
        """Return the result as a JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ArcResult:
        """Rebuild a result from to_dict()'s output."""
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


@dataclass(frozen=True)
class Verdict:
    """The receiver's verdict: spf, dkim (one entry per verified signature, top first, at most
    dkim.MAX_SIGNATURES), dmarc, arc; dkim_unchecked: how many further signatures were not
    verified ("nicht geprüft")."""

    spf: SpfResult
    dkim: tuple[DkimEntry, ...]
    dmarc: DmarcResult
    arc: ArcResult = field(default_factory=ArcResult)
    dkim_unchecked: int = 0

    def to_dict(self) -> dict:
        """Return the verdict as a JSON-ready dict (with a format version)."""
        return {
            "version": VERSION,
            "spf": self.spf.to_dict(),
            "dkim": [entry.to_dict() for entry in self.dkim],
            "dmarc": self.dmarc.to_dict(),
            "arc": self.arc.to_dict(),
            "dkim_unchecked": self.dkim_unchecked,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Verdict:
        """Rebuild a verdict from to_dict()'s output."""
        return cls(
            spf=SpfResult.from_dict(data["spf"]),
            dkim=tuple(DkimEntry.from_dict(e) for e in data.get("dkim", ())),
            dmarc=DmarcResult.from_dict(data["dmarc"]),
            arc=ArcResult.from_dict(data.get("arc") or {}),
            dkim_unchecked=int(data.get("dkim_unchecked") or 0),
        )


def item_state(verdict: Verdict | dict) -> str:
    """Return mail-received's state after a receipt: "done", "warning" or "failed".

    done: DMARC passes, or the From domain has no DMARC record and SPF or DKIM passes for the
    From domain itself. failed: DMARC fails and the domain's policy makes a receiver reject or
    quarantine the message. warning: everything else that arrived - no aligned pass under
    policy none, no record and no pass, or a DNS failure ("nicht prüfbar", never a failure).
    """
    if isinstance(verdict, dict):
        verdict = Verdict.from_dict(verdict)
    dmarc = verdict.dmarc
    if dmarc.result == "pass":
        return "done"
    if dmarc.result == "none" and dmarc.from_domain:
        author = dmarc.from_domain
        if verdict.spf.result == "pass" and verdict.spf.domain == author:
            return "done"
        if any(e.result == "pass" and e.domain == author for e in verdict.dkim):
            return "done"
        return "warning"
    if dmarc.result == "fail" and dmarc.disposition in ("quarantine", "reject"):
        return "failed"
    return "warning"


def from_own_domain(from_domain: str | None, domains: list[str] | tuple[str, ...]) -> bool:
    """True when the RFC5322.From domain is one of domains or a subdomain of one.

    Names compare as A-labels, case-insensitively (RFC 5890; RFC 1035 §2.3.3). The From
    domain is the author's (RFC 9989 Author Domain), which a mail sent on the customer's path
    carries; None (no single From) never matches. domains empty: never called (see
    inbound.counts_for).
    """
    if not from_domain:
        return False
    author = ascii_domain(from_domain)
    for domain in domains:
        own = ascii_domain(domain)
        if own and (author == own or author.endswith("." + own)):
            return True
    return False


def _signing_domains(raw: bytes) -> tuple[str, ...]:
    """Return the d= of the DKIM-Signatures of raw that are verified (the first
    dkim.MAX_SIGNATURES; unreadable ones and names that are no domain left out)."""
    try:
        tags = dkim_check.signatures(raw)[: dkim_check.MAX_SIGNATURES]
    except Exception:  # noqa: BLE001 - headers dkimpy cannot parse: no signatures
        return ()
    return tuple(t[b"d"].decode("ascii", "replace").strip() for t in tags if dkim_check.key_name(t))


def _arc_keys(raw: bytes) -> tuple[list, set[str], int]:
    """Return the ARC-Seals, the key names of seals and message signatures, and the number
    of sets (the larger count of either header: a set has one of each, RFC 8617 §4.1)."""
    seals = dkim_check.signatures(raw, b"arc-seal")
    signatures = dkim_check.signatures(raw, b"arc-message-signature")
    sets = max(len(seals), len(signatures))
    if sets > MAX_ARC_SETS:
        return seals, set(), sets
    names = {n for n in map(dkim_check.key_name, seals + signatures) if n}
    return seals, names, sets


def _arc_verify(raw: bytes, keys: dict[str, list[str] | None]) -> str:
    def dnsfunc(name, timeout=None):
        key = name.decode("ascii", "replace") if isinstance(name, bytes) else name
        answer = keys.get(key.lower().rstrip("."))
        return answer[0].encode("utf-8") if answer else None

    try:
        chain, _results, _reason = dkimpy.ARC(raw, logger=dkim_check._QUIET).verify(dnsfunc)
    except Exception:  # noqa: BLE001 - untrusted input may break dkimpy anywhere: chain fails
        return "fail"
    value = chain.decode("ascii", "replace") if isinstance(chain, bytes) else str(chain)
    return value.lower() if value.lower() in ("pass", "fail", "none") else "fail"


def _instance(tags: dict[bytes, bytes]) -> int:
    """Return an ARC set's i= (RFC 8617 §4.2.1) as a number, 0 when unreadable."""
    value = tags.get(b"i", b"").strip()
    return int(value) if value.isdigit() and len(value) < 4 else 0


async def arc(raw: bytes, txt: TxtLookup) -> ArcResult:
    """Report the message's ARC chain (never counted as a DMARC pass)."""
    try:
        seals, names, sets = _arc_keys(raw)
    except Exception:  # noqa: BLE001 - headers dkimpy cannot parse: no ARC to report
        return ArcResult()
    if sets > MAX_ARC_SETS:  # more sets than this receiver verifies: reported, not verified
        return ArcResult(sets, "unchecked", "")
    if not seals:
        return ArcResult()
    keys = await dkim_check.fetch_keys(names, txt)
    chain = await asyncio.to_thread(_arc_verify, raw, keys)
    instances = [t.get(b"i", b"0") for t in seals if t]
    newest = max((t for t in seals if t), key=_instance, default={})
    sealer = newest.get(b"d", b"").decode("ascii", "replace") if newest else ""
    return ArcResult(len(instances), chain, sealer.lower())


async def judge_message_async(
    raw: bytes,
    *,
    peer_ip: str,
    helo: str,
    mail_from: str,
    nameservers: list[str] | None = None,
    timeout: float = 20.0,
    cache: dns.resolver.CacheBase | None = None,
) -> Verdict:
    """The receiver's verdict on raw (the message as received, CRLF or LF line ends).

    peer_ip: the SMTP client's address; helo: its HELO/EHLO name; mail_from: the envelope
    sender ("" for the null sender <>). SPF checks the MAIL FROM domain, or the HELO name for a
    null sender (RFC 7208 §2.4). timeout: seconds all DNS lookups of the verdict may take
    (SPF, keys and DMARC run side by side, each within it). cache: a dnspython cache shared
    between verdicts (dns.resolver.LRUCache(); TTLs honoured), default none. Never raises for
    DNS faults (temperror results); a message without From gives DMARC permerror.
    """
    txt = TxtLookup(nameservers, timeout, cache)
    domain, sender = identity(mail_from, helo)
    scope = "mailfrom" if (mail_from or "").strip().strip("<>") else "helo"
    # SPF mostly waits on DNS: a thread of this verdict's own, so a silent DNS server cannot
    # occupy the default executor that DKIM's verification (CPU) runs on
    spf_thread = ThreadPoolExecutor(1, thread_name_prefix="spf")
    spf_check = functools.partial(
        check_host,
        peer_ip,
        domain,
        sender,
        helo=helo,
        nameservers=nameservers,
        timeout=timeout,
        scope=scope,
        cache=cache,
    )
    spf_task = asyncio.get_running_loop().run_in_executor(spf_thread, spf_check)
    try:
        # the DMARC walks do not depend on SPF and DKIM results: their answers come meanwhile
        spf, (dkim, unchecked), arc_result, _ = await asyncio.gather(
            spf_task,
            dkim_check.verify_all(raw, txt),
            arc(raw, txt),
            prefetch(raw, txt, (domain, *_signing_domains(raw))),
        )
    finally:
        spf_thread.shutdown(wait=False)
    dmarc = await evaluate(raw, spf, dkim, txt)
    return Verdict(spf, dkim, dmarc, arc_result, unchecked)


def judge_message(
    raw: bytes,
    *,
    peer_ip: str,
    helo: str,
    mail_from: str,
    nameservers: list[str] | None = None,
    timeout: float = 20.0,
    cache: dns.resolver.CacheBase | None = None,
) -> Verdict:
    """Blocking judge_message_async() for scripts (must not be called inside an event loop)."""
    return asyncio.run(
        judge_message_async(
            raw,
            peer_ip=peer_ip,
            helo=helo,
            mail_from=mail_from,
            nameservers=nameservers,
            timeout=timeout,
            cache=cache,
        )
    )
