"""Which DNS provider runs a domain, and how the customer adds a record in its panel.

Detection reads the zone's NS records (RFC 1035 §3.3.11) and, when those fit several
providers, the SOA's MNAME and RNAME (§3.3.13). The provider data (name server patterns,
German steps, known traps) lives in data/providers/dns-providers.toml so that people who
know the panels can correct it without touching code.
"""

import asyncio
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import dns.exception
import dns.resolver

from .dns.wording import HOST_STEPS
from .resolver import make_resolver


class ProviderCatalogError(Exception):
    """The provider file is malformed; the message names the entry and the problem."""


@dataclass(frozen=True)
class Provider:
    id: str
    name: str
    ns: tuple[str, ...]
    ns_regex: tuple[re.Pattern, ...]
    soa: tuple[str, ...]
    ambiguous: bool
    host_field: str
    value_field: str
    root: str
    host: str  # "short" | "full"
    steps: tuple[str, ...]
    traps: tuple[str, ...]
    dkim_traps: tuple[str, ...]
    underscore_traps: tuple[str, ...]
    root_traps: tuple[str, ...] = ()
    spf_traps: tuple[str, ...] = ()
    cname_traps: tuple[str, ...] = ()
    add_step: int = 0  # 1-based number of the step that creates a new record; 0 = none
    edit_step: str = ""

    def serves(self, ns_name: str) -> bool:
        """True when this name server name belongs to the provider."""
        name = ns_name.rstrip(".").lower()
        return any(name == s or name.endswith("." + s) for s in self.ns) or any(
            pattern.search(name) for pattern in self.ns_regex
        )

    def owns_soa(self, mname: str, rname: str) -> bool:
        names = (mname.rstrip(".").lower(), rname.rstrip(".").lower())
        return any(n == s or n.endswith("." + s) for n in names for s in self.soa)


@dataclass(frozen=True)
class ProviderCatalog:
    generic: Provider
    providers: tuple[Provider, ...]


@dataclass(frozen=True)
class Delegation:
    """What the DNS says about who serves a domain: the zone's NS names and its SOA."""

    zone: str
    ns: tuple[str, ...]
    soa_mname: str = ""
    soa_rname: str = ""
    unavailable: bool = False  # the DNS did not answer: nothing can be said


@dataclass(frozen=True)
class Match:
    """The provider that serves a domain; `provider` is the generic entry when unknown."""

    provider: Provider
    known: bool
    ns: tuple[str, ...]
    operator: str  # for unknown providers: the name servers' domain, e.g. "example-dns.net"


