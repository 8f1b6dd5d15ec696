"""DNS answers for the receiver's checks, from the configured nameservers (DNS_NAMESERVERS).

An answer is a list (possibly empty: NXDOMAIN or no record of the type) or None when DNS gave
no usable answer (timeout, SERVFAIL, no nameserver answering) - the checks call that
"temperror", never a failure (RFC 7208 §2.6.6, RFC 6376 §6.1.2, RFC 9989).
"""

from __future__ import annotations

import asyncio
import time

import dns.exception
import dns.name
import dns.resolver

from mitwirkung.checks.resolver import make_resolver, parse_nameserver

# DNS queries of one verdict besides SPF (which RFC 7208 §4.6.4 bounds itself): keys of up to
# 5 DKIM signatures and 5 ARC sets, DMARC discovery for the From domain and the domains that
# may align with it (RFC 9989 walks at most a few names each).
MAX_QUERIES = 50


def sync_resolver(
    nameservers: list[str] | None, timeout: float, cache: dns.resolver.CacheBase | None = None
) -> dns.resolver.Resolver:
    """Return a blocking resolver for the nameservers (or the system's).

    cache: a dnspython cache shared between verdicts (it honours the TTLs), or None for none.
    """
    if nameservers is None:
        resolver = dns.resolver.Resolver()
    else:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [parse_nameserver(entry) for entry in nameservers]
    resolver.cache = cache
    resolver.lifetime = timeout
    resolver.timeout = max(timeout / 2, 0.1)
    return resolver


class TxtLookup:
    """Async TXT lookups with one shared resolver; usable as the tree walk's callable.

    Calling it with a name returns the TXT strings at name (each record's strings joined
    without spaces, RFC 7208 §3.3 / RFC 6376 §3.6.2.2), [] for none, None on a DNS failure.
    Answers (and lookups in flight) are kept for the life of the object, so one verdict asks
    each name once, even when two parts of it ask at the same time. All
    lookups share one deadline, timeout seconds from creation: a lookup after it is a DNS
    failure at once, so a silent DNS server cannot stretch a verdict beyond timeout. At most
    max_queries queries are sent (MAX_QUERIES by default); a lookup beyond them is a DNS
    failure (temperror) too, so no message can make the receiver query DNS without end.
    """

    def __init__(
        self,
        nameservers: list[str] | None,
        timeout: float,
        cache: dns.resolver.CacheBase | None = None,
        max_queries: int | None = None,
    ):
        self.max_queries = MAX_QUERIES if max_queries is None else max_queries
        self.queries = 0
        self.resolver = make_resolver(nameservers, timeout)
        self.resolver.cache = cache
        self.deadline = time.monotonic() + timeout
        self._seen: dict[str, asyncio.Future] = {}

    def _lifetime(self) -> float | None:
        """Return the seconds left for the next lookup (counting it), or None when the
        deadline passed or the queries are used up."""
        left = self.deadline - time.monotonic()
        if left <= 0.01 or self.queries >= self.max_queries:
            return None
        self.queries += 1
        return left

    async def __call__(self, name: str) -> list[str] | None:
        key = name.lower().rstrip(".")
        if key not in self._seen:
            self._seen[key] = asyncio.ensure_future(self._ask(key))
        return await asyncio.shield(self._seen[key])

    async def _ask(self, name: str) -> list[str] | None:
        lifetime = self._lifetime()
        if lifetime is None:
            return None
        try:
            answer = await self.resolver.resolve(name + ".", "TXT", lifetime=lifetime)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        except (dns.name.NameTooLong, dns.name.LabelTooLong, dns.name.EmptyLabel):
            return []
        except (dns.exception.Timeout, dns.resolver.NoNameservers, dns.resolver.YXDOMAIN):
            return None
        except dns.exception.DNSException:
            return None
        return [b"".join(r.strings).decode("utf-8", "replace") for r in answer]

    async def exists(self, name: str) -> bool | None:
        """Tell whether name exists: False on NXDOMAIN (RFC 8020, as RFC 9989 reads
        "non-existent"), True on any other answer, None when DNS failed."""
        lifetime = self._lifetime()
        if lifetime is None:
            return None
        try:
            await self.resolver.resolve(name.rstrip(".") + ".", "A", lifetime=lifetime)
        except dns.resolver.NXDOMAIN:
            return False
        except dns.resolver.NoAnswer:
            return True
        except dns.exception.DNSException:
            return None
        return True
