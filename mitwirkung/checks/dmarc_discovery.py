"""DMARC policy discovery and the Organizational Domain by the DNS Tree Walk (RFC 9989).

No Public Suffix List: the walk asks DNS for "_dmarc.<name>" from the Author Domain upward,
one label at a time. A name with more than eight labels is first asked as it is, then cut to
its last seven labels, so a walk asks at most eight names. A TXT set counts as a DMARC record
only when exactly one of its strings starts with "v=DMARC1" (RFC 9989: none or several =
no record at that name).

The walk takes a TXT-lookup callable, so the DNS check and the receiver
(mitwirkung.checks.inbound) share it:

    async def txt(name: str) -> list[str] | None   # None: DNS gave no usable answer (timeout,
                                                    # SERVFAIL) - the walk then says "temperror"
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from mitwirkung.checks.dmarc import is_dmarc

TxtLookup = Callable[[str], Awaitable[list[str] | None]]
MAX_LABELS = 8  # RFC 9989: longer names jump to their last seven labels


@dataclass(frozen=True)
class Found:
    """One DMARC record met on the walk: the domain it is published for and its text."""

    domain: str
    record: str

    @property
    def psd(self) -> str | None:
        """Return the psd= flag ("y", "n", "u") when the record carries a valid one."""
        for part in self.record.split(";"):
            name, _, value = part.partition("=")
            if name.strip(" \t").lower() == "psd":
                value = value.strip(" \t").lower()
                return value if value in ("y", "n", "u") else None
        return None


@dataclass(frozen=True)
class Walk:
    """What a tree walk found.

    records: every DMARC record met, from the start name upward (closest first).
    temperror: True when some name could not be asked (a DNS failure, not "no record").
    asked: the names asked ("_dmarc." + name), in order.
    """

    start: str
    records: tuple[Found, ...]
    temperror: bool
    asked: tuple[str, ...]


def normalise(domain: str) -> str:
    """Return domain in lower case without a trailing dot."""
    return domain.strip().rstrip(".").lower()


def walk_names(domain: str) -> list[str]:
    """Return the names a walk visits for domain, closest first (RFC 9989, DNS Tree Walk).

    >>> walk_names("a.b.example.com")
    ['a.b.example.com', 'b.example.com', 'example.com', 'com']
    """
    labels = normalise(domain).split(".")
    if not labels or labels == [""]:
        return []
    names = [".".join(labels)]
    if len(labels) > MAX_LABELS:
        labels = labels[-(MAX_LABELS - 1) :]
        names.append(".".join(labels))
    while len(labels) > 1:
        labels = labels[1:]
        names.append(".".join(labels))
    return names


async def _record_at(txt: TxtLookup, name: str) -> tuple[str | None, bool]:
    """Return (the single DMARC record at _dmarc.name or None, whether DNS failed)."""
    strings = await txt("_dmarc." + name)
    if strings is None:
        return None, True
    records = [s for s in strings if is_dmarc(s)]
    return (records[0] if len(records) == 1 else None), False


async def tree_walk(domain: str, txt: TxtLookup, *, full: bool = False) -> Walk:
    """Walk from domain upward and collect the DMARC records met.

    full=False stops at the first record (policy discovery); full=True walks
    on until a record with psd=y or psd=n or the top (Organizational Domain).
    """
    start = normalise(domain)
    found: list[Found] = []
    asked: list[str] = []
    temperror = False
    for name in walk_names(start):
        asked.append("_dmarc." + name)
        record, failed = await _record_at(txt, name)
        temperror = temperror or failed
        if record is None:
            continue
        found.append(Found(name, record))
        if not full:
            break
        if Found(name, record).psd in ("y", "n"):
            break
    return Walk(start, tuple(found), temperror, tuple(asked))


def organizational_domain(walk: Walk) -> str:
    """Return the Organizational Domain from a full walk (RFC 9989).

    Records are read from the longest name to the shortest: psd=n names its own domain;
    psd=y (except at the start) names the domain one label below it on the path to the start;
    else the record with the fewest labels; without records the start itself.
    """
    for found in walk.records:
        if found.psd == "n":
            return found.domain
        if found.psd == "y" and found.domain != walk.start:
            labels = walk.start.split(".")
            return ".".join(labels[-(found.domain.count(".") + 2) :])
    if walk.records:
        return walk.records[-1].domain
    return walk.start


async def discover(domain: str, txt: TxtLookup) -> tuple[Found | None, str, bool]:
    """Return (the policy record for domain or None, its Organizational Domain, temperror).

    RFC 9989 policy discovery, in this order of preference: the record at the Author Domain
    itself; else the record of its Organizational Domain; else the record of its Public
    Suffix Domain (a record with psd=y above it). A record met on the way between the Author
    Domain and its Organizational Domain is not the policy record ("a.b.example.com" with
    records at b.example.com and example.com follows example.com's).
    """
    walk = await tree_walk(domain, txt, full=True)
    org = organizational_domain(walk)
    by_domain = {found.domain: found for found in walk.records}
    policy = by_domain.get(walk.start) or by_domain.get(org)
    if policy is None:
        policy = next((f for f in walk.records if f.psd == "y"), None)
    return policy, org, walk.temperror


async def org_domain(domain: str, txt: TxtLookup) -> tuple[str, bool]:
    """Return (the Organizational Domain of domain, whether a DNS failure made it uncertain)."""
    walk = await tree_walk(domain, txt, full=True)
    return organizational_domain(walk), walk.temperror