def _strings(raw: dict, key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ProviderCatalogError(f"{where}: '{key}' must be a list of non-empty strings")
    return tuple(" ".join(v.split()) for v in value)


def _text(raw: dict, key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ProviderCatalogError(f"{where}: '{key}' must be a non-empty string")
    return value.strip()


def _provider(raw: dict, where: str, generic: Provider | None = None) -> Provider:
    """One provider entry; `generic` (None while reading [generic] itself) fills gaps."""
    host = _text(raw, "host", where)
    if host not in ("short", "full"):
        raise ProviderCatalogError(f'{where}: \'host\' must be "short" or "full"')
    try:
        patterns = tuple(re.compile(p) for p in _strings(raw, "ns_regex", where))
    except re.error as e:
        raise ProviderCatalogError(f"{where}: 'ns_regex' is no valid pattern: {e}") from e
    add_step = raw.get("add_step", 0)
    steps = _strings(raw, "steps", where)
    if type(add_step) is not int or not 0 <= add_step <= len(steps):
        raise ProviderCatalogError(f"{where}: 'add_step' must be the number of one of its steps")
    edit_step = _text(raw, "edit_step", where) if "edit_step" in raw else ""
    if generic is not None and not edit_step:
        edit_step = generic.edit_step
    provider = Provider(
        id="generic" if generic is None else _text(raw, "id", where),
        name=_text(raw, "name", where),
        ns=tuple(s.lower().rstrip(".") for s in _strings(raw, "ns", where)),
        ns_regex=patterns,
        soa=tuple(s.lower().rstrip(".") for s in _strings(raw, "soa", where)),
        ambiguous=bool(raw.get("ambiguous", False)),
        host_field=_text(raw, "host_field", where),
        value_field=_text(raw, "value_field", where),
        root=str(raw.get("root", "")).strip(),
        host=host,
        steps=steps,
        traps=_strings(raw, "traps", where),
        dkim_traps=_strings(raw, "dkim_traps", where),
        underscore_traps=_strings(raw, "underscore_traps", where),
        root_traps=_strings(raw, "root_traps", where),
        spf_traps=_strings(raw, "spf_traps", where),
        cname_traps=_strings(raw, "cname_traps", where),
        add_step=add_step,
        edit_step=edit_step,
    )
    if not provider.steps:
        raise ProviderCatalogError(f"{where}: 'steps' must not be empty")
    if generic is None and not provider.edit_step:
        raise ProviderCatalogError(f"{where}: 'edit_step' must be a non-empty string")
    if generic is not None and not (provider.ns or provider.ns_regex):
        raise ProviderCatalogError(f"{where}: give 'ns' or 'ns_regex' to recognise it")
    return provider


def load(path: str | Path) -> ProviderCatalog:
    """Read and check the provider file; raise ProviderCatalogError naming the problem."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ProviderCatalogError(f"{path}: {e}") from e
    if not isinstance(data.get("generic"), dict):
        raise ProviderCatalogError(f"{path}: the [generic] entry is missing")
    generic = _provider(data["generic"], f"{path} [generic]")
    providers = tuple(
        _provider(raw, f"{path} provider[{i}]", generic)
        for i, raw in enumerate(data.get("provider", []))
    )
    ids = [p.id for p in providers]
    if len(set(ids)) != len(ids):
        raise ProviderCatalogError(f"{path}: provider ids must be unique")
    return ProviderCatalog(generic, providers)


def operator(ns: tuple[str, ...]) -> str:
    """The registrable-looking tail of the name servers (last two labels), for display."""
    tails = sorted({".".join(n.rstrip(".").split(".")[-2:]) for n in ns if "." in n})
    return ", ".join(tails)


def match(catalog: ProviderCatalog, delegation: Delegation) -> Match:
    """Pick the provider serving the domain: by NS names; by the SOA where NS fit several.

    A provider counts when it serves most of the NS names (a zone may have one secondary
    elsewhere). When the winners are several, or the only one is marked ambiguous
    (name servers that many hosters share, like AutoDNS), a provider whose SOA endings fit
    MNAME or RNAME wins.
    """
    ns = tuple(n.rstrip(".").lower() for n in delegation.ns)
    unknown = Match(catalog.generic, False, ns, operator(ns))
    if not ns:
        return unknown
    counts = {p.id: sum(p.serves(n) for n in ns) for p in catalog.providers}
    best = max(counts.values())
    if best == 0:
        return unknown
    fitting = [p for p in catalog.providers if counts[p.id] == best]
    if len(fitting) > 1 or fitting[0].ambiguous:
        by_soa = [
            p for p in catalog.providers
            if p.owns_soa(delegation.soa_mname, delegation.soa_rname)
        ]  # fmt: skip
        if by_soa:
            return Match(by_soa[0], True, ns, operator(ns))
    return Match(fitting[0], True, ns, operator(ns))


async def observe(domain: str, *, nameservers: list[str] | None, timeout: float) -> Delegation:
    """Ask the DNS for the NS and SOA of the zone holding domain (walking up to the parent).

    Returns a Delegation; `unavailable` when the DNS did not answer (SERVFAIL, timeout).
    """
    resolver = make_resolver(nameservers, timeout)
    labels = domain.rstrip(".").lower().split(".")
    try:
        async with asyncio.timeout(timeout):
            for start in range(len(labels) - 1):
                zone = ".".join(labels[start:])
                try:
                    ns_answer, soa_answer = await asyncio.gather(
                        resolver.resolve(zone, "NS"), resolver.resolve(zone, "SOA")
                    )
                except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
                    continue
                soa = soa_answer[0]
                return Delegation(
                    zone=zone,
                    ns=tuple(sorted(r.target.to_text().rstrip(".").lower() for r in ns_answer)),
                    soa_mname=soa.mname.to_text().rstrip(".").lower(),
                    soa_rname=soa.rname.to_text().rstrip(".").lower(),
                )
    except (TimeoutError, dns.exception.DNSException):
        return Delegation(zone=domain, ns=(), unavailable=True)
    return Delegation(zone=domain, ns=())


@dataclass(frozen=True)
class RecordSteps:
    """What the customer does for one record in this provider's panel.

    `change` is True when a record of this kind already exists and is to be edited, not
    added (SPF: RFC 7208 §3.2 allows one SPF record per name); `host_field` and `host` are
    the panel's name for the host field and what goes into it ("" = leave it empty).
    """

    item_id: str
    steps: tuple[str, ...]
    traps: tuple[str, ...]
    change: bool = False
    host_field: str = ""
    host: str = ""


def host_entry(provider: Provider, host: str, fqdn: str) -> str:
    """What goes into the panel's host field ("" = leave it empty; no trailing dot)."""
    if provider.host == "full":
        return fqdn.rstrip(".")
    return provider.root if host == "@" else host


def host_step(provider: Provider, entry: str, at_root: bool) -> str:
    """The sentence saying what goes into the host field."""
    key = "empty" if not entry else "root" if at_root and entry == "@" else "host"
    return HOST_STEPS[key].format(field=provider.host_field, entry=entry)


def existing_spf(record: dict) -> bool:
    """True when the check found an SPF record (v=spf1) at the SPF record's name."""
    found = record.get("found") or []
    return record["item_id"] == "dns-spf" and any(
        str(f).strip().strip('"').lower().startswith("v=spf1") for f in found
    )


def steps_for(provider: Provider, record: dict) -> RecordSteps:
    """Fill the provider's steps for one record (keys: item_id, rtype, host, fqdn; optional
    state and found, as a DNS check leaves them).

    Each trap goes only with the records it is about: SPF traps with the SPF record while it
    has not been checked yet, CNAME traps with CNAME records, DKIM traps with DKIM. Where an
    SPF record exists already, the step that adds a record says to edit that one instead.
    """
    host = host_entry(provider, record["host"], record["fqdn"])
    values = {
        "host_step": host_step(provider, host, record["host"] == "@"),
        "host": f"„{host}“" if host else "nichts",
        "fqdn": f"„{record['fqdn'].rstrip('.')}“",
        "type": record["rtype"],
        "host_field": provider.host_field,
        "value_field": provider.value_field,
    }
    change = existing_spf(record)
    steps = [step.format_map(_Keep(values)) for step in provider.steps]
    if change and provider.add_step:
        steps[provider.add_step - 1] = provider.edit_step.format_map(_Keep(values))
    traps = list(provider.traps)
    unchecked = record.get("state", "open") == "open" and not record.get("found")
    if record["item_id"] == "dns-spf" and unchecked:
        traps += provider.spf_traps
    if record["item_id"] == "dns-dkim":
        traps += provider.dkim_traps
    if record["rtype"] == "CNAME":
        traps += provider.cname_traps
    if "_" in record["fqdn"]:
        traps += provider.underscore_traps
    if record["host"] == "@":
        traps += provider.root_traps
    return RecordSteps(
        record["item_id"], tuple(steps), tuple(traps), change, provider.host_field, host
    )


class _Keep(dict):
    """format_map mapping that leaves unknown {placeholders} as they are."""

    def __missing__(self, key):
        return "{" + key + "}"
