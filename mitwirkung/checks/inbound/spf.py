"""SPF check_host() as a receiver runs it (RFC 7208), on pyspf with our DNS.

pyspf (the reference implementation the openspf RFC 7208 test suite was written with) does the
record evaluation: term syntax, macros (§7) including exp=, the processing limits (§4.6.4:
10 DNS-querying terms, 2 void lookups, 10 MX names per "mx", 10 PTR names per "ptr") and every
result (§2.6). Its DNS is replaced by dnspython against DNS_NAMESERVERS: a timeout or SERVFAIL
becomes temperror (§2.6.6), NXDOMAIN and empty answers count as void lookups (§4.6.4).

check_host_async() runs the blocking evaluation in a worker thread so an event loop never
waits on it; check_host() is the blocking entry point (the verdict runs it on a thread of its
own). pyspf asks DNS through one module-level hook (pyspf.DNSLookup) that gets
no query object, so the resolver of the check running on a thread is kept per thread
(`_local`), set at the start of each check.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import threading
from dataclasses import asdict, dataclass

import dns.exception
import dns.name
import dns.resolver
import idna
import spf as pyspf

from mitwirkung.checks.inbound.dnsquery import sync_resolver

RESULTS = ("pass", "fail", "softfail", "neutral", "none", "temperror", "permerror")
# pyspf's error text -> our code (first match wins); other permerrors are "syntax".
PROBLEMS = (
    ("DNS lookups", "too_many_lookups"),  # RFC 7208 §4.6.4: more than 10 DNS terms
    ("Void lookup", "too_many_void_lookups"),  # §4.6.4: more than 2 void lookups
    ("Two or more type", "multiple_records"),  # §4.5: more than one v=spf1 record
    ("MX records returned", "too_many_mx"),  # §4.6.4: more than 10 MX names
    ("redirect domain has no SPF record", "redirect_no_record"),  # §6.1
    ("Non-ascii", "non_ascii"),  # §4.5/§3.3
    ("DNS timeout", "dns_timeout"),
    ("exceeded max query lookup time", "dns_timeout"),
    ("DNS error", "dns_error"),
)


def problem_code(result: str, text: str) -> str:
    """Return the kind of a temperror/permerror from pyspf's text ("" for other results)."""
    if result not in ("temperror", "permerror"):
        return ""
    for needle, code in PROBLEMS:
        if needle in text:
            return code
    return "dns_error" if result == "temperror" else "syntax"


_local = threading.local()  # the resolver of the check running on this thread (see above)


@dataclass(frozen=True)
class SpfResult:
    """The outcome of check_host() (RFC 7208 §2.6).

    result: one of RESULTS. domain: the domain whose record was checked; identity: "mailfrom"
    or "helo" (§2.3/§2.4). explanation: the exp= text on fail (§6.2), else pyspf's words.
    mechanism: the term that decided ("-all", "include:spf.mailjet.com", "default" when none
    matched), "" where evaluation stopped earlier. problem: the error text for temperror and
    permerror. lookups: DNS-querying terms evaluated (limit 10), void_lookups (limit 2).
    """

    result: str
    domain: str = ""
    identity: str = "mailfrom"
    explanation: str = ""
    mechanism: str = ""
    problem: str = ""
    lookups: int = 0
    void_lookups: int = 0
    problem_code: str = ""
    ip: str = ""

    def to_dict(self) -> dict:
        """Return the result as a JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> SpfResult:
        """Rebuild a result from to_dict()'s output (unknown keys ignored)."""
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


def _lookup(name: str, qtype: str, strict=True, timeout=20):
    """pyspf's DNSLookup hook: [((name, type), value), ...] from the thread's resolver."""
    resolver: dns.resolver.Resolver = _local.resolver
    try:
        qname = dns.name.from_text(name)
    except dns.exception.DNSException:  # not a name DNS can carry: nothing there
        return []
    try:
        answer = resolver.resolve(qname, qtype, lifetime=max(float(timeout), 0.05), search=False)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    except dns.exception.Timeout as error:
        raise pyspf.TempError(f"DNS timeout: {name} {qtype}") from error
    except dns.exception.DNSException as error:  # SERVFAIL, REFUSED, no nameserver answering
        raise pyspf.TempError(f"DNS error: {name} {qtype}: {type(error).__name__}") from error
    values = []
    for rdata in answer:
        if qtype in ("A", "AAAA"):
            values.append(((name, qtype), rdata.address))
        elif qtype == "MX":
            values.append(((name, qtype), (rdata.preference, rdata.exchange.to_text(True))))
        elif qtype == "PTR":
            values.append(((name, qtype), rdata.target.to_text(True)))
        elif qtype in ("TXT", "SPF"):
            values.append(((name, qtype), tuple(rdata.strings)))
    return values


pyspf.DNSLookup = _lookup


class _Query(pyspf.query):
    """pyspf's query with RFC 7208 §5.5's error handling for "ptr" and %{p}.

    A DNS error on the PTR lookup makes the mechanism not match; a DNS error on the address
    lookup of one PTR name skips that name and the search goes on (pyspf lets a real resolver's
    error end the whole check as temperror).
    """

    def validated_ptrs(self):
        try:
            names = self.dns_ptr(self.i)[: pyspf.MAX_PTR]
        except pyspf.TempError:
            return []
        valid = []
        for name in names:
            try:
                addresses = self.dns_a(name, self.A)
            except pyspf.TempError:
                continue
            if self.cidrmatch(addresses, self.cidrmax):
                valid.append(name)
        return valid


