"""Reverse name of a connecting address, forward-confirmed (FCrDNS) as receivers check it."""

import asyncio
import ipaddress
from dataclasses import dataclass

import dns.asyncresolver
import dns.exception
import dns.resolver
import dns.reversename

from .resolver import make_resolver


@dataclass(frozen=True)
class ReverseName:
    """`name`: the first PTR name without the trailing dot, or None (no PTR, or DNS did not
    answer: then `error` is "timeout"/"servfail"). `confirmed`: one A/AAAA record of `name`
    is the address again (forward-confirmed reverse DNS, RFC 8601 §3's "iprev" idea)."""

    name: str | None
    confirmed: bool
    error: str | None = None


async def reverse_name(
    ip: str, *, nameservers: list[str] | None = None, timeout: float = 5.0
) -> ReverseName:
    """Look up the PTR of `ip` and whether that name resolves back to `ip`; never raises."""
    resolver = make_resolver(nameservers, timeout)
    try:
        address = ipaddress.ip_address(ip)
        answer = await resolver.resolve(dns.reversename.from_address(str(address)), "PTR")
    except ValueError:
        return ReverseName(None, False, "bad-address")
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return ReverseName(None, False)
    except dns.exception.Timeout:
        return ReverseName(None, False, "timeout")
    except dns.exception.DNSException:
        return ReverseName(None, False, "servfail")
    name = str(answer[0].target).rstrip(".")
    rtype = "AAAA" if address.version == 6 else "A"
    try:
        forward = await asyncio.wait_for(resolver.resolve(name, rtype), timeout)
    except (dns.exception.DNSException, TimeoutError):
        return ReverseName(name, False)
    return ReverseName(name, any(ipaddress.ip_address(r.address) == address for r in forward))
