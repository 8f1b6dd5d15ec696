"""The one way the checks build a dnspython resolver from the DNS_NAMESERVERS setting."""

import dns.asyncresolver
import dns.nameserver


def parse_nameserver(entry: str) -> dns.nameserver.Do53Nameserver:
    """Turn a DNS_NAMESERVERS entry ("ip", "ip:port", "[v6]:port") into a nameserver."""
    entry = entry.strip()
    if entry.startswith("["):
        host, _, port = entry[1:].partition("]")
        return dns.nameserver.Do53Nameserver(host, int(port.lstrip(":") or 53))
    if entry.count(":") == 1:
        host, port = entry.split(":")
        return dns.nameserver.Do53Nameserver(host, int(port))
    return dns.nameserver.Do53Nameserver(entry, 53)


def make_resolver(
    nameservers: list[str] | None, timeout: float | None = None
) -> dns.asyncresolver.Resolver:
    """Return an uncached async resolver for the configured nameservers, or the system's."""
    if nameservers is None:
        resolver = dns.asyncresolver.Resolver()
    else:
        resolver = dns.asyncresolver.Resolver(configure=False)
        resolver.nameservers = [parse_nameserver(entry) for entry in nameservers]
    resolver.cache = None
    if timeout is not None:
        resolver.lifetime = timeout
        resolver.timeout = max(timeout / 2, 0.1)
    return resolver