def _valid_domain(domain: str) -> bool:
    """Tell whether domain is a fully qualified name check_host() can ask (RFC 7208 §4.3).

    Not an address literal, at least two labels, every label 1..63 octets.
    """
    if not domain or domain.startswith("[") or "." not in domain.rstrip("."):
        return False
    try:
        ipaddress.ip_address(domain)
        return False
    except ValueError:
        pass
    return all(0 < len(label) < 64 for label in domain.rstrip(".").split("."))


def _check(ip, domain, sender, helo, nameservers, timeout, scope, cache=None) -> SpfResult:
    """Blocking check_host() (runs in a worker thread)."""
    identity = scope
    if not _valid_domain(domain):
        return SpfResult("none", domain, identity, problem="invalid domain", ip=ip)
    _local.resolver = sync_resolver(nameservers, timeout, cache)
    try:
        sender = sender if "@" in sender else f"postmaster@{domain}"
        query = _Query(ip, sender, helo or "unknown", timeout=timeout, querytime=timeout)
    except (ValueError, pyspf.PermError) as error:
        return SpfResult("permerror", domain, identity, problem=str(error), ip=ip)
    query.d = query.o = domain.rstrip(".")
    query.set_default_explanation("")
    try:
        result, _code, text = query.check()
    except Exception as error:  # noqa: BLE001 - a record pyspf cannot evaluate is unusable
        result, text = "permerror", f"SPF evaluation error: {type(error).__name__}"
    if result == "ambiguous":  # only in pyspf's "harsh" mode, never used here
        result = "permerror"
    problem = text if result in ("temperror", "permerror") else ""
    mechanism = str(query.mechanism or (query.mech[-1] if query.mech else ""))
    if result in ("pass", "fail", "softfail", "neutral") and not mechanism:
        mechanism = "default"
    return SpfResult(
        result,
        domain.rstrip(".").lower(),
        identity,
        explanation=text if result == "fail" else "",
        mechanism=mechanism,
        problem=problem,
        lookups=query.lookups,
        void_lookups=query.void_lookups,
        problem_code=problem_code(result, text),
        ip=ip,
    )


async def check_host_async(
    ip: str,
    domain: str,
    sender: str,
    *,
    helo: str | None = None,
    nameservers: list[str] | None = None,
    timeout: float = 20.0,
    scope: str = "mailfrom",
    cache: dns.resolver.CacheBase | None = None,
) -> SpfResult:
    """RFC 7208 check_host(ip, domain, sender) without blocking the event loop.

    ip: the SMTP client's address (IPv4, IPv6, IPv4-mapped IPv6). domain: the domain to check
    (the MAIL FROM domain, or the HELO name for a null sender, §2.4). sender: the MAIL FROM
    address ("postmaster@<helo>" for a null sender). timeout: seconds for the whole check
    (§4.6.4 asks for a limit of at least 20 s). scope: "mailfrom" or "helo", only reported.
    cache: a dnspython cache shared between checks (TTLs honoured), default none.
    Runs on the loop's default executor; `check_host` is the same check for a thread of the
    caller's own. Never raises for DNS faults: temperror.
    """
    call = functools.partial(_check, ip, domain, sender, helo, nameservers, timeout, scope, cache)
    return await asyncio.get_running_loop().run_in_executor(None, call)


def check_host(
    ip: str,
    domain: str,
    sender: str,
    *,
    helo: str | None = None,
    nameservers: list[str] | None = None,
    timeout: float = 20.0,
    scope: str = "mailfrom",
    cache: dns.resolver.CacheBase | None = None,
) -> SpfResult:
    """Blocking RFC 7208 check_host(); see check_host_async() for the arguments."""
    return _check(ip, domain, sender, helo, nameservers, timeout, scope, cache)


def ascii_domain(domain: str) -> str:
    """Return domain in lower case as A-labels ("müller.de" -> "xn--mller-kva.de").

    A name that is not a valid IDN is returned lower-cased as it is (checks then say none).
    """
    domain = (domain or "").strip().rstrip(".")
    if domain.isascii():
        return domain.lower()
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError:
        return domain.lower()


def identity(mail_from: str, helo: str) -> tuple[str, str]:
    """Return (domain, sender) that check_host() gets for an SMTP transaction (RFC 7208 §2.4).

    A null reverse-path (MAIL FROM:<>) checks the HELO identity with "postmaster@<helo>"; a
    sender without local part ("@example.net") gets "postmaster" (§4.3).
    """
    mail_from = (mail_from or "").strip().strip("<>")
    if not mail_from:
        helo = ascii_domain(helo) if helo and not helo.startswith("[") else helo
        return helo, f"postmaster@{helo}"
    local, _, domain = mail_from.rpartition("@")
    if not local:
        local = "postmaster"
    domain = ascii_domain(domain)
    return domain, f"{local}@{domain}"
